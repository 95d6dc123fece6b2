"""Reality checks (issue 21, item 4): published behaviours the shipped model must show.

Each test names its source. The checks run on the system-dynamics engine (deterministic),
national, on the shipped baseline: a few seconds for all of them.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from simulation.analysis import reality
from simulation.analysis.reality_runs import national, run_sd, with_changes
from simulation.interfaces.cli import main
from simulation.workflow.scenarios import load
from tests.conftest import SCENARIOS

BASELINE = SCENARIOS / "baseline.toml"


@pytest.fixture(scope="module")
def baseline():
    return load(BASELINE)


@pytest.fixture(scope="module")
def results(baseline):
    return {r.name: r for r in reality.run_checks(baseline)}


def test_fowler_more_referrals_without_capacity_avoid_no_more_placements(results):
    """Fowler et al. (2020), Child Maltreatment 25(1): 51-60.

    Scaling a capacity-constrained prevention service does not cut system-wide separations
    unless time to service falls: twice the referrals to home visiting with its places fixed
    avoid about the same placements (the served share halves); places grown with the
    referrals keep the served share and avoid more.
    """
    r = results["fowler_capacity"]
    n = r.numbers
    assert r.status == reality.PASS
    assert r.source == reality.FOWLER
    assert n["served_share_same_capacity"] < 0.6 * n["served_share_today"]
    assert n["served_share_more_capacity"] == pytest.approx(n["served_share_today"], rel=0.05)
    assert n["avoided_more_referrals_more_capacity"] > 1.5 * n["avoided_today"]
    gain = n["avoided_more_referrals_more_capacity"] - n["avoided_today"]
    assert abs(n["avoided_more_referrals_same_capacity"] - n["avoided_today"]) < 0.05 * gain
    # system-wide: the extra referrals alone do not lower placements in this model
    assert n["placements_without_service_more_referrals"] > n["placements_without_service_today"]


def test_fowler_check_fails_when_the_service_is_not_constrained(baseline, monkeypatch):
    """Fowler et al. (2020): the check tells the cases apart.

    With places for five times the families, the extra referrals are served too: more
    referrals then avoid more placements without any new capacity, and the check fails.
    """
    monkeypatch.setattr(reality, "CONSTRAINED_SHARE", 5.0)
    r = reality.fowler_capacity(baseline)
    assert r.status == reality.FAIL
    assert r.numbers["avoided_more_referrals_same_capacity"] > 1.5 * r.numbers["avoided_today"]


def test_bed_supply_slow_capacity_builds_a_waiting_list(results):
    """Residential bed-supply model (SSWR 2011, paper 14742): slow adjustment, waiting lists.

    After a budget that meets need, capacity at the slow end of the capacity delay's range
    (3 years) leaves several times the waiting family-years of the fast end (3 months).
    """
    r = results["bed_supply_waiting"]
    assert r.status == reality.PASS
    assert r.source == reality.BED_SUPPLY
    assert r.numbers["waiting_family_years_slow"] > 3 * r.numbers["waiting_family_years_fast"]
    assert r.numbers["waiting_family_years_fast"] > 0


def test_bed_supply_surplus_draws_placements_up(results):
    """Residential bed-supply model (SSWR 2011, paper 14742): supply-induced demand.

    With prevention lowering use, places that follow use slowly (5 years) keep many more
    free places than fast ones (6 months) and, at the top of the assumed elasticity's range,
    draw more placements; at the default elasticity (0) fast and slow give the same
    placements (the control). The note says the elasticity is an assumption, 0 by default.
    """
    r = results["bed_supply_surplus"]
    n = r.numbers
    assert r.status == reality.PASS
    assert r.source == reality.BED_SUPPLY
    assert n["free_places_slow"] > 5 * n["free_places_fast"]
    assert n["placements_with_prevention_slow"] > n["placements_with_prevention_fast"]
    assert n["placements_with_prevention_fast"] > n["placements_with_prevention_elasticity_0"]
    assert n["avoided_elasticity_0_fast"] == n["avoided_elasticity_0_slow"]
    assert n["avoided_elasticity_0_fast"] > 10  # prevention does lower use
    assert "assumption" in r.note
    assert "0" in r.note


class _NoSupplyEffect:
    """The registry with the elasticity's range at 0 (the mechanism off everywhere)."""

    def __getitem__(self, name):
        p = reality.REGISTRY[name]
        return replace(p, range=(0.0, 0.0)) if name == "bed_supply_elasticity" else p

    def resolve(self, values):
        return reality.REGISTRY.resolve(values)


def test_bed_supply_surplus_fails_without_the_supply_effect(baseline, monkeypatch):
    """Residential bed-supply model (SSWR 2011): the check can fail.

    With the elasticity tested at 0, slow places still keep a surplus but draw nobody.
    """
    from simulation.analysis import reality_beds

    monkeypatch.setattr(reality_beds, "REGISTRY", _NoSupplyEffect())
    r = reality_beds.surplus_places(baseline)
    assert r.status == reality.FAIL
    n = r.numbers
    assert n["free_places_slow"] > n["free_places_fast"]
    assert n["placements_with_prevention_slow"] == n["placements_with_prevention_fast"]


def test_no_prevention_spending_no_prevention_effect(results):
    """A property of the model: no prevention spending, no prevention effect.

    Zero preventive budgets give exactly the states of a run whose preventive programmes have
    no effect; their multipliers are exactly 1; the funded programmes did avoid placements
    (so the comparison is not empty).
    """
    r = results["no_prevention_spending"]
    assert r.status == reality.PASS
    assert r.source == reality.PROPERTY
    assert r.numbers["relative_state_gap"] == 0.0
    assert r.numbers["preventive_multiplier_min"] == r.numbers["preventive_multiplier_max"] == 1
    assert r.numbers["placements_avoided_by_funded_prevention"] > 10


def test_zero_spending_differs_from_funded_prevention(baseline):
    """A property of the model: the funded variant's effects are not 1 (the check can fail)."""
    funding = {"budget.home_visiting": 5.0}
    effects = reality.final_effects(with_changes(national(baseline), 2027, funding))
    assert effects[list(reality.PREVENTIVE_EFFECTS)].min() < 0.99


def test_doubled_unit_costs_halve_places_and_families_served(results):
    """A property of the model: twice every unit cost halves what a budget buys."""
    r = results["doubled_unit_costs"]
    n = r.numbers
    assert r.status == reality.PASS
    assert r.source == reality.PROPERTY
    assert n["capacity_relative_gap"] == 0.0
    assert n["places_ratio_min"] == pytest.approx(0.5, rel=1e-12)
    assert n["places_ratio_max"] == pytest.approx(0.5, rel=1e-12)
    served = [v for k, v in n.items() if k.startswith("served_ratio.")]
    assert served
    assert np.allclose(served, 0.5, rtol=1e-6)


def test_unit_costs_cover_every_programme_and_care():
    names = reality.unit_costs()
    assert {"cost.family_care", "cost.institutional_care", "cost.training_per_person"} <= set(names)
    assert sum(n.startswith("programme.") for n in names) == len(reality.sv.PROGRAMME_NAMES)


def test_run_sd_batch_matches_single_runs(baseline):
    """The checks' batched runs give each set's single run (the engine is deterministic)."""
    sc = national(baseline)
    batch = run_sd(sc, {"detection_rate": np.array([0.05, 0.1])})
    single = run_sd(sc.with_values({"detection_rate": 0.1}))
    np.testing.assert_allclose(batch.saved["stocks"][:, 1], single.saved["stocks"][:, 0])


def test_command_prints_one_line_per_check_with_its_source(tmp_path, capsys):
    assert main(["reality-check", str(BASELINE), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    lines = [x for x in out.splitlines() if x.startswith(("PASS", "FAIL", "N/A"))]
    assert len(lines) == 5
    assert "Fowler et al. 2020" in lines[0]
    assert "SSWR 2011" in lines[1]
    assert all("a property of the model" in x for x in lines[3:])
    assert "home_visiting" not in out  # programmes by their labels
    (folder,) = (tmp_path / "reality" / "baseline").iterdir()
    written = json.loads((folder / "checks.json").read_text())
    assert [c["status"] for c in written["checks"]].count("pass") == 5
    manifest = json.loads((folder / "manifest.json").read_text())
    assert sorted(manifest["files"]) == ["checks.csv", "checks.json", "manifest.json"]


def test_command_exits_1_when_a_check_fails(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(reality, "CONSTRAINED_SHARE", 5.0)
    assert main(["reality-check", str(BASELINE), "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().out.startswith("FAIL fowler_capacity")


def test_command_refuses_a_missing_scenario_without_output(tmp_path, capsys):
    missing = tmp_path / "nope.toml"
    assert main(["reality-check", str(missing), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "nope.toml" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_abm_no_spending_and_doubled_costs_at_small_scale(baseline):
    """A property of the model, on the agent-based engine (1% of families, one seed).

    Zero preventive budgets leave no preventive places, families served or spending;
    doubled unit costs leave the capacity as it is, and fewer families are served.
    """
    spending, costs = reality.abm_checks(baseline, scale=0.005, seed=3)
    assert spending.status == reality.PASS
    assert spending.numbers["preventive_spending_eur"] == 0.0
    assert costs.status == reality.PASS
    assert costs.numbers["capacity_relative_gap"] == 0.0
    served = [v for k, v in costs.numbers.items() if k.startswith("served_ratio.")]
    assert served
    assert max(served) < 1.0


def test_command_refuses_a_horizon_too_short_for_the_checks(tmp_path, capsys):
    short = tmp_path / "short.toml"
    short.write_text(
        f'[scenario]\nname = "short"\nextends = "{BASELINE.as_posix()}"\n'
        'title = "Short / Trumpas"\n\n[run]\nend_year = 2027\n',
        encoding="utf-8",
    )
    assert main(["reality-check", str(short), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "end_year 2027" in err[0]
    assert str(reality.MIN_END_YEAR) in err[0]
    assert not (tmp_path / "out").exists()


def test_a_checks_change_holds_over_the_scenarios_later_changes(baseline):
    """The checks' budgets hold to the end even where the scenario changes them later."""
    later = with_changes(national(baseline), 2030, {"budget.home_visiting": 9.0})
    sc = with_changes(later, 2027, {"budget.home_visiting": 1.0})
    changes = [c for c in sc.schedule if "budget.home_visiting" in c.values]
    assert [(c.year, c.values["budget.home_visiting"]) for c in changes] == [(2027, 1.0)]


def test_fowler_over_history_matched_draws(baseline):
    """Fowler et al. (2020), Child Maltreatment 25(1): 51-60, over the uncertainty draws.

    The behaviour is structural: it holds in (almost) every history-matched draw. In 300
    draws (seeds 0, 1 and the briefing's) it failed in one, so 30 draws may fail in at most
    3 (binomial: a failure rate of 1% gives 3 or more in 30 with a chance of 0.3%).
    """
    from simulation.analysis.reality_draws import fowler_over_draws
    from simulation.workflow import shipped

    r = fowler_over_draws(baseline, 30, 20261122, shipped.targets_path())
    n = r.numbers
    assert n["draws"] == 30
    assert n["share_of_draws_passing"] >= 0.9
    assert n["avoided_more_capacity_median"] > 1.3 * n["avoided_today_median"]
    assert n["gain_same_capacity_over_gain_more_capacity_median"] < reality.BARELY


def test_command_refuses_too_few_draws(tmp_path, capsys):
    assert main(["reality-check", "--draws", "5", "--out", str(tmp_path / "out")]) == 2
    assert "at least 20" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
