"""Helpers of the agent-based engine's tests: the baseline's model at small scales."""

from __future__ import annotations

import numpy as np

from simulation.engines.abm import FamilyWelfareModel
from simulation.model import flows as fl
from simulation.model.states import State
from simulation.workflow import scenarios as scenario_module
from tests.conftest import SCENARIOS

BLOCKS = (
    *("stocks", "capacity", "flows", "stock_years", "costs"),
    *("children", "child_flows", "child_years"),
)
EXIT_FLOWS = [i for i, f in enumerate(fl.FLOWS) if f.target is None]
EXIT_TARGET = -1
#: (from, to) of every flow with a source state (to = -1 for flows out of the system) ->
#: its index in FLOWS.
FLOW_OF_MOVE = {
    (int(f.source), EXIT_TARGET if f.target is None else int(f.target)): i
    for i, f in enumerate(fl.FLOWS)
    if f.source is not None
}
ALLOWED_MOVES = set(FLOW_OF_MOVE)
Z = 4.0  # tolerance of statistical checks, in standard errors


def baseline():
    """Parameters, levers and schedule of ``scenarios/baseline.toml``."""
    sc = scenario_module.load(SCENARIOS / "baseline.toml")
    return sc.params, sc.levers, sc.schedule


def make_model(params=None, levers=None, **kwargs) -> FamilyWelfareModel:
    """The baseline scenario's model, with extra parameters, levers and model options."""
    base_params, base_levers, schedule = baseline()
    return FamilyWelfareModel(
        params={**base_params, **(params or {})},
        levers={**base_levers, **(levers or {})},
        schedule=kwargs.pop("schedule", schedule),
        **kwargs,
    )


def national_ic_children(model: FamilyWelfareModel) -> np.ndarray:
    return model.children[:, :, State.INSTITUTIONAL_CARE].sum(axis=1)
