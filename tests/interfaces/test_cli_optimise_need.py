"""``prevsim optimise`` on a country with a need file: bands, their table and chart."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from simulation.interfaces.cli import main

SYNTHLAND = "simulation/data/synthland/"
SMALL = ["--samples", "20", "--search-draws", "2", "--generations", "2", "--abm-replicates", "0"]


@pytest.mark.slow
def test_synthland_s_bands_are_searched_and_written(tmp_path, capsys):
    argv = ["optimise", SYNTHLAND + "early_intervention.toml", *SMALL, "--need-bands", "2"]
    assert main([*argv, "--out", str(tmp_path), "--lang", "lt"]) == 0
    out = capsys.readouterr().out
    assert "Municipalities by need" in out
    assert "national total of the bands" in out
    (folder,) = (tmp_path / "optimise").glob("*/*")
    manifest = json.loads((folder / "manifest.json").read_text())
    for name in ("bands.csv", "budget_curves.csv", "need_bands.png", "municipalities.png"):
        assert name in manifest["files"]
    bands = pd.read_csv(folder / "bands.csv", index_col=0)
    assert list(bands.index) == ["1", "2", "total"]
    regions = pd.read_csv(folder / "municipalities.csv", index_col=0)
    assert len(regions) == 5
    assert sorted(regions["band"].unique()) == [1, 2]
    total = bands.loc["total", "gain_over_today"]
    assert regions["gain_over_today"].sum() == pytest.approx(total, rel=1e-9)
    # the budget is split between the bands and the rows add up to the national budget
    budget = json.loads((folder / "manifest.json").read_text())["budget_million_eur"]
    assert regions["budget"].sum() == pytest.approx(budget, rel=1e-12)
    assert bands["budget"].iloc[:-1].sum() == pytest.approx(budget, rel=1e-12)
    multiples = bands["budget_multiplier"].iloc[:-1]
    assert multiples.between(0.5, 2.0).all()
    assert not np.allclose(multiples, 1.0)
    assert "gain of the split over the children-proportional one" in out
    for _, row in regions.iterrows():
        m = bands.loc[str(int(row["band"])), "budget_multiplier"]
        assert row["budget"] == pytest.approx(row["children_share"] * m * budget, rel=1e-9)


@pytest.mark.slow
def test_without_the_split_every_municipality_gets_the_national_budget_per_child(tmp_path, capsys):
    argv = ["optimise", SYNTHLAND + "early_intervention.toml", *SMALL, "--need-bands", "2"]
    assert main([*argv, "--no-split-budget", "--out", str(tmp_path)]) == 0
    assert "the split was not searched" in capsys.readouterr().out
    (folder,) = (tmp_path / "optimise").glob("*/*")
    bands = pd.read_csv(folder / "bands.csv", index_col=0)
    np.testing.assert_array_equal(bands["budget_multiplier"], 1.0)
    regions = pd.read_csv(folder / "municipalities.csv", index_col=0)
    budget = json.loads((folder / "manifest.json").read_text())["budget_million_eur"]
    np.testing.assert_allclose(regions["budget"], regions["children_share"] * budget, rtol=1e-12)


@pytest.mark.parametrize("bands", ["0", "21", "x"])
def test_a_bad_number_of_bands_is_one_line_and_exit_2(bands, tmp_path, capsys):
    argv = ["optimise", SYNTHLAND + "early_intervention.toml", "--need-bands", bands]
    assert main([*argv, "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "--need-bands" in err[0]
    assert not (tmp_path / "r").exists()
