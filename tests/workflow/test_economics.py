"""Known answers for the economics: WSIPP's accounting identities and hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.workflow import economics as ec

# Rows of ../shared/data/parameter_sources.md (WSIPP benefit-cost results).
WSIPP = {
    "Intensive Family Preservation (Homebuilders), 2022": ec.WsippRow(
        11704, 6289, 582, 2506, 21081, 4109, 5.13
    ),
    "Nurse-Family Partnership, 2022": ec.WsippRow(5061, 13270, 983, 1181, 20495, 13925, 1.47),
    "Parent-Child Interaction Therapy, 2022": ec.WsippRow(960, 452, 742, -769, 1385, 2354, 0.59),
    "Triple P System, 2015": ec.WsippRow(387, 675, 62, -4, 1120, 150, 7.48),
}


@pytest.mark.parametrize("name", sorted(WSIPP))
def test_wsipp_totals_are_the_sum_of_their_parts(name):
    row = WSIPP[name]
    assert row.total_from_parts() == pytest.approx(row.total, abs=1)  # rounding to the dollar


def rounding_tolerance(row: ec.WsippRow) -> float:
    """Largest error of total / net_cost when both are rounded to the dollar and the ratio
    to two decimals: relative errors of 0.5 / total and 0.5 / net_cost, plus 0.005.
    """
    return row.ratio * (0.5 / abs(row.total) + 0.5 / row.net_cost) + 0.005


@pytest.mark.parametrize("name", sorted(WSIPP))
def test_wsipp_ratios_are_total_over_net_cost(name):
    row = WSIPP[name]
    assert row.ratio_from_parts() == pytest.approx(row.ratio, abs=rounding_tolerance(row))


@pytest.mark.parametrize("name", sorted(WSIPP))
def test_value_reproduces_a_wsipp_row_as_a_one_year_programme(name):
    """A programme paid and repaid in its base year: BCR and NPV are WSIPP's."""
    row = WSIPP[name]
    years = np.array([2022])
    value = ec.value_against(
        years,
        {
            "service_cost": [row.net_cost],
            "avoidable_cost": [0.0],
            "placements": [0],
            "child_years_in_care": [0],
        },
        {
            "service_cost": [0.0],
            "avoidable_cost": [row.total],
            "placements": [0],
            "child_years_in_care": [0],
        },
        rate=0.03,
    )
    assert value.bcr == pytest.approx(row.ratio, abs=rounding_tolerance(row))
    assert value.npv == pytest.approx(row.total - row.net_cost)


def test_discount_factors_by_hand():
    np.testing.assert_allclose(
        ec.discount_factors(np.array([2020, 2021, 2022]), 0.05), [1.0, 1 / 1.05, 1 / 1.05**2]
    )
    assert ec.discount_factors(np.array([2020]), 0.05, base_year=2018)[0] == pytest.approx(
        1 / 1.1025
    )
    with pytest.raises(ValueError, match="discount rate must be > -1"):
        ec.discount_factors(np.array([2020]), -1.0)


def test_npv_by_hand():
    # -100 now, +60 in one year and +60 in two years at 10%: -100 + 54.5454... + 49.5867...
    years = np.arange(2020, 2023)
    assert ec.npv([0, 60, 60], [100, 0, 0], years, 0.10) == pytest.approx(
        -100 + 60 / 1.1 + 60 / 1.21, abs=1e-12
    )
    assert ec.npv([0, 60, 60], [100, 0, 0], years, 0.0) == pytest.approx(20.0)


def test_bcr_by_hand():
    years = np.arange(2020, 2022)
    assert ec.benefit_cost_ratio([0, 110], [100, 0], years, 0.10) == pytest.approx(1.0)
    assert np.isnan(ec.benefit_cost_ratio([1, 1], [0, 0], years, 0.1))


def test_irr_by_hand():
    years = np.arange(2020, 2023)
    # -100, +60, +60: 60/(1+r) + 60/(1+r)^2 = 100 -> r = (sqrt(3.24*... ) closed form:
    # 100 x^2 - 60 x - 60 = 0 with x = 1 + r -> x = (60 + sqrt(3600 + 24000)) / 200
    expected = (60 + np.sqrt(3600 + 24000)) / 200 - 1
    assert ec.irr(np.array([-100.0, 60.0, 60.0]), years) == pytest.approx(expected, abs=1e-9)
    assert ec.irr(np.array([-100.0, 110.0]), years[:2]) == pytest.approx(0.10, abs=1e-9)
    assert np.isnan(ec.irr(np.array([1.0, 2.0]), years[:2]))  # no sign change


def test_irr_makes_npv_zero():
    years = np.arange(2025, 2040)
    net = np.r_[-500.0, -300.0, np.full(13, 90.0)]
    rate = ec.irr(net, years)
    assert ec.present_value(net, years, rate) == pytest.approx(0.0, abs=1e-6)


def test_break_even_year_by_hand():
    years = np.arange(2020, 2025)
    # undiscounted cumulative: -100, -50, 0, 50, 100 -> breaks even in 2022
    assert ec.break_even_year(np.array([-100, 50, 50, 50, 50]), years, 0.0) == 2022
    # at 10% the 2022 inflow is worth 41.3, cumulative -100, -54.5, -13.2, +24.3 -> 2023
    assert ec.break_even_year(np.array([-100, 50, 50, 50, 50]), years, 0.10) == 2023
    assert ec.break_even_year(np.array([-100, 10, 10, 10, 10]), years, 0.0) is None
    assert ec.break_even_year(np.array([5, 5, 5, 5, 5]), years, 0.03) == 2020
    # dipping below zero again later moves the break-even year
    assert ec.break_even_year(np.array([-10, 20, -20, 30, 1]), years, 0.0) == 2023


def test_value_against_hand_case():
    years = np.arange(2030, 2033)
    scenario = {
        "service_cost": [200.0, 200.0, 200.0],
        "avoidable_cost": [1000.0, 700.0, 600.0],
        "placements": [10, 8, 7],
        "child_years_in_care": [30, 25, 20],
    }
    baseline = {
        "service_cost": [100.0, 100.0, 100.0],
        "avoidable_cost": [1000.0, 900.0, 900.0],
        "placements": [10, 10, 10],
        "child_years_in_care": [30, 30, 30],
    }
    v = ec.value_against(years, scenario, baseline, rate=0.0)
    assert (v.benefits, v.costs, v.npv) == (500.0, 300.0, 200.0)
    assert v.bcr == pytest.approx(500 / 300)
    assert v.placements_avoided == 5
    assert v.child_years_in_care_avoided == 15
    assert v.cost_per_placement_avoided == pytest.approx(60.0)
    assert v.break_even_year == 2031  # cumulative net -100, 0, 200: >= 0 from 2031 on
    assert v.currency == "EUR"
    assert v.price_year == ec.PRICE_YEAR
