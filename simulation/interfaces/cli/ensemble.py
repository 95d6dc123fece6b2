"""``prevsim ensemble``: the Monte Carlo value of a scenario under uncertainty."""

from __future__ import annotations

from pathlib import Path

from simulation.interfaces.cli.common import (
    EXIT_OK,
    Progress,
    UsageError,
    add_abm_sampling,
    add_against,
    add_discounting,
    add_output,
    add_params,
    add_seed,
    add_workers,
    command_parser,
    load_scenario,
    positive_int,
)
from simulation.model.vocabulary import ENGINES

NAME = "ensemble"
EXAMPLES = """examples:
  prevsim ensemble scenarios/early_intervention.toml --samples 200
  prevsim ensemble scenarios/early_intervention.toml --engine abm --samples 20 --replicates 3
  prevsim ensemble scenarios/early_intervention.toml --scheduler tcp://10.0.0.5:8786 --workers 16
  prevsim ensemble scenarios/early_intervention.toml \\
      --posterior results/calibration/lithuania/<run>/posterior.parquet"""


def add_parser(sub) -> None:
    """The command's options."""
    p = command_parser(
        sub,
        NAME,
        help="Monte Carlo value of a scenario: parameter samples x replicates on a process "
        "pool or a Dask cluster",
        examples=EXAMPLES,
        description="Value a scenario against a baseline over parameter samples (and "
        "replicates): quantiles of NPV, benefit-cost ratio and outcomes, and the chance that "
        "benefits exceed costs. Resumable: the same command continues an interrupted run.",
    )
    p.add_argument("file", metavar="SCENARIO", help="scenario TOML file")
    add_against(p, "baseline scenario (default: baseline.toml beside SCENARIO)")
    p.add_argument(
        "--samples", type=positive_int, default=100, metavar="N", help="parameter samples (100)"
    )
    p.add_argument("--engine", choices=ENGINES, default="sd", help="default: sd")
    add_abm_sampling(p, 1, "stochastic replicates per sample")
    add_params(
        p,
        "uncertain parameters to vary over their ranges (default: every one the scenario "
        "files do not set)",
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
    add_seed(p)
    add_discounting(p)
    add_output(p)


def _settings(args):
    from simulation.workflow.ensembles import EnsembleSettings

    same = ("samples", "replicates", "seed", "engine", "scale", "posterior", "discount_rate")
    names = tuple(args.params) if args.params is not None else None
    return EnsembleSettings(
        names=names, base_year=args.base_year, **{k: getattr(args, k) for k in same}
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
