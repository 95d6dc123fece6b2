"""Another country by data alone: Synthland, a synthetic country, runs end to end.

Synthland (``simulation/data/synthland/``, docs/countries.md) is a data folder and scenario
files only: its regions, births, targets, unit costs and life-course base rates. Nothing in
the code names it; a scenario selects it by ``[run] country``. The end-to-end test calibrates
it, compares its early-intervention scenario with its baseline and writes its English
briefing, at small sizes, through the command line.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from simulation.interfaces.cli import main
from simulation.interfaces.cli.common import default_targets
from simulation.model import demography as dm
from simulation.model.municipality_names import names as lithuanian_municipalities
from simulation.model.municipality_names import official_name
from simulation.workflow import shipped
from simulation.workflow.runner import run_scenario, with_overrides
from simulation.workflow.scenarios import ScenarioError, load

FOLDER = dm.data_dir("synthland")
BASELINE = FOLDER / "baseline.toml"
EARLY = FOLDER / "early_intervention.toml"
TARGETS = FOLDER / "targets.toml"
#: Synthland's regions, as its municipal_children.csv names them.
REGIONS = {"Aldmere", "Brackenford", "Corvale", "Dunmarsh", "Eastholm"}


def test_synthland_is_a_shipped_country_with_its_own_demography():
    assert {"lithuania", "synthland"} <= set(dm.countries())
    synth = dm.country_demography("synthland")
    assert set(synth.municipalities) == REGIONS
    np.testing.assert_allclose(synth.shares.sum(axis=1), 1.0, rtol=1e-12)
    assert synth.children_at(2009) == 150_000  # the file's 2009 total
    assert dm.country_demography() is dm.lithuania()  # the default is unchanged
    assert len(dm.lithuania().municipalities) == 60


def test_a_scenario_names_its_country_and_an_unknown_one_is_one_clear_line(tmp_path):
    assert load(BASELINE).run.country == "synthland"
    assert load(EARLY).run.country == "synthland"  # inherited through extends
    bad = tmp_path / "bad.toml"
    bad.write_text('[run]\ncountry = "atlantis"\n')
    with pytest.raises(ScenarioError) as caught:
        load(bad)
    (line,) = caught.value.errors
    assert line.startswith(f"{bad}: run.country:")
    assert "'atlantis' is not one of" in line
    assert "lithuania" in line
    assert "synthland" in line


def test_a_municipal_run_has_synthland_s_regions_and_children(tmp_path):
    scenario = with_overrides(load(BASELINE), resolution="municipal")
    result = run_scenario(scenario)
    assert set(result.timeseries["municipality"]) == REGIONS
    # families at the end of January 2009: the file's 150,000 children on 1 January over
    # Synthland's 1.5 children per family, give or take a month's births and exits (< 1%)
    families = result.national["families_total"].iloc[0]
    assert families == pytest.approx(150_000 / 1.5, rel=0.01)
    assert families != pytest.approx(dm.lithuania().children_at(2009) / 1.5, rel=0.5)


def test_regions_of_another_country_keep_their_names_and_typos_are_still_refused():
    assert official_name("Corvale", "lt") == official_name("Corvale", "en") == "Corvale"
    assert not REGIONS & set(lithuanian_municipalities())
    with pytest.raises(KeyError, match="unknown municipality"):
        official_name("Corvalle", "en")


def test_a_country_s_scenarios_are_valued_against_its_own_baseline_and_data(tmp_path, capsys):
    out = tmp_path / "results"
    # without --against, the Lithuanian baseline: refused in one line, nothing written
    assert main(["brief", str(EARLY), "--lang", "en", "--out", str(out)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "different countries" in line
    assert "synthland_early_intervention (synthland)" in line
    assert "baseline (lithuania)" in line
    assert not out.exists()
    # --samples history-matches to the country's own targets.toml by default
    assert default_targets(None, "brief", "synthland") == TARGETS
    assert default_targets(None, "brief", "lithuania") == shipped.targets_path()


def _folder(root):
    (manifest,) = root.rglob("manifest.json")
    return manifest.parent


@pytest.mark.slow
def test_synthland_calibrates_compares_and_briefs_end_to_end(tmp_path, capsys):
    out = tmp_path / "results"
    fitted = tmp_path / "calibrated.toml"
    calibrate = ["calibrate", str(TARGETS), "--starts", "1", "--walkers", "8", "--steps", "12"]
    calibrate += ["--burn", "4", "--abm-replicates", "0", "--workers", "1", "--lang", "en"]
    assert main([*calibrate, "--scenario-out", str(fitted), "--out", str(out / "cal")]) == 0
    fit = pd.read_csv(_folder(out / "cal") / "fit.csv").set_index("parameter")
    assert set(fit.index) == {"escalation_rate", "risk_to_crisis_rate", "reunification_rate"}
    assert np.isfinite(fit["best"]).all()
    assert ((fit["prior_low"] <= fit["best"]) & (fit["best"] <= fit["prior_high"])).all()
    assert "escalation_rate" in fitted.read_text()

    assert main(["compare", str(BASELINE), str(EARLY), "--out", str(out / "cmp")]) == 0
    value = pd.read_csv(_folder(out / "cmp") / "value.csv")
    assert value["scenario"].tolist() == ["synthland_early_intervention"]
    numbers = value[["npv", "benefits", "costs", "children_placed_avoided"]].to_numpy()
    assert np.isfinite(numbers).all()
    assert value["costs"].iloc[0] > 0  # the scenario buys services

    # no --targets: the country's own
    brief = ["brief", str(EARLY), "--against", str(BASELINE), "--lang", "en"]
    brief += ["--format", "html", "--samples", "20", "--out", str(out / "b")]
    assert main(brief) == 0
    folder = _folder(out / "b")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest  # the results folder's record of what ran
    municipal = pd.read_csv(folder / "municipalities.csv")
    assert set(municipal["municipality"]) == REGIONS
    assert np.isfinite(municipal[["children_placed_avoided", "npv"]].to_numpy()).all()
    data = pd.read_csv(folder / "data_points.csv")
    assert set(data["source"]) == {"Synthetic assumption (Synthland, a fictional country)"}
    key = pd.read_csv(folder / "key_numbers.csv").set_index("measure")
    assert math.isfinite(key.loc["npv", "central"])
    assert key.loc["npv", "runs"] == 20
    html = (folder / "briefing-en.html").read_text(encoding="utf-8")
    shown = {region for region in REGIONS if region in html}
    assert len(shown) >= 3  # the text names the regions with the most and fewest avoided
    assert not [m for m in lithuanian_municipalities() if m in html]
    assert "Synthland" in html
    capsys.readouterr()


def test_a_national_run_of_another_country_is_named_after_it():
    """The single unit of a national run is the country's name in both engines, not Lithuania."""
    from simulation.engines.abm import FamilyWelfareModel
    from simulation.engines.sd import SDModel
    from simulation.model.demography import country_demography

    synth = country_demography("synthland")
    assert synth.national_name == "Synthland"
    assert country_demography().national_name == "Lithuania"
    sd = SDModel(end_year=2010, demography=synth).run()
    assert sd.municipalities == ("Synthland",)
    abm = FamilyWelfareModel(scale=0.002, end_year=2010, demography=synth)
    abm.run()
    assert abm.result().municipalities == ("Synthland",)
    assert abm.result(resolution="municipal").municipalities == synth.municipalities
