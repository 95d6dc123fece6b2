"""Where the shipped scenario files and calibration targets are, found through the package.

An installed wheel carries them as package data (``simulation/shipped/scenarios`` and
``simulation/shipped/calibration``, mapped from the repository's ``scenarios/`` and
``calibration/`` folders by ``pyproject.toml``); a source checkout (an editable install) has
them at the top of the repository. A folder of the same name in the working directory wins
over both, so that a user's own project folder is used when there is one.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: The folders that ship with the package.
FOLDERS = ("scenarios", "calibration")
BASELINE = "baseline.toml"
TARGETS = "targets.toml"


def packaged(name: str) -> Path:
    """The shipped folder ``name`` (``"scenarios"`` or ``"calibration"``) of the package.

    Raises
    ------
    ValueError
        For a name that is not a shipped folder.
    FileNotFoundError
        If the package has neither the packaged copy nor a source checkout around it.
    """
    if name not in FOLDERS:
        raise ValueError(f"no shipped folder {name!r}; allowed: {', '.join(FOLDERS)}")
    installed = Path(str(resources.files("simulation"))) / "shipped" / name
    if installed.is_dir():
        return installed
    checkout = Path(__file__).resolve().parents[2] / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"the package's {name} folder is missing ({installed})")


def folder(name: str) -> Path:
    """``./<name>`` when the working directory has one, else the shipped folder."""
    here = Path(name)
    return here if here.is_dir() else packaged(name)


def scenario_path(name_or_path: str | Path) -> Path:
    """A scenario file, from a path or a scenario name.

    A path as given when it names a file, else a scenario name looked up in :func:`folder`
    ``("scenarios")`` (``"baseline"`` -> ``.../scenarios/baseline.toml``).
    """
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.parent != Path("."):
        return path
    return folder("scenarios") / f"{path.name}.toml"


def targets_path() -> Path:
    """The calibration targets file (``calibration/targets.toml``)."""
    return folder("calibration") / TARGETS
