"""The public API (``import simulation as s``): what notebooks and researchers use."""

from __future__ import annotations

import doctest
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import simulation as s
from simulation.workflow.scenarios import ScenarioError


def test_every_public_name_resolves():
    for name in s.__all__:
        assert getattr(s, name) is not None, name
    assert set(s.__all__) <= set(dir(s))
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        s.nothing_here  # noqa: B018


def test_importing_the_package_loads_no_scientific_stack():
    """``import simulation`` stays quick: names are loaded on first use."""
    code = (
        "import sys, simulation; "
        "print(sorted(m for m in ('numpy', 'pandas', 'mesa') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_shipped_scenario_loads_by_name_and_a_bad_name_says_which_file():
    early = s.load_scenario("early_intervention")
    assert early.name == "early_intervention"
    assert early.chain[-1].endswith("early_intervention.toml")
    with pytest.raises(ScenarioError, match=r"no_such_scenario\.toml: file not found"):
        s.load_scenario("no_such_scenario")


def test_run_prints_its_headline_and_overrides_run_settings():
    baseline = s.load_scenario("baseline")
    result = s.run(baseline, end_year=2012)
    assert result.scenario.run.end_year == 2012
    assert len(result.national) == 4 * 12
    assert str(result).startswith("baseline: ")
    assert "children placed" in str(result)
    assert result.metric("children.placed") > 0
    accounts = result.accounts()
    assert list(accounts.index) == [2009, 2010, 2011, 2012]
    assert accounts["children_placed"].sum() == pytest.approx(result.metric("children.placed"))


def test_compare_values_scenarios_against_the_first():
    base, early = s.load_scenario("baseline"), s.load_scenario("early_intervention")
    comparison = s.compare(base, early)
    values = comparison.values()
    assert list(values["scenario"]) == ["early_intervention"]
    assert comparison.base_year == 2027
    assert "NPV, M EUR" in str(comparison)
    net = comparison.net_benefit()
    assert net["early_intervention"].iloc[-1] == pytest.approx(values["npv"].iloc[0])
    by_outcome = comparison.by_outcome()
    assert by_outcome["pv_eur"].sum() == pytest.approx(values["benefits"].iloc[0])
    with pytest.raises(ValueError, match="at least two"):
        s.compare(base)


def test_evaluate_is_one_batched_run_of_many_parameter_sets():
    base, early = s.load_scenario("baseline"), s.load_scenario("early_intervention")
    npv = s.evaluate(early, {"onset_rate": [0.04, 0.06, 0.08]}, "npv", against=base)
    assert npv.shape == (3,)
    assert np.all(np.isfinite(npv))
    default = base.resolved_parameters()["onset_rate"]
    at_default = s.evaluate(early, {"onset_rate": [default]}, "npv", against=base)[0]
    assert at_default == pytest.approx(s.compare(base, early).values()["npv"].iloc[0], rel=1e-3)


def test_ensemble_returns_values_and_the_chance_benefits_exceed_costs(tmp_path):
    base, early = s.load_scenario("baseline"), s.load_scenario("early_intervention")
    short = [replace(sc, run=replace(sc.run, end_year=2030)) for sc in (base, early)]
    result = s.ensemble(
        short[1], against=short[0], draws="ranges", samples=4, seed=2, base_year=2027
    )
    assert len(result.values) == 4
    assert result.failures.empty
    assert result.chance_benefits_exceed_costs == (result.values["npv"] > 0).mean()
    assert result.chance.runs == 4
    assert set(result.summary["value"]) >= {"npv", "bcr", "children_placed_avoided"}
    assert "over their registry ranges" in str(result)


def test_ensemble_draws_like_the_command_line_and_states_its_monte_carlo_error(tmp_path):
    """By default the API's draws are the briefing's (history-matched, seed 20261122), the
    summary has the central run (the comparison's) and the chance says its runs and error.
    """
    base, early = s.load_scenario("baseline"), s.load_scenario("early_intervention")
    short = [replace(sc, run=replace(sc.run, end_year=2030)) for sc in (base, early)]
    result = s.ensemble(short[1], against=short[0], samples=20)
    assert len(result.values) == 20
    printed = str(result)
    assert "20 draws kept of" in printed  # history matching, as in `prevsim brief`
    chance = result.chance
    assert chance.runs == 20
    assert chance.positive == int((result.values["npv"] > 0).sum())
    assert f"Chance that benefits exceed costs: {chance.p:.0%} of 20 runs" in printed
    central = s.compare(*short).values().iloc[0]
    rows = result.summary.set_index("value")
    for name in ("npv", "children_placed_avoided", "child_years_in_care_avoided"):
        assert rows.loc[name, "central"] == pytest.approx(central[name], rel=1e-9)
    assert rows.loc["children_placed_avoided", "unit"] == "children"
    assert rows.loc["placements_avoided", "unit"] == "families"
    with pytest.raises(ValueError, match="draws='ranges'"):
        s.ensemble(short[1], against=short[0], names=["onset_rate"], draws="history-matched")


def test_write_and_summary_give_what_the_command_line_gives(tmp_path):
    result = s.run(s.load_scenario("baseline"), end_year=2011)
    folder = s.write(result, out=tmp_path, lang="en")
    assert (folder / "families_by_state.png").is_file()
    summary = pd.read_csv(folder / "summary.csv").set_index("metric")["value"]
    assert summary["children.placed"] == pytest.approx(result.metric("children.placed"))
    assert s.summary(result) == str(result)


def test_docstring_examples_run():
    import simulation.api
    import simulation.engines.abm.model
    import simulation.engines.results
    import simulation.engines.sd

    modules = (
        s,
        simulation.api,
        simulation.engines.results,
        simulation.engines.sd,
        simulation.engines.abm.model,
    )
    for module in modules:
        failed, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert tried > 0, module.__name__
        assert failed == 0, module.__name__


def test_compare_over_draws_prints_the_median_and_the_chance():
    base, early = s.load_scenario("baseline"), s.load_scenario("early_intervention")
    result = s.compare(base, early, samples=20)
    printed = str(result)
    assert "the central run" in printed
    assert "over 20 parameter draws" in printed
    assert "of 20 draws (Monte Carlo error: " in printed
    draws = result.draws.values
    assert len(draws) == 21  # the central run (sample 0) and 20 draws
    central = draws[draws["sample"] == 0].iloc[0]
    assert central["children_placed_avoided"] == pytest.approx(
        result.values()["children_placed_avoided"].iloc[0], rel=1e-9
    )
    with pytest.raises(ValueError, match="sd engine"):
        s.compare(base, early, engine="abm", samples=20, replicates=1, scale=0.01)
