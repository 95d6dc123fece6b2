"""Scenario discovery: the conditions under which a policy pays against a baseline.

Points are drawn over the uncertain parameters (their registry ranges, or draws kept by
history matching) and over the policy's levers; every point's NPV against the baseline comes
from the batched SD engine, and PRIM (:mod:`simulation.analysis.prim`) finds boxes of
conditions where NPV > 0 (Bryant and Lempert 2010; EMA Workbench's scenario discovery).

The engine batches parameters, not scheduled lever values (a change sets one value for the
whole batch), so the design is ``points`` lever settings (a Latin hypercube), each evaluated
in one batch over its own share of the uncertainty draws.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from simulation.analysis import prim
from simulation.analysis.evaluation import Question, evaluate, evaluate_chunk
from simulation.model.catalogue import REGISTRY
from simulation.model.schedule import Change, lever_paths
from simulation.model.vocabulary import START_YEAR
from simulation.workflow.scenarios import Scenario

#: The default exploration range of a lever the policy changes: from the baseline's value to
#: the policy's change taken twice (0-200% of the proposal), within the registry's range. A
#: choice of what to explore, not a claim about what is plausible.
POLICY_SCALE = (0.0, 2.0)


def policy_changes(scenario: Scenario, baseline: Scenario) -> list[Change]:
    """The scenario's scheduled changes the baseline does not have (the policy)."""
    return [c for c in scenario.schedule if c not in baseline.schedule]


def _value_in(sc: Scenario, name: str, year: int) -> float:
    """A lever's value in January of ``year`` under ``sc``'s schedule, after any ramp."""
    initial = {name: REGISTRY.resolve({**sc.params, **sc.levers})[name]}
    changes = [
        Change(c.year, {name: c.values[name]}, c.ramp_years)
        for c in sc.schedule
        if name in c.values
    ]
    months = (
        (
            max(year, *(c.year + int(np.ceil(c.ramp_years)) for c in changes), START_YEAR)
            - START_YEAR
            + 1
        )
        * 12
        if changes
        else 12
    )
    return float(lever_paths(initial, changes, START_YEAR, months)[name][-1])


def lever_ranges(
    scenario: Scenario, baseline: Scenario, names: Sequence[str] | None = None
) -> dict[str, tuple[float, float]]:
    """The range each lever is explored over.

    Default levers: those the policy changes, from the baseline's value to the change taken
    twice (:data:`POLICY_SCALE`), within the registry's range. A lever named that the policy
    does not change: its whole registry range.

    Raises
    ------
    KeyError
        For an unknown name (with near-matches).
    ValueError
        For a name that is not a lever, or a policy that changes no lever.
    """
    changes = policy_changes(scenario, baseline)
    if not changes:
        raise ValueError("the scenario changes no lever against the baseline")
    year = min(c.year for c in changes)
    changed = list(dict.fromkeys(n for c in changes for n in c.values))
    out = {}
    for name in names if names is not None else changed:
        p = REGISTRY[name]
        if p.kind != "lever":
            article = "an" if p.kind[0] in "aeiou" else "a"
            raise ValueError(f"{name} is {article} {p.kind} parameter, not a lever")
        if name not in changed:
            out[name] = (float(p.range[0]), float(p.range[1]))
            continue
        before = _value_in(baseline, name, year)
        step = _value_in(scenario, name, 9999) - before
        ends = sorted(before + s * step for s in POLICY_SCALE)
        out[name] = (max(ends[0], p.range[0]), min(ends[1], p.range[1]))
    return out


def with_levers(scenario: Scenario, baseline: Scenario, values: Mapping[str, float]) -> Scenario:
    """The scenario with its policy's levers set to ``values`` (others as they are).

    A lever the policy changes takes the value in each of its changes; one it does not change
    joins its first change (same year, same ramp).
    """
    changes = policy_changes(scenario, baseline)
    first = min(changes, key=lambda c: c.year)
    new = []
    for c in changes:
        vals = {n: float(values[n]) if n in values else v for n, v in c.values.items()}
        if c is first:
            vals.update({n: float(v) for n, v in values.items() if n not in vals})
        new.append(replace(c, values=vals))
    kept = [c for c in scenario.schedule if c in baseline.schedule]
    return replace(scenario, schedule=kept + new)


@dataclass(frozen=True)
class DiscoverySettings:
    """How points are drawn and boxes found (the options of ``prevsim discover``)."""

    levers: dict[str, tuple[float, float]]
    points: int = 40
    seed: int = 20261130
    threshold: float = 0.5
    max_boxes: int = 3
    workers: int = 1
    #: Uncertain parameters PRIM sees besides the levers: the most influential by extra-trees
    #: feature scores (:func:`simulation.analysis.prim.most_influential`).
    screen: int = 6
    #: Conditions a box may name at most (one readable sentence).
    max_restrictions: int = 4
    #: PRIM runs on half the draws, to tell which conditions recur (0: none).
    resamples: int = 10


@dataclass(frozen=True)
class Discovery:
    """A discovery study: the points, their NPV, and the boxes where NPV > 0."""

    scenario: Scenario
    baseline: Scenario
    settings: DiscoverySettings
    x: pd.DataFrame
    npv: np.ndarray
    boxes: list[prim.Box]
    draws: str
    #: For each box, condition -> share of half-sample PRIM runs in which it recurs.
    recurrence: list[dict[str, float]] = field(default_factory=list)

    @property
    def pays(self) -> np.ndarray:
        """Whether each point pays (NPV > 0)."""
        return self.npv > 0


def lever_design(levers: Mapping[str, tuple[float, float]], points: int, seed: int) -> pd.DataFrame:
    """``points`` lever settings, a Latin hypercube over ``levers``' ranges."""
    from scipy.stats import qmc

    names = list(levers)
    unit = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(seed)).random(points)
    low = np.array([levers[n][0] for n in names])
    high = np.array([levers[n][1] for n in names])
    return pd.DataFrame(low + unit * (high - low), columns=names)


def _values(scenario, baseline, draws, design, block, workers, progress) -> np.ndarray:
    """Every draw's NPV: one batch per lever setting, over ``workers`` processes."""
    names, values = list(draws.columns), draws.to_numpy()
    npv = np.empty(len(draws))
    jobs = []
    for i, setting in design.iterrows():
        rows = np.flatnonzero(block == i)
        policy = with_levers(scenario, baseline, setting.to_dict())
        jobs.append((rows, Question(policy, "npv", baseline)))
    if workers > 1 and len(jobs) > 1:
        from simulation.workflow.pool import process_pool

        with process_pool(workers) as pool:
            futures = [pool.submit(evaluate_chunk, names, values[r], q) for r, q in jobs]
            for (rows, _), future in zip(jobs, futures, strict=True):
                npv[rows] = future.result()[-1]
                progress(len(rows))
        return npv
    for rows, question in jobs:
        npv[rows] = evaluate(names, values[rows], question)
        progress(len(rows))
    return npv


def run(
    scenario: Scenario,
    baseline: Scenario,
    draws: pd.DataFrame,
    settings: DiscoverySettings,
    describe: str = "",
    progress: Callable[[int], None] = lambda _: None,
) -> Discovery:
    """Evaluate every point's NPV and find the boxes where it is positive.

    ``draws`` (one row per point, one column per uncertain parameter) is split into
    ``settings.points`` consecutive blocks, one per lever setting (:func:`lever_design`).
    """
    points = min(settings.points, len(draws))
    design = lever_design(settings.levers, points, settings.seed)
    block = np.arange(len(draws)) % points
    npv = _values(scenario, baseline, draws, design, block, settings.workers, progress)
    x = pd.concat([design.iloc[block].reset_index(drop=True), draws.reset_index(drop=True)], axis=1)
    kept = list(design.columns) + prim.most_influential(
        draws.reset_index(drop=True), npv > 0, settings.screen, settings.seed
    )
    options = {
        "threshold": settings.threshold,
        "max_boxes": settings.max_boxes,
        "max_restrictions": settings.max_restrictions,
        "keep_best": True,
    }
    boxes = prim.find_boxes(x[kept], npv > 0, **options)
    recurs = prim.recurrence(x[kept], npv > 0, boxes, settings.resamples, settings.seed, **options)
    return Discovery(scenario, baseline, settings, x, npv, boxes, describe, recurs)
