"""The ``prevsim`` command line: one module per command.

Each module holds the command's options (``add_parser``) and its work (``handle``) side by side.

Every command is ``main(argv) -> int``: 0 on success, 2 on bad input (one line per problem
on standard error, naming the file and key, and no output folder), 1 on an unexpected
failure.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence

from simulation import __version__
from simulation.interfaces.cli import (
    app,
    brief,
    calibrate,
    common,
    compare,
    demo,
    discover,
    ensemble,
    export,
    lifecourse,
    optimise,
    params,
    programmes,
    reality,
    run,
    sensitivity,
    validate,
    voi,
)
from simulation.interfaces.cli.common import EXIT_USAGE, Parser, UsageError, say

#: The commands, in the order ``prevsim --help`` lists them.
COMMANDS = (
    validate,
    params,
    programmes,
    run,
    compare,
    lifecourse,
    sensitivity,
    optimise,
    calibrate,
    ensemble,
    discover,
    reality,
    voi,
    brief,
    export,
    app,
    demo,
)


def build_parser() -> Parser:
    """The parser of every command."""
    parser = Parser(
        prog="prevsim",
        description="Simulate prevention investment in child and family welfare.",
        epilog="Run 'prevsim COMMAND --help' for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"prevsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    from simulation.model.errors import InputError

    argv = list(sys.argv[1:] if argv is None else argv)
    handlers = {command.NAME: command.handle for command in COMMANDS}
    try:
        args = build_parser().parse_args(argv)
        args.command_line = shlex.join(["prevsim", *argv])
        common.check_out(args)
        return handlers[args.command](args)
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    except UsageError as exc:
        say(str(exc))
        return EXIT_USAGE
    except InputError as exc:  # a scenario, targets, data or posterior file
        for line in exc.errors:
            say(line)
        return EXIT_USAGE
    except OSError as exc:  # a file or folder the system refused (reading or writing)
        where = exc.filename or "results"
        say(f"prevsim: {where}: {exc.strerror or exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("prevsim: interrupted; no partial results were kept", file=sys.stderr)
        return 130


def main_entry() -> None:
    """Console-script entry point."""
    sys.exit(main())


__all__ = ["COMMANDS", "build_parser", "common", "main", "main_entry"]
