"""Scenario files: loading, extends, and validation that reports every error as one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation.workflow.scenarios import ScenarioError, load, validate
from tests.conftest import SCENARIOS


def errors_of(path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load(path)
    return info.value.errors


def test_shipped_scenarios_validate():
    assert not any(validate(sorted(SCENARIOS.glob("*.toml"))).values())


def test_extends_merges_and_appends_schedule():
    base = load(SCENARIOS / "baseline.toml")
    early = load(SCENARIOS / "early_intervention.toml")
    assert early.name == "early_intervention"
    assert early.chain[-1].endswith("early_intervention.toml")
    assert [Path(p).name for p in early.chain[:2]] == ["calibrated.toml", "baseline.toml"]
    assert early.schedule[: len(base.schedule)] == base.schedule
    assert early.schedule[-1].year == 2027
    assert early.schedule[-1].values["budget.preventive"] == 12.6
    assert early.schedule[-1].values["budget.home_visiting"] == 6.0
    assert early.digest() != base.digest()


def test_child_overrides_parent(write_scenario):
    write_scenario("parent.toml", "[params]\nonset_rate = 0.06\n[run]\nend_year = 2030\n")
    child = write_scenario(
        "child.toml", '[scenario]\nextends = "parent.toml"\n[params]\nonset_rate = 0.07\n'
    )
    sc = load(child)
    assert sc.params["onset_rate"] == 0.07
    assert sc.run.end_year == 2030
    assert sc.name == "child"


def test_digest_ignores_file_names_but_not_values(write_scenario):
    a = load(write_scenario("a.toml", "[params]\nonset_rate = 0.06\n"))
    b = load(write_scenario("b.toml", "[params]\nonset_rate = 0.06\n"))
    c = load(write_scenario("c.toml", "[params]\nonset_rate = 0.061\n"))
    assert a.digest() == b.digest() != c.digest()


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        ("[params]\nonset_rat = 0.05\n", "params.onset_rat", "did you mean 'onset_rate'"),
        ("[params]\nonset_rate = 99.0\n", "params.onset_rate", "outside the valid domain"),
        ('[params]\nonset_rate = "high"\n', "params.onset_rate", "expected a number"),
        ("[params]\nonset_rate = true\n", "params.onset_rate", "expected a number"),
        ("[params]\nbudget.basic = 3.0\n", "params.budget.basic", "set it under [policy]"),
        ("[policy]\nonset_rate = 0.05\n", "policy.onset_rate", "set it under [params]"),
        ("[policy.budget]\nbasic = -1.0\n", "policy.budget.basic", "outside the valid domain"),
        ("[policy.budget]\nbasik = 1.0\n", "policy.budget.basik", "did you mean 'budget.basic'"),
        ("[policy.ngo_share]\nbasic = 1.5\n", "policy.ngo_share.basic", "[0, 1]"),
        ("[run]\nresolution = 'regional'\n", "run.resolution", "national, municipal"),
        ("[run]\nend_year = 2008\n", "run.end_year", "outside [2009, 2100]"),
        ("[run]\nend_year = '2040'\n", "run.end_year", "expected an integer"),
        ("[run]\nendyear = 2040\n", "run.endyear", "did you mean 'end_year'"),
        ("[scenario]\ntitle = 3\n", "scenario.title", "expected a string"),
        ("[runs]\nend_year = 2040\n", "runs", "did you mean 'run'"),
        (
            "[[policy.schedule]]\nyear = 2030\nbudget.basic = 'x'\n",
            "policy.schedule[0].budget.basic",
            "expected a number",
        ),
        (
            "[[policy.schedule]]\nyear = 1990\nbudget.basic = 2.0\n",
            "policy.schedule[0].year",
            "outside [2009, 2100]",
        ),
        (
            "[[policy.schedule]]\nyear = 2030\nramp_years = -1\nbudget.basic = 2.0\n",
            "policy.schedule[0].ramp_years",
            "[0, 50]",
        ),
        ("[[policy.schedule]]\nyear = 2030\n", "policy.schedule[0]", "changes no lever"),
        (
            "[[policy.schedule]]\nyear = 2030\nramp_years = 2\ncooperation_start_year = 2030\n",
            "policy.schedule[0].ramp_years",
            "cannot ramp",
        ),
        ("[policy]\nallocation_rule = 'greedy'\n", "policy.allocation_rule", "needs_based"),
        ("[run]\nscale = 0.0\n", "run.scale", "outside"),
        ("[run]\nheterogeneity = 'yes'\n", "run.heterogeneity", "true or false"),
    ],
)
def test_each_bad_value_gives_one_line_naming_file_and_key(write_scenario, text, key, fragment):
    path = write_scenario("bad.toml", text)
    errors = errors_of(path)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{path}: {key}: ")
    assert fragment in errors[0]
    assert "\n" not in errors[0]


def test_all_errors_are_collected(write_scenario):
    path = write_scenario(
        "many.toml",
        "[params]\nonset_rat = 0.05\nonset_rate = 9e9\n[run]\nresolution = 'x'\n",
    )
    assert len(errors_of(path)) == 3


def test_extends_cycle_is_reported(write_scenario):
    a = write_scenario("a.toml", '[scenario]\nextends = "b.toml"\n')
    write_scenario("b.toml", '[scenario]\nextends = "a.toml"\n')
    (line,) = errors_of(a)
    assert "scenario.extends: cycle a.toml -> b.toml -> a.toml" in line


def test_self_extension_is_a_cycle(write_scenario):
    a = write_scenario("self.toml", '[scenario]\nextends = "self.toml"\n')
    (line,) = errors_of(a)
    assert "cycle self.toml -> self.toml" in line


def test_errors_in_a_parent_name_the_parent(write_scenario):
    parent = write_scenario("parent.toml", "[params]\nonset_rate = -1.0\n")
    child = write_scenario("child.toml", '[scenario]\nextends = "parent.toml"\n')
    (line,) = errors_of(child)
    assert line.startswith(f"{parent}: params.onset_rate: ")


def test_missing_parent_and_missing_file(write_scenario, tmp_path):
    child = write_scenario("child.toml", '[scenario]\nextends = "nowhere.toml"\n')
    (line,) = errors_of(child)
    assert line == f"{tmp_path / 'nowhere.toml'}: file not found"
    (line,) = errors_of(tmp_path / "absent.toml")
    assert "file not found" in line


def test_invalid_toml_is_one_line(write_scenario):
    path = write_scenario("broken.toml", "[params\nonset_rate = 1\n")
    (line,) = errors_of(path)
    assert line.startswith(f"{path}: invalid TOML: ")
    assert "\n" not in line
