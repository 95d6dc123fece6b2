"""Reading and validating a targets file.

Every problem is reported at once, each as one line
``file: key: what is wrong and what is allowed``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pandas as pd

from simulation.analysis.targets import definitions as d
from simulation.model.catalogue import REGISTRY
from simulation.model.demography import YEARS, DataFileError, national_series
from simulation.model.vocabulary import LAST_YEAR, START_YEAR
from simulation.workflow.inputs import Problems, near_names, read_toml, safe_name, shown
from simulation.workflow.tables import COUNTED_FLOWS, STOCK_OUTPUTS

TABLES = ("calibration", "fit", "posterior", "error", "abm")


def load(path: str | Path) -> d.Targets:
    """Read and validate a targets file.

    Raises
    ------
    d.TargetsError
        With one line per problem (file, key, what is allowed).
        The data file's problems are among them (each naming the data file).
    """
    path = Path(path)
    raw = read_toml(path, "targets file")
    if isinstance(raw, str):
        raise d.TargetsError([raw])
    check = Problems(path)
    check.keys("", raw, d.SECTIONS)
    section = {name: check.table(name, raw.get(name, {})) for name in TABLES}
    for name, table in section.items():
        check.keys(name, table, d.SECTIONS[name])
    cal = section["calibration"]
    files = _files(check, cal)
    end_year = _end_year(check, cal)
    free = _free_parameters(check, section["fit"].get("free"))
    settings, abm_scale = _settings(check, section)
    sigma = _sigma(check, section["error"].get("sigma"))
    frame = _data(check, files["data"])
    # an unreadable end year is reported once; the dates are then checked against the last
    # year the model runs to, not against a stand-in that would fault every date
    targets = _targets(check, raw.get("target", []), frame, sigma, end_year or LAST_YEAR)
    # a name is part of the results folder's path; without one, the file's made safe
    name = check.name("calibration.name", cal.get("name", safe_name(path.stem))) or ""
    if check.errors:
        raise d.TargetsError(check.errors)
    return d.Targets(
        path=path,
        name=name,
        **files,
        end_year=end_year,
        free=free,
        sigma=sigma,
        targets=targets,
        settings=settings,
        abm_scale=abm_scale,
    )


def check_overrides(targets: d.Targets, overrides: Mapping[str, int]) -> dict[str, int]:
    """The file's sampler settings with command-line ``overrides``, checked before any work.

    Parameters
    ----------
    overrides : mapping
        Settings given on the command line (``steps``, ``burn``, ``walkers``...), by their
        names in :data:`definitions.LIMITS`.

    Raises
    ------
    d.TargetsError
        One line per problem, naming the option (``--steps 5``) or the file's key.
    """
    settings = {**targets.settings, **overrides}

    def origin(key: str) -> str:
        if key in overrides:
            return f"--{key.replace('_', '-')} {settings[key]}"
        return f"{targets.path}: {d.SETTING_KEYS[key]}"

    errors = []
    for key, value in overrides.items():
        low, high = d.LIMITS[key]
        if not low <= value <= high:
            errors.append(f"{origin(key)}: outside [{low:,}, {high:,}]")
    if not errors:
        errors = [f"{origin(key)}: {message}" for key, message in d.sampler_problems(settings)]
    if errors:
        raise d.TargetsError(errors)
    return settings


# ---- the sections ---------------------------------------------------------------------------
def _files(check: Problems, cal: Mapping) -> dict[str, Path | None]:
    """The data file, the scenario and the output, relative to the targets file."""
    files: dict[str, Path | None] = {}
    for key in ("data", "scenario", "output"):
        if key not in cal:
            check.error(f"calibration.{key}", "missing (a path relative to the targets file)")
            files[key] = None
        else:
            files[key] = check.relative_path(
                f"calibration.{key}", cal[key], must_exist=key != "output"
            )
    return files


def _data(check: Problems, path: Path | None) -> pd.DataFrame | None:
    """The checked data file, or None after recording its problems."""
    if path is None:
        return None
    try:
        return national_series(path)
    except DataFileError as exc:
        check.errors += exc.errors
        return None


def _end_year(check: Problems, cal: Mapping) -> int | None:
    return check.integer("calibration.end_year", cal.get("end_year", 2025), START_YEAR, LAST_YEAR)


def _settings(check: Problems, section: Mapping[str, Mapping]) -> tuple[dict[str, int], float]:
    """Sampler settings (``[fit]``, ``[posterior]``, ``[abm]``) and the ABM check's scale."""
    settings = dict(d.DEFAULTS)
    given = {**section["fit"], **section["posterior"]}
    if "replicates" in section["abm"]:
        given["abm_replicates"] = section["abm"]["replicates"]
    valid = True
    for key, where in d.SETTING_KEYS.items():
        if key in given:
            got = check.integer(where, given[key], *d.LIMITS[key])
            valid = valid and got is not None
            settings[key] = got if got is not None else settings[key]
    for key, message in d.sampler_problems(settings) if valid else ():
        check.error(d.SETTING_KEYS[key], message)
    abm = section["abm"]
    scale = check.number("abm.scale", abm.get("scale", d.DEFAULT_ABM_SCALE), 1e-4, 1.0)
    return settings, d.DEFAULT_ABM_SCALE if scale is None else scale


def _free_parameters(check: Problems, free: object) -> list[str]:
    if not isinstance(free, list) or not free or not all(isinstance(n, str) for n in free):
        check.error("fit.free", "expected a non-empty list of parameter names")
        return []
    names = []
    for name in free:
        if name not in REGISTRY:
            check.error("fit.free", REGISTRY.unknown_message(name))
        elif not {"sd", "measurement"} & set(REGISTRY[name].engines):
            check.error("fit.free", f"{name!r} changes neither the SD engine's output nor a count")
        elif REGISTRY[name].range[0] == REGISTRY[name].range[1]:
            check.error("fit.free", f"{name!r} has an empty range; nothing to fit")
        else:
            names.append(name)
    if len(set(names)) != len(names):
        check.error("fit.free", "a parameter is listed twice")
    return names


def _sigma(check: Problems, sigma: object) -> dict[str, float]:
    if not isinstance(sigma, dict) or set(sigma) != set(d.QUALITIES):
        check.error("error.sigma", f"expected a table with exactly the keys {list(d.QUALITIES)}")
        return dict.fromkeys(d.QUALITIES, 0.1)
    out = {}
    for q, v in sigma.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 < v <= 5:
            check.error(f"error.sigma.{q}", f"expected a number in (0, 5], got {v!r}")
            v = 0.1
        out[q] = float(v)
    return out


# ---- the targets ----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Spec:
    """What a target says about its points: where to report, its name, series and quality."""

    where: str
    name: str
    series: tuple[str, ...]
    quality: str | None
    is_stock: bool


def _targets(check, entries: object, frame, sigma, end_year: int) -> list[d.Target]:
    if not isinstance(entries, list) or not entries:
        check.error("target", "expected at least one [[target]] table")
        return []
    targets = [_target(check, i, e, frame, sigma, end_year) for i, e in enumerate(entries)]
    names = [t.name for t in targets if t is not None]
    for name in {n for n in names if names.count(n) > 1}:
        check.error("target.name", f"{name!r} is used twice")
    return [t for t in targets if t is not None]


def _target(
    check: Problems, index: int, entry: object, frame, sigma: Mapping, end_year: int
) -> d.Target | None:
    if not isinstance(entry, dict):
        check.error(f"target[{index}]", "expected a table")
        return None
    check.keys(f"target[{index}]", entry, d.SECTIONS["target"])
    name = entry.get("name")
    if name is None:
        check.error(f"target[{index}].name", "missing; every target needs a name")
    else:
        name = check.name(f"target[{index}].name", name)  # part of a chart's file name
    name = name or f"target[{index}]"
    where = f"target.{name}"
    stock, flows, count = _output(check, where, entry)
    spec = _Spec(
        where, name, _series(check, where, entry), _quality(check, where, entry), "stock" in entry
    )
    years = entry.get("years")
    if (
        not isinstance(years, list)
        or not years
        or not all(type(y) is int and YEARS[0] <= y <= YEARS[1] for y in years)
    ):
        check.error(f"{where}.years", f"expected a non-empty list of years in {list(YEARS)}")
        years = []
    dates = entry.get("dates", {})
    if not isinstance(dates, dict):
        check.error(f"{where}.dates", "expected a table {year = decimal year}")
        dates = {}
    points = []
    for year in years:
        point = _point(check, spec, year, _time(check, spec, year, dates, end_year), frame, sigma)
        if point is not None:
            points.append(point)
    note = " ".join(str(entry.get("note", "")).split())
    title, unreached = _title(check, where, entry), _unreached(check, where, entry, years)
    per_family = _per_family(check, where, entry, stock)
    return d.Target(
        name, spec.series, stock, flows, count, tuple(points), note, title, unreached, per_family
    )


def _per_family(check: Problems, where: str, entry: Mapping, stock: str | None) -> tuple:
    """``per_family = [[decimal year, children per family], ...]`` for a families stock."""
    path = entry.get("per_family")
    if path is None:
        return ()
    allowed = "expected [[decimal year, children per family], ...] in increasing years"
    if not (stock or "").startswith("families."):
        check.error(f"{where}.per_family", "only for a 'families.<state>' stock")
        return ()
    ok = (
        isinstance(path, list)
        and path
        and all(
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in pair)
            and START_YEAR <= pair[0] <= LAST_YEAR + 1
            and 0 < pair[1] <= 20
            for pair in path
        )
    )
    if not ok or any(a[0] >= b[0] for a, b in pairwise(path)):
        check.error(f"{where}.per_family", allowed)
        return ()
    return tuple((float(t), float(r)) for t, r in path)


def _series(check: Problems, where: str, entry: Mapping) -> tuple[str, ...]:
    series = entry.get("series")
    series = [series] if isinstance(series, str) else series
    if (
        not isinstance(series, list)
        or not series
        or not all(isinstance(s, str) and s for s in series)
        or len(set(series)) != len(series)
    ):
        check.error(
            f"{where}.series",
            f"expected a series name or a list of different names, got {shown(series)}",
        )
        return ()
    return tuple(series)


def _output(check: Problems, where: str, entry: Mapping) -> tuple[str | None, tuple, str]:
    """The model output: a stock, or flows counted in families or children."""
    stock, flows = entry.get("stock"), entry.get("flows")
    count = entry.get("count", "children")
    if (stock is None) == (flows is None):
        check.error(where, "give exactly one of 'stock' (a state stock) and 'flows' (a list)")
    if stock is not None and (not isinstance(stock, str) or stock not in STOCK_OUTPUTS):
        near = near_names(str(stock), STOCK_OUTPUTS)
        check.error(
            f"{where}.stock", f"unknown output {shown(stock)}; allowed: {near or STOCK_OUTPUTS}"
        )
        stock = None
    if flows is not None and (
        not isinstance(flows, list) or not flows or not all(isinstance(f, str) for f in flows)
    ):
        check.error(
            f"{where}.flows", f"expected a non-empty list of flow names, got {shown(flows)}"
        )
        flows = []
    flows = tuple(flows or ())
    for f in flows:
        if f not in COUNTED_FLOWS:
            check.error(
                f"{where}.flows", f"unknown flow {shown(f)}; allowed: {list(COUNTED_FLOWS)}"
            )
    if not isinstance(count, str) or count not in d.COUNTS:
        check.error(f"{where}.count", f"expected one of {d.COUNTS}, got {shown(count)}")
        count = "children"
    return stock, flows, count


def _quality(check: Problems, where: str, entry: Mapping) -> str | None:
    quality = entry.get("quality")
    if quality is not None and (not isinstance(quality, str) or quality not in d.QUALITIES):
        check.error(f"{where}.quality", f"expected one of {d.QUALITIES}, got {shown(quality)}")
        return None
    return quality


def _title(check: Problems, where: str, entry: Mapping) -> dict[str, str]:
    title = entry.get("title", {})
    if (
        not isinstance(title, dict)
        or not set(title) <= {"lt", "en"}
        or not all(isinstance(t, str) for t in title.values())
    ):
        check.error(f"{where}.title", "expected a table with 'lt' and/or 'en' strings")
        return {}
    return dict(title)


def _unreached(check: Problems, where: str, entry: Mapping, years: list) -> dict[int, str]:
    unreached = entry.get("unreached", {})
    if not isinstance(unreached, dict) or not all(
        k.isdigit() and int(k) in years and isinstance(v, str) for k, v in unreached.items()
    ):
        check.error(
            f"{where}.unreached",
            'expected a table {year = "why the model misses it"} of fitted years',
        )
        return {}
    return {int(k): " ".join(v.split()) for k, v in unreached.items()}


def _time(check: Problems, spec: _Spec, year: int, dates: Mapping, end_year: int) -> float:
    """The decimal year a figure refers to.

    31 December for stocks unless dated, the start of its calendar year for flows.
    """
    time = dates.get(str(year), year + 1.0 if spec.is_stock else float(year))
    last = end_year + 1.0 if spec.is_stock else float(end_year)
    if (
        isinstance(time, bool)
        or not isinstance(time, int | float)
        or not START_YEAR <= time <= last
    ):
        check.error(
            f"{spec.where}.dates.{year}",
            f"the figure must refer to a time in [{START_YEAR}, {last:g}] (calibration.end_year "
            f"{end_year}), got {time!r}",
        )
        return float(START_YEAR)
    return float(time)


def _figures(check: Problems, spec: _Spec, year: int, frame: pd.DataFrame):
    """The rows of the target's series in ``year``, or None after reporting a missing one."""
    rows = []
    for s in spec.series:
        found = frame[(frame["series"] == s) & (frame["year"] == year)]
        if found.empty:
            known = frame["series"].unique().tolist()
            hint = "" if s in known else f" (no series {s!r}; near: {near_names(s, known)})"
            check.error(f"{spec.where}.years", f"no figure for {s} in {year}{hint}")
            return None
        if len(found) > 1:  # the data keep conflicting sources; a fit must not pick one
            at = ", ".join(str(i + 2) for i in found.index)
            check.error(
                f"{spec.where}.years",
                f"{len(found)} figures for {s} in {year} (data rows {at}); allowed: one "
                "figure per fitted series and year (leave the year out, or keep one row)",
            )
            return None
        rows.append(found.iloc[0])
    return rows


def _point(check, spec: _Spec, year: int, time: float, frame, sigma) -> d.Point | None:
    if frame is None or not spec.series:
        return None
    rows = _figures(check, spec, year, frame)
    if rows is None:
        return None
    values = [float(row["value"]) for row in rows]
    qualities = [str(row["quality"]) for row in rows]
    bad = [q for q in qualities if q not in d.QUALITIES]
    if bad:
        check.error(
            f"{spec.where}.years", f"quality {bad[0]!r} in the data file; allowed {d.QUALITIES}"
        )
        return None
    if not sum(values) > 0:  # also catches NaN
        check.error(
            f"{spec.where}.years",
            f"{'+'.join(spec.series)} in {year} is {sum(values)!r}: the log-normal error model "
            "needs a positive figure",
        )
        return None
    quality = spec.quality or max(qualities, key=d.QUALITIES.index)
    return d.Point(
        target=spec.name,
        series="+".join(spec.series),
        year=year,
        time=time,
        value=sum(values),
        quality=quality,
        sigma=sigma[quality],
        source="; ".join(dict.fromkeys(str(row["source_title"]) for row in rows)),
    )
