"""``prevsim calibrate``: fit free parameters to national data."""

from __future__ import annotations

from pathlib import Path

from simulation.interfaces.cli.common import (
    EXIT_OK,
    MAX_SAMPLES,
    Progress,
    UsageError,
    add_output,
    add_workers,
    command_parser,
    int_in,
    output,
    year,
)

NAME = "calibrate"
SETTINGS = (  # (option, what it sets, at least 0 rather than 1)
    ("starts", "least-squares starts", False),
    ("walkers", "emcee walkers", False),
    ("steps", "emcee steps", False),
    ("burn", "emcee burn-in steps", True),
    ("seed", "root seed", True),
    ("abm_replicates", "agent-based replicates run with the best fit; 0 skips them", True),
)
EXAMPLES = """examples:
  prevsim calibrate calibration/targets.toml
  prevsim calibrate calibration/targets.toml --holdout-from 2018 --steps 400 --burn 100
  prevsim calibrate calibration/targets.toml --no-scenario --lang en"""


def add_parser(sub) -> None:
    """The command's options."""
    p = command_parser(
        sub,
        NAME,
        help="fit free parameters to national data: point fit, posterior, fit charts",
        examples=EXAMPLES,
    )
    p.add_argument("file", metavar="TARGETS", help="targets TOML file (calibration/targets.toml)")
    p.add_argument(
        "--holdout-from",
        type=year,
        default=None,
        metavar="YEAR",
        help="fit only data before YEAR and report the error on the later points "
        "(a holdout fit never writes the calibrated scenario; default: fit every point)",
    )
    for name, what, zero in SETTINGS:
        p.add_argument(
            f"--{name.replace('_', '-')}",
            type=int_in(0 if zero else 1, MAX_SAMPLES),
            default=None,
            metavar="N",
            help=f"{what} (default: the targets file's)",
        )
    add_workers(p, "processes for the least-squares starts")
    p.add_argument(
        "--scenario-out",
        type=Path,
        default=None,
        metavar="FILE",
        help="where to write the calibrated scenario (default: the file's calibration.output)",
    )
    p.add_argument(
        "--no-scenario", action="store_true", help="do not write the calibrated scenario"
    )
    add_output(p)


def handle(args) -> int:
    """Fit, write the results folder and (unless holding out) the calibrated scenario."""
    from simulation.analysis import calibration as cal
    from simulation.analysis import targets as tg
    from simulation.reports.calibration import summary_lines, write_calibration

    targets = tg.load(args.file)
    overrides = {
        name: getattr(args, name) for name, _, _ in SETTINGS if getattr(args, name) is not None
    }
    tg.check_overrides(targets, overrides)
    try:
        cal.checked_settings(targets, overrides, args.holdout_from)
    except ValueError as exc:
        raise UsageError(f"prevsim calibrate: {exc}") from None
    bars: dict[str, Progress] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage not in bars:
            for bar in bars.values():
                bar.close()
            bars[stage] = Progress(total, unit="start" if stage == "fit" else "step", label=NAME)
        bars[stage](stage)

    result = cal.run_calibration(
        targets, args.holdout_from, overrides, workers=args.workers, progress=progress
    )
    for bar in bars.values():
        bar.close()
    folder = write_calibration(result, output(args))
    print("\n".join(summary_lines(result)))
    print(f"\nResults: {folder}")
    if args.holdout_from is None and not args.no_scenario:
        path = args.scenario_out or targets.output
        cal.write_scenario(result, path, f"{args.file}; results {folder.name}")
        print(f"Calibrated scenario: {path}")
    return EXIT_OK
