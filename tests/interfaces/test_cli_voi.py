"""``prevsim voi``: a small study end to end, its folder, and bad input."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from simulation.interfaces.cli import main
from simulation.reports import voi as report

SCENARIOS = ["scenarios/early_intervention.toml", "scenarios/full_reform.toml"]
BASELINE = ["--against", "scenarios/baseline.toml"]
SYNTH = "simulation/data/synthland"


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


@pytest.mark.parametrize(
    ("lang", "title", "label"),
    [
        ("lt", "Tobulos informacijos vertė", "Šeimų sunkumų atsiradimo dažnis"),
        ("en", "Value of perfect information", "Onset of family difficulties"),
    ],
)
def test_the_chart_speaks_the_readers_language(lang, title, label, tmp_path):
    """Title, group names (the registry's labels, not code names) and numbers per language."""
    import numpy as np
    from pypdf import PdfReader

    from simulation.analysis import voi
    from simulation.model.catalogue import REGISTRY
    from simulation.workflow.scenarios import load

    assert REGISTRY["onset_rate"].label(lang) == label
    rng = np.random.default_rng(5)
    draws = pd.DataFrame(
        {"onset_rate": rng.normal(0, 1, 200), "detection_rate": rng.normal(0, 1, 200)}
    )
    nb = np.column_stack([np.zeros(200), 2e6 * (draws["onset_rate"] + draws["detection_rate"])])
    study = voi.study(["baseline", "early_intervention"], nb, draws, ("parameters",))
    scenarios = [load("scenarios/early_intervention.toml")]
    context = report.Context(scenarios, load("scenarios/baseline.toml"), True, 2027, "x", 0)
    files = report.chart(study, "parameters", context, tmp_path / "evppi", lang)
    assert files == ["evppi.png", "evppi.pdf"]
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "evppi.pdf").pages)
    assert title in text
    assert label in text
    assert "onset_rate" not in text


@pytest.mark.parametrize(("folder", "country"), [("scenarios", "Lithuania"), (SYNTH, "Synthland")])
def test_the_summary_names_the_baselines_country(folder, country):
    """The decision's scope is the baseline country's families, by its readers' name."""
    import numpy as np

    from simulation.analysis import voi
    from simulation.workflow.scenarios import load

    rng = np.random.default_rng(3)
    draws = pd.DataFrame({"onset_rate": rng.normal(0, 1, 60)})
    nb = np.column_stack([np.zeros(60), 1e6 * draws["onset_rate"]])
    scenarios, baseline = (
        [load(f"{folder}/early_intervention.toml")],
        load(f"{folder}/baseline.toml"),
    )
    study = voi.study([baseline.name, scenarios[0].name], nb, draws, ("parameters",))
    context = report.Context(scenarios, baseline, True, 2027, "x", 0)
    head = report.summary_lines(study, context)[0]
    assert f"every family in {country} over the horizon" in head
