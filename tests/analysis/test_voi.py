"""Value of information: EVPI and EVPPI on a textbook case with a closed form, and the groups.

Two options whose incremental net benefit is linear in independent normal parameters,
``INB = a + X1 + X2`` with ``X1 ~ N(m1, s1^2)`` and ``X2 ~ N(m2, s2^2)``: if ``INB ~ N(mu, s^2)``,
``E[max(0, INB)] - max(0, mu) = s phi(mu / s) - |mu| Phi(-|mu| / s)`` (the unit normal loss
integral). EVPI takes ``s = sqrt(s1^2 + s2^2)``; the EVPPI of ``X1`` takes ``s = s1``, since
``E[INB | X1] = a + X1 + m2`` is normal with mean ``mu`` and SD ``s1``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from simulation.analysis import voi

N = 2000
A, M1, S1, M2, S2 = -0.3, 0.5, 1.0, 0.0, 1.5
MU = A + M1 + M2


def loss(mu: float, s: float) -> float:
    """The normal loss integral: ``E[max(0, Y)] - max(0, mu)`` for ``Y ~ N(mu, s^2)``."""
    return s * norm.pdf(mu / s) - abs(mu) * norm.cdf(-abs(mu) / s)


@pytest.fixture(scope="module")
def textbook():
    rng = np.random.default_rng(20261130)
    x1, x2, x3 = rng.normal(M1, S1, N), rng.normal(M2, S2, N), rng.normal(0.0, 1.0, N)
    net_benefit = np.column_stack([np.zeros(N), A + x1 + x2])
    return net_benefit, x1, x2, x3


def test_evpi_matches_the_closed_form(textbook):
    net_benefit, *_ = textbook
    estimate = voi.evpi(net_benefit)
    exact = loss(MU, np.hypot(S1, S2))
    assert abs(estimate.value - exact) < 3 * estimate.standard_error
    assert estimate.standard_error < 0.05 * exact  # the test can tell a wrong formula


def test_evppi_of_one_parameter_matches_the_closed_form(textbook):
    net_benefit, x1, _, _ = textbook
    estimate = voi.evppi(net_benefit, x1[:, None])
    exact = loss(MU, S1)
    assert abs(estimate.value - exact) < 3 * estimate.standard_error
    # half the EVPI: a method returning EVPI, or 0, would fail
    assert abs(estimate.value - loss(MU, np.hypot(S1, S2))) > 10 * estimate.standard_error


def test_evppi_of_a_group_with_an_irrelevant_parameter(textbook):
    """The Gaussian process (two inputs) finds X1's value and ignores X3's."""
    net_benefit, x1, _, x3 = textbook
    estimate = voi.evppi(net_benefit, np.column_stack([x1, x3]), hyper_n=200)
    assert abs(estimate.value - loss(MU, S1)) < 3 * estimate.standard_error


def test_evppi_of_everything_is_the_evpi_and_of_nothing_relevant_is_zero(textbook):
    net_benefit, x1, x2, x3 = textbook
    total = voi.evpi(net_benefit)
    everything = voi.evppi(net_benefit, np.column_stack([x1, x2, x3]), hyper_n=200)
    assert abs(everything.value - total.value) < 0.02 * total.value
    assert everything.estimable
    assert everything.skill > voi.EXACT_SKILL
    nothing = voi.evppi(net_benefit, x3[:, None])
    assert nothing.value < 0.02 * total.value


def test_three_options_and_a_nonlinear_net_benefit():
    """Options whose net benefits depend on a product: EVPPI(all) = EVPI >= EVPPI(one)."""
    rng = np.random.default_rng(7)
    x = rng.uniform(0.0, 1.0, (1500, 2))
    nb = np.column_stack([np.zeros(1500), x[:, 0] * x[:, 1] - 0.2, 0.3 - x[:, 0] ** 2])
    total = voi.evpi(nb)
    both = voi.evppi(nb, x, hyper_n=200)
    first = voi.evppi(nb, x[:, :1])
    assert abs(both.value - total.value) < 0.03 * total.value
    assert 0 < first.value < both.value


def test_a_group_too_large_for_its_draws_is_flagged_not_reported():
    """30 irrelevant inputs, 60 draws: the regression can pass through every draw, and the
    EVPPI would then be the EVPI; the estimate must say it cannot be trusted.
    """
    rng = np.random.default_rng(3)
    n = 60
    irrelevant = rng.uniform(0.0, 1.0, (n, 30))
    nb = np.column_stack([np.zeros(n), rng.normal(0.0, 1.0, n)])
    estimate = voi.evppi(nb, irrelevant, hyper_n=60)
    assert estimate.interpolates
    assert not estimate.estimable
    assert estimate.value > 0.9 * voi.evpi(nb).value  # what an unflagged report would show


def test_a_constant_net_benefit_gives_no_value():
    nb = np.column_stack([np.zeros(50), np.full(50, 3.0)])
    assert voi.evpi(nb).value == 0
    assert voi.evppi(nb, np.linspace(0, 1, 50)[:, None]).value == 0


def test_themes_cover_every_varied_parameter_and_programme_groups_hold_evidence():
    from simulation.model.catalogue import REGISTRY

    names = REGISTRY.names(kind="uncertain")
    themes = voi.groups_by_theme(names)
    assert sorted(n for members in themes.values() for n in members) == sorted(names)
    assert "onset_rate" in themes["hazards"]
    assert "lifecourse.gross_earnings" in themes["life_course"]
    assert "programme.home_visiting.cost" in themes["unit_costs"]
    programmes = voi.groups_by_programme(names)
    assert "programme.home_visiting.effect.supported_escalation" in programmes["home_visiting"]
    assert not any(n.endswith(".cost") for members in programmes.values() for n in members)


def test_study_tables(textbook):
    net_benefit, x1, x2, x3 = textbook
    draws = pd.DataFrame({"onset_rate": x1, "detection_rate": x2, "other_thing": x3})
    result = voi.study(["baseline", "a"], net_benefit, draws, groupings=("parameters",))
    table = result.groups.set_index("group")
    assert list(table.index) == ["onset_rate", "detection_rate", "other_thing"]
    assert table.loc["detection_rate", "evppi"] > table.loc["onset_rate", "evppi"]  # S2 > S1
    assert (table["evppi"] <= result.evpi.value + 3 * result.evpi.standard_error).all()
    options = result.option_table()
    assert options["chance_best"].sum() == pytest.approx(1.0)
    assert result.chosen == ("a" if MU > 0 else "baseline")
    with pytest.raises(ValueError, match="groupings"):
        voi.study(["baseline", "a"], net_benefit, draws, groupings=("nope",))


def test_skill_is_pooled_by_the_variance_of_each_option():
    """A large option the group determines and a small one it does not: the group is skilled."""
    rng = np.random.default_rng(11)
    n = 800
    x = rng.uniform(0.0, 1.0, (n, 2))
    decisive = 10.0 * (x[:, 0] - 0.5)
    small_noise = rng.normal(0.0, 0.1, n)
    nb = np.column_stack([np.zeros(n), decisive, small_noise])
    estimate = voi.evppi(nb, x, hyper_n=200)
    assert estimate.skill > 0.9
    assert estimate.estimable
