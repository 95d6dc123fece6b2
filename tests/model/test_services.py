"""Unit tests of :mod:`simulation.model.services`.

The chain: budget -> capacity -> coverage -> quality -> effect.

Every function there is pure numpy and broadcasts over leading axes, so the tests check the
formulas on scalars, their limits and monotonicity (with hypothesis, derandomised), and that
leading axes broadcast the same way a loop would.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from simulation.model import services as sv

PROPERTY = settings(max_examples=60, deadline=None, derandomize=True)

families = st.floats(min_value=0.0, max_value=1e5, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-3, max_value=1e5, allow_nan=False, allow_infinity=False)
ratios = st.floats(min_value=1.0, max_value=5.0)
shares = st.floats(min_value=0.0, max_value=1.0)
weights = st.floats(min_value=0.05, max_value=0.95)


def quality_params(
    ngo_quality_ratio: float = 1.0,
    training_quality_gain: float = 0.0,
    caseload_quality_loss: float = 0.0,
) -> dict[str, float]:
    """Parameters read by :func:`simulation.model.services.quality`.

    Parameters
    ----------
    ngo_quality_ratio : float
        NGO quality relative to municipal quality.
    training_quality_gain : float
        Relative quality gain when every worker is trained.
    caseload_quality_loss : float
        Quality loss per unit of caseload above the norm.

    Returns
    -------
    dict of str to float
        The mapping ``quality`` expects as ``p``.
    """
    return {
        "ngo_quality_ratio": ngo_quality_ratio,
        "training_quality_gain": training_quality_gain,
        "caseload_quality_loss": caseload_quality_loss,
    }


def one_service_slots(ngo: float, municipal: float) -> np.ndarray:
    """Provider slots for all four services, the same for each, shape ``(N_SERVICES, 2)``.

    Parameters
    ----------
    ngo, municipal : float
        Family slots bought from NGOs and from municipal providers.

    Returns
    -------
    ndarray, shape ``(N_SERVICES, N_PROVIDERS)``
    """
    slots = np.empty((sv.N_SERVICES, sv.N_PROVIDERS))
    slots[:, sv.NGO] = ngo
    slots[:, sv.MUNICIPAL] = municipal
    return slots


# ---- coverage and caseload -----------------------------------------------------------------


@PROPERTY
@given(slots=families, eligible=families, ratio=ratios)
def test_coverage_is_served_over_eligible_capped_at_one(slots, eligible, ratio):
    coverage, caseload = sv.coverage_and_caseload(
        np.array(slots), np.array(eligible), np.array(ratio)
    )
    served = min(eligible, slots * ratio)
    assert 0.0 <= coverage <= 1.0
    if eligible > 0:
        assert coverage == pytest.approx(served / eligible, rel=1e-12)
    else:  # nobody to serve: a newcomer would be served if and only if there are slots
        assert coverage == (1.0 if slots > 0 else 0.0)
    if slots > 0:
        assert caseload == pytest.approx(served / slots, rel=1e-12)
    else:
        assert caseload == 0.0


@PROPERTY
@given(slots=positive, ratio=ratios, excess=st.floats(min_value=1.01, max_value=100.0))
def test_caseload_is_capped_at_the_maximum_ratio(slots, ratio, excess):
    # Demand exceeds what staff take on even at the largest caseload: the caseload sits at
    # the cap and coverage is what the capped caseload serves.
    eligible = excess * slots * ratio
    coverage, caseload = sv.coverage_and_caseload(
        np.array(slots), np.array(eligible), np.array(ratio)
    )
    assert caseload == pytest.approx(ratio, rel=1e-12)
    assert coverage == pytest.approx(1.0 / excess, rel=1e-12)
    assert coverage < 1.0


def test_coverage_is_full_when_demand_fits_within_the_norm():
    coverage, caseload = sv.coverage_and_caseload(
        np.array([100.0, 100.0, 100.0]), np.array([50.0, 100.0, 140.0]), np.array(1.5)
    )
    np.testing.assert_array_equal(coverage, [1.0, 1.0, 1.0])
    np.testing.assert_allclose(caseload, [0.5, 1.0, 1.4], rtol=1e-15)


def test_coverage_without_slots_is_zero_for_eligible_families():
    coverage, caseload = sv.coverage_and_caseload(
        np.array([0.0, 0.0]), np.array([10.0, 0.0]), np.array(1.5)
    )
    np.testing.assert_array_equal(coverage, [0.0, 0.0])
    np.testing.assert_array_equal(caseload, [0.0, 0.0])


def test_coverage_broadcasts_over_leading_axes_like_a_loop():
    rng = np.random.default_rng(11)
    slots = rng.uniform(0.0, 100.0, (3, 5, sv.N_SERVICES))
    eligible = rng.uniform(0.0, 300.0, (3, 5, sv.N_SERVICES))
    ratio = rng.uniform(1.0, 2.0, (3, 1, 1))
    coverage, caseload = sv.coverage_and_caseload(slots, eligible, ratio)
    for idx in np.ndindex(slots.shape):
        c, q = sv.coverage_and_caseload(slots[idx], eligible[idx], ratio[idx[0], 0, 0])
        assert coverage[idx] == c
        assert caseload[idx] == q


# ---- quality -------------------------------------------------------------------------------


def test_quality_is_one_at_the_norm_with_untrained_municipal_staff():
    q = sv.quality(
        one_service_slots(0.0, 50.0),
        np.ones(sv.N_SERVICES),
        quality_params(ngo_quality_ratio=1.3, training_quality_gain=0.4, caseload_quality_loss=2),
        0.0,
    )
    np.testing.assert_allclose(q, 1.0, rtol=1e-15)


def test_quality_falls_above_the_caseload_norm_and_not_below_it():
    loss = 0.5
    caseload = np.linspace(0.0, 3.0, 31)
    slots = np.broadcast_to(one_service_slots(0.0, 10.0), (31, sv.N_SERVICES, 2))
    load = np.repeat(caseload[:, None], sv.N_SERVICES, axis=1)
    q = sv.quality(slots, load, quality_params(caseload_quality_loss=loss), 0.0)[:, 0]
    below, above = caseload <= 1.0, caseload > 1.0
    np.testing.assert_allclose(q[below], 1.0, rtol=1e-15)
    assert np.all(np.diff(q[above]) < 0.0)
    np.testing.assert_allclose(q[above], 1.0 / (1.0 + loss * (caseload[above] - 1.0)), rtol=1e-14)
    # 15 families per worker against a norm of 10 (ratio 1.5) with loss 0.5: quality 0.8.
    assert q[15] == pytest.approx(0.8, rel=1e-12)


def test_quality_rises_with_training():
    gain = 0.3
    trained = np.linspace(0.0, 1.0, 11)
    slots = np.broadcast_to(one_service_slots(5.0, 5.0), (11, sv.N_SERVICES, 2))
    q = sv.quality(slots, np.ones((11, sv.N_SERVICES)), quality_params(1.0, gain, 0.5), trained)
    assert np.all(np.diff(q[:, 0]) > 0.0)
    np.testing.assert_allclose(q[:, 0], 1.0 + gain * trained, rtol=1e-14)


@pytest.mark.parametrize(
    ("ngo", "municipal", "expected"),
    [(10.0, 0.0, 1.3), (0.0, 10.0, 1.0), (5.0, 5.0, 1.15), (0.0, 0.0, 1.0)],
)
def test_quality_is_the_slot_weighted_provider_mix(ngo, municipal, expected):
    q = sv.quality(
        one_service_slots(ngo, municipal),
        np.ones(sv.N_SERVICES),
        quality_params(ngo_quality_ratio=1.3),
        0.0,
    )
    np.testing.assert_allclose(q, expected, rtol=1e-14)


# ---- complement of basic and integration services --------------------------------------------


@PROPERTY
@given(other=st.floats(min_value=0.0, max_value=2.0), w=weights)
def test_complement_is_zero_when_either_service_is_missing(other, w):
    assert sv.complement(np.array(0.0), np.array(other), np.array(w)) == 0.0
    assert sv.complement(np.array(other), np.array(0.0), np.array(w)) == 0.0


@PROPERTY
@given(total=st.floats(min_value=0.01, max_value=2.0), w=weights)
def test_complement_for_a_fixed_total_peaks_at_the_basic_weight(total, w):
    # max over b of b^w (T - b)^(1 - w): the derivative vanishes where w / b = (1 - w) / (T - b),
    # i.e. at b = w T, and the function is strictly concave in b on (0, T).
    basic = np.linspace(0.0, total, 20001)
    joint = sv.complement(basic, total - basic, np.array(w))
    best = basic[np.argmax(joint)]
    assert abs(best - w * total) <= total / 20000 + 1e-15
    peak = sv.complement(np.array(w * total), np.array((1 - w) * total), np.array(w))
    assert peak == pytest.approx(total * w**w * (1 - w) ** (1 - w), rel=1e-12)
    assert peak >= joint.max() * (1 - 1e-12)


@PROPERTY
@given(a=st.floats(min_value=0.0, max_value=2.0), b=st.floats(0.0, 2.0), w=weights)
def test_complement_is_a_weighted_geometric_mean(a, b, w):
    joint = sv.complement(np.array(a), np.array(b), np.array(w))
    assert joint == pytest.approx(a**w * b ** (1 - w), rel=1e-12, abs=1e-300)
    assert min(a, b) - 1e-12 <= joint <= max(a, b) + 1e-12
    # Homogeneous of degree one: doubling both services doubles the joint effect.
    assert sv.complement(np.array(2 * a), np.array(2 * b), np.array(w)) == pytest.approx(
        2 * joint, rel=1e-12, abs=1e-300
    )


# ---- capacity ------------------------------------------------------------------------------


@PROPERTY
@given(capacity=families, target=families, delay=st.floats(min_value=0.01, max_value=10.0))
def test_capacity_change_closes_the_gap_at_rate_one_over_delay(capacity, target, delay):
    rate = sv.capacity_change(np.array(capacity), np.array(target), np.array(delay))
    assert rate == pytest.approx((target - capacity) / delay, rel=1e-12, abs=1e-12)
    assert np.sign(rate) == np.sign(target - capacity)


def test_capacity_reaches_one_over_e_of_the_gap_after_one_delay():
    delay, target, start = 0.75, 400.0, 100.0
    sol = solve_ivp(
        lambda t, c: sv.capacity_change(c, np.array([target]), np.array(delay)),
        (0.0, 3 * delay),
        [start],
        t_eval=[delay, 2 * delay, 3 * delay],
        rtol=1e-10,
        atol=1e-10,
    )
    gap = (target - sol.y[0]) / (target - start)
    np.testing.assert_allclose(gap, np.exp(-np.array([1.0, 2.0, 3.0])), rtol=1e-7)


def test_capacity_at_target_does_not_move():
    target = np.array([[10.0, 20.0], [0.0, 5.0]])
    np.testing.assert_array_equal(sv.capacity_change(target, target, np.array(2.0)), 0.0)


# ---- budgets and unit costs ------------------------------------------------------------------


@PROPERTY
@given(
    budget=st.lists(st.floats(0.0, 1e8), min_size=sv.N_SERVICES, max_size=sv.N_SERVICES),
    share=st.lists(shares, min_size=sv.N_SERVICES, max_size=sv.N_SERVICES),
)
def test_split_budget_sums_back_to_the_budget(budget, share):
    budget, share = np.array(budget), np.array(share)
    split = sv.split_budget(budget, share)
    assert split.shape == (sv.N_SERVICES, sv.N_PROVIDERS)
    assert np.all(split >= 0.0)
    np.testing.assert_allclose(split.sum(axis=-1), budget, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(split[:, sv.NGO], budget * share, rtol=1e-15)


def test_split_budget_extremes_go_to_one_provider():
    budget = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(sv.split_budget(budget, np.zeros(4))[:, sv.NGO], 0.0)
    np.testing.assert_array_equal(sv.split_budget(budget, np.ones(4))[:, sv.MUNICIPAL], 0.0)


def test_unit_costs_scale_ngo_slots_by_the_cost_ratio_and_batch():
    k = 3
    p = {f"unit_cost.{s}": np.full((k, 1), 100.0 * (i + 1)) for i, s in enumerate(sv.SERVICES)}
    p["ngo_cost_ratio"] = np.array([[0.5], [1.0], [2.0]])
    cost = sv.unit_costs(p)
    assert cost.shape == (k, 1, sv.N_SERVICES, sv.N_PROVIDERS)
    np.testing.assert_allclose(cost[..., sv.MUNICIPAL], [[[100.0, 200.0, 300.0, 400.0]]] * k)
    np.testing.assert_allclose(
        cost[..., sv.NGO], cost[..., sv.MUNICIPAL] * p["ngo_cost_ratio"][..., None], rtol=1e-15
    )


@pytest.mark.parametrize("batched", ["ngo_cost_ratio", "unit_cost.basic"])
def test_unit_costs_broadcast_when_only_some_inputs_are_batched(batched):
    # Inputs may be scalars or (K, 1) arrays (see the docstring); a sensitivity analysis
    # that varies one cost leaves the others scalar.
    k = 3
    p = {f"unit_cost.{s}": np.array([[1000.0]]) for s in sv.SERVICES}
    p["ngo_cost_ratio"] = np.array([[1.0]])
    p[batched] = np.array([[0.5], [1.0], [2.0]]) * p[batched]
    cost = sv.unit_costs(p)
    assert cost.shape == (k, 1, sv.N_SERVICES, sv.N_PROVIDERS)
    for i in range(k):
        one = sv.unit_costs({n: v[min(i, len(v) - 1)] for n, v in p.items()})
        np.testing.assert_array_equal(cost[i], one)


def test_slots_bought_cost_exactly_the_budget():
    budget = np.array([3.6e6, 7.8e6, 2.0e6, 1.0e6])
    split = sv.split_budget(budget, np.array([0.6, 0.1, 0.3, 0.5]))
    cost = np.array([[800.0, 1000.0], [900.0, 1023.0], [2000.0, 2000.0], [6000.0, 5000.0]])
    slots = sv.target_capacity(split, cost)
    np.testing.assert_allclose((slots * cost).sum(axis=-1), budget, rtol=1e-14)


# ---- multipliers on hazards --------------------------------------------------------------------


@PROPERTY
@given(efficacy=shares, coverage=st.floats(min_value=0.0, max_value=3.0))
def test_lowering_multiplier(efficacy, coverage):
    m = sv.lowering(np.array(efficacy), np.array(coverage))
    assert m == pytest.approx(max(1.0 - efficacy * coverage, 0.0), abs=1e-15)
    assert 0.0 <= m <= 1.0
    # More effective coverage never raises the hazard it lowers.
    assert sv.lowering(np.array(efficacy), np.array(coverage + 0.1)) <= m


def test_lowering_is_clipped_at_zero_and_neutral_without_service():
    np.testing.assert_array_equal(sv.lowering(np.array(0.8), np.array([0.0, 2.0, 5.0])), [1, 0, 0])
    np.testing.assert_array_equal(sv.lowering(np.array(0.0), np.array([0.3, 1.0])), [1, 1])


@PROPERTY
@given(gain=st.floats(0.0, 20.0), coverage=st.floats(min_value=0.0, max_value=3.0))
def test_raising_multiplier(gain, coverage):
    m = sv.raising(np.array(gain), np.array(coverage))
    assert m == pytest.approx(1.0 + gain * coverage, rel=1e-15)
    assert m >= 1.0
    assert sv.raising(np.array(gain), np.array(coverage + 0.1)) >= m
    assert sv.raising(np.array(0.0), np.array(coverage)) == 1.0
    assert sv.raising(np.array(gain), np.array(0.0)) == 1.0


def test_training_spending_by_hand():
    p = {"caseload_norm": 10.0, "staff_turnover": 0.2, "cost.training_per_person": 1000.0}
    slots = np.full((4, 2), 25.0)  # 200 slots -> 20 staff
    # half trained, steady: the 20% who leave are replaced and retrained: 20 * 0.5 * 0.2 = 2
    assert sv.training_spending(slots, 0.5, 0.0, p) == pytest.approx(2 * 1000.0)
    # raising the share by 0.3 a year trains 6 more people a year
    assert sv.training_spending(slots, 0.5, 0.3, p) == pytest.approx((2 + 6) * 1000.0)
    assert sv.training_spending(slots, 0.0, 0.0, p) == 0.0
