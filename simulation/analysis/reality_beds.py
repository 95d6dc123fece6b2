"""The residential bed-supply reality checks (:mod:`simulation.analysis.reality`, check 2).

Source: an agent-based model of residential care in which bed supply follows use by linear
partial adjustment (SSWR 2011, paper 14742): "slow response times produce large waiting
lists whereas fast response times lead to surplus capacity, which drives placements up".

- ``bed_supply_waiting``: the supply that adjusts with a delay is service capacity
  (``capacity_delay``); slow adjustment leaves a longer waiting list.
- ``bed_supply_surplus``: institutional care places follow use with the delay
  ``bed_adjustment_time`` (:mod:`simulation.model.bed_supply`) and free places draw
  placements into institutions with the elasticity ``bed_supply_elasticity``. The elasticity
  is an assumption (no published source quantifies it) and is 0 by default (the mechanism
  off); the check sets it to the top of its range.
"""

from __future__ import annotations

import numpy as np

from simulation.analysis.reality_runs import (
    FAIL,
    PASS,
    POLICY_YEAR,
    ROUNDING,
    SERVICE,
    CheckResult,
    between,
    budget_for,
    label,
    national,
    placements,
    preventive_funding,
    programme_index,
    relative_gap,
    run_sd,
    target_families,
    with_changes,
    without_spending,
)
from simulation.engines.results import EngineResult
from simulation.model import services as sv
from simulation.model.catalogue import REGISTRY
from simulation.model.states import State
from simulation.workflow.scenarios import Scenario

BED_SUPPLY = (
    "Agent-based model of residential care utilisation (bed supply by linear partial "
    "adjustment), symposium 'The Hidden Hand' (organiser A. E. Zinn), Society for Social "
    "Work and Research 15th Annual Conference, Tampa, January 2011, paper 14742 "
    "(sswr.confex.com/sswr/2011/webprogram/Paper14742.html)"
)
#: Years over which a waiting list builds after a budget rise (the check of slow capacity).
WAITING_YEARS = 3
#: What the surplus check's verdict rests on besides its source.
SURPLUS_NOTE = (
    "bed_supply_elasticity is an assumption: no published source quantifies how far free "
    "places draw placements (the bed-supply model and Wulczyn's studies of congregate care "
    "describe the effect without an elasticity). By default it is 0 and the mechanism is off; "
    "this check sets it to the top of its range. Test condition: no closures of places "
    "(institution_closure_rate 0 in every year), which would otherwise hold the places below "
    "use. Institutional placements beyond the places are not refused in the system-dynamics "
    "engine: no child waits for a place there."
)


def _waiting(result: EngineResult, j: int, start: int, years: int) -> np.ndarray:
    """Family-years in programme ``j``'s target state neither served nor graduated, ``(K,)``.

    Over ``years`` from January ``start``: the waiting list the model has (monthly saves;
    graduates summed month by month).
    """
    state = sv.PROGRAMME_TARGET[j]
    eligible = between(result, "stock_years", start, start + years)[:, state]
    served = between(result, "served_years", start, start + years)[:, j]
    t = result.times
    months = (t >= start - 1e-9) & (t < start + years - 1e-9)
    graduated = result.saved["graduates"][months][..., j].sum(axis=(0, 2)) / 12.0
    return eligible - served - graduated


def capacity_adjustment(scenario: Scenario) -> tuple[CheckResult, CheckResult]:
    """Slow capacity adjustment builds waiting lists; surplus places draw placements up.

    Source: the residential-care bed-supply model (SSWR 2011, paper 14742).

    The waiting half: service capacity follows the budget with a first-order delay
    ``capacity_delay``. Home visiting is funded from :data:`POLICY_YEAR` with places for
    every family in early support; the waiting list (families in early support neither
    served nor graduated) over :data:`WAITING_YEARS` years is compared at the two ends of
    the registry's range of ``capacity_delay``. The surplus half: :func:`surplus_places`.
    """
    sc = national(scenario)
    j = programme_index(SERVICE)
    low, high = REGISTRY["capacity_delay"].range
    key = f"budget.{SERVICE}"
    without = run_sd(with_changes(sc, POLICY_YEAR, {key: 0.0}))
    need = budget_for(target_families(without, SERVICE, POLICY_YEAR)[0], SERVICE, sc.params)
    batch = {"capacity_delay": np.array([low, high])}
    met = run_sd(with_changes(sc, POLICY_YEAR, {key: need}), batch, every=1)
    fast, slow = _waiting(met, j, POLICY_YEAR, WAITING_YEARS)
    waiting = CheckResult(
        "bed_supply_waiting",
        "Slow adjustment of capacity to a budget that meets need leaves a longer waiting "
        "list than fast adjustment.",
        BED_SUPPLY,
        PASS if slow > fast else FAIL,
        {
            "budget_million_eur": need,
            "capacity_delay_fast_yr": low,
            "capacity_delay_slow_yr": high,
            "waiting_family_years_fast": float(fast),
            "waiting_family_years_slow": float(slow),
        },
        f"families waiting for {label(SERVICE).lower()} in "
        f"{POLICY_YEAR}-{POLICY_YEAR + WAITING_YEARS - 1}: "
        f"{fast:.0f} family-years at a {low:g}-year capacity delay, {slow:.0f} at {high:g} years",
    )
    return waiting, surplus_places(scenario)


def free_places(result: EngineResult, params: dict, start: int) -> np.ndarray:
    """Free institutional care places (children), mean of the Januaries from ``start``, ``(K,)``."""
    rows = result.times >= start - 1e-9
    children = np.asarray(REGISTRY.resolve(params)["children_per_risk_family"], float)
    inside = result.saved["stocks"][rows][..., State.INSTITUTIONAL_CARE].sum(axis=2) * children
    places = result.saved["places"][rows][..., 0].sum(axis=2)
    return np.maximum(places - inside, 0.0).mean(axis=0)


def surplus_places(scenario: Scenario) -> CheckResult:
    """Places that follow use slowly keep a surplus, and free places draw placements up.

    Source: the residential-care bed-supply model (SSWR 2011, paper 14742); Wulczyn
    (APPAM 2019, SSWR 2020) on supply-induced demand for congregate care.

    Every preventive programme gets places for every family of its target state from
    :data:`POLICY_YEAR` (prevention lowers crises, and so the children in institutions).
    Places follow use fast and slowly (the ends of the range of ``bed_adjustment_time``), at
    the top of the range of ``bed_supply_elasticity`` (an assumption) and at 0 (the default,
    the control: fast and slow must give the same placements). Passes if, at the top, the
    slow places keep more free places and draw more placements, and the control holds to
    rounding. The placements prevention avoids (against the same world without it) are
    reported, not judged: the surplus also multiplies the placements each prevented crisis
    would have caused, so the slow places need not avoid fewer.
    """
    sc = without_spending(national(scenario), ("institution_closure_rate",))
    fast, slow = REGISTRY["bed_adjustment_time"].range
    top = REGISTRY["bed_supply_elasticity"].range[1]
    batch = {
        "bed_supply_elasticity": np.array([0.0, 0.0, top, top]),
        "bed_adjustment_time": np.array([fast, slow, fast, slow]),
    }
    without = run_sd(sc, batch)
    funding = preventive_funding(without, sc.params)
    funded = run_sd(with_changes(sc, POLICY_YEAR, funding), batch)
    placed = placements(funded, POLICY_YEAR)
    avoided = placements(without, POLICY_YEAR) - placed
    free = free_places(funded, sc.params, POLICY_YEAR)
    control = relative_gap(placed[:1], placed[1:2]) <= ROUNDING
    ok = control and free[3] > free[2] and placed[3] > placed[2]
    end = sc.run.end_year
    numbers = {
        "bed_adjustment_time_fast_yr": fast,
        "bed_adjustment_time_slow_yr": slow,
        "bed_supply_elasticity_tested": top,
        "prevention_million_eur": float(sum(funding.values())),
        "avoided_elasticity_0_fast": float(avoided[0]),
        "avoided_elasticity_0_slow": float(avoided[1]),
        "avoided_fast": float(avoided[2]),
        "avoided_slow": float(avoided[3]),
        "placements_with_prevention_elasticity_0": float(placed[0]),
        "placements_with_prevention_fast": float(placed[2]),
        "placements_with_prevention_slow": float(placed[3]),
        "free_places_fast": float(free[2]),
        "free_places_slow": float(free[3]),
    }
    summary = (
        f"with prevention from {POLICY_YEAR}, places following use in {fast:g} and {slow:g} "
        f"years leave {free[2]:.0f} and {free[3]:.0f} free places (children, mean of the "
        f"Januaries); at an assumed elasticity of {top:g} placements {POLICY_YEAR}-{end} are "
        f"{placed[2]:,.1f} and {placed[3]:,.1f} ({placed[0]:,.1f} both at 0, the default); "
        f"prevention avoids {avoided[2]:.1f} and {avoided[3]:.1f} ({avoided[0]:.1f} at 0)"
    )
    return CheckResult(
        "bed_supply_surplus",
        "Places that follow use slowly keep a surplus when prevention lowers use, and the "
        "free places draw placements up (at an assumed elasticity).",
        BED_SUPPLY,
        PASS if ok else FAIL,
        numbers,
        summary,
        SURPLUS_NOTE,
    )
