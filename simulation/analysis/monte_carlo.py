"""Monte Carlo on the batched SD engine, with history matching to the national data.

Latin hypercubes over the uncertain parameters the scenario files do not set (calibrated
values stay fixed, as in ``prevsim ensemble``) are drawn until enough draws match the data
(:func:`plausible_draws`, the uncertainty ``prevsim brief`` and ``prevsim ensemble`` share);
row 0 of a batch is the central run (every parameter at its best estimate), so the central
values and the intervals come from the same integration. All draws of a scenario integrate
in one batched call (:func:`run_batch`).

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
from simulation.workflow.economics import YEARLY_BLOCKS, accounts_frame, yearly_arrays
from simulation.workflow.runner import sd_batch
from simulation.workflow.scenarios import Scenario

SAVE_EVERY = 3  # months: quarterly points draw smooth lines and include every January
#: History matching: implausibility cut-off (Pukelsheim's three-sigma rule) and the model
#: discrepancy, a log-scale standard deviation (an assumption: the calibration's 10% fit
#: tolerance, which the best fit meets at all but two high-quality points).
CUTOFF = 3.0
DISCREPANCY = 0.10
MIN_PLAUSIBLE = 20  # fewer samples than this make no interval worth printing


def with_central_row(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` below a row 0 with every parameter at its best estimate (the central run)."""
    central = pd.DataFrame([{n: REGISTRY[n].default for n in table.columns}])
    return pd.concat([central, table], ignore_index=True)[list(table.columns)]


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
        One row per sample, one column per varied parameter (row 0 the central run: see
        :func:`with_central_row`).
    resolution : str
        The engine's resolution (``"national"`` or ``"municipal"``).

    Returns
    -------
    Batch
        The result, saved every :data:`SAVE_EVERY` months, with its resolved parameters and
        yearly accounts.
    """
    national = replace(scenario, run=replace(scenario.run, resolution=resolution))
    result, params = sd_batch(national, _columns(table), YEARLY_BLOCKS, every=SAVE_EVERY)
    return Batch(scenario, result, params, yearly_arrays(result, params))


def _columns(table: pd.DataFrame) -> dict[str, np.ndarray]:
    """A table of draws as parameter arrays, one per column."""
    return {n: table[n].to_numpy(float) for n in table.columns}


def years_of(batch: Batch) -> np.ndarray:
    """The calendar years of a batch's yearly accounts, from :data:`START_YEAR`."""
    return START_YEAR + np.arange(batch.yearly["total_cost"].shape[0])


def column(arrays: dict[str, np.ndarray], k: int) -> dict[str, np.ndarray]:
    """Sample ``k`` (column ``k``) of every array in ``arrays``."""
    return {name: values[:, k] for name, values in arrays.items()}


#: Kept draws by default: enough that the chance benefits exceed costs has a Monte Carlo
#: standard error of at most 1.6 percentage points (sqrt(0.25 / 1000)).
DEFAULT_KEPT = 1000
#: Latin-hypercube rounds at most, before giving up on finding enough plausible draws.
MAX_ROUNDS = 40


@dataclass(frozen=True)
class PlausibleDraws:
    """Parameter draws kept by history matching.

    Attributes
    ----------
    table : DataFrame
        The kept draws, one column per varied parameter (the central row is not among them).
    drawn : int
        Draws made (:attr:`kept` of them are kept).
    distance : ndarray
        Implausibility of each kept draw (below :data:`CUTOFF`).
    """

    table: pd.DataFrame
    drawn: int
    distance: np.ndarray

    @property
    def kept(self) -> int:
        """Draws kept."""
        return len(self.table)

    def describe(self) -> str:
        """One line for reports."""
        return (
            f"{self.kept:,} draws kept of {self.drawn:,} drawn over the registry ranges, those "
            "whose past matches the national data (history matching, as in `prevsim brief`)"
        )


def plausible_draws(
    baseline: Scenario,
    scenarios: Sequence[Scenario],
    samples: int,
    seed: int,
    targets_path: Path | None,
) -> PlausibleDraws:
    """The uncertainty every command shares: ``samples`` draws kept by history matching.

    Latin hypercubes of ``samples`` draws (seeds ``seed``, ``seed + 1``, ...) are run on the
    baseline's past (to the targets' last year) until ``samples`` of them match the national
    data; the first ``samples`` kept, in draw order, are returned. The same ``samples`` and
    ``seed`` give the same draws to ``prevsim brief`` and ``prevsim ensemble``. Without a
    targets file every draw is kept.

    Raises
    ------
    ValueError
        When fewer than :data:`MIN_PLAUSIBLE` draws are kept after :data:`MAX_ROUNDS` rounds.
    """
    everyone = common_horizon([baseline, *scenarios])
    names = ens.default_varied(everyone[0], "sd", *everyone[1:])
    targets = _load_targets(targets_path)  # once, for every round
    kept, distances, drawn = [], [], 0
    for round_ in range(MAX_ROUNDS):
        table = ens.sample_parameters(names, samples, seed + round_)[names]
        distance = _past_distance(everyone[0], table, targets)
        good = distance < CUTOFF
        kept.append(table[good])
        distances.append(distance[good])
        drawn += samples
        if sum(len(k) for k in kept) >= samples:
            break
    table = pd.concat(kept, ignore_index=True).iloc[:samples]
    distance = np.concatenate(distances)[:samples]
    if len(table) < MIN_PLAUSIBLE:
        raise ValueError(
            f"only {len(table)} of {drawn} draws are consistent with the national data; at "
            f"least {MIN_PLAUSIBLE} are needed"
        )
    return PlausibleDraws(table, drawn, distance)


def past_implausibility(
    baseline: Scenario, table: pd.DataFrame, targets_path: Path | None
) -> np.ndarray:
    """Implausibility of each row of ``table`` on the baseline's past, shape ``(K,)``.

    Only the years of the data are integrated (to the targets file's ``end_year``), saving
    only what the targets read, so a round of draws costs a fraction of a full run.
    """
    return _past_distance(baseline, table, _load_targets(targets_path))


def _load_targets(targets_path: Path | None):
    """The parsed targets file, or None without one."""
    if targets_path is None:
        return None
    from simulation.analysis.targets import load

    return load(targets_path)


def _past_distance(baseline: Scenario, table: pd.DataFrame, targets) -> np.ndarray:
    """:func:`past_implausibility` with the targets file already parsed (zeros without)."""
    if targets is None:
        return np.zeros(len(table))
    from simulation.analysis.targets import predict

    run = replace(baseline.run, resolution="national", end_year=targets.end_year)
    past = replace(baseline, run=run)
    result, params = sd_batch(past, _columns(table), ("stocks", "flows"))
    return distance_to_data(predict(result, params, targets.targets), targets.points)


def distance_to_data(predicted: np.ndarray, points) -> np.ndarray:
    """Second-largest implausibility of each row of ``predicted`` (K, points), shape (K,)."""
    observed = np.array([p.value for p in points])
    sigma = np.array([p.sigma for p in points])
    distance = np.abs(np.log(predicted / observed)) / np.hypot(sigma, DISCREPANCY)
    return np.sort(distance, axis=1)[:, -2]


def common_horizon(scenarios: Sequence[Scenario]) -> list[Scenario]:
    """The scenarios ending in the same year, the earliest of their end years."""
    end_year = min(s.run.end_year for s in scenarios)
    return [replace(s, run=replace(s.run, end_year=end_year)) for s in scenarios]


def central_comparison(batches: Sequence[Batch]) -> cmp.Comparison:
    """The central runs (column 0) as a :class:`compare.Comparison`, for its helpers."""
    accounts = {b.scenario.name: [accounts_frame(b.yearly, 0)] for b in batches}
    params = {b.scenario.name: b.params for b in batches}
    return cmp.Comparison([b.scenario for b in batches], "sd", accounts, params)


def implausibility(base: Batch, targets_path: Path | None) -> np.ndarray:
    """Second-largest implausibility of each sample's baseline against the calibration data.

    Shape ``(K,)``; zeros without a targets file.
    """
    targets = _load_targets(targets_path)
    if targets is None:
        return np.zeros(base.yearly["total_cost"].shape[1])
    from simulation.analysis.targets import predict

    return distance_to_data(predict(base.result, base.params, targets.targets), targets.points)
