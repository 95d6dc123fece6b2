"""Competing-risk transitions, exact within a month (:mod:`simulation.engines.abm.transitions`).

Every test is deterministic (fixed seeds) and runs on a small share of Lithuania's families.
Statistical checks derive their tolerance from a standard error: 4 standard errors unless
stated otherwise, so that a correct engine fails a check with probability below about 1e-4.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

from simulation.engines.abm import transitions as tr
from simulation.model import flows as fl
from simulation.model.states import N_STATES, State
from tests.engines.abm.helpers import (
    EXIT_TARGET,
    Z,
    make_model,
)


# ---- transitions ----------------------------------------------------------------------
def test_choose_option_frequencies_match_hazards():
    rng = np.random.default_rng(123)
    for row in ([0.5, 1.5, 3.0, 0.0], [2.0, 0.0, 1.0, 1.0], [0.0, 0.0, 0.0, 7.0]):
        rates = np.tile(np.array(row), (60_000, 1))
        chosen = tr.choose_option(rates, rng.random(len(rates)))
        counts = np.bincount(chosen, minlength=tr.MAX_OUT)
        p = np.array(row) / sum(row)
        assert (counts[p == 0] == 0).all(), (row, counts)
        if (p > 0).sum() > 1:
            result = stats.chisquare(counts[p > 0], len(rates) * p[p > 0])
            assert result.pvalue > 1e-3, (row, counts)


def test_choose_option_with_different_rows():
    rng = np.random.default_rng(5)
    rates = rng.random((50_000, tr.MAX_OUT)) * (rng.random((50_000, tr.MAX_OUT)) > 0.3)
    rates[:, 0] += 1e-3  # positive row sums
    chosen = tr.choose_option(rates, rng.random(len(rates)))
    assert (rates[np.arange(len(rates)), chosen] > 0).all()
    # expected count of each option = sum over rows of its share of the row's hazard
    expected = (rates / rates.sum(axis=1, keepdims=True)).sum(axis=0)
    counts = np.bincount(chosen, minlength=tr.MAX_OUT)
    assert stats.chisquare(counts, expected).pvalue > 1e-3


def make_clocks(n: int, seed: int) -> tr.Clocks:
    """Hazard clocks for ``n`` toy agents with ids 0..n-1, all started."""
    clocks = tr.Clocks(
        np.arange(n, dtype=np.int64), np.zeros(n), np.zeros(n), np.zeros(n, np.int64), seed
    )
    clocks.start(np.arange(n))
    return clocks


class Chain:
    """A toy continuous-time chain driven by :func:`transitions.jump_month`.

    ``rates[s, j]`` is the hazard (1/yr) of option ``j`` in state ``s``, leading to
    ``targets[s, j]`` (``-1`` leaves the system). ``jump_month`` works in hazards per
    period, here a month.
    """

    def __init__(self, rates, targets, n: int, seed: int = 0) -> None:
        self.per_month = np.asarray(rates, float) / 12.0
        self.targets = np.asarray(targets)
        self.state = np.zeros(n, np.int64)
        self.clocks = make_clocks(n, seed)
        self.calls: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def option_rates(self, rows):
        return self.per_month[self.state[rows]]

    def total_rates(self, rows):
        state = self.state if rows is None else self.state[rows]
        return self.per_month[state].sum(axis=1)

    def on_move(self, rows, chosen, left):
        before = self.state[rows]
        assert (before >= 0).all(), "a row moved after leaving"
        self.calls.append((rows.copy(), before.copy(), np.array(left, float)))
        self.state[rows] = self.targets[before, chosen]
        return self.state[rows] >= 0

    def month(self, rows=None, time_left=None):
        """One month for every row (``rows=None``) or for ``rows`` with ``time_left``."""
        tr.jump_month(
            rows, time_left, self.option_rates, self.total_rates, self.clocks, self.on_move
        )
        return self


def padded(rows):
    out = np.zeros((len(rows), tr.MAX_OUT))
    for i, row in enumerate(rows):
        out[i, : len(row)] = row
    return out


def assert_share(observed: float, p: float, n: int) -> None:
    se = np.sqrt(p * (1 - p) / n)
    assert abs(observed - p) < Z * se, (observed, p, se)


@pytest.mark.parametrize("rate", [0.5, 3.0, 12.0])
def test_jump_month_two_state_chain_moves_one_minus_exp(rate):
    n = 100_000
    chain = Chain(padded([[rate], [0.0]]), np.ones((2, tr.MAX_OUT), int), n, seed=1).month()
    assert_share((chain.state == 1).mean(), 1 - np.exp(-rate / 12), n)
    assert len(chain.calls) == 1  # state 1 has no hazard: nobody moves twice
    _, _, left = chain.calls[0]
    assert ((left > 0) & (left < 1)).all()
    # moves come early in the month (a truncated exponential time): more than half is left
    assert left.mean() > 0.5


def test_jump_month_uses_the_time_left_of_entrants():
    n, rate = 100_000, 6.0
    left = np.where(np.arange(n) < n // 2, 1.0, 0.25)
    chain = Chain(padded([[rate], [0.0]]), np.ones((2, tr.MAX_OUT), int), n, seed=2)
    chain.month(np.arange(n), left)
    moved = chain.state == 1
    assert_share(moved[: n // 2].mean(), 1 - np.exp(-rate / 12), n // 2)
    assert_share(moved[n // 2 :].mean(), 1 - np.exp(-rate / 48), n // 2)
    rows, _, remaining = chain.calls[0]
    assert (remaining < left[rows]).all()
    assert (remaining > 0).all()
    # a subset of rows: the others do not move
    chain = Chain(padded([[rate], [0.0]]), np.ones((2, tr.MAX_OUT), int), 1000, seed=3)
    chain.month(np.arange(500, 1000), np.ones(500))
    assert (chain.state[:500] == 0).all()
    assert (chain.state[500:] == 1).any()


def test_jump_month_allows_several_moves_in_a_month():
    """A -> B -> C with hazard 36/yr each: Erlang(2) times, P(C within a month) =
    1 - exp(-3) * (1 + 3).
    """
    n, lam = 50_000, 36.0
    targets = np.array([[1, 0, 0, 0], [2, 0, 0, 0], [2, 0, 0, 0]])
    chain = Chain(padded([[lam], [lam], [0.0]]), targets, n, seed=3).month()
    x = lam / 12
    assert_share((chain.state == 2).mean(), 1 - np.exp(-x) * (1 + x), n)
    assert_share((chain.state >= 1).mean(), 1 - np.exp(-x), n)
    assert len(chain.calls) == 2
    (rows1, before1, left1), (rows2, before2, left2) = chain.calls
    assert (before1 == 0).all()
    assert (before2 == 1).all()
    assert np.isin(rows2, rows1).all()
    first_left = dict(zip(rows1.tolist(), left1.tolist(), strict=True))
    assert all(0 < b < first_left[r] for r, b in zip(rows2.tolist(), left2.tolist(), strict=True))


def test_jump_month_stops_rows_that_leave():
    n = 20_000
    targets = np.array([[-1, 1, 0, 0], [0, 0, 0, 0]])
    chain = Chain(padded([[30.0, 30.0], [60.0]]), targets, n, seed=4).month()
    gone = chain.state == -1
    assert gone.any()
    assert (chain.state >= 0).any()
    assert len(chain.calls) > 2  # rows went 0 -> 1 -> 0 ... within the month
    # Chain.on_move fails if a row that left moves again; a row's last move is its exit.
    last_call = {}
    for i, (rows, _, _) in enumerate(chain.calls):
        for r in rows.tolist():
            last_call[r] = i
    for r in np.flatnonzero(gone)[:200].tolist():
        rows, before, _ = chain.calls[last_call[r]]
        assert before[rows == r][0] == 0


def profile_mean_stay(rate, other, first, after, scale) -> float:
    """Mean time to any exit with hazard ``scale * rate * ratio(t) + other``, by quadrature."""
    month = 1.0 / 12.0
    h0 = scale * rate * first + other
    h1 = scale * rate + other
    h2 = scale * rate * after + other

    def cumulative(t):
        if t < month:
            return h0 * t
        if t < 1.0:
            return h0 * month + h1 * (t - month)
        return h0 * month + h1 * 11 * month + h2 * (t - 1.0)

    def survival(t):
        return np.exp(-cumulative(t))

    pieces = [(0.0, month), (month, 1.0), (1.0, np.inf)]
    return sum(integrate.quad(survival, a, b, epsabs=1e-12, epsrel=1e-10)[0] for a, b in pieces)


@pytest.mark.parametrize(
    ("rate", "other", "first", "after"),
    [(0.24, 0.07, 1.94, 0.58), (0.5, 0.0, 3.0, 0.3), (0.1, 0.12, 1.0, 1.0), (0.3, 0.05, 0.5, 2.0)],
)
def test_mean_preserving_scale_keeps_the_mean_stay(rate, other, first, after):
    scale = tr.mean_preserving_scale(rate, other, first, after)
    assert scale > 0
    mean = profile_mean_stay(rate, other, first, after, scale)
    assert mean == pytest.approx(1.0 / (rate + other), rel=1e-6)
    if first == after == 1.0:
        assert scale == pytest.approx(1.0, abs=1e-9)


def test_mean_preserving_scale_by_simulation():
    """The same check by simulating stays month by month with the engine's jump_month."""
    rate, other, first, after = 0.24, 0.07, 1.94, 0.58
    scale = tr.mean_preserving_scale(rate, other, first, after)
    n = 40_000
    clocks = make_clocks(n, 8)
    months_in = np.zeros(n, np.int64)
    state = np.zeros(n, np.int64)  # 0 in care, -1 left
    stay = np.zeros(n)

    def hazards(rows):  # per month
        m = months_in[rows]
        ratio = np.where(m == 0, first, np.where(m >= 12, after, 1.0))
        out = np.zeros((len(rows), tr.MAX_OUT))
        out[:, 0] = scale * rate * ratio / 12.0
        out[:, 1] = other / 12.0
        return out

    def on_move(rows, chosen, left):
        state[rows] = -1
        stay[rows] = months_in[rows] + 1.0 - left
        return np.zeros(len(rows), bool)

    for _ in range(12 * 60):
        rows = np.flatnonzero(state == 0)
        if not rows.size:
            break
        tr.jump_month(
            rows, np.ones(len(rows)), hazards, lambda r: hazards(r).sum(1), clocks, on_move
        )
        months_in[state == 0] += 1
    assert (state == -1).mean() > 0.999
    years = stay[state == -1] / 12.0
    se = years.std(ddof=1) / np.sqrt(years.size)
    assert abs(years.mean() - 1.0 / (rate + other)) < Z * se


def test_mean_preserving_scale_of_no_reunification_is_one():
    assert tr.mean_preserving_scale(0.0, 0.07, 1.94, 0.58) == 1.0
    assert tr.mean_preserving_scale(0.3, 0.1, 1.0, 1.0) == pytest.approx(1.0, abs=1e-9)


def test_engine_reunification_profile_is_mean_preserving():
    """Each care state's profile keeps its own mean stay (institutions return home at
    ``institution_reunification_ratio`` times the family-care rate).
    """
    from simulation.model.states import CARE_STATES

    model = make_model(end_year=2009, seed=0, scale=0.002)
    other = model.p["care_leaving_rate"]
    rates = {s: model.reunification_hazard(s) for s in CARE_STATES}
    assert rates[State.INSTITUTIONAL_CARE] == pytest.approx(
        rates[State.FAMILY_CARE] * model.p["institution_reunification_ratio"]
    )
    for state, rate in rates.items():
        first, scale, after = model._reunification_profile[:, state, 0]  # months 2-12: scale
        assert first == pytest.approx(scale * model.p["reunification_first_month_ratio"])
        assert after == pytest.approx(scale * model.p["reunification_after_year_ratio"])
        assert profile_mean_stay(rate, other, first / scale, after / scale, scale) == pytest.approx(
            1.0 / (rate + other), rel=1e-6
        )
    # states without reunification keep a flat profile
    assert (model._reunification_profile[:, State.RISK, 0] == 1.0).all()


def test_option_tables_follow_the_flows():
    for s in State:
        targets = {
            int(tr.OPTION_TARGET[s, j]) for j in range(tr.MAX_OUT) if tr.OPTION_FLOW[s, j] >= 0
        }
        expected = {
            EXIT_TARGET if fl.HAZARD_FLOWS[i].target is None else int(fl.HAZARD_FLOWS[i].target)
            for i in fl.OUTFLOWS[s]
        }
        assert targets == expected
    rates = np.arange(1.0, fl.N_HAZARD_FLOWS + 1.0)
    table = tr.option_table(rates)
    assert table.shape == (N_STATES, tr.MAX_OUT)
    assert table.sum() == pytest.approx(rates.sum())
