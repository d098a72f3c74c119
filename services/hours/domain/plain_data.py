"""Reading configuration from plain data (parsed JSON or TOML), every value checked, every error saying where.

A rulebook or a set of requirements arrives as nested dicts and lists. ``Node`` wraps one value with its path, so
that a bad value is reported as ``rules["online-brackets/v1"].conversion.brackets[1].hours: expected 学时 …``
rather than as a bare type error deep inside a rule.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import NoReturn


class PlainDataError(ValueError):
    """Configuration that does not say what it must; the message names where."""


@dataclass(frozen=True)
class Node:
    value: object
    path: str
    error: type[PlainDataError]

    def fail(self, problem: str) -> NoReturn:
        raise self.error(f"{self.path}: {problem}")

    def text(self) -> str:
        if not isinstance(self.value, str) or not self.value.strip():
            self.fail(f"expected a non-empty text, got {self.value!r}")
        return self.value

    def integer(self, minimum: int = 0) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            self.fail(f"expected a whole number, got {self.value!r}")
        if self.value < minimum:
            self.fail(f"expected {minimum} or more, got {self.value}")
        return self.value

    def decimal(self, minimum: Decimal = Decimal(0)) -> Decimal:
        """A number, written as a number or as text ("0.5"); floats are read by their shortest repr (0.1 is 0.1)."""
        if isinstance(self.value, bool) or not isinstance(self.value, int | float | str):
            self.fail(f'expected a number such as "0.5", got {self.value!r}')
        try:
            number = Decimal(str(self.value))
        except InvalidOperation:
            self.fail(f'expected a number such as "0.5", got {self.value!r}')
        if not number.is_finite():
            self.fail(f"expected a finite number, got {self.value!r}")
        if number < minimum:
            self.fail(f"expected {minimum} or more, got {number}")
        return number

    def day(self) -> date:
        """A date, as TOML gives it or as ISO text (2026-01-01)."""
        if isinstance(self.value, date):
            return self.value
        if isinstance(self.value, str):
            try:
                return date.fromisoformat(self.value)
            except ValueError:
                pass
        self.fail(f'expected a date such as "2026-01-01", got {self.value!r}')

    def flag(self) -> bool:
        if not isinstance(self.value, bool):
            self.fail(f"expected true or false, got {self.value!r}")
        return self.value

    def items(self, *, non_empty: bool = True) -> list[Node]:
        if not isinstance(self.value, list):
            self.fail(f"expected a list, got {self.value!r}")
        if non_empty and not self.value:
            self.fail("expected at least one item")
        return [Node(item, f"{self.path}[{index}]", self.error) for index, item in enumerate(self.value)]

    def texts(self) -> frozenset[str]:
        return frozenset(item.text() for item in self.items())

    def named(self) -> list[tuple[str, Node]]:
        """A table of named things (``{"session-tolerance/v2": {…}}``), in the order written."""
        table = self._mapping()
        return [(str(key), Node(value, f'{self.path}["{key}"]', self.error)) for key, value in table.items()]

    def fields(self, required: Collection[str] = (), optional: Collection[str] = ()) -> Fields:
        table = self._mapping()
        unknown = sorted(set(table) - set(required) - set(optional))
        if unknown:
            self.fail(f"unknown {', '.join(map(repr, unknown))}; expected {', '.join(sorted({*required, *optional}))}")
        missing = sorted(set(required) - set(table))
        if missing:
            self.fail(f"missing {', '.join(map(repr, missing))}")
        return Fields(table, self)

    def _mapping(self) -> Mapping[str, object]:
        if not isinstance(self.value, Mapping) or not all(isinstance(key, str) for key in self.value):
            self.fail(f"expected a table of named values, got {self.value!r}")
        return self.value


@dataclass(frozen=True)
class Fields:
    """The named values of one table, already checked for unknown and missing names."""

    table: Mapping[str, object]
    node: Node

    def __getitem__(self, key: str) -> Node:
        return Node(self.table[key], f"{self.node.path}.{key}", self.node.error)

    def get(self, key: str) -> Node | None:
        """The value, if given and not null."""
        return self[key] if self.table.get(key) is not None else None


def read(data: object, what: str, error: type[PlainDataError]) -> Node:
    return Node(data, what, error)
