"""Scenario discovery: PRIM recovers known boxes; the design varies levers and uncertainty."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from simulation.analysis import prim


def _known_box(n: int, noise: float, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """An outcome, 1 inside [0.2, 0.5] x [0.6, 0.9] of the 4-D unit cube, else 0, plus noise."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.random((n, 4)), columns=["a", "b", "c", "d"])
    inside = x["a"].between(0.2, 0.5) & x["b"].between(0.6, 0.9)
    y = inside.to_numpy(float) + rng.normal(0.0, noise, n)
    return x, y > 0.5


def test_prim_recovers_a_known_box():
    x, interest = _known_box(4000, noise=0.2, seed=7)
    boxes = prim.find_boxes(x, interest, threshold=0.8, max_boxes=1)
    assert len(boxes) == 1
    box = boxes[0]
    # Only the two dimensions that matter are restricted, to within 0.05 of the true box: the
    # box chosen is the one with the most coverage at density 0.8 or more, which may keep a
    # slice or two (each 5% of the points left, about 0.02 of a side near the end) outside.
    assert sorted(box.limits.columns) == ["a", "b"]
    truth = pd.DataFrame({"a": [0.2, 0.5], "b": [0.6, 0.9]}, index=["low", "high"])
    assert np.abs(box.limits[["a", "b"]].to_numpy() - truth.to_numpy()).max() < 0.05
    densest = prim.find_boxes(x, interest, threshold=0.99, max_boxes=1)[0]
    assert np.abs(densest.limits[["a", "b"]].to_numpy() - truth.to_numpy()).max() < 0.02
    # With noise 0.2, 0.6% of points flip each way (P(z > 2.5)); the true box holds 9% of the
    # points. The box chosen is dense enough and covers nearly all; the densest is near-pure.
    assert box.coverage > 0.9
    assert box.density >= 0.8
    assert box.mass == pytest.approx(0.09, abs=0.03)
    assert densest.coverage > 0.85
    assert densest.density > 0.95
    assert box.trajectory["chosen"].sum() == 1


def test_prim_finds_a_second_box_and_stops():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.random((4000, 3)), columns=["a", "b", "c"])
    first = (x["a"] < 0.4) & (x["b"] > 0.6)  # 24% of the points
    second = (x["a"] > 0.6) & (x["c"] < 0.2)  # 8%
    boxes = prim.find_boxes(x, (first | second).to_numpy(), threshold=0.8, max_boxes=4)
    assert [sorted(b.limits.columns) for b in boxes] == [["a", "b"], ["a", "c"]]
    one, two = (b.limits for b in boxes)
    assert np.isnan(one.loc["low", "a"])
    assert np.isnan(one.loc["high", "b"])
    assert one.loc["low", "b"] == pytest.approx(0.6, abs=0.05)
    assert one.loc["high", "a"] == pytest.approx(0.4, abs=0.1)  # density 0.8 admits a slice
    assert two.loc["high", "c"] == pytest.approx(0.2, abs=0.05)
    assert sum(b.coverage for b in boxes) > 0.95
    assert all(b.density >= 0.8 for b in boxes)


def test_choose_takes_most_coverage_at_the_threshold():
    trajectory = pd.DataFrame({"coverage": [1.0, 0.9, 0.7, 0.4], "density": [0.2, 0.6, 0.85, 0.95]})
    assert prim.choose(trajectory, 0.8) == 2
    assert prim.choose(trajectory, 0.99) == 3  # none dense enough: the densest
    ties = pd.DataFrame({"coverage": [1.0, 1.0, 1.0, 0.9], "density": [0.4, 0.6, 0.9, 0.95]})
    assert prim.choose(ties, 0.5) == 2  # equal coverage: the densest
    x = pd.DataFrame({"a": [0.1, 0.5, 0.9]})
    assert prim.find_boxes(x, np.ones(3, bool)) == []
    assert prim.find_boxes(x, np.zeros(3, bool)) == []


def _shipped():
    from simulation.workflow.scenarios import load

    return load("scenarios/early_intervention.toml"), load("scenarios/baseline.toml")


def test_levers_are_explored_from_the_baseline_to_twice_the_policy():
    from simulation.analysis import discovery

    scenario, baseline = _shipped()
    ranges = discovery.lever_ranges(scenario, baseline)
    # scenarios/early_intervention.toml: home visiting 0 -> 6.0, mobile teams 1.0 -> 2.0
    assert ranges["budget.home_visiting"] == pytest.approx((0.0, 12.0))
    assert ranges["budget.mobile_team"] == pytest.approx((1.0, 3.0))
    assert discovery.lever_ranges(scenario, baseline, ["regional_coordinators"]) == {
        "regional_coordinators": (0.0, 1.0)  # not in the policy: its registry range
    }
    with pytest.raises(ValueError, match="not a lever"):
        discovery.lever_ranges(scenario, baseline, ["onset_rate"])


def test_a_lever_setting_changes_the_policy_only():
    from simulation.analysis import discovery
    from simulation.analysis.evaluation import Question, evaluate
    from simulation.workflow import ensembles as ens

    scenario, baseline = _shipped()
    same = discovery.with_levers(scenario, baseline, {"budget.home_visiting": 6.0})
    assert same.schedule == scenario.schedule
    more = discovery.with_levers(scenario, baseline, {"budget.home_visiting": 12.0})
    (change,) = discovery.policy_changes(more, baseline)
    assert change.values["budget.home_visiting"] == 12.0
    assert change.values["budget.outreach_community"] == 3.0
    names = ens.default_varied(scenario, "sd", baseline)
    draws = ens.sample_parameters(names, 6, 5)[names]
    settings = discovery.DiscoverySettings(
        levers={"budget.home_visiting": (6.0, 6.0)}, points=2, screen=2
    )
    study = discovery.run(scenario, baseline, draws, settings)
    direct = evaluate(names, draws.to_numpy(), Question(scenario, "npv", baseline))
    np.testing.assert_allclose(study.npv, direct, rtol=1e-9)
    pooled = discovery.run(scenario, baseline, draws, replace(settings, workers=2))
    np.testing.assert_array_equal(pooled.npv, study.npv)  # the SD engine is deterministic
    assert list(study.x.columns[:1]) == ["budget.home_visiting"]


def test_a_box_is_written_as_one_sentence_in_both_languages(tmp_path):
    """NPV > 0 exactly when home visiting gets at most 4 million EUR a year and onset is at
    least 0.12 a year: the folder holds that box, said in readers' words.
    """
    import json

    from simulation.analysis import discovery
    from simulation.reports.discovery import write_study
    from simulation.workflow.store import Output

    scenario, baseline = _shipped()
    rng = np.random.default_rng(11)
    x = pd.DataFrame(
        {
            "budget.home_visiting": rng.uniform(0, 12, 3000),
            "onset_rate": rng.uniform(0.05, 0.2, 3000),
            "training_quality_gain": rng.uniform(0, 0.5, 3000),
        }
    )
    pays = (x["budget.home_visiting"] <= 4.0) & (x["onset_rate"] >= 0.12)
    npv = np.where(pays, 1e6, -1e6)
    settings = discovery.DiscoverySettings(levers={"budget.home_visiting": (0.0, 12.0)})
    boxes = prim.find_boxes(x, npv > 0, settings.threshold, max_restrictions=4)
    study = discovery.Discovery(scenario, baseline, settings, x, npv, boxes, "synthetic")
    folder, lines = write_study(study, Output(root=tmp_path, lang="en", command="test"))
    table = pd.read_csv(folder / "boxes.csv")
    first = table[table["box"] == 1].set_index("parameter")
    assert sorted(first.index) == ["budget.home_visiting", "onset_rate"]
    assert first.loc["budget.home_visiting", "high"] == pytest.approx(4.0, abs=0.4)
    assert np.isnan(first.loc["budget.home_visiting", "low"])
    assert first.loc["onset_rate", "low"] == pytest.approx(0.12, abs=0.01)
    summary = (folder / "summary.txt").read_text(encoding="utf-8").replace("\xa0", " ")
    assert "Early intervention pays against “Status quo” when home visiting" in summary
    assert "is at most 4" in summary
    assert "million EUR a year and onset of family difficulties is at least 0.11" in summary
    assert "Ankstyvoji intervencija, palyginti su scenarijumi „Esama padėtis“, atsiperka" in summary
    assert "namų lankymo programa" in summary.lower()
    assert "mln. EUR per metus" in summary
    assert "budget.home_visiting" not in "\n".join(lines[3:])  # no code names in the sentences
    files = json.loads((folder / "manifest.json").read_text())["files"]
    assert {"trajectory.png", "boxes.pdf", "boxes.csv", "summary.txt"} <= set(files)


def test_a_policy_that_pays_almost_everywhere_needs_no_box():
    from simulation.analysis import discovery
    from simulation.reports.discovery import sentences

    scenario, baseline = _shipped()
    rng = np.random.default_rng(2)
    x = pd.DataFrame({"onset_rate": rng.uniform(0.05, 0.2, 500)})
    npv = np.where(rng.random(500) < 0.9, 1e6, -1e6)  # pays in about 90% of draws, anywhere
    settings = discovery.DiscoverySettings(levers={"budget.home_visiting": (0.0, 12.0)})
    boxes = prim.find_boxes(x, npv > 0, settings.threshold)
    assert boxes == []  # the whole space is dense enough: no peel is chosen over it
    study = discovery.Discovery(scenario, baseline, settings, x, npv, boxes, "synthetic")
    (en,) = sentences(study, "en")
    assert en.startswith("Early intervention pays against “Status quo” in 88% of all 500 draws")
    assert "without conditions" in en
    (lt,) = sentences(study, "lt")
    assert "be jokių sąlygų" in lt


def test_the_known_box_recurs_on_half_samples_and_chance_restrictions_do_not():
    x, interest = _known_box(4000, noise=0.2, seed=7)
    boxes = prim.find_boxes(x, interest, threshold=0.8, max_boxes=1)
    (shares,) = prim.recurrence(x, interest, boxes, 4, seed=1, threshold=0.8, max_boxes=1)
    assert shares == {"a": 1.0, "b": 1.0}
    # a restriction made up on a dimension PRIM never needs recurs in no resample
    made_up = prim.Box(
        limits=pd.DataFrame({"c": [0.3, np.nan]}, index=["low", "high"]),
        coverage=0.0,
        density=0.0,
        mass=0.0,
        trajectory=boxes[0].trajectory,
        chosen=0,
        quasi_p={},
    )
    (shares,) = prim.recurrence(x, interest, [made_up], 2, seed=1, threshold=0.8, max_boxes=1)
    assert shares == {"c": 0.0}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("lt", "nuo 0,430 iki 0,719 (rizikos daugiklis)"),
        ("en", "between 0.430 and 0.719 (hazard multiplier)"),
    ],
)
def test_a_unit_that_is_a_noun_is_named_once_after_the_condition(lang, expected):
    """'0,430 rizikos daugiklis' puts a Lithuanian noun in the wrong case after a number."""
    from simulation.reports.discovery import condition

    text = condition("programme.day_centres.effect.escalation", 0.43, 0.719, lang)
    assert text.replace("\xa0", " ").endswith(expected)
    rate = condition("onset_rate", 0.178, np.nan, lang).replace("\xa0", " ")
    assert rate.endswith("0,178 per metus" if lang == "lt" else "0.178 a year")
