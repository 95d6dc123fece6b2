"""The price deflator: a sourced table, a chain of yearly rates, one price year."""

from __future__ import annotations

import pytest

from simulation.model import prices


def test_the_table_has_a_sourced_rate_for_every_year_from_2009_to_the_price_year():
    table = prices.inflation()
    assert list(table.index) == list(range(2009, prices.PRICE_YEAR + 1))
    assert set(table["measure"]) <= {"HICP", "CPI"}
    assert set(table["quality"]) <= {"high", "medium", "low"}
    assert table["source_url"].str.startswith("http").all()
    # years without a calendar-year figure are bracketed assumptions, and say so
    low = table[table["quality"] == "low"]
    assert set(low.index) == {2023, 2024}
    assert low["source_title"].str.startswith("ASSUMPTION").all()


def test_deflator_chains_yearly_rates():
    assert prices.deflator(prices.PRICE_YEAR) == 1.0
    assert prices.deflator(2023) == pytest.approx(1.01)
    assert prices.deflator(2022) == pytest.approx(1.0875 * 1.01)
    assert prices.deflator(2017) == pytest.approx(
        prices.deflator(2017, 2020) * prices.deflator(2020)
    )
    assert prices.deflator(2024, 2017) == pytest.approx(1 / prices.deflator(2017))
    assert prices.to_price_year(100.0, 2015) == pytest.approx(100 * prices.deflator(2015))
    # prices fell in 2015: money of 2014 bought less than money of 2015
    assert prices.deflator(2014, 2015) == pytest.approx(1 - 0.0088)


def test_years_without_a_rate_are_refused_with_the_covered_span():
    with pytest.raises(ValueError, match="between 2008 and 2024"):
        prices.deflator(2001)
