"""``prevsim brief``: a short ministry briefing (PDF or one self-contained HTML file) in
Lithuanian or English.

The briefing is built in three steps that keep its numbers honest:

1. :func:`simulation.analysis.briefing_numbers.compute` computes every table and the folder keeps them
   (``key_numbers.csv`` and the others), with ``facts.csv`` (horizon, discount rate, sample
   size...) and ``parameters.csv`` (values, ranges and sources of the varied parameters);
2. :func:`build` writes the document as blocks whose every number is a :class:`Num` naming
   the file, row and column it was read from; ``numbers.csv`` lists them all;
3. :func:`to_html` and :func:`to_pdf` render the same blocks.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from simulation import __version__
from simulation.analysis import briefing_numbers as br
from simulation.analysis.monte_carlo import CUTOFF, DISCREPANCY
from simulation.model.catalogue import REGISTRY
from simulation.model.vocabulary import START_YEAR
from simulation.reports.briefing_text import TEXT, scenario_title
from simulation.workflow import economics as ec
from simulation.workflow import store

LANGS = ("lt", "en")
FORMATS = ("pdf", "html")
INTERVAL_LEVEL = 0.90  # the Monte Carlo intervals: 5th to 95th percentile
CONFIDENCE = 0.95  # SALib's confidence level of the sensitivity indices
TOP_DRIVERS = 8  # parameters in the assumptions table
NAMED_DRIVERS = 3  # parameters named in the text
NAMED_MUNICIPALITIES = 3


# ---- numbers in the text -------------------------------------------------------------------
@dataclass(frozen=True)
class Num:
    """A number (or a quoted value) printed in a briefing, and where it came from.

    Attributes
    ----------
    text : str
        As printed (no unit).
    value : float or str
        The value in the source file.
    source : str
        File in the briefing's folder.
    row : tuple of (column, value) pairs
        Selects one row of the source (empty: the file has one row).
    column : str
        Column of the value.
    scale : float
        Printed number x ``scale`` = value (1e6 for million EUR, 0.01 for percent).
    decimals : int
        Decimals printed (the rounding a reader sees).
    """

    text: str
    value: float | str
    source: str
    row: tuple[tuple[str, object], ...]
    column: str
    scale: float = 1.0
    decimals: int = 0

    @property
    def is_number(self) -> bool:
        return not isinstance(self.value, str)

    def record(self) -> dict:
        return {
            "text": self.text,
            "value": self.value,
            "source": self.source,
            "row": json.dumps(dict(self.row), ensure_ascii=False),
            "column": self.column,
            "scale": self.scale,
            "decimals": self.decimals,
        }


MINUS = "\u2212"


def format_number(value: float, decimals: int, lang: str, group: bool = True) -> str:
    """``value`` rounded to ``decimals``: Lithuanian ``−1 234,5`` (no-break space, decimal
    comma) or English ``−1,234.5``; years (``group=False``) without thousands separators."""
    text = f"{abs(value):,.{decimals}f}" if group else f"{abs(value):.{decimals}f}"
    if lang == "lt":
        text = text.replace(",", "\u00a0").replace(".", ",")
    negative = round(value, decimals) < 0
    return (MINUS if negative else "") + text


def parse_number(text: str, lang: str) -> float:
    """Inverse of :func:`format_number` (for tests and readers of ``numbers.csv``)."""
    clean = text.replace(MINUS, "-").replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    clean = clean.replace(",", ".") if lang == "lt" else clean.replace(",", "")
    return float(clean)


class Numbers:
    """Makes :class:`Num` objects from the briefing's tables, formatted for one language."""

    def __init__(self, tables: dict[str, pd.DataFrame], lang: str) -> None:
        self.tables = tables
        self.lang = lang
        self.used: list[Num] = []

    def _lookup(self, source: str, row: dict, column: str) -> object:
        frame = self.tables[source]
        mask = pd.Series(True, index=frame.index)
        for key, value in row.items():
            mask &= frame[key] == value
        found = frame.loc[mask, column]
        if len(found) != 1:
            raise KeyError(f"{source}: {len(found)} rows match {row} (expected one)")
        return found.iloc[0]

    def num(self, source: str, row: dict, column: str, scale: float = 1.0, decimals: int = 0):
        """The number at ``source[row, column]``, printed as ``value / scale`` (a year when
        the row or column names one)."""
        value = float(self._lookup(source, row, column))
        year = any(str(v).endswith("_year") for v in (column, *row.values()))
        item = Num(
            format_number(value / scale, decimals, self.lang, group=not year),
            value,
            source,
            tuple(row.items()),
            column,
            scale,
            decimals,
        )
        self.used.append(item)
        return item

    def ref(self, source: str, row: dict, column: str) -> Num:
        """A value quoted as it is in the file (a version, a source title)."""
        value = str(self._lookup(source, row, column))
        item = Num(value, value, source, tuple(row.items()), column)
        self.used.append(item)
        return item

    def fact(self, name: str, scale: float = 1.0, decimals: int = 0) -> Num:
        """A number of ``facts.csv`` (horizon, discount rate, samples...)."""
        return self.num("facts.csv", {"fact": name}, "value", scale, decimals)

    def key(self, scenario: str, measure: str, stat: str, scale=1.0, decimals=0) -> Num:
        """A number of ``key_numbers.csv``."""
        row = {"scenario": scenario, "measure": measure}
        return self.num("key_numbers.csv", row, stat, scale, decimals)

    def records(self) -> pd.DataFrame:
        unique = list(dict.fromkeys(self.used))
        return pd.DataFrame([n.record() for n in unique])


# ---- the document --------------------------------------------------------------------------
@dataclass
class Para:
    """A paragraph: a template whose ``{name}`` fields are filled by text or numbers."""

    template: str
    fields: dict[str, object] = field(default_factory=dict)
    style: str = "body"

    def parts(self) -> list[str | Num]:
        """Literal text and :class:`Num` objects in reading order."""
        import string

        out: list[str | Num] = []
        for literal, name, _, _ in string.Formatter().parse(self.template):
            if literal:
                out.append(literal)
            if name is not None:
                value = self.fields[name]
                out.extend(value.parts() if isinstance(value, Para) else [value])
        return out


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Figure:
    png: Path
    caption: Para


@dataclass
class Table:
    header: list[Para]
    rows: list[list[Para]]
    widths: list[float]  # shares of the text width


@dataclass
class Bullets:
    items: list[Para]


def _join(parts: Sequence[object], sep: str) -> Para:
    """A Para listing ``parts`` separated by ``sep``."""
    template = sep.join(f"{{p{i}}}" for i in range(len(parts)))
    return Para(template, {f"p{i}": p for i, p in enumerate(parts)})


def _listing(parts: Sequence[object], t: dict) -> Para:
    """``a, b and c``."""
    if len(parts) <= 1:
        return _join(parts, "")
    return Para(
        "{head}" + t["and"] + "{last}", {"head": _join(parts[:-1], ", "), "last": parts[-1]}
    )


# ---- content -------------------------------------------------------------------------------
@dataclass
class Context:
    """What :func:`build` needs besides the numbers."""

    results: br.BriefResults
    charts: dict[str, Path]
    lang: str

    @property
    def t(self) -> dict:
        return TEXT[self.lang]

    def title(self, name: str) -> str:
        sc = next(s for s in [self.results.baseline, *self.results.scenarios] if s.name == name)
        return scenario_title(sc.title, sc.name, self.lang)


def _interval(n: Numbers, t: dict, name: str, measure: str, scale: float, decimals: int) -> Para:
    lo = n.key(name, measure, "p05", scale, decimals)
    hi = n.key(name, measure, "p95", scale, decimals)
    return Para(t["range"].format("{lo}", "{hi}"), {"lo": lo, "hi": hi})


def _key_cells(ctx: Context, n: Numbers, name: str, measure: str) -> tuple[Para, Para]:
    """The central value and the interval of one key number, with units."""
    t, kn = ctx.t, ctx.results.key_numbers
    row = kn[(kn["scenario"] == name) & (kn["measure"] == measure)].iloc[0]
    if measure == "chance_benefits_exceed_costs":
        central = n.key(name, measure, "central", 0.01, 0)
        return Para(t["percent"].format("{c}"), {"c": central}), Para(t["none"])
    if measure == "break_even_year":
        share = Para(
            t["share_break_even"].format("{s}"), {"s": n.key(name, measure, "share", 0.01, 0)}
        )
        if math.isnan(row["central"]):
            central = Para(t["never"].format("{e}"), {"e": n.fact("end_year")})
        else:
            central = Para(t["year"].format("{c}"), {"c": n.key(name, measure, "central")})
        if row["runs"] > 0:
            years = _interval(n, t, name, measure, 1.0, 0)
            return central, Para("{s} ({y})", {"s": share, "y": years})
        return central, share
    money = measure in ("npv", "benefits", "costs")
    scale, decimals = (1e6, 1) if money else ((1.0, 2) if measure == "bcr" else (1.0, 0))
    central = n.key(name, measure, "central", scale, decimals)
    unit = t["money"] if money else "{}"
    return (
        Para(unit.format("{c}"), {"c": central}),
        Para(unit.format("{r}"), {"r": _interval(n, t, name, measure, scale, decimals)}),
    )


def _key_table(ctx: Context, n: Numbers) -> Table:
    t = ctx.t
    names = [s.name for s in ctx.results.scenarios]
    measures = [m for m, _ in br.MEASURES] + ["chance_benefits_exceed_costs"]
    level = {"level": n.fact("interval_level", 0.01)}
    header = [Para(t["table_measure"], style="head")]
    for name in names:
        header.append(Para(t["quote"].format(ctx.title(name)), style="head"))
        header.append(Para(t["table_interval"], level, style="head"))
    rows = []
    for measure in measures:
        row = [Para(t["measures"][measure])]
        for name in names:
            row.extend(_key_cells(ctx, n, name, measure))
        rows.append(row)
    first = 0.34
    rest = (1.0 - first) / (2 * len(names))
    return Table(header, rows, [first] + [rest] * (2 * len(names)))


def _lead(ctx: Context, n: Numbers, name: str) -> list[Para]:
    t, kn = ctx.t, ctx.results.key_numbers
    years = {"base": n.fact("base_year"), "end": n.fact("end_year")}
    outcomes = Para(
        t["lead_outcomes"],
        {
            "title": ctx.title(name),
            **years,
            "placed": n.key(name, "children_placed_avoided", "central"),
            "placed_lo": n.key(name, "children_placed_avoided", "p05"),
            "placed_hi": n.key(name, "children_placed_avoided", "p95"),
            "years": n.key(name, "child_years_in_care_avoided", "central"),
            "years_lo": n.key(name, "child_years_in_care_avoided", "p05"),
            "years_hi": n.key(name, "child_years_in_care_avoided", "p95"),
        },
    )
    value = Para(
        t["lead_value"],
        {
            "npv": n.key(name, "npv", "central", 1e6, 1),
            "npv_lo": n.key(name, "npv", "p05", 1e6, 1),
            "npv_hi": n.key(name, "npv", "p95", 1e6, 1),
            "level": n.fact("interval_level", 0.01),
            "bcr": n.key(name, "bcr", "central", 1.0, 2),
            "chance": n.key(name, "chance_benefits_exceed_costs", "central", 0.01),
        },
    )
    row = kn[(kn["scenario"] == name) & (kn["measure"] == "break_even_year")].iloc[0]
    if math.isnan(row["central"]):
        breaks = Para(t["lead_never"], {"end": n.fact("end_year")})
    else:
        breaks = Para(t["lead_breaks_even"], {"year": n.key(name, "break_even_year", "central")})
    share = Para(t["lead_share"], {"share": n.key(name, "break_even_year", "share", 0.01)})
    chance = ctx.results.number(name, "chance_benefits_exceed_costs")
    verdict = (
        "verdict_pays" if chance >= 0.8 else "verdict_not" if chance <= 0.2 else "verdict_uncertain"
    )
    return [
        outcomes,
        Para("{v} {b}{s} {w}", {"v": value, "b": breaks, "s": share, "w": Para(t[verdict])}),
    ]


def _facts_para(n: Numbers, template: str, names: Sequence[str], **extra) -> Para:
    scales = {
        "rate": (0.01, 1),
        "level": (0.01, 0),
        "confidence": (0.01, 0),
        "discrepancy": (0.01, 0),
    }
    keys = {
        "price": "price_year",
        "rate": "discount_rate",
        "base": "base_year",
        "start": "start_year",
        "end": "end_year",
        "level": "interval_level",
        "samples": "samples",
        "plausible": "plausible_samples",
        "cutoff": "implausibility_cutoff",
        "discrepancy": "model_discrepancy",
        "varied": "varied_parameters",
        "confidence": "sensitivity_confidence",
    }
    fields = {}
    for name in names:
        scale, decimals = scales.get(name, (1.0, 0))
        fields[name] = n.fact(keys[name], scale, decimals)
    return Para(template, {**fields, **extra})


def _municipal_para(ctx: Context, n: Numbers, name: str) -> Para:
    t = ctx.t
    frame = ctx.results.municipalities
    ranked = frame[frame["scenario"] == name].sort_values(
        "avoided_per_1000_children", ascending=False
    )

    def items(rows: pd.DataFrame) -> Para:
        parts = []
        for municipality in rows["municipality"]:
            row = {"scenario": name, "municipality": municipality}
            value = n.num("municipalities.csv", row, "avoided_per_1000_children", 1.0, 1)
            parts.append(Para(t["municipal_item"], {"name": municipality, "value": value}))
        return _listing(parts, t)

    top = items(ranked.head(NAMED_MUNICIPALITIES))
    bottom = items(ranked.tail(NAMED_MUNICIPALITIES).iloc[::-1])
    return Para(t["municipal_text"], {"title": ctx.title(name), "top": top, "bottom": bottom})


def _drivers(ctx: Context, n: Numbers, name: str) -> Para:
    t = ctx.t
    sens = ctx.results.sensitivity
    top = sens[sens["scenario"] == name].head(NAMED_DRIVERS)
    parts = []
    for parameter in top["parameter"]:
        value = n.num("sensitivity.csv", {"scenario": name, "parameter": parameter}, "S1", 1, 2)
        parts.append(Para(t["driver_item"], {"name": parameter, "value": value}))
    return Para(t["drivers_text"], {"top": _listing(parts, t)})


def _parameter_table(ctx: Context, n: Numbers, name: str) -> Table:
    t = ctx.t
    sens = ctx.results.sensitivity
    names = list(sens[sens["scenario"] == name]["parameter"].head(TOP_DRIVERS))
    header = [Para(h, style="head") for h in t["param_head"]]
    rows = []
    for parameter in names:
        row = {"parameter": parameter}
        digits = _digits(REGISTRY[parameter].default)
        value = n.num("parameters.csv", row, "value", 1.0, digits)
        low = n.num("parameters.csv", row, "low", 1.0, digits)
        high = n.num("parameters.csv", row, "high", 1.0, digits)
        source = n.ref("parameters.csv", row, "source")
        prefix = t["assumption"] if REGISTRY[parameter].assumption else ""
        rows.append(
            [
                Para(parameter, style="small"),
                Para("{v}", {"v": value}, style="small"),
                Para(t["range"].format("{lo}", "{hi}"), {"lo": low, "hi": high}, style="small"),
                Para("{u}", {"u": n.ref("parameters.csv", row, "unit")}, style="small"),
                Para(prefix + "{s}", {"s": source}, style="small"),
            ]
        )
    return Table(header, rows, [0.29, 0.12, 0.15, 0.12, 0.32])


def _digits(value: float) -> int:
    """Decimals that show a parameter's default to three significant figures (at most 3)."""
    if value == 0 or abs(value) >= 100:
        return 0
    return int(min(3, max(0, 2 - math.floor(math.log10(abs(value))))))


def build(ctx: Context, n: Numbers) -> list[object]:
    """The briefing as blocks, in reading order."""
    t, res = ctx.t, ctx.results
    first = res.scenarios[0].name
    titles = _listing([t["quote"].format(ctx.title(s.name)) for s in res.scenarios], t)
    blocks: list[object] = [
        Heading(t["title"], 0),
        Para(
            t["subtitle"],
            {
                "scenarios": titles,
                "baseline": ctx.title(res.baseline.name),
                "start": n.fact("start_year"),
                "end": n.fact("end_year"),
                "version": n.ref("facts.csv", {"fact": "prevsim_version"}, "value"),
            },
            style="subtitle",
        ),
        Heading(t["key_numbers"]),
    ]
    for sc in res.scenarios:
        blocks += _lead(ctx, n, sc.name)
    blocks.append(_key_table(ctx, n))
    blocks.append(
        _facts_para(
            n, t["key_note"], ["price", "rate", "base", "level", "plausible", "samples", "varied"]
        )
    )
    blocks.append(Heading(t["shows"]))
    figures = [
        ("trajectories", t["fig_trajectories"], ["start", "end", "level", "plausible"]),
        ("npv", t["fig_npv"], ["base", "level"]),
        ("placements", t["fig_placements"], []),
        ("costs", t["fig_costs"], ["price"]),
    ]
    for key, caption, facts in figures:
        blocks.append(Figure(ctx.charts[key], _facts_para(n, caption, facts)))
    # what drives the value before the tall municipal ranking, which needs a page of its own
    blocks.append(Heading(t["drivers"]))
    blocks.append(_drivers(ctx, n, first))
    caption = _facts_para(
        n, t["fig_sensitivity"], ["confidence", "plausible"], title=ctx.title(first)
    )
    blocks.append(Figure(ctx.charts["sensitivity"], caption))
    blocks.append(Heading(t["municipalities"]))
    blocks.append(_municipal_para(ctx, n, first))
    caption = _facts_para(n, t["fig_municipal"], ["end"], title=ctx.title(first))
    blocks.append(Figure(ctx.charts["municipalities"], caption))
    blocks.append(Heading(t["assumptions"]))
    fixed = _listing(sorted(set().union(*(s.params for s in [res.baseline, *res.scenarios]))), t)
    items = [
        _facts_para(n, t["assume_money"], ["price", "rate", "base", "start", "end"]),
        Para(t["assume_accounts"]),
        Para(t["assume_fixed"], {"names": fixed}),
    ]
    for sc in res.scenarios:
        if sc.description:
            row = {"scenario": sc.name}
            description = n.ref("scenarios.csv", row, "description")
            items.append(
                Para(
                    t["assume_scenario"], {"title": ctx.title(sc.name), "description": description}
                )
            )
    blocks.append(Bullets(items))
    blocks.append(Para(t["params_intro"]))
    blocks.append(_parameter_table(ctx, n, first))
    blocks.append(Heading(t["sources"]))
    blocks.append(Para(t["sources_intro"]))
    sources = []
    seen = set()
    for row in res.data_points.itertuples():
        if (row.series, row.source) in seen:
            continue
        seen.add((row.series, row.source))
        select = {"series": row.series, "source": row.source}
        first_row = {**select, "time": float(row.time)}
        sources.append(
            Para(
                t["source_item"],
                {
                    "series": n.ref("data_points.csv", first_row, "series"),
                    "source": n.ref("data_points.csv", first_row, "source"),
                },
            )
        )
    blocks.append(Bullets([*sources, Para(t["sources_params"])]))
    blocks.append(Heading(t["method"]))
    blocks.append(_facts_para(n, t["method_text"], ["samples", "cutoff", "discrepancy"]))
    return blocks


# ---- the files the text is read from -------------------------------------------------------
def facts(results: br.BriefResults) -> pd.DataFrame:
    """Single numbers of a briefing: horizon, discounting, sampling."""
    rows = {
        "start_year": START_YEAR,
        "base_year": results.base_year,
        "end_year": results.end_year,
        "discount_rate": results.rate,
        "price_year": ec.PRICE_YEAR,
        "samples": results.samples,
        "plausible_samples": results.plausible,
        "implausibility_cutoff": CUTOFF,
        "model_discrepancy": DISCREPANCY,
        "seed": results.seed,
        "varied_parameters": len(results.varied),
        "interval_level": INTERVAL_LEVEL,
        "sensitivity_confidence": CONFIDENCE,
        "prevsim_version": __version__,
    }
    return pd.DataFrame({"fact": list(rows), "value": [str(v) for v in rows.values()]})


def parameters(results: br.BriefResults) -> pd.DataFrame:
    """Value, plausible range, unit and source of every varied parameter."""
    rows = []
    for name in results.varied:
        p = REGISTRY[name]
        rows.append(
            {
                "parameter": name,
                "value": p.default,
                "low": p.range[0],
                "high": p.range[1],
                "unit": p.unit,
                "assumption": p.assumption,
                "source": " ".join(p.source.split()),
                "description": p.description,
            }
        )
    return pd.DataFrame(rows)


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
                "files": " ".join(sc.chain),
                "digest": sc.digest(),
            }
        )
    return pd.DataFrame(rows)


def _read_back(folder: Path, names: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The tables as a reader of the folder sees them (read from the CSV files, so the text
    is made from exactly what the files say)."""
    return {name: pd.read_csv(folder / name, keep_default_na=True) for name in names}


# ---- charts --------------------------------------------------------------------------------
def draw_charts(results: br.BriefResults, folder: Path, lang: str) -> dict[str, Path]:
    """Every chart of the briefing as PNG (and PDF) in ``folder``; paths of the PNGs."""
    from simulation.reports import charts

    labels = {"baseline": scenario_title(results.baseline.title, "baseline", lang)}
    labels.update({s.name: scenario_title(s.title, s.name, lang) for s in results.scenarios})
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
    charts.trajectories_with_data(
        results.trajectories, results.data_points, labels, Path(f"{stem}-trajectories"), lang
    )
    charts.npv_over_time(
        results.net_benefit, scenario_labels, break_even, Path(f"{stem}-npv"), lang
    )
    charts.placements_per_year(results.placements, labels, start, Path(f"{stem}-placements"), lang)
    charts.cost_stacks(results.costs, labels, start, Path(f"{stem}-costs"), lang)
    municipal = results.municipalities[results.municipalities["scenario"] == first]
    charts.municipal_ranking(
        municipal, results.end_year, charts.PALETTE[1], Path(f"{stem}-municipalities"), lang
    )
    sens = results.sensitivity[results.sensitivity["scenario"] == first]
    charts.sensitivity_indices(
        sens.set_index("parameter"), "rbd_fast", Path(f"{stem}-sensitivity"), lang, top=10
    )
    keys = ("trajectories", "npv", "placements", "costs", "municipalities", "sensitivity")
    return {k: Path(f"{stem}-{k}.png") for k in keys}


# ---- rendering: HTML -----------------------------------------------------------------------
def _html_parts(para: Para) -> str:
    out = []
    for part in para.parts():
        if isinstance(part, Num):
            kind = "num" if part.is_number else "ref"
            attrs = {
                "class": kind,
                "data-source": part.source,
                "data-row": json.dumps(dict(part.row), ensure_ascii=False),
                "data-column": part.column,
                "data-scale": repr(part.scale),
                "data-decimals": str(part.decimals),
            }
            text = " ".join(f'{k}="{html.escape(v)}"' for k, v in attrs.items())
            out.append(f"<span {text}>{html.escape(part.text)}</span>")
        else:
            out.append(html.escape(str(part)))
    return "".join(out)


CSS = """
body{font-family:"DejaVu Sans",Verdana,sans-serif;max-width:52rem;margin:2rem auto;
padding:0 1rem;color:#1a1a1a;line-height:1.45;font-size:15px}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;
border-bottom:1px solid #ccc;padding-bottom:.2rem}.subtitle{color:#555;margin-top:0}
table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.9rem}
th,td{border-bottom:1px solid #ddd;padding:.35rem .4rem;text-align:left;vertical-align:top}
th{background:#f2f5f8}td.small{font-size:.8rem}figure{margin:1.2rem 0}
figure img{width:100%;height:auto}figcaption{font-size:.85rem;color:#444}
"""


def to_html(blocks: Sequence[object], lang: str) -> str:
    """One self-contained HTML file: styles inline, charts as data URIs."""
    body = []
    title = ""
    for block in blocks:
        if isinstance(block, Heading):
            tag = "h1" if block.level == 0 else "h2"
            title = title or block.text
            body.append(f"<{tag}>{html.escape(block.text)}</{tag}>")
        elif isinstance(block, Para):
            cls = f' class="{block.style}"' if block.style != "body" else ""
            body.append(f"<p{cls}>{_html_parts(block)}</p>")
        elif isinstance(block, Bullets):
            items = "".join(f"<li>{_html_parts(p)}</li>" for p in block.items)
            body.append(f"<ul>{items}</ul>")
        elif isinstance(block, Table):
            head = "".join(f"<th>{_html_parts(p)}</th>" for p in block.header)
            rows = "".join(
                "<tr>"
                + "".join(f'<td class="{p.style}">{_html_parts(p)}</td>' for p in row)
                + "</tr>"
                for row in block.rows
            )
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif isinstance(block, Figure):
            data = base64.b64encode(block.png.read_bytes()).decode("ascii")
            caption = _html_parts(block.caption)
            body.append(
                f'<figure><img src="data:image/png;base64,{data}" alt="">'
                f"<figcaption>{caption}</figcaption></figure>"
            )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


# ---- rendering: PDF ------------------------------------------------------------------------
def _register_fonts() -> str:
    """DejaVu Sans from matplotlib's own fonts (it carries ą č ę ė į š ų ū ž); returns the
    family name."""
    from matplotlib import get_data_path
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    family = "DejaVuSans"
    if family in pdfmetrics.getRegisteredFontNames():
        return family
    folder = Path(get_data_path()) / "fonts" / "ttf"
    faces = {
        family: "DejaVuSans.ttf",
        f"{family}-Bold": "DejaVuSans-Bold.ttf",
        f"{family}-Oblique": "DejaVuSans-Oblique.ttf",
        f"{family}-BoldOblique": "DejaVuSans-BoldOblique.ttf",
    }
    for name, file in faces.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    addMapping(family, 0, 0, family)
    addMapping(family, 1, 0, f"{family}-Bold")
    addMapping(family, 0, 1, f"{family}-Oblique")
    addMapping(family, 1, 1, f"{family}-BoldOblique")
    return family


def _pdf_markup(para: Para) -> str:
    """reportlab's paragraph markup: escaped text, numbers as they are."""
    out = []
    for part in para.parts():
        text = part.text if isinstance(part, Num) else str(part)
        out.append(html.escape(text, quote=False))
    return "".join(out)


def _styles(font: str) -> dict:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13, spaceAfter=5)
    return {
        "body": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName=f"{font}-Bold", fontSize=16, leading=20, spaceAfter=4
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, textColor=HexColor("#555555"), spaceAfter=10
        ),
        "h": ParagraphStyle(
            "h",
            parent=base,
            fontName=f"{font}-Bold",
            fontSize=12,
            leading=15,
            spaceBefore=8,
            spaceAfter=5,
            keepWithNext=1,  # a heading never ends a page
            textColor=HexColor("#0b3d66"),
        ),
        "head": ParagraphStyle(
            "head", parent=base, fontName=f"{font}-Bold", fontSize=8.5, leading=11, spaceAfter=0
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11, spaceAfter=0),
        "small": ParagraphStyle("small", parent=base, fontSize=7, leading=9, spaceAfter=0),
        "caption": ParagraphStyle(
            "caption",
            parent=base,
            fontSize=8,
            leading=10.5,
            textColor=HexColor("#444444"),
            spaceAfter=10,
        ),
    }


def to_pdf(blocks: Sequence[object], path: Path, lang: str) -> None:
    """An A4 PDF of the blocks, numbered pages, DejaVu Sans throughout."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        Image,
        KeepTogether,
        ListFlowable,
        ListItem,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )
    from reportlab.platypus import Table as PdfTable

    font = _register_fonts()
    st = _styles(font)
    page_word = TEXT[lang]["page"]
    width = A4[0] - 3.6 * cm
    story = []
    title = ""
    for block, following in zip(blocks, [*blocks[1:], None], strict=True):
        if isinstance(block, Heading):
            title = title or block.text
            story.append(
                Paragraph(html.escape(block.text), st["title" if block.level == 0 else "h"])
            )
        elif isinstance(block, Para):
            style = st.get(block.style, st["body"])
            if isinstance(following, Figure):  # a paragraph stays with the figure it introduces
                style = ParagraphStyle(f"{style.name}-intro", parent=style, keepWithNext=1)
            story.append(Paragraph(_pdf_markup(block), style))
        elif isinstance(block, Bullets):
            items = [
                ListItem(Paragraph(_pdf_markup(p), st["body"]), leftIndent=12) for p in block.items
            ]
            story.append(
                ListFlowable(
                    items, bulletType="bullet", start="•", leftIndent=12, bulletFontName=font
                )
            )
        elif isinstance(block, Table):

            def cell(p: Para) -> Paragraph:
                style = {"head": st["head"], "small": st["small"]}.get(p.style, st["cell"])
                return Paragraph(_pdf_markup(p), style)

            data = [[cell(p) for p in block.header]] + [
                [cell(p) for p in row] for row in block.rows
            ]
            table = PdfTable(data, colWidths=[w * width for w in block.widths], repeatRows=1)
            table.setStyle(
                TableStyle(
                    [
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f5f8")),
                        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#dddddd")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("TOPPADDING", (0, 0), (-1, -1), 3),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                    ]
                )
            )
            story += [table, Spacer(1, 6)]
        elif isinstance(block, Figure):
            image = Image(str(block.png))
            scale = min(width / image.imageWidth, (23.5 * cm) / image.imageHeight)
            image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
            # the heading and paragraph that introduce a figure move with it (reportlab does
            # not chain keepWithNext into a KeepTogether)
            lead = []
            while story and story[-1].getKeepWithNext():
                lead.insert(0, story.pop())
            caption = Paragraph(_pdf_markup(block.caption), st["caption"])
            story.append(KeepTogether([*lead, image, caption]))

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.setFillColor(colors.HexColor("#666666"))
        canvas.drawString(1.8 * cm, 1.1 * cm, title)
        canvas.drawRightString(
            A4[0] - 1.8 * cm,
            1.1 * cm,
            f"{doc.page} {page_word}" if lang == "lt" else f"{page_word} {doc.page}",
        )
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=1.8 * cm,
        rightMargin=1.8 * cm,
        topMargin=1.6 * cm,
        bottomMargin=1.8 * cm,
        title=title,
        author="prevsim",
        lang=lang,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)


# ---- the folder ----------------------------------------------------------------------------
def write_briefing(
    results: br.BriefResults,
    root: Path,
    langs: Sequence[str] = ("lt",),
    formats: Sequence[str] = ("pdf",),
    command: str | None = None,
) -> tuple[Path, list[str]]:
    """Write the briefing folder atomically; return it and the briefing files written.

    The folder is ``<root>/briefings/<scenarios>-vs-<baseline>/<timestamp>-<digest>/``.
    """
    names = [s.name for s in results.scenarios]
    digest = hashlib.sha256(
        (
            results.baseline.digest()
            + "".join(s.digest() for s in results.scenarios)
            + f"{results.samples}{results.seed}{sorted(langs)}{sorted(formats)}"
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
        }
        for name, frame in extra.items():
            frame.to_csv(tmp / name, index=False)
        files += list(extra)
        tables = _read_back(tmp, files)
        for lang in langs:
            charts = draw_charts(results, tmp / "charts", lang)
            numbers = Numbers(tables, lang)
            blocks = build(Context(results, charts, lang), numbers)
            if "html" in formats:
                (tmp / f"briefing-{lang}.html").write_text(to_html(blocks, lang), encoding="utf-8")
                written.append(f"briefing-{lang}.html")
            if "pdf" in formats:
                to_pdf(blocks, tmp / f"briefing-{lang}.pdf", lang)
                written.append(f"briefing-{lang}.pdf")
            numbers.records().to_csv(tmp / f"numbers-{lang}.csv", index=False)
            files.append(f"numbers-{lang}.csv")
        store.write_json(
            tmp / "manifest.json",
            store.manifest(
                command=command,
                kind="briefing",
                engine="sd",
                baseline=results.baseline.to_dict(),
                scenarios=[s.to_dict() for s in results.scenarios],
                samples=results.samples,
                seed=results.seed,
                languages=list(langs),
                formats=list(formats),
                files=sorted([*files, *written, "charts/", "manifest.json"]),
            ),
        )
    return folder, written
