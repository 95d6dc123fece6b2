"""Evaluate an outcome of a scenario, against a baseline, for many parameter sets.

The batched SD engine integrates thousands of parameter sets in one call; scenario and
baseline share their integration up to the first month their inputs differ. The agent-based
engine evaluates with paired replicates. Sensitivity analysis, and any question asked of many
parameter sets, goes through here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from simulation.engines.sd import SDModel
from simulation.model.catalogue import REGISTRY
from simulation.model.vocabulary import REPLICATE_SCALE, START_YEAR
from simulation.workflow import economics as ec
from simulation.workflow.economics import yearly_arrays
from simulation.workflow.runner import sd_model
from simulation.workflow.scenarios import Scenario

#: Outcomes: name -> (needs a baseline, unit, description).
OUTCOMES: dict[str, tuple[bool, str, str]] = {
    "npv": (True, "EUR", "net present value against the baseline"),
    "placements_avoided": (True, "families", "placements avoided against the baseline"),
    "child_years_in_care_avoided": (True, "child-years", "child-years in care avoided"),
    "child_years_in_care": (False, "child-years", "child-years in care over the horizon"),
    "total_cost": (False, "EUR", "public cost over the horizon, undiscounted"),
}


@dataclass(frozen=True)
class Question:
    """What an evaluation asks.

    The ``outcome`` of ``scenario``, against ``baseline`` for the outcomes that need one, money
    discounted at ``rate`` (default: the scenario's ``discount_rate``) to ``base_year``.

    Raises
    ------
    ValueError
        For an unknown outcome, or one that needs a baseline without one.
    """

    scenario: Scenario
    outcome: str = "npv"
    baseline: Scenario | None = None
    rate: float | None = None
    base_year: int = 2027

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {tuple(OUTCOMES)}, got {self.outcome!r}")
        if OUTCOMES[self.outcome][0] and self.baseline is None:
            raise ValueError(f"outcome {self.outcome!r} needs a baseline")

    @property
    def discount_rate(self) -> float:
        """The rate money is discounted at (1/yr)."""
        if self.rate is not None:
            return self.rate
        return float(self.scenario.resolved_parameters()["discount_rate"])


#: What the accounts read (see :func:`simulation.workflow.economics.yearly_arrays`).
SAVED = ("flows", "stock_years", "costs", "programme_costs", "served_years", "unspent")


def national_model(sc: Scenario, params: dict) -> SDModel:
    """The SD model of ``sc`` at national resolution with parameters ``params``."""
    return sd_model(replace(sc, run=replace(sc.run, resolution="national")), params)


def divergence_month(a: SDModel, b: SDModel) -> int:
    """First month in which two models' inputs differ (their states agree until then).

    0 if any engine parameter differs, the horizon's length if nothing does.
    """
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


def evaluate_chunk(names: Sequence[str], rows: np.ndarray, question: Question) -> np.ndarray:
    """The outcome accumulated to each year's end, ``(years, len(rows))``, for one batch.

    Scenario and baseline share their integration up to the first month their inputs differ
    (:func:`divergence_month`): a policy from 2027 costs 14 years of extra integration, not 32.
    """
    scenario, baseline, outcome = question.scenario, question.baseline, question.outcome
    rate, base_year = question.discount_rate, question.base_year
    sampled = {n: rows[:, j] for j, n in enumerate(names)}
    scen_model = national_model(scenario, {**scenario.params, **sampled})
    resolved = REGISTRY.resolve({**scenario.params, **scenario.levers, **sampled})
    if baseline is None:
        scen = yearly_arrays(scen_model.run(SAVED, every=12), resolved)
        return outcome_by_year(outcome, scen, None, rate, base_year, START_YEAR)
    base_model = national_model(baseline, {**baseline.params, **sampled})
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
    """An outcome accumulated up to the end of each year, shape ``(years, K)``.

    The last row is the outcome over the horizon (NPV up to year t, placements avoided so
    far...).
    """
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


def mean_se(values: np.ndarray) -> tuple[float, float]:
    """The mean of ``values`` (one per draw) and its standard error (NaN for one draw)."""
    n = len(values)
    se = float(values.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    return float(values.mean()), se


def outcome_values(name, scenario, baseline, rate, base_year, first_year) -> np.ndarray:
    """The outcome over the whole horizon for every parameter set, shape ``(K,)``."""
    return outcome_by_year(name, scenario, baseline, rate, base_year, first_year)[-1]


def evaluate(
    names: Sequence[str],
    x: np.ndarray,
    question: Question,
    chunk: int = 2500,
    progress: Callable[[int], None] = lambda _: None,
    by_year: bool = False,
    workers: int = 1,
) -> np.ndarray:
    """Evaluate the question for every row of ``x`` with the batched SD engine.

    The rows of ``x`` are values of ``names``. Rows go in chunks of ``chunk`` (one batched
    integration each, for the scenario and the baseline with the same parameter values), over
    ``workers`` processes; the SD engine is deterministic, so the result does not depend on the
    number of workers.

    Returns
    -------
    ndarray
        Shape ``(len(x),)``, or ``(len(x), years)`` accumulated to each year's end when
        ``by_year`` (the last column is then the horizon's value).
    """
    chunks = [x[start : start + chunk] for start in range(0, len(x), chunk)]
    columns = []
    if workers > 1 and len(chunks) > 1:
        from simulation.workflow.pool import process_pool

        with process_pool(workers) as pool:
            futures = [pool.submit(evaluate_chunk, names, rows, question) for rows in chunks]
            for rows, future in zip(chunks, futures, strict=True):
                columns.append(future.result())
                progress(len(rows))
    else:
        for rows in chunks:
            columns.append(evaluate_chunk(names, rows, question))
            progress(len(rows))
    values = np.concatenate(columns, axis=1).T  # (rows, years)
    return values if by_year else values[:, -1]


def evaluate_abm(
    names: Sequence[str],
    x: np.ndarray,
    question: Question,
    replicates: int = 3,
    scale: float = REPLICATE_SCALE,
    seed: int = 0,
    progress: Callable[[int], None] = lambda _: None,
) -> np.ndarray:
    """Evaluate the question for every row of ``x`` with the agent-based engine.

    Each row runs ``replicates`` paired replicates (scenario and baseline with the same
    seeds, and the same seeds for every row: common random numbers across rows too, so
    that Morris's elementary effects compare like with like) at ``scale``; the outcome is
    the mean over replicates. Meant for Morris screening with few parameters: every row
    costs ``replicates`` (x 2 with a baseline) agent-based runs.
    """
    from simulation.workflow import compare as cmp

    scenario, baseline = question.scenario, question.baseline
    rate = question.discount_rate
    out = np.empty(len(x))
    for i, row in enumerate(x):
        sampled = {n: float(v) for n, v in zip(names, row, strict=True)}
        with_row = [
            replace(s, params={**s.params, **sampled})
            for s in ([baseline] if baseline else []) + [scenario]
        ]
        comparison = cmp.run_comparison(
            with_row, engine="abm", replicates=replicates, seed=seed, scale=scale
        )

        def arrays(name: str, r: int, accounts=comparison.accounts) -> dict[str, np.ndarray]:
            return {k: v.to_numpy()[:, None] for k, v in accounts[name][r].items()}

        runs = [
            outcome_values(
                question.outcome,
                arrays(scenario.name, r),
                arrays(baseline.name, r) if baseline is not None else None,
                rate,
                question.base_year,
                START_YEAR,
            )[0]
            for r in range(replicates)
        ]
        out[i] = np.mean(runs)
        progress(1)
    return out
