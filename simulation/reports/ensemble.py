"""The written results of ``prevsim ensemble``.

Summaries, the value chart and the manifest, and the printed report.

The results folder is ``results/ensembles/<scenario>-vs-<baseline>/<digest>/``, where the
digest hashes everything that determines the results (see
:func:`simulation.workflow.ensembles.plan`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from simulation.workflow import compare as cmp
from simulation.workflow import ensembles as ens
from simulation.workflow import store as st
from simulation.workflow import uncertainty as unc
from simulation.workflow.ensemble_tasks import TaskStore
from simulation.workflow.ensembles import Plan

#: Seed of the history-matched draws by default: the briefing's and ``prevsim ensemble``'s.
DRAWS_SEED = 20261122


def _write_chart(plan: Plan, values: pd.DataFrame, bands: pd.DataFrame, lang: str) -> list[str]:
    """The value chart (PNG and PDF), drawn in a temporary folder and moved into place."""
    import shutil

    from simulation.reports import value_charts
    from simulation.reports.ensemble_charts import ensemble_value

    e = plan.ensemble
    tmp = st.temporary_path(plan.folder / "charts")  # never read as a task; swept if left
    tmp.mkdir()
    scenario, baseline = e.scenario.display_title(lang), e.baseline.display_title(lang)
    names = ensemble_value(values, bands, tmp / "value", scenario, baseline, e.base_year, lang)
    table = ens.by_outcome(values)
    if not table.empty:
        table["scenario"] = e.scenario.name
        titles = {s.name: s.display_title(lang) for s in (e.baseline, e.scenario)}
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
        files["summary.csv"] = summary_table(plan, values, yearly)
        files["bands.parquet"] = ens.bands(yearly)
        files["value_by_outcome.csv"] = ens.by_outcome(values)
    for name, frame in files.items():
        with st.atomic_file(plan.folder / name) as tmp:
            if name.endswith(".csv"):
                frame.to_csv(tmp, index=False)
            else:
                frame.to_parquet(tmp, index=False)
    e = plan.ensemble
    chance = unc.chance_benefits_exceed_costs(values["npv"] if not values.empty else [])
    if not values.empty:
        files.update(dict.fromkeys(_write_chart(plan, values, files["bands.parquet"], lang)))
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
        chance_benefits_exceed_costs=None if values.empty else chance.p,
        chance_runs=chance.runs,
        chance_standard_error=None if values.empty else chance.standard_error,
        files=sorted([*files, "manifest.json", "tasks/", "failures/"]),
    )
    with st.atomic_file(plan.folder / "manifest.json") as tmp:
        st.write_json(tmp, manifest)


#: Rows of summary.csv and their units: the printed table's values
#: (:data:`simulation.reports.comparison.TABLE_COLUMNS`, in its order), then families.
UNITS = {
    "npv": "EUR",
    "benefits": "EUR",
    "costs": "EUR",
    "bcr": "ratio",
    "break_even_year": "year",
    "children_placed_avoided": "children",
    "child_years_in_care_avoided": "child-years",
    "placements_avoided": "families",
}


def children_placed_avoided(yearly: pd.DataFrame) -> pd.Series:
    """Children placed avoided per task, from the tasks' yearly rows (indexed by task).

    The definition of :func:`simulation.workflow.compare.children_placed_avoided`, applied to
    every task at once.
    """
    by_role = {
        role: yearly[yearly["role"] == role].pivot(
            index="year", columns="task", values="children_placed"
        )
        for role in ("baseline", "scenario")
    }
    tasks = by_role["baseline"].columns
    avoided = cmp.children_placed_avoided(
        {"children_placed": by_role["scenario"][tasks].to_numpy()},
        {"children_placed": by_role["baseline"].to_numpy()},
    )
    return pd.Series(avoided, index=tasks, name="children_placed_avoided")


def central_values(plan: Plan) -> pd.Series:
    """The central run's values: one SD comparison with every parameter at its best estimate."""
    e = plan.ensemble
    comparison = cmp.run_comparison([e.baseline, e.scenario], engine="sd", replicates=1)
    return cmp.values(comparison, e.discount_rate, e.base_year).iloc[0]


def summary_table(plan: Plan, values: pd.DataFrame, yearly: pd.DataFrame) -> pd.DataFrame:
    """summary.csv: per value, the central run and the spread over the finished tasks.

    Columns ``value, unit, central, median, p05, p95, mean, runs, se`` (the Monte Carlo
    standard error of the mean); ``children_placed_avoided`` counts children (from the
    tasks' yearly rows), ``placements_avoided`` the families with children placed.
    """
    columns = values.assign(
        children_placed_avoided=values["task"].map(children_placed_avoided(yearly))
    )
    central = central_values(plan)
    rows = []
    for name, unit in UNITS.items():
        x = pd.to_numeric(columns[name], errors="coerce").to_numpy(float)
        sp = unc.spread(x, float(central[name]))
        rows.append(
            {
                "value": name,
                "unit": unit,
                "central": sp.central,
                "median": sp.median,
                "p05": sp.p05,
                "p95": sp.p95,
                "mean": sp.mean,
                "runs": sp.runs,
                "se": sp.standard_error,
            }
        )
    return pd.DataFrame(rows)


def chance_sentence(chance: unc.Chance, runs: str = "runs") -> str:
    """The chance that benefits exceed costs in words, with its runs and Monte Carlo error.

    Every output that states the chance states it this way, e.g. "Chance that benefits exceed
    costs: 13% of 1,000 runs (Monte Carlo error: standard error 1.1 percentage points; 90%
    interval 11% to 14%)."
    """
    head = f"Chance that benefits exceed costs: {chance.p:.0%} of {chance.runs:,} {runs}"
    if chance.bound is not None:
        side = "below" if chance.positive == 0 else "above"
        return (
            f"{head} (Monte Carlo error: every run agrees, so the standard error says "
            f"nothing; by the rule of three the chance is {side} {chance.bound:.1%} with 95% "
            "confidence)."
        )
    low, high = ens.chance_interval(chance.p, chance.runs)
    return (
        f"{head} (Monte Carlo error: standard error {100 * chance.standard_error:.1f} "
        f"percentage points; 90% interval {low:.0%} to {high:.0%})."
    )


def _table_lines(summary: pd.DataFrame, central: str) -> list[str]:
    """The central run, the median and the 90% interval of each value, and its runs."""
    from simulation.reports.comparison import TABLE_COLUMNS, table_number

    lines = [f"{'value':<28} {central:>10} {'median':>10} {'5%':>10} {'95%':>10} {'runs':>6}"]
    for title, value, scale, digits in TABLE_COLUMNS:
        row = summary[summary["value"] == value].iloc[0]
        cells = [table_number(row[k], scale, digits) for k in ("central", "median", "p05", "p95")]
        lines.append(
            f"{title:<28} {cells[0]:>10} {cells[1]:>10} {cells[2]:>10} {cells[3]:>10} "
            f"{int(row['runs']):>6,}"
        )
    return lines


def draw_settings(scenario, baseline, draws: str | None, settings: dict, targets: Path | None):
    """:class:`EnsembleSettings` from ``settings``, with the history-matched draws as its table.

    ``draws`` is ``"history-matched"`` (the default unless ``names``, ``posterior`` or
    ``table`` vary parameters over ranges: the draws of ``prevsim brief``, ``samples`` of them
    from ``seed``, by default 1,000 from 20261122) or ``"ranges"``.
    """
    ranged = any(settings.get(k) is not None for k in ("names", "posterior", "table"))
    kind = draws or ("ranges" if ranged else "history-matched")
    if kind not in ("history-matched", "ranges"):
        raise ValueError(f"draws must be 'history-matched' or 'ranges', not {draws!r}")
    if kind == "ranges":
        return ens.EnsembleSettings(**settings)
    if ranged:
        raise ValueError("names, posterior and table vary parameters over ranges: draws='ranges'")
    from simulation.analysis import monte_carlo as mc

    settings = {"seed": DRAWS_SEED, **settings}
    samples = settings.pop("samples", mc.DEFAULT_KEPT)
    kept = mc.plausible_draws(baseline, [scenario], samples, settings["seed"], targets)
    return ens.EnsembleSettings(table=kept.table, draws=kept.describe(), **settings)


def summary_lines(plan: Plan) -> list[str]:
    """The printed report: the central run, the spread of each value, the chance."""
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
    summary = pd.read_csv(plan.folder / "summary.csv")
    central = "central" if e.engine == "sd" else "central SD"
    lines += ["", *_table_lines(summary, central)]
    families = summary[summary["value"] == "placements_avoided"].iloc[0]
    engine = "" if e.engine == "sd" else " (SD engine)"
    lines += [
        f"central: the run with every parameter at its best estimate{engine}; "
        f"median and 90% interval (5%, 95%) over the {len(values):,} runs; 'runs': those with a "
        f"value (a break-even year only for runs that break even within the horizon). Families "
        f"with children placed avoided: central {families['central']:,.0f}, median "
        f"{families['median']:,.0f} (summary.csv).",
        "",
        chance_sentence(unc.chance_benefits_exceed_costs(values["npv"])),
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
