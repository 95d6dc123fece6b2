"""Yearly public accounts of a run: spending, care and adversity costs, who pays, outcomes.

From the cumulative integrals an engine saves (costs, flows, family-years, and the agent-based
engine's child counts), national totals per calendar year for every parameter set.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.engines.results import EngineResult
from simulation.model.flows import PLACEMENTS
from simulation.model.services import COST_ITEMS, SERVICES
from simulation.model.states import State
from simulation.model.vocabulary import START_YEAR
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
    """Public accounts per calendar year of parameter set ``k``, national.

    A table indexed by year (see :func:`yearly_arrays` for the columns).
    """
    arrays = yearly_arrays(result, params)
    years = START_YEAR + np.arange(next(iter(arrays.values())).shape[0])
    frame = pd.DataFrame({name: values[:, k] for name, values in arrays.items()})
    frame.insert(0, "year", years)
    return frame.set_index("year")
