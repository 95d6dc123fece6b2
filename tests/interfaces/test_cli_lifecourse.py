"""``prevsim lifecourse``: the value of one avoided exposure, its range and its sources."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from simulation.interfaces.cli import main
from simulation.model import lifecourse as lc
from simulation.model.catalogue import REGISTRY
from tests.conftest import SCENARIOS


def test_prints_every_exposure_with_its_central_value_range_and_sources(capsys):
    assert main(["lifecourse", "--samples", "400"]) == 0
    out = capsys.readouterr().out
    p = REGISTRY.defaults()
    for e in lc.EXPOSURES:
        row = next(line for line in out.splitlines() if line.startswith(e.unit))
        central = float(row.split()[-8].replace(",", ""))
        assert central == pytest.approx(lc.exposure_value(p, e.name).sum(), abs=0.5)
    for outcome in lc.OUTCOMES:
        assert any(line.startswith(outcome) for line in out.splitlines())
    assert "Sørensen et al. 2023" in out
    assert "Linked outcomes" in out


def test_out_writes_tables_whose_range_brackets_the_central_value(tmp_path, capsys):
    assert main(["lifecourse", "--samples", "400", "--out", str(tmp_path)]) == 0
    folder = next((tmp_path / "lifecourse" / "unit-values").iterdir())
    exposures = pd.read_csv(folder / "exposures.csv")
    assert list(exposures["exposure"]) == list(lc.EXPOSURE_NAMES)
    assert (exposures["p05"] < exposures["central"]).all()
    assert (exposures["central"] < exposures["p95"]).all()
    payers = exposures[list(lc.PAYERS)].sum(axis=1)
    pd.testing.assert_series_equal(payers, exposures["central"], check_names=False)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["samples"] == 400
    assert (folder / "outcomes.csv").exists()


def test_scenario_values_are_used(capsys):
    assert main(["lifecourse", str(SCENARIOS / "baseline.toml"), "--samples", "50"]) == 0
    assert "placement" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["lifecourse", "--samples", "0"], ["lifecourse", "nope.toml"]])
def test_bad_input_is_one_line_and_exit_2(argv, capsys, tmp_path):
    assert main([*argv, "--out", str(tmp_path / "r")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()
