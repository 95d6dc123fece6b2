"""Results layout, manifests and atomic writes.

Every run writes ``<root>/<kind>/<name>/<timestamp>-<digest>/``. Files are written into a
hidden temporary folder beside the final one and renamed into place at the end, so a run
that fails or is interrupted leaves no partial output folder.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Protocol

import pandas as pd

from simulation.model.vocabulary import LANGS

PACKAGES = (
    "prevsim",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "matplotlib",
    "mesa",
    "SALib",
    "emcee",
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


def run_folder(root: Path, kind: str, name: str, digest: str) -> Path:
    """A new, not yet existing, folder path for one run."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = Path(root) / kind / name
    folder = base / f"{stamp}-{digest}"
    n = 1
    while folder.exists():  # two runs in the same second
        n += 1
        folder = base / f"{stamp}-{digest}-{n}"
    return folder


@contextmanager
def atomic_folder(final: Path) -> Iterator[Path]:
    """Yield a temporary folder that becomes ``final`` only if the block succeeds."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f".{final.name}.tmp-{os.getpid()}"
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
    tmp = final.with_name(f".{final.name}.tmp-{os.getpid()}")
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
        Also write every Parquet table as CSV.

    Returns
    -------
    list of str
        File names written.
    """
    written = []
    for name, frame in tables.items():
        if name.endswith("summary"):
            frame.to_csv(folder / f"{name}.csv", index=False)
            written.append(f"{name}.csv")
            continue
        frame.to_parquet(folder / f"{name}.parquet", index=False)
        written.append(f"{name}.parquet")
        if csv:
            frame.to_csv(folder / f"{name}.csv", index=False)
            written.append(f"{name}.csv")
    return written


# ---- ensemble tasks --------------------------------------------------------------------------
def _keys_in(folder: Path) -> list[str]:
    """Keys of the tasks stored in one folder of a :class:`TaskStore`."""
    listing = folder / "tasks.json"
    if listing.is_file():
        return json.loads(listing.read_text(encoding="utf-8"))
    return [folder.name]


class Keyed(Protocol):
    """Anything with a stable name (a task of an ensemble)."""

    key: str


@dataclass
class TaskStore:
    """Finished tasks on disk.

    Stored as ``tasks/<folder>/{values,yearly}.parquet`` plus ``tasks.json`` (the keys of the
    tasks in the folder), and ``failures/<key>.json``. A folder holds one task (named by its
    key) or a batch of tasks finished together (named by its first and last keys): writing
    a thousand small tables took longer than the batched SD integration that computed them.
    A folder without ``tasks.json`` (an older store) holds the task it is named after.
    """

    root: Path
    _done: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.root = Path(self.root)
        (self.root / "tasks").mkdir(parents=True, exist_ok=True)
        (self.root / "failures").mkdir(parents=True, exist_ok=True)
        for leftover in (self.root / "tasks").glob(".tmp-*"):  # from an interrupted write
            shutil.rmtree(leftover, ignore_errors=True)
        self._done = set()
        for folder in (self.root / "tasks").iterdir():
            if folder.is_dir():
                self._done.update(_keys_in(folder))

    def done(self, task: Keyed) -> bool:
        """Whether the task finished in this or an earlier run."""
        return task.key in self._done

    def write(self, task: Keyed, result: dict) -> None:
        """Store one finished task (see :meth:`write_batch`)."""
        self.write_batch([task], [result])

    def write_batch(self, tasks: Sequence[Keyed], results: Sequence[dict]) -> None:
        """Store finished tasks atomically, in one folder (renamed into place).

        Failures go to ``failures/`` and are retried by the next run; a task already stored
        (delivered twice) is stored once.
        """
        new, seen = [], set(self._done)
        for task, result in zip(tasks, results, strict=True):
            if not result["ok"]:
                failure = {
                    "task": task.key,
                    "error": result["error"],
                    "traceback": result["traceback"],
                }
                path = self.root / "failures" / f"{task.key}.json"
                path.write_text(json.dumps(failure, indent=2) + "\n", encoding="utf-8")
            elif task.key not in seen:
                seen.add(task.key)
                new.append((task, result))
        if not new:
            return
        keys = [t.key for t, _ in new]
        name = keys[0] if len(keys) == 1 else f"{keys[0]}--{keys[-1]}"
        final = self.root / "tasks" / name
        while final.exists():  # the rest of a batch, finished by a later run
            final = final.with_name(f"{final.name}+")
        tmp = self.root / "tasks" / f".tmp-{name}-{os.getpid()}"
        tmp.mkdir()
        for table in ("values", "yearly"):
            frame = pd.concat([r[table] for _, r in new], ignore_index=True)
            frame.to_parquet(tmp / f"{table}.parquet", index=False)
        (tmp / "tasks.json").write_text(json.dumps(keys) + "\n", encoding="utf-8")
        tmp.rename(final)
        for key in keys:
            (self.root / "failures" / f"{key}.json").unlink(missing_ok=True)
        self._done.update(keys)

    def read(self, name: str) -> pd.DataFrame:
        """Every finished task's ``values`` or ``yearly`` table, in task order."""
        paths = sorted((self.root / "tasks").glob(f"*/{name}.parquet"))
        if not paths:
            return pd.DataFrame()
        frame = pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)
        # stable: each task's rows keep their order
        return frame.sort_values("task", kind="stable", ignore_index=True)

    def failures(self) -> pd.DataFrame:
        """The failed tasks of the latest attempts: task, error."""
        rows = [json.loads(p.read_text()) for p in sorted((self.root / "failures").glob("*.json"))]
        return pd.DataFrame(rows, columns=["task", "error", "traceback"])
