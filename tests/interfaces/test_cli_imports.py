"""Commands import the heavy libraries they use, and no others (checked in a fresh process).

Importing Matplotlib, pandas, Mesa, Dask, numba or SciPy costs from a tenth of a second to
most of a second each; a command that draws nothing must not pay for Matplotlib. Every command
reads the catalogue, whose programme effects are converted with SciPy's root finder and matrix
exponential: the shipped library's conversions are stored (:mod:`simulation.model.conversions`),
so SciPy is not imported for them.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import SCENARIOS

HEAVY = ("matplotlib", "pandas", "mesa", "dask", "distributed", "numba", "scipy")
PROBE = """
import contextlib, io, json, sys
from simulation.interfaces.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(json.loads(sys.argv[1]))
loaded = [m for m in json.loads(sys.argv[2]) if m in sys.modules]
print(json.dumps({"code": code, "loaded": loaded}))
"""


def _loaded(argv: list[str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    return report["loaded"]


@pytest.mark.parametrize(
    "argv",
    [["validate", str(SCENARIOS / "baseline.toml")], ["programmes"], ["--version"]],
    ids=["validate", "programmes", "version"],
)
def test_commands_that_draw_nothing_import_no_heavy_library(argv):
    assert _loaded(argv) == []


def test_run_draws_its_chart_without_mesa(tmp_path):
    """The SD run imports Matplotlib for its chart, but not Mesa."""
    loaded = _loaded(["run", str(SCENARIOS / "baseline.toml"), "--out", str(tmp_path)])
    assert "matplotlib" in loaded
    assert "mesa" not in loaded
