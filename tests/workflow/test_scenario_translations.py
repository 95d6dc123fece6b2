"""Scenario files' Lithuanian title and description: read, validated, not inherited wrongly."""

from pathlib import Path

import pytest

from simulation.workflow.scenarios import ScenarioError, load
from tests.conftest import REPO

SHIPPED = sorted((REPO / "scenarios").glob("*.toml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_has_a_lithuanian_title_and_description(path):
    sc = load(path)
    assert sc.title_lt
    assert sc.description_lt
    assert sc.display_title("lt") == sc.title_lt
    assert sc.display_title("en") == sc.title.partition(" / ")[0]
    assert "Baseline" not in sc.display_description("lt")
    assert any(letter in sc.description_lt for letter in "ąčęėįšųūž")


def _write(folder: Path, name: str, scenario: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(f"[scenario]\n{scenario}\n", encoding="utf-8")
    return path


def test_old_bilingual_titles_still_work(tmp_path):
    sc = load(_write(tmp_path, "old", 'title = "Reform / Reforma"'))
    assert (sc.display_title("lt"), sc.display_title("en")) == ("Reforma", "Reform")
    assert load(_write(tmp_path, "bare", "")).display_title("lt") == "bare"


def test_a_child_with_its_own_title_does_not_inherit_its_parents_translation(tmp_path):
    _write(tmp_path, "parent", 'title = "Parent"\ntitle_lt = "Tėvinis"\ndescription_lt = "Aprašas"')
    child = load(_write(tmp_path, "child", 'extends = "parent.toml"\ntitle = "Child"'))
    assert child.display_title("lt") == "Child"  # not the parent's "Tėvinis"
    assert child.description_lt == "Aprašas"  # the description itself was inherited


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("title_lt = 3", "scenario.title_lt"),
        (f'description_lt = "{"x" * 5001}"', "longer than 5,000"),
    ],
)
def test_bad_lithuanian_texts_are_one_clear_line(tmp_path, line, message):
    with pytest.raises(ScenarioError) as err:
        load(_write(tmp_path, "bad", line))
    assert len(err.value.errors) == 1
    assert message in err.value.errors[0]
