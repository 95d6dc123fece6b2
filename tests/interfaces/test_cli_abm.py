"""The command line with the agent-based engine: reproducible runs and one-line errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from simulation.interfaces.cli import main
from simulation.model.states import STATE_KEYS
from tests.conftest import SCENARIOS


# ---- command line ---------------------------------------------------------------------
def short_scenario(write_scenario, name="short_abm.toml", extra=""):
    base = (SCENARIOS / "baseline.toml").as_posix()
    return write_scenario(name, f'[scenario]\nextends = "{base}"\n[run]\nend_year = 2012\n{extra}')


ABM_ARGS = ["--engine", "abm", "--seed", "3", "--scale", "0.01"]


def run_folder(root):
    (folder,) = (root / "runs" / "short_abm").iterdir()
    return folder


@pytest.mark.slow
def test_cli_runs_the_abm_reproducibly(tmp_path, write_scenario, capsys):
    path = short_scenario(write_scenario)
    for out in ("a", "b"):
        assert main(["run", str(path), *ABM_ARGS, "--out", str(tmp_path / out)]) == 0
    first, second = run_folder(tmp_path / "a"), run_folder(tmp_path / "b")
    names = {p.name for p in first.iterdir()}
    assert {
        "manifest.json",
        "timeseries.parquet",
        "summary.csv",
        "families_by_state.png",
        "families_by_state.pdf",
    } <= names
    manifest = json.loads((first / "manifest.json").read_text())
    assert manifest["engine"] == "abm"
    assert manifest["seed"] == 3
    assert manifest["scenario"]["run"]["engine"] == "abm"
    assert manifest["scenario"]["run"]["scale"] == 0.01
    a = pd.read_parquet(first / "timeseries.parquet")
    b = pd.read_parquet(second / "timeseries.parquet")
    assert len(a) == 4 * 12
    assert set(STATE_KEYS) <= set(a.columns)
    pd.testing.assert_frame_equal(a, b)
    # results are rescaled to national totals: about 443,000 families
    total = a[list(STATE_KEYS)].iloc[0].sum()
    assert 3.5e5 < total < 5.5e5
    summary = pd.read_csv(first / "summary.csv")
    assert {"metric", "value", "unit", "description"} == set(summary.columns)
    assert "abm" in capsys.readouterr().out


@pytest.mark.slow
def test_cli_different_seed_gives_different_abm_series(tmp_path, write_scenario):
    path = short_scenario(write_scenario)
    args = ["--engine", "abm", "--scale", "0.005"]
    assert main(["run", str(path), *args, "--seed", "1", "--out", str(tmp_path / "a")]) == 0
    assert main(["run", str(path), *args, "--seed", "2", "--out", str(tmp_path / "b")]) == 0
    a = pd.read_parquet(run_folder(tmp_path / "a") / "timeseries.parquet")
    b = pd.read_parquet(run_folder(tmp_path / "b") / "timeseries.parquet")
    assert not a[list(STATE_KEYS)].equals(b[list(STATE_KEYS)])


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[policy]\nallocation_rule = "bogus"\n', "policy.allocation_rule"),
        ("[run]\nscale = 2.0\n", "run.scale"),
        ('[run]\nheterogeneity = "yes"\n', "run.heterogeneity"),
    ],
    ids=["allocation-rule", "scale", "heterogeneity"],
)
def test_cli_bad_abm_settings_are_one_line(tmp_path, write_scenario, capsys, text, key):
    path = write_scenario("bad.toml", text)
    out = tmp_path / "results"
    assert main(["run", str(path), "--engine", "abm", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"{path}: {key}")
    assert not out.exists() or not any(out.rglob("*"))
