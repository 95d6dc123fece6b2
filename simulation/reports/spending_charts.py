"""Where each scenario's service money goes: spending by programme and money left unspent.

A programme spends only on the families it can reach (``docs/programmes.md``); the rest of its
budget is unspent. One panel per scenario: a horizontal bar per programme with money, spent
(solid, in its funding line's colour) then unspent (hatched), summed over the policy years.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simulation.model.prices import PRICE_YEAR
from simulation.model.services import PROGRAMMES, SERVICES
from simulation.reports.labels import words
from simulation.reports.style import STYLE, one_decimal, save

#: One colour per funding line (Okabe-Ito).
LINE_COLOURS = dict(zip(SERVICES, ("#009E73", "#0072B2", "#E69F00", "#CC79A7"), strict=True))


def programme_money(accounts: dict[str, pd.DataFrame], first_year: int) -> pd.DataFrame:
    """Spent and unspent money by scenario and programme from ``first_year`` on, EUR.

    Parameters
    ----------
    accounts : dict of str to DataFrame
        Yearly accounts of each scenario (columns ``spent.<programme>``,
        ``unspent.<programme>``), indexed by year.
    first_year : int
        First year counted (the policy year).

    Returns
    -------
    DataFrame
        Columns ``scenario``, ``programme``, ``spent``, ``unspent`` (EUR, undiscounted).
    """
    rows = []
    for name, table in accounts.items():
        later = table.loc[table.index >= first_year]
        for prog in PROGRAMMES:
            rows.append(
                {
                    "scenario": name,
                    "programme": prog.name,
                    "spent": float(later[f"spent.{prog.name}"].sum()),
                    "unspent": float(later[f"unspent.{prog.name}"].sum()),
                }
            )
    return pd.DataFrame(rows)


def programme_spending(
    money: pd.DataFrame, titles: dict[str, str], years: tuple[int, int], stem: Path, lang="lt"
) -> list[str]:
    """Chart :func:`programme_money`: one panel per scenario, programmes with money only.

    Parameters
    ----------
    money : DataFrame
        From :func:`programme_money`.
    titles : dict of str to str
        Readers' title of every scenario by name.
    years : tuple of int
        First and last year counted (for the axis label).
    stem : Path
        Output path without suffix.
    lang : {"lt", "en"}
    """
    text = words(lang, "spending")
    total = money.groupby("programme", sort=False)[["spent", "unspent"]].sum().sum(axis=1)
    shown = [p for p in PROGRAMMES if total[p.name] > 0]
    scenarios = list(dict.fromkeys(money["scenario"]))
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            len(scenarios),
            1,
            figsize=(8.0, 0.32 * len(shown) * len(scenarios) + 1.6),
            sharex=True,
            squeeze=False,
        )
        for ax, name in zip(axes[:, 0], scenarios, strict=True):
            rows = money[money["scenario"] == name].set_index("programme")
            _panel(ax, rows, shown, lang)
            unspent = rows["unspent"].sum() / 1e6
            ax.set_title(
                text["title"].format(scenario=titles[name], unspent=one_decimal(unspent, lang)),
                loc="left",
            )
        axes[-1, 0].set_xlabel(text["axis"].format(first=years[0], last=years[1], year=PRICE_YEAR))
        handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in LINE_COLOURS.values()]
        handles.append(
            plt.Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="#555555", hatch="///")
        )
        labels = [text["lines"][s] for s in SERVICES] + [text["unspent"]]
        fig.legend(handles, labels, loc="lower center", ncol=5, frameon=False, fontsize=8)
        fig.tight_layout(rect=(0, 0.05, 1, 1))
        return save(fig, stem)


def _panel(ax, rows: pd.DataFrame, shown: list, lang: str) -> None:
    """One scenario's bars, first programme at the top."""
    y = np.arange(len(shown))[::-1]
    spent = np.array([rows.loc[p.name, "spent"] for p in shown]) / 1e6
    unspent = np.array([rows.loc[p.name, "unspent"] for p in shown]) / 1e6
    colours = [LINE_COLOURS[p.line] for p in shown]
    ax.barh(y, spent, color=colours, height=0.7)
    ax.barh(y, unspent, left=spent, color="white", edgecolor=colours, hatch="///", height=0.7)
    ax.set_yticks(y, [p.label_lt if lang == "lt" else p.label_en for p in shown], fontsize=8)
    ax.grid(axis="x", alpha=0.3)
