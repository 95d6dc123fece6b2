"""The life-course outcome model: known answers, payers, levels, batches and provenance."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.model import demography as data
from simulation.model import lifecourse as lc
from simulation.model.catalogue import REGISTRY
from simulation.model.prices import deflator

D = REGISTRY.defaults()
OUT = {name: i for i, name in enumerate(lc.OUTCOMES)}
P = {name: i for i, name in enumerate(lc.PAYERS)}


def neutral(**changes) -> dict:
    """Defaults with every relative risk at 1 and every ratio at 1: no exposure has an effect."""
    p = dict(D)
    for name in p:
        if name.startswith("lifecourse.") and (".rr" in name or "_rr" in name or "_hr" in name):
            p[name] = 1.0
        if name.startswith("lifecourse.earnings_ratio."):
            p[name] = 1.0
    p["lifecourse.social_assistance.rr_care_crude"] = 1.0
    p["lifecourse.mortality_hr.care"] = 1.0
    p["lifecourse.mortality_hr.maltreatment"] = 1.0
    p.update(changes)
    return p


def test_a_child_with_no_exposure_costs_nothing():
    for age in (0.0, 9.0, 17.5):
        np.testing.assert_array_equal(lc.lifetime_cost(D, "none", age), 0.0)
    for level in lc.LEVELS:
        np.testing.assert_allclose(lc.lifetime_cost(neutral(), level, 9.0), 0.0, atol=1e-9)
    for exposure in lc.EXPOSURE_NAMES:
        np.testing.assert_allclose(lc.exposure_value(neutral(), exposure), 0.0, atol=1e-9)


def test_profile_of_no_exposure_is_the_base_rates():
    prof = lc.profile(D, "none")
    assert prof.earnings == 1.0
    assert prof.mortality == 1.0
    assert all(v == 1.0 for v in prof.events.values())
    np.testing.assert_array_equal(lc.survival(D, 1.0)[0], 1.0)
    expected = (1 - D["lifecourse.mortality"]) ** (lc.EXCESS_MORTALITY_END - lc.ADULT_AGE)
    assert lc.survival(D, 1.0)[-1] == pytest.approx(expected)


def hand_placement_at_ten(p: dict) -> dict[tuple[str, str], float]:
    """One child placed at 10: the cost of care over maltreatment, by plain loops."""
    r, dwl = p["lifecourse.discount_rate"], p["deadweight_cost_of_taxation"]
    q0, hr = p["lifecourse.mortality"], p["lifecourse.mortality_hr.care"]
    wage = p["lifecourse.employment_rate"] * p["lifecourse.gross_earnings"]
    tax, employer = p["lifecourse.tax_share"], p["lifecourse.employer_contribution"]
    ratio = p["lifecourse.earnings_ratio.care"] / p["lifecourse.earnings_ratio.maltreatment"]
    out: dict[tuple[str, str], float] = {}

    def add(outcome, payer, amount):
        out[outcome, payer] = out.get((outcome, payer), 0.0) + amount

    alive_malt = alive_care = 1.0
    for age in range(18, 65):
        d = (1 + r) ** -(age - 10)
        earned_malt = alive_malt * p["lifecourse.earnings_ratio.maltreatment"] * wage
        earned_care = alive_care * p["lifecourse.earnings_ratio.maltreatment"] * ratio * wage
        death = (alive_malt - alive_care) * p["lifecourse.earnings_ratio.maltreatment"] * wage
        gap = earned_malt - earned_care - death
        for outcome, gross in (("earnings", gap), ("early_death", death)):
            add(outcome, "participants", gross * (1 - tax) * d)
            add(outcome, "taxpayers", gross * (tax + employer) * d)
        rr_malt = p["lifecourse.mental_health.rr_maltreatment"]
        rr_care = p["lifecourse.mental_health.rr_care"]
        stays = p["lifecourse.mental_health.base"] * (alive_care * rr_care - alive_malt * rr_malt)
        add("mental_health", "taxpayers", stays * p["lifecourse.mental_health.cost"] * d)
        # with relative risks of 1, fewer survivors mean fewer later events
        fewer = alive_care - alive_malt
        paid = (
            p["lifecourse.social_assistance.base"]
            * fewer
            * p["lifecourse.social_assistance.amount"]
        )
        add("social_assistance", "taxpayers", paid * d)
        add("social_assistance", "participants", -paid * d)
        prison = p["lifecourse.crime.base"] * fewer * p["lifecourse.crime.prison_cost"]
        add("crime", "taxpayers", prison * d)
        add("crime", "others", prison * p["lifecourse.crime.victim_ratio"] * d)
        if age < 40:
            alive_malt *= 1 - q0
            alive_care *= 1 - q0 * hr
    for (outcome, payer), amount in list(out.items()):
        if payer == "taxpayers":
            add(outcome, "indirect", dwl * amount)
    return out


def test_a_single_placement_reproduces_a_hand_computation_to_the_cent():
    p = neutral(
        **{
            "lifecourse.background_causal_share": 0.0,
            "lifecourse.earnings_ratio.maltreatment": 0.9,
            "lifecourse.earnings_ratio.care": 0.72,
            "lifecourse.mortality_hr.care": 3.0,
            "lifecourse.mortality": 0.002,
            "lifecourse.mental_health.rr_maltreatment": 1.5,
            "lifecourse.mental_health.rr_care": 2.5,
            "lifecourse.discount_rate": 0.035,
            "deadweight_cost_of_taxation": 0.25,
        }
    )
    model = lc.lifetime_cost(p, "care", 10.0) - lc.lifetime_cost(p, "maltreatment", 10.0)
    hand = hand_placement_at_ten(p)
    # Lost earnings and early death are split differently (the model values a death at an
    # unexposed adult's earnings and leaves the rest to the earnings line): compare their sum.
    labour = model[OUT["earnings"]] + model[OUT["early_death"]]
    for payer in ("participants", "taxpayers", "indirect"):
        expected = hand["earnings", payer] + hand["early_death", payer]
        assert labour[P[payer]] == pytest.approx(expected, abs=0.005), payer
    for outcome in ("mental_health", "social_assistance", "crime"):
        for payer in lc.PAYERS:
            expected = hand.get((outcome, payer), 0.0)
            assert model[OUT[outcome], P[payer]] == pytest.approx(expected, abs=0.005)
    assert model.sum() == pytest.approx(sum(hand.values()), abs=0.005)
    assert labour[P["participants"]] > 10_000  # a real amount, not a trivial 0


@pytest.mark.parametrize(
    ("years", "rate", "published"),
    [(25, 0.03, 179_355), (15, 0.02, 131_062), (35, 0.04, 194_112)],
)
def test_lost_earnings_reproduce_a_published_present_value_table(years, rate, published):
    """fbfsa.com's table of the present value of 10,000 a year of lost wages, paid at the start
    of each year: the model, fed a total loss of 10,000 a year from 18 for ``years`` years and
    nothing else, gives the published figure to the dollar (the table is rounded).
    """
    p = neutral(
        **{
            "lifecourse.background_causal_share": 0.0,
            "lifecourse.earnings_ratio.care": 0.0,
            "lifecourse.employment_rate": 1.0,
            "lifecourse.gross_earnings": 10_000.0,
            "lifecourse.employer_contribution": 0.0,
            "lifecourse.mortality": 0.0,
            "lifecourse.discount_rate": rate,
        }
    )
    ages = np.arange(18, 18 + years, dtype=float)
    cost = lc.lifetime_cost(p, "care", 18.0, adult_ages=ages)
    lost = cost[OUT["earnings"], P["participants"]] + cost[OUT["earnings"], P["taxpayers"]]
    assert lost == pytest.approx(published, abs=1.0)


@pytest.mark.parametrize("exposure", lc.EXPOSURE_NAMES)
def test_payer_parts_add_up(exposure):
    v = lc.exposure_value(D, exposure)
    dwl = D["deadweight_cost_of_taxation"]
    np.testing.assert_allclose(v[:, P["indirect"]], dwl * v[:, P["taxpayers"]])
    sa = v[OUT["social_assistance"]]
    assert sa[P["participants"]] == pytest.approx(-sa[P["taxpayers"]])  # a transfer
    for outcome in ("earnings", "early_death"):
        row = v[OUT[outcome]]
        employer, tax = D["lifecourse.employer_contribution"], D["lifecourse.tax_share"]
        gross = row[P["participants"]] / (1 - tax)
        assert row[P["taxpayers"]] == pytest.approx(gross * (tax + employer))
    crime = v[OUT["crime"]]
    assert crime[P["others"]] == pytest.approx(
        crime[P["taxpayers"]] * D["lifecourse.crime.victim_ratio"]
    )
    assert v.sum() > 0


def test_levels_telescope_so_a_child_is_counted_once_at_the_deepest_level():
    age = 9.0
    steps = sum(
        lc.lifetime_cost(D, lc.LEVELS[i], age) - lc.lifetime_cost(D, lc.LEVELS[i - 1], age)
        for i in range(1, len(lc.LEVELS))
    )
    np.testing.assert_allclose(steps, lc.lifetime_cost(D, "institution", age))
    totals = [lc.lifetime_cost(D, level, age).sum() for level in lc.LEVELS]
    assert totals == sorted(totals)  # a deeper level never costs less


def test_care_estimates_replace_the_maltreatment_ones_not_multiply_them():
    p = dict(D, **{"lifecourse.earnings_ratio.care": 0.95})  # milder than maltreatment
    assert lc.profile(p, "care").earnings == pytest.approx(lc.profile(p, "maltreatment").earnings)
    care = lc.profile(D, "care").earnings / lc.profile(D, "risk").earnings
    assert care == pytest.approx(D["lifecourse.earnings_ratio.care"])


def test_unit_values_scale_with_first_shares_and_dose_years():
    base = lc.exposure_value(D, "placement")
    half = lc.exposure_value(dict(D, **{"lifecourse.first_share.placement": 0.425}), "placement")
    np.testing.assert_allclose(half, base / 2)
    risk = lc.exposure_value(D, "risk_year")
    double = lc.exposure_value(dict(D, **{"lifecourse.years_in_difficulty": 12.0}), "risk_year")
    np.testing.assert_allclose(double, risk / 2)


def test_later_exposure_is_worth_more_and_higher_discounting_less():
    young, old = (lc.exposure_value(D, "placement", age).sum() for age in (2.0, 15.0))
    assert old > young  # fewer years of discounting to adulthood
    low = lc.exposure_value(dict(D, **{"lifecourse.discount_rate": 0.02}), "placement").sum()
    high = lc.exposure_value(dict(D, **{"lifecourse.discount_rate": 0.05}), "placement").sum()
    assert low > lc.exposure_value(D, "placement").sum() > high


def test_a_batch_of_parameter_sets_equals_each_set_alone():
    rates = np.array([0.02, 0.035, 0.05])
    shares = np.array([0.0, 0.5, 1.0])
    batch = dict(
        D, **{"lifecourse.discount_rate": rates, "lifecourse.background_causal_share": shares}
    )
    values = lc.unit_values(batch)
    assert values.shape == (3, len(lc.EXPOSURES), len(lc.OUTCOMES), len(lc.PAYERS))
    for k in range(3):
        one = dict(
            D,
            **{
                "lifecourse.discount_rate": rates[k],
                "lifecourse.background_causal_share": shares[k],
            },
        )
        np.testing.assert_allclose(values[k], lc.unit_values(one))
    ages = np.array([3.0, 9.0, 15.0])
    by_age = lc.exposure_value(D, "placement", ages)
    for i, age in enumerate(ages):
        np.testing.assert_allclose(by_age[i], lc.exposure_value(D, "placement", age))


def test_the_next_generation_line_is_off_by_default_and_adds_care_costs_when_on():
    assert D["lifecourse.next_generation.enabled"] == 0.0
    assert lc.exposure_value(D, "placement")[OUT["next_generation"]].sum() == 0.0
    on = dict(D, **{"lifecourse.next_generation.enabled": 1.0})
    line = lc.exposure_value(on, "placement")[OUT["next_generation"]]
    years_in_care = 1 / (D["reunification_rate"] + D["care_leaving_rate"])
    expected = (
        D["births_per_new_family"]
        * D["lifecourse.next_generation.base"]
        * (D["lifecourse.next_generation.hr"] - 1)
        * 12
        * D["cost.family_care"]
        * years_in_care
        * (1 + D["lifecourse.discount_rate"]) ** -D["lifecourse.next_generation.parent_age"]
        * D["lifecourse.first_share.placement"]
    )
    assert line[P["taxpayers"]] == pytest.approx(expected)
    assert lc.exposure_value(on, "maltreatment")[OUT["next_generation"]].sum() == 0.0


# --- provenance: derived defaults are recomputed from their sources ------------------------


def series(name: str, year: int) -> float:
    return float(data.series(name)[year])


def test_derived_earnings_and_taxes():
    net_to_gross = 1424.4 / 2322.2
    assert D["lifecourse.gross_earnings"] == pytest.approx(1147 / net_to_gross * 12, abs=1)
    assert D["lifecourse.tax_share"] == pytest.approx(1 - net_to_gross, abs=5e-5)
    assert REGISTRY["lifecourse.gross_earnings"].range == (924 * 12, 2218 * 12)


def test_derived_prison_psychiatric_and_crime_figures():
    assert D["lifecourse.crime.prison_cost"] == pytest.approx(
        22500 / 3.4528 * deflator(2009), abs=1
    )
    low = 12.5 * 365 * deflator(2013)
    assert REGISTRY["lifecourse.crime.prison_cost"].range == pytest.approx(
        (low, 57.32 * 365), abs=1
    )
    assert D["lifecourse.mental_health.cost"] == pytest.approx(925.07 * deflator(2020), abs=1)
    adults = series("total_population", 2018) - series("children_0_17_population", 2018)
    assert D["lifecourse.crime.base"] == pytest.approx(4551 / adults, abs=5e-6)
    base = series("children_entering_care", 2018) * 0.85 / series("live_births", 2017)
    assert D["lifecourse.next_generation.base"] == pytest.approx(base, abs=5e-4)


def test_derived_attenuation_and_background():
    vinnerljung, stockholm = (2 - 1) / (4.5 - 1), (2.51 - 1) / (3.58 - 1)
    assert REGISTRY["lifecourse.attenuation"].range == pytest.approx(
        (vinnerljung, stockholm), abs=1e-3
    )
    assert D["lifecourse.attenuation"] == pytest.approx((vinnerljung + stockholm) / 2, abs=1e-3)
    ratios = (4.5 / 2, 3.58 / 2.51)
    assert D["lifecourse.background_rr"] == pytest.approx(sum(ratios) / 2, abs=5e-3)
    assert D["lifecourse.mortality_hr.care"] == pytest.approx((3.4 + 4.7) / 2)
    assert D["lifecourse.earnings_ratio.background"] == pytest.approx(66 / 78, abs=5e-4)
    assert D["lifecourse.earnings_ratio.care"] == pytest.approx(1 - 66 / (0.79 * 365), abs=5e-3)


def test_every_lifecourse_parameter_is_sourced_and_used_only_by_the_economics():
    names = [n for n in REGISTRY if n.startswith("lifecourse.")]
    assert len(names) > 30
    for name in [*names, "deadweight_cost_of_taxation"]:
        param = REGISTRY[name]
        assert param.engines == ("economics",)
        assert param.source.strip()
