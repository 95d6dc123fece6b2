"""The Pareto front of NPV and placements avoided by NSGA-II (pymoo), on the batched SD engine.

``prevsim optimise --objective pareto`` asks for the allocations no other beats on both
expected NPV and placements avoided (families). NSGA-II (Deb et al. 2002, pymoo's
implementation) evolves a population by non-dominated sorting and crowding distance, so the
final population spreads along the front instead of converging on one point. The problem is
vectorised (pymoo's :class:`~pymoo.core.problem.Problem`, not ``ElementwiseProblem``): a whole
generation x the search draws is one batched SD integration, as in the differential-evolution
search of :mod:`simulation.analysis.optimise`. The decision variables, bounds, draws and the
seeded initial population (today's, the uniform and the scenario's allocation first) are the
DE search's. The front's allocations are then valued on every draw, so their reported values
are out of sample.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pymoo.algorithms.moo.nsga2 import NSGA2
from pymoo.core.problem import Problem
from pymoo.operators.survival.rank_and_crowding.metrics import get_crowding_function
from pymoo.optimize import minimize
from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

from simulation.analysis import allocation as al
from simulation.analysis import optimise as op
from simulation.analysis.evaluation import mean_se

#: The front's objectives, maximised, in order (columns of :attr:`Found.values`).
OBJECTIVES = ("npv", "placements_avoided")


@dataclass
class Found:
    """What an NSGA-II run found: its front and everything it evaluated.

    Attributes
    ----------
    x : ndarray, shape ``(k, n_var)``
        Decision vectors of the front: at most a population of the points no candidate
        evaluated beats (:func:`archive_front`), largest first objective first.
    values : ndarray, shape ``(k, n_obj)``
        Their objective values (maximised).
    evaluated_x, evaluated_values : ndarray
        Every candidate evaluated and its values, in evaluation order.
    generations : int
        Generations run, the initial population included.
    """

    x: np.ndarray
    values: np.ndarray
    evaluated_x: np.ndarray
    evaluated_values: np.ndarray
    generations: int

    @property
    def evaluations(self) -> int:
        """Candidates evaluated."""
        return len(self.evaluated_x)


class Batched(Problem):
    """A problem on the unit box whose objectives a whole population evaluates in one call.

    ``objectives`` maps ``(n, n_var)`` decision vectors to ``(n, n_obj)`` values to
    maximise; pymoo minimises, so the problem's ``F`` is their negative.
    """

    def __init__(
        self,
        objectives: Callable[[np.ndarray], np.ndarray],
        n_var: int,
        n_obj: int,
        progress: Callable[[int], None],
    ) -> None:
        super().__init__(n_var=n_var, n_obj=n_obj, xl=0.0, xu=1.0)
        self.objectives, self.progress = objectives, progress
        self.seen: list[tuple[np.ndarray, np.ndarray]] = []

    def _evaluate(self, x, out, *args, **kwargs):
        if len(x) == 0:  # every offspring a duplicate: nothing to integrate
            out["F"] = np.empty((0, self.n_obj))
            return
        values = np.asarray(self.objectives(x), float).reshape(len(x), self.n_obj)
        self.seen.append((np.array(x, float), values))
        self.progress(1)
        out["F"] = -values


def nsga2(
    objectives: Callable[[np.ndarray], np.ndarray],
    n_obj: int,
    init: np.ndarray,
    generations: int,
    seed: int,
    progress: Callable[[int], None] = lambda _: None,
) -> Found:
    """Maximise ``n_obj`` objectives on the unit box by NSGA-II from population ``init``.

    Parameters
    ----------
    objectives : callable
        ``(n, n_var)`` decision vectors in [0, 1] -> ``(n, n_obj)`` values to maximise.
    init : ndarray, shape ``(population, n_var)``
        The initial population (its size is the population's).
    generations : int
        Generations after the initial population (as SciPy's ``maxiter``): ``generations + 1``
        batched evaluations in all.
    seed : int
        Seed of the algorithm's random generator (the result is reproducible for a seed).
    progress : callable
        Called once per batched evaluation.
    """
    problem = Batched(objectives, init.shape[1], n_obj, progress)
    algorithm = NSGA2(pop_size=len(init), sampling=np.asarray(init, float))
    minimize(problem, algorithm, ("n_gen", generations + 1), seed=seed, verbose=False)
    every_x = np.concatenate([s[0] for s in problem.seen])
    every = np.concatenate([s[1] for s in problem.seen])
    keep = archive_front(every, len(init))
    order = keep[np.argsort(-every[keep, 0], kind="stable")]  # first objective, largest first
    return Found(every_x[order], every[order], every_x, every, len(problem.seen))


def archive_front(values: np.ndarray, size: int) -> np.ndarray:
    """Indices of at most ``size`` points non-dominated among all ``values`` (maximised).

    The final population of NSGA-II can hold points a candidate of an earlier generation
    beats, so the front is taken from every candidate evaluated (an archive); duplicates in
    objective space count once (the first evaluated). When more than ``size`` are
    non-dominated, the pruning crowding distance (pymoo's ``pcd``, which drops the most
    crowded point one at a time) keeps ``size`` of them spread along the front, its ends
    included.
    """
    _, first = np.unique(values, axis=0, return_index=True)
    first = np.sort(first)
    front = NonDominatedSorting().do(-values[first], only_non_dominated_front=True)
    front = first[np.sort(front)]
    if len(front) <= size:
        return front
    crowding = get_crowding_function("pcd").do(-values[front], n_remove=len(front) - size)
    return np.sort(front[np.argsort(-crowding, kind="stable")[:size]])


def search_front(
    evaluator: al.AllocationEvaluator,
    settings: op.Settings,
    references: list[al.Allocation],
    progress: Callable[[int], None] = lambda _: None,
) -> tuple[op.Search, Found]:
    """NSGA-II over allocations: NPV and placements avoided (their means, or the quantile).

    The search's ``best`` is the front's highest-NPV allocation (on the search draws).
    """

    def objectives(x: np.ndarray) -> np.ndarray:
        values = evaluator.evaluate([al.Allocation.from_vector(v) for v in x])
        return np.column_stack([al.summarise(values[k], settings.quantile) for k in OBJECTIVES])

    init = op.initial_population(references, settings.population, settings.seed)
    found = nsga2(objectives, len(OBJECTIVES), init, settings.generations, settings.seed, progress)
    search = op.Search(
        best=al.Allocation.from_vector(found.x[0]),
        evaluated_x=found.evaluated_x,
        evaluated={k: found.evaluated_values[:, i] for i, k in enumerate(OBJECTIVES)},
        generations=found.generations - 1,
        evaluations=found.evaluations,
    )
    return search, found


def front_table(
    problem: op.Problem,
    found: Found,
    quantile: float | None = None,
    paid: bool = False,
) -> pd.DataFrame:
    """The front's allocations, each valued on every draw; largest search NPV first.

    Columns: ``npv`` and ``placements_avoided``, the objectives as the search saw them (mean,
    or ``quantile``, over the search draws: on these the points are mutually non-dominated);
    over every draw, ``npv_mean`` (EUR) and its standard error ``npv_mean_se``, ``npv_p05``,
    ``npv_p95``, ``chance_npv_positive``, ``placements_avoided_mean`` (families) and
    ``placements_avoided_mean_se`` (and ``npv_quantile`` with a quantile); then the
    allocation: ``budget.<programme>`` (million EUR a year) and ``ngo_share.<line>``.
    """
    points = {i: al.Allocation.from_vector(x) for i, x in enumerate(found.x)}
    values, _ = op.value_everywhere(problem, points, lambda _: None, paid)
    rows = []
    for i, allocation in points.items():
        npv, placed = values[i]["npv"], values[i]["placements_avoided"]
        row = {"npv": found.values[i, 0], "placements_avoided": found.values[i, 1]}
        row["npv_mean"], row["npv_mean_se"] = mean_se(npv)
        row["npv_p05"], row["npv_p95"] = np.quantile(npv, 0.05), np.quantile(npv, 0.95)
        row["chance_npv_positive"] = float((npv > 0).mean())
        row["placements_avoided_mean"], row["placements_avoided_mean_se"] = mean_se(placed)
        if quantile is not None:
            row["npv_quantile"] = np.quantile(npv, quantile)
        rows.append({**row, **op.allocation_row(allocation, problem.budget)})
    return pd.DataFrame(rows)
