"""Calibration targets: which published figures the model is fitted to, and how each maps to
model output.

A targets file (TOML, see ``calibration/targets.toml``) names a data file in the long format
of ``national_series.csv``, the scenario whose policy history produced the data, the free
parameters and the error model, and a list of ``[[target]]`` tables. Each target turns one or
more data series (summed year by year) into :class:`Point` objects, each paired with a model
output read from an SD (or rescaled ABM) result by :func:`predict`.

Model outputs
-------------
``families.<state>``, ``children.<state>`` and ``children.in_care`` are stocks read at a
decimal year (linear interpolation between month starts). A ``flows`` list sums flows over
a calendar year, counted in families or in children (families times the children per family
of the flow's source state).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.engines.results import EngineResult
from simulation.model.catalogue import REGISTRY
from simulation.model.demography import national_series
from simulation.model.flows import FLOW_INDEX, FLOWS
from simulation.model.states import STATE_KEYS
from simulation.model.vocabulary import START_YEAR
from simulation.workflow.scenarios import ScenarioError, read_toml
from simulation.workflow.tables import CARE_KEYS, children_per_family

QUALITIES = ("high", "medium", "low")
COUNTS = ("families", "children")
STOCK_OUTPUTS: tuple[str, ...] = (
    *(f"families.{k}" for k in STATE_KEYS),
    *(f"children.{k}" for k in STATE_KEYS),
    "children.in_care",
)
SECTIONS = {
    "calibration": {"name", "data", "scenario", "output", "end_year"},
    "fit": {"free", "starts", "seed"},
    "posterior": {"walkers", "steps", "burn", "thin", "predictive_draws"},
    "error": {"sigma"},
    "abm": {"replicates", "scale"},
    "target": {
        "name",
        "title",
        "series",
        "stock",
        "flows",
        "count",
        "years",
        "dates",
        "quality",
        "note",
        "unreached",
    },
}
DEFAULTS = {
    "starts": 8,
    "seed": 1,
    "walkers": 48,
    "steps": 600,
    "burn": 200,
    "thin": 5,
    "predictive_draws": 200,
    "abm_replicates": 3,
}
DEFAULT_ABM_SCALE = 0.2


class TargetsError(ScenarioError):
    """Problems in a targets file; ``errors`` holds one line per problem (reported like a
    scenario file's)."""


@dataclass(frozen=True)
class Point:
    """One published figure paired with a model output.

    Attributes
    ----------
    target : str
        Name of the target it belongs to.
    series : str
        Data series (``a+b`` when several are summed).
    year : int
        Year of the figure in the data file.
    time : float
        Decimal year the figure refers to (stocks) or the start of its calendar year (flows).
    value : float
        The figure, in the data file's unit.
    quality : {"high", "medium", "low"}
        Quality used for the error model (the lowest of summed series unless overridden).
    sigma : float
        Standard deviation of the log-normal measurement error.
    source : str
        Source titles of the figure.
    """

    target: str
    series: str
    year: int
    time: float
    value: float
    quality: str
    sigma: float
    source: str


@dataclass(frozen=True)
class Target:
    """A model output and the data points it is compared with."""

    name: str
    series: tuple[str, ...]
    stock: str | None
    flows: tuple[str, ...]
    count: str
    points: tuple[Point, ...]
    note: str = ""
    title: dict[str, str] = field(default_factory=dict)
    unreached: dict[int, str] = field(default_factory=dict)

    @property
    def output(self) -> str:
        """A readable name of the model output."""
        if self.stock:
            return self.stock
        return f"{self.count} per year: " + " + ".join(self.flows)


@dataclass
class Targets:
    """A parsed, validated targets file (see module docstring)."""

    path: Path
    name: str
    data: Path
    scenario: Path
    output: Path
    end_year: int
    free: list[str]
    sigma: dict[str, float]
    targets: list[Target]
    settings: dict[str, int] = field(default_factory=lambda: dict(DEFAULTS))
    abm_scale: float = DEFAULT_ABM_SCALE

    @property
    def points(self) -> list[Point]:
        """Every data point of every target, in file order."""
        return [p for t in self.targets for p in t.points]

    def before(self, year: int) -> Targets:
        """The same targets keeping only points from years before ``year`` (for holdout)."""
        kept = []
        for t in self.targets:
            points = tuple(p for p in t.points if p.year < year)
            if points:
                kept.append(replace(t, points=points))
        return replace(self, targets=kept, settings=dict(self.settings))


# ---- reading ------------------------------------------------------------------------------
class _Reader:
    """Collects every problem of a targets file as ``file: key: message`` lines."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[str] = []

    def error(self, key: str, message: str) -> None:
        self.errors.append(f"{self.path}: {key}: {message}")

    def keys(self, where: str, table: Mapping, allowed: set[str]) -> None:
        for key in table:
            if key not in allowed:
                near = REGISTRY.suggest(key, allowed)
                hint = f"did you mean {near[0]!r}?" if near else f"allowed: {sorted(allowed)}"
                self.error(f"{where}.{key}", f"unknown key ({hint})")

    def path_value(self, where: str, value: object, must_exist: bool = True) -> Path | None:
        if not isinstance(value, str) or not value:
            self.error(where, f"expected a path relative to the targets file, got {value!r}")
            return None
        resolved = (self.path.parent / value).resolve()
        if must_exist and not resolved.is_file():
            self.error(where, f"file not found: {resolved}")
            return None
        return resolved

    def integer(self, where: str, value: object, low: int, high: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error(where, f"expected a whole number in [{low}, {high}], got {value!r}")
            return None
        return value


def load(path: str | Path) -> Targets:
    """Read and validate a targets file.

    Raises
    ------
    TargetsError
        With one line per problem (file, key, what is allowed).
    DataFileError
        If the data file lacks the required columns.
    """
    path = Path(path)
    raw = read_toml(path, "targets file")
    if isinstance(raw, str):
        raise TargetsError([raw])
    check = _Reader(path)
    check.keys("", raw, set(SECTIONS))
    section = {s: raw.get(s, {}) for s in ("calibration", "fit", "posterior", "error", "abm")}
    for name, table in section.items():
        if not isinstance(table, dict):
            check.error(name, f"expected a table [{name}]")
            section[name] = {}
        else:
            check.keys(name, table, SECTIONS[name])
    cal = section["calibration"]
    for key in ("data", "scenario", "output"):
        if key not in cal:
            check.error(f"calibration.{key}", "missing (a path relative to the targets file)")
    data_path = check.path_value("calibration.data", cal.get("data", "")) if "data" in cal else None
    scenario_path = (
        check.path_value("calibration.scenario", cal.get("scenario")) if "scenario" in cal else None
    )
    output_path = (
        check.path_value("calibration.output", cal.get("output"), must_exist=False)
        if "output" in cal
        else None
    )
    end_year = check.integer("calibration.end_year", cal.get("end_year", 2025), START_YEAR, 2100)
    free = _free_parameters(check, section["fit"].get("free"))
    settings = dict(DEFAULTS)
    for table in ("fit", "posterior"):
        for key, value in section[table].items():
            if key in DEFAULTS:
                got = check.integer(f"{table}.{key}", value, 0 if key == "burn" else 1, 10**9)
                settings[key] = got if got is not None else settings[key]
    if settings["burn"] >= settings["steps"]:
        check.error("posterior.burn", f"must be below posterior.steps ({settings['steps']})")
    abm = section["abm"]
    if "replicates" in abm:
        got = check.integer("abm.replicates", abm["replicates"], 0, 1000)
        settings["abm_replicates"] = got if got is not None else settings["abm_replicates"]
    abm_scale = abm.get("scale", DEFAULT_ABM_SCALE)
    if (
        isinstance(abm_scale, bool)
        or not isinstance(abm_scale, int | float)
        or not (1e-4 <= abm_scale <= 1)
    ):
        check.error("abm.scale", f"expected a share of families in [0.0001, 1], got {abm_scale!r}")
        abm_scale = DEFAULT_ABM_SCALE
    sigma = _sigma(check, section["error"].get("sigma"))
    frame = national_series(data_path) if data_path else None
    entries = raw.get("target", [])
    if not isinstance(entries, list) or not entries:
        check.error("target", "expected at least one [[target]] table")
        entries = []
    targets = [_target(check, i, e, frame, sigma, end_year) for i, e in enumerate(entries)]
    names = [t.name for t in targets if t is not None]
    for name in {n for n in names if names.count(n) > 1}:
        check.error("target.name", f"{name!r} is used twice")
    if check.errors:
        raise TargetsError(check.errors)
    return Targets(
        path=path,
        name=str(cal.get("name", path.stem)),
        data=data_path,
        scenario=scenario_path,
        output=output_path,
        end_year=end_year,
        free=free,
        sigma=sigma,
        targets=[t for t in targets if t is not None],
        settings=settings,
        abm_scale=float(abm_scale),
    )


def _free_parameters(check: _Reader, free: object) -> list[str]:
    if not isinstance(free, list) or not free or not all(isinstance(n, str) for n in free):
        check.error("fit.free", "expected a non-empty list of parameter names")
        return []
    names = []
    for name in free:
        if name not in REGISTRY:
            check.error("fit.free", REGISTRY.unknown_message(name))
        elif "sd" not in REGISTRY[name].engines:
            check.error("fit.free", f"{name!r} does not change the SD engine's output")
        elif REGISTRY[name].range[0] == REGISTRY[name].range[1]:
            check.error("fit.free", f"{name!r} has an empty range; nothing to fit")
        else:
            names.append(name)
    if len(set(names)) != len(names):
        check.error("fit.free", "a parameter is listed twice")
    return names


def _sigma(check: _Reader, sigma: object) -> dict[str, float]:
    if not isinstance(sigma, dict) or set(sigma) != set(QUALITIES):
        check.error("error.sigma", f"expected a table with exactly the keys {list(QUALITIES)}")
        return {q: 0.1 for q in QUALITIES}
    out = {}
    for q, v in sigma.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 < v <= 5:
            check.error(f"error.sigma.{q}", f"expected a number in (0, 5], got {v!r}")
            v = 0.1
        out[q] = float(v)
    return out


def _target(
    check: _Reader,
    index: int,
    entry: object,
    frame: pd.DataFrame | None,
    sigma: Mapping[str, float],
    end_year: int,
) -> Target | None:
    where = f"target[{index}]"
    if not isinstance(entry, dict):
        check.error(where, "expected a table")
        return None
    check.keys(where, entry, SECTIONS["target"])
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        check.error(f"{where}.name", "expected a name")
        name = where
    where = f"target.{name}"
    series = entry.get("series")
    series = (series,) if isinstance(series, str) else series
    if not isinstance(series, list | tuple) or not series:
        check.error(f"{where}.series", "expected a series name or a list of them")
        series = ()
    stock, flows = entry.get("stock"), entry.get("flows")
    count = entry.get("count", "children")
    if (stock is None) == (flows is None):
        check.error(where, "give exactly one of 'stock' (a state stock) and 'flows' (a list)")
    if stock is not None and stock not in STOCK_OUTPUTS:
        near = REGISTRY.suggest(str(stock), STOCK_OUTPUTS)
        check.error(f"{where}.stock", f"unknown output {stock!r}; allowed: {near or STOCK_OUTPUTS}")
    flows = tuple(flows or ())
    for f in flows:
        if f not in FLOW_INDEX:
            check.error(f"{where}.flows", f"unknown flow {f!r}; allowed: {list(FLOW_INDEX)}")
    if count not in COUNTS:
        check.error(f"{where}.count", f"expected one of {COUNTS}, got {count!r}")
    years = entry.get("years")
    if not isinstance(years, list) or not years or not all(isinstance(y, int) for y in years):
        check.error(f"{where}.years", "expected a non-empty list of years")
        years = []
    dates = entry.get("dates", {})
    quality = entry.get("quality")
    if quality is not None and quality not in QUALITIES:
        check.error(f"{where}.quality", f"expected one of {QUALITIES}, got {quality!r}")
        quality = None
    points = []
    for year in years:
        time = _time(check, where, year, dates, stock is not None, end_year)
        point = _point(check, where, name, series, year, frame, quality, sigma, time)
        if point is not None:
            points.append(point)
    note = " ".join(str(entry.get("note", "")).split())
    title = entry.get("title", {})
    if not isinstance(title, dict) or not set(title) <= {"lt", "en"}:
        check.error(f"{where}.title", "expected a table with 'lt' and/or 'en' strings")
        title = {}
    unreached = entry.get("unreached", {})
    if not isinstance(unreached, dict) or not all(
        k.isdigit() and int(k) in years and isinstance(v, str) for k, v in unreached.items()
    ):
        check.error(
            f"{where}.unreached",
            'expected a table {year = "why the model misses it"} of fitted years',
        )
        unreached = {}
    unreached = {int(k): " ".join(v.split()) for k, v in unreached.items()}
    return Target(
        name, tuple(series), stock, flows, count, tuple(points), note, dict(title), unreached
    )


def _time(
    check: _Reader, where: str, year: int, dates: object, is_stock: bool, end_year: int
) -> float:
    if not isinstance(dates, dict):
        check.error(f"{where}.dates", "expected a table {year = decimal year}")
        dates = {}
    time = dates.get(str(year), year + 1.0 if is_stock else float(year))
    last = end_year + 1.0 if is_stock else float(end_year)
    if (
        isinstance(time, bool)
        or not isinstance(time, int | float)
        or not START_YEAR <= time <= last
    ):
        check.error(
            f"{where}.dates.{year}",
            f"the figure must refer to a time in [{START_YEAR}, {last:g}] (calibration.end_year "
            f"{end_year}), got {time!r}",
        )
        return float(START_YEAR)
    return float(time)


def _point(check, where, name, series, year, frame, quality, sigma, time) -> Point | None:
    if frame is None or not series:
        return None
    values, qualities, sources = [], [], []
    for s in series:
        rows = frame[(frame["series"] == s) & (frame["year"] == year)]
        if rows.empty:
            known = frame["series"].unique().tolist()
            hint = "" if s in known else f" (no series {s!r}; near: {REGISTRY.suggest(s, known)})"
            check.error(f"{where}.years", f"no figure for {s} in {year}{hint}")
            return None
        row = rows.iloc[0]
        values.append(float(row["value"]))
        qualities.append(str(row["quality"]))
        sources.append(str(row["source_title"]))
    bad = [q for q in qualities if q not in QUALITIES]
    if bad:
        check.error(f"{where}.years", f"quality {bad[0]!r} in the data file; allowed {QUALITIES}")
        return None
    if not sum(values) > 0:  # also catches NaN
        check.error(
            f"{where}.years",
            f"{'+'.join(series)} in {year} is {sum(values)!r}: the log-normal error model needs "
            "a positive figure",
        )
        return None
    worst = max(qualities, key=QUALITIES.index)
    quality = quality or worst
    return Point(
        target=name,
        series="+".join(series),
        year=year,
        time=time,
        value=sum(values),
        quality=quality,
        sigma=sigma[quality],
        source="; ".join(dict.fromkeys(sources)),
    )


# ---- model output --------------------------------------------------------------------------
def _interpolate(times: np.ndarray, values: np.ndarray, at: float) -> np.ndarray:
    """Values (T, K) linearly interpolated at decimal year ``at`` -> (K,)."""
    i = int(np.clip(np.searchsorted(times, at, side="right") - 1, 0, len(times) - 2))
    w = (at - times[i]) / (times[i + 1] - times[i])
    return (1.0 - w) * values[i] + w * values[i + 1]


def stock_series(result: EngineResult, params: Mapping[str, object], output: str) -> np.ndarray:
    """A stock output over time, national, shape ``(T, K)``."""
    stocks = result.saved["stocks"].sum(axis=2)  # (T, K, S)
    kind, _, state = output.partition(".")
    if kind == "children":
        if "children" in result.saved:  # the agent-based engine counts children directly
            stocks = result.saved["children"].sum(axis=2)
        else:
            stocks = stocks * children_per_family(params)[None, ...]
    if state == "in_care":
        return sum(stocks[..., STATE_KEYS.index(k)] for k in CARE_KEYS)
    return stocks[..., STATE_KEYS.index(state)]


def flow_totals(
    result: EngineResult, params: Mapping[str, object], flows: Sequence[str], count: str
) -> np.ndarray:
    """Cumulative sum of ``flows`` from the start, national, shape ``(T, K)``."""
    cum = result.saved["flows"].sum(axis=2)  # (T, K, F)
    kids = children_per_family(params)  # (S,) or (K, S)
    total = 0.0
    for name in flows:
        flow = FLOWS[FLOW_INDEX[name]]
        series = cum[..., FLOW_INDEX[name]]
        if count == "children":
            series = series * np.asarray(kids)[..., int(flow.source)]
        total = total + series
    return total


def predict(result: EngineResult, params: Mapping[str, object], targets: Sequence[Target]):
    """Model values at every data point, shape ``(K, n_points)`` in the order of the
    targets' points."""
    columns = []
    for t in targets:
        if t.stock:
            values = stock_series(result, params, t.stock)
            columns += [_interpolate(result.times, values, p.time) for p in t.points]
        else:
            values = flow_totals(result, params, t.flows, t.count)
            for p in t.points:
                columns.append(
                    _interpolate(result.times, values, p.time + 1.0)
                    - _interpolate(result.times, values, p.time)
                )
    return np.stack(columns, axis=-1)


def trajectory(result: EngineResult, params: Mapping[str, object], target: Target):
    """The target's model output for plotting: decimal years and values ``(T', K)`` (stocks
    at every saved time; flows as calendar-year totals, placed at mid-year)."""
    if target.stock:
        return result.times, stock_series(result, params, target.stock)
    cum = flow_totals(result, params, target.flows, target.count)
    first = int(np.ceil(result.times[0] - 1e-9))
    years = np.arange(first, int(result.times[-1] + 1e-9))
    totals = np.stack(
        [
            _interpolate(result.times, cum, y + 1.0) - _interpolate(result.times, cum, y)
            for y in years
        ]
    )
    return years + 0.5, totals


def points_frame(points: Sequence[Point]) -> pd.DataFrame:
    """The data points as a table (one row per point)."""
    return pd.DataFrame([p.__dict__ for p in points])
