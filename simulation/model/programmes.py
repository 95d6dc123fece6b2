"""The programme library: what each service does, to whom, at what cost, on what evidence.

A programme (home visiting, a parenting programme, intensive family preservation, ...) is
bought from one of the four funding lines (:data:`simulation.model.services.SERVICES`),
serves the families of one target state and changes named transitions out of it
(:data:`simulation.model.flows.EFFECTS`) for the families it reaches, while they are in it and
after it ends, until they relapse. The library is data
(``simulation/data/programmes/programmes.toml``, validated like a scenario file, each figure
with its source); this module reads it, converts published effect sizes into the hazard
multipliers the engines apply, and turns it into registry parameters.

Published effects are converted into hazard multipliers by
:mod:`simulation.model.effect_sizes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from simulation.model import files
from simulation.model import flows as fl
from simulation.model.errors import InputError
from simulation.model.states import State

LINES: tuple[str, ...] = ("preventive", "basic", "integration", "mobile_team")
MEASURES: tuple[str, ...] = ("risk_ratio", "odds_ratio", "smd", "hazard_ratio", "none")
EVIDENCE: tuple[str, ...] = ("meta-analysis", "trial", "quasi-experimental", "none")


class ProgrammeError(InputError):
    """A programme library file that breaks the schema (one line per problem)."""


@dataclass(frozen=True)
class Effect:
    """A published effect of a programme on one transition.

    Attributes
    ----------
    transition : str
        One of :data:`simulation.model.flows.EFFECTS`, out of the programme's target state.
    measure : str
        One of :data:`MEASURES`.
    value, low, high : float
        Central estimate and 95% interval (or plausible range), treated against control, in
        the measure's own units (ratios, or a standardised difference: negative = fewer).
    follow_up : float
        Years over which the outcome was measured.
    source : str
    """

    transition: str
    measure: str
    value: float
    low: float
    high: float
    follow_up: float
    source: str


@dataclass(frozen=True)
class Programme:
    """One programme of the library (see ``programmes.toml`` for every field's meaning)."""

    name: str
    label_lt: str
    label_en: str
    line: str
    target: State
    eligibility: str
    evidence: str
    cost: float
    cost_range: tuple[float, float]
    cost_source: str
    duration: float
    duration_source: str
    relapse_rate: float
    relapse_range: tuple[float, float]
    relapse_source: str
    effective_share: float
    effective_share_range: tuple[float, float]
    effective_share_source: str
    trial_evidence: bool
    default_mix: float
    effects: tuple[Effect, ...]

    def label(self, lang: str = "lt") -> str:
        """Readers' name in ``"lt"`` or ``"en"``."""
        return self.label_lt if lang == "lt" else self.label_en

    def parameter(self, field: str) -> str:
        """Registry name of one of the programme's parameters, e.g. ``cost``."""
        return f"programme.{self.name}.{field}"


# ---- reading and validating ------------------------------------------------------------
_FIELDS = {
    "label_lt": str,
    "label_en": str,
    "line": str,
    "target": str,
    "eligibility": str,
    "evidence": str,
    "cost": float,
    "cost_range": list,
    "cost_source": str,
    "duration": float,
    "duration_source": str,
    "relapse_rate": float,
    "relapse_range": list,
    "relapse_source": str,
    "effective_share": float,
    "effective_share_range": list,
    "effective_share_source": str,
    "trial_evidence": bool,
    "default_mix": float,
    "effects": list,
}
_EFFECT_FIELDS = {
    "transition": str,
    "measure": str,
    "value": float,
    "low": float,
    "high": float,
    "follow_up": float,
    "source": str,
}


def library_path() -> Path:
    """The shipped programme library."""
    return Path(str(resources.files("simulation") / "data" / "programmes" / "programmes.toml"))


def _typed(value, kind) -> bool:
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, kind)


def _check_fields(where: str, table: Mapping, fields: Mapping, problems: list[str]) -> None:
    for key in table:
        if key not in fields:
            problems.append(f"{where}.{key}: unknown field; allowed: {', '.join(fields)}")
    for key, kind in fields.items():
        if key not in table:
            problems.append(f"{where}.{key}: missing ({kind.__name__})")
        elif not _typed(table[key], kind):
            problems.append(f"{where}.{key}: expected {kind.__name__}, got {table[key]!r}")


def _check_range(where: str, central: float, bounds, problems: list[str]) -> None:
    ok = (
        isinstance(bounds, list)
        and len(bounds) == 2
        and all(_typed(b, float) for b in bounds)
        and bounds[0] <= central <= bounds[1]
    )
    if not ok:
        problems.append(f"{where}: expected [low, high] with low <= {central!r} <= high")


def _check_effect(where: str, raw: Mapping, target: str, problems: list[str]) -> None:
    _check_fields(where, raw, _EFFECT_FIELDS, problems)
    if any(not _typed(raw.get(k), _EFFECT_FIELDS[k]) for k in _EFFECT_FIELDS):
        return
    if raw["transition"] not in fl.EFFECTS:
        problems.append(f"{where}.transition: {raw['transition']!r}; allowed: {fl.EFFECTS}")
    elif target in State.__members__ and fl.EFFECT_SOURCE[raw["transition"]] != State[target]:
        source = fl.EFFECT_SOURCE[raw["transition"]].key
        problems.append(f"{where}.transition: acts on {source} families, not on {target.lower()}")
    if raw["measure"] not in MEASURES:
        problems.append(f"{where}.measure: {raw['measure']!r}; allowed: {MEASURES}")
    if not raw["low"] <= raw["value"] <= raw["high"]:
        problems.append(f"{where}: need low <= value <= high")
    if raw["measure"] != "smd" and raw["low"] <= 0:
        problems.append(f"{where}.low: a ratio must be > 0")
    if raw["follow_up"] <= 0:
        problems.append(f"{where}.follow_up: must be > 0 years")


def _check_programme(where: str, raw: Mapping, problems: list[str]) -> None:
    _check_fields(where, raw, _FIELDS, problems)
    if raw.get("line") not in LINES:
        problems.append(f"{where}.line: {raw.get('line')!r}; allowed: {', '.join(LINES)}")
    target = str(raw.get("target", "")).upper()
    if target not in State.__members__:
        keys = ", ".join(s.key for s in State)
        problems.append(f"{where}.target: {raw.get('target')!r}; allowed: {keys}")
    if raw.get("evidence") not in EVIDENCE:
        problems.append(f"{where}.evidence: {raw.get('evidence')!r}; allowed: {EVIDENCE}")
    for field, bounds in (
        ("cost", "cost_range"),
        ("relapse_rate", "relapse_range"),
        ("effective_share", "effective_share_range"),
    ):
        if _typed(raw.get(field), float):
            _check_range(f"{where}.{bounds}", raw[field], raw.get(bounds), problems)
    if _typed(raw.get("duration"), float) and raw["duration"] < 0:
        problems.append(f"{where}.duration: must be >= 0 years (0: while in the target state)")
    if _typed(raw.get("effective_share"), float) and not 0 <= raw["effective_share"] <= 1:
        problems.append(f"{where}.effective_share: must be in [0, 1]")
    effects = raw.get("effects")
    if isinstance(effects, list):
        if not effects:
            problems.append(f"{where}.effects: at least one effect (measure 'none' if unknown)")
        for i, effect in enumerate(effects):
            if not isinstance(effect, dict):
                problems.append(f"{where}.effects[{i}]: expected a table")
                continue
            _check_effect(f"{where}.effects[{i}]", effect, target, problems)


def _programme(name: str, raw: Mapping) -> Programme:
    effects = tuple(
        Effect(
            e["transition"],
            e["measure"],
            float(e["value"]),
            float(e["low"]),
            float(e["high"]),
            float(e["follow_up"]),
            e["source"],
        )
        for e in raw["effects"]
    )
    return Programme(
        name=name,
        label_lt=raw["label_lt"],
        label_en=raw["label_en"],
        line=raw["line"],
        target=State[raw["target"].upper()],
        eligibility=raw["eligibility"],
        evidence=raw["evidence"],
        cost=float(raw["cost"]),
        cost_range=tuple(float(x) for x in raw["cost_range"]),
        cost_source=raw["cost_source"],
        duration=float(raw["duration"]),
        duration_source=raw["duration_source"],
        relapse_rate=float(raw["relapse_rate"]),
        relapse_range=tuple(float(x) for x in raw["relapse_range"]),
        relapse_source=raw["relapse_source"],
        effective_share=float(raw["effective_share"]),
        effective_share_range=tuple(float(x) for x in raw["effective_share_range"]),
        effective_share_source=raw["effective_share_source"],
        trial_evidence=bool(raw["trial_evidence"]),
        default_mix=float(raw["default_mix"]),
        effects=effects,
    )


def read_library(path: str | Path) -> tuple[Programme, ...]:
    """Read and validate a programme library file.

    Raises
    ------
    ProgrammeError
        With one line per problem, ``file: programme.field: what is wrong and what is
        allowed``; nothing is returned from a file with any problem.
    """
    path = Path(path)
    try:  # the one safe reader of TOML input (a regular file of bounded size)
        raw = files.read_toml(path, "programme library", 4_000_000)
    except InputError as exc:
        raise ProgrammeError(exc.errors) from None
    problems: list[str] = []
    for name, table in raw.items():
        if not isinstance(table, dict):
            problems.append(f"{name}: expected a table [{name}]")
            continue
        if not name.isidentifier() or not name.islower():
            problems.append(f"{name}: a programme name is lower_case_with_underscores")
        _check_programme(name, table, problems)
    lines_with_mix = {t.get("line") for t in raw.values() if isinstance(t, dict)}
    for line in LINES:
        if line in lines_with_mix:
            mix = sum(
                t.get("default_mix", 0.0)
                for t in raw.values()
                if isinstance(t, dict)
                and t.get("line") == line
                and _typed(t.get("default_mix"), float)
            )
            if mix <= 0:
                problems.append(f"{line}: the line's programmes need a default_mix above 0")
    if problems:
        raise ProgrammeError([f"{path}: {p}" for p in problems])
    return tuple(_programme(name, table) for name, table in raw.items())


@cache
def library() -> tuple[Programme, ...]:
    """The shipped programme library, in file order."""
    return read_library(library_path())
