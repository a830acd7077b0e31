"""Columnar results: :meth:`Result.to_arrow`, :meth:`Result.arrow_batches`, :meth:`Result.to_polars`
(a mixin of :class:`~asyncbolt.client.result.Result`).

While a result is read as columns, its PULLs get a handler with ``on_payloads``: the protocol
core hands it each RECORD undecoded and the column builder (asyncbolt.codec.columns, in C when
built) lays the bytes out in Arrow buffers, with no Python object per value. Records that were
already decoded (buffered before, or decoded off the event loop for being long) go in as values.
The type rules are in README "Columnar results".
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from asyncbolt.codec.arrow import assemble, for_polars, require
from asyncbolt.codec.columns import Columns
from asyncbolt.errors import ProtocolError

if TYPE_CHECKING:
    from asyncbolt.client.result import _Stream

__all__ = ["ColumnarResult"]


class _ColumnSink:
    """The columns a result is read into (``_Stream.columns`` while it is); with ``batches``,
    each PULL's records are cut into a batch of their own when its answer ends. Made before
    the result's keys are known (so that its first PULL is already columnar): the builder is
    made with the first record, which comes after them."""

    def __init__(self, stream: _Stream, batches: bool) -> None:
        codec = stream.conn._core.codec
        if codec is None:  # pragma: no cover - a result exists only once a version is negotiated
            raise RuntimeError("no Bolt version negotiated yet")
        self.stream = stream
        self.codec = codec
        self.batches = batches
        self.ready: deque[list] = deque()
        self.handler = _columnar_pull()
        self._columns: Columns | None = None

    @property
    def columns(self) -> Columns:
        columns = self._columns
        if columns is None:
            columns = self._columns = Columns(self.codec, len(self.stream.fields or ()))
        return columns

    def cut(self) -> None:
        if self.batches and self._columns is not None and self._columns.rows:
            self.ready.append(self._columns.finish())

    def batch(self) -> Any:
        return assemble(self.ready.popleft(), self.stream.fields or [], self.codec.profile, batch=True)

    def table(self) -> Any:
        return assemble(self.columns.finish(), self.stream.fields or [], self.codec.profile)


def _plain_pull() -> Any:
    from asyncbolt.client.result import _PullHandler

    return _PullHandler


@functools.cache
def _columnar_pull() -> type:
    """The PULL handler of a result read as columns (made on first use: result.py, where
    _PullHandler lives, imports this module)."""
    from asyncbolt.client.result import _PullHandler, _short

    class _ColumnarPull(_PullHandler):
        __slots__ = ("sink", "rows", "size")
        left: int

        def __init__(self, stream: _Stream, discard: bool, n: int = -1) -> None:
            super().__init__(stream, discard, n)
            self.sink: _ColumnSink = stream.columns
            self.rows = 0
            self.size = 0  # bytes of this PULL's records, counted in conn.buffered_bytes

        def on_payloads(self, payloads: list[bytes], start: int, max_len: int) -> int:
            """Lay out the RECORDs of ``payloads`` from ``start`` on (up to the first that is
            not one, or is longer than ``max_len``); returns where it stopped. The Record
            path's limits hold over this PULL's records not yet handed over (checked per batch
            of messages: the bytes are in memory already)."""
            s = self.stream
            if s.abandoned:
                end, size = start, 0
                for payload in payloads[start:]:
                    if payload[:2] != b"\xb1\x71" or len(payload) > max_len:
                        break
                    end += 1
            else:
                end, size = self.sink.columns.add_records(payloads, start, max_len)
            self._count(end - start, size)
            return end

        def on_record(self, values: list, size: int) -> None:
            if not self.stream.abandoned:
                self.sink.columns.add_values(values)
            self._count(1, size)

        def on_records(self, batch: list[list], sizes: list[int]) -> None:
            # (the core hands a columnar handler payloads, not decoded runs; should one come,
            # its records go into the columns, not into the Record path's buffer)
            for values, size in zip(batch, sizes, strict=True):
                self.on_record(values, size)

        def _count(self, n: int, size: int) -> None:
            s = self.stream
            s.had_record = True
            left = self.left
            if left >= 0:
                self.left = left - n if left >= n else -2
            if s.abandoned:
                return
            conn = s.conn
            conn.buffered_bytes += size
            self.size += size
            self.rows += n
            if self.rows > self.limit:
                raise ProtocolError(f"more than {self.limit:,} records of {_short(s.query)!r} in one "
                                    f"batch{self._overrun()}; lower fetch_size, or raise "
                                    "max_buffered_records")
            limit = conn.max_buffered_bytes
            if limit is not None and conn.buffered_bytes > limit:
                raise ProtocolError(f"more than {limit:,} bytes of records are buffered on this "
                                    f"connection (at a record of {_short(s.query)!r}){self._overrun()}; "
                                    "lower fetch_size, or raise max_buffered_bytes")

        def _release(self) -> None:
            self.stream.conn.buffered_bytes -= self.size
            self.size = 0

        def on_success(self, meta: dict) -> None:
            self._release()
            self.sink.cut()
            super().on_success(meta)

        def on_failure(self, error: Any) -> None:
            self._release()
            super().on_failure(error)

        def on_ignored(self, cause: BaseException | None) -> None:
            self._release()
            super().on_ignored(cause)

        def on_error(self, error: BaseException) -> None:
            self._release()
            super().on_error(error)

    return _ColumnarPull


class ColumnarResult:
    """The columnar readers of a Result (pyarrow: ``pip install 'asyncbolt[arrow]'``; polars:
    ``'asyncbolt[polars]'``)."""

    __slots__ = ()
    _s: _Stream

    if TYPE_CHECKING:
        def _check_readable(self) -> None: ...

        async def _keys(self) -> list[str]: ...

    async def _start_columns(self, batches: bool) -> _ColumnSink:
        require("pyarrow", "arrow")
        s = self._s
        self._check_readable()
        sink = _ColumnSink(s, batches)
        # Records already decoded go first, as values; a PULL already on its way gets a
        # columnar handler in its place for the records still to come.
        if s.records:
            while s.records:
                sink.columns.add_values(s.take())
            sink.cut()
        s.columns = sink  # (before the PULL queued with the RUN is written: it is columnar)
        pending = s.conn._core.pending
        handler: Any
        for i, handler in enumerate(pending):
            if type(handler) is _plain_pull() and handler.stream is s and not handler.discard:
                pending[i] = sink.handler(s, False, handler.left)
        try:
            await self._keys()
        except BaseException:
            s.columns = None
            raise
        return sink

    async def to_arrow(self) -> Any:
        """The rest of the result as a ``pyarrow.Table`` (columns named by the keys; types in
        README "Columnar results")."""
        s = self._s
        sink = await self._start_columns(batches=False)
        try:
            while not s.done:
                await s.conn._more(s)
        finally:
            s.columns = None
        if s.error is not None:
            raise s.error
        return sink.table()

    async def arrow_batches(self) -> AsyncIterator[Any]:
        """The rest of the result as ``pyarrow.RecordBatch`` es, one per PULL batch (of
        ``fetch_size`` records) as it arrives; each batch's column types follow from its own
        records. Batches without records are skipped."""
        s = self._s
        sink = await self._start_columns(batches=True)
        try:
            while True:
                while sink.ready:
                    yield sink.batch()
                if s.done:
                    break
                await s.conn._more(s)
        finally:
            s.columns = None
        if s.error is not None:
            raise s.error

    async def to_polars(self) -> Any:
        """The rest of the result as a ``polars.DataFrame`` (``pl.from_arrow`` of
        :meth:`to_arrow`, with what polars cannot hold made plain: README "Columnar results")."""
        pl = require("polars", "polars")
        return pl.from_arrow(for_polars(await self.to_arrow()))
