"""Regression baseline: key outputs of a fixed set of runs against stored values.

The runs go through the command line (``main(argv)``), whose files stay the same however the
package is arranged inside, so a restructuring can be checked against the numbers it must not
change. The stored values are in ``tests/baselines/regression.json``; they change only on
purpose::

    .venv/bin/python -m pytest tests/test_regression.py --refresh-baselines

and the commit that refreshes them says why the numbers moved. ``--baseline-exact`` compares
bit for bit (the check to run when moving code); by default values agree to a relative
1e-9, because BLAS and numpy's SIMD kernels may round differently on another processor.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from simulation.interfaces.cli import main
from tests.conftest import SCENARIOS

BASELINE_FILE = Path(__file__).parent / "baselines" / "regression.json"
RTOL = 1e-9
BASELINE = str(SCENARIOS / "baseline.toml")
EARLY = str(SCENARIOS / "early_intervention.toml")

#: name -> command line (without --out); the fixed set of the regression baseline.
CASES: dict[str, list[str]] = {
    "sd_baseline_national": ["run", BASELINE],
    "sd_early_national": ["run", EARLY],
    "sd_baseline_municipal": ["run", BASELINE, "--resolution", "municipal"],
    "sd_early_municipal": ["run", EARLY, "--resolution", "municipal"],
    "abm_baseline": ["run", BASELINE, "--engine", "abm", "--scale", "0.05", "--seed", "7"],
    "compare_sd": ["compare", BASELINE, EARLY],
    "ensemble_sd": [
        "ensemble",
        EARLY,
        "--draws",
        "ranges",
        "--samples",
        "8",
        "--scheduler",
        "serial",
        "--seed",
        "3",
    ],
}


def _folder(root: Path) -> Path:
    """The one results folder a command wrote under ``root``."""
    (manifest,) = root.rglob("manifest.json")
    return manifest.parent


def _run_outputs(folder: Path) -> dict[str, float]:
    """Summary metrics, and each time-series column summed over every row (a checksum of
    the whole series).
    """
    summary = pd.read_csv(folder / "summary.csv")
    out = {
        f"summary.{m}": float(v) for m, v in zip(summary["metric"], summary["value"], strict=True)
    }
    series = pd.read_parquet(folder / "timeseries.parquet")
    numeric = series.select_dtypes("number")
    out.update({f"sum.{c}": float(numeric[c].sum()) for c in numeric.columns})
    if series["municipality"].nunique() > 1:
        last = series[series["date"] == series["date"].max()].set_index("municipality")
        for name in sorted(last.index)[:3]:
            out[f"end.{name}.children.in_care"] = float(last.loc[name, "children.in_care"])
    return out


def _compare_outputs(folder: Path) -> dict[str, float]:
    value = pd.read_csv(folder / "value.csv")
    out = {}
    for row in value.to_dict("records"):
        for key, v in row.items():
            if key not in ("scenario", "replicate") and isinstance(v, int | float):
                out[f"value.{row['scenario']}.{key}"] = float(v)
    accounts = pd.read_csv(folder / "accounts.csv")
    for name, group in accounts.groupby("scenario"):
        for col in group.select_dtypes("number").columns:
            if col not in ("replicate", "year"):
                out[f"accounts.{name}.{col}"] = float(group[col].sum())
    return out


def _ensemble_outputs(folder: Path) -> dict[str, float]:
    values = pd.read_parquet(folder / "values.parquet").sort_values("task")
    out = {}
    for row in values.to_dict("records"):
        for key, v in row.items():
            if key not in ("task", "sample", "replicate") and isinstance(v, int | float):
                out[f"task.{row['task']}.{key}"] = float(v)
    return out


def outputs(name: str, root: Path) -> dict[str, float]:
    """Run one case into ``root`` and read its key outputs."""
    assert main([*CASES[name], "--out", str(root)]) == 0
    folder = _folder(root)
    if name.startswith("compare"):
        return _compare_outputs(folder)
    if name.startswith("ensemble"):
        return _ensemble_outputs(folder)
    return _run_outputs(folder)


def _same(a: float, b: float, exact: bool) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b if exact else math.isclose(a, b, rel_tol=RTOL, abs_tol=1e-9)


@pytest.fixture(scope="module")
def stored(request):
    if request.config.getoption("--refresh-baselines"):
        return {}
    if not BASELINE_FILE.is_file():
        pytest.fail(f"{BASELINE_FILE} is missing: run pytest with --refresh-baselines")
    return json.loads(BASELINE_FILE.read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_outputs_match_the_stored_baseline(name, stored, tmp_path, request, capsys):
    got = outputs(name, tmp_path)
    capsys.readouterr()
    if request.config.getoption("--refresh-baselines"):
        everything = (
            json.loads(BASELINE_FILE.read_text(encoding="utf-8")) if BASELINE_FILE.is_file() else {}
        )
        everything[name] = got
        BASELINE_FILE.write_text(
            json.dumps(everything, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
        pytest.skip(f"baseline {name} refreshed")
    expected = stored[name]
    assert set(got) == set(expected), "the outputs' keys changed"
    exact = request.config.getoption("--baseline-exact")
    differ = {k: (expected[k], got[k]) for k in expected if not _same(expected[k], got[k], exact)}
    assert not differ, (
        f"{len(differ)} of {len(expected)} values differ, e.g. {list(differ.items())[:5]}"
    )
