"""Text of ``prevsim programmes``: the library, and the value of one programme."""

from __future__ import annotations

import textwrap

import numpy as np

from simulation.model import services as sv
from simulation.model.catalogue import REGISTRY
from simulation.model.prices import PRICE_YEAR

WIDTH = 100


def _chance(net) -> str:
    """The chance that benefits exceed costs over the draws' net values, said as everywhere.

    Imported here: the library listing (``prevsim programmes`` alone) loads no pandas.
    """
    from simulation.reports.ensemble import chance_sentence
    from simulation.workflow import uncertainty as unc

    return chance_sentence(unc.chance_benefits_exceed_costs(net), "draws")


def _eur(value: float) -> str:
    return f"{value:,.0f}"


def library_lines(p: dict) -> list[str]:
    """Every programme: line, target, evidence, effect, cost, duration, relapse, sources."""
    lines = [
        *textwrap.wrap(
            f"The programme library (simulation/data/programmes/programmes.toml); money in EUR at "
            f"{PRICE_YEAR} prices. A line's budget (budget.<line>) is split among its programmes "
            "by their weights (mix.<programme>); budget.<programme> adds money of its own.",
            WIDTH,
        ),
        "",
    ]
    for prog in sv.PROGRAMMES:
        duration = p[prog.parameter("duration")]
        cost = p[prog.parameter("cost")]
        per_family = cost * duration if duration > 0 else cost
        stay = f"{duration:g} years" if duration > 0 else "while in the state (ongoing)"
        lines.append(f"{prog.name}: {prog.label_en} / {prog.label_lt}")
        for text in (
            f"line {prog.line}, serves families in {prog.target.key.replace('_', ' ')}; "
            f"evidence: {prog.evidence}; weight in the baseline {prog.default_mix:g}",
            f"cost {_eur(cost)} a place-year; stays {stay}; a family served costs "
            f"{_eur(per_family)}{'' if duration > 0 else ' a year'}; relapse "
            f"{p[prog.parameter('relapse_rate')]:g}/yr; applies to "
            f"{p[prog.parameter('effective_share')]:.0%} of its families",
        ):
            lines += textwrap.wrap(text, WIDTH, initial_indent="  ", subsequent_indent="    ")
        for effect in prog.effects:
            name = prog.parameter(f"effect.{effect.transition}")
            low, high = REGISTRY[name].range
            published = (
                "no evaluation"
                if effect.measure == "none"
                else f"{effect.measure.replace('_', ' ')} {effect.value:g} "
                f"[{effect.low:g}, {effect.high:g}] over {effect.follow_up:g} years"
            )
            lines.append(
                f"  effect on {effect.transition.replace('_', ' ')}: {published} -> hazard "
                f"multiplier {p[name]:.3g} [{low:.3g}, {high:.3g}]"
            )
            lines += textwrap.wrap(
                effect.source, WIDTH, initial_indent="    ", subsequent_indent="    "
            )
        lines.append("")
    lines.append(
        "Staff training raises the quality of every programme (training_quality_gain, an "
        "assumption): no effect of training on placement or recurrence was found, only on "
        "turnover (the ARC trial cut caseworker turnover by two thirds)."
    )
    return lines


def value_lines(value) -> list[str]:
    """One programme's value per family served, with its uncertainty."""
    prog, c = value.programme, value.central
    served = c["families_served"]
    benefits = value.per_family("benefits")
    costs = value.per_family("costs")
    drawn = len(value.draws) - 1
    ratio = c["benefits"] / c["costs"] if c["costs"] > 0 else np.nan
    lines = [
        f"{prog.label_en}: {value.families:,.0f} families a year for {value.years} years from "
        f"{value.start} ({value.budget:,.2f} million EUR a year), against the baseline; EUR at "
        f"{PRICE_YEAR} prices, discounted at {value.discount_rate:.1%} to {value.start}; the "
        "children affected are followed to age 64.",
        f"Families served: {served:,.0f} (central run).",
        "",
        "Per family served (central):",
        f"  cost                 {_eur(costs.iloc[0]):>10}",
        f"  benefits             {_eur(benefits.iloc[0]):>10}",
        f"  net                  {_eur(benefits.iloc[0] - costs.iloc[0]):>10}",
        f"  benefit-cost ratio   {ratio:>10.2f}",
    ]
    if drawn:
        lo, mid, hi = np.quantile(benefits.iloc[1:] - costs.iloc[1:], (0.05, 0.5, 0.95))
        lines += [
            f"  net, median of draws {_eur(mid):>10}",
            f"  net, 90% interval    {_eur(lo)} to {_eur(hi)} ({drawn} draws of the "
            "programme's effect sizes and costs)",
            "  " + _chance(benefits.iloc[1:] - costs.iloc[1:]),
            "  (draws are uniform over each parameter's range, which need not be centred on the "
            "central value: `prevsim params` lists them)",
        ]
    lines += ["", "Benefits per family served by outcome and payer (central):"]
    table = value.by_outcome.pivot_table(
        index="outcome", columns="payer", values="per_family_eur", aggfunc="sum"
    ).fillna(0.0)
    table = table.loc[(table != 0).any(axis=1)]
    head = "  " + "outcome".ljust(22) + "".join(c.rjust(14) for c in table.columns)
    lines.append(head)
    for outcome, row in table.iterrows():
        lines.append("  " + outcome.ljust(22) + "".join(_eur(v).rjust(14) for v in row))
    return lines
