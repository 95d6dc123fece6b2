"""Synthetic calibration problems: targets files whose data are the model's own output.

Data simulated from known parameter values, without noise, must be fitted back to those
values (the known-answer test of a calibration). Shared by the calibration tests.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulation.analysis import calibration as cal
from simulation.analysis import targets as tg
from simulation.workflow import scenarios as scenario_mod

HEADER = """
[calibration]
name = "{name}"
data = "data.csv"
scenario = "{scenario}"
output = "calibrated.toml"
end_year = 2016

[fit]
free = {free}
starts = 2
seed = {seed}

[posterior]
walkers = 12
steps = 160
burn = 60
thin = 2
predictive_draws = 40

[error]
sigma = {{ high = 0.05, medium = 0.10, low = 0.25 }}
"""
#: A target both synthetic problems fit: children in institutions, series "inst".
INSTITUTIONS = """
[[target]]
name = "institutions"
series = "inst"
stock = "children.institutional_care"
years = [2009, 2011, 2013, 2015]
"""
INSTITUTION_YEARS = (2009, 2011, 2013, 2015)
COLUMNS = "series,year,value,unit,quality,source_title,source_url,note\n"


def targets_text(name: str, scenario: Path, truth: dict, seed: int, targets: str) -> str:
    """A targets file: the shared settings, ``truth``'s names free, then ``targets``."""
    free = "[" + ", ".join(f'"{n}"' for n in truth) + "]"
    header = HEADER.format(name=name, scenario=scenario.as_posix(), free=free, seed=seed)
    return header + targets


def write_data(path: Path, series: dict[str, tuple[int, ...]], values: dict | None = None):
    """A data file with one row per (series, year): 1, or the value in ``values``."""
    rows = [
        f"{name},{year},{(values or {}).get((name, year), 1.0)!r},count,high,synthetic,,\n"
        for name, years in series.items()
        for year in years
    ]
    path.write_text(COLUMNS + "".join(rows), encoding="utf-8")


def make(folder: Path, text: str, series: dict, scenario: Path, truth: dict) -> Path:
    """Write ``text`` and data equal to the model's output at ``truth``; the file's path."""
    path = folder / "targets.toml"
    path.write_text(text, encoding="utf-8")
    write_data(folder / "data.csv", series)
    tg.national_series.cache_clear()
    targets = tg.load(path)
    problem = cal.Problem(targets, scenario_mod.load(scenario))
    model = problem.predict(np.array([truth[n] for n in problem.names]))[0]
    values = {(p.series, p.year): float(m) for p, m in zip(targets.points, model, strict=True)}
    write_data(folder / "data.csv", series, values)
    tg.national_series.cache_clear()
    return path
