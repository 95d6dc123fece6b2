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

from simulation.model.flows import EFFECTS
from simulation.model.programme_arrays import (  # noqa: F401 (the services' public names)
    BASIC,
    CARE_ITEMS,
    COST_ITEMS,
    EARLIER_IN_GROUP,
    INTEGRATION,
    LINE_MATRIX,
    LINE_PROGRAMMES,
    MOBILE_TEAM,
    MUNICIPAL,
    N_PROGRAMMES,
    N_PROVIDERS,
    N_SERVICES,
    NGO,
    PREVENTIVE,
    PROGRAMME_EFFECTS,
    PROGRAMME_LINE,
    PROGRAMME_NAMES,
    PROGRAMME_TARGET,
    PROGRAMMES,
    PROVIDERS,
    SAME_GROUP,
    SERVICES,
    TARGET_OUTFLOW_MATRIX,
    TARGET_OUTFLOWS,
    TRAINING_ITEM,
    TRIAL_EVIDENCE,
    ProgrammeTable,
    as_array,
    programme_costs,
    programme_table,
    programme_values,
    stack_last,
    table_of,
)


# ---- money ---------------------------------------------------------------------------------
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
    ngo_q = as_array(p, "ngo_quality_ratio")[..., None]
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
        + as_array(p, "training_quality_gain")[..., None]
        * np.asarray(trained_share, float)[..., None]
    )
    excess = np.maximum(caseload_ratio - 1.0, 0.0)
    strain = 1.0 / (1.0 + as_array(p, "caseload_quality_loss")[..., None] * excess)
    if table is None:
        scale_up = 1.0 - as_array(p, "scale_up_decay")[..., None] * TRIAL_EVIDENCE
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
    served = serve(slots, stocks, graduates, as_array(p, "max_caseload_ratio"))
    with np.errstate(divide="ignore", invalid="ignore"):
        caseload = np.where(slots > 0, served / np.where(slots > 0, slots, 1.0), 0.0)
    q = quality(capacity, caseload, p, p["trained_staff_share"], table)
    working = np.asarray(working, float)
    if working.any():
        team = np.ones(q.shape)
        team[..., PROGRAMME_LINE == MOBILE_TEAM] = (
            1.0 + as_array(p, "local_team_quality_gain")[..., None] * working[..., None]
        )
        q = q * team
    treated = treated_shares(served, graduates, stocks)
    gaps = effect_gaps(p, q, table)
    effects = effects_of(treated, gaps)
    if working.any():
        effects = cooperation_effects(effects, p, working)
    return ServiceState(effects, served, slots, q, treated, gaps)


def cooperation_effects(effects: np.ndarray, p: Mapping, working: np.ndarray) -> np.ndarray:
    """``effects`` with the cooperation model's groups and coordinator, for every family.

    Where it works (share ``working`` of a unit), inter-institutional groups raise detection by
    ``groups_detection_gain`` and a community-initiatives coordinator lowers onset by
    ``coordinator_onset_effect``. ``working`` broadcasts against the leading axes.
    """
    out = effects.copy()
    out[..., EFFECTS.index("detection")] *= 1.0 + as_array(p, "groups_detection_gain") * working
    out[..., EFFECTS.index("onset")] *= 1.0 - as_array(p, "coordinator_onset_effect") * working
    return out


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
    finish, loss = graduate_flows(served, rates, table_of(p, table))
    return finish - loss * graduates


def graduate_flows(
    served: np.ndarray, rates: np.ndarray, table: ProgrammeTable
) -> tuple[np.ndarray, np.ndarray]:
    """Families finishing each programme (per year) and graduates' loss rate (1/yr).

    Finishing is ``served / duration`` (none for ongoing programmes); graduates are lost by
    relapse and by leaving the target state (its total outflow hazard in ``rates``).
    """
    duration = table.duration
    with np.errstate(divide="ignore", invalid="ignore"):
        finish = np.where(duration > 0, served / np.where(duration > 0, duration, 1.0), 0.0)
    return finish, table.relapse + rates @ TARGET_OUTFLOW_MATRIX


def steady_graduates(
    served: np.ndarray,
    rates: np.ndarray,
    p: Mapping,
    table: ProgrammeTable | None = None,
    families: np.ndarray | None = None,
) -> np.ndarray:
    """Graduates at which :func:`graduate_change` is zero, ``(..., N_PROGRAMMES)``.

    At most ``families`` (families in each programme's target state, when given): graduates
    are some of them, and a loss rate near zero (a few 1e-300 per year) would otherwise
    give more graduates than families, or an overflow.
    """
    finish, loss = graduate_flows(served, rates, table_of(p, table))
    with np.errstate(over="ignore"):
        steady = np.divide(finish, loss, out=np.zeros_like(finish), where=loss > 0)
    return steady if families is None else np.minimum(steady, families)


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
    staff = np.asarray(staff_places).sum(axis=-1) / as_array(p, "caseload_norm")
    per_year = np.asarray(trained_share) * as_array(p, "staff_turnover") + np.asarray(share_growth)
    return staff * per_year * as_array(p, "cost.training_per_person")


def places_in_use(served: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """Places occupied at the norm: served families, at most the places paid for."""
    return np.minimum(served, slots)


def eligible_families(stocks: np.ndarray) -> np.ndarray:
    """Families in each programme's target state, shape ``(..., N_PROGRAMMES)``."""
    return np.maximum(stocks[..., PROGRAMME_TARGET], 0.0)
