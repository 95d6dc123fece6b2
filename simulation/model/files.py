"""Reading an input file safely: one way for every file the program reads.

Scenario and targets files and the programme library (TOML, :func:`read_toml`), data tables
(:mod:`simulation.model.demography`) and posterior files
(:mod:`simulation.workflow.posterior_file`) are all read by :func:`read_limited`: a regular
file of bounded size, opened without blocking, so a FIFO, a device (``/dev/zero``), a folder or
a symbolic link loop is one line naming the file instead of a hang, an endless read or a
traceback. Error text shown to the user goes through :func:`printable` and :func:`shown`.
"""

from __future__ import annotations

import errno
import os
import stat
import tomllib
from pathlib import Path

from simulation.model.errors import InputError

#: Deepest nesting of tables and arrays in a TOML input (the shipped files need 4).
MAX_DEPTH = 12


def printable(text: str) -> str:
    """``text`` with every character a terminal would not print as-is escaped.

    Control characters (an escape sequence could rewrite the user's terminal), format
    characters and Unicode line separators (which would split one error into several lines).
    """
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def shown(value: object, limit: int = 60) -> str:
    """``repr(value)``, shortened to about ``limit`` characters for an error line."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 15]}... ({len(text):,} chars)"


def read_limited(path: Path, kind: str, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Parameters
    ----------
    path : Path
        The file.
    kind : str
        What it should be ("scenario file", "data file"...), for the messages.
    limit : int
        Largest size read, bytes.

    Raises
    ------
    InputError
        One line naming the file and why it cannot be read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except ValueError:  # an embedded NUL byte
        raise InputError(f"{shown(str(path))}: not a valid file name (a NUL byte)") from None
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a {kind}") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"{path}: symbolic link loop, not a {kind}") from None
        raise InputError(f"{path}: cannot be read as a {kind}: {exc.strerror}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{path}: is a directory, not a {kind}")
        raise InputError(f"{path}: not a regular file (a {kind} must be a file)")
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"{path}: larger than {limit:,} bytes: not a {kind}")
    return data


def _depth(value: object) -> int:
    """Nesting depth of tables and arrays (0 for a plain value), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        for child in children:
            if isinstance(child, dict | list):
                if level + 1 > MAX_DEPTH:
                    return level + 1
                stack.append((child, level + 1))
        deepest = max(deepest, level)
    return deepest


def read_toml(path: Path, kind: str, limit: int) -> dict:
    """A TOML file read by :func:`read_limited`: UTF-8, nested at most :data:`MAX_DEPTH` deep.

    Raises
    ------
    InputError
        One line naming the file and why it cannot be read.
    """
    data = read_limited(path, kind, limit)
    too_deep = f"{path}: tables or arrays nested too deeply (at most {MAX_DEPTH} levels)"
    try:
        parsed = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:  # tomllib's own, on deep inline nesting
        raise InputError(too_deep) from None
    if _depth(parsed) > MAX_DEPTH:
        raise InputError(too_deep)
    return parsed
