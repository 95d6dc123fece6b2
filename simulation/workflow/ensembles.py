"""Ensembles: many runs (parameter samples x stochastic replicates) through an executor.

An ensemble values a scenario against a baseline under uncertainty. Each :class:`Task` is
one parameter sample and one replicate: both scenarios run with the same parameter values
and the same seed (paired, common random numbers), and the task returns one row of values
(NPV, benefit-cost ratio, placements and child-years in care avoided, ...) and a small
yearly table (children in care, families in risk, cumulative net benefit).

Tasks run through an executor (:mod:`simulation.workflow.executors`) and stream to a
:class:`~simulation.workflow.ensemble_tasks.TaskStore` as they finish, so an interrupted ensemble
resumes. A :class:`Plan` is an ensemble ready to run: what, which tasks and where results go;
the same plan finds the same folder. Tasks and how they run (batched on the SD engine) are
in :mod:`simulation.workflow.ensemble_tasks`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.model.catalogue import REGISTRY
from simulation.model.vocabulary import REPLICATE_SCALE
from simulation.workflow import compare as cmp
from simulation.workflow import store as st
from simulation.workflow.ensemble_tasks import (  # noqa: F401 (re-exported: the ensemble's API)
    PV_PREFIX,
    VALUE_COLUMNS,
    Ensemble,
    Task,
    TaskStore,
    batches,
    guarded_batch,
    guarded_task,
    run_task,
)
from simulation.workflow.executors import run_tasks
from simulation.workflow.posterior_file import read_posterior
from simulation.workflow.scenarios import Scenario


# ---- the ensemble --------------------------------------------------------------------------
def sample_parameters(
    names: list[str],
    samples: int,
    seed: int,
    posterior: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Parameter samples from the registry ranges and from a calibration posterior.

    A Latin hypercube over the registry ranges of ``names``, and rows drawn (with replacement)
    from a calibration ``posterior`` for its columns.

    Returns
    -------
    DataFrame
        ``samples`` rows; one column per parameter.
    """
    from scipy.stats import qmc

    seq = np.random.SeedSequence(seed)
    lhs_seed, posterior_seed = seq.spawn(2)
    frame = pd.DataFrame(index=range(samples))
    if names:
        unit = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(lhs_seed)).random(
            samples
        )
        low = np.array([REGISTRY[n].range[0] for n in names])
        high = np.array([REGISTRY[n].range[1] for n in names])
        frame = pd.DataFrame(low + unit * (high - low), columns=list(names))
    if posterior is not None:
        rows = np.random.default_rng(posterior_seed).integers(len(posterior), size=samples)
        drawn = posterior.iloc[rows].reset_index(drop=True)
        for name in drawn.columns:
            frame[name] = drawn[name].to_numpy(float)
    return frame


def tasks_for(samples: pd.DataFrame, replicates: int, seed: int) -> list[Task]:
    """Tasks for every sample and replicate, each with its own seed.

    The seeds come from ``SeedSequence(seed).spawn``, so results do not depend on the order
    the tasks run in.
    """
    children = np.random.SeedSequence(seed).spawn(len(samples) * replicates)
    tasks = []
    for s, row in enumerate(samples.itertuples(index=False)):
        values = tuple((name, float(v)) for name, v in zip(samples.columns, row, strict=True))
        for r in range(replicates):
            child = children[s * replicates + r]
            tasks.append(Task(s, r, int(child.generate_state(1, np.uint32)[0]), values))
    return tasks


@dataclass
class Plan:
    """An ensemble ready to run: what, which tasks, and where results go."""

    ensemble: Ensemble
    samples: pd.DataFrame
    replicates: int
    tasks: list[Task]
    folder: Path
    varied: list[str]
    posterior: str | None
    #: What the draws are: over the registry ranges, or kept by history matching (a text
    #: for the report, e.g. "312 of 1,000 draws whose past matches the national data").
    draws: str = ""


def default_varied(scenario: Scenario, engine: str, *others: Scenario) -> list[str]:
    """Uncertain parameters an ensemble varies by default.

    Every one the engine or the economics uses, except those the scenario files set
    (``scenario``'s or any of ``others``'; calibrated values stay fixed, a calibration
    posterior varies them instead).
    """
    fixed = set().union(scenario.params, *(s.params for s in others))
    return [
        n
        for n in REGISTRY.names(kind="uncertain")
        if n not in fixed
        and (engine in REGISTRY[n].engines or "economics" in REGISTRY[n].engines)
        and REGISTRY[n].range[0] < REGISTRY[n].range[1]
    ]


@dataclass(frozen=True)
class EnsembleSettings:
    """How an ensemble samples and values (the options of ``prevsim ensemble``).

    Attributes
    ----------
    samples : int
        Parameter samples.
    replicates : int
        Stochastic replicates per sample (the SD engine is deterministic: 1).
    seed : int
        Root seed of the samples and the tasks.
    engine : {"sd", "abm"}
    scale : float
        Agent-based engine: share of families simulated.
    names : sequence of str, optional
        Uncertain parameters varied over their registry ranges (default:
        :func:`default_varied`).
    posterior : Path, optional
        A calibration posterior sample whose columns are drawn instead.
    discount_rate : float, optional
        Annual discount rate (default: the scenario's ``discount_rate``).
    base_year : int, optional
        Year values are discounted to (default: the first year the scenarios differ).
    table : DataFrame, optional
        Parameter draws to run as they are, one row per sample (for example the
        history-matched draws of :func:`simulation.analysis.monte_carlo.plausible_draws`);
        replaces ``samples``, ``names`` and ``posterior``.
    draws : str
        What ``table`` is, for the report.
    """

    samples: int = 100
    replicates: int = 1
    seed: int = 0
    engine: str = "sd"
    scale: float = REPLICATE_SCALE
    names: tuple[str, ...] | None = None
    posterior: Path | None = None
    discount_rate: float | None = None
    base_year: int | None = None
    table: pd.DataFrame | None = None
    draws: str = ""


def plan(scenario: Scenario, baseline: Scenario, settings: EnsembleSettings, root: Path) -> Plan:
    """Everything :func:`run` needs, without running a task.

    The folder is ``<root>/ensembles/<scenario>-vs-<baseline>/<digest>``, built by
    :func:`simulation.workflow.store.results_folder` (checked before any work).

    Raises
    ------
    ValueError
        For a parameter name that is unknown or not uncertain (one line).
    InputError
        For scenario names that cannot name a folder inside ``root``, or an empty ``root``.
    """
    s = settings
    label = f"{scenario.name}-vs-{baseline.name}"
    st.results_folder(root, "ensembles", label)  # refused here, before the comparison runs
    draws = None
    if s.posterior is not None:
        draws = read_posterior(s.posterior)
    varied = list(s.names) if s.names is not None else default_varied(scenario, s.engine)
    if draws is not None:
        varied = [n for n in varied if n not in draws.columns]
    for name in varied:
        if name not in REGISTRY:
            raise ValueError(f"--params: {REGISTRY.unknown_message(name)}")
        if REGISTRY[name].kind != "uncertain":
            raise ValueError(f"--params: {name!r} is a {REGISTRY[name].kind}, not uncertain")
    replicates = 1 if s.engine == "sd" else s.replicates  # sd: a replicate repeats the run
    if s.table is not None:
        table, varied = s.table.reset_index(drop=True), list(s.table.columns)
    else:
        table = sample_parameters(varied, s.samples, s.seed, draws)
    tasks = tasks_for(table, replicates, s.seed)
    rate = s.discount_rate
    if rate is None:
        rate = float(scenario.resolved_parameters()["discount_rate"])
    base_year = s.base_year
    if base_year is None:
        nominal = cmp.run_comparison([baseline, scenario], engine="sd")
        base_year = cmp.first_difference_year(nominal)
    ensemble = Ensemble(scenario, baseline, s.engine, s.scale, rate, base_year)
    folder = st.results_folder(root, "ensembles", label, ensemble.digest(tasks))
    where = str(s.posterior) if s.posterior else None
    return Plan(ensemble, table, replicates, tasks, folder, varied, where, s.draws)


def discard_if_empty(plan: Plan) -> None:
    """Remove the plan's folder if no task has finished in it (nothing worth keeping).

    Only while holding its lock: a folder another process is writing is theirs to keep.
    """
    import shutil

    if not plan.folder.is_dir():
        return
    try:
        release = st.lock_folder(plan.folder)
    except st.FolderBusy:
        return
    try:
        tasks = plan.folder / "tasks"
        if not any(p.is_dir() for p in tasks.glob("[!.]*")):  # no complete task folder
            shutil.rmtree(plan.folder, ignore_errors=True)
    finally:
        release()
    for parent in (plan.folder.parent, plan.folder.parent.parent):
        try:  # only if empty; another run may just have put a folder there
            parent.rmdir()
        except OSError:
            break


def run_ensemble(
    ensemble: Ensemble,
    tasks: list[Task],
    store: TaskStore,
    scheduler: str = "processes",
    workers: int = 2,
    progress: Callable[[Task], None] | None = None,
) -> tuple[int, int]:
    """Run the tasks not yet in ``store`` and store them; return (run now, failed now)."""
    todo = [t for t in tasks if not store.done(t)]
    failed = 0
    for done, results in _results(ensemble, tasks, todo, scheduler, workers):
        store.write_batch(done, results)
        failed += sum(not r["ok"] for r in results)
        for task in done if progress else ():
            progress(task)
    return len(todo), failed


def _results(ensemble: Ensemble, tasks: list[Task], todo: list[Task], scheduler: str, workers):
    """``(tasks, results)`` for the tasks of ``todo``, as they finish.

    One by one on the agent-based engine. On the SD engine in the batches of the whole plan
    (:func:`~simulation.workflow.ensemble_tasks.batches` of ``tasks``), every batch holding a
    task to do run whole, and stored together (tasks already stored are not rewritten).
    """
    if ensemble.engine != "sd":
        for task, result in run_tasks(guarded_task, ensemble, todo, scheduler, workers):
            yield [task], [result]
        return
    pending = {t.key for t in todo}
    units = [b for b in batches(tasks) if any(t.key in pending for t in b.tasks)]
    for batch, results in run_tasks(guarded_batch, ensemble, units, scheduler, workers):
        pairs = [(t, r) for t, r in zip(batch.tasks, results, strict=True) if t.key in pending]
        yield [t for t, _ in pairs], [r for _, r in pairs]


def run(
    plan: Plan, scheduler: str, workers: int, progress: Callable[[Task], None] | None = None
) -> tuple[TaskStore, int, int]:
    """Run the plan's unfinished tasks into the store of its folder.

    Returns the store, and the numbers of tasks run now and failed now. The store keeps the
    folder locked for the summaries: close it (or let it go) when they are written. A second
    process running the same plan meanwhile gets
    :class:`~simulation.workflow.store.FolderBusy` (one line), before any task runs.
    """
    store = TaskStore(plan.folder)
    try:
        ran, failed = run_ensemble(plan.ensemble, plan.tasks, store, scheduler, workers, progress)
    except BaseException:
        store.close()  # the caller may discard the folder (an unreachable scheduler)
        raise
    return store, ran, failed


# ---- summaries -----------------------------------------------------------------------------
def chance_interval(chance: float, draws: int, z: float = 1.6449) -> tuple[float, float]:
    """Monte Carlo 90% interval of a share estimated from ``draws`` independent draws.

    The normal approximation ``chance +- z sqrt(chance (1 - chance) / draws)``, within [0, 1]:
    how far another set of draws of the same size could put the reported chance.
    """
    if draws <= 0:
        return math.nan, math.nan
    half = z * math.sqrt(chance * (1.0 - chance) / draws)
    return max(chance - half, 0.0), min(chance + half, 1.0)


def summary(values: pd.DataFrame) -> pd.DataFrame:
    """Mean and quantiles of each value over all tasks, and the chance benefits exceed costs.

    The quantiles are 5, 25, 50, 75 and 95%; the chance that benefits exceed costs is
    WSIPP's "chance the benefits exceed costs".
    """
    rows = []
    for col in VALUE_COLUMNS:
        x = pd.to_numeric(values[col], errors="coerce").dropna().to_numpy(float)
        if not x.size:
            continue
        q = np.quantile(x, (0.05, 0.25, 0.5, 0.75, 0.95))
        rows.append(
            {
                "value": col,
                "mean": x.mean(),
                "p05": q[0],
                "p25": q[1],
                "median": q[2],
                "p75": q[3],
                "p95": q[4],
                "runs": x.size,
            }
        )
    frame = pd.DataFrame(rows)
    chance = float((values["npv"] > 0).mean())
    frame.attrs["chance_benefits_exceed_costs"] = chance
    frame.attrs["chance_interval"] = chance_interval(chance, len(values))
    return frame


def by_outcome(values: pd.DataFrame) -> pd.DataFrame:
    """Mean and 90% interval of the benefits by outcome and payer over the tasks, EUR.

    Columns ``outcome``, ``payer``, ``pv_eur`` (mean), ``pv_eur_p05``, ``pv_eur_p95``; the
    means add up to the mean benefits. Empty for tasks stored before the table existed.
    """
    rows = []
    for column in (c for c in values.columns if c.startswith(PV_PREFIX)):
        outcome, payer = column[len(PV_PREFIX) :].split(".")
        x = values[column].to_numpy(float)
        p05, p95 = np.quantile(x, (0.05, 0.95))
        rows.append((outcome, payer, x.mean(), p05, p95))
    return pd.DataFrame(rows, columns=["outcome", "payer", "pv_eur", "pv_eur_p05", "pv_eur_p95"])


def bands(yearly: pd.DataFrame) -> pd.DataFrame:
    """Yearly quantiles (5, 50, 95%) and mean of each yearly column, per role."""
    columns = [
        "children_placed",
        "child_years_in_care",
        "family_years_in_risk",
        "cumulative_net_benefit",
    ]
    grouped = yearly.groupby(["role", "year"])[columns]
    parts = {
        "mean": grouped.mean(),
        "p05": grouped.quantile(0.05),
        "median": grouped.quantile(0.5),
        "p95": grouped.quantile(0.95),
    }
    out = pd.concat(parts, axis=1)
    out.columns = [f"{col}.{stat}" for stat, col in out.columns]
    return out.reset_index()
