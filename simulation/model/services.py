"""Services and funding as pure numpy functions shared by both engines (DESIGN 2.2).

The chain is: budget per service and provider -> capacity (family slots at the caseload
norm, built up with a first-order delay) -> coverage of eligible families -> quality ->
hazard multipliers. Every function broadcasts over leading axes, so the same code serves one
municipality, 60 municipalities, a batch of K parameter sets, or one family at a time.

Array conventions: a trailing axis of length ``N_SERVICES`` is indexed by :data:`SERVICES`;
a trailing pair ``(N_SERVICES, N_PROVIDERS)`` by services then :data:`PROVIDERS`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from simulation.model.states import State

SERVICES: tuple[str, ...] = ("preventive", "basic", "integration", "mobile_team")
PROVIDERS: tuple[str, ...] = ("ngo", "municipal")
N_SERVICES = len(SERVICES)
N_PROVIDERS = len(PROVIDERS)
PREVENTIVE, BASIC, INTEGRATION, MOBILE_TEAM = range(N_SERVICES)
NGO, MUNICIPAL = range(N_PROVIDERS)
#: What the public pays for, in the order of every cost array: each service by provider
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


def stack_last(arrays: list) -> np.ndarray:
    """Stack along a new last axis after broadcasting (some inputs may be batched)."""
    return np.stack(np.broadcast_arrays(*[np.asarray(a, float) for a in arrays]), axis=-1)


def unit_costs(p: Mapping[str, np.ndarray]) -> np.ndarray:
    """Cost of one family slot for a year, by service and provider.

    Parameters
    ----------
    p : mapping
        Parameter values (scalars or arrays of shape ``(K, 1)``), including
        ``unit_cost.<service>`` (EUR per family-year, municipal provider) and
        ``ngo_cost_ratio`` (NGO cost / municipal cost).

    Returns
    -------
    ndarray, shape ``(..., N_SERVICES, N_PROVIDERS)``
        EUR per family-year.
    """
    municipal = stack_last([p[f"unit_cost.{s}"] for s in SERVICES])
    ngo = municipal * np.asarray(p["ngo_cost_ratio"], float)[..., None]
    return stack_last([ngo, municipal])


def split_budget(budget: np.ndarray, ngo_share: np.ndarray) -> np.ndarray:
    """Split a budget per service between NGO and municipal providers.

    Parameters
    ----------
    budget : ndarray, shape ``(..., N_SERVICES)``
        EUR per year.
    ngo_share : ndarray, shape ``(..., N_SERVICES)``
        Share bought from NGOs, in [0, 1].

    Returns
    -------
    ndarray, shape ``(..., N_SERVICES, N_PROVIDERS)``
        EUR per year by service and provider.
    """
    return np.stack([budget * ngo_share, budget * (1.0 - ngo_share)], axis=-1)


def target_capacity(budget_by_provider: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Family slots the budget pays for once staff are hired (families)."""
    return budget_by_provider / cost


def capacity_change(capacity: np.ndarray, target: np.ndarray, delay: np.ndarray) -> np.ndarray:
    """First-order build-up (or run-down) of capacity towards its target.

    Parameters
    ----------
    capacity, target : ndarray
        Family slots.
    delay : ndarray
        Years to close the gap (hiring and training); broadcasts against ``capacity``.

    Returns
    -------
    ndarray
        d capacity / dt, families per year.
    """
    return (target - capacity) / delay


def coverage_and_caseload(
    slots: np.ndarray, eligible: np.ndarray, max_caseload_ratio: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Share of eligible families served and the caseload relative to the norm.

    Staff take on more families than the norm when demand exceeds slots, up to
    ``max_caseload_ratio`` times the norm (in Lithuania 15 families per worker against a
    norm of 10 gives 1.5).

    Parameters
    ----------
    slots : ndarray
        Family slots at the caseload norm (families).
    eligible : ndarray
        Families eligible for the service (families), same shape as ``slots``.
    max_caseload_ratio : ndarray
        Largest caseload relative to the norm (dimensionless, >= 1).

    Returns
    -------
    coverage : ndarray
        Served / eligible, in [0, 1] (when nobody is eligible: 1 if there are slots, else 0).
    caseload_ratio : ndarray
        Served / slots, in [0, max_caseload_ratio] (0 when there are no slots).
    """
    served = np.minimum(eligible, slots * max_caseload_ratio)
    with np.errstate(divide="ignore", invalid="ignore"):
        # With nobody eligible, a family who becomes eligible would be served if there is
        # any capacity at all, and not otherwise.
        idle = np.where(slots > 0, 1.0, 0.0)
        coverage = np.where(eligible > 0, served / np.where(eligible > 0, eligible, 1.0), idle)
        caseload = np.where(slots > 0, served / np.where(slots > 0, slots, 1.0), 0.0)
    return np.clip(coverage, 0.0, 1.0), caseload


def quality(
    provider_slots: np.ndarray,
    caseload_ratio: np.ndarray,
    p: Mapping[str, np.ndarray],
    trained_share: np.ndarray,
) -> np.ndarray:
    """Quality of a service, 1 at the caseload norm with untrained municipal staff.

    Quality is the slot-weighted provider quality (NGO quality relative to municipal is
    ``ngo_quality_ratio``), raised by trained staff (``1 + training_quality_gain *
    trained_share``) and lowered by caseload above the norm
    (``1 / (1 + caseload_quality_loss * excess)``).

    Parameters
    ----------
    provider_slots : ndarray, shape ``(..., N_SERVICES, N_PROVIDERS)``
        Family slots by provider.
    caseload_ratio : ndarray, shape ``(..., N_SERVICES)``
        Served / slots.
    p : mapping
        Parameter values with ``ngo_quality_ratio``, ``training_quality_gain``,
        ``caseload_quality_loss``.
    trained_share : ndarray
        Share of staff trained in the model's methods, in [0, 1].

    Returns
    -------
    ndarray, shape ``(..., N_SERVICES)``
        Dimensionless quality multiplier (>= 0).
    """
    ngo_q = np.asarray(p["ngo_quality_ratio"], float)[..., None]
    total = provider_slots[..., NGO] + provider_slots[..., MUNICIPAL]
    with np.errstate(divide="ignore", invalid="ignore"):
        mix = np.where(
            total > 0,
            (provider_slots[..., NGO] * ngo_q + provider_slots[..., MUNICIPAL])
            / np.where(total > 0, total, 1.0),
            1.0,
        )
    training = (
        1.0
        + np.asarray(p["training_quality_gain"], float)[..., None]
        * np.asarray(trained_share, float)[..., None]
    )
    excess = np.maximum(caseload_ratio - 1.0, 0.0)
    strain = 1.0 / (1.0 + np.asarray(p["caseload_quality_loss"], float)[..., None] * excess)
    return mix * training * strain


def complement(basic: np.ndarray, integration: np.ndarray, basic_weight: np.ndarray) -> np.ndarray:
    """Joint effect of basic and integration services, which are complements.

    A weighted geometric mean (Cobb-Douglas): recovery needs both, so money moved from an
    abundant service to a scarce one raises the joint effect, and either alone gives nothing.

    Parameters
    ----------
    basic, integration : ndarray
        Effective coverage (coverage x quality) of each service, >= 0.
    basic_weight : ndarray
        Weight of basic services, in (0, 1).

    Returns
    -------
    ndarray
        Joint effective coverage, >= 0.
    """
    w = np.asarray(basic_weight, float)
    return np.power(np.maximum(basic, 0.0), w) * np.power(np.maximum(integration, 0.0), 1.0 - w)


def lowering(efficacy: np.ndarray, effective_coverage: np.ndarray) -> np.ndarray:
    """Multiplier on a hazard that a service lowers: ``1 - efficacy * coverage * quality``.

    Clipped at 0 so that a very strong service cannot make a hazard negative.
    """
    return np.maximum(1.0 - efficacy * effective_coverage, 0.0)


def raising(gain: np.ndarray, effective_coverage: np.ndarray) -> np.ndarray:
    """Multiplier on a hazard that a service raises: ``1 + gain * coverage * quality``."""
    return 1.0 + gain * effective_coverage


def training_spending(
    slots: np.ndarray, trained_share, share_growth, p: Mapping[str, np.ndarray]
) -> np.ndarray:
    """Spending on training staff, EUR/yr.

    Staff are family slots / ``caseload_norm``; keeping ``trained_share`` of them trained
    means training the leavers' replacements (``staff_turnover`` a year) and, when the share
    rises, the new trainees (``share_growth``, per year).

    Parameters
    ----------
    slots : ndarray, shape ``(..., N_SERVICES, N_PROVIDERS)``
        Family slots of all services.
    trained_share, share_growth : ndarray or float
        Share of staff trained, and its rate of increase (1/yr, >= 0).
    p : mapping
        ``cost.training_per_person``, ``staff_turnover``, ``caseload_norm``.
    """
    staff = slots.sum(axis=(-2, -1)) / np.asarray(p["caseload_norm"], float)
    per_year = np.asarray(trained_share) * np.asarray(p["staff_turnover"]) + np.asarray(
        share_growth
    )
    return staff * per_year * np.asarray(p["cost.training_per_person"])


# ---- from capacity to hazard multipliers ---------------------------------------------------
V, ES, R, C = State.VULNERABLE, State.EARLY_SUPPORT, State.RISK, State.CRISIS

#: Names of the multipliers that services put on hazards, in the order returned.
EFFECTS: tuple[str, ...] = (
    "onset",
    "detection",
    "supported_recovery",
    "supported_escalation",
    "risk_recovery",
    "risk_to_crisis",
    "placement",
)


def eligible_families(stocks: np.ndarray) -> np.ndarray:
    """Families eligible for each service, shape ``(..., N_SERVICES)``.

    Preventive: vulnerable and early-support families; basic and integration: risk
    families; mobile team: families in crisis.
    """
    return np.stack(
        [stocks[..., V] + stocks[..., ES], stocks[..., R], stocks[..., R], stocks[..., C]],
        axis=-1,
    )


def coverage_quality(
    provider_slots: np.ndarray, stocks: np.ndarray, p: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Coverage of eligible families and quality at scale, per service.

    Parameters
    ----------
    provider_slots : ndarray, shape ``(..., N_SERVICES, N_PROVIDERS)``
        Family slots at the caseload norm.
    stocks : ndarray, shape ``(..., N_STATES)``
        Families by state (negative values are read as 0).
    p : mapping
        Parameter values and current lever values (``trained_staff_share``).

    Returns
    -------
    coverage : ndarray, shape ``(..., N_SERVICES)``
        Share of eligible families served, in [0, 1].
    quality : ndarray, shape ``(..., N_SERVICES)``
        Quality times ``1 - scale_up_decay``: the effect a served family gets, relative to
        the efficacy parameters.
    """
    stocks = np.maximum(stocks, 0.0)
    slots = provider_slots[..., NGO] + provider_slots[..., MUNICIPAL]
    coverage, caseload = coverage_and_caseload(
        slots, eligible_families(stocks), np.asarray(p["max_caseload_ratio"], float)[..., None]
    )
    q = quality(provider_slots, caseload, p, p["trained_staff_share"])
    at_scale = 1.0 - np.asarray(p["scale_up_decay"], float)[..., None]
    return coverage, q * at_scale


def effects_from_coverage(x: np.ndarray, p: Mapping[str, np.ndarray]) -> np.ndarray:
    """Hazard multipliers, shape ``(..., len(EFFECTS))``, from effective coverage.

    Parameters
    ----------
    x : ndarray, shape ``(..., N_SERVICES)``
        Effective coverage (coverage x quality at scale) of each service.
    p : mapping
        Parameter values (efficacies and gains).
    """
    prev, basic, integ, mobile = (x[..., i] for i in range(N_SERVICES))
    joint = complement(basic, integ, p["basic_weight"])
    return np.stack(
        [
            lowering(p["prevention_onset_effect"], prev),
            raising(p["prevention_detection_gain"], prev),
            raising(p["prevention_recovery_gain"], prev),
            lowering(p["prevention_escalation_effect"], prev),
            raising(p["risk_recovery_gain"], joint),
            lowering(p["basic_crisis_effect"], basic),
            lowering(p["mobile_placement_effect"], mobile),
        ],
        axis=-1,
    )


def cooperation_effects(
    coverage: np.ndarray, quality: np.ndarray, p: Mapping[str, np.ndarray], working
) -> np.ndarray:
    """Hazard multipliers with the cooperation model's bodies at work (seed 000).

    Where ``working`` is 1 (deployment has reached implementation), the municipality's own
    mobile team raises mobile-team quality by ``local_team_quality_gain``, inter-institutional
    groups raise detection by ``groups_detection_gain`` and a community-initiatives
    coordinator lowers onset by ``coordinator_onset_effect``; 0 leaves the services' effects
    unchanged, fractions blend.

    Parameters
    ----------
    coverage, quality : ndarray, shape ``(..., N_SERVICES)``
        From :func:`coverage_quality`.
    p : mapping
        Parameter values.
    working : ndarray or float
        Share of the unit where the cooperation model works, broadcasting against
        ``coverage[..., 0]``.
    """
    working = np.asarray(working, float)
    if not working.any():  # nothing deployed: the services' effects alone (the usual case)
        return effects_from_coverage(coverage * quality, p)
    team = np.ones(quality.shape)
    team[..., MOBILE_TEAM] = 1.0 + np.asarray(p["local_team_quality_gain"]) * working
    effects = effects_from_coverage(coverage * quality * team, p)
    detection, onset = EFFECTS.index("detection"), EFFECTS.index("onset")
    effects[..., detection] *= 1.0 + np.asarray(p["groups_detection_gain"]) * working
    effects[..., onset] *= 1.0 - np.asarray(p["coordinator_onset_effect"]) * working
    return effects


def service_effects(
    provider_slots: np.ndarray, stocks: np.ndarray, p: Mapping[str, np.ndarray], working=0.0
) -> np.ndarray:
    """Hazard multipliers produced by the services, shape ``(..., len(EFFECTS))``.

    Every family is treated alike: the multiplier applies the services' effective coverage
    to the whole eligible population (the system-dynamics view). ``working`` is the share
    where the cooperation model works (see :func:`cooperation_effects`).
    """
    coverage, quality = coverage_quality(provider_slots, stocks, p)
    return cooperation_effects(coverage, quality, p, working)
