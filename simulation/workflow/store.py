"""Results layout, manifests and atomic writes.

Every run writes ``<root>/<kind>/<name>/<timestamp>-<digest>/``. Files are written into a
hidden temporary folder beside the final one and renamed into place at the end, so a run
that fails or is interrupted leaves no partial output folder.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: msvcrt instead
    fcntl = None

from simulation.model.errors import InputError
from simulation.model.vocabulary import LANGS

#: The distributions whose versions a manifest records: those that shape a result's numbers
#: (numba compiles the SD engine; scikit-learn fits voi's Gaussian processes and discover's
#: screening and PRIM; ema_workbench is PRIM) or its texts (babel formats the numbers of the
#: charts; openpyxl writes the workbooks of export, reportlab the briefing's PDF).
PACKAGES = (
    "prevsim",
    "numpy",
    "scipy",
    "numba",
    "pandas",
    "pyarrow",
    "matplotlib",
    "mesa",
    "SALib",
    "emcee",
    "scikit-learn",
    "ema_workbench",
    "babel",
    "openpyxl",
    "reportlab",
)


@dataclass(frozen=True)
class Output:
    """Where and how a command writes its results folder.

    Attributes
    ----------
    root : Path
        Results root folder (``--out``); folders go to ``<root>/<kind>/<name>/...``.
    lang : {"lt", "en"}
        Language of the charts.
    command : str, optional
        The command line recorded in the manifest (default: this process's).
    csv : bool
        Also write time series as CSV.
    """

    root: Path = Path("results")
    lang: str = LANGS[0]
    command: str | None = None
    csv: bool = False

    def __post_init__(self) -> None:
        # an empty root would write into the working directory: refused (check_root)
        object.__setattr__(self, "root", check_root(self.root))


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that shape results."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit(path: Path | None = None) -> dict[str, object]:
    """Commit of the source tree and whether it had uncommitted changes (``None`` if none)."""
    where = str(path or Path(__file__).resolve().parent)
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True, timeout=5
        )
        if head.returncode != 0:
            return {"commit": None, "dirty": None}
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=5,
        )
        return {"commit": head.stdout.strip(), "dirty": bool(status.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def manifest(command: str | None = None, **fields: object) -> dict[str, object]:
    """A manifest with provenance fields added to ``fields``.

    ``command`` is the command line that produced the results (default: this process's).
    """
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command or shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "versions": package_versions(),
        "git": git_commit(),
        "platform": platform.platform(),
        **fields,
    }


def write_manifest(
    folder: Path, files: list[str], command: str | None = None, **fields: object
) -> None:
    """Write ``folder/manifest.json``.

    It holds provenance, ``fields`` and the sorted list of the folder's ``files`` (the
    manifest included).
    """
    listed = sorted([*files, "manifest.json"])
    write_json(Path(folder) / "manifest.json", manifest(command=command, **fields, files=listed))


# ---- results paths ---------------------------------------------------------------------------
#: Longest name of one folder most file systems take (bytes).
NAME_BYTES = 255


def check_root(root: str | Path | None) -> Path:
    """The results root (``--out``) as a path; an empty one is refused (:class:`InputError`).

    ``Path("")`` is ``Path(".")``, so an empty ``--out`` can only be caught before it becomes
    a path: callers hand the text over as it came.
    """
    text = "" if root is None else os.fspath(root)
    if not text.strip():
        raise InputError("--out: empty; name a results folder (for example --out results)")
    if "\0" in text:
        raise InputError(f"--out {quoted(text)}: contains a NUL character")
    return Path(text)


def quoted(text: str, limit: int = 60) -> str:
    """``text`` quoted and cut short: an error line never echoes a huge value."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text)} chars)"


def name_problem(text: object) -> str | None:
    """Why ``text`` cannot be one plain folder name, or None if it can."""
    if not isinstance(text, str) or not text:
        return "is empty"
    if text.startswith("."):  # "." and "..", and hidden names (ours are temporaries)
        return "starts with a dot"
    if "/" in text or "\\" in text or (os.altsep and os.altsep in text):
        return "contains a path separator"
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        return "contains a control character"
    try:
        size = len(os.fsencode(text))
    except UnicodeError:
        return "cannot be encoded as a file name"
    return f"is longer than {NAME_BYTES} bytes" if size > NAME_BYTES else None


def results_folder(root: str | Path, kind: str, name: str, leaf: str | None = None) -> Path:
    """``<root>/<kind>/<name>[/<leaf>]``, every part one plain name, inside the root.

    The only way results paths are built: a part that is not one plain folder name (a path
    separator, ``..``, a leading dot, a control character, too long), or a path that
    resolves outside the root (through a symbolic link in it), raises :class:`InputError`
    naming the name. Nothing is created.
    """
    base = check_root(root)
    parts = [kind, name] if leaf is None else [kind, name, leaf]
    for i, part in enumerate(parts):
        problem = name_problem(part)
        if problem:
            where = base / kind if i else base
            raise InputError(
                f"name {quoted(str(part))}: {problem}; a results folder under {where} needs "
                "one plain name (letters, digits, '_', '-')"
            )
    folder = base.joinpath(*parts)
    try:
        inside = folder.resolve().is_relative_to(base.resolve())
    except (OSError, RuntimeError):  # a symbolic link loop
        inside = False
    if not inside:
        raise InputError(
            f"name {quoted(name)}: {folder} resolves outside the results folder {base}"
        )
    return folder


def run_folder(root: str | Path, kind: str, name: str, digest: str) -> Path:
    """A new, not yet existing, folder path for one run (see :func:`results_folder`).

    Stale temporary folders that killed runs left in the root are removed first
    (:func:`sweep`).
    """
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = results_folder(root, kind, name, f"{stamp}-{digest}")
    sweep(check_root(root))
    n = 1
    while folder.exists():  # two runs in the same second
        n += 1
        folder = results_folder(root, kind, name, f"{stamp}-{digest}-{n}")
    return folder


# ---- temporaries: hidden, named after their owner, removed when provably stale ---------------
#: Seconds after which a temporary is stale whoever made it (a writer on another machine).
STALE_AFTER = 12 * 3600
#: This machine, in temporary names (so that a pid is only judged on the machine it ran on).
HOST = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]
#: ``.<final>.tmp-<pid>[-<host>]``; the host part is absent in older temporaries.
TEMPORARY = re.compile(r"^\.(?P<final>.+)\.tmp-(?P<pid>\d+)(?:-(?P<host>[0-9a-f]{8}))?$")


def temporary_path(final: Path) -> Path:
    """The hidden temporary beside ``final`` that this process writes before renaming."""
    return final.with_name(f".{final.name}.tmp-{os.getpid()}-{HOST}")


def _alive(pid: int) -> bool:
    """Whether process ``pid`` of this machine runs (True where that cannot be told)."""
    if pid == os.getpid() or os.name != "posix":  # Windows: os.kill(pid, 0) is Ctrl-C
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but is not ours
        return True
    return True


def stale(path: Path, now: float | None = None) -> bool:
    """Whether ``path`` is one of our temporaries whose writer is gone.

    Gone: a dead process of this machine, or older than :data:`STALE_AFTER`.
    """
    match = TEMPORARY.match(path.name)
    if match is None:
        return False
    try:
        age = (now or time.time()) - path.lstat().st_mtime
    except OSError:
        return False
    if age > STALE_AFTER:
        return True
    return match["host"] in (None, HOST) and not _alive(int(match["pid"]))


def remove(path: Path) -> None:
    """Remove a file or a folder (never following a symbolic link)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def sweep(root: Path) -> list[Path]:
    """Remove the stale temporaries of run folders (``<root>/<kind>/<name>/.*``)."""
    now = time.time()
    gone = [p for p in Path(root).glob("*/*/.*") if stale(p, now)]
    for path in gone:
        remove(path)
    return gone


@contextmanager
def atomic_folder(final: Path) -> Iterator[Path]:
    """Yield a temporary folder that becomes ``final`` only if the block succeeds."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(final)
    tmp.mkdir()
    try:
        yield tmp
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextmanager
def atomic_file(final: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``final`` that replaces it only if the block succeeds.

    A reader therefore never sees half a file.
    """
    final = Path(final)
    tmp = temporary_path(final)
    try:
        yield tmp
        tmp.replace(final)
    finally:
        tmp.unlink(missing_ok=True)


def write_json(path: Path, data: object) -> None:
    """Write ``data`` as indented UTF-8 JSON."""
    path.write_text(
        json.dumps(data, indent=2, ensure_ascii=False, default=_jsonable) + "\n", encoding="utf-8"
    )


def _jsonable(value: object) -> object:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def write_tables(folder: Path, tables: dict[str, object], csv: bool) -> list[str]:
    """Write DataFrames: ``*.parquet`` for time series, CSV for summaries (and on request).

    Parameters
    ----------
    tables : dict
        ``{"timeseries": df, "summary": df}``; names ending in ``summary`` go to CSV only.
    csv : bool
        Also write every Parquet table as CSV, rounded for a reader
        (:func:`simulation.workflow.tables.rounded`); the Parquet copy keeps full precision.

    Returns
    -------
    list of str
        File names written.
    """
    from simulation.workflow.tables import rounded

    written = []
    for name, frame in tables.items():
        if name.endswith("summary"):  # full precision: the regression baseline reads it back
            frame.to_csv(folder / f"{name}.csv", index=False)
            written.append(f"{name}.csv")
            continue
        frame.to_parquet(folder / f"{name}.parquet", index=False)
        written.append(f"{name}.parquet")
        if csv:  # a reader's copy, rounded (tables.DECIMALS); the Parquet file is exact
            rounded(frame).to_csv(folder / f"{name}.csv", index=False)
            written.append(f"{name}.csv")
    return written


# ---- exclusive folders -----------------------------------------------------------------------
#: The lock file of a folder one process writes at a time (an ensemble's task store).
LOCK_NAME = ".lock"
#: Folders this process has locked: the lock file's real path -> [descriptor, holders].
_HELD: dict[str, list[int]] = {}
_HELD_GUARD = threading.Lock()


class FolderBusy(InputError):
    """Another process is writing the folder (one line: the folder and that process)."""


def _try_lock(fd: int) -> bool:
    """Lock an open file exclusively without waiting; False if another process holds it.

    The kernel drops the lock when its holder exits, however it exits, so a killed
    writer's lock is taken over by the next run.
    """
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # Windows
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES, errno.EDEADLK):
            return False
        raise
    return True


def _acquire(folder: Path) -> int:
    """Lock ``folder/.lock`` (created if missing); its descriptor, or :class:`FolderBusy`."""
    path = folder / LOCK_NAME
    for _ in range(100):
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        if not _try_lock(fd):
            try:  # "<pid> <host>", for the message
                holder = os.read(fd, 200).decode(errors="replace").split()
            except OSError:  # Windows: the holder's locked byte cannot be read
                holder = []
            os.close(fd)
            who = f"pid {holder[0]} on {holder[1]}" if len(holder) == 2 else "another process"
            raise FolderBusy(
                f"{folder}: another prevsim ({who}) is writing these results; "
                "run the same command again when it has finished, to resume"
            )
        try:  # a holder may have released and removed the file since we opened it: retry
            current = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            current = False
        if current:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()} {socket.gethostname()}\n".encode())
            return fd
        os.close(fd)
    raise OSError(errno.EAGAIN, "the lock file keeps changing", str(path))


def lock_folder(folder: Path) -> Callable[[], None]:
    """Lock ``folder`` (created if missing) for this process; return the release function.

    One process writes the folder at a time: another one gets :class:`FolderBusy`. In this
    process the lock is shared (counted), so a second store of the same folder does not
    lock itself out. Releasing (once per lock) removes the lock file after the last holder.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    key = os.path.realpath(folder / LOCK_NAME)
    with _HELD_GUARD:
        held = _HELD.get(key)
        if held is None:
            held = _HELD[key] = [_acquire(folder), 0]
        held[1] += 1
    released = threading.Event()

    def release() -> None:
        if released.is_set():
            return
        released.set()
        with _HELD_GUARD:
            held[1] -= 1
            if held[1] > 0:
                return
            del _HELD[key]
        try:  # remove the file only if it is still ours (a removed folder may be remade)
            if os.stat(key).st_ino == os.fstat(held[0]).st_ino:
                os.unlink(key)
        except OSError:
            pass
        os.close(held[0])

    return release
