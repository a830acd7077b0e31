"""Results as pandas DataFrames: ``await result.to_pandas(expand=False, parse_dates=False)``
(alias ``to_df``), the frame the official driver's ``AsyncResult.to_df`` gives for the same
result, with asyncbolt's own values (:class:`Node`, :class:`Date`, ...) in the cells where the
official puts its graph and temporal objects.

The frame is built from the decoded records (the Record path, :func:`record_path_frame`): the
rows become one list per column, and :func:`frame_from_columns` turns the columns into the
frame — the one place a faster path (columns from ``to_arrow()``) can feed. pandas is imported
only when a frame is asked for (``pip install 'asyncbolt[pandas]'``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from asyncbolt._generated.structures import (
    Date,
    DateTime,
    DateTimeZoneId,
    Duration,
    LegacyDateTime,
    LegacyDateTimeZoneId,
    LocalDateTime,
    LocalTime,
    Node,
    Path,
    Point2D,
    Point3D,
    Relationship,
    Time,
)

if TYPE_CHECKING:
    import pandas

__all__ = ["FramesMixin", "record_path_frame", "frame_from_columns", "expanded_columns"]


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as exc:
        raise ImportError("Result.to_pandas()/to_df() needs pandas, which is not installed: "
                          "pip install 'asyncbolt[pandas]'") from exc
    return pandas


class FramesMixin:
    """``to_pandas``/``to_df`` of :class:`Result` (which defines ``values`` and ``_keys``)."""

    __slots__ = ()

    if TYPE_CHECKING:
        async def values(self, *keys: str) -> list[list]: ...

        async def _keys(self) -> list[str]: ...

    async def to_pandas(self, expand: bool = False, parse_dates: bool = False) -> pandas.DataFrame:
        """The remaining records as a ``pandas.DataFrame``, as the official driver's
        ``AsyncResult.to_df(expand, parse_dates)`` makes it: one column per key, in order (an
        empty result keeps the keys as columns, of dtype object).

        ``expand``: flatten nodes (``n().element_id``, ``n().labels``, ``n().prop.<name>``),
        relationships (``r->.element_id``, ``r->.start.element_id``, ``r->.end.element_id``,
        ``r->.type``, ``r->.prop.<name>``), lists (``l[].0``, ...), maps (``m{}.<key>``), and, as
        the official, durations (``d[].0`` to ``d[].3``: months, days, seconds, nanoseconds),
        points (``p[].0`` x, ``p[].1`` y, ``p[].2`` z) and byte strings (one int per byte) —
        recursively; paths and strings stay whole. Keys with ``.`` or ``\\`` are escaped with a
        backslash. ``parse_dates``: columns holding only :class:`Date`/:class:`LocalDateTime`/
        :class:`DateTime`/:class:`DateTimeZoneId` values and None become ``pandas.Timestamp``
        columns (nanoseconds kept; aware ones in their offset, as ``datetime.timezone``, or
        zone, as ``zoneinfo.ZoneInfo``).

        ImportError (naming the ``pandas`` extra) without pandas, before anything is read."""
        return await record_path_frame(self, expand, parse_dates)

    to_df = to_pandas


async def record_path_frame(result: Any, expand: bool = False, parse_dates: bool = False) -> pandas.DataFrame:
    """``result``'s remaining records as a DataFrame through the decoded records (what
    :meth:`FramesMixin.to_pandas` does; benchmarks compare the columnar path with it)."""
    pd = _pandas()
    rows = await result.values()
    keys = await result._keys()
    if expand:
        names, columns = expanded_columns(keys, rows)
        if not rows:
            # (the official escapes these two the other way round than keys with rows: kept)
            names = [k.replace(".", "\\.").replace("\\", "\\\\") for k in keys]
    else:
        names = keys
        # (itemgetter per column: zip(*rows) would make one iterator per row)
        columns = [list(map(itemgetter(i), rows)) for i in range(len(keys))]
    frame = frame_from_columns(names, columns, len(rows))
    if parse_dates:
        _parse_dates(pd, frame)
    return frame


def frame_from_columns(names: list[str], columns: list[list], length: int) -> pandas.DataFrame:
    """The DataFrame of ``columns`` (each ``length`` long) named ``names``, with the dtypes
    pandas infers for the same values given row by row (the official's construction). No rows:
    every column of dtype object; rows but no columns (``expand`` of empty lists and maps, where
    the official raises ValueError): ``length`` rows without columns."""
    pd = _pandas()
    if not length:
        return pd.DataFrame([], columns=names)
    if not columns:
        return pd.DataFrame(index=pd.RangeIndex(length))
    return pd.DataFrame(dict(zip(names, columns, strict=True)), columns=names)


# -------------------------------------------------------------------------------------------
# expand=True


def _escape(key: str) -> str:
    return key.replace("\\", "\\\\").replace(".", "\\.")


def _element_id(element_id: str | None, id: int | None) -> str:
    return element_id if element_id is not None else str(id)


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    kind = type(value)
    if kind in _WHOLE:
        out[prefix] = value
    elif kind is Node:
        out[f"{prefix}().element_id"] = _element_id(value.element_id, value.id)
        out[f"{prefix}().labels"] = frozenset(value.labels)
        for k, v in value.properties.items():
            out[f"{prefix}().prop.{k}"] = v
    elif kind is Relationship:
        out[f"{prefix}->.element_id"] = _element_id(value.element_id, value.id)
        out[f"{prefix}->.start.element_id"] = _element_id(value.start_node_element_id, value.start_node_id)
        out[f"{prefix}->.end.element_id"] = _element_id(value.end_node_element_id, value.end_node_id)
        out[f"{prefix}->.type"] = value.type
        for k, v in value.properties.items():
            out[f"{prefix}->.prop.{k}"] = v
    elif kind is dict:
        for k, v in value.items():
            _flatten(v, f"{prefix}{{}}.{_escape(k)}", out)
    elif kind in _SEQUENCES:
        for i, v in enumerate(_SEQUENCES[kind](value)):
            _flatten(v, f"{prefix}[].{i}", out)
    elif isinstance(value, Mapping):  # (decoded maps are dicts: what a session may hand over)
        for k, v in value.items():
            _flatten(v, f"{prefix}{{}}.{_escape(k)}", out)
    elif isinstance(value, Sequence):
        for i, v in enumerate(value):
            _flatten(v, f"{prefix}[].{i}", out)
    else:
        out[prefix] = value


#: Values the official driver holds as sequences (its Duration and points are tuples, bytes a
#: bytearray), expanded item by item as it does.
_SEQUENCES: dict[type, Callable[[Any], Sequence]] = {
    list: lambda v: v,
    tuple: lambda v: v,
    bytes: lambda v: v,
    bytearray: lambda v: v,
    Duration: lambda v: (v.months, v.days, v.seconds, v.nanoseconds),
    Point2D: lambda v: (v.x, v.y),
    Point3D: lambda v: (v.x, v.y, v.z),
}


#: Values that stay whole, known by their type (isinstance against Mapping and Sequence costs
#: more than the rest of a scalar's flattening).
_WHOLE: frozenset[type] = frozenset({
    int, float, bool, str, type(None), Path, Date, Time, LocalTime, LocalDateTime, DateTime,
    DateTimeZoneId, LegacyDateTime, LegacyDateTimeZoneId,
})


def expanded_columns(keys: list[str], rows: list[list]) -> tuple[list[str], list[list]]:
    """The columns of ``expand=True``: each row flattened; the names in the first row's order
    when every row has the same ones, else in order of first sight with NaN where a row lacks
    one (as pandas fills rows given as dicts). Unlike the official, a row whose names come in
    another order (node properties, map keys) still lands in the right columns."""
    escaped = [_escape(k) for k in keys]
    flat: list[dict[str, Any]] = []
    for row in rows:
        out: dict[str, Any] = {}
        for prefix, value in zip(escaped, row, strict=True):
            if type(value) in _WHOLE:
                out[prefix] = value
            else:
                _flatten(value, prefix, out)
        flat.append(out)
    if not flat:
        return [], []
    first = flat[0].keys()
    names = list(first)
    seen = set(names)
    ragged = False
    for out in flat:
        if out.keys() != first:
            ragged = True
            for name in out:
                if name not in seen:
                    seen.add(name)
                    names.append(name)
    nan = float("nan")
    if ragged:
        return names, [[out.get(name, nan) for out in flat] for name in names]
    return names, [[out[name] for out in flat] for name in names]


# -------------------------------------------------------------------------------------------
# parse_dates=True

_DATES = (Date, LocalDateTime, DateTime, DateTimeZoneId, LegacyDateTime, LegacyDateTimeZoneId)


def _parse_dates(pd: Any, frame: pandas.DataFrame) -> None:
    """Convert, in place, the columns the official converts: of inferred type "mixed" (objects
    pandas does not know) holding only dates, date-times and None."""
    infer = pd.api.types.infer_dtype
    for name in list(frame.columns):
        column = frame[name]
        if column.dtype != object or infer(column) != "mixed":
            continue
        if all(value is None or type(value) in _DATES for value in column):
            frame[name] = column.map(lambda value: _timestamp(pd, value))


def _timestamp(pd: Any, value: Any) -> Any:
    """The ``pandas.Timestamp`` the official makes of the same value: parsed from the same ISO
    text (so with the same resolution), aware ones from UTC into their offset or zone."""
    if value is None:
        return pd.NaT
    kind = type(value)
    if kind is Date:
        return pd.Timestamp(_iso_date(value.to_native()))
    if kind is LegacyDateTime or kind is LegacyDateTimeZoneId:
        value = value.to_utc()
        kind = type(value)
    if kind is LocalDateTime:
        return pd.Timestamp(_iso_datetime(value.seconds, value.nanoseconds))
    import datetime as dt

    if kind is DateTime:
        tz: Any = dt.timezone(dt.timedelta(seconds=value.tz_offset_seconds))
    else:
        from zoneinfo import ZoneInfo

        tz = ZoneInfo(value.tz_id)
    return pd.Timestamp(_iso_datetime(value.seconds, value.nanoseconds) + "+00:00").astimezone(tz)


def _iso_date(d: Any) -> str:
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def _iso_datetime(seconds: int, nanoseconds: int) -> str:
    days, secs = divmod(seconds, 86_400)
    h, rem = divmod(secs, 3600)
    m, s = divmod(rem, 60)
    return f"{_iso_date(Date(days).to_native())}T{h:02d}:{m:02d}:{s:02d}.{nanoseconds:09d}"
