"""Reading input files: TOML parsing and one collector of problems for every input file.

A :class:`Problems` collects every problem of a file as one line ``file: key: what is wrong
and what is allowed`` and keeps reading, so that a user sees all of a file's problems at once;
scenario files (:mod:`simulation.workflow.scenarios`) and calibration targets
(:mod:`simulation.analysis.targets`) both check their values with it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from pathlib import Path

from simulation.model import files
from simulation.model.errors import InputError
from simulation.model.files import printable, shown

#: Largest input file read, bytes. The largest shipped TOML file (the calibration targets) is
#: 12 kB and the national data 10 kB; a file a thousand times larger is a mistake, and
#: reading it whole (``/dev/zero`` would never end) must not be tried.
MAX_FILE_BYTES = 4_000_000
#: Longest error message line, characters: a value is shown in full up to about this.
MAX_LINE = 300
#: Characters allowed in a name that becomes part of a results path: letters, digits, ``_``
#: and ``-``, starting with a letter or digit; at most 64 (no ``/``, ``..``, ``$`` or spaces).
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
#: Control characters never allowed in text from a file (tabs and line breaks are).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def safe_name(text: str) -> str:
    """``text`` made a valid name (each run of unsafe characters becomes one ``_``; at most 64).

    Used for names taken from file names (a scenario without a ``name`` key).
    """
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_-")[:64].rstrip("_-")
    return cleaned or "scenario"


def read_toml(path: Path, kind: str = "scenario file") -> dict | str:
    """The parsed file, or an error line naming the file (``kind`` says what it should be).

    Limits (:func:`simulation.model.files.read_toml`): a regular file of at most
    :data:`MAX_FILE_BYTES`, UTF-8, tables and arrays nested at most
    :data:`~simulation.model.files.MAX_DEPTH` deep.
    """
    try:
        return files.read_toml(path, kind, MAX_FILE_BYTES)
    except InputError as exc:
        return exc.errors[0]


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
        """Record a problem with ``key`` (a dotted name such as ``run.end_year``).

        The line is cut to about :data:`MAX_LINE` characters and has no line breaks or
        control characters, so a huge or multi-line value cannot flood the terminal.
        """
        line = printable(" ".join(f"{self.path}: {key}: {message}".split()))
        if len(line) > MAX_LINE:
            line = f"{line[: MAX_LINE - 20]}... (line cut)"
        self.errors.append(line)

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
        self.error(where, f"expected a table [{where}], got {shown(value)}")
        return {}

    def string(self, where: str, value: object, longest: int = 5000) -> str | None:
        """A string of at most ``longest`` characters without control characters."""
        if not isinstance(value, str):
            self.error(where, f"expected a string, got {shown(value)}")
            return None
        if len(value) > longest:
            self.error(where, f"longer than {longest:,} characters ({len(value):,})")
            return None
        if _CONTROL.search(value):
            self.error(where, f"contains a control character: {shown(value)}")
            return None
        return value

    def name(self, where: str, value: object) -> str | None:
        """A name that becomes part of a results path (:data:`NAME_PATTERN`)."""
        if self.string(where, value, 64) is None:
            return None
        if not NAME_PATTERN.fullmatch(value):
            self.error(
                where,
                f"{shown(value)} is not a valid name: 1-64 letters, digits, '_' or '-', "
                "starting with a letter or digit (no paths, spaces or other signs)",
            )
            return None
        return value

    def boolean(self, where: str, value: object) -> bool | None:
        """``true`` or ``false``."""
        if isinstance(value, bool):
            return value
        self.error(where, f"expected true or false, got {shown(value)}")
        return None

    def integer(self, where: str, value: object, low: int, high: int) -> int | None:
        """A whole number in ``[low, high]``."""
        if not isinstance(value, int) or isinstance(value, bool):
            self.error(where, f"expected an integer, got {shown(value)}")
            return None
        if not low <= value <= high:
            self.error(where, f"{value} is outside [{low}, {high}]")
            return None
        return value

    def number(self, where: str, value: object, low: float, high: float) -> float | None:
        """A number in ``[low, high]``, as a float."""
        if not _is_number(value):
            self.error(where, f"expected a number, got {shown(value)}")
            return None
        if not low <= value <= high:  # NaN fails too
            self.error(where, f"{shown(value)} is outside [{low:g}, {high:g}]")
            return None
        return float(value)

    def choice(self, where: str, value: object, allowed: Collection[str]) -> str | None:
        """One of ``allowed``."""
        if isinstance(value, str) and value in allowed:
            return value
        self.error(where, f"{shown(value)} is not one of {', '.join(allowed)}")
        return None

    def relative_path(self, where: str, value: object, must_exist: bool = True) -> Path | None:
        """A path relative to the file, resolved (and, if ``must_exist``, an existing file)."""
        if not isinstance(value, str) or not value:
            self.error(where, f"expected a path relative to {self.path.name}, got {shown(value)}")
            return None
        if self.string(where, value, 4096) is None:
            return None
        resolved = resolve(self.path.parent / value)
        if isinstance(resolved, str):
            self.error(where, resolved)
            return None
        if must_exist and not resolved.is_file():
            self.error(where, f"file not found: {resolved}")
            return None
        return resolved


def resolve(path: Path) -> Path | str:
    """The absolute path without symbolic links, or why it has none (a loop)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # Python 3.11 raises RuntimeError on a symlink loop
        return f"{path}: symbolic link loop"
