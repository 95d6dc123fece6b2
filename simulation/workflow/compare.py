"""Compare scenarios: yearly public accounts, paired runs, and the value of each scenario
against the first (DESIGN 2.4, issue "Economics ... and scenario comparison").

The system-dynamics engine gives one run per scenario. The agent-based engine gives
``replicates`` runs per scenario; replicate ``r`` of every scenario uses the same seed, so
families meet the same random numbers in every scenario (common random numbers, see
``simulation.model.crn``) and differences are paired. Values are reported as the mean and the 90%
interval (5th and 95th percentiles) over replicates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from simulation.engines.results import EngineResult
from simulation.model.flows import PLACEMENTS
from simulation.model.services import COST_ITEMS, SERVICES
from simulation.model.states import State
from simulation.model.vocabulary import START_YEAR
from simulation.workflow import economics as ec
from simulation.workflow.runner import simulate_scenario
from simulation.workflow.scenarios import Scenario
from simulation.workflow.tables import children_per_family

CARE = (State.FAMILY_CARE, State.INSTITUTIONAL_CARE)
SERVICE_ITEMS = [
    i for i, c in enumerate(COST_ITEMS) if c.split(".")[0] in SERVICES or c == "training"
]
FAMILY_CARE_ITEM = COST_ITEMS.index("family_care")
INSTITUTION_ITEM = COST_ITEMS.index("institutional_care")

#: Yearly account columns (EUR unless stated).
ACCOUNTS = (
    "service_cost",
    "family_care_cost",
    "institutional_care_cost",
    "adversity_cost",
    "avoidable_cost",
    "total_cost",
    "state_cost",
    "municipal_cost",
    "placements",
    "children_placed",
    "child_years_in_care",
    "family_years_in_risk",
)
#: Outcomes over the horizon shown per scenario: (column, unit, label).
OUTCOMES = (
    ("total_cost", "EUR", "public cost, undiscounted"),
    ("service_cost", "EUR", "spending on services"),
    ("placements", "families", "families with children placed"),
    ("children_placed", "children", "children placed"),
    ("child_years_in_care", "child-years", "child-years in care"),
    ("family_years_in_risk", "family-years", "family-years in risk"),
)


def _januaries(times: np.ndarray) -> np.ndarray:
    """Rows of a result saved on 1 January (monthly or yearly saves)."""
    months = np.rint((np.asarray(times) - START_YEAR) * 12).astype(int)
    return np.flatnonzero(months % 12 == 0)


def _by_year(cumulative: np.ndarray, januaries: np.ndarray) -> np.ndarray:
    """Yearly totals from cumulative values (axis 0: time) at the January rows."""
    return np.diff(cumulative[januaries], axis=0)


def yearly_arrays(result: EngineResult, params: dict) -> dict[str, np.ndarray]:
    """Public accounts per calendar year for every parameter set of a result.

    Parameters
    ----------
    result : EngineResult
        Monthly saved blocks ``costs``, ``flows``, ``stock_years`` (and ``child_years``,
        ``child_flows`` from the agent-based engine); K parameter sets.
    params : dict
        Parameter values, scalars or arrays of length K.

    Returns
    -------
    dict of str to ndarray, shape ``(years, K)``
        The :data:`ACCOUNTS` columns, then ``cost.<item>`` for every cost item. Costs are
        EUR at the parameters' prices (:data:`economics.PRICE_YEAR`).
    """
    jan = _januaries(result.times)
    costs = result.saved["costs"].sum(axis=2)  # (T, K, items) cumulative, national
    flows = result.saved["flows"].sum(axis=2)
    years_in = result.saved["stock_years"].sum(axis=2)
    p = {name: np.asarray(value, float) for name, value in params.items()}
    if "child_years" in result.saved:
        child_years = result.saved["child_years"].sum(axis=2)
        child_flows = result.saved["child_flows"].sum(axis=2)
    else:
        kids = children_per_family(p)  # (N_STATES,) or (K, N_STATES)
        child_years = years_in * kids
        child_flows = flows * kids[..., State.CRISIS][..., None]
    service = _by_year(costs[..., SERVICE_ITEMS].sum(axis=-1), jan)
    family_care = _by_year(costs[..., FAMILY_CARE_ITEM], jan)
    institution = _by_year(costs[..., INSTITUTION_ITEM], jan)
    care_years = _by_year(child_years[..., list(CARE)].sum(axis=-1), jan)
    risk_years = _by_year(years_in[..., State.RISK], jan)
    adversity = (
        care_years * p["cost.adversity_per_child_year_in_care"]
        + risk_years * p["cost.adversity_per_family_year_in_risk"]
    )
    state = (
        service * p["state_cofinancing_share"]
        + family_care * p["state_share.family_care"]
        + institution * p["state_share.institutional_care"]
    )
    out = {
        "service_cost": service,
        "family_care_cost": family_care,
        "institutional_care_cost": institution,
        "adversity_cost": adversity,
        "avoidable_cost": family_care + institution + adversity,
        "total_cost": service + family_care + institution,
        "state_cost": state,
        "municipal_cost": service + family_care + institution - state,
        "placements": _by_year(flows[..., list(PLACEMENTS)].sum(axis=-1), jan),
        "children_placed": _by_year(child_flows[..., list(PLACEMENTS)].sum(axis=-1), jan),
        "child_years_in_care": care_years,
        "family_years_in_risk": risk_years,
    }
    out.update({f"cost.{item}": _by_year(costs[..., i], jan) for i, item in enumerate(COST_ITEMS)})
    return out


def yearly_accounts(result: EngineResult, params: dict, k: int = 0) -> pd.DataFrame:
    """Public accounts per calendar year of parameter set ``k``, national, as a table
    indexed by year (see :func:`yearly_arrays` for the columns)."""
    arrays = yearly_arrays(result, params)
    years = START_YEAR + np.arange(next(iter(arrays.values())).shape[0])
    frame = pd.DataFrame({name: values[:, k] for name, values in arrays.items()})
    frame.insert(0, "year", years)
    return frame.set_index("year")


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
        return [s.name for s in self.scenarios]

    @property
    def replicates(self) -> int:
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
            accounts[sc.name].append(yearly_accounts(result, params[sc.name]))
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


def values(comparison: Comparison, rate: float, base_year: int) -> pd.DataFrame:
    """The value of each scenario against the first, per replicate.

    Returns
    -------
    DataFrame
        One row per (scenario, replicate) with the fields of :class:`economics.Value`.
    """
    first = comparison.names[0]
    rows = []
    for name in comparison.names[1:]:
        for r, (ref, other) in enumerate(
            zip(comparison.accounts[first], comparison.accounts[name], strict=True)
        ):
            years = ref.index.to_numpy()
            value = ec.value_against(years, other, ref, rate, base_year)
            rows.append({"scenario": name, "replicate": r, **value.as_dict()})
    frame = pd.DataFrame(rows)
    # None (never breaks even) becomes NaN so that the column summarises numerically
    frame["break_even_year"] = pd.to_numeric(frame["break_even_year"], errors="coerce")
    return frame


def summarise(frame: pd.DataFrame, by: str, columns: Sequence[str]) -> pd.DataFrame:
    """Mean and 90% interval (5th, 95th percentiles) of ``columns`` per ``by``."""
    grouped = frame.groupby(by, sort=False)[list(columns)]
    out = pd.concat(
        {"mean": grouped.mean(), "p05": grouped.quantile(0.05), "p95": grouped.quantile(0.95)},
        axis=1,
    )
    out.columns = [f"{col}.{stat}" for stat, col in out.columns]
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
                    **{col: acc[col].sum() for col, _, _ in OUTCOMES},
                }
            )
    return pd.DataFrame(rows)


def cumulative_net_benefit(comparison: Comparison, rate: float, base_year: int) -> pd.DataFrame:
    """Cumulative discounted net benefit of each scenario against the first, by year
    (mean over replicates), EUR."""
    first = comparison.mean_accounts(comparison.names[0])
    years = first.index.to_numpy()
    factors = ec.discount_factors(years, rate, base_year)
    out = {}
    for name in comparison.names[1:]:
        other = comparison.mean_accounts(name)
        benefits, costs = ec.benefits_and_costs(other, first)
        net = benefits - costs
        out[name] = np.cumsum(net * factors)
    frame = pd.DataFrame(out, index=first.index)
    frame.attrs["reference"] = comparison.names[0]
    return frame
