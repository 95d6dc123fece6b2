"""Read the Lithuanian data shipped with the package (see ``data/lithuania/README.md``).

Only this module knows file names and columns; the engines receive a :class:`Demography`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.model.errors import InputError

NATIONAL_COLUMNS = ("series", "year", "value", "unit", "quality", "source_title", "source_url")
MUNICIPAL_COLUMNS = ("municipality", "year", "children_0_17")


class DataFileError(InputError):
    """A data file is missing columns or values; the message names the file and the key."""


def data_dir() -> Path:
    """Folder of the shipped Lithuanian data."""
    return Path(str(resources.files("simulation") / "data" / "lithuania"))


def _read_csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path)
    except (OSError, pd.errors.ParserError) as exc:
        raise DataFileError(f"{path}: cannot be read as CSV ({exc})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataFileError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame


@functools.cache
def national_series(path: Path | None = None) -> pd.DataFrame:
    """The national series, one published figure per row, provenance columns kept."""
    return _read_csv(path or data_dir() / "national_series.csv", NATIONAL_COLUMNS)


def series(name: str, path: Path | None = None) -> pd.Series:
    """Values of one national series indexed by year (first figure per year).

    Raises
    ------
    DataFileError
        If the series is absent.
    """
    frame = national_series(path)
    rows = frame[frame["series"] == name]
    if rows.empty:
        raise DataFileError(f"{path or data_dir() / 'national_series.csv'}: no series {name!r}")
    return rows.drop_duplicates("year").set_index("year")["value"].astype(float).sort_index()


@functools.cache
def municipal_children(path: Path | None = None) -> pd.DataFrame:
    """Children aged 0-17 by municipality (rows) and year (columns)."""
    frame = _read_csv(path or data_dir() / "municipal_children.csv", MUNICIPAL_COLUMNS)
    wide = frame.pivot(index="municipality", columns="year", values="children_0_17")
    if wide.isna().any().any():
        raise DataFileError(f"{path}: children_0_17 missing for some municipality-year")
    return wide.astype(float)


@dataclass(frozen=True)
class Demography:
    """Exogenous demographic drivers of the model.

    Attributes
    ----------
    birth_years : ndarray of int
        Years with observed live births.
    births : ndarray
        Live births per year in ``birth_years``.
    municipalities : tuple of str
        Municipality names, in the order of the municipal axis.
    share_years : ndarray of int
        Years with municipal child counts.
    shares : ndarray, shape ``(len(share_years), n_municipalities)``
        Each municipality's share of the country's children; rows sum to 1.
    children_0_17 : dict of int to float
        National children aged 0-17 at the beginning of each year.
    """

    birth_years: np.ndarray
    births: np.ndarray
    municipalities: tuple[str, ...]
    share_years: np.ndarray
    shares: np.ndarray
    children_0_17: dict[int, float]

    def births_in(self, years: np.ndarray, growth: np.ndarray | float) -> np.ndarray:
        """Live births per year for each of ``years``.

        Observed years use the data; later years hold the last observation and change by
        ``growth`` (1/yr) a year after it; earlier years hold the first observation.

        Returns
        -------
        ndarray, shape ``np.broadcast(years[:, None], growth).shape``
        """
        years = np.asarray(years)
        last_year = int(self.birth_years[-1])
        idx = np.clip(years - int(self.birth_years[0]), 0, len(self.births) - 1)
        base = self.births[idx][:, None]
        after = np.maximum(years - last_year, 0)[:, None]
        return base * np.power(1.0 + np.atleast_1d(np.asarray(growth, float))[None, :], after)

    def shares_in(self, years: np.ndarray) -> np.ndarray:
        """Municipal shares for each of ``years``, held at the nearest observed year."""
        idx = np.clip(np.asarray(years) - int(self.share_years[0]), 0, len(self.share_years) - 1)
        return self.shares[idx]

    def children_at(self, year: int) -> float:
        """National children aged 0-17 at the beginning of ``year`` (nearest observed)."""
        years = sorted(self.children_0_17)
        nearest = min(max(year, years[0]), years[-1])
        return self.children_0_17[nearest]


@functools.cache
def lithuania() -> Demography:
    """The Lithuanian demography from the shipped data."""
    births = series("live_births")
    children = series("children_0_17_population")
    wide = municipal_children()
    years = np.array(sorted(wide.columns), dtype=int)
    counts = wide[years].to_numpy().T
    return Demography(
        birth_years=births.index.to_numpy(dtype=int),
        births=births.to_numpy(),
        municipalities=tuple(wide.index),
        share_years=years,
        shares=counts / counts.sum(axis=1, keepdims=True),
        children_0_17={int(y): float(v) for y, v in children.items()},
    )
