"""Services and funding as pure numpy functions shared by both engines (DESIGN 2.2).

Money comes in four funding lines (:data:`SERVICES`); each line's budget is split among its
programmes (:mod:`simulation.model.programmes`) by their weights (``mix.<programme>``), and a
programme may have a budget of its own (``budget.<programme>``). The chain is: budget per
programme and provider -> capacity (staffed spending, EUR/yr, built up with a first-order
delay) -> places (capacity / cost per place-year) -> families served (the programme's own
target families, at most ``max_caseload_ratio`` per place) -> quality -> the effect on the
hazards of exactly the families treated: those in the programme and those who finished it
and have not relapsed (``graduates``). Money a programme cannot use for lack of families is
not spent: it is reported as unspent.

Array conventions: a trailing axis of length ``N_PROGRAMMES`` is indexed by
:data:`PROGRAMMES`; a trailing pair ``(N_PROGRAMMES, N_PROVIDERS)`` by programmes then
:data:`PROVIDERS`; ``N_SERVICES`` by the funding lines. Every function broadcasts over
leading axes (one municipality, 60, a batch of K parameter sets, or one family).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from simulation.model import programmes as pg
from simulation.model.flows import EFFECT_SOURCE, EFFECTS, N_HAZARD_FLOWS, OUTFLOWS
from simulation.model.states import State

SERVICES: tuple[str, ...] = pg.LINES
PROVIDERS: tuple[str, ...] = ("ngo", "municipal")
N_SERVICES = len(SERVICES)
N_PROVIDERS = len(PROVIDERS)
PREVENTIVE, BASIC, INTEGRATION, MOBILE_TEAM = range(N_SERVICES)
NGO, MUNICIPAL = range(N_PROVIDERS)
#: What the public pays for, in the order of every cost array: each funding line by provider
#: (``preventive.ngo``, ...), staff training, then the two kinds of out-of-home care (in the
#: order of the care states).
COST_ITEMS: tuple[str, ...] = (
    *(f"{s}.{pr}" for s in SERVICES for pr in PROVIDERS),
    "training",
    "family_care",
    "institutional_care",
)
TRAINING_ITEM = COST_ITEMS.index("training")
CARE_ITEMS = slice(len(COST_ITEMS) - 2, len(COST_ITEMS))

PROGRAMMES: tuple[pg.Programme, ...] = pg.library()
PROGRAMME_NAMES: tuple[str, ...] = tuple(p.name for p in PROGRAMMES)
N_PROGRAMMES = len(PROGRAMMES)
#: The funding line and the target state of each programme.
PROGRAMME_LINE = np.array([SERVICES.index(p.line) for p in PROGRAMMES])
PROGRAMME_TARGET = np.array([int(p.target) for p in PROGRAMMES])
#: Programmes of each line, in library order (the order in which they take families).
LINE_PROGRAMMES: tuple[tuple[int, ...], ...] = tuple(
    tuple(int(i) for i in np.flatnonzero(line == PROGRAMME_LINE)) for line in range(N_SERVICES)
)
#: Each programme's effects: ``(index in EFFECTS, registry name of its multiplier)``.
PROGRAMME_EFFECTS: tuple[tuple[tuple[int, str], ...], ...] = tuple(
    tuple((EFFECTS.index(e.transition), p.parameter(f"effect.{e.transition}")) for e in p.effects)
    for p in PROGRAMMES
)
#: 1 for programmes whose evidence comes from trials (they lose ``scale_up_decay`` at scale).
TRIAL_EVIDENCE = np.array([p.trial_evidence for p in PROGRAMMES], float)
#: Programmes of one line with one target state take families from one group, in library
#: order: ``x @ SAME_GROUP`` sums ``x`` over each programme's group and ``x @
#: EARLIER_IN_GROUP`` over the programmes before it in its group.
SAME_GROUP = (
    (PROGRAMME_LINE[:, None] == PROGRAMME_LINE[None, :])
    & (PROGRAMME_TARGET[:, None] == PROGRAMME_TARGET[None, :])
).astype(float)
EARLIER_IN_GROUP = np.triu(SAME_GROUP, k=1)
#: Outflows of each programme's target state (positions in HAZARD_FLOWS).
TARGET_OUTFLOWS = tuple(OUTFLOWS[State(t)] for t in PROGRAMME_TARGET)
#: ``rates @ TARGET_OUTFLOW_MATRIX`` is each target state's total outflow hazard.
TARGET_OUTFLOW_MATRIX = np.zeros((N_HAZARD_FLOWS, N_PROGRAMMES))
for _i, _out in enumerate(TARGET_OUTFLOWS):
    TARGET_OUTFLOW_MATRIX[list(_out), _i] = 1.0
#: ``LINE_MATRIX @ x`` sums a ``(N_PROGRAMMES, ...)`` array by funding line.
LINE_MATRIX = (PROGRAMME_LINE[None, :] == np.arange(N_SERVICES)[:, None]).astype(float)
# the library's validation guarantees it: every effect acts on its programme's target state
assert all(
    EFFECT_SOURCE[EFFECTS[i]] == prog.target
    for prog, effects in zip(PROGRAMMES, PROGRAMME_EFFECTS, strict=True)
    for i, _ in effects
)


def stack_last(arrays: list) -> np.ndarray:
    """Stack along a new last axis after broadcasting (some inputs may be batched)."""
    return np.stack(np.broadcast_arrays(*[np.asarray(a, float) for a in arrays]), axis=-1)


def _a(p: Mapping, name: str) -> np.ndarray:
    return np.asarray(p[name], float)


def programme_values(p: Mapping, field: str) -> np.ndarray:
    """One field of every programme (``cost``, ``duration``, ...), shape ``(..., N_PROGRAMMES)``."""
    return stack_last([p[prog.parameter(field)] for prog in PROGRAMMES])


@dataclass(frozen=True)
class ProgrammeTable:
    """What the library's parameters give, computed once per parameter set.

    The engines evaluate the services thousands of times with the same parameters (four
    Runge-Kutta stages a month); reading and stacking the parameters each time dominated
    the SD engine's run time.

    Attributes
    ----------
    costs : ndarray, shape ``(..., N_PROGRAMMES, N_PROVIDERS)``
        EUR per place-year (:func:`programme_costs`).
    duration, relapse : ndarray, shape ``(..., N_PROGRAMMES)``
        Years in the programme (0 = ongoing) and graduates' relapse rate (1/yr).
    gaps : ndarray, shape ``(..., N_PROGRAMMES, N_EFFECTS)``
        ``effective share x (1 - multiplier)`` of each effect at quality 1.
    scale_up : ndarray, shape ``(..., N_PROGRAMMES)``
        ``1 - scale_up_decay`` for programmes with trial evidence, 1 for the others.
    """

    costs: np.ndarray
    duration: np.ndarray
    relapse: np.ndarray
    gaps: np.ndarray
    scale_up: np.ndarray


def programme_table(p: Mapping[str, np.ndarray]) -> ProgrammeTable:
    """The :class:`ProgrammeTable` of the parameter values ``p``."""
    share = programme_values(p, "effective_share")
    gaps = np.zeros((*share.shape, len(EFFECTS)))
    for i, effects in enumerate(PROGRAMME_EFFECTS):
        for e, name in effects:
            gaps[..., i, e] = share[..., i] * (1.0 - _a(p, name))
    return ProgrammeTable(
        costs=programme_costs(p),
        duration=programme_values(p, "duration"),
        relapse=programme_values(p, "relapse_rate"),
        gaps=gaps,
        scale_up=1.0 - _a(p, "scale_up_decay")[..., None] * TRIAL_EVIDENCE,
    )


def table_of(p: Mapping[str, np.ndarray], table: ProgrammeTable | None) -> ProgrammeTable:
    """``table``, or the table of ``p`` when none is given."""
    return programme_table(p) if table is None else table


# ---- money ---------------------------------------------------------------------------------
def programme_costs(p: Mapping[str, np.ndarray]) -> np.ndarray:
    """Cost of a place for a year, by programme and provider, ``(..., N_PROGRAMMES, N_PROVIDERS)``.

    The programme's cost (municipal provider) and ``ngo_cost_ratio`` times it from NGOs.
    """
    municipal = programme_values(p, "cost")
    ngo = municipal * _a(p, "ngo_cost_ratio")[..., None]
    return stack_last([ngo, municipal])


def mix_shares(levers: Mapping[str, np.ndarray]) -> np.ndarray:
    """Each programme's share of its line's budget, ``(..., N_PROGRAMMES)``.

    The weights ``mix.<programme>`` relative to the line's total (an all-zero line is split
    evenly).
    """
    weights = np.maximum(stack_last([levers[f"mix.{name}"] for name in PROGRAMME_NAMES]), 0.0)
    shares = np.zeros_like(weights)
    for members in LINE_PROGRAMMES:
        total = weights[..., members].sum(axis=-1, keepdims=True)
        even = np.full(weights[..., members].shape, 1.0 / len(members))
        shares[..., members] = np.where(
            total > 0, weights[..., members] / np.where(total > 0, total, 1.0), even
        )
    return shares


def line_costs(p: Mapping[str, np.ndarray], levers: Mapping[str, np.ndarray]) -> np.ndarray:
    """Mean cost of a place in each line at its mix, EUR per place-year, ``(..., S)``."""
    cost = programme_values(p, "cost")
    share = mix_shares(levers)
    return stack_last([(cost * share)[..., m].sum(axis=-1) for m in LINE_PROGRAMMES])


def own_budgets(levers: Mapping[str, np.ndarray]) -> np.ndarray:
    """Each programme's budget of its own (``budget.<programme>``), million EUR/yr."""
    return stack_last([levers[f"budget.{name}"] for name in PROGRAMME_NAMES])


def programme_budgets(
    line_budget: np.ndarray, levers: Mapping[str, np.ndarray], own: np.ndarray
) -> np.ndarray:
    """Budget of each programme, EUR/yr, ``(..., N_PROGRAMMES)``.

    Parameters
    ----------
    line_budget : ndarray, shape ``(..., N_SERVICES)``
        EUR/yr per funding line.
    levers : mapping
        ``mix.<programme>`` weights.
    own : ndarray, shape ``(..., N_PROGRAMMES)``
        EUR/yr of each programme's own budget (the same unit as ``line_budget``).
    """
    return line_budget[..., PROGRAMME_LINE] * mix_shares(levers) + own


def split_budget(budget: np.ndarray, ngo_share: np.ndarray) -> np.ndarray:
    """Split programme budgets between NGO and municipal providers at their line's NGO share.

    Parameters
    ----------
    budget : ndarray, shape ``(..., N_PROGRAMMES)``
        EUR per year.
    ngo_share : ndarray, shape ``(..., N_SERVICES)``
        Share of each line bought from NGOs, in [0, 1].

    Returns
    -------
    ndarray, shape ``(..., N_PROGRAMMES, N_PROVIDERS)``
    """
    share = ngo_share[..., PROGRAMME_LINE]
    return np.stack([budget * share, budget * (1.0 - share)], axis=-1)


def capacity_change(capacity: np.ndarray, target: np.ndarray, delay: np.ndarray) -> np.ndarray:
    """First-order build-up (or run-down) of capacity towards its target (EUR/yr per year).

    ``delay`` is the years to close the gap (hiring and training) and broadcasts against
    ``capacity``.
    """
    return (target - capacity) / delay


def places(capacity: np.ndarray, costs: np.ndarray) -> np.ndarray:
    """Family places at the caseload norm that the capacity pays for, ``(..., N_PROGRAMMES)``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.where(costs > 0, capacity / np.where(costs > 0, costs, 1.0), 0.0)
    return per.sum(axis=-1)


# ---- who is served -------------------------------------------------------------------------
def serve(
    slots: np.ndarray, stocks: np.ndarray, graduates: np.ndarray, max_caseload_ratio
) -> np.ndarray:
    """Families each programme serves, ``(..., N_PROGRAMMES)``.

    A programme serves families of its target state who are not yet treated by its line
    (graduates of the line keep their effect and are not taken again), at most
    ``max_caseload_ratio`` per place; programmes of one line take families in library order.

    Parameters
    ----------
    slots : ndarray, shape ``(..., N_PROGRAMMES)``
        Places at the caseload norm.
    stocks : ndarray, shape ``(..., N_STATES)``
        Families by state (negative values are read as 0).
    graduates : ndarray, shape ``(..., N_PROGRAMMES)``
        Families who finished each programme and keep its effect.
    max_caseload_ratio : ndarray
        Largest caseload relative to the norm (>= 1), shaped like the leading axes.
    """
    # Taking families in order, programme i gets min(its places, what the earlier ones of its
    # group left), and what they left is max(eligible - their places, 0): no loop needed.
    most = slots * np.asarray(max_caseload_ratio, float)[..., None]
    eligible = np.maximum(stocks, 0.0)[..., PROGRAMME_TARGET] - graduates @ SAME_GROUP
    left = np.maximum(eligible, 0.0) - most @ EARLIER_IN_GROUP
    return np.minimum(most, np.maximum(left, 0.0))


def quality(
    capacity: np.ndarray,
    caseload_ratio: np.ndarray,
    p: Mapping[str, np.ndarray],
    trained_share: np.ndarray,
    table: ProgrammeTable | None = None,
) -> np.ndarray:
    """Quality of each programme, 1 at the norm with untrained municipal staff, ``(..., N_PROG)``.

    The capacity-weighted provider quality (``ngo_quality_ratio`` for NGOs), raised by
    trained staff (``1 + training_quality_gain * trained_share``), lowered by caseloads above
    the norm (``1 / (1 + caseload_quality_loss * excess)``) and, for programmes whose evidence
    comes from trials, by the scale-up discount (``1 - scale_up_decay``, Miller 2015).
    """
    ngo_q = _a(p, "ngo_quality_ratio")[..., None]
    total = capacity[..., NGO] + capacity[..., MUNICIPAL]
    with np.errstate(divide="ignore", invalid="ignore"):
        mix = np.where(
            total > 0,
            (capacity[..., NGO] * ngo_q + capacity[..., MUNICIPAL])
            / np.where(total > 0, total, 1.0),
            1.0,
        )
    training = (
        1.0
        + _a(p, "training_quality_gain")[..., None] * np.asarray(trained_share, float)[..., None]
    )
    excess = np.maximum(caseload_ratio - 1.0, 0.0)
    strain = 1.0 / (1.0 + _a(p, "caseload_quality_loss")[..., None] * excess)
    if table is None:
        scale_up = 1.0 - _a(p, "scale_up_decay")[..., None] * TRIAL_EVIDENCE
    else:
        scale_up = table.scale_up
    return mix * training * strain * scale_up


def treated_shares(served: np.ndarray, graduates: np.ndarray, stocks: np.ndarray) -> np.ndarray:
    """Share of each programme's target families it treats (served or graduates), in [0, 1]."""
    target = np.maximum(stocks[..., PROGRAMME_TARGET], 0.0)
    treated = served + np.maximum(graduates, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(target > 0, treated / np.where(target > 0, target, 1.0), 0.0)
    return np.clip(share, 0.0, 1.0)


def effect_gaps(
    p: Mapping[str, np.ndarray], quality: np.ndarray, table: ProgrammeTable | None = None
) -> np.ndarray:
    """``1 - multiplier`` of each effect for a treated family, ``(..., N_PROGRAMMES, N_EFFECTS)``.

    A treated family's hazard is multiplied by ``1 - quality x effective share x (1 - m)``,
    where ``m`` is the programme's hazard multiplier: quality scales the published effect.
    """
    return quality[..., None] * table_of(p, table).gaps


def effects_of(treated: np.ndarray, gaps: np.ndarray) -> np.ndarray:
    """Hazard multipliers of the transitions, ``(..., N_EFFECTS)``.

    Programmes of one line treat different families (their shares add); lines combine
    multiplicatively (a family in difficulty may have casework and integration services).

    Parameters
    ----------
    treated : ndarray, shape ``(..., N_PROGRAMMES)``
        Treated shares (1 for a family in the programme, 0 outside it).
    gaps : ndarray, shape ``(..., N_PROGRAMMES, N_EFFECTS)``
        From :func:`effect_gaps`.
    """
    out = np.ones((*np.broadcast_shapes(treated.shape, gaps.shape[:-1])[:-1], len(EFFECTS)))
    weighted = treated[..., None] * gaps
    for members in LINE_PROGRAMMES:
        out = out * np.maximum(1.0 - weighted[..., members, :].sum(axis=-2), 0.0)
    return out


@dataclass(frozen=True)
class ServiceState:
    """What the services do in a unit this month.

    Attributes
    ----------
    effects : ndarray, shape ``(..., N_EFFECTS)``
        Population hazard multipliers.
    served, slots, quality, treated : ndarray, shape ``(..., N_PROGRAMMES)``
        Families served, places at the norm, quality, treated share of the target state.
    gaps : ndarray, shape ``(..., N_PROGRAMMES, N_EFFECTS)``
        What a treated family gets (see :func:`effect_gaps`).
    """

    effects: np.ndarray
    served: np.ndarray
    slots: np.ndarray
    quality: np.ndarray
    treated: np.ndarray
    gaps: np.ndarray


def service_state(
    capacity: np.ndarray,
    stocks: np.ndarray,
    graduates: np.ndarray,
    p: Mapping[str, np.ndarray],
    working=0.0,
    table: ProgrammeTable | None = None,
) -> ServiceState:
    """Families served, quality and the hazard multipliers they produce.

    Parameters
    ----------
    capacity : ndarray, shape ``(..., N_PROGRAMMES, N_PROVIDERS)``
        Staffed spending, EUR/yr.
    stocks : ndarray, shape ``(..., N_STATES)``
        Families by state.
    graduates : ndarray, shape ``(..., N_PROGRAMMES)``
        Families who finished each programme and keep its effect.
    p : mapping
        Parameter and lever values (``trained_staff_share`` among them).
    working : ndarray or float
        Share of the unit where the cooperation model works (seed 000): the municipality's
        own mobile team raises the mobile crisis team's quality by
        ``local_team_quality_gain``, inter-institutional groups raise detection by
        ``groups_detection_gain`` and a community-initiatives coordinator lowers onset by
        ``coordinator_onset_effect``.
    table : ProgrammeTable, optional
        :func:`programme_table` of ``p``, when the caller keeps it.
    """
    table = table_of(p, table)
    slots = places(capacity, table.costs)
    served = serve(slots, stocks, graduates, _a(p, "max_caseload_ratio"))
    with np.errstate(divide="ignore", invalid="ignore"):
        caseload = np.where(slots > 0, served / np.where(slots > 0, slots, 1.0), 0.0)
    q = quality(capacity, caseload, p, p["trained_staff_share"], table)
    working = np.asarray(working, float)
    if working.any():
        team = np.ones(q.shape)
        team[..., PROGRAMME_LINE == MOBILE_TEAM] = (
            1.0 + _a(p, "local_team_quality_gain")[..., None] * working[..., None]
        )
        q = q * team
    treated = treated_shares(served, graduates, stocks)
    gaps = effect_gaps(p, q, table)
    effects = effects_of(treated, gaps)
    if working.any():
        effects = effects.copy()
        effects[..., EFFECTS.index("detection")] *= 1.0 + _a(p, "groups_detection_gain") * working
        effects[..., EFFECTS.index("onset")] *= 1.0 - _a(p, "coordinator_onset_effect") * working
    return ServiceState(effects, served, slots, q, treated, gaps)


def service_effects(capacity, stocks, graduates, p, working=0.0) -> np.ndarray:
    """The hazard multipliers of :func:`service_state`, ``(..., N_EFFECTS)``."""
    return service_state(capacity, stocks, graduates, p, working).effects


# ---- spending, graduates, training ---------------------------------------------------------
def used_spending(capacity: np.ndarray, served: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """Spending on each programme and provider, EUR/yr, ``(..., N_PROGRAMMES, N_PROVIDERS)``.

    The capacity in use: all of it when the places are full (or stretched above the norm),
    the served share when there are fewer families than places. The rest is unspent.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        used = np.where(slots > 0, np.minimum(served / np.where(slots > 0, slots, 1.0), 1.0), 0.0)
    return capacity * used[..., None]


def line_spending(spending: np.ndarray) -> np.ndarray:
    """Programme spending summed by funding line, ``(..., N_SERVICES, N_PROVIDERS)``."""
    return LINE_MATRIX @ spending


def graduate_change(
    graduates: np.ndarray,
    served: np.ndarray,
    rates: np.ndarray,
    p: Mapping,
    table: ProgrammeTable | None = None,
) -> np.ndarray:
    """D graduates / dt, families per year, ``(..., N_PROGRAMMES)``.

    Families finish a programme at ``served / duration`` (none for ongoing programmes) and
    stop being graduates when they relapse (``relapse_rate``) or leave the target state (its
    total outflow hazard in ``rates``, shape ``(..., N_HAZARD_FLOWS)``).
    """
    table = table_of(p, table)
    return _finishing(served, table) - (table.relapse + _leaving(rates)) * graduates


def _finishing(served: np.ndarray, table: ProgrammeTable) -> np.ndarray:
    """Families finishing each programme, per year (none for ongoing programmes)."""
    duration = table.duration
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(duration > 0, served / np.where(duration > 0, duration, 1.0), 0.0)


def _leaving(rates: np.ndarray) -> np.ndarray:
    """Total outflow hazard of each programme's target state, 1/yr, ``(..., N_PROGRAMMES)``."""
    return rates @ TARGET_OUTFLOW_MATRIX


def steady_graduates(served: np.ndarray, rates: np.ndarray, p: Mapping) -> np.ndarray:
    """Graduates at which :func:`graduate_change` is zero, ``(..., N_PROGRAMMES)``."""
    table = programme_table(p)
    finish = _finishing(served, table)
    total = table.relapse + _leaving(rates)
    return np.divide(finish, total, out=np.zeros_like(finish), where=total > 0)


def training_spending(
    staff_places, trained_share, share_growth, p: Mapping[str, np.ndarray]
) -> np.ndarray:
    """Spending on training staff, EUR/yr.

    Staff are the places in use / ``caseload_norm``; keeping ``trained_share`` of them
    trained means training the leavers' replacements (``staff_turnover`` a year) and, when
    the share rises, the new trainees (``share_growth``, per year).

    Parameters
    ----------
    staff_places : ndarray, shape ``(..., N_PROGRAMMES)``
        Places in use.
    trained_share, share_growth : ndarray or float
        Share of staff trained, and its rate of increase (1/yr, >= 0).
    p : mapping
        ``cost.training_per_person``, ``staff_turnover``, ``caseload_norm``.
    """
    staff = np.asarray(staff_places).sum(axis=-1) / _a(p, "caseload_norm")
    per_year = np.asarray(trained_share) * _a(p, "staff_turnover") + np.asarray(share_growth)
    return staff * per_year * _a(p, "cost.training_per_person")


def places_in_use(served: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """Places occupied at the norm: served families, at most the places paid for."""
    return np.minimum(served, slots)


def eligible_families(stocks: np.ndarray) -> np.ndarray:
    """Families in each programme's target state, shape ``(..., N_PROGRAMMES)``."""
    return np.maximum(stocks[..., PROGRAMME_TARGET], 0.0)
