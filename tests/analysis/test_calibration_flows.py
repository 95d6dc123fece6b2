"""Calibration to flows: synthetic recovery of the parameters the entries into care identify.

Entries into care (with the short placements they count), new family placements and the
stocks in each kind of care separate how many children enter care from how long they stay,
in families and in institutions. Data simulated from known values of the three parameters
that only these flows identify are fitted back inside their 90% posterior intervals.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulation.analysis import calibration as cal
from simulation.analysis import targets as tg
from simulation.workflow import scenarios as scenario_mod
from tests.conftest import REPO

BASELINE = REPO / "scenarios" / "baseline.toml"
TRUTH = {
    "reunification_rate": 0.2,
    "institution_reunification_ratio": 0.6,
    "short_placement_share": 0.4,
}
SERIES = {
    "inst": (2009, 2011, 2013, 2015),
    "family": (2010, 2014),
    "entries": (2011, 2014),
    "new_family": (2013,),
}
TEXT = """
[calibration]
name = "flows"
data = "data.csv"
scenario = "{scenario}"
output = "calibrated.toml"
end_year = 2016

[fit]
free = ["reunification_rate", "institution_reunification_ratio", "short_placement_share"]
starts = 2
seed = 5

[posterior]
walkers = 12
steps = 160
burn = 60
thin = 2
predictive_draws = 40

[error]
sigma = {{ high = 0.05, medium = 0.10, low = 0.25 }}

[[target]]
name = "institutions"
series = "inst"
stock = "children.institutional_care"
years = [2009, 2011, 2013, 2015]

[[target]]
name = "family"
series = "family"
stock = "children.family_care"
years = [2010, 2014]

[[target]]
name = "entries"
series = "entries"
flows = ["placement_family", "placement_institution", "short_placement"]
years = [2011, 2014]

[[target]]
name = "new_family"
series = "new_family"
flows = ["placement_family", "deinstitutionalisation"]
years = [2013]
"""
COLUMNS = "series,year,value,unit,quality,source_title,source_url,note\n"


def _write_data(path: Path, values: dict | None = None) -> None:
    rows = [
        f"{series},{year},{(values or {}).get((series, year), 1.0)!r},count,high,synthetic,,\n"
        for series, years in SERIES.items()
        for year in years
    ]
    path.write_text(COLUMNS + "".join(rows), encoding="utf-8")


@pytest.fixture(scope="module")
def flows_targets(tmp_path_factory) -> Path:
    """A targets file whose data are the model's own output at TRUTH (no noise)."""
    folder = tmp_path_factory.mktemp("flows")
    path = folder / "targets.toml"
    path.write_text(TEXT.format(scenario=BASELINE.as_posix()), encoding="utf-8")
    _write_data(folder / "data.csv")
    tg.national_series.cache_clear()
    targets = tg.load(path)
    problem = cal.Problem(targets, scenario_mod.load(BASELINE))
    model = problem.predict(np.array([TRUTH[n] for n in problem.names]))[0]
    values = {(p.series, p.year): float(m) for p, m in zip(targets.points, model, strict=True)}
    _write_data(folder / "data.csv", values)
    tg.national_series.cache_clear()
    return path


def test_short_placements_count_only_in_the_entries(flows_targets):
    targets = tg.load(flows_targets)
    problem = cal.Problem(targets, scenario_mod.load(BASELINE))
    low, high = dict(TRUTH), {**TRUTH, "short_placement_share": 0.8}
    both = problem.predict(np.array([[v[n] for n in problem.names] for v in (low, high)]))
    changed = [p.target for p, a, b in zip(targets.points, *both, strict=True) if a != b]
    assert set(changed) == {"entries"}
    assert np.all(
        both[1][[p.target == "entries" for p in targets.points]]
        > both[0][[p.target == "entries" for p in targets.points]]
    )


@pytest.mark.slow
def test_flow_parameters_are_fitted_back_inside_their_posterior_90_intervals(flows_targets):
    result = cal.run_calibration(tg.load(flows_targets))
    table = result.table.set_index("parameter")
    for name, truth in TRUTH.items():
        row = table.loc[name]
        assert row.q05 <= truth <= row.q95, (name, truth, row.q05, row.q95)
        assert abs(row.best - truth) < 0.01 * (row.prior_high - row.prior_low), (name, row.best)
    assert result.fit.cost < 1e-6
