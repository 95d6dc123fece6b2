"""The shared uncertainty: history-matched draws, drawn until enough match the data."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.analysis import monte_carlo as mc
from simulation.workflow import ensembles as ens
from simulation.workflow.scenarios import load
from tests.conftest import REPO

BASELINE = REPO / "scenarios" / "baseline.toml"
SCENARIO = REPO / "scenarios" / "early_intervention.toml"
TARGETS = REPO / "calibration" / "targets.toml"


@pytest.fixture(scope="module")
def scenarios():
    return load(BASELINE), load(SCENARIO)


def test_draws_are_made_until_enough_match_the_data(scenarios):
    base, early = scenarios
    kept = mc.plausible_draws(base, [early], 30, 11, TARGETS)
    assert kept.kept == len(kept.table) == 30
    assert kept.drawn % 30 == 0
    assert kept.drawn > 30
    assert (kept.distance < mc.CUTOFF).all()
    # the kept draws are consistent with the data when checked again, from scratch
    again = mc.past_implausibility(base, kept.table, TARGETS)
    np.testing.assert_allclose(again, kept.distance, rtol=1e-12)
    # the first round is the Latin hypercube of the seed, filtered in draw order
    names = list(kept.table.columns)
    first = ens.sample_parameters(names, 30, 11)[names]
    good = mc.past_implausibility(base, first, TARGETS) < mc.CUTOFF
    n = int(good.sum())
    np.testing.assert_array_equal(kept.table.iloc[:n].to_numpy(), first[good].to_numpy())


def test_the_same_request_gives_the_same_draws(scenarios):
    base, early = scenarios
    a = mc.plausible_draws(base, [early], 25, 3, TARGETS)
    b = mc.plausible_draws(base, [early], 25, 3, TARGETS)
    np.testing.assert_array_equal(a.table.to_numpy(), b.table.to_numpy())
    assert a.describe().startswith("25 draws kept of")


def test_too_few_consistent_draws_is_an_error(scenarios, tmp_path, monkeypatch):
    base, early = scenarios
    data = (REPO / "calibration" / "data" / "national_series.csv").read_text(encoding="utf-8")
    lines = data.splitlines()
    # every figure 100 times larger: no draw's past can match
    scaled = [lines[0]]
    for line in lines[1:]:
        series, year, value, rest = line.split(",", 3)
        scaled.append(f"{series},{year},{float(value) * 100!r},{rest}")
    folder = tmp_path / "calibration"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "national_series.csv").write_text("\n".join(scaled) + "\n", "utf-8")
    text = TARGETS.read_text(encoding="utf-8").replace(
        'scenario = "../scenarios/baseline.toml"', f'scenario = "{BASELINE.as_posix()}"'
    )
    (folder / "targets.toml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(mc, "MAX_ROUNDS", 2)
    with pytest.raises(ValueError, match="consistent with the national data"):
        mc.plausible_draws(base, [early], 20, 1, folder / "targets.toml")
