"""``prevsim ensemble``: the Monte Carlo value of a scenario under uncertainty."""

from __future__ import annotations

from pathlib import Path

from simulation.interfaces.cli.common import (
    EXIT_OK,
    Progress,
    UsageError,
    add_output,
    add_workers,
    load_scenario,
    non_negative_int,
    positive_int,
    rate,
    scale,
    year,
)
from simulation.model.vocabulary import ENGINES, REPLICATE_SCALE

NAME = "ensemble"
EXAMPLES = """examples:
  prevsim ensemble scenarios/early_intervention.toml --samples 200
  prevsim ensemble scenarios/early_intervention.toml --engine abm --samples 20 --replicates 3
  prevsim ensemble scenarios/early_intervention.toml --scheduler tcp://10.0.0.5:8786 --workers 16
  prevsim ensemble scenarios/early_intervention.toml \\
      --posterior results/calibration/lithuania/<run>/posterior.parquet"""


def add_parser(sub) -> None:
    """The command's options."""
    p = sub.add_parser(
        NAME,
        help="Monte Carlo value of a scenario: parameter samples x replicates on a process "
        "pool or a Dask cluster",
        description="Value a scenario against a baseline over parameter samples (and "
        "replicates): quantiles of NPV, benefit-cost ratio and outcomes, and the chance that "
        "benefits exceed costs. Resumable: the same command continues an interrupted run.",
        epilog=EXAMPLES,
    )
    p.add_argument("file", metavar="SCENARIO", help="scenario TOML file")
    p.add_argument(
        "--against",
        metavar="BASELINE",
        default=None,
        help="baseline scenario (default: baseline.toml beside SCENARIO)",
    )
    p.add_argument(
        "--samples", type=positive_int, default=100, metavar="N", help="parameter samples (100)"
    )
    p.add_argument(
        "--replicates",
        type=positive_int,
        default=1,
        metavar="R",
        help="abm: stochastic replicates per sample (sd is deterministic: 1)",
    )
    p.add_argument("--engine", choices=ENGINES, default="sd", help="default: sd")
    p.add_argument(
        "--scale",
        type=scale,
        default=REPLICATE_SCALE,
        metavar="S",
        help=f"abm: share of families ({REPLICATE_SCALE:g})",
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
    add_workers(p, "processes or Dask workers")
    p.add_argument("--seed", type=non_negative_int, default=0, metavar="N", help="default: 0")
    p.add_argument(
        "--discount-rate",
        type=rate,
        default=None,
        metavar="R",
        help="annual discount rate (default: the registry's discount_rate)",
    )
    p.add_argument(
        "--base-year",
        type=year,
        default=None,
        metavar="YEAR",
        help="year values are discounted to (default: the first year the scenarios differ)",
    )
    add_output(p)


def _settings(args):
    from simulation.workflow.ensembles import EnsembleSettings

    return EnsembleSettings(
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


def handle(args) -> int:
    """Plan, run the unfinished tasks, write the summaries, print them."""
    from simulation.reports import ensemble as report
    from simulation.workflow import ensembles as ens
    from simulation.workflow.executors import check_scheduler

    try:
        check_scheduler(args.scheduler)
    except ValueError as exc:
        raise UsageError(f"prevsim ensemble: --scheduler {exc}") from None
    scenario = load_scenario(args.file, args, resolution="national")
    against = args.against or str(Path(args.file).with_name("baseline.toml"))
    baseline = load_scenario(against, args, resolution="national")
    try:
        plan = ens.plan(scenario, baseline, _settings(args), args.out)
    except ValueError as exc:
        raise UsageError(f"prevsim ensemble: {exc}") from None
    bar = Progress(len(plan.tasks), unit="task")
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
