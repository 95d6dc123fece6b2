"""Reading input files: TOML parsing and one collector of problems for every input file.

A :class:`Problems` collects every problem of a file as one line ``file: key: what is wrong
and what is allowed`` and keeps reading, so that a user sees all of a file's problems at once;
scenario files (:mod:`simulation.workflow.scenarios`) and calibration targets
(:mod:`simulation.analysis.targets`) both check their values with it.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path


def read_toml(path: Path, kind: str = "scenario file") -> dict | str:
    """The parsed file, or an error line naming the file (``kind`` says what it should be)."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return f"{path}: file not found"
    except IsADirectoryError:
        return f"{path}: is a directory, not a {kind}"
    except tomllib.TOMLDecodeError as exc:
        return f"{path}: invalid TOML: {exc}"
    except UnicodeDecodeError:
        return f"{path}: not UTF-8 text"


def near_names(name: str, candidates: Collection[str]) -> list[str]:
    """Up to three of ``candidates`` close to ``name``."""
    return difflib.get_close_matches(str(name), list(candidates), n=3, cutoff=0.6)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Problems:
    """Every problem found in one input file, one line each.

    Each check returns the checked value, or None after recording why it is wrong.

    Parameters
    ----------
    path : Path
        The file; every line starts with it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[str] = []

    def error(self, key: str, message: str) -> None:
        """Record a problem with ``key`` (a dotted name such as ``run.end_year``)."""
        self.errors.append(f"{self.path}: {key}: {message}")

    def known(self, where: str, key: str, allowed: Collection[str]) -> bool:
        """Whether ``key`` is one of ``allowed``; if not, record it with near-matches."""
        if key in allowed:
            return True
        near = near_names(key, allowed)
        hint = (
            f"did you mean {', '.join(repr(n) for n in near)}?"
            if near
            else f"allowed: {', '.join(sorted(allowed))}"
        )
        self.error(f"{where}.{key}" if where else key, f"unknown key ({hint})")
        return False

    def keys(self, where: str, table: Mapping, allowed: Collection[str]) -> None:
        """Record every key of ``table`` that is not one of ``allowed``."""
        for key in table:
            self.known(where, key, allowed)

    def table(self, where: str, value: object) -> dict:
        """``value`` if it is a table, else ``{}`` after recording the problem."""
        if isinstance(value, dict):
            return value
        self.error(where, f"expected a table [{where}], got {value!r}")
        return {}

    def string(self, where: str, value: object) -> str | None:
        """A string."""
        if isinstance(value, str):
            return value
        self.error(where, f"expected a string, got {value!r}")
        return None

    def boolean(self, where: str, value: object) -> bool | None:
        """``true`` or ``false``."""
        if isinstance(value, bool):
            return value
        self.error(where, f"expected true or false, got {value!r}")
        return None

    def integer(self, where: str, value: object, low: int, high: int) -> int | None:
        """A whole number in ``[low, high]``."""
        if not isinstance(value, int) or isinstance(value, bool):
            self.error(where, f"expected an integer, got {value!r}")
            return None
        if not low <= value <= high:
            self.error(where, f"{value} is outside [{low}, {high}]")
            return None
        return value

    def number(self, where: str, value: object, low: float, high: float) -> float | None:
        """A number in ``[low, high]``, as a float."""
        if not _is_number(value):
            self.error(where, f"expected a number, got {value!r}")
            return None
        if not low <= value <= high:
            self.error(where, f"{value!r} is outside [{low:g}, {high:g}]")
            return None
        return float(value)

    def choice(self, where: str, value: object, allowed: Collection[str]) -> str | None:
        """One of ``allowed``."""
        if isinstance(value, str) and value in allowed:
            return value
        self.error(where, f"{value!r} is not one of {', '.join(allowed)}")
        return None

    def relative_path(self, where: str, value: object, must_exist: bool = True) -> Path | None:
        """A path relative to the file, resolved (and, if ``must_exist``, an existing file)."""
        if not isinstance(value, str) or not value:
            self.error(where, f"expected a path relative to {self.path.name}, got {value!r}")
            return None
        resolved = (self.path.parent / value).resolve()
        if must_exist and not resolved.is_file():
            self.error(where, f"file not found: {resolved}")
            return None
        return resolved
