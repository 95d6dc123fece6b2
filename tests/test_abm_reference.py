"""The fast agent-based engine against the one-object-per-family Mesa reference.

With every service budget at zero and ``heterogeneity=False`` the fast engine
(:class:`simulation.abm.FamilyWelfareModel`) is a continuous-time Markov chain with constant
hazards, which :class:`benchmarks.abm_reference.ReferenceModel` implements one Mesa agent per
family in plain Python. Both are run on the same share of Lithuania's families over several
fixed seeds; the pooled fates of the families (state, or left the system) must be
statistically indistinguishable, and the reference must match the system-dynamics engine's
mean-field trajectory, which is the exact expectation of that chain.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from benchmarks.abm_reference import ZERO_BUDGETS, ReferenceModel, national_families
from simulation import flows as fl
from simulation.abm import FamilyWelfareModel
from simulation.sd import SDModel
from simulation.states import STATE_KEYS

N_FAMILIES = 2000
END_YEAR = 2014  # six years, 72 months
SEEDS = tuple(range(10))
MONTHS = (12, 36, 72)  # month starts compared: 1 Jan 2010, 2012 and 2015
CATEGORIES = (*STATE_KEYS, "exited")
EXIT_FLOWS = [i for i, f in enumerate(fl.FLOWS) if f.target is None]
ALPHA = 0.01


def fates(stocks: np.ndarray, exits: np.ndarray) -> np.ndarray:
    """Families by state plus families that have left, shape ``(T, len(CATEGORIES))``."""
    return np.column_stack([stocks, exits])


def run_fast(scale: float, seed: int) -> tuple[np.ndarray, float]:
    """Fates at every month start and families entered, from the fast engine."""
    model = FamilyWelfareModel(
        levers=ZERO_BUDGETS, heterogeneity=False, end_year=END_YEAR, seed=seed, scale=scale
    ).run()
    saved = model.result().saved
    flows = saved["flows"][:, 0, 0]
    exits = flows[:, EXIT_FLOWS].sum(axis=1)
    return fates(saved["stocks"][:, 0, 0], exits), float(flows[-1, fl.ENTRY])


def run_reference(scale: float, seed: int) -> tuple[np.ndarray, float]:
    """Fates at every month start and families entered, from the reference model."""
    model = ReferenceModel(levers=ZERO_BUDGETS, end_year=END_YEAR, seed=seed, scale=scale).run()
    return fates(model.stocks(), model.exits()), float(model.entered)


@pytest.fixture(scope="module")
def pooled() -> dict[str, tuple[np.ndarray, float]]:
    """Fates summed over :data:`SEEDS` and total entries, for each engine."""
    scale = N_FAMILIES / national_families()
    out = {}
    for name, run in (("fast", run_fast), ("reference", run_reference)):
        results = [run(scale, seed) for seed in SEEDS]
        out[name] = (sum(r[0] for r in results), sum(r[1] for r in results))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("month", MONTHS)
def test_fast_engine_matches_reference_state_distribution(pooled, month):
    table = np.stack([pooled["fast"][0][month], pooled["reference"][0][month]])
    table = table[:, table.sum(axis=0) > 0]
    result = stats.chi2_contingency(table)
    assert result.pvalue > ALPHA, (
        f"month {month}: chi-square {result.statistic:.1f}, p = {result.pvalue:.2g}\n"
        f"{CATEGORIES}\nfast      {table[0]}\nreference {table[1]}"
    )


@pytest.mark.slow
def test_fast_engine_matches_reference_entries(pooled):
    # Equal Poisson means: given the total, the fast engine's share is Binomial(total, 1/2).
    fast, reference = int(pooled["fast"][1]), int(pooled["reference"][1])
    result = stats.binomtest(fast, fast + reference, 0.5)
    assert result.pvalue > ALPHA, f"entries: fast {fast}, reference {reference}"


@pytest.mark.slow
@pytest.mark.parametrize("month", MONTHS)
def test_reference_matches_mean_field(pooled, month):
    """The SD engine's trajectory is the chain's expectation: a goodness-of-fit test.

    Each count is a sum of thinned, nearly fixed initial counts and Poisson entries, so its
    variance is at most its mean and Pearson's statistic against chi-square with one degree
    of freedom per category is conservative.
    """
    scale = N_FAMILIES / national_families()
    sd = SDModel(levers=ZERO_BUDGETS, end_year=END_YEAR).run(save=("stocks", "flows"))
    exits = sd.saved["flows"][:, 0, 0][:, EXIT_FLOWS].sum(axis=1)
    expected = fates(sd.saved["stocks"][:, 0, 0], exits)[month] * scale * len(SEEDS)
    observed = pooled["reference"][0][month]
    statistic = float(((observed - expected) ** 2 / expected).sum())
    pvalue = stats.chi2.sf(statistic, df=len(CATEGORIES))
    assert pvalue > ALPHA, (
        f"month {month}: chi-square {statistic:.1f}, p = {pvalue:.2g}\n"
        f"{CATEGORIES}\nobserved {observed}\nexpected {np.round(expected, 1)}"
    )


def test_reference_conserves_families():
    model = ReferenceModel(n_families=500, levers=ZERO_BUDGETS, end_year=2010, seed=3).run()
    stocks, entries, exits = model.stocks(), model.entries(), model.exits()
    assert len(stocks) == model.n_months + 1 == 25
    assert entries[-1] > 0 and exits[-1] > 0
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
