"""``prevsim ensemble``: the Monte Carlo value of a scenario under uncertainty."""

from __future__ import annotations

import sys
from pathlib import Path

from simulation.interfaces.cli.common import (
    DRAWS,
    EXIT_FAILURE,
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
    against_or_beside,
    check_base_year,
    check_distinct,
    command_parser,
    history_matched,
    load_scenario,
    samples,
    scheduler,
)
from simulation.model.errors import InputError
from simulation.model.vocabulary import ENGINES

NAME = "ensemble"
EXAMPLES = """examples:
  prevsim ensemble scenarios/early_intervention.toml
  prevsim ensemble scenarios/early_intervention.toml --draws ranges --samples 200
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
        "--draws",
        choices=DRAWS,
        default=None,
        help="history-matched: the briefing's draws, kept when their past matches the national "
        "data (the default); ranges: every draw over the registry ranges (the default with "
        "--params or --posterior)",
    )
    p.add_argument(
        "--samples",
        type=samples,
        default=None,
        metavar="N",
        help="parameter draws: kept by history matching (at least 20; default 1000, the draws "
        "of `prevsim brief`), or drawn over the ranges (default 100)",
    )
    p.add_argument(
        "--targets",
        type=Path,
        default=None,
        metavar="FILE",
        help="calibration targets the draws are history-matched to "
        "(default: calibration/targets.toml; another country's own targets.toml)",
    )
    p.add_argument(
        "--engine",
        choices=ENGINES,
        default="sd",
        help="sd (system dynamics, deterministic) or abm (agent-based) (default: sd)",
    )
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
        "(results/calibration/.../posterior.parquet; default: none, the registry ranges)",
    )
    p.add_argument(
        "--scheduler",
        type=scheduler,
        default="processes",
        metavar="WHERE",
        help="serial, processes (a local pool, default), local (a Dask LocalCluster) or "
        "tcp://HOST:PORT (a running Dask scheduler)",
    )
    add_workers(p, "processes or Dask workers")
    add_seed(p, default=20261122)
    add_discounting(p)
    add_output(p)


def _settings(args):
    from simulation.workflow.ensembles import EnsembleSettings

    same = ("replicates", "seed", "engine", "scale", "posterior", "discount_rate")
    names = tuple(args.params) if args.params is not None else None
    return EnsembleSettings(
        names=names,
        base_year=args.base_year,
        samples=args.samples or 100,
        **{k: getattr(args, k) for k in same},
    )


def _draws(args) -> str:
    """The kind of draws: as asked, or ranges when parameters or a posterior are named."""
    ranged = args.params is not None or args.posterior is not None
    kind = args.draws or ("ranges" if ranged else "history-matched")
    if kind == "history-matched" and ranged:
        raise UsageError(
            "prevsim ensemble: --params and --posterior vary parameters over ranges: "
            "use them with --draws ranges"
        )
    return kind


def _history_matched(args, scenario, baseline, settings):
    """``settings`` with the briefing's history-matched draws as the samples."""
    from dataclasses import replace

    from simulation.analysis import monte_carlo as mc

    samples = args.samples or mc.DEFAULT_KEPT
    if samples < mc.MIN_PLAUSIBLE:  # refused now, not after a round of drawing
        raise UsageError(
            f"prevsim ensemble: --samples {samples}: history-matched draws need at least "
            f"{mc.MIN_PLAUSIBLE} (as prevsim brief); give more, or --draws ranges"
        )
    kept = history_matched(baseline, [scenario], samples, args.seed, args.targets, NAME)
    return replace(settings, table=kept.table, draws=kept.describe())


def handle(args) -> int:
    """Plan, run the unfinished tasks, write the summaries, print them."""
    from simulation.reports import ensemble as report
    from simulation.workflow import ensembles as ens
    from simulation.workflow.executors import check_scheduler

    try:
        check_scheduler(args.scheduler)
    except InputError:  # a file's problems: already one line naming the file and key
        raise
    except ValueError as exc:
        raise UsageError(f"prevsim ensemble: --scheduler {exc}") from None
    scenario = load_scenario(args.file, args, resolution="national")
    against = against_or_beside(args.against, args.file)
    baseline = load_scenario(against, args, resolution="national")
    check_distinct(NAME, [scenario, baseline])
    check_base_year(NAME, args.base_year, [scenario, baseline])
    settings = _settings(args)
    if _draws(args) == "history-matched":
        settings = _history_matched(args, scenario, baseline, settings)
    try:
        plan = ens.plan(scenario, baseline, settings, args.out)
    except InputError:  # a file's problems: already one line naming the file and key
        raise
    except ValueError as exc:
        raise UsageError(f"prevsim ensemble: {exc}") from None
    bar = Progress(len(plan.tasks), unit="task", label=NAME)
    try:
        store, ran, failed = ens.run(
            plan, args.scheduler, args.workers, progress=lambda task: bar()
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
    with store:  # the folder stays locked until its summaries are written
        report.write_summaries(plan, store, args.lang)
    print("\n".join(report.summary_lines(plan)))
    print(
        f"\nRan {ran - failed} task(s) now ({failed} failed); "
        f"{len(plan.tasks) - ran} were already done."
    )
    print(f"Results: {plan.folder}")
    if failed and failed == ran:
        print(
            f"prevsim ensemble: every task run failed; see {plan.folder / 'failures.csv'}",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    return EXIT_OK
