"""What every check module uses: running one check (its outcome, and on failure the exact
bytes of the connection it failed on), and asking a server things over a :class:`Probe`.

A check is a coroutine that returns a detail for its line (or ``""``) when the server did what
the spec says; it raises :func:`fail` when not and :func:`skip` when it cannot run here.
Connections it opens through :class:`Checker` are closed when it ends, whatever happened.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple, NoReturn

from asyncbolt._generated.codec import check_response_maps
from asyncbolt._generated.messages import Pull, PullAll, Record, Run
from asyncbolt._generated.versions import has, key_holds
from asyncbolt.core.handshake_wire import format_version
from asyncbolt.errors import ProtocolError, _CheckFailed, _CheckSkipped
from asyncbolt.tools.conformance.probe import Probe
from asyncbolt.tools.conformance.report import Check, Outcome
from asyncbolt.tools.conformance.target import Target, authenticate, negotiate, open_ready

__all__ = ["Reply", "Checker", "fail", "skip", "describe"]

Version = tuple[int, int]
#: A check may take this many ``--timeout`` periods in all (each wait is bounded by one).
CHECK_TIMEOUTS = 12


def fail(detail: str) -> NoReturn:
    """End the running check as failed: ``detail`` says what the spec expects and what came."""
    raise _CheckFailed(detail)


def skip(reason: str) -> NoReturn:
    """End the running check as skipped, saying why it cannot run against this server."""
    raise _CheckSkipped(reason)


class Reply(NamedTuple):
    """A server's answer to one request: ``kind`` SUCCESS, FAILURE or IGNORED, the summary's
    metadata, and the RECORDs' values before it."""

    kind: str
    metadata: dict[str, Any]
    rows: list[list[Any]]

    def __str__(self) -> str:
        rows = f"{len(self.rows)} RECORD, " if self.rows else ""
        meta = f" {describe(self.metadata)}" if self.metadata else ""
        return f"{rows}{self.kind}{meta}"


def describe(metadata: dict[str, Any], limit: int = 160) -> str:
    text = repr(metadata)
    return text if len(text) <= limit else text[:limit] + "...}"


class Checker:
    """Runs the checks of one Bolt version (``label`` ``"4.4"``) against ``target``, and keeps
    what the answers told (each SUCCESS/FAILURE's metadata, for the type checks)."""

    def __init__(self, target: Target, version: Version | None, label: str | None = None) -> None:
        self.target = target
        self.version = version
        self.label = label or (format_version(version) if version else "handshake")
        #: (request name, answer kind, metadata, the answer's payload bytes) of every summary seen.
        self.summaries: list[tuple[str, str, dict[str, Any], bytes]] = []
        self.rows_ok: bool | None = None  # whether the rows query runs (None: not tried yet)
        self.logged_in = False  # whether the version's login check passed
        self._rows_refusal = ""
        self._probes: list[Probe] = []
        self._last: tuple[Probe, tuple[int, int]] | None = None

    @property
    def v(self) -> Version:
        assert self.version is not None  # (only the handshake checker has no version)
        return self.version

    def has(self, feature: str) -> bool:
        return has(feature, self.v)

    # -- running a check ------------------------------------------------------------------

    async def run(self, name: str, check: Callable[[], Awaitable[str | None]]) -> Check:
        """Run one check; its line. Connections it opened are closed after it."""
        self._probes, self._last = [], None
        outcome: Outcome = "pass"
        detail = ""
        limit = self.target.timeout * CHECK_TIMEOUTS
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            try:
                said = await asyncio.wait_for(_coroutine(check), limit)
                detail = said or ""
            except asyncio.TimeoutError:
                if loop.time() - started < limit:
                    raise  # (one wait's timeout, inside the check)
                raise _CheckFailed(f"the check did not end within {limit:g}s (a server trickling "
                                   "its answers?)") from None
        except _CheckFailed as exc:
            outcome, detail = "fail", str(exc)
        except _CheckSkipped as exc:
            outcome, detail = "skip", str(exc)
        except asyncio.TimeoutError:
            outcome, detail = "fail", f"no answer within {self.target.timeout:g}s"
        except (EOFError, asyncio.IncompleteReadError, ConnectionError) as exc:
            outcome, detail = "fail", f"the server closed the connection unexpectedly ({exc or type(exc).__name__})"
        except ProtocolError as exc:
            outcome, detail = "fail", f"the server's bytes break the protocol: {exc}"
        except OSError as exc:
            outcome, detail = "fail", f"cannot reach {self.target.address}: {exc}"
        except Exception as exc:  # (whatever a server sends, the run goes on: said, not raised)
            outcome, detail = "fail", f"the check could not go on: {type(exc).__name__}: {exc}"
        sent = received = b""
        if outcome == "fail" and self._last is not None:
            probe, mark = self._last
            sent, received = probe.since(mark)
        for probe in self._probes:
            probe.close()
        self._probes = []
        return Check(self.label, name, outcome, detail, sent, received)

    def watch(self, probe: Probe) -> Probe:
        """Record ``probe``'s bytes from here on as the running check's (on failure: shown)."""
        if self._last is None or self._last[0] is not probe:
            self._last = (probe, probe.mark())
        if probe not in self._probes:
            self._probes.append(probe)
        return probe

    async def connected(self) -> Probe:
        """A new connection handshaken to this version (state CONNECTED)."""
        probe = self.watch(await self.target.connect())
        await negotiate(probe, self.v)
        self._last = (probe, probe.mark())
        return probe

    async def ready(self) -> Probe:
        """A new connection in state READY (on failure its handshake and login are shown)."""
        probe = self.watch(await self.target.connect())
        self._last = (probe, (0, 0))
        await negotiate(probe, self.v)
        await authenticate(probe, self.target, self.v)
        return probe

    # -- asking ---------------------------------------------------------------------------

    async def ask(self, probe: Probe, *requests: Any, raw: bytes | None = None) -> list[Reply]:
        """Send ``requests`` in one write (pipelined; ``raw``: these bytes instead, the
        requests then only name what to wait for) and read one answer per request.
        GOODBYE gets none."""
        self.watch(probe)
        if raw is not None:
            await probe.send_raw(raw)
        else:
            await probe.send(*requests)
        answers = []
        for request in requests:
            if request.name == "GOODBYE":
                continue
            answers.append(await self.answer(probe, request.name))
        return answers

    async def answer(self, probe: Probe, request: str) -> Reply:
        """The next answer (RECORDs and a summary) on ``probe``, to a request named ``request``."""
        rows: list[list[Any]] = []
        while True:
            payload = await probe.recv_payload()
            message = probe._codec.unpack_response(payload)
            if isinstance(message, Record):
                if request not in ("PULL", "PULL_ALL"):
                    fail(f"a RECORD answers {request}: only PULL/PULL_ALL are answered with records")
                rows.append(message.data)
                continue
            metadata = getattr(message, "metadata", None) or {}
            self.summaries.append((request, message.name, metadata, payload))
            return Reply(message.name, metadata, rows)

    async def expect(self, probe: Probe, request: Any, kind: str, context: str = "") -> Reply:
        """Send ``request``; its answer, which must be ``kind``."""
        answer, = await self.ask(probe, request)
        if answer.kind != kind:
            fail(f"{context}{request.name} should be answered {kind}, got {answer}")
        return answer

    async def closes(self, probe: Probe, after: str) -> None:
        """The server must close ``probe`` (within the timeout) and send nothing more."""
        self.watch(probe)
        try:
            if probe.codec is None:  # (refused in the handshake: no message to decode)
                data = await probe.read_raw_until_eof()
                extra = [data.hex(" ")] if data else []
            else:
                extra = [m.name for m in await probe.read_until_eof()]
        except asyncio.TimeoutError:
            fail(f"the connection should close {after}; it stayed open "
                 f"{self.target.timeout:g}s")
        if extra:
            fail(f"the connection should close {after} without another message; came "
                 + ", ".join(extra))

    # -- the rows query -------------------------------------------------------------------

    def run_rows(self, n: int, extra: dict[str, Any] | None = None, **more: Any) -> Run:
        """RUN of the rows query for rows 1..``n``."""
        if self.target.rows_query is None:
            skip("no rows query (--rows-query)")
        return Run(self.target.rows_query, {"n": n, **more}, {} if extra is None else extra)

    def pull_all(self, qid: int | None = None) -> Any:
        if not self.has("pull_n"):
            return PullAll()
        return Pull({"n": -1} if qid is None else {"n": -1, "qid": qid})

    async def need_rows(self) -> None:
        """Skip the running check unless the rows query runs (tried once per version)."""
        if self.target.rows_query is None:
            skip("no rows query (--rows-query)")
        if self.rows_ok is None:
            probe = self.watch(await open_ready(self.target, self.v))
            try:
                run, = await self.ask(probe, self.run_rows(1))
                self.rows_ok = run.kind == "SUCCESS"
                self._rows_refusal = str(run)
            finally:
                probe.close()
        if not self.rows_ok:
            skip(f"the server refuses the rows query {self.target.rows_query!r}: "
                 f"{self._rows_refusal} (give one returning integers 1..$n with --rows-query)")

    def check_rows(self, rows: list[list[Any]], first: int, last: int, what: str) -> None:
        want = [[i] for i in range(first, last + 1)]
        if rows != want:
            shown = rows if len(rows) <= 8 else [*rows[:8], "..."]
            fail(f"{what} should stream rows {first}..{last}, got {shown}")

    # -- metadata -------------------------------------------------------------------------

    def metadata_problems(self) -> list[tuple[str, bytes]]:
        """What is wrong with the well-known keys of every summary seen (spec types)."""
        from asyncbolt._generated.messages import Failure, Success

        problems = []
        for request, kind, metadata, payload in self.summaries:
            if kind == "IGNORED":
                continue
            message = Success(metadata) if kind == "SUCCESS" else Failure(metadata)
            problem = check_response_maps(message)
            if problem is None and kind == "FAILURE":
                code = "code" if key_holds("failure_metadata", "code", self.v) else "neo4j_code"
                missing = [k for k in ("message", code) if k not in metadata]
                if missing:
                    problem = f"FAILURE should carry {' and '.join(missing)} in Bolt {self.label}, got {describe(metadata)}"
            if problem is not None:
                problems.append((f"{problem} (in answer to {request})", payload))
        return problems


async def _coroutine(check: Callable[[], Awaitable[str | None]]) -> str | None:
    return await check()
