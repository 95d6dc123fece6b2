"""What a briefing says: its blocks, in reading order, built from the results tables."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from simulation.analysis import briefing_numbers as br
from simulation.model.catalogue import REGISTRY
from simulation.model.countries import DEFAULT_COUNTRY, display_name
from simulation.model.municipality_names import official_name
from simulation.reports.briefing import decision_content
from simulation.reports.briefing.decisions import Decision
from simulation.reports.briefing.document import (
    Bullets,
    Figure,
    Heading,
    Para,
    Table,
    listing,
)
from simulation.reports.briefing.document import join as join_parts
from simulation.reports.briefing.numbers import Numbers
from simulation.reports.briefing.text import TEXT

TOP_DRIVERS = 8  # parameters in the assumptions table
NAMED_DRIVERS = 3  # parameters named in the text
NAMED_MUNICIPALITIES = 3
#: Fewest plausible draws a briefing's intervals and chances may rest on without a warning
#: in words. Why 200: the Monte Carlo standard error of a chance near one half is then
#: sqrt(0.25 / 200) = 3.5 percentage points, and a 5th or 95th percentile has 10 draws
#: beyond it. With fewer, the briefing is still written (tests and classroom runs are small)
#: but says on its first page that its figures are rough; it does not refuse.
MIN_DRAWS = 200


@dataclass
class Context:
    """What :func:`build` needs besides the numbers."""

    results: br.BriefResults
    charts: dict[str, Path]
    lang: str
    decisions: Sequence[Decision] = ()  # results folders of optimise, discover, voi

    @property
    def t(self) -> dict:
        """The briefing's words in the context's language."""
        return TEXT[self.lang]

    def title(self, name: str) -> str:
        """The display title of the baseline or scenario ``name`` in the context's language."""
        sc = next(s for s in [self.results.baseline, *self.results.scenarios] if s.name == name)
        return sc.display_title(self.lang)

    @property
    def country(self) -> dict[str, str]:
        """The baseline's country as the templates' ``{country}`` and ``{country_gen}``."""
        code = self.results.baseline.run.country
        genitive = "lt_genitive" if self.lang == "lt" else self.lang
        return {
            "country": display_name(code, self.lang),
            "country_gen": display_name(code, genitive),
        }

    @property
    def municipal(self) -> bool:
        """Whether the units are Lithuania's municipalities (another country's are regions)."""
        return self.results.baseline.run.country == DEFAULT_COUNTRY


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
        # the draws it rests on are in the column's header
        error = Para(
            t["chance_error"].format("{e}"), {"e": n.key(name, measure, "mc_error", 0.01, 1)}
        )
        return Para(t["percent"].format("{c}"), {"c": central}), error
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
    spread = Para(
        t["median_range"].format("{m}", "{lo}", "{hi}"),
        {
            "m": n.key(name, measure, "median", scale, decimals),
            "lo": n.key(name, measure, "p05", scale, decimals),
            "hi": n.key(name, measure, "p95", scale, decimals),
        },
    )
    return Para(unit.format("{c}"), {"c": central}), Para(unit.format("{r}"), {"r": spread})


def _key_table(ctx: Context, n: Numbers) -> Table:
    t = ctx.t
    names = [s.name for s in ctx.results.scenarios]
    measures = [m for m, _ in br.MEASURES] + ["chance_benefits_exceed_costs"]
    level = {"level": n.fact("interval_level", 0.01), "plausible": n.fact("plausible_samples")}
    header = [Para(t["table_measure"], style="head")]
    for name in names:
        # a title is a field, not part of the template: its braces are text
        title = Para(t["table_central"], {"title": ctx.title(name)}, style="head")
        header.append(title)
        header.append(Para(t["table_interval"], level, style="head"))
    rows = []
    for measure in measures:
        row = [Para(t["measures"][measure])]
        for name in names:
            row.extend(_key_cells(ctx, n, name, measure))
        rows.append(row)
    first = 0.34 if len(names) == 1 else 0.2
    rest = (1.0 - first) / (2 * len(names))
    return Table(header, rows, [first] + [rest] * (2 * len(names)))


def _lead(ctx: Context, n: Numbers, name: str) -> list[Para]:
    t, kn = ctx.t, ctx.results.key_numbers
    years = {"base": n.fact("base_year"), "end": n.fact("end_year")}
    level = n.fact("interval_level", 0.01)
    stats = {"": "central", "_med": "median", "_lo": "p05", "_hi": "p95"}
    counts = {"placed": "children_placed_avoided", "years": "child_years_in_care_avoided"}
    fields = {
        f"{key}{suffix}": n.key(name, measure, stat)
        for key, measure in counts.items()
        for suffix, stat in stats.items()
    }
    outcomes = Para(
        t["lead_outcomes"], {"title": ctx.title(name), "level": level, **years, **fields}
    )
    chance = "chance_benefits_exceed_costs"
    value = Para(
        t["lead_value"],
        {
            **{f"npv{suffix}": n.key(name, "npv", stat, 1e6, 1) for suffix, stat in stats.items()},
            "level": level,
            "bcr": n.key(name, "bcr", "central", 1.0, 2),
            "chance": n.key(name, chance, "central", 0.01),
            "runs": n.key(name, chance, "runs"),
            "error": n.key(name, chance, "mc_error", 0.01, 1),
        },
    )
    row = kn[(kn["scenario"] == name) & (kn["measure"] == "break_even_year")].iloc[0]
    if math.isnan(row["central"]):
        breaks = Para(t["lead_never"], {"end": n.fact("end_year")})
    else:
        breaks = Para(t["lead_breaks_even"], {"year": n.key(name, "break_even_year", "central")})
    p = ctx.results.number(name, chance)
    verdict = "verdict_pays" if p >= 0.8 else "verdict_not" if p <= 0.2 else "verdict_uncertain"
    lead = [outcomes, Para("{v} {b} {w}", {"v": value, "b": breaks, "w": Para(t[verdict])})]
    if p in (0.0, 1.0):  # a standard error of 0 would overstate what so many runs show
        fields = {
            "runs": n.key(name, chance, "runs"),
            "bound": n.key(name, chance, "bound_95", 0.01, 1),
            "level": n.fact("rule_of_three_confidence", 0.01),
        }
        lead.append(Para(t["chance_none" if p == 0 else "chance_all"], fields))
    return lead


def _few_draws(ctx: Context, n: Numbers) -> list[Para]:
    """A warning in words when the Monte Carlo rests on fewer than the minimum draws."""
    if ctx.results.plausible >= MIN_DRAWS:
        return []
    fields = {"plausible": n.fact("plausible_samples"), "minimum": n.fact("minimum_draws")}
    return [Para(ctx.t["few_draws"], fields, style="warning")]


def _facts_para(n: Numbers, template: str, names: Sequence[str], **extra) -> Para:
    scales = {
        "rate": (0.01, 1),
        "life_rate": (0.01, 1),
        "level": (0.01, 0),
        "confidence": (0.01, 0),
        "discrepancy": (0.01, 0),
    }
    keys = {
        "price": "price_year",
        "rate": "discount_rate",
        "life_rate": "lifecourse_discount_rate",
        "adult_end": "last_adult_year_of_age",
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
            official = official_name(municipality, ctx.lang)
            parts.append(Para(t["municipal_item"], {"name": official, "value": value}))
        return listing(parts, t)

    named = min(NAMED_MUNICIPALITIES, len(ranked) // 2)  # five regions: two and two
    top = items(ranked.head(named))
    bottom = items(ranked.tail(named).iloc[::-1])
    template = t["municipal_text" if ctx.municipal else "regional_text"]
    return Para(template, {"title": ctx.title(name), "top": top, "bottom": bottom})


def leaders_separated(sens: pd.DataFrame) -> bool:
    """Whether the first index's confidence interval lies above the second's.

    ``sens`` is one scenario's indices (``S1``, ``S1_conf`` the interval's half-width), largest
    first. A ranking whose leaders' intervals overlap could come out otherwise with other
    draws, so the briefing does not name it as the answer.
    """
    if len(sens) < 2:
        return len(sens) == 1
    first, second = sens.iloc[0], sens.iloc[1]
    return bool(first["S1"] - first["S1_conf"] > second["S1"] + second["S1_conf"])


def _drivers(ctx: Context, n: Numbers, name: str) -> Para:
    t = ctx.t
    sens = ctx.results.sensitivity
    ranked = sens[sens["scenario"] == name]
    top = ranked.head(NAMED_DRIVERS)
    parts = []
    for parameter in top["parameter"]:
        value = n.num("sensitivity.csv", {"scenario": name, "parameter": parameter}, "S1", 1, 2)
        label = n.ref("parameters.csv", {"parameter": parameter}, f"label_in_text_{ctx.lang}")
        parts.append(Para(t["driver_item"], {"name": label, "value": value}))
    if not leaders_separated(ranked):
        return Para(
            t["drivers_overlap"],
            {"top": listing(parts, t), "plausible": n.fact("plausible_samples")},
        )
    return Para(t["drivers_text"], {"top": listing(parts, t)})


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
        lang = ctx.lang
        rows.append(
            [
                Para("{l}", {"l": n.ref("parameters.csv", row, f"label_{lang}")}, style="small"),
                Para("{v}", {"v": value}, style="small"),
                Para(t["range"].format("{lo}", "{hi}"), {"lo": low, "hi": high}, style="small"),
                Para("{u}", {"u": n.ref("parameters.csv", row, f"unit_{lang}")}, style="small"),
                Para("{s}", {"s": n.ref("parameters.csv", row, f"source_{lang}")}, style="small"),
            ]
        )
    return Table(header, rows, [0.29, 0.12, 0.15, 0.12, 0.32])


def _digits(value: float) -> int:
    """Decimals that show a parameter's default to three significant figures (at most 3)."""
    if value == 0 or abs(value) >= 100:
        return 0
    return int(min(3, max(0, 2 - math.floor(math.log10(abs(value))))))


def _front(ctx: Context, n: Numbers) -> list[object]:
    """Title, subtitle and the key numbers: lead paragraphs, table and its note."""
    t, res = ctx.t, ctx.results
    titles = listing([t["quote"].format(ctx.title(s.name)) for s in res.scenarios], t)
    subtitle = {
        "scenarios": titles,
        "baseline": ctx.title(res.baseline.name),
        "start": n.fact("start_year"),
        "end": n.fact("end_year"),
        "version": n.ref("facts.csv", {"fact": "prevsim_version"}, "value"),
    }
    blocks: list[object] = [
        Heading(t["title"], 0),
        Para(t["subtitle"], subtitle, style="subtitle"),
        Heading(t["key_numbers"]),
    ]
    blocks += _few_draws(ctx, n)
    for sc in res.scenarios:
        blocks += _lead(ctx, n, sc.name)
    blocks.append(_key_table(ctx, n))
    facts = ["price", "rate", "base", "level", "plausible", "samples", "varied"]
    blocks.append(_facts_para(n, t["key_note"], facts))
    return blocks


def _shows(ctx: Context, n: Numbers) -> list[object]:
    """What the model shows: trajectories, NPV over time, placements and costs."""
    t = ctx.t
    figures = [
        ("trajectories", t["fig_trajectories"], ["start", "end", "level", "plausible"]),
        ("npv", t["fig_npv"], ["base", "level", "plausible"]),
        ("by_outcome", t["fig_by_outcome"], ["base", "end", "adult_end", "life_rate", "rate"]),
        ("placements", t["fig_placements"], ["level", "plausible"]),
        ("costs", t["fig_costs"], ["price"]),
    ]
    blocks: list[object] = [Heading(t["shows"])]
    for key, caption, facts in figures:
        blocks.append(Figure(ctx.charts[key], _facts_para(n, caption, facts)))
    return blocks


def _drivers_section(ctx: Context, n: Numbers) -> list[object]:
    """What drives the value: the ranking in words and the sensitivity chart."""
    t, first = ctx.t, ctx.results.scenarios[0].name
    title = ctx.title(first)
    sensitivity = ["confidence", "plausible"]
    return [
        Heading(t["drivers"]),
        _drivers(ctx, n, first),
        Figure(
            ctx.charts["sensitivity"],
            _facts_para(n, t["fig_sensitivity"], sensitivity, title=title),
        ),
    ]


def _municipalities_section(ctx: Context, n: Numbers) -> list[object]:
    """The municipal ranking beside its map (a page of its own: 60 names)."""
    t, first = ctx.t, ctx.results.scenarios[0].name
    title = ctx.title(first)
    caption = t["fig_municipal" if ctx.municipal else "fig_regional"]
    return [
        Heading(t["municipalities" if ctx.municipal else "regions"]),
        _municipal_para(ctx, n, first),
        Figure(ctx.charts["municipalities"], _facts_para(n, caption, ["end"], title=title)),
    ]


def _assumptions(ctx: Context, n: Numbers) -> list[object]:
    """Money, accounts, fixed parameters, each scenario's description, the parameter table."""
    t, res = ctx.t, ctx.results
    names = set().union(*(s.params for s in [res.baseline, *res.scenarios]))
    column = f"label_in_text_{ctx.lang}"
    ordered = sorted(names, key=lambda p: REGISTRY[p].label(ctx.lang).lower())
    fixed = listing([n.ref("parameters.csv", {"parameter": p}, column) for p in ordered], t)
    items = [
        _facts_para(n, t["assume_money"], ["price", "rate", "base", "start", "end"]),
        Para(t["assume_accounts"], ctx.country),
        Para(t["assume_fixed"], {"names": fixed}),
    ]
    for sc in res.scenarios:
        if sc.description:
            row = {"scenario": sc.name}
            description = n.ref("scenarios.csv", row, f"description_{ctx.lang}")
            fields = {"title": ctx.title(sc.name), "description": description}
            items.append(Para(t["assume_scenario"], fields))
    return [
        Heading(t["assumptions"]),
        Bullets(items),
        Para(t["params_intro"]),
        _parameter_table(ctx, n, res.scenarios[0].name),
    ]


def _sources(ctx: Context, n: Numbers) -> list[object]:
    """Data sources (one item per series and source) and the method note."""
    t = ctx.t
    lang = ctx.lang
    items = []
    table = n.tables["data_sources.csv"]
    for series, group in table.groupby("series", sort=False):
        refs = [
            n.ref("data_sources.csv", {"series": series, "source": source}, f"source_{lang}")
            for source in group["source"]
        ]
        first = {"series": series, "source": group["source"].iloc[0]}
        label = n.ref("data_sources.csv", first, f"series_{lang}")
        items.append(Para(t["source_item"], {"series": label, "source": join_parts(refs, "; ")}))
    return [
        Heading(t["sources"]),
        Para(t["sources_intro"]),
        Bullets([*items, Para(t["sources_params"])]),
        Heading(t["method"]),
        _facts_para(n, t["method_text"], ["samples", "cutoff", "discrepancy"], **ctx.country),
    ]


def _decisions(ctx: Context, n: Numbers) -> list[object]:
    """A section for each results folder of optimise, discover or voi (none without)."""
    return decision_content.sections(list(ctx.decisions), ctx.charts, n, ctx.t)


#: The sections of a briefing, in reading order.
#: The parameter table (in the assumptions) follows the drivers it details; the municipal
#: ranking, a page of its own, comes after them so that no page is left half empty.
SECTIONS = (
    _front,
    _shows,
    _drivers_section,
    _decisions,
    _assumptions,
    _municipalities_section,
    _sources,
)


def build(ctx: Context, n: Numbers) -> list[object]:
    """The briefing as blocks, in reading order."""
    return [block for section in SECTIONS for block in section(ctx, n)]
