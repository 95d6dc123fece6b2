"""The fast agent-based engine against the one-object-per-family Mesa reference.

With every service budget at zero and ``heterogeneity=False`` the fast engine
(:class:`simulation.engines.abm.FamilyWelfareModel`) is a continuous-time Markov chain with constant
hazards, which :class:`benchmarks.abm_reference.ReferenceModel` implements one Mesa agent per
family in plain Python. Both are run on the same share of Lithuania's families over several
fixed seeds (so every test is deterministic) and compared on

- the pooled fates of the families (state, or left the system) at three month starts;
- the number of families entered;
- where families go when they leave each state (the jump chain);

and the reference is checked against the system-dynamics engine's mean-field trajectory,
which is the exact expectation of that chain.

At 2,000 families x 10 seeds these tests catch gross discrepancies only (for instance a 25%
error in the onset hazard or 15% in the exit hazard), not small ones.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from benchmarks.abm_reference import ZERO_BUDGETS, ReferenceModel, national_families
from simulation.engines.abm import FamilyWelfareModel
from simulation.engines.sd import SDModel
from simulation.model import flows as fl
from simulation.model import services as sv
from simulation.model.catalogue import REGISTRY
from simulation.model.states import N_STATES, STATE_KEYS, State

N_FAMILIES = 2000
END_YEAR = 2014  # six years, 72 months
SEEDS = tuple(range(10))
MONTHS = (12, 36, 72)  # month starts compared: 1 January 2010, 2012 and 2015
CATEGORIES = (*STATE_KEYS, "exited")
EXIT_FLOWS = [i for i, f in enumerate(fl.FLOWS) if f.target is None]
ALPHA = 0.01


def fates(stocks: np.ndarray, exits: np.ndarray) -> np.ndarray:
    """Families by state plus families that have left, shape ``(T, len(CATEGORIES))``."""
    return np.column_stack([stocks, exits])


def run_fast(scale: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Fates at every month start and moves by flow (``FLOWS`` order), fast engine."""
    model = FamilyWelfareModel(
        levers=ZERO_BUDGETS, heterogeneity=False, end_year=END_YEAR, seed=seed, scale=scale
    ).run()
    saved = model.result().saved
    flows = saved["flows"][:, 0, 0]
    return fates(saved["stocks"][:, 0, 0], flows[:, EXIT_FLOWS].sum(axis=1)), flows[-1]


def run_reference(scale: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Fates at every month start and moves by flow (``FLOWS`` order), reference model."""
    model = ReferenceModel(levers=ZERO_BUDGETS, end_year=END_YEAR, seed=seed, scale=scale).run()
    moves = np.array([model.moves[name] for name in fl.FLOW_NAMES], float)
    return fates(model.stocks(), model.exits()), moves


@pytest.fixture(scope="module")
def pooled() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per engine: fates ``(T, categories)`` and moves by flow, summed over :data:`SEEDS`."""
    scale = N_FAMILIES / national_families()
    out = {}
    for name, run in (("fast", run_fast), ("reference", run_reference)):
        results = [run(scale, seed) for seed in SEEDS]
        out[name] = (sum(r[0] for r in results), sum(r[1] for r in results))
    return out


@pytest.fixture(scope="module")
def mean_field() -> np.ndarray:
    """Expected fates of the pooled reference runs, from the SD engine."""
    scale = N_FAMILIES / national_families()
    sd = SDModel(levers=ZERO_BUDGETS, end_year=END_YEAR).run(save=("stocks", "flows"))
    exits = sd.saved["flows"][:, 0, 0][:, EXIT_FLOWS].sum(axis=1)
    return fates(sd.saved["stocks"][:, 0, 0], exits) * scale * len(SEEDS)


def homogeneity(table: np.ndarray):
    """Chi-square test of homogeneity of the rows of ``table`` (all-zero columns dropped)."""
    return stats.chi2_contingency(table[:, table.sum(axis=0) > 0])


@pytest.mark.slow
@pytest.mark.parametrize("month", MONTHS)
def test_fast_engine_matches_reference_state_distribution(pooled, month):
    table = np.stack([pooled["fast"][0][month], pooled["reference"][0][month]])
    result = homogeneity(table)
    assert result.pvalue > ALPHA, (
        f"month {month}: chi-square {result.statistic:.1f}, p = {result.pvalue:.2g}\n"
        f"{CATEGORIES}\nfast      {table[0]}\nreference {table[1]}"
    )


@pytest.mark.slow
def test_fast_engine_matches_reference_entries(pooled):
    # Equal Poisson means: given the total, the fast engine's share is Binomial(total, 1/2).
    fast, reference = (int(pooled[name][1][fl.ENTRY]) for name in ("fast", "reference"))
    result = stats.binomtest(fast, fast + reference, 0.5)
    assert result.pvalue > ALPHA, f"entries: fast {fast}, reference {reference}"


@pytest.mark.slow
@pytest.mark.parametrize("state", list(State), ids=STATE_KEYS)
def test_fast_engine_matches_reference_destinations(pooled, state):
    """Given that a family leaves ``state``, where it goes is a draw proportional to the
    option hazards, independent of every other move: the pooled destination counts of the
    two engines are multinomial samples of the same distribution.
    """
    names = [fl.HAZARD_FLOWS[i].name for i in fl.OUTFLOWS[state]]
    columns = [fl.FLOW_INDEX[name] for name in names]
    table = np.stack([pooled["fast"][1][columns], pooled["reference"][1][columns]])
    if (table.sum(axis=0) > 0).sum() < 2:
        pytest.skip(f"fewer than two destinations used from {state.key}")
    result = homogeneity(table)
    assert result.pvalue > ALPHA, (
        f"{state.key}: chi-square {result.statistic:.1f}, p = {result.pvalue:.2g}\n"
        f"{names}\nfast      {table[0]}\nreference {table[1]}"
    )


@pytest.mark.slow
@pytest.mark.parametrize("month", MONTHS)
def test_reference_matches_mean_field(pooled, mean_field, month):
    """Goodness of fit of the pooled reference fates to the SD trajectory.

    Each count is a sum of thinned, nearly fixed initial counts and Poisson entries, so its
    variance is at most its mean, and Pearson's statistic against chi-square with one degree
    of freedom per category is conservative.
    """
    observed, expected = pooled["reference"][0][month], mean_field[month]
    statistic = float(((observed - expected) ** 2 / expected).sum())
    pvalue = stats.chi2.sf(statistic, df=len(CATEGORIES))
    assert pvalue > ALPHA, (
        f"month {month}: chi-square {statistic:.1f}, p = {pvalue:.2g}\n"
        f"{CATEGORIES}\nobserved {observed}\nexpected {np.round(expected, 1)}"
    )


def test_zero_budgets_leave_every_hazard_unchanged_where_nobody_is_eligible():
    """The premise of the comparison: without capacity every service multiplier is 1."""
    p = {**REGISTRY.defaults(), **ZERO_BUDGETS}
    no_capacity = np.zeros((sv.N_PROGRAMMES, sv.N_PROVIDERS))
    for empty in (State.RISK, State.CRISIS):
        stocks = np.full(N_STATES, 10.0)
        stocks[empty] = 0.0
        effects = sv.service_effects(no_capacity, stocks, np.zeros(sv.N_PROGRAMMES), p)
        np.testing.assert_array_equal(effects, np.ones(len(sv.EFFECTS)), err_msg=empty.key)


def test_reference_conserves_families():
    model = ReferenceModel(n_families=500, levers=ZERO_BUDGETS, end_year=2010, seed=3).run()
    stocks, entries, exits = model.stocks(), model.entries(), model.exits()
    assert len(stocks) == model.n_months + 1 == 25
    assert entries[-1] > 0
    assert exits[-1] > 0
    np.testing.assert_array_equal(stocks.sum(axis=1), model.n_initial + entries - exits)
    assert model.n_initial + model.entered - model.exited == len(model.agents)
    assert stocks[-1].sum() == len(model.agents)
    assert model.moves["entry"] == model.entered
    assert sum(model.moves[fl.FLOWS[i].name] for i in EXIT_FLOWS) == model.exited
    assert all(f.months_in_state >= 1 for f in model.agents)  # every family has lived a month


def test_reference_is_deterministic_and_matches_scale():
    a = ReferenceModel(n_families=300, end_year=2009, seed=7).run()
    b = ReferenceModel(n_families=300, end_year=2009, seed=7).run()
    np.testing.assert_array_equal(a.stocks(), b.stocks())
    assert a.scale == pytest.approx(300 / national_families())
    assert abs(a.n_initial - 300) <= 7  # stochastic rounding of each state's expected count
    with pytest.raises(RuntimeError):
        a.step()
