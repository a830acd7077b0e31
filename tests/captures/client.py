"""A real driver's conversation for the Wireshark dissector's captures (tests/capture_recording.py).

Run in a client matrix venv (``.matrix/venv-neo4j-X/bin/python``, see tests/matrix/) or the
project's own (the official driver): ``python client.py URI USER PASSWORD FAMILY``. It imports
only the driver and the standard library, and sends values of many kinds to EchoSession
(tests/sessions.py) and asks it for nodes, relationships, paths, temporal and spatial values, a
vector (6.x) and a FAILURE. FAMILY is the Bolt version family ("1.0" has no temporal or spatial
structures, "6.x" has vectors).
"""

import datetime as dt
import sys
import warnings

import neo4j
from neo4j import GraphDatabase

warnings.simplefilter("ignore")
uri, user, password, family = sys.argv[1:5]
LEGACY = neo4j.__version__.startswith("1.")
if LEGACY:
    from neo4j import basic_auth
    driver = GraphDatabase.driver(uri, auth=basic_auth(user, password), encrypted=False,
                                  max_retry_time=1)
else:
    driver = GraphDatabase.driver(uri, auth=(user, password))

params = {"i": 42, "neg": -17, "big": 2**40, "min": -(2**63), "f": 1.5, "tiny": -2.25e-300,
          "third": 1 / 3, "s": "grüße 東京", "empty": "", "t": True, "no": None,
          "l": [1, "a", [2.5, False]], "m": {"a": 1, "b": [True, None]},
          "by": bytearray(b"\x00\x01\xfe\xff")}
if family != "1.0":
    params.update(d=dt.date(2024, 2, 29), lt=dt.time(23, 59, 59, 123456),
                  ldt=dt.datetime(1999, 12, 31, 23, 59, 59, 123456))
queries = ["GRAPH"] + (["TEMPORAL", "SPATIAL"] if family != "1.0" else []) + (
    ["VECTOR"] if family == "6.x" else [])
with driver.session() as session:
    list(session.run("ECHO", params))
    for query in queries:
        list(session.run(query))
    try:
        list(session.run("FAIL"))
    except Exception:  # the FAILURE is what the capture wants
        pass
    list(session.run("ECHO", {"after": "failure"}))
driver.close()
print("ok")
