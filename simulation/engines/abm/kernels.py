"""Compiled loops (numba) for the agent-based engine's monthly step.

Each month every family accumulates its hazard and those whose clock reaches its threshold
move (:class:`~simulation.engines.abm.transitions.Clocks`). In numpy that pass is seven
array operations over every row (two table look-ups, a product, two sums, a comparison and
a search for the rows that fired), each reading and writing arrays of half a million
numbers; here it is one loop that reads each row once (:func:`advance_all`). The other
loops do in one pass what numpy did in many small operations on scattered rows: a month in
the programmes, table keys, the common-random-number hash, the compaction of the columns and
the merging of sorted row sets (the events of a month are in ``events.py``, the programmes'
queues in ``queues.py``). The arithmetic is
the numpy version's, operation for operation and in the same order (no fast-math: no fused
multiply-add, no reassociation), so the results are the same to the bit
(``tests/engines/abm/test_kernels.py``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from simulation.model.crn import GOLDEN, M1, M2, SECOND, TO_UNIT


@njit(cache=True, fastmath=False, error_model="numpy", nogil=True)
def advance_all(
    accumulated: np.ndarray,
    threshold: np.ndarray,
    key: np.ndarray,
    vulnerability: np.ndarray,
    total_vuln: np.ndarray,
    total_plain: np.ndarray,
    weighted: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Add a month of hazard to every row's clock; return the rows that fired.

    Parameters
    ----------
    accumulated, threshold : ndarray of float64, shape ``(n,)``
        Hazard accumulated since each row's last event (updated in place) and the
        exponential threshold at which it moves next.
    key : ndarray of intp, shape ``(n,)``
        Each row's position in the month's hazard tables.
    vulnerability : ndarray of float64, shape ``(n,)``
        Each row's multiplier of the vulnerability-weighted hazards.
    total_vuln, total_plain : ndarray of float64
        The month's summed hazards (per month) of the options the vulnerability multiplies
        and of the others, by table position.
    weighted : bool
        Multiply ``total_vuln`` by the row's vulnerability (heterogeneity on).

    Returns
    -------
    fired : ndarray of int64
        Rows whose accumulated hazard reached their threshold, ascending.
    after : ndarray of float64
        For each, the share of the month left after its event (the overshoot over its
        month's hazard).
    """
    n = accumulated.shape[0]
    fired = np.empty(n, np.int64)
    after = np.empty(n, np.float64)
    m = 0
    for i in range(n):
        k = key[i]
        if weighted:
            total = total_vuln[k] * vulnerability[i] + total_plain[k]
        else:
            total = total_vuln[k] + total_plain[k]
        acc = accumulated[i] + total
        accumulated[i] = acc
        if acc >= threshold[i]:
            fired[m] = i
            after[m] = (acc - threshold[i]) / total
            m += 1
    return fired[:m].copy(), after[:m].copy()


@njit(cache=True, nogil=True)
def finish_month(
    active: np.ndarray,
    programme: np.ndarray,
    graduate: np.ndarray,
    months: np.ndarray,
    service_months: np.ndarray,
    duration: np.ndarray,
) -> np.ndarray:
    """A month in one line's programmes for the rows ``active`` that hold one.

    Participants (not yet graduates) count a month in the programme and in services, and
    graduate once they have stayed its ``duration`` (years; 0: while in the state). Updates
    the columns in place.

    Returns
    -------
    ndarray of int64
        Positions in ``active`` of the rows that had graduated before this month (they may
        relapse), ascending.
    """
    earlier = np.empty(active.shape[0], np.int64)
    m = 0
    for j in range(active.shape[0]):
        row = active[j]
        if graduate[row]:
            earlier[m] = j
            m += 1
            continue
        months[row] += 1
        service_months[row] += 1
        years = duration[programme[row]]
        if years > 0 and months[row] >= years * 12:
            graduate[row] = True
    return earlier[:m].copy()


@njit(cache=True, nogil=True)
def count_held(
    rows: np.ndarray,
    programme: np.ndarray,
    graduate: np.ndarray,
    municipality: np.ndarray,
    graduates: bool,
    out: np.ndarray,
) -> None:
    """Add the ``rows`` holding a programme to ``out[municipality, programme]``.

    Only graduates (``graduates=True``) or only participants (``False``); rows holding no
    programme of the line (``programme < 0``) are skipped. Whole counts: exact in any order.
    """
    for j in range(rows.shape[0]):
        row = rows[j]
        held = programme[row]
        if held >= 0 and graduate[row] == graduates:
            out[municipality[row], held] += 1.0


@njit(cache=True, nogil=True)
def keep_rows(column: np.ndarray, present: np.ndarray) -> int:
    """Move the rows of ``column`` where ``present`` is true to its front, in order.

    In place (row ``j`` is written only after rows up to ``j`` were read); returns how many
    rows were kept. The compaction of every column of the families, once every few years.
    Every row is copied and only kept ones advance the front: without a branch that the
    processor mispredicts at each family that left, the pass is three to four times faster.
    The row just past the kept ones may be overwritten (columns beyond the families' count
    are never read: new families set every column).
    """
    j = 0
    for i in range(present.shape[0]):
        column[j] = column[i]
        j += present[i]
    return j


@njit(cache=True, nogil=True)
def table_key(row, state, in_state, combo, municipality, local_combo, n_combos, n_muni, slots):
    """The position of ``row`` in the month's flat hazard tables (see :func:`table_keys`)."""
    slot = state[row] & (slots - 1)
    months = in_state[row]
    duration = (1 if months > 0 else 0) + (1 if months >= 12 else 0)
    local = local_combo[slot, combo[row]]
    return ((duration * n_combos + local) * n_muni + municipality[row]) * slots + slot


@njit(cache=True, nogil=True)
def table_keys(
    rows: np.ndarray, columns: tuple, local_combo: np.ndarray, shape: tuple
) -> np.ndarray:
    """Positions of ``rows`` in the month's flat hazard tables.

    ``columns`` is ``(state, months_in_state, combo, municipality)``; ``shape`` is
    ``(table_combos, n_muni, slots)``. The duration class is 0 in a state's first month,
    1 in months 2-12 and 2 after; ``state & (slots - 1)`` sends families that left (-1) to
    the slot without hazards.
    """
    n_combos, n_muni, slots = shape
    keys = np.empty(rows.shape[0], np.intp)
    for j in range(rows.shape[0]):
        keys[j] = table_key(rows[j], *columns, local_combo, n_combos, n_muni, slots)
    return keys


@njit(cache=True, nogil=True)
def write_keys(
    rows: np.ndarray,
    values: np.ndarray,
    least: int,
    columns: tuple,
    local_combo: np.ndarray,
    shape: tuple,
    key: np.ndarray,
) -> None:
    """Set ``key`` of the ``rows`` whose ``values`` are at least ``least`` to their positions.

    :func:`table_keys` written into the column in place, for the rows of a kept set whose
    state qualifies (one pass instead of a mask, a copy, the keys and a scatter).
    """
    n_combos, n_muni, slots = shape
    for j in range(rows.shape[0]):
        if values[j] >= least:
            key[rows[j]] = table_key(rows[j], *columns, local_combo, n_combos, n_muni, slots)


@njit(cache=True, nogil=True)
def crn_hash(family_id, counter, key: np.uint64) -> float:
    """:func:`simulation.model.crn.uniform` of one id and counter.

    The same 64-bit integer hash (wrapping arithmetic) and the same conversion to (0, 1).
    """
    x = np.uint64(family_id) * GOLDEN + np.uint64(counter) * SECOND + key
    x ^= x >> np.uint64(30)
    x *= M1
    x ^= x >> np.uint64(27)
    x *= M2
    x ^= x >> np.uint64(31)
    x >>= np.uint64(11)
    u = float(x)
    u += 0.5  # strictly inside (0, 1)
    return u * TO_UNIT


@njit(cache=True, nogil=True)
def crn_uniform(ids: np.ndarray, counters: np.ndarray, rows: np.ndarray, key: np.uint64):
    """:func:`crn_hash` of ``ids[rows]`` and ``counters[rows]``, one loop."""
    out = np.empty(rows.shape[0])
    for j in range(rows.shape[0]):
        out[j] = crn_hash(ids[rows[j]], counters[rows[j]], key)
    return out


@njit(cache=True, nogil=True)
def merge_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The sorted union of two ascending arrays of unique rows (a row in both appears once)."""
    out = np.empty(a.shape[0] + b.shape[0], a.dtype)
    i = j = m = 0
    while i < a.shape[0] and j < b.shape[0]:
        if a[i] < b[j]:
            out[m] = a[i]
            i += 1
        elif b[j] < a[i]:
            out[m] = b[j]
            j += 1
        else:
            out[m] = a[i]
            i += 1
            j += 1
        m += 1
    while i < a.shape[0]:
        out[m] = a[i]
        i += 1
        m += 1
    while j < b.shape[0]:
        out[m] = b[j]
        j += 1
        m += 1
    return out[:m].copy()


@njit(cache=True, nogil=True)
def difference_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The rows of ascending ``a`` that are not in ascending ``b`` (both unique), in order."""
    out = np.empty(a.shape[0], a.dtype)
    j = m = 0
    for i in range(a.shape[0]):
        while j < b.shape[0] and b[j] < a[i]:
            j += 1
        if j < b.shape[0] and b[j] == a[i]:
            continue
        out[m] = a[i]
        m += 1
    return out[:m].copy()


def load() -> None:
    """Load every kernel now (from numba's cache, or compile it), not at its first use.

    The first load in a process starts LLVM (about 0.2 s); the engine calls this when a
    model is built, so that the time is counted as setting up, not as running.
    """
    rows = np.zeros(0, np.int64)
    small = np.zeros(0, np.int16)
    flags = np.zeros(0, np.bool_)
    programme = np.zeros(0, np.int8)
    floats = np.zeros(0)
    advance_all(floats, floats, rows, floats, floats, floats, True)
    finish_month(rows, programme, flags, small, small, floats)
    count_held(rows, programme, flags, small, True, np.zeros((1, 1)))
    for column in (programme, flags, small, rows, floats):
        keep_rows(column, flags)
    local = np.zeros((1, 1), np.intp)
    table_keys(rows, (programme, small, small, small), local, (1, 1, 8))
    write_keys(rows, programme, 1, (programme, small, small, small), local, (1, 1, 8), rows)
    crn_uniform(rows, rows, rows, np.uint64(0))
    merge_sorted(rows, rows)
    difference_sorted(rows, rows)
