"""The lifetime value of one avoided exposure, with its uncertainty, and the outcome table.

What ``prevsim lifecourse`` prints: for each exposure the engines count, the lifetime cost of
one unit (central: the registry defaults; 90% range: a Latin hypercube over the plausible
ranges of every uncertain life-course parameter), and for each adult outcome its base rate,
relative risks, unit value and sources.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

import numpy as np
import pandas as pd

from simulation.model import lifecourse as lc
from simulation.model.catalogue import REGISTRY

#: What each adult outcome rests on: (base rate, unit value, relative risk per level).
OUTCOME_PARAMETERS: dict[str, dict[str, str | None]] = {
    "earnings": {
        "base": "lifecourse.employment_rate",
        "unit_value": "lifecourse.gross_earnings",
        "risk": "lifecourse.earnings_ratio.background",
        "maltreatment": "lifecourse.earnings_ratio.maltreatment",
        "care": "lifecourse.earnings_ratio.care",
        "institution": None,
    },
    "early_death": {
        "base": "lifecourse.mortality",
        "unit_value": "lifecourse.gross_earnings",
        "risk": "lifecourse.background_rr",
        "maltreatment": "lifecourse.mortality_hr.maltreatment",
        "care": "lifecourse.mortality_hr.care",
        "institution": None,
    },
    "social_assistance": {
        "base": "lifecourse.social_assistance.base",
        "unit_value": "lifecourse.social_assistance.amount",
        "risk": "lifecourse.background_rr",
        "maltreatment": "lifecourse.social_assistance.rr_maltreatment",
        "care": "lifecourse.social_assistance.rr_care_crude",
        "institution": None,
    },
    "mental_health": {
        "base": "lifecourse.mental_health.base",
        "unit_value": "lifecourse.mental_health.cost",
        "risk": "lifecourse.background_rr",
        "maltreatment": "lifecourse.mental_health.rr_maltreatment",
        "care": "lifecourse.mental_health.rr_care",
        "institution": "lifecourse.mental_health.rr_institution",
    },
    "crime": {
        "base": "lifecourse.crime.base",
        "unit_value": "lifecourse.crime.prison_cost",
        "risk": "lifecourse.background_rr",
        "maltreatment": "lifecourse.crime.rr_maltreatment",
        "care": "lifecourse.crime.rr_care",
        "institution": "lifecourse.crime.rr_institution",
    },
    "next_generation": {
        "base": "lifecourse.next_generation.base",
        "unit_value": "cost.family_care",
        "risk": None,
        "maltreatment": None,
        "care": "lifecourse.next_generation.hr",
        "institution": None,
    },
}


def uncertain_names() -> list[str]:
    """The uncertain parameters the life-course value depends on (sampled for its range)."""
    return [
        n
        for n in REGISTRY.names("uncertain", engine="economics")
        if (n.startswith("lifecourse.") or n == "deadweight_cost_of_taxation")
        and REGISTRY[n].range[0] < REGISTRY[n].range[1]
    ]


def sample(samples: int, seed: int, base: Mapping[str, float] | None = None) -> dict:
    """Parameter values with the uncertain life-course parameters drawn from their ranges.

    ``base`` (default: the registry) with every parameter of :func:`uncertain_names` drawn
    by Latin hypercube from its plausible range: arrays of ``samples`` values.
    """
    from simulation.workflow.ensembles import sample_parameters

    names = uncertain_names()
    drawn = sample_parameters(names, samples, seed)
    values = dict(REGISTRY.resolve(base))
    values.update({n: drawn[n].to_numpy(float) for n in names})
    return values


def exposure_table(
    base: Mapping[str, float] | None = None, samples: int = 2000, seed: int = 20240101
) -> pd.DataFrame:
    """The lifetime cost of one unit of each exposure, central and 90% range, EUR.

    Returns
    -------
    DataFrame
        One row per exposure (``exposure``, ``unit``, ``age``): ``central`` (at ``base``),
        ``p05``, ``p95`` and ``mean`` over the samples, and the central value by payer.
    """
    p = REGISTRY.resolve(base)
    central = lc.unit_values(p)  # (E, O, P)
    drawn = lc.unit_values(sample(samples, seed, base)).sum(axis=(-1, -2))  # (N, E)
    rows = []
    for i, e in enumerate(lc.EXPOSURES):
        row = {
            "exposure": e.name,
            "unit": e.unit,
            "age": float(p[e.age]),
            "central": float(central[i].sum()),
            "p05": float(np.quantile(drawn[:, i], 0.05)),
            "p95": float(np.quantile(drawn[:, i], 0.95)),
            "mean": float(drawn[:, i].mean()),
        }
        row.update({payer: float(central[i, :, j].sum()) for j, payer in enumerate(lc.PAYERS)})
        rows.append(row)
    return pd.DataFrame(rows)


def outcome_table(base: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Each adult outcome: base rate, relative risk per level, unit value, and their sources.

    Relative risks are the registry's published estimates (the care estimate of social
    assistance is crude; the model attenuates it). ``None`` where a level does not change the
    outcome.
    """
    p = REGISTRY.resolve(base)
    rows = []
    for outcome, names in OUTCOME_PARAMETERS.items():
        row = {"outcome": outcome}
        for field, name in names.items():
            row[field] = None if name is None else float(p[name])
            row[f"{field}_parameter"] = name
        row["base_unit"] = REGISTRY[names["base"]].unit
        row["unit_value_unit"] = REGISTRY[names["unit_value"]].unit
        row["sources"] = " | ".join(
            f"{n}: {REGISTRY[n].source}" for n in names.values() if n is not None
        )
        rows.append(row)
    return pd.DataFrame(rows)


def linked_outcomes() -> pd.DataFrame:
    """Outcomes on the way to earnings, listed for reference and not valued again."""
    path = resources.files("simulation") / "data" / "lifecourse" / "linked_outcomes.csv"
    with path.open(encoding="utf-8") as f:
        return pd.read_csv(f)
