"""The written results of ``prevsim voi``: tables, a summary and a bar chart in lt or en.

The words only this chart uses are in :data:`WORDS` (both languages, the same keys; a test
checks it); the source line's head is the shared one of :mod:`simulation.reports.labels`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simulation.analysis.voi import Study
from simulation.model.catalogue import REGISTRY
from simulation.model.countries import display_name
from simulation.reports import locale
from simulation.reports.labels import sd_source
from simulation.reports.style import STYLE, save
from simulation.workflow import store
from simulation.workflow.scenarios import Scenario
from simulation.workflow.store import Output

WORDS = {
    "lt": {
        "title": "Tobulos informacijos vertė: kiek verta tiksliai žinoti",
        "axis": "Tikėtina vertė sprendimui, mln. EUR",
        "evpi": "visi neapibrėžti parametrai: {value}",
        "source": "{draws} parametrų rinkinių; paklaidos – 95 % Monte Karlo intervalas. "
        "Pasirinkimas: {options}.",
        "left_out": "Neįvertinama iš tiek rinkinių: {groups}.",
        "undetectable": "Pilka – iš šių rinkinių vertė neaptinkama.",
        "themes": {
            "hazards": "Šeimų būsenų kaitos dažniai",
            "programme_effects": "Programų poveikis",
            "service_delivery": "Paslaugų teikimas",
            "unit_costs": "Vieneto kainos",
            "life_course": "Pasekmės suaugus (gyvenimo eiga)",
            "other": "Kiti parametrai",
        },
        "grouping": {
            "themes": "pagal temą",
            "programmes": "pagal programos vertinimą",
            "parameters": "pagal parametrą",
        },
    },
    "en": {
        "title": "Value of perfect information: what knowing exactly is worth",
        "axis": "Expected value to the decision, million EUR",
        "evpi": "every uncertain parameter: {value}",
        "source": "{draws} parameter sets; bars show 95% Monte Carlo intervals. Choice: {options}.",
        "left_out": "Not estimable from this many sets: {groups}.",
        "undetectable": "Grey: no value detectable from these sets.",
        "themes": {
            "hazards": "Family transition rates",
            "programme_effects": "Programme effects",
            "service_delivery": "Service delivery",
            "unit_costs": "Unit costs",
            "life_course": "Adult outcomes (life course)",
            "other": "Other parameters",
        },
        "grouping": {
            "themes": "by theme",
            "programmes": "by programme evaluation",
            "parameters": "by parameter",
        },
    },
}


@dataclass(frozen=True)
class Context:
    """What the study decided among and over which draws (for texts and the manifest)."""

    scenarios: list[Scenario]
    baseline: Scenario
    baseline_is_option: bool
    base_year: int
    draws: str
    seed: int


def group_label(grouping: str, group: str, lang: str) -> str:
    """A group's name for readers: a theme, a programme's title or a parameter's label."""
    if grouping == "themes":
        return WORDS[lang]["themes"][group]
    if grouping == "programmes":
        from simulation.model import programmes

        titles = {p.name: p.label(lang) for p in programmes.library()}
        return titles.get(group, group)
    return REGISTRY[group].label(lang)


def option_label(name: str, context: Context, lang: str) -> str:
    """An option's title in ``lang`` (the scenario's display title)."""
    every = [*context.scenarios, context.baseline]
    return next(s.display_title(lang) for s in every if s.name == name)


def summary_lines(study: Study, context: Context) -> list[str]:
    """The summary: the decision, EVPI, and one sentence per group (English)."""
    en = "en"
    options = study.option_table()
    country = display_name(context.baseline.run.country, en)
    lines = [
        f"Value of information for the choice among {len(study.options)} options "
        f"(NPV against '{context.baseline.name}', EUR, discounted to {context.base_year}; "
        f"the whole decision: every family in {country} over the horizon)",
        f"Draws: {context.draws} (seed {context.seed}); n = {len(study.draws):,}",
        "",
        "option: expected NPV, million EUR (SD); chance it is the best option",
    ]
    for row in options.itertuples():
        lines.append(
            f"  {row.option}: {row.mean_net_benefit / 1e6:,.1f} ({row.sd_net_benefit / 1e6:,.1f});"
            f" {row.chance_best:.0%}"
        )
    total = study.evpi
    lines += [
        f"Choice on current evidence: {study.chosen} ({option_label(study.chosen, context, en)}).",
        "",
        f"EVPI (every uncertain parameter known exactly): EUR {total.value / 1e6:,.2f} million "
        f"(Monte Carlo standard error {total.standard_error / 1e6:,.2f} million). No study can "
        "be worth more to this decision.",
    ]
    for grouping, table in study.groups.groupby("grouping", sort=False):
        lines += ["", f"EVPPI {WORDS[en]['grouping'][grouping]} (largest first):"]
        for row in table.sort_values("evppi", ascending=False).itertuples():
            lines.append("  " + group_sentence(row, total.value, len(study.draws)))
    lines += [
        "",
        "EVPPI: Strong, Oakley & Brennan (2014) nonparametric regression (a smoothing spline "
        "for one parameter, a Gaussian process for a group); its standard error is the "
        "sampling error only. A group's value is an upper bound on what a study of it is "
        "worth: a real study resolves only part of the uncertainty and costs money.",
    ]
    return lines


def detectable(row, evpi: float) -> bool:
    """Whether a group (a row of :attr:`Study.groups`) has a value detectable from the draws.

    Estimable, with some held-out skill (a one-parameter spline has none to report, NaN), at
    least two standard errors and 0.5% of the EVPI (EUR).
    """
    if not row.estimable or row.skill <= 0:
        return False
    return row.evppi >= 2 * row.standard_error and row.evppi >= 0.005 * max(evpi, 0)


def group_sentence(row, evpi: float, draws: int) -> str:
    """One sentence about one group (a row of :attr:`Study.groups`)."""
    label = group_label(row.grouping, row.group, "en")
    size = f"{label} ({row.parameters} parameter{'s' if row.parameters != 1 else ''})"
    value, error = row.evppi / 1e6, row.standard_error / 1e6
    if not row.estimable:
        return (
            f"{size}: cannot be estimated from {draws:,} draws (the regression passes through "
            f"every draw; held-out R2 {row.skill:.2f}); smaller groups (--groups programmes "
            "or parameters) can be."
        )
    if row.skill <= 0:
        return (
            f"{size}: no value detectable from {draws:,} draws: its values predict the net "
            f"benefit of held-out draws no better than the mean (R2 {row.skill:.2f}; estimate "
            f"EUR {value:,.2f} million, SE {error:,.2f})."
        )
    if not detectable(row, evpi):
        return (
            f"{size}: worth about nothing to this decision (EUR {value:,.2f} million, SE "
            f"{error:,.2f}): knowing them exactly would not change the choice."
        )
    share = f", {row.share_of_evpi:.0%} of the EVPI" if np.isfinite(row.share_of_evpi) else ""
    return (
        f"{size}: knowing them exactly is worth EUR {value:,.2f} million (SE {error:,.2f}"
        f"{share}); an evaluation study settling them is worth at most this."
    )


def chart(study: Study, grouping: str, context: Context, stem: Path, lang: str) -> list[str]:
    """Horizontal bars of the EVPPI of each group, the EVPI as a line; PNG and PDF.

    Groups whose EVPPI cannot be estimated are left out (the source line names them); those
    with no value detectable from the draws are grey.
    """
    import textwrap

    words = WORDS[lang]
    every = study.groups[study.groups["grouping"] == grouping]
    table = every[every["estimable"]].sort_values("evppi").tail(15)
    left_out = [group_label(grouping, g, lang) for g in every.loc[~every["estimable"], "group"]]
    options = ", ".join(option_label(o, context, lang) for o in study.options)
    rest = words["source"].format(draws=locale.number(len(study.draws), 0, lang), options=options)
    source = f"{sd_source(lang)}; {rest}"
    if (table["skill"] <= 0).any():
        source += " " + words["undetectable"]
    if left_out:
        source += " " + words["left_out"].format(groups=", ".join(left_out))
    source = textwrap.fill(source, 135)
    bottom = 0.1 + 0.13 * (source.count("\n") + 1)  # inches for the source line
    height = 0.38 * len(table) + 1.6 + bottom
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.5, height))
        _bars(ax, table, study.evpi.value, lang)
        ax.set_yticks(
            np.arange(len(table)), [group_label(grouping, g, lang) for g in table["group"]]
        )
        ax.set_xlabel(words["axis"])
        ax.set_title(f"{words['title']} ({words['grouping'][grouping]})", loc="left")
        fig.text(0.01, 0.01, source, fontsize=7, color="#555555", va="bottom")
        fig.tight_layout(rect=(0, bottom / height, 1, 1))
        return save(fig, stem)


def _bars(ax, table: pd.DataFrame, evpi: float, lang: str) -> None:
    """The bars (grey without detectable value), their values and the EVPI's line."""
    y = np.arange(len(table))
    values, half = table["evppi"] / 1e6, 1.96 * table["standard_error"] / 1e6
    colours = ["#BBBBBB" if skill <= 0 else "#0072B2" for skill in table["skill"]]
    ax.barh(y, values, xerr=half, color=colours, error_kw={"lw": 0.8, "capsize": 2})
    for i, (value, width) in enumerate(zip(values, half, strict=True)):
        ax.text(value + width, i, "  " + locale.number(value, 2, lang), va="center", fontsize=7.5)
    ax.axvline(evpi / 1e6, color="#D55E00", lw=1.2, ls="--")
    text = WORDS[lang]["evpi"].format(value=locale.million_eur(evpi, 1, lang))
    # at the foot of the line, beside the smallest bars (largest first), not over the largest
    ax.text(
        evpi / 1e6, 0.02, text + " ", transform=ax.get_xaxis_transform(), ha="right", fontsize=8
    )
    ax.set_xlim(left=0)
    ax.xaxis.set_major_formatter(locale.tick_formatter(1, lang))
    ax.grid(axis="y", visible=False)


def write_study(study: Study, context: Context, out: Output) -> tuple[Path, list[str]]:
    """Write the tables, the summary, one chart per grouping and a manifest.

    Returns the folder and the summary lines.
    """
    lines = summary_lines(study, context)
    name = "-vs-".join([*study.options])[:120]
    key = "".join(s.digest() for s in [*context.scenarios, context.baseline])
    digest = hashlib.sha256(f"{key}{len(study.draws)}{context.seed}".encode()).hexdigest()[:10]
    folder = store.run_folder(out.root, "voi", name, digest)
    with store.atomic_folder(folder) as tmp:
        values = pd.DataFrame(study.net_benefit, columns=study.options)
        values.to_csv(tmp / "net_benefit.csv", index_label="draw")
        study.draws.to_csv(tmp / "draws.csv", index_label="draw")
        study.option_table().to_csv(tmp / "options.csv", index=False)
        evpi = pd.DataFrame(
            [{"evpi": study.evpi.value, "standard_error": study.evpi.standard_error}]
        )
        evpi.to_csv(tmp / "evpi.csv", index=False)
        study.groups.to_csv(tmp / "evppi.csv", index=False)
        (tmp / "summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        files = ["net_benefit.csv", "draws.csv", "options.csv", "evpi.csv", "evppi.csv"]
        files.append("summary.txt")
        for grouping in study.groups["grouping"].unique():
            files += chart(study, grouping, context, tmp / f"evppi_{grouping}", out.lang)
        store.write_manifest(
            tmp,
            files,
            command=out.command,
            kind="voi",
            options=study.options,
            baseline_is_option=context.baseline_is_option,
            base_year=context.base_year,
            draws=context.draws,
            seed=context.seed,
            samples=len(study.draws),
            scenarios=[s.to_dict() for s in context.scenarios],
            baseline=context.baseline.to_dict(),
        )
    return folder, lines
