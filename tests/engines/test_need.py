"""Municipalities that differ in need (``municipal_need.csv``) in both engines.

With a relative need index ``r`` per unit, the initial families beyond wellbeing are shared out
by children x r (national totals unchanged) and each unit's onset hazard is times its r. On
Synthland's five regions with a made-up index, the SD engine's onset per wellbeing family is
exactly r times the national rate, the agent-based engine's within its Poisson error, and the
two engines' regions agree (the mean-field limit, as tests/engines/abm/test_mean_field.py).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simulation.engines.abm import FamilyWelfareModel
from simulation.engines.inputs import EngineInputs
from simulation.engines.sd import SDModel
from simulation.model import demography as dm
from simulation.model import flows as fl
from simulation.model.states import State
from simulation.model.vocabulary import START_YEAR

ONSET = fl.FLOW_INDEX["onset"]
Z = 4.0  # tolerance of statistical checks, in standard errors
SEEDS = range(16)
SCALE = 0.2
END = START_YEAR + 3
#: Given stocks (the parameters set them); early support and crisis are quasi-steady.
GIVEN = [State.VULNERABLE, State.RISK, State.FAMILY_CARE, State.INSTITUTIONAL_CARE]


@pytest.fixture(scope="module")
def synthland():
    """Synthland without and with a need index of 1, 2, 1, 0.5, 1 (times a constant)."""
    plain = dm.country_demography("synthland")
    need = np.array([1.0, 2.0, 1.0, 0.5, 1.0])
    need /= plain.shares_in(np.array([START_YEAR]))[0] @ need
    return plain, dataclasses.replace(plain, need=need)


def test_the_initial_state_keeps_its_national_totals_and_sizes(synthland):
    plain, needy = synthland
    a = EngineInputs(resolution="municipal", demography=plain).initial_state()[0][0]
    b = EngineInputs(resolution="municipal", demography=needy).initial_state()[0][0]
    np.testing.assert_allclose(b.sum(axis=1), a.sum(axis=1), rtol=1e-12)  # families per unit
    np.testing.assert_allclose(b[:, GIVEN].sum(axis=0), a[:, GIVEN].sum(axis=0), rtol=1e-12)
    # the derived stocks follow their sources: national totals within a few percent
    np.testing.assert_allclose(b.sum(axis=0), a.sum(axis=0), rtol=0.05)
    # the region with twice the need per child holds twice the share of the given stocks
    per_child = b[:, GIVEN].sum(axis=1) / plain.shares_in(np.array([START_YEAR]))[0]
    assert per_child[1] / per_child[0] == pytest.approx(2.0, rel=1e-12)
    assert per_child[3] / per_child[0] == pytest.approx(0.5, rel=1e-12)


def _onset_per_wellbeing(saved) -> np.ndarray:
    """Onsets per wellbeing family-year of each unit over the run, ``(M,)``."""
    return saved["flows"][-1, 0][:, ONSET] / saved["stock_years"][-1, 0][:, State.WELLBEING]


def test_a_region_with_twice_the_need_has_twice_the_onset_in_both_engines(synthland):
    _, needy = synthland
    ratio = needy.need / needy.need[0]
    sd = SDModel(resolution="municipal", demography=needy, end_year=START_YEAR + 1).run()
    rate = _onset_per_wellbeing(sd.saved)
    # before services reach many families the onset effect is the same everywhere
    np.testing.assert_allclose(rate / rate[0], ratio, rtol=1e-3)
    run = FamilyWelfareModel(demography=needy, end_year=START_YEAR + 1, seed=1, scale=SCALE)
    saved = run.run().result("municipal").saved
    onsets = saved["flows"][-1, 0][:, ONSET]
    abm = _onset_per_wellbeing(saved)
    se = np.sqrt(1.0 / onsets[1:] + 1.0 / onsets[0]) * ratio[1:]  # Poisson counts
    assert np.all(np.abs(abm[1:] / abm[0] - ratio[1:]) < Z * se), (abm / abm[0], se)


def test_both_engines_agree_region_by_region_with_a_need_file(synthland):
    _, needy = synthland
    sd = SDModel(resolution="municipal", demography=needy, end_year=END).run()
    expected = sd.saved["stocks"][-1, 0] * SCALE  # (M, N_STATES)
    runs = np.stack(
        [
            FamilyWelfareModel(
                demography=needy, end_year=END, seed=s, heterogeneity=False, scale=SCALE
            )
            .run()
            .result("municipal")
            .saved["stocks"][-1, 0]
            for s in SEEDS
        ]
    )  # (seeds, M, N_STATES)
    # families out of wellbeing, and the vulnerable, in each region
    for measure in (lambda x: x[..., 1:].sum(axis=-1), lambda x: x[..., State.VULNERABLE]):
        values, target = measure(runs), measure(expected)
        se = np.maximum(values.std(axis=0, ddof=1), 1.0) / np.sqrt(len(SEEDS))
        z = (values.mean(axis=0) - target) / se
        assert np.all(np.abs(z) < Z), z.round(2)
    # and the need shows: per child, the neediest region has about twice the first's
    per_child = expected[:, 1:].sum(axis=1) / needy.shares_in(np.array([END]))[0]
    assert per_child[1] / per_child[0] > 1.6
