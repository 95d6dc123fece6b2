"""The ministry briefing: every number it prints is the number in the results file it came
from; Lithuanian letters survive into the PDF text and the charts; charts have no
overlapping labels; bad input is one line and exit code 2.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.analysis import briefing_numbers as br
from simulation.interfaces.cli import main
from simulation.reports import briefing, charts, style
from simulation.reports.briefing import charts as briefing_charts
from simulation.reports.briefing import content
from simulation.workflow import compare as cmp
from simulation.workflow.scenarios import load
from tests.conftest import REPO

SCENARIOS = REPO / "scenarios"
TARGETS = REPO / "calibration" / "targets.toml"
SAMPLES = 60  # draws kept by history matching (drawn until this many match the data)
LITHUANIAN = "ąčęėįšųūž"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def results() -> br.BriefResults:
    baseline = load(SCENARIOS / "baseline.toml")
    # two scenarios, so that the charts' layout is tested with more than one line and band
    scenarios = [load(SCENARIOS / f"{n}.toml") for n in ("early_intervention", "full_reform")]
    return br.compute(baseline, scenarios, samples=SAMPLES, seed=7, targets_path=TARGETS)


@pytest.fixture(scope="module")
def folder(results, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("briefing")
    out, written = briefing.write_briefing(results, root, ("lt", "en"), ("pdf", "html"))
    assert sorted(written) == sorted(
        f"briefing-{lang}.{fmt}" for lang in ("lt", "en") for fmt in ("pdf", "html")
    )
    return out


# ---- every number from a results file ------------------------------------------------------
class _Spans(HTMLParser):
    """Text outside number spans, and the spans with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.spans: list[tuple[dict, str]] = []
        self.outside: list[str] = []
        self._span: dict | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("style", "title"):
            self._skip += 1
        if tag == "span" and attrs.get("class") in ("num", "ref"):
            self._span = {**attrs, "text": ""}

    def handle_endtag(self, tag):
        if tag in ("style", "title"):
            self._skip -= 1
        if tag == "span" and self._span is not None:
            self.spans.append((self._span, self._span.pop("text")))
            self._span = None

    def handle_data(self, data):
        if self._span is not None:
            self._span["text"] += data
        elif not self._skip:
            self.outside.append(data)


def _source_value(folder: Path, source: str, row: dict, column: str):
    frame = pd.read_csv(folder / source)
    mask = np.ones(len(frame), bool)
    for key, value in row.items():
        mask &= (frame[key] == value).to_numpy()
    assert mask.sum() == 1, f"{source}: {row} selects {mask.sum()} rows"
    return frame.loc[mask, column].iloc[0]


def _check_number(text: str, value: float, scale: float, decimals: int, lang: str) -> None:
    shown = briefing.parse_number(text, lang) * scale
    tolerance = 0.5 * 10.0**-decimals * abs(scale) * (1 + 1e-9) + 1e-12 * abs(value)
    assert abs(shown - value) <= tolerance, f"printed {text!r}, file says {value!r}"


@pytest.mark.parametrize("lang", ["lt", "en"])
def test_every_number_in_the_html_is_read_from_a_results_file(folder, lang):
    parser = _Spans()
    parser.feed((folder / f"briefing-{lang}.html").read_text(encoding="utf-8"))
    outside = re.sub(r"data:image/png;base64,\S+", "", " ".join(parser.outside))
    assert not re.search(r"\d", outside), f"a number not read from a file: {outside!r}"
    assert len(parser.spans) > 60
    for attrs, text in parser.spans:
        value = _source_value(
            folder, attrs["data-source"], json.loads(attrs["data-row"]), attrs["data-column"]
        )
        if attrs["class"] == "ref":
            assert text == str(value)
        else:
            _check_number(
                text, float(value), float(attrs["data-scale"]), int(attrs["data-decimals"]), lang
            )


def test_numbers_file_lists_what_the_html_prints(folder):
    numbers = pd.read_csv(folder / "numbers-lt.csv")
    parser = _Spans()
    parser.feed((folder / "briefing-lt.html").read_text(encoding="utf-8"))
    assert set(numbers["text"].astype(str)) == {text for _, text in parser.spans}


def test_key_numbers_are_the_central_run_and_quantiles_of_the_plausible_samples(folder):
    values = pd.read_csv(folder / "values.csv")
    keys = pd.read_csv(folder / "key_numbers.csv")
    assert (values.loc[values["plausible"], "implausibility"] < br.CUTOFF).all()
    for row in keys.itertuples():
        mine = values[values["scenario"] == row.scenario]
        drawn = mine[(mine["sample"] > 0) & mine["plausible"]]
        assert len(drawn) == SAMPLES  # drawn until this many are consistent with the data
        if row.measure == "chance_benefits_exceed_costs":
            assert row.central == pytest.approx((drawn["npv"] > 0).mean(), abs=1e-12)
            continue
        central = mine.loc[mine["sample"] == 0, row.measure].iloc[0]
        x = drawn[row.measure].dropna().to_numpy(float)
        assert row.central == pytest.approx(central, rel=1e-12, nan_ok=True)
        assert row.runs == x.size
        if x.size:
            assert row.p05 == pytest.approx(np.quantile(x, 0.05), rel=1e-12)
            assert row.p95 == pytest.approx(np.quantile(x, 0.95), rel=1e-12)


def test_benefits_by_outcome_add_up_to_the_central_benefits(folder):
    by_outcome = pd.read_csv(folder / "by_outcome.csv")
    keys = pd.read_csv(folder / "key_numbers.csv")
    for name, rows in by_outcome.groupby("scenario"):
        central = keys[(keys["scenario"] == name) & (keys["measure"] == "benefits")]["central"]
        assert rows["pv_eur"].sum() == pytest.approx(central.iloc[0], rel=1e-9)
        assert rows.loc[rows["outcome"] == "earnings", "pv_eur"].sum() != 0


def test_central_values_equal_those_of_prevsim_compare(results):
    comparison = cmp.run_comparison([results.baseline, *results.scenarios], engine="sd")
    assert cmp.first_difference_year(comparison) == results.base_year
    value = cmp.values(comparison, results.rate, results.base_year).iloc[0]
    name = results.scenarios[0].name
    for measure in ("npv", "bcr", "benefits", "costs", "child_years_in_care_avoided"):
        assert results.number(name, measure) == pytest.approx(value[measure], rel=1e-6)
    placed = [comparison.accounts[n][0]["children_placed"].sum() for n in comparison.names]
    assert results.number(name, "children_placed_avoided") == pytest.approx(
        placed[0] - placed[1], rel=1e-6
    )


# ---- the documents -------------------------------------------------------------------------
def _pdf_text(path: Path) -> tuple[str, int]:
    from pypdf import PdfReader

    reader = PdfReader(path)
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


@pytest.mark.parametrize("lang", ["lt", "en"])
def test_pdf_is_four_to_eight_pages_and_prints_every_number(folder, lang):
    text, pages = _pdf_text(folder / f"briefing-{lang}.pdf")
    assert 4 <= pages <= 8
    flat = re.sub(r"\s+", "", text.replace("\u00a0", " "))
    numbers = pd.read_csv(folder / f"numbers-{lang}.csv")
    for printed in numbers["text"].astype(str):
        assert re.sub(r"\s+", "", printed) in flat, f"{printed!r} is not in the PDF text"


def test_lithuanian_letters_survive_into_the_pdf_text(folder):
    text, _ = _pdf_text(folder / "briefing-lt.pdf")
    for phrase in ("Svarbiausi skaičiai", "vaikų paėmimo į globą", "Grynoji dabartinė"):
        assert phrase in text
    missing = [c for c in LITHUANIAN if c not in text]
    assert not missing, f"letters missing from the PDF text: {missing}"


def test_html_is_one_self_contained_file(folder):
    page = (folder / "briefing-lt.html").read_text(encoding="utf-8")
    assert '<html lang="lt">' in page
    assert not re.search(r"""(src|href)=["'](?!data:)""", page)
    assert page.count('src="data:image/png;base64,') == 7
    assert "Svarbiausi skaičiai" in page


def test_briefing_files_are_listed_in_the_manifest(folder):
    manifest = json.loads((folder / "manifest.json").read_text())
    for name in manifest["files"]:
        assert (folder / name.rstrip("/")).exists(), name
    assert manifest["kind"] == "briefing"


# ---- charts ----------------------------------------------------------------------------------
@pytest.fixture
def captured(monkeypatch):
    """Figures as :func:`simulation.reports.style.save` receives them from the briefing's
    chart modules, laid out but not yet closed.
    """
    figures = []

    def save(fig, stem):
        fig.canvas.draw()
        figures.append((Path(stem).name, fig, _overlaps(fig)))
        return style.save(fig, stem)

    monkeypatch.setattr(charts, "save", save)
    monkeypatch.setattr(briefing_charts, "save", save)
    return figures


def _overlaps(fig) -> list[tuple[str, str]]:
    """Pairs of visible, non-empty texts whose boxes overlap by more than a pixel."""
    from matplotlib.text import Text

    renderer = fig.canvas.get_renderer()
    hidden = set()  # tick labels outside the view limits exist but are never drawn
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if (
                    not low - 1e-9 * abs(high - low)
                    <= tick.get_loc()
                    <= high + 1e-9 * abs(high - low)
                ):
                    hidden.update({id(tick.label1), id(tick.label2)})
    boxes = []
    for artist in fig.findobj(Text):
        if id(artist) in hidden:
            continue
        if artist.get_visible() and artist.get_text().strip():
            boxes.append((artist.get_text(), artist.get_window_extent(renderer).expanded(1, 1)))
    pairs = []
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            width = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            height = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            if width > 2 and height > 2:
                pairs.append((a, b))
    return pairs


@pytest.mark.parametrize("lang", ["lt", "en"])
def test_charts_have_every_glyph_and_no_overlapping_labels(results, tmp_path, captured, lang):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns of a glyph missing from the font
        briefing.draw_charts(results, tmp_path, lang)
    assert len(captured) == 6
    for name, _, overlaps in captured:
        assert not overlaps, f"{name}: overlapping labels {overlaps[:3]}"


def test_chart_labels_are_lithuanian(results, tmp_path, captured):
    briefing.draw_charts(results, tmp_path, "lt")
    texts = {
        name: " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))
        for name, fig, _ in captured
    }
    assert "Vaikai institucinėje globoje" in texts["lt-trajectories"]
    assert "Sunkumų patiriančios šeimos" in texts["lt-trajectories"]
    assert "savivaldybės" in texts["lt-costs"]
    assert "Išvengti vaikų paėmimai į globą" in texts["lt-municipalities"]
    assert "Joniškio r. sav." in texts["lt-municipalities"]


# ---- the command line ----------------------------------------------------------------------
def test_brief_command_writes_pdf_and_html(tmp_path, capsys):
    code = main(
        [
            "brief",
            str(SCENARIOS / "early_intervention.toml"),
            "--against",
            str(SCENARIOS / "baseline.toml"),
            "--lang",
            "en",
            "--format",
            "html",
            "--samples",
            "150",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    html_files = list(tmp_path.glob("briefings/*/*/briefing-en.html"))
    assert len(html_files) == 1
    assert str(html_files[0]) in out
    assert not list(tmp_path.glob("briefings/*/*/*.pdf"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.toml"], "missing.toml"),
        ([str(SCENARIOS / "early_intervention.toml"), "--samples", "5"], "--samples"),
        ([str(SCENARIOS / "early_intervention.toml"), "--lang", "de"], "--lang"),
        ([str(SCENARIOS / "baseline.toml")], "differ"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_no_folder(tmp_path, capsys, args, message):
    code = main(["brief", *args, "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert message in err
    assert not any(tmp_path.iterdir())


def test_numbers_are_formatted_for_each_language():
    assert briefing.format_number(-1234567.891, 1, "lt") == "\u22121\u00a0234\u00a0567,9"
    assert briefing.format_number(-1234567.891, 1, "en") == "\u22121,234,567.9"
    assert briefing.format_number(2031, 0, "lt", group=False) == "2031"
    assert briefing.format_number(-0.04, 1, "en") == "0.0"  # no minus on a rounded zero
    for lang in ("lt", "en"):
        for value in (0.0, 3.14159, -2718.28, 1e7 / 3):
            text = briefing.format_number(value, 2, lang)
            assert math.isclose(briefing.parse_number(text, lang), round(value, 2))


def test_the_driver_ranking_is_named_only_when_the_leaders_intervals_separate(results, folder):
    apart = pd.DataFrame({"S1": [0.30, 0.10], "S1_conf": [0.05, 0.05]})
    overlap = pd.DataFrame({"S1": [0.12, 0.10], "S1_conf": [0.05, 0.05]})
    assert content.leaders_separated(apart)
    assert not content.leaders_separated(overlap)
    assert content.leaders_separated(apart.head(1))
    sens = results.sensitivity
    ranked = sens[sens["scenario"] == sens["scenario"].iloc[0]]
    page = (folder / "briefing-en.html").read_text(encoding="utf-8")
    said = "No parameter stands out" in page
    assert said != content.leaders_separated(ranked)  # the text says which case it is


def test_the_charts_data_points_are_in_the_units_of_their_output():
    """The families chart shows the register's families, not its children (a target that
    counts a families stock's children carries its own children-per-family path).
    """
    points = br.data_points(TARGETS)
    risk = points[points["output"] == "families.risk"]
    assert set(risk["series"]) == {"social_risk_families"}
    assert risk["value"].max() < 20_000  # families, not the 24,222 children of 2009


# ---- plain Lithuanian --------------------------------------------------------------------
#: English words that must not appear in the Lithuanian briefing outside proper names (none
#: of them is a Lithuanian word; "per" is, and is not listed).
ENGLISH_WORDS = (
    "the", "and", "of", "with", "from", "share", "rate", "ratio", "year", "years", "million",
    "assumption", "Assumption", "children", "families", "cost", "care", "scenario", "baseline",
    "Baseline", "interval", "source", "runs", "draws", "hazard", "mun", "budget", "effect",
)  # fmt: skip
#: Proper names allowed in the Lithuanian text.
PROPER_NAMES = ("OpenStreetMap", "ODbL", "BASE/pollux", "PwC", "The Lithuania Tribune")


def _html_text(path: Path) -> str:
    parser = _Spans()
    parser.feed(path.read_text(encoding="utf-8"))
    return " ".join([*parser.outside, *(text for _, text in parser.spans)])


def _without_titles(text: str) -> str:
    """The text without quoted publication titles („...“: proper names) and proper names."""
    text = re.sub(r"„[^“]*“", " ", text.replace("\n", " "))
    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    return text


def _code_names() -> set[str]:
    from simulation.model import programmes
    from simulation.model.catalogue import REGISTRY

    return set(REGISTRY) | {p.name for p in programmes.library()}


@pytest.mark.parametrize("kind", ["pdf", "html"])
def test_lithuanian_briefing_has_no_code_names_and_no_english_words(folder, kind):
    path = folder / f"briefing-lt.{kind}"
    text = _pdf_text(path)[0] if kind == "pdf" else _html_text(path)
    text = re.sub(r"data:image/png;base64,\S+", "", text)
    found = [n for n in _code_names() if re.search(rf"(?<![\w.]){re.escape(n)}(?![\w])", text)]
    assert not found, f"code names in the Lithuanian {kind}: {sorted(found)}"
    plain = _without_titles(text)
    english = [w for w in ENGLISH_WORDS if re.search(rf"\b{w}\b", plain)]
    assert not english, f"English words in the Lithuanian {kind}: {english}"
    assert "– −" not in text
    assert "- −" not in text


def test_the_word_check_would_catch_what_it_looks_for():
    assert re.search(r"\bshare\b", _without_titles("prielaida: share of „the families“"))
    assert not re.search(r"\bfamilies\b", _without_titles("šaltinis „Number of families“"))


def test_municipalities_are_named_in_their_official_form(folder, results):
    from simulation.model.municipality_names import official_name

    text = _pdf_text(folder / "briefing-lt.pdf")[0] + _html_text(folder / "briefing-lt.html")
    assert not re.search(r"\b[cdt]\. mun\.|\bmun\.", text)
    first = results.scenarios[0].name
    ranked = results.municipalities[results.municipalities["scenario"] == first]
    top = ranked.sort_values("avoided_per_1000_children").iloc[-1]["municipality"]
    assert official_name(top, "lt") in text
    assert official_name(top, "en") in _html_text(folder / "briefing-en.html")


def test_few_draws_are_warned_about_in_words_with_the_monte_carlo_error(folder):
    keys = pd.read_csv(folder / "key_numbers.csv")
    chance = keys[keys["measure"] == "chance_benefits_exceed_costs"]
    p, runs = chance["central"].to_numpy(), chance["runs"].to_numpy()
    assert chance["mc_error"].to_numpy() == pytest.approx(np.sqrt(p * (1 - p) / runs))
    assert SAMPLES < content.MIN_DRAWS  # the fixture's briefing is below the minimum
    lt = _pdf_text(folder / "briefing-lt.pdf")[0].replace("\n", " ")
    en = _pdf_text(folder / "briefing-en.pdf")[0].replace("\n", " ")
    assert re.search(rf"Dėmesio: .*remiasi tik {SAMPLES} ", lt)
    assert re.search(rf"Caution: .*rest on only {SAMPLES} ", en)
    assert "standartinė paklaida" in lt
    assert "Monte Carlo standard error" in en


def _filled_share(png: Path) -> float:
    """How far down the page ink reaches, as a share of the page above the footer."""
    from PIL import Image

    image = np.asarray(Image.open(png).convert("L"))
    body = image[: int(0.92 * image.shape[0])]  # the footer (title, page number) excluded
    inked = np.flatnonzero((body < 200).any(axis=1))
    return (inked.max() + 1) / body.shape[0] if inked.size else 0.0


@pytest.mark.parametrize("lang", ["lt", "en"])
def test_every_page_is_filled_to_at_least_a_third(folder, lang, tmp_path):
    import shutil
    import subprocess

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler) is not installed")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "20", str(folder / f"briefing-{lang}.pdf"), str(tmp_path / "p")],
        check=True,
    )
    pages = sorted(tmp_path.glob("p-*.png"))
    shares = [round(_filled_share(p), 2) for p in pages]
    assert len(pages) >= 4
    assert min(shares) >= 1 / 3, f"page fill shares: {shares}"


@pytest.mark.parametrize(("chance", "word"), [(0.0, "mažesnė"), (1.0, "didesnė")])
def test_a_chance_seen_in_none_or_all_runs_is_bounded_by_the_rule_of_three(
    results, folder, chance, word
):
    import dataclasses

    from simulation.reports.briefing.numbers import Numbers

    keys = pd.read_csv(folder / "key_numbers.csv")
    row = keys["measure"] == "chance_benefits_exceed_costs"
    keys.loc[row, "central"] = chance
    keys.loc[row, "mc_error"] = 0.0
    keys.loc[row, "bound_95"] = 3.0 / SAMPLES if chance == 0 else 1 - 3.0 / SAMPLES
    tables = {"key_numbers.csv": keys, "facts.csv": pd.read_csv(folder / "facts.csv")}
    edited = dataclasses.replace(results, key_numbers=keys)
    ctx = content.Context(edited, {}, "lt")
    paras = content._lead(ctx, Numbers(tables, "lt"), results.scenarios[0].name)
    text = "".join(p if isinstance(p, str) else p.text for p in paras[-1].parts())
    bound = 100 * (3.0 / SAMPLES if chance == 0 else 1 - 3.0 / SAMPLES)
    assert f"{word} nei {briefing.format_number(bound, 1, 'lt')}" in text
    assert f"iš {SAMPLES} skaičiavimų" in text or f"visuose {SAMPLES}" in text
