"""The Fowler reality check over the uncertainty draws the rest of the tool uses.

:func:`simulation.analysis.reality.fowler_capacity` runs at the central parameter values; here
the same experiment runs for every history-matched draw (:func:`monte_carlo.plausible_draws`,
the draws of ``prevsim brief`` and ``prevsim ensemble``) in three batched SD integrations.

A schedule change sets one value for every set of a batch, so the service's budget from 2027
is the same in every draw; what differs by draw is the number of families it must hold. Each
draw's places are set instead through the cost of a place (``programme.<service>.cost``),
which only turns money into places: at the common budget, a draw's cost is the one at which
the places hold :data:`~simulation.analysis.reality.CONSTRAINED_SHARE` of its families (and
the grown places, its families x the growth of its referred families).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulation.analysis import reality as rc
from simulation.analysis.monte_carlo import plausible_draws
from simulation.analysis.reality_runs import (
    placements,
    run_sd,
    target_families,
    target_years,
    with_changes,
)
from simulation.model.catalogue import REGISTRY
from simulation.workflow.scenarios import Scenario

#: Million EUR a year the service gets from 2027 in every draw (places follow from the cost).
COMMON_BUDGET = 1.0


def fowler_over_draws(
    scenario: Scenario, samples: int = 100, seed: int = 0, targets: Path | None = None
) -> rc.CheckResult:
    """:func:`~simulation.analysis.reality.fowler_capacity` for every plausible draw.

    Source: Fowler et al. (2020), Child Maltreatment 25(1): 51-60. Passes if the check's
    criterion holds in every draw; the numbers give the share of draws where it holds (with
    its binomial standard error) and the spread of the placements avoided.
    """
    sc = rc.fowler_setting(scenario)
    table = plausible_draws(scenario, [], samples, seed, targets).table
    k = len(table)
    p = REGISTRY.resolve({**sc.params, **{n: table[n].to_numpy(float) for n in table}})
    # each draw twice: today's referrals, then REFERRAL_FACTOR times them
    batch = {n: np.tile(np.asarray(p[n], float), 2) for n in table}
    batch["detection_rate"] = np.concatenate(
        [p["detection_rate"], rc.REFERRAL_FACTOR * p["detection_rate"]]
    )
    key, cost = f"budget.{rc.SERVICE}", f"programme.{rc.SERVICE}.cost"
    without = run_sd(with_changes(sc, rc.POLICY_YEAR, {key: 0.0}), batch)
    years = target_years(without, rc.SERVICE, rc.POLICY_YEAR)
    growth = years[k:] / years[:k]
    eligible = target_families(without, rc.SERVICE, rc.POLICY_YEAR)[:k]
    ceiling = np.tile(np.asarray(p["max_caseload_ratio"], float), 2)
    place_cost = COMMON_BUDGET * 1e6 * ceiling / np.tile(rc.CONSTRAINED_SHARE * eligible, 2)
    funded = with_changes(sc, rc.POLICY_YEAR, {key: COMMON_BUDGET})
    fixed = run_sd(funded, {**batch, cost: place_cost})
    grown = run_sd(funded, {**batch, cost: place_cost / np.tile(growth, 2)})
    base = placements(without, rc.POLICY_YEAR)
    today = base[:k] - placements(fixed, rc.POLICY_YEAR)[:k]
    same = base[k:] - placements(fixed, rc.POLICY_YEAR)[k:]
    more = base[k:] - placements(grown, rc.POLICY_YEAR)[k:]
    gain_same, gain_more = same - today, more - today
    ok = (gain_more > 0) & (gain_same < rc.BARELY * gain_more)
    share = float(ok.mean())
    error = float(np.sqrt(share * (1.0 - share) / k))
    relative = gain_same / np.where(gain_more > 0, gain_more, np.nan)
    numbers = {
        "draws": float(k),
        "share_of_draws_passing": share,
        "share_standard_error": error,
        "avoided_today_median": float(np.median(today)),
        "avoided_more_capacity_median": float(np.median(more)),
        "gain_same_capacity_over_gain_more_capacity_median": float(np.nanmedian(relative)),
        "gain_same_capacity_over_gain_more_capacity_max": float(np.nanmax(relative)),
    }
    return rc.CheckResult(
        "fowler_capacity_draws",
        "The Fowler check holds in every plausible draw of the uncertain parameters.",
        rc.FOWLER,
        rc.PASS if ok.all() else rc.FAIL,
        numbers,
        f"{k} history-matched draws: the criterion holds in {share:.0%} (standard error "
        f"{error:.1%}); placements avoided, median {np.median(today):.1f} today, "
        f"{np.median(more):.1f} with capacity grown; the same capacity adds at most "
        f"{np.nanmax(relative):.1%} (median {np.nanmedian(relative):.1%}) of what grown "
        "capacity adds",
    )
