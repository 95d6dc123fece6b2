"""Benchmark: an SD ensemble of 1,000 samples, against one batched call over the same samples.

In one invocation the script

1. runs ``prevsim ensemble scenarios/early_intervention.toml --samples N --engine sd`` as a
   subprocess ``--repeats`` times (each in a fresh temporary results folder, so nothing is
   resumed), timing the whole command: history matching, the tasks in batches on a pool of
   two workers, the resumable store, the summaries and the chart;
2. reads the samples the last run kept from its store and evaluates exactly those in this
   process with one call of :func:`simulation.workflow.ensemble_tasks.run_batch` (one SD
   integration per scenario for all N samples, then every task's values), best of
   ``--repeats``; and times the two integrations alone;
3. checks that the one call gives the ensemble's values (NPV, benefits, costs) to 1e-9.

The ratio ``ensemble_sd_s / batched_s`` is what the ensemble's machinery costs over the same
work done at once (target: within 2x). The last line printed is a JSON object with
``ensemble_sd_s``, ``batched_s``, the ratio, the integration's seconds and the load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from simulation.model.catalogue import REGISTRY
from simulation.workflow import ensembles as ens
from simulation.workflow.ensemble_tasks import TaskStore, run_batch
from simulation.workflow.runner import sd_batch
from simulation.workflow.scenarios import load

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "early_intervention.toml"
BASELINE = ROOT / "scenarios" / "baseline.toml"
#: Values compared between the ensemble and the one batched call.
COMPARED = ("npv", "benefits", "costs")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The benchmark's options, from ``argv`` (default: ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000, help="ensemble samples")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each")
    args = parser.parse_args(argv)
    if args.samples < 1 or args.repeats < 1:
        parser.error("--samples and --repeats must be positive")
    return args


def time_command(samples: int, out: Path) -> float:
    """Wall seconds of one ``prevsim ensemble`` into ``out``."""
    command = [
        sys.executable,
        "-m",
        "simulation",
        "ensemble",
        str(SCENARIO),
        "--samples",
        str(samples),
        "--engine",
        "sd",
        "--out",
        str(out),
    ]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"prevsim ensemble failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return seconds


def stored_values(out: Path):
    """The values table of the one ensemble stored under ``out``."""
    (folder,) = list(out.glob("ensembles/*/*/tasks"))
    return TaskStore(folder.parent).read("values")


def batched(values, repeats: int) -> tuple[float, float, float]:
    """One ``run_batch`` over the samples: best seconds, those of its integrations alone.

    Also the largest relative difference of its values from the ensemble's.
    """
    names = [c for c in values.columns if c in REGISTRY]
    settings = ens.EnsembleSettings(table=values[names], engine="sd")
    with tempfile.TemporaryDirectory() as scratch:
        plan = ens.plan(load(SCENARIO), load(BASELINE), settings, Path(scratch))
    arrays = {n: values[n].to_numpy(float) for n in names}
    whole, integration = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        rows = run_batch(plan.ensemble, plan.tasks)
        whole.append(time.perf_counter() - start)
        start = time.perf_counter()
        for sc in (plan.ensemble.baseline, plan.ensemble.scenario):
            sd_batch(sc, arrays, ("flows",))
        integration.append(time.perf_counter() - start)
    got = np.array([[r["values"].iloc[0][c] for c in COMPARED] for r in rows])
    want = values.sort_values("task")[list(COMPARED)].to_numpy()
    worst = float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1.0)))
    return min(whole), min(integration), worst


def main(argv: list[str] | None = None) -> None:
    """Time the ensemble and the batched call; print the report and the JSON line."""
    args = parse_args(argv)
    load_before = os.getloadavg()[0]
    runs = []
    with tempfile.TemporaryDirectory(prefix="prevsim-bench-") as tmp:
        for i in range(args.repeats):
            out = Path(tmp) / f"run{i}"
            runs.append(time_command(args.samples, out))
            print(f"prevsim ensemble run {i + 1}: {runs[-1]:.1f} s", flush=True)
        values = stored_values(out)
    one_call, integration, worst = batched(values, args.repeats)
    ratio = min(runs) / one_call
    print(
        f"prevsim ensemble --samples {args.samples} --engine sd: min {min(runs):.1f} s, median "
        f"{statistics.median(runs):.1f} s (target < 60 s; load {load_before:.2f} before)"
    )
    print(
        f"one batched call over the same {len(values)} samples: {one_call:.1f} s (of which "
        f"the two SD integrations {integration:.2f} s); ensemble / batched = {ratio:.2f} "
        f"(target <= 2); largest relative difference of the values {worst:.1e}"
    )
    print(
        json.dumps(
            {
                "ensemble_sd_s": round(min(runs), 2),
                "ensemble_sd_median_s": round(statistics.median(runs), 2),
                "batched_s": round(one_call, 2),
                "integration_s": round(integration, 3),
                "ratio": round(ratio, 2),
                "samples": len(values),
                "max_rel_difference": worst,
                "load_before": round(load_before, 2),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
