"""Scenario files: TOML with ``[scenario]``, ``[run]``, ``[params]`` and ``[policy]``.

A scenario may ``extends`` another file (a path relative to itself); tables merge key by
key, the child winning, and the child's ``[[policy.schedule]]`` entries are appended to its
parent's. Validation collects every error before reporting, each as one line
``file: table.key: what is wrong and what is allowed``.

Example::

    [scenario]
    name = "my_scenario"
    extends = "baseline.toml"
    description = "More preventive services from 2027."

    [run]
    end_year = 2040
    resolution = "national"      # or "municipal"

    [params]                     # uncertain and structural parameters
    onset_rate = 0.06

    [policy.budget]              # levers: million EUR per year
    preventive = 5.0

    [[policy.schedule]]          # lever changes over time
    year = 2027
    ramp_years = 3
    budget.preventive = 15.0
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from simulation.model.catalogue import REGISTRY, RETIRED
from simulation.model.countries import DEFAULT_COUNTRY, countries
from simulation.model.errors import InputError
from simulation.model.policy import RULES
from simulation.model.schedule import Change
from simulation.model.vocabulary import (
    DEFAULT_END_YEAR,
    DEFAULT_SCALE,
    DEFAULT_SEED,
    DEFAULT_STEPS_PER_MONTH,
    ENGINES,
    LAST_YEAR,
    RESOLUTIONS,
    START_YEAR,
)
from simulation.workflow.inputs import Problems, near_names, read_toml, resolve, safe_name

TABLES = ("scenario", "run", "params", "policy")
SCENARIO_KEYS = {
    "name": str,
    "title": str,
    "title_lt": str,
    "description": str,
    "description_lt": str,
    "source": str,
    "extends": str,
}
#: Longest text of each ``[scenario]`` key, characters (a name is checked as a name).
SCENARIO_TEXT = {
    "title": 300,
    "title_lt": 300,
    "description": 5000,
    "description_lt": 5000,
    "source": 5000,
    "extends": 4096,
}
#: Readers' texts of a scenario: English key and its Lithuanian twin.
TRANSLATED = {"title": "title_lt", "description": "description_lt"}
#: Most files in a chain of ``extends`` (the shipped scenarios use 3).
MAX_EXTENDS = 16
SCHEDULE_KEYS = ("year", "ramp_years", "note")
#: String-valued policy settings and their allowed values.
POLICY_CHOICES: dict[str, tuple[str, ...]] = {"allocation_rule": RULES}


class ScenarioError(InputError):
    """One or more problems in scenario files; ``errors`` holds one line per problem."""


@dataclass(frozen=True)
class RunSettings:
    """How to run a scenario (the ``[run]`` table)."""

    end_year: int = DEFAULT_END_YEAR
    resolution: str = RESOLUTIONS[0]
    seed: int = DEFAULT_SEED
    steps_per_month: int = DEFAULT_STEPS_PER_MONTH
    engine: str = ENGINES[0]
    heterogeneity: bool = True
    scale: float = DEFAULT_SCALE
    country: str = DEFAULT_COUNTRY  # a folder of simulation/data/ (docs/countries.md)


#: ``[run]`` keys: (type, lowest, highest or allowed values).
RUN_RULES: dict[str, tuple[type, object]] = {
    "end_year": (int, (START_YEAR, LAST_YEAR)),
    "resolution": (str, RESOLUTIONS),
    "seed": (int, (0, 2**63 - 1)),
    "steps_per_month": (int, (1, 64)),
    "engine": (str, ENGINES),
    "heterogeneity": (bool, (False, True)),
    "scale": (float, (1e-4, 1.0)),
    "country": (str, countries()),
}


@dataclass
class Scenario:
    """A fully resolved scenario (``extends`` applied, everything validated)."""

    name: str
    path: Path
    title: str = ""
    description: str = ""
    source: str = ""
    title_lt: str = ""
    description_lt: str = ""
    chain: list[str] = field(default_factory=list)
    run: RunSettings = field(default_factory=RunSettings)
    params: dict[str, float] = field(default_factory=dict)
    levers: dict[str, float] = field(default_factory=dict)
    schedule: list[Change] = field(default_factory=list)
    allocation_rule: str = "historical"

    def to_dict(self) -> dict:
        """A JSON-ready description of everything that determines the results."""
        return {
            "name": self.name,
            "title": self.title,
            "title_lt": self.title_lt,
            "description": self.description,
            "description_lt": self.description_lt,
            "source": self.source,
            "files": self.chain,
            "run": asdict(self.run),
            "params": dict(sorted(self.params.items())),
            "levers": dict(sorted(self.levers.items())),
            "allocation_rule": self.allocation_rule,
            "schedule": [
                {"year": c.year, "ramp_years": c.ramp_years, **dict(sorted(c.values.items()))}
                for c in self.schedule
            ],
        }

    def display_title(self, lang: str) -> str:
        """The title readers see in ``lang`` ("lt" or "en"), else the name.

        Lithuanian: ``title_lt``, else the Lithuanian half of an old ``"English /
        Lietuviškai"`` title; English: the English half of ``title``.
        """
        english, _, lithuanian = self.title.partition(" / ")
        if lang == "lt":
            return self.title_lt or lithuanian or english or self.name
        return english or self.name

    def display_description(self, lang: str) -> str:
        """The description in ``lang``: ``description_lt`` in Lithuanian when there is one."""
        text = self.description_lt if lang == "lt" and self.description_lt else self.description
        return " ".join(text.split())

    def with_values(self, values: Mapping[str, float]) -> Scenario:
        """A copy with parameter values replaced.

        Levers go to its levers (their 2009 values), the others to its parameters.
        """
        params, levers = dict(self.params), dict(self.levers)
        for name, value in values.items():
            (levers if REGISTRY[name].kind == "lever" else params)[name] = float(value)
        return replace(self, params=params, levers=levers)

    def resolved_parameters(self) -> dict[str, float]:
        """Every parameter value in effect at the start (registry defaults + overrides)."""
        return REGISTRY.resolve({**self.params, **self.levers})

    def digest(self) -> str:
        """Short hash of what determines the results.

        Run settings, every parameter value (so a change of a registry default changes it
        too) and the schedule.
        """
        run = asdict(self.run)
        if run["country"] == DEFAULT_COUNTRY:  # Lithuanian runs keep their earlier digests
            del run["country"]
        content = {
            "run": run,
            "parameters": self.resolved_parameters(),
            "allocation_rule": self.allocation_rule,
            "schedule": self.to_dict()["schedule"],
        }
        text = json.dumps(content, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:10]


def _flatten(table: Mapping, prefix: str = "") -> dict[str, object]:
    """Nested TOML tables to dotted keys: ``{"budget": {"basic": 1}}`` -> ``budget.basic``."""
    flat: dict[str, object] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Validator(Problems):
    """Collects the problems of one scenario file, table by table."""

    def scenario_table(self, table: Mapping) -> dict:
        out = {}
        for key, value in table.items():
            if self.known("scenario", key, SCENARIO_KEYS):
                where = f"scenario.{key}"
                checked = (
                    self.name(where, value)
                    if key == "name"
                    else self.string(where, value, SCENARIO_TEXT[key])
                )
                if checked is not None:
                    out[key] = checked
        return out

    def run_table(self, table: Mapping) -> dict:
        out = {}
        for key, value in table.items():
            if self.known("run", key, RUN_RULES):
                checked = self._run_value(f"run.{key}", value, *RUN_RULES[key])
                if checked is not None:
                    out[key] = checked
        return out

    def _run_value(self, where: str, value: object, kind: type, allowed) -> object:
        if kind is bool:
            return self.boolean(where, value)
        if kind is int:
            return self.integer(where, value, *allowed)
        if kind is float:
            return self.number(where, value, *allowed)
        if self.string(where, value) is None:
            return None
        return self.choice(where, value, allowed)

    def value(self, key: str, name: str, value: object) -> float | None:
        """Check one parameter value against the registry; return it as float or None."""
        problem = REGISTRY[name].check(value)
        if problem:
            self.error(key, problem)
            return None
        return float(value)

    def params_table(self, table: Mapping) -> dict[str, float]:
        out = {}
        for name, value in _flatten(table).items():
            key = f"params.{name}"
            if name in RETIRED:
                self.error(key, RETIRED[name])
            elif name not in REGISTRY:
                self.error(key, REGISTRY.unknown_message(name, REGISTRY.names()))
            elif REGISTRY[name].kind == "lever":
                self.error(key, "is a policy lever: set it under [policy]")
            elif (v := self.value(key, name, value)) is not None:
                out[name] = v
        return out

    def lever(self, key: str, name: str, value: object) -> float | None:
        if name in RETIRED:
            self.error(key, RETIRED[name])
            return None
        if name not in REGISTRY:
            self.error(key, REGISTRY.unknown_message(name, REGISTRY.names("lever")))
            return None
        if REGISTRY[name].kind != "lever":
            self.error(key, f"is not a lever ({REGISTRY[name].kind}): set it under [params]")
            return None
        return self.value(key, name, value)

    def policy_table(self, table: Mapping) -> tuple[dict[str, float], list[Change], dict]:
        levers: dict[str, float] = {}
        schedule: list[Change] = []
        choices: dict[str, str] = {}
        for name, value in table.items():
            if name == "schedule":
                schedule = self.schedule(value)
                continue
            if name in POLICY_CHOICES:
                allowed = POLICY_CHOICES[name]
                if value in allowed:
                    choices[name] = value
                else:
                    self.error(f"policy.{name}", f"{value!r} is not one of {', '.join(allowed)}")
                continue
            flat = _flatten({name: value}) if isinstance(value, dict) else {name: value}
            for lever, v in flat.items():
                checked = self.lever(f"policy.{lever}", lever, v)
                if checked is not None:
                    levers[lever] = checked
        return levers, schedule, choices

    def schedule(self, entries: object) -> list[Change]:
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            self.error("policy.schedule", "expected [[policy.schedule]] tables")
            return []
        changes = []
        for i, entry in enumerate(entries):
            where = f"policy.schedule[{i}]"
            year = entry.get("year")
            if not isinstance(year, int) or isinstance(year, bool):
                self.error(f"{where}.year", f"expected an integer year, got {year!r}")
            elif not (START_YEAR <= year <= LAST_YEAR):
                self.error(f"{where}.year", f"{year} is outside [{START_YEAR}, {LAST_YEAR}]")
            ramp = entry.get("ramp_years", 0.0)
            if not _is_number(ramp) or not (0 <= ramp <= 50):
                self.error(f"{where}.ramp_years", f"expected a number in [0, 50], got {ramp!r}")
            values = {}
            rest = {k: v for k, v in entry.items() if k not in SCHEDULE_KEYS}
            for lever, v in _flatten(rest).items():
                checked = self.lever(f"{where}.{lever}", lever, v)
                if checked is not None:
                    values[lever] = checked
            if not values and not rest:
                self.error(where, "changes no lever")
            dated = [n for n in values if REGISTRY[n].unit == "year"]
            if dated and _is_number(ramp) and ramp > 0:
                self.error(
                    f"{where}.ramp_years",
                    f"{', '.join(dated)} is a year and cannot "
                    "ramp: put it in an entry without ramp_years",
                )
            if isinstance(year, int) and _is_number(ramp):
                changes.append(Change(year=year, values=values, ramp_years=float(ramp)))
        return changes


@dataclass
class _Layer:
    path: Path
    scenario: dict
    run: dict
    params: dict
    levers: dict
    schedule: list
    choices: dict


def _read_layer(path: Path, errors: list[str]) -> tuple[_Layer, str | None] | None:
    """One file's validated tables and its ``extends`` (None, with errors, if unreadable)."""
    data = read_toml(path)
    if isinstance(data, str):
        errors.append(data)
        return None
    check = _Validator(path)
    for table in data:
        if table not in TABLES:
            near = near_names(table, TABLES)
            hint = f"did you mean {near[0]!r}?" if near else f"allowed: {', '.join(TABLES)}"
            check.error(table, f"unknown table ({hint})")
    tables = {table: check.table(table, data.get(table, {})) for table in TABLES}
    scenario = check.scenario_table(tables["scenario"])
    run = check.run_table(tables["run"])
    params = check.params_table(tables["params"])
    levers, schedule, choices = check.policy_table(tables["policy"])
    errors.extend(check.errors)
    layer = _Layer(path, scenario, run, params, levers, schedule, choices)
    return layer, scenario.get("extends")


def _load_layers(path: Path, errors: list[str]) -> list[_Layer]:
    """The chain of files from the root ancestor to ``path``; errors are appended.

    A loop, not a recursion: a chain longer than :data:`MAX_EXTENDS` files or a cycle is an
    error naming the file.
    """
    layers: list[_Layer] = []
    seen: list[Path] = []
    while True:
        resolved = resolve(path)
        if isinstance(resolved, str):
            errors.append(resolved)
            return []
        if resolved in seen:
            cycle = " -> ".join(p.name for p in [*seen[seen.index(resolved) :], resolved])
            errors.append(f"{layers[-1].path}: scenario.extends: cycle {cycle}")
            return []
        if len(seen) == MAX_EXTENDS:
            errors.append(
                f"{layers[-1].path}: scenario.extends: more than {MAX_EXTENDS} files in the "
                "chain of extends"
            )
            return []
        seen.append(resolved)
        read = _read_layer(path, errors)
        if read is None:
            return []
        layer, parent = read
        layers.append(layer)
        if parent is None:
            return layers[::-1]
        path = path.parent / parent


def load(path: str | Path) -> Scenario:
    """Load, merge and validate a scenario file.

    Raises
    ------
    ScenarioError
        With one line per problem found in the file or its ancestors.
    """
    path = Path(path)
    errors: list[str] = []
    layers = _load_layers(path, errors)
    if errors:
        raise ScenarioError(list(dict.fromkeys(errors)))
    merged = Scenario(name=safe_name(path.stem), path=path)
    run: dict = {}
    for layer in layers:
        for key in ("title", "description", "source", *TRANSLATED.values()):
            if key in layer.scenario:
                setattr(merged, key, layer.scenario[key])
        for key, twin in TRANSLATED.items():
            if key in layer.scenario and twin not in layer.scenario:
                setattr(merged, twin, "")  # a parent's translation of another text
        run.update(layer.run)
        merged.params.update(layer.params)
        merged.levers.update(layer.levers)
        merged.schedule.extend(layer.schedule)
        merged.allocation_rule = layer.choices.get("allocation_rule", merged.allocation_rule)
    merged.name = layers[-1].scenario.get("name", safe_name(path.stem))
    merged.chain = [str(layer.path) for layer in layers]
    merged.run = RunSettings(**run)
    return merged


def validate(paths: list[str | Path]) -> dict[str, list[str]]:
    """Every error line of each file (and its ancestors), by file as given; empty if valid."""
    found: dict[str, list[str]] = {}
    for path in paths:
        try:
            load(path)
            found[str(path)] = []
        except ScenarioError as exc:
            found[str(path)] = exc.errors
    return found
