"""Compiled loops (numba) for the events of a month: choose, move, restart the clocks.

After the monthly pass over every row (:func:`~simulation.engines.abm.kernels.advance_all`)
the families whose clock fired move, and may move again within the month from their new
state (:func:`~simulation.engines.abm.transitions.jump_month`). Each round of that loop was
some thirty numpy operations and kernel calls on a few rows (a median of a dozen in the
national run), so its cost was the calls, and reading the same columns of each row several
times. Here a round is three passes: :func:`draw_events` (table key, option hazards, the
common random numbers of the choice and of the next threshold), numpy's ``log`` of the
thresholds (kept in numpy: a compiled ``log`` may round apart from it), then
:func:`move_families` (the move's bookkeeping) and :func:`advance_moved` (the rest of the
month on the new state's clock). The arithmetic is the numpy version's, operation for
operation and in the same order (no fast-math), so the results are the same to the bit.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from simulation.engines.abm.kernels import crn_hash
from simulation.engines.abm.kernels import table_key as _key


@njit(cache=True, fastmath=False, error_model="numpy", nogil=True)
def draw_events(
    rows: np.ndarray,
    columns: tuple,
    local_combo: np.ndarray,
    shape: tuple,
    options: np.ndarray,
    weighted_options: np.ndarray,
    weighted: bool,
    keys: tuple,
) -> tuple[np.ndarray, np.ndarray]:
    """Choose the option of each row's event and restart its clock.

    What ``transitions.choose_option`` of the rows' option hazards (at their table keys)
    and ``Clocks.choice`` gave, and ``Clocks.restart`` up to the logarithm: counts the
    event, zeroes the accumulated hazard and draws the uniform number of the next threshold.

    Parameters
    ----------
    rows : ndarray of int64
        Rows whose clock fired (unique).
    columns : tuple
        ``(state, months_in_state, combo, municipality, vulnerability, id, event_count,
        accumulated_hazard)`` of the families.
    local_combo, shape :
        ``layout.LOCAL_COMBO`` and ``(table_combos, n_muni, slots)``.
    options, weighted_options : ndarray
        The month's option hazards by table key, and which the vulnerability multiplies.
    weighted : bool
        Multiply those by the row's vulnerability (heterogeneity on).
    keys : tuple of uint64
        ``(choice, waiting)`` keys of the common random numbers.

    Returns
    -------
    chosen : ndarray of int64
        Each row's option.
    uniform : ndarray of float64
        The uniform number of its next threshold (``-log`` of it is the threshold).
    """
    state, in_state, combo, municipality, vulnerability, ids, events, accumulated = columns
    n_combos, n_muni, slots = shape
    choice_key, waiting_key = keys
    n_options = options.shape[1]
    n = rows.shape[0]
    # First the scattered reads and writes, in a loop short enough for the processor to
    # have many rows' cache misses in flight; then the arithmetic on what was read.
    key, weight = np.empty(n, np.int64), np.empty(n)
    family, count = np.empty(n, np.int64), np.empty(n, np.int64)
    for j in range(n):
        row = rows[j]
        key[j] = _key(
            row, state, in_state, combo, municipality, local_combo, n_combos, n_muni, slots
        )
        weight[j] = vulnerability[row] if weighted else 1.0  # read only when used
        family[j], count[j] = ids[row], events[row]
        events[row] += 1
        accumulated[row] = 0.0
    chosen, uniform = np.empty(n, np.int64), np.empty(n)
    cumulative = np.empty(n_options)
    for j in range(n):
        k = key[j]
        slot = k % slots
        for o in range(n_options):  # np.cumsum of the option hazards: in order
            rate = options[k, o]
            if weighted and weighted_options[slot, o]:
                rate = rate * weight[j]
            cumulative[o] = rate if o == 0 else cumulative[o - 1] + rate
        bound = crn_hash(family[j], count[j], choice_key) * cumulative[n_options - 1]
        option = 0
        for o in range(n_options):
            if cumulative[o] <= bound:
                option += 1
        chosen[j] = min(option, n_options - 1)
        uniform[j] = crn_hash(family[j], count[j] + 1, waiting_key)  # the count after it
    return chosen, uniform


@njit(cache=True, nogil=True)
def _destinations(
    rows: np.ndarray,
    chosen: np.ndarray,
    state: np.ndarray,
    children: np.ndarray,
    rules: tuple,
    free_places: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """States before and after the moves, their flows, and the free places after them.

    A move to institutional care beyond the free places (counted in row order, while they
    are finite: ``np.cumsum`` of whole numbers, exact) goes to family-based care instead.

    Parameters
    ----------
    rules : tuple
        ``(option_target, flow_of_option, institution, family_care, placement_family)``:
        ``transitions.OPTION_TARGET`` and ``FLOW_OF_OPTION``, the two care states and the
        flow of a refused placement.
    free_places : float
        Free institutional places before the moves (``inf``: no limit).
    """
    option_target, flow_of_option, institution, family_care, placement = rules
    n = rows.shape[0]
    before = np.empty(n, np.int64)
    after = np.empty(n, np.int64)
    flow = np.empty(n, np.int64)
    limited = np.isfinite(free_places)
    placed = 0.0
    admitted = 0
    released = 0
    for j in range(n):
        b = np.int64(state[rows[j]])
        to = np.int64(option_target[b, chosen[j]])
        flow[j] = flow_of_option[b, chosen[j]]
        kids = np.int64(children[rows[j]])
        if to == institution and limited:
            placed += float(kids)
            if placed > free_places:
                to = family_care
                flow[j] = placement
            else:
                admitted += kids
        if b == institution:
            released += kids
        before[j], after[j] = b, to
    if limited:
        free_places = free_places - float(admitted)
    return before, after, flow, free_places + float(released)


@njit(cache=True, nogil=True)
def move_families(
    rows: np.ndarray,
    chosen: np.ndarray,
    columns: tuple,
    lines: tuple,
    counts: tuple,
    rules: tuple,
    shape: tuple,
    free_places: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool, float]:
    """The moves of ``rows`` by their ``chosen`` options, and their bookkeeping.

    Full institutions send children to family-based care (:func:`_destinations`). Then, as
    ``FamilyMoves._apply_moves`` did: sets the state, restarts the months in it, ends every
    programme (programmes serve one state; a row with combination 0 holds none, and its
    programme columns are already clear), sets the table key of months 2-12 without a
    programme, and adds the move to the month's flows and the live counts (whole families
    and children: exact in any order; the vulnerability summed by state, in row order).

    Parameters
    ----------
    columns : tuple
        ``(state, months_in_state, combo, table_key, municipality, children,
        vulnerability)`` of the families.
    lines : tuple
        Three tuples: each line's programme, graduate and months-in-programme columns.
    counts : tuple
        ``(month_flows, month_child_flows, live_families, live_children,
        vulnerability_sum)``, updated in place.
    rules, free_places :
        As :func:`_destinations`.
    shape : tuple
        ``(table_combos, n_muni, slots)``.

    Returns
    -------
    before, after : ndarray of int64
        States before and after (``-1``: left).
    left : ndarray of bool, shape ``(n, lines)``
        Whether each row held a programme of each line (and has left it).
    held : bool
        Whether any row did.
    free_places : float
        After the moves.
    """
    state, in_state, combo, key, municipality, children, vulnerability = columns
    programmes, graduates, months = lines
    month_flows, month_child_flows, live_families, live_children, vuln_sum = counts
    n_combos, n_muni, slots = shape
    before, after, flow, free_places = _destinations(
        rows, chosen, state, children, rules, free_places
    )
    left = np.zeros((rows.shape[0], len(programmes)), np.bool_)
    held = False
    for j in range(rows.shape[0]):
        row, b, to = rows[j], before[j], after[j]
        state[row] = to
        in_state[row] = 0
        if combo[row] != 0:  # only then does the row hold a programme (see docstring)
            held = True
            combo[row] = 0
            for line in range(len(programmes)):
                left[j, line] = programmes[line][row] >= 0
                programmes[line][row] = -1
                graduates[line][row] = False
                months[line][row] = 0
        muni = municipality[row]
        key[row] = (n_combos * n_muni + muni) * slots + (to & (slots - 1))
        kids = float(children[row])
        month_flows[muni, flow[j]] += 1.0
        month_child_flows[muni, flow[j]] += kids
        if b >= 0:
            live_families[muni, b] -= 1.0
            live_children[muni, b] -= kids
            vuln_sum[b] -= vulnerability[row]
        if to >= 0:
            live_families[muni, to] += 1.0
            live_children[muni, to] += kids
            vuln_sum[to] += vulnerability[row]
    return before, after, left, held, free_places


@njit(cache=True, fastmath=False, error_model="numpy", nogil=True)
def advance_moved(
    rows: np.ndarray,
    after: np.ndarray,
    time_left: np.ndarray,
    threshold_uniform: np.ndarray,
    columns: tuple,
    local_combo: np.ndarray,
    shape: tuple,
    options: np.ndarray,
    weighted_options: np.ndarray,
    weighted: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Set the new thresholds; run the rest of the month on the clocks of rows still present.

    What ``Clocks.advance`` gave with the rows' summed option hazards at their new keys.

    Parameters
    ----------
    after : ndarray of int64
        Each row's state after its move (``-1``: left, no clock to run).
    time_left : ndarray of float64
        The share of the month left after each row's event.
    threshold_uniform : ndarray of float64
        Each row's new threshold (``-log`` of :func:`draw_events`'s uniform number).
    columns : tuple
        ``(state, months_in_state, combo, municipality, vulnerability,
        accumulated_hazard, threshold)`` of the families.

    Returns
    -------
    fired : ndarray of int64
        Rows whose clock reached its new threshold within the month, in order.
    left : ndarray of float64
        For each, the share of the month left after that event.
    """
    state, in_state, combo, municipality, vulnerability, accumulated, threshold = columns
    n_combos, n_muni, slots = shape
    n_options = options.shape[1]
    fired = np.empty(rows.shape[0], np.int64)
    left = np.empty(rows.shape[0])
    m = 0
    for j in range(rows.shape[0]):
        row = rows[j]
        threshold[row] = threshold_uniform[j]
        if after[j] < 0:
            continue
        k = _key(row, state, in_state, combo, municipality, local_combo, n_combos, n_muni, slots)
        slot = k % slots
        total = 0.0
        for o in range(n_options):  # the sum over a row of option hazards: in order
            rate = options[k, o]
            if weighted and weighted_options[slot, o]:
                rate = rate * vulnerability[row]
            total = rate if o == 0 else total + rate
        acc = accumulated[row] + total * time_left[j]
        accumulated[row] = acc
        if acc >= threshold[row]:
            fired[m] = row
            left[m] = (acc - threshold[row]) / total
            m += 1
    return fired[:m].copy(), left[:m].copy()


def load() -> None:
    """Load the loops now (from numba's cache, or compile them), not at their first use."""
    from simulation.engines.abm import transitions as tr
    from simulation.model.programmes import LINES

    rows = np.zeros(0, np.int64)
    floats = np.zeros(0)
    state, small = np.zeros(0, np.int8), np.zeros(0, np.int16)
    options, table = np.zeros((1, tr.MAX_OUT)), np.zeros((1, 1))
    local, weighted = np.zeros((1, 1), np.intp), np.zeros((1, tr.MAX_OUT), np.bool_)
    shape = (1, 1, 8)
    key_columns = (state, small, small, small, floats)
    keys = (np.uint64(0), np.uint64(0))
    draw_events(
        *(rows, (*key_columns, rows, rows, floats)),
        *(local, shape, options, weighted, True, keys),
    )
    n = len(LINES)  # the tuples' length is part of the compiled signature
    lines = ((state,) * n, (np.zeros(0, np.bool_),) * n, (small,) * n)
    rules = (tr.OPTION_TARGET, tr.FLOW_OF_OPTION, 1, 1, 1)
    columns = (state, small, small, np.zeros(0, np.intp), small, state, floats)
    move_families(rows, rows, columns, lines, (table,) * 4 + (floats,), rules, shape, np.inf)
    advance_moved(
        *(rows, rows, floats, floats, (*key_columns, floats, floats)),
        *(local, shape, options, weighted, True),
    )
