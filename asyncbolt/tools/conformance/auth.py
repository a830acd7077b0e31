"""Authentication and what the server announces: the login's SUCCESS (``server``,
``connection_id``), its hints, LOGOFF/LOGON, a wrong password (FAILURE with a Security code,
then the connection closes: FAILURE in CONNECTED/AUTHENTICATION leads to DEFUNCT), and the
types of the well-known keys of every SUCCESS and FAILURE the version's checks saw
(``success_metadata``/``failure_metadata`` of spec/bolt.yaml)."""

from __future__ import annotations

from typing import Any

from asyncbolt._generated.messages import Logoff, Logon
from asyncbolt._generated.states import TRANSITIONS
from asyncbolt._generated.versions import MAP_KEYS, key_holds
from asyncbolt.core.framing import chunk_message
from asyncbolt.tools.conformance.checking import Checker, describe, fail
from asyncbolt.tools.conformance.report import Check
from asyncbolt.tools.conformance.statetable import Conn, confirm
from asyncbolt.tools.conformance.target import login

__all__ = ["login_checks", "wrong_password_check", "metadata_check", "WRONG_PASSWORD"]

#: The password the refusal checks log in with.
WRONG_PASSWORD = "asyncbolt-conformance-wrong-password"

_PY_TYPES: dict[str, tuple[type, ...]] = {"String": (str,), "Integer": (int,), "Boolean": (bool,),
                                          "Map": (dict,), "Float": (float,)}


def _is(value: Any, spec_type: str) -> bool:
    """Whether ``value`` is of the spec type (``String``, ``Integer?``, ``List<String>``...)."""
    if spec_type.endswith("?"):
        return value is None or _is(value, spec_type[:-1])
    if spec_type.startswith("List<"):
        inner = spec_type[5:-1]
        return isinstance(value, list) and all(_is(v, inner) for v in value)
    types = _PY_TYPES.get(spec_type)
    if types is None:
        return True
    if types == (int,) and isinstance(value, bool):
        return False
    return isinstance(value, types)


def failure_code(ck: Checker, metadata: dict[str, Any]) -> Any:
    """The Neo4j status code of a FAILURE: ``code``, or ``neo4j_code`` where the version names it so."""
    key = "code" if key_holds("failure_metadata", "code", ck.v) else "neo4j_code"
    return metadata.get(key)


async def good_login(ck: Checker) -> str:
    probe = await ck.connected()
    requests = login(ck.target, ck.v)
    answers = await ck.ask(probe, *requests)
    for request, answer in zip(requests, answers, strict=True):
        if answer.kind != "SUCCESS":
            fail(f"{request.name} with the given credentials should be answered SUCCESS, got {answer}")
    metadata = answers[0].metadata
    wanted = [key for key in ("server", "connection_id") if key_holds("success_metadata", key, ck.v)]
    for key in wanted:
        spec_type = MAP_KEYS["success_metadata"][key][0]
        if key not in metadata:
            fail(f"{requests[0].name}'s SUCCESS should carry {key} ({spec_type}), got {describe(metadata)}")
        if not _is(metadata[key], spec_type):
            fail(f"{requests[0].name}'s SUCCESS {key} should be a {spec_type}, got {metadata[key]!r}")
    return ", ".join(f"{key} {metadata[key]!r}" for key in wanted)


async def hints(ck: Checker) -> str:
    probe = await ck.connected()
    answers = await ck.ask(probe, *login(ck.target, ck.v))
    found = [a.metadata["hints"] for a in answers if "hints" in a.metadata]
    if not found:
        return "none announced"
    hints_ = found[0]
    if not isinstance(hints_, dict):
        fail(f"hints should be a Map, got {hints_!r}")
    for key, value in hints_.items():
        if key not in MAP_KEYS["hints"] or not key_holds("hints", key, ck.v):
            continue  # (other hints are legal; unchecked)
        spec_type = MAP_KEYS["hints"][key][0]
        if not _is(value, spec_type):
            fail(f"hint {key} should be a {spec_type}, got {value!r}")
        if key == "connection.recv_timeout_seconds" and value <= 0:
            fail(f"hint {key} should be a positive number of seconds, got {value!r}")
    return describe(hints_)


async def logoff_logon(ck: Checker) -> str:
    probe = await ck.ready()
    after = TRANSITIONS[ck.v][("READY", "LOGOFF")].success
    await ck.expect(probe, Logoff(), "SUCCESS", "in READY, ")
    await ck.expect(probe, Logon(ck.target.auth()), "SUCCESS", f"in {after}, ")
    await confirm(ck, Conn(probe, "READY"), "after LOGOFF, LOGON")
    return f"LOGOFF -> {after}, LOGON -> READY"


async def wrong_password(ck: Checker) -> str:
    probe = await ck.connected()
    requests = login(ck.target, ck.v, password=WRONG_PASSWORD)
    answers = await ck.ask(probe, requests[0])
    if len(requests) > 1:  # HELLO, then LOGON carries the credentials
        if answers[0].kind != "SUCCESS":
            fail(f"HELLO (no credentials) should be answered SUCCESS, got {answers[0]}")
        answers = await ck.ask(probe, requests[1])
    answer, name = answers[0], requests[-1].name
    if answer.kind != "FAILURE":
        fail(f"{name} with a wrong password should be answered FAILURE, got {answer}")
    code = failure_code(ck, answer.metadata)
    if not (isinstance(code, str) and code.startswith("Neo.ClientError.Security.")):
        fail(f"{name} with a wrong password: FAILURE should carry a Neo.ClientError.Security.* code, "
             f"got {describe(answer.metadata)}")
    await ck.closes(probe, f"after {name} failed (DEFUNCT)")
    return f"{code}, then closed"


async def login_checks(ck: Checker) -> list[Check]:
    first = "INIT" if not ck.has("hello") else "HELLO, LOGON" if ck.has("logon") else "HELLO"
    checks = [await ck.run(f"authentication: {first} with the credentials -> SUCCESS", lambda: good_login(ck))]
    if checks[0].outcome == "fail":
        return checks
    if key_holds("success_metadata", "hints", ck.v):
        checks.append(await ck.run("limits: hints of known names have the spec's types", lambda: hints(ck)))
    if ck.has("logon"):
        checks.append(await ck.run("authentication: LOGOFF, LOGON again -> READY", lambda: logoff_logon(ck)))
    return checks


async def wrong_password_check(ck: Checker) -> Check:
    name = "authentication: a wrong password -> FAILURE Security, then closed"
    if ck.target.user is None:
        return Check(ck.label, name, "skip", "no credentials to spoil (--auth none)")
    return await ck.run(name, lambda: wrong_password(ck))


def metadata_check(ck: Checker) -> Check:
    """The types of the well-known keys of every SUCCESS/FAILURE seen so far (made last); on
    failure the bytes received are the first offending message (chunked as it came)."""
    name = "metadata: well-known keys of every SUCCESS/FAILURE have the spec's types"
    problems = ck.metadata_problems()
    if not problems:
        return Check(ck.label, name, "pass", f"{len(ck.summaries)} answers")
    detail, payload = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return Check(ck.label, name, "fail", detail + more, b"", chunk_message(payload))
