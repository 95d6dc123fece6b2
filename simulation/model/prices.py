"""Prices: bring money of any year to the model's price year with a cited deflator.

Every amount of money in the model is in EUR at :data:`PRICE_YEAR` prices. A published figure
of another year is converted with Lithuania's annual average consumer-price inflation
(``simulation/data/prices/lithuania_inflation.csv``: the harmonised index where a calendar-year
figure was found, else the national CPI; 2023 and 2024 are bracketed assumptions, see its
README): ``amount * prod(1 + rate[t] for t in year+1 .. PRICE_YEAR)``.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

#: The price year of every amount of money in the model.
PRICE_YEAR = 2024
COLUMNS = ("year", "rate_percent", "measure", "quality", "source_title", "source_url", "note")


def inflation_path() -> Path:
    """The shipped table of annual inflation rates."""
    return Path(str(resources.files("simulation") / "data" / "prices" / "lithuania_inflation.csv"))


@cache
def _rows() -> tuple[dict[str, str], ...]:
    """The table's rows, checked: every column present, consecutive years.

    Read with the standard library: the catalogue converts prices when it is imported, and
    pandas would add a quarter of a second to every command.
    """
    with open(inflation_path(), newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = tuple(reader)
        missing = set(COLUMNS) - set(reader.fieldnames or ())
    if missing:
        raise ValueError(f"{inflation_path()}: missing columns {sorted(missing)}")
    years = [int(row["year"]) for row in rows]
    if years != list(range(years[0], years[-1] + 1)):
        raise ValueError(f"{inflation_path()}: years must be consecutive, got {years}")
    return rows


@cache
def _rates() -> dict[int, float]:
    """Inflation by year, percent."""
    return {int(row["year"]): float(row["rate_percent"]) for row in _rows()}


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
