"""Charts of a calibration: each target series against the data, residuals, posteriors.

The style is :mod:`simulation.reports.style`' (same fonts, grid and state colours). Data points are
drawn by quality (filled: high, half-filled: medium, open: low) with their 90% measurement
interval; the model is the best fit (line) and the posterior 90% credible band (shaded).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from simulation.analysis.targets import Target
from simulation.model.catalogue import REGISTRY
from simulation.model.states import STATE_COLOURS, STATE_KEYS, STATES
from simulation.reports.labels import words
from simulation.reports.style import STYLE, save, thousands

Z90 = 1.6449  # standard normal 95th percentile: a 90% two-sided interval

MARKERS = {"high": "full", "medium": "left", "low": "none"}


def target_title(target: Target, lang: str) -> str:
    """The target's title: its own (from the targets file) or one derived from its output."""
    if lang in target.title:
        return target.title[lang]
    text = words(lang, "calibration")
    if target.stock:
        kind, _, key = target.stock.partition(".")
        kind = "children" if target.per_family else kind  # families times children per family
        if key == "in_care":
            return text["in_care"]
        state = STATES[STATE_KEYS.index(key)]
        return f"{text[kind]}: {state.label(lang).lower()}"
    return target.name.replace("_", " ")


def _colour(target: Target) -> str:
    if target.stock and not target.stock.endswith("in_care"):
        return STATE_COLOURS[STATES[STATE_KEYS.index(target.stock.split(".")[1])]]
    return "#333333"


def by_output(targets: Sequence[Target]) -> dict[str, list[Target]]:
    """Targets grouped by model output (targets of one output share a chart)."""
    groups: dict[str, list[Target]] = {}
    for t in targets:
        groups.setdefault(t.output, []).append(t)
    return groups


def file_stem(group: Sequence[Target]) -> str:
    """File name of a group's chart.

    ``fit_`` and its stock (``children_institutional_care``), or the target's name for flows
    and for stocks counted with a children-per-family path.
    """
    first = group[0]
    if first.stock and not first.per_family:
        return "fit_" + first.stock.replace(".", "_")
    return "fit_" + first.name


def _legend_handles(lang: str, holdout: bool, abm: bool = False) -> list:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    text = words(lang, "calibration")
    handles = [
        Patch(color="#888888", alpha=0.35, label=text["band"]),
        Line2D([], [], color="#444444", lw=1.8, label=text["best"]),
    ]
    if abm:
        handles.append(Line2D([], [], color="#444444", lw=1.3, ls="--", label=text["abm"]))
    for quality, fill in MARKERS.items():
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                ls="",
                color="#222222",
                fillstyle=fill,
                mfc="#222222" if fill != "none" else "white",
                label=text[quality],
            )
        )
    if holdout:
        handles.append(Patch(color="#e4e4e4", label=text["holdout"]))
    return handles


def _draw_group(
    ax,
    group: Sequence[Target],
    band: pd.DataFrame,
    points: pd.DataFrame,
    holdout_from: int | None,
    abm: pd.DataFrame | None = None,
) -> None:
    target = group[0]
    colour = _colour(target)
    mine = points[points["target"].isin([t.name for t in group])]
    if holdout_from:
        ax.axvspan(holdout_from, band["time"].max(), color="#e4e4e4", zorder=0, lw=0)
    ax.fill_between(band["time"], band["q05"], band["q95"], color=colour, alpha=0.25, lw=0)
    ax.plot(band["time"], band["best"], color=colour, lw=1.8)
    if abm is not None:
        ax.plot(abm["time"], abm["abm_mean"], color=colour, lw=1.3, ls="--")
    for quality, fill in MARKERS.items():
        rows = mine[mine["quality"] == quality]
        if rows.empty:
            continue
        low = rows["value"] * np.exp(-Z90 * rows["sigma"])
        high = rows["value"] * np.exp(Z90 * rows["sigma"])
        ax.errorbar(
            rows["time"],
            rows["value"],
            yerr=[rows["value"] - low, high - rows["value"]],
            fmt="o",
            ms=5.5,
            color="#222222",
            fillstyle=fill,
            mfc="#222222" if fill != "none" else "white",
            ecolor="#555555",
            elinewidth=0.9,
            capsize=2.5,
            zorder=3,
        )
    top = max(band["q95"].max(), (mine["value"] * np.exp(Z90 * mine["sigma"])).max())
    if abm is not None:
        top = max(top, abm["abm_mean"].max())
    ax.set_ylim(0, top * 1.08)
    ax.set_xlim(band["time"].min(), band["time"].max())
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ax.grid(True)


def calibration_fit(
    group: Sequence[Target],
    band: pd.DataFrame,
    points: pd.DataFrame,
    stem: Path,
    lang: str = "lt",
    holdout_from: int | None = None,
    abm: pd.DataFrame | None = None,
) -> list[str]:
    """The chart of one model output against its data.

    Its data points by quality, the model line and band, and the agent-based engine's mean
    (dashed) when given.
    """
    text = words(lang, "calibration")
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.6, 3.9))
        _draw_group(ax, group, band, points, holdout_from, abm)
        ax.yaxis.set_major_formatter(thousands(lang))
        ax.set_xlabel(text["year"])
        ax.set_title(target_title(group[0], lang), loc="left", fontsize=11)
        ax.legend(
            handles=_legend_handles(lang, bool(holdout_from), abm is not None),
            frameon=False,
            fontsize=7.5,
            loc="lower left",
        )
        series = ", ".join(dict.fromkeys(s for t in group for s in t.series))
        fig.text(0.01, -0.02, text["series"].format(series=series), fontsize=7.5, color="#555555")
        fig.tight_layout()
        return save(fig, stem)


def calibration_overview(
    targets: Sequence[Target],
    bands: Mapping[str, pd.DataFrame],
    points: pd.DataFrame,
    stem: Path,
    lang: str = "lt",
    holdout_from: int | None = None,
    abm: Mapping[str, pd.DataFrame] | None = None,
) -> list[str]:
    """Small multiples: every model output with its data in one figure."""
    abm = abm or {}
    words(lang, "calibration")  # checks the language
    groups = list(by_output(targets).values())
    cols = 3
    rows = int(np.ceil(len(groups) / cols))
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(rows, cols, figsize=(11, 2.8 * rows + 0.6), squeeze=False)
        for ax, group in zip(axes.flat, groups, strict=False):
            name = group[0].name
            _draw_group(ax, group, bands[name], points, holdout_from, abm.get(name))
            ax.yaxis.set_major_formatter(thousands(lang))
            ax.set_title(target_title(group[0], lang), loc="left", fontsize=8.5)
        for ax in list(axes.flat)[len(groups) :]:
            ax.set_visible(False)
        fig.suptitle(words(lang, "calibration")["overview"], fontsize=12, x=0.01, ha="left")
        fig.tight_layout(rect=(0, 0.06, 1, 1))
        fig.legend(
            handles=_legend_handles(lang, bool(holdout_from), bool(abm)),
            loc="lower center",
            ncols=7,
            frameon=False,
            fontsize=8,
        )
        return save(fig, stem)


def calibration_residuals(points: pd.DataFrame, stem: Path, lang: str = "lt") -> list[str]:
    """Standardised residual of every point (bars), grey beyond +-2."""
    text = words(lang, "calibration")
    names = [f"{t} {y}" for t, y in zip(points["target"], points["year"], strict=True)]
    values = points["standardised_residual"].to_numpy()
    colours = ["#0072B2" if u == "fit" else "#999999" for u in points["used"]]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 0.28 * len(points) + 1.2))
        y = np.arange(len(points))[::-1]
        ax.barh(y, values, color=colours, height=0.65)
        for limit in (-2, 2):
            ax.axvline(limit, color="#D55E00", lw=0.8, ls="--")
        ax.axvline(0, color="#333333", lw=0.8)
        ax.set_yticks(y, names, fontsize=7.5)
        ax.set_title(text["residuals"], loc="left")
        ax.grid(axis="y", visible=False)
        fig.tight_layout()
        return save(fig, stem)


def posterior_marginals(
    samples: pd.DataFrame, table: pd.DataFrame, stem: Path, lang: str = "lt"
) -> list[str]:
    """A histogram per free parameter over its prior range, with the best fit marked."""
    text = words(lang, "calibration")
    names = list(table["parameter"])
    cols = 4
    rows = int(np.ceil(len(names) / cols))
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(rows, cols, figsize=(11, 2.3 * rows), squeeze=False)
        for ax, row in zip(axes.flat, table.itertuples(), strict=False):
            ax.axvspan(row.prior_low, row.prior_high, color="#eeeeee", zorder=0)
            bins = np.linspace(row.prior_low, row.prior_high, 81)  # one grid: widths compare
            ax.hist(samples[row.parameter], bins=bins, color="#0072B2", alpha=0.85)
            ax.axvline(row.best, color="#D55E00", lw=1.4, label=text["best_marker"])
            pad = 0.02 * (row.prior_high - row.prior_low)
            ax.set_xlim(row.prior_low - pad, row.prior_high + pad)
            ax.set_title(row.parameter, fontsize=8)
            ax.set_xlabel(REGISTRY[row.parameter].unit, fontsize=7.5)
            ax.set_yticks([])
        for ax in list(axes.flat)[len(names) :]:
            ax.set_visible(False)
        axes.flat[0].legend(frameon=False, fontsize=7)
        fig.suptitle(text["posterior"], fontsize=11, x=0.01, ha="left")
        fig.tight_layout()
        return save(fig, stem)
