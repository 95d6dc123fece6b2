"""Published effect sizes already converted to hazard multipliers, kept beside the library.

Converting a risk ratio, odds ratio or standardised mean difference to the hazard multiplier
the engines apply (:func:`simulation.model.effect_sizes.hazard_multiplier`) solves a cohort
model with SciPy's matrix exponential and root finder. The shipped library's 30 conversions
took about 0.7 s (half of it importing SciPy) in every process that builds the parameter
registry: every command, every worker of a process pool, every test that runs the CLI.

``simulation/data/programmes/conversions.json`` keeps the result of each conversion with
every number it depends on (measure, follow-up, value, baseline hazards, duration, relapse),
so a lookup is exact: a changed input simply misses and is converted afresh; nothing can go
stale. ``tests/model/test_conversions.py`` checks that the file covers the shipped library
and agrees with a fresh conversion. After changing the library or the defaults, rewrite it
with::

    python -m simulation.model.conversions
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path

#: What a conversion depends on, in key order.
FIELDS = ("measure", "follow_up", "value", "h", "q", "duration", "relapse", "probability")
Key = tuple[str, float, float, float, float, float, float, bool]


def _path() -> Path:
    return Path(str(resources.files("simulation.data.programmes") / "conversions.json"))


def key(measure: str, follow_up: float, value: float, *rest: float | bool) -> Key:
    """The lookup key of one conversion (the arguments in :data:`FIELDS` order)."""
    h, q, duration, relapse, probability = rest
    numbers = (follow_up, value, h, q, duration, relapse)
    return (measure, *(float(x) for x in numbers), bool(probability))


@cache
def known() -> dict[Key, float]:
    """The stored conversions; empty when the file is missing."""
    try:
        rows = json.loads(_path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {key(*(row[f] for f in FIELDS)): float(row["multiplier"]) for row in rows}


def rows(conversions: dict[Key, float]) -> list[dict]:
    """Conversions as the file's rows, in a stable order."""
    return [
        {**dict(zip(FIELDS, k, strict=True)), "multiplier": m}
        for k, m in sorted(conversions.items())
    ]


def needed() -> list[Key]:
    """The conversions the shipped library makes at the registry's defaults."""
    from simulation.model import catalogue, effect_sizes, programmes

    defaults = catalogue.REGISTRY.defaults()
    keys = []
    for prog in programmes.library():
        for effect in prog.effects:
            if effect.measure in ("none", "hazard_ratio"):
                continue
            h, q, prob = effect_sizes.baseline_hazards(defaults, effect.transition)
            for value in (effect.value, effect.low, effect.high):
                rest = (h, q, prog.duration, prog.relapse_rate, prob)
                keys.append(key(effect.measure, effect.follow_up, value, *rest))
    return keys


def main() -> None:
    """Convert the shipped library's effects afresh and rewrite the file."""
    from simulation.model.effect_sizes import solve_multiplier

    recorded = {k: solve_multiplier(*k) for k in needed()}
    _path().write_text(json.dumps(rows(recorded), indent=1) + "\n", encoding="utf-8")
    print(f"{len(recorded)} conversions written to {_path()}")


if __name__ == "__main__":
    main()
