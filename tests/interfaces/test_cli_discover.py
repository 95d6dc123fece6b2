"""``prevsim discover``: a small study end to end, and bad input refused in one line."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from simulation.interfaces.cli import main

SCENARIO = "scenarios/early_intervention.toml"
SMALL = ["--samples", "120", "--points", "6", "--draws", "ranges", "--workers", "1"]


def test_a_small_discovery_writes_boxes_sentences_charts_and_a_manifest(tmp_path, capsys):
    argv = ["discover", SCENARIO, "--against", "scenarios/baseline.toml", *SMALL]
    assert main([*argv, "--density", "0.3", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    (folder,) = (tmp_path / "discovery").glob("*/*")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["points"] == 120
    assert manifest["lever_settings"] == 6
    for name in manifest["files"]:
        assert (folder / name).is_file(), name
    points = pd.read_parquet(folder / "points.parquet")
    assert len(points) == 120
    assert points["budget.home_visiting"].between(0, 12).all()  # twice the scenario's 6.0
    assert points["budget.home_visiting"].nunique() == 6  # one value per lever setting
    boxes = pd.read_csv(folder / "boxes.csv")
    summary = (folder / "summary.txt").read_text(encoding="utf-8")
    assert summary.strip() in out
    share = float(manifest["share_paying"])
    assert f"NPV > 0 in {share:.1%} of draws" in summary
    if len(boxes):  # every box in both languages, in readers' words
        assert {"trajectory.png", "trajectory.pdf", "boxes.png", "boxes.pdf"} <= set(
            manifest["files"]
        )
        assert "Early intervention pays against “Status quo” when" in summary
        assert "Ankstyvoji intervencija, palyginti su scenarijumi „Esama padėtis“" in summary
        assert (boxes["density"] > 0).all()
        assert (boxes["coverage"] <= 1).all()
        assert "budget." not in summary.split("PRIM boxes")[1]  # labels, not code names
    else:
        assert "No box where Early intervention pays" in summary
    assert "pays against “Status quo” when  (" not in summary  # a box names its conditions


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--levers", "budget.home_visitin"], "--levers"),
        (["--levers", "onset_rate"], "not a lever"),
        (["--levers", "budget.home_visiting=9:1"], "LOW < HIGH"),
        (["--levers", "budget.home_visiting=a:b"], "NAME=LOW:HIGH"),
        (["--points", "500"], "at most --samples"),
        (["--params", "budget.preventive"], "--params"),
    ],
)
def test_bad_input_is_refused_in_one_line_without_output(tmp_path, capsys, extra, message):
    assert main(["discover", SCENARIO, *SMALL, *extra, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "discovery").exists()


def test_another_horizon_is_valued_over_the_common_years_and_no_resample_claims_none(
    tmp_path, capsys
):
    """A scenario ending before its baseline once crashed (arrays of 21 and 20 years); with
    ``--resamples 0`` no condition is said to recur (it was said to recur in 0 % of 0 runs).
    """
    from pathlib import Path

    short = tmp_path / "short.toml"
    short.write_text(
        f'[scenario]\nextends = "{Path(SCENARIO).resolve().as_posix()}"\n[run]\nend_year = 2030\n'
    )
    argv = ["discover", str(short), "--against", "scenarios/baseline.toml", *SMALL]
    argv += ["--resamples", "0", "--density", "0.3", "--out", str(tmp_path / "out")]
    assert main(argv) == 0
    summary = capsys.readouterr().out
    (folder,) = (tmp_path / "out" / "discovery").glob("*/*")
    boxes = pd.read_csv(folder / "boxes.csv")
    assert len(boxes) > 0  # it pays in about a tenth of the draws: a box at density 0.3
    assert boxes["recurs"].isna().all()
    assert "recur" not in summary
    assert "pasikartoja" not in summary
