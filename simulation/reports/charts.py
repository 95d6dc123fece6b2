"""Charts of runs, comparisons and sensitivity studies (Lithuanian or English labels).

Functions take tables and a path stem and return the file names they wrote (PNG and PDF);
the style is :mod:`simulation.reports.style`, the words :mod:`simulation.reports.labels`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from simulation.model.states import STATE_COLOURS, STATES, State
from simulation.reports.labels import words
from simulation.reports.style import (
    PALETTE,
    STYLE,
    decimals,
    save,
    thousands,
    year_axis,
)


def families_by_state(
    national: pd.DataFrame, stem: Path, lang: str = "lt", name: str = "", engine: str = "sd"
) -> list[str]:
    """Small multiples: one panel per state (families), and children in care.

    Parameters
    ----------
    national : DataFrame
        National monthly time series (``tables.national``).
    stem : Path
        Output path without suffix; PNG and PDF are written.
    lang : {"lt", "en"}
        Language of every label.
    name : str
        Scenario name for the source line.
    engine : {"sd", "abm"}
        Engine named in the source line.
    """
    text = words(lang, "charts")
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(2, 4, figsize=(11, 5.2), sharex=True)
        for ax, state in zip(axes.flat, STATES, strict=False):
            ax.plot(national["date"], national[state.key], color=STATE_COLOURS[state], lw=1.8)
            ax.set_title(state.label(lang))
            ax.set_ylim(bottom=0)
            year_axis(ax)
            ax.yaxis.set_major_formatter(thousands(lang))
        ax = axes.flat[-1]
        ax.stackplot(
            national["date"],
            national["children.family_care"],
            national["children.institutional_care"],
            colors=[STATE_COLOURS[State.FAMILY_CARE], STATE_COLOURS[State.INSTITUTIONAL_CARE]],
            labels=[text["family_care"], text["institutional_care"]],
            alpha=0.85,
        )
        ax.set_title(text["children_in_care"])
        ax.set_ylabel(text["children"])
        year_axis(ax)
        ax.yaxis.set_major_formatter(thousands(lang))
        top = (national["children.family_care"] + national["children.institutional_care"]).max()
        ax.set_ylim(0, top * 1.35)  # headroom so the legend never covers the areas
        ax.legend(loc="upper right", fontsize=7.5, frameon=False, ncols=1)
        for ax in axes[:, 0]:
            ax.set_ylabel(text["families"])
        first, last = national["date"].dt.year.min(), national["date"].dt.year.max()
        title = f"{text['families_by_state']}, {first}–{last}"
        fig.suptitle(title, fontsize=12, x=0.01, ha="left")
        if name:
            fig.text(
                0.01,
                0.008,
                text["source"].format(name=name, engine=text[engine]),
                fontsize=7.5,
                color="#555555",
            )
        # A fixed layout that fits the figure (room for tick labels of up to "300 000" and,
        # at the bottom, the source line): measuring the eight date axes for a tight layout
        # or a tight bounding box took most of the time of the chart.
        fig.subplots_adjust(left=0.075, right=0.99, bottom=0.1, top=0.87, wspace=0.42, hspace=0.3)
        return save(fig, stem, tight=False)


def compare_accounts(
    accounts: Mapping[str, pd.DataFrame], stem: Path, lang: str = "lt"
) -> list[str]:
    """Yearly accounts of each scenario side by side.

    Placements, children in care, families in difficulty and public cost (the first scenario
    dashed grey).
    """
    text = words(lang, "charts")
    titles = text["accounts"]
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, len(titles), figsize=(3.5 * len(titles), 3.3))
        for ax, (col, title) in zip(axes, titles.items(), strict=True):
            for i, (name, frame) in enumerate(accounts.items()):
                scale = 1e6 if col == "total_cost" else 1.0
                ax.plot(
                    frame.index,
                    frame[col] / scale,
                    color=PALETTE[i % len(PALETTE)],
                    lw=1.6 if i == 0 else 2.0,
                    ls="--" if i == 0 else "-",
                    label=name,
                )
            ax.set_title(title)
            ax.set_ylim(bottom=0)
            ax.yaxis.set_major_formatter(thousands(lang))
        axes[0].legend(frameon=False, fontsize=7.5)
        fig.suptitle(text["comparison"], fontsize=12, x=0.01, ha="left")
        fig.tight_layout()
        return save(fig, stem)


def net_benefit(net: pd.DataFrame, base_year: int, stem: Path, lang: str = "lt") -> list[str]:
    """Cumulative discounted net benefit of each scenario against the first, by year.

    Each break-even year is marked.
    """
    text = words(lang, "charts")
    first = net.attrs.get("reference", "")
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 4.0))
        ax.axhline(0.0, color="#333333", lw=0.8)
        shown = net.loc[net.index >= base_year]
        for i, name in enumerate(shown.columns):
            colour = PALETTE[(i + 1) % len(PALETTE)]
            values = shown[name] / 1e6
            ax.plot(shown.index, values, color=colour, lw=2.0, label=name)
            negative = (values < 0).to_numpy().nonzero()[0]
            start = 0 if not negative.size else negative[-1] + 1
            if values.iloc[-1] >= 0 and start < len(values):
                year = int(shown.index[start])
                ax.plot([year], [values.iloc[start]], "o", color=colour, ms=6)
                ax.annotate(
                    text["break_even"].format(year=year),
                    (year, values.iloc[start]),
                    textcoords="offset points",
                    xytext=(6, -14),
                    fontsize=8,
                    color=colour,
                )
        ax.set_ylabel(text["million_eur"])
        ax.set_title(text["net_benefit"].format(first=first), loc="left")
        ax.legend(frameon=False, fontsize=8, loc="best")
        fig.tight_layout()
        return save(fig, stem)


def sensitivity_indices(
    table: pd.DataFrame,
    method: str,
    stem: Path,
    lang: str = "lt",
    outcome: str = "",
    top: int = 15,
) -> list[str]:
    """Horizontal bars of the most influential parameters.

    Sobol first-order and total indices with 95% confidence intervals, Morris mu* (with its
    interval), PAWN median, or RBD-FAST first-order indices with their intervals (``rbd_fast``:
    the briefing's, whose caption names the outcome, so ``outcome=""`` draws no title).
    """
    text = words(lang, "charts")
    shown = table.head(top).iloc[::-1]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 0.35 * len(shown) + 1.4))
        y = range(len(shown))
        if method == "sobol":
            ax.barh(
                [i + 0.2 for i in y],
                shown["ST"],
                height=0.4,
                xerr=shown["ST_conf"],
                color="#0072B2",
                label=text["total_order"],
            )
            ax.barh(
                [i - 0.2 for i in y],
                shown["S1"],
                height=0.4,
                xerr=shown["S1_conf"],
                color="#E69F00",
                label=text["first_order"],
            )
            ax.legend(frameon=False, fontsize=8, loc="lower right")
        elif method == "morris":
            ax.barh(list(y), shown["mu_star"], xerr=shown["mu_star_conf"], color="#0072B2")
            ax.set_xlabel("μ*")
        elif method == "rbd_fast":
            error = {"lw": 0.8, "capsize": 2}
            ax.barh(list(y), shown["S1"], xerr=shown["S1_conf"], color="#0072B2", error_kw=error)
            ax.set_xlim(left=0)
            ax.grid(axis="y", visible=False)
            ax.xaxis.set_major_formatter(decimals(lang, 2))
            ax.set_xlabel(words(lang, "briefing")["s1"])
        else:
            ax.barh(list(y), shown["median"], color="#0072B2")
            ax.set_xlabel("PAWN")
        ax.set_yticks(list(y), shown.index)
        if outcome:
            ax.set_title(text["sensitivity"].format(outcome=outcome), loc="left")
        fig.tight_layout()
        return save(fig, stem)


def morris_mu_sigma(
    table: pd.DataFrame,
    stem: Path,
    lang: str = "lt",
    outcome: str = "",
    unit: str = "",
    label: int = 5,
) -> list[str]:
    """Morris screening: mu* (overall influence) against sigma (non-linearity and interactions).

    The ``label`` most influential parameters are named, their labels set off in turn to four
    sides so that neighbours do not overlap. EUR are shown in millions.
    """
    text = words(lang, "charts")
    scale, shown = (1e6, text["million_eur"]) if unit == "EUR" else (1.0, unit)
    offsets = ((6, 6, "left"), (6, -12, "left"), (-6, 6, "right"), (-6, -12, "right"))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.0, 5.0))
        ax.scatter(table["mu_star"] / scale, table["sigma"] / scale, color="#0072B2", s=22)
        for rank, (name, row) in enumerate(table.head(label).iterrows()):
            dx, dy, ha = offsets[rank % len(offsets)]
            ax.annotate(
                name,
                (row["mu_star"] / scale, row["sigma"] / scale),
                textcoords="offset points",
                xytext=(dx, dy),
                fontsize=7.5,
                ha=ha,
            )
        suffix = f" ({shown})" if shown else ""
        ax.set_xlabel("μ*" + suffix)
        ax.set_ylabel("σ" + suffix)
        ax.set_title(text["sensitivity"].format(outcome=outcome), loc="left")
        fig.tight_layout()
        return save(fig, stem)


def time_varying_indices(
    table: pd.DataFrame, method: str, stem: Path, lang: str = "lt", outcome: str = "", top: int = 6
) -> list[str]:
    """The main index of the most influential parameters (at the last year) by year."""
    text = words(lang, "charts")
    key = {"sobol": "ST", "morris": "μ*", "pawn": "PAWN"}[method]
    leaders = table.iloc[-1].sort_values(ascending=False).index[:top]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 4.2))
        for i, name in enumerate(leaders):
            ax.plot(
                table.index,
                table[name],
                marker="o",
                ms=3.5,
                lw=1.8,
                color=PALETTE[(i + 1) % len(PALETTE)],
                label=name,
            )
        ax.set_ylabel(key)
        ax.set_ylim(bottom=0)
        ax.set_title(text["over_time"].format(outcome=outcome), loc="left")
        ax.legend(frameon=False, fontsize=7.5, loc="best")
        fig.tight_layout()
        return save(fig, stem)
