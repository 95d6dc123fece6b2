"""Result tables: a monthly time series and a summary, from an engine's output.

Row ``m`` of the time series is calendar month ``m`` (``date`` is its first day): stocks are
at the end of the month, flows and costs are what happened during it (differences of the
exact cumulative integrals), and ``cum.*`` columns are totals from 1 January 2009 to the end
of the month. Column names are stable and documented in :func:`column_glossary`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from simulation.engines.results import EngineResult
from simulation.model.flows import FLOW_INDEX, FLOW_NAMES, FLOWS, PLACEMENTS
from simulation.model.services import COST_ITEMS
from simulation.model.states import LARGE_FAMILY_STATES, STATE_KEYS, STATES, State
from simulation.model.vocabulary import START_YEAR

CARE_KEYS = (State.FAMILY_CARE.key, State.INSTITUTIONAL_CARE.key)
#: Stock outputs of a result: families or children in a state, and children in care.
STOCK_OUTPUTS: tuple[str, ...] = (
    *(f"families.{k}" for k in STATE_KEYS),
    *(f"children.{k}" for k in STATE_KEYS),
    "children.in_care",
)


def children_per_family(params: Mapping[str, float | np.ndarray]) -> np.ndarray:
    """Children per family in each state, shape ``(..., N_STATES)``.

    The shape is ``(N_STATES,)`` for scalar parameters, ``(K, N_STATES)`` for a batch.
    """
    risk = np.asarray(params["children_per_risk_family"], float)
    other = np.asarray(params["children_per_family"], float)
    risk, other = np.broadcast_arrays(risk, other)
    return np.stack([risk if s in LARGE_FAMILY_STATES else other for s in STATES], axis=-1)


def timeseries(result: EngineResult, params: Mapping[str, float], k: int = 0) -> pd.DataFrame:
    """Monthly long-by-municipality table for parameter set ``k`` of a result.

    Parameters
    ----------
    result : EngineResult
        Output of the SD engine with every block saved.
    params : mapping
        Resolved scalar parameter values of set ``k`` (for children per family).
    k : int
        Which parameter set of the batch.
    """
    n_months = len(result.times) - 1
    dates = pd.date_range(f"{START_YEAR}-01-01", periods=n_months, freq="MS")
    kids = children_per_family(params)
    frames = []
    for m, name in enumerate(result.municipalities):
        stocks = result.saved["stocks"][1:, k, m]
        cum_flows = result.saved["flows"][:, k, m]
        cum_costs = result.saved["costs"][:, k, m]
        cols: dict[str, np.ndarray] = {
            "date": dates,
            "t": result.times[:-1],
            "municipality": np.full(n_months, name),
        }
        cols.update({key: stocks[:, i] for i, key in enumerate(STATE_KEYS)})
        if "children" in result.saved:  # the agent-based engine counts each family's children
            children = result.saved["children"][1:, k, m]
        else:
            children = stocks * kids
        cols["families_total"] = stocks.sum(axis=1)
        cols.update({f"children.{key}": children[:, i] for i, key in enumerate(STATE_KEYS)})
        cols["children.in_care"] = sum(cols[f"children.{c}"] for c in CARE_KEYS)
        cols.update({f"flow.{f}": np.diff(cum_flows[:, i]) for i, f in enumerate(FLOW_NAMES)})
        cols.update({f"cum.{f}": cum_flows[1:, i] for i, f in enumerate(FLOW_NAMES)})
        monthly_cost = np.diff(cum_costs, axis=0)
        cols.update({f"cost.{c}": monthly_cost[:, i] for i, c in enumerate(COST_ITEMS)})
        cols["cost.total"] = monthly_cost.sum(axis=1)
        cols["cum.cost.total"] = cum_costs[1:].sum(axis=1)
        frames.append(pd.DataFrame(cols))
    return pd.concat(frames, ignore_index=True)


def national(frame: pd.DataFrame) -> pd.DataFrame:
    """Sum a municipal time series over municipalities (identity for a national one)."""
    numeric = frame.drop(columns=["municipality"]).groupby(["date", "t"], as_index=False).sum()
    return numeric


def summary(result: EngineResult, params: Mapping[str, float], k: int = 0) -> pd.DataFrame:
    """Headline outcomes over the whole horizon, one row each (national totals).

    Columns: ``metric``, ``value``, ``unit``, ``description``.
    """
    kids = children_per_family(params)
    stocks0 = result.saved["stocks"][0, k].sum(axis=0)
    stocks1 = result.final[k][:, : len(STATES)].sum(axis=0)
    flows = result.saved["flows"][-1, k].sum(axis=0)
    years = result.saved["stock_years"][-1, k].sum(axis=0)
    costs = result.saved["costs"][-1, k].sum(axis=0)
    first, last = START_YEAR, START_YEAR + (len(result.times) - 1) // 12 - 1
    span = f"{first}-{last}"
    care = [STATE_KEYS.index(c) for c in CARE_KEYS]
    rows = []

    def add(metric, value, unit, description):
        rows.append(
            {"metric": metric, "value": float(value), "unit": unit, "description": description}
        )

    for i, key in enumerate(STATE_KEYS):
        add(f"families.{key}.start", stocks0[i], "families", f"Families in {key}, 1 Jan {first}")
        add(f"families.{key}.end", stocks1[i], "families", f"Families in {key}, 31 Dec {last}")
    placed = flows[list(PLACEMENTS)].sum()
    if "child_flows" in result.saved:  # the agent-based engine counts each family's children
        children0 = result.saved["children"][0, k].sum(axis=0)
        children1 = result.saved["children"][-1, k].sum(axis=0)
        children_placed = result.saved["child_flows"][-1, k].sum(axis=0)[list(PLACEMENTS)].sum()
        child_years = result.saved["child_years"][-1, k].sum(axis=0)
    else:
        children0, children1 = stocks0 * kids, stocks1 * kids
        children_placed = placed * kids[State.CRISIS]
        child_years = years * kids
    add(
        "children.in_care.start",
        children0[care].sum(),
        "children",
        f"Children in out-of-home care, 1 Jan {first}",
    )
    add(
        "children.in_care.end",
        children1[care].sum(),
        "children",
        f"Children in out-of-home care, 31 Dec {last}",
    )
    add("placements", placed, "families", f"Families whose children were placed, {span}")
    add("children.placed", children_placed, "children", f"Children placed in care, {span}")
    add(
        "child_years.in_care",
        child_years[care].sum(),
        "child-years",
        f"Child-years in out-of-home care, {span}",
    )
    add(
        "child_years.institutional_care",
        child_years[State.INSTITUTIONAL_CARE],
        "child-years",
        f"Child-years in institutions, {span}",
    )
    add("family_years.risk", years[State.RISK], "family-years", f"Family-years in risk, {span}")
    add(
        "family_years.early_support",
        years[State.EARLY_SUPPORT],
        "family-years",
        f"Family-years in early support, {span}",
    )
    entries = flows[[i for i, f in enumerate(FLOWS) if f.source is None]].sum()
    exits = flows[[i for i, f in enumerate(FLOWS) if f.target is None]].sum()
    add("families.entered", entries, "families", f"New families, {span}")
    add(
        "families.exited",
        exits,
        "families",
        f"Families leaving (ageing out, emigration, adoption), {span}",
    )
    for i, item in enumerate(COST_ITEMS):
        add(f"cost.{item}", costs[i], "EUR", f"Public cost of {item}, {span}, undiscounted")
    add("cost.total", costs.sum(), "EUR", f"Total public cost, {span}, undiscounted")
    return pd.DataFrame(rows)


# ---- outputs over time --------------------------------------------------------------------
def stock_series(result: EngineResult, params: Mapping[str, object], output: str) -> np.ndarray:
    """A stock output over time, national, shape ``(T, K)``."""
    stocks = result.saved["stocks"].sum(axis=2)  # (T, K, S)
    kind, _, state = output.partition(".")
    if kind == "children":
        if "children" in result.saved:  # the agent-based engine counts children directly
            stocks = result.saved["children"].sum(axis=2)
        else:
            stocks = stocks * children_per_family(params)[None, ...]
    if state == "in_care":
        return sum(stocks[..., STATE_KEYS.index(k)] for k in CARE_KEYS)
    return stocks[..., STATE_KEYS.index(state)]


#: Counted flows that are a share of an engine flow: name -> (engine flow, share parameter).
#: Short placements are crises resolved without lasting care in which the children spent a few
#: weeks in temporary care: counted as entries into care, never in a year-end stock.
SHARE_FLOWS: dict[str, tuple[str, str]] = {
    "short_placement": ("crisis_resolved", "short_placement_share"),
}
#: Every flow name a targets file may count.
COUNTED_FLOWS: tuple[str, ...] = (*FLOW_NAMES, *SHARE_FLOWS)


def flow_totals(
    result: EngineResult, params: Mapping[str, object], flows: Sequence[str], count: str
) -> np.ndarray:
    """Cumulative sum of ``flows`` from the start, national, shape ``(T, K)``.

    ``flows`` are engine flows or the shares of :data:`SHARE_FLOWS`.
    """
    cum = result.saved["flows"].sum(axis=2)  # (T, K, F)
    kids = children_per_family(params)  # (S,) or (K, S)
    total = 0.0
    for name in flows:
        engine_flow, share = SHARE_FLOWS.get(name, (name, None))
        flow = FLOWS[FLOW_INDEX[engine_flow]]
        series = cum[..., FLOW_INDEX[engine_flow]]
        if share is not None:
            series = series * np.asarray(params[share], float)
        if count == "children":
            series = series * np.asarray(kids)[..., int(flow.source)]
        total = total + series
    return total


# ---- rounding for readers -----------------------------------------------------------------
#: Decimals a reader's copy of a number keeps, by kind of quantity: money to whole euros,
#: counts of children, families and years to a tenth, shares, ratios and rates to 4 decimals,
#: years and decimal times as they are (0 and 4). Anything else keeps 6 significant digits.
#: Copies a program reads back (Parquet, the CSVs of the regression baseline and of the
#: briefing's text, posterior samples, task stores) keep full precision (``docs/exports.md``).
DECIMALS: dict[str, int] = {"money": 0, "count": 1, "share": 4, "year": 0, "time": 4}
SIGNIFICANT = 6
#: The kind of quantity a row is when a table has a ``unit`` column (summaries, key numbers).
UNIT_KINDS: dict[str, str] = {
    "EUR": "money",
    "children": "count",
    "families": "count",
    "child-years": "count",
    "family-years": "count",
    "ratio": "share",
    "share": "share",
    "year": "year",
}
_YEARS = {"year", "base_year", "end_year", "start_year", "price_year", "break_even_year"}
_MONEY = {"npv", "benefits", "costs", "spent", "unspent", "eur", "pv_eur", "net_benefit"}
_STATS = (".mean", ".p05", ".p25", ".median", ".p75", ".p95")
_SHARES = {"bcr", "irr", "share", "chance", "discount_rate", "relative_error"}
_COUNTS = ("placements", "children", "families", "child_years", "family_years", "crisis")


def column_kind(name: str) -> str | None:
    """The kind of quantity column ``name`` holds (a key of :data:`DECIMALS`), or None.

    Told from the name alone: ``*cost*``, ``*eur*`` and the value measures are money;
    counts of children, families, placements and their years are counts; ``bcr``, ``irr``,
    shares and rates are shares; ``year`` columns are years; ``t`` and ``time`` decimal times.
    """
    key = str(name).lower()
    base = key.rsplit(".", 1)[0] if key.endswith(_STATS) else key
    if base in _YEARS:
        return "year"
    if base in ("t", "time"):
        return "time"
    money = base in _MONEY or "cost" in base or "_eur" in base or base.endswith("net_benefit")
    if money or base.startswith(("spent.", "unspent.", "life.")):
        return "money"
    if base in _SHARES or base.endswith(("_share", "_rate", "share")):
        return "share"
    if "_per_" in base:  # a rate per so many children: more digits than a count
        return None
    if base in STATE_KEYS or base.startswith(("flow.", "cum.", "served.")) or base == "runs":
        return "count"
    if any(word in base for word in _COUNTS) or base.endswith("_avoided"):
        return "count"
    return None


def round_values(values: np.ndarray, kind: str | None) -> np.ndarray:
    """``values`` rounded as :data:`DECIMALS` says for ``kind`` (6 significant digits if None)."""
    values = np.asarray(values, float)
    if kind in DECIMALS:
        return np.round(values, DECIMALS[kind]) + 0.0  # + 0.0: no negative zero
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.floor(np.log10(np.abs(values)))
    digits = np.where(np.isfinite(magnitude), SIGNIFICANT - 1 - magnitude, 0).astype(int)
    scale = 10.0 ** digits.clip(-300, 300)
    return np.where(np.isfinite(values), np.round(values * scale) / scale, values) + 0.0


def rounded(
    frame: pd.DataFrame, kinds: Mapping[str, str] | None = None, row_key: str | None = None
) -> pd.DataFrame:
    """A copy of ``frame`` with every number rounded for a reader (:data:`DECIMALS`).

    Columns are rounded by ``kinds`` (column -> kind), else by their name
    (:func:`column_kind`); where neither tells, a table with a ``unit`` column (a summary,
    key numbers) is rounded row by row by that unit (:data:`UNIT_KINDS`), and a table whose
    ``row_key`` column names a measure in each row (``npv``, ``bcr``...) by that name. Whole
    numbers, booleans and text are left as they are.
    """
    out = frame.copy()
    if "unit" in out.columns:
        units = out["unit"].map(UNIT_KINDS)
    elif row_key is not None:
        units = out[row_key].map(column_kind)
    else:
        units = None
    for name in out.columns:
        column = out[name]
        if not pd.api.types.is_float_dtype(column):
            continue
        kind = (kinds if kinds is not None else {}).get(name) or column_kind(name)
        if units is None or kind is not None:
            out[name] = round_values(column.to_numpy(), kind)
            continue
        result = column.to_numpy(float).copy()
        for unit_kind in set(units.dropna()) | {None}:
            rows = (units == unit_kind).to_numpy() if unit_kind else units.isna().to_numpy()
            result[rows] = round_values(result[rows], unit_kind)
        out[name] = result
    return out
