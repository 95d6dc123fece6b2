"""The SD engine's right-hand side and Runge-Kutta loop, compiled with numba.

:meth:`simulation.engines.sd.SDModel.derivatives` is the reference: the model written once
in numpy over the shared functions of :mod:`simulation.model.services`,
:mod:`simulation.model.flows` and :mod:`simulation.model.bed_supply`. Called from a Python
loop it spends about 200 microseconds a call in some 150 small-array operations, which made
calibration (11 million calls) take most of an hour. This module computes the same
derivative in compiled code for eight points (parameter sets x units) side by side, each
array with a trailing lane axis, and integrates every group of eight through all its months
in one call (the lanes' innermost loops run about 1.5 times faster than one point at a time).
``tests/engines/test_sd_kernel.py`` checks it against the reference, bit for bit for
batches. The first compilation takes about 20 seconds; numba caches it on disk.

What does not depend on the state is computed in numpy before the call (:mod:`sd_pack`),
the library's structure included (no recompilation when it changes), scalars in the order of
:data:`SCALARS`.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

#: Parameters and levers the derivative reads, in the order of the packed scalars.
SCALARS: tuple[str, ...] = (
    "ngo_quality_ratio",
    "training_quality_gain",
    "trained_staff_share",
    "caseload_quality_loss",
    "max_caseload_ratio",
    "local_team_quality_gain",
    "groups_detection_gain",
    "coordinator_onset_effect",
    "onset_rate",
    "natural_recovery_rate",
    "detection_rate",
    "escalation_rate",
    "supported_escalation_rate",
    "supported_recovery_rate",
    "risk_recovery_rate",
    "risk_to_crisis_rate",
    "crisis_exit_rate",
    "placement_probability",
    "temporary_care_share",
    "institutional_placement_share",
    "deinstitutionalisation_rate",
    "reunification_rate",
    "institution_reunification_ratio",
    "care_leaving_rate",
    "family_exit_rate",
    "capacity_delay",
    "children_per_risk_family",
    "caseload_norm",
    "staff_turnover",
    "cost.training_per_person",
    "bed_adjustment_time",
    "bed_supply_elasticity",
    "institution_closure_rate",
)
(
    NGO_Q,
    TRAINING_GAIN,
    TRAINED,
    CASELOAD_LOSS,
    MAX_CASELOAD,
    TEAM_GAIN,
    GROUPS_GAIN,
    COORDINATOR,
    ONSET,
    NATURAL,
    DETECTION,
    ESCALATION,
    SUPPORTED_ESC,
    SUPPORTED_REC,
    RISK_REC,
    RISK_CRISIS,
    CRISIS_EXIT,
    PLACEMENT,
    TEMPORARY,
    INSTITUTIONAL,
    DEINST,
    REUNIFICATION,
    INST_RATIO,
    CARE_LEAVING,
    FAMILY_EXIT,
    DELAY,
    CHILDREN,
    NORM,
    TURNOVER,
    TRAINING_COST,
    BED_TIME,
    BED_ELASTICITY,
    CLOSURE,
) = range(len(SCALARS))
N_SCALARS = len(SCALARS)

# Positions in simulation.model.flows.EFFECTS and HAZARD_FLOWS (sd_pack checks them).
E_ONSET, E_DETECTION, E_PLACEMENT, E_REUNIFICATION = 0, 2, 8, 9
N_HAZARDS = 21
FAMILY_CARE_STATE = 5
INSTITUTION_STATE, H_PLACEMENT_INSTITUTION = 6, 10  # the state; its placement's hazard


#: Points (parameter set x unit) integrated together, one per lane of every array: the
#: arithmetic of the eight runs side by side in the innermost loops is what the compiler turns
#: into vector instructions (a point alone runs as scalar code, about twice as slow).
LANES = 8
FAST = {"cache": True, "error_model": "numpy"}
INLINE = {**FAST, "inline": "always"}


@njit(**INLINE)
def _hazards(sc, effects, rates):
    """Annual hazards of the 21 hazard flows (simulation.model.flows.hazard_rates)."""
    lanes = rates.shape[1]
    for i in range(8):  # onset ... risk_to_crisis: rate x its effect, in EFFECTS order
        for ln in range(lanes):
            rates[i, ln] = sc[ONSET + i, ln] * effects[i, ln]
    for ln in range(lanes):
        placed = sc[PLACEMENT, ln] * effects[E_PLACEMENT, ln] * (1.0 - sc[TEMPORARY, ln])
        placed = min(max(placed, 0.0), 1.0)
        exit_rate = sc[CRISIS_EXIT, ln]
        rates[8, ln] = exit_rate * (1.0 - placed)
        rates[9, ln] = exit_rate * placed * (1.0 - sc[INSTITUTIONAL, ln])
        rates[10, ln] = exit_rate * placed * sc[INSTITUTIONAL, ln]
        rates[11, ln] = sc[DEINST, ln]
        rates[12, ln] = sc[REUNIFICATION, ln] * effects[E_REUNIFICATION, ln]
        rates[13, ln] = sc[REUNIFICATION, ln] * sc[INST_RATIO, ln]
        rates[14, ln] = sc[CARE_LEAVING, ln]
        rates[15, ln] = sc[CARE_LEAVING, ln]
        for i in range(16, N_HAZARDS):
            rates[i, ln] = sc[FAMILY_EXIT, ln]


@njit(**INLINE)
def _slots_and_served(y, sc, costs, st, buf, live):
    """Places at the norm and families served (services.places and services.serve)."""
    positive, served, slots, _, _, _, _, _, taken, before, _ = buf
    lanes = slots.shape[1]
    cap0, grad0 = st.offsets[1], st.offsets[2]
    for p in live:
        for ln in range(lanes):
            total = 0.0
            c = costs[p, 0, ln]
            total += y[cap0 + 2 * p, ln] / c if c > 0 else 0.0
            c = costs[p, 1, ln]
            total += y[cap0 + 2 * p + 1, ln] / c if c > 0 else 0.0
            slots[p, ln] = total
    # programmes of one group take families in library order (the places of a programme
    # that is not live are zero: see integrate)
    for p in live:
        taken[:] = 0.0
        before[:] = 0.0
        for i in range(st.group_ptr[p], st.group_ptr[p + 1]):
            for ln in range(lanes):
                taken[ln] += y[grad0 + st.group_idx[i], ln]
        for i in range(st.earlier_ptr[p], st.earlier_ptr[p + 1]):
            for ln in range(lanes):
                before[ln] += slots[st.earlier_idx[i], ln] * sc[MAX_CASELOAD, ln]
        target = st.prog_target[p]
        for ln in range(lanes):
            eligible = positive[target, ln] - taken[ln]
            left = max(eligible, 0.0) - before[ln]
            served[p, ln] = min(slots[p, ln] * sc[MAX_CASELOAD, ln], max(left, 0.0))


@njit(**INLINE)
def _services(y, sc, work, costs, gaps, scale_up, st, buf, live):
    """Places, families served and hazard multipliers (simulation.model.services)."""
    _slots_and_served(y, sc, costs, st, buf, live)
    positive, served, slots, effects, _, _, sums, caseload, share, quality, _ = buf
    lanes = slots.shape[1]
    cap0, grad0 = st.offsets[1], st.offsets[2]
    sums[:] = 0.0
    for p in live:
        mobile = st.prog_line[p] == st.mobile_line
        target = st.prog_target[p]
        for ln in range(lanes):
            cap_ngo, cap_mun = y[cap0 + 2 * p, ln], y[cap0 + 2 * p + 1, ln]
            total = cap_ngo + cap_mun
            mix = (cap_ngo * sc[NGO_Q, ln] + cap_mun) / total if total > 0 else 1.0
            load = served[p, ln] / slots[p, ln] if slots[p, ln] > 0 else 0.0
            caseload[p, ln] = load
            strain = 1.0 / (1.0 + sc[CASELOAD_LOSS, ln] * max(load - 1.0, 0.0))
            training = 1.0 + sc[TRAINING_GAIN, ln] * sc[TRAINED, ln]
            q = mix * training * strain * scale_up[p, ln]
            team = 1.0 + sc[TEAM_GAIN, ln] * work[ln] if mobile else 1.0
            quality[ln] = q * team  # times exactly 1 for the other programmes
            families = positive[target, ln]
            treated = served[p, ln] + max(y[grad0 + p, ln], 0.0)
            s = treated / families if families > 0 else 0.0
            share[ln] = min(max(s, 0.0), 1.0)
        line = st.prog_line[p]
        for i in range(st.effect_ptr[p], st.effect_ptr[p + 1]):
            e = st.effect_idx[i]
            for ln in range(lanes):
                sums[line, e, ln] += share[ln] * (quality[ln] * gaps[p, e, ln])
    effects[:] = 1.0
    for line in range(st.n_lines):
        for e in range(effects.shape[0]):
            for ln in range(lanes):
                effects[e, ln] = effects[e, ln] * max(1.0 - sums[line, e, ln], 0.0)
    for ln in range(lanes):
        effects[E_DETECTION, ln] *= 1.0 + sc[GROUPS_GAIN, ln] * work[ln]
        effects[E_ONSET, ln] *= 1.0 - sc[COORDINATOR, ln] * work[ln]


@njit(**INLINE)
def _bed_supply(y, dy, sc, st, buf):
    """Places draw placements; places follow use (simulation.model.bed_supply)."""
    positive, rates = buf[0], buf[4]
    for ln in range(y.shape[1]):
        places = y[st.places, ln]
        children = positive[INSTITUTION_STATE, ln] * sc[CHILDREN, ln]
        free = max(places - children, 0.0)
        share = free / places if places > 0 else 0.0
        rates[H_PLACEMENT_INSTITUTION, ln] *= 1.0 + sc[BED_ELASTICITY, ln] * share
        dy[st.places, ln] = (children - places) / sc[BED_TIME, ln] - sc[CLOSURE, ln] * places


@njit(**INLINE)
def _flows(y, dy, entry, st, buf):
    """The flows, their effect on the stocks, and each state's total outflow hazard."""
    positive, _, _, _, rates, out_rate, _, _, _, _, _ = buf
    lanes = y.shape[1]
    off = st.offsets
    flows0 = off[3]
    for s in range(off[1]):
        for ln in range(lanes):
            dy[s, ln] = 0.0
            out_rate[s, ln] = 0.0
    for f in range(N_HAZARDS):
        src, dst = st.flow_source[f], st.flow_target[f]
        for ln in range(lanes):
            flow = rates[f, ln] * positive[src, ln]
            dy[flows0 + f, ln] = flow
            out_rate[src, ln] += rates[f, ln]
            dy[src, ln] -= flow
        if dst >= 0:
            for ln in range(lanes):
                dy[dst, ln] += dy[flows0 + f, ln]
    for ln in range(lanes):
        dy[flows0 + N_HAZARDS, ln] = entry[ln]
        dy[st.entry_state, ln] += entry[ln]


@njit(**INLINE)
def _spending(y, dy, sc, growth, tab, st, buf, live):
    """Capacity, graduates, spending, training and care costs, family-years."""
    _, served, slots, _, _, out_rate, _, caseload, _, _, in_use = buf
    _, duration, relapse, _, _, care_cost, target = tab
    lanes = slots.shape[1]
    off = st.offsets
    cap0, grad0, years0, costs0 = off[1], off[2], off[4], off[5]
    for p in live:
        for i in range(2 * p, 2 * p + 2):
            for ln in range(lanes):
                dy[cap0 + i, ln] = (target[p, i % 2, ln] - y[cap0 + i, ln]) / sc[DELAY, ln]
    for i in range(off[6] - costs0):
        for ln in range(lanes):
            dy[costs0 + i, ln] = 0.0
    in_use[:] = 0.0
    for p in live:
        line = st.prog_line[p]
        target_state = st.prog_target[p]
        for ln in range(lanes):
            used = min(caseload[p, ln], 1.0)  # the capacity in use (services.used_spending)
            ngo, mun = y[cap0 + 2 * p, ln], y[cap0 + 2 * p + 1, ln]
            spent_ngo, spent_mun = ngo * used, mun * used
            dy[costs0 + 2 * line, ln] += spent_ngo
            dy[costs0 + 2 * line + 1, ln] += spent_mun
            dy[off[6] + p, ln] = spent_ngo + spent_mun
            dy[off[7] + p, ln] = served[p, ln]
            dy[off[8] + p, ln] = (ngo - spent_ngo) + (mun - spent_mun)
            in_use[ln] += min(served[p, ln], slots[p, ln])
            d = duration[p, ln]
            finish = served[p, ln] / d if d > 0 else 0.0
            loss = relapse[p, ln] + out_rate[target_state, ln]
            dy[grad0 + p, ln] = finish - loss * y[grad0 + p, ln]
    for ln in range(lanes):
        staff = in_use[ln] / sc[NORM, ln]
        per_year = sc[TRAINED, ln] * sc[TURNOVER, ln] + growth[ln]
        dy[costs0 + st.training_item, ln] = staff * per_year * sc[TRAINING_COST, ln]
    for j in range(2):
        for ln in range(lanes):
            children = y[FAMILY_CARE_STATE + j, ln] * sc[CHILDREN, ln]
            dy[costs0 + st.training_item + 1 + j, ln] = 12.0 * children * care_cost[j, ln]
    for s in range(off[1]):
        for ln in range(lanes):
            dy[years0 + s, ln] = y[s, ln]


@njit(**INLINE)
def derivative(y, dy, month_inputs, tab, st, buf, live):
    """D y / dt (per year) of the packed states ``y`` (shape ``(size, lanes)``) into ``dy``.

    ``month_inputs`` is ``(sc, work, growth, entry)``: the month's scalars
    (:data:`SCALARS`, ``(N, lanes)``), the cooperation model's reach, the trained share's
    growth (1/yr) and new families per year (``(lanes,)`` each); ``tab`` the lanes'
    programme table and the month's target capacity (``(N_PROG, 2, lanes)``); ``st`` the
    structure (:func:`simulation.engines.sd_pack.structure`); ``buf`` scratch arrays;
    ``live`` the programmes that may have places (the others' rows of ``dy`` and of the
    buffers stay at the zeros they start with).
    """
    sc, work, growth, entry = month_inputs
    positive = buf[0]
    for s in range(st.offsets[1]):
        for ln in range(y.shape[1]):
            positive[s, ln] = max(y[s, ln], 0.0)
    _services(y, sc, work, tab[0], tab[3], tab[4], st, buf, live)
    _hazards(sc, buf[3], buf[4])
    _bed_supply(y, dy, sc, st, buf)
    _flows(y, dy, entry, st, buf)
    _spending(y, dy, sc, growth, tab, st, buf, live)


@njit(**FAST)
def _rk4_step(y, h, month_inputs, tab, st, buf, k, stage, total, live):
    """One classical Runge-Kutta 4 step of the lanes, in place (the reference's order).

    The four stages share one call of :func:`derivative`, so that it is inlined once.
    """
    n, lanes = y.shape
    # the integrals after the states (flows, family-years, costs) need no intermediate stage
    dynamic = st.offsets[3]
    for i in range(4):
        derivative(y if i == 0 else stage, k, month_inputs, tab, st, buf, live)
        if i == 0:
            for j in range(n):
                for ln in range(lanes):
                    total[j, ln] = k[j, ln]
            for j in range(dynamic):
                for ln in range(lanes):
                    stage[j, ln] = k[j, ln] * (0.5 * h) + y[j, ln]
        elif i == 1:
            for j in range(n):
                for ln in range(lanes):
                    total[j, ln] += 2.0 * k[j, ln]
            for j in range(dynamic):
                for ln in range(lanes):
                    stage[j, ln] = k[j, ln] * (0.5 * h) + y[j, ln]
        elif i == 2:
            for j in range(n):
                for ln in range(lanes):
                    total[j, ln] += 2.0 * k[j, ln]
            for j in range(dynamic):
                for ln in range(lanes):
                    stage[j, ln] = k[j, ln] * h + y[j, ln]
        else:
            for j in range(n):
                for ln in range(lanes):
                    total[j, ln] += k[j, ln]
                    total[j, ln] *= h / 6.0
                    y[j, ln] = y[j, ln] + total[j, ln]


@njit(**FAST)
def _row(n, k):
    """Index along a broadcast axis of length ``n`` (1 = shared by every ``k``)."""
    return k if n > 1 else 0


@njit(**FAST)
def _buffers(n, n_prog, n_eff, n_lines, lanes):
    """Scratch arrays of :func:`derivative` (a programme's rows stay 0 until it is live)."""
    return (
        np.empty((n, lanes)),  # positive stocks
        np.zeros((n_prog, lanes)),  # served
        np.zeros((n_prog, lanes)),  # slots
        np.empty((n_eff, lanes)),  # effects
        np.empty((N_HAZARDS, lanes)),  # rates
        np.empty((n, lanes)),  # total outflow hazard of each state
        np.empty((n_lines, n_eff, lanes)),  # effect sums by line
        np.zeros((n_prog, lanes)),  # caseload
        np.empty(lanes),  # scratch: families taken / treated share
        np.empty(lanes),  # scratch: places before / quality
        np.empty(lanes),  # places in use
    )


@njit(**FAST)
def _lane_tables(tables, ks, n_prog, n_eff):
    """Each lane's programme table, with a trailing lane axis."""
    costs, duration, relapse, gaps, scale_up, care_cost = tables
    lanes = ks.shape[0]
    c = np.empty((n_prog, 2, lanes))
    d, r, s = np.empty((n_prog, lanes)), np.empty((n_prog, lanes)), np.empty((n_prog, lanes))
    g, care = np.empty((n_prog, n_eff, lanes)), np.empty((2, lanes))
    for ln in range(lanes):
        k = ks[ln]
        c[:, :, ln] = costs[_row(costs.shape[0], k)]
        d[:, ln] = duration[_row(duration.shape[0], k)]
        r[:, ln] = relapse[_row(relapse.shape[0], k)]
        g[:, :, ln] = gaps[_row(gaps.shape[0], k)]
        s[:, ln] = scale_up[_row(scale_up.shape[0], k)]
        care[:, ln] = care_cost[_row(care_cost.shape[0], k)]
    return c, d, r, g, s, care


@njit(**FAST)
def _month(month, ks, ms, scalars, inputs, out):
    """Gather the lanes' inputs of ``month`` into ``out = (sc, work, growth, entry, target)``."""
    static, levers, is_lever = scalars
    working, growth, entries, target, need = inputs
    sc, work, grow, entry, tgt = out
    for ln in range(ks.shape[0]):
        k, m = ks[ln], ms[ln]
        ks_, kl = _row(static.shape[0], k), _row(levers.shape[1], k)
        for i in range(N_SCALARS):
            sc[i, ln] = levers[month, kl, i] if is_lever[i] else static[ks_, i]
        # the unit's onset hazard: onset_rate x its need (the reference's order)
        sc[ONSET, ln] = sc[ONSET, ln] * need[0, 0, _row(need.shape[2], m)]
        work[ln] = working[month, _row(working.shape[1], k), _row(working.shape[2], m)]
        grow[ln] = growth[month, _row(growth.shape[1], k), _row(growth.shape[2], m)]
        entry[ln] = entries[month, _row(entries.shape[1], k), _row(entries.shape[2], m)]
        tgt[:, :, ln] = target[month, _row(target.shape[1], k), _row(target.shape[2], m)]


@njit(cache=True, parallel=True, error_model="numpy")
def integrate(y, start, stop, steps, h, saving, scalars, inputs, tables, st, first_live):
    """Integrate every point of ``y`` (shape ``(K, M, size)``) from month ``start`` to ``stop``.

    Points go :data:`LANES` at a time (the last group padded with copies of the last point,
    whose results are dropped), groups in parallel. A programme is left out of the
    derivative before the month it becomes live (``first_live``): until its target capacity
    first differs from zero, a programme that starts with no places or graduates has none,
    serves nobody and spends nothing, so its rows of the state stay exactly zero (a
    scenario funds four to seven of the library's ten programmes).

    Parameters
    ----------
    y : ndarray, shape ``(K, M, size)``
        Packed state at ``start``; updated in place.
    start, stop, steps : int
        Months (0 = January of the first year) and Runge-Kutta steps per month.
    h : float
        Step, years.
    saving : tuple
        ``(row_of, cols, out)``: the row of ``out`` in which to save the state at the start
        of each month (``-1``: not saved), the positions saved and ``out``, shape
        ``(rows, K, M, len(cols))``.
    scalars : tuple
        ``(static, levers, is_lever)``: :data:`SCALARS` that do not change, ``(K|1, N)``;
        every month's values, ``(months, K|1, N)``; and which to take from the second.
    inputs : tuple
        ``(working, growth, entries, target, need)``, shapes ``(months, K|1, M|1)``,
        ``(months, K|1, M|1, N_PROG, 2)`` and ``(1, 1, M|1)`` (each unit's onset multiplier).
    tables : tuple
        The programme table ``(costs, duration, relapse, gaps, scale_up, care_cost)``, each
        with a leading ``K|1`` axis.
    st : Structure
        The library's structure and the packed state's layout.
    first_live : ndarray of int, shape ``(N_PROG,)``
        The first month each programme may have places, for every point
        (:func:`simulation.engines.sd_pack.first_live`).
    """
    n_k, n_m, n = y.shape
    row_of, cols, out = saving
    n_prog, n_eff = tables[3].shape[1], tables[3].shape[2]
    points = n_k * n_m
    lanes = min(LANES, points)
    for group in prange((points + lanes - 1) // lanes):
        first = group * lanes
        real = min(lanes, points - first)
        index = np.minimum(np.arange(first, first + lanes), points - 1)
        ks, ms = index // n_m, index % n_m
        state = np.empty((n, lanes))
        for ln in range(lanes):
            state[:, ln] = y[ks[ln], ms[ln]]
        buf = _buffers(n, n_prog, n_eff, st.n_lines, lanes)
        k_buf, stage, total = np.zeros((n, lanes)), np.zeros((n, lanes)), np.zeros((n, lanes))
        live_all = np.empty(n_prog, dtype=np.int64)
        month_in = (
            np.empty((N_SCALARS, lanes)),
            np.empty(lanes),
            np.empty(lanes),
            np.empty(lanes),
            np.empty((n_prog, 2, lanes)),
        )
        tab = (*_lane_tables(tables, ks, n_prog, n_eff), month_in[4])
        for month in range(start, stop):
            _month(month, ks, ms, scalars, inputs, month_in)
            n_live = 0
            for p in range(n_prog):
                if first_live[p] <= month:
                    live_all[n_live] = p
                    n_live += 1
            live = live_all[:n_live]
            for _ in range(steps):
                _rk4_step(state, h, month_in[:4], tab, st, buf, k_buf, stage, total, live)
            r = row_of[month + 1]
            if r >= 0:
                for ln in range(real):
                    for c in range(cols.shape[0]):
                        out[r, ks[ln], ms[ln], c] = state[cols[c], ln]
        for ln in range(real):
            y[ks[ln], ms[ln]] = state[:, ln]
