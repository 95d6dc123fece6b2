"""One task of an ensemble, and how tasks run: one by one, or batched on the SD engine.

A :class:`Task` is one parameter sample and one replicate: the baseline and the scenario run
with the same parameter values and the same seed (paired, common random numbers), and the
task returns one row of values and a small yearly table. On the SD engine, which is
deterministic and integrates many parameter sets at once, :func:`guarded_batch` runs a batch
of tasks in one integration per scenario and returns the same rows, task by task, as
:func:`guarded_task` would (a test checks it), about ten times faster. Finished tasks are kept
in a :class:`TaskStore`, which one process writes at a time.
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import os
import traceback
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from simulation.model.vocabulary import REPLICATE_SCALE
from simulation.workflow import compare as cmp
from simulation.workflow import store as st
from simulation.workflow.economics import YEARLY_BLOCKS, accounts_frame, yearly_arrays
from simulation.workflow.pool import peak_rss_mb
from simulation.workflow.runner import sd_batch
from simulation.workflow.scenarios import Scenario

#: Tasks per batch on the SD engine: large enough to amortise the integration's overhead,
#: small enough that a pool of two workers stays busy and a resumed run loses little.
SD_BATCH = 50

#: Values per task (one row); see :func:`run_task`.
VALUE_COLUMNS = (
    "npv",
    "bcr",
    "benefits",
    "costs",
    "break_even_year",
    "placements_avoided",
    "child_years_in_care_avoided",
)


#: Prefix of the per-task columns of the benefits by outcome and payer (``pv.<outcome>.<payer>``).
PV_PREFIX = "pv."


# ---- the ensemble ----
@dataclass(frozen=True)
class Task:
    """One run of the ensemble: parameter sample ``sample``, replicate ``replicate``."""

    sample: int
    replicate: int
    seed: int
    values: tuple[tuple[str, float], ...]

    @property
    def key(self) -> str:
        """Stable name of the task (its folder in the store)."""
        return f"s{self.sample:05d}-r{self.replicate:03d}"


@dataclass(frozen=True)
class Ensemble:
    """What to run: the scenarios, the engine and how values are computed.

    Attributes
    ----------
    scenario, baseline : Scenario
        The scenario valued, and the one it is valued against.
    engine : {"sd", "abm"}
    scale : float
        Agent-based engine: share of families simulated.
    discount_rate : float
        Annual discount rate (1/yr).
    base_year : int
        Year values are discounted to.
    """

    scenario: Scenario
    baseline: Scenario
    engine: str = "sd"
    scale: float = REPLICATE_SCALE
    discount_rate: float = 0.05
    base_year: int = 2027

    def pair(self, task: Task) -> list[Scenario]:
        """The baseline and the scenario with the task's parameter values."""
        overrides = dict(task.values)
        return [self.baseline.with_values(overrides), self.scenario.with_values(overrides)]

    def digest(self, tasks: Iterable[Task]) -> str:
        """Hash of everything that determines the results, tasks included."""
        content = {
            "scenario": _run_free_digest(self.scenario),
            "baseline": _run_free_digest(self.baseline),
            "engine": self.engine,
            "scale": self.scale if self.engine == "abm" else None,
            "discount_rate": self.discount_rate,
            "base_year": self.base_year,
            "tasks": [(t.key, t.seed, t.values) for t in tasks],
        }
        text = json.dumps(content, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def _run_free_digest(scenario: Scenario) -> str:
    """A scenario's digest without the ``[run]`` settings the ensemble replaces.

    Those settings are engine, seed, scale and resolution. Without them, the same ensemble
    finds the same folder however the scenario was loaded.
    """
    run = replace(scenario.run, engine="sd", seed=0, scale=1.0, resolution="national")
    return replace(scenario, run=run).digest()


def run_task(ensemble: Ensemble, task: Task) -> dict[str, pd.DataFrame]:
    """Run one task: the baseline and the scenario with the task's parameters and seed.

    Returns
    -------
    dict
        ``values``: one row (task identifiers, parameter values, :data:`VALUE_COLUMNS`);
        ``yearly``: per scenario and year, children placed, child-years in care, family-years
        in risk and (scenario only) the cumulative discounted net benefit, EUR.
    """
    pair = ensemble.pair(task)
    comparison = cmp.run_comparison(
        pair, engine=ensemble.engine, replicates=1, seed=task.seed, scale=ensemble.scale
    )
    return task_rows(ensemble, task, comparison)


def task_rows(ensemble: Ensemble, task: Task, comparison: cmp.Comparison) -> dict:
    """A task's ``values`` row and ``yearly`` table from its comparison (see :func:`run_task`)."""
    overrides = dict(task.values)
    pair = comparison.scenarios
    value = cmp.values(comparison, ensemble.discount_rate, ensemble.base_year).iloc[0]
    ids = {"task": task.key, "sample": task.sample, "replicate": task.replicate, "seed": task.seed}
    row = {**ids, **overrides, **{c: float(value[c]) for c in VALUE_COLUMNS}}
    by_outcome = cmp.value_by_outcome(comparison, ensemble.discount_rate, ensemble.base_year)
    row.update(
        {f"{PV_PREFIX}{r.outcome}.{r.payer}": float(r.pv_eur) for r in by_outcome.itertuples()}
    )
    net = cmp.cumulative_net_benefit(comparison, ensemble.discount_rate, ensemble.base_year)
    yearly = []
    for name, role in ((pair[0].name, "baseline"), (pair[1].name, "scenario")):
        acc = comparison.accounts[name][0]
        frame = pd.DataFrame(
            {
                "task": task.key,
                "role": role,
                "year": acc.index.to_numpy(),
                "children_placed": acc["children_placed"].to_numpy(),
                "child_years_in_care": acc["child_years_in_care"].to_numpy(),
                "family_years_in_risk": acc["family_years_in_risk"].to_numpy(),
                "cumulative_net_benefit": (
                    net[pair[1].name].to_numpy() if role == "scenario" else 0.0
                ),
            }
        )
        yearly.append(frame)
    return {"values": pd.DataFrame([row]), "yearly": pd.concat(yearly, ignore_index=True)}


def guarded_task(ensemble: Ensemble, task: Task) -> dict:
    """:func:`run_task`, with an exception turned into a failure record.

    One bad task then does not abort the ensemble, whichever executor runs it.

    Every result also says which process ran it and that process's peak memory so far
    (``worker``: ``pid`` and ``peak_rss_mb``, MB), so the memory of a pool's workers can be
    measured where they run (see :func:`simulation.workflow.pool.peak_rss_mb`).
    """
    try:
        result = {"ok": True, **run_task(ensemble, task)}
    except Exception as exc:  # recorded and reported, never swallowed
        result = {
            "ok": False,
            "error": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(),
        }
    finally:
        # An agent-based model and its agents reference each other; collect the cycle now
        # rather than when the collector next gets round to it, so a worker's memory stays
        # at one task's worth (measured: 240 MB flat, against +47 MB a task without).
        gc.collect()
    result["worker"] = {"pid": os.getpid(), "peak_rss_mb": peak_rss_mb()}
    return result


@dataclass(frozen=True)
class TaskBatch:
    """Consecutive tasks run in one batched SD integration (an executor's unit of work)."""

    tasks: tuple[Task, ...]

    @property
    def key(self) -> str:
        """Stable name of the batch (a Dask key): its first and last tasks."""
        return f"{self.tasks[0].key}--{self.tasks[-1].key}"


def batches(tasks: Sequence[Task], size: int | None = None) -> list[TaskBatch]:
    """``tasks`` in consecutive batches of at most ``size``.

    By default :data:`SD_BATCH`, or smaller for a short plan, so that it makes about eight
    batches for a pool's workers to share (12 tasks in batches of 2, not one of 12). The
    layout depends on the tasks alone, so a rerun of the same plan batches them alike.
    """
    size = size or max(1, min(SD_BATCH, math.ceil(len(tasks) / 8)))
    return [TaskBatch(tuple(tasks[i : i + size])) for i in range(0, len(tasks), size)]


def run_batch(ensemble: Ensemble, tasks: Sequence[Task]) -> list[dict]:
    """Run SD tasks in one batched integration per scenario; one result per task, in order.

    Every task's parameter values become one column of the batch; each task's rows are then
    computed from its column exactly as :func:`run_task` computes them from its own run.
    """
    names = [name for name, _ in tasks[0].values]
    if any([name for name, _ in t.values] != names for t in tasks):
        raise ValueError("a batch needs the same varied parameters in every task")
    arrays = {n: np.array([dict(t.values)[n] for t in tasks], float) for n in names}
    scenarios = [ensemble.baseline, ensemble.scenario]
    end = min(s.run.end_year for s in scenarios)
    yearly = {}
    for sc in scenarios:
        run = replace(sc.run, engine="sd", end_year=end, resolution="national")
        result, params = sd_batch(replace(sc, run=run), arrays, YEARLY_BLOCKS)
        yearly[sc.name] = yearly_arrays(result, params)
    out = []
    for k, task in enumerate(tasks):
        pair = ensemble.pair(task)
        accounts = {sc.name: [accounts_frame(yearly[sc.name], k)] for sc in scenarios}
        params = {sc.name: sc.resolved_parameters() for sc in pair}
        comparison = cmp.Comparison(pair, "sd", accounts, params)
        out.append(task_rows(ensemble, task, comparison))
    return out


def guarded_batch(ensemble: Ensemble, batch: TaskBatch) -> list[dict]:
    """:func:`run_batch` of a batch's tasks, with an exception turned into failure records.

    A failed batch is retried task by task, so one bad task fails alone.
    """
    tasks = batch.tasks
    try:
        results = [{"ok": True, **rows} for rows in run_batch(ensemble, tasks)]
    except Exception:  # retried one by one: each task's own error is then recorded
        results = [guarded_task(ensemble, task) for task in tasks]
    finally:
        gc.collect()
    worker = {"pid": os.getpid(), "peak_rss_mb": peak_rss_mb()}
    for result in results:
        result["worker"] = worker
    return results


# ---- the task store --------------------------------------------------------------------------
def _keys_in(folder: Path) -> list[str]:
    """Keys of the tasks in a complete folder of a :class:`TaskStore` (none if unreadable)."""
    listing = folder / "tasks.json"
    try:
        if listing.is_file():
            keys = json.loads(listing.read_text(encoding="utf-8"))
            return [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else []
    except (OSError, ValueError):
        return []
    # an older store: the folder holds the task it is named after
    return [folder.name] if (folder / "values.parquet").is_file() else []


class Keyed(Protocol):
    """Anything with a stable name (a task of an ensemble)."""

    key: str


@dataclass(eq=False)
class TaskStore:
    """Finished tasks on disk, written by one process at a time.

    Stored as ``tasks/<folder>/{values,yearly}.parquet`` plus ``tasks.json`` (the keys of the
    tasks in the folder), and ``failures/<key>.json``. A folder holds one task (named by its
    key) or a batch of tasks finished together (named by its first and last keys): writing
    a thousand small tables took longer than the batched SD integration that computed them.
    A folder without ``tasks.json`` (an older store) holds the task it is named after.

    The store locks its folder (:func:`simulation.workflow.store.lock_folder`) until
    :meth:`close` (or until it is garbage collected, or the process ends): a second process
    gets :class:`~simulation.workflow.store.FolderBusy` (one line) instead of writing the
    same tasks or reading its half-written ones. Opening the store removes every temporary
    a killed writer left (hidden names: nobody else writes here), and only complete folders,
    renamed into place, are read.
    """

    root: Path
    _done: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.root = Path(self.root)
        self._release = weakref.finalize(self, st.lock_folder(self.root))
        try:
            (self.root / "tasks").mkdir(exist_ok=True)
            (self.root / "failures").mkdir(exist_ok=True)
            self._clean()
            self._done = {key for keys in self._stored().values() for key in keys}
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Unlock the folder (the store can still be read, not written by this process)."""
        self._release()

    def __enter__(self) -> TaskStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _clean(self) -> None:
        """Remove the temporaries interrupted writers left (the folder is locked: ours)."""
        for folder in (self.root / "tasks", self.root / "failures"):
            for entry in folder.glob(".*"):
                st.remove(entry)
        for entry in self.root.glob(".*"):
            if entry.name != st.LOCK_NAME and (
                st.TEMPORARY.match(entry.name) or entry.suffix == ".tmp"
            ):
                st.remove(entry)  # atomic_file's, and the reports' .charts.tmp

    def _stored(self) -> dict[str, list[str]]:
        """The complete task folders (renamed into place, not hidden) and their keys."""
        stored = {}
        for folder in sorted((self.root / "tasks").iterdir()):
            if not folder.name.startswith(".") and folder.is_dir():
                stored[folder.name] = _keys_in(folder)
        return {name: keys for name, keys in stored.items() if keys}

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
                with st.atomic_file(self._path("failures", f"{task.key}.json")) as tmp:
                    tmp.write_text(json.dumps(failure, indent=2) + "\n", encoding="utf-8")
            elif task.key not in seen:
                seen.add(task.key)
                new.append((task, result))
        if not new:
            return
        keys = [t.key for t, _ in new]
        name = keys[0] if len(keys) == 1 else f"{keys[0]}--{keys[-1]}"
        final = self._path("tasks", name)
        while final.exists():  # the rest of a batch, finished by a later run
            final = final.with_name(f"{final.name}+")
        tmp = st.temporary_path(final)
        tmp.mkdir()
        for table in ("values", "yearly"):
            frame = pd.concat([r[table] for _, r in new], ignore_index=True)
            frame.to_parquet(tmp / f"{table}.parquet", index=False)
        (tmp / "tasks.json").write_text(json.dumps(keys) + "\n", encoding="utf-8")
        tmp.rename(final)
        for key in keys:
            (self.root / "failures" / f"{key}.json").unlink(missing_ok=True)
        self._done.update(keys)

    def _path(self, part: str, name: str) -> Path:
        """``<root>/<part>/<name>``, ``name`` one plain name (a task key from a task)."""
        problem = st.name_problem(name)
        if problem:
            raise ValueError(f"task file name {st.quoted(name)}: {problem}")
        return self.root / part / name

    def read(self, name: str) -> pd.DataFrame:
        """Every finished task's ``values`` or ``yearly`` table, in task order.

        Only complete folders are read, and each task once (the first folder holding it).
        """
        frames, seen = [], set()
        for folder, keys in self._stored().items():
            fresh = [k for k in keys if k not in seen]
            path = self.root / "tasks" / folder / f"{name}.parquet"
            if not fresh or not path.is_file():
                continue
            frame = pd.read_parquet(path)
            if len(fresh) < len(keys):
                frame = frame[frame["task"].isin(fresh)]
            seen.update(fresh)
            frames.append(frame)
        if not frames:
            return pd.DataFrame()
        frame = pd.concat(frames, ignore_index=True)
        # stable: each task's rows keep their order
        return frame.sort_values("task", kind="stable", ignore_index=True)

    def failures(self) -> pd.DataFrame:
        """The failed tasks of the latest attempts: task, error."""
        rows = []
        for path in sorted((self.root / "failures").glob("[!.]*.json")):
            try:
                rows.append(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError):  # not ours, or damaged: the task simply reruns
                continue
        return pd.DataFrame(rows, columns=["task", "error", "traceback"])
