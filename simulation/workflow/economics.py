"""Costs, discounting and the value of a scenario against a baseline (DESIGN 2.4).

Pure functions on yearly arrays: no I/O, no engines. Money is EUR at the price year of the
parameters (:data:`PRICE_YEAR`); years are calendar years; a flow of year ``y`` is
discounted to the start of the base year ``y0`` by ``(1 + r) ** -(y - y0)`` (end-of-year
timing would multiply every figure by ``1 / (1 + r)``: state which one you use, we use the
start of each year, as WSIPP does for programme costs).

The value of an intervention follows the Washington State Institute for Public Policy
(WSIPP) accounting: benefits are avoided costs (care, risk, long-term adversity) of the
baseline minus those of the scenario; costs are the extra spending on services; the net
present value is benefits minus costs; the benefit-cost ratio is benefits / costs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
from scipy.optimize import brentq

CURRENCY = "EUR"
PRICE_YEAR = 2024
NEGLIGIBLE_COST_SHARE = 1e-6  # extra costs below this share of service spending count as 0


def discount_factors(years: np.ndarray, rate: float, base_year: int | None = None) -> np.ndarray:
    """``(1 + rate) ** -(year - base_year)`` for each year (base: the first year).

    Parameters
    ----------
    years : array of int
        Calendar years.
    rate : float
        Annual discount rate (0.03 = 3%), > -1.
    base_year : int, optional
        Year whose flows are not discounted.
    """
    if rate <= -1:
        raise ValueError(f"discount rate must be > -1, got {rate}")
    years = np.asarray(years, float)
    base = years[0] if base_year is None else base_year
    return (1.0 + rate) ** -(years - base)


def present_value(flows: np.ndarray, years: np.ndarray, rate: float, base_year=None) -> float:
    """Discounted sum of yearly ``flows`` (EUR)."""
    return float(np.sum(np.asarray(flows, float) * discount_factors(years, rate, base_year)))


def npv(benefits, costs, years, rate: float, base_year=None) -> float:
    """Net present value: present value of ``benefits - costs`` (EUR)."""
    return present_value(np.asarray(benefits) - np.asarray(costs), years, rate, base_year)


def benefit_cost_ratio(benefits, costs, years, rate: float, base_year=None) -> float:
    """Present value of benefits / present value of costs (``nan`` if costs are not > 0)."""
    pv_costs = present_value(costs, years, rate, base_year)
    if pv_costs <= 0:
        return float("nan")
    return present_value(benefits, years, rate, base_year) / pv_costs


def irr(net: np.ndarray, years: np.ndarray, low: float = -0.99, high: float = 10.0) -> float:
    """Internal rate of return: the rate at which the present value of ``net`` is zero.

    Returns ``nan`` when the net flows do not change sign, or no root lies in
    ``[low, high]`` (several sign changes can give several roots; the one found by
    bracketing from ``low`` is returned).
    """
    net = np.asarray(net, float)
    if not (np.any(net > 0) and np.any(net < 0)):
        return float("nan")

    def pv(rate: float) -> float:
        return present_value(net, years, rate)

    grid = np.concatenate(
        [np.linspace(low, 0.0, 50, endpoint=False), np.geomspace(1e-6, high, 200)]
    )
    values = np.array([pv(r) for r in grid])
    changes = np.flatnonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0)
    if not changes.size:
        return float("nan")
    i = changes[-1] if values[0] < 0 else changes[0]
    return float(brentq(pv, grid[i], grid[i + 1], xtol=1e-12))


def break_even_year(net: np.ndarray, years: np.ndarray, rate: float, base_year=None):
    """First year from which the cumulative discounted net benefit stays >= 0.

    Returns ``None`` if it never does within the horizon (or is negative at the end).
    """
    cumulative = np.cumsum(np.asarray(net, float) * discount_factors(years, rate, base_year))
    if cumulative[-1] < 0:
        return None
    negative = np.flatnonzero(cumulative < 0)
    index = 0 if not negative.size else negative[-1] + 1
    return int(np.asarray(years)[index])


def benefits_and_costs(scenario, baseline) -> tuple[np.ndarray, np.ndarray]:
    """WSIPP accounting of a scenario against a baseline, per year.

    Benefits are the baseline's avoidable costs (care, adversity) minus the scenario's;
    costs are the scenario's service spending minus the baseline's. Works on mappings of
    yearly arrays (any trailing batch axis) or table columns.
    """
    benefits = np.asarray(baseline["avoidable_cost"]) - np.asarray(scenario["avoidable_cost"])
    costs = np.asarray(scenario["service_cost"]) - np.asarray(baseline["service_cost"])
    return benefits, costs


@dataclass(frozen=True)
class WsippRow:
    """A WSIPP benefit-cost row: present values per participant, base-year dollars."""

    taxpayers: float
    participants: float
    others: float
    indirect: float
    total: float
    net_cost: float
    ratio: float

    def total_from_parts(self) -> float:
        """Taxpayers + participants + others + indirect."""
        return self.taxpayers + self.participants + self.others + self.indirect

    def ratio_from_parts(self) -> float:
        """Total benefits / net cost."""
        return self.total / self.net_cost


@dataclass(frozen=True)
class Value:
    """The value of a scenario against a baseline (EUR at :data:`PRICE_YEAR` prices).

    Attributes
    ----------
    npv : float
        Present value of benefits minus costs.
    benefits, costs : float
        Present values of avoided costs and of extra spending.
    bcr : float
        Benefit-cost ratio (``nan`` when extra spending is negligible or negative).
    irr : float
        Internal rate of return of the net flows (``nan`` when undefined).
    break_even_year : int or None
        First year from ``base_year`` on from which the cumulative discounted net benefit
        stays >= 0 (``base_year`` itself when nothing is spent up front).
    placements_avoided, child_years_in_care_avoided : float
        Baseline minus scenario, over the horizon.
    cost_per_placement_avoided : float
        Present value of extra spending / placements avoided (``nan`` if none avoided).
    discount_rate : float
    base_year, end_year : int
    currency : str
    price_year : int
    """

    npv: float
    benefits: float
    costs: float
    bcr: float
    irr: float
    break_even_year: int | None
    placements_avoided: float
    child_years_in_care_avoided: float
    cost_per_placement_avoided: float
    discount_rate: float
    base_year: int
    end_year: int
    currency: str = CURRENCY
    price_year: int = PRICE_YEAR

    def as_dict(self) -> dict:
        return asdict(self)


def value_against(
    years: np.ndarray,
    scenario: Mapping[str, np.ndarray],
    baseline: Mapping[str, np.ndarray],
    rate: float,
    base_year: int | None = None,
) -> Value:
    """The value of ``scenario`` against ``baseline`` from their yearly totals.

    Parameters
    ----------
    years : array of int
        Calendar years of the yearly arrays.
    scenario, baseline : mapping
        Yearly arrays ``service_cost`` (EUR spent on services), ``avoidable_cost`` (EUR:
        care, risk and long-term adversity costs, the ones prevention can avoid),
        ``placements`` and ``child_years_in_care``.
    rate : float
        Annual discount rate.
    base_year : int, optional
        Year to which values are discounted (default: the first year).
    """
    years = np.asarray(years)
    benefits, costs = benefits_and_costs(scenario, baseline)
    net = benefits - costs
    base = int(years[0]) if base_year is None else base_year
    pv_costs = present_value(costs, years, rate, base)
    # A scenario that spends (almost) nothing extra, e.g. the same money rebalanced, has no
    # meaningful benefit-cost ratio: below a millionth of its service spending, costs count
    # as zero.
    spending = present_value(np.asarray(scenario["service_cost"]), years, rate, base)
    negligible = pv_costs <= NEGLIGIBLE_COST_SHARE * abs(spending)
    from_base = years >= base
    avoided = float(np.sum(baseline["placements"]) - np.sum(scenario["placements"]))
    return Value(
        npv=npv(benefits, costs, years, rate, base),
        benefits=present_value(benefits, years, rate, base),
        costs=pv_costs,
        bcr=float("nan") if negligible else benefit_cost_ratio(benefits, costs, years, rate, base),
        irr=irr(net[from_base], years[from_base]),
        break_even_year=break_even_year(net[from_base], years[from_base], rate, base),
        placements_avoided=avoided,
        child_years_in_care_avoided=float(
            np.sum(baseline["child_years_in_care"]) - np.sum(scenario["child_years_in_care"])
        ),
        cost_per_placement_avoided=(
            pv_costs / avoided if avoided > 0 and not negligible else float("nan")
        ),
        discount_rate=rate,
        base_year=base,
        end_year=int(years[-1]),
    )
