"""The ``prevsim`` command line.

Every command is ``main(argv) -> int``: 0 on success, 2 on bad input (one line per problem
on standard error, naming the file and key, and no output folder), 1 on an unexpected
failure.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from simulation import __version__

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
DEMO_SCENARIOS = ("baseline.toml", "early_intervention.toml")
SMALL_SCALE = 0.2  # below it, per-municipality coverage has a visible small-number bias


class UsageError(Exception):
    """Bad input from the user; the message is one line."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="prevsim",
        description="Simulate prevention investment in child and family welfare.",
        epilog="Run 'prevsim COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"prevsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("validate", help="check scenario files and report every problem")
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario TOML files")

    p = sub.add_parser("params", help="list every parameter with unit, range and source")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table")
    p.add_argument(
        "--kind", choices=("uncertain", "lever", "structural"), help="only parameters of this kind"
    )

    p = sub.add_parser("run", help="run one scenario and write its results folder")
    p.add_argument("file", metavar="FILE", help="scenario TOML file")
    _add_run_options(p)
    p.add_argument(
        "--resolution",
        choices=("national", "municipal"),
        help="override the scenario's [run] resolution",
    )

    p = sub.add_parser(
        "compare",
        help="compare scenarios: outcomes and the value of each against the first",
        description="Run scenarios with paired random numbers and report, for each against "
        "the first: NPV, benefit-cost ratio, break-even year, placements and child-years in "
        "care avoided (agent-based engine: mean and 90%% interval over replicates).",
    )
    p.add_argument(
        "files", nargs="+", metavar="FILE", help="scenario TOML files; the first is the reference"
    )
    p.add_argument(
        "--replicates",
        type=_positive_int,
        default=None,
        metavar="N",
        help="abm: paired runs per scenario (default 10; sd is deterministic: 1)",
    )
    p.add_argument(
        "--discount-rate",
        type=_rate,
        default=None,
        metavar="R",
        help="annual discount rate, e.g. 0.03 (default: the registry's discount_rate)",
    )
    p.add_argument(
        "--base-year",
        type=int,
        default=None,
        metavar="YEAR",
        help="year values are discounted to (default: the first year the scenarios differ)",
    )
    _add_run_options(p)

    p = sub.add_parser(
        "sensitivity",
        help="global sensitivity analysis (SALib) of an outcome over uncertain parameters",
    )
    p.add_argument("file", metavar="SCENARIO", help="scenario TOML file")
    p.add_argument(
        "--against",
        metavar="BASELINE",
        default=None,
        help="baseline scenario, needed for npv and *_avoided outcomes",
    )
    p.add_argument("--method", choices=("sobol", "morris", "pawn"), default="sobol")
    p.add_argument(
        "--n",
        type=_positive_int,
        default=256,
        metavar="N",
        help="base sample size (sobol: N (2D + 2) evaluations; default 256)",
    )
    p.add_argument(
        "--outcome",
        default="npv",
        choices=(
            "npv",
            "placements_avoided",
            "child_years_in_care_avoided",
            "child_years_in_care",
            "total_cost",
        ),
    )
    p.add_argument(
        "--params",
        nargs="+",
        metavar="NAME",
        default=None,
        help="uncertain parameters to vary (default: all the SD engine uses)",
    )
    p.add_argument("--seed", type=_non_negative_int, default=0, metavar="N")
    p.add_argument(
        "--engine",
        choices=("sd", "abm"),
        default="sd",
        help="abm: Morris screening with paired replicates per sample point",
    )
    _add_workers(p, "sd: processes for the batched runs")
    p.add_argument(
        "--replicates",
        type=_positive_int,
        default=3,
        metavar="R",
        help="abm: paired replicates per sample point (default 3)",
    )
    p.add_argument(
        "--scale",
        type=_scale,
        default=0.2,
        metavar="S",
        help="abm: share of families simulated (default 0.2)",
    )
    _add_output(p)

    p = sub.add_parser(
        "calibrate",
        help="fit free parameters to national data: point fit, posterior, fit charts",
    )
    p.add_argument("file", metavar="TARGETS", help="targets TOML file (calibration/targets.toml)")
    p.add_argument(
        "--holdout-from",
        type=_year,
        default=None,
        metavar="YEAR",
        help="fit only data before YEAR and report the error on the later points "
        "(a holdout fit never writes the calibrated scenario)",
    )
    for name, what in (
        ("starts", "least-squares starts"),
        ("walkers", "emcee walkers"),
        ("steps", "emcee steps"),
        ("burn", "emcee burn-in steps"),
        ("seed", "root seed"),
        ("abm_replicates", "agent-based replicates run with the best fit; 0 skips them"),
    ):
        p.add_argument(
            f"--{name.replace('_', '-')}",
            type=_non_negative_int if name in ("burn", "seed", "abm_replicates") else _positive_int,
            default=None,
            metavar="N",
            help=f"{what} (default: the targets file's)",
        )
    _add_workers(p, "processes for the least-squares starts")
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
    _add_output(p)

    p = sub.add_parser(
        "ensemble",
        help="Monte Carlo value of a scenario: parameter samples x replicates on a process "
        "pool or a Dask cluster",
    )
    p.add_argument("file", metavar="SCENARIO", help="scenario TOML file")
    p.add_argument(
        "--against",
        metavar="BASELINE",
        default=None,
        help="baseline scenario (default: baseline.toml beside SCENARIO)",
    )
    p.add_argument("--samples", type=_positive_int, default=100, metavar="N")
    p.add_argument(
        "--replicates",
        type=_positive_int,
        default=1,
        metavar="R",
        help="abm: stochastic replicates per sample (sd is deterministic: 1)",
    )
    p.add_argument("--engine", choices=("sd", "abm"), default="sd")
    p.add_argument(
        "--scale", type=_scale, default=0.2, metavar="S", help="abm: share of families (0.2)"
    )
    p.add_argument(
        "--params",
        nargs="+",
        metavar="NAME",
        default=None,
        help="uncertain parameters to vary over their ranges (default: every one the "
        "scenario files do not set)",
    )
    p.add_argument(
        "--posterior",
        type=Path,
        default=None,
        metavar="FILE",
        help="draw these parameters from a calibration posterior "
        "(results/calibration/.../posterior.parquet)",
    )
    p.add_argument(
        "--scheduler",
        default="processes",
        metavar="WHERE",
        help="serial, processes (a local pool, default), local (a Dask LocalCluster) or "
        "tcp://HOST:PORT (a running Dask scheduler)",
    )
    _add_workers(p, "processes or Dask workers")
    p.add_argument("--seed", type=_non_negative_int, default=0, metavar="N")
    p.add_argument("--discount-rate", type=_rate, default=None, metavar="R")
    p.add_argument("--base-year", type=_year, default=None, metavar="YEAR")
    _add_output(p)

    p = sub.add_parser(
        "brief",
        help="write a ministry briefing (PDF or HTML, Lithuanian or English)",
        description="Value scenarios against a baseline and write a 4-8 page briefing: key "
        "numbers with their uncertainty first, charts with captions, assumptions, data "
        "sources and a method note. Every number in the text is read from the results files "
        "written beside it.",
    )
    p.add_argument("files", nargs="+", metavar="SCENARIO", help="scenario TOML files to value")
    p.add_argument(
        "--against",
        type=Path,
        default=None,
        metavar="BASELINE",
        help="the scenario they are valued against (default: scenarios/baseline.toml)",
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
        type=_int_at_least(20),
        default=1000,
        metavar="N",
        help="random parameter sets drawn for the uncertainty intervals; those whose past "
        "matches the national data are kept (default: 1000)",
    )
    p.add_argument("--seed", type=_non_negative_int, default=20261122, metavar="N")
    p.add_argument(
        "--targets",
        type=Path,
        default=None,
        metavar="FILE",
        help="calibration targets whose national data the charts draw "
        "(default: calibration/targets.toml when present)",
    )
    _add_out(p)

    p = sub.add_parser(
        "app",
        help="serve the interactive browser model on this computer",
        description="Serve the agent-based model in the browser (Mesa's Solara "
        "visualisation): levers as sliders, families by state and costs against the status "
        "quo, a municipality selector. Open the address it prints.",
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this computer only)",
    )
    p.add_argument("--port", type=_port, default=8765, metavar="N", help="default: 8765")
    p.add_argument(
        "--scenario",
        type=Path,
        default=None,
        metavar="FILE",
        help="the status quo the sliders change (default: scenarios/baseline.toml)",
    )
    p.add_argument(
        "--lang", choices=("en", "lt"), default="en", help="language of the charts (default: en)"
    )

    p = sub.add_parser(
        "demo", help="run the baseline and early-intervention scenarios and compare them"
    )
    p.add_argument(
        "--scenarios",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder with baseline.toml and early_intervention.toml (default: ./scenarios)",
    )
    _add_run_options(p)
    return parser


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--engine",
        choices=("sd", "abm"),
        default=None,
        help="simulation engine: sd (system dynamics) or abm (agent-based); "
        "default: the scenario's [run] engine, normally sd",
    )
    p.add_argument(
        "--seed",
        type=_non_negative_int,
        default=None,
        metavar="N",
        help="root random seed (default: the scenario's [run] seed)",
    )
    p.add_argument(
        "--scale",
        type=_scale,
        default=None,
        metavar="S",
        help="abm only: share of families simulated, in (0, 1]; results are rescaled to "
        "national totals (default: the scenario's, normally 1)",
    )
    p.add_argument("--csv", action="store_true", help="also write time series as CSV")
    _add_output(p)


def _add_workers(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument(
        "--workers",
        type=_positive_int,
        default=os.cpu_count() or 1,
        metavar="K",
        help=f"{what} (default: all cores)",
    )


def _add_out(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--out",
        type=Path,
        default=Path("results"),
        metavar="DIR",
        help="results root folder (default: results)",
    )


def _add_output(p: argparse.ArgumentParser) -> None:
    _add_out(p)
    p.add_argument(
        "--lang", choices=("lt", "en"), default="lt", help="language of chart labels (default: lt)"
    )


def _int_at_least(low: int):
    """An argparse type: a whole number >= ``low``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be >= {low}, got {value}")
        return value

    return parse


def _float_in(low: float, high: float, example: str):
    """An argparse type: a number in ``[low, high]``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a number such as {example}, got {text!r}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be in [{low:g}, {high:g}], got {value:g}")
        return value

    return parse


_non_negative_int = _int_at_least(0)
_positive_int = _int_at_least(1)
_year = _int_at_least(2010)  # a holdout needs at least the first year of data before it
_rate = _float_in(0.0, 0.5, "0.03 (3%)")
_scale = _float_in(1e-4, 1.0, "0.2")


def _port(text: str) -> int:
    """An argparse type: a TCP port, 1-65535."""
    value = _positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"must be <= 65535, got {value}")
    return value


def _cmd_validate(args) -> int:
    from simulation.workflow.scenarios import validate

    errors = validate(args.files)
    for line in errors:
        print(line, file=sys.stderr)
    failed = {line.split(": ", 1)[0] for line in errors}
    for name in args.files:
        if str(Path(name)) not in failed:
            print(f"ok: {name}")
    return EXIT_USAGE if errors else EXIT_OK


def _cmd_params(args) -> int:
    from simulation.model.catalogue import REGISTRY

    table = REGISTRY.table()
    if args.kind:
        table = table[table["kind"] == args.kind]
    if args.markdown:
        print(_markdown(table))
        return EXIT_OK
    brief = table[["name", "kind", "default", "unit", "range", "assumption"]]
    print(brief.to_string(index=False))
    print(f"\n{len(table)} parameters; 'prevsim params --markdown' adds sources.")
    return EXIT_OK


def _markdown(table) -> str:
    """A Markdown table (pandas' ``to_markdown`` would add the ``tabulate`` dependency)."""
    cols = list(table.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in table.itertuples(index=False):
        cells = [str(v).replace("|", "\\|").replace("\n", " ") for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _load(path: str, args, resolution: str | None = None):
    from simulation.workflow.runner import with_overrides
    from simulation.workflow.scenarios import load

    return with_overrides(
        load(path), resolution=resolution, engine=args.engine, seed=args.seed, scale=args.scale
    )


def _cmd_run(args) -> int:
    from simulation.reports.run import write_run
    from simulation.workflow.runner import run_scenario

    scenario = _load(args.file, args, args.resolution)
    if scenario.run.engine == "abm" and scenario.run.scale < SMALL_SCALE:
        print(
            f"prevsim: note: at scale {scenario.run.scale:g} small municipalities have few "
            "families and service coverage is biased (crises overstated by a few percent); "
            f"use --scale {SMALL_SCALE:g} or more for results",
            file=sys.stderr,
        )
    output = run_scenario(scenario, progress=sys.stderr.isatty())
    folder = write_run(output, args.out, csv=args.csv, lang=args.lang, command=args.command_line)
    _print_headline(output)
    print(f"Results: {folder}")
    return EXIT_OK


def _print_headline(output) -> None:
    s = output.summary.set_index("metric")["value"]
    print(
        f"{output.scenario.name}: {s['children.placed']:,.0f} children placed, "
        f"{s['child_years.in_care']:,.0f} child-years in care, "
        f"{s['cost.total'] / 1e6:,.1f} million EUR public cost (undiscounted); "
        f"{output.scenario.run.engine}, {output.scenario.run.resolution}"
    )


def _cmd_compare(args) -> int:
    from simulation.reports.comparison import write_comparison
    from simulation.workflow import compare as cmp

    if len(args.files) < 2:
        raise UsageError("prevsim compare: give at least two scenario files")
    scenarios = [_load(f, args) for f in args.files]
    engine = args.engine or scenarios[0].run.engine
    replicates = args.replicates or (10 if engine == "abm" else 1)
    bar = _Progress(len(scenarios) * (replicates if engine == "abm" else 1))
    comparison = cmp.run_comparison(
        scenarios,
        engine=engine,
        replicates=replicates,
        seed=args.seed,
        scale=args.scale,
        progress=bar,
    )
    bar.close()
    rate = args.discount_rate
    if rate is None:
        rate = scenarios[0].resolved_parameters()["discount_rate"]
    base = args.base_year or cmp.first_difference_year(comparison)
    folder, lines = write_comparison(
        comparison, args.out, rate, base, lang=args.lang, command=args.command_line
    )
    print("\n".join(lines))
    print(f"\nResults: {folder}")
    return EXIT_OK


def _cmd_sensitivity(args) -> int:
    from simulation.analysis import sensitivity as sa
    from simulation.reports.sensitivity import run_study, write_study
    from simulation.workflow.scenarios import load

    scenario = load(args.file)
    baseline = load(args.against) if args.against else None
    if sa.OUTCOMES[args.outcome][0] and baseline is None:
        raise UsageError(f"prevsim sensitivity: outcome {args.outcome} needs --against BASELINE")
    if args.engine == "abm" and args.method != "morris":
        raise UsageError("prevsim sensitivity: the agent-based engine supports --method morris")
    try:
        prob = sa.problem(args.params, engine=args.engine)
    except (KeyError, ValueError) as exc:
        raise UsageError(f"prevsim sensitivity: --params: {exc.args[0]}") from None
    rows = len(sa.sample(prob, args.method, args.n, args.seed))
    bar = _Progress(rows)
    study = run_study(
        scenario,
        baseline,
        args.method,
        args.n,
        args.outcome,
        args.seed,
        names=args.params,
        progress=bar.advance,
        engine=args.engine,
        replicates=args.replicates,
        scale=args.scale,
        workers=args.workers,
    )
    bar.close()
    folder, lines = write_study(
        study, scenario, baseline, args.method, args.outcome, args.out, args.lang, args.command_line
    )
    print("\n".join(lines))
    print(f"\nResults: {folder}")
    return EXIT_OK


def _cmd_calibrate(args) -> int:
    from simulation.analysis import targets as tg
    from simulation.reports import calibration as report

    targets = tg.load(args.file)
    overrides = {
        k: getattr(args, k)
        for k in ("starts", "walkers", "steps", "burn", "seed", "abm_replicates")
        if getattr(args, k) is not None
    }
    try:
        report.checked_settings(targets, overrides, args.holdout_from)
    except ValueError as exc:
        raise UsageError(f"prevsim calibrate: {exc}") from None
    bars: dict[str, _Progress] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage not in bars:
            for bar in bars.values():
                bar.close()
            bars[stage] = _Progress(total, unit="start" if stage == "fit" else "step")
        bars[stage](stage)

    result = report.run_calibration(
        targets, args.holdout_from, overrides, workers=args.workers, progress=progress
    )
    for bar in bars.values():
        bar.close()
    folder = report.write_calibration(result, args.out, args.lang, args.command_line)
    print("\n".join(report.summary_lines(result)))
    print(f"\nResults: {folder}")
    if args.holdout_from is None and not args.no_scenario:
        path = args.scenario_out or targets.output
        report.write_scenario(result, path, f"{args.file}; results {folder.name}")
        print(f"Calibrated scenario: {path}")
    return EXIT_OK


def _cmd_ensemble(args) -> int:
    from simulation.reports import ensemble as report
    from simulation.workflow import ensembles as ens
    from simulation.workflow.executors import check_scheduler

    try:
        check_scheduler(args.scheduler)
    except ValueError as exc:
        raise UsageError(f"prevsim ensemble: --scheduler {exc}") from None
    scenario = _load(args.file, args, resolution="national")
    against = args.against or str(Path(args.file).with_name("baseline.toml"))
    baseline = _load(against, args, resolution="national")
    settings = ens.EnsembleSettings(
        samples=args.samples,
        replicates=args.replicates,
        seed=args.seed,
        engine=args.engine,
        scale=args.scale,
        names=tuple(args.params) if args.params is not None else None,
        posterior=args.posterior,
        discount_rate=args.discount_rate,
        base_year=args.base_year,
    )
    try:
        plan = ens.plan(scenario, baseline, settings, args.out)
    except ValueError as exc:
        raise UsageError(f"prevsim ensemble: {exc}") from None
    bar = _Progress(len(plan.tasks), unit="task")
    try:
        store, ran, failed = ens.run(
            plan, args.scheduler, args.workers, progress=lambda task: bar(task.key)
        )
    except OSError as exc:
        if args.scheduler.startswith("tcp://"):
            ens.discard_if_empty(plan)  # a scheduler we cannot reach leaves no folder
            raise UsageError(
                f"prevsim ensemble: --scheduler {args.scheduler}: cannot connect ({exc})"
            ) from None
        raise
    finally:
        bar.close()
    report.write_summaries(plan, store, args.lang)
    print("\n".join(report.summary_lines(plan)))
    print(
        f"\nRan {ran - failed} task(s) now ({failed} failed); "
        f"{len(plan.tasks) - ran} were already done."
    )
    print(f"Results: {plan.folder}")
    return EXIT_OK


def _cmd_app(args) -> int:
    from simulation.interfaces.app.server import serve
    from simulation.workflow.scenarios import load

    path = args.scenario or _scenario_dir(None) / "baseline.toml"
    load(path)  # a bad scenario file fails here, in one line per problem, not in the browser
    try:
        return serve(args.host, args.port, path, args.lang)
    except ValueError as exc:
        raise UsageError(f"prevsim app: {exc}") from None


class _Progress:
    """A progress bar on an interactive terminal; silent otherwise."""

    def __init__(self, total: int, unit: str = "run") -> None:
        self.bar = None
        if sys.stderr.isatty() and total > 1:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit=unit, leave=False)

    def __call__(self, message: str) -> None:
        if self.bar is not None:
            self.bar.set_description(message)
            self.bar.update(1)

    def advance(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _scenario_dir(given: Path | None) -> Path:
    from simulation.workflow import shipped

    return given if given is not None else shipped.folder("scenarios")


def _default_targets(given: Path | None) -> Path | None:
    """The targets file whose data the briefing draws: the one given, or the project's."""
    if given is not None:
        if not given.is_file():
            raise UsageError(f"prevsim brief: --targets: {given}: no such file")
        return given
    from simulation.workflow import shipped

    try:
        return shipped.targets_path()
    except FileNotFoundError:
        return None


def _both(choice: str, options: tuple[str, ...]) -> tuple[str, ...]:
    return options if choice == "both" else (choice,)


def _cmd_brief(args) -> int:
    from simulation.analysis import briefing_numbers as brief_results
    from simulation.reports import briefing
    from simulation.workflow.scenarios import load

    baseline_path = args.against or _scenario_dir(None) / "baseline.toml"
    baseline = load(baseline_path)
    scenarios = [load(path) for path in args.files]
    names = [baseline.name, *(s.name for s in scenarios)]
    if len(set(names)) != len(names):
        raise UsageError(
            "prevsim brief: each scenario must differ from the others and from the baseline "
            f"(names: {', '.join(names)})"
        )
    targets = _default_targets(args.targets)
    bar = _Progress(5 + len(scenarios), "step")
    try:
        try:
            results = brief_results.compute(
                baseline, scenarios, args.samples, args.seed, targets, progress=bar
            )
        except ValueError as exc:  # too few samples consistent with the data
            raise UsageError(f"prevsim brief: --samples {args.samples}: {exc}") from None
        bar("charts and documents")
        folder, written = briefing.write_briefing(
            results,
            args.out,
            langs=_both(args.lang, briefing.LANGS),
            formats=_both(args.format, briefing.FORMATS),
            command=args.command_line,
        )
    finally:
        bar.close()
    print(f"Briefing: {folder}")
    for name in written:
        print(f"  {folder / name}")
    return EXIT_OK


def _cmd_demo(args) -> int:
    from simulation.interfaces.demo import run_demo

    folder = _scenario_dir(args.scenarios)
    paths = [folder / name for name in DEMO_SCENARIOS]
    scenarios = [_load(str(p), args) for p in paths]
    written = run_demo(
        scenarios,
        args.out,
        csv=args.csv,
        lang=args.lang,
        echo=print,
        command=args.command_line,
        progress=sys.stderr.isatty(),
        targets=_default_targets(None),
    )
    print("\nOutput:")
    for label, path in written.items():
        print(f"  {label:<24} {path}")
    return EXIT_OK


COMMANDS = {
    "validate": _cmd_validate,
    "params": _cmd_params,
    "run": _cmd_run,
    "compare": _cmd_compare,
    "sensitivity": _cmd_sensitivity,
    "calibrate": _cmd_calibrate,
    "ensemble": _cmd_ensemble,
    "brief": _cmd_brief,
    "app": _cmd_app,
    "demo": _cmd_demo,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    from simulation.model.demography import DataFileError
    from simulation.workflow.scenarios import ScenarioError  # and TargetsError, its subclass

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parser().parse_args(argv)
        args.command_line = shlex.join(["prevsim", *argv])
        return COMMANDS[args.command](args)
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except ScenarioError as exc:
        for line in exc.errors:
            print(line, file=sys.stderr)
        return EXIT_USAGE
    except DataFileError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # e.g. --out names a file, or a folder we may not write
        where = exc.filename or "results"
        print(f"prevsim: cannot write {where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("prevsim: interrupted; no partial results were kept", file=sys.stderr)
        return 130


def main_entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
