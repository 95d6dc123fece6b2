"""Sensitivity analysis: known answers (Ishigami, a linear model) and registry problems."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from SALib.test_functions import Ishigami

from simulation.analysis import evaluation as ev
from simulation.analysis import sensitivity as sa
from simulation.model.catalogue import REGISTRY
from simulation.workflow import compare as cmp
from simulation.workflow.scenarios import load
from tests.conftest import SCENARIOS

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}


def ishigami_analytic(a: float = 7.0, b: float = 0.1):
    """Analytic first-order and total Sobol indices of the Ishigami function."""
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


def test_ishigami_indices_match_the_analytic_values():
    """Within SALib's own test tolerances (atol 0.05, rtol 0.1 on S1 and ST)."""
    x = sa.sample(ISHIGAMI, "sobol", 1024, seed=101)
    result = sa.analyze(ISHIGAMI, "sobol", x, Ishigami.evaluate(x), seed=101)
    first, total = ishigami_analytic()
    np.testing.assert_allclose(result["S1"], first, atol=5e-2, rtol=1e-1)
    np.testing.assert_allclose(result["ST"], total, atol=5e-2, rtol=1e-1)
    table = sa.indices_table(ISHIGAMI, "sobol", result)
    assert list(table.index[:2]) == ["x1", "x2"]  # x1 has the largest total index


def test_linear_model_indices_are_squared_weights():
    """Y = sum a_i X_i with X_i uniform: S1_i = ST_i = a_i^2 / sum a_j^2 (no interactions).
    Tolerance: 4 bootstrap standard errors (SALib's confidence intervals are 95%, 1.96 SE).
    """
    a = np.array([4.0, 2.0, 1.0, 0.0])
    prob = {"num_vars": 4, "names": list("abcd"), "bounds": [[0.0, 1.0]] * 4}
    x = sa.sample(prob, "sobol", 2048, seed=7)
    result = sa.analyze(prob, "sobol", x, x @ a, seed=7)
    expected = a**2 / (a**2).sum()
    se_first = np.asarray(result["S1_conf"]) / 1.96
    se_total = np.asarray(result["ST_conf"]) / 1.96
    assert (np.abs(result["S1"] - expected) <= 4 * se_first + 1e-3).all()
    assert (np.abs(result["ST"] - expected) <= 4 * se_total + 1e-3).all()


def test_second_order_rows_leave_first_and_total_indices_unchanged():
    """SALib's second-order design adds the BA rows to the first-order design's rows.

    Dropping them gives the first-order design exactly, and the same S1 and ST up to SALib's
    standardisation of the outputs (over all rows, so the BA rows move the estimates by far
    less than 1% of their bootstrap interval), so the tool samples them only when the second
    order is asked for.
    """
    x2 = sa.sample(ISHIGAMI, "sobol", 256, seed=5, second_order=True)
    x1 = sa.sample(ISHIGAMI, "sobol", 256, seed=5)
    assert x2.shape == (256 * 8, 3)
    assert x1.shape == (256 * 5, 3)
    (kept,) = sa.without_second_order(ISHIGAMI, x2)
    np.testing.assert_array_equal(kept, x1)
    with_s2 = sa.analyze(ISHIGAMI, "sobol", x2, Ishigami.evaluate(x2), 5, second_order=True)
    without = sa.analyze(ISHIGAMI, "sobol", x1, Ishigami.evaluate(x1), 5)
    for key in ("S1", "ST"):
        gap = np.abs(np.asarray(with_s2[key]) - without[key])
        assert (gap <= 0.01 * np.asarray(without[f"{key}_conf"])).all(), key
        np.testing.assert_allclose(with_s2[f"{key}_conf"], without[f"{key}_conf"], rtol=0.05)
    assert "S2" in with_s2
    assert "S2" not in without
    # x1 x x3 is the Ishigami function's only interaction: S2_13 = V13 / V
    _first, total = ishigami_analytic()
    assert with_s2["S2"][0, 2] == pytest.approx(total[2], abs=3 * with_s2["S2_conf"][0, 2])


def test_morris_and_pawn_rank_the_linear_weights():
    a = np.array([4.0, 2.0, 1.0, 0.0])
    prob = {"num_vars": 4, "names": list("abcd"), "bounds": [[0.0, 1.0]] * 4}
    for method, n in (("morris", 50), ("pawn", 2000)):
        x = sa.sample(prob, method, n, seed=3)
        table = sa.indices_table(prob, method, sa.analyze(prob, method, x, x @ a, seed=3))
        assert list(table.index) == ["a", "b", "c", "d"], method


def test_problem_from_the_registry():
    prob = sa.problem()
    assert prob["names"] == REGISTRY.names("uncertain", engine="sd")
    assert prob["bounds"][0] == list(REGISTRY[prob["names"][0]].range)
    grouped = sa.problem(groups=lambda n: n.split(".")[0].split("_")[0])
    assert len(grouped["groups"]) == grouped["num_vars"]
    with pytest.raises(ValueError, match="only uncertain"):
        sa.problem(["budget.basic"])
    with pytest.raises(KeyError, match="did you mean"):
        sa.problem(["onset_rat"])


def test_the_npv_problem_adds_the_economics_parameters():
    names = sa.problem(outcome="npv")["names"]
    engine = REGISTRY.names("uncertain", engine="sd")
    assert names[: len(engine)] == engine
    extra = set(names) - set(engine)
    assert "lifecourse.discount_rate" in extra
    assert "lifecourse.earnings_ratio.care" in extra
    assert "deadweight_cost_of_taxation" in extra
    assert all("economics" in REGISTRY[n].engines for n in extra)
    assert sa.problem(outcome="placements_avoided")["names"] == engine


def test_sign_drivers_find_the_parameter_that_decides_the_sign():
    rng = np.random.default_rng(1)
    x = rng.random((2000, 3))
    y = x[:, 0] - 0.5 + 0.05 * (x[:, 2] - 0.5)  # x0 decides the sign, x2 barely, x1 not
    table = sa.sign_drivers(["a", "b", "c"], x, y)
    assert list(table.index) == ["a", "c", "b"]
    assert table.loc["a", "ks"] > 0.9
    assert table.loc["a", "positive_low"] == 0.0
    assert table.loc["a", "positive_high"] == 1.0
    assert table.loc["b", "p_value"] > 0.01
    assert sa.sign_drivers(["a"], x[:, :1], np.ones(2000)) is None  # one sign: nothing to say


def test_sd_evaluation_of_npv_matches_the_comparison():
    """A row of defaults, evaluated in a batch, has the NPV of `prevsim compare`."""
    base, early = load(SCENARIOS / "baseline.toml"), load(SCENARIOS / "early_intervention.toml")
    names = ["onset_rate", "programme.casework.effect.risk_to_crisis"]
    prob = sa.problem(names)
    defaults = np.array([[REGISTRY[n].default for n in names]])
    x = np.vstack([defaults, defaults * 1.1])
    npv = ev.evaluate(prob["names"], x, ev.Question(early, "npv", base, base_year=2027))
    comparison = cmp.run_comparison([base, early])
    value = cmp.values(comparison, 0.05, 2027).iloc[0]
    assert npv[0] == pytest.approx(value["npv"], rel=1e-9)
    assert npv[1] != npv[0]


def test_sensitivity_command_writes_indices_and_names_the_top_parameters(tmp_path, capsys):
    from simulation.interfaces.cli import main

    argv = [
        "sensitivity",
        str(SCENARIOS / "early_intervention.toml"),
        "--against",
        str(SCENARIOS / "baseline.toml"),
        "--n",
        "16",
        "--params",
        "onset_rate",
        "programme.casework.effect.risk_to_crisis",
        "programme.day_centres.cost",
        "escalation_rate",
        "detection_rate",
        "natural_recovery_rate",
        "--out",
        str(tmp_path),
        "--lang",
        "en",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Most influential parameters:" in out
    assert "  5. " in out
    assert "Draws: the " in out
    assert "national data" in out
    assert "Indices at N/4, N/2, N:" in out
    assert "128 model evaluations" in out  # N (D + 2) = 16 x 8: no second-order rows
    (folder,) = (tmp_path / "sensitivity" / "early_intervention-vs-baseline").iterdir()
    names = {p.name for p in folder.iterdir()}
    assert {
        "samples.parquet",
        "outputs.csv",
        "indices.csv",
        "convergence.csv",
        "indices.png",
        "manifest.json",
    } <= names
    assert {"time_varying.csv", "time_varying.png"} <= names
    varying = pd.read_csv(folder / "time_varying.csv", index_col="year")
    assert list(varying.index) == [2028, 2030, 2035, 2040]  # years where the outcome varies
    indices = pd.read_csv(folder / "indices.csv")
    assert len(indices) == 6
    assert {"S1", "ST", "S1_conf", "ST_conf"} <= set(indices.columns)
    assert len(pd.read_csv(folder / "outputs.csv")) == 16 * (6 + 2)
    assert "second_order.csv" not in names


def test_second_order_indices_on_request(tmp_path, capsys):
    """--second-order: N (2D + 2) evaluations, every pair's index, the same convergence table."""
    from simulation.interfaces.cli import main

    argv = [
        *("sensitivity", str(SCENARIOS / "early_intervention.toml")),
        *("--against", str(SCENARIOS / "baseline.toml"), "--n", "8", "--second-order"),
        *("--params", "onset_rate", "escalation_rate", "detection_rate"),
        *("--out", str(tmp_path), "--lang", "en"),
    ]
    assert main(argv) == 0
    assert "64 model evaluations" in capsys.readouterr().out  # 8 x (2 x 3 + 2)
    (folder,) = (tmp_path / "sensitivity" / "early_intervention-vs-baseline").iterdir()
    pairs = pd.read_csv(folder / "second_order.csv")
    assert len(pairs) == 3
    assert set(zip(pairs["first"], pairs["second"], strict=True)) == {
        ("onset_rate", "escalation_rate"),
        ("onset_rate", "detection_rate"),
        ("escalation_rate", "detection_rate"),
    }
    assert np.isfinite(pairs[["S2", "S2_conf"]].to_numpy()).all()
    assert list(pd.read_csv(folder / "convergence.csv").columns[1:]) == ["N=2", "N=4", "N=8"]
    assert main([*argv[:2], "--outcome", "total_cost", "--method", "morris", "--second-order"]) == 2
    assert "--second-order needs --method sobol" in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra",
    [
        ["--params", "onset_rat"],
        ["--params", "budget.basic"],
        ["--outcome", "npv"],
        ["--engine", "abm", "--method", "sobol"],
    ],
    ids=["unknown", "lever", "no-baseline", "abm-sobol"],
)
def test_sensitivity_bad_input_is_one_line(tmp_path, capsys, extra):
    from simulation.interfaces.cli import main

    argv = [
        "sensitivity",
        str(SCENARIOS / "early_intervention.toml"),
        "--n",
        "4",
        "--out",
        str(tmp_path),
        *extra,
    ]
    if extra[0] in ("--params", "--engine"):
        argv += ["--against", str(SCENARIOS / "baseline.toml")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("prevsim sensitivity:")
    assert not (tmp_path / "sensitivity").exists()


def test_outcome_by_year_accumulates_to_the_horizon_value():
    base, early = load(SCENARIOS / "baseline.toml"), load(SCENARIOS / "early_intervention.toml")
    prob = sa.problem(["onset_rate"])
    x = np.array([[0.05], [0.07]])
    by_year = ev.evaluate(prob["names"], x, ev.Question(early, "npv", base), by_year=True)
    total = ev.evaluate(prob["names"], x, ev.Question(early, "npv", base))
    np.testing.assert_array_equal(by_year[:, -1], total)
    assert by_year.shape == (2, 32)
    assert (by_year[:, : 2027 - 2009] == 0).all()  # nothing differs before the policy


def test_morris_writes_a_mu_sigma_chart(tmp_path, capsys):
    from simulation.interfaces.cli import main

    argv = [
        "sensitivity",
        str(SCENARIOS / "early_intervention.toml"),
        "--method",
        "morris",
        "--outcome",
        "total_cost",
        "--n",
        "6",
        "--params",
        "onset_rate",
        "detection_rate",
        "escalation_rate",
        "--out",
        str(tmp_path),
    ]
    assert main(argv) == 0
    (folder,) = (tmp_path / "sensitivity" / "early_intervention").iterdir()
    assert {"morris.png", "indices.csv"} <= {p.name for p in folder.iterdir()}
    assert "mu_star" in pd.read_csv(folder / "indices.csv").columns


def test_two_workers_and_shared_prefixes_give_the_same_numbers():
    base, early = load(SCENARIOS / "baseline.toml"), load(SCENARIOS / "early_intervention.toml")
    prob = sa.problem(["onset_rate", "escalation_rate"])
    x = sa.sample(prob, "sobol", 4, seed=2)  # 24 rows, in chunks of 10
    one = ev.evaluate(prob["names"], x, ev.Question(early, "npv", base), chunk=10, workers=1)
    two = ev.evaluate(prob["names"], x, ev.Question(early, "npv", base), chunk=10, workers=2)
    np.testing.assert_array_equal(one, two)


def test_divergence_month_is_the_first_month_inputs_differ():
    from simulation.engines.sd import SDModel

    base, early = load(SCENARIOS / "baseline.toml"), load(SCENARIOS / "early_intervention.toml")
    a = SDModel(params=base.params, levers=base.levers, schedule=base.schedule)
    b = SDModel(params=early.params, levers=early.levers, schedule=early.schedule)
    assert ev.divergence_month(a, b) == (2027 - 2009) * 12
    assert ev.divergence_month(a, a) == a.n_months
    c = SDModel(params={"onset_rate": 0.06}, levers=base.levers, schedule=base.schedule)
    assert ev.divergence_month(a, c) == 0  # a different engine parameter: nothing shared


@pytest.mark.slow
def test_abm_morris_screening_with_paired_replicates():
    """A small Morris screen on the agent-based engine: rows differing only in a parameter
    with no effect on the outcome give exactly equal outcomes (common random numbers), and
    an influential parameter is ranked first.
    """
    base, early = load(SCENARIOS / "baseline.toml"), load(SCENARIOS / "early_intervention.toml")
    short = [replace(s, run=replace(s.run, end_year=2030)) for s in (base, early)]
    prob = sa.problem(["onset_rate", "cost.institutional_care"])
    x = sa.sample(prob, "morris", 2, seed=5)  # 2 trajectories x 3 points
    question = ev.Question(short[1], "placements_avoided", short[0])
    y = ev.evaluate_abm(prob["names"], x, question, replicates=2, scale=0.02, seed=3)
    # institutional care cost changes costs, not placements: its elementary effects are 0
    table = sa.indices_table(prob, "morris", sa.analyze(prob, "morris", x, y, seed=5))
    assert table.loc["cost.institutional_care", "mu_star"] == 0.0
    assert table.index[0] == "onset_rate"


@pytest.mark.slow
def test_abm_sensitivity_command_writes_its_summary(tmp_path, capsys):
    from simulation.interfaces.cli import main

    argv = [
        "sensitivity",
        str(SCENARIOS / "early_intervention.toml"),
        "--engine",
        "abm",
        "--method",
        "morris",
        "--n",
        "2",
        "--params",
        "onset_rate",
        "escalation_rate",
        "--outcome",
        "total_cost",
        "--replicates",
        "1",
        "--scale",
        "0.01",
        "--out",
        str(tmp_path),
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "(abm engine, 1 paired replicates at scale 0.01)" in out
    assert "Most influential parameters:" in out
