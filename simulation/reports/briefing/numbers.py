"""Numbers printed in a briefing, each with the file, row and column it was read from."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from simulation.reports import locale


@dataclass(frozen=True)
class Num:
    """A number (or a quoted value) printed in a briefing, and where it came from.

    Attributes
    ----------
    text : str
        As printed (no unit).
    value : float or str
        The value in the source file.
    source : str
        File in the briefing's folder.
    row : tuple of (column, value) pairs
        Selects one row of the source (empty: the file has one row).
    column : str
        Column of the value.
    scale : float
        Printed number x ``scale`` = value (1e6 for million EUR, 0.01 for percent).
    decimals : int
        Decimals printed (the rounding a reader sees).
    """

    text: str
    value: float | str
    source: str
    row: tuple[tuple[str, object], ...]
    column: str
    scale: float = 1.0
    decimals: int = 0

    @property
    def is_number(self) -> bool:
        """Whether this is a number (not a value quoted as text)."""
        return not isinstance(self.value, str)

    def record(self) -> dict:
        """One row of ``numbers.csv``: the fields, with ``row`` as a JSON object."""
        return {
            "text": self.text,
            "value": self.value,
            "source": self.source,
            "row": json.dumps(dict(self.row), ensure_ascii=False),
            "column": self.column,
            "scale": self.scale,
            "decimals": self.decimals,
        }


MINUS = locale.MINUS


def format_number(value: float, decimals: int, lang: str, group: bool = True) -> str:
    """``value`` rounded to ``decimals`` and written in the style of ``lang`` (Babel).

    Lithuanian ``−1 234,5`` (no-break space, decimal comma) or English ``−1,234.5``; years
    (``group=False``) without thousands separators.
    """
    return locale.number(value, decimals, lang, group)


def parse_number(text: str, lang: str) -> float:
    """Inverse of :func:`format_number` (for tests and readers of ``numbers.csv``)."""
    return locale.parse(text, lang)


class Numbers:
    """Makes :class:`Num` objects from the briefing's tables, formatted for one language."""

    def __init__(self, tables: dict[str, pd.DataFrame], lang: str) -> None:
        self.tables = tables
        self.lang = lang
        self.used: list[Num] = []

    def _lookup(self, source: str, row: dict, column: str) -> object:
        frame = self.tables[source]
        mask = pd.Series(True, index=frame.index)
        for key, value in row.items():
            mask &= frame[key] == value
        found = frame.loc[mask, column]
        if len(found) != 1:
            raise KeyError(f"{source}: {len(found)} rows match {row} (expected one)")
        return found.iloc[0]

    def num(self, source: str, row: dict, column: str, scale: float = 1.0, decimals: int = 0):
        """The number at ``source[row, column]``, printed as ``value / scale``.

        It is printed as a year (no thousands separators) when the row or column names one.
        """
        value = float(self._lookup(source, row, column))
        year = any(str(v).endswith("_year") for v in (column, *row.values()))
        item = Num(
            format_number(value / scale, decimals, self.lang, group=not year),
            value,
            source,
            tuple(row.items()),
            column,
            scale,
            decimals,
        )
        self.used.append(item)
        return item

    def ref(self, source: str, row: dict, column: str) -> Num:
        """A value quoted as it is in the file (a version, a source title)."""
        value = str(self._lookup(source, row, column))
        item = Num(value, value, source, tuple(row.items()), column)
        self.used.append(item)
        return item

    def fact(self, name: str, scale: float = 1.0, decimals: int = 0) -> Num:
        """A number of ``facts.csv`` (horizon, discount rate, samples...)."""
        return self.num("facts.csv", {"fact": name}, "value", scale, decimals)

    def key(self, scenario: str, measure: str, stat: str, scale=1.0, decimals=0) -> Num:
        """A number of ``key_numbers.csv``."""
        row = {"scenario": scenario, "measure": measure}
        return self.num("key_numbers.csv", row, stat, scale, decimals)

    def records(self) -> pd.DataFrame:
        """Every number used so far, once each, as the rows of ``numbers.csv``."""
        unique = list(dict.fromkeys(self.used))
        return pd.DataFrame([n.record() for n in unique])
