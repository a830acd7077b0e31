"""The outcome of each conformance check, and the report made of them (text or JSON).

A check names the version it ran on (``"handshake"`` for checks made before a version is
agreed), says what it checked, passed, failed or was skipped, and on failure carries what was
expected against what came, with the exact bytes sent and received while it ran.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal, TextIO

__all__ = ["Check", "Outcome", "Report", "check_text", "hex_bytes"]

Outcome = Literal["pass", "fail", "skip"]
OUTCOMES: tuple[Outcome, ...] = ("pass", "fail", "skip")
#: Bytes shown per direction of a failed check in the text report (JSON keeps them all).
SHOWN_BYTES = 512


def hex_bytes(data: bytes, limit: int | None = None) -> str:
    """``data`` as spaced hex pairs; past ``limit`` bytes, cut with a count of the rest."""
    if limit is not None and len(data) > limit:
        return f"{data[:limit].hex(' ')} ... ({len(data) - limit} more bytes)"
    return data.hex(" ")


@dataclass(frozen=True)
class Check:
    """One check: ``version`` (``"4.4"``, or ``"handshake"``), ``name`` (what was checked),
    ``outcome``, ``detail`` (for a failure: what the spec expects and what came; for a skip:
    why), and the bytes ``sent`` and ``received`` while it ran."""

    version: str
    name: str
    outcome: Outcome
    detail: str = ""
    sent: bytes = b""
    received: bytes = b""

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"a check's outcome is one of {OUTCOMES}, not {self.outcome!r}")

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "name": self.name, "outcome": self.outcome,
                "detail": self.detail, "sent": self.sent.hex(), "received": self.received.hex()}


@dataclass
class Report:
    """Every check made against ``target``, in the order they ran."""

    target: str
    checks: list[Check] = field(default_factory=list)

    def add(self, check: Check) -> Check:
        self.checks.append(check)
        return check

    def versions(self) -> list[str]:
        """The versions checked, in the order first seen."""
        return list(dict.fromkeys(c.version for c in self.checks))

    def summary(self) -> dict[str, dict[str, int]]:
        """``{version: {"pass": n, "fail": n, "skip": n}}``."""
        counts: dict[str, Counter[str]] = {v: Counter() for v in self.versions()}
        for check in self.checks:
            counts[check.version][check.outcome] += 1
        return {v: {o: c[o] for o in OUTCOMES} for v, c in counts.items()}

    @property
    def passed(self) -> bool:
        """True when no check failed (skips do not fail a report)."""
        return all(c.outcome != "fail" for c in self.checks)

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "passed": self.passed, "summary": self.summary(),
                "checks": [c.to_json() for c in self.checks]}

    def write_json(self, out: TextIO) -> None:
        json.dump(self.to_json(), out, indent=2)
        out.write("\n")

    def write_text(self, out: TextIO, *, show_skips: bool = True, show_passes: bool = True) -> None:
        """One line per check (``PASS``/``FAIL``/``SKIP``, version, name, detail); under a
        failure the bytes sent and received; then a summary line per version."""
        for check in self.checks:
            if (check.outcome == "skip" and not show_skips) or (check.outcome == "pass" and not show_passes):
                continue
            out.write(check_text(check))
        self.write_summary(out)

    def write_summary(self, out: TextIO) -> None:
        """The target, then per version: passed, failed, skipped."""
        out.write(f"\n{self.target}\n")
        for version, counts in self.summary().items():
            verdict = "ok" if not counts["fail"] else "FAILED"
            out.write(f"  {version:>9}: {counts['pass']} passed, {counts['fail']} failed, "
                      f"{counts['skip']} skipped  {verdict}\n")


def check_text(check: Check) -> str:
    """A check's line of the text report (and for a failure, the bytes under it)."""
    line = f"{check.outcome.upper():4} {check.version:>9}  {check.name}"
    if check.detail:
        line += f": {check.detail}"
    text = line + "\n"
    if check.outcome == "fail":
        text += f"{'':16}sent:     {hex_bytes(check.sent, SHOWN_BYTES) or '(nothing)'}\n"
        text += f"{'':16}received: {hex_bytes(check.received, SHOWN_BYTES) or '(nothing)'}\n"
    return text
