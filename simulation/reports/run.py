"""A run's results folder: manifest, time series, summary and the chart of families by state."""

from __future__ import annotations

from pathlib import Path

from simulation.reports import charts
from simulation.workflow import store
from simulation.workflow.runner import RunResult
from simulation.workflow.store import Output


def write_run(output: RunResult, out: Output) -> Path:
    """Write a run's folder atomically and return its path.

    Contents: ``manifest.json``, ``timeseries.parquet`` (and ``.csv`` with ``out.csv``),
    ``summary.csv`` and the chart of families by state (PNG and PDF).
    """
    root, csv, lang, command = out.root, out.csv, out.lang, out.command
    sc = output.scenario
    folder = store.run_folder(root, "runs", sc.name, sc.digest())
    with store.atomic_folder(folder) as tmp:
        files = store.write_tables(
            tmp, {"timeseries": output.timeseries, "summary": output.summary}, csv
        )
        files += charts.families_by_state(
            output.national,
            tmp / "families_by_state",
            lang=lang,
            name=sc.display_title(lang),
            engine=sc.run.engine,
        )
        store.write_manifest(
            tmp,
            files,
            command=command,
            kind="run",
            engine=sc.run.engine,
            seed=sc.run.seed,
            scenario=sc.to_dict(),
            digest=sc.digest(),
            parameters=output.params,
        )
    return folder
