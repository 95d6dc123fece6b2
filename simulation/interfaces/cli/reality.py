"""``prevsim reality-check``: published behaviours the model must show, one line each."""

from __future__ import annotations

import hashlib

from simulation.interfaces.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    Progress,
    UsageError,
    add_out,
    command_parser,
    scenario_dir,
)

NAME = "reality-check"
EXAMPLES = """examples:
  prevsim reality-check
  prevsim reality-check scenarios/early_intervention.toml
  prevsim reality-check --abm
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
        "engine, at 1%% of the families (about half a minute; default: off)",
    )
    add_out(p)


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

    path = args.file if args.file is not None else scenario_dir() / "baseline.toml"
    scenario = load(path)
    if scenario.run.end_year < reality.MIN_END_YEAR:
        raise UsageError(
            f"prevsim reality-check: {path}: [run] end_year {scenario.run.end_year}: the checks "
            f"need a horizon to at least {reality.MIN_END_YEAR} (policies from "
            f"{reality.POLICY_YEAR}, a waiting list over {reality.WAITING_YEARS} years)"
        )
    bar = Progress(len(reality.CHECKS) + int(args.abm), label=NAME)
    results = reality.run_checks(scenario, progress=bar.advance)
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
