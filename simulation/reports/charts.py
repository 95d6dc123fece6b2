"""Every figure of the project (matplotlib only here), with Lithuanian and English labels.

One visual style: a colour per state (``states.STATE_COLOURS``) and per service
(:data:`SERVICE_COLOURS`; NGO-provided spending in the full colour, municipal in a lighter
shade), DejaVu Sans (ships with matplotlib and carries the Lithuanian letters
ą č ę ė į š ų ū ž), light grids, no chart junk. Functions take tables and a path stem and
return the file names they wrote. The charts of a ministry briefing are at the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never a window

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.ticker import FuncFormatter, MaxNLocator

from simulation.model.states import STATE_COLOURS, STATES

LANGS = ("lt", "en")
FORMATS = ("png", "pdf")

TEXT = {
    "lt": {
        "families_by_state": "Šeimos, auginančios vaikus, pagal būseną",
        "families": "šeimos",
        "children_in_care": "Vaikai globoje",
        "family_care": "globa šeimoje",
        "institutional_care": "institucinė globa",
        "source": "Šaltinis: prevsim, {engine}; scenarijus „{name}“.",
        "sd": "sistemų dinamikos modelis",
        "abm": "agentais grįstas modelis",
        "comparison": "Scenarijų palyginimas",
        "children": "vaikai",
        "net_benefit": "Sukaupta grynoji nauda, palyginti su „{first}“ (diskontuota, mln. EUR)",
        "break_even": "atsiperka {year} m.",
        "million_eur": "mln. EUR",
        "sensitivity": "Jautrumo indeksai: {outcome}",
        "first_order": "pirmos eilės (S1)",
        "total_order": "bendrasis (ST)",
        "over_time": "Jautrumo indeksai laikui bėgant: {outcome} iki metų pabaigos",
        "year": "metai",
        "accounts": {
            "children_placed": "Į globą paimti vaikai per metus",
            "child_years_in_care": "Vaikai globoje (vaiko metai)",
            "family_years_in_risk": "Sunkumų patiriančios šeimos",
            "total_cost": "Viešosios išlaidos, mln. EUR per metus",
        },
    },
    "en": {
        "families_by_state": "Families raising children, by state",
        "families": "families",
        "children_in_care": "Children in care",
        "family_care": "family-based care",
        "institutional_care": "institutional care",
        "source": "Source: prevsim, {engine}; scenario “{name}”.",
        "sd": "system-dynamics model",
        "abm": "agent-based model",
        "comparison": "Scenario comparison",
        "children": "children",
        "net_benefit": "Cumulative net benefit against “{first}” (discounted, million EUR)",
        "break_even": "breaks even {year}",
        "million_eur": "million EUR",
        "sensitivity": "Sensitivity indices: {outcome}",
        "first_order": "first order (S1)",
        "total_order": "total (ST)",
        "over_time": "Sensitivity over time: {outcome} up to each year's end",
        "year": "year",
        "accounts": {
            "children_placed": "Children placed per year",
            "child_years_in_care": "Children in care (child-years)",
            "family_years_in_risk": "Families in difficulty (family-years)",
            "total_cost": "Public cost, million EUR a year",
        },
    },
}

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
}


def _thousands(lang: str) -> FuncFormatter:
    """Tick labels with a thin-space (lt) or comma (en) thousands separator."""
    sep = "\u202f" if lang == "lt" else ","
    return FuncFormatter(lambda v, _: f"{v:,.0f}".replace(",", sep))


def _year_axis(ax) -> None:
    """Decade ticks labelled by year, so that labels never collide."""
    ax.xaxis.set_major_locator(mdates.YearLocator(10))
    ax.xaxis.set_minor_locator(mdates.YearLocator(2))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))


def _save(fig, stem: Path) -> list[str]:
    stem = Path(stem)
    names = []
    for fmt in FORMATS:
        fig.savefig(stem.with_suffix(f".{fmt}"), bbox_inches="tight")
        names.append(stem.with_suffix(f".{fmt}").name)
    plt.close(fig)
    return names


def _check_lang(lang: str) -> dict[str, str]:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    return TEXT[lang]


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
    text = _check_lang(lang)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(2, 4, figsize=(11, 5.2), sharex=True)
        for ax, state in zip(axes.flat, STATES, strict=False):
            ax.plot(national["date"], national[state.key], color=STATE_COLOURS[state], lw=1.8)
            ax.set_title(state.label(lang))
            ax.set_ylim(bottom=0)
            _year_axis(ax)
            ax.yaxis.set_major_formatter(_thousands(lang))
        ax = axes.flat[-1]
        ax.stackplot(
            national["date"],
            national["children.family_care"],
            national["children.institutional_care"],
            colors=[STATE_COLOURS[STATES[5]], STATE_COLOURS[STATES[6]]],
            labels=[text["family_care"], text["institutional_care"]],
            alpha=0.85,
        )
        ax.set_title(text["children_in_care"])
        ax.set_ylabel(text["children"])
        _year_axis(ax)
        ax.yaxis.set_major_formatter(_thousands(lang))
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
                -0.01,
                text["source"].format(name=name, engine=text[engine]),
                fontsize=7.5,
                color="#555555",
            )
        fig.tight_layout()
        return _save(fig, stem)


PALETTE = ("#777777", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")


def compare_accounts(
    accounts: Mapping[str, pd.DataFrame], stem: Path, lang: str = "lt"
) -> list[str]:
    """Yearly accounts of each scenario side by side: placements, children in care,
    families in difficulty and public cost (the first scenario dashed grey)."""
    text = _check_lang(lang)
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
            ax.yaxis.set_major_formatter(_thousands(lang))
        axes[0].legend(frameon=False, fontsize=7.5)
        fig.suptitle(text["comparison"], fontsize=12, x=0.01, ha="left")
        fig.tight_layout()
        return _save(fig, stem)


def net_benefit(net: pd.DataFrame, base_year: int, stem: Path, lang: str = "lt") -> list[str]:
    """Cumulative discounted net benefit of each scenario against the first, by year, with
    each break-even year marked."""
    text = _check_lang(lang)
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
        return _save(fig, stem)


def sensitivity_indices(
    table: pd.DataFrame,
    method: str,
    stem: Path,
    lang: str = "lt",
    outcome: str = "",
    top: int = 15,
) -> list[str]:
    """Horizontal bars of the most influential parameters: Sobol first-order and total
    indices with 95% confidence intervals, Morris mu* (with its interval), PAWN median, or
    RBD-FAST first-order indices with their intervals (``rbd_fast``: the briefing's, whose
    caption names the outcome, so ``outcome=""`` draws no title)."""
    text = _check_lang(lang)
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
            decimal = "," if lang == "lt" else "."
            ax.xaxis.set_major_formatter(
                FuncFormatter(lambda v, _: f"{v:.2f}".replace(".", decimal))
            )
            ax.set_xlabel(BRIEF_TEXT[lang]["s1"])
        else:
            ax.barh(list(y), shown["median"], color="#0072B2")
            ax.set_xlabel("PAWN")
        ax.set_yticks(list(y), shown.index)
        if outcome:
            ax.set_title(text["sensitivity"].format(outcome=outcome), loc="left")
        fig.tight_layout()
        return _save(fig, stem)


def morris_mu_sigma(
    table: pd.DataFrame,
    stem: Path,
    lang: str = "lt",
    outcome: str = "",
    unit: str = "",
    label: int = 5,
) -> list[str]:
    """Morris screening: mu* (overall influence) against sigma (non-linearity and
    interactions); the ``label`` most influential parameters are named, their labels set
    off in turn to four sides so that neighbours do not overlap. EUR are shown in millions.
    """
    text = _check_lang(lang)
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
        return _save(fig, stem)


def time_varying_indices(
    table: pd.DataFrame, method: str, stem: Path, lang: str = "lt", outcome: str = "", top: int = 6
) -> list[str]:
    """The main index of the most influential parameters (at the last year) by year."""
    text = _check_lang(lang)
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
        return _save(fig, stem)


# ---- the charts of a ministry briefing -----------------------------------------------------
#: One colour per service and spending item, shared by every cost chart.
SERVICE_COLOURS = {
    "preventive": "#009E73",
    "basic": "#56B4E9",
    "integration": "#E69F00",
    "mobile_team": "#D55E00",
    "training": "#F0E442",
    "family_care": STATE_COLOURS[STATES[5]],
    "institutional_care": STATE_COLOURS[STATES[6]],
}
BASELINE_COLOUR = "#777777"
DATA_COLOUR = "#111111"

BRIEF_TEXT = {
    "lt": {
        "outputs": {
            "children.institutional_care": "Vaikai institucinėje globoje",
            "children.family_care": "Vaikai globoje šeimoje",
            "families.risk": "Sunkumų patiriančios šeimos",
        },
        "data": "nacionaliniai duomenys",
        "interval": "90 % intervalas",
        "items": {
            "preventive": "prevencinės paslaugos",
            "basic": "bazinės paslaugos",
            "integration": "integracijos paslaugos",
            "mobile_team": "mobiliosios komandos",
            "training": "mokymai",
            "family_care": "globa šeimoje",
            "institutional_care": "institucinė globa",
        },
        "providers": {"ngo": "NVO", "municipal": "savivaldybės"},
        "cost_axis": "mln. EUR per metus (2024 m. kainomis)",
        "npv_axis": "Sukaupta diskontuota grynoji nauda, mln. EUR",
        "break_even": "atsiperka {year} m.",
        "no_break_even": "iki {year} m. neatsiperka",
        "placed_axis": "Į globą paimti vaikai per metus",
        "per_1000": "Išvengta paėmimų į globą 1 000 vaikų iki {year} m.",
        "s1": "Pirmos eilės jautrumo indeksas (GDV dispersijos dalis)",
    },
    "en": {
        "outputs": {
            "children.institutional_care": "Children in institutional care",
            "children.family_care": "Children in family-based care",
            "families.risk": "Families in difficulty",
        },
        "data": "national data",
        "interval": "90% interval",
        "items": {
            "preventive": "preventive services",
            "basic": "basic services",
            "integration": "integration services",
            "mobile_team": "mobile teams",
            "training": "training",
            "family_care": "family-based care",
            "institutional_care": "institutional care",
        },
        "providers": {"ngo": "NGO", "municipal": "municipal"},
        "cost_axis": "million EUR a year (2024 prices)",
        "npv_axis": "Cumulative discounted net benefit, million EUR",
        "break_even": "breaks even in {year}",
        "no_break_even": "does not break even by {year}",
        "placed_axis": "Children placed in care per year",
        "per_1000": "Placements avoided per 1,000 children by {year}",
        "s1": "First-order sensitivity index (share of NPV variance)",
    },
}


def _lighter(colour: str, amount: float = 0.5) -> tuple[float, float, float]:
    """``colour`` blended with white (municipal spending: the lighter shade of a service)."""
    from matplotlib.colors import to_rgb

    return tuple(c + (1.0 - c) * amount for c in to_rgb(colour))


def _role_colour(i: int) -> str:
    """Baseline grey, then the palette for scenarios."""
    return BASELINE_COLOUR if i == 0 else PALETTE[i % len(PALETTE)]


def _band(ax, x, frame: pd.DataFrame, colour: str, label: str, dashed: bool = False) -> None:
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


def trajectories_with_data(
    trajectories: pd.DataFrame,
    points: pd.DataFrame,
    labels: Mapping[str, str],
    stem: Path,
    lang: str = "lt",
) -> list[str]:
    """One panel per stock output: the national data as points, each role's central run as
    a line and its 90% Monte Carlo interval as a band.

    Parameters
    ----------
    trajectories : DataFrame
        ``role, output, time, central, p05, p95`` (``brief_results.trajectories``).
    points : DataFrame
        ``output, time, value`` (national data; may be empty).
    labels : mapping
        Display name of every role, baseline first.
    """
    _check_lang(lang)
    text = BRIEF_TEXT[lang]
    outputs = list(text["outputs"])
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, len(outputs), figsize=(11, 3.6))
        for ax, output in zip(axes, outputs, strict=True):
            for i, (role, label) in enumerate(labels.items()):
                rows = trajectories[
                    (trajectories["role"] == role) & (trajectories["output"] == output)
                ]
                _band(ax, rows["time"], rows, _role_colour(i), label, dashed=i == 0)
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
            ax.set_title(text["outputs"][output], loc="left")
            ax.set_ylim(bottom=0)
            ax.yaxis.set_major_formatter(_thousands(lang))
            ax.set_xlim(rows["time"].min(), rows["time"].max())
        handles, names = axes[0].get_legend_handles_labels()
        band = plt.Rectangle((0, 0), 1, 1, color="#999999", alpha=0.3, lw=0)
        fig.legend(
            [*handles, band],
            [*names, text["interval"]],
            loc="lower center",
            ncols=len(names) + 1,
            frameon=False,
            fontsize=8,
        )
        fig.tight_layout(rect=(0, 0.08, 1, 1))
        return _save(fig, stem)


def cost_stacks(
    costs: pd.DataFrame, labels: Mapping[str, str], first_year: int, stem: Path, lang: str = "lt"
) -> list[str]:
    """Public cost per year stacked by service and provider (NGO full colour, municipal
    lighter), training and care; one panel per role, from ``first_year``.

    Parameters
    ----------
    costs : DataFrame
        ``role, year, item, eur`` with items such as ``basic.ngo`` or ``family_care``.
    """
    _check_lang(lang)
    text = BRIEF_TEXT[lang]
    shown = costs[costs["year"] >= first_year]
    items = list(dict.fromkeys(shown["item"]))
    top = shown.groupby(["role", "year"])["eur"].sum().max() / 1e6
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, len(labels), figsize=(11, 4.3), sharey=True, squeeze=False)
        for ax, (role, label) in zip(axes[0], labels.items(), strict=True):
            wide = shown[shown["role"] == role].pivot(index="year", columns="item", values="eur")
            bottom = 0.0
            for item in items:
                service, _, provider = item.partition(".")
                colour = SERVICE_COLOURS[service]
                if provider == "municipal":
                    colour = _lighter(colour)
                values = wide[item].to_numpy() / 1e6
                ax.bar(wide.index, values, bottom=bottom, color=colour, width=0.8, lw=0)
                bottom = bottom + values
            ax.set_title(label, loc="left")
            ax.set_ylim(0, top * 1.05)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
        axes[0][0].set_ylabel(text["cost_axis"])
        handles, names = [], []
        for item in items:
            service, _, provider = item.partition(".")
            colour = SERVICE_COLOURS[service]
            name = text["items"][service]
            if provider:
                name += f" ({text['providers'][provider]})"
                colour = _lighter(colour) if provider == "municipal" else colour
            handles.append(plt.Rectangle((0, 0), 1, 1, color=colour, lw=0))
            names.append(name)
        fig.legend(handles, names, loc="lower center", ncols=4, frameon=False, fontsize=7.5)
        fig.tight_layout(rect=(0, 0.17, 1, 1))
        return _save(fig, stem)


def npv_over_time(
    net: pd.DataFrame,
    labels: Mapping[str, str],
    break_even: Mapping[str, int | None],
    stem: Path,
    lang: str = "lt",
) -> list[str]:
    """Cumulative discounted net benefit of each scenario by year: central line, 90% band,
    and the central break-even year marked on the line and named in the legend (or the
    legend says it does not break even), so that notes never collide.

    Parameters
    ----------
    net : DataFrame
        ``scenario, year, central, p05, p95``, EUR.
    labels : mapping
        Display name of every scenario (no baseline).
    break_even : mapping
        Central break-even year of every scenario (None: not within the horizon).
    """
    _check_lang(lang)
    text = BRIEF_TEXT[lang]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 3.8))
        ax.axhline(0.0, color="#333333", lw=0.8)
        for i, (name, label) in enumerate(labels.items(), start=1):
            rows = net[net["scenario"] == name]
            colour = _role_colour(i)
            scaled = rows[["central", "p05", "p95"]] / 1e6
            year = break_even.get(name)
            if year is None:
                note = text["no_break_even"].format(year=int(rows["year"].max()))
            else:
                note = text["break_even"].format(year=year)
                value = float(scaled.loc[rows["year"] == year, "central"].iloc[0])
                ax.plot([year], [value], "o", color=colour, ms=6, zorder=5)
            _band(ax, rows["year"], scaled, colour, f"{label}: {note}")
        ax.set_ylabel(text["npv_axis"])
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(frameon=False, fontsize=8, loc="lower left")
        fig.tight_layout()
        return _save(fig, stem)


def placements_per_year(
    placements: pd.DataFrame,
    labels: Mapping[str, str],
    first_year: int,
    stem: Path,
    lang: str = "lt",
) -> list[str]:
    """Children placed in care per year from ``first_year``: every role's central run and
    90% band (the gap between the baseline and a scenario is the placements avoided)."""
    _check_lang(lang)
    text = BRIEF_TEXT[lang]
    shown = placements[placements["year"] >= first_year]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 3.6))
        for i, (role, label) in enumerate(labels.items()):
            rows = shown[shown["role"] == role]
            _band(ax, rows["year"], rows, _role_colour(i), label, dashed=i == 0)
        ax.set_ylabel(text["placed_axis"])
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(_thousands(lang))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(frameon=False, fontsize=8, loc="lower left")
        fig.tight_layout()
        return _save(fig, stem)


def municipal_ranking(
    municipalities: pd.DataFrame, end_year: int, colour: str, stem: Path, lang: str = "lt"
) -> list[str]:
    """Placements avoided per 1,000 children in each municipality, ranked (one scenario).

    Parameters
    ----------
    municipalities : DataFrame
        ``municipality, avoided_per_1000_children`` for one scenario.
    """
    _check_lang(lang)
    text = BRIEF_TEXT[lang]
    ranked = municipalities.sort_values("avoided_per_1000_children")
    decimal = "," if lang == "lt" else "."
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.0, 0.118 * len(ranked) + 1.0))
        y = range(len(ranked))
        ax.barh(list(y), ranked["avoided_per_1000_children"], color=colour, height=0.72)
        ax.set_yticks(list(y), ranked["municipality"], fontsize=6.3)
        ax.set_ylim(-0.7, len(ranked) - 0.3)
        ax.grid(axis="y", visible=False)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.1f}".replace(".", decimal)))
        ax.set_title(text["per_1000"].format(year=end_year), loc="left")
        fig.tight_layout()
        return _save(fig, stem)
