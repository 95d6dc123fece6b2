"""The compiled events of a month and programme queues against their numpy versions.

:mod:`simulation.engines.abm.events` runs the loop of :func:`transitions.jump_month` (choose,
restart, move, advance) and :mod:`simulation.engines.abm.queues` fills programme places; both
must give what the numpy versions gave, to the bit: here a whole run with the numpy loop is
compared with the engine's, and the queue with a full sort.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from simulation.engines.abm import kernels, queues
from simulation.engines.abm import transitions as tr
from simulation.engines.abm.budgets import Budgets
from simulation.engines.abm.layout import SLOTS
from simulation.model import flows as fl
from simulation.model import services as sv
from simulation.model.states import State
from tests.engines.abm.helpers import make_model

RECORDS = (
    *("stocks", "children", "flows", "child_flows", "costs", "stock_years", "child_years"),
    *("graduates_record", "served_years", "programme_costs", "unspent"),
)


class NumpyMoves:
    """A model's moves as the engine made them before its compiled event loop.

    :func:`transitions.jump_month` with numpy option hazards and a move applied row by row
    (the live sums in row order, as the compiled loop and its predecessor add them).
    """

    def __init__(self, model) -> None:
        self.m = model

    def option_rates(self, rows: np.ndarray) -> np.ndarray:
        m, rows = self.m, np.asarray(rows, np.int64)
        keys = m._keys(rows)
        rates = m._options[keys]
        if m.heterogeneity:
            vulnerability = m.families.vulnerability[rows][:, None]
            rates = np.where(m._vuln_options[keys % SLOTS], rates * vulnerability, rates)
        return rates

    def apply(self, rows: np.ndarray, chosen: np.ndarray) -> np.ndarray:
        m, fam = self.m, self.m.families
        before = fam.state[rows].astype(np.int64)
        after = tr.OPTION_TARGET[before, chosen].astype(np.int64)
        flow = tr.FLOW_OF_OPTION[before, chosen].copy()
        to_inst = np.flatnonzero(after == State.INSTITUTIONAL_CARE)
        if to_inst.size and np.isfinite(m._free_places):
            children = fam.children[rows[to_inst]].astype(float)
            refused = to_inst[np.cumsum(children) > m._free_places]
            after[refused] = State.FAMILY_CARE
            flow[refused] = fl.FLOW_INDEX["placement_family"]
            m._free_places -= fam.children[rows[np.setdiff1d(to_inst, refused)]].sum()
        m._free_places += fam.children[rows[before == State.INSTITUTIONAL_CARE]].sum()
        c = fam.columns
        left = np.stack([c[f"programme_{line}"][rows] >= 0 for line in sv.SERVICES], axis=1)
        for j, row in enumerate(rows.tolist()):
            self._book(row, int(before[j]), int(after[j]), int(flow[j]))
        m._nonwell.touch()
        for line, holders in enumerate(m._holders):
            holders.discard(rows[left[:, line]])
        m._nonwell.add(rows[after >= State.VULNERABLE])
        fam.log(m.month, rows, before, after)
        return after

    def _book(self, row: int, before: int, after: int, flow: int) -> None:
        m, c = self.m, self.m.families.columns
        c["state"][row], c["months_in_state"][row], c["combo"][row] = after, 0, 0
        for line in sv.SERVICES:
            c[f"programme_{line}"][row] = -1
            c[f"graduate_{line}"][row] = False
            c[f"months_{line}"][row] = 0
        muni, kids = int(c["municipality"][row]), float(c["children"][row])
        c["table_key"][row] = m._base_key(np.array([muni]), np.array([after]))[0]
        m.month_flows[muni, flow] += 1.0
        m.month_child_flows[muni, flow] += kids
        for state, sign in ((before, -1.0), (after, 1.0)):
            if state >= 0:
                m._live_families[muni, state] += sign
                m._live_children[muni, state] += sign * kids
                m._vulnerability_sum[state] += sign * c["vulnerability"][row]

    def move_month(self, rows=None, time_left=None) -> None:
        m = self.m
        tr.jump_month(
            rows,
            time_left,
            self.option_rates,
            m._total_rates,
            m._clocks(),
            lambda r, chosen, _left: self.apply(r, chosen) != tr.EXITED,
            m._advance_everyone,
        )


@pytest.mark.parametrize(
    "options",
    [
        {"heterogeneity": True, "levers": {"institution_closure_rate": 0.25}},
        {"heterogeneity": False, "levers": {"institution_closure_rate": 0.3}},
    ],
)
def test_compiled_events_are_jump_month_s_to_the_bit(options):
    settings = {"end_year": 2014, "seed": 3, "scale": 0.01, "histories": True, **options}
    compiled = make_model(**settings).run()
    reference = make_model(**settings)
    numpy_moves = NumpyMoves(reference)
    reference._move_month = numpy_moves.move_month
    reference._apply_moves = numpy_moves.apply
    reference.run()
    assert compiled.flows[-1][:, fl.FLOW_INDEX["deinstitutionalisation"]].sum() > 0
    for name in RECORDS:
        np.testing.assert_array_equal(getattr(compiled, name), getattr(reference, name), name)
    for name in compiled.families.columns:
        got, expected = getattr(compiled.families, name), getattr(reference.families, name)
        np.testing.assert_array_equal(got, expected, name)
    np.testing.assert_array_equal(compiled.families.event_table(), reference.families.event_table())


def test_a_row_holds_a_programme_exactly_when_its_combination_is_not_zero(het_model):
    """What ``events.move_families`` relies on to skip the programme columns."""
    c, n = het_model.families.columns, het_model.families.n
    holding = np.zeros(n, bool)
    for line in sv.SERVICES:
        held = c[f"programme_{line}"][:n] >= 0
        holding |= held
        assert not c[f"graduate_{line}"][:n][~held].any()
        assert not c[f"months_{line}"][:n][~held].any()
    assert holding.any()
    np.testing.assert_array_equal(holding, c["combo"][:n] != 0)


class QuantisedRandom:
    """A generator of few distinct numbers, so that queues tie (``random`` only)."""

    def __init__(self, seed: int, levels: int) -> None:
        self.rng, self.levels = np.random.default_rng(seed), levels

    def random(self, size):
        return np.floor(self.rng.random(size) * self.levels) / self.levels


def generator(seed: int, levels: int):
    """A seeded generator: numpy's, or a quantised one (``levels`` > 0)."""
    return QuantisedRandom(seed, levels) if levels else np.random.default_rng(seed)


def sorted_choice(model, rows, free, priority, rng):
    """``Budgets._choose`` as it was: the whole queue sorted."""
    muni = model.families.municipality[rows].astype(np.intp)
    if priority == "vulnerability":
        order_key = -model.families.vulnerability[rows]
    elif priority == "waiting":
        order_key = -model.families.months_in_state[rows].astype(float)
    else:
        order_key = np.zeros(rows.size)
    tie = rng.random(rows.size) * 1e-9
    order = np.argsort(muni + 0.5 + np.arctan(order_key) * (0.99 / np.pi) + tie)
    sorted_muni = muni[order]
    first = np.searchsorted(sorted_muni, np.arange(model.n_muni))
    rank = np.arange(rows.size) - first[sorted_muni]
    quota = np.floor(free) + (rng.random(model.n_muni) < free - np.floor(free))
    return rows[order[rank < quota[sorted_muni]]]


@pytest.mark.parametrize("priority", ["vulnerability", "waiting", "random"])
@pytest.mark.parametrize("levels", [0, 2, 50])
def test_queue_takes_the_rows_a_full_sort_takes(priority, levels):
    n_muni, n = 7, 3000
    gen = np.random.default_rng(levels)
    families = SimpleNamespace(
        municipality=gen.integers(0, n_muni, n).astype(np.int16),
        vulnerability=np.round(gen.gamma(2.0, 0.5, n), 1 if levels else 12),
        months_in_state=gen.integers(0, 20, n).astype(np.int16),
    )
    model = SimpleNamespace(families=families, n_muni=n_muni)
    fallbacks = 0
    for seed in range(40):
        rows = np.sort(gen.choice(n, gen.integers(1, 2000), replace=False))
        free = gen.random(n_muni) * gen.choice([3.0, 300.0, 3000.0])
        got_rng, expected_rng = generator(seed, levels), generator(seed, levels)
        got = Budgets._choose(model, rows, free, priority, got_rng)
        expected = sorted_choice(model, rows, free, priority, expected_rng)
        np.testing.assert_array_equal(np.sort(got), np.sort(expected))
        assert got_rng.random(1) == expected_rng.random(1)  # the same draws consumed
        tie = generator(seed, levels).random(rows.size)
        slope = np.arctan(np.zeros(rows.size)) * 0.0
        fallbacks += not queues.first_in_queue(
            rows, families.municipality, slope, tie, np.floor(free)
        )[1]
    if levels == 2:
        assert fallbacks  # ties at a last place happen and are sorted


def test_waiting_rows_matches_numpy():
    gen = np.random.default_rng(4)
    n = 5000
    states = gen.integers(-1, 7, n).astype(np.int8)
    programme = gen.integers(-1, 3, n).astype(np.int8)
    rows = np.flatnonzero(states >= 1)
    for target in range(1, 7):
        got = queues.waiting_rows(rows, states[rows], target, programme)
        np.testing.assert_array_equal(got, np.flatnonzero((states == target) & (programme < 0)))


def test_keep_rows_matches_numpy():
    gen = np.random.default_rng(4)
    n = 5000
    present = gen.random(n) < 0.8
    columns = (gen.integers(-1, 7, n).astype(np.int8), gen.integers(0, 9, n), gen.random(n))
    for column in (*columns, present.copy()):
        expected = column[present]
        kept = kernels.keep_rows(column, present)
        np.testing.assert_array_equal(column[:kept], expected)
