"""Value of information: what knowing a parameter group exactly is worth to a decision.

The decision is the choice among options (scenarios, and by default the baseline itself) of
the one with the highest expected net benefit, here the NPV against the baseline in EUR. Over
a sample of the uncertain parameters (the draws the rest of the tool uses):

- the expected value of perfect information (EVPI) is ``E[max_d NB_d] - max_d E[NB_d]``: what
  the decision maker would pay, at most, to learn every uncertain parameter before choosing;
- the expected value of partial perfect information (EVPPI) of a parameter group ``phi`` is
  ``E_phi[max_d E[NB_d | phi]] - max_d E[NB_d]``: what an evaluation study that settled
  ``phi`` exactly would be worth, at most.

EVPPI is estimated by the nonparametric regression method of Strong, Oakley and Brennan
(2014), "Estimating multiparameter partial expected value of perfect information from a
probabilistic sensitivity analysis sample: a nonparametric regression approach", Medical
Decision Making 34(3):311-326: the incremental net benefit of each option against the first
is regressed on the group's values, and the fitted values stand for ``E[NB_d | phi]`` at every
sample point. For one parameter the regression is a smoothing spline (a GAM's single smooth
term), for a group their Gaussian process (a squared-exponential kernel with one length scale
per parameter, and a noise term), fitted with scikit-learn: to keep the cost down the
hyperparameters are found by maximum likelihood on a subset of the sample (:data:`HYPER_N`
points at most), the fit then uses every point, and the draws left out of the subset tell
whether the regression can be trusted (:class:`Estimate`).

Every value is for the whole decision: the model is national, so the net benefit is already
the population's (every family in Lithuania over the horizon, discounted to the base year).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulation.analysis.evaluation import (
    Question,
    divergence_month,
    evaluate,
    mean_se,
    national_model,
)
from simulation.model.vocabulary import START_YEAR
from simulation.workflow.scenarios import Scenario

#: Sample points the Gaussian process's hyperparameters are fitted on at most: the likelihood
#: costs O(n^3) for each of many optimiser steps (a choice for speed on two cores, not a
#: published figure; the rest of the draws check the fit).
HYPER_N = 300

# ---- parameter groups -------------------------------------------------------------------------
#: Themes, in the order reports list them: the evidence an evaluation study would buy.
THEMES = (
    "hazards",
    "programme_effects",
    "service_delivery",
    "unit_costs",
    "life_course",
    "other",
)
#: Family dynamics: demography and the annual hazards between states.
_HAZARDS = {
    "children_per_risk_family",
    "family_exit_rate",
    "births_growth_after_data",
    "onset_rate",
    "natural_recovery_rate",
    "detection_rate",
    "supported_escalation_rate",
    "supported_recovery_rate",
    "risk_recovery_rate",
    "crisis_exit_rate",
    "care_leaving_rate",
    "placement_probability",
}
#: How services work: delays, caseloads, quality, the cooperation model's deployment.
_DELIVERY = {
    "ngo_quality_ratio",
    "capacity_delay",
    "max_caseload_ratio",
    "caseload_quality_loss",
    "training_quality_gain",
    "staff_turnover",
    "stage_years",
    "coordinator_speedup",
    "groups_detection_gain",
    "coordinator_onset_effect",
    "local_team_quality_gain",
}
_PROGRAMME = re.compile(r"^programme\.(?P<programme>[a-z0-9_]+)\.(?P<field>.+)$")
#: A programme's evidence: what its evaluation measures (its cost is a unit cost).
_EVIDENCE_FIELDS = ("effect.", "relapse_rate", "duration", "effective_share")


def theme(name: str) -> str:
    """The theme of parameter ``name`` (one of :data:`THEMES`)."""
    if name in _HAZARDS:
        return "hazards"
    if name in _DELIVERY:
        return "service_delivery"
    match = _PROGRAMME.match(name)
    if match:
        field = match["field"]
        return "unit_costs" if field == "cost" else "programme_effects"
    if name == "scale_up_decay":
        return "programme_effects"
    if name.startswith(("cost.", "state_share.")) or name == "ngo_cost_ratio":
        return "unit_costs"
    if name.startswith("lifecourse.") or name == "deadweight_cost_of_taxation":
        return "life_course"
    return "other"


def groups_by_theme(names: Sequence[str]) -> dict[str, list[str]]:
    """``names`` by :func:`theme`, in :data:`THEMES` order; empty themes left out."""
    groups: dict[str, list[str]] = {t: [] for t in THEMES}
    for name in names:
        groups[theme(name)].append(name)
    return {t: members for t, members in groups.items() if members}


def groups_by_programme(names: Sequence[str]) -> dict[str, list[str]]:
    """The evidence of each programme (effects, relapse, duration, share it works for).

    One group per programme with such parameters among ``names``, keyed by its name; what
    an evaluation study of that programme would measure.
    """
    groups: dict[str, list[str]] = {}
    for name in names:
        match = _PROGRAMME.match(name)
        if match and match["field"].startswith(_EVIDENCE_FIELDS):
            groups.setdefault(match["programme"], []).append(name)
    return groups


def groups_by_parameter(names: Sequence[str]) -> dict[str, list[str]]:
    """Every parameter on its own."""
    return {name: [name] for name in names}


#: Ways of grouping parameters: name -> function of the varied names.
GROUPINGS: dict[str, Callable[[Sequence[str]], dict[str, list[str]]]] = {
    "themes": groups_by_theme,
    "programmes": groups_by_programme,
    "parameters": groups_by_parameter,
}


#: Held-out R^2 above which an interpolating regression is taken to have found a group
#: that determines the net benefit (an assumption: a judgement, not a published threshold).
EXACT_SKILL = 0.9


# ---- estimators -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate (EUR), its standard error (EUR) and the regression's skill.

    ``skill`` is the held-out R^2 of the Gaussian process (how well the group's values
    predict the incremental net benefit of draws it was not fitted to; NaN for EVPI and the
    spline, whose penalty is chosen by cross-validation; at or below 0 the group's values
    carry no information on the net benefit detectable from these draws). An estimate is
    :attr:`estimable` unless the regression passes through every draw without predicting
    held-out draws almost perfectly (:data:`EXACT_SKILL`; when it does, the group determines
    the net benefit): the fitted values are then the draws themselves, and the EVPPI the
    EVPI by construction, not by evidence (too few draws for the group's size).
    """

    value: float
    standard_error: float
    skill: float = float("nan")
    interpolates: bool = False

    @property
    def estimable(self) -> bool:
        """Whether the regression behind the estimate can be trusted (see above)."""
        return not self.interpolates or self.skill >= EXACT_SKILL


def _gain(conditional: np.ndarray) -> Estimate:
    """``mean(max_d g) - max_d mean(g)`` of ``conditional`` (n, options), with its error.

    The standard error is that of the mean of ``max_d g_i - g_i,d*`` over the sample (``d*``
    the option with the highest mean): the sampling error of the estimate.
    """
    best = int(np.argmax(conditional.mean(axis=0)))
    per_point = conditional.max(axis=1) - conditional[:, best]
    return Estimate(*mean_se(per_point))


def evpi(net_benefit: np.ndarray) -> Estimate:
    """The expected value of perfect information, EUR.

    Parameters
    ----------
    net_benefit : ndarray
        Net benefit of each option at each sample point, shape ``(n, options)``, EUR.
    """
    return _gain(np.asarray(net_benefit, dtype=float))


def smooth(x: np.ndarray, y: np.ndarray, hyper_n: int = HYPER_N, seed: int = 0) -> Fit:
    """Nonparametric regression of ``y`` on ``x``: the fitted values at every row of ``x``.

    As Strong, Oakley and Brennan (2014) recommend: for one input a generalised additive
    model's single smooth term (a penalised cubic smoothing spline, its penalty chosen by
    generalised cross-validation: :func:`spline_fit`), for several a Gaussian process
    (:func:`gp_fit`). Columns that do not vary are dropped.

    Parameters
    ----------
    x : ndarray
        Inputs, shape ``(n, k)``.
    y : ndarray
        Outputs, shape ``(n,)``.

    Returns
    -------
    Fit
        ``fitted``, shape ``(n,)``: the estimate of ``E[y | x]`` at each row, in ``y``'s
        unit; the Gaussian process's held-out ``skill`` and whether it ``interpolates``.
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float).reshape(len(y), -1)
    spread = x.std(axis=0)
    x = (x[:, spread > 0] - x[:, spread > 0].mean(axis=0)) / spread[spread > 0]
    centre, scale = float(np.mean(y)), float(np.std(y))
    if x.shape[1] == 0 or scale == 0:
        return Fit(np.full(len(y), centre))
    z = (y - centre) / scale
    if x.shape[1] == 1:
        return Fit(centre + scale * spline_fit(x[:, 0], z))
    fit = gp_fit(x, z, hyper_n, seed)
    return Fit(centre + scale * fit.fitted, fit.skill, fit.interpolates)


@dataclass(frozen=True)
class Fit:
    """Fitted values of a regression, its held-out R^2 and whether it interpolates."""

    fitted: np.ndarray
    skill: float = float("nan")
    interpolates: bool = False


#: Noise variance of a standardised output below which a Gaussian process passes through
#: every draw (its lower bound is 1e-6).
INTERPOLATING = 1e-4


def spline_fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """A cubic smoothing spline of ``y`` on one input ``x`` (GCV penalty), fitted at ``x``.

    Tied inputs are merged (their mean output, weighted by their count), as the spline needs
    increasing abscissas.
    """
    from scipy.interpolate import make_smoothing_spline

    order = np.argsort(x, kind="stable")
    unique, where, counts = np.unique(x[order], return_inverse=True, return_counts=True)
    if len(unique) < 5:  # too few distinct values for a cubic spline: the means per value
        return (np.bincount(where, y[order]) / counts)[np.argsort(order)][where]
    means = np.bincount(where, y[order]) / counts
    spline = make_smoothing_spline(unique, means, w=counts.astype(float))
    return spline(x)


def gp_fit(x: np.ndarray, y: np.ndarray, hyper_n: int = HYPER_N, seed: int = 0) -> Fit:
    """Gaussian-process regression of ``y`` on standardised ``x`` (n, k), fitted at ``x``.

    Strong, Oakley and Brennan (2014), section 3.2: a squared-exponential kernel with one
    length scale per column, a signal and a noise variance, hyperparameters by maximum
    likelihood on a random subset of the rows (at most ``hyper_n`` and two thirds of them,
    chosen with ``seed``), then the posterior mean at every row given all of them. The
    optimiser starts where a group explains a tenth of the variance, with length scales of
    ``2 sqrt(k)`` (neighbours still correlate whatever the number of inputs): started from a
    close fit, it tends to stop in a local optimum that passes through every draw. The skill
    is the R^2 of the subset's predictions at the rows left out of it: honest, as neither the
    hyperparameters nor the fit saw them.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    k = x.shape[1]
    signal = ConstantKernel(0.1, (1e-3, 1e3)) * RBF(np.full(k, 2 * np.sqrt(k)), (1e-2, 1e3))
    kernel = signal + WhiteKernel(0.9, (1e-6, 10.0))
    order = np.random.default_rng(seed).permutation(len(y))
    rows, held = order[: min(hyper_n, 2 * len(y) // 3)], order[min(hyper_n, 2 * len(y) // 3) :]
    with warnings.catch_warnings():
        # A length scale at its upper bound means the output does not vary with that input,
        # a finding, not a failure; scikit-learn warns of it.
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = GaussianProcessRegressor(kernel, random_state=seed).fit(x[rows], y[rows])
    error = y[held] - fitted.predict(x[held])
    skill = 1.0 - np.mean(error**2) / np.var(y[held]) if np.var(y[held]) > 0 else float("nan")
    final = GaussianProcessRegressor(fitted.kernel_, optimizer=None).fit(x, y)
    noise = final.kernel_.k2.noise_level
    return Fit(final.predict(x), float(skill), bool(noise < INTERPOLATING))


def conditional_net_benefit(
    net_benefit: np.ndarray, x: np.ndarray, hyper_n: int = HYPER_N, seed: int = 0
) -> tuple[np.ndarray, float, bool]:
    """``E[NB_d | phi]`` at every sample point, shape ``(n, options)``, EUR.

    Each option's incremental net benefit against the first is regressed on the group's
    values ``x`` (shape ``(n, k)``) with :func:`smooth`; the first option's stays at its
    mean plus the fitted increments (Strong et al. 2014, eq. 10), so options that never
    differ from the first are not fitted. Also returns the regressions' pooled skill (their
    R^2 weighted by each increment's variance, so the options whose net benefit varies most,
    which decide the value, count most) and whether any of them passes through every draw
    without predicting held-out draws (see :class:`Estimate`).
    """
    nb = np.asarray(net_benefit, dtype=float)
    fitted = np.zeros_like(nb)
    unexplained, variance, interpolates = 0.0, 0.0, False
    for d in range(1, nb.shape[1]):
        increment = nb[:, d] - nb[:, 0]
        if np.ptp(increment) > 0:
            fit = smooth(x, increment, hyper_n, seed)
            fitted[:, d] = fit.fitted
            if np.isfinite(fit.skill):
                unexplained += (1.0 - fit.skill) * np.var(increment)
                variance += np.var(increment)
            interpolates |= fit.interpolates and not fit.skill >= EXACT_SKILL
        else:
            fitted[:, d] = increment
    skill = 1.0 - unexplained / variance if variance > 0 else float("nan")
    return nb[:, 0].mean() + fitted, skill, interpolates


def evppi(
    net_benefit: np.ndarray, x: np.ndarray, hyper_n: int = HYPER_N, seed: int = 0
) -> Estimate:
    """The expected value of partial perfect information about the group ``x``, EUR.

    Parameters
    ----------
    net_benefit : ndarray
        Shape ``(n, options)``, EUR.
    x : ndarray
        The group's values at the same sample points, shape ``(n, k)``.

    Returns
    -------
    Estimate
        The EVPPI, its sampling standard error (the regression's own error is not in it) and
        the regression's diagnostics (:attr:`Estimate.estimable`).
    """
    conditional, skill, interpolates = conditional_net_benefit(net_benefit, x, hyper_n, seed)
    gain = _gain(conditional)
    return Estimate(gain.value, gain.standard_error, skill, interpolates)


# ---- the decision on the model ----------------------------------------------------------------
def base_year(scenarios: Sequence[Scenario], baseline: Scenario) -> int:
    """The first year any scenario's inputs differ from the baseline's (values' base year)."""
    base = national_model(baseline, {})
    months = [divergence_month(national_model(s, {}), base) for s in scenarios]
    return START_YEAR + min(months) // 12


def net_benefits(
    scenarios: Sequence[Scenario],
    baseline: Scenario,
    draws: pd.DataFrame,
    year: int,
    workers: int = 1,
    progress: Callable[[int], None] = lambda _: None,
) -> np.ndarray:
    """NPV against ``baseline`` of each scenario at each draw, shape ``(n, scenarios)``, EUR.

    One batched SD evaluation per scenario over the same draws (rows of ``draws``, one column
    per varied parameter), discounted to ``year``.
    """
    names, x = list(draws.columns), draws.to_numpy(float)
    columns = [
        evaluate(
            names,
            x,
            Question(sc, "npv", baseline, base_year=year),
            workers=workers,
            progress=progress,
        )
        for sc in scenarios
    ]
    return np.column_stack(columns)


@dataclass
class Study:
    """A value-of-information study of one decision.

    Attributes
    ----------
    options : list of str
        The options' names (scenario names; the baseline's when it is an option).
    net_benefit : ndarray
        Shape ``(n, options)``: NPV against the baseline, EUR (0 for the baseline).
    draws : DataFrame
        The parameter draws (one row per sample point).
    evpi : Estimate
    groups : DataFrame
        One row per group: ``grouping``, ``group``, ``parameters`` (count), ``members``
        (names joined by spaces), ``evppi`` and ``standard_error`` (EUR), ``share_of_evpi``,
        the regression's ``skill`` and ``interpolates``, and whether it is ``estimable``
        (see :class:`Estimate`).
    """

    options: list[str]
    net_benefit: np.ndarray
    draws: pd.DataFrame
    evpi: Estimate
    groups: pd.DataFrame

    def option_table(self) -> pd.DataFrame:
        """Per option: mean and SD of the net benefit (EUR), chance it is the best option."""
        nb = self.net_benefit
        best = np.bincount(nb.argmax(axis=1), minlength=nb.shape[1]) / len(nb)
        return pd.DataFrame(
            {
                "option": self.options,
                "mean_net_benefit": nb.mean(axis=0),
                "sd_net_benefit": nb.std(axis=0, ddof=1),
                "chance_best": best,
            }
        )

    @property
    def chosen(self) -> str:
        """The option with the highest expected net benefit (the choice without new data)."""
        return self.options[int(np.argmax(self.net_benefit.mean(axis=0)))]


def group_values(
    net_benefit: np.ndarray,
    draws: pd.DataFrame,
    groupings: Mapping[str, Mapping[str, Sequence[str]]],
    total: Estimate,
    seed: int = 0,
    progress: Callable[[int], None] = lambda _: None,
) -> pd.DataFrame:
    """The EVPPI of every group of every grouping (see :attr:`Study.groups`)."""
    rows = []
    for grouping, groups in groupings.items():
        for group, members in groups.items():
            estimate = evppi(net_benefit, draws[list(members)].to_numpy(float), seed=seed)
            share = estimate.value / total.value if total.value > 0 else float("nan")
            rows.append(
                {
                    "grouping": grouping,
                    "group": group,
                    "parameters": len(members),
                    "members": " ".join(members),
                    "evppi": estimate.value,
                    "standard_error": estimate.standard_error,
                    "share_of_evpi": share,
                    "skill": estimate.skill,
                    "interpolates": estimate.interpolates,
                    "estimable": estimate.estimable,
                }
            )
            progress(1)
    return pd.DataFrame(rows)


def study(
    options: Sequence[str],
    net_benefit: np.ndarray,
    draws: pd.DataFrame,
    groupings: Sequence[str] = ("themes", "programmes"),
    seed: int = 0,
    progress: Callable[[int], None] = lambda _: None,
) -> Study:
    """EVPI and the EVPPI of each group of each of ``groupings`` (names in :data:`GROUPINGS`).

    ``net_benefit`` has one column per option (shape ``(n, options)``, EUR) at the rows of
    ``draws``.
    """
    unknown = [g for g in groupings if g not in GROUPINGS]
    if unknown:
        raise ValueError(f"groupings must be among {tuple(GROUPINGS)}, got {unknown}")
    total = evpi(net_benefit)
    names = list(draws.columns)
    groups = {g: GROUPINGS[g](names) for g in groupings}
    table = group_values(net_benefit, draws, groups, total, seed, progress)
    return Study(list(options), np.asarray(net_benefit, float), draws, total, table)
