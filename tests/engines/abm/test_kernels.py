"""The agent-based engine's compiled passes and kept row sets against plain numpy.

The kernels must give the numpy version's numbers to the bit (the engine's results depend on
every comparison of a clock with its threshold), and a row set must always hold exactly the
rows a full scan would find.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.engines.abm import kernels
from simulation.engines.abm.rowsets import RowSet


def _numpy_advance(acc, threshold, key, vulnerability, total_vuln, total_plain, weighted):
    """The numpy pass the kernel replaces (``FamilyMoves._total_rates`` + ``Clocks.advance``)."""
    total = np.take(total_vuln, key)
    if weighted:
        total *= vulnerability
    total += np.take(total_plain, key)
    acc += total
    fired = np.flatnonzero(acc >= threshold)
    return fired, (acc[fired] - threshold[fired]) / total[fired]


@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_advance_all_matches_numpy_to_the_bit(weighted, seed):
    rng = np.random.default_rng(seed)
    n, size = 5000, 400
    total_vuln, total_plain = rng.random(size) * 0.05, rng.random(size) * 0.02
    total_plain[:10] = total_vuln[:10] = 0.0  # rows that cannot move (as families that left)
    key = rng.integers(0, size, n).astype(np.intp)
    vulnerability = rng.gamma(2.0, 0.5, n)
    threshold = rng.exponential(size=n)
    acc = threshold - rng.random(n) * 0.1  # many rows close to their threshold
    expected_acc = acc.copy()
    fired, after = kernels.advance_all(
        acc, threshold, key, vulnerability, total_vuln, total_plain, weighted
    )
    expected = _numpy_advance(
        expected_acc, threshold, key, vulnerability, total_vuln, total_plain, weighted
    )
    assert fired.size > 100
    np.testing.assert_array_equal(fired, expected[0])
    np.testing.assert_array_equal(after, expected[1])
    np.testing.assert_array_equal(acc, expected_acc)


def test_finish_month_and_count_held_match_numpy():
    rng = np.random.default_rng(5)
    n, n_prog, n_muni = 3000, 5, 7
    programme = rng.integers(-1, n_prog, n).astype(np.int8)
    graduate = (rng.random(n) < 0.4) & (programme >= 0)
    months = rng.integers(0, 30, n).astype(np.int16)
    service = rng.integers(0, 50, n).astype(np.int16)
    municipality = rng.integers(0, n_muni, n).astype(np.int16)
    duration = np.array([0.0, 0.5, 1.0, 2.0, 0.25])
    active = np.flatnonzero(programme >= 0)
    # numpy, as the engine computed it before the kernel
    grad, mon, ser = graduate.copy(), months.copy(), service.copy()
    which = programme[active]
    participant = ~grad[active]
    mon[active[participant]] += 1
    ser[active[participant]] += 1
    finished = participant & (duration[which] > 0) & (mon[active] >= duration[which] * 12)
    grad[active[finished]] = True
    earlier = np.flatnonzero(grad[active] & ~finished)

    got = kernels.finish_month(active, programme, graduate, months, service, duration)
    np.testing.assert_array_equal(got, earlier)
    for a, b in ((graduate, grad), (months, mon), (service, ser)):
        np.testing.assert_array_equal(a, b)
    for graduates in (True, False):
        out = np.zeros((n_muni, n_prog))
        kernels.count_held(active, programme, graduate, municipality, graduates, out)
        rows = active[graduate[active] == graduates]
        expected = np.zeros((n_muni, n_prog))
        np.add.at(expected, (municipality[rows], programme[rows]), 1.0)
        np.testing.assert_array_equal(out, expected)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 300),
    steps=st.lists(st.tuples(st.integers(0, 2**32 - 1), st.booleans()), min_size=1, max_size=12),
)
def test_row_set_holds_exactly_what_a_scan_finds(n, steps):
    flag = np.zeros(n, bool)
    rows = RowSet(lambda r: flag[r])
    for seed, compact in steps:
        rng = np.random.default_rng(seed)
        on = rng.integers(0, n, rng.integers(0, n + 1))  # repeats and any order
        off = rng.integers(0, n, rng.integers(0, n + 1))
        if seed % 2:  # told which rows stop, or only that some may have
            rows.discard(off[flag[off]])
        else:
            rows.touch()
        flag[off] = False
        flag[on] = True
        rows.add(on)
        if seed % 3 == 0:  # some added rows stop again before the set is read
            again = on[: len(on) // 2]
            flag[again] = False
            rows.discard(again)
        np.testing.assert_array_equal(rows.current(), np.flatnonzero(flag))
        if compact:  # drop some rows that are off, as a yearly compaction does
            keep = np.flatnonzero(flag | (rng.random(n) < 0.5))
            rows.renumber(keep)
            flag = flag[keep]
            n = len(flag)
            rows.condition = lambda r, f=flag: f[r]
            np.testing.assert_array_equal(rows.current(), np.flatnonzero(flag))


def test_table_keys_match_numpy():
    from simulation.engines.abm.layout import EXITED_SLOT, LOCAL_COMBO, SLOTS

    rng = np.random.default_rng(11)
    n, n_muni, n_combos = 4000, 9, 3
    state = rng.integers(-1, SLOTS - 1, n).astype(np.int8)
    months = rng.integers(0, 30, n).astype(np.int16)
    combo = rng.integers(0, LOCAL_COMBO.shape[1], n).astype(np.int16)
    muni = rng.integers(0, n_muni, n).astype(np.int16)
    rows = np.sort(rng.choice(n, 1500, replace=False))
    # numpy, as FamilyMoves._keys computed them before the kernel
    duration = (months[rows] > 0).astype(np.intp) + (months[rows] >= 12)
    slot = state[rows] & EXITED_SLOT
    local = np.minimum(LOCAL_COMBO[slot, combo[rows]], n_combos - 1)
    expected = ((duration * n_combos + local) * n_muni + muni[rows]) * SLOTS + slot
    table = np.minimum(LOCAL_COMBO, n_combos - 1)  # a table with n_combos combinations
    keys = kernels.table_keys(rows, (state, months, combo, muni), table, (n_combos, n_muni, SLOTS))
    np.testing.assert_array_equal(keys, expected)


@pytest.mark.parametrize("seed", [0, 1])
def test_crn_uniform_matches_the_numpy_hash_to_the_bit(seed):
    from simulation.model import crn

    rng = np.random.default_rng(seed)
    ids = rng.integers(0, 2**40, 3000)
    counters = rng.integers(0, 200, 3000)
    rows = np.sort(rng.choice(3000, 1000, replace=False))
    for stream in (1, 2, 99):
        key = crn.key(seed, stream)
        got = kernels.crn_uniform(ids, counters, rows, np.uint64(key))
        np.testing.assert_array_equal(got, crn.uniform(ids[rows], key, counters[rows]))


@settings(max_examples=60, deadline=None)
@given(
    a=st.sets(st.integers(0, 500), max_size=200),
    b=st.sets(st.integers(0, 500), max_size=200),
)
def test_sorted_union_and_difference_are_numpy_s(a, b):
    left = np.array(sorted(a), np.intp)
    right = np.array(sorted(b), np.intp)
    np.testing.assert_array_equal(kernels.merge_sorted(left, right), np.union1d(left, right))
    np.testing.assert_array_equal(kernels.difference_sorted(left, right), np.setdiff1d(left, right))
