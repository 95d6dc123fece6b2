"""The allocation search: a known optimum, exact batched evaluation, the Pareto filter."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from simulation.analysis import allocation as al
from simulation.analysis import optimise as op
from simulation.analysis.evaluation import Question, evaluate_chunk
from simulation.analysis.monte_carlo import with_central_row
from simulation.model.catalogue import REGISTRY
from simulation.workflow.scenarios import load
from tests.conftest import SCENARIOS

# A concave objective with an analytic maximiser on the simplex: sum_i a_i sqrt(s_i) is
# largest at s_i = a_i^2 / sum_j a_j^2 (Lagrange); -sum_l (n_l - u_l)^2 at n = u.
A = np.array([1.0, 2.0, 0.5, 3.0, 1.5, 0.2, 2.5, 1.0, 0.8, 1.2])
U = np.array([0.2, 0.7, 0.5, 0.9])


class Concave:
    """A stand-in evaluator: the objective above plus draw noise shared by every candidate."""

    def __init__(self, draws: int = 8, seed: int = 1) -> None:
        self.noise = np.random.default_rng(seed).normal(0.0, 1.0, draws)

    def evaluate(self, allocations):
        f = np.array([A @ np.sqrt(a.shares) - ((a.ngo - U) ** 2).sum() for a in allocations])
        npv = f[:, None] + self.noise[None, :]
        return {"npv": npv, "placements_avoided": -npv}


def test_search_finds_the_analytic_maximiser_of_a_concave_objective():
    best_shares = A**2 / (A**2).sum()
    settings = op.Settings(population=60, generations=300, seed=3)
    found = op.search(Concave(), "npv", settings, [al.uniform()])
    assert found.best.shares == pytest.approx(best_shares, abs=0.02)
    assert found.best.ngo == pytest.approx(U, abs=0.03)
    optimum = A @ np.sqrt(best_shares)
    value = A @ np.sqrt(found.best.shares) - ((found.best.ngo - U) ** 2).sum()
    assert value == pytest.approx(optimum, abs=1e-3 * optimum)
    assert value > A @ np.sqrt(al.uniform().shares) - ((0.5 - U) ** 2).sum()


def test_a_quantile_objective_is_the_quantile_over_draws():
    values = np.arange(10.0)[None, :] * np.array([[1.0], [2.0]])
    assert al.summarise(values, None) == pytest.approx([4.5, 9.0])
    assert al.summarise(values, 0.1) == pytest.approx(np.quantile(values, 0.1, axis=1))


def test_pareto_mask_keeps_exactly_the_points_nothing_dominates():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=200), rng.normal(size=200)
    brute = np.array(
        [not np.any((a >= a[i]) & (b >= b[i]) & ((a > a[i]) | (b > b[i]))) for i in range(200)]
    )
    assert np.array_equal(op.pareto_mask(a, b), brute)
    assert 1 <= brute.sum() < 200


def test_an_allocation_spends_the_budget_and_nothing_through_the_lines():
    allocation = al.Allocation.from_vector(np.r_[np.arange(1.0, 11.0), [0.1, 0.2, 1.5, -1]])
    levers = allocation.levers(40.0)
    assert sum(v for k, v in levers.items() if k.startswith("budget.")) == pytest.approx(40.0)
    assert levers["budget.preventive"] == levers["budget.basic"] == 0.0
    assert levers["ngo_share.integration"] == 1.0
    assert levers["ngo_share.mobile_team"] == 0.0
    assert set(levers) <= set(REGISTRY.names("lever"))


@pytest.fixture(scope="module")
def shipped():
    return load(SCENARIOS / "early_intervention.toml"), load(SCENARIOS / "baseline.toml")


def test_today_is_the_baselines_split_and_the_policy_starts_in_2027(shipped):
    scenario, baseline = shipped
    assert al.policy_start(scenario, baseline) == (2027, 3.0)
    today, total = al.allocation_of(baseline, (2027 - 2009) * 12)
    # 2023 on: day centres 8.54, casework 17.31, integration 2.0, mobile teams 1.0 (baseline)
    assert total == pytest.approx(8.54 + 17.31 + 2.0 + 1.0)
    assert today.shares.sum() == pytest.approx(1.0)


def test_batched_paths_give_exactly_the_scenario_with_a_schedule_change(shipped):
    """Writing a candidate's lever path into the batch = the scenario's own schedule change."""
    scenario, baseline = shipped
    names = ["onset_rate", "programme.home_visiting.effect.supported_escalation"]
    draws = with_central_row(pd.DataFrame({n: np.linspace(*REGISTRY[n].range, 3) for n in names}))
    allocations = [al.uniform(), al.Allocation.from_vector(np.r_[np.eye(10)[3], [1, 0, 0, 1]])]
    evaluator = al.AllocationEvaluator(scenario, baseline, draws, 30.0, 2027, 3.0, base_year=2027)
    batched = evaluator.evaluate(allocations)
    for i, allocation in enumerate(allocations):
        one = al._national(al.with_allocation(scenario, 2027, 3.0, allocation.levers(30.0), "x"))
        question = Question(one, "npv", al._national(baseline), base_year=2027)
        expected = evaluate_chunk(names, draws.to_numpy(), question)[-1]
        assert batched["npv"][i] == pytest.approx(expected, rel=1e-9, abs=1.0)
    assert not np.allclose(batched["npv"][0], batched["npv"][1])
    assert (batched["unspent"] >= 0).all()
    # all 30 million EUR a year in home visiting: more than its families can use (2027-2040)
    assert batched["unspent"][1].min() > batched["unspent"][0].max()


def test_municipal_allocations_add_up_to_the_national_one(shipped):
    scenario, baseline = shipped
    draws = with_central_row(pd.DataFrame({"onset_rate": [0.05, 0.07]}))
    problem = op.make_problem(scenario, baseline, draws, 20.0)
    allocations = {"optimal": al.uniform(), **problem.references}
    values, central = op.value_everywhere(problem, allocations, lambda _: None)
    chunked = op.value_everywhere(problem, allocations, lambda _: None, chunk=2)
    for name in allocations:  # chunks of draws give the same values
        assert chunked[0][name]["npv"] == pytest.approx(values[name]["npv"], rel=1e-12)
        assert chunked[1][name]["npv"] == pytest.approx(central[name]["npv"], rel=1e-12)
    result = op.Result(problem, op.Settings(), allocations, values, central, [], None)
    table = op.by_municipality(result)
    assert len(table) == 60
    assert table["budget"].sum() == pytest.approx(20.0)
    national = op.summary_table(result).loc["optimal", "gain_over_today"]
    assert table["gain_over_today"].sum() == pytest.approx(national)


def test_a_committed_budget_charges_the_unspent_money_discounted(shipped):
    """With ``paid``, the allocation that leaves more money unspent loses more NPV.

    The loss difference is the extra unspent money with its deadweight cost, discounted to
    2027 (so at most the undiscounted amount, and more than 0.3 of it at 5% over 14 years).
    """
    scenario, baseline = shipped
    draws = with_central_row(pd.DataFrame({"onset_rate": [0.05]}))
    allocations = [al.uniform(), al.Allocation.from_vector(np.r_[np.eye(10)[3], [1, 0, 0, 1]])]
    free, paid = (
        al.AllocationEvaluator(scenario, baseline, draws, 30.0, 2027, 3.0, paid=flag)
        for flag in (False, True)
    )
    a, b = free.evaluate(allocations), paid.evaluate(allocations)
    assert np.array_equal(a["unspent"], b["unspent"])
    assert np.array_equal(a["placements_avoided"], b["placements_avoided"])
    # only the unspent money moves the NPV: the allocation with more of it loses more
    loss = a["npv"] - b["npv"]
    assert (loss[1] - loss[0] > 0).all()
    dwl = float(REGISTRY["deadweight_cost_of_taxation"].default)
    undiscounted = (1 + dwl) * (a["unspent"][1] - a["unspent"][0])
    assert 0.3 * undiscounted.max() < (loss[1] - loss[0]).max() <= undiscounted.max()


def test_scenarios_of_different_horizons_are_valued_to_the_earlier_end(shipped):
    scenario, baseline = shipped
    short = replace(scenario, run=replace(scenario.run, end_year=2032))
    draws = with_central_row(pd.DataFrame({"onset_rate": [0.05]}))
    problem = op.make_problem(short, baseline, draws, 10.0)
    assert problem.scenario.run.end_year == problem.baseline.run.end_year == 2032
    values = op.evaluator_for(problem, draws).evaluate([al.uniform()])
    assert np.isfinite(values["npv"]).all()
