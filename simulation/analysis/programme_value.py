"""The value of one programme bought at a given volume, per family served (WSIPP's row).

A baseline plus one programme funded from a start year for a number of years, enough to serve
a given number of families a year at its central cost; both integrated in one batch over the
uncertainty of the programme's effect sizes and costs (a Latin hypercube over their registry
ranges; column 0 is the central run). Per family served: the cost, the benefits by outcome
and payer (care costs avoided and the life course), the benefit-cost ratio, and the chance
that benefits exceed costs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from simulation.analysis.monte_carlo import column, run_batch, years_of
from simulation.model import services as sv
from simulation.model.catalogue import REGISTRY
from simulation.model.schedule import Change
from simulation.workflow import economics as ec
from simulation.workflow.ensembles import sample_parameters
from simulation.workflow.scenarios import Scenario

#: Years after the funding ends that are still simulated (graduates keep their effect).
AFTER_YEARS = 5


@dataclass
class ProgrammeValue:
    """The value of a programme per family served.

    Attributes
    ----------
    programme : simulation.model.programmes.Programme
    families : float
        Families a year the budget serves at the central cost (concurrently, for an ongoing
        programme).
    budget : float
        Its budget, million EUR a year.
    start, years : int
        First funded year and years of funding.
    discount_rate : float
    draws : DataFrame
        One row per sample (0: central): ``benefits``, ``costs``, ``npv`` (EUR, present value
        to ``start``), ``families_served`` and the sampled parameters.
    by_outcome : DataFrame
        Central benefits per family served by ``outcome`` and ``payer``, EUR.
    """

    programme: object
    families: float
    budget: float
    start: int
    years: int
    discount_rate: float
    draws: pd.DataFrame
    by_outcome: pd.DataFrame

    @property
    def central(self) -> pd.Series:
        """The central run's row of :attr:`draws`."""
        return self.draws.iloc[0]

    @property
    def chance_benefits_exceed_costs(self) -> float:
        """Share of the sampled runs (not the central one) with benefits above costs."""
        drawn = self.draws.iloc[1:]
        return float((drawn["benefits"] > drawn["costs"]).mean()) if len(drawn) else np.nan

    def per_family(self, column_name: str) -> pd.Series:
        """A value per family served, for every draw."""
        return self.draws[column_name] / self.draws["families_served"]


def uncertain(programme) -> list[str]:
    """The programme's parameters with a range to sample (effects, cost, relapse, ...)."""
    names = [n for n in REGISTRY if n.startswith(f"programme.{programme.name}.")]
    return [n for n in names if REGISTRY[n].range[0] < REGISTRY[n].range[1]]


def budget_for(programme, families: float, p: dict) -> float:
    """Million EUR a year that serve ``families`` a year (or at a time, if ongoing)."""
    cost = p[programme.parameter("cost")]
    duration = p[programme.parameter("duration")]
    per_family = cost * duration if duration > 0 else cost
    return families * per_family / 1e6


def value_programme(
    name: str,
    baseline: Scenario,
    families: float,
    start: int = 2027,
    years: int = 10,
    samples: int = 200,
    seed: int = 20261130,
    overrides: dict | None = None,
) -> ProgrammeValue:
    """Value programme ``name`` bought for ``families`` a year, against ``baseline``.

    Parameters
    ----------
    name : str
        A programme of the library.
    baseline : Scenario
        What it is added to.
    families : float
        Families served a year (at a time, for an ongoing programme), at the central cost.
    start, years : int
        First funded year and years of funding (the run goes on :data:`AFTER_YEARS` more).
    samples : int
        Draws over the programme's uncertain parameters (0: the central run only).
    seed : int
    overrides : dict, optional
        Parameter values that replace the registry's and the baseline's (e.g. another cost).

    Raises
    ------
    KeyError
        For an unknown programme (with near matches).
    """
    if name not in sv.PROGRAMME_NAMES:
        raise KeyError(
            REGISTRY.unknown_message(name, sv.PROGRAMME_NAMES).replace("parameter", "programme")
        )
    prog = sv.PROGRAMMES[sv.PROGRAMME_NAMES.index(name)]
    params = {**baseline.params, **(overrides or {})}
    central = REGISTRY.resolve({**params, **baseline.levers})
    budget = budget_for(prog, families, central)
    end = start + years + AFTER_YEARS - 1
    schedule = [
        *baseline.schedule,
        Change(start, {f"budget.{name}": budget}),
        Change(start + years, {f"budget.{name}": 0.0}),
    ]
    run = replace(baseline.run, end_year=end)
    base = replace(baseline, params=params, run=run)
    scen = replace(base, name=f"{baseline.name}+{name}", schedule=schedule)
    names = [n for n in uncertain(prog) if n not in (overrides or {})]
    table = (
        pd.concat(
            [
                pd.DataFrame([{n: central[n] for n in names}]),
                sample_parameters(names, samples, seed),
            ],
            ignore_index=True,
        )[names]
        if names
        else pd.DataFrame(index=range(1))
    )
    base_batch, scen_batch = run_batch(base, table), run_batch(scen, table)
    rate = float(central["discount_rate"])
    draws = _draws(prog, base_batch, scen_batch, table, rate, start)
    by_outcome = _by_outcome(base_batch, scen_batch, rate, start, draws["families_served"].iloc[0])
    return ProgrammeValue(prog, families, budget, start, years, rate, draws, by_outcome)


def _families_served(prog, base, scen, k: int) -> float:
    extra = (
        column(scen.yearly, k)[f"served.{prog.name}"]
        - column(base.yearly, k)[f"served.{prog.name}"]
    )
    duration = float(
        np.asarray(scen.params[prog.parameter("duration")]).reshape(-1)[
            min(k, np.size(scen.params[prog.parameter("duration")]) - 1)
        ]
    )
    family_years = float(np.sum(extra))
    return family_years / duration if duration > 0 else family_years


def _draws(prog, base, scen, table, rate: float, start: int) -> pd.DataFrame:
    years = years_of(base)
    rows = []
    for k in range(len(table)):
        value = ec.value_against(years, column(scen.yearly, k), column(base.yearly, k), rate, start)
        rows.append(
            {
                "benefits": value.benefits,
                "costs": value.costs,
                "npv": value.npv,
                "families_served": _families_served(prog, base, scen, k),
            }
        )
    return pd.concat([pd.DataFrame(rows), table.reset_index(drop=True)], axis=1)


def _by_outcome(base, scen, rate: float, start: int, families: float) -> pd.DataFrame:
    years = years_of(base)
    rows = ec.value_by_outcome(years, column(scen.yearly, 0), column(base.yearly, 0), rate, start)
    frame = pd.DataFrame(rows, columns=["outcome", "payer", "pv_eur"])
    frame["per_family_eur"] = frame["pv_eur"] / families if families > 0 else np.nan
    return frame
