"""The main job of ``make demo``.

Run two scenarios, compare them, chart them, and write the ministry briefing in Lithuanian.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from simulation.analysis import briefing_numbers
from simulation.reports.briefing import write_briefing
from simulation.reports.comparison import write_comparison
from simulation.reports.run import write_run
from simulation.workflow import compare as cmp
from simulation.workflow.runner import run_scenario
from simulation.workflow.scenarios import Scenario
from simulation.workflow.store import Output


def run_demo(
    scenarios: Sequence[Scenario],
    out: Output,
    echo: Callable[[str], None] = lambda _: None,
    progress: bool = False,
    targets: Path | None = None,
    samples: int = 1000,
) -> dict[str, Path]:
    """Run and write each scenario, compare them against the first, and write a briefing.

    Each scenario's run gets its own folder; the briefing (PDF and HTML in ``out.lang``) is of
    the others against the first.

    Parameters
    ----------
    scenarios : sequence of Scenario
        The first is the reference.
    out : Output
        Where and how to write.
    echo : callable
        Prints a line of the report.
    progress : bool
        Show progress bars.
    targets : Path, optional
        Calibration targets whose national data the briefing draws and history-matches to.
    samples : int
        Monte Carlo draws kept for the briefing's uncertainty intervals (drawn until this
        many match the national data).

    Returns
    -------
    dict of str to Path
        Folder per scenario, ``"comparison"``, and ``"briefing (<lang>, pdf)"`` and
        ``"briefing (<lang>, html)"``.
    """
    lang = out.lang
    written = {}
    for sc in scenarios:
        echo(f"Running {sc.name} ({sc.run.engine}, {sc.run.resolution}, 2009-{sc.run.end_year})")
        written[sc.name] = write_run(run_scenario(sc, progress=progress), out)
    engine = scenarios[0].run.engine
    comparison = cmp.run_comparison(scenarios, engine=engine, replicates=1)
    rate = scenarios[0].resolved_parameters()["discount_rate"]
    base = cmp.first_difference_year(comparison)
    folder, lines = write_comparison(comparison, rate, base, out)
    echo("")
    for line in lines:
        echo(line)
    written["comparison"] = folder
    echo("")
    echo(
        f"Writing the briefing ({lang}): drawing until {samples:,} parameter draws match the "
        "national data"
    )
    results = briefing_numbers.compute(scenarios[0], scenarios[1:], samples, targets_path=targets)
    echo(f"  {results.plausible:,} draws kept of {results.samples:,} drawn")
    folder, files = write_briefing(results, out.root, (lang,), ("pdf", "html"), command=out.command)
    for name in files:
        written[f"briefing ({lang}, {name.rsplit('.', 1)[-1]})"] = folder / name
    return written
