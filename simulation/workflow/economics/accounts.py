"""Yearly accounts of a run: spending, care costs, the life course's costs, who pays, outcomes.

From the cumulative integrals an engine saves (costs, flows, family-years, and the agent-based
engine's child counts), national totals per calendar year for every parameter set. The life
course (:mod:`simulation.model.lifecourse`) values each year's exposures at their lifetime
cost, discounted to the year of the exposure: the accounts of a year carry the whole later
life of the children exposed in it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from simulation.engines.results import BLOCKS, EngineResult
from simulation.model import lifecourse as lc
from simulation.model import services as sv
from simulation.model.flows import PLACEMENTS
from simulation.model.services import COST_ITEMS, SERVICES
from simulation.model.states import State
from simulation.model.vocabulary import START_YEAR
from simulation.workflow.economics.exposures import (
    EXPOSURE_COLUMNS,
    VALUED,
    by_year,
    januaries,
    yearly_exposures,
)
from simulation.workflow.tables import children_per_family

CARE = (State.FAMILY_CARE, State.INSTITUTIONAL_CARE)
#: The saved blocks of an SD result that :func:`yearly_arrays` reads: all but the capacity
#: and the graduates.
YEARLY_BLOCKS = tuple(b for b in BLOCKS if b not in ("capacity", "graduates"))
SERVICE_ITEMS = [
    i for i, c in enumerate(COST_ITEMS) if c.split(".")[0] in SERVICES or c == "training"
]
FAMILY_CARE_ITEM = COST_ITEMS.index("family_care")
INSTITUTION_ITEM = COST_ITEMS.index("institutional_care")
#: Where the value of care costs avoided goes in the table by outcome (WSIPP: child welfare).
CHILD_WELFARE = "child_welfare"
#: The deadweight cost of the programme's own extra spending (WSIPP: negative indirect).
PROGRAMME_DEADWEIGHT = "programme_deadweight"
#: Outcomes of the table by outcome and payer, in order.
VALUE_OUTCOMES = (CHILD_WELFARE, *lc.OUTCOMES, PROGRAMME_DEADWEIGHT)

#: Yearly account columns (EUR unless stated).
ACCOUNTS = (
    "service_cost",
    "family_care_cost",
    "institutional_care_cost",
    "lifecourse_cost",
    "indirect_cost",
    "avoidable_cost",
    "service_deadweight",
    "total_cost",
    "state_cost",
    "municipal_cost",
    "placements",
    "children_placed",
    "child_years_in_care",
    "family_years_in_risk",
    "family_years_served",
    "child_years_served",
    "unspent",
    *(c for c in EXPOSURE_COLUMNS if c != "children_placed"),
)
#: Outcomes over the horizon shown per scenario: (column, unit, label).
OUTCOMES = (
    ("total_cost", "EUR", "public cost, undiscounted"),
    ("service_cost", "EUR", "spending on services"),
    ("lifecourse_cost", "EUR", "lifetime cost of the childhoods, discounted to each year"),
    ("placements", "families", "families with children placed"),
    ("children_placed", "children", "children placed"),
    ("child_years_in_care", "child-years", "child-years in care"),
    ("family_years_in_risk", "family-years", "family-years in risk"),
    ("risk_child_years", "child-years", "child-years in a family in difficulty"),
    ("crisis_episodes", "children", "children in a crisis"),
)


def life_column(outcome: str, payer: str) -> str:
    """The yearly account column of one life-course outcome and payer, EUR."""
    return f"life.{outcome}.{payer}"


def lifecourse_arrays(exposures: Mapping[str, np.ndarray], p: Mapping) -> np.ndarray:
    """Lifetime costs of each year's exposures, shape ``(years, K, OUTCOMES, PAYERS)``, EUR.

    Each exposure at its mean age (``lifecourse.age.*``); the ``indirect`` column is the
    deadweight cost of the taxpayers' part.
    """
    values = lc.unit_values(p)  # (E, O, P) or (K, E, O, P)
    counts = np.stack([exposures[VALUED[e]] for e in lc.EXPOSURE_NAMES], axis=-1)
    # one contraction over the exposures, without the (years, K, E, O, P) product in memory
    if values.ndim == 3:
        return np.einsum("yke,eop->ykop", counts, values)
    return np.einsum("yke,keop->ykop", counts, values)


def _money(result: EngineResult, p: Mapping) -> dict[str, np.ndarray]:
    """Spending and care costs per year, and who pays them."""
    jan = januaries(result.times)
    costs = result.saved["costs"].sum(axis=2)  # (T, K, items) cumulative, national
    service = by_year(costs[..., SERVICE_ITEMS].sum(axis=-1), jan)
    family_care = by_year(costs[..., FAMILY_CARE_ITEM], jan)
    institution = by_year(costs[..., INSTITUTION_ITEM], jan)
    state = (
        service * p["state_cofinancing_share"]
        + family_care * p["state_share.family_care"]
        + institution * p["state_share.institutional_care"]
    )
    out = {
        "service_cost": service,
        "family_care_cost": family_care,
        "institutional_care_cost": institution,
        "total_cost": service + family_care + institution,
        "state_cost": state,
        "municipal_cost": service + family_care + institution - state,
    }
    out.update({f"cost.{item}": by_year(costs[..., i], jan) for i, item in enumerate(COST_ITEMS)})
    return out


def _served(result: EngineResult, p: Mapping) -> dict[str, np.ndarray]:
    """Family-years and child-years served, spending and unspent money, per year.

    Totals, and per programme (``served.<programme>``, ``spent.<programme>``,
    ``unspent.<programme>``). A family's children are those of its programme's target state.
    """
    jan = januaries(result.times)
    served = by_year(result.saved["served_years"].sum(axis=2), jan)  # (Y, K, N_PROG)
    spent = by_year(result.saved["programme_costs"].sum(axis=2), jan)
    unspent = by_year(result.saved["unspent"].sum(axis=2), jan)
    kids = children_per_family(p)[..., sv.PROGRAMME_TARGET]  # (N_PROG,) or (K, N_PROG)
    out = {
        "family_years_served": served.sum(axis=-1),
        "child_years_served": (served * kids).sum(axis=-1),
        "unspent": unspent.sum(axis=-1),
    }
    for i, name in enumerate(sv.PROGRAMME_NAMES):
        out[f"served.{name}"] = served[..., i]
        out[f"spent.{name}"] = spent[..., i]
        out[f"unspent.{name}"] = unspent[..., i]
    return out


def yearly_arrays(result: EngineResult, params: dict) -> dict[str, np.ndarray]:
    """Accounts per calendar year for every parameter set of a result.

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
        The :data:`ACCOUNTS` columns, ``life.<outcome>.<payer>`` for every life-course
        outcome and payer, then ``cost.<item>`` for every cost item. Money is EUR at 2024
        prices; life-course costs are discounted to the year of the exposure.
        ``avoidable_cost`` (what prevention can avoid) is care + life course + the deadweight
        cost of their public part; ``service_deadweight`` is that of service spending.
    """
    p = {name: np.asarray(value, float) for name, value in params.items()}
    jan = januaries(result.times)
    flows = result.saved["flows"].sum(axis=2)
    out = _money(result, p)
    out.update(_served(result, p))
    exposures = yearly_exposures(result, p)
    life = lifecourse_arrays(exposures, p)
    dwl = p["deadweight_cost_of_taxation"]
    care = out["family_care_cost"] + out["institutional_care_cost"]
    out["lifecourse_cost"] = life[..., : lc.INDIRECT].sum(axis=(-1, -2))
    out["indirect_cost"] = dwl * care + life[..., lc.INDIRECT].sum(axis=-1)
    out["avoidable_cost"] = care + out["lifecourse_cost"] + out["indirect_cost"]
    out["service_deadweight"] = dwl * out["service_cost"]
    out["placements"] = by_year(flows[..., list(PLACEMENTS)].sum(axis=-1), jan)
    out["child_years_in_care"] = (
        exposures["family_care_child_years"] + exposures["institution_child_years"]
    )
    out["family_years_in_risk"] = by_year(
        result.saved["stock_years"].sum(axis=2)[..., State.RISK], jan
    )
    out.update(exposures)
    for i, outcome in enumerate(lc.OUTCOMES):
        for j, payer in enumerate(lc.PAYERS):
            out[life_column(outcome, payer)] = life[..., i, j]
    order = [*ACCOUNTS, *(k for k in out if k not in ACCOUNTS)]
    return {k: out[k] for k in order}


def yearly_accounts(result: EngineResult, params: dict, k: int = 0) -> pd.DataFrame:
    """Public accounts per calendar year of parameter set ``k``, national.

    A table indexed by year (see :func:`yearly_arrays` for the columns).
    """
    return accounts_frame(yearly_arrays(result, params), k)


def accounts_frame(arrays: dict[str, np.ndarray], k: int = 0) -> pd.DataFrame:
    """Column ``k`` of :func:`yearly_arrays` as a table indexed by calendar year."""
    years = START_YEAR + np.arange(next(iter(arrays.values())).shape[0])
    frame = pd.DataFrame({name: values[:, k] for name, values in arrays.items()})
    frame.insert(0, "year", years)
    return frame.set_index("year")
