"""``prevsim ensemble``: set up, run (resumably) and summarise an ensemble.

The results folder is ``results/ensembles/<scenario>-vs-<baseline>/<digest>/``, where the
digest hashes everything that determines the results. The same command therefore finds the
same folder, and an interrupted ensemble continues where it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from simulation.model.catalogue import REGISTRY
from simulation.workflow import compare as cmp
from simulation.workflow import experiment as ex
from simulation.workflow import store as st
from simulation.workflow.scenarios import Scenario


@dataclass
class Plan:
    """An ensemble ready to run: what, which tasks, and where results go."""

    ensemble: ex.Ensemble
    samples: pd.DataFrame
    replicates: int
    tasks: list[ex.Task]
    folder: Path
    varied: list[str]
    posterior: str | None


def default_varied(scenario: Scenario, engine: str, *others: Scenario) -> list[str]:
    """Uncertain parameters an ensemble varies by default: every one the engine or the
    economics uses, except those the scenario files set (``scenario``'s or any of
    ``others``'; calibrated values stay fixed, a calibration posterior varies them instead)."""
    fixed = set().union(scenario.params, *(s.params for s in others))
    return [
        n
        for n in REGISTRY.names(kind="uncertain")
        if n not in fixed
        and (engine in REGISTRY[n].engines or "economics" in REGISTRY[n].engines)
        and REGISTRY[n].range[0] < REGISTRY[n].range[1]
    ]


def plan(
    scenario: Scenario,
    baseline: Scenario,
    samples: int,
    replicates: int,
    seed: int,
    root: Path,
    engine: str = "sd",
    scale: float = 0.2,
    names: list[str] | None = None,
    posterior: Path | None = None,
    discount_rate: float | None = None,
    base_year: int | None = None,
) -> Plan:
    """Everything :func:`run` needs, without running a task.

    Raises
    ------
    ValueError
        For a parameter name that is unknown or not uncertain (one line).
    """
    draws = None
    if posterior is not None:
        draws = _read_posterior(posterior)
    varied = list(names) if names is not None else default_varied(scenario, engine)
    if draws is not None:
        varied = [n for n in varied if n not in draws.columns]
    for name in varied:
        if name not in REGISTRY:
            raise ValueError(f"--params: {REGISTRY.unknown_message(name)}")
        if REGISTRY[name].kind != "uncertain":
            raise ValueError(f"--params: {name!r} is a {REGISTRY[name].kind}, not uncertain")
    if engine == "sd":
        replicates = 1  # deterministic: replicates would repeat the same run
    table = ex.sample_parameters(varied, samples, seed, draws)
    tasks = ex.tasks_for(table, replicates, seed)
    rate = discount_rate
    if rate is None:
        rate = float(scenario.resolved_parameters()["discount_rate"])
    if base_year is None:
        nominal = cmp.run_comparison([baseline, scenario], engine="sd")
        base_year = cmp.first_difference_year(nominal)
    ensemble = ex.Ensemble(scenario, baseline, engine, scale, rate, base_year)
    name = f"{scenario.name}-vs-{baseline.name}"
    folder = Path(root) / "ensembles" / name / ensemble.digest(tasks)
    where = str(posterior) if posterior else None
    return Plan(ensemble, table, replicates, tasks, folder, varied, where)


def discard_if_empty(plan: Plan) -> None:
    """Remove the plan's folder if no task has finished in it (nothing worth keeping)."""
    import shutil

    tasks = plan.folder / "tasks"
    if plan.folder.is_dir() and not any(p for p in tasks.glob("*") if p.is_dir()):
        shutil.rmtree(plan.folder, ignore_errors=True)
        for parent in (plan.folder.parent, plan.folder.parent.parent):
            if parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()


def _read_posterior(path: Path) -> pd.DataFrame:
    from simulation.model.demography import DataFileError

    try:
        frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise DataFileError(f"{path}: cannot be read as a posterior sample ({exc})") from None
    frame = frame.drop(columns=[c for c in frame.columns if c == "log_posterior"])
    unknown = [c for c in frame.columns if c not in REGISTRY]
    if unknown or frame.empty:
        what = f"unknown parameter column {unknown[0]!r}" if unknown else "no rows"
        raise DataFileError(f"{path}: {what}; expected one column per parameter")
    return frame


def run(
    plan: Plan, scheduler: str, workers: int, progress=None, lang: str = "lt"
) -> tuple[int, int]:
    """Run the plan's unfinished tasks and write its summaries; (run now, failed now)."""
    store = ex.TaskStore(plan.folder)
    ran, failed = ex.run_ensemble(
        plan.ensemble, plan.tasks, store, scheduler, workers, progress=progress
    )
    write_summaries(plan, store, lang)
    return ran, failed


def _write_chart(plan: Plan, values: pd.DataFrame, bands: pd.DataFrame, lang: str) -> list[str]:
    """The value chart (PNG and PDF), drawn in a temporary folder and moved into place."""
    import shutil

    from simulation.reports.ensemble_charts import ensemble_value

    e = plan.ensemble
    tmp = plan.folder / ".charts.tmp"
    tmp.mkdir(exist_ok=True)
    names = ensemble_value(
        values, bands, tmp / "value", e.scenario.name, e.baseline.name, e.base_year, lang
    )
    for name in names:
        (tmp / name).replace(plan.folder / name)
    shutil.rmtree(tmp, ignore_errors=True)
    return names


def write_summaries(plan: Plan, store: ex.TaskStore, lang: str = "lt") -> None:
    """values.parquet, summary.csv, bands.parquet, failures.csv and manifest.json, each
    written to a temporary name and renamed, so a reader never sees half a file."""
    values = store.read("values")
    yearly = store.read("yearly")
    failures = store.failures()
    files = {"failures.csv": failures}
    if not values.empty:
        files["values.parquet"] = values
        files["summary.csv"] = ex.summary(values)
        files["bands.parquet"] = ex.bands(yearly)
    for name, frame in files.items():
        with st.atomic_file(plan.folder / name) as tmp:
            if name.endswith(".csv"):
                frame.to_csv(tmp, index=False)
            else:
                frame.to_parquet(tmp, index=False)
    e = plan.ensemble
    chance = None
    if not values.empty:
        files.update(dict.fromkeys(_write_chart(plan, values, files["bands.parquet"], lang)))
        chance = files["summary.csv"].attrs["chance_benefits_exceed_costs"]
    manifest = st.manifest(
        kind="ensemble",
        engine=e.engine,
        scale=e.scale if e.engine == "abm" else None,
        scenario=e.scenario.to_dict(),
        baseline=e.baseline.to_dict(),
        discount_rate=e.discount_rate,
        base_year=e.base_year,
        samples=len(plan.samples),
        replicates=plan.replicates,
        tasks=len(plan.tasks),
        finished=len(values),
        failed=len(failures),
        varied=plan.varied,
        posterior=plan.posterior,
        chance_benefits_exceed_costs=chance,
        files=sorted([*files, "manifest.json", "tasks/", "failures/"]),
    )
    with st.atomic_file(plan.folder / "manifest.json") as tmp:
        st.write_json(tmp, manifest)


def summary_lines(plan: Plan) -> list[str]:
    """The printed report: the spread of each value and the chance benefits exceed costs."""
    # the files write_summaries left, not every task's parts again
    path = plan.folder / "values.parquet"
    values = pd.read_parquet(path) if path.is_file() else pd.DataFrame()
    failures = pd.read_csv(plan.folder / "failures.csv").fillna("")
    e = plan.ensemble
    head = (
        f"Ensemble '{e.scenario.name}' against '{e.baseline.name}': {len(plan.samples)} "
        f"parameter samples x {plan.replicates} replicates ({e.engine} engine"
        + (f", scale {e.scale:g}" if e.engine == "abm" else "")
        + f"); EUR, 2024 prices, discounted at {e.discount_rate:.1%} to {e.base_year}."
    )
    lines = [
        head,
        f"Varied: {len(plan.varied)} parameters over their registry ranges"
        + (f"; calibrated ones from {plan.posterior}" if plan.posterior else "")
        + ".",
    ]
    if values.empty:
        lines.append("No task finished.")
        return [*lines, *_failure_lines(failures)]
    table = ex.summary(values)
    lines += ["", f"{'value':<30} {'mean':>12} {'5%':>12} {'median':>12} {'95%':>12}"]
    for row in table.itertuples():
        scale = 1e6 if row.value in ("npv", "benefits", "costs") else 1.0
        unit = " M EUR" if scale > 1 else ""
        if row.runs < len(values):  # break-even: only the runs that break even have a year
            unit = f" ({row.runs} of {len(values)} runs)"
        lines.append(
            f"{row.value + unit:<30} {row.mean / scale:>12,.2f} {row.p05 / scale:>12,.2f} "
            f"{row.median / scale:>12,.2f} {row.p95 / scale:>12,.2f}"
        )
    chance = table.attrs["chance_benefits_exceed_costs"]
    lines += ["", f"Chance that benefits exceed costs: {chance:.0%} of {len(values)} runs."]
    return [*lines, *_failure_lines(failures)]


def _failure_lines(failures: pd.DataFrame) -> list[str]:
    if failures.empty:
        return []
    first = failures.iloc[0]
    return [
        f"{len(failures)} task(s) failed (failures.csv); rerun the same command to retry "
        f"them. First: {first['task']}: {first['error']}"
    ]
