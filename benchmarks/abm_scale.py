"""Benchmark: the fast agent-based engine at national scale, against the Mesa reference model.

In one invocation the script measures

(a) the national run of the fast engine, ``FamilyWelfareModel(seed=...)`` at scale 1 (every
    family in Lithuania, monthly from 2009 to ``--end-year``, default heterogeneity and
    policies): construction and run timed separately, family-steps counted;
(b) the one-object-per-family reference model (:mod:`benchmarks.abm_reference`) at
    ``--reference-families`` families for ``--reference-years`` years, family-steps per
    second;
(c) the fast engine on the same configuration as (b) (zero service budgets,
    ``heterogeneity=False``, same scale, years and seed), best of ``--repeats`` runs, for an
    apples-to-apples ratio;
(d) numpy's exponential draw rate (``Generator.standard_exponential`` over 10^7 draws, best
    of three), a ceiling: every family-step takes at least one draw;
(e) the peak resident memory of run (a). Run (a) takes place in a fresh child process (this
    script with a hidden flag), which reads ``resource.getrusage(RUSAGE_SELF).ru_maxrss``
    at its end, so the reference model's objects do not count;
(f) the same national run to ``--long-end-year`` (default 2100) in another fresh child
    process: its peak resident memory (``peak_rss_mb_2100``) shows whether memory grows
    with the horizon.

A family-step is one family present at the start of one month, stepped through that month:
the family-steps of a run are its monthly state counts summed over the month starts (families
entering during a month are not counted for that month, in either model).

The report ends with one JSON line holding every figure. Run
``python benchmarks/abm_scale.py --help`` for the options.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mesa
import numpy as np

from benchmarks.abm_reference import ZERO_BUDGETS, ReferenceModel
from simulation.engines.abm import FamilyWelfareModel
from simulation.model.vocabulary import START_YEAR

TARGETS = {"national_run_s": 4.0, "ratio": 30.0, "peak_rss_mb": 500.0, "peak_rss_mb_2100": 400.0}
RNG_DRAWS = 10**7


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The benchmark's options, from ``argv`` (default: ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--end-year", type=int, default=2040, help="last year of the national run")
    parser.add_argument(
        "--reference-families",
        type=float,
        default=100000,
        help="families at the start of the reference run (and of the fast run compared to "
        "it); large enough that the fast engine's fixed cost per month (about 2 ms: "
        "60 municipality agents, service tables, data collection) does not dominate",
    )
    parser.add_argument(
        "--reference-years", type=int, default=2, help="years simulated by the reference run"
    )
    parser.add_argument(
        "--long-end-year",
        type=int,
        default=2100,
        help="last year of the long national run (peak memory only; 0 skips it)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of every model")
    parser.add_argument(
        "--repeats", type=int, default=3, help="fast runs on the reference configuration (best)"
    )
    parser.add_argument("--national-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.end_year < START_YEAR:
        parser.error(f"--end-year must be >= {START_YEAR}")
    if args.reference_years < 1 or args.repeats < 1 or args.reference_families <= 0:
        parser.error("--reference-years, --repeats and --reference-families must be positive")
    return args


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux: ru_maxrss in KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / (1024.0 * 1024.0) if sys.platform == "darwin" else kib / 1024.0


def national_run(end_year: int, seed: int) -> dict[str, float]:
    """Build and run the fast engine on every family in Lithuania; time and measure it.

    Meant to run in a fresh process (see :func:`national_in_child`).

    Returns
    -------
    dict
        ``construct_s``, ``run_s``, ``families`` (at the start), ``months``,
        ``family_steps``, ``baseline_rss_mb`` (after imports, before construction) and
        ``peak_rss_mb``.
    """
    baseline = peak_rss_mb()
    start = time.perf_counter()
    model = FamilyWelfareModel(seed=seed, end_year=end_year)
    built = time.perf_counter()
    model.run()
    done = time.perf_counter()
    stocks = model.stocks  # (months + 1, municipalities, states)
    return {
        "construct_s": built - start,
        "run_s": done - built,
        "families": float(stocks[0].sum()),
        "months": model.n_months,
        "family_steps": float(stocks[:-1].sum()),
        "baseline_rss_mb": baseline,
        "peak_rss_mb": peak_rss_mb(),
    }


def national_in_child(end_year: int, seed: int) -> dict[str, float]:
    """:func:`national_run` in a fresh Python process running this script."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--national-child",
        "--end-year",
        str(end_year),
        "--seed",
        str(seed),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the national run failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def rng_rate(seed: int, n: int = RNG_DRAWS, repeats: int = 3) -> float:
    """Exponential draws per second of :meth:`numpy.random.Generator.standard_exponential`."""
    rng = np.random.default_rng(seed)
    rng.standard_exponential(1000)
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        rng.standard_exponential(n)
        best = min(best, time.perf_counter() - start)
    return n / best


def reference_run(families: float, end_year: int, seed: int) -> dict[str, float]:
    """Build and run the reference Mesa model; time it and count its family-steps."""
    start = time.perf_counter()
    model = ReferenceModel(n_families=families, levers=ZERO_BUDGETS, end_year=end_year, seed=seed)
    built = time.perf_counter()
    model.run()
    done = time.perf_counter()
    stocks = model.stocks()
    return {
        "construct_s": built - start,
        "run_s": done - built,
        "scale": model.scale,
        "families": float(stocks[0].sum()),
        "family_steps": float(stocks[:-1].sum()),
    }


def fast_same_configuration(scale: float, end_year: int, seed: int, repeats: int) -> dict:
    """The fast engine on the reference's configuration; the fastest of ``repeats`` runs."""
    best = None
    for _ in range(repeats):
        model = FamilyWelfareModel(
            levers=ZERO_BUDGETS, heterogeneity=False, end_year=end_year, seed=seed, scale=scale
        )
        start = time.perf_counter()
        model.run()
        elapsed = time.perf_counter() - start
        if best is None or elapsed < best["run_s"]:
            best = {"run_s": elapsed, "family_steps": float(model.stocks[:-1].sum())}
    return best


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Run the benchmark, print the report and the JSON line; return the figures."""
    args = parse_args(argv)
    if args.national_child:
        figures = national_run(args.end_year, args.seed)
        print(json.dumps(figures))
        return figures

    reference_end = START_YEAR + args.reference_years - 1
    print(f"(a, e) national fast run 2009-{args.end_year} in a fresh process ...", flush=True)
    national = national_in_child(args.end_year, args.seed)
    long_run = None
    if args.long_end_year:
        print(f"(f) national fast run 2009-{args.long_end_year} in a fresh process ...", flush=True)
        long_run = national_in_child(args.long_end_year, args.seed)
    print("(d) numpy exponential draws ...", flush=True)
    draws_per_s = rng_rate(args.seed)
    print(
        f"(b) reference Mesa model, {args.reference_families:,.0f} families, "
        f"{args.reference_years} years ...",
        flush=True,
    )
    reference = reference_run(args.reference_families, reference_end, args.seed)
    print("(c) fast engine on the reference configuration ...", flush=True)
    fast = fast_same_configuration(reference["scale"], reference_end, args.seed, args.repeats)

    national_rate = national["family_steps"] / national["run_s"]
    reference_rate = reference["family_steps"] / reference["run_s"]
    fast_rate = fast["family_steps"] / fast["run_s"]
    figures: dict[str, object] = {
        "national_run_s": round(national["run_s"], 3),
        "national_construct_s": round(national["construct_s"], 3),
        "national_families": round(national["families"]),
        "national_months": national["months"],
        "national_family_steps": round(national["family_steps"]),
        "national_family_steps_per_s": round(national_rate),
        "fast_family_steps_per_s": round(fast_rate),
        "fast_run_s": round(fast["run_s"], 4),
        "reference_families": round(reference["families"]),
        "reference_years": args.reference_years,
        "reference_family_steps": round(reference["family_steps"]),
        "reference_construct_s": round(reference["construct_s"], 3),
        "reference_run_s": round(reference["run_s"], 3),
        "reference_family_steps_per_s": round(reference_rate),
        "ratio": round(fast_rate / reference_rate, 2),
        "ratio_national": round(national_rate / reference_rate, 2),
        "rng_draws_per_s": round(draws_per_s),
        "national_share_of_rng_ceiling": round(national_rate / draws_per_s, 3),
        "peak_rss_mb": round(national["peak_rss_mb"], 1),
        "baseline_rss_mb": round(national["baseline_rss_mb"], 1),
        "peak_rss_mb_2100": None if long_run is None else round(long_run["peak_rss_mb"], 1),
        "long_end_year": args.long_end_year or None,
        "long_run_s": None if long_run is None else round(long_run["run_s"], 3),
        "seed": args.seed,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "cpus": os.cpu_count(),
    }
    figures["targets_met"] = {
        "national_run_s": figures["national_run_s"] < TARGETS["national_run_s"],
        "ratio": figures["ratio"] >= TARGETS["ratio"],
        "peak_rss_mb": figures["peak_rss_mb"] < TARGETS["peak_rss_mb"],
        "peak_rss_mb_2100": long_run is not None
        and figures["peak_rss_mb_2100"] < TARGETS["peak_rss_mb_2100"],
        "rng_ceiling": national_rate * 5.0 >= draws_per_s,
    }

    met = figures["targets_met"]
    print()
    print(
        f"National fast run: {national['families']:,.0f} families, {national['months']} months, "
        f"{national['family_steps']:,.0f} family-steps"
    )
    verdict = {name: "met" if ok else "MISSED" for name, ok in met.items()}
    print(
        f"  construction {national['construct_s']:.2f} s, run {national['run_s']:.2f} s "
        f"(target < {TARGETS['national_run_s']:g} s: {verdict['national_run_s']}), "
        f"{national_rate:,.0f} family-steps/s"
    )
    print(
        f"  peak RSS {national['peak_rss_mb']:.0f} MB (after imports "
        f"{national['baseline_rss_mb']:.0f} MB; target < {TARGETS['peak_rss_mb']:g} MB: "
        f"{verdict['peak_rss_mb']})"
    )
    if long_run is not None:
        print(
            f"  to {args.long_end_year}: run {long_run['run_s']:.1f} s, peak RSS "
            f"{long_run['peak_rss_mb']:.0f} MB (target < {TARGETS['peak_rss_mb_2100']:g} MB: "
            f"{verdict['peak_rss_mb_2100']})"
        )
    print(
        f"Reference Mesa model: {reference['families']:,.0f} families, "
        f"{args.reference_years} years, {reference['family_steps']:,.0f} family-steps in "
        f"{reference['run_s']:.2f} s: {reference_rate:,.0f} family-steps/s"
    )
    print(
        f"Fast engine, same configuration: {fast['run_s']:.3f} s (best of {args.repeats}), "
        f"{fast_rate:,.0f} family-steps/s"
    )
    print(
        f"Speed-up on the same configuration: {figures['ratio']:.1f}x (target >= "
        f"{TARGETS['ratio']:g}: {verdict['ratio']}); "
        f"national fast run / reference: {figures['ratio_national']:.1f}x"
    )
    print(
        f"numpy standard_exponential: {draws_per_s:,.0f} draws/s; the national run reaches "
        f"{national_rate / draws_per_s:.1%} of that ceiling (target: within 5x: "
        f"{verdict['rng_ceiling']})"
    )
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
