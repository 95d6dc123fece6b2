"""``prevsim lifecourse``: the lifetime value of one avoided exposure, and what it rests on."""

from __future__ import annotations

from simulation.interfaces.cli.common import (
    EXIT_OK,
    add_seed,
    command_parser,
    out_folder,
    samples,
)

NAME = "lifecourse"
EXAMPLES = """examples:
  prevsim lifecourse
  prevsim lifecourse scenarios/baseline.toml --samples 5000
  prevsim lifecourse --out results"""


def add_parser(sub) -> None:
    """The command's options."""
    p = command_parser(
        sub,
        NAME,
        help="the lifetime value of one avoided placement, crisis or year in difficulty",
        description="Print the lifetime cost of one unit of each childhood exposure (a "
        "child-year in a family in difficulty, a crisis episode, a placement, a child-year "
        "in an institution), central and 90% range, by payer; then each adult outcome's "
        "base rate, relative risks, unit value and sources.",
        examples=EXAMPLES,
    )
    p.add_argument(
        "scenario",
        nargs="?",
        default=None,
        metavar="SCENARIO",
        help="take parameter values from this scenario file (default: the registry)",
    )
    p.add_argument(
        "--samples",
        type=samples,
        default=2000,
        metavar="N",
        help="draws for the 90%% range (default 2000)",
    )
    add_seed(p, default=20240101)
    p.add_argument(
        "--out",
        type=out_folder,
        default=None,
        metavar="DIR",
        help="also write exposures.csv and outcomes.csv under DIR/lifecourse/ "
        "(default: print only)",
    )


def handle(args) -> int:
    """Compute and print the tables (and write them with ``--out``)."""
    from simulation.model.catalogue import REGISTRY
    from simulation.reports import lifecourse as report
    from simulation.workflow.economics import unit_values as uv

    params = None
    if args.scenario is not None:
        from simulation.workflow.scenarios import load

        params = load(args.scenario).params
    p = REGISTRY.resolve(params)
    exposures = uv.exposure_table(params, args.samples, args.seed)
    outcomes = uv.outcome_table(params)
    linked = uv.linked_outcomes()
    lines = report.exposure_lines(
        exposures, float(p["lifecourse.discount_rate"]), args.samples, len(uv.uncertain_names())
    )
    lines += report.outcome_lines(outcomes, float(p["lifecourse.background_causal_share"]), linked)
    print("\n".join(lines))
    if args.out is not None:
        folder = report.write_tables(
            exposures, outcomes, args.out, args.command_line, samples=args.samples, seed=args.seed
        )
        print(f"\nResults: {folder}")
    return EXIT_OK
