"""Discounting: present values, net present value, ratio, internal rate of return, break-even.

Pure functions on yearly arrays. Years are calendar years; a flow of year ``y`` is discounted
to the start of the base year ``y0`` by ``(1 + r) ** -(y - y0)`` (end-of-year timing would
multiply every figure by ``1 / (1 + r)``: state which one you use; we use the start of each
year, as WSIPP does for programme costs).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq


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
