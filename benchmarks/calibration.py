"""Benchmark: a full default calibration, ``prevsim calibrate calibration/targets.toml``.

In one invocation the script runs the command ``--repeats`` times as a subprocess (the
file's own settings: eight least-squares starts, emcee with its walkers and steps, the
predictive check and the agent-based check; ``--no-scenario``, results in a temporary folder
removed afterwards), times each run's wall clock, and reads the fit from each report: the
best weighted sum of squares, the number of SD runs, the largest autocorrelation time and
whether emcee's rule counts the chain as converged. The same settings must give the same fit
every time (the SD engine is deterministic): the script says so when they do not.

The last line printed is a JSON object with ``calibration_s`` (the fastest run, seconds),
its median, every run, the fit and the machine's load before the first run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: What the report says of the fit, read back from its text.
PATTERNS = {
    "sd_runs": r"SD engine, ([\d,]+) model runs",
    "ssq": r"best weighted sum of squares ([\d.]+)",
    "autocorrelation_max": r"autocorrelation up to (\d+) steps",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The benchmark's options, from ``argv`` (default: ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of the whole command")
    parser.add_argument(
        "--targets", default=str(ROOT / "calibration" / "targets.toml"), help="targets file"
    )
    parser.add_argument(
        "extra", nargs="*", help="more options for prevsim calibrate (after --), e.g. --steps 400"
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def fit_of(report: str) -> dict:
    """The fit's figures from the text the command printed."""
    out: dict = {}
    for key, pattern in PATTERNS.items():
        match = re.search(pattern, report)
        out[key] = float(match.group(1).replace(",", "")) if match else None
    out["converged"] = "NOT converged" not in report
    return out


def run_once(targets: str, extra: list[str]) -> tuple[float, dict]:
    """Wall seconds of one ``prevsim calibrate`` and the fit it reports."""
    with tempfile.TemporaryDirectory(prefix="prevsim-bench-") as out:
        command = [
            sys.executable,
            "-m",
            "simulation",
            "calibrate",
            targets,
            "--no-scenario",
            "--out",
            out,
            *extra,
        ]
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"prevsim calibrate failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return seconds, fit_of(done.stdout)


def main(argv: list[str] | None = None) -> None:
    """Run the calibration ``--repeats`` times; print the report and the JSON line."""
    args = parse_args(argv)
    load = os.getloadavg()[0]
    times, fits = [], []
    for i in range(args.repeats):
        seconds, fit = run_once(args.targets, args.extra)
        times.append(seconds)
        fits.append(fit)
        print(
            f"run {i + 1}: {seconds:.1f} s; SSQ {fit['ssq']}, {fit['sd_runs']:,.0f} SD runs, "
            f"autocorrelation up to {fit['autocorrelation_max']:.0f} steps, "
            f"{'converged' if fit['converged'] else 'NOT converged'}",
            flush=True,
        )
    same = all(f == fits[0] for f in fits)
    print(
        f"prevsim calibrate {Path(args.targets).name} {' '.join(args.extra)}: "
        f"min {min(times):.1f} s, median {statistics.median(times):.1f} s over {args.repeats} "
        f"runs (load {load:.2f} before); target under 300 s"
    )
    if not same:
        print("WARNING: the runs reported different fits")
    print(
        json.dumps(
            {
                "calibration_s": round(min(times), 1),
                "calibration_median_s": round(statistics.median(times), 1),
                "runs_s": [round(t, 1) for t in times],
                "same_fit_every_run": same,
                **fits[0],
                "load_before": round(load, 2),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
