"""Monte Carlo on the batched SD engine, with history matching to the national data.

A Latin hypercube over the uncertain parameters the scenario files do not set (calibrated
values stay fixed, as in ``prevsim ensemble``); row 0 is the central run (every parameter at
its best estimate), so the central values and the intervals come from the same integration.
All samples of a scenario integrate in one batched call (:func:`run_batch`).

Samples are history-matched to the national data (Vernon, Goldstein and Bower 2010): a sample
whose baseline misses the calibration data by more than :data:`CUTOFF` standard deviations
at more than one point (the second-largest implausibility, with the data's error and a model
discrepancy of :data:`DISCREPANCY` added in quadrature on the log scale) is ruled out, so the
intervals cover only futures whose past looks like Lithuania's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.engines.results import EngineResult
from simulation.model.catalogue import REGISTRY
from simulation.model.vocabulary import START_YEAR
from simulation.workflow import compare as cmp
from simulation.workflow import ensembles as ens
from simulation.workflow.economics import yearly_arrays
from simulation.workflow.runner import sd_model
from simulation.workflow.scenarios import Scenario

SAVED = ("stocks", "flows", "stock_years", "costs", "programme_costs", "served_years", "unspent")
SAVE_EVERY = 3  # months: quarterly points draw smooth lines and include every January
#: History matching: implausibility cut-off (Pukelsheim's three-sigma rule) and the model
#: discrepancy, a log-scale standard deviation (an assumption: the calibration's 10% fit
#: tolerance, which the best fit meets at all but two high-quality points).
CUTOFF = 3.0
DISCREPANCY = 0.10
MIN_PLAUSIBLE = 20  # fewer samples than this make no interval worth printing


def sample_table(scenarios: Sequence[Scenario], samples: int, seed: int) -> pd.DataFrame:
    """The table of parameter samples, one column per varied parameter.

    Row 0: every varied parameter at its best estimate; rows 1..samples: a Latin hypercube over
    their registry ranges (the sampler of ``prevsim ensemble``).
    """
    names = ens.default_varied(scenarios[0], "sd", *scenarios[1:])
    central = pd.DataFrame([{n: REGISTRY[n].default for n in names}])
    drawn = ens.sample_parameters(names, samples, seed)
    return pd.concat([central, drawn], ignore_index=True)[names]


@dataclass
class Batch:
    """One scenario run for every sample: its result, resolved parameters, yearly accounts."""

    scenario: Scenario
    result: EngineResult
    params: dict
    yearly: dict[str, np.ndarray]


def run_batch(scenario: Scenario, table: pd.DataFrame, resolution: str = "national") -> Batch:
    """Run ``scenario`` for every row of ``table`` in one batched SD integration.

    Parameters
    ----------
    scenario : Scenario
        The scenario; the columns of ``table`` override its parameters.
    table : DataFrame
        One row per sample, one column per varied parameter (see :func:`sample_table`).
    resolution : str
        The engine's resolution (``"national"`` or ``"municipal"``).

    Returns
    -------
    Batch
        The result, saved every :data:`SAVE_EVERY` months, with its resolved parameters and
        yearly accounts.
    """
    sampled = {n: table[n].to_numpy(float) for n in table.columns}
    national = replace(scenario, run=replace(scenario.run, resolution=resolution))
    result = sd_model(national, {**scenario.params, **sampled}).run(SAVED, every=SAVE_EVERY)
    params = REGISTRY.resolve({**scenario.params, **scenario.levers, **sampled})
    return Batch(scenario, result, params, yearly_arrays(result, params))


def years_of(batch: Batch) -> np.ndarray:
    """The calendar years of a batch's yearly accounts, from :data:`START_YEAR`."""
    return START_YEAR + np.arange(batch.yearly["total_cost"].shape[0])


def column(arrays: dict[str, np.ndarray], k: int) -> dict[str, np.ndarray]:
    """Sample ``k`` (column ``k``) of every array in ``arrays``."""
    return {name: values[:, k] for name, values in arrays.items()}


@dataclass(frozen=True)
class PlausibleDraws:
    """Parameter draws kept by history matching.

    Attributes
    ----------
    table : DataFrame
        The kept draws, one column per varied parameter (the central row is not among them).
    drawn, kept : int
        Draws made and draws kept.
    """

    table: pd.DataFrame
    drawn: int
    kept: int

    def describe(self) -> str:
        """One line for reports."""
        return (
            f"{self.kept:,} of {self.drawn:,} draws over their registry ranges, those whose "
            "past matches the national data (history matching, as in `prevsim brief`)"
        )


def plausible_draws(
    baseline: Scenario,
    scenarios: Sequence[Scenario],
    samples: int,
    seed: int,
    targets_path: Path | None,
) -> PlausibleDraws:
    """The briefing's draws: a Latin hypercube, history-matched on the baseline's past.

    The same ``samples`` and ``seed`` give the same draws as ``prevsim brief``, so every
    command that uses them rests on the same uncertainty.

    Raises
    ------
    ValueError
        When fewer than :data:`MIN_PLAUSIBLE` draws are kept.
    """
    everyone = common_horizon([baseline, *scenarios])
    table = sample_table(everyone, samples, seed)
    keep = history_match(implausibility(run_batch(everyone[0], table), targets_path))
    return PlausibleDraws(table[keep].reset_index(drop=True), samples, int(keep.sum()))


def common_horizon(scenarios: Sequence[Scenario]) -> list[Scenario]:
    """The scenarios ending in the same year, the earliest of their end years."""
    end_year = min(s.run.end_year for s in scenarios)
    return [replace(s, run=replace(s.run, end_year=end_year)) for s in scenarios]


def history_match(distance: np.ndarray) -> np.ndarray:
    """Which samples to keep: implausibility below :data:`CUTOFF`, never the central row 0.

    Raises
    ------
    ValueError
        When fewer than :data:`MIN_PLAUSIBLE` samples are kept.
    """
    keep = distance < CUTOFF
    keep[0] = False  # the central run is reported as such, not as a sample
    if keep.sum() < MIN_PLAUSIBLE:
        raise ValueError(
            f"only {int(keep.sum())} of {len(keep) - 1} samples are consistent with the "
            f"national data; at least {MIN_PLAUSIBLE} are needed: draw more samples"
        )
    return keep


def central_comparison(batches: Sequence[Batch]) -> cmp.Comparison:
    """The central runs (column 0) as a :class:`compare.Comparison`, for its helpers."""
    accounts = {
        b.scenario.name: [
            pd.DataFrame(column(b.yearly, 0), index=pd.Index(years_of(b), name="year"))
        ]
        for b in batches
    }
    params = {b.scenario.name: b.params for b in batches}
    return cmp.Comparison([b.scenario for b in batches], "sd", accounts, params)


def implausibility(base: Batch, targets_path: Path | None) -> np.ndarray:
    """Second-largest implausibility of each sample's baseline against the calibration data.

    Shape ``(K,)``; zeros without a targets file.
    """
    if targets_path is None:
        return np.zeros(base.yearly["total_cost"].shape[1])
    from simulation.analysis.targets import load, predict

    targets = load(targets_path)
    predicted = predict(base.result, base.params, targets.targets)  # (K, points)
    observed = np.array([p.value for p in targets.points])
    sigma = np.array([p.sigma for p in targets.points])
    distance = np.abs(np.log(predicted / observed)) / np.hypot(sigma, DISCREPANCY)
    return np.sort(distance, axis=1)[:, -2]
