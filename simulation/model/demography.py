"""Read the countries' data shipped with the package (see ``data/lithuania/README.md``).

A country is a folder of ``simulation/data/`` with :data:`COUNTRY_FILES`; the Lithuanian one
is the default, and a scenario names another by ``[run] country`` (``docs/countries.md``).

Only this module knows file names and columns; the engines receive a :class:`Demography`.

Every data file is checked when it is read, and every problem is reported at once, one line
each, as ``file: column (row N): what is wrong; allowed: what is allowed``. Rows are numbered
as a spreadsheet shows them (the header is row 1). The checks: a regular UTF-8 file of at most
:data:`MAX_DATA_BYTES`, the required columns, at least one row, numbers that are finite and
inside their column's bounds, whole years in :data:`YEARS`, no repeated key, and for the
series the engines read (births, children) one positive figure per consecutive year.
"""

from __future__ import annotations

import functools
import io
import reprlib
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.model import files
from simulation.model.countries import (
    COUNTRY_FILES,
    DEFAULT_COUNTRY,
    countries,
    data_dir,
    display_name,
)
from simulation.model.errors import InputError
from simulation.model.vocabulary import NATIONAL_UNIT

NATIONAL_COLUMNS = ("series", "year", "value", "unit", "quality", "source_title", "source_url")
MUNICIPAL_COLUMNS = ("municipality", "year", "children_0_17")
#: Quality grades of a published figure (see the data README).
QUALITIES = ("high", "medium", "low")
#: Years a figure may refer to. The model runs from 2009; the shipped data start in 2000. A
#: year outside these is a typo (``20100``) rather than history or a forecast.
YEARS = (1900, 2100)
#: Largest count of people in a data file (births a year, children, children of a
#: municipality): more than the children of any country (India: about 4.4e8 aged 0-17), so a
#: larger figure is a typo or an overflow (``1e308``), never a population.
PEOPLE_MAX = 1e9
#: Largest magnitude of any figure of a national series. The series mix units (people, EUR,
#: million EUR, percent), so no one plausible bound exists; this one keeps sums, logarithms and
#: ratios of figures finite (every shipped figure is below 4e6).
VALUE_MAX = 1e15
#: Largest data file read, bytes (the shipped ones are below 150 kB); a larger file, a device
#: or a FIFO is refused before it is read.
MAX_DATA_BYTES = 16_000_000
#: Rows listed for one problem of one column; the rest are counted on one more line.
SHOWN_ROWS = 5

_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 40  # a cell is echoed, never a 200,000-character value
_short = _REPR.repr


class DataFileError(InputError):
    """A data file is missing columns or values; each line names the file and the key."""


# ---- reading and checking a CSV table ------------------------------------------------------
def read_limited(path: Path, kind: str, limit: int = MAX_DATA_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (:mod:`simulation.model.files`).

    Raises
    ------
    DataFileError
        One line naming the file and why it cannot be read.
    """
    try:
        return files.read_limited(path, kind, limit)
    except InputError as exc:
        raise DataFileError(exc.errors) from None


def csv_frame(data: bytes, **options) -> pd.DataFrame:
    """``pd.read_csv`` of ``data`` with no implicit index: a row longer than the header raises.

    Without ``index_col=False`` pandas silently makes the first column the index when the
    first row has one cell more than the header, shifting every value one column; with it, it
    warns and drops the cell, which is made an error here.

    Raises
    ------
    pandas.errors.ParserError, pandas.errors.EmptyDataError, UnicodeDecodeError
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            # utf-8-sig: spreadsheets save a byte-order mark that would stick to the first name
            return pd.read_csv(io.BytesIO(data), index_col=False, encoding="utf-8-sig", **options)
        except pd.errors.ParserWarning:
            raise pd.errors.ParserError("a row has more cells than the header row") from None


def read_table(path: Path, columns: tuple[str, ...], kind: str = "data file") -> pd.DataFrame:
    """Every cell of a CSV file as text (empty cells ``""``), the required columns checked.

    Text first, so that each bad cell can be reported with its row instead of pandas guessing
    a column's type (one word makes a number column text) or reading ``nan`` as a number.

    Raises
    ------
    DataFileError
        For a file that is not a UTF-8 CSV table, lacks a column or has no row.
    """
    data = read_limited(path, kind)
    try:
        frame = csv_frame(data, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise DataFileError(
            f"{path}: empty; a {kind} needs a header row ({', '.join(columns)}) and data rows"
        ) from None
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except pd.errors.ParserError as exc:
        raise DataFileError(f"{path}: not a CSV table: {_short(str(exc))}") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataFileError(
            f"{path}: columns: missing {', '.join(missing)}; required: {', '.join(columns)}"
        )
    if frame.empty:
        raise DataFileError(f"{path}: no data rows; a {kind} needs at least one")
    return frame.fillna("")  # short rows leave missing cells


@dataclass(frozen=True)
class Bounds:
    """What a number column allows: ``[low, high]`` (``(low, high]`` if ``above``)."""

    low: float
    high: float
    above: bool = False
    whole: bool = False
    why: str = ""

    def describe(self) -> str:
        """The allowed values, for an error line."""
        kind = "a whole number" if self.whole else "a number"
        interval = f"{'(' if self.above else '['}{self.low:g}, {self.high:g}]"
        return f"{kind} in {interval}" + (f" ({self.why})" if self.why else "")


YEAR = Bounds(*YEARS, whole=True)
PEOPLE = Bounds(0, PEOPLE_MAX, above=True, why="a positive count of people")


class Cells:
    """Problems of one table's cells, one line each, with the rows they are in."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[str] = []

    def rows(self, key: str, frame: pd.DataFrame, bad: pd.Series, what) -> None:
        """Report the rows where ``bad`` holds: ``what(cell)`` says what is wrong with one."""
        hits = frame.index[bad.to_numpy(bool)]
        for i in hits[:SHOWN_ROWS]:
            self.errors.append(f"{self.path}: {key} (row {i + 2}): {what(frame.loc[i, key])}")
        if len(hits) > SHOWN_ROWS:
            self.errors.append(f"{self.path}: {key}: {len(hits) - SHOWN_ROWS} more such rows")

    def numbers(self, frame: pd.DataFrame, column: str, bounds: Bounds) -> pd.Series:
        """The column as floats; every cell that is not a number inside ``bounds`` reported."""
        text = frame[column].str.strip()
        values = pd.to_numeric(text, errors="coerce").astype(float)
        allowed = f"allowed: {bounds.describe()}"
        finite = np.isfinite(values)
        self.rows(column, frame, text == "", lambda _: f"empty; {allowed}")
        self.rows(
            column,
            frame,
            ~finite & (text != ""),
            lambda cell: f"{_short(cell)} is not a finite number; {allowed}",
        )
        low_ok = values > bounds.low if bounds.above else values >= bounds.low
        outside = finite & ~(low_ok & (values <= bounds.high))
        self.rows(column, frame, outside, lambda cell: f"{_short(cell)} is outside; {allowed}")
        if bounds.whole:
            fraction = finite & ~outside & (values % 1 != 0)
            self.rows(column, frame, fraction, lambda c: f"{_short(c)} is not whole; {allowed}")
        return values

    def texts(self, frame: pd.DataFrame, column: str, allowed: tuple[str, ...] = ()) -> None:
        """Report empty cells, and cells not in ``allowed`` when it is given."""
        text = frame[column].str.strip()
        self.rows(column, frame, text == "", lambda _: "empty; allowed: a name")
        if allowed:
            wrong = (text != "") & ~text.isin(allowed)
            choices = ", ".join(allowed)
            self.rows(column, frame, wrong, lambda c: f"{_short(c)} is not one of {choices}")

    def repeated(self, frame: pd.DataFrame, keys: list[str], what: str) -> None:
        """Report each row whose ``keys`` repeat an earlier row's (``what`` says which)."""
        later = frame.duplicated(keys, keep="first")
        if not later.any():
            return
        first = frame.reset_index().groupby(keys, sort=False)["index"].transform("first")
        first.index = frame.index  # transform keeps the positions of reset_index
        for i in frame.index[later.to_numpy()][:SHOWN_ROWS]:
            shown = " ".join(str(frame.loc[i, k]) for k in keys)
            self.errors.append(
                f"{self.path}: {', '.join(keys)} (row {i + 2}): {_short(shown)} repeats row "
                f"{first.loc[i] + 2}; allowed: {what}"
            )
        if later.sum() > SHOWN_ROWS:
            self.errors.append(f"{self.path}: {', '.join(keys)}: {later.sum() - SHOWN_ROWS} more")

    def check(self) -> None:
        """Raise every problem found, if any."""
        if self.errors:
            raise DataFileError(self.errors)


def consecutive(path: Path, key: str, years: np.ndarray) -> str | None:
    """An error line if sorted, distinct ``years`` skip one, else None."""
    gaps = np.flatnonzero(np.diff(years) != 1)
    if not len(gaps):
        return None
    after, before = int(years[gaps[0]]), int(years[gaps[0] + 1])
    return (
        f"{path}: {key}: no figure between {after} and {before}; allowed: consecutive years "
        "(years are looked up by their distance from the first)"
    )


# ---- the files -------------------------------------------------------------------------------
@functools.cache
def national_series(path: Path | None = None) -> pd.DataFrame:
    """The national series, one published figure per row, provenance columns kept.

    A series may have two figures for one year (conflicting sources are kept, each with its
    note), but not two identical rows. Values may be negative (percent changes); a fitted
    figure must be positive, which the targets check.

    Raises
    ------
    DataFileError
        One line per problem (see the module docstring).
    """
    path = path or data_dir() / "national_series.csv"
    frame = read_table(path, NATIONAL_COLUMNS, "national series file")
    cells = Cells(path)
    cells.texts(frame, "series")
    cells.texts(frame, "quality", QUALITIES)
    years = cells.numbers(frame, "year", YEAR)
    values = cells.numbers(frame, "value", Bounds(-VALUE_MAX, VALUE_MAX, why="finite"))
    cells.repeated(frame, list(frame.columns), "each figure once")
    cells.check()
    # provenance text as pandas reads it (an empty cell is missing); names without padding
    frame = frame.replace("", np.nan)
    names = {c: frame[c].str.strip() for c in ("series", "quality")}
    return frame.assign(year=years.astype(int), value=values, **names)


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


def yearly(name: str, path: Path | None = None) -> pd.Series:
    """One figure a year of a series the engines read: people, positive, consecutive years.

    Raises
    ------
    DataFileError
        If the series is absent, has two figures for a year, skips a year, or has a figure
        that is not a positive count of people (:data:`PEOPLE_MAX`).
    """
    path = path or data_dir() / "national_series.csv"
    frame = national_series(path)
    rows = frame[frame["series"] == name]
    if rows.empty:
        raise DataFileError(f"{path}: series: no series {name!r}; the model needs it")
    cells = Cells(path)
    # the checked frame holds floats: reported rows show the value the file gave
    shown = rows.astype({"value": str})
    cells.rows(
        "value",
        shown,
        ~rows["value"].between(0, PEOPLE_MAX, inclusive="right"),
        lambda c: f"{name} {c} is outside; allowed: {PEOPLE.describe()}",
    )
    cells.repeated(rows, ["series", "year"], f"one figure a year for {name}")
    cells.check()
    found = rows.set_index("year")["value"].sort_index()
    gap = consecutive(path, f"year ({name})", found.index.to_numpy())
    if gap:
        raise DataFileError(gap)
    return found


@functools.cache
def municipal_children(path: Path | None = None) -> pd.DataFrame:
    """Children aged 0-17 by municipality (rows) and year (columns).

    Raises
    ------
    DataFileError
        One line per problem: besides the common checks, a repeated municipality and year,
        a municipality missing in a year, or a year skipped.
    """
    path = path or data_dir() / "municipal_children.csv"
    frame = read_table(path, MUNICIPAL_COLUMNS, "municipal children file")
    cells = Cells(path)
    cells.texts(frame, "municipality")
    years = cells.numbers(frame, "year", YEAR)
    counts = cells.numbers(frame, "children_0_17", PEOPLE)
    cells.repeated(frame, ["municipality", "year"], "one row per municipality and year")
    cells.check()
    frame = frame.assign(year=years.astype(int), children_0_17=counts)
    wide = frame.pivot(index="municipality", columns="year", values="children_0_17")
    absent = wide.isna().stack()
    absent = absent[absent].index.tolist()
    lines = [
        f"{path}: municipality, year: no row for {_short(m)} in {y}; allowed: every "
        "municipality in every year"
        for m, y in absent[:SHOWN_ROWS]
    ]
    gap = consecutive(path, "year", np.asarray(wide.columns))
    if lines or gap:
        raise DataFileError(lines + [gap] * bool(gap))
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
    need : ndarray, shape ``(n_municipalities,)``, optional
        Relative need index per child of each municipality (children-weighted mean 1,
        :mod:`simulation.model.need`); None when the country has no need file (all 1).
    national_name : str
        Name of the single unit of a national run (the country's English name).
    """

    birth_years: np.ndarray
    births: np.ndarray
    municipalities: tuple[str, ...]
    share_years: np.ndarray
    shares: np.ndarray
    children_0_17: dict[int, float]
    need: np.ndarray | None = None
    national_name: str = NATIONAL_UNIT

    @property
    def relative_need(self) -> np.ndarray:
        """The need index along the municipal axis, ``(n_municipalities,)`` (ones without one)."""
        if self.need is None:
            return np.ones(len(self.municipalities))
        return self.need

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
def lithuania(national: Path | None = None, municipal: Path | None = None) -> Demography:
    """The Lithuanian demography from the shipped data (or from the files given).

    The optional need file (:data:`simulation.model.need.NEED_FILE`) is read from the folder
    of the municipal file (the shipped data folder by default).

    Raises
    ------
    DataFileError
        If a file fails its checks (see :func:`yearly`, :func:`municipal_children` and
        :func:`simulation.model.need.read_need`).
    """
    from simulation.model.need import need_index  # it reads its file with this module

    births = yearly("live_births", national)
    children = yearly("children_0_17_population", national)
    wide = municipal_children(municipal)
    years = np.array(sorted(wide.columns), dtype=int)
    counts = wide[years].to_numpy().T
    names = tuple(wide.index)
    shares = counts / counts.sum(axis=1, keepdims=True)
    folder = Path(municipal).parent if municipal else data_dir()
    return Demography(
        birth_years=births.index.to_numpy(dtype=int),
        births=births.to_numpy(),
        municipalities=names,
        share_years=years,
        shares=shares,
        children_0_17={int(y): float(v) for y, v in children.items()},
        need=need_index(folder, names, years, shares),
    )


def country_demography(country: str = DEFAULT_COUNTRY) -> Demography:
    """The demography of a shipped country (:func:`countries`), read from its data folder.

    Raises
    ------
    DataFileError
        For a country that is not shipped, or a file that fails its checks.
    """
    if country == DEFAULT_COUNTRY:
        return lithuania()
    if country not in countries():
        raise DataFileError(
            f"{data_dir(country)}: no such country; allowed: {', '.join(countries())}"
        )
    folder = data_dir(country)
    demography = lithuania(folder / COUNTRY_FILES[0], folder / COUNTRY_FILES[1])
    return replace(demography, national_name=display_name(country, "en"))


def country_children(country: str = DEFAULT_COUNTRY) -> pd.DataFrame:
    """Children aged 0-17 by unit and year of a shipped country (:func:`municipal_children`)."""
    if country == DEFAULT_COUNTRY:
        return municipal_children()
    return municipal_children(data_dir(country) / COUNTRY_FILES[1])
