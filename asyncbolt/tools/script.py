"""``asyncbolt script RECORDING``: turn a recorded connection into a stub script.

    asyncbolt proxy --listen 127.0.0.1:7688 --upstream bolt://127.0.0.1:7687 --record rec/
    ... run the code under test against bolt://127.0.0.1:7688 ...
    asyncbolt script rec/1-client.bin > conversation.script

The script is written in the language of testkit's stub server (``boltstub``, and
``asyncbolt stub``): ``!: BOLT x.y`` from the handshake, then every message of the connection
in order, each request (``C:``) followed by the server's answers to it (``S:``, up to and with
its summary), so that a client that waits for each answer and one that pipelines both play it.
Values keep their PackStream types in the script's JOLT notation (``{"Z": "..."}`` for integers
beyond 32 bits, ``{"R": "1.5"}`` floats, ``{"#": "0A0B"}`` bytes, ``{"T": "..."}`` temporal
values, ``{"@": "SRID=...;POINT(...)"}`` points, ``{"()": [...]}`` nodes, ``{"->": [...]}``
relationships, ``{"..": [...]}`` paths).

What would differ between the recording and a replay is wildcarded (``"*"``) in the client's
lines (the stub accepts any value there):

- ``user_agent`` and ``bolt_agent`` (HELLO, INIT): driver and platform versions;
- every secret (``credentials`` in HELLO, INIT and LOGON): the script never holds a secret;
- the ``address`` of a routing context (HELLO, ROUTE): the address the client dialled;
- ``bookmarks`` (RUN, BEGIN, ROUTE): they name transactions of the recorded database.

Everything else is kept as recorded: the query, its parameters, ``db``, ``mode``,
``tx_timeout``, ``tx_metadata``, ``imp_user``, the auth scheme and principal. The server's lines
are sent as recorded (the stub allows no wildcard there), so ``t_first``, ``t_last``,
``server``, ``connection_id`` and bookmarks replay exactly. A final GOODBYE is optional
(``?: GOODBYE``): drivers send it only when they close a connection themselves.

Values the script language cannot write (vectors, UUIDs, structures of unknown tags, negative
durations, dates beyond year 9999, points with non-finite coordinates) and damaged recordings
are an error that names the message and the value.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import os
import re
import sys
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TextIO

from asyncbolt._generated.versions import SECRET_KEYS, has
from asyncbolt.core.handshake import format_version
from asyncbolt.core.states import SUMMARIES
from asyncbolt.errors import RecordingError
from asyncbolt.tools.dump import CLIENT, SERVER, Conversation, Event

__all__ = ["RecordingError", "WILDCARD", "recording_files", "script_from_streams", "script_from_recording",
           "to_jolt", "main"]

Version = tuple[int, int]


class _Wildcard:
    def __repr__(self) -> str:
        return "WILDCARD"


#: Stands for a value a client line accepts whatever it is (written ``"*"``).
WILDCARD: Any = _Wildcard()

#: JOLT sigils: a one-key map with such a key must be written ``{"{}": {...}}``.
_SIGILS = frozenset({"?", "Z", "R", "U", "#", "{}", "[]", "T", "@", "()", "->", "<-", ".."})
_VERSIONED_SIGIL = re.compile(r"^(.+)(v\d+)$")
_EPOCH = _dt.datetime(1970, 1, 1)
_NO_REPLY = frozenset({"GOODBYE"})
_INT32 = range(-0x80000000, 0x80000000)


# -- values -------------------------------------------------------------------------------------

def _escape_string(value: str) -> str:
    """A string as a client line matches it literally: ``\\`` and ``*`` escaped."""
    return value.replace("\\", "\\\\").replace("*", "\\*")


def _escape_key(key: str) -> str:
    """A map key as a client line matches it literally: ``\\``, ``[``, ``]``, ``{``, ``}`` escaped."""
    return re.sub(r"([\\\[\]{}])", r"\\\1", key)


def _float(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Infinity" if value > 0 else "-Infinity"
    return repr(value)


def _coordinate(value: float, what: str) -> str:
    """A point coordinate as the script's POINT(...) pattern takes it: digits, no exponent."""
    if not math.isfinite(value):
        raise RecordingError(f"{what}: a point coordinate of {value!r} has no form in the script language")
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = format(Decimal(value), "f")
        if "." not in text:
            text += ".0"
    return text


def _fraction(nanoseconds: int) -> str:
    return "" if not nanoseconds else "." + f"{nanoseconds:09d}".rstrip("0")


def _clock(nanoseconds: int) -> str:
    seconds, ns = divmod(nanoseconds, 1_000_000_000)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{_fraction(ns)}"


def _offset(seconds: int, what: str) -> str:
    minutes, rest = divmod(abs(seconds), 60)
    if rest:
        raise RecordingError(f"{what}: a UTC offset of {seconds} s (not whole minutes) has no form in the "
                          "script language")
    return f"{'-' if seconds < 0 else '+'}{minutes // 60:02d}{minutes % 60:02d}"


def _wall(seconds: int, nanoseconds: int, what: str) -> str:
    """Local wall-clock seconds (and nanoseconds) since the epoch as ``YYYY-MM-DDTHH:MM:SS.f``."""
    extra, ns = divmod(nanoseconds, 1_000_000_000)
    try:
        moment = _EPOCH + _dt.timedelta(seconds=seconds + extra)
    except OverflowError:
        raise RecordingError(f"{what}: a date beyond years 1-9999 has no form in the script language") from None
    # Always nine decimals: boltstub reads a local date-time only with a fraction.
    return f"{moment.date().isoformat()}T{moment.strftime('%H:%M:%S')}.{ns:09d}"


def _zone_offset(tz_id: str, seconds: int, utc: bool, what: str) -> int:
    """The UTC offset of zone ``tz_id`` at ``seconds`` (UTC seconds, or local wall seconds)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        zone = ZoneInfo(tz_id)
    except (ZoneInfoNotFoundError, ValueError):
        raise RecordingError(f"{what}: unknown time zone {tz_id!r}") from None
    try:
        if utc:
            moment = (_EPOCH + _dt.timedelta(seconds=seconds)).replace(tzinfo=_dt.timezone.utc)
            offset = moment.astimezone(zone).utcoffset()
        else:
            offset = (_EPOCH + _dt.timedelta(seconds=seconds)).replace(tzinfo=zone).utcoffset()
    except OverflowError:
        raise RecordingError(f"{what}: a date beyond years 1-9999 has no form in the script language") from None
    assert offset is not None
    return int(offset.total_seconds())


def _temporal(value: Any, what: str) -> str | None:
    """The JOLT ``T`` text of a temporal structure, or None for another value."""
    name = type(value).__name__
    if name == "Date":
        try:
            return (_dt.date(1970, 1, 1) + _dt.timedelta(days=value.days)).isoformat()
        except OverflowError:
            raise RecordingError(f"{what}: a date beyond years 1-9999 has no form in the script language") from None
    if name == "LocalTime":
        return _clock(value.nanoseconds)
    if name == "Time":
        return _clock(value.nanoseconds) + _offset(value.tz_offset_seconds, what)
    if name == "LocalDateTime":
        return _wall(value.seconds, value.nanoseconds, what)
    if name in ("DateTime", "LegacyDateTime"):
        local = value.seconds + (value.tz_offset_seconds if name == "DateTime" else 0)
        return _wall(local, value.nanoseconds, what) + _offset(value.tz_offset_seconds, what)
    if name in ("DateTimeZoneId", "LegacyDateTimeZoneId"):
        utc = name == "DateTimeZoneId"
        offset = _zone_offset(value.tz_id, value.seconds, utc, what)
        local = value.seconds + (offset if utc else 0)
        return f"{_wall(local, value.nanoseconds, what)}{_offset(offset, what)}[{value.tz_id}]"
    if name == "Duration":
        months, days, seconds, ns = value.months, value.days, value.seconds, value.nanoseconds
        seconds, ns = seconds + ns // 1_000_000_000, ns % 1_000_000_000
        if min(months, days, seconds) < 0:
            raise RecordingError(f"{what}: a negative duration has no form in the script language")
        return f"P{months}M{days}DT{seconds}{_fraction(ns)}S"
    return None


def _node(node: Any, version: Version, convert: Any) -> list:
    out = [node.id, list(node.labels), convert(node.properties)]
    if has("element_ids", version):
        out.append(node.element_id)
    return out


def _relationship(rel: Any, start: tuple, end: tuple, version: Version, convert: Any) -> list:
    """``[id, start id, type, end id, properties(, element ids)]``; ``start``, ``end``: the
    (id, element id) of the end nodes."""
    out = [rel.id, start[0], rel.type, end[0], convert(rel.properties)]
    if has("element_ids", version):
        out += [rel.element_id, start[1], end[1]]
    return out


def _ends(node: Any) -> tuple:
    return node.id, getattr(node, "element_id", None)


def to_jolt(value: Any, version: Version, *, client: bool, what: str = "value") -> Any:
    """``value`` (as asyncbolt decodes it for Bolt ``version``) in the script's JOLT notation,
    as a JSON-able object. ``client``: for a client line (strings and map keys escaped so that
    they match literally; :data:`WILDCARD` becomes ``"*"``)."""

    def convert(v: Any) -> Any:
        if v is WILDCARD:
            if not client:
                raise RecordingError(f"{what}: a server line cannot hold a wildcard")
            return "*"
        if v is None or isinstance(v, bool):
            return v
        if isinstance(v, int):
            return v if v in _INT32 else {"Z": str(v)}
        if isinstance(v, float):
            return {"R": _float(v)}
        if isinstance(v, str):
            return _escape_string(v) if client else v
        if isinstance(v, (bytes, bytearray)):
            return {"#": bytes(v).hex().upper()}
        if isinstance(v, (list, tuple)):
            return [convert(x) for x in v]
        if isinstance(v, dict):
            out = {}
            for k, x in v.items():
                out[_escape_key(k) if client else k] = convert(x)
            if len(out) == 1:
                (key,) = out
                if key in _SIGILS or _VERSIONED_SIGIL.match(key):
                    return {"{}": out}
            return out
        name = type(v).__name__
        text = _temporal(v, what)
        if text is not None:
            # The UTC date-times of the utc patch (4.3/4.4) are PackStream v2's: say so.
            utc = name in ("DateTime", "DateTimeZoneId") and not has("utc_datetime", version)
            return {"Tv2" if utc else "T": text}
        if name in ("Point2D", "Point3D"):
            coords = [v.x, v.y] + ([v.z] if name == "Point3D" else [])
            return {"@": f"SRID={v.srid};POINT({' '.join(_coordinate(c, what) for c in coords)})"}
        if name == "Node":
            return {"()": _node(v, version, convert)}
        if name == "Relationship":
            start = (v.start_node_id, getattr(v, "start_node_element_id", None))
            end = (v.end_node_id, getattr(v, "end_node_element_id", None))
            return {"->": _relationship(v, start, end, version, convert)}
        if name == "Path":
            return {"..": _path(v, version, convert, what)}
        raise RecordingError(f"{what}: {name} {v!r:.80} has no form in the script language")

    return convert(value)


def _path(path: Any, version: Version, convert: Any, what: str) -> list:
    nodes, rels, indices = path.nodes, path.relationships, path.indices
    if not nodes or len(indices) % 2:
        raise RecordingError(f"{what}: a malformed path has no form in the script language")
    out = [{"()": _node(nodes[0], version, convert)}]
    last = nodes[0]
    for i in range(0, len(indices), 2):
        r, n = indices[i], indices[i + 1]
        if not (0 < abs(r) <= len(rels) and 0 <= n < len(nodes)):
            raise RecordingError(f"{what}: a path index out of range has no form in the script language")
        following = nodes[n]
        start, end = (last, following) if r > 0 else (following, last)
        out.append({"->": _relationship(rels[abs(r) - 1], _ends(start), _ends(end), version, convert)})
        out.append({"()": _node(following, version, convert)})
        last = following
    return out


# -- wildcards ----------------------------------------------------------------------------------

def _wild_keys(extra: Any, keys: Iterable[str]) -> Any:
    if not isinstance(extra, dict):
        return extra
    return {k: (WILDCARD if k in keys else v) for k, v in extra.items()}


def _wild_routing(routing: Any) -> Any:
    if not isinstance(routing, dict) or "address" not in routing:
        return routing
    return {**routing, "address": WILDCARD}


def _wildcarded(name: str, fields: list[str], values: list[Any]) -> list[Any]:
    """A client message's field values with the volatile and secret ones made wildcards."""
    out = []
    for field, value in zip(fields, values, strict=True):
        if name == "HELLO" and field == "extra" and isinstance(value, dict):
            value = _wild_keys(value, {"user_agent", "bolt_agent", *SECRET_KEYS})
            if "routing" in value:
                value["routing"] = _wild_routing(value["routing"])
        elif name == "INIT" and field == "user_agent":
            value = WILDCARD
        elif field in ("auth_token", "auth"):
            value = _wild_keys(value, SECRET_KEYS)
        elif name in ("RUN", "BEGIN") and field == "extra":
            value = _wild_keys(value, {"bookmarks"})
        elif name == "ROUTE" and field == "routing":
            value = _wild_routing(value)
        elif name == "ROUTE" and field == "bookmarks":
            value = WILDCARD
        out.append(value)
    return out


# -- the conversation ---------------------------------------------------------------------------

def recording_files(path: str | os.PathLike) -> tuple[str, str]:
    """The (client, server) stream files of a recording: ``DIR/<id>-client.bin`` or
    ``DIR/<id>-server.bin`` (either names both), or ``DIR/<id>``."""
    text = os.fspath(path)
    m = re.fullmatch(r"(.*)-(?:client|server)\.bin", text)
    stem = m.group(1) if m else text
    files = (f"{stem}-client.bin", f"{stem}-server.bin")
    missing = [f for f in files if not os.path.isfile(f)]
    if missing:
        raise RecordingError(f"no recording at {text}: {', '.join(missing)} not found "
                          "(asyncbolt proxy --record DIR writes DIR/<id>-client.bin and DIR/<id>-server.bin)")
    return files


def _line(mark: str, event: Event, values: list[Any], version: Version) -> str:
    client = event.side == CLIENT
    parts = [f"{mark}: {event.name}"]
    for i, value in enumerate(values):
        what = f"{event.side} {event.name} at offset {event.offset}, field {i + 1}"
        parts.append(json.dumps(to_jolt(value, version, client=client, what=what), ensure_ascii=False))
    return " ".join(parts)


def script_from_streams(client: bytes, server: bytes, *, source: str = "") -> str:
    """The stub script of one connection, from its client and server byte streams."""
    conv = Conversation()
    events = conv.feed(CLIENT, client) + conv.feed(SERVER, server) + conv.close()
    problems = conv.problems
    if problems:
        shown = "; ".join(f"{p.side or 'dump'} {p}" for p in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise RecordingError(f"the recording has problems ({shown}{more}); asyncbolt inspect shows them all")
    version = conv.version
    if version is None:
        raise RecordingError("the recording holds no complete handshake: no Bolt version to script")
    requests = [e for e in events if e.kind == "message" and e.side == CLIENT]
    answers = [e for e in events if e.kind == "message" and e.side == SERVER]
    lines = []
    head = [f"# A connection recorded by asyncbolt proxy{' (' + source + ')' if source else ''}, scripted "
            "by asyncbolt script.",
            "# Wildcards (*): user_agent, bolt_agent, credentials, routing address, bookmarks.",
            f"!: BOLT {_bolt_text(version)}", ""]
    pending = list(reversed(answers))
    for i, request in enumerate(requests):
        if request.name in _NO_REPLY and i == len(requests) - 1 and not pending:
            lines.append(f"?: {request.name}")
            continue
        values = _wildcarded(request.name, _field_names(request), list(request.fields))
        lines.append(_line("C", request, values, version))
        if request.name in _NO_REPLY:
            continue
        while pending:
            answer = pending.pop()
            lines.append(_line("S", answer, list(answer.fields), version))
            if answer.name in SUMMARIES:
                break
    while pending:  # the server spoke last, unasked (e.g. a FAILURE before it closed)
        answer = pending.pop()
        lines.append(_line("S", answer, list(answer.fields), version))
    return "\n".join(head + lines) + "\n"


def _bolt_text(version: Version) -> str:
    """The version as ``!: BOLT`` takes it: 1, 2 and 3 by their major alone (boltstub reads
    "3.0" as Neo4j 3.0, which spoke Bolt 1)."""
    return format_version(version) if has("handshake_minor", version) else str(version[0])


def _field_names(event: Event) -> list[str]:
    from asyncbolt.tools.dump import _layout

    assert event.version is not None and event.message is not None
    return list(_layout(event.version, type(event.message)))


def script_from_recording(path: str | os.PathLike) -> str:
    """The stub script of a recorded connection (see :func:`recording_files`)."""
    client_file, server_file = recording_files(path)
    with open(client_file, "rb") as f:
        client = f.read()
    with open(server_file, "rb") as f:
        server = f.read()
    return script_from_streams(client, server, source=os.path.basename(os.path.commonprefix(
        [client_file, server_file])).rstrip("-"))


# -- command line -------------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asyncbolt script",
        description="Turn a connection recorded by 'asyncbolt proxy --record DIR' into a stub script "
                    "(testkit boltstub's language; 'asyncbolt stub' plays it).")
    parser.add_argument("recording", help="DIR/<id>-client.bin, DIR/<id>-server.bin or DIR/<id>")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the script here (default: stdout)")
    return parser


def main(argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    args = _parser().parse_args(argv)
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        text = script_from_recording(args.recording)
    except (RecordingError, OSError) as exc:
        print(f"asyncbolt script: {exc}", file=err)
        return 1
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as exc:
            print(f"asyncbolt script: cannot write {args.output}: {exc}", file=err)
            return 1
    else:
        out.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
