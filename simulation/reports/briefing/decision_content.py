"""The briefing's sections on results folders of optimise, discover and voi.

One section per folder (:mod:`simulation.reports.briefing.decisions`), in the order given: a
heading, which scenarios it is about, three to five sentences and its chart. Every number is a
:class:`~simulation.reports.briefing.numbers.Num` read from the copies beside the briefing.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from simulation.reports.briefing import decision_charts as charts
from simulation.reports.briefing.decision_text import TEXT
from simulation.reports.briefing.decisions import Decision
from simulation.reports.briefing.document import Figure, Heading, Para, listing
from simulation.reports.briefing.numbers import Numbers
from simulation.reports.discovery import TEXT as DISCOVER
from simulation.reports.discovery_charts import reads_after_number, value_digits
from simulation.reports.voi import detectable

MONEY = 1e6  # EUR printed as million EUR
TOP = 3  # programmes named per allocation
VOI_GROUPS = 5  # groups with a detectable value named
#: Groupings in the order their best group is recommended (an evaluation study first).
GROUPINGS = ("programmes", "parameters", "themes")


def draw(decisions: list[Decision], folder: Path, lang: str) -> dict[str, Path]:
    """Each section's chart in ``lang`` (PNG and PDF in ``folder/charts``); the PNGs."""
    out = folder / "charts"
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for d in decisions:
        stem = out / f"{lang}-decision{d.index}-{d.kind}"
        if d.kind == "optimise":
            paths[d.prefix] = charts.allocations(d, folder, lang, stem)
        elif d.kind == "discovery" and len(pd.read_csv(folder / d.file("boxes.csv"))):
            paths[d.prefix] = charts.boxes(d, folder, lang, stem)
        elif d.kind == "discovery":  # no box: the NPV over the draws, paying or not
            paths[d.prefix] = charts.npv_histogram(d, lang, stem)
        else:
            grouping = _grouping(pd.read_csv(folder / d.file("evppi.csv")))
            paths[d.prefix] = charts.evppi(d, folder, lang, stem, grouping)
    return paths


def _grouping(evppi: pd.DataFrame) -> str:
    """The grouping a voi section and its chart show: the first of :data:`GROUPINGS` present."""
    present = set(evppi["grouping"])
    return next(g for g in GROUPINGS if g in present)


def _fact(n: Numbers, d: Decision, name: str, scale: float = 1.0, decimals: int = 0):
    return n.num(d.file("facts.csv"), {"fact": name}, "value", scale, decimals)


def _title(n: Numbers, d: Decision, role: str, name: str | None = None):
    row = {"role": role} if name is None else {"role": role, "scenario": name}
    return n.ref(d.file("about.csv"), row, f"title_{n.lang}")


def _about(n: Numbers, d: Decision, t: dict) -> Para:
    about = n.tables[d.file("about.csv")]
    names = about.loc[about["role"] == "scenario", "scenario"]
    quote = t["quote"].format("{title}")
    quoted = [Para(quote, {"title": _title(n, d, "scenario", s)}) for s in names]
    same = bool(about["in_briefing"].astype(str).eq("True").all())
    fields = {"scenarios": listing(quoted, t), "baseline": _title(n, d, "baseline")}
    return Para(t["about_same" if same else "about_other"], fields)


def _optimise(n: Numbers, d: Decision, t: dict) -> list[Para]:
    src = d.file("summary.csv")

    def money(row: str, column: str):
        return n.num(src, {"allocation": row}, column, MONEY, 1)

    def pct(row: str):
        return n.num(src, {"allocation": row}, "chance_npv_positive", 0.01, 0)

    lead = {
        "year": _fact(n, d, "policy_year"),
        "budget": _fact(n, d, "budget_million_eur", 1.0, 2),
        "npv": money("optimal", "npv_mean"),
        "level": _fact(n, d, "interval_level", 0.01),
        "lo": money("optimal", "npv_p05"),
        "hi": money("optimal", "npv_p95"),
        "today": money("today", "npv_mean"),
        "uniform": money("uniform", "npv_mean"),
    }
    gain = {
        "gain": money("optimal", "gain_over_today"),
        "gain_se": money("optimal", "gain_over_today_se"),
        "gain_u": money("optimal", "gain_over_uniform"),
        "gain_u_se": money("optimal", "gain_over_uniform_se"),
        "chance": pct("optimal"),
        "chance_today": pct("today"),
    }
    paras = [Para(t["opt_lead"], lead), Para(t["opt_gain"], gain)]
    tops = {
        key: _top_programmes(n, d, name, t)
        for key, name in (("top", "optimal"), ("today_top", "today"))
    }
    paras.append(Para(t["opt_money"], tops))
    paras.append(_abm(n, d, t))
    paras += _aim(n, d, t)
    paras.append(Para(t["opt_caveat"]))
    return paras


def _aim(n: Numbers, d: Decision, t: dict) -> list[Para]:
    """What the search maximised and how unspent money counts, when not the defaults."""
    settings = d.manifest.get("settings", {})
    aims = []
    if settings.get("objective", "npv") != "npv":
        key = "opt_aim_placements" if settings["objective"] == "placements" else "opt_aim_pareto"
        aims.append(Para(t[key]))
    if "quantile" in set(n.tables[d.file("facts.csv")]["fact"]):
        aims.append(Para(t["opt_aim_quantile"], {"q": _fact(n, d, "quantile", 0.01)}))
    if settings.get("paid"):
        aims.append(Para(t["opt_paid"]))
    return aims


def _top_programmes(n: Numbers, d: Decision, name: str, t: dict) -> Para:
    """The programmes an allocation gives the most money, with their budgets."""
    src = d.file("allocations.csv")
    row = n.tables[src].set_index("allocation").loc[name]
    budgets = row[[c for c in row.index if c.startswith("budget.")]].astype(float)
    items = []
    for column in budgets[budgets > 0].sort_values(ascending=False).index[:TOP]:
        label = n.ref(d.file("labels.csv"), {"name": column}, f"label_in_text_{n.lang}")
        value = n.num(src, {"allocation": name}, column, 1.0, 1)
        items.append(Para(t["item"], {"name": label, "value": value}))
    return listing(items, t)


def _abm(n: Numbers, d: Decision, t: dict) -> Para:
    facts = n.tables[d.file("facts.csv")].set_index("fact")["value"]
    if "abm_replicates" not in facts.index:
        return Para(t["opt_no_abm"])
    fields = {
        "replicates": _fact(n, d, "abm_replicates"),
        "abm": _fact(n, d, "abm_gain_mean", MONEY, 1),
        "sd": _fact(n, d, "sd_central_gain", MONEY, 1),
    }
    if math.isnan(float(facts["abm_gain_se"])):
        del fields["replicates"]
        return Para(t["opt_abm_one"], fields)
    return Para(t["opt_abm"], {**fields, "abm_se": _fact(n, d, "abm_gain_se", MONEY, 1)})


def _value(n: Numbers, d: Decision, box: int, name: str, column: str, t: dict) -> Para:
    """A box's limit with its unit, as the registry's unit reads (see ``value_text``)."""
    src = d.file("boxes.csv")
    labels = n.tables[d.file("labels.csv")].set_index("name")
    unit = str(labels.loc[name, "unit"])
    value = float(n.tables[src].set_index(["box", "parameter"]).loc[(box, name), column])
    row = {"box": box, "parameter": name}
    if unit == "million EUR/yr":
        return Para(t["per_year"].format("{v}"), {"v": n.num(src, row, column, 1.0, 1)})
    if unit.startswith("share"):
        return Para(t["percent"].format("{v}"), {"v": n.num(src, row, column, 0.01, 0)})
    v = n.num(src, row, column, 1.0, value_digits(value))
    if not reads_after_number(unit):
        return Para("{v}", {"v": v})  # the unit is a noun: named once after the condition
    unit_label = n.ref(d.file("labels.csv"), {"name": name}, f"unit_{n.lang}")
    return Para("{v} {u}", {"v": v, "u": unit_label}) if unit_label.text else Para("{v}", {"v": v})


def _box(n: Numbers, d: Decision, box: int, t: dict) -> list[Para]:
    src = d.file("boxes.csv")
    rows = n.tables[src][n.tables[src]["box"] == box]
    parts = []
    for r in rows.itertuples():
        label = n.ref(d.file("labels.csv"), {"name": r.parameter}, f"label_in_text_{n.lang}")
        lo = None if pd.isna(r.low) else _value(n, d, box, r.parameter, "low", t)
        hi = None if pd.isna(r.high) else _value(n, d, box, r.parameter, "high", t)
        key = "at_most" if lo is None else "at_least" if hi is None else "between"
        part = Para(DISCOVER[n.lang][key], {"label": label, "low": lo, "high": hi})
        unit = str(n.tables[d.file("labels.csv")].set_index("name").loc[r.parameter, "unit"])
        unit_label = n.ref(d.file("labels.csv"), {"name": r.parameter}, f"unit_{n.lang}")
        if not reads_after_number(unit) and unit_label.text:
            part = Para("{c} ({u})", {"c": part, "u": unit_label})
        parts.append(part)
    first = {"box": box, "parameter": rows["parameter"].iloc[0]}
    stats = {k: n.num(src, first, k, 0.01, 0) for k in ("coverage", "density", "mass")}
    threshold = float(n.tables[d.file("facts.csv")].set_index("fact").loc["threshold", "value"])
    meets = float(rows["density"].iloc[0]) >= threshold
    fields = {"conditions": Para("{c}", {"c": join_and(parts, t)}), **stats}
    if not meets:
        fields["threshold"] = _fact(n, d, "threshold", 0.01)
    sentence = Para(t["box_pays" if meets else "box_most"], fields)
    if rows["recurs"].notna().all():
        shares = [
            Para(
                t["recur_item"],
                {
                    "name": n.ref(
                        d.file("labels.csv"), {"name": r.parameter}, f"label_in_text_{n.lang}"
                    ),
                    "value": n.num(src, {"box": box, "parameter": r.parameter}, "recurs", 0.01),
                },
            )
            for r in rows.itertuples()
        ]
        recurs = Para(t["recurs"], {"shares": listing(shares, t)})
        return [Para("{s} {r}", {"s": sentence, "r": recurs})]
    return [sentence]


def join_and(parts: list[Para], t: dict) -> Para:
    """``a and b and c``: conditions that hold together."""
    template = t["and"].join(f"{{p{i}}}" for i in range(len(parts)))
    return Para(template, {f"p{i}": p for i, p in enumerate(parts)})


def _discovery(n: Numbers, d: Decision, t: dict) -> list[Para]:
    lead = {
        "draws": _fact(n, d, "draws"),
        "title": _title(n, d, "scenario"),
        "baseline": _title(n, d, "baseline"),
        "share": _fact(n, d, "share_paying", 0.01),
    }
    paras = [Para(t["disc_lead"], lead)]
    boxes = n.tables[d.file("boxes.csv")]
    for box in dict.fromkeys(boxes["box"]):
        paras += _box(n, d, int(box), t)
    if boxes.empty:
        facts = n.tables[d.file("facts.csv")].set_index("fact")["value"].astype(float)
        key = "everywhere" if facts["share_paying"] >= facts["threshold"] else "none"
        paras.append(Para(t[key], {"threshold": _fact(n, d, "threshold", 0.01)}))
    paras.append(Para(t["disc_method"]))
    return paras


def _voi(n: Numbers, d: Decision, t: dict) -> list[Para]:
    options = n.tables[d.file("options.csv")]
    chosen = options.loc[options["mean_net_benefit"].idxmax(), "option"]
    about = n.tables[d.file("about.csv")]
    quote = t["quote"].format("{title}")

    def title(option: str):
        role = (
            "baseline"
            if option == about.loc[about["role"] == "baseline", "scenario"].iloc[0]
            else "scenario"
        )
        return _title(n, d, role, option)

    listed = listing([Para(quote, {"title": title(o)}) for o in options["option"]], t)
    row = {"option": chosen}
    lead = {
        "options": listed,
        "draws": _fact(n, d, "draws"),
        "chosen": title(chosen),
        "mean": n.num(d.file("options.csv"), row, "mean_net_benefit", MONEY, 1),
        "chance": n.num(d.file("options.csv"), row, "chance_best", 0.01),
    }
    evpi = {
        "evpi": n.num(d.file("evpi.csv"), {}, "evpi", MONEY, 2),
        "se": n.num(d.file("evpi.csv"), {}, "standard_error", MONEY, 2),
    }
    paras = [Para(t["voi_lead"], lead), Para(t["voi_evpi"], evpi)]
    paras += _voi_groups(n, d, t)
    return paras


def _voi_groups(n: Numbers, d: Decision, t: dict) -> list[Para]:
    """The groups of the first grouping present: values, and the study worth most."""
    src = d.file("evppi.csv")
    evpi = float(n.tables[d.file("evpi.csv")]["evpi"].iloc[0])
    grouping = _grouping(n.tables[src])
    table = n.tables[src][n.tables[src]["grouping"] == grouping].sort_values(
        "evppi", ascending=False
    )

    def label(group: str):
        row = {"grouping": grouping, "name": group}
        return n.ref(d.file("labels.csv"), row, f"label_in_text_{n.lang}")

    valued = [r for r in table.itertuples() if detectable(r, evpi)]
    paras = []
    if valued:
        items = []
        for r in valued[:VOI_GROUPS]:
            row = {"grouping": grouping, "group": r.group}
            value = n.num(src, row, "evppi", MONEY, 2)
            se = n.num(src, row, "standard_error", MONEY, 2)
            items.append(Para(t["voi_item"], {"name": label(r.group), "value": value, "se": se}))
        fields = {"grouping": t["grouping"][grouping], "items": listing(items, t)}
        paras.append(Para(t["voi_groups"], fields))
    rest = [r for r in table.itertuples() if r.estimable and not detectable(r, evpi)]
    if rest:
        names = listing([label(r.group) for r in rest], t)
        paras.append(Para(t["voi_undetectable"], {"names": names}))
    left_out = [r for r in table.itertuples() if not r.estimable]
    if left_out:
        names = listing([label(r.group) for r in left_out], t)
        paras.append(Para(t["voi_not_estimable"], {"names": names}))
    if valued:
        best = {"grouping": grouping, "group": valued[0].group}
        fields = {
            "group": label(valued[0].group),
            "value": n.num(src, best, "evppi", MONEY, 2),
            "share": n.num(src, best, "share_of_evpi", 0.01),
        }
        paras.append(Para(t["voi_best"], fields))
    else:
        paras.append(Para(t["voi_none"]))
    return paras


def _caption(n: Numbers, d: Decision, t: dict) -> Para:
    if d.kind == "optimise":
        fields = {
            "budget": _fact(n, d, "budget_million_eur", 1.0, 2),
            "year": _fact(n, d, "policy_year"),
        }
        return Para(t["fig_allocations"], fields)
    if d.kind == "discovery":
        fields = {"title": _title(n, d, "scenario"), "draws": _fact(n, d, "draws")}
        if n.tables[d.file("boxes.csv")].empty:
            return Para(t["fig_npv"], {**fields, "share": _fact(n, d, "share_paying", 0.01)})
        return Para(t["fig_boxes"], fields)
    grouping = _grouping(n.tables[d.file("evppi.csv")])
    fields = {
        "grouping": t["grouping"][grouping],
        "level": _fact(n, d, "interval_level", 0.01),
        "draws": _fact(n, d, "draws"),
    }
    return Para(t["fig_voi"], fields)


#: Each kind's sentences.
SENTENCES = {"optimise": _optimise, "discovery": _discovery, "voi": _voi}


def sections(decisions: list[Decision], charts_: dict[str, Path], n: Numbers, main: dict):
    """One section per folder: heading, what it is about, sentences, chart with caption.

    ``main`` is the briefing's words in the same language (quotation marks, "and").
    """
    t = {**main, **TEXT[n.lang]}
    blocks: list[object] = []
    for d in decisions:
        blocks.append(Heading(t[d.kind]))
        about, *paras = [_about(n, d, t), *SENTENCES[d.kind](n, d, t)]
        if "history matching" not in str(d.manifest.get("draws", "")):
            about = Para("{a} {r}", {"a": about, "r": Para(t["draws_ranges"])})
        about.style = paras[0].style = "intro"  # the heading never ends a page alone
        blocks += [about, *paras]
        blocks.append(Figure(charts_[d.prefix], _caption(n, d, t)))
    return blocks
