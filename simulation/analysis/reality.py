"""Reality checks: published behaviours the model must be able to show (issue 21, item 4).

Each check builds a few variants of a scenario (by default the shipped baseline), runs them
on the system-dynamics engine and returns a :class:`CheckResult`: whether the behaviour
shows, the numbers it rests on, and the published source (or "a property of the model").
A behaviour the model has no mechanism for is reported as not representable, with what
would be needed, never faked.

The checks set test conditions (twice the referrals, a service that can take half of its
families...): they are experiments on the model, not claims about Lithuania. Tolerances that
say "barely" are assumptions, named in :data:`BARELY` and in ``docs/reality_checks.md``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from simulation.analysis.reality_beds import (
    BED_SUPPLY,
    WAITING_YEARS,
    capacity_adjustment,
)
from simulation.analysis.reality_runs import (
    FAIL,
    NOT_REPRESENTABLE,  # noqa: F401 (re-exported: the statuses of every check)
    PASS,
    POLICY_YEAR,
    PREVENTIVE,
    PREVENTIVE_BUDGETS,
    PROPERTY,
    ROUNDING,
    SERVICE,
    CheckResult,
    between,
    budget_for,
    capacity_of,
    final_effects,
    label,
    national,
    neutral_effects,
    placements,
    preventive_funding,
    programme_index,
    relative_gap,
    run_sd,
    served_share,
    target_families,
    target_years,
    unit_costs,
    with_changes,
    without_spending,
)
from simulation.model import services as sv
from simulation.model.catalogue import REGISTRY
from simulation.model.flows import EFFECT_SOURCE, EFFECTS
from simulation.model.states import State
from simulation.model.vocabulary import START_YEAR
from simulation.workflow.scenarios import Scenario

FOWLER = (
    "Fowler PJ, Marcal KE, Chung S, Brown DS, Jonson-Reid M, Hovmand PS (2020). Scaling up "
    "housing services within the child welfare system: policy insights from simulation "
    "modeling. Child Maltreatment 25(1): 51-60, doi:10.1177/1077559519846431"
)
#: Test condition: referrals (the detection hazard, vulnerable -> early support) doubled.
REFERRAL_FACTOR = 2.0
#: Test condition: the service's places, at the caseload ceiling, hold this share of its
#: target families at the start of the policy (a service that cannot take everyone).
CONSTRAINED_SHARE = 0.5
#: Assumption: "barely moves" = the referrals alone add less than this share of the
#: placements avoided that capacity following the referrals adds.
BARELY = 0.25
#: Last year a scenario's horizon must reach for the checks (``[run] end_year``).
MIN_END_YEAR = POLICY_YEAR + WAITING_YEARS - 1


def rivals(programme: str) -> tuple[str, ...]:
    """Own-budget levers of the programmes serving ``programme``'s families (its group)."""
    j = programme_index(programme)
    group = np.flatnonzero(sv.SAME_GROUP[j])
    return tuple(f"budget.{sv.PROGRAMME_NAMES[i]}" for i in group if i != j)


def fowler_setting(scenario: Scenario) -> Scenario:
    """The Fowler check's setting: national, the service's :func:`rivals` unfunded from 2027."""
    return with_changes(national(scenario), POLICY_YEAR, dict.fromkeys(rivals(SERVICE), 0.0))


# ---- 1. Fowler et al.: capacity, not referrals, cuts separations ------------------------------
def fowler_capacity(scenario: Scenario) -> CheckResult:
    """More referrals to a capacity-constrained service avoid no more placements; capacity does.

    Source: Fowler et al. (2020), Child Maltreatment 25(1): 51-60 (system dynamics of the
    Family Unification Program): scaling a capacity-constrained service does not cut
    system-wide separations unless time to service falls.

    Home visiting is funded from :data:`POLICY_YEAR` with places for
    :data:`CONSTRAINED_SHARE` of the families in early support. In a world with
    :data:`REFERRAL_FACTOR` times the referrals (detection), the placements it avoids are
    compared with those it avoids at today's referrals, with its budget fixed and with its
    budget grown with the families referred (so that the served share, the model's time to
    service, holds). Placements avoided by the service are taken against the same world
    without it, so that what referrals do by themselves cancels out. Other programmes that
    serve the same families lose their own budgets from :data:`POLICY_YEAR` (:func:`rivals`):
    the service would otherwise crowd them out, and its effect would be theirs too.
    """
    sc = fowler_setting(scenario)
    detection = REGISTRY.resolve(sc.params)["detection_rate"]
    batch = {"detection_rate": np.array([detection, detection * REFERRAL_FACTOR])}
    key = f"budget.{SERVICE}"
    without = run_sd(with_changes(sc, POLICY_YEAR, {key: 0.0}), batch)
    eligible = target_families(without, SERVICE, POLICY_YEAR)[0]
    budget = budget_for(CONSTRAINED_SHARE * eligible, SERVICE, sc.params)
    fixed = run_sd(with_changes(sc, POLICY_YEAR, {key: budget}), batch)
    j = programme_index(SERVICE)
    years = target_years(without, SERVICE, POLICY_YEAR)
    growth = float(years[1] / years[0])
    grown = run_sd(with_changes(sc, POLICY_YEAR, {key: budget * growth}), batch)
    base_placed = placements(without, POLICY_YEAR)
    avoided_today = float(base_placed[0] - placements(fixed, POLICY_YEAR)[0])
    avoided_fixed = float(base_placed[1] - placements(fixed, POLICY_YEAR)[1])
    avoided_grown = float(base_placed[1] - placements(grown, POLICY_YEAR)[1])
    share = [served_share(r, j, POLICY_YEAR) for r in (fixed, grown)]
    share_today, share_fixed, share_grown = share[0][0], share[0][1], share[1][1]
    gain_fixed = avoided_fixed - avoided_today
    gain_grown = avoided_grown - avoided_today
    ok = gain_grown > 0 and gain_fixed < BARELY * gain_grown  # fewer is consistent too
    numbers = {
        "budget_million_eur": budget,
        "referred_family_years_ratio": growth,
        "avoided_today": avoided_today,
        "avoided_more_referrals_same_capacity": avoided_fixed,
        "avoided_more_referrals_more_capacity": avoided_grown,
        "served_share_today": share_today,
        "served_share_same_capacity": share_fixed,
        "served_share_more_capacity": share_grown,
        "placements_without_service_today": float(base_placed[0]),
        "placements_without_service_more_referrals": float(base_placed[1]),
    }
    summary = (
        f"placements avoided {POLICY_YEAR}-{sc.run.end_year}: {avoided_today:.1f} today; "
        f"x{REFERRAL_FACTOR:g} referrals, same capacity {avoided_fixed:.1f} (served share "
        f"{share_today:.2f} -> {share_fixed:.2f}); capacity x{growth:.2f} {avoided_grown:.1f} "
        f"(served share {share_grown:.2f})"
    )
    return CheckResult(
        "fowler_capacity",
        "More referrals to a capacity-constrained prevention service avoid barely more "
        "placements; more capacity (families served sooner) avoids more.",
        FOWLER,
        PASS if ok else FAIL,
        numbers,
        summary,
    )


# ---- 3. No prevention spending, no prevention effect ------------------------------------------
#: Effects on the states prevention serves (wellbeing, vulnerable, early support).
PREVENTIVE_EFFECTS = tuple(
    i
    for i, e in enumerate(EFFECTS)
    if EFFECT_SOURCE[e] in (State.WELLBEING, State.VULNERABLE, State.EARLY_SUPPORT)
)


def no_prevention_spending(scenario: Scenario) -> CheckResult:
    """Zero preventive budgets give the states of a run without preventive programmes.

    Source: a property of the model. Every preventive programme is funded from
    :data:`POLICY_YEAR` with places for :data:`CONSTRAINED_SHARE` of its target families (so
    that prevention has an effect to lose); then (a) every preventive budget (the line's and
    each programme's own) is set to 0 in every year, and (b) the budgets are kept but every
    preventive effect is set to a hazard multiplier of 1. Families by state in every month
    must agree to rounding, preventive places and spending must be zero, and the services'
    multipliers on the preventive transitions exactly 1.
    """
    sc = national(scenario)
    start = run_sd(sc)
    funding = preventive_funding(start, sc.params, CONSTRAINED_SHARE)
    funded = with_changes(sc, POLICY_YEAR, funding)
    zero = without_spending(funded, PREVENTIVE_BUDGETS)
    runs = [run_sd(s, every=1) for s in (funded, zero, neutral_effects(funded, PREVENTIVE))]
    stocks = [r.saved["stocks"] for r in runs]
    gap = relative_gap(stocks[2], stocks[1])
    idx = [programme_index(p) for p in PREVENTIVE]
    places_zero = float(np.abs(capacity_of(runs[1])[..., idx, :]).max())
    served_zero = float(runs[1].saved["served_years"][..., idx].max())
    effects = final_effects(zero)[list(PREVENTIVE_EFFECTS)]
    effect_of_prevention = float(
        placements(runs[1], POLICY_YEAR)[0] - placements(runs[0], POLICY_YEAR)[0]
    )
    ok = gap <= ROUNDING and places_zero == 0.0 and served_zero == 0.0 and np.all(effects == 1.0)
    return CheckResult(
        "no_prevention_spending",
        "No prevention spending gives no prevention effect: the states of a run without "
        "preventive programmes, multipliers exactly 1.",
        PROPERTY,
        PASS if ok else FAIL,
        {
            "relative_state_gap": gap,
            "preventive_capacity_eur_max": places_zero,
            "preventive_family_years_served": served_zero,
            "preventive_multiplier_min": float(effects.min()),
            "preventive_multiplier_max": float(effects.max()),
            "placements_avoided_by_funded_prevention": effect_of_prevention,
        },
        f"zero budgets vs no programmes: states differ by {gap:.1e} (relative), preventive "
        f"capacity {places_zero:g} EUR, multipliers {effects.min():g}-{effects.max():g}; "
        f"the funded programmes avoid {effect_of_prevention:.1f} placements",
    )


# ---- 4. Twice the unit costs, half the places -------------------------------------------------
def doubled_costs(scenario: Scenario) -> CheckResult:
    """Twice every unit cost: a fixed budget buys half the places, half the families.

    Source: a property of the model. The scenario runs with every unit cost
    (:func:`unit_costs`) at its value and at twice it, budgets unchanged. The capacity (the
    money at work) must be the same and the places it pays for half in every year; the
    family-years served must halve for every funded programme whose places are full in both
    runs (a programme with places to spare serves whoever is there either way).
    """
    sc = national(scenario)
    p = REGISTRY.resolve(sc.params)
    names = unit_costs()
    batch = {n: np.array([p[n], 2.0 * p[n]]) for n in names}
    result = run_sd(sc, batch, every=1)
    capacity = capacity_of(result)  # (T, K, N_PROG, P)
    costs = sv.programme_costs({**p, **batch})  # (K, N_PROG, P)
    places = sv.places(capacity, costs[None])  # (T, K, N_PROG)
    funded = places[:, 0].max(axis=0) > 0
    capacity_gap = relative_gap(capacity[:, 0], capacity[:, 1])
    paid = places[:, 0] > 0  # months in which a programme has places (mobile teams: 2018-)
    ratio = places[:, 1][paid] / places[:, 0][paid]
    served = np.diff(result.saved["served_years"].sum(axis=2), axis=0)  # (months, K, N_PROG)
    most = places[:-1] * p["max_caseload_ratio"] / 12.0  # families a month's places hold
    full = np.all(served >= most * (1.0 - 1e-6), axis=(0, 1)) & funded
    served_ratio = served[:, 1, full].sum(axis=0) / served[:, 0, full].sum(axis=0)
    ok = (
        capacity_gap <= ROUNDING
        and bool(funded.any())
        and np.allclose(ratio, 0.5, rtol=ROUNDING, atol=0.0)
        and np.allclose(served_ratio, 0.5, rtol=1e-6, atol=0.0)
    )
    full_names = [sv.PROGRAMME_NAMES[i] for i in np.flatnonzero(full)]
    numbers = {
        "unit_costs_doubled": float(len(names)),
        "capacity_relative_gap": capacity_gap,
        "places_ratio_min": float(ratio.min()),
        "places_ratio_max": float(ratio.max()),
        **{f"served_ratio.{n}": float(r) for n, r in zip(full_names, served_ratio, strict=True)},
    }
    served_text = ", ".join(
        f"{label(n).lower()} {r:.4f}" for n, r in zip(full_names, served_ratio, strict=True)
    )
    return CheckResult(
        "doubled_unit_costs",
        "Doubling every unit cost halves what a budget buys (places, and families served "
        "where places are full).",
        PROPERTY,
        PASS if ok else FAIL,
        numbers,
        f"{len(names)} unit costs x2: places x{ratio.min():.6f}-{ratio.max():.6f} for "
        f"{int(funded.sum())} funded programmes; family-years served x "
        f"({served_text or 'none full'})",
    )


# ---- the agent-based engine at small scale: the exact parts of checks 3 and 4 ----------------
#: Share of families the agent-based checks simulate (a few seconds a run).
ABM_SCALE = 0.01


def abm_checks(scenario: Scenario, scale: float = ABM_SCALE, seed: int = 1) -> list[CheckResult]:
    """Checks 3 and 4 on the agent-based engine at ``scale``, one seed (properties of the model).

    Three runs with the same seed: the scenario, every unit cost doubled, every preventive
    budget at zero. Zero budgets must leave no preventive capacity, no family served and
    no preventive spending; doubled costs must leave the capacity as it is (half the places).
    Families served are reported, not judged: at small scales a municipality's places are a
    fraction of one family, so they halve only as the scale grows (``docs/abm.md``, "Small
    scales").
    """
    from simulation.workflow.runner import simulate_scenario, with_overrides

    sc = national(scenario)
    p = REGISTRY.resolve(sc.params)
    variants = (
        sc,
        sc.with_values({n: 2.0 * p[n] for n in unit_costs()}),
        without_spending(sc, PREVENTIVE_BUDGETS),
    )
    runs = [
        simulate_scenario(with_overrides(v, engine="abm", scale=scale, seed=seed)) for v in variants
    ]
    idx = [programme_index(q) for q in PREVENTIVE]
    zero = runs[2]
    leftovers = {
        "preventive_capacity_eur_max": float(np.abs(capacity_of(zero)[..., idx, :]).max()),
        "preventive_family_years_served": float(zero.saved["served_years"][..., idx].max()),
        "preventive_spending_eur": float(zero.saved["costs"][..., : sv.N_PROVIDERS].max()),
    }
    gap = relative_gap(capacity_of(runs[0]), capacity_of(runs[1]))
    served = [between(r, "served_years", START_YEAR)[0] for r in runs[:2]]
    used = served[0] > 0
    ratios = {
        f"served_ratio.{sv.PROGRAMME_NAMES[i]}": float(served[1][i] / served[0][i])
        for i in np.flatnonzero(used)
    }
    where = f"agent-based engine, {scale:g} of families, seed {seed}"
    return [
        CheckResult(
            "abm_no_prevention_spending",
            "No prevention spending: no preventive places, families served or spending.",
            PROPERTY,
            PASS if not any(leftovers.values()) else FAIL,
            leftovers,
            f"{where}: zero preventive budgets leave capacity, family-years served and "
            f"spending at {max(leftovers.values()):g}",
        ),
        CheckResult(
            "abm_doubled_unit_costs",
            "Doubling every unit cost leaves the money at work as it is: half the places.",
            PROPERTY,
            PASS if gap <= ROUNDING else FAIL,
            {"capacity_relative_gap": gap, **ratios},
            f"{where}: capacity differs by {gap:.1e} (relative), so places halve; "
            "family-years served x "
            + ", ".join(f"{label(k[13:]).lower()} {v:.2f}" for k, v in ratios.items()),
        ),
    ]


# ---- all checks ---------------------------------------------------------------------------------
#: The checks in the order the command prints them.
CHECKS: tuple[Callable[[Scenario], CheckResult | tuple[CheckResult, ...]], ...] = (
    fowler_capacity,
    capacity_adjustment,
    no_prevention_spending,
    doubled_costs,
)


def run_checks(
    scenario: Scenario, progress: Callable[[int], None] = lambda _: None
) -> list[CheckResult]:
    """Every reality check on ``scenario``, in :data:`CHECKS` order."""
    out: list[CheckResult] = []
    for check in CHECKS:
        found = check(scenario)
        out.extend(found if isinstance(found, tuple) else (found,))
        progress(1)
    return out


#: Short citations for one line of output.
CITATIONS = {
    FOWLER: "Fowler et al. 2020, Child Maltreatment 25(1): 51-60",
    BED_SUPPLY: "residential bed-supply model, SSWR 2011 paper 14742",
    PROPERTY: PROPERTY,
}


def citation(source: str) -> str:
    """The short citation of a source (the source itself when it has none)."""
    return CITATIONS.get(source, source)
