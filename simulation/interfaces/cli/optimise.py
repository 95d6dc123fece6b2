"""``prevsim optimise``: the best allocation of a service budget (issue 21)."""

from __future__ import annotations

from argparse import BooleanOptionalAction

from simulation.interfaces.cli.common import (
    EXIT_OK,
    Progress,
    UsageError,
    add_against,
    add_output,
    add_seed,
    against_or_beside,
    check_distinct,
    command_parser,
    float_in,
    history_matched,
    int_in,
    output,
    scale,
)

NAME = "optimise"
OBJECTIVES = ("npv", "placements", "pareto")
#: A national service budget above this (EUR a year) is not a Lithuanian question: the
#: registry's budget levers stop at 60 million EUR a year per line, 240 in all.
MAX_BUDGET = 1e9
#: A generation of 42 candidates x 200 draws is 8,400 SD runs in one batch, six times the
#: default's 1,344 (whose whole run peaked at 0.7 GB of memory).
MAX_SEARCH_DRAWS = 200
EXAMPLES = """examples:
  prevsim optimise scenarios/early_intervention.toml --against scenarios/baseline.toml
  prevsim optimise scenarios/early_intervention.toml --against scenarios/baseline.toml \\
      --budget 40e6 --quantile 0.1
  prevsim optimise scenarios/early_intervention.toml --against scenarios/baseline.toml \\
      --objective pareto --samples 200 --abm-replicates 0
  prevsim optimise simulation/data/synthland/early_intervention.toml --need-bands 3"""


def add_parser(sub) -> None:
    """The command's options."""
    p = command_parser(
        sub,
        NAME,
        help="the allocation of a service budget across programmes and providers that "
        "maximises expected NPV (or a quantile, or placements avoided (families))",
        examples=EXAMPLES,
        description="From the scenario's policy year, share a national budget among the "
        "programmes of the library and choose each funding line's NGO share, to maximise the "
        "NPV against BASELINE over the history-matched draws (differential evolution on the "
        "batched SD engine; NSGA-II for the Pareto front); compare with today's allocation "
        "and the uniform rule, per municipality too, and check the difference with the "
        "agent-based engine.",
    )
    p.add_argument("file", metavar="SCENARIO", help="scenario TOML file (its levers stay)")
    add_against(p, "baseline scenario (default: baseline.toml beside SCENARIO)")
    p.add_argument(
        "--budget",
        type=float_in(1e4, MAX_BUDGET, "45e6"),
        default=None,
        metavar="EUR",
        help="national service budget, EUR a year from the policy year (default: what "
        "SCENARIO spends on services once ramped up)",
    )
    p.add_argument(
        "--objective",
        choices=OBJECTIVES,
        default="npv",
        help="npv: maximise NPV; placements: minimise placements (families whose children "
        "are placed) at the budget; pareto: the allocations no other beats on both, by NSGA-II "
        "(pymoo) (default: npv)",
    )
    p.add_argument(
        "--quantile",
        type=float_in(0.01, 0.99, "0.1"),
        default=None,
        metavar="Q",
        help="optimise this quantile over the draws instead of the mean (default: the mean)",
    )
    p.add_argument(
        "--unspent",
        choices=("returned", "paid"),
        default="returned",
        help="money a programme cannot use for lack of families: returned (not a cost, as "
        "in every other command) or paid (the budget is committed) (default: returned)",
    )
    p.add_argument(
        "--need-bands",
        type=int_in(1, 20),
        default=3,
        metavar="G",
        help="with a need file (municipal_need.csv in the country's data folder), search "
        "each of G bands of municipalities by need (children-weighted quantiles) for its "
        "own mix; without one, one band (default 3)",
    )
    p.add_argument(
        "--split-budget",
        action=BooleanOptionalAction,
        default=True,
        help="with a need file and more than one band, also split the national budget "
        "between the bands (each band's budget per child 0.5 to 2 times the national, its mix "
        "kept) to maximise the national NPV, and value the split against the "
        "children-proportional one; --no-split-budget: the same budget per child everywhere "
        "(default: on; without a need file there is nothing to split)",
    )
    _add_sizes(p)
    add_seed(p, default=20261122)
    add_output(p)


def _add_sizes(p) -> None:
    """The draws, the search's size and the agent-based check's."""
    p.add_argument(
        "--samples",
        type=int_in(20, 100_000),
        default=1000,
        metavar="N",
        help="history-matched draws the allocations are valued on (default 1000, as prevsim brief)",
    )
    p.add_argument(
        "--search-draws",
        type=int_in(1, MAX_SEARCH_DRAWS),
        default=32,
        metavar="M",
        help="of those, the draws every candidate of the search is valued on (default 32)",
    )
    p.add_argument(
        "--generations",
        type=int_in(1, 1000),
        default=50,
        metavar="G",
        help="generations of the search at most: differential evolution, or NSGA-II with "
        "--objective pareto (default 50)",
    )
    p.add_argument(
        "--abm-replicates",
        type=int_in(0, 200),
        default=6,
        metavar="R",
        help="paired agent-based replicates of the optimal and today's allocation "
        "(0: no check; default 6)",
    )
    p.add_argument(
        "--scale",
        type=scale,
        default=0.1,
        metavar="S",
        help="share of families the agent-based check simulates (default 0.1)",
    )


def handle(args) -> int:
    """Draw, search, value, check and write."""
    from simulation.analysis import optimise as op
    from simulation.analysis import optimise_need as on
    from simulation.reports.optimise import write_result

    scenario = _national(args.file)
    against = against_or_beside(args.against, args.file)
    baseline = _national(against)
    check_distinct(NAME, [scenario, baseline])
    if args.search_draws > args.samples:
        raise UsageError(
            f"prevsim optimise: --search-draws {args.search_draws}: at most --samples "
            f"({args.samples})"
        )
    try:
        problem = op.make_problem(scenario, baseline, _empty(), _million(args.budget))
    except ValueError as exc:
        raise UsageError(f"prevsim optimise: {args.file}: {exc} (against {against})") from None
    if problem.budget <= 0:
        raise UsageError(
            f"prevsim optimise: {args.file}: the scenario spends nothing on services from "
            f"{problem.year}: give the budget with --budget EUR"
        )
    kept = history_matched(
        problem.baseline, [problem.scenario], args.samples, args.seed, None, NAME
    )
    problem.draws, problem.draws_note = kept.table, kept.describe()
    settings = op.Settings(
        objective=args.objective,
        quantile=args.quantile,
        search_draws=args.search_draws,
        generations=args.generations,
        seed=args.seed,
        paid=args.unspent == "paid",
    )
    front = 1 if args.objective == "pareto" else 0  # valuing the front on every draw
    extra = on.steps(on.plan(problem, args.need_bands), args.generations, args.split_budget)
    bar = Progress(args.generations + 1 + front + 4 + extra, unit="step", label=NAME)
    result = on.optimise_by_need(
        problem, settings, args.need_bands, progress=bar.advance, split=args.split_budget
    )
    bar.close()
    check = None
    if args.abm_replicates:
        print(f"Agent-based check: {args.abm_replicates} paired replicates at scale {args.scale:g}")
        check = op.abm_check(
            problem, result.allocations, args.abm_replicates, args.scale, args.seed
        )
    folder, lines = write_result(result, check, output(args), args.scale)
    print("\n".join(lines))
    print(f"\nResults: {folder}")
    return EXIT_OK


def _million(budget: float | None) -> float | None:
    """EUR a year as the registry's unit, million EUR a year."""
    return None if budget is None else budget / 1e6


def _empty():
    import pandas as pd

    return pd.DataFrame()


def _national(path: str):
    """A scenario file run at national resolution, its other ``[run]`` settings kept."""
    from simulation.workflow.runner import with_overrides
    from simulation.workflow.scenarios import load

    return with_overrides(load(path), resolution="national")
