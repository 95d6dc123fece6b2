"""``prevsim brief``: a ministry briefing in Lithuanian or English, PDF or HTML."""

from __future__ import annotations

from pathlib import Path

from simulation.interfaces.cli.common import (
    EXIT_OK,
    MAX_SAMPLES,
    Progress,
    UsageError,
    add_against,
    add_out,
    add_seed,
    both,
    check_distinct,
    command_parser,
    default_targets,
    int_in,
    scenario_dir,
)
from simulation.workflow.shipped import BASELINE

NAME = "brief"
EXAMPLES = """examples:
  prevsim brief scenarios/early_intervention.toml
  prevsim brief scenarios/early_intervention.toml scenarios/full_reform.toml --lang both \\
      --format both
  prevsim brief scenarios/early_intervention.toml --lang en --samples 2000
  prevsim brief scenarios/early_intervention.toml --lang both \\
      --decisions results/optimise/early_intervention-vs-baseline/<run> \\
      results/discovery/early_intervention-vs-baseline/<run> results/voi/<options>/<run>"""


def add_parser(sub) -> None:
    """The command's options."""
    p = command_parser(
        sub,
        NAME,
        help="write a ministry briefing (PDF or HTML, Lithuanian or English)",
        description="Value scenarios against a baseline and write a 4-8 page briefing: key "
        "numbers with their uncertainty first, charts with captions, assumptions, data "
        "sources and a method note. Every number in the text is read from the results files "
        "written beside it.",
        examples=EXAMPLES,
    )
    p.add_argument("files", nargs="+", metavar="SCENARIO", help="scenario TOML files to value")
    add_against(
        p, "the scenario they are valued against (default: scenarios/baseline.toml)", type=Path
    )
    p.add_argument(
        "--lang",
        choices=("lt", "en", "both"),
        default="lt",
        help="language of the briefing (default: lt)",
    )
    p.add_argument(
        "--format",
        choices=("pdf", "html", "both"),
        default="pdf",
        help="pdf, or html (one self-contained file), or both (default: pdf)",
    )
    p.add_argument(
        "--samples",
        type=int_in(20, MAX_SAMPLES),
        default=1000,
        metavar="N",
        help="parameter draws kept for the uncertainty intervals: Latin hypercubes of N "
        "draws are made until N of them match the national data (default: 1000, as "
        "`prevsim ensemble`)",
    )
    add_seed(p, default=20261122)
    p.add_argument(
        "--targets",
        type=Path,
        default=None,
        metavar="FILE",
        help="calibration targets whose national data the charts draw "
        "(default: calibration/targets.toml when present; another country's own targets.toml)",
    )
    p.add_argument(
        "--decisions",
        nargs="+",
        type=Path,
        default=[],
        metavar="DIR",
        help="results folders written by `prevsim optimise`, `discover` or `voi` (their "
        "manifest.json says which): each adds a section with its chart, its numbers read "
        "from its tables, which are copied beside the briefing (default: none)",
    )
    add_out(p)


def handle(args) -> int:
    """Compute the briefing's numbers, write its folder, list its files."""
    from simulation.analysis import briefing_numbers
    from simulation.reports import briefing
    from simulation.reports.briefing import decisions as dec
    from simulation.workflow.scenarios import load

    try:  # checked before anything is computed or written
        decisions = dec.read_all(args.decisions)
    except dec.DecisionError as exc:
        raise UsageError(str(exc)) from None

    baseline = load(args.against or scenario_dir() / BASELINE)
    scenarios = [load(path) for path in args.files]
    names = [baseline.name, *(s.name for s in scenarios)]
    if len(set(names)) != len(names):
        raise UsageError(
            "prevsim brief: each scenario must differ from the others and from the baseline "
            f"(names: {', '.join(names)})"
        )
    check_distinct(NAME, [baseline, *scenarios])
    targets = default_targets(args.targets, NAME, baseline.run.country)
    bar = Progress(5 + len(scenarios), "step", label=NAME)
    try:
        try:
            results = briefing_numbers.compute(
                baseline, scenarios, args.samples, args.seed, targets, progress=bar
            )
        except ValueError as exc:  # too few samples consistent with the data
            raise UsageError(f"prevsim brief: --samples {args.samples}: {exc}") from None
        bar("charts and documents")
        folder, written = briefing.write_briefing(
            results,
            args.out,
            langs=both(args.lang, briefing.LANGS),
            formats=both(args.format, briefing.FORMATS),
            command=args.command_line,
            decisions=decisions,
        )
    finally:
        bar.close()
    print(f"Briefing: {folder}")
    for name in written:
        print(f"  {folder / name}")
    return EXIT_OK
