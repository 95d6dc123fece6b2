"""Charts of ``prevsim discover``: PRIM's peeling trajectory and the boxes found."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from simulation.analysis.discovery import Discovery
from simulation.analysis.prim import Box
from simulation.model.catalogue import REGISTRY
from simulation.reports.labels import per_year
from simulation.reports.locale import million_eur, number, percent, percent_formatter
from simulation.reports.style import PALETTE, STYLE, save

TEXT = {
    "en": {
        "tradeoff": "Where does the policy pay? PRIM's trade-off between coverage and density",
        "coverage": "Coverage: share of the paying draws inside the box",
        "density": "Density: share of the draws inside the box that pay",
        "box": "Box {i}",
        "chosen": "chosen",
        "reported": "reported (fewer conditions)",
        "restricted": "restricted dimensions",
        "boxes": "{policy}: conditions under which it pays",
        "boxes_most": "{policy}: conditions under which it pays most often",
        "range": "Share of the explored range",
        "explored": "explored range",
        "lever": "lever",
    },
    "lt": {
        "tradeoff": "Kada politika atsiperka? PRIM aprėpties ir tankio kompromisas",
        "coverage": "Aprėptis: atsiperkančių atvejų dalis srityje",
        "density": "Tankis: srities atvejų, kurie atsiperka, dalis",
        "box": "Sritis {i}",
        "chosen": "pasirinkta",
        "reported": "pateikta (mažiau sąlygų)",
        "restricted": "apribotų matmenų",
        "boxes": "{policy}: sąlygos, kuriomis atsiperka",
        "boxes_most": "{policy}: sąlygos, kuriomis dažniausiai atsiperka",
        "range": "Tirto intervalo dalis",
        "explored": "tirtas intervalas",
        "lever": "svertas",
    },
}


def unit_follows_number(name: str) -> bool:
    """Whether a parameter's unit reads after a number: money, rates and shares.

    Other units are nouns ("hazard multiplier", lt "rizikos daugiklis") that a Lithuanian
    number would put in another case (0,43 rizikos daugiklio): sentences name them once, in
    parentheses after the condition, instead.
    """
    return reads_after_number(REGISTRY[name].unit)


def reads_after_number(unit: str) -> bool:
    """Whether a registry unit string reads after a number (:func:`unit_follows_number`)."""
    return unit.startswith(("EUR", "million EUR", "share")) or unit == "1/yr"


def value_digits(value: float) -> int:
    """Decimals that show a value to three significant figures (at most 4)."""
    return min(max(0, 2 - math.floor(math.log10(abs(value)))), 4) if value else 0


def value_text(name: str, value: float, lang: str, unit: bool = True) -> str:
    """A parameter's value as readers read it: number and unit, in ``lang``.

    ``unit=False`` leaves out a unit that is a noun (:func:`unit_follows_number`).
    """
    p = REGISTRY[name]
    if p.unit == "million EUR/yr":
        return per_year(million_eur(value * 1e6, 1, lang), lang)
    if p.unit.startswith("share"):
        return percent(value, 0, lang)
    shown = p.unit_label(lang) if unit or unit_follows_number(name) else ""
    return f"{number(value, value_digits(value), lang)} {shown}".strip()


def tradeoff(boxes: list[Box], stem: Path, lang: str) -> list[str]:
    """Coverage against density along each box's peeling trajectory, the chosen box marked."""
    t = TEXT[lang]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 5.0))
        for i, box in enumerate(boxes, start=1):
            tr = box.trajectory
            colour = PALETTE[i % len(PALETTE)]
            points = ax.scatter(
                tr["coverage"],
                tr["density"],
                c=tr["res_dim"],
                cmap="viridis",
                s=18,
                marker="o" if i == 1 else "s",
                zorder=2,
            )
            ax.plot(
                tr["coverage"],
                tr["density"],
                color=colour,
                lw=0.8,
                zorder=1,
                label=t["box"].format(i=i),
            )
            pick = tr[tr["chosen"]]
            ax.scatter(
                pick["coverage"],
                pick["density"],
                s=140,
                facecolors="none",
                edgecolors=colour,
                linewidths=2,
                zorder=3,
            )
            ax.annotate(
                f"{t['box'].format(i=i)}: {t['chosen']}",
                (pick["coverage"].iloc[0], pick["density"].iloc[0]),
                xytext=(8, 8),
                textcoords="offset points",
                fontsize=8,
            )
            # the box as reported: fewer conditions move it off the trajectory
            ax.scatter(
                [box.coverage],
                [box.density],
                marker="*",
                s=180,
                color=colour,
                edgecolors="black",
                linewidths=0.5,
                zorder=4,
                label=f"{t['box'].format(i=i)}: {t['reported']}",
            )
        fig.colorbar(points, ax=ax, label=t["restricted"])
        ax.set_xlabel(t["coverage"])
        ax.set_ylabel(t["density"])
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(percent_formatter(lang))
        ax.set_title(t["tradeoff"], fontsize=10)
        ax.legend(loc="upper right", fontsize=8)
        return save(fig, stem)


#: How a bound's value is written beside its bar.
_VALUE = {"va": "center", "fontsize": 7, "color": "black"}


def _inside_when_cut(fig, ax) -> None:
    """Move lower bounds' values that would run into the dimensions' names into their bars.

    Written left of its coloured bar, a value near the range's start runs past the axis over
    the names; inside the bar it is written in white.
    """
    renderer = fig.canvas.get_renderer()
    start = ax.get_window_extent(renderer).x0
    for text in ax.texts:
        if text.get_ha() == "right" and text.get_window_extent(renderer).x0 < start:
            text.set_ha("left")
            text.set_color("white")


def boxes(study: Discovery, stem: Path, lang: str) -> list[str]:
    """Each box's restrictions as bars over the explored range of each dimension (0-1)."""
    t = TEXT[lang]
    rows = [
        (i, name, box) for i, box in enumerate(study.boxes, start=1) for name in box.limits.columns
    ]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8.0, 0.7 * len(rows) + 1.6))
        for y, (i, name, box) in enumerate(rows):
            column = study.x[name]
            lo, hi = float(column.min()), float(column.max())
            low, high = box.limits.loc["low", name], box.limits.loc["high", name]
            left = 0.0 if np.isnan(low) else (low - lo) / (hi - lo)
            right = 1.0 if np.isnan(high) else (high - lo) / (hi - lo)
            ax.barh(y, 1.0, color="#dddddd", height=0.6)
            ax.barh(y, right - left, left=left, color=PALETTE[i % len(PALETTE)], height=0.6)
            for side, at, align in ((low, left, "right"), (high, right, "left")):
                if not np.isnan(side):
                    ax.text(at, y, f" {value_text(name, side, lang)} ", ha=align, **_VALUE)
        _inside_when_cut(fig, ax)
        labels = [
            textwrap.fill(
                f"{t['box'].format(i=i)}: {REGISTRY[n].label(lang)}"
                + (f" ({t['lever']})" if REGISTRY[n].kind == "lever" else ""),
                48,
            )
            for i, n, _ in rows
        ]
        ax.set_yticks(range(len(rows)), labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.grid(axis="y", visible=False)  # a line through every bar would cross its values
        ax.xaxis.set_major_formatter(percent_formatter(lang))
        ax.set_xlabel(t["range"])
        dense = all(b.density >= study.settings.threshold for b in study.boxes)
        title = t["boxes" if dense else "boxes_most"]
        ax.set_title(title.format(policy=study.scenario.display_title(lang)), fontsize=10)
        return save(fig, stem)
