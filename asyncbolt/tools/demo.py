"""``make demo``: ``asyncbolt serve`` on LadybugDB, used by the official neo4j driver and by
asyncbolt's own client.

Starts ``asyncbolt serve --port 0`` (an in-memory LadybugDB) as a subprocess, loads a small
movie graph through the official driver (schema, then people, movies and relationships in one
transaction), runs a few queries with the driver and with asyncbolt's client, prints what came
back and stops the server with SIGINT, as Ctrl-C would. ``python -m asyncbolt.tools.demo_wire`` is
the older in-memory walk through the wire format.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from asyncbolt.tools.shell import render_table

USER, PASSWORD = "neo4j", "demo-password"

SCHEMA = [
    "CREATE NODE TABLE Person(name STRING PRIMARY KEY, born INT64)",
    "CREATE NODE TABLE Movie(title STRING PRIMARY KEY, released INT64, tagline STRING)",
    "CREATE REL TABLE ACTED_IN(FROM Person TO Movie, roles STRING[])",
    "CREATE REL TABLE DIRECTED(FROM Person TO Movie)",
]

PEOPLE = [
    ("Keanu Reeves", 1964), ("Carrie-Anne Moss", 1967), ("Laurence Fishburne", 1961),
    ("Hugo Weaving", 1960), ("Lana Wachowski", 1965), ("Lilly Wachowski", 1967),
    ("Charlize Theron", 1975), ("Al Pacino", 1940), ("Taylor Hackford", 1944),
    ("Jack Nicholson", 1937), ("Diane Keaton", 1946), ("Nancy Meyers", 1949),
    ("Tom Cruise", 1962), ("Demi Moore", 1962), ("Kevin Bacon", 1958), ("Rob Reiner", 1947),
    ("Tom Hanks", 1956), ("Meg Ryan", 1961), ("Nora Ephron", 1941), ("Bill Paxton", 1955),
    ("Ed Harris", 1950), ("Gary Sinise", 1955), ("Ron Howard", 1954), ("Robert Zemeckis", 1951),
    ("Robin Wright", 1966), ("Helen Hunt", 1963),
]

MOVIES = [
    ("The Matrix", 1999, "Welcome to the Real World"),
    ("The Matrix Reloaded", 2003, "Free your mind"),
    ("The Matrix Revolutions", 2003, "Everything that has a beginning has an end"),
    ("The Devil's Advocate", 1997, "Evil has its winning ways"),
    ("Something's Gotta Give", 2003, ""),
    ("A Few Good Men", 1992, "In the heart of the nation's capital, the truth is hidden"),
    ("Sleepless in Seattle", 1993, "What if someone you never met was the only one for you?"),
    ("You've Got Mail", 1998, "At odds in life... in love on-line."),
    ("Apollo 13", 1995, "Houston, we have a problem."),
    ("Forrest Gump", 1994, "Life is like a box of chocolates"),
    ("Cast Away", 2000, "At the edge of the world, his journey begins."),
]

ACTED_IN = [
    ("Keanu Reeves", "The Matrix", ["Neo"]), ("Carrie-Anne Moss", "The Matrix", ["Trinity"]),
    ("Laurence Fishburne", "The Matrix", ["Morpheus"]), ("Hugo Weaving", "The Matrix", ["Agent Smith"]),
    ("Keanu Reeves", "The Matrix Reloaded", ["Neo"]),
    ("Carrie-Anne Moss", "The Matrix Reloaded", ["Trinity"]),
    ("Laurence Fishburne", "The Matrix Reloaded", ["Morpheus"]),
    ("Hugo Weaving", "The Matrix Reloaded", ["Agent Smith"]),
    ("Keanu Reeves", "The Matrix Revolutions", ["Neo"]),
    ("Carrie-Anne Moss", "The Matrix Revolutions", ["Trinity"]),
    ("Laurence Fishburne", "The Matrix Revolutions", ["Morpheus"]),
    ("Hugo Weaving", "The Matrix Revolutions", ["Agent Smith"]),
    ("Keanu Reeves", "The Devil's Advocate", ["Kevin Lomax"]),
    ("Charlize Theron", "The Devil's Advocate", ["Mary Ann Lomax"]),
    ("Al Pacino", "The Devil's Advocate", ["John Milton"]),
    ("Jack Nicholson", "Something's Gotta Give", ["Harry Sanborn"]),
    ("Diane Keaton", "Something's Gotta Give", ["Erica Barry"]),
    ("Keanu Reeves", "Something's Gotta Give", ["Julian Mercer"]),
    ("Tom Cruise", "A Few Good Men", ["Lt. Daniel Kaffee"]),
    ("Jack Nicholson", "A Few Good Men", ["Col. Nathan R. Jessup"]),
    ("Demi Moore", "A Few Good Men", ["Lt. Cdr. JoAnne Galloway"]),
    ("Kevin Bacon", "A Few Good Men", ["Capt. Jack Ross"]),
    ("Tom Hanks", "Sleepless in Seattle", ["Sam Baldwin"]),
    ("Meg Ryan", "Sleepless in Seattle", ["Annie Reed"]),
    ("Tom Hanks", "You've Got Mail", ["Joe Fox"]), ("Meg Ryan", "You've Got Mail", ["Kathleen Kelly"]),
    ("Tom Hanks", "Apollo 13", ["Jim Lovell"]), ("Kevin Bacon", "Apollo 13", ["Jack Swigert"]),
    ("Ed Harris", "Apollo 13", ["Gene Kranz"]), ("Bill Paxton", "Apollo 13", ["Fred Haise"]),
    ("Gary Sinise", "Apollo 13", ["Ken Mattingly"]),
    ("Tom Hanks", "Forrest Gump", ["Forrest Gump"]), ("Robin Wright", "Forrest Gump", ["Jenny Curran"]),
    ("Gary Sinise", "Forrest Gump", ["Lieutenant Dan Taylor"]),
    ("Tom Hanks", "Cast Away", ["Chuck Noland"]), ("Helen Hunt", "Cast Away", ["Kelly Frears"]),
]

DIRECTED = [
    ("Lana Wachowski", "The Matrix"), ("Lilly Wachowski", "The Matrix"),
    ("Lana Wachowski", "The Matrix Reloaded"), ("Lilly Wachowski", "The Matrix Reloaded"),
    ("Lana Wachowski", "The Matrix Revolutions"), ("Lilly Wachowski", "The Matrix Revolutions"),
    ("Taylor Hackford", "The Devil's Advocate"), ("Nancy Meyers", "Something's Gotta Give"),
    ("Rob Reiner", "A Few Good Men"), ("Nora Ephron", "Sleepless in Seattle"),
    ("Nora Ephron", "You've Got Mail"), ("Ron Howard", "Apollo 13"),
    ("Robert Zemeckis", "Forrest Gump"), ("Robert Zemeckis", "Cast Away"),
]


def _section(title: str) -> None:
    print(f"\n== {title}")


def _table(keys: list[str], rows: list[list[Any]]) -> None:
    print(render_table(keys, rows))


def _start_server() -> tuple[subprocess.Popen, str]:
    cmd = [sys.executable, "-m", "asyncbolt", "serve", "--port", "0", "--auth", f"{USER}:{PASSWORD}"]
    print(f"$ asyncbolt serve --port 0 --auth {USER}:{PASSWORD}")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    first: list[str] = []
    stdout = proc.stdout
    assert stdout is not None  # (stdout=PIPE)
    reader = threading.Thread(target=lambda: first.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(30)
    line = first[0].strip() if first else ""
    match = re.search(r"bolt(?:\+s)?://\S+", line)
    if not match:
        proc.kill()
        proc.wait()
        raise RuntimeError(f"asyncbolt serve did not start (said {line!r}, exit code {proc.poll()})")
    print(f"  {line}")
    return proc, match.group()


def _stop_server(proc: subprocess.Popen) -> int:
    if proc.poll() is None:
        if sys.platform == "win32":  # pragma: no cover
            proc.terminate()
        else:
            proc.send_signal(signal.SIGINT)
    try:
        rest, _ = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        rest, _ = proc.communicate()
    for line in (rest or "").splitlines():
        print(f"  {line}")
    return proc.returncode


def _with_driver(uri: str) -> None:
    import neo4j
    from neo4j.exceptions import CypherSyntaxError

    with neo4j.GraphDatabase.driver(uri, auth=(USER, PASSWORD)) as driver:
        driver.verify_connectivity()
        info = driver.get_server_info()
        _section(f"The official neo4j driver {neo4j.__version__} (Bolt {info.protocol_version[0]}."
                 f"{info.protocol_version[1]}, server {info.agent})")
        with driver.session() as session:
            for statement in SCHEMA:
                session.run(statement).consume()
            print(f"schema: {len(SCHEMA)} CREATE ... TABLE statements (2 node tables, 2 relationship tables)")

            def load(tx: Any) -> None:
                tx.run("UNWIND $rows AS r CREATE (:Person {name: r.name, born: r.born})",
                       rows=[{"name": n, "born": b} for n, b in PEOPLE]).consume()
                tx.run("UNWIND $rows AS r CREATE (:Movie {title: r.title, released: r.released, tagline: r.tagline})",
                       rows=[{"title": t, "released": y, "tagline": g} for t, y, g in MOVIES]).consume()
                tx.run("UNWIND $rows AS r MATCH (p:Person {name: r.person}), (m:Movie {title: r.movie}) "
                       "CREATE (p)-[:ACTED_IN {roles: r.roles}]->(m)",
                       rows=[{"person": p, "movie": m, "roles": roles} for p, m, roles in ACTED_IN]).consume()
                tx.run("UNWIND $rows AS r MATCH (p:Person {name: r.person}), (m:Movie {title: r.movie}) "
                       "CREATE (p)-[:DIRECTED]->(m)",
                       rows=[{"person": p, "movie": m} for p, m in DIRECTED]).consume()

            session.execute_write(load)
            bookmark = ", ".join(sorted(session.last_bookmarks().raw_values))
            print(f"loaded {len(PEOPLE)} people, {len(MOVIES)} movies and "
                  f"{len(ACTED_IN) + len(DIRECTED)} relationships in one transaction (bookmark {bookmark})")

            records = session.run("MATCH (n) RETURN label(n) AS label, count(*) AS nodes ORDER BY label")
            _table(["label", "nodes"], [[r["label"], r["nodes"]] for r in records])

            print("\nWho acted in The Matrix?")
            records = session.run("MATCH (p:Person)-[r:ACTED_IN]->(m:Movie {title: $title}) "
                                  "RETURN p.name AS actor, r.roles AS roles ORDER BY actor", title="The Matrix")
            _table(["actor", "roles"], [[r["actor"], r["roles"]] for r in records])

            print("\nNodes and relationships come back as the driver's graph types, with stable ids:")
            # (strict: exactly one record, else the driver raises; typed Optional all the same)
            record: Any = session.run("MATCH (p:Person {name: 'Keanu Reeves'})-[r:ACTED_IN]->(m:Movie {title: 'The Matrix'}) "
                                      "RETURN p, r, m").single(strict=True)
            p, r, m = record["p"], record["r"], record["m"]
            print(f"  p: Node element_id={p.element_id!r} labels={sorted(p.labels)} {dict(p)}")
            print(f"  m: Node element_id={m.element_id!r} labels={sorted(m.labels)} title={m['title']!r}")
            print(f"  r: Relationship element_id={r.element_id!r} type={r.type} roles={r['roles']} "
                  f"from {r.start_node.element_id} to {r.end_node.element_id}")

            print("\nA shortest path from Keanu Reeves to Tom Hanks:")
            record = session.run("MATCH path = (a:Person {name: $a})-[* SHORTEST 1..10]-(b:Person {name: $b}) "
                                 "RETURN path", a="Keanu Reeves", b="Tom Hanks").single(strict=True)
            path = record["path"]
            steps = [path.start_node.get("name") or path.start_node.get("title")]
            for rel, node in zip(path.relationships, path.nodes[1:], strict=True):
                forward = rel.start_node.element_id != node.element_id
                arrow = f"-[:{rel.type}]->" if forward else f"<-[:{rel.type}]-"
                steps.append(f"{arrow} {node.get('name') or node.get('title')}")
            print("  " + " ".join(steps))
            print(f"  ({len(path)} relationships, {len(path.nodes)} nodes)")

            print("\nA transaction that is rolled back leaves nothing behind:")
            with session.begin_transaction() as tx:
                tx.run("CREATE (:Person {name: 'Agent Brown', born: 1999})").consume()
                inside = tx.run("MATCH (p:Person) RETURN count(*) AS n").value()[0]
                tx.rollback()
            after = session.run("MATCH (p:Person) RETURN count(*) AS n").value()[0]
            print(f"  people inside the transaction: {inside}; after the rollback: {after}")

            print("\nErrors arrive as the driver's exceptions, with Neo4j's codes:")
            try:
                session.run("MATCH (p:Person RETURN p").consume()
            except CypherSyntaxError as exc:
                print(f"  {type(exc).__name__}: {exc.code}")
                print("  " + exc.message.splitlines()[0])


async def _with_asyncbolt(uri: str) -> None:
    import asyncbolt

    async with asyncbolt.connect(uri, auth=(USER, PASSWORD)) as conn:
        major, minor = conn.protocol_version
        _section(f"asyncbolt's client (Bolt {major}.{minor}, server {conn.server_agent})")
        print("Tom Hanks' co-actors:")
        result = await conn.run(
            "MATCH (:Person {name: $name})-[:ACTED_IN]->(m:Movie)<-[:ACTED_IN]-(co:Person) "
            "WHERE co.name <> $name "
            "RETURN co.name AS coactor, collect(m.title) AS movies ORDER BY size(movies) DESC, coactor",
            {"name": "Tom Hanks"})
        _table(await result.keys(), [record.values() async for record in result])

        print("\nMovies per decade:")
        result = await conn.run("MATCH (m:Movie) RETURN m.released / 10 * 10 AS decade, count(*) AS movies, "
                                "min(m.title) AS first_title ORDER BY decade")
        _table(await result.keys(), [record.values() async for record in result])
        summary = await result.consume()
        print(f"  summary: query type {summary.query_type!r}, database {summary.database!r}")

        started = time.monotonic()
        result = await conn.run("UNWIND range(1, 20000) AS i RETURN i, i * i AS square", fetch_size=1000)
        count = total = 0
        async for record in result:
            count += 1
            total += record["i"]
        print(f"\nStreamed {count:,} rows in batches of 1,000 (sum of i = {total:,}) "
              f"in {(time.monotonic() - started) * 1000:.0f} ms")

        async with conn.begin() as tx:
            await tx.run("MATCH (m:Movie {title: $t}) SET m.tagline = $tag",
                         {"t": "Something's Gotta Give", "tag": "Schmucks in love"})
        print(f"A write in an explicit transaction committed (bookmark {tx.bookmark})")


def main() -> int:
    started = time.monotonic()
    print("asyncbolt demo: `asyncbolt serve` on LadybugDB, queried with the official neo4j driver "
          "and with asyncbolt's client\n")
    try:
        proc, uri = _start_server()
    except (OSError, RuntimeError) as exc:
        print(f"demo failed: {exc}", file=sys.stderr)
        return 1
    status = 0
    try:
        _with_driver(uri)
        asyncio.run(_with_asyncbolt(uri))
    except Exception as exc:
        print(f"\ndemo failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        status = 1
    finally:
        _section("Stopping the server (SIGINT, as Ctrl-C)")
        code = _stop_server(proc)
        print(f"  asyncbolt serve exited with code {code}")
        if code != 0:
            status = 1
    print(f"\ndemo finished in {time.monotonic() - started:.1f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
