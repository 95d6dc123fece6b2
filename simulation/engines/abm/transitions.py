"""Competing-risk transitions of family agents, exact within a month.

Each state has at most :data:`MAX_OUT` outflow options (flows of ``flows.HAZARD_FLOWS``).
Hazards are constant within a month, so a family's next event time is exponential with its
total hazard; a family that moves may move again in the same month from its new state
(:func:`jump_month`). This makes the agent-based engine the stochastic counterpart of the
system-dynamics ODE rather than a monthly-step approximation of it: with heterogeneity
switched off, the expected state counts follow the ODE.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from simulation.engines.abm import kernels
from simulation.model import crn
from simulation.model import flows as fl
from simulation.model.states import N_STATES, State

EXITED = -1
MAX_OUT = max(len(fl.OUTFLOWS[s]) for s in State)

#: OPTION_FLOW[s, j]: position in HAZARD_FLOWS of state s's j-th outflow, or -1.
OPTION_FLOW = np.full((N_STATES, MAX_OUT), -1, dtype=np.int64)
#: OPTION_TARGET[s, j]: target state of that outflow, or EXITED.
OPTION_TARGET = np.full((N_STATES, MAX_OUT), EXITED, dtype=np.int8)
for _s in State:
    for _j, _i in enumerate(fl.OUTFLOWS[_s]):
        OPTION_FLOW[_s, _j] = _i
        _target = fl.HAZARD_FLOWS[_i].target
        OPTION_TARGET[_s, _j] = EXITED if _target is None else int(_target)

#: FLOW_OF_OPTION[s, j]: index in FLOWS (not HAZARD_FLOWS) of the option, for counting.
FLOW_OF_OPTION = np.where(
    OPTION_FLOW >= 0,
    np.array([fl.FLOW_INDEX[f.name] for f in fl.HAZARD_FLOWS])[np.maximum(OPTION_FLOW, 0)],
    -1,
)


def _mask(names: tuple[str, ...]) -> np.ndarray:
    wanted = {fl.FLOW_NAMES.index(n) for n in names}
    return np.isin(FLOW_OF_OPTION, list(wanted))


#: Options whose hazard the family's vulnerability multiplies (the "bad" transitions).
VULNERABILITY_OPTIONS = _mask(("onset", "escalation", "supported_escalation", "risk_to_crisis"))
#: Options whose hazard depends on time in care (duration dependence of reunification).
DURATION_OPTIONS = _mask(("reunification_family", "reunification_institution"))


def option_table(rates: np.ndarray) -> np.ndarray:
    """Per-state option hazards from flow hazards.

    Parameters
    ----------
    rates : ndarray, shape ``(..., N_HAZARD_FLOWS)``
        Output of :func:`simulation.model.flows.hazard_rates`.

    Returns
    -------
    ndarray, shape ``(..., N_STATES, MAX_OUT)``
        Hazards (1/yr), 0 for padding.
    """
    table = rates[..., np.maximum(OPTION_FLOW, 0)]
    return np.where(OPTION_FLOW >= 0, table, 0.0)


RateFunction = Callable[[np.ndarray], np.ndarray]


def choose_option(rates: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Index of the chosen option for each row, proportional to its hazard.

    Parameters
    ----------
    rates : ndarray, shape ``(n, MAX_OUT)``
        Option hazards, positive row sums.
    u : ndarray, shape ``(n,)``
        Uniform draws in [0, 1).
    """
    cumulative = np.cumsum(rates, axis=1)
    threshold = u * cumulative[:, -1]
    chosen = (cumulative <= threshold[:, None]).sum(axis=1)
    return np.minimum(chosen, MAX_OUT - 1)


class Clocks:
    """Integrated-hazard clocks: the next-reaction method with family-keyed thresholds.

    Each family holds an exponential threshold and the hazard it has accumulated since its
    last event; it moves when the accumulated hazard reaches the threshold, which is exact
    for hazards that are constant within a month. A threshold is drawn only after an event,
    from (seed, family id, number of events), so a family meets the same random numbers in
    every scenario until its own history differs (common random numbers), and a month with
    no event costs no random draw at all.

    Parameters
    ----------
    ids, accumulated, threshold, events : ndarray
        Columns of the families (views that the clocks update in place).
    seed : int
        Root seed.
    """

    def __init__(self, ids, accumulated, threshold, events, seed: int) -> None:
        self.ids, self.accumulated, self.threshold, self.events = (
            ids,
            accumulated,
            threshold,
            events,
        )
        self.waiting_key = crn.key(seed, STREAM_WAITING)
        self.choice_key = crn.key(seed, STREAM_CHOICE)

    def start(self, rows: np.ndarray) -> None:
        """Give new families their first threshold."""
        self.accumulated[rows] = 0.0
        rows = np.asarray(rows, np.int64)
        u = kernels.crn_uniform(self.ids, self.events, rows, np.uint64(self.waiting_key))
        np.log(u, out=u)  # numpy's log, as crn.exponential (a compiled log may round apart)
        u *= -1.0
        self.threshold[rows] = u

    def advance(self, rows, total, left):
        """Accumulate ``total * left`` and return (positions that fired, time left after).

        ``rows`` None means every row with the whole period (``left`` ignored).
        """
        if rows is None:
            acc = self.accumulated
            acc += total
            fired = np.flatnonzero(acc >= self.threshold)
            excess = acc[fired] - self.threshold[fired]
        else:
            acc = self.accumulated[rows] + total * left
            self.accumulated[rows] = acc
            fired = np.flatnonzero(acc >= self.threshold[rows])
            excess = acc[fired] - self.threshold[rows[fired]]
        return fired, excess / total[fired]

    def choice(self, rows: np.ndarray) -> np.ndarray:
        """Uniform numbers to choose the option of the event each of ``rows`` just had."""
        rows = np.asarray(rows, np.int64)
        return kernels.crn_uniform(self.ids, self.events, rows, np.uint64(self.choice_key))

    def restart(self, rows: np.ndarray) -> None:
        """After an event: count it and draw the next threshold."""
        self.events[rows] += 1
        self.start(rows)


STREAM_WAITING, STREAM_CHOICE = 1, 2


def jump_month(
    rows: np.ndarray | None,
    time_left: np.ndarray | None,
    option_rates: RateFunction,
    total_rates: Callable[[np.ndarray | None], np.ndarray],
    clocks: Clocks,
    on_move: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
    advance_all: Callable[[], tuple[np.ndarray, np.ndarray]] | None = None,
) -> None:
    """Move families through every event that falls within one period (a month).

    The scheme, in numpy, for any chain. The engine runs it for its families in compiled
    loops (``FamilyMoves._move_month``, ``events.py``), which the tests compare with this
    function, to the bit.

    Parameters
    ----------
    rows : ndarray of int or None
        Rows of the families to simulate; ``None`` means every row, each with the whole
        period (the fast path for the population: no index or time arrays are built).
    time_left : ndarray or None
        Time each of ``rows`` has left, in the time unit of the rates (1 = the whole
        period, less for families that arrive during it); ignored when ``rows`` is None.
    option_rates : callable
        ``option_rates(rows) -> (n, MAX_OUT)`` hazards of each row's options, per period.
    total_rates : callable
        ``total_rates(rows) -> (n,)`` summed hazards (a fast path of ``option_rates``;
        called with ``None`` for every row).
    clocks : Clocks
        The families' integrated-hazard clocks.
    on_move : callable
        ``on_move(rows, chosen_option, time_left) -> still_present`` applies the moves (it
        may redirect or remove families) and returns a boolean mask of the rows that stay
        in the system and may move again.
    advance_all : callable, optional
        ``advance_all() -> (fired, after)``: :meth:`Clocks.advance` of every row with the
        whole period and its summed hazards, in one pass (``kernels.advance_all``); used
        when ``rows`` is None.
    """
    if rows is None and advance_all is not None:
        fired, after = advance_all()
    else:
        total = total_rates(rows)
        if not total.size:
            return
        left = None if rows is None else np.asarray(time_left, float)
        fired, after = clocks.advance(rows, total, left)
    while fired.size:
        rows = fired if rows is None else rows[fired]
        chosen = choose_option(option_rates(rows), clocks.choice(rows))
        clocks.restart(rows)
        present = on_move(rows, chosen, after)
        rows, left = rows[present], after[present]
        total = option_rates(rows).sum(axis=1)
        if not total.size:
            return
        fired, after = clocks.advance(rows, total, left)


def mean_preserving_scale(
    rate: float, other_exits: float, first_month_ratio: float, after_year_ratio: float
) -> float:
    """Scale of a duration-dependent hazard that keeps the mean stay of a constant one.

    The hazard is ``scale * rate * ratio(t)`` with ratio ``first_month_ratio`` in the first
    month, 1 up to a year and ``after_year_ratio`` after it; ``other_exits`` (1/yr) is
    constant. The returned scale makes the expected time to any exit equal
    ``1 / (rate + other_exits)``, so the profile changes the shape of stays, not their mean.
    """
    from scipy.optimize import brentq

    if rate <= 0:
        return 1.0
    month = 1.0 / 12.0

    def mean_stay(scale: float) -> float:
        h0 = scale * rate * first_month_ratio + other_exits
        h1 = scale * rate + other_exits
        h2 = scale * rate * after_year_ratio + other_exits
        part0 = -np.expm1(-h0 * month) / h0 if h0 > 0 else month
        part1 = -np.expm1(-h1 * 11 * month) / h1 if h1 > 0 else 11 * month
        survive = np.exp(-h0 * month - h1 * 11 * month)
        return part0 + np.exp(-h0 * month) * part1 + (survive / h2 if h2 > 0 else np.inf)

    target = 1.0 / (rate + other_exits)
    low, high = 1e-3, 1e3
    gap_low, gap_high = mean_stay(low) - target, mean_stay(high) - target
    if gap_low * gap_high > 0:
        # no scale reaches the mean exactly: a rate negligible beside the other exits (the
        # profile then changes nothing) or a profile that cannot: the closest end
        return low if abs(gap_low) < abs(gap_high) else high
    return float(brentq(lambda s: mean_stay(s) - target, low, high))
