"""The preventive-share trade-off under a fixed budget (issue 16), with the SD engine.

From 2027 the baseline's total service budget is held fixed and a share of it goes to the
preventive line (the rest keeps the other lines' proportions, as the ``prevention_first``
allocation rule does); the preventive line buys the baseline's programme (day centres) or,
with ``--mix``, the evidence-based preventive programmes. Prints placements, child-years in
care, money unspent and the NPV against the baseline for each share.

    python docs/analyses/preventive_share.py
    python docs/analyses/preventive_share.py --mix
    python docs/analyses/preventive_share.py --set programme.casework.effect.risk_to_crisis=1
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np

import simulation as s
from simulation.model import services as sv
from simulation.model.schedule import Change
from simulation.workflow import compare as cmp

SHARES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
EVIDENCE_MIX = {"mix.day_centres": 0.0, "mix.home_visiting": 1.0, "mix.parenting_programme": 1.0}


def scenario(base, share: float, mix: bool):
    """The baseline with ``share`` of its 2027 service budget in the preventive line."""
    levers = base.resolved_parameters()
    paths = {line: levers[f"budget.{line}"] for line in sv.SERVICES}
    for change in base.schedule:  # the budgets in force in 2027
        for line in sv.SERVICES:
            paths[line] = change.values.get(f"budget.{line}", paths[line])
    total = sum(paths.values())
    rest = total - paths["preventive"]
    values = {"budget.preventive": share * total}
    for line in sv.SERVICES[1:]:
        values[f"budget.{line}"] = (1 - share) * total * paths[line] / rest
    if mix:
        values.update(EVIDENCE_MIX)
    change = Change(2027, values, 0.0)
    return replace(base, name=f"share_{share:.1f}", schedule=[*base.schedule, change])


def main() -> None:
    """Run every share against the baseline and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mix", action="store_true", help="evidence-based preventive programmes")
    parser.add_argument(
        "--set",
        nargs="+",
        default=[],
        metavar="NAME=VALUE",
        help="parameter values for every run (e.g. programme.casework.effect.risk_to_crisis=1)",
    )
    args = parser.parse_args()
    base = s.load_scenario("baseline")
    if args.set:
        values = dict(item.split("=", 1) for item in args.set)
        base = base.with_values({k: float(v) for k, v in values.items()})
    runs = [scenario(base, share, args.mix) for share in SHARES]
    comparison = cmp.run_comparison([base, *runs])
    values = cmp.values(comparison, 0.05, 2027).set_index("scenario")
    ref = comparison.mean_accounts(base.name).loc[2027:]
    print("share  children placed  child-years in care  unspent M EUR  NPV M EUR")
    for share, run in zip(SHARES, runs, strict=True):
        acc = comparison.mean_accounts(run.name).loc[2027:]
        placed = acc["children_placed"].sum()
        change = 100 * (placed / ref["children_placed"].sum() - 1)
        print(
            f"{share:5.1f}  {placed:9,.0f} ({change:+5.1f}%)  "
            f"{acc['child_years_in_care'].sum():15,.0f}  {acc['unspent'].sum() / 1e6:13.1f}  "
            f"{values.loc[run.name, 'npv'] / 1e6:9.1f}"
        )
    print(
        f"baseline {ref['children_placed'].sum():,.0f} children placed 2027-2040; "
        f"unspent {ref['unspent'].sum() / 1e6:.1f} M EUR; the 2027 preventive share is "
        f"{base_share(base):.2f}"
    )


def base_share(base) -> float:
    """The baseline's preventive share of its 2027 service budget."""
    levers = base.resolved_parameters()
    paths = {line: levers[f"budget.{line}"] for line in sv.SERVICES}
    for change in base.schedule:
        for line in sv.SERVICES:
            paths[line] = change.values.get(f"budget.{line}", paths[line])
    return float(paths["preventive"] / np.sum(list(paths.values())))


if __name__ == "__main__":
    main()
