"""Compare scenarios.

Yearly public accounts, paired runs, and the value of each scenario against the first
(DESIGN 2.4, issue "Economics ... and scenario comparison").

The system-dynamics engine gives one run per scenario. The agent-based engine gives
``replicates`` runs per scenario; replicate ``r`` of every scenario uses the same seed, so
families meet the same random numbers in every scenario (common random numbers, see
``simulation.model.crn``) and differences are paired. Values are reported as the central run
(SD) or the median and the 90% interval (5th and 95th percentiles) over replicates (ABM), with
the number of runs and the Monte Carlo error (:mod:`simulation.workflow.uncertainty`).

Placements are counted in children (:func:`children_placed_avoided`, the count every output
shows); the count of families whose children are placed is ``placements_avoided`` of
:class:`economics.Value`, labelled as families wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from simulation.workflow import economics as ec
from simulation.workflow import uncertainty as unc
from simulation.workflow.runner import simulate_scenario
from simulation.workflow.scenarios import Scenario


@dataclass
class Comparison:
    """Yearly accounts of every scenario and replicate.

    Attributes
    ----------
    scenarios : list of Scenario
    engine : str
    accounts : dict of str to list of DataFrame
        Per scenario name, one yearly account per replicate.
    params : dict of str to dict
        Resolved parameters per scenario (for the economics parameters).
    """

    scenarios: list[Scenario]
    engine: str
    accounts: dict[str, list[pd.DataFrame]]
    params: dict[str, dict]

    @property
    def names(self) -> list[str]:
        """Scenario names, in order; the first is the reference."""
        return [s.name for s in self.scenarios]

    @property
    def replicates(self) -> int:
        """Number of replicates per scenario."""
        return len(self.accounts[self.names[0]])

    def mean_accounts(self, name: str) -> pd.DataFrame:
        """Yearly accounts averaged over replicates."""
        runs = self.accounts[name]
        return sum(runs[1:], runs[0]) / len(runs)


def run_comparison(
    scenarios: Sequence[Scenario],
    engine: str = "sd",
    replicates: int = 1,
    seed: int | None = None,
    scale: float | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> Comparison:
    """Run every scenario (and replicate) with paired random numbers.

    Parameters
    ----------
    scenarios : sequence of Scenario
        The first is the reference.
    engine : {"sd", "abm"}
    replicates : int
        Runs per scenario (the SD engine is deterministic: 1).
    seed : int, optional
        Root seed; replicate ``r`` runs every scenario with ``seed + r`` (default: the first
        scenario's ``[run] seed``).
    scale : float, optional
        Agent-based engine: share of families simulated (results rescaled).
    """
    if engine == "sd":
        replicates = 1
    root = scenarios[0].run.seed if seed is None else seed
    accounts: dict[str, list[pd.DataFrame]] = {s.name: [] for s in scenarios}
    params = {s.name: s.resolved_parameters() for s in scenarios}
    if len(accounts) != len(scenarios):
        raise ValueError("scenario names must differ: " + ", ".join(s.name for s in scenarios))
    end = min(s.run.end_year for s in scenarios)
    for r in range(replicates):
        for sc in scenarios:
            run = replace(
                sc.run,
                engine=engine,
                seed=root + r,
                end_year=end,
                resolution="national",
                scale=scale or sc.run.scale,
            )
            progress(f"{sc.name}: replicate {r + 1} of {replicates}")
            result = simulate_scenario(replace(sc, run=run))
            accounts[sc.name].append(ec.yearly_accounts(result, params[sc.name]))
    return Comparison(list(scenarios), engine, accounts, params)


def first_difference_year(comparison: Comparison) -> int:
    """First year in which any scenario's accounts differ from the first scenario's."""
    reference = comparison.accounts[comparison.names[0]]
    years = reference[0].index
    for year in years:
        for name in comparison.names[1:]:
            for ref, other in zip(reference, comparison.accounts[name], strict=True):
                if not np.allclose(ref.loc[year], other.loc[year], rtol=1e-12, atol=1e-9):
                    return int(year)
    return int(years[0])


def pairs(comparison: Comparison):
    """The paired accounts to value: every scenario after the first, every replicate.

    Yields ``(name, replicate, reference accounts, scenario accounts)``.
    """
    first = comparison.accounts[comparison.names[0]]
    for name in comparison.names[1:]:
        for r, (ref, other) in enumerate(zip(first, comparison.accounts[name], strict=True)):
            yield name, r, ref, other


def children_placed_avoided(scenario, baseline):
    """Children placed in care avoided: the baseline's minus the scenario's, over the horizon.

    The one definition of "placements avoided" that every output shows (children entering
    family-based or institutional care, summed over the years of the accounts).

    Parameters
    ----------
    scenario, baseline : mapping
        Yearly accounts with a ``children_placed`` column or array (children a year), years
        on the first axis; a trailing axis (parameter sets of a batch) is kept.

    Returns
    -------
    float or ndarray
        Children; one value per parameter set for arrays with a trailing axis.
    """
    avoided = np.sum(np.asarray(baseline["children_placed"], float), axis=0) - np.sum(
        np.asarray(scenario["children_placed"], float), axis=0
    )
    return float(avoided) if np.ndim(avoided) == 0 else avoided


def values(comparison: Comparison, rate: float, base_year: int) -> pd.DataFrame:
    """The value of each scenario against the first, per replicate.

    Returns
    -------
    DataFrame
        One row per (scenario, replicate) with the fields of :class:`economics.Value`
        (``placements_avoided`` counts families) and ``children_placed_avoided``
        (:func:`children_placed_avoided`, children).
    """
    rows = []
    for name, r, ref, other in pairs(comparison):
        value = ec.value_against(ref.index.to_numpy(), other, ref, rate, base_year)
        rows.append(
            {
                "scenario": name,
                "replicate": r,
                **value.as_dict(),
                "children_placed_avoided": children_placed_avoided(other, ref),
            }
        )
    frame = pd.DataFrame(rows)
    # None (never breaks even) becomes NaN so that the column summarises numerically
    frame["break_even_year"] = pd.to_numeric(frame["break_even_year"], errors="coerce")
    return frame


def value_by_outcome(comparison: Comparison, rate: float, base_year: int) -> pd.DataFrame:
    """Present value of the benefits of each scenario by outcome and payer, per replicate.

    Returns
    -------
    DataFrame
        Columns ``scenario``, ``replicate``, ``outcome``, ``payer``, ``pv_eur``; per scenario
        and replicate the rows add up to the benefits of :func:`values`.
    """
    rows = []
    for name, r, ref, other in pairs(comparison):
        years = ref.index.to_numpy()
        for outcome, payer, pv in ec.value_by_outcome(years, other, ref, rate, base_year):
            rows.append((name, r, outcome, payer, pv))
    return pd.DataFrame(rows, columns=["scenario", "replicate", "outcome", "payer", "pv_eur"])


def served(comparison: Comparison) -> pd.DataFrame:
    """Extra family-years and child-years of service of each scenario over the first.

    Means over replicates; one row per scenario after the first.
    """
    first = comparison.mean_accounts(comparison.names[0])
    rows = []
    for name in comparison.names[1:]:
        acc = comparison.mean_accounts(name)
        rows.append(
            {
                "scenario": name,
                "extra_family_years_served": float(
                    (acc["family_years_served"] - first["family_years_served"]).sum()
                ),
                "extra_child_years_served": float(
                    (acc["child_years_served"] - first["child_years_served"]).sum()
                ),
            }
        )
    return pd.DataFrame(rows)


def summarise(frame: pd.DataFrame, by: str, columns: Sequence[str]) -> pd.DataFrame:
    """The spread of ``columns`` per ``by`` (:func:`simulation.workflow.uncertainty.spread`).

    Columns ``<col>.<stat>`` for the stats ``mean``, ``median``, ``p05``, ``p95`` (the 90%
    interval), ``runs`` (rows with a value) and ``se`` (Monte Carlo standard error of the
    mean). With one row per group (the SD engine) every stat is that run's value (``se`` 0).
    """
    stats = ("mean", "median", "p05", "p95", "runs", "se")
    rows = {}
    for key, group in frame.groupby(by, sort=False):
        row = {}
        for col in columns:
            sp = unc.spread(pd.to_numeric(group[col], errors="coerce").to_numpy(float))
            found = (sp.mean, sp.median, sp.p05, sp.p95, sp.runs, sp.standard_error)
            row.update({f"{col}.{stat}": v for stat, v in zip(stats, found, strict=True)})
        rows[key] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = by
    return out


def outcomes(comparison: Comparison) -> pd.DataFrame:
    """Horizon totals per scenario and replicate (one row each)."""
    rows = []
    for name in comparison.names:
        for r, acc in enumerate(comparison.accounts[name]):
            rows.append(
                {
                    "scenario": name,
                    "replicate": r,
                    **{col: acc[col].sum() for col, _, _ in ec.OUTCOMES},
                }
            )
    return pd.DataFrame(rows)


def cumulative_net_benefit(comparison: Comparison, rate: float, base_year: int) -> pd.DataFrame:
    """Cumulative discounted net benefit of each scenario against the first, by year.

    Values are the mean over replicates, in EUR.
    """
    first = comparison.mean_accounts(comparison.names[0])
    years = first.index.to_numpy()
    out = {
        name: ec.cumulative_net_benefit(
            comparison.mean_accounts(name), first, years, rate, base_year
        )
        for name in comparison.names[1:]
    }
    frame = pd.DataFrame(out, index=first.index)
    frame.attrs["reference"] = comparison.names[0]
    return frame
