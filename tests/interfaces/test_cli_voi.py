"""``prevsim voi``: a small study end to end, its folder, and bad input."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from simulation.interfaces.cli import main
from simulation.reports import voi as report

SCENARIOS = ["scenarios/early_intervention.toml", "scenarios/full_reform.toml"]
BASELINE = ["--against", "scenarios/baseline.toml"]


def test_a_small_study_writes_its_folder(tmp_path, capsys):
    """Two scenarios and the baseline, 30 draws over the ranges, the programme groups."""
    argv = ["voi", *SCENARIOS, *BASELINE, "--samples", "30", "--draws", "ranges"]
    argv += ["--groups", "programmes", "--workers", "1", "--out", str(tmp_path), "--lang", "en"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    (folder,) = (tmp_path / "voi").glob("*/*")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["options"] == ["baseline", "early_intervention", "full_reform"]
    assert sorted(manifest["files"]) == sorted(p.name for p in folder.iterdir())
    assert {"evppi_programmes.png", "evppi_programmes.pdf", "summary.txt"} <= set(manifest["files"])
    values = pd.read_csv(folder / "net_benefit.csv", index_col="draw")
    assert len(values) == 30
    assert (values["baseline"] == 0).all()
    evpi = pd.read_csv(folder / "evpi.csv")["evpi"].iloc[0]
    best = values.max(axis=1).mean() - values.mean().max()  # the definition, by hand
    assert evpi == pytest.approx(best)
    groups = pd.read_csv(folder / "evppi.csv")
    assert (groups["grouping"] == "programmes").all()
    assert (groups["evppi"] <= evpi + 1e-6 * abs(evpi) + 1e-9).all()
    summary = (folder / "summary.txt").read_text()
    assert summary.strip() in out
    for group in groups["group"]:  # one sentence per group, by its readers' name
        assert report.group_label("programmes", group, "en") + " (" in summary


def test_the_chart_words_have_both_languages_with_the_same_keys():
    def keys(d, prefix=""):
        return {prefix + k for k in d} | {
            k2 for k, v in d.items() if isinstance(v, dict) for k2 in keys(v, prefix + k + ".")
        }

    assert keys(report.WORDS["lt"]) == keys(report.WORDS["en"])
    assert "ž" in report.WORDS["lt"]["title"]  # Lithuanian letters, not ASCII stand-ins


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["voi", SCENARIOS[0], *BASELINE, "--exclude-baseline"], "leaves one option"),
        (["voi", SCENARIOS[0], *BASELINE, "--samples", "5"], "must be >= 20"),
        (["voi", SCENARIOS[0], *BASELINE, "--groups", "planets"], "invalid choice"),
        (["voi", SCENARIOS[0], "--against", SCENARIOS[0]], "more than once"),
        (["voi", "scenarios/nope.toml", *BASELINE], "nope.toml"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, tmp_path, capsys):
    assert main([*argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err
    assert len(err.splitlines()) == 1
    assert not any(tmp_path.iterdir())  # no folder, not even an empty one


def test_the_default_seed_is_the_briefings():
    from simulation.interfaces.cli import build_parser
    from simulation.reports.ensemble import DRAWS_SEED

    args = build_parser().parse_args(["voi", SCENARIOS[0]])
    assert args.seed == DRAWS_SEED
    assert args.samples == 1000  # the briefing's kept draws
