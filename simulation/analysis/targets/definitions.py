"""What a targets file defines.

Data points, targets (a model output and its points), and the whole file's settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from simulation.model.demography import QUALITIES  # noqa: F401 (the targets package exports it)
from simulation.model.errors import InputError
from simulation.model.vocabulary import REPLICATE_SCALE

COUNTS = ("families", "children")
SECTIONS = {
    "calibration": {"name", "data", "scenario", "output", "end_year"},
    "fit": {"free", "starts", "seed"},
    "posterior": {"walkers", "steps", "burn", "thin", "predictive_draws"},
    "error": {"sigma"},
    "abm": {"replicates", "scale"},
    "target": {
        "name",
        "title",
        "series",
        "stock",
        "flows",
        "count",
        "years",
        "dates",
        "quality",
        "note",
        "unreached",
        "per_family",
    },
}
DEFAULTS = {
    "starts": 8,
    "seed": 1,
    "walkers": 48,
    "steps": 600,
    "burn": 200,
    "thin": 5,
    "predictive_draws": 200,
    "abm_replicates": 3,
}
DEFAULT_ABM_SCALE = REPLICATE_SCALE
#: Allowed range of each setting. The sampler keeps its whole chain in memory (walkers x steps
#: x (parameters + 1) floats), so walkers and steps are bounded and so is their product
#: (:data:`CHAIN_MAX`); the shipped calibration uses 64 walkers x 4,000 steps.
LIMITS = {
    "starts": (1, 1_000),
    "seed": (0, 2**63 - 1),
    "walkers": (1, 10_000),
    "steps": (1, 1_000_000),
    "burn": (0, 999_999),
    "thin": (1, 1_000_000),
    "predictive_draws": (1, 100_000),
    "abm_replicates": (0, 1_000),
}
#: Largest walkers x steps: 10 million walker-steps of eight parameters is 720 MB of chain.
CHAIN_MAX = 10_000_000
#: Where each setting lives in a targets file.
SETTING_KEYS = {
    "starts": "fit.starts",
    "seed": "fit.seed",
    "walkers": "posterior.walkers",
    "steps": "posterior.steps",
    "burn": "posterior.burn",
    "thin": "posterior.thin",
    "predictive_draws": "posterior.predictive_draws",
    "abm_replicates": "abm.replicates",
}


class TargetsError(InputError):
    """Problems in a targets file.

    ``errors`` holds one line per problem (reported like a scenario file's).
    """


def sampler_problems(settings: dict[str, int]) -> list[tuple[str, str]]:
    """``(setting, what is wrong)`` for settings that together cannot give a posterior.

    Burn-in not below the steps, fewer than two kept steps after thinning (emcee's thinned
    chain would be too short to summarise), or a chain too large to keep in memory. Each
    setting is assumed inside :data:`LIMITS` already.
    """
    steps, burn, thin = settings["steps"], settings["burn"], settings["thin"]
    if burn >= steps:
        return [("burn", f"{burn} is not below the steps ({steps}); allowed: below {steps}")]
    problems = []
    kept = -(-(steps - burn) // thin)
    if kept < 2:
        problems.append(
            (
                "thin",
                f"{thin} keeps {kept} step of the {steps - burn} after burn-in; allowed: "
                f"below {steps - burn} (steps - burn), or more steps",
            )
        )
    if settings["walkers"] * steps > CHAIN_MAX:
        problems.append(
            (
                "steps",
                f"walkers x steps is {settings['walkers'] * steps:,}; allowed: at most "
                f"{CHAIN_MAX:,} (the chain is kept in memory)",
            )
        )
    return problems


@dataclass(frozen=True)
class Point:
    """One published figure paired with a model output.

    Attributes
    ----------
    target : str
        Name of the target it belongs to.
    series : str
        Data series (``a+b`` when several are summed).
    year : int
        Year of the figure in the data file.
    time : float
        Decimal year the figure refers to (stocks) or the start of its calendar year (flows).
    value : float
        The figure, in the data file's unit.
    quality : {"high", "medium", "low"}
        Quality used for the error model (the lowest of summed series unless overridden).
    sigma : float
        Standard deviation of the log-normal measurement error.
    source : str
        Source titles of the figure.
    """

    target: str
    series: str
    year: int
    time: float
    value: float
    quality: str
    sigma: float
    source: str


@dataclass(frozen=True)
class Target:
    """A model output and the data points it is compared with."""

    name: str
    series: tuple[str, ...]
    stock: str | None
    flows: tuple[str, ...]
    count: str
    points: tuple[Point, ...]
    note: str = ""
    title: dict[str, str] = field(default_factory=dict)
    unreached: dict[int, str] = field(default_factory=dict)
    #: Children per family as a time path ``((decimal year, ratio), ...)`` that turns a
    #: ``families.*`` stock into children (held constant before the first and after the last).
    per_family: tuple[tuple[float, float], ...] = ()

    def children_per_family(self, times: np.ndarray) -> np.ndarray:
        """The ``per_family`` path at decimal years ``times`` (1 where none is given)."""
        if not self.per_family:
            return np.ones_like(np.asarray(times, float))
        at, ratio = zip(*self.per_family, strict=True)
        return np.interp(times, at, ratio)

    @property
    def output(self) -> str:
        """A readable name of the model output."""
        if self.stock and self.per_family:
            return self.stock.replace("families.", "children.") + " (children per family: a path)"
        if self.stock:
            return self.stock
        return f"{self.count} per year: " + " + ".join(self.flows)


@dataclass
class Targets:
    """A parsed, validated targets file (see module docstring)."""

    path: Path
    name: str
    data: Path
    scenario: Path
    output: Path
    end_year: int
    free: list[str]
    sigma: dict[str, float]
    targets: list[Target]
    settings: dict[str, int] = field(default_factory=lambda: dict(DEFAULTS))
    abm_scale: float = DEFAULT_ABM_SCALE

    @property
    def points(self) -> list[Point]:
        """Every data point of every target, in file order."""
        return [p for t in self.targets for p in t.points]

    def before(self, year: int) -> Targets:
        """The same targets keeping only points from years before ``year`` (for holdout)."""
        kept = []
        for t in self.targets:
            points = tuple(p for p in t.points if p.year < year)
            if points:
                kept.append(replace(t, points=points))
        return replace(self, targets=kept, settings=dict(self.settings))
