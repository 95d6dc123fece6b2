"""``prevsim app``: serve the interactive browser model on this computer."""

from __future__ import annotations

from pathlib import Path

from simulation.interfaces.cli.common import UsageError, command_parser, port, scenario_dir
from simulation.workflow.shipped import BASELINE

NAME = "app"
EXAMPLES = """examples:
  prevsim app                      # then open http://127.0.0.1:8765
  prevsim app --lang en --port 9000
  prevsim app --scenario scenarios/cooperation_scheme.toml"""


def add_parser(sub) -> None:
    """The command's options."""
    p = command_parser(
        sub,
        NAME,
        help="serve the interactive browser model on this computer",
        description="Serve the agent-based model in the browser (Mesa's Solara "
        "visualisation): levers as sliders, families by state and costs against the status "
        "quo with the range of paired replicates, a map of the municipalities, downloads of "
        "the settings and the series, in Lithuanian or English. Open the address it prints.",
        examples=EXAMPLES,
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this computer only)",
    )
    p.add_argument("--port", type=port, default=8765, metavar="N", help="default: 8765")
    p.add_argument(
        "--scenario",
        type=Path,
        default=None,
        metavar="FILE",
        help="the status quo the sliders change (default: scenarios/baseline.toml)",
    )
    p.add_argument(
        "--lang",
        choices=("lt", "en"),
        default="lt",
        help="first language of the page; a switch on the page changes it (default: lt)",
    )


def handle(args) -> int:
    """Check the scenario and the address, then serve until stopped."""
    from simulation.interfaces.app.server import serve
    from simulation.workflow.scenarios import load

    path = args.scenario or scenario_dir() / BASELINE
    load(path)  # a bad scenario file fails here, in one line per problem, not in the browser
    try:
        return serve(args.host, args.port, path, args.lang)
    except ValueError as exc:
        raise UsageError(f"prevsim app: {exc}") from None
