"""Results folders of ``prevsim optimise``, ``discover`` and ``voi`` that a briefing quotes.

A folder is recognised by its ``manifest.json`` (its ``kind``, or the command line that wrote
it) and must hold the tables its section reads. The briefing copies those tables into its own
folder (``decisions/<i>-<kind>/``) and writes beside them the few facts and readers' labels
its sentences need (``facts.csv``, ``labels.csv``, ``about.csv``), so that every number in
the section is read from a file beside the briefing, as every other number of it is.
"""

from __future__ import annotations

import json
import shlex
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.model.catalogue import REGISTRY
from simulation.model.services import PROGRAMMES
from simulation.model.vocabulary import LANGS
from simulation.reports.labels import in_text, scenario_title

#: The commands whose folders a briefing quotes: manifest kind -> command name.
COMMANDS = {"optimise": "optimise", "discovery": "discover", "voi": "voi"}
#: Tables each kind's section reads (copied beside the briefing); ``abm_check.csv`` is optional.
TABLES = {
    "optimise": ("summary.csv", "allocations.csv"),
    "discovery": ("boxes.csv", "points.parquet"),
    "voi": ("evpi.csv", "evppi.csv", "options.csv"),
}
#: Copies whose first column is an unnamed index: the name it gets in the copy.
INDEX_NAMES = {"summary.csv": "allocation", "allocations.csv": "allocation"}
#: Keys of a scenario that decide its results (titles, file paths and sources do not).
SAME = ("run", "params", "levers", "allocation_rule", "schedule")


class DecisionError(ValueError):
    """A folder that is not a complete results folder of optimise, discover or voi."""


@dataclass(frozen=True)
class Decision:
    """One results folder and where its copies go in the briefing's folder."""

    source: Path
    kind: str
    manifest: dict
    index: int  # 1, 2, ... in the order given

    @property
    def prefix(self) -> str:
        """The copies' folder inside the briefing's folder."""
        return f"decisions/{self.index}-{self.kind}"

    def file(self, name: str) -> str:
        """A copied or derived file's name as the briefing's tables know it."""
        return f"{self.prefix}/{name}"

    @property
    def scenarios(self) -> list[dict]:
        """The scenarios the folder valued (voi: every option but the baseline)."""
        m = self.manifest
        return list(m["scenarios"]) if "scenarios" in m else [m["scenario"]]


def kind_of(manifest: dict) -> str | None:
    """The manifest's kind, or the kind of the command that wrote it (optimise has none)."""
    if manifest.get("kind") in COMMANDS:
        return manifest["kind"]
    try:
        words = shlex.split(str(manifest.get("command", "")))
    except ValueError:
        return None
    names = {command: kind for kind, command in COMMANDS.items()}
    return next((names[w] for w in words[1:2] if w in names), None)


def read(folder: str | Path, index: int, option: str = "--decisions") -> Decision:
    """The results folder ``folder``, checked; :class:`DecisionError` in one line if not one."""
    folder = Path(folder)
    allowed = "a results folder of prevsim optimise, discover or voi"
    where = f"prevsim brief: {option} {folder}"
    path = folder / "manifest.json"
    if not path.is_file():
        raise DecisionError(f"{where}: no manifest.json (expected {allowed})")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DecisionError(f"{where}: manifest.json is not JSON ({exc})") from None
    kind = kind_of(manifest) if isinstance(manifest, dict) else None
    if kind is None:
        raise DecisionError(f"{where}: manifest.json names no command of {allowed}")
    keys = ("scenarios" if kind == "voi" else "scenario", "baseline")
    missing = [k for k in keys if not isinstance(manifest.get(k), dict | list)]
    missing += [name for name in TABLES[kind] if not (folder / name).is_file()]
    if missing:
        raise DecisionError(
            f"{where}: a {COMMANDS[kind]} folder without {', '.join(missing)} (written by "
            "another version?)"
        )
    return Decision(folder, kind, manifest, index)


def read_all(folders: Sequence[str | Path], option: str = "--decisions") -> list[Decision]:
    """Every folder checked, in the order given."""
    return [read(f, i, option) for i, f in enumerate(folders, start=1)]


def same(a: dict, b: dict) -> bool:
    """Whether two scenarios (``Scenario.to_dict``) give the same results."""
    return all(
        json.dumps(a.get(k), sort_keys=True) == json.dumps(b.get(k), sort_keys=True) for k in SAME
    )


def about(d: Decision, baseline: dict, scenarios: Sequence[dict]) -> pd.DataFrame:
    """The folder's baseline and scenarios: titles, and whether the briefing values them."""
    rows = [("baseline", d.manifest["baseline"], same(d.manifest["baseline"], baseline))]
    rows += [("scenario", s, any(same(s, t) for t in scenarios)) for s in d.scenarios]
    return pd.DataFrame(
        [
            {
                "role": role,
                "scenario": sc["name"],
                **{f"title_{lang}": _title(sc, lang) for lang in LANGS},
                "in_briefing": found,
            }
            for role, sc, found in rows
        ]
    )


def _title(sc: dict, lang: str) -> str:
    """A scenario's display title from its manifest entry (as ``Scenario.display_title``)."""
    if lang == "lt" and sc.get("title_lt"):
        return sc["title_lt"]
    return scenario_title(sc.get("title", ""), sc["name"], lang)


def _copy(d: Decision, target: Path) -> list[str]:
    """The quoted tables copied beside the briefing (an unnamed index column gets a name)."""
    names = [n for n in (*TABLES[d.kind], "abm_check.csv") if (d.source / n).is_file()]
    written = []
    for name in names:
        if name.endswith(".parquet"):
            continue  # the draws: read for the chart and the facts, not quoted
        if name in INDEX_NAMES:
            frame = pd.read_csv(d.source / name, index_col=0)
            frame.rename_axis(INDEX_NAMES[name]).to_csv(target / name)
        else:
            shutil.copyfile(d.source / name, target / name)
        written.append(name)
    return written


def _facts(d: Decision) -> dict[str, object]:
    """Single numbers the section quotes, from the manifest and the tables."""
    m = d.manifest
    if d.kind == "optimise":
        facts: dict[str, object] = {
            "budget_million_eur": m["budget_million_eur"],
            "policy_year": m["policy_year"],
            "interval_level": 0.9,  # summary.csv's npv_p05 and npv_p95
        }
        settings = m.get("settings", {})
        if settings.get("quantile") is not None:  # a cautious aim: a low quantile of NPV
            facts["quantile"] = settings["quantile"]
        check = d.source / "abm_check.csv"
        if check.is_file():
            abm = pd.read_csv(check)["npv"]
            summary = pd.read_csv(d.source / "summary.csv", index_col=0)["npv_central"]
            facts["abm_replicates"] = len(abm)
            facts["abm_gain_mean"] = abm.mean()
            facts["abm_gain_se"] = abm.std(ddof=1) / np.sqrt(len(abm)) if len(abm) > 1 else np.nan
            facts["sd_central_gain"] = summary["optimal"] - summary["today"]
        return facts
    if d.kind == "discovery":
        npv = pd.read_parquet(d.source / "points.parquet", columns=["npv"])["npv"]
        return {
            "draws": len(npv),
            "share_paying": float((npv > 0).mean()),
            "threshold": m.get("threshold", np.nan),
            "lever_settings": m.get("lever_settings", np.nan),
        }
    # the chart's error bars: 1.96 standard errors
    return {
        "draws": m.get("samples", np.nan),
        "seed": m.get("seed", np.nan),
        "interval_level": 0.95,
    }


def _labels(d: Decision) -> pd.DataFrame:
    """Readers' names (and for discovery units and explored ranges) of what the section names."""
    if d.kind == "optimise":
        rows = [
            {"name": f"budget.{p.name}", **_both(lambda g, p=p: p.label(g))} for p in PROGRAMMES
        ]
        return pd.DataFrame(rows)
    if d.kind == "voi":
        from simulation.reports.voi import group_label

        groups = pd.read_csv(d.source / "evppi.csv")
        rows = [
            {
                "grouping": g,
                "name": n,
                **_both(lambda lang, g=g, n=n: group_label(g, n, lang)),
            }
            for g, n in zip(groups["grouping"], groups["group"], strict=True)
        ]
        return pd.DataFrame(rows)
    boxes = pd.read_csv(d.source / "boxes.csv")
    names = list(dict.fromkeys(boxes["parameter"]))
    points = pd.read_parquet(d.source / "points.parquet", columns=names) if names else None
    levers = d.manifest.get("levers", {})
    rows = []
    for name in names:
        p = REGISTRY[name]
        low, high = levers.get(name, (points[name].min(), points[name].max()))
        rows.append(
            {
                "name": name,
                **_both(p.label),
                **{f"unit_{lang}": p.unit_label(lang) for lang in LANGS},
                "unit": p.unit,
                "explored_low": low,
                "explored_high": high,
            }
        )
    columns = [
        "name",
        *(f"{k}_{lang}" for k in ("label", "label_in_text", "unit") for lang in LANGS),
    ]
    return pd.DataFrame(rows, columns=[*columns, "unit", "explored_low", "explored_high"])


def _both(label) -> dict[str, str]:
    """``label_<lang>`` as it heads a chart's row, ``label_in_text_<lang>`` inside a sentence."""
    out = {f"label_{lang}": label(lang) for lang in LANGS}
    out.update({f"label_in_text_{lang}": in_text(label(lang)) for lang in LANGS})
    return out


def write(decisions: Sequence[Decision], folder: Path, baseline: dict, scenarios: list[dict]):
    """Copy each folder's tables into ``folder`` and write its facts, labels and scenarios.

    Returns the files written, relative to ``folder``.
    """
    written = []
    for d in decisions:
        target = folder / d.prefix
        target.mkdir(parents=True)
        names = _copy(d, target)
        facts = _facts(d)
        frame = pd.DataFrame({"fact": list(facts), "value": [str(v) for v in facts.values()]})
        frame.to_csv(target / "facts.csv", index=False)
        _labels(d).to_csv(target / "labels.csv", index=False)
        about(d, baseline, scenarios).to_csv(target / "about.csv", index=False)
        names += ["facts.csv", "labels.csv", "about.csv"]
        written += [d.file(n) for n in names]
    return written
