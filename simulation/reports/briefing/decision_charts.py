"""Charts of the briefing's decision sections, drawn from the files copied beside it.

The commands' own charts are in the language they were run with; the briefing draws its own
in each of its languages from the same tables (``decisions/<i>-<kind>/``).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simulation.reports import locale
from simulation.reports.briefing.decision_text import CHART
from simulation.reports.briefing.decisions import Decision
from simulation.reports.style import PALETTE, STYLE, role_colour, save
from simulation.reports.voi import detectable

WIDTH = 6.85  # inches: the briefing's text width, as its other charts
WRAP = 44  # characters of a label's line


def _wrap(label: str, lines: int = 2) -> str:
    """A row's label on at most ``lines`` lines of :data:`WRAP` characters."""
    return "\n".join(textwrap.wrap(label, WRAP, max_lines=lines, placeholder=" …"))


def allocations(d: Decision, folder: Path, lang: str, stem: Path) -> Path:
    """Programme budgets of the best, today's and the equal-shares allocation (bars)."""
    w = CHART[lang]
    table = pd.read_csv(folder / d.file("allocations.csv"), index_col="allocation")
    labels = pd.read_csv(folder / d.file("labels.csv")).set_index("name")
    columns = [c for c in table.columns if c.startswith("budget.") and c in labels.index]
    names = ("optimal", "today", "uniform")
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH, 0.42 * len(columns) + 1.2))
        y = np.arange(len(columns))
        for i, name in enumerate(names):
            colour = role_colour((1, 0, 2)[i])
            ax.barh(y + (i - 1) * 0.27, table.loc[name, columns], 0.27, label=w[name], color=colour)
        ax.set_yticks(y, [_wrap(labels.loc[c, f"label_{lang}"]) for c in columns], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(w["million_eur_year"])
        ax.xaxis.set_major_formatter(locale.tick_formatter(0, lang))
        ax.legend(loc="lower right", fontsize=8)
        ax.grid(axis="y", visible=False)
        fig.tight_layout()
        save(fig, stem)
    return stem.with_suffix(".png")


def boxes(d: Decision, folder: Path, lang: str, stem: Path) -> Path:
    """Each box's restrictions as bars over the range explored (0 to 1)."""
    w = CHART[lang]
    table = pd.read_csv(folder / d.file("boxes.csv"))
    labels = pd.read_csv(folder / d.file("labels.csv")).set_index("name")
    rows = list(table.itertuples())
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH, 0.55 * len(rows) + 1.2))
        ticks = []
        for i, row in enumerate(rows):
            lo, hi = labels.loc[row.parameter, ["explored_low", "explored_high"]]
            span = (hi - lo) or 1.0
            a = 0.0 if np.isnan(row.low) else (row.low - lo) / span
            b = 1.0 if np.isnan(row.high) else (row.high - lo) / span
            colour = PALETTE[(int(row.box) % (len(PALETTE) - 1)) + 1]
            ax.barh(i, 1.0, color="#EEEEEE", height=0.6)
            ax.barh(i, max(b - a, 0.01), left=a, color=colour, height=0.6)
            # a programme's effect reads "programme: effect", often three lines
            ticks.append(_wrap(labels.loc[row.parameter, f"label_{lang}"], 3))
            ax.text(1.01, i, w["box"].format(i=int(row.box)), va="center", fontsize=7.5)
        ax.set_yticks(np.arange(len(rows)), ticks, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, 1.12)
        ax.set_xticks([0, 0.5, 1])
        ax.xaxis.set_major_formatter(locale.tick_formatter(1, lang))
        ax.set_xlabel(w["explored"])
        ax.grid(axis="y", visible=False)
        fig.tight_layout()
        save(fig, stem)
    return stem.with_suffix(".png")


def npv_histogram(d: Decision, lang: str, stem: Path) -> Path:
    """The NPV over the draws, paying and not paying in two colours (when no box is drawn)."""
    w = CHART[lang]
    npv = pd.read_parquet(d.source / "points.parquet", columns=["npv"])["npv"] / 1e6
    edges = np.histogram_bin_edges(npv, bins=30)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH, 3.2))
        ax.hist(npv[npv <= 0], bins=edges, color=role_colour(0), label=w["does_not_pay"])
        ax.hist(npv[npv > 0], bins=edges, color=role_colour(1), label=w["pays"])
        ax.axvline(0, color="#333333", lw=0.8)
        ax.set_xlabel(w["million_eur"])
        ax.set_ylabel(w["draws"])
        ax.xaxis.set_major_formatter(locale.tick_formatter(0, lang))
        ax.legend(fontsize=8)
        fig.tight_layout()
        save(fig, stem)
    return stem.with_suffix(".png")


def evppi(d: Decision, folder: Path, lang: str, stem: Path, grouping: str) -> Path:
    """Each estimable group's EVPPI with 95% Monte Carlo intervals, the EVPI as a line."""
    w = CHART[lang]
    groups = pd.read_csv(folder / d.file("evppi.csv"))
    labels = pd.read_csv(folder / d.file("labels.csv"))
    labels = labels[labels["grouping"] == grouping].set_index("name")
    evpi = pd.read_csv(folder / d.file("evpi.csv"))["evpi"].iloc[0] / 1e6
    table = groups[(groups["grouping"] == grouping) & groups["estimable"]]
    table = table.sort_values("evppi").tail(15)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH, 0.36 * len(table) + 1.3))
        y = np.arange(len(table))
        values, half = table["evppi"] / 1e6, 1.96 * table["standard_error"] / 1e6
        # grey: no value detectable, as the section's text says (voi.detectable)
        shown = [detectable(r, evpi * 1e6) for r in table.itertuples()]
        colours = [PALETTE[1] if s else "#BBBBBB" for s in shown]
        ax.barh(y, values, xerr=half, color=colours, error_kw={"lw": 0.8, "capsize": 2})
        for i, (value, width) in enumerate(zip(values, half, strict=True)):
            text = "  " + locale.number(value, 2, lang)
            ax.text(value + width, i, text, va="center", fontsize=7.5)
        ax.axvline(evpi, color=PALETTE[2], lw=1.2, ls="--")
        ax.text(
            evpi,
            1.01,
            w["evpi"].format(value=locale.million_eur(evpi * 1e6, 1, lang)),
            transform=ax.get_xaxis_transform(),
            ha="right",
            va="bottom",
            fontsize=8,
            color=PALETTE[2],
        )
        ax.set_yticks(y, [_wrap(labels.loc[g, f"label_{lang}"]) for g in table["group"]])
        ax.tick_params(axis="y", labelsize=8)
        ax.set_xlim(0, max(evpi, float((values + half).max() if len(table) else 0)) * 1.18)
        ax.set_xlabel(w["evppi_axis"])
        ax.xaxis.set_major_formatter(locale.tick_formatter(1, lang))
        ax.grid(axis="y", visible=False)
        fig.tight_layout()
        save(fig, stem)
    return stem.with_suffix(".png")
