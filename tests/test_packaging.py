"""The installable release.

Every package listed, the shipped files inside the wheel, and the files a release carries
(licence, citation, changelog).
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from simulation.workflow import shipped

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_package_folder_is_listed_for_the_wheel():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(p.parent.relative_to(REPO).parts)
        for p in (REPO / "simulation").rglob("__init__.py")
    }
    assert on_disk <= listed, (
        f"add to pyproject.toml [tool.setuptools] packages: {on_disk - listed}"
    )
    mapped = PYPROJECT["tool"]["setuptools"]["package-dir"]
    assert mapped == {
        "simulation.shipped.scenarios": "scenarios",
        "simulation.shipped.calibration": "calibration",
    }


def test_the_shipped_folders_are_found_through_the_package(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./scenarios here: the package's own are found
    assert (shipped.folder("scenarios") / "baseline.toml").is_file()
    assert shipped.targets_path().is_file()
    assert shipped.scenario_path("early_intervention").name == "early_intervention.toml"
    (tmp_path / "scenarios").mkdir()  # a project folder of the user's own wins
    assert shipped.folder("scenarios") == Path("scenarios")
    with pytest.raises(ValueError, match="no shipped folder"):
        shipped.packaged("results")


def test_a_release_carries_its_licence_citation_and_changelog():
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"
    assert "MIT License" in (REPO / "LICENSE").read_text(encoding="utf-8")
    citation = (REPO / "CITATION.cff").read_text(encoding="utf-8")
    assert f'version: "{project["version"]}"' in citation
    assert f"## {project['version']} " in (REPO / "CHANGELOG.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_wheel_carries_the_scenarios_targets_and_data(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("prevsim-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "simulation/shipped/scenarios/baseline.toml",
        "simulation/shipped/scenarios/calibrated.toml",
        "simulation/shipped/scenarios/early_intervention.toml",
        "simulation/shipped/calibration/targets.toml",
        "simulation/shipped/calibration/data/national_series.csv",
        "simulation/data/lithuania/national_series.csv",
        "simulation/data/lithuania/municipal_children.csv",
        "simulation/data/lithuania/municipalities.geojson",  # the app's and briefing's map
        "simulation/interfaces/cli/__init__.py",
    }
    assert expected <= names
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert not any(n.startswith(("tests/", "notebooks/", "benchmarks/")) for n in names)
