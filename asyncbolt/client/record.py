"""A result's row: :class:`Record` (a field map over the values). Every record of a result is
made and indexed, so its base (construction and ``record[key]``) is the C accelerator's when it
is built, and the same in Python otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from asyncbolt.codec.packstream import _accel

__all__ = ["Record"]


class _PyRecordBase:
    """The values and field map of a Record, and ``record[key]`` (in C when the accelerator is
    built: ``_accel.RecordBase``, the same made without a Python frame)."""

    __slots__ = ("_values", "_index")

    def __init__(self, values: list, index: dict[str, int]) -> None:
        self._values = values
        self._index = index

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            try:
                return self._values[self._index[key]]
            except KeyError:
                raise KeyError(f"no field {key!r}; fields are {list(self._index)}") from None
        return self._values[key]


_RecordBase: Any = _PyRecordBase if _accel is None else _accel.RecordBase


class Record(_RecordBase):
    """One row: ``record["name"]``, ``record[0]``, ``record.keys()``, ``record.values()``,
    ``record.data()`` (a dict), ``len(record)``, iteration over the values."""

    __slots__ = ()
    _values: list
    _index: dict[str, int]

    if TYPE_CHECKING:
        def __init__(self, values: list, index: dict[str, int]) -> None: ...

        def __getitem__(self, key: int | str) -> Any: ...

    def __reduce__(self) -> tuple[Any, tuple[list, dict[str, int]]]:
        return (Record, (self._values, self._index))

    def get(self, key: str, default: Any = None) -> Any:
        i = self._index.get(key)
        return default if i is None else self._values[i]

    def keys(self) -> list[str]:
        return list(self._index)

    def value(self, key: int | str = 0, default: Any = None) -> Any:
        """The value at index or field ``key`` (default: the first), ``default`` if there is
        none (as the official driver, a negative index is none)."""
        if isinstance(key, str):
            i = self._index.get(key)
        else:
            i = key if 0 <= key < len(self._values) else None
        return default if i is None else self._values[i]

    def values(self) -> list:
        return list(self._values)

    def items(self) -> list[tuple[str, Any]]:
        return list(zip(self._index, self._values, strict=False))

    def data(self) -> dict[str, Any]:
        return dict(zip(self._index, self._values, strict=False))

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Record):
            return self._values == other._values and list(self._index) == list(other._index)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # unhashable, as it compares by value (mypy wants a method)

    def __repr__(self) -> str:
        inner = " ".join(f"{k}={v!r}" for k, v in zip(self._index, self._values, strict=False))
        return f"<Record {inner}>"
