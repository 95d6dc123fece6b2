"""``prevsim compare``: the value of each scenario against the first."""

from __future__ import annotations

from simulation.interfaces.cli.common import (
    EXIT_OK,
    MAX_REPLICATES,
    Progress,
    UsageError,
    add_discounting,
    add_run_options,
    check_base_year,
    check_distinct,
    command_parser,
    default_targets,
    int_in,
    load_scenario,
    matching,
    output,
    samples,
)

NAME = "compare"
EXAMPLES = """examples:
  prevsim compare scenarios/baseline.toml scenarios/early_intervention.toml
  prevsim compare scenarios/baseline.toml scenarios/full_reform.toml --discount-rate 0.035
  prevsim compare scenarios/baseline.toml scenarios/early_intervention.toml --samples 1000
  prevsim compare scenarios/baseline.toml scenarios/early_intervention.toml --engine abm \\
      --replicates 10 --scale 0.2"""


def add_parser(sub) -> None:
    """The command's options."""
    p = command_parser(
        sub,
        NAME,
        help="compare scenarios: outcomes and the value of each against the first",
        examples=EXAMPLES,
        description="Run scenarios with paired random numbers and report, for each against "
        "the first: NPV, benefit-cost ratio, break-even year, children placed in care and "
        "child-years in care avoided. The SD engine gives the central run (every parameter at "
        "its best estimate; `prevsim ensemble` gives its median, 90% interval and chance "
        "that benefits exceed costs); the agent-based engine the median and 90% interval "
        "over paired replicates, with their Monte Carlo standard error.",
    )
    p.add_argument(
        "files", nargs="+", metavar="FILE", help="scenario TOML files; the first is the reference"
    )
    p.add_argument(
        "--replicates",
        type=int_in(1, MAX_REPLICATES),
        default=None,
        metavar="N",
        help="abm: paired runs per scenario (default 10; sd is deterministic: 1)",
    )
    p.add_argument(
        "--samples",
        type=samples,
        default=None,
        metavar="N",
        help="sd: also value the scenarios over N parameter draws kept by history matching "
        "(the briefing's draws: 1000 is its default) and print the median, the 90%% interval "
        "and the chance that benefits exceed costs with its Monte Carlo error "
        "(default: the central run only)",
    )
    add_discounting(p)
    add_run_options(p)


def handle(args) -> int:
    """Run the scenarios (and replicates), write the comparison, print its table."""
    from simulation.reports.comparison import write_comparison
    from simulation.workflow import compare as cmp

    if len(args.files) < 2:
        raise UsageError("prevsim compare: give at least two scenario files")
    scenarios = [load_scenario(f, args) for f in args.files]
    check_distinct(NAME, scenarios)
    check_base_year(NAME, args.base_year, scenarios)
    engine = args.engine or scenarios[0].run.engine
    if args.samples and engine != "sd":
        raise UsageError("prevsim compare: --samples values parameter draws with the sd engine")
    replicates = args.replicates or (10 if engine == "abm" else 1)
    bar = Progress(len(scenarios) * (replicates if engine == "abm" else 1))
    comparison = cmp.run_comparison(
        scenarios,
        engine=engine,
        replicates=replicates,
        seed=args.seed,
        scale=args.scale,
        progress=bar,
    )
    bar.close()
    discount = args.discount_rate
    if discount is None:
        discount = scenarios[0].resolved_parameters()["discount_rate"]
    base = args.base_year or cmp.first_difference_year(comparison)
    draws = _draws(args, scenarios, discount, base) if args.samples else None
    folder, lines = write_comparison(comparison, discount, base, output(args), draws)
    print("\n".join(lines))
    print(f"\nResults: {folder}")
    return EXIT_OK


def _draws(args, scenarios, rate: float, base_year: int):
    """The scenarios valued over the briefing's history-matched draws (``--samples``)."""
    from simulation.reports.comparison import monte_carlo
    from simulation.reports.ensemble import DRAWS_SEED

    targets = default_targets(None, NAME, scenarios[0].run.country)
    return matching(
        NAME,
        args.samples,
        lambda: monte_carlo(scenarios, rate, base_year, args.samples, DRAWS_SEED, targets),
    )
