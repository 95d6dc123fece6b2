"""``prevsim demo``: the ``make demo`` job."""

from __future__ import annotations

import sys
from pathlib import Path

from simulation.interfaces.cli.common import (
    EXIT_OK,
    add_run_options,
    command_parser,
    default_targets,
    load_scenario,
    output,
    scenario_dir,
)

NAME = "demo"
SCENARIOS = ("baseline.toml", "early_intervention.toml")
EXAMPLES = """examples:
  prevsim demo
  prevsim demo --out /tmp/prevsim-demo --lang en"""


def add_parser(sub) -> None:
    """The command's options."""
    p = command_parser(
        sub,
        NAME,
        help="run the baseline and early-intervention scenarios, compare them and write the "
        "briefing",
        description="Run the baseline and early-intervention scenarios, compare them, chart "
        "them, and write the ministry briefing (PDF and HTML); print where the output is.",
        examples=EXAMPLES,
    )
    p.add_argument(
        "--scenarios",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder with baseline.toml and early_intervention.toml (default: ./scenarios, "
        "else the shipped ones)",
    )
    add_run_options(p)


def handle(args) -> int:
    """Run the demo and list what it wrote."""
    from simulation.interfaces.demo import run_demo

    folder = scenario_dir(args.scenarios)
    scenarios = [load_scenario(folder / name, args) for name in SCENARIOS]
    written = run_demo(
        scenarios,
        output(args),
        echo=print,
        progress=sys.stderr.isatty(),
        targets=default_targets(None, NAME),
    )
    print("\nOutput:")
    for label, path in written.items():
        print(f"  {label:<24} {path}")
    return EXIT_OK
