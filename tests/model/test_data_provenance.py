"""Shipped data keep their provenance, and derived defaults are recomputed from them."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from simulation.model import demography as data
from simulation.model.catalogue import REGISTRY
from simulation.model.prices import deflator

D = REGISTRY.defaults()


def value(series: str, year: int) -> float:
    return float(data.series(series)[year])


def test_national_series_have_provenance():
    frame = data.national_series()
    assert set(frame["quality"]) <= {"high", "medium", "low"}
    assert frame["source_title"].notna().all()
    assert frame["source_url"].notna().all()


def test_municipal_children_cover_60_municipalities_and_match_national_totals():
    wide = data.municipal_children()
    assert wide.shape[0] == 60
    national = data.series("children_0_17_population")
    for year in wide.columns:
        assert wide[year].sum() == pytest.approx(national[year], rel=1e-9)
    demo = data.lithuania()
    np.testing.assert_allclose(demo.shares.sum(axis=1), 1.0)
    assert list(demo.birth_years) == list(range(demo.birth_years[0], demo.birth_years[-1] + 1))


def test_children_per_family_is_derived_from_households():
    families = (
        value("households", 2018)
        * 1e3
        * value("share_households_families_with_children", 2022)
        / 100
    )
    assert D["children_per_family"] == pytest.approx(
        value("children_0_17_population", 2018) / families, abs=0.005
    )


def test_children_per_risk_family():
    assert D["children_per_risk_family"] == pytest.approx(
        value("children_in_social_risk_families", 2009) / value("social_risk_families", 2009),
        abs=0.005,
    )


def test_family_exit_rate_reproduces_the_2009_2018_family_count():
    births = data.series("live_births")
    cpf, per_family = D["children_per_family"], D["births_per_new_family"]
    start = value("children_0_17_population", 2009) / cpf
    end = value("children_0_17_population", 2018) / cpf

    def miss(rate: float) -> float:
        n = start
        for year in range(2009, 2018):  # exact solution of n' = E - rate n over each year
            inflow = births[year] / per_family
            n = inflow / rate + (n - inflow / rate) * np.exp(-rate)
        return n - end

    assert D["family_exit_rate"] == pytest.approx(brentq(miss, 0.01, 0.3), abs=0.0005)


def test_initial_conditions_are_the_observed_counts():
    assert D["initial_risk_families"] == value("social_risk_families", 2009)
    assert D["initial_institution_children"] == value("children_in_care_homes", 2009)
    assert D["initial_family_care_children"] == (
        value("children_without_parental_care_stock", 2010) - value("children_in_care_homes", 2010)
    )


def test_care_stay_and_reunification():
    in_care = value("children_in_care_homes", 2018) + value("children_in_family_guardianship", 2018)
    total_exit = value("children_entering_care", 2018) / in_care
    assert D["reunification_rate"] + D["care_leaving_rate"] == pytest.approx(total_exit, abs=0.01)


def test_workforce_derived_values():
    per_worker = value("social_workers_srf_caseload_target_cost", 2017) * 1e6 / 391
    assert D["programme.casework.cost"] == pytest.approx(per_worker / 10 * deflator(2017), abs=1)
    assert D["max_caseload_ratio"] == value("families_per_social_worker", 2015) / value(
        "families_per_social_worker", 2017
    )
    funding = value("child_day_centres_state_funding", 2017)
    assert D["budget.preventive"] == pytest.approx(funding * deflator(2017), abs=0.005)
    workers = value("social_workers_for_social_risk_families", 2015)
    assert D["budget.basic"] == pytest.approx(
        workers * per_worker * deflator(2017) / 1e6, abs=0.005
    )


def test_money_is_at_2024_prices():
    """Every figure of another year is brought to 2024 prices with the cited deflator."""
    per_child = value("child_day_centres_state_funding", 2017) * 1e6 / 8784
    preventive = (per_child * deflator(2017) + 30 * 12 * deflator(2022)) * 1.3
    assert D["programme.day_centres.cost"] == pytest.approx(preventive, abs=1)
    worker = per_child = value("social_workers_srf_caseload_target_cost", 2017) * 1e6 / 391
    worker_2024 = worker * deflator(2017)
    assert D["programme.home_visiting.cost"] == pytest.approx(worker_2024 / 10, abs=1)
    assert D["programme.family_preservation.cost"] == pytest.approx(worker_2024 / 2, abs=1)
    assert D["cost.training_per_person"] == pytest.approx(881562.2 / 466 * deflator(2017), abs=1)
    assert D["cost.institutional_care"] == pytest.approx(1100 * deflator(2015), abs=1)
    assert REGISTRY["cost.family_care"].range[0] == pytest.approx(304 * deflator(2017), abs=1)


def test_observed_budgets_of_the_baseline_are_at_2024_prices():
    """The baseline's budget schedule: each observed year's nominal amount x the deflator."""
    from simulation.workflow.scenarios import load
    from tests.conftest import SCENARIOS

    schedule = {c.year: c.values for c in load(SCENARIOS / "baseline.toml").schedule}
    for year in (2018, 2019, 2020, 2023):
        nominal = value("child_day_centres_state_funding", year)
        assert schedule[year]["budget.preventive"] == pytest.approx(
            nominal * deflator(year), abs=0.005
        ), year
    per_worker = value("social_workers_srf_caseload_target_cost", 2017) * 1e6 / 391
    workers = value("social_workers_for_social_risk_families", 2015) + 391
    assert schedule[2017]["budget.basic"] == pytest.approx(
        workers * per_worker * deflator(2017) / 1e6, abs=0.005
    )


def test_missing_series_is_a_clear_error():
    with pytest.raises(data.DataFileError, match="no series 'nothing'"):
        data.series("nothing")
