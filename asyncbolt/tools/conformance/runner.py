"""Runs every check against a server: the handshake's, then per version the login, the state
table, results and framing, the PackStream value round trip (:mod:`.values`), the metadata
types; and last the wrong-password refusals and the framing checks (a server that locks an
account after failed logins, or does not survive odd chunking or a large request, then spoils no
other check).

    report = await check_server(Target.from_uri("bolt://127.0.0.1:7687", user="neo4j",
                                                password="secret"))
    report.write_text(sys.stdout)

:func:`open_ready` (from :mod:`.target`) opens a connection handshaken to a version,
authenticated and READY; :func:`ready_opener` binds it to a target and version, which is what
value checks are handed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import replace

from asyncbolt._generated.versions import PATCHES, SERVER_VERSIONS, VERSIONS, patch_holds
from asyncbolt.core.handshake_wire import format_version
from asyncbolt.errors import ProtocolError, _CheckFailed, _CheckSkipped
from asyncbolt.tools.conformance.auth import login_checks, metadata_check, wrong_password_check
from asyncbolt.tools.conformance.checking import Checker
from asyncbolt.tools.conformance.handshake import handshake_checks
from asyncbolt.tools.conformance.report import Check, Report
from asyncbolt.tools.conformance.statetable import state_checks
from asyncbolt.tools.conformance.streaming import framing_checks, streaming_checks
from asyncbolt.tools.conformance.target import Target, open_ready, ready_opener
from asyncbolt.tools.conformance.values import value_checks

__all__ = ["check_server", "open_ready", "ready_opener", "value_checks_for"]

Version = tuple[int, int]


async def value_checks_for(target: Target, version: Version) -> list[Check]:
    """The PackStream value round trip of ``version`` (:mod:`.values`), through the target's
    echo query; again with each patch the version may negotiate (the utc patch of 4.3-4.4
    changes the DateTime structures), labelled ``4.4+utc``, or a skip if the server declines."""
    checks = await value_checks(ready_opener(target, version), version,
                                echo_query=target.echo_query, graph_query=target.graph_query,
                                timeout=target.timeout)
    for patch in PATCHES:
        if not patch_holds(patch, version):
            continue
        label = f"{format_version(version)}+{patch}"
        try:
            (await open_ready(target, version, (patch,))).close()
        except _CheckSkipped as exc:
            checks.append(Check(label, f"values with the {patch} patch", "skip", str(exc)))
            continue
        except (_CheckFailed, OSError, asyncio.TimeoutError, ProtocolError) as exc:
            checks.append(Check(label, f"values with the {patch} patch", "fail",
                                f"a connection asking for the patch did not reach READY: {exc}"))
            continue
        patched = await value_checks(ready_opener(target, version, (patch,)), version,
                                     echo_query=target.echo_query, graph_query=target.graph_query,
                                     timeout=target.timeout)
        checks += [replace(check, version=label) for check in patched]
    return checks


async def check_server(target: Target, versions: Iterable[Version] | None = None, *,
                       progress: Callable[[Check], None] | None = None) -> Report:
    """Every check against ``target``: the handshake's, then those of each version in
    ``versions`` (default: every version the spec lets a server negotiate that this one does).
    ``progress`` is called with each check as it ends."""
    report = Report(target.uri)

    def add(check: Check) -> None:
        report.add(check)
        if progress is not None:
            progress(check)

    checks, found = await handshake_checks(target)
    for check in checks:
        add(check)
    accepted = set(found.accepted)
    wanted = list(VERSIONS if versions is None else versions)
    checkers = []
    for version in wanted:
        label = format_version(version)
        if version not in accepted:
            reason = ("not offered: withdrawn, never negotiated" if version not in SERVER_VERSIONS
                      else "not offered by the server")
            add(Check(label, "negotiation", "skip", reason))
            continue
        ck = Checker(target, version)
        checkers.append(ck)
        logins = await login_checks(ck)
        for check in logins:
            add(check)
        ck.logged_in = logins[0].outcome != "fail"
        if not ck.logged_in:
            add(Check(label, "the other checks", "skip", "they need a connection that logs in "
                      "(see the authentication check above: check --user/--password or --auth)"))
            continue
        for group in (state_checks, streaming_checks):
            for check in await group(ck):
                add(check)
        for check in await value_checks_for(target, version):
            add(check)
        add(metadata_check(ck))
    # Last, what may spoil the rest: failed logins (a server may lock the account), and odd
    # chunking and a large request (a server may not survive them).
    for ck in checkers:
        add(await wrong_password_check(ck))
    for ck in checkers:
        if ck.logged_in:
            for check in await framing_checks(ck):
                add(check)
    return report
