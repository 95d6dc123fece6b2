"""The written results of ``prevsim ensemble``.

Summaries, the value chart and the manifest, and the printed report.

The results folder is ``results/ensembles/<scenario>-vs-<baseline>/<digest>/``, where the
digest hashes everything that determines the results (see
:func:`simulation.workflow.ensembles.plan`).
"""

from __future__ import annotations

import pandas as pd

from simulation.workflow import ensembles as ens
from simulation.workflow import store as st
from simulation.workflow.ensemble_tasks import TaskStore
from simulation.workflow.ensembles import Plan


def _write_chart(plan: Plan, values: pd.DataFrame, bands: pd.DataFrame, lang: str) -> list[str]:
    """The value chart (PNG and PDF), drawn in a temporary folder and moved into place."""
    import shutil

    from simulation.reports import value_charts
    from simulation.reports.ensemble_charts import ensemble_value
    from simulation.reports.labels import scenario_title

    e = plan.ensemble
    tmp = st.temporary_path(plan.folder / "charts")  # never read as a task; swept if left
    tmp.mkdir()
    names = ensemble_value(
        values, bands, tmp / "value", e.scenario.name, e.baseline.name, e.base_year, lang
    )
    table = ens.by_outcome(values)
    if not table.empty:
        table["scenario"] = e.scenario.name
        titles = {s.name: scenario_title(s.title, s.name, lang) for s in (e.baseline, e.scenario)}
        names += value_charts.benefits_by_outcome(
            table,
            {e.scenario.name: float(values["costs"].mean())},
            titles,
            e.base_year,
            tmp / "benefits_by_outcome",
            lang,
        )
    for name in names:
        (tmp / name).replace(plan.folder / name)
    shutil.rmtree(tmp, ignore_errors=True)
    return names


def write_summaries(plan: Plan, store: TaskStore, lang: str = "lt") -> None:
    """Write values.parquet, summary.csv, bands.parquet, failures.csv and manifest.json.

    Each is written to a temporary name and renamed, so a reader never sees half a file.
    """
    values = store.read("values")
    yearly = store.read("yearly")
    failures = store.failures()
    files = {"failures.csv": failures}
    if not values.empty:
        files["values.parquet"] = values
        files["summary.csv"] = ens.summary(values)
        files["bands.parquet"] = ens.bands(yearly)
        files["value_by_outcome.csv"] = ens.by_outcome(values)
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
    varied = (
        f"Varied: {len(plan.varied)} parameters; {plan.draws}."
        if plan.draws
        else f"Varied: {len(plan.varied)} parameters over their registry ranges"
        + (f"; calibrated ones from {plan.posterior}" if plan.posterior else "")
        + "."
    )
    lines = [head, varied]
    if values.empty:
        lines.append("No task finished.")
        return [*lines, *_failure_lines(failures)]
    table = ens.summary(values)
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
    low, high = table.attrs["chance_interval"]
    lines += [
        "",
        f"Chance that benefits exceed costs: {chance:.0%} of {len(values)} runs "
        f"(Monte Carlo error: {low:.0%} to {high:.0%}, a 90% interval).",
    ]
    if not plan.draws:
        lines.append(
            "The draws cover the registry ranges whether or not a draw's past matches the "
            "national data; `prevsim brief` keeps only those whose past does (as `--draws "
            "history-matched` does), so its chance can differ."
        )
    lines += _outcome_lines(ens.by_outcome(values))
    return [*lines, *_failure_lines(failures)]


def _outcome_lines(table: pd.DataFrame) -> list[str]:
    """Mean benefits by outcome (all payers), the lifetime horizon in words."""
    if table.empty:
        return []
    totals = table.groupby("outcome", sort=False)["pv_eur"].sum() / 1e6
    parts = ", ".join(f"{name} {value:,.1f}" for name, value in totals.items() if value != 0)
    return [
        "Mean benefits by outcome, M EUR (value_by_outcome.csv; the children affected are "
        f"followed to age 64): {parts}."
    ]


def _failure_lines(failures: pd.DataFrame) -> list[str]:
    if failures.empty:
        return []
    first = failures.iloc[0]
    return [
        f"{len(failures)} task(s) failed (failures.csv); rerun the same command to retry "
        f"them. First: {first['task']}: {first['error']}"
    ]
