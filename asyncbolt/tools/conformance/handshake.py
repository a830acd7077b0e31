"""The handshake: which versions the server takes (each alone, in a legacy proposal), the first
slot it speaks winning, ranges (4.3+), the manifest (5.7+: its offers, capabilities, and the
client's choice), a proposal of nothing it speaks (``00 00 00 00``, then close) and a wrong
magic (close without an answer). Versions, features and constants all come from the spec
(:mod:`asyncbolt._generated.versions`)."""

from __future__ import annotations

import asyncio

from asyncbolt._generated.versions import (
    MAGIC,
    MANIFEST_ONLY,
    MANIFEST_V1,
    NO_VERSION,
    SERVER_VERSIONS,
    VERSIONS,
    has,
)
from asyncbolt.core.handshake_wire import Proposal, encode_version, format_version
from asyncbolt.tools.conformance.checking import Checker, fail, skip
from asyncbolt.tools.conformance.report import Check
from asyncbolt.tools.conformance.target import Target, login

__all__ = ["handshake_checks", "Discovery"]

Version = tuple[int, int]
#: The first major version the spec does not have: proposals no server may take.
FUTURE = VERSIONS[-1][0] + 1


class Discovery:
    """What the handshake found: versions taken by a legacy proposal, and offered by the manifest."""

    def __init__(self) -> None:
        self.legacy: list[Version] = []
        self.offered: list[Version] = []
        self.manifest = False

    @property
    def accepted(self) -> list[Version]:
        """Every version the server negotiates (legacy or manifest), oldest first."""
        return sorted(set(self.legacy) | set(self.offered))


def _slots(*proposals: bytes) -> bytes:
    return b"".join(proposals) + bytes(16 - 4 * len(proposals))


def _name(answer_head: bytes | None) -> str:
    if answer_head is None:
        return "nothing (closed)"
    if answer_head == NO_VERSION:
        return "00 00 00 00"
    return f"{answer_head.hex(' ')} ({answer_head[3]}.{answer_head[2]})"


async def legacy(ck: Checker, found: Discovery) -> str:
    """Each version of the spec proposed alone. Goes through them all whatever a server does
    (what it takes is needed by every later check); fails at the end with the first deviation."""
    refused, wrong = [], []
    first_wrong = None
    for version in VERSIONS:
        probe = await ck.target.connect()
        name = format_version(version)
        problem = None
        try:
            answer = await probe.opening(_slots(encode_version(version)))
            head = None if answer is None else answer.head
            if version not in SERVER_VERSIONS and head != NO_VERSION:  # withdrawn: never chosen
                problem = (f"{name} is withdrawn (never negotiated): proposed alone, it should be "
                           f"answered 00 00 00 00, got {_name(head)}")
            elif head == encode_version(version):
                found.legacy.append(version)
                continue
            elif head != NO_VERSION:
                problem = f"{name} proposed alone should be answered with it or 00 00 00 00, got {_name(head)}"
            else:
                refused.append(name)
                data = await probe.read_raw_until_eof()
                if data:
                    problem = f"after refusing {name} (00 00 00 00) the server should close, it sent {data.hex(' ')}"
        except asyncio.TimeoutError:
            problem = f"{name} proposed alone: no answer, or no close after 00 00 00 00, within {ck.target.timeout:g}s"
        finally:
            if problem is not None:
                wrong.append(problem)
                if first_wrong is None:
                    first_wrong = probe
                    ck.watch(probe)
                    ck._last = (probe, (0, 0))
            if probe is not first_wrong:
                probe.close()
    taken = " ".join(format_version(v) for v in found.legacy) or "none"
    summary = f"takes {taken}; refuses {' '.join(refused) or 'none'}"
    if wrong:
        more = f" (and {len(wrong) - 1} more like it)" if len(wrong) > 1 else ""
        fail(f"{wrong[0]}{more}; {summary}")
    return summary


async def first_slot(ck: Checker, found: Discovery) -> str:
    if len(found.legacy) < 2:
        skip("needs two versions the server takes by a legacy proposal")
    low, high = found.legacy[0], found.legacy[-1]
    probe = ck.watch(await ck.target.connect())
    answer = await probe.opening(_slots(encode_version((FUTURE, 0)), encode_version(low),
                                        encode_version(high)))
    head = None if answer is None else answer.head
    if head != encode_version(low):
        fail(f"proposed {FUTURE}.0 (unknown), {format_version(low)}, {format_version(high)}: the first "
             f"slot it speaks ({format_version(low)}) should win, got {_name(head)}")
    return f"{format_version(low)} before {format_version(high)}"


async def ranges(ck: Checker, found: Discovery) -> str:
    ranged = [v for v in found.legacy if has("handshake_ranges", v)]
    if not ranged:
        skip("the server takes no version with ranges (4.3+) by a legacy proposal")
    major = ranged[-1][0]
    top = max(m for M, m in VERSIONS if M == major) + 1  # a minor the spec does not have yet
    want = max(v for v in found.legacy if v[0] == major)
    probe = ck.watch(await ck.target.connect())
    proposal = Proposal(major, top, top).to_bytes()
    answer = await probe.opening(_slots(proposal))
    head = None if answer is None else answer.head
    if head != encode_version(want):
        fail(f"proposed the range {major}.{top}-{major}.0: the highest version it takes in it "
             f"({format_version(want)}) should win, got {_name(head)}")
    return f"{major}.{top}-{major}.0 -> {format_version(want)}"


async def manifest(ck: Checker, found: Discovery) -> str:
    probe = ck.watch(await ck.target.connect())
    fallback = [encode_version(found.legacy[-1])] if found.legacy else []
    answer = await probe.opening(_slots(MANIFEST_V1, *fallback))
    if answer is None:
        fail("proposed the manifest v1 (00 00 01 FF): the server closed without an answer")
    if answer.kind != "manifest":
        if answer.version in SERVER_VERSIONS and answer.version not in found.legacy:
            found.legacy.append(answer.version)
            found.legacy.sort()
        if any(v in MANIFEST_ONLY for v in found.legacy):
            fail(f"the server takes {' '.join(format_version(v) for v in sorted(MANIFEST_ONLY))}, "
                 f"which clients reach through the manifest, but answered 00 00 01 FF with {_name(answer.head)}")
        skip(f"not answered (the server chose {_name(answer.head)}; the manifest is optional below "
             f"{format_version(min(MANIFEST_ONLY))})")
    if answer.manifest is None:
        fail(f"proposed manifest v1, the server answered another manifest version: {answer.head.hex(' ')}")
    offered = sorted(answer.manifest.versions())
    wrong = [v for v in offered if v not in SERVER_VERSIONS]
    if wrong:
        fail(f"the manifest offers {' '.join(format_version(v) for v in wrong)}, which no server "
             "may negotiate (not in the spec, or withdrawn)")
    if not offered:
        fail("the manifest offers no version")
    found.manifest, found.offered = True, offered
    choice = offered[-1]
    await probe.choose(choice)
    requests = login(ck.target, choice)
    answers = await ck.ask(probe, *requests)
    for request, got in zip(requests, answers, strict=True):
        if got.kind != "SUCCESS":
            fail(f"after choosing {format_version(choice)} from the manifest, {request.name} should be "
                 f"answered SUCCESS, got {got}")
    offers = " ".join(str(o) for o in answer.manifest.offers)
    return (f"offers {offers}, capabilities {answer.manifest.capabilities:#x}; "
            f"chose {format_version(choice)}")


async def manifest_bad_choice(ck: Checker, found: Discovery) -> str:
    if not found.manifest:
        skip("the server does not answer the manifest")
    probe = ck.watch(await ck.target.connect())
    answer = await probe.opening(_slots(MANIFEST_V1))
    if answer is None or answer.manifest is None:
        fail(f"proposed manifest v1 again, got {_name(None if answer is None else answer.head)}")
    choice = bytes([0, 0, 0, FUTURE])
    await probe.send_raw(choice + b"\x00")
    try:
        data = await probe.read_raw_until_eof()
    except asyncio.TimeoutError:
        fail(f"after choosing {FUTURE}.0, which the manifest did not offer, the connection should "
             f"close; it stayed open {ck.target.timeout:g}s")
    if data:
        fail(f"after choosing {FUTURE}.0, which the manifest did not offer, the server should close "
             f"without an answer, it sent {data.hex(' ')}")
    return ""


async def nothing(ck: Checker) -> str:
    probe = ck.watch(await ck.target.connect())
    answer = await probe.opening(_slots(*(encode_version((FUTURE + i, 0)) for i in range(4))))
    head = None if answer is None else answer.head
    if head != NO_VERSION:
        fail(f"proposed {FUTURE}.0-{FUTURE + 3}.0 (none in the spec): should be answered 00 00 00 00, "
             f"got {_name(head)}")
    await ck.closes(probe, "after 00 00 00 00")
    return ""


async def wrong_magic(ck: Checker, found: Discovery) -> str:
    probe = ck.watch(await ck.target.connect())
    magic = MAGIC[:3] + bytes([MAGIC[3] ^ 1])
    await probe.send_raw(magic + _slots(encode_version(found.accepted[-1] if found.accepted else VERSIONS[0])))
    try:
        data = await probe.read_raw_until_eof()
    except asyncio.TimeoutError:
        fail(f"after a wrong magic ({magic.hex(' ')}) the connection should close; it stayed open "
             f"{ck.target.timeout:g}s")
    if data:
        fail(f"after a wrong magic ({magic.hex(' ')}) the server should close without an answer")
    return ""


async def handshake_checks(target: Target) -> tuple[list[Check], Discovery]:
    """The handshake's checks, and the versions the server negotiates."""
    ck = Checker(target, None)
    found = Discovery()
    checks = [await ck.run("legacy proposals: each version alone -> that version or 00 00 00 00, then closed",
                           lambda: legacy(ck, found))]
    checks.append(await ck.run("legacy proposals: the first slot the server speaks wins",
                               lambda: first_slot(ck, found)))
    checks.append(await ck.run("ranges (4.3+): the highest version in the range wins", lambda: ranges(ck, found)))
    if any(has("manifest", v) for v in found.legacy) or not found.legacy:
        checks.append(await ck.run("manifest v1 (5.7+): offers, capabilities, the client's choice",
                                   lambda: manifest(ck, found)))
        checks.append(await ck.run("manifest v1: a choice the server did not offer -> closed without an answer",
                                   lambda: manifest_bad_choice(ck, found)))
    checks.append(await ck.run("no version in common -> 00 00 00 00, then closed", lambda: nothing(ck)))
    checks.append(await ck.run("a wrong magic -> closed without an answer", lambda: wrong_magic(ck, found)))
    return checks, found
