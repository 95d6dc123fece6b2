"""The SD engine's right-hand side and Runge-Kutta loop, compiled with numba.

:meth:`simulation.engines.sd.SDModel.derivatives` is the reference: the model written once
in numpy over the shared functions of :mod:`simulation.model.services` and
:mod:`simulation.model.flows`, readable and shared with the agent-based engine. Called from
a Python loop it spends about 200 microseconds a call in some 150 small-array operations,
whatever the batch size, which made calibration (11 million calls) take most of an hour.
This module computes the same derivative for one point (one parameter set in one unit) in
compiled scalar code and integrates every point through all its months in one call, so the
per-call overhead disappears: ``tests/engines/test_sd_kernel.py`` checks it against the
reference on random parameters, schedules, municipalities and states.

Everything the derivative reads that does not depend on the state is computed in numpy
before the call (:mod:`simulation.engines.sd_pack`): the scalar parameters and levers of
each month, the services' target capacity, entries, the cooperation model's reach, and the
programme table. Nothing model-specific is frozen into the compiled code: the programme
library's structure is passed as arrays, so changing the library needs no recompilation.

The scalar parameters arrive packed in the order of :data:`SCALARS`.
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
) = range(len(SCALARS))
N_SCALARS = len(SCALARS)

# Positions in simulation.model.flows.EFFECTS and HAZARD_FLOWS (sd_pack checks them).
E_ONSET, E_DETECTION, E_PLACEMENT, E_REUNIFICATION = 0, 2, 8, 9
N_HAZARDS = 21
FAMILY_CARE_STATE = 5


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _hazards(sc, effects, rates):
    """Annual hazards of the 21 hazard flows (simulation.model.flows.hazard_rates)."""
    for i in range(8):  # onset ... risk_to_crisis: rate x its effect, in EFFECTS order
        rates[i] = sc[ONSET + i] * effects[i]
    placed = sc[PLACEMENT] * effects[E_PLACEMENT] * (1.0 - sc[TEMPORARY])
    placed = min(max(placed, 0.0), 1.0)
    exit_rate = sc[CRISIS_EXIT]
    rates[8] = exit_rate * (1.0 - placed)
    rates[9] = exit_rate * placed * (1.0 - sc[INSTITUTIONAL])
    rates[10] = exit_rate * placed * sc[INSTITUTIONAL]
    rates[11] = sc[DEINST]
    rates[12] = sc[REUNIFICATION] * effects[E_REUNIFICATION]
    rates[13] = sc[REUNIFICATION] * sc[INST_RATIO]
    rates[14] = sc[CARE_LEAVING]
    rates[15] = sc[CARE_LEAVING]
    for i in range(16, N_HAZARDS):
        rates[i] = sc[FAMILY_EXIT]


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _services(y, sc, work, costs, gaps, scale_up, st, buf):
    """Places, families served and hazard multipliers (simulation.model.services)."""
    positive, served, slots, effects, _, _, sums, caseload = buf
    n_prog = slots.shape[0]
    cap0, grad0 = st.offsets[1], st.offsets[2]
    for p in range(n_prog):
        total = 0.0
        for r in range(2):
            c = costs[p, r]
            total += y[cap0 + 2 * p + r] / c if c > 0 else 0.0
        slots[p] = total
    # served: programmes of one group take families in library order (services.serve)
    most = sc[MAX_CASELOAD]
    for p in range(n_prog):
        taken = 0.0
        for i in range(st.group_ptr[p], st.group_ptr[p + 1]):
            taken += y[grad0 + st.group_idx[i]]
        before = 0.0
        for i in range(st.earlier_ptr[p], st.earlier_ptr[p + 1]):
            before += slots[st.earlier_idx[i]] * most
        eligible = positive[st.prog_target[p]] - taken
        left = max(eligible, 0.0) - before
        served[p] = min(slots[p] * most, max(left, 0.0))
    for e in range(effects.shape[0]):
        effects[e] = 1.0
    sums[:] = 0.0
    training = 1.0 + sc[TRAINING_GAIN] * sc[TRAINED]
    for p in range(n_prog):
        cap_ngo, cap_mun = y[cap0 + 2 * p], y[cap0 + 2 * p + 1]
        total = cap_ngo + cap_mun
        mix = (cap_ngo * sc[NGO_Q] + cap_mun) / total if total > 0 else 1.0
        caseload[p] = served[p] / slots[p] if slots[p] > 0 else 0.0
        strain = 1.0 / (1.0 + sc[CASELOAD_LOSS] * max(caseload[p] - 1.0, 0.0))
        quality = mix * training * strain * scale_up[p]
        if st.prog_line[p] == st.mobile_line:
            quality = quality * (1.0 + sc[TEAM_GAIN] * work)
        target = positive[st.prog_target[p]]
        share = (served[p] + max(y[grad0 + p], 0.0)) / target if target > 0 else 0.0
        share = min(max(share, 0.0), 1.0)
        line = st.prog_line[p]
        for i in range(st.effect_ptr[p], st.effect_ptr[p + 1]):
            e = st.effect_idx[i]
            sums[line, e] += share * (quality * gaps[p, e])
    for line in range(st.n_lines):
        for e in range(effects.shape[0]):
            effects[e] = effects[e] * max(1.0 - sums[line, e], 0.0)
    effects[E_DETECTION] *= 1.0 + sc[GROUPS_GAIN] * work
    effects[E_ONSET] *= 1.0 - sc[COORDINATOR] * work


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def derivative(y, dy, sc, work, growth, entry, target, tab, st, buf):
    """D y / dt (per year) of one point's packed state ``y`` into ``dy``.

    ``sc`` holds the month's scalars (:data:`SCALARS`), ``work``, ``growth`` and ``entry``
    the cooperation model's reach, the trained share's growth (1/yr) and new families per
    year; ``target`` the target capacity ``(N_PROG, 2)``; ``tab`` the point's programme table
    and ``st`` the structure (see :func:`simulation.engines.sd_pack.structure`); ``buf``
    scratch arrays.
    """
    off = st.offsets
    n_states = off[1]
    positive, served, slots, effects, rates, out_rate, _, caseload = buf
    costs, duration, relapse, gaps, scale_up, care_cost = tab
    for s in range(n_states):
        positive[s] = max(y[s], 0.0)
    _services(y, sc, work, costs, gaps, scale_up, st, buf)
    _hazards(sc, effects, rates)
    flows0, years0, costs0 = off[3], off[4], off[5]
    for s in range(n_states):
        dy[s] = 0.0
        out_rate[s] = 0.0
    for f in range(N_HAZARDS):
        src = st.flow_source[f]
        flow = rates[f] * positive[src]
        dy[flows0 + f] = flow
        out_rate[src] += rates[f]
        dy[src] -= flow
        if st.flow_target[f] >= 0:
            dy[st.flow_target[f]] += flow
    dy[flows0 + N_HAZARDS] = entry
    dy[st.entry_state] += entry
    cap0, grad0, n_prog = off[1], off[2], slots.shape[0]
    for i in range(2 * n_prog):
        dy[cap0 + i] = (target[i // 2, i % 2] - y[cap0 + i]) / sc[DELAY]
    for i in range(off[6] - costs0):
        dy[costs0 + i] = 0.0
    in_use = 0.0
    for p in range(n_prog):
        used = min(caseload[p], 1.0)  # the capacity in use (services.used_spending)
        spent_ngo, spent_mun = y[cap0 + 2 * p] * used, y[cap0 + 2 * p + 1] * used
        line = st.prog_line[p]
        dy[costs0 + 2 * line] += spent_ngo
        dy[costs0 + 2 * line + 1] += spent_mun
        dy[off[6] + p] = spent_ngo + spent_mun
        dy[off[7] + p] = served[p]
        dy[off[8] + p] = (y[cap0 + 2 * p] - spent_ngo) + (y[cap0 + 2 * p + 1] - spent_mun)
        in_use += min(served[p], slots[p])
        finish = served[p] / duration[p] if duration[p] > 0 else 0.0
        loss = relapse[p] + out_rate[st.prog_target[p]]
        dy[grad0 + p] = finish - loss * y[grad0 + p]
    staff = in_use / sc[NORM]
    per_year = sc[TRAINED] * sc[TURNOVER] + growth
    dy[costs0 + st.training_item] = staff * per_year * sc[TRAINING_COST]
    for j in range(2):
        children = y[FAMILY_CARE_STATE + j] * sc[CHILDREN]
        dy[costs0 + st.training_item + 1 + j] = 12.0 * children * care_cost[j]
    for s in range(n_states):
        dy[years0 + s] = y[s]


@njit(cache=True, fastmath=False, error_model="numpy")
def _rk4_step(y, h, sc, work, growth, entry, target, tab, st, buf, k, stage, total):
    """One classical Runge-Kutta 4 step of one point, in place (the reference's order).

    The four stages share one call of :func:`derivative`, so that it is inlined once.
    """
    n = y.shape[0]
    for i in range(4):
        derivative(y if i == 0 else stage, k, sc, work, growth, entry, target, tab, st, buf)
        if i == 0:
            for j in range(n):
                stage[j] = k[j] * (0.5 * h) + y[j]
                total[j] = k[j]
        elif i == 1:
            for j in range(n):
                total[j] += 2.0 * k[j]
                stage[j] = k[j] * (0.5 * h) + y[j]
        elif i == 2:
            for j in range(n):
                total[j] += 2.0 * k[j]
                stage[j] = k[j] * h + y[j]
        else:
            for j in range(n):
                total[j] += k[j]
                total[j] *= h / 6.0
                y[j] = y[j] + total[j]


@njit(cache=True, error_model="numpy")
def _row(n, k):
    """Index along a broadcast axis of length ``n`` (1 = shared by every ``k``)."""
    return k if n > 1 else 0


@njit(cache=True, parallel=True, fastmath=False, error_model="numpy")
def integrate(y, start, stop, steps, h, saving, scalars, inputs, tables, st):
    """Integrate every point of ``y`` (shape ``(K, M, size)``) from month ``start`` to ``stop``.

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
        ``(working, growth, entries, target)``, shapes ``(months, K|1, M|1)`` and
        ``(months, K|1, M|1, N_PROG, 2)``.
    tables : tuple
        The programme table ``(costs, duration, relapse, gaps, scale_up, care_cost)``, each
        with a leading ``K|1`` axis.
    st : Structure
        The library's structure and the packed state's layout.
    """
    n_k, n_m, n = y.shape
    row_of, cols, out = saving
    static, levers, is_lever = scalars
    working, growth, entries, target = inputs
    costs, duration, relapse, gaps, scale_up, care_cost = tables
    n_prog, n_eff = gaps.shape[1], gaps.shape[2]
    for point in prange(n_k * n_m):
        k, m = point // n_m, point % n_m
        yk = y[k, m]
        buf = (
            np.empty(n),
            np.empty(n_prog),
            np.empty(n_prog),
            np.empty(n_eff),
            np.empty(N_HAZARDS),
            np.empty(n),
            np.empty((st.n_lines, n_eff)),
            np.empty(n_prog),
        )
        k_buf, stage, total, sc = np.empty(n), np.empty(n), np.empty(n), np.empty(N_SCALARS)
        kt = _row(costs.shape[0], k)
        tab = (
            costs[kt],
            duration[_row(duration.shape[0], k)],
            relapse[_row(relapse.shape[0], k)],
            gaps[_row(gaps.shape[0], k)],
            scale_up[_row(scale_up.shape[0], k)],
            care_cost[_row(care_cost.shape[0], k)],
        )
        ks, kl = _row(static.shape[0], k), _row(levers.shape[1], k)
        for month in range(start, stop):
            for i in range(N_SCALARS):
                sc[i] = levers[month, kl, i] if is_lever[i] else static[ks, i]
            work = working[month, _row(working.shape[1], k), _row(working.shape[2], m)]
            grow = growth[month, _row(growth.shape[1], k), _row(growth.shape[2], m)]
            entry = entries[month, _row(entries.shape[1], k), _row(entries.shape[2], m)]
            tgt = target[month, _row(target.shape[1], k), _row(target.shape[2], m)]
            for _ in range(steps):
                _rk4_step(yk, h, sc, work, grow, entry, tgt, tab, st, buf, k_buf, stage, total)
            r = row_of[month + 1]
            if r >= 0:
                for c in range(cols.shape[0]):
                    out[r, k, m, c] = yk[cols[c]]
