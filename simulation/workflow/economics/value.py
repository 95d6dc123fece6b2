"""The value of a scenario against a baseline (DESIGN 2.4).

Pure functions on yearly arrays: no I/O, no engines. Money is EUR at the price year of the
parameters (:data:`PRICE_YEAR`), discounted as in :mod:`.discounting`.

The value of an intervention follows the Washington State Institute for Public Policy
(WSIPP) accounting: benefits are avoided costs (care, risk, long-term adversity) of the
baseline minus those of the scenario; costs are the extra spending on services; the net
present value is benefits minus costs; the benefit-cost ratio is benefits / costs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np

from simulation.model import lifecourse as lc
from simulation.workflow.economics import discounting as dc

CURRENCY = "EUR"
PRICE_YEAR = 2024
NEGLIGIBLE_COST_SHARE = 1e-6  # extra costs below this share of service spending count as 0


def benefits_and_costs(scenario, baseline) -> tuple[np.ndarray, np.ndarray]:
    """WSIPP accounting of a scenario against a baseline, per year.

    Benefits are the baseline's avoidable costs (care, the life course, the deadweight cost of
    their public part) minus the scenario's, less the deadweight cost of the scenario's extra
    service spending (WSIPP counts it as a negative indirect benefit); costs are the scenario's
    service spending minus the baseline's. Works on mappings of yearly arrays (any trailing
    batch axis) or table columns; ``service_deadweight`` may be absent (counted as 0).
    """
    benefits = np.asarray(baseline["avoidable_cost"]) - np.asarray(scenario["avoidable_cost"])
    if "service_deadweight" in scenario and "service_deadweight" in baseline:
        benefits = benefits - (
            np.asarray(scenario["service_deadweight"]) - np.asarray(baseline["service_deadweight"])
        )
    costs = np.asarray(scenario["service_cost"]) - np.asarray(baseline["service_cost"])
    return benefits, costs


def value_by_outcome(
    years: np.ndarray, scenario, baseline, rate: float, base_year: int
) -> list[tuple[str, str, float]]:
    """Present value of the benefits by outcome and payer (WSIPP's detailed benefits).

    Parameters
    ----------
    years : array of int
        Calendar years of the yearly arrays.
    scenario, baseline : mapping
        Yearly accounts (:func:`~simulation.workflow.economics.accounts.yearly_arrays` columns
        of one parameter set): ``family_care_cost``, ``institutional_care_cost``,
        ``indirect_cost``, ``service_deadweight`` and ``life.<outcome>.<payer>``.
    rate : float
        Annual discount rate to ``base_year``.
    base_year : int
        Year discounted to.

    Returns
    -------
    list of (outcome, payer, EUR)
        Child welfare (care costs avoided), each life-course outcome, and the deadweight cost
        of the extra spending; they add up to the benefits of :func:`value_against`.
    """

    def pv(column_of) -> float:
        return dc.present_value(column_of(baseline) - column_of(scenario), years, rate, base_year)

    def col(name):
        return lambda m: np.asarray(m[name], float)

    def care(m):
        return np.asarray(m["family_care_cost"], float) + np.asarray(
            m["institutional_care_cost"], float
        )

    def care_indirect(m):
        life = sum(np.asarray(m[f"life.{o}.indirect"], float) for o in lc.OUTCOMES)
        return np.asarray(m["indirect_cost"], float) - life

    rows = [
        ("child_welfare", "taxpayers", pv(care)),
        ("child_welfare", "indirect", pv(care_indirect)),
    ]
    rows += [(o, payer, pv(col(f"life.{o}.{payer}"))) for o in lc.OUTCOMES for payer in lc.PAYERS]
    rows.append(("programme_deadweight", "indirect", pv(col("service_deadweight"))))
    return rows


def cumulative_net_benefit(
    scenario, baseline, years: np.ndarray, rate: float, base_year: int, start: int | None = None
) -> np.ndarray:
    """Cumulative discounted net benefit of ``scenario`` against ``baseline`` by year, EUR.

    Parameters
    ----------
    scenario, baseline : mapping
        Yearly arrays ``service_cost`` and ``avoidable_cost``, shape ``(years,)`` or
        ``(years, K)``.
    years : array of int
        Their calendar years.
    rate : float
        Annual discount rate.
    base_year : int
        Year discounted to.
    start : int, optional
        First year counted (earlier years add nothing).

    Returns
    -------
    ndarray
        The running sum over years (axis 0) of the discounted net benefit.
    """
    benefits, costs = benefits_and_costs(scenario, baseline)
    factors = dc.discount_factors(years, rate, base_year)
    if start is not None:
        factors = factors * (np.asarray(years) >= start)
    factors = factors.reshape(-1, *([1] * (np.ndim(benefits) - 1)))
    return np.cumsum((benefits - costs) * factors, axis=0)


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
        """The fields as a plain dictionary."""
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
    pv_costs = dc.present_value(costs, years, rate, base)
    # A scenario that spends (almost) nothing extra, e.g. the same money rebalanced, has no
    # meaningful benefit-cost ratio: below a millionth of its service spending, costs count
    # as zero.
    spending = dc.present_value(np.asarray(scenario["service_cost"]), years, rate, base)
    negligible = pv_costs <= NEGLIGIBLE_COST_SHARE * abs(spending)
    from_base = years >= base
    avoided = float(np.sum(baseline["placements"]) - np.sum(scenario["placements"]))
    return Value(
        npv=dc.npv(benefits, costs, years, rate, base),
        benefits=dc.present_value(benefits, years, rate, base),
        costs=pv_costs,
        bcr=float("nan")
        if negligible
        else dc.benefit_cost_ratio(benefits, costs, years, rate, base),
        irr=dc.irr(net[from_base], years[from_base]),
        break_even_year=dc.break_even_year(net[from_base], years[from_base], rate, base),
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
