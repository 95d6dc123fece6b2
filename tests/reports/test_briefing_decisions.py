"""The briefing's sections on results folders of optimise, discover and voi.

The three commands run at their smallest sizes; the briefing quotes their folders. Every number
of the sections is read from the copies beside the briefing, and equals the commands' own
files; a folder that is not one of theirs is one line and exit code 2, before anything is
written; the method note names the baseline's country.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from simulation.interfaces.cli import main
from simulation.reports.briefing.content import Context
from simulation.reports.briefing.decision_text import TEXT
from simulation.reports.briefing.text import TEXT as MAIN
from simulation.workflow.scenarios import load
from tests.conftest import REPO
from tests.reports.test_briefing import (
    ENGLISH_WORDS,
    _check_number,
    _code_names,
    _html_text,
    _source_value,
    _Spans,
    _without_titles,
)

SCENARIOS = REPO / "scenarios"
EARLY = str(SCENARIOS / "early_intervention.toml")
AGAINST = ["--against", str(SCENARIOS / "baseline.toml")]


def _only(root: Path) -> Path:
    (folder,) = root.glob("*/*/*")
    return folder


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[str, Path]:
    """Results folders of the three commands, at their smallest sizes (about 20 s each)."""
    root = tmp_path_factory.mktemp("decisions")
    optimise = ["--samples", "20", "--search-draws", "2", "--generations", "2"]
    optimise += ["--abm-replicates", "2", "--scale", "0.02"]
    # 200 draws over the ranges at density 0.3: two boxes with seed 20261130's sample
    discover = ["--samples", "200", "--points", "8", "--draws", "ranges", "--workers", "1"]
    discover += ["--density", "0.3"]
    # a scenario the briefing does not value: the section says so
    voi = [str(SCENARIOS / "full_reform.toml"), *AGAINST, "--samples", "30", "--draws", "ranges"]
    voi += ["--groups", "programmes", "--workers", "1"]
    runs = {
        "optimise": ["optimise", EARLY, *AGAINST, *optimise],
        "discovery": ["discover", EARLY, *AGAINST, *discover],
        "voi": ["voi", EARLY, *voi],
    }
    folders = {}
    for kind, argv in runs.items():
        assert main([*argv, "--lang", "en", "--out", str(root / kind)]) == 0
        folders[kind] = _only(root / kind)
    return folders


@pytest.fixture(scope="module")
def folder(sources, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("brief")
    argv = ["brief", EARLY, *AGAINST, "--samples", "20", "--lang", "both", "--format", "both"]
    argv += ["--decisions", *(str(p) for p in sources.values()), "--out", str(out)]
    assert main(argv) == 0
    return _only(out)


def _spans(folder: Path, lang: str) -> tuple[list[tuple[dict, str]], str]:
    parser = _Spans()
    parser.feed((folder / f"briefing-{lang}.html").read_text(encoding="utf-8"))
    return parser.spans, " ".join(parser.outside)


def _printed(spans, source: str, column: str, row: dict | None = None) -> list[tuple[str, dict]]:
    """The texts printed from ``source[row, column]`` (with their span's attributes)."""
    return [
        (text, a)
        for a, text in spans
        if a["data-source"] == source
        and a["data-column"] == column
        and (row is None or json.loads(a["data-row"]) == row)
    ]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["lt", "en"])
def test_each_folder_has_its_section_and_every_number_is_read_from_a_copy(folder, lang):
    spans, outside = _spans(folder, lang)
    html = (folder / f"briefing-{lang}.html").read_text(encoding="utf-8")
    for kind in ("optimise", "discovery", "voi"):
        assert f"<h2>{TEXT[lang][kind]}</h2>" in html
    outside = re.sub(r"data:image/png;base64,\S+", "", outside)
    assert not re.search(r"\d", outside), "a number not read from a file"
    quoted = [(a, t) for a, t in spans if a["data-source"].startswith("decisions/")]
    assert len(quoted) > 40
    for attrs, text in quoted:
        row = json.loads(attrs["data-row"])
        value = _source_value(folder, attrs["data-source"], row, attrs["data-column"])
        if attrs["class"] == "ref":
            assert text == str(value)
        else:
            scale, decimals = float(attrs["data-scale"]), int(attrs["data-decimals"])
            _check_number(text, float(value), scale, decimals, lang)
    # the charts are drawn in this language, beside the briefing
    for i, kind in enumerate(("optimise", "discovery", "voi"), start=1):
        assert (folder / "charts" / f"{lang}-decision{i}-{kind}.png").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["lt", "en"])
def test_the_numbers_printed_equal_the_commands_own_files(folder, sources, lang):
    spans, _ = _spans(folder, lang)
    summary = pd.read_csv(sources["optimise"] / "summary.csv", index_col=0)
    for column in ("npv_mean", "gain_over_today", "gain_over_today_se", "chance_npv_positive"):
        printed = _printed(
            spans, "decisions/1-optimise/summary.csv", column, {"allocation": "optimal"}
        )
        assert printed, column
        for text, a in printed:
            value = summary.loc["optimal", column]
            _check_number(text, value, float(a["data-scale"]), int(a["data-decimals"]), lang)
    manifest = json.loads((sources["discovery"] / "manifest.json").read_text())
    where = {"fact": "share_paying"}
    printed = _printed(spans, "decisions/2-discovery/facts.csv", "value", where)
    assert printed
    for text, _ in printed:
        _check_number(text, manifest["share_paying"], 0.01, 0, lang)
    boxes = pd.read_csv(sources["discovery"] / "boxes.csv")
    assert len(boxes), "the fixture's sample finds boxes (their sentences are tested)"
    for row in boxes.drop_duplicates("box").itertuples():
        where = {"box": row.box, "parameter": row.parameter}
        for column in ("coverage", "density"):
            ((text, _),) = _printed(spans, "decisions/2-discovery/boxes.csv", column, where)
            _check_number(text, getattr(row, column), 0.01, 0, lang)
    evpi = pd.read_csv(sources["voi"] / "evpi.csv")["evpi"].iloc[0]
    printed = _printed(spans, "decisions/3-voi/evpi.csv", "evpi")
    assert printed
    for text, _ in printed:
        _check_number(text, evpi, 1e6, 2, lang)


@pytest.mark.slow
def test_a_folder_of_other_scenarios_is_said_to_be_so_and_labels_not_code_names(folder):
    html = (folder / "briefing-en.html").read_text(encoding="utf-8")
    sections = html.split("<h2>")
    optimise = next(s for s in sections if s.startswith(TEXT["en"]["optimise"]))
    voi = next(s for s in sections if s.startswith(TEXT["en"]["voi"]))
    assert "the scenarios valued in the rest of this briefing" in optimise
    assert "not the scenarios (or not the settings) valued" in voi
    assert "Full reform" in voi
    # voi and discover drew over the ranges, optimise the briefing's history-matched draws
    assert TEXT["en"]["draws_ranges"] in voi
    assert TEXT["en"]["draws_ranges"] not in optimise
    for lang in ("lt", "en"):
        text = (folder / f"briefing-{lang}.html").read_text(encoding="utf-8")
        text = re.sub(r"data:image/png;base64,\S+", "", text)
        text = re.sub(r'data-(source|row|column)="[^"]*"', "", text)
        # in English a one-word code name may be a word ("casework"): those with _ or . only
        names = [n for n in _code_names() if lang == "lt" or re.search(r"[_.]", n)]
        found = [n for n in names if re.search(rf"(?<![\w.]){re.escape(n)}(?![\w])", text)]
        assert not found, f"code names in the {lang} briefing: {sorted(found)}"
    plain = _without_titles(_html_text(folder / "briefing-lt.html"))
    english = [w for w in ENGLISH_WORDS if re.search(rf"\b{w}\b", plain)]
    assert not english, f"English words in the Lithuanian briefing: {english}"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [d["kind"] for d in manifest["decisions"]] == ["optimise", "discovery", "voi"]
    for name in ("decisions/1-optimise/summary.csv", "decisions/3-voi/evppi.csv"):
        assert name in manifest["files"]


def _manifest(folder: Path, **fields) -> Path:
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps(fields), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "nowhere", "no manifest.json"),
        (
            lambda p: _manifest(p / "run", command="prevsim run scenarios/baseline.toml"),
            "names no command",
        ),
        (lambda p: _manifest(p / "brief", kind="briefing"), "names no command"),
        (lambda p: _manifest(p / "voi", kind="voi", scenarios=[], baseline={}), "without evpi.csv"),
    ],
)
def test_a_folder_that_is_not_a_decision_folder_is_one_line_exit_2_and_no_output(
    tmp_path, capsys, make, message
):
    bad = make(tmp_path)
    out = tmp_path / "out"
    argv = ["brief", EARLY, *AGAINST, "--samples", "20", "--decisions", str(bad)]
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert message in err[0]
    assert str(bad) in err[0]
    assert not out.exists()


def test_the_method_note_names_the_baseline_s_country():
    synthland = load(REPO / "simulation" / "data" / "synthland" / "baseline.toml")
    lithuania = load(SCENARIOS / "baseline.toml")
    for lang in ("lt", "en"):
        for template in (MAIN[lang]["method_text"], MAIN[lang]["assume_accounts"]):
            assert "{country" in template
            assert not re.search("Lithuania|Lietuv", template)
        names = {}
        for baseline in (synthland, lithuania):
            ctx = Context(SimpleNamespace(baseline=baseline), {}, lang)
            names[baseline.run.country] = ctx.country
            text = MAIN[lang]["method_text"].format_map({**ctx.country, **_blanks()})
            assert ctx.country["country_gen" if lang == "lt" else "country"] in text
        assert names["synthland"]["country"] == ("Sintlandija" if lang == "lt" else "Synthland")
        assert names["lithuania"]["country_gen"] == ("Lietuvos" if lang == "lt" else "Lithuania")


def _blanks() -> dict:
    return {k: "" for k in ("samples", "cutoff", "discrepancy")}


def test_decision_words_have_both_languages_with_the_same_keys():
    assert TEXT["lt"].keys() == TEXT["en"].keys()
    for lang in ("lt", "en"):
        assert not re.search(r"\d", json.dumps(TEXT[lang], ensure_ascii=False))  # no digits
    assert "ų" in TEXT["lt"]["voi_best"]  # Lithuanian letters, not ASCII stand-ins


# ---- the sections' branches, on small folders written here ----------------------------------
def _text(blocks) -> str:
    from simulation.reports.briefing.document import Para
    from simulation.reports.briefing.numbers import Num

    paras = [b for b in blocks if isinstance(b, Para)]
    return " ".join(
        "".join(p.text if isinstance(p, Num) else str(p) for p in para.parts()) for para in paras
    )


def _sections(source: Path, tmp_path: Path, lang: str):
    """The section of ``source`` as the briefing builds it (copies written and read back)."""
    from simulation.reports.briefing import decision_content, decisions
    from simulation.reports.briefing.numbers import Numbers

    baseline = load(SCENARIOS / "baseline.toml")
    scenario = load(SCENARIOS / "early_intervention.toml")
    (d,) = decisions.read_all([source])
    out = tmp_path / f"brief-{lang}"
    files = decisions.write([d], out, baseline.to_dict(), [scenario.to_dict()])
    tables = {name: pd.read_csv(out / name) for name in files}
    n = Numbers(tables, lang)
    blocks = decision_content.sections([d], {d.prefix: Path("chart.png")}, n, MAIN[lang])
    return blocks, n


def _voi_folder(tmp_path: Path) -> Path:
    """A voi folder whose programme groups have a clear leader (the shipped model's sizes)."""
    folder = tmp_path / "voi"
    folder.mkdir()
    reform = load(SCENARIOS / "full_reform.toml")
    manifest = {"kind": "voi", "scenarios": [reform.to_dict()], "samples": 1000, "seed": 1}
    manifest["baseline"] = load(SCENARIOS / "baseline.toml").to_dict()
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    pd.DataFrame({"evpi": [40.1e6], "standard_error": [2.1e6]}).to_csv(
        folder / "evpi.csv", index=False
    )
    options = {"option": ["baseline", "full_reform"], "mean_net_benefit": [0.0, 37.2e6]}
    options |= {"sd_net_benefit": [0.0, 167.8e6], "chance_best": [0.47, 0.53]}
    pd.DataFrame(options).to_csv(folder / "options.csv", index=False)
    groups = pd.DataFrame(
        {
            "grouping": ["programmes"] * 3,
            "group": ["integration_services", "day_centres", "family_preservation"],
            "parameters": [4, 3, 3],
            "members": ["a", "b", "c"],
            "evppi": [18.6e6, 0.1e6, 40.1e6],
            "standard_error": [0.9e6, 0.2e6, 2.1e6],
            "share_of_evpi": [0.46, 0.0025, 1.0],
            "skill": [0.3, -0.1, 0.2],
            "interpolates": [False, False, True],
            "estimable": [True, True, False],
        }
    )
    groups.to_csv(folder / "evppi.csv", index=False)
    return folder


@pytest.mark.parametrize("lang", ["lt", "en"])
def test_the_study_worth_most_is_named_with_its_value_and_the_others_as_they_are(tmp_path, lang):
    blocks, n = _sections(_voi_folder(tmp_path), tmp_path, lang)
    text = _text(blocks)
    words = {**MAIN[lang], **TEXT[lang]}
    first = words["voi_best"].split("{")[0]
    assert first in text
    best = text[text.index(first) :]
    assert best.startswith(first + ("integracijos paslaugos" if lang == "lt" else "integration"))
    assert ("18,60" if lang == "lt" else "18.60") in best  # the group's EVPPI, million EUR
    assert "46" in best  # its share of the EVPI
    undetectable = words["voi_undetectable"].split("{")[0]
    assert undetectable + ("vaikų dienos" if lang == "lt" else "children's day") in text
    assert words["voi_not_estimable"].split("{")[0] + "intensyvi" * (lang == "lt") in text
    assert words["about_other"].split("{")[0] in text  # full reform is not the briefing's
    sources = {u.source for u in n.used}
    assert {"decisions/1-voi/evppi.csv", "decisions/1-voi/evpi.csv"} <= sources


def _discovery_folder(tmp_path: Path, share: float, threshold: float) -> Path:
    """A discovery folder where PRIM found no box; ``share`` of 100 draws pay."""
    folder = tmp_path / f"discovery-{share}"
    folder.mkdir(parents=True)
    manifest = {"kind": "discovery", "threshold": threshold, "lever_settings": 4, "levers": {}}
    manifest["scenario"] = load(SCENARIOS / "early_intervention.toml").to_dict()
    manifest["baseline"] = load(SCENARIOS / "baseline.toml").to_dict()
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    columns = "box,parameter,label,kind,low,high,unit,quasi_p,recurs,coverage,density,mass"
    (folder / "boxes.csv").write_text(columns + "\n", encoding="utf-8")
    paying = round(100 * share)
    npv = [1e6] * paying + [-1e6] * (100 - paying)
    pd.DataFrame({"npv": npv}).to_parquet(folder / "points.parquet", index=False)
    return folder


@pytest.mark.parametrize(("share", "key"), [(0.2, "none"), (0.7, "everywhere")])
def test_a_discovery_without_a_box_says_how_often_it_pays_and_why(tmp_path, share, key):
    for lang in ("lt", "en"):
        blocks, _ = _sections(_discovery_folder(tmp_path / lang, share, 0.5), tmp_path, lang)
        text = _text(blocks)
        assert TEXT[lang][key].split("{")[0] in text
        assert (f"{share:.0%}" if lang == "en" else f"{share * 100:.0f}\u00a0%") in text
        assert TEXT[lang]["about_same"].split("{")[0] in text


def _optimise_folder(tmp_path: Path, **settings) -> Path:
    """An optimise folder with made-up values (no agent-based check) and ``settings``."""
    from simulation.model.services import PROGRAMMES

    folder = tmp_path / "optimise"
    folder.mkdir(parents=True)
    manifest = {"command": "prevsim optimise x.toml", "budget_million_eur": 40.0}
    manifest |= {"policy_year": 2027, "settings": {"objective": "npv", "quantile": None}}
    manifest["settings"].update(settings)
    manifest["scenario"] = load(SCENARIOS / "early_intervention.toml").to_dict()
    manifest["baseline"] = load(SCENARIOS / "baseline.toml").to_dict()
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    names = ["optimal", "today", "uniform", "scenario"]
    columns = ["npv_mean", "npv_p05", "npv_p95", "gain_over_today", "gain_over_today_se"]
    columns += ["gain_over_uniform", "gain_over_uniform_se", "chance_npv_positive"]
    values = pd.DataFrame(1e6, index=names, columns=columns).assign(chance_npv_positive=0.5)
    values.to_csv(folder / "summary.csv")
    budgets = {f"budget.{p.name}": 40.0 / len(PROGRAMMES) for p in PROGRAMMES}
    pd.DataFrame(budgets, index=names).to_csv(folder / "allocations.csv")
    return folder


@pytest.mark.parametrize("lang", ["lt", "en"])
def test_an_allocation_chosen_otherwise_than_for_its_mean_npv_says_so(tmp_path, lang):
    plain, _ = _sections(_optimise_folder(tmp_path / "a"), tmp_path / "a", lang)
    assert TEXT[lang]["opt_no_abm"] in _text(plain)
    for key in ("opt_aim_quantile", "opt_paid", "opt_aim_placements"):
        assert TEXT[lang][key].split("{")[0] not in _text(plain)
    folder = _optimise_folder(tmp_path / "b", quantile=0.1, paid=True, objective="placements")
    text = _text(_sections(folder, tmp_path / "b", lang)[0])
    assert TEXT[lang]["opt_paid"] in text
    assert TEXT[lang]["opt_aim_placements"] in text
    assert TEXT[lang]["opt_aim_quantile"].split("{")[0] + "10" in text
