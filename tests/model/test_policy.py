"""The municipal allocation rules and deployment stages (:mod:`simulation.model.policy`)."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.model import policy
from simulation.model import services as sv
from simulation.model.states import State

# ---- policy rules ---------------------------------------------------------------------
UNIT_COSTS = np.array([1000.0, 2000.0, 1500.0, 5000.0])


def test_needs_based_is_proportional_to_need_times_cost():
    monitored = np.array([10_000.0, 60.0, 20.0, 40.0, 10.0, 5.0, 5.0])
    shares = policy.needs_based(monitored, UNIT_COSTS)
    need = np.array([80.0, 40.0, 40.0, 10.0])
    expected = need * UNIT_COSTS / (need * UNIT_COSTS).sum()
    np.testing.assert_allclose(shares, expected)
    assert shares.sum() == pytest.approx(1.0)
    # twice the need everywhere: the same shares
    np.testing.assert_allclose(policy.needs_based(2 * monitored, UNIT_COSTS), shares)
    # more risk families: more for basic and integration services
    more = monitored.copy()
    more[State.RISK] *= 2
    shifted = policy.needs_based(more, UNIT_COSTS)
    assert shifted[sv.BASIC] > shares[sv.BASIC]
    assert shifted[sv.PREVENTIVE] < shares[sv.PREVENTIVE]


def test_needs_based_without_need_keeps_every_service_open():
    """A municipality whose monitoring shows no family in crisis (common in small ones, and
    at small scales) still keeps MIN_SHARE of its budget for the mobile team.
    """
    monitored = np.array([1000.0, 80.0, 10.0, 50.0, 0.0, 3.0, 3.0])
    shares = policy.needs_based(monitored, UNIT_COSTS)
    assert shares.sum() == pytest.approx(1.0)
    assert shares[sv.BASIC] == pytest.approx(shares[sv.INTEGRATION] * 2000 / 1500)
    assert (shares >= policy.MIN_SHARE - 1e-12).all(), shares


@pytest.mark.parametrize("target", [0.1, 0.3, 0.6])
def test_prevention_first_puts_the_target_in_preventive(target):
    historical = np.array([0.1, 0.5, 0.2, 0.2])
    shares = policy.prevention_first(historical, target)
    assert shares[sv.PREVENTIVE] == pytest.approx(target)
    assert shares.sum() == pytest.approx(1.0)
    rest = np.delete(shares, sv.PREVENTIVE)
    np.testing.assert_allclose(rest / rest.sum(), np.array([0.5, 0.2, 0.2]) / 0.9)


def test_prevention_first_with_nothing_else_splits_the_rest_evenly():
    shares = policy.prevention_first(np.array([1.0, 0.0, 0.0, 0.0]), 0.4)
    assert shares[sv.PREVENTIVE] == pytest.approx(0.4)
    np.testing.assert_allclose(np.delete(shares, sv.PREVENTIVE), 0.2)


def test_adaptive_keeps_direction_when_improved_and_reverses_when_not():
    shares = np.array([0.3, 0.4, 0.2, 0.1])
    peer = np.array([0.25, 0.25, 0.25, 0.25])
    up, direction = policy.adaptive(shares, 1.0, True, 0.05, peer, 0.0)
    assert direction == 1.0
    np.testing.assert_allclose(up, [0.35, 0.35, 0.2, 0.1])
    down, direction = policy.adaptive(shares, 1.0, False, 0.05, peer, 0.0)
    assert direction == -1.0
    np.testing.assert_allclose(down, [0.25, 0.45, 0.2, 0.1])
    again, direction = policy.adaptive(shares, -1.0, False, 0.05, peer, 0.0)
    assert direction == 1.0
    np.testing.assert_allclose(again, up)
    # the move is limited by what the other end of the ladder has
    capped, _ = policy.adaptive(np.array([0.5, 0.03, 0.27, 0.2]), 1.0, True, 0.1, peer, 0.0)
    assert capped[sv.PREVENTIVE] > 0.5
    assert (capped >= 0).all()
    assert capped.sum() == pytest.approx(1.0)


def test_adaptive_moves_towards_the_best_peer():
    shares = np.array([0.3, 0.4, 0.2, 0.1])
    peer = np.array([0.1, 0.2, 0.3, 0.4])
    alone, _ = policy.adaptive(shares, 1.0, True, 0.05, peer, 0.0)
    imitating, _ = policy.adaptive(shares, 1.0, True, 0.05, peer, 0.3)
    np.testing.assert_allclose(imitating, 0.7 * alone + 0.3 * peer)
    assert np.abs(imitating - peer).sum() < np.abs(alone - peer).sum()
    copied, _ = policy.adaptive(shares, 1.0, True, 0.05, peer, 1.0)
    np.testing.assert_allclose(copied, peer)


@pytest.mark.parametrize(
    ("year", "coordinators", "speedup", "stage"),
    [
        (2009.99, 0.0, 2.0, 0),
        (2010.0, 0.0, 2.0, 1),
        (2011.99, 0.0, 2.0, 1),
        (2012.0, 0.0, 2.0, 2),
        (2014.0, 0.0, 2.0, 3),
        (2016.0, 0.0, 2.0, 4),
        (2050.0, 0.0, 2.0, 4),
        (2011.0, 1.0, 2.0, 2),  # a stage lasts 1 year with coordinators, 2 without
        (2013.0, 1.0, 2.0, 4),
        (2011.0, 0.5, 3.0, 2),  # half a coordinator at 3x speed: stages of 1 year
        (2011.0, 1.0, 1.0, 1),  # coordinators that do not speed anything up
    ],
)
def test_deployment_stage_thresholds(year, coordinators, speedup, stage):
    assert policy.deployment_stage(year, 2010.0, 2.0, speedup, coordinators) == stage


def test_working_stage_is_implementation():
    assert policy.STAGES[policy.WORKING_STAGE] == "implementation"
    assert len(policy.STAGES) == 5


@pytest.mark.parametrize(
    "shares",
    [
        [0.25, 0.25, 0.25, 0.25],
        [0.1, 0.5, 0.2, 0.2],
        [2.0, 1.0, 1.0, 0.0],
        [0.5, 0.5, 0.0, 0.0],
        [1.0, 0.0, 0.0, 0.0],
        [0.97, 0.01, 0.01, 0.01],
        [0.0, 0.0, 0.0, 5.0],
    ],
)
def test_normalise_keeps_min_share_and_sums_to_one(shares):
    shares = np.array(shares)
    out = policy.normalise(shares)
    assert out.sum() == pytest.approx(1.0)
    assert (out >= policy.MIN_SHARE - 1e-12).all(), out
    # order is kept, and shares above the floor keep their proportions
    assert (np.argsort(out, kind="stable") == np.argsort(shares, kind="stable")).all()
    above = out > policy.MIN_SHARE + 1e-12
    ratio = out[above] / shares[above]
    np.testing.assert_allclose(ratio, ratio[0])
    # the same shares in other units (EUR rather than fractions): the same result
    np.testing.assert_allclose(policy.normalise(1e5 * shares), out)


def test_normalise_leaves_valid_shares_alone():
    shares = np.array([0.1, 0.5, 0.2, 0.2])
    np.testing.assert_allclose(policy.normalise(shares), shares)
    np.testing.assert_allclose(policy.normalise(3 * shares), shares)
