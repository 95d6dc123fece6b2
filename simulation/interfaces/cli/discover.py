"""``prevsim discover``: scenario discovery (PRIM) of the conditions under which a policy pays."""

from __future__ import annotations

from pathlib import Path

from simulation.interfaces.cli.common import (
    DRAWS,
    EXIT_OK,
    MAX_SAMPLES,
    Progress,
    UsageError,
    add_against,
    add_output,
    add_params,
    add_seed,
    add_workers,
    against_or_beside,
    check_distinct,
    command_parser,
    float_in,
    history_matched,
    int_in,
    output,
)

NAME = "discover"
EXAMPLES = """examples:
  prevsim discover scenarios/early_intervention.toml --against scenarios/baseline.toml
  prevsim discover scenarios/early_intervention.toml --samples 4000 --points 80
  prevsim discover scenarios/early_intervention.toml --draws ranges --samples 1000
  prevsim discover scenarios/early_intervention.toml \\
      --levers budget.home_visiting=0:20 trained_staff_share --density 0.6"""


def add_parser(sub) -> None:
    """The command's options."""
    p = command_parser(
        sub,
        NAME,
        help="scenario discovery: PRIM boxes of the conditions (uncertain parameters and "
        "policy levers) under which a scenario's NPV against a baseline is positive",
        examples=EXAMPLES,
        description="Draw the uncertain parameters and the policy's levers, value every draw "
        "against the baseline with the batched SD engine, and find with PRIM (EMA Workbench) "
        "the boxes where the policy pays (NPV > 0), each said in one sentence with its "
        "coverage, density and mass.",
    )
    p.add_argument("file", metavar="SCENARIO", help="scenario TOML file")
    add_against(p, "baseline scenario (default: baseline.toml beside SCENARIO)")
    p.add_argument(
        "--samples",
        type=int_in(50, MAX_SAMPLES),
        default=2000,
        metavar="N",
        help="draws valued, at least 50 (default 2000)",
    )
    p.add_argument(
        "--points",
        type=int_in(2, 10_000),
        default=40,
        metavar="L",
        help="lever settings (a Latin hypercube), each valued in one batch over N/L of the "
        "draws (default 40)",
    )
    p.add_argument(
        "--draws",
        choices=DRAWS,
        default=None,
        help="history-matched: the draws of `prevsim brief`, kept when their past matches the "
        "national data (the default); ranges: every draw over the registry ranges (the "
        "default with --params)",
    )
    p.add_argument(
        "--levers",
        nargs="+",
        metavar="NAME[=LOW:HIGH]",
        default=None,
        help="levers explored (default: those the scenario changes, from the baseline's value "
        "to twice the scenario's change); a lever named without a range: that default if the "
        "scenario changes it, else its registry range",
    )
    add_params(p, "uncertain parameters varied (default: every one the scenario files do not set)")
    _add_prim_options(p)
    p.add_argument(
        "--targets",
        type=Path,
        default=None,
        metavar="FILE",
        help="history-matched: the calibration targets (default: calibration/targets.toml)",
    )
    add_seed(p, default=20261130)
    add_workers(p, "processes valuing lever settings side by side")
    add_output(p)


def _add_prim_options(p) -> None:
    """How PRIM chooses and simplifies its boxes."""
    p.add_argument(
        "--density",
        type=float_in(0.05, 1.0, "0.8"),
        default=0.5,
        metavar="D",
        help="the share of a box's draws that must pay; on the trajectory the box with the "
        "most coverage at this density is chosen (default 0.5: pays more often than not)",
    )
    p.add_argument(
        "--conditions",
        type=int_in(1, 20),
        default=4,
        metavar="C",
        help="conditions a box may name at most; the least needed are dropped, and the box's "
        "coverage and density are those without them (default 4)",
    )
    p.add_argument(
        "--boxes", type=int_in(1, 10), default=3, metavar="B", help="boxes at most (default 3)"
    )
    p.add_argument(
        "--resamples",
        type=int_in(0, 100),
        default=10,
        metavar="R",
        help="PRIM runs on half the draws, to tell how often each condition recurs "
        "(boxes.csv's recurs; 0: none; default 10)",
    )
    p.add_argument(
        "--screen",
        type=int_in(0, 200),
        default=6,
        metavar="K",
        help="uncertain parameters PRIM sees besides the levers: the K most influential by "
        "extra-trees feature scores (default 6)",
    )


def _lever_ranges(args, scenario, baseline) -> dict[str, tuple[float, float]]:
    """``--levers`` as ranges: given, the policy's default, or the registry's."""
    from simulation.analysis import discovery as disc
    from simulation.model.catalogue import REGISTRY

    given: dict[str, tuple[float, float] | None] = {}
    for item in args.levers or []:
        name, _, span = item.partition("=")
        if not span:
            given[name] = None
            continue
        low, _, high = span.partition(":")
        try:
            lo, hi = float(low), float(high)
        except ValueError:
            raise UsageError(
                f"prevsim discover: --levers {item}: expected NAME=LOW:HIGH, e.g. "
                "budget.home_visiting=0:20"
            ) from None
        given[name] = (lo, hi)
    try:
        ranges = disc.lever_ranges(scenario, baseline, list(given) if given else None)
    except (KeyError, ValueError) as exc:
        raise UsageError(f"prevsim discover: --levers: {exc.args[0]}") from None
    for name, span in given.items():
        if span is None:
            continue
        lo, hi = REGISTRY[name].range
        if not lo <= span[0] < span[1] <= hi:
            raise UsageError(
                f"prevsim discover: --levers {name}={span[0]:g}:{span[1]:g}: need "
                f"{lo:g} <= LOW < HIGH <= {hi:g} (its registry range, {REGISTRY[name].unit})"
            )
        ranges[name] = span
    return ranges


def _draws(args, scenario, baseline):
    """The uncertainty draws and one line describing them."""
    from simulation.analysis.sensitivity import problem
    from simulation.workflow import ensembles as ens

    kind = args.draws or ("ranges" if args.params else "history-matched")
    if kind == "history-matched":
        if args.params:
            raise UsageError("prevsim discover: --params varies ranges: use --draws ranges")
        kept = history_matched(baseline, [scenario], args.samples, args.seed, args.targets, NAME)
        return kept.table, kept.describe()
    if args.params:
        try:
            problem(args.params)  # uncertain, with a range: refused otherwise
        except (KeyError, ValueError) as exc:
            raise UsageError(f"prevsim discover: --params: {exc.args[0]}") from None
    names = list(args.params or ens.default_varied(scenario, "sd", baseline))
    table = ens.sample_parameters(names, args.samples, args.seed)[names]
    return table, f"a Latin hypercube of {len(names)} uncertain parameters over their ranges"


def handle(args) -> int:
    """Check the options, draw, value, find the boxes, write them, print the summary."""
    from simulation.analysis import discovery as disc
    from simulation.analysis.monte_carlo import common_horizon
    from simulation.reports.discovery import write_study
    from simulation.workflow.scenarios import load

    scenario = load(args.file)
    baseline = load(against_or_beside(args.against, args.file))
    check_distinct(NAME, [scenario, baseline])
    # valued over the years both run (as voi and optimise do): two horizons crashed the NPV
    scenario, baseline = common_horizon([scenario, baseline])
    if not disc.policy_changes(scenario, baseline):
        raise UsageError(
            f"prevsim discover: {args.file}: the scenario changes no lever against the baseline"
        )
    levers = _lever_ranges(args, scenario, baseline)
    if args.points > args.samples:
        raise UsageError(f"prevsim discover: --points {args.points}: at most --samples")
    draws, describe = _draws(args, scenario, baseline)
    settings = disc.DiscoverySettings(
        levers=levers,
        points=args.points,
        seed=args.seed,
        threshold=args.density,
        max_boxes=args.boxes,
        workers=args.workers,
        screen=args.screen,
        max_restrictions=args.conditions,
        resamples=args.resamples,
    )
    bar = Progress(len(draws), label=NAME)
    study = disc.run(scenario, baseline, draws, settings, describe, progress=bar.advance)
    bar.close()
    folder, lines = write_study(study, output(args))
    print("\n".join(lines))
    print(f"Results: {folder}")
    return EXIT_OK
