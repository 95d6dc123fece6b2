"""What the children of a run live through, per calendar year: the life course's exposures.

From an engine's cumulative blocks: child-years in a family in difficulty (the risk and
crisis states), crisis episodes (the proxy for substantiated maltreatment), placements,
child-years in family-based and institutional care, and how care ends. The agent-based engine
counts each family's own children; the system-dynamics engine multiplies families by the
children per family of the state a flow leaves.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from simulation.engines.results import EngineResult
from simulation.model.flows import FLOW_INDEX, FLOWS
from simulation.model.lifecourse import EXPOSURE_NAMES
from simulation.model.states import State
from simulation.model.vocabulary import START_YEAR
from simulation.workflow.tables import children_per_family

#: Exposure columns per year (children or child-years), the valued ones first.
EXPOSURE_COLUMNS = (
    "risk_child_years",
    "crisis_episodes",
    "children_placed",
    "institution_child_years",
    "family_care_child_years",
    "children_reunified",
    "children_left_care",
)
#: The column counting each exposure the life course values, in lifecourse.EXPOSURES order.
VALUED = dict(zip(EXPOSURE_NAMES, EXPOSURE_COLUMNS[:4], strict=True))
IN_DIFFICULTY = (State.RISK, State.CRISIS)
_FLOWS = {
    "crisis_episodes": ("risk_to_crisis",),
    "children_placed": ("placement_family", "placement_institution"),
    "children_reunified": ("reunification_family", "reunification_institution"),
    "children_left_care": ("leaving_family_care", "leaving_institution"),
}


def januaries(times: np.ndarray) -> np.ndarray:
    """Rows of a result saved on 1 January (monthly or yearly saves)."""
    months = np.rint((np.asarray(times) - START_YEAR) * 12).astype(int)
    return np.flatnonzero(months % 12 == 0)


def by_year(cumulative: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Yearly totals from cumulative values (axis 0: time) at the January rows."""
    return np.diff(cumulative[rows], axis=0)


def child_counts(result: EngineResult, p: Mapping) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative national child-years by state and children moved by each flow.

    Returns arrays of shape ``(T, K, N_STATES)`` and ``(T, K, N_FLOWS)``.
    """
    if "child_years" in result.saved:
        return (
            result.saved["child_years"].sum(axis=2),
            result.saved["child_flows"].sum(axis=2),
        )
    kids = children_per_family(p)  # (N_STATES,) or (K, N_STATES)
    source = [State.WELLBEING if f.source is None else f.source for f in FLOWS]
    years = result.saved["stock_years"].sum(axis=2) * kids
    flows = result.saved["flows"].sum(axis=2) * kids[..., source]
    return years, flows


def valued_counts(child_years: np.ndarray, child_flows: np.ndarray) -> np.ndarray:
    """The valued exposures from child-years by state and children moved by each flow.

    Parameters
    ----------
    child_years : ndarray, shape ``(..., N_STATES)``
    child_flows : ndarray, shape ``(..., N_FLOWS)``
        Cumulative or per period, any leading shape.

    Returns
    -------
    ndarray, shape ``(..., len(EXPOSURE_NAMES))``
        In :data:`simulation.model.lifecourse.EXPOSURES` order.
    """
    columns = {
        "risk_child_years": child_years[..., list(IN_DIFFICULTY)].sum(-1),
        "crisis_episodes": child_flows[..., [FLOW_INDEX[n] for n in _FLOWS["crisis_episodes"]]].sum(
            -1
        ),
        "children_placed": child_flows[..., [FLOW_INDEX[n] for n in _FLOWS["children_placed"]]].sum(
            -1
        ),
        "institution_child_years": child_years[..., State.INSTITUTIONAL_CARE],
    }
    return np.stack([columns[VALUED[e]] for e in EXPOSURE_NAMES], axis=-1)


def yearly_exposures(result: EngineResult, p: Mapping) -> dict[str, np.ndarray]:
    """The :data:`EXPOSURE_COLUMNS` per calendar year, each of shape ``(years, K)``."""
    rows = januaries(result.times)
    years, flows = child_counts(result, p)
    out = {
        "risk_child_years": by_year(years[..., list(IN_DIFFICULTY)].sum(-1), rows),
        "institution_child_years": by_year(years[..., State.INSTITUTIONAL_CARE], rows),
        "family_care_child_years": by_year(years[..., State.FAMILY_CARE], rows),
    }
    for column, names in _FLOWS.items():
        index = [FLOW_INDEX[n] for n in names]
        out[column] = by_year(flows[..., index].sum(-1), rows)
    return {c: out[c] for c in EXPOSURE_COLUMNS}
