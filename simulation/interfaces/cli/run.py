"""``prevsim run``: run one scenario and write its results folder."""

from __future__ import annotations

import sys

from simulation.interfaces.cli.common import (
    EXIT_OK,
    add_run_options,
    command_parser,
    load_scenario,
    output,
)
from simulation.model.vocabulary import REPLICATE_SCALE, RESOLUTIONS

NAME = "run"
EXAMPLES = """examples:
  prevsim run scenarios/baseline.toml
  prevsim run scenarios/early_intervention.toml --resolution municipal --csv
  prevsim run scenarios/baseline.toml --engine abm --scale 0.2 --seed 1 --lang en"""


def add_parser(sub) -> None:
    """The command's options."""
    p = command_parser(
        sub, NAME, help="run one scenario and write its results folder", examples=EXAMPLES
    )
    p.add_argument("file", metavar="FILE", help="scenario TOML file")
    add_run_options(p)
    p.add_argument(
        "--resolution",
        choices=RESOLUTIONS,
        help="national (one population) or municipal (60 municipalities) (default: the "
        "scenario's [run] resolution)",
    )


def handle(args) -> int:
    """Run, write the folder, print the headline."""
    from simulation.reports.run import write_run
    from simulation.workflow.runner import run_scenario

    scenario = load_scenario(args.file, args, args.resolution)
    if scenario.run.engine == "abm" and scenario.run.scale < REPLICATE_SCALE:
        print(
            f"prevsim: note: at scale {scenario.run.scale:g} small municipalities have few "
            "families and service coverage is biased (crises overstated by a few percent); "
            f"use --scale {REPLICATE_SCALE:g} or more for results",
            file=sys.stderr,
        )
    result = run_scenario(scenario, progress=sys.stderr.isatty())
    folder = write_run(result, output(args))
    print(result.headline())
    print(f"Results: {folder}")
    return EXIT_OK
