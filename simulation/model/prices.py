"""Prices: bring money of any year to the model's price year with a cited deflator.

Every amount of money in the model is in EUR at :data:`PRICE_YEAR` prices. A published figure
of another year is converted with Lithuania's annual average consumer-price inflation
(``simulation/data/prices/lithuania_inflation.csv``: the harmonised index where a calendar-year
figure was found, else the national CPI; 2023 and 2024 are bracketed assumptions, see its
README): ``amount * prod(1 + rate[t] for t in year+1 .. PRICE_YEAR)``.
"""

from __future__ import annotations

import csv
import math
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from simulation.model.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

#: The price year of every amount of money in the model.
PRICE_YEAR = 2024
COLUMNS = ("year", "rate_percent", "measure", "quality", "source_title", "source_url", "note")
#: Annual inflation allowed, percent. Above -100 is arithmetic (the deflator must stay
#: positive); -50 and 1,000 are plausibility: no economy has had 50% deflation in a year, and
#: beyond 1,000% (hyperinflation; Lithuania's 1992 was about 1,000%) one annual average does
#: not convert prices. Every shipped rate is within [-1, 20].
RATE_BOUNDS = (-50.0, 1000.0)
#: Years a rate may belong to (a year outside is a typo).
YEARS = (1900, 2100)
QUALITIES = ("high", "medium", "low")


class PricesFileError(InputError):
    """The inflation table fails a check; each line names the file, the row and the column."""


def inflation_path() -> Path:
    """The shipped table of annual inflation rates."""
    return Path(str(resources.files("simulation") / "data" / "prices" / "lithuania_inflation.csv"))


def _number(text: str) -> float | None:
    """``text`` as a finite float, or None."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _row_problems(path: Path, row: int, cells: dict[str, str | None]) -> list[str]:
    """Problems of one row (``row`` numbered as a spreadsheet shows it)."""
    errors = []
    year, rate = _number(cells.get("year")), _number(cells.get("rate_percent"))
    if year is None or year % 1 or not YEARS[0] <= year <= YEARS[1]:
        errors.append(
            f"{path}: year (row {row}): {cells.get('year')!r:.40} is not a year; allowed: a "
            f"whole number in [{YEARS[0]}, {YEARS[1]}]"
        )
    low, high = RATE_BOUNDS
    if rate is None or not low <= rate <= high:
        errors.append(
            f"{path}: rate_percent (row {row}): {cells.get('rate_percent')!r:.40} is not an "
            f"inflation rate; allowed: a number in [{low:g}, {high:g}] (percent a year)"
        )
    if cells.get("quality") not in QUALITIES:
        errors.append(
            f"{path}: quality (row {row}): {cells.get('quality')!r:.40} is not one of "
            f"{', '.join(QUALITIES)}"
        )
    return errors


def read_rows(path: Path) -> tuple[dict[str, str], ...]:
    """The table's rows, checked: every column present, numbers, consecutive distinct years.

    Read with the standard library: the catalogue converts prices when it is imported, and
    pandas would add a quarter of a second to every command.

    Raises
    ------
    PricesFileError
        One line per problem, naming the file, the row and the column.
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows = tuple(reader)
            fields = reader.fieldnames or ()
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise PricesFileError(f"{path}: cannot be read as a CSV table ({exc})") from None
    missing = [c for c in COLUMNS if c not in fields]
    if missing:
        raise PricesFileError(f"{path}: columns: missing {', '.join(missing)}")
    if not rows:
        raise PricesFileError(f"{path}: no data rows; one row per year is needed")
    errors = [e for i, row in enumerate(rows) for e in _row_problems(path, i + 2, row)]
    if errors:
        raise PricesFileError(errors)
    years = [int(float(row["year"])) for row in rows]
    if years != list(range(years[0], years[0] + len(years))):
        raise PricesFileError(
            f"{path}: year: {years[0]}..{years[-1]} in the file; allowed: consecutive "
            "increasing years, each once (a deflator multiplies every year between two)"
        )
    return rows


@cache
def _rows() -> tuple[dict[str, str], ...]:
    """The shipped table's rows, checked (see :func:`read_rows`)."""
    return read_rows(inflation_path())


@cache
def _rates() -> dict[int, float]:
    """Inflation by year, percent."""
    return {int(float(row["year"])): float(row["rate_percent"]) for row in _rows()}


@cache
def inflation() -> pd.DataFrame:
    """Annual average inflation, one row per year (``rate_percent``, ``measure``, source)."""
    import pandas as pd

    _rows()  # checked
    return pd.read_csv(inflation_path()).set_index("year")


def deflator(year: int, price_year: int = PRICE_YEAR) -> float:
    """Multiplier from prices of ``year`` to prices of ``price_year`` (1.0 if equal).

    Raises
    ------
    ValueError
        If a year between the two has no inflation figure.
    """
    rates = _rates()
    low, high = sorted((year, price_year))
    needed = range(low + 1, high + 1)
    absent = [t for t in needed if t not in rates]
    if absent:
        first, last = min(rates) - 1, max(rates)
        raise ValueError(
            f"no inflation figure for {absent[0]}: prices can be converted between "
            f"{first} and {last}"
        )
    factor = 1.0
    for t in needed:
        factor *= 1.0 + rates[t] / 100.0
    return factor if year <= price_year else 1.0 / factor


def to_price_year(amount: float, year: int, price_year: int = PRICE_YEAR) -> float:
    """``amount`` EUR of ``year`` in EUR of ``price_year``."""
    return amount * deflator(year, price_year)
