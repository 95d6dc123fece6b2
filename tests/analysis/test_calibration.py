"""Calibration: targets files, model outputs, synthetic recovery, holdout, the shipped fit."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.analysis import calibration as cal
from simulation.analysis import targets as tg
from simulation.interfaces.cli import main
from simulation.workflow import scenarios as scenario_mod
from simulation.workflow.runner import sd_model
from tests.analysis import synthetic_targets as st
from tests.conftest import REPO

TARGETS = REPO / "calibration" / "targets.toml"
BASELINE = REPO / "scenarios" / "baseline.toml"
TRUTH = {"escalation_rate": 0.05, "risk_to_crisis_rate": 0.4, "care_leaving_rate": 0.09}
SYNTHETIC_TARGETS = (
    st.INSTITUTIONS
    + """
[[target]]
name = "risk"
series = "risk"
stock = "families.risk"
years = [2009, 2012, 2015]

[[target]]
name = "care"
series = "care"
stock = "children.in_care"
years = [2010, 2014]
dates = { 2014 = 2014.5 }

[[target]]
name = "entries"
series = "entries"
flows = ["placement_family", "placement_institution"]
years = [2012]
"""
)
SERIES = {
    "inst": st.INSTITUTION_YEARS,
    "risk": (2009, 2012, 2015),
    "care": (2010, 2014),
    "entries": (2012,),
}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    """A targets file whose data are the model's own output at TRUTH (no noise)."""
    text = st.targets_text("synthetic", BASELINE, TRUTH, 3, SYNTHETIC_TARGETS)
    return st.make(tmp_path_factory.mktemp("synthetic"), text, SERIES, BASELINE, TRUTH)


# ---- targets files ------------------------------------------------------------------------
def test_shipped_targets_load_with_their_definitions():
    targets = tg.load(TARGETS)
    points = {(p.target, p.year): p for p in targets.points}
    # the 2019 institutions point sums care homes and community homes (one definition)
    p2019 = points[("children_in_institutions_2019", 2019)]
    assert p2019.value == 1200 + 770
    assert p2019.quality == "high"
    assert p2019.time == 2020.0
    # dates: mid-2018, and 31 December by default
    assert points[("children_in_institutions", 2018)].time == 2018.5
    assert points[("children_in_institutions", 2009)].time == 2010.0
    # a quality override is used for the error model
    entering = points[("children_entering_care_2018", 2018)]
    assert entering.quality == "low"
    assert entering.sigma == targets.sigma["low"]
    # entries into care: one target per regime (before the reform, 2018, from 2020)
    regimes = {p.target for p in targets.points if "short_placement" in _flows(targets, p)}
    assert regimes == {
        "children_entering_care",
        "children_entering_care_2018",
        "children_removed_2023",
    }
    # the register's children: its families times the register's own children per family
    register = next(t for t in targets.targets if t.name == "children_in_social_risk_families")
    assert register.children_per_family(np.array([2010.0, 2016.5, 2020.0])) == pytest.approx(
        [2.178, 2.0, 2.0]
    )
    assert set(targets.free) <= set(scenario_mod.load(targets.scenario).resolved_parameters())


def _flows(targets, point) -> tuple[str, ...]:
    return next(t.flows for t in targets.targets if t.name == point.target)


@pytest.mark.parametrize(
    ("edit", "key", "fragment"),
    [
        (("[fit]", "[fit]\nwalkrs = 3"), "fit.walkrs", "unknown key"),
        (('stock = "families.risk"', 'stock = "families.riks"'), "target.risk.stock", "unknown"),
        (('series = "risk"', 'series = "rsk"'), "target.risk.years", "no figure for rsk"),
        (('"escalation_rate",', '"escalation_rat",'), "fit.free", "escalation_rate"),
        (('data = "data.csv"', 'data = "missing.csv"'), "calibration.data", "file not found"),
        (("2014 = 2014.5", "2014 = 2031.0"), "target.care.dates.2014", "must refer to a time"),
        (
            ('stock = "families.risk"', 'stock = "families.risk"\nper_family = [[2010.0]]'),
            "target.risk.per_family",
            "decimal year, children per family",
        ),
        (
            ('stock = "children.in_care"', 'stock = "children.in_care"\nper_family = [[2010, 2]]'),
            "target.care.per_family",
            "only for a 'families.<state>' stock",
        ),
        (
            ('flows = ["placement_family", "placement_institution"]', 'flows = ["short_placemnt"]'),
            "target.entries.flows",
            "unknown flow 'short_placemnt'",
        ),
        (
            ('name = "entries"', 'name = "entries"\nquality = "best"'),
            "target.entries.quality",
            "one of",
        ),
    ],
)
def test_bad_targets_name_the_file_and_key(synthetic, tmp_path, edit, key, fragment):
    text = synthetic.read_text(encoding="utf-8").replace(*edit)
    bad = synthetic.parent / f"bad_{key.replace('.', '_')}.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(tg.TargetsError) as err:
        tg.load(bad)
    line = next(e for e in err.value.errors if key in e)
    assert line.startswith(f"{bad}: {key}: ")
    assert fragment in line


def test_bad_targets_on_the_command_line_exit_2_without_output(synthetic, tmp_path):
    bad = synthetic.parent / "bad_cli.toml"
    bad.write_text(synthetic.read_text().replace("[fit]", "[fit]\nstart = 2"), encoding="utf-8")
    out = tmp_path / "results"
    proc = subprocess.run(
        [sys.executable, "-m", "simulation", "calibrate", str(bad), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"{bad}: fit.start: unknown key (did you mean 'starts'?)"
    ]
    assert not out.exists()
    assert main(["calibrate", str(synthetic), "--steps", "5", "--burn", "5"]) == 2


def test_too_few_kept_sampler_steps_are_refused_before_any_work(synthetic, tmp_path, capsys):
    # thin = 2 in the synthetic file: 12 steps - 10 burned keep one step
    argv = ["calibrate", str(synthetic), "--steps", "12", "--burn", "10"]
    assert main([*argv, "--out", str(tmp_path / "results")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].endswith(
        "posterior.thin: 2 keeps 1 step of the 2 after burn-in; allowed: below 2 "
        "(steps - burn), or more steps"
    )
    assert not (tmp_path / "results").exists()


# ---- model outputs ------------------------------------------------------------------------
def test_outputs_read_stocks_and_flows_from_the_engine():
    scenario = scenario_mod.load(BASELINE)
    scenario = replace(scenario, run=replace(scenario.run, end_year=2014))
    result = sd_model(scenario).run(save=("stocks", "flows"))
    params = scenario.resolved_parameters()
    t = tg.Target("x", ("s",), "children.institutional_care", (), "children", ())
    series = tg.stock_series(result, params, t.stock)
    kids = params["children_per_risk_family"]
    month = 5 * 12  # 1 January 2014
    assert series[month, 0] == pytest.approx(result.saved["stocks"][month, 0, 0, 6] * kids)
    point = tg.Point("x", "s", 2013, 2013.0, 1.0, "high", 0.05, "")  # calendar 2013
    flows = tg.Target("f", ("s",), None, ("placement_family",), "families", (point,))
    got = tg.predict(result, params, [flows])[0, 0]
    cum = result.saved["flows"][:, 0, 0, 9]  # placement_family
    assert got == pytest.approx(cum[5 * 12] - cum[4 * 12])


# ---- synthetic recovery -------------------------------------------------------------------
@pytest.mark.slow
def test_synthetic_data_are_fitted_back_inside_their_posterior_90_intervals(synthetic):
    targets = tg.load(synthetic)
    result = cal.run_calibration(targets)
    table = result.table.set_index("parameter")
    for name, truth in TRUTH.items():
        row = table.loc[name]
        assert row.q05 <= truth <= row.q95, (name, truth, row.q05, row.q95)
        # the point fit lands on the truth (noise-free data): 1% of the prior range
        assert abs(row.best - truth) < 0.01 * (row.prior_high - row.prior_low)
    assert result.fit.cost < 1e-6
    assert result.predictive.points["within_10pct"].all()


@pytest.mark.slow
def test_holdout_fits_early_years_and_reports_the_later_ones(synthetic, tmp_path):
    out = tmp_path / "results"
    scenario_out = synthetic.parent / "calibrated.toml"
    code = main(
        [
            *("calibrate", str(synthetic), "--holdout-from", "2013", "--steps", "40"),
            *("--burn", "10", "--out", str(out), "--workers", "2"),
        ]
    )
    assert code == 0
    assert not scenario_out.exists()  # a holdout fit never writes the scenario
    folder = next((out / "calibration" / "synthetic").iterdir())
    points = pd.read_csv(folder / "points.csv")
    assert set(points.loc[points["year"] >= 2013, "used"]) == {"holdout"}
    assert set(points.loc[points["year"] < 2013, "used"]) == {"fit"}
    summary = (folder / "summary.txt").read_text(encoding="utf-8")
    assert "Holdout (4 points from 2013)" in summary
    for name in ("fit_overview.png", "residuals.pdf", "posterior.png", "posterior.parquet"):
        assert (folder / name).is_file()


@pytest.mark.slow
def test_the_calibrated_scenario_is_written_and_read_back(synthetic, tmp_path):
    out = tmp_path / "results"
    written = tmp_path / "calibrated.toml"
    code = main(
        [
            *("calibrate", str(synthetic), "--steps", "30", "--burn", "10", "--starts", "1"),
            *("--out", str(out), "--scenario-out", str(written)),
        ]
    )
    assert code == 0
    loaded = scenario_mod.load(written)
    assert loaded.display_title("lt") == "Kalibruoti parametrai"  # refitting keeps it readable
    assert loaded.display_title("en") == "Calibrated parameters"
    fit = pd.read_csv(next((out / "calibration" / "synthetic").iterdir()) / "fit.csv")
    for row in fit.itertuples():
        assert loaded.params[row.parameter] == pytest.approx(row.best, rel=1e-4)
    child = tmp_path / "child.toml"
    child.write_text('[scenario]\nextends = "calibrated.toml"\n', encoding="utf-8")
    assert scenario_mod.load(child).params == loaded.params


# ---- the shipped calibration --------------------------------------------------------------
def _shipped_points() -> pd.DataFrame:
    targets = tg.load(TARGETS)
    scenario = scenario_mod.load(BASELINE)
    scenario = replace(scenario, run=replace(scenario.run, end_year=targets.end_year))
    result = sd_model(scenario).run(save=("stocks", "flows"))
    model = tg.predict(result, scenario.resolved_parameters(), targets.targets)[0]
    frame = tg.points_frame(targets.points)
    frame["model"] = model
    frame["error"] = frame["model"] / frame["value"] - 1.0
    return frame, targets


def test_baseline_extends_the_calibrated_parameters():
    baseline = scenario_mod.load(BASELINE)
    calibrated = scenario_mod.load(REPO / "scenarios" / "calibrated.toml")
    assert str(REPO / "scenarios" / "calibrated.toml") in [str(Path(p)) for p in baseline.chain]
    for name in tg.load(TARGETS).free:
        value = {**calibrated.params, **calibrated.levers}[name]
        assert baseline.resolved_parameters()[name] == value


#: What the shipped fit must reach, or say why not in the targets file: high-quality points
#: within 10%, medium ones within 20%, and the entries into care within 15% in every year
#: whose count has the model's definition (2014 and 2017; 2018 counts cases under a new regime
#: and 2023 court removals only, as their targets' notes say).
TOLERANCE = cal.TOLERANCE
COMPARABLE_ENTRIES = ("children_entering_care", 0.15)


def test_shipped_baseline_reaches_every_high_quality_point_or_says_why():
    points, targets = _shipped_points()
    explained = {(t.name, y) for t in targets.targets for y in t.unreached}
    name, entries_tolerance = COMPARABLE_ENTRIES
    tolerance = points["quality"].map(TOLERANCE)
    tolerance[points["target"] == name] = entries_tolerance
    judged = points[tolerance.notna()]
    assert set(judged.loc[judged["target"] == name, "year"]) == {2014, 2017}
    missed = {
        (r.target, r.year)
        for r, tol in zip(judged.itertuples(), tolerance[tolerance.notna()], strict=True)
        if abs(r.error) > tol
    }
    assert missed <= explained, f"unexplained misses: {missed - explained}"
    # an explanation for a point the model now reaches is stale and must go
    assert explained <= missed, f"stale explanations: {explained - missed}"


@pytest.mark.slow
def test_the_calibrated_abm_reproduces_the_same_targets():
    """The agent-based engine (heterogeneity on) with the shipped fit stays within
    ABM_TOLERANCE of the fitted SD model at every high- and medium-quality point, and of the
    data at every high-quality point the SD fit reaches.
    """
    targets = tg.load(TARGETS)
    problem = cal.Problem(targets, scenario_mod.load(BASELINE))
    best = problem.current()  # the baseline extends the calibrated values
    abm, _ = cal.abm_check(problem, best, targets, replicates=3, scale=0.2, seed=11)
    frame = tg.points_frame(targets.points).join(abm)
    frame["sd"] = problem.predict(best)[0]
    unreached = {(t.name, y) for t in targets.targets for y in t.unreached}
    good = frame[frame["quality"] != "low"]
    gap = (good["abm_mean"] / good["sd"] - 1.0).abs()
    assert (gap <= cal.ABM_TOLERANCE).all(), good.assign(gap=gap).sort_values("gap").tail()
    reached = frame[
        (frame["quality"] == "high")
        & np.array(
            [(t, y) not in unreached for t, y in zip(frame["target"], frame["year"], strict=True)]
        )
    ]
    assert (reached["abm_error"].abs() <= cal.ABM_TOLERANCE).all(), reached


def test_a_figure_that_is_not_positive_is_refused(synthetic):
    folder = synthetic.parent / "zero"
    folder.mkdir(exist_ok=True)
    rows = []
    for line in (synthetic.parent / "data.csv").read_text(encoding="utf-8").splitlines():
        if line.startswith("risk,2012,"):
            parts = line.split(",")
            parts[2] = "0"  # the value column
            line = ",".join(parts)
        rows.append(line)
    (folder / "data.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "targets.toml").write_text(synthetic.read_text(encoding="utf-8"), encoding="utf-8")
    tg.national_series.cache_clear()
    with pytest.raises(tg.TargetsError) as err:
        tg.load(folder / "targets.toml")
    tg.national_series.cache_clear()
    assert any("risk in 2012 is 0.0" in e and "positive" in e for e in err.value.errors)


def test_every_chart_of_the_shipped_targets_has_its_own_file_and_title():
    from simulation.reports import calibration_charts as charts

    groups = list(charts.by_output(tg.load(TARGETS).targets).values())
    stems = [charts.file_stem(g) for g in groups]
    assert len(set(stems)) == len(stems), stems
    titles = [charts.target_title(g[0], "en") for g in groups]
    assert len(set(titles)) == len(titles), titles
    register = next(g[0] for g in groups if g[0].name == "children_in_social_risk_families")
    assert charts.target_title(register, "en").startswith("Children")
    assert charts.target_title(register, "lt").startswith("Vaikai")
