"""A PostgreSQL row read as the code reads a sqlite3.Row: by index, by column name, and `keys()`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any


class Row:
    __slots__ = ("_names", "_values")

    def __init__(self, names: dict[str, int], values: Sequence[Any]) -> None:
        self._names = names
        self._values = values

    def __getitem__(self, key: int | str | slice) -> Any:
        if isinstance(key, str):
            index = self._names.get(key)
            if index is None:  # sqlite3.Row finds a name whatever its case; PostgreSQL folds to lower
                index = self._names.get(key.lower())
                if index is None:
                    raise IndexError(f"no column named {key}")
            return self._values[index]
        return self._values[key]

    def keys(self) -> list[str]:
        return list(self._names)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Row):
            return self._values == other._values and self._names == other._names
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self._values))

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._names, self._values, strict=True))!r})"


def row_factory(cursor: Any) -> Callable[[Sequence[Any]], Row]:
    """psycopg's row factory: the column names are looked up once per result, not once per row."""
    names = {column.name: index for index, column in enumerate(cursor.description or ())}
    return lambda values: Row(names, values)
