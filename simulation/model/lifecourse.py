"""What a childhood exposure costs over a lifetime, by adult outcome and by payer.

The logic is the Washington State Institute for Public Policy's (WSIPP): an effect on a
childhood outcome -> linked adult outcomes -> money, split between participants, taxpayers,
others and indirect effects. Here the childhood outcomes are the exposures the engines count
(:data:`EXPOSURES`); the adult outcomes (:data:`OUTCOMES`) are earnings, early death, social
assistance, psychiatric or self-harm hospitalisation, imprisonment and (switched off by
default) the next generation's risk of care. Relative risks, base rates and unit values are
registry parameters read from ``simulation/data/lifecourse/parameters.csv`` (each with its
source, see ``SOURCES.md`` there).

Levels and the combination rule
-------------------------------
A child's exposures are nested: in both engines a crisis happens only in a family in
difficulty and a placement only after a crisis (:mod:`simulation.model.flows`). Each level's
evidence is read as a total relative to a comparison group, and the levels multiply:

``none``
    the general population (the Lithuanian base rates).
``risk``
    a child of a family in difficulty: the background gap of such children
    (``earnings_ratio.background``, ``background_rr``) times the share of it that is causal
    (``background_causal_share``), built up over ``years_in_difficulty`` child-years.
``maltreatment``
    x the maltreatment estimates (relative to children of similar families).
``care``
    the care estimates (adjusted for family background, so they already contain the
    maltreatment that led to placement) replace the maltreatment ones: x max(care,
    maltreatment) for each outcome.
``institution``
    x the institutional-versus-family-care estimates, built up over
    ``years_in_institution`` child-years.

The value of one exposure is the lifetime cost of its level minus that of the level below, so
a child who goes through every level is counted once, at the deepest one (the sum of the
increments telescopes). Crisis episodes and placements are scaled by the share that are a
child's first (the evidence is per child, the engines count events).

Adult years run from :data:`ADULT_AGE` to :data:`RETIREMENT_AGE` - 1. Excess mortality is
applied at ages 18-39 (the Danish evidence); later the survivors' gap is kept but no further
deaths are added. The costs of each adult year are discounted to the age of the exposure at
``lifecourse.discount_rate`` (start-of-year timing, as in
:mod:`simulation.workflow.economics.discounting`). Pure numpy: parameters may be scalars or
arrays of a batch of K parameter sets, ages scalars or arrays that broadcast with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

ADULT_AGE = 18
RETIREMENT_AGE = 65
#: Excess mortality after care is applied below this age (Sørensen et al. 2023: ages 18-39).
EXCESS_MORTALITY_END = 40
ADULT_AGES = np.arange(ADULT_AGE, RETIREMENT_AGE, dtype=float)

LEVELS = ("none", "risk", "maltreatment", "care", "institution")
PAYERS = ("participants", "taxpayers", "others", "indirect")
OUTCOMES = (
    "earnings",
    "early_death",
    "social_assistance",
    "mental_health",
    "crime",
    "next_generation",
)
#: Adult outcomes that are events at a base rate per adult-year.
EVENT_OUTCOMES = ("social_assistance", "mental_health", "crime")
PARTICIPANTS, TAXPAYERS, OTHERS, INDIRECT = range(len(PAYERS))


@dataclass(frozen=True)
class Exposure:
    """A childhood exposure the engines count and the life course values."""

    name: str
    level: str
    unit: str
    age: str  # the parameter with its mean age (system-dynamics engine)


EXPOSURES: tuple[Exposure, ...] = (
    Exposure("risk_year", "risk", "child-year in a family in difficulty", "lifecourse.age.risk"),
    Exposure("maltreatment", "maltreatment", "crisis episode", "lifecourse.age.maltreatment"),
    Exposure("placement", "care", "placement", "lifecourse.age.placement"),
    Exposure(
        "institution_year",
        "institution",
        "child-year in an institution",
        "lifecourse.age.institution",
    ),
)
EXPOSURE_NAMES = tuple(e.name for e in EXPOSURES)


@dataclass(frozen=True)
class Profile:
    """Adult outcomes of a level relative to a child with no exposure (multipliers).

    Attributes
    ----------
    earnings : ndarray
        Expected earnings ratio (<= 1 is a loss).
    mortality : ndarray
        Hazard ratio of death at 18-39.
    events : dict of str to ndarray
        Relative risk of each of :data:`EVENT_OUTCOMES`.
    next_generation : bool
        Whether the next generation's risk of care applies (care and institution).
    """

    earnings: np.ndarray
    mortality: np.ndarray
    events: dict[str, np.ndarray]
    next_generation: bool


def _a(p: Mapping, name: str) -> np.ndarray:
    return np.asarray(p[name], float)


def _maltreatment_rr(p: Mapping) -> dict[str, np.ndarray]:
    return {o: _a(p, f"lifecourse.{o}.rr_maltreatment") for o in EVENT_OUTCOMES}


def _care_rr(p: Mapping) -> dict[str, np.ndarray]:
    crude = _a(p, "lifecourse.social_assistance.rr_care_crude")
    return {
        "social_assistance": 1.0 + _a(p, "lifecourse.attenuation") * (crude - 1.0),
        "mental_health": _a(p, "lifecourse.mental_health.rr_care"),
        "crime": _a(p, "lifecourse.crime.rr_care"),
    }


def _institution_rr(p: Mapping) -> dict[str, np.ndarray]:
    return {
        "social_assistance": np.asarray(1.0),
        "mental_health": _a(p, "lifecourse.mental_health.rr_institution"),
        "crime": _a(p, "lifecourse.crime.rr_institution"),
    }


def profile(p: Mapping, level: str) -> Profile:
    """The multipliers of ``level`` (one of :data:`LEVELS`) from parameter values ``p``."""
    depth = LEVELS.index(level)
    one = np.asarray(1.0)
    if depth == 0:
        return Profile(one, one, dict.fromkeys(EVENT_OUTCOMES, one), False)
    share = _a(p, "lifecourse.background_causal_share")
    earnings = 1.0 - share * (1.0 - _a(p, "lifecourse.earnings_ratio.background"))
    background = 1.0 + share * (_a(p, "lifecourse.background_rr") - 1.0)
    mortality = background
    events = dict.fromkeys(EVENT_OUTCOMES, background)
    if depth >= 2:
        malt_e = _a(p, "lifecourse.earnings_ratio.maltreatment")
        malt_m = _a(p, "lifecourse.mortality_hr.maltreatment")
        malt_rr = _maltreatment_rr(p)
        if depth >= 3:  # care estimates contain the maltreatment behind placements
            malt_e = np.minimum(malt_e, _a(p, "lifecourse.earnings_ratio.care"))
            malt_m = np.maximum(malt_m, _a(p, "lifecourse.mortality_hr.care"))
            care_rr = _care_rr(p)
            malt_rr = {o: np.maximum(malt_rr[o], care_rr[o]) for o in EVENT_OUTCOMES}
        earnings = earnings * malt_e
        mortality = mortality * malt_m
        events = {o: events[o] * malt_rr[o] for o in EVENT_OUTCOMES}
    if depth >= 4:
        inst = _institution_rr(p)
        events = {o: events[o] * inst[o] for o in EVENT_OUTCOMES}
    return Profile(earnings, mortality, events, depth >= 3)


def survival(
    p: Mapping, hazard_ratio: np.ndarray, adult_ages: np.ndarray = ADULT_AGES
) -> np.ndarray:
    """Share alive at the start of each adult year, shape ``(..., len(ADULT_AGES))``.

    Deaths at the base rate ``lifecourse.mortality`` times ``hazard_ratio`` during ages
    18-39; none are added after (both groups' later mortality is left out).
    """
    q = np.clip(_a(p, "lifecourse.mortality") * np.asarray(hazard_ratio, float), 0.0, 1.0)
    years_at_risk = np.minimum(adult_ages, EXCESS_MORTALITY_END) - adult_ages[0]
    return (1.0 - q[..., None]) ** years_at_risk


def _earnings_split(p: Mapping, gross: np.ndarray) -> np.ndarray:
    """Lost gross earnings -> (participants, taxpayers) losses, trailing axis of 2."""
    tax = _a(p, "lifecourse.tax_share")[..., None]
    employer = _a(p, "lifecourse.employer_contribution")[..., None]
    return np.stack([gross * (1.0 - tax), gross * (tax + employer)], axis=-1)


def _next_generation(p: Mapping, age: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Present value at ``age`` of the next generation's extra care costs (taxpayers), EUR."""
    years_in_care = 1.0 / (_a(p, "reunification_rate") + _a(p, "care_leaving_rate"))
    placement_cost = 12.0 * _a(p, "cost.family_care") * years_in_care
    expected = (
        _a(p, "births_per_new_family")
        * _a(p, "lifecourse.next_generation.base")
        * (_a(p, "lifecourse.next_generation.hr") - 1.0)
        * placement_cost
    )
    when = _a(p, "lifecourse.next_generation.parent_age") + _a(p, "lifecourse.age.placement")
    return _a(p, "lifecourse.next_generation.enabled") * expected * (1.0 + rate) ** (age - when)


def lifetime_cost(p: Mapping, level: str, age, adult_ages: np.ndarray = ADULT_AGES) -> np.ndarray:
    """Present value at ``age`` of the adult costs of ``level`` over a child with no exposure.

    Parameters
    ----------
    p : mapping
        Parameter values (the registry's ``lifecourse.*`` names, ``deadweight_cost_of_taxation``
        and, for the next generation, ``cost.family_care``, ``reunification_rate``,
        ``care_leaving_rate`` and ``births_per_new_family``): scalars or arrays of length K.
    level : str
        One of :data:`LEVELS`.
    age : float or ndarray
        Age of the child at the exposure, years (broadcasts with the parameters).
    adult_ages : ndarray, optional
        The adult years counted (default 18-64), consecutive ages.

    Returns
    -------
    ndarray, shape ``(..., len(OUTCOMES), len(PAYERS))``
        EUR at the parameters' prices (2024). Positive = a cost of the exposure (a loss to the
        payer); the ``indirect`` column is the deadweight cost of the taxpayers' part.
    """
    prof, base = profile(p, level), profile(p, "none")
    age = np.asarray(age, float)
    shape = batch_shape(p, age)
    rate = np.broadcast_to(_a(p, "lifecourse.discount_rate"), shape)
    age = np.broadcast_to(age, shape)
    years = adult_ages - age[..., None]  # years from the exposure to each adult year
    discount = (1.0 + rate[..., None]) ** -years
    growth = (1.0 + _a(p, "lifecourse.earnings_growth")[..., None]) ** years
    earned = (_a(p, "lifecourse.employment_rate") * _a(p, "lifecourse.gross_earnings"))[
        ..., None
    ] * growth
    alive = survival(p, prof.mortality, adult_ages)
    alive_base = survival(p, base.mortality, adult_ages)
    out = np.zeros((*shape, len(OUTCOMES), len(PAYERS)))
    lost = {
        "earnings": alive * (1.0 - prof.earnings[..., None]) * earned,
        "early_death": (alive_base - alive) * earned,
    }
    for name, gross in lost.items():
        out[..., OUTCOMES.index(name), : TAXPAYERS + 1] = _earnings_split(p, gross * discount).sum(
            axis=-2
        )
    for name in EVENT_OUTCOMES:
        extra = _a(p, f"lifecourse.{name}.base")[..., None] * (
            alive * prof.events[name][..., None] - alive_base
        )
        out[..., OUTCOMES.index(name), :] = _event_payers(p, name, (extra * discount).sum(-1))
    if prof.next_generation:
        out[..., OUTCOMES.index("next_generation"), TAXPAYERS] = _next_generation(p, age, rate)
    out[..., INDIRECT] = _a(p, "deadweight_cost_of_taxation")[..., None] * out[..., TAXPAYERS]
    return out


def batch_shape(p: Mapping, age: np.ndarray) -> tuple[int, ...]:
    """The broadcast shape of every array-valued parameter and the ages."""
    return np.broadcast_shapes(*(np.shape(v) for v in p.values()), np.shape(age))


def _event_payers(p: Mapping, name: str, events: np.ndarray) -> np.ndarray:
    """Discounted extra events -> EUR by payer, shape ``(..., len(PAYERS))`` (indirect 0)."""
    out = np.zeros((*np.shape(events), len(PAYERS)))
    if name == "social_assistance":  # a transfer: taxpayers pay what participants receive
        paid = events * _a(p, "lifecourse.social_assistance.amount")
        out[..., TAXPAYERS], out[..., PARTICIPANTS] = paid, -paid
    elif name == "mental_health":
        out[..., TAXPAYERS] = events * _a(p, "lifecourse.mental_health.cost")
    else:
        prison = events * _a(p, "lifecourse.crime.prison_cost")
        out[..., TAXPAYERS] = prison
        out[..., OTHERS] = prison * _a(p, "lifecourse.crime.victim_ratio")
    return out


def exposure_value(p: Mapping, exposure: str, age=None) -> np.ndarray:
    """Lifetime cost of one unit of ``exposure`` (one of :data:`EXPOSURE_NAMES`).

    The cost of its level minus the level below (see the module docstring), per child-year
    for ``risk_year`` and ``institution_year``, per episode or placement (times the share
    that are a child's first) for ``maltreatment`` and ``placement``.

    Parameters
    ----------
    p : mapping
        Parameter values (see :func:`lifetime_cost`).
    exposure : str
        The exposure.
    age : float or ndarray, optional
        Age of the child at the exposure (default: its mean-age parameter).

    Returns
    -------
    ndarray, shape ``(..., len(OUTCOMES), len(PAYERS))``
        EUR at 2024 prices, discounted to the exposure.
    """
    spec = EXPOSURES[EXPOSURE_NAMES.index(exposure)]
    age = p[spec.age] if age is None else age
    depth = LEVELS.index(spec.level)
    step = lifetime_cost(p, spec.level, age) - lifetime_cost(p, LEVELS[depth - 1], age)
    per_unit = {
        "risk_year": 1.0 / _a(p, "lifecourse.years_in_difficulty"),
        "maltreatment": _a(p, "lifecourse.first_share.maltreatment"),
        "placement": _a(p, "lifecourse.first_share.placement"),
        "institution_year": 1.0 / _a(p, "lifecourse.years_in_institution"),
    }[exposure]
    return step * np.asarray(per_unit)[..., None, None]


def unit_values(p: Mapping) -> np.ndarray:
    """Every exposure's lifetime cost at its mean age.

    Shape ``(..., len(EXPOSURES), len(OUTCOMES), len(PAYERS))``, EUR (see :func:`exposure_value`).
    """
    return np.stack([exposure_value(p, e.name) for e in EXPOSURES], axis=-3)
