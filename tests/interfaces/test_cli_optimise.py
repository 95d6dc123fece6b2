"""``prevsim optimise``: a small run writes its folder; bad input is one line and exit 2."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from simulation.analysis import optimise as op
from simulation.interfaces.cli import main
from tests.conftest import SCENARIOS

SMALL = ["--samples", "20", "--search-draws", "2", "--generations", "2", "--abm-replicates", "0"]


@pytest.mark.slow
def test_a_small_run_writes_tables_charts_and_a_manifest(tmp_path, capsys):
    argv = [
        "optimise",
        str(SCENARIOS / "early_intervention.toml"),
        "--against",
        str(SCENARIOS / "baseline.toml"),
        *SMALL,
        "--out",
        str(tmp_path),
        "--lang",
        "en",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "gain vs today" in out
    (folder,) = (tmp_path / "optimise" / "early_intervention-vs-baseline").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    for name in ("summary.csv", "allocations.csv", "municipalities.csv", "municipalities.png"):
        assert name in manifest["files"]
    summary = pd.read_csv(folder / "summary.csv", index_col=0)
    # the search starts from today's allocation and keeps its best: it cannot do worse on
    # the draws it searched (the first two); the whole 20 are reported
    assert list(summary.index) == ["optimal", "today", "uniform", "scenario"]
    allocations = pd.read_csv(folder / "allocations.csv", index_col=0)
    budgets = allocations.filter(like="budget.").sum(axis=1)
    assert budgets.to_numpy() == pytest.approx([manifest["budget_million_eur"]] * 4)
    assert len(pd.read_csv(folder / "municipalities.csv")) == 60


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--budget", "-5"], "--budget"),
        (["--quantile", "1.5"], "--quantile"),
        (["--samples", "20", "--search-draws", "40"], "--search-draws 40"),
        (["--objective", "cost"], "--objective"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(extra, message, tmp_path, capsys):
    argv = ["optimise", str(SCENARIOS / "early_intervention.toml"), *extra]
    assert main([*argv, "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert message in err[0]
    assert not (tmp_path / "r").exists()


def test_a_scenario_equal_to_its_baseline_is_refused(tmp_path, capsys):
    same = tmp_path / "same.toml"
    base = (SCENARIOS / "baseline.toml").resolve()
    same.write_text(f'[scenario]\nname = "same"\nextends = "{base}"\n', encoding="utf-8")
    argv = ["optimise", str(same), "--against", str(base), "--out", str(tmp_path / "r")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "does not differ from the baseline" in err
    assert not (tmp_path / "r").exists()


def test_a_scenario_that_spends_nothing_needs_a_budget(tmp_path, capsys):
    base = (SCENARIOS / "baseline.toml").resolve()
    cut = tmp_path / "cut.toml"
    lines = [f'[scenario]\nname = "cut"\nextends = "{base}"\n', "[[policy.schedule]]\nyear = 2027"]
    lines += [f"budget.{line} = 0.0" for line in ("preventive", "basic", "integration")]
    lines += ["budget.mobile_team = 0.0\n"]
    cut.write_text("\n".join(lines), encoding="utf-8")
    argv = ["optimise", str(cut), "--against", str(base), "--out", str(tmp_path / "r")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "--budget" in err[0]
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
def test_pareto_writes_a_front_nothing_in_it_dominates(tmp_path, capsys):
    argv = ["optimise", str(SCENARIOS / "early_intervention.toml"), *SMALL]
    argv += ["--objective", "pareto", "--unspent", "paid", "--out", str(tmp_path)]
    assert main(argv) == 0
    assert "paid all the same" in capsys.readouterr().out
    (folder,) = (tmp_path / "optimise" / "early_intervention-vs-baseline").iterdir()
    front = pd.read_csv(folder / "pareto.csv", index_col=0)
    assert 1 <= len(front) <= 42  # at most a population of NSGA-II (42)
    # as the search valued them (the first two draws), no point beats another on both ...
    assert op.pareto_mask(front["npv"].to_numpy(), front["placements_avoided"].to_numpy()).all()
    # ... and sorted by NPV, largest first, each next point avoids more placements
    assert front["npv"].is_monotonic_decreasing
    assert front["placements_avoided"].is_monotonic_increasing
    # each valued on all 20 draws, its money the budget (million EUR a year)
    assert (front["npv_p05"] <= front["npv_mean"]).all()
    assert (front["npv_mean"] <= front["npv_p95"]).all()
    assert (front["npv_mean_se"] > 0).all()
    manifest = json.loads((folder / "manifest.json").read_text())
    budgets = front.filter(like="budget.").sum(axis=1).to_numpy()
    assert budgets == pytest.approx([manifest["budget_million_eur"]] * len(front))
    # the best allocation is the front's highest NPV, valued on the same draws
    summary = pd.read_csv(folder / "summary.csv", index_col=0)
    assert summary.loc["optimal", "npv_mean"] == pytest.approx(front["npv_mean"].iloc[0])
    for name in ("pareto.png", "pareto.pdf"):
        assert name in manifest["files"]


def test_another_countrys_regions_are_ranked_without_a_map(tmp_path, capsys):
    """Synthland's regions are not on the Lithuanian map: one ranking, titled by the gain."""
    from pypdf import PdfReader

    synth = "simulation/data/synthland/"
    argv = ["optimise", synth + "early_intervention.toml", "--against", synth + "baseline.toml"]
    assert main([*argv, *SMALL, "--out", str(tmp_path), "--lang", "en"]) == 0
    capsys.readouterr()
    (chart,) = (tmp_path / "optimise").glob("*/*/municipalities.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(chart).pages)
    assert "Gain of the best allocation over today's" in text
    assert "Municipalities by gain" not in text
    assert "Aldmere" in text  # a region's name
