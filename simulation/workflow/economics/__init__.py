"""Economics of a run and of a scenario against a baseline.

The yearly public accounts of a run, discounting, and the value of a scenario against a
baseline, the way WSIPP values a programme (DESIGN 2.4).

- :mod:`.exposures`: what the children of a run live through (child-years in difficulty,
  crisis episodes, placements, care), per calendar year;
- :mod:`.accounts`: spending, care costs, the lifetime cost of each year's exposures (the
  life course), who pays, per calendar year, from an engine's result;
- :mod:`.discounting`: present values, NPV, benefit-cost ratio, IRR, break-even year;
- :mod:`.value`: benefits (avoided costs) and costs (extra spending) of a scenario against a
  baseline, their present values, and the benefits by outcome and payer.
"""

from simulation.workflow.economics.accounts import (
    ACCOUNTS,
    OUTCOMES,
    YEARLY_BLOCKS,
    accounts_frame,
    yearly_accounts,
    yearly_arrays,
)
from simulation.workflow.economics.discounting import (
    benefit_cost_ratio,
    break_even_year,
    discount_factors,
    irr,
    npv,
    present_value,
)
from simulation.workflow.economics.value import (
    CURRENCY,
    NEGLIGIBLE_COST_SHARE,
    PRICE_YEAR,
    Value,
    WsippRow,
    benefits_and_costs,
    cumulative_net_benefit,
    value_against,
    value_by_outcome,
)

__all__ = [
    "ACCOUNTS",
    "CURRENCY",
    "NEGLIGIBLE_COST_SHARE",
    "OUTCOMES",
    "PRICE_YEAR",
    "YEARLY_BLOCKS",
    "Value",
    "WsippRow",
    "accounts_frame",
    "benefit_cost_ratio",
    "benefits_and_costs",
    "break_even_year",
    "cumulative_net_benefit",
    "discount_factors",
    "irr",
    "npv",
    "present_value",
    "value_against",
    "value_by_outcome",
    "yearly_accounts",
    "yearly_arrays",
]
