"""The briefing's folder.

It holds the results tables, the files the text is read from, the charts, the documents in each
language and format, and the manifest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from simulation import __version__
from simulation.analysis import briefing_numbers as br
from simulation.analysis.monte_carlo import CUTOFF, DISCREPANCY
from simulation.model.catalogue import REGISTRY
from simulation.model.lifecourse import RETIREMENT_AGE
from simulation.model.vocabulary import LANGS, START_YEAR
from simulation.reports.briefing import decision_content
from simulation.reports.briefing import decisions as dec
from simulation.reports.briefing.charts import draw_charts
from simulation.reports.briefing.content import MIN_DRAWS, Context, build
from simulation.reports.briefing.decisions import Decision
from simulation.reports.briefing.html import to_html
from simulation.reports.briefing.numbers import Numbers
from simulation.reports.briefing.pdf import to_pdf
from simulation.reports.labels import in_text, series_label, source_title
from simulation.workflow import economics as ec
from simulation.workflow import store

FORMATS = ("pdf", "html")
INTERVAL_LEVEL = 0.90  # the Monte Carlo intervals: 5th to 95th percentile
CONFIDENCE = 0.95  # SALib's confidence level of the sensitivity indices


def facts(results: br.BriefResults) -> pd.DataFrame:
    """Single numbers of a briefing: horizon, discounting, sampling."""
    rows = {
        "start_year": START_YEAR,
        "base_year": results.base_year,
        "end_year": results.end_year,
        "discount_rate": results.rate,
        "lifecourse_discount_rate": float(
            results.baseline.resolved_parameters()["lifecourse.discount_rate"]
        ),
        "price_year": ec.PRICE_YEAR,
        "last_adult_year_of_age": RETIREMENT_AGE - 1,
        "samples": results.samples,
        "plausible_samples": results.plausible,
        "implausibility_cutoff": CUTOFF,
        "model_discrepancy": DISCREPANCY,
        "seed": results.seed,
        "varied_parameters": len(results.varied),
        "interval_level": INTERVAL_LEVEL,
        "sensitivity_confidence": CONFIDENCE,
        "minimum_draws": MIN_DRAWS,
        "rule_of_three_confidence": 0.95,  # 3 / n bounds a chance seen in none of n draws
        "prevsim_version": __version__,
    }
    return pd.DataFrame({"fact": list(rows), "value": [str(v) for v in rows.values()]})


def parameters(results: br.BriefResults) -> pd.DataFrame:
    """Value, range, unit, source and readers' labels of the parameters a briefing names.

    The varied parameters first, then those the scenario files fix (``varied`` False).
    """
    rows = []
    fixed = set().union(*(s.params for s in [results.baseline, *results.scenarios]))
    names = [*results.varied, *sorted(fixed - set(results.varied))]
    for name in names:
        p = REGISTRY[name]
        source = " ".join(p.source.split())
        if p.assumption and not source.lower().startswith("assumption"):
            source = f"Assumption: {source}"
        rows.append(
            {
                "parameter": name,
                "varied": name in results.varied,
                "value": p.default,
                "low": p.range[0],
                "high": p.range[1],
                "unit": p.unit,
                "assumption": p.assumption,
                "source": " ".join(p.source.split()),
                "description": p.description,
                # what readers see: labels, units and sources in each language
                **{f"label_{lang}": p.label(lang) for lang in LANGS},
                **{f"label_in_text_{lang}": in_text(p.label(lang)) for lang in LANGS},
                **{f"unit_{lang}": p.unit_label(lang) for lang in LANGS},
                "source_lt": p.source_label("lt"),
                "source_en": source,
            }
        )
    return pd.DataFrame(rows)


def data_sources(results: br.BriefResults) -> pd.DataFrame:
    """The national data series drawn in the charts and their sources, as readers name them."""
    rows = []
    frame = results.data_points.drop_duplicates(["series", "source"])
    for series, source in zip(frame["series"], frame["source"], strict=True):
        row = {"series": series, "source": source}
        for lang in LANGS:
            row[f"series_{lang}"] = series_label(series, lang)
            row[f"source_{lang}"] = source_title(source, lang)
        rows.append(row)
    columns = ["series", "source", *(f"{k}_{lang}" for k in ("series", "source") for lang in LANGS)]
    return pd.DataFrame(rows, columns=columns)


def scenarios_table(results: br.BriefResults) -> pd.DataFrame:
    """Name, title, description and files of the baseline and every scenario."""
    rows = []
    for role, sc in [("baseline", results.baseline)] + [("scenario", s) for s in results.scenarios]:
        rows.append(
            {
                "scenario": sc.name,
                "role": role,
                "title": sc.title,
                "description": " ".join(sc.description.split()),
                **{f"title_{lang}": sc.display_title(lang) for lang in LANGS},
                **{f"description_{lang}": sc.display_description(lang) for lang in LANGS},
                "files": " ".join(sc.chain),
                "digest": sc.digest(),
            }
        )
    return pd.DataFrame(rows)


def _read_back(folder: Path, names: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The tables as a reader of the folder sees them.

    They are read from the CSV files, so the text is made from exactly what the files say.
    """
    return {name: pd.read_csv(folder / name, keep_default_na=True) for name in names}


def write_briefing(
    results: br.BriefResults,
    root: Path,
    langs: Sequence[str] = ("lt",),
    formats: Sequence[str] = ("pdf",),
    command: str | None = None,
    decisions: Sequence[Decision] = (),
) -> tuple[Path, list[str]]:
    """Write the briefing folder atomically; return it and the briefing files written.

    The folder is ``<root>/briefings/<scenarios>-vs-<baseline>/<timestamp>-<digest>/``.
    ``decisions`` (results folders of optimise, discover or voi, checked by
    :func:`~simulation.reports.briefing.decisions.read_all`) each add a section; the tables
    they quote are copied into ``decisions/<i>-<kind>/``.
    """
    names = [s.name for s in results.scenarios]
    digest = hashlib.sha256(
        (
            results.baseline.digest()
            + "".join(s.digest() for s in results.scenarios)
            + f"{results.samples}{results.seed}{sorted(langs)}{sorted(formats)}"
            + "".join(str(d.source.resolve()) for d in decisions)
        ).encode()
    ).hexdigest()[:10]
    label = "-".join(names) if len(names) <= 3 else f"{names[0]}-and-{len(names) - 1}-more"
    folder = store.run_folder(root, "briefings", f"{label}-vs-{results.baseline.name}", digest)
    written = []
    with store.atomic_folder(folder) as tmp:
        files = results.write(tmp)
        extra = {
            "facts.csv": facts(results),
            "parameters.csv": parameters(results),
            "scenarios.csv": scenarios_table(results),
            "data_sources.csv": data_sources(results),
        }
        for name, frame in extra.items():
            frame.to_csv(tmp / name, index=False)
        files += list(extra)
        scenarios = [s.to_dict() for s in results.scenarios]
        files += dec.write(decisions, tmp, results.baseline.to_dict(), scenarios)
        tables = _read_back(tmp, files)
        for lang in langs:
            charts = draw_charts(results, tmp / "charts", lang)
            charts.update(decision_content.draw(list(decisions), tmp, lang))
            numbers = Numbers(tables, lang)
            blocks = build(Context(results, charts, lang, decisions), numbers)
            if "html" in formats:
                (tmp / f"briefing-{lang}.html").write_text(to_html(blocks, lang), encoding="utf-8")
                written.append(f"briefing-{lang}.html")
            if "pdf" in formats:
                to_pdf(blocks, tmp / f"briefing-{lang}.pdf", lang)
                written.append(f"briefing-{lang}.pdf")
            numbers.records().to_csv(tmp / f"numbers-{lang}.csv", index=False)
            files.append(f"numbers-{lang}.csv")
        store.write_manifest(
            tmp,
            [*files, *written, "charts/"],
            command=command,
            kind="briefing",
            engine="sd",
            baseline=results.baseline.to_dict(),
            scenarios=[s.to_dict() for s in results.scenarios],
            samples=results.samples,
            seed=results.seed,
            languages=list(langs),
            formats=list(formats),
            decisions=[
                {"kind": d.kind, "folder": str(d.source), "copies": d.prefix} for d in decisions
            ],
        )
    return folder, written
