"""The app's paired replicates, downloads, texts and map values (no browser, no server)."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from simulation.interfaces.app import exports, mapping, text
from simulation.interfaces.app.model import Sliders, TeachingModel
from simulation.interfaces.app.replicates import Replicates, in_area, run_replicates
from simulation.interfaces.app.widgets import band_sentence, summary_html
from simulation.model.catalogue import REGISTRY
from simulation.model.policy import MIN_SHARE
from simulation.workflow.scenarios import load, validate

SMALL = {"scale": 0.01, "end_year": 2028, "policy_year": 2026}  # a second or two a run


@pytest.fixture(scope="module")
def stepped():
    """A policy a year into its run."""
    model = TeachingModel(preventive_share=0.7, cooperation=True, deployment_speed=0.5, **SMALL)
    for _ in range(12):
        model.step()
    return model


def test_the_default_policy_s_replicates_differ_from_the_status_quo_by_nothing():
    reps = Replicates(run_replicates(Sliders(**SMALL), k=2))
    assert reps.seeds == (1, 2)
    end = reps.models[0].n_months
    np.testing.assert_allclose(reps.differences(end), 0.0, atol=1e-6)
    bands = reps.bands(end)
    low, high = bands.families
    assert np.all(low <= high)
    assert np.any(low < high)  # two seeds: a band, not a line
    assert bands.start == (2026 - 2009) * 12


def test_a_municipality_s_replicates_are_the_national_runs_shown_for_it():
    name = "Joniškis d. mun."
    direct = Replicates(run_replicates(Sliders(area=name, **SMALL), k=2))
    shown = in_area(Replicates(run_replicates(Sliders(**SMALL), k=2)), name)
    end = direct.models[0].n_months
    for a, b in zip(direct.bands(end).families, shown.bands(end).families, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(direct.differences(end), shown.differences(end))
    assert shown.models[0].area_name("lt") == "Joniškio r. sav."


def test_a_policy_s_replicates_spread_and_start_at_the_policy_year():
    reps = Replicates(run_replicates(Sliders(preventive_share=0.8, **SMALL), k=2))
    start, end = (2026 - 2009) * 12, reps.models[0].n_months
    np.testing.assert_allclose(reps.differences(start), 0.0, atol=1e-6)  # same history
    later = reps.differences(end)
    assert later.shape == (2, 5)
    assert np.all(later[:, 3] > 0)  # more preventive money: public cost rises in every seed
    assert not np.allclose(later[0], later[1])  # the seeds differ: the range is not zero


def test_the_scenario_download_validates_and_gives_the_app_s_budgets(stepped, tmp_path):
    path = tmp_path / "app_policy.toml"
    path.write_text(exports.scenario_toml(stepped), encoding="utf-8")
    assert validate([path]) == {str(path): []}
    scenario = load(path)
    (change,) = [c for c in scenario.schedule if c.year == 2026]
    budgets = np.array([change.values[f"budget.{s}"] for s in ("preventive", "basic")])
    total = sum(v for k, v in change.values.items() if k.startswith("budget."))
    # 0.7, less what the 2% floor of the smallest service takes (as in the app)
    assert budgets[0] / total == pytest.approx(0.7, abs=0.01)
    assert change.values["cooperation_start_year"] == 2026
    assert change.values["regional_coordinators"] == pytest.approx(0.5)
    assert scenario.title_lt == "Politika iš mokomojo modelio"
    assert scenario.description_lt.startswith("Politika nuo 2026 m.: prevencijos dalis 0,70")
    assert scenario.run.engine == "abm"
    assert scenario.run.scale == pytest.approx(0.01)
    # Under the status quo's rule these budgets give what the app's municipalities spend.
    spent = sum(m.budget() for m in stepped.municipalities)  # EUR a year, simulated share
    written = np.array(list(exports.policy_budgets(stepped).values())) * 1e6 * stepped.scale
    np.testing.assert_allclose(spent, written, rtol=1e-3)
    assert min(written / written.sum()) >= MIN_SHARE - 1e-9


def test_the_series_download_is_whole_numbers_with_headings_in_the_page_s_language(stepped):
    rows = list(csv.reader(io.StringIO(exports.series_csv(stepped, "lt")), delimiter=";"))
    head, body = rows[0], rows[1:]
    assert head[0] == "mėnuo"
    assert "jūsų politika: šeimos, Sunkumų patirianti šeima" in head
    assert len(body) == stepped.n_months + 1
    mine = head.index("jūsų politika: šeimos, Gerovė")
    assert body[stepped.month][mine] != ""  # stepped so far
    assert body[stepped.month + 1][mine] == ""  # not yet run
    assert all(cell.lstrip("-").isdigit() for cell in body[0][1:])
    en = exports.series_csv(stepped, "en").splitlines()[0]
    assert en.startswith("month,")
    assert "status quo: public cost, EUR a year" in en


def test_every_text_is_in_both_languages_and_no_code_name_reaches_a_label():
    assert set(text.TEXT["lt"]) == set(text.TEXT["en"])
    assert set(text.MAP_WORDS["lt"]) == set(text.MAP_WORDS["en"])
    names = ["area", "policy_year", "ngo_share", "cooperation", "scale", "seed"]
    for name in [*names, *text.REGISTRY_INPUTS]:
        lt, en = text.input_label(name, "lt"), text.input_label(name, "en")
        assert lt != en, name
        assert not any(code in lt for code in REGISTRY.names()), lt
        assert "_" not in lt + en, (lt, en)
    assert any(ch in "ąčęėįšųūž" for ch in text.input_label("preventive_share", "lt"))


def test_the_summary_and_the_band_sentence_are_in_the_page_s_language(stepped):
    reps = Replicates(run_replicates(Sliders(**SMALL), k=2))
    html = summary_html(stepped, "lt", reps)
    assert "jūsų politika" in html
    assert "2 porinių kartojimų" in html
    assert "your policy" not in html
    assert "2 paired replicates, seeds 1–2" in band_sentence(stepped, "en", reps)
    assert "Skaičiuojami 5 poriniai" in band_sentence(stepped, "lt", None)


def test_the_map_values_are_rates_for_all_60_municipalities(stepped):
    for indicator in mapping.INDICATORS:
        values = mapping.map_values(stepped, indicator)
        assert len(values) == 60
        assert all(0 <= v <= 1000 for v in values.values())
        assert max(values.values()) > min(values.values())
    fig = mapping.map_chart(stepped, "care", "lt")
    assert fig.texts[0].get_text().startswith("Vaikai globoje 1 000 vaikų: 2027 m. sausis")
