"""Global sensitivity analysis with SALib on problems built from the parameter registry.

Which uncertain assumptions decide whether early intervention pays off? A problem samples
the registry's ``uncertain`` parameters within their plausible ranges (EMA Workbench's
uncertainties; levers stay as the scenarios set them); every sample is evaluated through
the batched SD engine, for a scenario and, for outcomes "against" a baseline, for the
baseline with the same parameters; SALib computes the indices.

Methods: Sobol (first, second and total order with bootstrap confidence intervals), Morris
screening, and PAWN (moment-independent).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from simulation.analysis.evaluation import Question, evaluate, evaluate_abm
from simulation.model.catalogue import REGISTRY
from simulation.model.errors import InputError
from simulation.model.vocabulary import REPLICATE_SCALE, START_YEAR
from simulation.workflow.scenarios import Scenario

METHODS: tuple[str, ...] = ("sobol", "morris", "pawn")
#: One RK4 step a month: NPV differs from four steps by about 1e-4 of its spread across
#: samples (measured on 1,408 Sobol samples), far below the sampling error of the indices.
STEPS_PER_MONTH = 1
#: Years at which time-varying indices are computed (those with any spread in the outcome).
TIME_POINTS = (2015, 2020, 2028, 2030, 2035, 2040)


#: Outcomes in money: their default problem adds the parameters that value results (the
#: life course, unit values, discount and deadweight rates).
MONEY_OUTCOMES = ("npv",)


def default_names(engine: str = "sd", outcome: str | None = None) -> list[str]:
    """The parameters a study varies by default.

    Every ``uncertain`` parameter the engine uses and, for a money outcome, those the
    economics use (with a non-empty range).
    """
    names = REGISTRY.names("uncertain", engine=engine)
    if outcome in MONEY_OUTCOMES:
        names += [
            n
            for n in REGISTRY.names("uncertain", engine="economics")
            if n not in names and REGISTRY[n].range[0] < REGISTRY[n].range[1]
        ]
    return names


def problem(
    names: Sequence[str] | None = None,
    engine: str = "sd",
    groups: Callable[[str], str] | None = None,
    outcome: str | None = None,
) -> dict:
    """A SALib problem over uncertain parameters and their registry ranges.

    Parameters
    ----------
    names : sequence of str, optional
        Parameters to vary (default: :func:`default_names` of ``engine`` and ``outcome``).
    engine : {"sd", "abm"}
    groups : callable, optional
        ``groups(name) -> group label`` for grouped indices (e.g. by name prefix).
    outcome : str, optional
        The outcome studied (money outcomes vary the economics too).

    Raises
    ------
    KeyError
        For unknown names (with near-matches).
    ValueError
        For a parameter with an empty range or one that is not uncertain.
    """
    names = list(names) if names is not None else default_names(engine, outcome)
    bounds = []
    for name in names:
        p = REGISTRY[name]
        if p.kind != "uncertain":
            raise ValueError(f"{name} is a {p.kind} parameter; only uncertain ones are sampled")
        if p.range[0] >= p.range[1]:
            raise ValueError(f"{name} has an empty range {p.range}")
        bounds.append([p.range[0], p.range[1]])
    out = {"num_vars": len(names), "names": names, "bounds": bounds}
    if groups is not None:
        out["groups"] = [groups(n) for n in names]
    return out


def sample(prob: dict, method: str, n: int, seed: int, second_order: bool = False) -> np.ndarray:
    """Sample points for ``method``.

    Sobol' sequences (Saltelli scheme: N (D + 2) rows, or N (2D + 2) with ``second_order``),
    Morris trajectories (4 levels) or a Latin hypercube for PAWN. The first-order and total
    indices come from the same rows either way (the second-order rows are extra ones, used by
    nothing else), so leaving them out halves the study without changing S1 or ST.
    """
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(prob, n, calc_second_order=second_order, seed=seed)
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(prob, n, num_levels=4, seed=seed)
    if method == "pawn":
        from SALib.sample import latin

        return latin.sample(prob, n, seed=seed)
    raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def analyze(
    prob: dict,
    method: str,
    x: np.ndarray,
    y: np.ndarray,
    seed: int,
    workers: int = 1,
    second_order: bool = False,
) -> dict:
    """SALib's indices for outputs ``y`` of samples ``x``.

    The Sobol' bootstrap runs on ``workers`` processes; ``second_order`` must be what the
    sample was drawn with (:func:`sample`).
    """
    if method == "sobol":
        from SALib.analyze import sobol

        order = {"calc_second_order": second_order, "seed": seed}
        if workers > 1:
            return sobol.analyze(prob, y, **order, parallel=True, n_processors=workers)
        return sobol.analyze(prob, y, **order)
    if method == "morris":
        from SALib.analyze import morris

        return morris.analyze(prob, x, y, seed=seed)
    if method == "pawn":
        from SALib.analyze import pawn

        return pawn.analyze(prob, x, y, S=10, seed=seed)
    raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def indices_table(prob: dict, method: str, result: dict) -> pd.DataFrame:
    """The indices of ``result`` as a table, one row per parameter (or group).

    First-order and total indices (Sobol), mu* and sigma (Morris) or the PAWN median; most
    influential first.
    """
    labels = prob.get("groups") or prob["names"]
    labels = list(dict.fromkeys(labels))
    keys = {
        "sobol": ["S1", "S1_conf", "ST", "ST_conf"],
        "morris": ["mu_star", "mu_star_conf", "sigma"],
        "pawn": ["median", "minimum", "maximum"],
    }[method]
    table = pd.DataFrame({k: np.asarray(result[k], float) for k in keys}, index=labels)
    order = {"sobol": "ST", "morris": "mu_star", "pawn": "median"}[method]
    return table.sort_values(order, ascending=False)


def time_varying(
    prob: dict,
    method: str,
    x: np.ndarray,
    y_years: np.ndarray,
    years: Sequence[int],
    seed: int,
) -> pd.DataFrame:
    """The main index (ST, mu_star or PAWN median) over time.

    The index of the outcome accumulated to the end of each of ``years``: one row per year, one
    column per parameter.
    """
    key = {"sobol": "ST", "morris": "mu_star", "pawn": "median"}[method]
    rows = {}
    for year in years:
        column = y_years[:, year - START_YEAR]
        rows[year] = indices_table(prob, method, analyze(prob, method, x, column, seed))[key]
    return pd.DataFrame(rows).T


def base_sample_size(method: str, prob: dict, rows: int, second_order: bool = False) -> int:
    """The ``N`` of a sample with ``rows`` rows.

    Saltelli: N (D + 2), or N (2D + 2) with second-order rows; Morris: N (D + 1).
    """
    d = len(set(prob.get("groups") or prob["names"]))
    sobol_rows = 2 * d + 2 if second_order else d + 2
    per = {"sobol": sobol_rows, "morris": d + 1, "pawn": 1}[method]
    return rows // per


def without_second_order(prob: dict, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The rows of a second-order Saltelli sample that a first-order one has.

    Each base point's block of 2D + 2 rows is A, AB_1 ... AB_D, BA_1 ... BA_D, B (SALib's
    order); the BA rows serve the second-order indices only.
    """
    d = len(set(prob.get("groups") or prob["names"]))
    keep = np.r_[np.arange(d + 1), 2 * d + 1]
    return tuple(
        a.reshape(-1, 2 * d + 2, *a.shape[1:])[:, keep].reshape(-1, *a.shape[1:]) for a in arrays
    )


def convergence(prob: dict, method: str, x: np.ndarray, y: np.ndarray, seed: int) -> pd.DataFrame:
    """Indices on the first N/4, N/2 and N base samples (first-order and total only).

    These are valid prefixes of a Sobol' or Latin sample, and whole trajectories for Morris. One
    column per size, one row per parameter, with the main index (ST, mu_star or median).
    """
    n = base_sample_size(method, prob, len(x))
    per = len(x) // n
    key = {"sobol": "ST", "morris": "mu_star", "pawn": "median"}[method]
    columns = {}
    for size in (n // 4, n // 2, n):
        if size < 2:
            continue
        rows = size * per
        result = analyze(prob, method, x[:rows], y[:rows], seed)
        columns[f"N={size}"] = indices_table(prob, method, result)[key]
    return pd.DataFrame(columns)


def converged(table: pd.DataFrame, tolerance: float = 0.05) -> bool:
    """Whether the indices have converged between N/2 and N (needs two sizes).

    True when the top five parameters at N keep their rank set at N/2 and their main index moved
    by less than ``tolerance`` of the largest index.
    """
    if table.shape[1] < 2:
        return False
    half, full = table.iloc[:, -2], table.iloc[:, -1]
    top = full.sort_values(ascending=False).index[:5]
    same_top = set(top) == set(half.sort_values(ascending=False).index[:5])
    scale = max(abs(full).max(), 1e-300)
    return same_top and float((full - half).abs().max()) <= tolerance * scale


# ---- a study -------------------------------------------------------------------------------
@dataclass(frozen=True)
class StudySettings:
    """How a sensitivity study samples and evaluates (the options of ``prevsim sensitivity``).

    Attributes
    ----------
    method : {"sobol", "morris", "pawn"}
    n : int
        Base sample size (Sobol: N (D + 2) evaluations, N (2D + 2) with ``second_order``;
        Morris: N trajectories).
    outcome : str
        One of :data:`simulation.analysis.evaluation.OUTCOMES`.
    seed : int
        Seed of the sample and of the bootstrap.
    names : tuple of str, optional
        Uncertain parameters varied (default: every one the engine uses).
    engine : {"sd", "abm"}
        The agent-based engine supports Morris screening only.
    replicates : int
        Agent-based engine: paired replicates per sample point.
    scale : float
        Agent-based engine: share of families simulated.
    workers : int
        Processes for the SD engine's batches and Sobol's bootstrap.
    second_order : bool
        Sobol: also the second-order indices (N (2D + 2) evaluations instead of N (D + 2),
        for the same first-order and total indices).
    """

    method: str = "sobol"
    n: int = 256
    outcome: str = "npv"
    seed: int = 0
    names: tuple[str, ...] | None = None
    engine: str = "sd"
    replicates: int = 3
    scale: float = REPLICATE_SCALE
    workers: int = 1
    second_order: bool = False


@dataclass
class Study:
    """Everything a sensitivity study produced (see :func:`run_study`)."""

    scenario: Scenario
    baseline: Scenario | None
    settings: StudySettings
    problem: dict
    x: np.ndarray
    y: np.ndarray
    result: dict
    indices: pd.DataFrame
    convergence: pd.DataFrame
    converged: bool
    time_varying: pd.DataFrame | None
    engine: str
    sign: pd.DataFrame | None = None


def _evaluate(question: Question, prob: dict, x: np.ndarray, s: StudySettings, progress):
    """Outcomes ``(y, y_years or None, engine description)`` of every sample row."""
    if s.engine == "abm":
        y = evaluate_abm(prob["names"], x, question, s.replicates, s.scale, s.seed, progress)
        return y, None, f"abm engine, {s.replicates} paired replicates at scale {s.scale:g}"
    fast = [
        replace(sc, run=replace(sc.run, steps_per_month=STEPS_PER_MONTH))
        for sc in (question.scenario, question.baseline)
        if sc is not None
    ]
    question = replace(question, scenario=fast[0], baseline=fast[1] if len(fast) > 1 else None)
    y_years = evaluate(
        prob["names"], x, question, progress=progress, by_year=True, workers=s.workers
    )
    return y_years[:, -1], y_years, f"sd engine, {STEPS_PER_MONTH} Runge-Kutta step a month"


def _check_varies(y: np.ndarray, outcome: str, scenario, baseline) -> None:
    """Refuse an outcome that is not finite or the same for every sample: no index exists."""
    if not np.isfinite(y).all():
        raise InputError(f"{scenario.path}: the outcome {outcome} is not finite for some samples")
    if np.ptp(y) == 0:
        against = f" and {baseline.path}" if baseline is not None else ""
        raise InputError(
            f"{scenario.path}{against}: the outcome {outcome} is {y[0]:g} for every sample: "
            "no parameter moves it (do the scenarios differ before their last year?)"
        )


def run_study(
    scenario: Scenario,
    baseline: Scenario | None,
    settings: StudySettings,
    progress: Callable[[int], None] = lambda _: None,
) -> Study:
    """Sample, evaluate and analyse.

    The agent-based engine supports Morris screening only (each row costs replicated
    agent-based runs); it gives no time-varying indices.
    """
    s = settings
    if s.engine == "abm" and s.method != "morris":
        raise ValueError("the agent-based engine supports --method morris only")
    question = Question(scenario, s.outcome, baseline)
    prob = problem(s.names, engine=s.engine, outcome=s.outcome)
    second = s.second_order and s.method == "sobol"
    x = sample(prob, s.method, s.n, s.seed, second_order=second)
    y, y_years, described = _evaluate(question, prob, x, s, progress)
    _check_varies(y, s.outcome, scenario, baseline)
    result = analyze(prob, s.method, x, y, s.seed, workers=s.workers, second_order=second)
    # convergence and time-varying indices: first-order and total only, on the same rows
    x1, y1 = without_second_order(prob, x, y) if second else (x, y)
    conv = convergence(prob, s.method, x1, y1, s.seed)
    varying = None
    if y_years is not None:
        years_1 = without_second_order(prob, y_years)[0] if second else y_years
        end = START_YEAR + y_years.shape[1] - 1
        years = [yr for yr in TIME_POINTS if yr <= end and y_years[:, yr - START_YEAR].std() > 0]
        varying = time_varying(prob, s.method, x1, years_1, years, s.seed) if years else None
    return Study(
        scenario=scenario,
        baseline=baseline,
        settings=s,
        problem=prob,
        x=x,
        y=y,
        result=result,
        indices=indices_table(prob, s.method, result),
        convergence=conv,
        converged=converged(conv),
        time_varying=varying,
        engine=described,
        sign=sign_drivers(prob["names"], x, y) if s.outcome in MONEY_OUTCOMES else None,
    )


def sign_drivers(names: Sequence[str], x: np.ndarray, y: np.ndarray) -> pd.DataFrame | None:
    """Which parameters decide the sign of ``y`` (Monte Carlo filtering).

    The samples split into those with ``y > 0`` and the rest; for each parameter, the
    Kolmogorov-Smirnov distance between its values in the two groups (Spear and Hornberger's
    regional sensitivity analysis), and the share of samples with ``y > 0`` when the parameter
    is in the lowest and in the highest fifth of its sampled values. ``None`` when every
    sample has the same sign.

    Returns
    -------
    DataFrame or None
        Indexed by parameter, columns ``ks``, ``p_value``, ``positive_low``,
        ``positive_high``, sorted by ``ks`` (largest first).
    """
    from scipy.stats import ks_2samp

    positive = y > 0
    if positive.all() or not positive.any():
        return None
    rows = {}
    for j, name in enumerate(names):
        values = x[:, j]
        test = ks_2samp(values[positive], values[~positive])
        low, high = np.quantile(values, (0.2, 0.8))
        rows[name] = {
            "ks": float(test.statistic),
            "p_value": float(test.pvalue),
            "positive_low": float(positive[values <= low].mean()),
            "positive_high": float(positive[values >= high].mean()),
        }
    return pd.DataFrame.from_dict(rows, orient="index").sort_values("ks", ascending=False)
