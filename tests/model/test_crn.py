"""Common random numbers: family-keyed draws keep scenario comparisons paired."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simulation.engines.abm import FamilyWelfareModel
from simulation.model import crn
from simulation.model.schedule import Change


def test_uniform_draws_are_uniform_and_keys_independent():
    ids = np.arange(200_000, dtype=np.int64)
    u = crn.uniform(ids, crn.key(1, 2, 3))
    assert u.min() > 0.0
    assert u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 0.001
    v = crn.uniform(ids, crn.key(1, 2, 4))
    # correlation of independent uniforms has SE 1/sqrt(n): allow 4 SE
    assert abs(np.corrcoef(u, v)[0, 1]) < 4 / np.sqrt(ids.size)
    w = crn.uniform(ids, crn.key(1, 2, 3), counters=np.ones_like(ids))
    assert abs(np.corrcoef(u, w)[0, 1]) < 4 / np.sqrt(ids.size)


def test_draws_depend_only_on_id_key_and_counter():
    ids = np.array([5, 17, 99], dtype=np.int64)
    k = crn.key(7, 1)
    np.testing.assert_array_equal(crn.uniform(ids, k)[1], crn.uniform(ids[1:2], k)[0])
    e = crn.exponential(np.arange(100_000, dtype=np.int64), k)
    assert stats.kstest(e, "expon").pvalue > 0.001


def preventive_run(seed: int, extra: float):
    """Families in early support and placements, 2009-2015, with preventive budgets raised
    by ``extra`` from 2010 (a small policy change).
    """
    schedule = [Change(2010, {"budget.preventive": 3.6 * (1 + extra)})]
    model = FamilyWelfareModel(seed=seed, scale=0.05, end_year=2015, schedule=schedule).run()
    result = model.result()
    return result.saved["stock_years"][-1, 0, 0], result.saved["flows"][-1, 0, 0]


def test_a_scenario_against_itself_differs_by_exactly_zero():
    a, b = preventive_run(3, 0.0), preventive_run(3, 0.0)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.mark.slow
def test_paired_differences_are_far_more_precise_than_independent_ones():
    """Same seeds for both scenarios (common random numbers) against different seeds: the
    standard error of the difference in family-years in early support must be at least 3
    times smaller when paired.
    """
    replicates = 10
    base = [preventive_run(s, 0.0)[0] for s in range(replicates)]
    more = [preventive_run(s, 0.2)[0] for s in range(replicates)]
    other = [preventive_run(s + 1000, 0.2)[0] for s in range(replicates)]
    paired = np.array(more) - np.array(base)
    independent = np.array(other) - np.array(base)
    for state in range(paired.shape[1]):
        se_paired = paired[:, state].std(ddof=1) / np.sqrt(replicates)
        se_independent = independent[:, state].std(ddof=1) / np.sqrt(replicates)
        assert se_independent >= 3 * se_paired, (state, se_paired, se_independent)
