"""The best allocation of a service budget across programmes and providers (issue 21).

Given a national budget from the policy year, the programme library and the calibrated model,
find the programme shares and the NGO share of each funding line that maximise the expected
NPV against the baseline (or a chosen quantile of it, or the placements avoided), over the
history-matched parameter draws the rest of the tool uses. The search is SciPy's differential
evolution, vectorised: a whole population x the search draws is one batched SD integration
(:class:`~simulation.analysis.allocation.AllocationEvaluator`). Today's allocation (the
baseline's split of its money, scaled to the budget), the uniform rule and the scenario's own
allocation seed the population, so the search starts from them. The result is then valued on
every draw (the search uses the first few only, so its gain is measured out of sample too).
The Pareto front of NPV and placements avoided is NSGA-II's (:mod:`simulation.analysis.pareto`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import differential_evolution
from scipy.stats import qmc

from simulation.analysis import allocation as al
from simulation.analysis.evaluation import mean_se
from simulation.model.services import PROGRAMME_NAMES, SERVICES
from simulation.model.vocabulary import START_YEAR
from simulation.workflow.scenarios import Scenario

OBJECTIVES = ("npv", "placements", "pareto")
#: The reference allocations every result is compared with, in report order.
REFERENCES = ("optimal", "today", "uniform", "scenario")
#: Draws valued in one batched integration at most, so memory stays bounded (the default
#: run, whose largest batch is 42 x 32 = 1,344 runs, peaked at 0.7 GB of memory).
CHUNK = 2500


@dataclass(frozen=True)
class Settings:
    """How the search runs (the options of ``prevsim optimise``).

    Attributes
    ----------
    objective : {"npv", "placements", "pareto"}
        Maximise NPV, maximise placements avoided (families) at the budget (differential
        evolution), or both (the Pareto front by NSGA-II, :mod:`simulation.analysis.pareto`;
        the optimal allocation is the front's highest NPV).
    quantile : float or None
        Optimise this quantile of the outcome over the draws instead of its mean.
    search_draws : int
        Draws the search evaluates every candidate on (the first of the reported draws).
    population : int
        Candidates per generation (at least 5).
    generations : int
        Generations at most.
    seed : int
        Seed of the search.
    paid : bool
        Count the money programmes cannot use as spent (a committed budget).
    """

    objective: str = "npv"
    quantile: float | None = None
    search_draws: int = 32
    population: int = 42
    generations: int = 50
    seed: int = 0
    paid: bool = False


@dataclass
class Search:
    """What one search found and everything it evaluated."""

    best: al.Allocation
    evaluated_x: np.ndarray  # (n, N_DECISIONS) decision vectors
    evaluated: dict[str, np.ndarray]  # outcome -> (n,) objective values
    generations: int
    evaluations: int
    converged: bool = False  # the population's spread fell below the tolerance


def objective_outcome(objective: str) -> str:
    """The evaluator's outcome a single objective maximises."""
    return "placements_avoided" if objective == "placements" else "npv"


def initial_population(references: list[al.Allocation], size: int, seed: int) -> np.ndarray:
    """A Latin-hypercube population in the unit box, its first rows the reference allocations."""
    size = max(size, len(references) + 1)
    sobol = qmc.LatinHypercube(d=al.N_DECISIONS, seed=seed).random(size)
    sobol[: len(references)] = [r.vector() for r in references]
    return sobol


def search(
    evaluator: al.AllocationEvaluator,
    outcome: str,
    settings: Settings,
    references: list[al.Allocation],
    progress: Callable[[int], None] = lambda _: None,
) -> Search:
    """Maximise ``outcome`` (its mean, or ``settings.quantile``) over allocations.

    Differential evolution (SciPy) with every generation valued in one batched call.
    """
    seen_x: list[np.ndarray] = []
    seen: dict[str, list[np.ndarray]] = {name: [] for name in al.OUTCOMES}

    def loss(x: np.ndarray) -> np.ndarray:  # x: (N_DECISIONS, candidates)
        allocations = [al.Allocation.from_vector(col) for col in x.T]
        values = evaluator.evaluate(allocations)
        seen_x.append(x.T.copy())
        for name in al.OUTCOMES:
            seen[name].append(al.summarise(values[name], settings.quantile))
        progress(1)
        return -al.summarise(values[outcome], settings.quantile)

    init = initial_population(references, settings.population, settings.seed)
    found = differential_evolution(
        loss,
        bounds=[(0.0, 1.0)] * al.N_DECISIONS,
        init=init,
        maxiter=settings.generations,
        seed=settings.seed,
        vectorized=True,
        updating="deferred",
        polish=False,
        tol=1e-4,
    )
    return Search(
        best=al.Allocation.from_vector(found.x),
        evaluated_x=np.concatenate(seen_x),
        evaluated={k: np.concatenate(v) for k, v in seen.items()},
        generations=int(found.nit),
        evaluations=int(sum(len(x) for x in seen_x)),
        converged=bool(found.success),
    )


def pareto_mask(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Which points are not dominated when both ``a`` and ``b`` are maximised."""
    order = np.lexsort((-b, -a))  # by a descending, then b descending
    mask = np.zeros(len(a), bool)
    best_b = -np.inf
    for i in order:
        if b[i] > best_b:
            mask[i] = True
            best_b = b[i]
    return mask


def allocation_row(allocation: al.Allocation, budget: float = 1.0) -> dict[str, float]:
    """An allocation as columns: programme budgets (M EUR/yr, or shares) and NGO shares."""
    row = {
        f"budget.{n}": float(budget * s)
        for n, s in zip(PROGRAMME_NAMES, allocation.shares, strict=True)
    }
    row.update(
        {f"ngo_share.{line}": float(v) for line, v in zip(SERVICES, allocation.ngo, strict=True)}
    )
    return row


@dataclass
class Problem:
    """The decision: scenario, baseline, budget, policy year and the draws."""

    scenario: Scenario
    baseline: Scenario
    budget: float
    year: int
    ramp: float
    draws: pd.DataFrame
    references: dict[str, al.Allocation]
    draws_note: str = ""


def make_problem(
    scenario: Scenario, baseline: Scenario, draws: pd.DataFrame, budget: float | None
) -> Problem:
    """The policy year, the budget (default: the scenario's) and the reference allocations.

    Today's allocation is the baseline's split in the policy year's January; the scenario's
    own is its split in the horizon's last month (after its ramp). Both run to the earlier
    of their end years.
    """
    from simulation.analysis.monte_carlo import common_horizon

    scenario, baseline = common_horizon([scenario, baseline])
    year, ramp = al.policy_start(scenario, baseline)
    today, _ = al.allocation_of(baseline, (year - START_YEAR) * 12)
    last = (scenario.run.end_year - START_YEAR + 1) * 12 - 1
    own, own_budget = al.allocation_of(scenario, last)
    references = {"today": today, "uniform": al.uniform(), "scenario": own}
    return Problem(
        scenario, baseline, own_budget if budget is None else budget, year, ramp, draws, references
    )


def evaluator_for(
    problem: Problem, draws: pd.DataFrame, paid: bool = False
) -> al.AllocationEvaluator:
    """An evaluator of ``problem`` on ``draws``, discounted to the policy year."""
    return al.AllocationEvaluator(
        problem.scenario,
        problem.baseline,
        draws,
        problem.budget,
        problem.year,
        problem.ramp,
        base_year=problem.year,
        paid=paid,
    )


@dataclass
class Result:
    """An optimisation: the allocations compared, their values over every draw, the search."""

    problem: Problem
    settings: Settings
    allocations: dict[str, al.Allocation]
    values: dict[str, dict[str, np.ndarray]]  # allocation -> outcome -> (draws,)
    central: dict[str, dict[str, float]]  # allocation -> outcome -> central run's value
    searches: list[Search]
    front: pd.DataFrame | None
    bands: object = None  # optimise_need.NeedBands: the need bands' searches, if run


def optimise(
    problem: Problem, settings: Settings, progress: Callable[[int], None] = lambda _: None
) -> Result:
    """Search, then value the best allocation and the references on every draw.

    ``progress`` is called once per generation, once for the Pareto front's valuation (with
    ``objective="pareto"``) and once per allocation valued at the end.
    """
    evaluator = evaluator_for(
        problem, al.draws_frame(problem.draws, settings.search_draws), settings.paid
    )
    starts = list(problem.references.values())
    table = None
    if settings.objective == "pareto":  # NSGA-II (pymoo); its front valued on every draw
        from simulation.analysis import pareto

        found, points = pareto.search_front(evaluator, settings, starts, progress)
        table = pareto.front_table(problem, points, settings.quantile, settings.paid)
        progress(1)
    else:
        found = search(evaluator, objective_outcome(settings.objective), settings, starts, progress)
    allocations = {"optimal": found.best, **problem.references}
    values, central = value_everywhere(problem, allocations, progress, settings.paid)
    return Result(problem, settings, allocations, values, central, [found], table)


def value_everywhere(
    problem: Problem,
    allocations: dict[str, al.Allocation],
    progress,
    paid: bool = False,
    chunk: int = CHUNK,
):
    """Each allocation's outcomes over every draw, and in the central run (defaults).

    Draws go in chunks of ``chunk`` (one batched integration each), so memory stays bounded
    at any number of draws.
    """
    from simulation.analysis.monte_carlo import with_central_row

    table = with_central_row(problem.draws)
    parts: dict[str, list[dict[str, np.ndarray]]] = {name: [] for name in allocations}
    for start in range(0, len(table), chunk):
        evaluator = evaluator_for(problem, table.iloc[start : start + chunk], paid)
        for name, allocation in allocations.items():
            parts[name].append({k: v[0] for k, v in evaluator.evaluate([allocation]).items()})
    values, central = {}, {}
    for name, chunks in parts.items():
        joined = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
        values[name] = {k: v[1:] for k, v in joined.items()}
        central[name] = {k: float(v[0]) for k, v in joined.items()}
        progress(1)
    return values, central


def summary_table(result: Result) -> pd.DataFrame:
    """One row per allocation: NPV and placements avoided (families) over the draws, and gains.

    Money in EUR; ``gain_*`` are paired over the same draws, with the standard error of
    their mean (``*_se``).
    """
    q = result.settings.quantile
    rows = {}
    for name, v in result.values.items():
        npv, placed = v["npv"], v["placements_avoided"]
        row = {
            "npv_mean": npv.mean(),
            "npv_p05": np.quantile(npv, 0.05),
            "npv_median": np.median(npv),
            "npv_p95": np.quantile(npv, 0.95),
            "chance_npv_positive": float((npv > 0).mean()),
            "placements_avoided_mean": placed.mean(),
            "unspent_mean": v["unspent"].mean(),
            "npv_central": result.central[name]["npv"],
        }
        if q is not None:
            row["npv_quantile"] = np.quantile(npv, q)
        for ref in ("today", "uniform"):
            diff = npv - result.values[ref]["npv"]
            row[f"gain_over_{ref}"], row[f"gain_over_{ref}_se"] = mean_se(diff)
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def allocations_table(result: Result) -> pd.DataFrame:
    """Each allocation's programme budgets (million EUR a year) and NGO shares."""
    budget = result.problem.budget
    rows = {n: allocation_row(a, budget) for n, a in result.allocations.items()}
    return pd.DataFrame.from_dict(rows, orient="index")


def by_municipality(result: Result, demography=None) -> pd.DataFrame:
    """The optimal, today's and the uniform allocation in each municipality, and the gain.

    The SD engine shares national money and families out by each municipality's share of the
    children (its municipalities differ in size, not in need), so each municipality's
    allocation is its share of the national one, and so is its part of the gain (an
    apportionment, not a separate optimisation). One row per municipality, budgets in
    million EUR a year, gains in EUR, largest first. With need bands
    (:mod:`simulation.analysis.optimise_need`), each municipality gets its band's mix.
    """
    from simulation.model.demography import country_demography

    if result.bands is not None and demography is None:
        from simulation.analysis.optimise_need import municipal_table

        return municipal_table(result)
    demography = demography or country_demography(result.problem.scenario.run.country)
    share = demography.shares_in(np.array([result.problem.year]))[0]
    summary = summary_table(result)
    optimal = result.allocations["optimal"]
    table = pd.DataFrame(
        {
            f"budget.{n}": result.problem.budget * s * share
            for n, s in zip(PROGRAMME_NAMES, optimal.shares, strict=True)
        },
        index=pd.Index(demography.municipalities, name="municipality"),
    )
    table.insert(0, "budget", result.problem.budget * share)
    table.insert(0, "children_share", share)
    for ref in ("today", "uniform"):
        table[f"gain_over_{ref}"] = summary.loc["optimal", f"gain_over_{ref}"] * share
    return table.sort_values("children_share", ascending=False)


def abm_check(
    problem: Problem,
    allocations: dict[str, al.Allocation],
    replicates: int,
    scale: float,
    seed: int,
    progress: Callable[[str], None] = lambda _: None,
) -> pd.DataFrame:
    """The agent-based engine's difference between the optimal and today's allocation.

    Both run as scenarios (the allocation as a schedule change) with paired replicates
    (the same seeds), at every parameter's central value; one row per replicate with the NPV
    of the optimal allocation against today's (EUR) and the placements (families) it avoids.
    """
    from dataclasses import replace

    from simulation.analysis.evaluation import outcome_values
    from simulation.workflow import compare as cmp

    runs = []
    for name in ("today", "optimal"):
        levers = allocations[name].levers(problem.budget)
        sc = al.with_allocation(problem.scenario, problem.year, problem.ramp, levers, name)
        runs.append(replace(sc, run=replace(sc.run, engine="abm")))
    comparison = cmp.run_comparison(
        runs, "abm", replicates, seed=seed, scale=scale, progress=progress
    )
    rate = float(problem.scenario.resolved_parameters()["discount_rate"])
    rows = []
    for r in range(replicates):
        arrays = {
            n: {k: v.to_numpy()[:, None] for k, v in comparison.accounts[n][r].items()}
            for n in ("today", "optimal")
        }
        rows.append(
            {
                name: outcome_values(
                    name, arrays["optimal"], arrays["today"], rate, problem.year, START_YEAR
                )[0]
                for name in al.OUTCOMES
            }
        )
    return pd.DataFrame(rows, index=pd.RangeIndex(replicates, name="replicate"))
