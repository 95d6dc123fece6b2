"""Text tables and results folders for scenario comparisons (the I/O edge of compare.py)."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from simulation.reports import charts, spending_charts, value_charts
from simulation.workflow import compare as cmp
from simulation.workflow import economics as ec
from simulation.workflow import store
from simulation.workflow import uncertainty as unc
from simulation.workflow.store import Output

VALUE_COLUMNS = (
    "npv",
    "benefits",
    "costs",
    "bcr",
    "irr",
    "break_even_year",
    "children_placed_avoided",
    "placements_avoided",
    "child_years_in_care_avoided",
    "cost_per_placement_avoided",
)
#: Columns of value.csv: the fields of :class:`economics.Value` (``placements_avoided``
#: counts families) and ``children_placed_avoided`` (children: the count every output shows).
VALUE_CSV_EXCLUDES: tuple[str, ...] = ()

#: The printed table: (title, column, scale, digits); ``scale=None`` prints a year.
TABLE_COLUMNS = (
    ("NPV, M EUR", "npv", 1e6, 1),
    ("benefits, M EUR", "benefits", 1e6, 1),
    ("costs, M EUR", "costs", 1e6, 1),
    ("BCR", "bcr", 1, 2),
    ("break-even", "break_even_year", None, 0),
    ("children placed avoided", "children_placed_avoided", 1, 0),
    ("child-years in care avoided", "child_years_in_care_avoided", 1, 0),
)


def table_number(value: float, scale: float | None = 1.0, digits: int = 1) -> str:
    """A number for the table; ``scale=None`` prints a year (no separators)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if scale is None:
        return f"{value:.0f}"
    return f"{value / scale:,.{digits}f}"


def _cell(summary: pd.DataFrame, name: str, col: str, scale=1.0, digits=1, interval=False):
    """One cell: the run's value, or the median and 90% interval over replicates."""
    if not interval:
        return table_number(summary.loc[name, f"{col}.median"], scale, digits)
    text = table_number(summary.loc[name, f"{col}.median"], scale, digits)
    low, high = summary.loc[name, f"{col}.p05"], summary.loc[name, f"{col}.p95"]
    return text + f" [{table_number(low, scale, digits)}, {table_number(high, scale, digits)}]"


def header(comparison: cmp.Comparison, rate: float, base_year: int) -> str:
    """What every figure is in: currency, price year, discounting, horizon, engine, runs."""
    years = comparison.accounts[comparison.names[0]][0].index
    runs = (
        f"median [90% interval] over {comparison.replicates} paired replicates"
        if comparison.engine == "abm"
        else "the central run (one deterministic run, every parameter at its best estimate)"
    )
    return (
        f"Value against '{comparison.names[0]}': {ec.CURRENCY}, {ec.PRICE_YEAR} prices, "
        f"discounted at {rate:.1%} a year to {base_year}, horizon {years[0]}-{years[-1]}; "
        f"{comparison.engine} engine, {runs}"
    )


def _rows(summary: pd.DataFrame, interval: bool) -> list[list[str]]:
    titles = ["scenario"] + [t for t, *_ in TABLE_COLUMNS]
    rows = [
        [name] + [_cell(summary, name, col, s, d, interval) for _, col, s, d in TABLE_COLUMNS]
        for name in summary.index
    ]
    widths = [max(len(r[i]) for r in [titles, *rows]) for i in range(len(titles))]
    return [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in [titles, *rows]
    ]


def _notes(comparison: cmp.Comparison, summary: pd.DataFrame, drawn: bool) -> list[str]:
    """What the table's words and dashes mean, and how much chance is in it."""
    years = comparison.accounts[comparison.names[0]][0].index
    families = ", ".join(
        f"{n} {table_number(summary.loc[n, 'placements_avoided.median'], 1, 0)}"
        for n in summary.index
    )
    lines = [
        f"children placed avoided: children entering care {years[0]}-{years[-1]}, "
        f"'{comparison.names[0]}' minus scenario (families with children placed: {families})"
    ]
    never = [n for n in summary.index if math.isnan(summary.loc[n, "break_even_year.median"])]
    if never:
        lines.append(f"break-even '-': not within the horizon ({', '.join(never)})")
    free = [n for n in summary.index if math.isnan(summary.loc[n, "bcr.median"])]
    if free:
        lines.append(f"BCR '-': no extra spending to divide by ({', '.join(free)})")
    lines.append(
        "benefits: care costs avoided and the lifetime value of the childhoods changed (adult "
        "earnings, early death, assistance, hospital care, crime), each child to age 64, with "
        "the deadweight cost of taxes; costs: extra spending on services (value_by_outcome.csv)"
    )
    if comparison.engine == "abm":
        errors = "; ".join(
            f"{n}: NPV {summary.loc[n, 'npv.se'] / 1e6:,.1f} M EUR, children placed avoided "
            f"{summary.loc[n, 'children_placed_avoided.se']:,.0f}"
            for n in summary.index
        )
        lines.append(
            f"Monte Carlo standard error of the mean over {comparison.replicates} replicates "
            f"(the agent-based engine's chance, parameters at their best estimates): {errors}"
        )
    elif not drawn:
        lines.append(
            "uncertainty: `prevsim compare --samples 1000`, `prevsim ensemble` and the briefing "
            "give the median, the 90% interval and the chance that benefits exceed costs over "
            "the same 1,000 history-matched parameter draws; their central run is this one"
        )
    return lines


def value_table(
    comparison: cmp.Comparison,
    vals: pd.DataFrame,
    rate: float,
    base_year: int,
    draws: Draws | None = None,
):
    """The headline table as text lines (and the Monte Carlo over ``draws``, if given)."""
    summary = cmp.summarise(vals, "scenario", VALUE_COLUMNS)
    lines = [header(comparison, rate, base_year), ""]
    lines += _rows(summary, interval=comparison.engine == "abm")
    lines += _notes(comparison, summary, draws is not None)
    return lines + (draws_table(draws) if draws is not None else [])


@dataclass(frozen=True)
class Draws:
    """The scenarios valued over history-matched parameter draws (the briefing's).

    Attributes
    ----------
    values : DataFrame
        Per scenario and sample (sample 0 the central run): the briefing's measures.
    described : str
        How the draws were made, for the report.
    """

    values: pd.DataFrame
    described: str


def monte_carlo(
    scenarios, rate: float, base_year: int, samples: int, seed: int, targets: Path | None
) -> Draws:
    """Value every scenario against the first over ``samples`` history-matched draws.

    The draws, the central run (sample 0) and the measures are the briefing's
    (:func:`simulation.analysis.monte_carlo.plausible_draws`,
    :func:`simulation.analysis.briefing_numbers.sample_values`): the same ``samples`` and
    ``seed`` give the same numbers as ``prevsim brief`` and ``prevsim ensemble``.

    Raises
    ------
    ValueError
        When too few draws match the national data.
    """
    from simulation.analysis import briefing_numbers as bn
    from simulation.analysis import monte_carlo as mc

    everyone = mc.common_horizon(scenarios)
    kept = mc.plausible_draws(everyone[0], everyone[1:], samples, seed, targets)
    table = mc.with_central_row(kept.table)
    base = mc.run_batch(everyone[0], table)
    values = pd.concat(
        [bn.sample_values(mc.run_batch(sc, table), base, rate, base_year) for sc in everyone[1:]],
        ignore_index=True,
    )
    return Draws(values, kept.describe())


def draws_table(draws: Draws) -> list[str]:
    """The central run, the median and 90% interval over the draws, and the chance."""
    from simulation.reports.ensemble import chance_sentence

    runs = draws.values[draws.values["sample"] > 0]
    summary = cmp.summarise(runs, "scenario", [c for _, c, *_ in TABLE_COLUMNS])
    n = len(runs) // max(1, runs["scenario"].nunique())
    lines = [
        "",
        f"Under uncertainty, median [90% interval] over {n:,} parameter draws: {draws.described}",
        "",
        *_rows(summary, interval=True),
    ]
    for name in summary.index:
        npv = runs.loc[runs["scenario"] == name, "npv"]
        sentence = chance_sentence(unc.chance_benefits_exceed_costs(npv), "draws")
        lines.append(f"{name}: {sentence}")
    lines.append(
        "the central run of these draws (every parameter at its best estimate) is the table "
        "above; value_draws.csv has every draw, value_draws_summary.csv the Monte Carlo "
        "standard error of each mean ('<value>.se')"
    )
    return lines


def titles(comparison: cmp.Comparison, lang: str) -> dict[str, str]:
    """Readers' title of every scenario in ``lang``, by name (the reference first)."""
    return {s.name: s.display_title(lang) for s in comparison.scenarios}


def outcome_table(comparison: cmp.Comparison, rate: float, base_year: int) -> pd.DataFrame:
    """Benefits by scenario, outcome and payer (mean over replicates, 90% interval for ABM).

    Columns ``scenario, outcome, payer, pv_eur, pv_eur_p05, pv_eur_p95,
    pv_per_family_year_served_eur, pv_per_child_year_served_eur``; ``pv_eur`` adds up to the
    mean benefits of each scenario.
    """
    rows = cmp.value_by_outcome(comparison, rate, base_year)
    grouped = rows.groupby(["scenario", "outcome", "payer"], sort=False)["pv_eur"]
    table = pd.concat(
        {
            "pv_eur": grouped.mean(),
            "pv_eur_p05": grouped.quantile(0.05),
            "pv_eur_p95": grouped.quantile(0.95),
        },
        axis=1,
    ).reset_index()
    served = cmp.served(comparison).set_index("scenario")
    for unit, column in (
        ("family", "extra_family_years_served"),
        ("child", "extra_child_years_served"),
    ):
        extra = table["scenario"].map(served[column])
        table[f"pv_per_{unit}_year_served_eur"] = (table["pv_eur"] / extra).where(extra > 0)
    return table


def write_programme_money(
    folder: Path,
    means: dict[str, pd.DataFrame],
    scenario_titles: dict[str, str],
    base_year: int,
    lang: str,
    lines: list[str],
) -> list[str]:
    """Write spent and unspent money by programme (table and chart); add a line to value.txt.

    ``lines`` (the text of value.txt) gets the unspent totals and is written again.
    """
    money = spending_charts.programme_money(means, base_year)
    money.to_csv(folder / "programme_money.csv", index=False)
    years = (base_year, int(max(m.index.max() for m in means.values())))
    unspent = money.groupby("scenario", sort=False)["unspent"].sum() / 1e6
    lines.append(
        f"unspent service money {years[0]}-{years[1]}, M EUR (beyond the families the "
        "programmes can reach; programme_money.csv): "
        + ", ".join(f"{n} {v:.1f}" for n, v in unspent.items())
    )
    (folder / "value.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    chart = spending_charts.programme_spending(
        money, scenario_titles, years, folder / "programme_spending", lang
    )
    return ["programme_money.csv", *chart]


def _folder_name(
    comparison: cmp.Comparison, rate: float, base_year: int, draws: Draws | None
) -> tuple[str, str]:
    """The comparison's folder name and the digest of everything that determines it."""
    digest = hashlib.sha256(
        (
            "".join(s.digest() for s in comparison.scenarios)
            + f"{comparison.engine}{comparison.replicates}{rate}{base_year}"
            + (draws.described if draws is not None else "")
        ).encode()
    ).hexdigest()[:10]
    name = (
        "-vs-".join(reversed(comparison.names))
        if len(comparison.names) <= 3
        else (f"{comparison.names[0]}-and-{len(comparison.names) - 1}-more")
    )
    return name, digest


def write_draws(folder: Path, draws: Draws) -> list[str]:
    """value_draws.csv (every draw, sample 0 the central run) and its summary; the names."""
    draws.values.to_csv(folder / "value_draws.csv", index=False)
    runs = draws.values[draws.values["sample"] > 0]
    columns = [c for c in runs.columns if c not in ("scenario", "sample")]
    cmp.summarise(runs, "scenario", columns).to_csv(folder / "value_draws_summary.csv")
    return ["value_draws.csv", "value_draws_summary.csv"]


def write_comparison(
    comparison: cmp.Comparison,
    rate: float,
    base_year: int,
    out: Output,
    draws: Draws | None = None,
) -> tuple[Path, list[str]]:
    """Write outcomes.csv, value.csv, accounts.csv, charts and a manifest.

    With ``draws`` (:func:`monte_carlo`) also value_draws.csv (every draw, sample 0 the
    central run) and value_draws_summary.csv. Returns the folder and the text table.
    """
    root, lang, command = out.root, out.lang, out.command
    vals = cmp.values(comparison, rate, base_year)
    lines = value_table(comparison, vals, rate, base_year, draws)
    outcome_rows = cmp.outcomes(comparison)
    folder = store.run_folder(
        root, "comparisons", *_folder_name(comparison, rate, base_year, draws)
    )
    accounts = pd.concat(
        {(n, r): acc for n in comparison.names for r, acc in enumerate(comparison.accounts[n])},
        names=["scenario", "replicate"],
    ).reset_index()
    with store.atomic_folder(folder) as tmp:
        vals.drop(columns=list(VALUE_CSV_EXCLUDES)).to_csv(tmp / "value.csv", index=False)
        cmp.summarise(vals, "scenario", VALUE_COLUMNS).to_csv(tmp / "value_summary.csv")
        outcome_rows.to_csv(tmp / "outcomes.csv", index=False)
        cols = [c for c, _, _ in ec.OUTCOMES]
        cmp.summarise(outcome_rows, "scenario", cols).to_csv(tmp / "outcomes_summary.csv")
        accounts.to_csv(tmp / "accounts.csv", index=False)
        by_outcome = outcome_table(comparison, rate, base_year)
        by_outcome.to_csv(tmp / "value_by_outcome.csv", index=False)
        (tmp / "value.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        files = [
            "value.csv",
            "value_summary.csv",
            "outcomes.csv",
            "outcomes_summary.csv",
            "accounts.csv",
            "value_by_outcome.csv",
            "value.txt",
        ]
        files += write_draws(tmp, draws) if draws is not None else []
        means = {n: comparison.mean_accounts(n) for n in comparison.names}
        files += charts.compare_accounts(means, tmp / "comparison", lang=lang)
        costs = vals.groupby("scenario", sort=False)["costs"].mean().to_dict()
        files += value_charts.benefits_by_outcome(
            by_outcome,
            costs,
            titles(comparison, lang),
            base_year,
            tmp / "benefits_by_outcome",
            lang,
        )
        files += write_programme_money(tmp, means, titles(comparison, lang), base_year, lang, lines)
        net = cmp.cumulative_net_benefit(comparison, rate, base_year)
        files += charts.net_benefit(net, base_year, tmp / "net_benefit", lang=lang)
        store.write_manifest(
            tmp,
            files,
            command=command,
            kind="comparison",
            engine=comparison.engine,
            replicates=comparison.replicates,
            discount_rate=rate,
            base_year=base_year,
            currency=ec.CURRENCY,
            price_year=ec.PRICE_YEAR,
            scenarios=[s.to_dict() for s in comparison.scenarios],
            digests=[s.digest() for s in comparison.scenarios],
        )
    return folder, lines
