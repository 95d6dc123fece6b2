"""The policy agents: municipalities' allocation rules and deployment, the ministry's closures.

Every test is deterministic (fixed seeds) and runs on a small share of Lithuania's families.
Statistical checks derive their tolerance from a standard error: 4 standard errors unless
stated otherwise, so that a correct engine fails a check with probability below about 1e-4.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation.engines.abm import FamilyWelfareModel
from simulation.model import flows as fl
from simulation.model import policy
from simulation.model import services as sv
from simulation.model.schedule import Change
from simulation.model.vocabulary import START_YEAR
from tests.engines.abm.helpers import (
    BLOCKS,
    make_model,
    national_ic_children,
)


# ---- allocation rules and deployment ---------------------------------------------------
@pytest.fixture(scope="module")
def rule_runs() -> dict[str, FamilyWelfareModel]:
    return {
        rule: make_model(
            end_year=2011,
            seed=2,
            scale=0.01,
            allocation_rule=rule,
            levers={"prevention_target_share": 0.4},
        ).run()
        for rule in policy.RULES
    }


@pytest.mark.parametrize("rule", policy.RULES)
def test_every_allocation_rule_runs(rule_runs, rule):
    model = rule_runs[rule]
    assert model.month == model.n_months
    result = model.result()
    for block in BLOCKS:
        assert np.isfinite(result.saved[block]).all(), block
    budgets = np.stack([a.budget() for a in model.municipalities])
    assert (budgets >= 0).all()
    # A rule reallocates a municipality's money between services; it does not add any.
    national = model.national_budget().sum()
    shares = model.shares[model.n_months - 1]
    np.testing.assert_allclose(budgets.sum(axis=1), national * shares, rtol=1e-12)
    for agent in model.municipalities:
        assert agent.rule == rule
        if rule == "historical":
            assert agent.shares is None
        else:
            assert agent.shares.sum() == pytest.approx(1.0)
            assert (agent.shares > 0).all()


def test_rules_change_municipal_budgets(rule_runs):
    def budgets(rule):
        return np.stack([a.budget() for a in rule_runs[rule].municipalities])

    historical = budgets("historical")
    for rule in ("needs_based", "prevention_first"):
        assert not np.allclose(budgets(rule), historical), rule
    # needs_based follows what each municipality monitors: municipalities differ.
    nb = budgets("needs_based")
    nb_shares = nb / nb.sum(axis=1, keepdims=True)
    assert np.ptp(nb_shares[:, sv.PREVENTIVE]) > 0


def test_prevention_first_puts_the_target_share_in_preventive(rule_runs):
    model = rule_runs["prevention_first"]
    target = model.lever("prevention_target_share")
    assert target == 0.4
    national = model.national_budget()
    historical = national / national.sum()
    for agent in model.municipalities:
        np.testing.assert_allclose(agent.shares, policy.prevention_first(historical, target))
        budget = agent.budget()
        share = budget[sv.PREVENTIVE] / budget.sum()
        # normalise() may rescale by at most the MIN_SHARE floors of the other services.
        assert abs(share - target) <= policy.MIN_SHARE * (sv.N_SERVICES - 1)


def test_invalid_allocation_rule_is_rejected():
    with pytest.raises(ValueError, match="allocation rule"):
        make_model(end_year=2009, scale=0.002, allocation_rule="bogus")


def first_working_month(regional_coordinators: float, stage_years: float = 0.5) -> int:
    """First month in which every municipality's cooperation groups work."""
    model = FamilyWelfareModel(
        params={"stage_years": stage_years, "coordinator_speedup": 2.0},
        levers={"cooperation_start_year": 2010.0, "regional_coordinators": regional_coordinators},
        end_year=2012,
        seed=0,
        scale=0.002,
    )
    while model.month < model.n_months:
        month = model.month
        model.step()
        stages = [a.stage for a in model.municipalities]
        if month < 12:
            assert stages == [0] * 60  # before the start year
        if all(a.working_groups for a in model.municipalities):
            assert min(stages) >= policy.WORKING_STAGE
            return month
    raise AssertionError("the cooperation model never reached the working stage")


def test_deployment_reaches_working_groups_sooner_with_coordinators():
    without = first_working_month(0.0)
    with_coordinators = first_working_month(1.0)
    # Two stages of stage_years after the start (2010), halved by the coordinators.
    assert without == (2011 - START_YEAR) * 12
    assert with_coordinators == (2010 - START_YEAR) * 12 + 6
    assert with_coordinators < without


# ---- deinstitutionalisation -----------------------------------------------------------
@pytest.fixture(scope="module")
def closure_run():
    """Default levers, care-home places closing by 30% a year from 2011; places by month."""
    model = FamilyWelfareModel(
        schedule=[Change(2011, {"institution_closure_rate": 0.3})],
        end_year=2016,
        seed=2,
        scale=0.03,
    )
    places = []
    while model.month < model.n_months:
        model.step()
        places.append(model.ministry.institution_places)
    return model, np.array(places)


def test_institution_places_close_from_the_first_closure_year(closure_run):
    model, places = closure_run
    first = (2011 - START_YEAR) * 12
    assert np.isinf(places[:first]).all()
    ic = national_ic_children(model)
    assert places[first] == pytest.approx(0.7 * ic[first])
    for year in range(1, 6):
        assert places[first + 12 * year] == pytest.approx(places[first] * 0.7**year)
        assert (
            places[first + 12 * year : first + 12 * (year + 1)] == places[first + 12 * year]
        ).all()


def test_admissions_to_institutions_are_limited_by_free_places(closure_run):
    """Within a month, admissions are refused unless places are free, counting the places
    freed by children leaving: children in institutions at the month's end exceed the
    places only if they already did at its start, and then they did not grow.
    """
    model, places = closure_run
    first = (2011 - START_YEAR) * 12
    ic = national_ic_children(model)
    months = np.arange(first, model.n_months)
    start, end, cap = ic[months], ic[months + 1], places[months]
    assert (end <= np.maximum(cap, start) + 1e-9).all()
    assert (end[start <= cap] <= cap[start <= cap] + 1e-9).all()


def test_closures_send_children_in_crisis_to_family_care(closure_run):
    """The same seed without closures: fewer institutional placements and more family-based
    ones once places close, and far fewer children in institutions at the end.
    """
    model, _ = closure_run
    open_ = FamilyWelfareModel(end_year=2016, seed=2, scale=0.03).run()
    first = (2011 - START_YEAR) * 12

    def placed(m, name):
        f = m.flows[:, :, fl.FLOW_INDEX[name]].sum(axis=1)
        return f[-1] - f[first]

    assert placed(model, "placement_institution") < 0.7 * placed(open_, "placement_institution")
    assert placed(model, "placement_family") > placed(open_, "placement_family")
    assert national_ic_children(model)[-1] < 0.5 * national_ic_children(open_)[-1]
    assert placed(open_, "deinstitutionalisation") == 0  # the lever is 0 by default
    assert placed(model, "deinstitutionalisation") > 0  # children moved out of closed places


def test_closure_from_the_first_month_keeps_children_within_places():
    model = FamilyWelfareModel(
        levers={"institution_closure_rate": 0.2}, end_year=2011, seed=6, scale=0.02
    )
    places = []
    while model.month < model.n_months:
        model.step()
        places.append(model.ministry.institution_places)
    places = np.array(places)
    ic = national_ic_children(model)
    assert places[0] == pytest.approx(0.8 * ic[0])
    assert (ic[1:] <= places + 1e-9).all()


def test_institutional_children_never_exceed_places_after_the_first_closure_year(closure_run):
    """After the first year of closures, institutions hold no more children than places."""
    model, places = closure_run
    after_first_year = (2012 - START_YEAR) * 12
    ic = national_ic_children(model)
    months = np.arange(after_first_year, model.n_months)
    over = ic[months + 1] - places[months]
    assert (over <= 1e-9).all(), (
        f"children in institutions exceed places in {np.count_nonzero(over > 0)} of "
        f"{len(months)} months, by up to {over.max():.1f} children "
        f"(end of run: {ic[-1]:.0f} children, {places[-1]:.1f} places)"
    )
