"""``prevsim optimise`` on a country with a need file: bands, their table and chart."""

from __future__ import annotations

import json

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
    for name in ("bands.csv", "need_bands.png", "need_bands.pdf", "municipalities.png"):
        assert name in manifest["files"]
    bands = pd.read_csv(folder / "bands.csv", index_col=0)
    assert list(bands.index) == ["1", "2", "total"]
    regions = pd.read_csv(folder / "municipalities.csv", index_col=0)
    assert len(regions) == 5
    assert sorted(regions["band"].unique()) == [1, 2]
    total = bands.loc["total", "gain_over_today"]
    assert regions["gain_over_today"].sum() == pytest.approx(total, rel=1e-9)


@pytest.mark.parametrize("bands", ["0", "21", "x"])
def test_a_bad_number_of_bands_is_one_line_and_exit_2(bands, tmp_path, capsys):
    argv = ["optimise", SYNTHLAND + "early_intervention.toml", "--need-bands", bands]
    assert main([*argv, "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "--need-bands" in err[0]
    assert not (tmp_path / "r").exists()
