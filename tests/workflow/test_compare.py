"""Scenario library and comparisons: every scenario in both engines, values, identities."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from simulation.interfaces.cli import main
from simulation.model import lifecourse as lc
from simulation.workflow import compare as cmp
from simulation.workflow import economics as ec
from simulation.workflow.economics.exposures import VALUED
from simulation.workflow.runner import simulate_scenario
from simulation.workflow.scenarios import load, validate
from tests.conftest import SCENARIOS

FILES = sorted(SCENARIOS.glob("*.toml"))
SOURCES = {"000", "001", "002", "003", "004"}


def test_the_library_has_every_scenario_of_the_source_documents():
    names = {p.stem for p in FILES}
    assert {
        "baseline",
        "early_intervention",
        "cooperation_scheme",
        "equal_ngo_funding",
        "basic_integration_balance",
        "panevezys_outreach",
        "deinstitutionalisation",
        "development_work",
        "full_reform",
    } <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_scenario_validates_and_cites_its_source(path):
    assert validate([path]) == {str(path): []}
    sc = load(path)
    assert sc.description.strip()
    if sc.name == "calibrated":  # written by prevsim calibrate: it cites its targets file
        assert "calibration/targets.toml" in sc.source
    elif sc.name != "baseline":
        assert any(f"seed {s}" in sc.source or s in sc.source for s in SOURCES), sc.source


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_scenario_runs_in_the_sd_engine(path):
    result = simulate_scenario(load(path))
    stocks = result.saved["stocks"]
    assert np.isfinite(stocks).all()
    assert (stocks > -1e-6).all()
    assert result.times[-1] == 2041.0


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_scenario_runs_in_the_agent_based_engine(path):
    sc = load(path)
    run = replace(sc.run, engine="abm", scale=0.02, end_year=2029, seed=4)
    result = simulate_scenario(replace(sc, run=run))
    stocks = result.saved["stocks"]
    assert np.isfinite(stocks).all()
    assert (stocks >= 0).all()
    assert stocks[-1].sum() > 0


def yearly(path, engine="sd", **run):
    sc = load(path)
    result = simulate_scenario(replace(sc, run=replace(sc.run, engine=engine, **run)))
    return ec.yearly_accounts(result, sc.resolved_parameters()), sc.resolved_parameters()


def test_yearly_accounts_add_up():
    acc, p = yearly(SCENARIOS / "early_intervention.toml")
    care = acc["family_care_cost"] + acc["institutional_care_cost"]
    np.testing.assert_allclose(acc["total_cost"], acc["service_cost"] + care)
    dwl = p["deadweight_cost_of_taxation"]
    life = acc.filter(like="life.")
    public = care + life.filter(like=".taxpayers").sum(axis=1)
    np.testing.assert_allclose(
        acc["lifecourse_cost"], life.drop(columns=life.filter(like=".indirect").columns).sum(axis=1)
    )
    np.testing.assert_allclose(acc["indirect_cost"], dwl * public)
    np.testing.assert_allclose(
        acc["avoidable_cost"], care + acc["lifecourse_cost"] + acc["indirect_cost"]
    )
    np.testing.assert_allclose(acc["service_deadweight"], dwl * acc["service_cost"])
    np.testing.assert_allclose(acc["state_cost"] + acc["municipal_cost"], acc["total_cost"])
    # each year's life-course cost is its exposures at their lifetime unit values
    values = lc.unit_values(p)
    counts = acc[[VALUED[e] for e in lc.EXPOSURE_NAMES]].to_numpy()
    np.testing.assert_allclose(
        acc["lifecourse_cost"], counts @ values[..., : lc.INDIRECT].sum(axis=(-1, -2))
    )
    assert list(acc.index) == list(range(2009, 2041))
    by_service = acc.filter(like="cost.").drop(
        columns=["cost.family_care", "cost.institutional_care"]
    )
    np.testing.assert_allclose(by_service.sum(axis=1), acc["service_cost"])
    assert (acc["cost.preventive.ngo"] > 0).all()
    assert (acc["cost.basic.municipal"] > 0).all()
    np.testing.assert_allclose(acc["cost.family_care"], acc["family_care_cost"])


def test_yearly_accounts_match_the_run_totals():
    """Yearly accounts are differences of the exact cumulative integrals: they sum to the
    horizon totals of the summary table.
    """
    from simulation.workflow.runner import run_scenario

    out = run_scenario(load(SCENARIOS / "baseline.toml"))
    acc = ec.yearly_accounts(out.result, out.params)
    summary = out.summary.set_index("metric")["value"]
    assert acc["total_cost"].sum() == pytest.approx(summary["cost.total"], rel=1e-12)
    assert acc["children_placed"].sum() == pytest.approx(summary["children.placed"], rel=1e-12)
    assert acc["child_years_in_care"].sum() == pytest.approx(
        summary["child_years.in_care"], rel=1e-12
    )


@pytest.mark.parametrize("engine", ["sd", "abm"])
def test_a_scenario_compared_with_itself_is_worth_exactly_zero(engine, tmp_path):
    base = load(SCENARIOS / "baseline.toml")
    twin = replace(base, name="twin")
    scenarios = [replace(s, run=replace(s.run, end_year=2030, scale=0.02)) for s in (base, twin)]
    comparison = cmp.run_comparison(scenarios, engine=engine, replicates=3, seed=11)
    vals = cmp.values(comparison, 0.05, 2027)
    assert (vals["npv"] == 0).all()
    assert (vals["placements_avoided"] == 0).all()
    assert (vals["children_placed_avoided"] == 0).all()
    assert (vals["child_years_in_care_avoided"] == 0).all()


def test_compare_prints_value_with_currency_price_year_rate_and_horizon(tmp_path, capsys):
    argv = [
        "compare",
        str(SCENARIOS / "baseline.toml"),
        str(SCENARIOS / "early_intervention.toml"),
        "--out",
        str(tmp_path),
        "--lang",
        "en",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "EUR, 2024 prices, discounted at 5.0% a year to 2027, horizon 2009-2040" in out
    for column in ("NPV, M EUR", "BCR", "break-even", "children placed avoided"):
        assert column in out
    (folder,) = (tmp_path / "comparisons" / "early_intervention-vs-baseline").iterdir()
    value = pd.read_csv(folder / "value.csv").iloc[0]
    npv_text = f"{value['npv'] / 1e6:,.1f}"
    assert npv_text in out  # the printed NPV is the one written to value.csv
    assert value["currency"] == "EUR"
    assert value["price_year"] == 2024
    assert value["discount_rate"] == 0.05


def test_compare_with_the_abm_reports_intervals(tmp_path, capsys):
    files = [SCENARIOS / "baseline.toml", SCENARIOS / "early_intervention.toml"]
    argv = [
        "compare",
        *map(str, files),
        "--engine",
        "abm",
        "--replicates",
        "3",
        "--scale",
        "0.02",
        "--discount-rate",
        "0.03",
        "--out",
        str(tmp_path),
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "median [90% interval] over 3 paired replicates" in out
    assert "Monte Carlo standard error of the mean over 3 replicates" in out
    assert "discounted at 3.0%" in out
    row = next(line for line in out.splitlines() if line.startswith("early_intervention"))
    assert "[" in row
    assert "]" in row
    (folder,) = (tmp_path / "comparisons" / "early_intervention-vs-baseline").iterdir()
    assert len(pd.read_csv(folder / "value.csv")) == 3


def test_compare_needs_two_files_and_distinct_names(tmp_path, capsys):
    assert main(["compare", str(SCENARIOS / "baseline.toml"), "--out", str(tmp_path)]) == 2
    assert "at least two" in capsys.readouterr().err


def test_children_placed_avoided_counts_children_not_families(tmp_path, capsys):
    """The printed "children placed avoided" is the children count of outcomes.csv (not the
    families of value.csv's ``placements_avoided``, which the table labels as families).
    """
    files = [str(SCENARIOS / f"{n}.toml") for n in ("baseline", "early_intervention")]
    assert main(["compare", *files, "--out", str(tmp_path), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    (folder,) = (tmp_path / "comparisons" / "early_intervention-vs-baseline").iterdir()
    totals = pd.read_csv(folder / "outcomes.csv").set_index("scenario")
    children = (
        totals.loc["baseline", "children_placed"]
        - totals.loc["early_intervention"]["children_placed"]
    )
    families = totals.loc["baseline", "placements"] - totals.loc["early_intervention"]["placements"]
    assert children > families > 0  # a placement moves a family with one or more children
    row = next(line for line in out.splitlines() if line.startswith("early_intervention"))
    assert f"{children:,.0f}" in row.split()
    assert f"(families with children placed: early_intervention {families:,.0f})" in out
    assert "the central run" in out
    summary = pd.read_csv(folder / "value_summary.csv", index_col=0)
    assert summary.loc["early_intervention", "children_placed_avoided.median"] == pytest.approx(
        children
    )
    assert summary.loc["early_intervention", "children_placed_avoided.runs"] == 1


def test_children_placed_avoided_keeps_a_batch_axis():
    baseline = {"children_placed": np.array([[3.0, 4.0], [5.0, 6.0]])}  # (years, sets)
    scenario = {"children_placed": np.array([[1.0, 4.0], [2.0, 7.0]])}
    np.testing.assert_array_equal(cmp.children_placed_avoided(scenario, baseline), [5.0, -1.0])
    one = cmp.children_placed_avoided({"children_placed": [1.0]}, {"children_placed": [3.5]})
    assert one == 2.5
    assert isinstance(one, float)


def test_summarise_gives_the_median_interval_runs_and_standard_error():
    frame = pd.DataFrame({"scenario": ["a"] * 5 + ["b"], "x": [1.0, 2.0, 3.0, 4.0, 100.0, 7.0]})
    out = cmp.summarise(frame, "scenario", ["x"])
    assert out.loc["a", "x.median"] == 3.0
    assert out.loc["a", "x.mean"] == 22.0
    assert out.loc["a", "x.runs"] == 5
    assert out.loc["a", "x.se"] == pytest.approx(np.std([1, 2, 3, 4, 100], ddof=1) / np.sqrt(5))
    assert out.loc["a", "x.p05"] == pytest.approx(1.2)
    assert out.loc["b", "x.se"] == 0.0  # one run: nothing to average


def test_compare_over_history_matched_draws_gives_median_interval_and_chance(tmp_path, capsys):
    """--samples values the scenarios over the briefing's draws: the central run stays the
    first table, the draws add the median, the 90% interval and the chance with its runs and
    Monte Carlo error, and every draw is written.
    """
    files = [str(SCENARIOS / f"{n}.toml") for n in ("baseline", "early_intervention")]
    argv = ["compare", *files, "--samples", "20", "--out", str(tmp_path), "--lang", "en"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Under uncertainty, median [90% interval] over 20 parameter draws" in out
    (folder,) = (tmp_path / "comparisons" / "early_intervention-vs-baseline").iterdir()
    draws = pd.read_csv(folder / "value_draws.csv")
    assert sorted(draws["sample"]) == list(range(21))  # the central run and 20 draws
    central = draws[draws["sample"] == 0].iloc[0]
    value = pd.read_csv(folder / "value.csv").iloc[0]
    assert central["npv"] == pytest.approx(value["npv"], rel=1e-9)
    runs = draws[draws["sample"] > 0]
    positive = int((runs["npv"] > 0).sum())
    assert f"Chance that benefits exceed costs: {positive / 20:.0%} of 20 draws" in out
    assert "(Monte Carlo error: " in out
    median = runs["children_placed_avoided"].median()
    row = [line for line in out.splitlines() if line.startswith("early_intervention  ")][-1]
    assert f"{median:,.0f} [" in row


def test_compare_samples_need_the_sd_engine(tmp_path, capsys):
    files = [str(SCENARIOS / f"{n}.toml") for n in ("baseline", "early_intervention")]
    argv = ["compare", *files, "--engine", "abm", "--samples", "20", "--out", str(tmp_path)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "--samples" in err[0]
    assert not (tmp_path / "comparisons").exists()
