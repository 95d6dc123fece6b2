"""A country's optional need by municipality: ``municipal_need.csv`` in its data folder.

Municipalities differ in size (their children, ``municipal_children.csv``) and, when this
file exists, in need: a relative indicator per child (any positive scale, e.g. social-risk
families per 1,000 children). The engines read it as the relative need index

    r_m = need_m / sum_j(c_j x need_j),

where ``c_j`` is municipality j's share of the country's children in the file's year (the
latest year its rows give, held at the nearest year of the children file), so that the
children-weighted mean of ``r`` is exactly 1. Without the file every ``r_m`` is 1 and a run is
what it was before the file existed. How the engines use ``r`` (the initial families beyond
wellbeing shared out by children x r, the onset hazard times r): ``docs/optimise.md``,
"Municipalities".

The file is checked as the other data files are (:mod:`simulation.model.demography`): every
problem one line naming the file, the column, the row and what is allowed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from simulation.model.demography import (
    SHOWN_ROWS,
    YEAR,
    Bounds,
    Cells,
    DataFileError,
    read_table,
)

#: The file's name in a country's data folder (optional).
NEED_FILE = "municipal_need.csv"
#: Its columns: the figure and its provenance (a figure without a source is not shipped).
NEED_COLUMNS = (
    "municipality",
    "need",
    "year",
    "unit",
    "source_title",
    "source_url",
    "note",
)
#: Largest need relative to the smallest one. The index is relative, so any positive scale is
#: allowed, but a ratio above this between two municipalities is a typo (a figure per child
#: entered as a count), not a difference in need.
MAX_RATIO = 1e3
NEED = Bounds(0.0, 1e15, above=True, why="a positive figure per child, any scale")


def read_need(path: Path, municipalities: tuple[str, ...]) -> pd.DataFrame:
    """The checked rows of a need file: ``municipality``, ``need``, ``year``, ``source_title``.

    Parameters
    ----------
    path : Path
        The ``municipal_need.csv`` file.
    municipalities : tuple of str
        The country's municipalities (as in its ``municipal_children.csv``); each must have
        exactly one row.

    Raises
    ------
    DataFileError
        One line per problem: a missing column, an empty or non-positive or non-finite need,
        a year outside the model's years, an unknown, repeated or missing municipality, or
        needs more than :data:`MAX_RATIO` apart.
    """
    frame = read_table(path, NEED_COLUMNS, "municipal need file")
    cells = Cells(path)
    cells.texts(frame, "municipality")
    names = frame["municipality"].str.strip()
    known = frame.assign(municipality=names)
    unknown = (names != "") & ~names.isin(municipalities)
    cells.rows(
        "municipality",
        known,
        unknown,
        lambda cell: (
            f"{cell!r} is not a municipality of the children file; allowed: "
            "the names of municipal_children.csv"
        ),
    )
    need = cells.numbers(frame, "need", NEED)
    year = cells.numbers(frame, "year", YEAR)
    cells.repeated(known, ["municipality"], "one row per municipality")
    missing = [m for m in municipalities if m not in set(names)]
    if missing:
        more = f" and {len(missing) - SHOWN_ROWS} more" if len(missing) > SHOWN_ROWS else ""
        shown = ", ".join(missing[:SHOWN_ROWS]) + more
        cells.errors.append(
            f"{path}: municipality: no row for {shown}; allowed: one row for every "
            "municipality of municipal_children.csv"
        )
    cells.check()
    if need.max() > MAX_RATIO * need.min():
        raise DataFileError(
            f"{path}: need: largest {need.max():g} is more than {MAX_RATIO:g} times the "
            f"smallest {need.min():g}; allowed: figures per child on one scale"
        )
    titles = frame["source_title"].str.strip()
    return pd.DataFrame(
        {"municipality": names, "need": need, "year": year.astype(int), "source_title": titles}
    )


def relative_need(
    rows: pd.DataFrame,
    municipalities: tuple[str, ...],
    share_years: np.ndarray,
    shares: np.ndarray,
) -> np.ndarray:
    """The relative need index ``r`` along ``municipalities`` (children-weighted mean 1).

    Parameters
    ----------
    rows : DataFrame
        :func:`read_need`'s rows.
    municipalities : tuple of str
        The municipal axis.
    share_years : ndarray of int
        Years of ``shares``.
    shares : ndarray, shape ``(len(share_years), M)``
        Each municipality's share of the children in each year.

    Returns
    -------
    ndarray, shape ``(M,)``
        Dimensionless, positive.
    """
    need = rows.set_index("municipality")["need"].reindex(list(municipalities)).to_numpy(float)
    year = int(rows["year"].max())
    row = int(np.clip(year - int(share_years[0]), 0, len(share_years) - 1))
    weights = shares[row]
    return need / float(weights @ need)


def need_index(
    folder: Path,
    municipalities: tuple[str, ...],
    share_years: np.ndarray,
    shares: np.ndarray,
) -> np.ndarray | None:
    """``r`` from ``folder``'s :data:`NEED_FILE`, or None when the folder has none.

    Raises
    ------
    DataFileError
        If the file exists and fails its checks (:func:`read_need`).
    """
    path = Path(folder) / NEED_FILE
    if not path.exists():
        return None
    rows = read_need(path, municipalities)
    return relative_need(rows, municipalities, share_years, shares)
