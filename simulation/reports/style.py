"""One visual style for every chart: fonts, grid, colours, number formats, saving.

A colour per state (:meth:`simulation.model.states.State.colour`) and per service
(:data:`SERVICE_COLOURS`; NGO-provided spending in the full colour, municipal in a lighter
shade), DejaVu Sans (ships with matplotlib and carries the Lithuanian letters
ą č ę ė į š ų ū ž), light grids, no chart junk.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")  # files only; never a window

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.colors import to_rgb
from matplotlib.ticker import FixedLocator, FuncFormatter

from simulation.model.states import STATE_COLOURS, State

#: File formats of every saved chart.
FORMATS = ("png", "pdf")
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "figure.dpi": 110,
    "savefig.dpi": 150,
    # Titles and names come from scenario files: a "$" is a dollar sign, never mathtext.
    "text.parse_math": False,
}


def one_decimal(value: float, lang: str) -> str:
    """``value`` with one decimal and thin-space thousands (decimal comma in Lithuanian)."""
    text = f"{value:,.1f}"
    return text.replace(",", "\u202f").replace(".", ",") if lang == "lt" else text


def thousands(lang: str) -> FuncFormatter:
    """Tick labels with a thin-space (lt) or comma (en) thousands separator."""
    sep = "\u202f" if lang == "lt" else ","
    return FuncFormatter(lambda v, _: f"{v:,.0f}".replace(",", sep))


#: 1 January of every second year over any horizon the model runs, as Matplotlib dates.
_JANUARIES = {
    year: mdates.date2num(np.datetime64(f"{year}-01-01")) for year in range(1900, 2202, 2)
}


def year_axis(ax) -> None:
    """Decade ticks labelled by year, so that labels never collide.

    Fixed tick positions (every 1 January of a decade, minor ones every second year):
    ``YearLocator`` recomputes them with ``dateutil.rrule`` at every draw of every axis,
    which took most of the time of a chart of eight date axes.
    """
    lo, hi = ax.dataLim.intervalx  # call after plotting: ticks only around the data
    pad = 0.1 * (hi - lo) + 800.0  # days: the axis margins and then some
    near = {y: v for y, v in _JANUARIES.items() if lo - pad <= v <= hi + pad}
    ax.xaxis.set_major_locator(FixedLocator([v for y, v in near.items() if y % 10 == 0]))
    ax.xaxis.set_minor_locator(FixedLocator(list(near.values())))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))


def save(fig, stem: Path, tight: bool = True) -> list[str]:
    """Save ``fig`` as ``stem`` in every format of ``FORMATS`` and close it.

    ``tight=False`` keeps the figure's own size: for charts laid out to fit it, since a
    tight bounding box draws the whole figure once more per file to measure it.
    Returns the names of the files written.
    """
    stem = Path(stem)
    names = []
    for fmt in FORMATS:
        fig.savefig(stem.with_suffix(f".{fmt}"), bbox_inches="tight" if tight else None)
        names.append(stem.with_suffix(f".{fmt}").name)
    plt.close(fig)
    return names


PALETTE = ("#777777", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")


#: One colour per service and spending item, shared by every cost chart.
SERVICE_COLOURS = {
    "preventive": "#009E73",
    "basic": "#56B4E9",
    "integration": "#E69F00",
    "mobile_team": "#D55E00",
    "training": "#F0E442",
    "family_care": STATE_COLOURS[State.FAMILY_CARE],
    "institutional_care": STATE_COLOURS[State.INSTITUTIONAL_CARE],
}
BASELINE_COLOUR = "#777777"
DATA_COLOUR = "#111111"


def lighter(colour: str, amount: float = 0.5) -> tuple[float, float, float]:
    """``colour`` blended with white (municipal spending: the lighter shade of a service)."""
    return tuple(c + (1.0 - c) * amount for c in to_rgb(colour))


def role_colour(i: int) -> str:
    """Baseline grey, then the palette for scenarios."""
    return BASELINE_COLOUR if i == 0 else PALETTE[i % len(PALETTE)]


def band(ax, x, frame: pd.DataFrame, colour: str, label: str, dashed: bool = False) -> None:
    """Central line and a shaded 90% band (p05-p95)."""
    ax.fill_between(x, frame["p05"], frame["p95"], color=colour, alpha=0.18, lw=0)
    ax.plot(
        x,
        frame["central"],
        color=colour,
        lw=1.6 if dashed else 2.0,
        ls="--" if dashed else "-",
        label=label,
    )


def decimals(lang: str, digits: int) -> FuncFormatter:
    """Tick labels with ``digits`` decimals and the language's decimal mark."""
    mark = "," if lang == "lt" else "."
    return FuncFormatter(lambda v, _: f"{v:.{digits}f}".replace(".", mark))
