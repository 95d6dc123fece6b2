"""Institutional care places and the placements free places draw (simulation.model.bed_supply).

Linear partial adjustment of places to use (Tuma and Hannan 1983; the bed-supply model of
SSWR 2011 paper 14742) and the assumed supply elasticity, in the SD engine.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from simulation.engines.sd import LAYOUT, SDModel
from simulation.model import bed_supply as bs
from simulation.model import flows as fl
from simulation.model.catalogue import REGISTRY
from simulation.model.schedule import Change
from simulation.model.states import State
from simulation.model.vocabulary import START_YEAR

END = START_YEAR + 4
IC = State.INSTITUTIONAL_CARE


def children_in_institutions(result, model):
    """Children in institutional care at the saved months, ``(T, K)``, national."""
    inside = result.saved["stocks"][..., IC].sum(axis=2)
    return inside * model.static["children_per_risk_family"][:, 0]


def test_places_after_is_the_exact_solution_of_places_change():
    args = (2.0, 0.1)  # adjustment time (yr), closure rate (1/yr)
    sol = solve_ivp(
        lambda t, y: bs.places_change(y, 300.0, *args), (0, 0.75), [500.0], rtol=1e-11, atol=1e-9
    )
    assert bs.places_after(500.0, 300.0, 0.75, *args) == pytest.approx(sol.y[0, -1], rel=1e-9)
    # the level it approaches: use / (1 + closure x time)
    assert bs.places_after(500.0, 300.0, 1e3, *args) == pytest.approx(300.0 / 1.2)


def test_free_share_and_multiplier():
    places = np.array([0.0, 100.0, 100.0, 50.0])
    children = np.array([10.0, 100.0, 75.0, 80.0])
    np.testing.assert_array_equal(bs.free_share(places, children), [0.0, 0.0, 0.25, 0.0])
    np.testing.assert_array_equal(bs.placement_multiplier(places, children, 0.8), [1, 1, 1.2, 1])
    assert np.all(bs.placement_multiplier(places, children, 0.0) == 1.0)
    assert fl.HAZARD_FLOWS[bs.PLACEMENT_INSTITUTION].name == "placement_institution"


def test_the_elasticity_is_off_by_default_and_an_assumption():
    for name in ("bed_supply_elasticity", "bed_adjustment_time"):
        p = REGISTRY[name]
        assert p.assumption
        assert p.kind == "structural"
        assert {"sd", "abm"} <= set(p.engines)
    assert REGISTRY["bed_supply_elasticity"].default == 0.0
    assert "institution_closure_rate" in REGISTRY.names(engine="sd")


def test_places_start_full_and_follow_use():
    """Places start at the children in institutions; fast adjustment keeps them close to use,
    slow adjustment lags behind a falling use (the baseline's use falls from 2014).
    """
    times = {"bed_adjustment_time": np.array([0.1, 5.0])}
    model = SDModel(params=times, levers={"institutional_placement_share": 0.05}, end_year=END)
    result = model.run(("stocks", "places"), every=12)
    use = children_in_institutions(result, model)
    places = result.saved["places"][..., 0].sum(axis=2)
    np.testing.assert_allclose(places[0], use[0], rtol=1e-12)
    assert (use[-1] < 0.95 * use[0]).all()  # use falls
    assert abs(places[-1, 0] / use[-1, 0] - 1) < 0.05
    assert places[-1, 1] > 1.05 * use[-1, 1]


def test_at_elasticity_zero_places_change_nothing_else():
    """Adjustment time and closures move the places only: every other block is identical."""
    batch = {"bed_adjustment_time": np.array([2.0, 0.2, 20.0])}
    levers = {"institution_closure_rate": np.array([0.0, 0.3, 0.1])}
    result = SDModel(params=batch, levers=levers, end_year=END).run(every=12)
    for block, saved in result.saved.items():
        assert (saved == saved[:, :1]).all(), block
    places = result.final[:, 0, LAYOUT.places.start]
    assert len(set(places)) == 3


def test_free_places_multiply_only_the_placement_into_an_institution():
    """The derivative at a state with twice the places the children use: the institutional
    placement flow x (1 + elasticity x 1/2), every other flow as at elasticity 0.
    """
    batch = {"bed_supply_elasticity": np.array([0.0, 0.6])}
    model = SDModel(params=batch, end_year=START_YEAR + 1, compiled=False)
    y = model.initial_state()
    y[..., LAYOUT.places] *= 2.0
    flows = model.derivatives(y, 0)[..., LAYOUT.flows]
    i = bs.PLACEMENT_INSTITUTION
    assert flows[1, 0, i] == pytest.approx(1.3 * flows[0, 0, i], rel=1e-14)
    others = np.arange(fl.N_FLOWS) != i
    np.testing.assert_array_equal(flows[1, 0, others], flows[0, 0, others])


def test_surplus_draws_placements_and_closures_remove_it():
    """At a positive elasticity slow places draw more institutional placements than fast ones;
    closing places (institution_closure_rate) takes the surplus away.
    """
    params = {"bed_supply_elasticity": 1.0, "bed_adjustment_time": np.array([0.5, 5.0, 5.0])}
    closing = [Change(START_YEAR + 1, {"institution_closure_rate": np.array([0.0, 0.0, 0.5])})]
    falling = {"institutional_placement_share": 0.05}  # use falls: surplus places
    model = SDModel(params=params, levers=falling, schedule=closing, end_year=END)
    result = model.run(("flows",), every=12)
    placed = result.saved["flows"][-1, :, 0, fl.FLOW_INDEX["placement_institution"]]
    assert placed[1] > placed[0] * 1.01
    assert placed[2] < placed[1]


def test_kernel_equals_the_reference_with_the_supply_effect():
    params = {
        "bed_supply_elasticity": np.array([0.0, 0.7, 2.0]),
        "bed_adjustment_time": np.array([0.3, 3.0, 40.0]),
    }
    levers = {"institution_closure_rate": np.array([0.2, 0.0, 0.05])}
    runs = [
        SDModel(params=params, levers=levers, end_year=START_YEAR + 2, compiled=c).run(every=6)
        for c in (True, False)
    ]
    np.testing.assert_array_equal(runs[0].final, runs[1].final)
