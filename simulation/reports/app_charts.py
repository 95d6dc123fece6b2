"""Figures of the interactive browser model, in English or Lithuanian.

The browser model's page is ``simulation.interfaces.app.page``.

They are drawn on a bare :class:`matplotlib.figure.Figure`, not through ``pyplot``: the app's
server draws for several browser sessions on several threads, and pyplot's global figure
registry is not thread-safe (and would keep every figure alive). The style and the state
colours are those of ``charts.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure

from simulation.model.services import COST_ITEMS
from simulation.model.states import STATE_COLOURS, STATES
from simulation.reports.labels import words
from simulation.reports.style import SERVICE_COLOURS, STYLE, thousands

#: Cost groups shown on the costs chart: (key, cost items summed, colour).
COST_GROUPS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("preventive", ("preventive.ngo", "preventive.municipal"), SERVICE_COLOURS["preventive"]),
    ("basic", ("basic.ngo", "basic.municipal"), SERVICE_COLOURS["basic"]),
    ("integration", ("integration.ngo", "integration.municipal"), SERVICE_COLOURS["integration"]),
    ("mobile_team", ("mobile_team.ngo", "mobile_team.municipal"), SERVICE_COLOURS["mobile_team"]),
    ("training", ("training",), SERVICE_COLOURS["training"]),
    ("family_care", ("family_care",), SERVICE_COLOURS["family_care"]),
    ("institutional_care", ("institutional_care",), SERVICE_COLOURS["institutional_care"]),
)
#: Columns of ``COST_ITEMS`` summed into each group, in the order of :data:`COST_GROUPS`.
GROUP_ITEMS: tuple[list[int], ...] = tuple(
    [COST_ITEMS.index(item) for item in items] for _, items, _ in COST_GROUPS
)

#: Words of the replicate bands (the rest of the charts' words: ``labels.py``, section app).
BAND_WORDS = {
    "lt": {"band": "jūsų politika, {k} kartojimai", "band_quo": "esama padėtis, {k} kartojimai"},
    "en": {"band": "your policy, {k} replicates", "band_quo": "status quo, {k} replicates"},
}
BAND_ALPHA = 0.22

DECADES = np.arange(2010, 2101, 10)  # year ticks (fixed: no locator work on every redraw)


def _text(lang: str) -> dict:
    return words(lang, "app")


def group_costs(costs: np.ndarray) -> np.ndarray:
    """Sum cost items into :data:`COST_GROUPS`.

    Parameters
    ----------
    costs : ndarray, shape ``(..., len(COST_ITEMS))``
        EUR per cost item.

    Returns
    -------
    ndarray, shape ``(..., len(COST_GROUPS))``
        EUR per group.
    """
    return np.stack([costs[..., cols].sum(axis=-1) for cols in GROUP_ITEMS], axis=-1)


@dataclass(frozen=True)
class Series:
    """Values over time: decimal years ``times``, shape ``(T,)``, and ``values``, ``(T, ...)``."""

    times: np.ndarray
    values: np.ndarray


@dataclass(frozen=True)
class Frame:
    """What an app chart says besides its data.

    Attributes
    ----------
    policy_year : int
        Year the policy starts (a vertical line).
    area : str
        Name of the area shown, for the title.
    lang : {"en", "lt"}
    """

    policy_year: int
    area: str
    lang: str = "en"


@dataclass(frozen=True)
class Bands:
    """Lowest and highest values of paired replicates, drawn as shaded bands.

    Attributes
    ----------
    count : int
        Replicates behind the bands.
    times : ndarray
        Decimal years of the month records ``(T,)``.
    mid_times : ndarray
        Decimal years of the middle of each month ``(T - 1,)`` (spending rates).
    start, months : int
        First and last month records of the policy's band: the policy year's January (before
        it the policy's runs are the status quo's) and the month the student has reached.
    families, status_quo : tuple of ndarray
        ``(low, high)`` families by state, ``(T, N_STATES)``, with the policy and without.
    costs, status_quo_costs : tuple of ndarray
        ``(low, high)`` total spending, EUR a year, ``(T - 1,)``.
    """

    count: int
    times: np.ndarray
    mid_times: np.ndarray
    start: int
    months: int
    families: tuple[np.ndarray, np.ndarray]
    status_quo: tuple[np.ndarray, np.ndarray]
    costs: tuple[np.ndarray, np.ndarray]
    status_quo_costs: tuple[np.ndarray, np.ndarray]


def families_figure(
    run: Series, status_quo: Series, frame: Frame, bands: Bands | None = None
) -> Figure:
    """Families by state over time: one panel per state, the run against the status quo.

    Parameters
    ----------
    run : Series
        Families by state, ``(T, N_STATES)``, of the run so far (estimated national or
        municipal counts).
    status_quo : Series
        The same over the whole horizon, drawn dashed grey behind the run.
    frame : Frame
        Policy year, area and language.
    bands : Bands, optional
        Ranges of paired replicates: the status quo's grey over the horizon, the policy's in
        the state's colour up to the month reached.
    """
    text = _text(frame.lang)
    with rc_context(STYLE):
        # A fixed layout: the constrained one doubled the drawing time, and the app redraws
        # this figure after every step.
        fig = Figure(figsize=(9.0, 4.6))
        fig.subplots_adjust(left=0.07, right=0.99, bottom=0.06, top=0.88, wspace=0.38, hspace=0.3)
        axes = fig.subplots(2, 4, sharex=True)
        for ax, state in zip(axes.flat, STATES, strict=False):
            top = _state_bands(ax, bands, state)
            ax.plot(status_quo.times, status_quo.values[:, state], color="#888888", lw=1.1, ls="--")
            ax.plot(run.times, run.values[:, state], color=STATE_COLOURS[state], lw=1.8)
            ax.axvline(frame.policy_year, color="#444444", lw=0.7, ls=":")
            ax.set_title(state.label(frame.lang), fontsize=8.5)
            top = max(status_quo.values[:, state].max(), run.values[:, state].max(), top, 1.0)
            ax.set_ylim(0, top * 1.1)
            ax.yaxis.set_major_formatter(thousands(frame.lang))
            ax.tick_params(labelsize=7.5)
            ax.set_xticks(DECADES)
        legend = axes.flat[-1]
        legend.axis("off")
        legend.plot([], [], color="#333333", lw=1.8, label=text["your_policy"])
        legend.plot([], [], color="#888888", lw=1.1, ls="--", label=text["status_quo"])
        legend.plot(
            [],
            [],
            color="#444444",
            lw=0.7,
            ls=":",
            label=text["policy"].format(year=frame.policy_year),
        )
        if bands is not None:
            words = BAND_WORDS[frame.lang]
            legend.fill_between(
                [], [], color="#333333", alpha=BAND_ALPHA, label=words["band"].format(k=bands.count)
            )
            legend.fill_between(
                [],
                [],
                color="#888888",
                alpha=BAND_ALPHA,
                label=words["band_quo"].format(k=bands.count),
            )
        # Shifted left into the empty panel's margin: the band entries are the longest.
        legend.legend(loc="center left", bbox_to_anchor=(-0.3, 0.5), frameon=False, fontsize=7.5)
        fig.suptitle(text["families"].format(area=frame.area), x=0.01, ha="left", fontsize=10.5)
        return fig


def _state_bands(ax, bands: Bands | None, state) -> float:
    """Draw one state's bands on ``ax``; returns their highest value (0 without bands)."""
    if bands is None:
        return 0.0
    (q_low, q_high), (low, high) = bands.status_quo, bands.families
    ax.fill_between(
        bands.times, q_low[:, state], q_high[:, state], color="#888888", alpha=0.18, lw=0
    )
    shown = slice(bands.start, bands.months + 1)
    ax.fill_between(
        bands.times[shown],
        low[shown, state],
        high[shown, state],
        color=STATE_COLOURS[state],
        alpha=BAND_ALPHA,
        lw=0,
    )
    return float(max(q_high[:, state].max(), high[shown, state].max(initial=0.0)))


def costs_figure(
    run: Series, status_quo_total: Series, frame: Frame, bands: Bands | None = None
) -> Figure:
    """Public cost by group as stacked areas, with the status quo's total dashed.

    Parameters
    ----------
    run : Series
        Spending in each month of the run so far as EUR a year, by group
        ``(T, len(COST_GROUPS))``, at the middle of each month.
    status_quo_total : Series
        The status quo's total spending, EUR a year, over the whole horizon.
    frame : Frame
        Policy year, area and language.
    bands : Bands, optional
        Ranges of the total spending of paired replicates (the policy's hatched up to the
        month reached, the status quo's grey).
    """
    text = _text(frame.lang)
    with rc_context(STYLE):
        fig = Figure(figsize=(9.0, 3.4))
        fig.subplots_adjust(left=0.06, right=0.75, bottom=0.09, top=0.88)
        ax = fig.subplots()
        if len(run.times):
            ax.stackplot(
                run.times,
                run.values.T / 1e6,
                colors=[colour for _, _, colour in COST_GROUPS],
                labels=[text["groups"][key] for key, _, _ in COST_GROUPS],
                alpha=0.9,
            )
        ax.plot(
            status_quo_total.times,
            status_quo_total.values / 1e6,
            color="#333333",
            lw=1.2,
            ls="--",
            label=text["total_status_quo"],
        )
        if bands is not None:
            _cost_bands(ax, bands, frame.lang)
        ax.axvline(frame.policy_year, color="#444444", lw=0.7, ls=":")
        first, last = status_quo_total.times[0], status_quo_total.times[-1]
        ax.set_xlim(first, last)
        ax.set_xticks(DECADES[(first <= DECADES) & (last >= DECADES)])
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
        fig.suptitle(text["costs"].format(area=frame.area), x=0.01, ha="left", fontsize=10.5)
        return fig


def _cost_bands(ax, bands: Bands, lang: str) -> None:
    """The replicates' ranges of total spending, million EUR a year."""
    words = BAND_WORDS[lang]
    low, high = bands.status_quo_costs
    ax.fill_between(
        bands.mid_times,
        low / 1e6,
        high / 1e6,
        color="#888888",
        alpha=0.3,
        lw=0,
        zorder=0.5,  # behind the stacked spending: the grey shows where the run is not
        label=words["band_quo"].format(k=bands.count),
    )
    shown = slice(bands.start, max(bands.months, bands.start))
    low, high = bands.costs
    ax.fill_between(
        bands.mid_times[shown],
        low[shown] / 1e6,
        high[shown] / 1e6,
        facecolor="none",
        edgecolor="#222222",
        hatch="////",
        lw=0.5,
        label=words["band"].format(k=bands.count),
    )
