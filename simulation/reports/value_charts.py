"""The benefits of a scenario by outcome and by who gains (WSIPP's detailed benefits), charted.

One panel per scenario: a horizontal bar per outcome, its parts by payer stacked (gains to the
right of zero, losses to the left); the title gives total benefits and costs, the footer the
lifetime horizon in words.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simulation.model.prices import PRICE_YEAR
from simulation.reports.labels import words
from simulation.reports.style import STYLE, decimals, one_decimal, save

#: One colour per payer (Okabe-Ito).
PAYER_COLOURS = {
    "participants": "#0072B2",
    "taxpayers": "#E69F00",
    "others": "#CC79A7",
    "indirect": "#999999",
}


def benefits_by_outcome(
    table: pd.DataFrame,
    costs: dict[str, float],
    titles: dict[str, str],
    base_year: int,
    stem: Path,
    lang: str = "lt",
) -> list[str]:
    """Benefits by outcome and payer, one panel per scenario.

    Parameters
    ----------
    table : DataFrame
        Columns ``scenario``, ``outcome``, ``payer``, ``pv_eur`` (means over replicates).
    costs : dict of str to float
        Present value of each scenario's extra spending, EUR.
    titles : dict of str to str
        Readers' title of every scenario by name, the reference first.
    base_year : int
        Year values are discounted to.
    stem : Path
        Output path without suffix.
    lang : {"lt", "en"}
    """
    text = words(lang, "value")
    scenarios = list(dict.fromkeys(table["scenario"]))
    counted = set(table.loc[table["pv_eur"] != 0, "outcome"])  # a line switched off is left out
    outcomes = [o for o in text["outcomes"] if o in counted]
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            len(scenarios),
            1,
            figsize=(8.0, 0.45 * len(outcomes) * len(scenarios) + 1.4),
            squeeze=False,
        )
        for ax, name in zip(axes[:, 0], scenarios, strict=True):
            _panel(ax, table[table["scenario"] == name], outcomes, text, lang)
            benefits = table.loc[table["scenario"] == name, "pv_eur"].sum() / 1e6
            total = text["total"].format(
                benefits=one_decimal(benefits, lang), costs=one_decimal(costs[name] / 1e6, lang)
            )
            ax.set_title(
                text["title"].format(scenario=titles[name], baseline=next(iter(titles.values())))
                + "\n"
                + total,
                loc="left",
            )
        axes[-1, 0].set_xlabel(
            text["axis"].format(year=PRICE_YEAR) + "\n" + text["horizon"].format(base=base_year)
        )
        handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in PAYER_COLOURS.values()]
        fig.legend(
            handles,
            [text["payers"][p] for p in PAYER_COLOURS],
            loc="lower center",
            ncol=4,
            frameon=False,
            fontsize=8.6,  # >= 7.4 pt when the 8-inch figure fills a briefing page's width
        )
        fig.tight_layout(rect=(0, 0.05, 1, 1))
        return save(fig, stem)


def _panel(ax, rows: pd.DataFrame, outcomes: list[str], text: dict, lang: str) -> None:
    """Stacked horizontal bars of one scenario."""
    pivot = (
        rows.pivot_table(index="outcome", columns="payer", values="pv_eur", aggfunc="sum")
        .reindex(index=outcomes, columns=list(PAYER_COLOURS))
        .fillna(0.0)
        / 1e6
    )
    y = np.arange(len(outcomes))[::-1]
    right = np.zeros(len(outcomes))
    left = np.zeros(len(outcomes))
    for payer, colour in PAYER_COLOURS.items():
        values = pivot[payer].to_numpy()
        start = np.where(values >= 0, right, left)
        ax.barh(y, values, left=start, color=colour, height=0.62)
        right = right + np.clip(values, 0, None)
        left = left + np.clip(values, None, 0)
    ax.axvline(0.0, color="#333333", lw=0.8)
    ax.set_yticks(y, [text["outcomes"][o] for o in outcomes])
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(decimals(lang, 0))
