"""What ``prevsim optimise`` adds when municipalities differ in need: bands table and chart.

The bands' programme mixes side by side, each band's budget per child (the national budget
split between the bands by need, or the same everywhere), and the municipalities ranked by
the gain per child of their band's allocation over today's
(:mod:`simulation.analysis.optimise_need`).
"""

from __future__ import annotations

from pathlib import Path
from textwrap import fill

import numpy as np
import pandas as pd

from simulation.analysis import optimise as op
from simulation.analysis import optimise_need as on
from simulation.model.demography import country_demography
from simulation.model.services import PROGRAMMES
from simulation.reports import labels, locale

WORDS = {
    "lt": {
        "mix": "Geriausias programų derinys pagal poreikio grupę",
        "band": "Grupė {band}\n(poreikis {need})",
        "share": "biudžeto dalis",
        "ranking": "Nauda vienam vaikui, palyginti su dabartiniu paskirstymu (EUR)",
        "per_child": "Biudžetas vienam vaikui pagal poreikio grupę (EUR per metus)",
        "same": "vienodas visiems vaikams (× 1): {value}",
        "short": "Grupė {band}",
        "legend": "poreikio grupė",
        "source": "„{title}“, {draws} parametrų rinkinių vidurkis; poreikis: {need}.",
    },
    "en": {
        "mix": "Best programme mix by need band",
        "band": "band {band}\n(need {need})",
        "share": "share of the budget",
        "ranking": "Gain per child over today's allocation (EUR)",
        "per_child": "Budget per child by need band (EUR a year)",
        "same": "the same for every child (× 1): {value}",
        "short": "band {band}",
        "legend": "need band",
        "source": "'{title}', mean over {draws} parameter draws; need: {need}.",
    },
}


def write_need(result: op.Result, folder: Path, lang: str) -> list[str]:
    """``bands.csv``, the split's curves and the bands chart when bands were searched.

    ``budget_curves.csv`` (with a split): each band's mean outcome on the search draws at
    each multiple of the national budget per child, the band's part (times its children
    share). Returns the files written.
    """
    nb = result.bands
    if nb is None or nb.source == on.SIZE_ONLY:
        return []
    on.bands_frame(result).to_csv(folder / "bands.csv")
    files = ["bands.csv"]
    if nb.split is not None:
        curves = pd.DataFrame(
            nb.split.curves * nb.shares[:, None],
            index=pd.RangeIndex(1, len(nb.need) + 1, name="band"),
            columns=[f"{nb.split.outcome}_at_{m:g}" for m in nb.split.grid],
        )
        curves.to_csv(folder / "budget_curves.csv")
        files.append("budget_curves.csv")
    return [*files, *need_chart(result, folder / "need_bands", lang)]


def need_chart(result: op.Result, stem: Path, lang: str) -> list[str]:
    """The bands' mixes (stacked bars), budgets per child and municipalities by gain per child."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from simulation.model.municipality_names import official_name
    from simulation.reports import style

    w, nb = WORDS[lang], result.bands
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(14, 5.5), width_ratios=(1, 0.75, 1.2))
    mixes = np.array([r.allocations["optimal"].shares for r in nb.results])  # (bands, N_PROG)
    x = np.arange(len(nb.need))
    bottom = np.zeros(len(nb.need))
    colours = plt.get_cmap("tab10")
    for i, prog in enumerate(PROGRAMMES):
        left.bar(x, mixes[:, i], 0.6, bottom=bottom, color=colours(i), label=prog.label(lang))
        bottom += mixes[:, i]
    names = [
        w["band"].format(band=b + 1, need=locale.number(r, 2, lang)) for b, r in enumerate(nb.need)
    ]
    left.set_xticks(x, names)
    left.set_ylabel(w["share"])
    left.yaxis.set_major_formatter(locale.percent_formatter(lang))
    left.set_title(fill(w["mix"], 40), fontsize=10)
    fig.legend(
        *left.get_legend_handles_labels(),
        fontsize=7,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.17),
        ncol=3,
    )
    budget_chart(middle, result, lang)
    table = op.by_municipality(result)
    children = country_demography(result.problem.scenario.run.country).children_at(
        result.problem.year
    )
    per_child = (table["gain_over_today"] / (table["children_share"] * children)).sort_values()
    band = table.loc[per_child.index, "band"].to_numpy()
    y = np.arange(len(per_child))
    right.barh(y, per_child.to_numpy(), color=[style.role_colour(int(b)) for b in band])
    right.set_yticks(y, [official_name(n, lang) for n in per_child.index], fontsize=8)
    right.xaxis.set_major_formatter(style.thousands(lang))
    right.set_title(fill(w["ranking"], 40), fontsize=10)
    keys = [Patch(color=style.role_colour(b + 1)) for b in range(len(nb.need))]
    bands = [n.replace("\n", " ") for n in names]
    right.legend(keys, bands, title=w["legend"], fontsize=7, title_fontsize=7, loc="lower right")
    title = result.problem.scenario.display_title(lang)
    draws = locale.number(len(result.problem.draws), 0, lang)
    rest = w["source"].format(title=title, draws=draws, need=nb.titles)
    fig.subplots_adjust(bottom=0.26, wspace=0.3)
    fig.text(0.01, 0.0, f"{labels.sd_source(lang)}; {rest}", fontsize=7)
    return style.save(fig, stem)


def budget_chart(ax, result: op.Result, lang: str) -> None:
    """Each band's budget per child (EUR a year) against the same budget for every child."""
    from simulation.reports import style

    w, frame = WORDS[lang], on.bands_frame(result)
    bands, total = frame.iloc[:-1], frame.loc["total"]
    x = np.arange(len(bands))
    colours = [style.role_colour(b + 1) for b in range(len(bands))]
    ax.bar(x, bands["budget_per_child"].to_numpy(float), 0.6, color=colours)
    same = w["same"].format(value=locale.number(total["budget_per_child"], 0, lang))
    ax.axhline(total["budget_per_child"], color=style.BASELINE_COLOUR, ls="--", lw=1, label=same)
    per_child, multiple = bands["budget_per_child"], bands["budget_multiplier"]
    for xi, (money, m) in enumerate(zip(per_child, multiple, strict=True)):
        text = f"{locale.number(money, 0, lang)}\n(× {locale.number(m, 2, lang)})"
        ax.text(xi, money, text, ha="center", va="bottom", fontsize=7)
    ax.set_xticks(x, [w["short"].format(band=b) for b in bands.index])
    ax.legend(fontsize=7, loc="upper left")
    ax.set_ylim(0, 1.35 * float(bands["budget_per_child"].max()))
    ax.yaxis.set_major_formatter(style.thousands(lang))
    ax.set_title(fill(w["per_child"], 34), fontsize=10)
