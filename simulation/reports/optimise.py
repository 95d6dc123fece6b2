"""What ``prevsim optimise`` writes: tables, summary, charts (allocations; a map and ranking)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.analysis import optimise as op
from simulation.analysis.optimise_need import need_lines
from simulation.model.services import PROGRAMMES
from simulation.reports import labels, locale
from simulation.reports.optimise_need import write_need
from simulation.workflow import store
from simulation.workflow.store import Output

#: Words only the optimisation's charts use; the shared ones (million EUR, "a year", the
#: source line's head) are in :mod:`simulation.reports.labels`.
WORDS = {
    "lt": {
        "allocations": "Paslaugų biudžeto paskirstymas nuo {year} m. ({budget})",
        "optimal": "geriausias paskirstymas",
        "today": "dabartinis paskirstymas",
        "uniform": "po lygiai",
        "scenario": "scenarijaus paskirstymas",
        "gain_map": "Geriausio paskirstymo nauda, palyginti su dabartiniu (GDV, mln. EUR)",
        "ranking": "Savivaldybės pagal naudą",
        "pareto": "GDV ir išvengti paėmimai į globą: neįveikiami paskirstymai",
        "npv_axis": "GDV, mln. EUR",
        "placements_axis": "išvengta šeimų, kurių vaikai paimami į globą",
        "front": "neįveikiami paskirstymai",
        "front_zoom": "Neįveikiami paskirstymai iš arti",
        "source": "„{title}“, {draws} parametrų rinkinių vidurkis.",
    },
    "en": {
        "allocations": "The service budget from {year} ({budget})",
        "optimal": "best allocation",
        "today": "today's allocation",
        "uniform": "equal shares",
        "scenario": "the scenario's allocation",
        "gain_map": "Gain of the best allocation over today's (NPV, million EUR)",
        "ranking": "Municipalities by gain",
        "pareto": "NPV and placements avoided: the allocations nothing beats on both",
        "npv_axis": "NPV, million EUR",
        "placements_axis": "families whose children are placed, avoided",
        "front": "allocations nothing beats on both",
        "front_zoom": "The allocations nothing beats on both, enlarged",
        "source": "'{title}', mean over {draws} parameter draws.",
    },
}


def summary_lines(result: op.Result, check: pd.DataFrame | None, scale: float) -> list[str]:
    """The command's printed summary (English, like every command's console output)."""
    p, s = result.problem, result.settings
    table = op.summary_table(result)
    aim = "mean" if s.quantile is None else f"{s.quantile:g} quantile"
    objective = {
        "npv": f"the {aim} of NPV",
        "placements": f"the {aim} of placements avoided (families)",
    }
    lines = [
        f"Allocation of {p.budget:.2f} million EUR a year from {p.year} (reached over "
        f"{p.ramp:g} years) across {len(PROGRAMMES)} programmes and the NGO share of 4 "
        f"funding lines; NPV against '{p.baseline.name}', discounted to {p.year}.",
        _search_line(result, objective.get(s.objective)),
        f"Valued on {len(p.draws):,} draws: {p.draws_note}.",
        "Money the programmes cannot use is "
        + ("paid all the same (a committed budget)." if s.paid else "returned (not a cost)."),
        "",
        f"{'allocation':<10} {'NPV mean':>9} {'90% interval':>17} {'P(NPV>0)':>8} "
        f"{'placements avoided':>18} {'gain vs today':>16} {'gain vs equal':>16} "
        f"{'unspent':>8}",
    ]
    for name, row in table.iterrows():
        lines.append(
            f"{name:<10} {row.npv_mean / 1e6:9.1f} {row.npv_p05 / 1e6:8.1f} to "
            f"{row.npv_p95 / 1e6:6.1f} {row.chance_npv_positive:8.0%} "
            f"{row.placements_avoided_mean:18.0f} "
            f"{row.gain_over_today / 1e6:9.1f} ± {row.gain_over_today_se / 1e6:4.1f} "
            f"{row.gain_over_uniform / 1e6:9.1f} ± {row.gain_over_uniform_se / 1e6:4.1f} "
            f"{row.unspent_mean / 1e6:8.1f}"
        )
    lines.append(
        f"M EUR; gains are paired over the same draws (± one standard error); placements "
        f"avoided in families; unspent: money the programmes could not spend for lack of "
        f"families, {p.year}-{p.scenario.run.end_year}, undiscounted"
        + (" (paid: counted in the NPV)" if s.paid else " (returned: not a cost)")
    )
    if s.quantile is not None:
        quantiles = ", ".join(f"{n} {v / 1e6:.1f}" for n, v in table["npv_quantile"].items())
        lines.append(f"{s.quantile:g} quantile of NPV over the draws, M EUR: {quantiles}")
    lines += ["", "Best allocation, million EUR a year (NGO share of its funding line):"]
    best = result.allocations["optimal"]
    width = max(len(prog.label("en")) for prog in PROGRAMMES)
    for prog, share in zip(PROGRAMMES, best.shares, strict=True):
        ngo = best.ngo[["preventive", "basic", "integration", "mobile_team"].index(prog.line)]
        lines.append(f"  {prog.label('en'):<{width}} {share * p.budget:6.2f}  ({ngo:.0%} NGO)")
    if check is not None:
        lines += ["", *abm_lines(result, check, scale)]
    if result.front is not None:
        lines += ["", *front_lines(result.front, len(p.draws), s.quantile)]
    if result.bands is not None:
        lines += ["", *need_lines(result)]
    return lines


def _search_line(result: op.Result, aim: str | None) -> str:
    """The summary's line on the search: the algorithm, its aim, draws and generations."""
    s, x = result.settings, result.searches[0]
    draws = min(s.search_draws, len(result.problem.draws))
    done = f"{x.generations} generations, {x.evaluations:,} candidates"
    if aim is None:  # the Pareto front
        what = "the mean" if s.quantile is None else f"the {s.quantile:g} quantile"
        return (
            f"Search: NSGA-II (pymoo) for the allocations no other beats on both NPV and "
            f"placements avoided (families) ({what} of each) over {draws} draws; {done}; "
            "the best allocation is the front's highest NPV."
        )
    stop = "converged" if x.converged else "stopped at the generation limit"
    return (
        f"Search: differential evolution (SciPy) maximising {aim} over {draws} draws; "
        f"{done}, {stop}."
    )


def front_lines(front: pd.DataFrame, draws: int, quantile: float | None, most: int = 12):
    """The Pareto front's table as printed: at most ``most`` points, evenly spread.

    With ``quantile`` (the search's objective), a column gives that quantile of NPV too.
    """
    shown = np.unique(np.linspace(0, len(front) - 1, min(most, len(front))).round().astype(int))
    every = " has every one" if len(shown) < len(front) else ""
    head = f"{'NPV mean':>14} {'90% interval':>17} {'placements avoided':>20}"
    lines = [
        f"Pareto front: {len(front)} allocation{'s' if len(front) != 1 else ''} "
        f"(pareto.csv{every}), valued on {draws:,} draws (M EUR; ± one standard error "
        "of the mean):",
        f"  {head}" + (f" {f'NPV q{quantile:g}':>9}" if quantile is not None else ""),
    ]
    for _, row in front.iloc[shown].iterrows():
        lines.append(
            f"  {row.npv_mean / 1e6:8.1f} ± {row.npv_mean_se / 1e6:3.1f} "
            f"{row.npv_p05 / 1e6:8.1f} to {row.npv_p95 / 1e6:6.1f} "
            f"{row.placements_avoided_mean:13.0f} ± {row.placements_avoided_mean_se:4.0f}"
            + (f" {row.npv_quantile / 1e6:9.1f}" if quantile is not None else "")
        )
    return lines


def abm_lines(result: op.Result, check: pd.DataFrame, scale: float) -> list[str]:
    """The agent-based check against the SD engine's central run."""
    sd = result.central["optimal"]["npv"] - result.central["today"]["npv"]
    n = len(check)
    mean = check["npv"].mean()
    se = check["npv"].std(ddof=1) / np.sqrt(n) if n > 1 else float("nan")
    placed = check["placements_avoided"].mean()
    placed_se = check["placements_avoided"].std(ddof=1) / np.sqrt(n) if n > 1 else float("nan")
    sd_placed = (
        result.central["optimal"]["placements_avoided"]
        - result.central["today"]["placements_avoided"]
    )
    return [
        f"Agent-based check ({n} paired replicates at scale {scale:g}, central parameters): "
        f"the best allocation against today's, NPV {mean / 1e6:.1f} ± {se / 1e6:.1f} M EUR "
        f"(SD central run {sd / 1e6:.1f}); placements avoided (families) {placed:.0f} ± "
        f"{placed_se:.0f} (SD {sd_placed:.0f}); difference ABM - SD {(mean - sd) / 1e6:.1f} "
        "M EUR",
    ]


def write_result(
    result: op.Result, check: pd.DataFrame | None, out: Output, scale: float
) -> tuple[Path, list[str]]:
    """Write the tables, the summary, the charts and a manifest; the folder and summary."""
    p = result.problem
    lines = summary_lines(result, check, scale)
    name = f"{p.scenario.name}-vs-{p.baseline.name}"
    digest = hashlib.sha256(
        f"{p.scenario.digest()}{p.baseline.digest()}{p.budget}{result.settings}".encode()
    ).hexdigest()[:10]
    folder = store.run_folder(out.root, "optimise", name, digest)
    with store.atomic_folder(folder) as tmp:
        tables = {
            "summary.csv": op.summary_table(result),
            "allocations.csv": op.allocations_table(result),
            "municipalities.csv": op.by_municipality(result),
        }
        if result.front is not None:
            tables["pareto.csv"] = result.front
        if check is not None:
            tables["abm_check.csv"] = check
        for file, table in tables.items():
            table.to_csv(tmp / file)
        (tmp / "summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        files = [*tables, "summary.txt"]
        files += allocation_chart(result, tmp / "allocations", out.lang)
        files += municipal_chart(result, tmp / "municipalities", out.lang)
        files += write_need(result, tmp, out.lang)  # bands.csv and chart, with a need file
        if result.front is not None:
            files += pareto_chart(result, tmp / "pareto", out.lang)
        store.write_manifest(
            tmp,
            files,
            command=out.command,
            scenario=p.scenario.to_dict(),
            baseline=p.baseline.to_dict(),
            budget_million_eur=p.budget,
            policy_year=p.year,
            settings=vars(result.settings),
            draws=p.draws_note,
        )
    return folder, lines


def allocation_chart(result: op.Result, stem: Path, lang: str) -> list[str]:
    """Programme budgets of the best, today's and the uniform allocation (horizontal bars)."""
    import matplotlib.pyplot as plt

    from simulation.reports import style

    w, p = WORDS[lang], result.problem
    names = ("optimal", "today", "uniform")
    fig, ax = plt.subplots(figsize=(8, 5.5))
    y = np.arange(len(PROGRAMMES))
    for i, name in enumerate(names):
        money = result.allocations[name].shares * p.budget
        ax.barh(
            y + (i - 1) * 0.27, money, 0.27, label=w[name], color=style.role_colour((1, 0, 2)[i])
        )
    ax.set_yticks(y, [prog.label(lang) for prog in PROGRAMMES])
    ax.invert_yaxis()
    ax.set_xlabel(labels.per_year(labels.words(lang, "charts")["million_eur"], lang))
    ax.xaxis.set_major_formatter(style.decimals(lang, 0))
    budget = labels.per_year(locale.million_eur(p.budget * 1e6, 1, lang), lang)
    ax.set_title(w["allocations"].format(year=p.year, budget=budget))
    ax.legend(loc="lower right")
    fig.text(0.01, 0.0, _source(result, lang), fontsize=7)
    return style.save(fig, stem)


def _source(result: op.Result, lang: str, draws: int | None = None) -> str:
    """The chart's source line: the model, the scenario's title and the draws averaged."""
    title = result.problem.scenario.display_title(lang)
    draws = len(result.problem.draws) if draws is None else draws
    rest = WORDS[lang]["source"].format(title=title, draws=locale.number(draws, 0, lang))
    return f"{labels.sd_source(lang)}; {rest}"


def municipal_chart(result: op.Result, stem: Path, lang: str, top: int = 15) -> list[str]:
    """A map of each municipality's gain over today's allocation and its ranking.

    Another country's regions have no map: the ranking alone, titled by what it ranks.
    """
    import matplotlib.pyplot as plt

    from simulation.model.municipality_names import official_name
    from simulation.reports import style
    from simulation.reports.maps import draw_map, on_map

    w = WORDS[lang]
    table = op.by_municipality(result)
    gain = table["gain_over_today"] / 1e6
    ranked = gain.sort_values(ascending=False).iloc[:top]
    if on_map(gain.to_dict()):
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 5), width_ratios=(1.4, 1))
        draw_map(left, gain.to_dict(), lang, label=labels.words(lang, "charts")["million_eur"])
        left.set_title(w["gain_map"], fontsize=10)
        right.set_title(w["ranking"], fontsize=10)
    else:  # another country's regions have no map: the ranking alone, titled by the gain
        fig, right = plt.subplots(figsize=(7, 0.35 * len(ranked) + 1.8))
        right.set_title(w["gain_map"], fontsize=10)
    right.barh(np.arange(len(ranked)), ranked.to_numpy(), color=style.role_colour(1))
    names = [official_name(n, lang) for n in ranked.index]
    right.set_yticks(np.arange(len(ranked)), names, fontsize=8)
    right.invert_yaxis()
    right.xaxis.set_major_formatter(style.decimals(lang, 1))
    fig.text(0.01, 0.0, _source(result, lang), fontsize=7)
    return style.save(fig, stem)


def pareto_chart(result: op.Result, stem: Path, lang: str) -> list[str]:
    """The Pareto front (NSGA-II) and today's, the uniform and the scenario's allocation.

    Every point is its mean over every draw (the front's points were chosen on the search
    draws, so a few may fall behind another out of sample). The right panel enlarges the
    front; its highest-NPV point (the best allocation) is starred.
    """
    import matplotlib.pyplot as plt

    from simulation.reports import style

    w = WORDS[lang]
    fig, (ax, zoom) = plt.subplots(1, 2, figsize=(10, 4.6), width_ratios=(1.2, 1))
    for i, name in enumerate(result.problem.references):
        v = result.values[name]
        ax.scatter(
            v["placements_avoided"].mean(),
            v["npv"].mean() / 1e6,
            marker="s",
            color=style.role_colour((0, 2, 3)[i]),
            label=w[name],
            zorder=3,
        )
    for axes in (ax, zoom):
        _front_points(axes, result.front, w, style)
        axes.xaxis.set_major_formatter(style.thousands(lang))
        axes.yaxis.set_major_formatter(locale.tick_formatter(0, lang))
        axes.set_xlabel(w["placements_axis"], fontsize=9)
    ax.set_ylabel(w["npv_axis"])
    ax.legend(fontsize=8)
    zoom.set_title(w["front_zoom"], fontsize=9)
    fig.suptitle(w["pareto"], fontsize=10)
    fig.text(0.01, 0.0, _source(result, lang), fontsize=7)
    return style.save(fig, stem)


def _front_points(ax, front: pd.DataFrame, w: dict, style) -> None:
    """The front's points (means over every draw, M EUR) and its best allocation, starred."""
    ax.scatter(
        front["placements_avoided_mean"],
        front["npv_mean"] / 1e6,
        s=14,
        color=style.role_colour(1),
        label=w["front"],
        zorder=2,
    )
    best = front.iloc[0]  # the highest NPV on the search draws: the best allocation
    ax.scatter(
        best["placements_avoided_mean"],
        best["npv_mean"] / 1e6,
        marker="*",
        s=120,
        color=style.role_colour(1),
        edgecolor="black",
        linewidth=0.5,
        label=w["optimal"],
        zorder=3,
    )
