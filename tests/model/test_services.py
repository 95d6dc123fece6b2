"""Unit tests of :mod:`simulation.model.services`.

The chain: line budgets and programme budgets -> capacity -> places -> families served (of
each programme's own target state) -> quality -> effect on the families treated (served or
graduates) -> hazard multipliers; spending is the capacity in use, the rest unspent.

Every function there is pure numpy and broadcasts over leading axes, so the tests check the
formulas on small cases, their limits and monotonicity (with hypothesis, derandomised), and
that leading axes broadcast the same way a loop would.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from simulation.model import flows as fl
from simulation.model import services as sv
from simulation.model.catalogue import REGISTRY
from simulation.model.states import N_STATES, State

PROPERTY = settings(max_examples=60, deadline=None, derandomize=True)
D = REGISTRY.defaults()
P = {name: i for i, name in enumerate(sv.PROGRAMME_NAMES)}

families = st.floats(min_value=0.0, max_value=1e5, allow_nan=False, allow_infinity=False)
shares = st.floats(min_value=0.0, max_value=1.0)
ratios = st.floats(min_value=1.0, max_value=5.0)


def stocks_of(**by_state) -> np.ndarray:
    """Families by state from keyword counts, e.g. ``stocks_of(risk=100)``."""
    out = np.zeros(N_STATES)
    for key, value in by_state.items():
        out[State[key.upper()]] = value
    return out


def quiet(**changes) -> dict:
    """Defaults with quality exactly 1 (untrained, no scale-up discount, no strain)."""
    return {**D, "training_quality_gain": 0.0, "scale_up_decay": 0.0, **changes}


# ---- the library in the model ----------------------------------------------------------


def test_every_line_has_programmes_and_every_programme_one_line_and_target():
    assert all(len(m) >= 1 for m in sv.LINE_PROGRAMMES)
    assert sorted(i for m in sv.LINE_PROGRAMMES for i in m) == list(range(sv.N_PROGRAMMES))
    for prog, target in zip(sv.PROGRAMMES, sv.PROGRAMME_TARGET, strict=True):
        assert target == prog.target
        for effect in prog.effects:
            assert fl.EFFECT_SOURCE[effect.transition] == prog.target


# ---- money -----------------------------------------------------------------------------


def test_mix_shares_are_weights_relative_to_their_line():
    levers = {f"mix.{n}": 0.0 for n in sv.PROGRAMME_NAMES}
    levers.update({"mix.day_centres": 3.0, "mix.home_visiting": 1.0, "mix.casework": 2.0})
    shares = sv.mix_shares(levers)
    assert shares[P["day_centres"]] == pytest.approx(0.75)
    assert shares[P["home_visiting"]] == pytest.approx(0.25)
    assert shares[P["casework"]] == pytest.approx(1.0)
    # a line with no weight is split evenly
    for members in sv.LINE_PROGRAMMES:
        assert shares[list(members)].sum() == pytest.approx(1.0)


def test_programme_budgets_add_the_line_share_and_the_programme_own_money():
    levers = dict(D)
    line = np.array([10.0, 20.0, 3.0, 1.0]) * 1e6
    own = np.zeros(sv.N_PROGRAMMES)
    own[P["family_preservation"]] = 2e6
    budget = sv.programme_budgets(line, levers, own)
    assert budget[P["day_centres"]] == pytest.approx(10e6)  # the baseline mix: all of it
    assert budget[P["family_preservation"]] == pytest.approx(2e6)
    assert budget.sum() == pytest.approx(line.sum() + own.sum())


@PROPERTY
@given(
    budget=st.lists(st.floats(0.0, 1e8), min_size=sv.N_PROGRAMMES, max_size=sv.N_PROGRAMMES),
    share=st.lists(shares, min_size=sv.N_SERVICES, max_size=sv.N_SERVICES),
)
def test_split_budget_sums_back_to_the_budget(budget, share):
    split = sv.split_budget(np.array(budget), np.array(share))
    np.testing.assert_allclose(split.sum(axis=-1), budget, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(
        split[:, sv.NGO], np.array(budget) * np.array(share)[sv.PROGRAMME_LINE]
    )


def test_programme_costs_scale_ngo_places_by_the_cost_ratio_and_batch():
    p = {**D, "ngo_cost_ratio": np.array([0.5, 2.0])}
    cost = sv.programme_costs(p)
    assert cost.shape == (2, sv.N_PROGRAMMES, sv.N_PROVIDERS)
    np.testing.assert_allclose(cost[:, :, sv.NGO], cost[:, :, sv.MUNICIPAL] * [[0.5], [2.0]])
    assert cost[0, P["casework"], sv.MUNICIPAL] == D["programme.casework.cost"]


def test_places_bought_cost_exactly_the_capacity():
    cost = sv.programme_costs(D)
    capacity = np.full((sv.N_PROGRAMMES, sv.N_PROVIDERS), 1e5)
    places = sv.places(capacity, cost)
    np.testing.assert_allclose(places, (capacity / cost).sum(axis=-1))


def test_spending_is_the_capacity_in_use_and_the_rest_is_unspent():
    capacity = np.full((sv.N_PROGRAMMES, sv.N_PROVIDERS), 100.0)
    slots = np.full(sv.N_PROGRAMMES, 10.0)
    served = np.linspace(0.0, 15.0, sv.N_PROGRAMMES)  # from empty to stretched above the norm
    spent = sv.used_spending(capacity, served, slots)
    used = np.minimum(served / slots, 1.0)
    np.testing.assert_allclose(spent, capacity * used[:, None])
    assert (spent <= capacity).all()
    np.testing.assert_array_equal(sv.used_spending(capacity, served, np.zeros_like(slots)), 0.0)
    lines = sv.line_spending(spent)
    assert lines.shape == (sv.N_SERVICES, sv.N_PROVIDERS)
    assert lines.sum() == pytest.approx(spent.sum())


# ---- capacity ----------------------------------------------------------------------------


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


# ---- who is served ---------------------------------------------------------------------


@PROPERTY
@given(slots=families, stock=families, graduates=families, ratio=ratios)
def test_served_families_fit_the_places_and_the_untreated_target_families(
    slots, stock, graduates, ratio
):
    places = np.full(sv.N_PROGRAMMES, slots)
    grads = np.full(sv.N_PROGRAMMES, graduates)
    stocks = np.full(N_STATES, stock)
    served = sv.serve(places, stocks, grads, ratio)
    assert (served >= 0).all()
    assert (served <= slots * ratio + 1e-9).all()
    for members in sv.LINE_PROGRAMMES:
        for state in set(sv.PROGRAMME_TARGET[list(members)]):
            group = [i for i in members if sv.PROGRAMME_TARGET[i] == state]
            free = max(stock - graduates * len(group), 0.0)
            assert served[group].sum() <= free + 1e-6


def test_programmes_of_a_line_take_families_in_library_order():
    places = np.zeros(sv.N_PROGRAMMES)
    places[[P["home_visiting"], P["parenting_programme"]]] = 60.0
    served = sv.serve(places, stocks_of(early_support=100), np.zeros(sv.N_PROGRAMMES), 1.0)
    assert served[P["home_visiting"]] == 60.0
    assert served[P["parenting_programme"]] == 40.0
    assert served.sum() == 100.0
    # different lines serve the same families (casework and integration services)
    places[:] = 0.0
    places[[P["casework"], P["integration_services"]]] = 80.0
    served = sv.serve(places, stocks_of(risk=100), np.zeros(sv.N_PROGRAMMES), 1.0)
    assert served[P["casework"]] == served[P["integration_services"]] == 80.0


def test_a_programme_serves_only_its_own_target_state():
    places = np.full(sv.N_PROGRAMMES, 1e9)
    served = sv.serve(places, stocks_of(wellbeing=50), np.zeros(sv.N_PROGRAMMES), 1.0)
    assert served[P["universal_parenting"]] == 50.0
    assert served.sum() == 50.0


def test_serve_broadcasts_over_leading_axes_like_a_loop():
    rng = np.random.default_rng(1)
    places = rng.uniform(0, 100, (3, 4, sv.N_PROGRAMMES))
    stocks = rng.uniform(0, 200, (3, 4, N_STATES))
    grads = rng.uniform(0, 20, (3, 4, sv.N_PROGRAMMES))
    batch = sv.serve(places, stocks, grads, 1.5)
    for i in range(3):
        for j in range(4):
            np.testing.assert_allclose(
                batch[i, j], sv.serve(places[i, j], stocks[i, j], grads[i, j], 1.5)
            )


# ---- quality and effects -----------------------------------------------------------------


def test_quality_is_one_at_the_norm_with_untrained_municipal_staff():
    capacity = np.zeros((sv.N_PROGRAMMES, sv.N_PROVIDERS))
    capacity[:, sv.MUNICIPAL] = 1.0
    q = sv.quality(capacity, np.ones(sv.N_PROGRAMMES), quiet(), 0.0)
    np.testing.assert_allclose(q, 1.0)


def test_quality_falls_above_the_norm_rises_with_training_and_is_discounted_at_scale():
    capacity = np.zeros((sv.N_PROGRAMMES, sv.N_PROVIDERS))
    capacity[:, sv.MUNICIPAL] = 1.0
    p = quiet(caseload_quality_loss=0.5, training_quality_gain=0.4, scale_up_decay=0.2)
    base = sv.quality(capacity, np.ones(sv.N_PROGRAMMES), p, 0.0)
    trial = np.array([prog.trial_evidence for prog in sv.PROGRAMMES])
    np.testing.assert_allclose(base, np.where(trial, 0.8, 1.0))
    strained = sv.quality(capacity, np.full(sv.N_PROGRAMMES, 1.5), p, 0.0)
    np.testing.assert_allclose(strained, base / 1.25)
    trained = sv.quality(capacity, np.ones(sv.N_PROGRAMMES), p, 0.5)
    np.testing.assert_allclose(trained, base * 1.2)


def test_a_treated_family_gets_the_programme_multiplier_at_quality_one():
    gaps = sv.effect_gaps(quiet(), np.ones(sv.N_PROGRAMMES))
    treated = np.zeros(sv.N_PROGRAMMES)
    treated[P["family_preservation"]] = 1.0
    effects = sv.effects_of(treated, gaps)
    share = D["programme.family_preservation.effective_share"]
    m = D["programme.family_preservation.effect.placement"]
    assert effects[fl.EFFECTS.index("placement")] == pytest.approx(1 - share * (1 - m))
    others = [i for i, name in enumerate(fl.EFFECTS) if name != "placement"]
    np.testing.assert_array_equal(effects[others], 1.0)


def test_shares_add_within_a_line_and_lines_multiply():
    gaps = np.zeros((sv.N_PROGRAMMES, len(fl.EFFECTS)))
    e = fl.EFFECTS.index("risk_to_crisis")
    gaps[P["casework"], e] = 0.2
    gaps[P["integration_services"], e] = 0.5
    treated = np.zeros(sv.N_PROGRAMMES)
    treated[P["casework"]] = 0.5
    treated[P["integration_services"]] = 0.4
    effects = sv.effects_of(treated, gaps)
    assert effects[e] == pytest.approx((1 - 0.5 * 0.2) * (1 - 0.4 * 0.5))
    gaps[P["family_group_conference"], fl.EFFECTS.index("placement")] = 0.3
    gaps[P["family_preservation"], fl.EFFECTS.index("placement")] = 0.4
    treated[P["family_group_conference"]] = 0.5
    treated[P["family_preservation"]] = 0.5  # one line: disjoint families, shares add
    effects = sv.effects_of(treated, gaps)
    assert effects[fl.EFFECTS.index("placement")] == pytest.approx(1 - 0.5 * 0.3 - 0.5 * 0.4)


def test_no_capacity_means_no_effects_and_nothing_served():
    capacity = np.zeros((4, sv.N_PROGRAMMES, sv.N_PROVIDERS))
    stocks = np.random.default_rng(5).uniform(0.0, 1e4, (4, N_STATES))
    state = sv.service_state(capacity, stocks, np.zeros((4, sv.N_PROGRAMMES)), D)
    np.testing.assert_array_equal(state.effects, 1.0)
    np.testing.assert_array_equal(state.served, 0.0)


def test_treated_share_counts_graduates_and_is_capped_at_one():
    served = np.full(sv.N_PROGRAMMES, 30.0)
    graduates = np.full(sv.N_PROGRAMMES, 20.0)
    shares = sv.treated_shares(served, graduates, stocks_of(risk=100, crisis=10))
    assert shares[P["casework"]] == pytest.approx(0.5)
    assert shares[P["family_preservation"]] == 1.0
    assert shares[P["day_centres"]] == 0.0  # nobody in its target state


# ---- graduates -----------------------------------------------------------------------------


def test_graduates_finish_at_one_over_duration_and_leave_by_relapse_and_exits():
    served = np.full(sv.N_PROGRAMMES, 120.0)
    rates = fl.hazard_rates(D, np.ones(len(fl.EFFECTS)))
    steady = sv.steady_graduates(served, rates, D)
    np.testing.assert_allclose(sv.graduate_change(steady, served, rates, D), 0.0, atol=1e-9)
    i = P["home_visiting"]
    leave = rates[list(fl.OUTFLOWS[State.EARLY_SUPPORT])].sum()
    finish = 120.0 / D["programme.home_visiting.duration"]
    assert steady[i] == pytest.approx(finish / (D["programme.home_visiting.relapse_rate"] + leave))
    assert steady[P["casework"]] == 0.0  # ongoing: it never ends, so no graduates


def test_training_spending_by_hand():
    p = {"caseload_norm": 10.0, "staff_turnover": 0.2, "cost.training_per_person": 1000.0}
    places = np.full(sv.N_PROGRAMMES, 20.0)  # 200 places in use -> 20 staff
    # half trained, steady: the 20% who leave are replaced and retrained: 20 * 0.5 * 0.2 = 2
    assert sv.training_spending(places, 0.5, 0.0, p) == pytest.approx(2 * 1000.0)
    # raising the share by 0.3 a year trains 6 more people a year
    assert sv.training_spending(places, 0.5, 0.3, p) == pytest.approx((2 + 6) * 1000.0)
    assert sv.training_spending(places, 0.0, 0.0, p) == 0.0


def test_programme_table_broadcasts_a_batch_of_one_parameter():
    """A batch of one programme's effect beside unbatched shares gives a batched table."""
    p = {n: np.asarray(v, float) for n, v in REGISTRY.resolve({}).items()}
    name = "programme.home_visiting.effect.supported_escalation"
    p[name] = np.array([[0.7], [0.8], [1.0]])
    table = sv.programme_table(p)
    i = sv.PROGRAMME_NAMES.index("home_visiting")
    e = fl.EFFECTS.index("supported_escalation")
    np.testing.assert_allclose(table.gaps[:, 0, i, e], [0.3, 0.2, 0.0])
