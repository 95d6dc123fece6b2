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
from dataclasses import replace

import numpy as np
import pandas as pd

from simulation.engines.sd import SDModel
from simulation.model.catalogue import REGISTRY
from simulation.model.vocabulary import START_YEAR
from simulation.workflow import economics as ec
from simulation.workflow.economics import yearly_arrays
from simulation.workflow.runner import sd_model
from simulation.workflow.scenarios import Scenario

METHODS: tuple[str, ...] = ("sobol", "morris", "pawn")
#: Outcomes: name -> (needs a baseline, unit, description).
OUTCOMES: dict[str, tuple[bool, str, str]] = {
    "npv": (True, "EUR", "net present value against the baseline"),
    "placements_avoided": (True, "families", "placements avoided against the baseline"),
    "child_years_in_care_avoided": (True, "child-years", "child-years in care avoided"),
    "child_years_in_care": (False, "child-years", "child-years in care over the horizon"),
    "total_cost": (False, "EUR", "public cost over the horizon, undiscounted"),
}


def problem(
    names: Sequence[str] | None = None,
    engine: str = "sd",
    groups: Callable[[str], str] | None = None,
) -> dict:
    """A SALib problem over uncertain parameters and their registry ranges.

    Parameters
    ----------
    names : sequence of str, optional
        Parameters to vary (default: every ``uncertain`` parameter the engine uses).
    engine : {"sd", "abm"}
    groups : callable, optional
        ``groups(name) -> group label`` for grouped indices (e.g. by name prefix).

    Raises
    ------
    KeyError
        For unknown names (with near-matches).
    ValueError
        For a parameter with an empty range or one that is not uncertain.
    """
    names = list(names) if names is not None else REGISTRY.names("uncertain", engine=engine)
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


def sample(prob: dict, method: str, n: int, seed: int) -> np.ndarray:
    """Sample points for ``method``: Sobol' sequences (Saltelli scheme, second order),
    Morris trajectories (4 levels) or a Latin hypercube for PAWN."""
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(prob, n, calc_second_order=True, seed=seed)
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(prob, n, num_levels=4, seed=seed)
    if method == "pawn":
        from SALib.sample import latin

        return latin.sample(prob, n, seed=seed)
    raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def analyze(
    prob: dict, method: str, x: np.ndarray, y: np.ndarray, seed: int, workers: int = 1
) -> dict:
    """SALib's indices for outputs ``y`` of samples ``x`` (Sobol' bootstrap on ``workers``
    processes)."""
    if method == "sobol":
        from SALib.analyze import sobol

        if workers > 1:
            return sobol.analyze(
                prob, y, calc_second_order=True, seed=seed, parallel=True, n_processors=workers
            )
        return sobol.analyze(prob, y, calc_second_order=True, seed=seed)
    if method == "morris":
        from SALib.analyze import morris

        return morris.analyze(prob, x, y, seed=seed)
    if method == "pawn":
        from SALib.analyze import pawn

        return pawn.analyze(prob, x, y, S=10, seed=seed)
    raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def indices_table(prob: dict, method: str, result: dict) -> pd.DataFrame:
    """First-order and total indices (Sobol), mu* and sigma (Morris) or the PAWN median,
    one row per parameter (or group), most influential first."""
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


SAVED = ("flows", "stock_years", "costs")


def _model(sc: Scenario, params: dict) -> SDModel:
    return sd_model(replace(sc, run=replace(sc.run, resolution="national")), params)


def divergence_month(a: SDModel, b: SDModel) -> int:
    """First month in which two models' inputs differ (their states agree until then): 0 if
    any engine parameter differs, the horizon's length if nothing does."""
    if a.n_months != b.n_months or a.steps_per_month != b.steps_per_month:
        return 0
    if any(not np.array_equal(v, b.static[n]) for n, v in a.static.items()):
        return 0
    month = a.n_months
    for name, path in a.lever_paths.items():
        differs = np.any((path != b.lever_paths[name]).reshape(a.n_months, -1), axis=1)
        if differs.any():
            month = min(month, int(np.flatnonzero(differs)[0]))
    return month


def evaluate_chunk(
    names: Sequence[str],
    rows: np.ndarray,
    scenario: Scenario,
    baseline: Scenario | None,
    outcome: str,
    rate: float,
    base_year: int,
) -> np.ndarray:
    """The outcome accumulated to each year's end, ``(years, len(rows))``, for one batch.

    Scenario and baseline share their integration up to the first month their inputs differ
    (:func:`divergence_month`): a policy from 2027 costs 14 years of extra integration, not 32.
    """
    sampled = {n: rows[:, j] for j, n in enumerate(names)}
    scen_model = _model(scenario, {**scenario.params, **sampled})
    resolved = REGISTRY.resolve({**scenario.params, **scenario.levers, **sampled})
    if baseline is None:
        scen = yearly_arrays(scen_model.run(SAVED, every=12), resolved)
        return outcome_by_year(outcome, scen, None, rate, base_year, START_YEAR)
    base_model = _model(baseline, {**baseline.params, **sampled})
    start = divergence_month(scen_model, base_model)
    prefix = base_model.run(SAVED, stop_month=start, every=12)
    rest = {"y0": prefix.final, "start_month": start, "every": 12}
    base_result = prefix.continued_by(base_model.run(SAVED, **rest))
    scen_result = prefix.continued_by(scen_model.run(SAVED, **rest))
    base_resolved = REGISTRY.resolve({**baseline.params, **baseline.levers, **sampled})
    return outcome_by_year(
        outcome,
        yearly_arrays(scen_result, resolved),
        yearly_arrays(base_result, base_resolved),
        rate,
        base_year,
        START_YEAR,
    )


def outcome_by_year(
    name: str, scenario: dict, baseline: dict | None, rate: float, base_year: int, first_year: int
) -> np.ndarray:
    """An outcome accumulated up to the end of each year, shape ``(years, K)``: the last
    row is the outcome over the horizon (NPV up to year t, placements avoided so far...)."""
    if name == "total_cost":
        return np.cumsum(scenario["total_cost"], axis=0)
    if name == "child_years_in_care":
        return np.cumsum(scenario["child_years_in_care"], axis=0)
    if baseline is None:
        raise ValueError(f"outcome {name!r} needs a baseline")
    if name == "placements_avoided":
        return np.cumsum(baseline["placements"] - scenario["placements"], axis=0)
    if name == "child_years_in_care_avoided":
        return np.cumsum(baseline["child_years_in_care"] - scenario["child_years_in_care"], axis=0)
    if name == "npv":
        years = first_year + np.arange(scenario["service_cost"].shape[0])
        return ec.cumulative_net_benefit(scenario, baseline, years, rate, base_year)
    raise ValueError(f"outcome must be one of {tuple(OUTCOMES)}, got {name!r}")


def outcome_values(name, scenario, baseline, rate, base_year, first_year) -> np.ndarray:
    """The outcome over the whole horizon for every parameter set, shape ``(K,)``."""
    return outcome_by_year(name, scenario, baseline, rate, base_year, first_year)[-1]


def evaluate(
    prob: dict,
    x: np.ndarray,
    scenario: Scenario,
    outcome: str,
    baseline: Scenario | None = None,
    rate: float | None = None,
    base_year: int = 2027,
    chunk: int = 2500,
    progress: Callable[[int], None] = lambda _: None,
    by_year: bool = False,
    workers: int = 1,
) -> np.ndarray:
    """Evaluate ``outcome`` for every row of ``x`` with the batched SD engine.

    Rows go in chunks of ``chunk`` (one batched integration each, for the scenario and the
    baseline with the same parameter values), over ``workers`` processes; the SD engine is
    deterministic, so the result does not depend on the number of workers.

    Returns
    -------
    ndarray
        Shape ``(len(x),)``, or ``(len(x), years)`` accumulated to each year's end when
        ``by_year`` (the last column is then the horizon's value).
    """
    if OUTCOMES[outcome][0] and baseline is None:
        raise ValueError(f"outcome {outcome!r} needs a baseline")
    if rate is None:
        rate = scenario.resolved_parameters()["discount_rate"]
    chunks = [x[start : start + chunk] for start in range(0, len(x), chunk)]
    args = (prob["names"], scenario, baseline, outcome, rate, base_year)
    columns = []
    if workers > 1 and len(chunks) > 1:
        from simulation.workflow.pool import process_pool

        with process_pool(workers) as pool:
            futures = [pool.submit(evaluate_chunk, args[0], rows, *args[1:]) for rows in chunks]
            for rows, future in zip(chunks, futures, strict=True):
                columns.append(future.result())
                progress(len(rows))
    else:
        for rows in chunks:
            columns.append(evaluate_chunk(args[0], rows, *args[1:]))
            progress(len(rows))
    values = np.concatenate(columns, axis=1).T  # (rows, years)
    return values if by_year else values[:, -1]


def time_varying(
    prob: dict,
    method: str,
    x: np.ndarray,
    y_years: np.ndarray,
    years: Sequence[int],
    seed: int,
) -> pd.DataFrame:
    """The main index (ST, mu_star or PAWN median) of the outcome accumulated to the end of
    each of ``years``: one row per year, one column per parameter."""
    key = {"sobol": "ST", "morris": "mu_star", "pawn": "median"}[method]
    rows = {}
    for year in years:
        column = y_years[:, year - START_YEAR]
        rows[year] = indices_table(prob, method, analyze(prob, method, x, column, seed))[key]
    return pd.DataFrame(rows).T


def base_sample_size(method: str, prob: dict, rows: int) -> int:
    """The ``N`` of a sample with ``rows`` rows (Saltelli: N (2D + 2); Morris: N (D + 1))."""
    d = len(set(prob.get("groups") or prob["names"]))
    per = {"sobol": 2 * d + 2, "morris": d + 1, "pawn": 1}[method]
    return rows // per


def convergence(prob: dict, method: str, x: np.ndarray, y: np.ndarray, seed: int) -> pd.DataFrame:
    """Indices on the first N/4, N/2 and N base samples (valid prefixes of a Sobol' or
    Latin sample, and whole trajectories for Morris): one column per size, one row per
    parameter, with the main index (ST, mu_star or median)."""
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
    """Whether the top five parameters at N keep their rank set at N/2 and their main index
    moved by less than ``tolerance`` of the largest index (needs two sizes)."""
    if table.shape[1] < 2:
        return False
    half, full = table.iloc[:, -2], table.iloc[:, -1]
    top = full.sort_values(ascending=False).index[:5]
    same_top = set(top) == set(half.sort_values(ascending=False).index[:5])
    scale = max(abs(full).max(), 1e-300)
    return same_top and float((full - half).abs().max()) <= tolerance * scale


def evaluate_abm(
    prob: dict,
    x: np.ndarray,
    scenario: Scenario,
    outcome: str,
    baseline: Scenario | None = None,
    replicates: int = 3,
    scale: float = 0.05,
    seed: int = 0,
    rate: float | None = None,
    base_year: int = 2027,
    progress: Callable[[int], None] = lambda _: None,
) -> np.ndarray:
    """Evaluate ``outcome`` for every row of ``x`` with the agent-based engine.

    Each row runs ``replicates`` paired replicates (scenario and baseline with the same
    seeds, and the same seeds for every row: common random numbers across rows too, so
    that Morris's elementary effects compare like with like) at ``scale``; the outcome is
    the mean over replicates. Meant for Morris screening with few parameters: every row
    costs ``replicates`` (x 2 with a baseline) agent-based runs.
    """
    from simulation.workflow import compare as cmp

    if OUTCOMES[outcome][0] and baseline is None:
        raise ValueError(f"outcome {outcome!r} needs a baseline")
    if rate is None:
        rate = scenario.resolved_parameters()["discount_rate"]
    out = np.empty(len(x))
    for i, row in enumerate(x):
        sampled = {n: float(v) for n, v in zip(prob["names"], row, strict=True)}
        with_row = [
            replace(s, params={**s.params, **sampled})
            for s in ([baseline] if baseline else []) + [scenario]
        ]
        comparison = cmp.run_comparison(
            with_row, engine="abm", replicates=replicates, seed=seed, scale=scale
        )
        runs = []
        for r in range(replicates):
            scen = {
                k: v.to_numpy()[:, None] for k, v in comparison.accounts[scenario.name][r].items()
            }
            base = None
            if baseline is not None:
                base = {
                    k: v.to_numpy()[:, None]
                    for k, v in comparison.accounts[baseline.name][r].items()
                }
            runs.append(outcome_values(outcome, scen, base, rate, base_year, START_YEAR)[0])
        out[i] = np.mean(runs)
        progress(1)
    return out
