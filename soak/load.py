"""Many connections of the official neo4j driver at once, every result matched to its query.

Each of ``connections`` workers shares one driver whose pool holds ``connections``
connections, and first opens an explicit transaction and waits until every other worker holds
one too: at that moment ``connections`` connections are open at once, which ``count()`` (the
server's own view) confirms. Then each runs its share of a mixed workload:

- auto-commit queries with one record,
- explicit transactions of two queries (committed, or rolled back one time in four),
- auto-commit streams of ``rows`` records read with a small ``fetch_size`` (PULL n),
- streams inside explicit transactions.

Every query carries a unique token that each of its records must echo (with the row index for
streams): a record answering another query, a missing or extra row, or any exception is an
error. The two query dialects: ``session`` (soak.session's ECHO/ROWS) and ``cypher`` (plain
Cypher, for ``asyncbolt serve``).
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["LoadReport", "run_load", "run_load_processes", "DIALECTS"]

#: (one-record query, stream query); parameters: token, and n for the stream.
DIALECTS = {
    "session": ("ECHO", "ROWS"),
    "cypher": ("RETURN $token AS token", "UNWIND range(0, $n - 1) AS i RETURN $token AS token, i"),
}


@dataclass
class LoadReport:
    connections: int
    queries: int = 0  # queries whose results were checked
    transactions: int = 0
    records: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    at_barrier: int = -1  # server connections counted while every worker held one
    peak: int = -1  # the most server connections any sample saw

    @property
    def qps(self) -> float:
        return self.queries / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        return (f"{self.connections} connections: {self.queries:,} queries ({self.transactions:,} "
                f"explicit transactions, {self.records:,} records) in {self.seconds:.1f} s = "
                f"{self.qps:,.0f} queries/s; errors: {len(self.errors)}; server connections: "
                f"{self.at_barrier} while all were held, {self.peak} at most")


class _Barrier:
    """asyncio.Barrier for one use (Python 3.10 has none)."""

    def __init__(self, parties: int) -> None:
        self.parties = parties
        self.arrived = 0
        self.event = asyncio.Event()

    async def wait(self) -> None:
        self.arrived += 1
        if self.arrived >= self.parties:
            self.event.set()
        await self.event.wait()


async def _call(count: Callable[[], Any]) -> int:
    value = count()
    if inspect.isawaitable(value):
        value = await value
    return int(value)


async def run_load(uri: str, *, connections: int = 200, queries: int = 1000, dialect: str = "session",
                   fetch_size: int = 3, rows: int = 10, auth: tuple[str, str] = ("neo4j", "soak"),
                   count: Callable[[], int | Awaitable[int]] | None = None, timeout: float = 600.0,
                   max_errors: int = 100, held: Callable[[], Awaitable[None]] | None = None) -> LoadReport:
    """Run the load; ``count()`` returns how many connections the server holds now (sampled
    every 50 ms, and once while every worker holds its connection). ``held()`` is awaited
    while every worker holds its connection (before the count), for a caller that runs the
    load in several processes and counts them all at once."""
    import neo4j

    one, stream = DIALECTS[dialect]
    report = LoadReport(connections)
    tokens = itertools.count()
    barrier = _Barrier(connections)
    counted = asyncio.Event()  # the count at the barrier was taken

    def error(text: str) -> None:
        if len(report.errors) < max_errors:
            report.errors.append(text)
        else:
            report.errors.append("...")
            raise RuntimeError("too many errors: " + "; ".join(report.errors[:5]))

    def token(worker: int) -> str:
        return f"w{worker}-q{next(tokens)}"

    async def check_one(run: Any, worker: int) -> None:
        tok = token(worker)
        result = await run(one, {"token": tok})
        records = [record async for record in result]
        report.queries += 1
        report.records += len(records)
        got = [r["token"] for r in records]
        if got != [tok]:
            error(f"crossed stream: query {tok} got {got}")

    async def check_stream(run: Any, worker: int) -> None:
        tok = token(worker)
        result = await run(stream, {"token": tok, "n": rows})
        got = [(r["token"], r["i"]) async for r in result]
        report.queries += 1
        report.records += len(got)
        if got != [(tok, i) for i in range(rows)]:
            error(f"crossed stream: query {tok} ({rows} rows) got {got[:3]}... ({len(got)} rows)")

    async def worker(driver: Any, w: int, budget: int) -> None:
        async with driver.session(fetch_size=fetch_size, default_access_mode=neo4j.READ_ACCESS) as session:
            # Hold a connection until every worker holds one.
            first = None
            try:
                first = await session.begin_transaction()
                await check_one(first.run, w)
            except Exception as exc:
                error(f"worker {w}: {type(exc).__name__}: {exc}")
            await barrier.wait()  # the others still meet here if this one failed
            if w == 0:
                if held is not None:
                    await held()
                if count is not None:
                    report.at_barrier = await _call(count)
                counted.set()
            await counted.wait()
            if first is not None:
                await first.commit()
                report.transactions += 1
            done = 1
            for step in itertools.count():
                if done >= budget:
                    break
                kind = step % 4
                try:
                    if kind == 0:
                        await check_one(session.run, w)
                        done += 1
                    elif kind == 2:
                        await check_stream(session.run, w)
                        done += 1
                    else:
                        tx = await session.begin_transaction()
                        try:
                            if kind == 1:
                                await check_one(tx.run, w)
                                done += 1
                                if done < budget:
                                    await check_one(tx.run, w)
                                    done += 1
                            else:
                                await check_stream(tx.run, w)
                                done += 1
                            if step % 16 == 15:
                                await tx.rollback()
                            else:
                                await tx.commit()
                            report.transactions += 1
                        finally:
                            await tx.close()
                except RuntimeError:
                    raise
                except Exception as exc:
                    error(f"worker {w}: {type(exc).__name__}: {exc}")
                    done += 1

    async def sample(stop: asyncio.Event) -> None:
        while not stop.is_set():
            report.peak = max(report.peak, await _call(count))
            try:
                await asyncio.wait_for(stop.wait(), 0.05)
            except asyncio.TimeoutError:
                pass

    stop = asyncio.Event()
    sampler = asyncio.ensure_future(sample(stop)) if count is not None else None
    started = time.perf_counter()
    try:
        async with neo4j.AsyncGraphDatabase.driver(
                uri, auth=auth, max_connection_pool_size=connections,
                connection_acquisition_timeout=60, connection_timeout=30) as driver:
            tasks = [asyncio.ensure_future(worker(driver, w, queries)) for w in range(connections)]
            try:
                results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout)
            except asyncio.TimeoutError:
                error(f"the load did not finish within {timeout}s")
                results = []
            for w, outcome in enumerate(results):
                if isinstance(outcome, BaseException):
                    error(f"worker {w} stopped: {type(outcome).__name__}: {outcome}")
    finally:
        report.seconds = time.perf_counter() - started
        stop.set()
        if sampler is not None:
            await sampler
    if count is not None:
        report.peak = max(report.peak, report.at_barrier)
    return report


def _child(uri: str, options: dict[str, Any], barrier: Any, results: Any) -> None:
    """One client process of :func:`run_load_processes`."""
    async def held() -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, barrier.wait, 120)  # every process holds its connections
        await loop.run_in_executor(None, barrier.wait, 120)  # the parent has counted them

    try:
        report = asyncio.run(run_load(uri, held=held, **options))
    except BaseException as exc:  # the parent reports it
        barrier.abort()
        report = LoadReport(options.get("connections", 0), errors=[f"{type(exc).__name__}: {exc}"])
    results.put(report)


async def run_load_processes(uri: str, processes: int, *, connections: int = 200,
                             count: Callable[[], int] | None = None, timeout: float = 600.0,
                             **options: Any) -> LoadReport:
    """:func:`run_load` split over ``processes`` client processes (a Python driver is the
    bottleneck of one core), ``connections`` in all, held at once across the processes while
    ``count()`` runs here. The reports are added up."""
    import multiprocessing
    import threading

    if processes <= 1:
        return await run_load(uri, connections=connections, count=count, timeout=timeout, **options)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(processes + 1)
    results = ctx.Queue()
    shares = [connections // processes + (i < connections % processes) for i in range(processes)]
    children = [ctx.Process(target=_child, args=(uri, dict(options, connections=n, timeout=timeout),
                                                barrier, results), daemon=True) for n in shares]
    report = LoadReport(connections)
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            report.peak = max(report.peak, count())

    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    for child in children:
        child.start()
    try:
        try:
            await loop.run_in_executor(None, barrier.wait, 120)
            if count is not None:
                report.at_barrier = count()
            await loop.run_in_executor(None, barrier.wait, 120)
        except threading.BrokenBarrierError:
            report.errors.append("a client process failed before every connection was held")
        sampler = threading.Thread(target=sample, daemon=True) if count is not None else None
        if sampler is not None:
            sampler.start()
        parts = []
        for _ in children:
            parts.append(await loop.run_in_executor(None, results.get, True, timeout + 60))
        stop.set()
        if sampler is not None:
            sampler.join()
    finally:
        for child in children:
            child.join(10)
            if child.is_alive():
                child.kill()
    report.seconds = time.perf_counter() - started
    for part in parts:
        report.queries += part.queries
        report.transactions += part.transactions
        report.records += part.records
        report.errors += part.errors
    report.peak = max(report.peak, report.at_barrier)
    return report
