"""Calibration: fit free parameters to published figures, then sample their posterior.

The statistical model (set in the targets file): every data point ``y_i`` is the model's
output ``m_i(theta)`` times a log-normal measurement error,
``log y_i = log m_i(theta) + e_i``, ``e_i ~ N(0, sigma_i^2)``, with ``sigma_i`` given by the
point's quality. Free parameters have uniform priors on their registry ranges.

1. :func:`point_fit` minimises the weighted log residuals with
   :func:`scipy.optimize.least_squares` (trust-region reflective, inside the bounds) from the
   scenario's current values and several Latin-hypercube starts. The Jacobian is a batched
   forward difference: one SD call integrates the point and its n perturbations together.
2. :func:`sample_posterior` runs emcee's ensemble sampler (differential-evolution moves) with
   vectorised log-probability, so each half-step of the ensemble is one batched SD call.
3. :func:`predictive` simulates posterior draws for credible bands of the model output, and
   predictive intervals of the data (model times measurement error).

Everything works in the unit cube ``u = (theta - low) / (high - low)``, which puts every
parameter on the same scale for the optimiser and the sampler (the prior is uniform in both).
"""

from simulation.analysis.calibration.checks import (
    Predictive,
    abm_check,
    fit_table,
    predictive,
)
from simulation.analysis.calibration.fit import PointFit, point_fit, starting_points
from simulation.analysis.calibration.posterior import (
    Posterior,
    draws,
    initial_walkers,
    sample_posterior,
)
from simulation.analysis.calibration.problem import FLOOR, JACOBIAN_STEP, Problem
from simulation.analysis.calibration.study import (
    ABM_TOLERANCE,
    TOLERANCE,
    Calibration,
    checked_settings,
    run_calibration,
    scenario_text,
    unreached,
    without_stale_fit,
    write_scenario,
)

__all__ = [
    "ABM_TOLERANCE",
    "FLOOR",
    "JACOBIAN_STEP",
    "TOLERANCE",
    "Calibration",
    "PointFit",
    "Posterior",
    "Predictive",
    "Problem",
    "abm_check",
    "checked_settings",
    "draws",
    "fit_table",
    "initial_walkers",
    "point_fit",
    "predictive",
    "run_calibration",
    "sample_posterior",
    "scenario_text",
    "starting_points",
    "unreached",
    "without_stale_fit",
    "write_scenario",
]
