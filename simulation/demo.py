"""The main job of ``make demo``: run two scenarios, compare them, chart them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from simulation import compare as cmp
from simulation.reports import write_comparison
from simulation.runner import run_scenario, write_run
from simulation.scenario import Scenario


def run_demo(
    scenarios: Sequence[Scenario],
    root: Path,
    csv: bool = False,
    lang: str = "lt",
    echo: Callable[[str], None] = lambda _: None,
    command: str | None = None,
    progress: bool = False,
) -> dict[str, Path]:
    """Run each scenario and write its folder, then compare them against the first.

    Returns
    -------
    dict of str to Path
        Folder per scenario, and ``"comparison"``.
    """
    written = {}
    for sc in scenarios:
        echo(f"Running {sc.name} ({sc.run.engine}, {sc.run.resolution}, 2009-{sc.run.end_year})")
        out = run_scenario(sc, progress=progress)
        written[sc.name] = write_run(out, root, csv=csv, lang=lang, command=command)
    engine = scenarios[0].run.engine
    comparison = cmp.run_comparison(scenarios, engine=engine, replicates=1)
    rate = scenarios[0].resolved_parameters()["discount_rate"]
    base = cmp.first_difference_year(comparison)
    folder, lines = write_comparison(comparison, root, rate, base, lang=lang, command=command)
    echo("")
    for line in lines:
        echo(line)
    written["comparison"] = folder
    return written
