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


def families_figure(run: Series, status_quo: Series, frame: Frame) -> Figure:
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
    """
    text = _text(frame.lang)
    with rc_context(STYLE):
        # A fixed layout: the constrained one doubled the drawing time, and the app redraws
        # this figure after every step.
        fig = Figure(figsize=(9.0, 4.6))
        fig.subplots_adjust(left=0.07, right=0.99, bottom=0.06, top=0.88, wspace=0.38, hspace=0.3)
        axes = fig.subplots(2, 4, sharex=True)
        for ax, state in zip(axes.flat, STATES, strict=False):
            ax.plot(status_quo.times, status_quo.values[:, state], color="#888888", lw=1.1, ls="--")
            ax.plot(run.times, run.values[:, state], color=STATE_COLOURS[state], lw=1.8)
            ax.axvline(frame.policy_year, color="#444444", lw=0.7, ls=":")
            ax.set_title(state.label(frame.lang), fontsize=8.5)
            top = max(status_quo.values[:, state].max(), run.values[:, state].max(), 1.0)
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
        legend.legend(loc="center", frameon=False, fontsize=8.5)
        fig.suptitle(text["families"].format(area=frame.area), x=0.01, ha="left", fontsize=10.5)
        return fig


def costs_figure(run: Series, status_quo_total: Series, frame: Frame) -> Figure:
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
    """
    text = _text(frame.lang)
    with rc_context(STYLE):
        fig = Figure(figsize=(9.0, 3.4))
        fig.subplots_adjust(left=0.06, right=0.78, bottom=0.09, top=0.88)
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
        ax.axvline(frame.policy_year, color="#444444", lw=0.7, ls=":")
        first, last = status_quo_total.times[0], status_quo_total.times[-1]
        ax.set_xlim(first, last)
        ax.set_xticks(DECADES[(first <= DECADES) & (last >= DECADES)])
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
        fig.suptitle(text["costs"].format(area=frame.area), x=0.01, ha="left", fontsize=10.5)
        return fig
