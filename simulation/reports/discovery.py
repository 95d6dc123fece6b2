"""The written results of ``prevsim discover``: boxes, sentences, charts and a manifest."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.analysis.discovery import Discovery
from simulation.analysis.prim import Box
from simulation.model.catalogue import REGISTRY
from simulation.reports import discovery_charts as charts
from simulation.reports.discovery_charts import unit_follows_number, value_text
from simulation.reports.locale import number, percent, plural_form
from simulation.workflow import store
from simulation.workflow.store import Output

#: Sentence parts in each language.
TEXT = {
    "en": {
        "pays": "{policy} pays against “{baseline}” when {conditions}",
        "and": " and ",
        "at_most": "{label} is at most {high}",
        "at_least": "{label} is at least {low}",
        "between": "{label} is between {low} and {high}",
        "most": "{policy} pays against “{baseline}” most often when {conditions}",
        "stats": "(in {coverage} of the draws where it pays; it pays in {density} of the "
        "draws in this box, which holds {mass} of all draws).",
        "below": "That is below the {threshold} asked for (it pays in {share} of all draws).",
        "everywhere": "{policy} pays against “{baseline}” in {share} of all {n} draws, at "
        "least the {threshold} asked for, without conditions.",
        "recurs": "On half the draws ({runs} PRIM {runs_word}) these conditions recur: {shares}.",
        "none": "No box where {policy} pays in at least {threshold} of the draws was found "
        "(it pays in {share} of all {n} draws).",
    },
    "lt": {
        "pays": "{policy}, palyginti su scenarijumi „{baseline}“, atsiperka, kai {conditions}",
        "and": " ir ",
        "at_most": "{label} ne daugiau kaip {high}",
        "at_least": "{label} ne mažiau kaip {low}",
        "between": "{label} nuo {low} iki {high}",
        "most": "{policy}, palyginti su scenarijumi „{baseline}“, dažniausiai atsiperka, kai "
        "{conditions}",
        "stats": "(tai {coverage} visų atvejų, kai atsiperka; šioje srityje atsiperka "
        "{density} atvejų, joje yra {mass} visų atvejų).",
        "below": "Tai mažiau nei prašyta {threshold} (iš visų atvejų atsiperka {share}).",
        "everywhere": "{policy}, palyginti su scenarijumi „{baseline}“, atsiperka {share} iš "
        "visų {n} atvejų – ne mažiau nei prašyta {threshold} – be jokių sąlygų.",
        "recurs": "Su puse atvejų ({runs} PRIM {runs_word}) šios sąlygos pasikartoja: {shares}.",
        "none": "Nerasta srities, kurioje {policy} atsipirktų bent {threshold} atvejų "
        "(atsiperka {share} iš visų {n} atvejų).",
    },
}


def condition(name: str, low: float, high: float, lang: str) -> str:
    """One restriction of a box in words (NaN: that side open)."""
    t = TEXT[lang]
    label = REGISTRY[name].label(lang)
    label = label[0].lower() + label[1:] if not label[:2].isupper() else label
    lo = None if np.isnan(low) else value_text(name, low, lang, unit=False)
    hi = None if np.isnan(high) else value_text(name, high, lang, unit=False)
    if lo is None:
        text = t["at_most"].format(label=label, high=hi)
    elif hi is None:
        text = t["at_least"].format(label=label, low=lo)
    else:
        text = t["between"].format(label=label, low=lo, high=hi)
    unit = REGISTRY[name].unit_label(lang)
    return text if unit_follows_number(name) or not unit else f"{text} ({unit})"


def sentence(study: Discovery, box: Box, lang: str) -> str:
    """One box in one plain sentence: "... pays against ... when ... and ..."."""
    t = TEXT[lang]
    parts = [
        condition(n, box.limits.loc["low", n], box.limits.loc["high", n], lang)
        for n in box.limits.columns
    ]
    meets = box.density >= study.settings.threshold
    head = t["pays" if meets else "most"].format(
        policy=study.scenario.display_title(lang),
        baseline=study.baseline.display_title(lang),
        conditions=t["and"].join(parts),
    )
    stats = t["stats"].format(
        coverage=percent(box.coverage, 0, lang),
        density=percent(box.density, 0, lang),
        mass=percent(box.mass, 0, lang),
    )
    text = f"{head} {stats}"
    if not meets:
        text += " " + t["below"].format(
            threshold=percent(study.settings.threshold, 0, lang),
            share=percent(float(study.pays.mean()), 0, lang),
        )
    return text


def _recurrence_measured(study: Discovery) -> bool:
    """Whether PRIM ran on halves of the draws (``--resamples 0``: no share is measured)."""
    return bool(study.recurrence) and study.settings.resamples > 0


def _with_recurrence(study: Discovery, i: int, lang: str) -> str:
    """A box's sentence and how often its conditions recur on half the draws."""
    text = sentence(study, study.boxes[i], lang)
    if not _recurrence_measured(study):
        return text
    shares = ", ".join(
        f"{REGISTRY[name].label(lang)} {percent(share, 0, lang)}"
        for name, share in study.recurrence[i].items()
    )
    runs = study.settings.resamples
    word = RUNS[lang].get(plural_form(runs, lang), RUNS[lang]["other"])
    return f"{text} {TEXT[lang]['recurs'].format(runs=runs, runs_word=word, shares=shares)}"


#: "PRIM run(s)" after a number, by CLDR plural category (Lithuanian has three forms).
RUNS = {
    "en": {"one": "run", "other": "runs"},
    "lt": {"one": "paleidimas", "few": "paleidimai", "many": "paleidimo", "other": "paleidimų"},
}


def sentences(study: Discovery, lang: str) -> list[str]:
    """Every box's sentence, or one saying none was found."""
    if study.boxes:
        return [_with_recurrence(study, i, lang) for i in range(len(study.boxes))]
    everywhere = study.pays.mean() >= study.settings.threshold
    return [
        TEXT[lang]["everywhere" if everywhere else "none"].format(
            baseline=study.baseline.display_title(lang),
            policy=study.scenario.display_title(lang),
            threshold=percent(study.settings.threshold, 0, lang),
            share=percent(float(study.pays.mean()), 0, lang),
            n=number(len(study.npv), 0, lang),
        )
    ]


def boxes_table(study: Discovery) -> pd.DataFrame:
    """One row per restriction of every box, with the box's coverage, density and mass."""
    rows = []
    for i, box in enumerate(study.boxes, start=1):
        for name in box.limits.columns:
            rows.append(
                {
                    "box": i,
                    "parameter": name,
                    "label": REGISTRY[name].label("en"),
                    "kind": REGISTRY[name].kind,
                    "low": box.limits.loc["low", name],
                    "high": box.limits.loc["high", name],
                    "unit": REGISTRY[name].unit,
                    "quasi_p": box.quasi_p.get(name, np.nan),
                    "recurs": study.recurrence[i - 1][name]
                    if _recurrence_measured(study)
                    else np.nan,
                    "coverage": box.coverage,
                    "density": box.density,
                    "mass": box.mass,
                }
            )
    columns = [
        "box",
        "parameter",
        "label",
        "kind",
        "low",
        "high",
        "unit",
        "quasi_p",
        "recurs",
        "coverage",
        "density",
        "mass",
    ]
    return pd.DataFrame(rows, columns=columns)


def summary_lines(study: Discovery) -> list[str]:
    """What was explored, how often the policy pays, and the boxes in both languages."""
    s = study.settings
    npv = study.npv / 1e6
    lines = [
        f"Scenario discovery: '{study.scenario.name}' against '{study.baseline.name}', "
        f"{len(npv):,} draws ({s.points} lever settings x their share of the uncertainty "
        f"draws; {study.draws})",
        "Levers explored: " + "; ".join(f"{n} {lo:g}-{hi:g}" for n, (lo, hi) in s.levers.items()),
        f"NPV > 0 in {study.pays.mean():.1%} of draws (median NPV {np.median(npv):,.1f} "
        f"million EUR; 90% between {np.quantile(npv, 0.05):,.1f} and "
        f"{np.quantile(npv, 0.95):,.1f}).",
        f"PRIM boxes (density at least {s.threshold:.0%}, the most coverage on the trajectory):",
        "",
    ]
    for lang in ("en", "lt"):
        lines += [f"  {i}. {t}" for i, t in enumerate(sentences(study, lang), start=1)] + [""]
    return lines


def write_study(study: Discovery, out: Output) -> tuple[Path, list[str]]:
    """Write the points, boxes, sentences, charts and a manifest; return folder and summary."""
    lines = summary_lines(study)
    name = f"{study.scenario.name}-vs-{study.baseline.name}"
    digest = hashlib.sha256(
        f"{study.scenario.digest()}{study.baseline.digest()}{study.settings}{len(study.npv)}"
        f"{study.draws}".encode()
    ).hexdigest()[:10]
    folder = store.run_folder(out.root, "discovery", name, digest)
    with store.atomic_folder(folder) as tmp:
        study.x.assign(npv=study.npv).to_parquet(tmp / "points.parquet", index=False)
        boxes_table(study).to_csv(tmp / "boxes.csv", index=False)
        trajectories = [b.trajectory.assign(box=i) for i, b in enumerate(study.boxes, start=1)]
        if trajectories:
            pd.concat(trajectories).to_csv(tmp / "trajectories.csv", index_label="step")
        (tmp / "summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        files = ["points.parquet", "boxes.csv", "summary.txt"]
        files += ["trajectories.csv"] if trajectories else []
        if study.boxes:
            files += charts.tradeoff(study.boxes, tmp / "trajectory", out.lang)
            files += charts.boxes(study, tmp / "boxes", out.lang)
        store.write_manifest(
            tmp,
            files,
            command=out.command,
            kind="discovery",
            draws=study.draws,
            points=len(study.npv),
            lever_settings=study.settings.points,
            levers={n: list(r) for n, r in study.settings.levers.items()},
            threshold=study.settings.threshold,
            seed=study.settings.seed,
            share_paying=float(study.pays.mean()),
            scenario=study.scenario.to_dict(),
            baseline=study.baseline.to_dict(),
        )
    return folder, lines
