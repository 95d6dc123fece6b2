"""Checks of a fit.

Posterior-predictive bands and intervals, the agent-based engine run with the best fit, and the
table of fitted parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from simulation.analysis import targets as tg
from simulation.analysis.calibration.fit import PointFit
from simulation.analysis.calibration.posterior import Posterior
from simulation.analysis.calibration.problem import Problem
from simulation.model.catalogue import REGISTRY


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
    """Run the agent-based engine (heterogeneity on) with the best fit.

    The run is compared with the data points and the SD model.

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
    """The table of fitted parameters, one row per free parameter.

    Columns: prior range, prior value, best fit, Laplace SD and the posterior median and 90%
    interval.
    """
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
