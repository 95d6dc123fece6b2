"""``prevsim reality-check``: published behaviours the model must show, one line each."""

from __future__ import annotations

import argparse
import hashlib

from simulation.interfaces.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    Progress,
    UsageError,
    add_out,
    add_seed,
    command_parser,
    default_targets,
    int_in,
    scenario_dir,
)
from simulation.workflow.shipped import BASELINE

NAME = "reality-check"
EXAMPLES = """examples:
  prevsim reality-check
  prevsim reality-check scenarios/early_intervention.toml
  prevsim reality-check --abm
  prevsim reality-check --draws 100 --seed 1
  prevsim reality-check --out /tmp/results"""


def add_parser(sub) -> None:
    """The command's options."""
    p = command_parser(
        sub,
        NAME,
        help="reality checks: published behaviours the model must show (exit 1 if one fails)",
        description="Run every reality check on a scenario with the system-dynamics engine "
        "and print one line per check: PASS, FAIL or N/A (a behaviour the model cannot "
        "represent, with what it lacks), the numbers and the published source. Writes "
        "checks.csv, checks.json and a manifest to OUT/reality/<scenario>/. Exit code 1 if "
        "any check fails. See docs/reality_checks.md.",
        examples=EXAMPLES,
    )
    p.add_argument(
        "file",
        metavar="SCENARIO",
        nargs="?",
        default=None,
        help="scenario the checks vary (default: the shipped scenarios/baseline.toml)",
    )
    p.add_argument(
        "--abm",
        action="store_true",
        help="also the exact parts of the no-spending and unit-cost checks on the agent-based "
        "engine, at 1%% of the families (three runs of a few seconds; default: off)",
    )
    p.add_argument(
        "--draws",
        type=draws,
        default=0,
        metavar="N",
        help="also the Fowler check over N history-matched draws of the uncertain "
        "parameters (the draws of prevsim brief; 100 take a few seconds; default 0: none)",
    )
    add_seed(p, default=20261122)  # the draws of prevsim brief and prevsim ensemble
    add_out(p)


def draws(text: str) -> int:
    """An argparse type: 0 (no draws) or 20 to 10,000 draws."""
    value = int_in(0, 10_000)(text)
    if 0 < value < MIN_DRAWS:
        raise argparse.ArgumentTypeError(f"must be 0 (none) or at least {MIN_DRAWS}, got {value}")
    return value


#: Fewest draws (history matching needs 20 kept draws for an interval).
MIN_DRAWS = 20
#: How the command shows each status.
SHOWN = {"pass": "PASS", "fail": "FAIL", "not representable": "N/A "}


def line(result) -> str:
    """One line of a check: status, name, numbers and source."""
    from simulation.analysis.reality import citation

    return f"{SHOWN[result.status]} {result.name}: {result.summary} [{citation(result.source)}]"


def handle(args) -> int:
    """Run the checks, write them, print one line each; exit 1 if any fails."""
    from simulation.analysis import reality
    from simulation.workflow.scenarios import load

    path = args.file if args.file is not None else scenario_dir() / BASELINE
    scenario = load(path)
    if scenario.run.end_year < reality.MIN_END_YEAR:
        raise UsageError(
            f"prevsim reality-check: {path}: [run] end_year {scenario.run.end_year}: the checks "
            f"need a horizon to at least {reality.MIN_END_YEAR} (policies from "
            f"{reality.POLICY_YEAR}, a waiting list over {reality.WAITING_YEARS} years)"
        )
    bar = Progress(len(reality.CHECKS) + int(args.abm) + int(args.draws > 0), label=NAME)
    results = reality.run_checks(scenario, progress=bar.advance)
    if args.draws:
        from simulation.analysis.reality_draws import fowler_over_draws

        targets = default_targets(None, NAME, scenario.run.country)
        try:
            results.append(fowler_over_draws(scenario, args.draws, args.seed, targets))
        except ValueError as exc:  # too few draws match the national data
            raise UsageError(f"prevsim {NAME}: --draws {args.draws}: {exc}") from None
        bar.advance(1)
    if args.abm:
        results += reality.abm_checks(scenario)
        bar.advance(1)
    bar.close()
    folder = write_checks(results, scenario, args)
    print("\n".join(line(r) for r in results))
    for r in results:
        if r.note:
            print(f"\n{r.name}: {r.note}")
    print(f"\nSources: docs/reality_checks.md. Results: {folder}")
    return EXIT_FAILURE if any(r.failed for r in results) else EXIT_OK


def write_checks(results, scenario, args):
    """``OUT/reality/<scenario>/<stamp>-<digest>/``: checks.csv, checks.json, manifest."""
    import pandas as pd

    from simulation.workflow import store

    rows = [
        {
            "check": r.name,
            "status": r.status,
            "claim": r.claim,
            "summary": r.summary,
            "source": r.source,
            "note": r.note,
        }
        for r in results
    ]
    numbers = [
        {"check": r.name, "quantity": k, "value": float(v)}
        for r in results
        for k, v in r.numbers.items()
    ]
    digest = hashlib.sha256(scenario.digest().encode()).hexdigest()[:10]
    folder = store.run_folder(args.out, "reality", scenario.name, digest)
    with store.atomic_folder(folder) as tmp:
        pd.DataFrame(rows).to_csv(tmp / "checks.csv", index=False)
        store.write_json(tmp / "checks.json", {"checks": rows, "numbers": numbers})
        store.write_manifest(
            tmp,
            ["checks.csv", "checks.json"],
            command=args.command_line,
            kind="reality",
            scenario=scenario.to_dict(),
        )
    return folder
