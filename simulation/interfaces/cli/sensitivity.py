"""``prevsim sensitivity``: global sensitivity analysis (SALib) of an outcome."""

from __future__ import annotations

from simulation.interfaces.cli.common import (
    EXIT_OK,
    MAX_SOBOL_N,
    Progress,
    UsageError,
    add_abm_sampling,
    add_against,
    add_output,
    add_params,
    add_seed,
    add_workers,
    command_parser,
    int_in,
    output,
)
from simulation.model.vocabulary import ENGINES

NAME = "sensitivity"
OUTCOMES = (
    "npv",
    "placements_avoided",
    "child_years_in_care_avoided",
    "child_years_in_care",
    "total_cost",
)
EXAMPLES = """examples:
  prevsim sensitivity scenarios/early_intervention.toml --against scenarios/baseline.toml
  prevsim sensitivity scenarios/early_intervention.toml --against scenarios/baseline.toml \\
      --method morris --n 20
  prevsim sensitivity scenarios/baseline.toml --outcome child_years_in_care --n 512"""


def add_parser(sub) -> None:
    """The command's options."""
    p = command_parser(
        sub,
        NAME,
        help="global sensitivity analysis (SALib) of an outcome over uncertain parameters",
        examples=EXAMPLES,
    )
    p.add_argument("file", metavar="SCENARIO", help="scenario TOML file")
    add_against(p, "baseline scenario, needed for npv and *_avoided outcomes (default: none)")
    p.add_argument(
        "--method",
        choices=("sobol", "morris", "pawn"),
        default="sobol",
        help="sobol: first- and total-order indices; morris: elementary-effects screening; "
        "pawn: distribution-based indices (default: sobol)",
    )
    p.add_argument(
        "--n",
        type=int_in(2, MAX_SOBOL_N),  # one morris trajectory or pawn draw gives no index
        default=256,
        metavar="N",
        help="base sample size, at least 2 (sobol: N (D + 2) evaluations, N (2D + 2) with "
        "--second-order; morris: N trajectories; pawn: N draws; default 256)",
    )
    p.add_argument(
        "--second-order",
        action="store_true",
        help="sobol: also the second-order index of every pair of parameters "
        "(second_order.csv), at about twice the evaluations (default: off)",
    )
    p.add_argument(
        "--outcome",
        default="npv",
        choices=OUTCOMES,
        help="the outcome whose variance is apportioned (default: npv)",
    )
    add_params(
        p,
        "uncertain parameters to vary (default: all the engine uses, and for npv also the "
        "life course, unit values and discount rates)",
    )
    add_seed(p)
    p.add_argument(
        "--engine",
        choices=ENGINES,
        default="sd",
        help="abm: Morris screening with paired replicates per sample point (default: sd)",
    )
    add_workers(p, "sd: processes for the batched runs")
    add_abm_sampling(p, 3, "paired replicates per sample point")
    add_output(p)


def handle(args) -> int:
    """Check the study, run it, write it, print its summary."""
    from simulation.analysis import sensitivity as sa
    from simulation.analysis.evaluation import OUTCOMES as NEEDS
    from simulation.reports.sensitivity import write_study
    from simulation.workflow.scenarios import load

    scenario = load(args.file)
    baseline = load(args.against) if args.against else None
    if baseline is not None:
        from simulation.analysis.monte_carlo import common_horizon

        # valued over the years both scenarios run (a shorter one would not broadcast)
        scenario, baseline = common_horizon([scenario, baseline])
    if NEEDS[args.outcome][0] and baseline is None:
        raise UsageError(f"prevsim sensitivity: outcome {args.outcome} needs --against BASELINE")
    if args.engine == "abm" and args.method != "morris":
        raise UsageError("prevsim sensitivity: the agent-based engine supports --method morris")
    try:
        prob = sa.problem(args.params, engine=args.engine, outcome=args.outcome)
    except (KeyError, ValueError) as exc:
        raise UsageError(f"prevsim sensitivity: --params: {exc.args[0]}") from None
    settings = sa.StudySettings(
        method=args.method,
        n=args.n,
        outcome=args.outcome,
        seed=args.seed,
        names=tuple(args.params) if args.params else None,
        engine=args.engine,
        replicates=args.replicates,
        scale=args.scale,
        workers=args.workers,
        second_order=args.second_order,
    )
    if args.second_order and args.method != "sobol":
        raise UsageError("prevsim sensitivity: --second-order needs --method sobol")
    rows = sa.sample(prob, args.method, args.n, args.seed, second_order=args.second_order)
    bar = Progress(len(rows), label=NAME)
    study = sa.run_study(scenario, baseline, settings, progress=bar.advance)
    bar.close()
    folder, lines = write_study(study, output(args))
    print("\n".join(lines))
    print(f"\nResults: {folder}")
    return EXIT_OK
