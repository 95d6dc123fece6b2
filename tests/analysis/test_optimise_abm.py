"""The agent-based check of ``prevsim optimise``: paired replicates.

The check runs today's and the best allocation as scenarios on the agent-based engine with
the same seeds, so their difference is paired: before the policy year the two runs are the
same run, and the same allocation twice differs by nothing at all.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from simulation.analysis import allocation as al
from simulation.analysis import optimise as op
from simulation.workflow.scenarios import load
from tests.conftest import SCENARIOS


def test_the_same_allocation_twice_differs_by_exactly_nothing():
    """Paired replicates: the same allocation on the same seeds gives the same run."""
    scenario = load(SCENARIOS / "early_intervention.toml")
    short = replace(scenario, run=replace(scenario.run, end_year=2029))
    draws = pd.DataFrame({"onset_rate": [0.05]})
    problem = op.make_problem(short, load(SCENARIOS / "baseline.toml"), draws, 30.0)
    today = problem.references["today"]
    check = op.abm_check(problem, {"today": today, "optimal": today}, 2, scale=0.02, seed=3)
    assert list(check.columns) == list(al.OUTCOMES)
    assert (check.to_numpy() == 0.0).all()
    # a different allocation on the same seeds does differ
    other = {"today": today, "optimal": al.uniform()}
    assert (op.abm_check(problem, other, 2, scale=0.02, seed=3)["npv"] != 0.0).all()
