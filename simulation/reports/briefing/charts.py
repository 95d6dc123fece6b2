"""The charts of a ministry briefing.

Data with bands, cost stacks by service and provider, net present value over time, placements
per year, the municipal ranking; and :func:`draw_charts`, which draws them all for one language.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator

from simulation.analysis import briefing_numbers as br
from simulation.model.catalogue import REGISTRY
from simulation.model.municipality_names import official_name
from simulation.reports import charts, locale, value_charts
from simulation.reports.labels import words
from simulation.reports.style import (
    DATA_COLOUR,
    PALETTE,
    SERVICE_COLOURS,
    STYLE,
    band,
    lighter,
    role_colour,
    save,
)

#: Width of every briefing chart, inches: the PDF's text width (A4 less 2 x 1.8 cm), so that
#: a chart is placed at its own size and its font sizes are the printed sizes (>= 7 pt).
WIDTH = 6.85
#: Smallest font on a chart, pt (tick labels, legends, notes).
SMALLEST_FONT = 7.4


def trajectories_with_data(
    trajectories: pd.DataFrame,
    points: pd.DataFrame,
    labels: Mapping[str, str],
    stem: Path,
    lang: str = "lt",
) -> list[str]:
    """One panel per stock output, with the national data and every role's runs.

    The national data are drawn as points, each role's central run as a line and its 90% Monte
    Carlo interval as a band.

    Parameters
    ----------
    trajectories : DataFrame
        ``role, output, time, central, p05, p95`` (``brief_results.trajectories``).
    points : DataFrame
        ``output, time, value`` (national data; may be empty).
    labels : mapping
        Display name of every role, baseline first.
    """
    text = words(lang, "briefing")
    outputs = list(text["outputs"])
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, len(outputs), figsize=(WIDTH, 2.9))
        for ax, output in zip(axes, outputs, strict=True):
            for i, (role, label) in enumerate(labels.items()):
                rows = trajectories[
                    (trajectories["role"] == role) & (trajectories["output"] == output)
                ]
                band(ax, rows["time"], rows, role_colour(i), label, dashed=i == 0)
            data = points[points["output"] == output]
            if len(data):
                ax.plot(
                    data["time"],
                    data["value"],
                    "o",
                    color=DATA_COLOUR,
                    ms=4,
                    label=text["data"],
                    zorder=5,
                )
            ax.set_title(text["outputs"][output], loc="left", fontsize=8)
            ax.set_ylim(bottom=0)
            ax.yaxis.set_major_formatter(locale.tick_formatter(0, lang))
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
            ax.tick_params(labelsize=SMALLEST_FONT)
            ax.set_xlim(rows["time"].min(), rows["time"].max())
        handles, names = axes[0].get_legend_handles_labels()
        swatch = plt.Rectangle((0, 0), 1, 1, color="#999999", alpha=0.3, lw=0)
        fig.legend(
            [*handles, swatch],
            [*names, text["interval"]],
            loc="lower center",
            ncols=min(len(names) + 1, 3),
            frameon=False,
            fontsize=SMALLEST_FONT,
        )
        fig.tight_layout(rect=(0, 0.16 if len(names) + 1 > 3 else 0.09, 1, 1))
        return save(fig, stem)


def cost_stacks(
    costs: pd.DataFrame, labels: Mapping[str, str], first_year: int, stem: Path, lang: str = "lt"
) -> list[str]:
    """Public cost per year stacked by service and provider, training and care.

    NGO providers are drawn in full colour, municipal ones lighter; one panel per role, from
    ``first_year``.

    Parameters
    ----------
    costs : DataFrame
        ``role, year, item, eur`` with items such as ``basic.ngo`` or ``family_care``.
    """
    text = words(lang, "briefing")
    shown = costs[costs["year"] >= first_year]
    items = list(dict.fromkeys(shown["item"]))
    top = shown.groupby(["role", "year"])["eur"].sum().max() / 1e6
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, len(labels), figsize=(WIDTH, 3.7), sharey=True, squeeze=False)
        for ax, (role, label) in zip(axes[0], labels.items(), strict=True):
            wide = shown[shown["role"] == role].pivot(index="year", columns="item", values="eur")
            bottom = 0.0
            for item in items:
                service, _, provider = item.partition(".")
                colour = SERVICE_COLOURS[service]
                if provider == "municipal":
                    colour = lighter(colour)
                values = wide[item].to_numpy() / 1e6
                ax.bar(wide.index, values, bottom=bottom, color=colour, width=0.8, lw=0)
                bottom = bottom + values
            ax.set_title(label, loc="left", fontsize=8.5)
            ax.set_ylim(0, top * 1.05)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
            ax.tick_params(labelsize=SMALLEST_FONT)
        axes[0][0].set_ylabel(text["cost_axis"])
        handles, names = [], []
        for item in items:
            service, _, provider = item.partition(".")
            colour = SERVICE_COLOURS[service]
            name = text["items"][service]
            if provider:
                name += f" ({text['providers'][provider]})"
                colour = lighter(colour) if provider == "municipal" else colour
            handles.append(plt.Rectangle((0, 0), 1, 1, color=colour, lw=0))
            names.append(name)
        fig.legend(
            handles, names, loc="lower center", ncols=3, frameon=False, fontsize=SMALLEST_FONT
        )
        fig.tight_layout(rect=(0, 0.27, 1, 1))
        return save(fig, stem)


def npv_over_time(
    net: pd.DataFrame,
    labels: Mapping[str, str],
    break_even: Mapping[str, int | None],
    stem: Path,
    lang: str = "lt",
) -> list[str]:
    """Cumulative discounted net benefit of each scenario by year.

    Central line, 90% band, and the central break-even year marked on the line and named in the
    legend (or the legend says it does not break even), so that notes never collide.

    Parameters
    ----------
    net : DataFrame
        ``scenario, year, central, p05, p95``, EUR.
    labels : mapping
        Display name of every scenario (no baseline).
    break_even : mapping
        Central break-even year of every scenario (None: not within the horizon).
    """
    text = words(lang, "briefing")
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH, 3.0))
        ax.axhline(0.0, color="#333333", lw=0.8)
        for i, (name, label) in enumerate(labels.items(), start=1):
            rows = net[net["scenario"] == name]
            colour = role_colour(i)
            scaled = rows[["central", "p05", "p95"]] / 1e6
            year = break_even.get(name)
            if year is None:
                note = text["no_break_even"].format(year=int(rows["year"].max()))
            else:
                note = text["break_even"].format(year=year)
                value = float(scaled.loc[rows["year"] == year, "central"].iloc[0])
                ax.plot([year], [value], "o", color=colour, ms=6, zorder=5)
            band(ax, rows["year"], scaled, colour, f"{label}: {note}")
        ax.set_ylabel(text["npv_axis"])
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(frameon=False, fontsize=8, loc="lower left")
        fig.tight_layout()
        return save(fig, stem)


def placements_per_year(
    placements: pd.DataFrame,
    labels: Mapping[str, str],
    first_year: int,
    stem: Path,
    lang: str = "lt",
) -> list[str]:
    """Children placed in care per year from ``first_year``.

    Every role's central run and 90% band (the gap between the baseline and a scenario is the
    placements avoided).
    """
    text = words(lang, "briefing")
    shown = placements[placements["year"] >= first_year]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH, 2.9))
        for i, (role, label) in enumerate(labels.items()):
            rows = shown[shown["role"] == role]
            band(ax, rows["year"], rows, role_colour(i), label, dashed=i == 0)
        ax.set_ylabel(text["placed_axis"])
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(locale.tick_formatter(0, lang))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(frameon=False, fontsize=8, loc="lower left")
        fig.tight_layout()
        return save(fig, stem)


def municipal_ranking(
    municipalities: pd.DataFrame, end_year: int, colour: str, stem: Path, lang: str = "lt"
) -> list[str]:
    """Placements avoided per 1,000 children in each municipality: ranked bars beside a map.

    Municipalities are named in their official form (:func:`official_name`); the map is
    :func:`simulation.reports.maps.draw_map` with its OpenStreetMap attribution.

    Parameters
    ----------
    municipalities : DataFrame
        ``municipality, avoided_per_1000_children`` for one scenario.
    """
    from simulation.reports import maps

    text = words(lang, "briefing")
    ranked = municipalities.sort_values("avoided_per_1000_children")
    names = [official_name(m, lang) for m in ranked["municipality"]]
    values = dict(zip(ranked["municipality"], ranked["avoided_per_1000_children"], strict=True))
    drawn = maps.on_map(values)  # another country's regions have no map: bars only
    with plt.rc_context(STYLE):
        fig = plt.figure(figsize=(WIDTH, 0.118 * len(ranked) + 1.1))
        # the map's row is taller than the map needs, so that the map takes the column's
        # whole width and its colour bar stays clear of the attribution
        grid = fig.add_gridspec(2, 2, width_ratios=(1.0, 1.2), height_ratios=(1.35, 1.0))
        ax = fig.add_subplot(grid[:, 0] if drawn else grid[:, :])
        y = range(len(ranked))
        ax.barh(list(y), ranked["avoided_per_1000_children"], color=colour, height=0.72)
        ax.set_yticks(list(y), names, fontsize=SMALLEST_FONT)
        ax.tick_params(axis="x", labelsize=SMALLEST_FONT)
        ax.set_ylim(-0.7, len(ranked) - 0.3)
        ax.grid(axis="y", visible=False)
        ax.xaxis.set_major_formatter(locale.tick_formatter(1, lang))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        fig.suptitle(text["per_1000"].format(year=end_year), x=0.01, ha="left", fontsize=9.5)
        if drawn:
            map_ax = fig.add_subplot(grid[0, 1])
            ticks = locale.tick_formatter(1, lang)
            maps.draw_map(map_ax, values, lang, cmap="Blues", formatter=ticks)
            for note in map_ax.texts:  # the attribution under the map, clear of the colour bar
                if note.get_text() == maps.ATTRIBUTION:
                    note.set_position((1.0, -0.03))
                    note.set_verticalalignment("top")
        fig.tight_layout(rect=(0, 0, 1, 0.97))
        return save(fig, stem)


def draw_charts(results: br.BriefResults, folder: Path, lang: str) -> dict[str, Path]:
    """Every chart of the briefing as PNG (and PDF) in ``folder``; paths of the PNGs."""
    labels = {"baseline": results.baseline.display_title(lang)}
    labels.update({s.name: s.display_title(lang) for s in results.scenarios})
    scenario_labels = {k: v for k, v in labels.items() if k != "baseline"}
    first = results.scenarios[0].name
    start = results.base_year - 3
    kn = results.key_numbers
    break_even = {}
    for name in scenario_labels:
        year = kn[(kn["scenario"] == name) & (kn["measure"] == "break_even_year")]["central"]
        break_even[name] = None if math.isnan(year.iloc[0]) else int(year.iloc[0])
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / lang
    trajectories_with_data(
        results.trajectories, results.data_points, labels, Path(f"{stem}-trajectories"), lang
    )
    npv_over_time(results.net_benefit, scenario_labels, break_even, Path(f"{stem}-npv"), lang)
    placements_per_year(results.placements, labels, start, Path(f"{stem}-placements"), lang)
    cost_stacks(results.costs, labels, start, Path(f"{stem}-costs"), lang)
    municipal = results.municipalities[results.municipalities["scenario"] == first]
    municipal_ranking(municipal, results.end_year, PALETTE[1], Path(f"{stem}-municipalities"), lang)
    sens = results.sensitivity[results.sensitivity["scenario"] == first].copy()
    # readers' names, never code names, wrapped to two lines at most
    sens["parameter"] = [
        "\n".join(textwrap.wrap(REGISTRY[p].label(lang), 42, max_lines=2, placeholder=" …"))
        for p in sens["parameter"]
    ]
    charts.sensitivity_indices(
        sens.set_index("parameter"), "rbd_fast", Path(f"{stem}-sensitivity"), lang, top=8
    )
    table = results.by_outcome
    costs = table.groupby("scenario", sort=False)["costs"].first().to_dict()
    titles = {results.baseline.name: labels["baseline"], **scenario_labels}
    value_charts.benefits_by_outcome(
        table, costs, titles, results.base_year, Path(f"{stem}-by_outcome"), lang
    )
    keys = (
        "trajectories",
        "npv",
        "by_outcome",
        "placements",
        "costs",
        "municipalities",
        "sensitivity",
    )
    return {k: Path(f"{stem}-{k}.png") for k in keys}
