"""The prevsim command line: outputs of a run, and bad input handled in one line."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from simulation.interfaces.cli import main
from simulation.model.states import STATE_KEYS
from tests.conftest import SCENARIOS

SHORT = "[run]\nend_year = 2012\n"


def output_folders(root):
    return sorted(p for p in root.rglob("*") if p.is_dir()) if root.exists() else []


def test_run_writes_manifest_timeseries_summary_and_chart(tmp_path, write_scenario, capsys):
    path = write_scenario(
        "short.toml",
        '[scenario]\nextends = "{}"\n{}'.format((SCENARIOS / "baseline.toml").as_posix(), SHORT),
    )
    assert main(["run", str(path), "--out", str(tmp_path / "res"), "--csv", "--lang", "en"]) == 0
    (folder,) = (tmp_path / "res" / "runs" / "short").iterdir()
    names = {p.name for p in folder.iterdir()}
    assert {
        "manifest.json",
        "timeseries.parquet",
        "timeseries.csv",
        "summary.csv",
        "families_by_state.png",
        "families_by_state.pdf",
    } <= names
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["scenario"]["name"] == "short"
    assert manifest["scenario"]["run"]["end_year"] == 2012
    assert manifest["seed"] == 20090101
    assert manifest["versions"]["numpy"]
    assert "commit" in manifest["git"]
    assert manifest["command"].split()[1:3] == ["run", str(path)]
    assert manifest["parameters"]["onset_rate"] > 0
    assert folder.name.endswith(manifest["digest"])
    series = pd.read_parquet(folder / "timeseries.parquet")
    assert len(series) == 4 * 12
    assert set(STATE_KEYS) <= set(series.columns)
    summary = pd.read_csv(folder / "summary.csv")
    assert {"metric", "value", "unit", "description"} == set(summary.columns)
    assert f"Results: {folder}" in capsys.readouterr().out


def test_municipal_resolution_has_sixty_municipalities(tmp_path, write_scenario):
    path = write_scenario("m.toml", SHORT)
    assert main(["run", str(path), "--resolution", "municipal", "--out", str(tmp_path)]) == 0
    (folder,) = (tmp_path / "runs" / "m").iterdir()
    series = pd.read_parquet(folder / "timeseries.parquet")
    assert series["municipality"].nunique() == 60


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[params]\nonset_rat = 0.05\n", "params.onset_rat"),
        ("[params]\nonset_rate = 99.0\n", "params.onset_rate"),
        ('[params]\nonset_rate = "x"\n', "params.onset_rate"),
        ('[scenario]\nextends = "bad.toml"\n', "scenario.extends"),
    ],
    ids=["unknown-key", "out-of-range", "wrong-type", "extends-cycle"],
)
def test_bad_scenario_one_line_exit_2_no_output(tmp_path, write_scenario, capsys, text, key):
    path = write_scenario("bad.toml", text)
    out = tmp_path / "results"
    assert main(["run", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"{path}: {key}")
    assert output_folders(out) == []
    assert main(["validate", str(path)]) == 2


def test_bad_scenario_subprocess_has_no_traceback(tmp_path, write_scenario):
    path = write_scenario("bad.toml", "[params]\nonset_rate = 99.0\n")
    done = subprocess.run(
        [sys.executable, "-m", "simulation", "run", str(path), "--out", str(tmp_path / "r")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["run"],
        ["run", "x.toml", "--engine", "agents"],
        ["run", "x.toml", "--seed", "-1"],
        ["run", "x.toml", "--scale", "2"],
        ["run", "x.toml", "--resolution", "regional"],
        ["run", "x.toml", "--lang", "de"],
        ["frobnicate"],
        [],
    ],
)
def test_bad_arguments_one_line_exit_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("prevsim")


def test_validate_reports_ok_and_errors(write_scenario, capsys):
    good = SCENARIOS / "baseline.toml"
    bad = write_scenario("bad.toml", "[params]\nonset_rate = -1.0\n")
    assert main(["validate", str(good)]) == 0
    assert f"ok: {good}" in capsys.readouterr().out
    assert main(["validate", str(good), str(bad)]) == 2
    captured = capsys.readouterr()
    assert f"ok: {good}" in captured.out
    assert captured.err.startswith(f"{bad}: params.onset_rate")


def test_params_table_and_markdown(capsys):
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    assert "onset_rate" in out
    assert "parameters;" in out
    assert main(["params", "--markdown", "--kind", "lever"]) == 0
    md = capsys.readouterr().out.splitlines()
    assert md[0].startswith("| name | kind |")
    assert all("| lever |" in line for line in md[2:])
    assert any("budget.preventive" in line for line in md)


def test_help_and_version_exit_0(capsys):
    assert main(["--version"]) == 0
    assert "prevsim" in capsys.readouterr().out
    assert main(["run", "--help"]) == 0


def test_unwritable_output_is_one_line(tmp_path, write_scenario, capsys):
    path = write_scenario("s.toml", SHORT)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["run", str(path), "--out", str(blocker)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"prevsim run: --out {blocker}: is a file; give a folder"]
    assert main(["run", str(path), "--out", str(blocker / "below")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"prevsim run: --out {blocker / 'below'}: cannot")


def test_demo_runs_both_scenarios_and_writes_a_comparison(tmp_path, capsys):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name in ("baseline", "early_intervention"):
        (folder / f"{name}.toml").write_text(
            f'[scenario]\nname = "{name}"\nextends = "{(SCENARIOS / name).as_posix()}.toml"\n'
            "[run]\nend_year = 2030\n"
        )
    out = tmp_path / "results"
    assert main(["demo", "--scenarios", str(folder), "--out", str(out), "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    (comparison,) = (out / "comparisons" / "early_intervention-vs-baseline").iterdir()
    assert str(comparison) in printed
    assert "NPV, M EUR" in printed
    assert "EUR, 2024 prices, discounted at 5.0%" in printed
    assert {
        "value.csv",
        "outcomes.csv",
        "accounts.csv",
        "comparison.png",
        "net_benefit.png",
        "manifest.json",
    } <= {p.name for p in comparison.iterdir()}
    outcomes = pd.read_csv(comparison / "outcomes.csv").set_index("scenario")
    difference = outcomes.loc["early_intervention"] - outcomes.loc["baseline"]
    assert difference["service_cost"] > 0  # more is spent on services from 2027
    assert difference["children_placed"] < 0  # and fewer children are placed
    value = pd.read_csv(comparison / "value.csv").iloc[0]
    assert value["placements_avoided"] == pytest.approx(
        outcomes.loc["baseline", "placements"] - outcomes.loc["early_intervention", "placements"]
    )
