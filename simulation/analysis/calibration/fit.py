"""The point fit: weighted least squares of the log residuals from several starts.

:func:`point_fit` minimises with :func:`scipy.optimize.least_squares` (trust-region
reflective, inside the bounds) from the scenario's current values and Latin-hypercube starts.
The Jacobian is a batched forward difference: one SD call integrates the point and its n
perturbations together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from simulation.analysis.calibration.problem import JACOBIAN_STEP, Problem


@dataclass
class PointFit:
    """Result of :func:`point_fit`.

    Attributes
    ----------
    best : ndarray, shape ``(n,)``
        Best-fitting parameter values.
    cost : float
        Half the sum of squared standardised residuals at ``best``.
    starts : DataFrame
        One row per start: its initial and final values, cost, status and evaluations.
    covariance : ndarray, shape ``(n, n)``
        Laplace approximation of the posterior covariance at ``best`` (parameter units).
    """

    best: np.ndarray
    cost: float
    starts: pd.DataFrame
    covariance: np.ndarray


def starting_points(problem: Problem, starts: int, seed: int) -> np.ndarray:
    """The scenario's own values followed by ``starts - 1`` Latin-hypercube points.

    In unit coordinates, shape ``(starts, n)``.
    """
    first = np.clip(problem.unit(problem.current()), 0.0, 1.0)[None, :]
    if starts <= 1:
        return first
    # imported here: scipy.stats takes ~0.9 s to import, and the pool workers that run the
    # starts (forked from a fork server that preloads this module) never need it
    from scipy.stats import qmc

    lhs = qmc.LatinHypercube(d=problem.n, seed=np.random.default_rng(seed)).random(starts - 1)
    return np.vstack([first, lhs])


def _jacobian(problem: Problem) -> Callable[[np.ndarray], np.ndarray]:
    """Batched forward differences of the residuals in unit coordinates.

    Backward differences at the upper bound.
    """

    def jac(u: np.ndarray) -> np.ndarray:
        steps = np.where(u + JACOBIAN_STEP <= 1.0, JACOBIAN_STEP, -JACOBIAN_STEP)
        batch = np.vstack([u, u + np.diag(steps)])
        r = problem.residuals(problem.values(batch))
        return ((r[1:] - r[0]) / steps[:, None]).T

    return jac


def _fit_from(problem: Problem, u0: np.ndarray) -> tuple[optimize.OptimizeResult, int]:
    """One least-squares run from unit coordinates ``u0``, and the runs it simulated."""
    before = problem.evaluations
    fit = optimize.least_squares(
        lambda u: problem.residuals(problem.values(u))[0],
        u0,
        jac=_jacobian(problem),
        bounds=(0.0, 1.0),
        method="trf",
        x_scale="jac",
        max_nfev=200,
    )
    return fit, problem.evaluations - before


def point_fit(
    problem: Problem,
    starts: int = 8,
    seed: int = 1,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> PointFit:
    """Least-squares fit of the free parameters from several starts; the best one wins.

    Parameters
    ----------
    problem : Problem
    starts : int
        Number of starts: the scenario's current values plus ``starts - 1`` Latin-hypercube
        points of the prior box.
    seed : int
        Seed of the Latin hypercube.
    workers : int
        Processes to run starts in (1: in this process). The result does not depend on it.
    progress : callable, optional
        Called with 1 after each start.
    """
    initial = starting_points(problem, starts, seed)
    parallel = workers > 1 and len(initial) > 1
    if parallel:
        from simulation.workflow.pool import process_pool

        with process_pool(min(workers, len(initial))) as pool:
            futures = [pool.submit(_fit_from, problem, u0) for u0 in initial]
            outcomes = []
            for future in futures:  # in start order, so the table does not depend on timing
                outcomes.append(future.result())
                if progress:
                    progress(1)
    else:
        outcomes = []
        for u0 in initial:
            outcomes.append(_fit_from(problem, u0))
            if progress:
                progress(1)
    rows = []
    for i, (u0, (fit, evaluations)) in enumerate(zip(initial, outcomes, strict=True)):
        if parallel:  # the workers counted their runs on their own copies
            problem.evaluations += evaluations
        row = {"start": i, "cost": fit.cost, "status": fit.status, "evaluations": evaluations}
        for name, a, b in zip(
            problem.names, problem.values(u0), problem.values(fit.x), strict=True
        ):
            row[f"initial.{name}"] = a
            row[f"fitted.{name}"] = b
        rows.append(row)
    best = min((fit for fit, _ in outcomes), key=lambda f: f.cost)
    return PointFit(
        best=problem.values(best.x),
        cost=float(best.cost),
        starts=pd.DataFrame(rows),
        covariance=_laplace(problem, best.jac),
    )


def _laplace(problem: Problem, jac_unit: np.ndarray) -> np.ndarray:
    """Posterior covariance ``(J^T J)^-1`` of the Gauss-Newton approximation.

    In parameter units. It is a pseudo-inverse: directions the data do not inform get no
    variance here.
    """
    scale = problem.high - problem.low
    cov_unit = np.linalg.pinv(jac_unit.T @ jac_unit)
    return cov_unit * np.outer(scale, scale)
