"""Calibration: fit free parameters to published figures, then sample their posterior.

The statistical model (set in the targets file): every data point ``y_i`` is the model's
output ``m_i(theta)`` times a log-normal measurement error,
``log y_i = log m_i(theta) + e_i``, ``e_i ~ N(0, sigma_i^2)``, with ``sigma_i`` given by the
point's quality. Free parameters have uniform priors on their registry ranges.

1. :func:`point_fit` minimises the weighted log residuals with
   :func:`scipy.optimize.least_squares` (trust-region reflective, inside the bounds) from the
   scenario's current values and several Latin-hypercube starts. The Jacobian is a batched
   forward difference: one SD call integrates the point and its n perturbations together.
2. :func:`sample_posterior` runs emcee's affine-invariant ensemble sampler with vectorised
   log-probability, so each half-step of the ensemble is one batched SD call.
3. :func:`predictive` simulates posterior draws for credible bands of the model output, and
   predictive intervals of the data (model times measurement error).

Everything works in the unit cube ``u = (theta - low) / (high - low)``, which puts every
parameter on the same scale for the optimiser and the sampler (the prior is uniform in both).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import optimize

from simulation.analysis import targets as tg
from simulation.engines.results import EngineResult
from simulation.engines.sd import SDModel
from simulation.model.catalogue import REGISTRY
from simulation.workflow.scenarios import Scenario

#: Forward-difference step of the Jacobian, in unit-cube coordinates.
JACOBIAN_STEP = 1e-5
#: Smallest model value put in a log (a model that predicts nothing gets a huge residual).
FLOOR = 1e-9


class Problem:
    """Free parameters, their bounds, the data points and the model that predicts them.

    Parameters
    ----------
    targets : Targets
        The parsed targets file (its free parameters and points).
    scenario : Scenario
        The scenario whose policy history the data were observed under.
    steps_per_month : int
        Runge-Kutta steps per month of the fit (1 is within 1e-4 of 2, far below the data
        errors, at half the cost).
    """

    def __init__(self, targets: tg.Targets, scenario: Scenario, steps_per_month: int = 1) -> None:
        self.targets = targets
        self.scenario = scenario
        self.names: list[str] = list(targets.free)
        self.low = np.array([REGISTRY[n].range[0] for n in self.names])
        self.high = np.array([REGISTRY[n].range[1] for n in self.names])
        self.points = targets.points
        self.data = np.array([p.value for p in self.points])
        self.sigma = np.array([p.sigma for p in self.points])
        self.steps_per_month = steps_per_month
        self.evaluations = 0

    @property
    def n(self) -> int:
        """Number of free parameters."""
        return len(self.names)

    def values(self, unit: np.ndarray) -> np.ndarray:
        """Parameter values from unit-cube coordinates (any leading shape)."""
        return self.low + np.asarray(unit) * (self.high - self.low)

    def unit(self, values: np.ndarray) -> np.ndarray:
        """Unit-cube coordinates of parameter values."""
        return (np.asarray(values) - self.low) / (self.high - self.low)

    def current(self) -> np.ndarray:
        """The scenario's own values of the free parameters."""
        resolved = self.scenario.resolved_parameters()
        return np.array([float(resolved[n]) for n in self.names])

    def parameters(self, values: np.ndarray) -> dict[str, object]:
        """Scenario parameters and levers with the free ones replaced by a batch
        ``values`` of shape ``(K, n)``."""
        values = np.atleast_2d(values)
        merged = {**self.scenario.params, **self.scenario.levers}
        merged.update({name: values[:, j] for j, name in enumerate(self.names)})
        return REGISTRY.resolve(merged)

    def simulate(
        self, values: np.ndarray, end_year: int | None = None
    ) -> tuple[EngineResult, dict[str, object]]:
        """Integrate a batch of parameter sets (rows of ``values``) through the SD engine;
        the result and the resolved parameters it ran with."""
        params = self.parameters(values)
        model = SDModel(
            params=params,
            schedule=self.scenario.schedule,
            resolution="national",
            end_year=end_year or self.targets.end_year,
            steps_per_month=self.steps_per_month,
        )
        self.evaluations += model.k
        return model.run(save=("stocks", "flows")), params

    def predict(self, values: np.ndarray) -> np.ndarray:
        """Model values at the data points, shape ``(K, n_points)``."""
        result, params = self.simulate(values)
        return tg.predict(result, params, self.targets.targets)

    def residuals(self, values: np.ndarray) -> np.ndarray:
        """Standardised log residuals ``(log m - log y) / sigma``, shape ``(K, n_points)``."""
        model = np.maximum(self.predict(values), FLOOR)
        return (np.log(model) - np.log(self.data)) / self.sigma

    def log_posterior_unit(self, unit: np.ndarray) -> np.ndarray:
        """Log posterior (up to a constant) of unit-cube points, ``-inf`` outside the cube."""
        unit = np.atleast_2d(unit)
        inside = np.all((unit >= 0.0) & (unit <= 1.0), axis=1)
        out = np.full(len(unit), -np.inf)
        if inside.any():
            r = self.residuals(self.values(unit[inside]))
            out[inside] = -0.5 * np.sum(r * r, axis=1)
        return out


# ---- 1. point fit ----------------------------------------------------------------------------
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
    """The scenario's own values followed by ``starts - 1`` Latin-hypercube points, in unit
    coordinates, shape ``(starts, n)``."""
    first = np.clip(problem.unit(problem.current()), 0.0, 1.0)[None, :]
    if starts <= 1:
        return first
    # imported here: scipy.stats takes ~0.9 s to import, and the pool workers that run the
    # starts (forked from a fork server that preloads this module) never need it
    from scipy.stats import qmc

    lhs = qmc.LatinHypercube(d=problem.n, seed=np.random.default_rng(seed)).random(starts - 1)
    return np.vstack([first, lhs])


def _jacobian(problem: Problem) -> Callable[[np.ndarray], np.ndarray]:
    """Batched forward differences of the residuals in unit coordinates (backward at the
    upper bound)."""

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
    """Posterior covariance ``(J^T J)^-1`` of the Gauss-Newton approximation, in parameter
    units (a pseudo-inverse: directions the data do not inform get no variance here)."""
    scale = problem.high - problem.low
    cov_unit = np.linalg.pinv(jac_unit.T @ jac_unit)
    return cov_unit * np.outer(scale, scale)


# ---- 2. posterior ----------------------------------------------------------------------------
@dataclass
class Posterior:
    """Result of :func:`sample_posterior`.

    Attributes
    ----------
    samples : ndarray, shape ``(S, n)``
        Draws after burn-in and thinning, in parameter units.
    log_prob : ndarray, shape ``(S,)``
        Their log posterior (up to a constant).
    acceptance : float
        Mean acceptance fraction of the walkers.
    autocorrelation : ndarray, shape ``(n,)``
        Integrated autocorrelation time of each parameter (steps), estimated after burn-in.
    kept_steps : int
        Steps after burn-in.
    walkers : int
        Ensemble size.
    """

    samples: np.ndarray
    log_prob: np.ndarray
    acceptance: float
    autocorrelation: np.ndarray
    kept_steps: int
    walkers: int

    @property
    def effective_samples(self) -> float:
        """Effective sample size of the slowest-mixing parameter: walkers x kept steps /
        its autocorrelation time."""
        tau = np.nan_to_num(self.autocorrelation, nan=np.inf).max()
        return float(self.walkers * self.kept_steps / max(tau, 1.0))

    @property
    def converged(self) -> bool:
        """emcee's rule of thumb: the chain is longer than 50 autocorrelation times."""
        tau = np.nan_to_num(self.autocorrelation, nan=np.inf)
        return bool(self.kept_steps > 50 * tau.max())

    def quantiles(self, q: Sequence[float] = (0.05, 0.5, 0.95)) -> np.ndarray:
        """Quantiles of each parameter, shape ``(len(q), n)``."""
        return np.quantile(self.samples, q, axis=0)


def initial_walkers(
    problem: Problem, fit: PointFit, walkers: int, rng: np.random.Generator
) -> np.ndarray:
    """Walkers in a small ball around the point fit (unit coordinates), inside the cube.

    The ball's spread is a tenth of the Laplace standard deviation (floored at 1e-3 of the
    range), so the sampler starts near the mode but not in a degenerate point.
    """
    scale = problem.high - problem.low
    sd_unit = np.sqrt(np.clip(np.diag(fit.covariance), 0.0, None)) / scale
    spread = np.clip(0.1 * sd_unit, 1e-3, 0.05)
    centre = problem.unit(fit.best)
    ball = centre + spread * rng.standard_normal((walkers, problem.n))
    return np.clip(ball, 1e-6, 1.0 - 1e-6)


def sample_posterior(
    problem: Problem,
    fit: PointFit,
    walkers: int = 48,
    steps: int = 600,
    burn: int = 200,
    thin: int = 5,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Posterior:
    """Sample the posterior with emcee, started around the point fit.

    Parameters
    ----------
    walkers : int
        Ensemble size (at least ``2 n + 2``; raised to it if smaller, and to an even number).
    steps, burn, thin : int
        Steps in all, steps discarded as burn-in, and thinning of the kept steps.
    seed : int
        Seed of the starting ball and of emcee's moves.
    progress : callable, optional
        Called with 1 after each step.
    """
    import emcee

    walkers = max(walkers, 2 * problem.n + 2)
    walkers += walkers % 2
    rng = np.random.default_rng(seed)
    start = initial_walkers(problem, fit, walkers, rng)
    sampler = emcee.EnsembleSampler(walkers, problem.n, problem.log_posterior_unit, vectorize=True)
    # emcee draws its moves from a legacy RandomState; seed it from our generator
    sampler.random_state = np.random.RandomState(rng.integers(2**32)).get_state()
    for _ in sampler.sample(start, iterations=steps):
        if progress:
            progress(1)
    chain = sampler.get_chain(discard=burn, thin=thin, flat=True)
    log_prob = sampler.get_log_prob(discard=burn, thin=thin, flat=True)
    tau = sampler.get_autocorr_time(discard=burn, quiet=True, tol=0)
    return Posterior(
        samples=problem.values(chain),
        log_prob=log_prob,
        acceptance=float(np.mean(sampler.acceptance_fraction)),
        autocorrelation=np.asarray(tau, float),
        kept_steps=steps - burn,
        walkers=walkers,
    )


# ---- 3. predictive ----------------------------------------------------------------------------
@dataclass
class Predictive:
    """Posterior-predictive summaries.

    Attributes
    ----------
    points : DataFrame
        One row per data point: the best fit, the posterior median and 90% credible interval
        of the model, and the 90% predictive interval of the data (model times measurement
        error).
    bands : dict of str to DataFrame
        Per target: ``time``, ``best``, ``q05``, ``q50``, ``q95`` of the model output.
    """

    points: pd.DataFrame
    bands: dict[str, pd.DataFrame]


def draws(posterior: Posterior, count: int, seed: int) -> np.ndarray:
    """``count`` posterior samples chosen without replacement (all if fewer)."""
    rng = np.random.default_rng(seed)
    n = len(posterior.samples)
    idx = rng.choice(n, size=min(count, n), replace=False)
    return posterior.samples[np.sort(idx)]


def predictive(
    problem: Problem,
    best: np.ndarray,
    samples: np.ndarray,
    seed: int = 1,
    evaluate: tg.Targets | None = None,
) -> Predictive:
    """Simulate the best fit and posterior ``samples`` and summarise them.

    Parameters
    ----------
    evaluate : Targets, optional
        Targets to report on (default: the problem's own); a holdout fit passes all targets
        here while its problem holds only the earlier years.
    """
    evaluate = evaluate or problem.targets
    values = np.vstack([best[None, :], samples])
    result, params = problem.simulate(values, end_year=evaluate.end_year)
    model = tg.predict(result, params, evaluate.targets)  # (1 + D, P)
    points = tg.points_frame(evaluate.points)
    points["best"] = model[0]
    q05, q50, q95 = np.quantile(model[1:], (0.05, 0.5, 0.95), axis=0)
    points["q05"], points["median"], points["q95"] = q05, q50, q95
    rng = np.random.default_rng(seed)
    noisy = model[1:] * np.exp(points["sigma"].to_numpy() * rng.standard_normal(model[1:].shape))
    points["predictive_q05"], points["predictive_q95"] = np.quantile(noisy, (0.05, 0.95), axis=0)
    points["relative_error"] = points["best"] / points["value"] - 1.0
    points["standardised_residual"] = np.log(points["best"] / points["value"]) / points["sigma"]
    points["within_10pct"] = points["relative_error"].abs() <= 0.10
    points["inside_predictive_90"] = (points["value"] >= points["predictive_q05"]) & (
        points["value"] <= points["predictive_q95"]
    )
    fitted = {(p.target, p.year) for p in problem.targets.points}
    points["used"] = [
        "fit" if (t, y) in fitted else "holdout"
        for t, y in zip(points["target"], points["year"], strict=True)
    ]
    bands = {}
    for target in evaluate.targets:
        times, series = tg.trajectory(result, params, target)
        q = np.quantile(series[:, 1:], (0.05, 0.5, 0.95), axis=1)
        bands[target.name] = pd.DataFrame(
            {"time": times, "best": series[:, 0], "q05": q[0], "q50": q[1], "q95": q[2]}
        )
    return Predictive(points=points, bands=bands)


def abm_check(
    problem: Problem,
    best: np.ndarray,
    evaluate: tg.Targets,
    replicates: int,
    scale: float,
    seed: int,
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Run the agent-based engine (heterogeneity on) with the best fit and compare it with
    the data points and the SD model.

    Children are counted in the calibration's definition, families in a state times that
    state's observed children per family, in both engines (the ABM's own family sizes are
    drawn at entry and drift towards the general family size; see ``docs/abm.md``).

    Returns
    -------
    points : DataFrame
        Per point: ``abm_mean``, ``abm_se`` (standard error over replicates) and
        ``abm_error`` (relative to the data).
    lines : dict of str to DataFrame
        Per target: ``time`` and ``abm_mean`` of its output, for the charts.
    """
    from simulation.workflow.runner import simulate_scenario

    scenario = problem.scenario.with_values(dict(zip(problem.names, best, strict=True)))
    run = replace(
        scenario.run, engine="abm", heterogeneity=True, scale=scale, end_year=evaluate.end_year
    )
    params = scenario.resolved_parameters()
    values, lines = [], []
    for r in range(replicates):
        result = simulate_scenario(replace(scenario, run=replace(run, seed=seed + r)))
        result.saved.pop("children", None)
        values.append(tg.predict(result, params, evaluate.targets)[0])
        lines.append([tg.trajectory(result, params, t) for t in evaluate.targets])
    values = np.array(values)
    data = np.array([p.value for p in evaluate.points])
    se = values.std(axis=0, ddof=1) / np.sqrt(replicates) if replicates > 1 else np.nan
    points = pd.DataFrame(
        {"abm_mean": values.mean(axis=0), "abm_se": se, "abm_error": values.mean(0) / data - 1}
    )
    curves = {
        t.name: pd.DataFrame(
            {"time": lines[0][i][0], "abm_mean": np.mean([rep[i][1][:, 0] for rep in lines], 0)}
        )
        for i, t in enumerate(evaluate.targets)
    }
    return points, curves


def fit_table(problem: Problem, fit: PointFit, posterior: Posterior | None) -> pd.DataFrame:
    """One row per free parameter: prior range, prior value, best fit, Laplace SD and the
    posterior median and 90% interval."""
    table = pd.DataFrame(
        {
            "parameter": problem.names,
            "unit": [REGISTRY[n].unit for n in problem.names],
            "prior_low": problem.low,
            "prior_high": problem.high,
            "before": problem.current(),
            "best": fit.best,
            "laplace_sd": np.sqrt(np.clip(np.diag(fit.covariance), 0.0, None)),
        }
    )
    edge = 0.01 * (problem.high - problem.low)
    table["at_bound"] = (fit.best <= problem.low + edge) | (fit.best >= problem.high - edge)
    if posterior is not None:
        q = posterior.quantiles()
        table["q05"], table["median"], table["q95"] = q[0], q[1], q[2]
        table["autocorrelation_steps"] = posterior.autocorrelation
    return table
