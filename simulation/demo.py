"""The main job of ``make demo``: run two scenarios, compare them, chart them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from simulation import store
from simulation.runner import RunOutput, run_scenario, write_run
from simulation.scenario import Scenario

#: Series drawn in the comparison chart, with Lithuanian and English titles.
COMPARED = {
    "children.in_care": {"lt": "Vaikai globoje", "en": "Children in care"},
    "children.institutional_care": {
        "lt": "Vaikai institucinėje globoje",
        "en": "Children in institutional care",
    },
    "risk": {"lt": "Sunkumų patiriančios šeimos", "en": "Families in difficulty (risk)"},
    "early_support": {
        "lt": "Šeimos, gaunančios ankstyvąją pagalbą",
        "en": "Families in early support",
    },
}


def comparison_table(outputs: Sequence[RunOutput]) -> pd.DataFrame:
    """Summary metrics side by side, and each scenario's difference from the first.

    Columns: ``metric``, ``unit``, one per scenario, ``<name> - <first>`` per other scenario.
    """
    first = outputs[0]
    table = first.summary[["metric", "unit"]].copy()
    for out in outputs:
        table[out.scenario.name] = out.summary["value"].to_numpy()
    for out in outputs[1:]:
        table[f"{out.scenario.name} - {first.scenario.name}"] = (
            table[out.scenario.name] - table[first.scenario.name]
        )
    return table


def run_demo(
    scenarios: Sequence[Scenario],
    root: Path,
    csv: bool = False,
    lang: str = "lt",
    echo: Callable[[str], None] = lambda _: None,
    command: str | None = None,
    progress: bool = False,
) -> dict[str, Path]:
    """Run each scenario, write its folder, then write a comparison folder.

    Returns
    -------
    dict of str to Path
        Folder or file per label, for the user.
    """
    from simulation import charts

    outputs, written = [], {}
    for sc in scenarios:
        echo(f"Running {sc.name} ({sc.run.engine}, {sc.run.resolution}, 2009-{sc.run.end_year})")
        out = run_scenario(sc, progress=progress)
        written[sc.name] = write_run(out, root, csv=csv, lang=lang, command=command)
        outputs.append(out)
    table = comparison_table(outputs)
    digest = hashlib.sha256("".join(sc.digest() for sc in scenarios).encode()).hexdigest()[:10]
    name = "-vs-".join(sc.name for sc in reversed(scenarios))
    folder = store.run_folder(root, "comparisons", name, digest)
    with store.atomic_folder(folder) as tmp:
        table.to_csv(tmp / "comparison.csv", index=False)
        files = ["comparison.csv"]
        frames = {out.scenario.name: out.national for out in outputs}
        files += charts.compare_scenarios(frames, COMPARED, tmp / "comparison", lang=lang)
        store.write_json(
            tmp / "manifest.json",
            store.manifest(
                command=command,
                kind="comparison",
                runs={k: str(v) for k, v in written.items()},
                scenarios=[sc.to_dict() for sc in scenarios],
                files=sorted([*files, "manifest.json"]),
            ),
        )
    written["comparison"] = folder
    _echo_comparison(table, outputs, echo)
    return written


def _echo_comparison(table: pd.DataFrame, outputs: Sequence[RunOutput], echo) -> None:
    keys = ["children.placed", "child_years.in_care", "family_years.risk", "cost.total"]
    rows = table.set_index("metric").loc[keys]
    echo("")
    names = [o.scenario.name for o in outputs]
    echo(f"{'outcome, 2009-2040':<34}" + "".join(f"{n:>22}" for n in names) + f"{'difference':>16}")
    for metric, row in rows.iterrows():
        values = [row[n] for n in names]
        scale, unit = (1e6, " M EUR") if row["unit"] == "EUR" else (1, "")
        cells = "".join(f"{v / scale:>22,.1f}" for v in values)
        diff = (values[-1] - values[0]) / scale
        echo(f"{metric + unit:<34}{cells}{diff:>+16,.1f}")
