"""Text and files of ``prevsim lifecourse``: the value of one avoided exposure, and its outcomes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd

from simulation.model.prices import PRICE_YEAR
from simulation.workflow import store

WIDTH = 100


def _eur(value: float) -> str:
    return f"{value:,.0f}"


def exposure_lines(table: pd.DataFrame, rate: float, samples: int, varied: int) -> list[str]:
    """The value of one avoided unit of each exposure, central and 90% range, by payer."""
    lines = [
        f"Lifetime value of one avoided exposure: EUR at {PRICE_YEAR} prices, each adult year "
        f"(18-64) discounted at {rate:.1%} to the exposure.",
        f"Central: the registry's values; 90% range: {samples:,} draws of the {varied} uncertain "
        "life-course parameters over their plausible ranges.",
        "",
    ]
    head = (
        "exposure",
        "age",
        "central",
        "90% range",
        "children",
        "taxpayers",
        "others",
        "indirect",
    )
    rows = [
        (
            r.unit,
            f"{r.age:.1f}",
            _eur(r.central),
            f"{_eur(r.p05)} - {_eur(r.p95)}",
            _eur(r.participants),
            _eur(r.taxpayers),
            _eur(r.others),
            _eur(r.indirect),
        )
        for r in table.itertuples()
    ]
    lines += _columns([head, *rows])
    lines.append("children: the children themselves as adults (WSIPP's 'participants').")
    return lines


def outcome_lines(table: pd.DataFrame, causal_share: float, linked: pd.DataFrame) -> list[str]:
    """Each adult outcome's base rate, relative risks by level and unit value, with sources."""
    lines = [
        "",
        "Adult outcomes (ages 18-64): base rate, relative risk by childhood level, unit value",
        "",
    ]
    head = (
        "outcome",
        "base rate",
        "difficulty*",
        "maltreatment",
        "care",
        "institution",
        "unit value",
    )
    rows = []
    for r in table.itertuples():
        rows.append(
            (
                r.outcome,
                f"{r.base:g} {r.base_unit}",
                *(
                    "-" if pd.isna(v) else f"{v:g}"
                    for v in (r.risk, r.maltreatment, r.care, r.institution)
                ),
                f"{r.unit_value:,.0f} {r.unit_value_unit}",
            )
        )
    lines += _columns([head, *rows])
    lines += [
        f"* a family in difficulty: the background estimate, of which the causal share "
        f"({causal_share:g}) counts. Earnings are ratios (below 1 is a loss), the rest relative "
        "risks; care estimates include the maltreatment behind placements; social assistance's "
        "care estimate is crude (attenuated in the model).",
        "",
        "Sources:",
    ]
    parts = dict.fromkeys(part for r in table.itertuples() for part in r.sources.split(" | "))
    for part in parts:
        lines += textwrap.wrap(part, WIDTH, initial_indent="  ", subsequent_indent="    ")
    lines += ["", "Linked outcomes, valued through earnings (not added again):"]
    for r in linked.itertuples():
        lines += textwrap.wrap(
            f"{r.outcome}, {r.group}: {r.value:g} {r.unit} ({r.source})",
            WIDTH,
            initial_indent="  ",
            subsequent_indent="    ",
        )
    return lines


def _columns(rows: list[tuple]) -> list[str]:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]


def write_tables(
    exposures: pd.DataFrame, outcomes: pd.DataFrame, root: Path, command: str, **fields
) -> Path:
    """``exposures.csv``, ``outcomes.csv`` and a manifest in a new results folder."""
    folder = store.run_folder(root, "lifecourse", "unit-values", "defaults")
    with store.atomic_folder(folder) as tmp:
        exposures.to_csv(tmp / "exposures.csv", index=False)
        outcomes.to_csv(tmp / "outcomes.csv", index=False)
        store.write_manifest(
            tmp, ["exposures.csv", "outcomes.csv"], command=command, kind="lifecourse", **fields
        )
    return folder
