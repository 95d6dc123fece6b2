"""``prevsim validate``: check scenario files and report every problem at once."""

from __future__ import annotations

from simulation.interfaces.cli.common import EXIT_OK, EXIT_USAGE, command_parser, say

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

    found = validate(args.files)
    for errors in found.values():
        for line in errors:
            say(line)
    for name, errors in found.items():
        if not errors:
            print(f"ok: {name}")
    return EXIT_USAGE if any(found.values()) else EXIT_OK
