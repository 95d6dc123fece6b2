"""Run a scenario with an engine and build its tables.

This is the glue between scenario files, engines and tables; writing a run's folder (with its
chart) is :func:`simulation.reports.run.write_run`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simulation.engines.results import EngineResult
from simulation.engines.sd import SDModel
from simulation.model.catalogue import REGISTRY
from simulation.model.demography import country_demography
from simulation.workflow import tables
from simulation.workflow.scenarios import Scenario

if TYPE_CHECKING:  # the agent-based engine (Mesa) is imported only when it runs
    from simulation.engines.abm import AbmSettings


@dataclass
class RunResult:
    """Everything one scenario run produced, before anything is written.

    Attributes
    ----------
    scenario : Scenario
        What ran (with the run settings it ran with).
    params : dict
        Every parameter value it ran with.
    result : EngineResult
        The engine's output.
    timeseries : DataFrame
        One row per month (and municipality): stocks, children, flows, costs
        (:func:`simulation.workflow.tables.timeseries`).
    summary : DataFrame
        Headline outcomes over the horizon (``metric``, ``value``, ``unit``,
        ``description``).
    """

    scenario: Scenario
    params: dict[str, float]
    result: EngineResult
    timeseries: pd.DataFrame
    summary: pd.DataFrame

    @property
    def national(self) -> pd.DataFrame:
        """The time series summed over municipalities."""
        return tables.national(self.timeseries)

    def metric(self, name: str) -> float:
        """One value of :attr:`summary`, e.g. ``metric("children.placed")``."""
        return float(self.summary.set_index("metric").loc[name, "value"])

    def accounts(self) -> pd.DataFrame:
        """Public accounts per calendar year.

        See :func:`simulation.workflow.economics.yearly_accounts`.
        """
        from simulation.workflow.economics import yearly_accounts

        return yearly_accounts(self.result, self.params)

    def headline(self) -> str:
        """Children placed, child-years in care and public cost, in one line."""
        return (
            f"{self.scenario.name}: {self.metric('children.placed'):,.0f} children placed, "
            f"{self.metric('child_years.in_care'):,.0f} child-years in care, "
            f"{self.metric('cost.total') / 1e6:,.1f} million EUR public cost (undiscounted); "
            f"{self.scenario.run.engine}, {self.scenario.run.resolution}"
        )

    def __str__(self) -> str:
        return self.headline()

    def __repr__(self) -> str:
        run = self.scenario.run
        return (
            f"RunResult({self.scenario.name!r}, engine={run.engine!r}, "
            f"resolution={run.resolution!r}, 2009-{run.end_year}: {self.headline()})"
        )


def with_overrides(
    scenario: Scenario,
    resolution: str | None = None,
    engine: str | None = None,
    seed: int | None = None,
    scale: float | None = None,
) -> Scenario:
    """The scenario with command-line overrides of its ``[run]`` settings."""
    changes = {"resolution": resolution, "engine": engine, "seed": seed, "scale": scale}
    run = replace(scenario.run, **{k: v for k, v in changes.items() if v is not None})
    return replace(scenario, run=run)


def abm_settings(scenario: Scenario) -> AbmSettings:
    """The agent-based engine's settings from a scenario's ``[run]`` and ``[policy]``."""
    from simulation.engines.abm import AbmSettings

    same = ("end_year", "seed", "heterogeneity", "scale")  # fields named as in [run]
    run = {name: getattr(scenario.run, name) for name in same}
    return AbmSettings(allocation_rule=scenario.allocation_rule, **run)


def simulate_scenario(scenario: Scenario, progress: bool = False) -> EngineResult:
    """Run a resolved scenario with its engine; national totals (rescaled for the ABM)."""
    if scenario.run.engine == "abm":
        from simulation.engines.abm import FamilyWelfareModel

        model = FamilyWelfareModel(
            scenario.params,
            scenario.levers,
            scenario.schedule,
            settings=abm_settings(scenario),
            demography=country_demography(scenario.run.country),
        )
        return model.run(progress=progress).result(scenario.run.resolution, rescale=True)
    return sd_model(scenario).run()


def sd_model(scenario: Scenario, params: dict | None = None) -> SDModel:
    """The SD engine set up for a scenario.

    ``params``, when given, replaces its ``[params]`` (for instance with batched values).
    """
    run = scenario.run
    return SDModel(
        params=scenario.params if params is None else params,
        levers=scenario.levers,
        schedule=scenario.schedule,
        resolution=run.resolution,
        end_year=run.end_year,
        steps_per_month=run.steps_per_month,
        demography=country_demography(run.country),
    )


def sd_batch(
    scenario: Scenario, sampled: dict[str, np.ndarray], save: tuple[str, ...], every: int = 1
) -> tuple[EngineResult, dict]:
    """Integrate ``scenario`` once for a batch of parameter sets on the SD engine.

    ``sampled`` maps parameter names to arrays of length K (one column per set). Returns the
    result (saving the blocks ``save`` every ``every`` months) and the resolved parameters it
    ran with, arrays where sampled.
    """
    result = sd_model(scenario, {**scenario.params, **sampled}).run(save, every=every)
    return result, REGISTRY.resolve({**scenario.params, **scenario.levers, **sampled})


def run_scenario(scenario: Scenario, progress: bool = False) -> RunResult:
    """Run a resolved scenario and build its tables (no I/O)."""
    result = simulate_scenario(scenario, progress=progress)
    params = scenario.resolved_parameters()
    return RunResult(
        scenario=scenario,
        params=params,
        result=result,
        timeseries=tables.timeseries(result, params),
        summary=tables.summary(result, params),
    )
