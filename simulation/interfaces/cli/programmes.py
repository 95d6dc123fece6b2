"""``prevsim programmes``: the programme library, or one programme's value per family served."""

from __future__ import annotations

from simulation.interfaces.cli.common import (
    EXIT_OK,
    MAX_SAMPLES,
    UsageError,
    add_seed,
    command_parser,
    int_in,
    year,
)

NAME = "programmes"
EXAMPLES = """examples:
  prevsim programmes
  prevsim programmes family_preservation --families 1000
  prevsim programmes home_visiting --families 500 --years 5 --samples 400
  prevsim programmes family_preservation --families 1000 \\
      --set programme.family_preservation.cost=42590 \\
            programme.family_preservation.effective_share=1"""


def _positive_float(text: str) -> float:
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value:g}")
    return value


def add_parser(sub) -> None:
    """The command's options."""
    p = command_parser(
        sub,
        NAME,
        help="the programme library, or one programme's value per family served",
        description="Without a programme: list the library (target, evidence, effects with "
        "their sources, costs). With one: value it bought for --families a year against the "
        "baseline, per family served: cost, benefits by outcome and payer, ratio and the "
        "chance that benefits exceed costs over its effect sizes and costs.",
        examples=EXAMPLES,
    )
    p.add_argument(
        "programme",
        nargs="?",
        default=None,
        metavar="PROGRAMME",
        help="the programme to value, a name the list shows (default: list the library)",
    )
    p.add_argument(
        "--families",
        type=_positive_float,
        default=1000.0,
        metavar="N",
        help="families served a year (at a time, for an ongoing programme); default 1000",
    )
    p.add_argument(
        "--from",
        dest="start",
        type=year,
        default=2027,
        metavar="YEAR",
        help="first funded year (default 2027)",
    )
    p.add_argument(
        "--years", type=int_in(1, 50), default=10, metavar="Y", help="years of funding (default 10)"
    )
    p.add_argument(
        "--samples",
        type=int_in(0, MAX_SAMPLES),
        default=200,
        metavar="N",
        help="draws of the programme's effect sizes and costs (default 200)",
    )
    add_seed(p, default=20261130)
    p.add_argument(
        "--against",
        default=None,
        metavar="BASELINE",
        help="scenario it is added to (default: the shipped baseline)",
    )
    p.add_argument(
        "--set",
        nargs="+",
        default=[],
        metavar="NAME=VALUE",
        help="parameter values that replace the registry's, e.g. another cost (default: none)",
    )


def _overrides(pairs: list[str]) -> dict[str, float]:
    from simulation.model.catalogue import REGISTRY

    out = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep:
            raise UsageError(f"prevsim programmes: --set: expected NAME=VALUE, got {pair!r}")
        if name not in REGISTRY:
            raise UsageError(f"prevsim programmes: --set: {REGISTRY.unknown_message(name)}")
        try:
            value = float(text)
        except ValueError:
            raise UsageError(
                f"prevsim programmes: --set {name}: expected a number, got {text!r}"
            ) from None
        problem = REGISTRY[name].check(value)
        if problem:
            raise UsageError(f"prevsim programmes: --set {name}: {problem}")
        out[name] = value
    return out


def handle(args) -> int:
    """List the library, or value one programme."""
    from simulation.model import services as sv
    from simulation.model.catalogue import REGISTRY
    from simulation.reports import programmes as report

    overrides = _overrides(args.set)
    if args.programme is None:
        print("\n".join(report.library_lines(REGISTRY.resolve(overrides))))
        return EXIT_OK
    if args.programme not in sv.PROGRAMME_NAMES:
        near = REGISTRY.suggest(args.programme, sv.PROGRAMME_NAMES)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise UsageError(
            f"prevsim programmes: unknown programme {args.programme!r}{hint}; "
            f"allowed: {', '.join(sv.PROGRAMME_NAMES)}"
        )
    from simulation.analysis.programme_value import value_programme
    from simulation.workflow import shipped
    from simulation.workflow.scenarios import load

    baseline = load(args.against or shipped.scenario_path("baseline"))
    value = value_programme(
        args.programme,
        baseline,
        args.families,
        args.start,
        args.years,
        args.samples,
        args.seed,
        overrides,
    )
    print("\n".join(report.value_lines(value)))
    return EXIT_OK
