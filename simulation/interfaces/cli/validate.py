"""``prevsim validate``: check scenario files and report every problem at once."""

from __future__ import annotations

import sys
from pathlib import Path

from simulation.interfaces.cli.common import EXIT_OK, EXIT_USAGE, command_parser

NAME = "validate"
EXAMPLES = """examples:
  prevsim validate scenarios/*.toml
  prevsim validate my_scenario.toml"""


def add_parser(sub) -> None:
    """The command's options."""
    p = command_parser(
        sub,
        NAME,
        help="check scenario files and report every problem",
        description="Check scenario files: every problem is one line 'file: table.key: what "
        "is wrong and what is allowed'; exit code 2 if any.",
        examples=EXAMPLES,
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario TOML files")


def handle(args) -> int:
    """Validate every file; ``ok: FILE`` for the good ones."""
    from simulation.workflow.scenarios import validate

    errors = validate(args.files)
    for line in errors:
        print(line, file=sys.stderr)
    failed = {line.split(": ", 1)[0] for line in errors}
    for name in args.files:
        if str(Path(name)) not in failed:
            print(f"ok: {name}")
    return EXIT_USAGE if errors else EXIT_OK
