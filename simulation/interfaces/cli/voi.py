"""``prevsim voi``: the value of information for a choice among programme mixes."""

from __future__ import annotations

from pathlib import Path

from simulation.interfaces.cli.common import (
    DRAWS,
    EXIT_OK,
    Progress,
    UsageError,
    add_against,
    add_output,
    add_seed,
    add_workers,
    against_or_beside,
    check_distinct,
    command_parser,
    history_matched,
    int_in,
    output,
)

NAME = "voi"
GROUPINGS = ("themes", "programmes", "parameters")
#: Most draws: the Gaussian process factorises an n x n matrix per group and option.
MAX_VOI_SAMPLES = 5000
DEFAULT_SAMPLES = 1000
EXAMPLES = """examples:
  prevsim voi scenarios/early_intervention.toml --against scenarios/baseline.toml
  prevsim voi scenarios/early_intervention.toml scenarios/full_reform.toml \\
      --against scenarios/baseline.toml --samples 500 --groups themes programmes
  prevsim voi scenarios/early_intervention.toml scenarios/equal_ngo_funding.toml \\
      --against scenarios/baseline.toml --exclude-baseline --draws ranges --lang en"""


def add_parser(sub) -> None:
    """The command's options."""
    p = command_parser(
        sub,
        NAME,
        help="value of information: what knowing each group of uncertain parameters exactly "
        "is worth to the choice among scenarios (EVPI, EVPPI), EUR",
        examples=EXAMPLES,
        description="Choose the option with the highest expected NPV against the baseline; "
        "the expected value of perfect information (EVPI) is what learning every uncertain "
        "parameter before choosing would be worth, and the EVPPI of a group (by Strong, "
        "Oakley & Brennan's 2014 regression method) what an evaluation study settling that "
        "group would be worth, at most. Values are for the whole decision (national, over "
        "the horizon, discounted).",
    )
    p.add_argument("files", nargs="+", metavar="SCENARIO", help="scenario TOML files")
    add_against(p, "baseline scenario (default: baseline.toml beside the first SCENARIO)")
    p.add_argument(
        "--exclude-baseline",
        action="store_true",
        help="choose among the SCENARIOs only (at least two); by default keeping the "
        "baseline is an option too",
    )
    p.add_argument(
        "--samples",
        type=int_in(20, MAX_VOI_SAMPLES),
        default=DEFAULT_SAMPLES,
        metavar="N",
        help=f"parameter draws, 20-{MAX_VOI_SAMPLES:,} (default {DEFAULT_SAMPLES:,}, the draws "
        "of `prevsim brief`)",
    )
    p.add_argument(
        "--draws",
        choices=DRAWS,
        default="history-matched",
        help="history-matched: draws whose past matches the national data (the briefing's, "
        "the default); ranges: every draw over the registry ranges",
    )
    p.add_argument(
        "--groups",
        nargs="+",
        choices=GROUPINGS,
        default=["themes", "programmes"],
        metavar="GROUPING",
        help="how parameters are grouped: themes (hazards, programme effects, service "
        "delivery, unit costs, life course), programmes (each programme's evaluated "
        "effects), parameters (each alone) (default: themes programmes)",
    )
    p.add_argument(
        "--targets",
        type=Path,
        default=None,
        metavar="FILE",
        help="calibration targets the draws are history-matched to "
        "(default: calibration/targets.toml)",
    )
    # the briefing's seed (simulation.reports.ensemble.DRAWS_SEED; not imported here, as
    # that module loads pandas and Matplotlib): the same draws as `prevsim brief`
    add_seed(p, default=20261122)
    add_workers(p, "processes for the batched runs")
    add_output(p)


def _options(args):
    """The scenarios and the baseline, on a common horizon; refused when no choice is left."""
    from simulation.analysis.monte_carlo import common_horizon
    from simulation.workflow.scenarios import load

    scenarios = [load(f) for f in args.files]
    against = against_or_beside(args.against, args.files[0])
    baseline = load(against)
    check_distinct(NAME, [*scenarios, baseline])
    if args.exclude_baseline and len(scenarios) < 2:
        raise UsageError(
            "prevsim voi: --exclude-baseline leaves one option; give at least two SCENARIOs"
        )
    everyone = common_horizon([baseline, *scenarios])
    return everyone[1:], everyone[0]


def _draws(args, scenarios, baseline):
    """The parameter draws (a table) and a line saying which they are."""
    from simulation.workflow import ensembles as ens

    if args.draws == "ranges":
        names = ens.default_varied(baseline, "sd", *scenarios)
        table = ens.sample_parameters(names, args.samples, args.seed)[names]
        return table, f"{args.samples:,} Latin-hypercube draws over the registry ranges"
    kept = history_matched(baseline, scenarios, args.samples, args.seed, args.targets, NAME)
    return kept.table, kept.describe()


def handle(args) -> int:
    """Draw, evaluate every option, estimate EVPI and EVPPI, write and print the summary."""
    import numpy as np

    from simulation.analysis import voi
    from simulation.reports.voi import Context, write_study

    scenarios, baseline = _options(args)
    table, described = _draws(args, scenarios, baseline)
    year = voi.base_year(scenarios, baseline)
    bar = Progress(len(table) * len(scenarios), label=NAME)
    npv = voi.net_benefits(scenarios, baseline, table, year, args.workers, bar.advance)
    bar.close()
    names = [s.name for s in scenarios]
    if not args.exclude_baseline:
        npv, names = np.column_stack([np.zeros(len(table)), npv]), [baseline.name, *names]
    groups = {g: voi.GROUPINGS[g](list(table.columns)) for g in args.groups}
    bar = Progress(sum(len(g) for g in groups.values()), unit="group", label=NAME)
    study = voi.study(names, npv, table, args.groups, args.seed, progress=bar.advance)
    bar.close()
    context = Context(scenarios, baseline, not args.exclude_baseline, year, described, args.seed)
    folder, lines = write_study(study, context, output(args))
    print("\n".join(lines))
    print(f"\nResults: {folder}")
    return EXIT_OK
