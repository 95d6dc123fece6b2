"""Benchmark: an ensemble on one worker against a process pool of two.

In one invocation the script runs the same agent-based ensemble (``--tasks`` tasks, each a
paired baseline and early-intervention run at ``--scale``) twice through
:func:`simulation.workflow.ensembles.run_ensemble`: serially in this process, and on a local process
pool of ``--workers`` workers (pool start-up included). It checks that both give the same
values, and reports

- ``speedup_2_workers``: serial seconds / pool seconds (target >= 1.7 on a 2-core machine);
- ``peak_rss_mb_per_worker``: the largest peak resident memory of any pool worker, MB, as
  the workers report it themselves with each task (:func:`simulation.workflow.pool.peak_rss_mb`; on
  Linux the workers are forks of a fork server, not children of this process, so
  ``getrusage(RUSAGE_CHILDREN)`` here would not see them). It counts the preloaded modules'
  pages a worker shares with the fork server and the other workers;
- the seconds of each and the tasks per second.

The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd

from simulation.workflow import ensembles as ens
from simulation.workflow.ensemble_tasks import TaskStore
from simulation.workflow.scenarios import load

ROOT = Path(__file__).resolve().parents[1]
NAMES = [
    "programme.casework.effect.risk_to_crisis",
    "programme.mobile_crisis_team.effect.placement",
    "cost.institutional_care",
]


@dataclass
class _MeteredStore(TaskStore):
    """A task store that also keeps each process's latest reported peak memory, MB."""

    peaks: dict[int, float] = field(default_factory=dict)

    def write_batch(self, tasks: list[ens.Task], results: list[dict]) -> None:
        super().write_batch(tasks, results)
        for result in results:
            worker = result["worker"]
            # peak_rss_mb is a high-water mark, so a process's latest report is its largest
            self.peaks[worker["pid"]] = worker["peak_rss_mb"]


def _timed_run(
    plan, scheduler: str, workers: int, folder: Path
) -> tuple[float, pd.DataFrame, dict[int, float]]:
    """Seconds, the values table, and the peak memory (MB) of each process that ran tasks."""
    store = _MeteredStore(folder)
    start = time.perf_counter()
    ens.run_ensemble(plan.ensemble, plan.tasks, store, scheduler, workers)
    seconds = time.perf_counter() - start
    return seconds, store.read("values"), store.peaks


def main(argv: list[str] | None = None) -> dict:
    """Run the ensemble serially and on the pool, print the report and the JSON line.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    dict
        The figures of the JSON line.

    Raises
    ------
    AssertionError
        If the serial and the pool's values differ.
    RuntimeError
        If the pool's tasks did not run in worker processes.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=8, help="tasks (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="pool workers (default 2)")
    parser.add_argument("--scale", type=float, default=0.05, help="abm scale (default 0.05)")
    args = parser.parse_args(argv)

    settings = ens.EnsembleSettings(
        samples=args.tasks,
        seed=1,
        engine="abm",
        scale=args.scale,
        names=tuple(NAMES),
        base_year=2027,
    )
    plan = ens.plan(
        load(ROOT / "scenarios" / "early_intervention.toml"),
        load(ROOT / "scenarios" / "baseline.toml"),
        settings,
        Path(tempfile.mkdtemp()),
    )
    with tempfile.TemporaryDirectory() as tmp:
        serial_s, serial, _ = _timed_run(plan, "serial", 1, Path(tmp) / "serial")
        pool_s, pooled, peaks = _timed_run(plan, "processes", args.workers, Path(tmp) / "pool")
    pd.testing.assert_frame_equal(serial, pooled, check_exact=True)
    if os.getpid() in peaks or not peaks:
        raise RuntimeError("the pool's tasks did not run in worker processes")
    peak_mb = max(peaks.values())
    figures = {
        "benchmark": "ensemble_scaling",
        "engine": "abm",
        "scale": args.scale,
        "tasks": args.tasks,
        "workers": args.workers,
        "cpu_count": os.cpu_count(),
        "serial_seconds": round(serial_s, 2),
        "pool_seconds": round(pool_s, 2),
        "serial_tasks_per_s": round(args.tasks / serial_s, 3),
        "pool_tasks_per_s": round(args.tasks / pool_s, 3),
        f"speedup_{args.workers}_workers": round(serial_s / pool_s, 2),
        "peak_rss_mb_per_worker": round(peak_mb, 1),
        "workers_reporting": len(peaks),
        "identical_results": True,
        "python": platform.python_version(),
    }
    print(f"serial: {serial_s:.1f} s for {args.tasks} tasks")
    print(f"pool of {args.workers}: {pool_s:.1f} s ({serial_s / pool_s:.2f}x)")
    print(f"peak worker memory: {peak_mb:.0f} MB (largest of {len(peaks)} workers)")
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
