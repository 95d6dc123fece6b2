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
from tests.analysis import synthetic_targets as st
from tests.conftest import REPO

BASELINE = REPO / "scenarios" / "baseline.toml"
TRUTH = {
    "reunification_rate": 0.2,
    "institution_reunification_ratio": 0.6,
    "short_placement_share": 0.4,
}
SERIES = {
    "inst": st.INSTITUTION_YEARS,
    "family": (2010, 2014),
    "entries": (2011, 2014),
    "new_family": (2013,),
}
TARGETS = (
    st.INSTITUTIONS
    + """
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
)


@pytest.fixture(scope="module")
def flows_targets(tmp_path_factory) -> Path:
    """A targets file whose data are the model's own output at TRUTH (no noise)."""
    text = st.targets_text("flows", BASELINE, TRUTH, 5, TARGETS)
    return st.make(tmp_path_factory.mktemp("flows"), text, SERIES, BASELINE, TRUTH)


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
