"""Budgets and targeting: which families the scarce services reach.

Every test is deterministic (fixed seeds) and runs on a small share of Lithuania's families.
Statistical checks derive their tolerance from a standard error: 4 standard errors unless
stated otherwise, so that a correct engine fails a check with probability below about 1e-4.
"""

from __future__ import annotations

import numpy as np

from simulation.model import services as sv
from simulation.model.states import State
from tests.engines.abm.helpers import (
    make_model,
)


# ---- targeting -------------------------------------------------------------------------
def test_targeting_by_vulnerability_and_by_waiting_time():
    """Scarce places go to the most vulnerable families in preventive programmes and to the
    longest-waiting families in integration services.

    Day centres (preventive line) serve vulnerable families, about 4,000 places for some
    20,000 families: the families in them are more vulnerable than those waiting. Integration
    services take risk families in a queue: those admitted have waited longer than those still
    waiting (measured as time in the state, which admission does not reset).
    """
    model = make_model(end_year=2011, seed=4, scale=0.02)
    day = sv.PROGRAMME_NAMES.index("day_centres")
    integ = sv.PROGRAMME_NAMES.index("integration_services")
    gaps = {"vulnerability": [], "waiting": []}
    while model.month < 30:
        model.step()
        fam = model.families
        prev = fam.columns["programme_preventive"][: fam.n]
        vulnerable = fam.state == State.VULNERABLE
        inside, outside = vulnerable & (prev == day), vulnerable & (prev < 0)
        gaps["vulnerability"].append(
            fam.vulnerability[inside].mean() - fam.vulnerability[outside].mean()
        )
        integration = fam.columns["programme_integration"][: fam.n]
        risk = fam.state == State.RISK
        inside, outside = risk & (integration == integ), risk & (integration < 0)
        gaps["waiting"].append(
            fam.months_in_state[inside].mean() - fam.months_in_state[outside].mean()
        )
    assert min(gaps["vulnerability"]) > 0.1, gaps["vulnerability"]
    assert np.mean(gaps["waiting"]) > 1.0, gaps["waiting"]
    assert (model.families.service_months > 0).any()


def test_families_stay_for_the_programme_duration_then_graduate_and_relapse():
    """A family finishes after ``duration`` months and keeps the effect as a graduate."""
    model = make_model(end_year=2012, seed=6, scale=0.02)
    day = sv.PROGRAMME_NAMES.index("day_centres")
    duration = model.p["programme.day_centres.duration"] * 12
    graduates_seen = 0
    while model.month < 40:
        model.step()
        fam = model.families
        prog = fam.columns["programme_preventive"][: fam.n]
        grad = fam.columns["graduate_preventive"][: fam.n]
        months = fam.columns["months_preventive"][: fam.n]
        participants = (prog == day) & ~grad
        assert (months[participants] < duration + 1).all()
        graduates_seen += int(((prog == day) & grad).sum())
        # every treated family carries its programme in the combination it is looked up by
        treated = prog >= 0
        assert (
            (fam.combo[: fam.n] > 0)
            == (
                treated
                | (fam.columns["programme_basic"][: fam.n] >= 0)
                | (fam.columns["programme_integration"][: fam.n] >= 0)
                | (fam.columns["programme_mobile_team"][: fam.n] >= 0)
            )
        ).all()
    assert graduates_seen > 0


def test_pair_effects_equal_the_shared_effects_to_the_bit():
    """The engine's shortcut for the combinations' effects is ``services.effects_of``."""
    from simulation.engines.abm.budgets import _pair_effects
    from simulation.engines.abm.layout import COMBO_PROGRAMMES, PAIR_COMBO
    from simulation.model import services as sv

    rng = np.random.default_rng(3)
    for _ in range(10):
        gaps = rng.random((7, sv.N_PROGRAMMES, len(sv.EFFECTS))) * rng.choice([0.5, 1.5]) - 0.2
        gaps[rng.random(gaps.shape) < 0.3] = 0.0
        expected = sv.effects_of(COMBO_PROGRAMMES[PAIR_COMBO][:, None, :], gaps[None])
        np.testing.assert_array_equal(_pair_effects(gaps), expected)
