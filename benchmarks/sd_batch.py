"""Benchmark: batched fixed-step RK4 in the SD engine against one-by-one ``solve_ivp`` runs.

In one invocation the script

1. draws ``--n`` national parameter sets (every ``uncertain`` parameter uniformly within its
   registry ``range``, from a seeded :class:`numpy.random.Generator`) and integrates them
   batched with ``SDModel(params=...).run(save=("stocks",))`` (stocks saved at every month),
   in chunks of ``--chunk`` sets to bound memory, timing the whole loop;
2. integrates the first ``--ivp-runs`` of the same sets one at a time with
   :func:`scipy.integrate.solve_ivp` (RK45, ``rtol = atol = 1e-6``, ``t_eval`` = the same
   monthly times), timing that loop;
3. compares the two (largest relative difference of the final stocks) and prints a short
   report whose last line is a JSON object with the figures.

Run ``python benchmarks/sd_batch.py --help`` for the options.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np
import scipy

from simulation.engines.sd import SDModel
from simulation.model.catalogue import REGISTRY

UNCERTAIN: tuple[str, ...] = tuple(REGISTRY.names("uncertain"))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The benchmark's options, from ``argv`` (default: ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="parameter sets in the batch")
    parser.add_argument(
        "--ivp-runs", type=int, default=20, help="of those, how many to run with solve_ivp"
    )
    parser.add_argument("--seed", type=int, default=20240601, help="seed of the draws")
    parser.add_argument(
        "--chunk", type=int, default=2500, help="parameter sets integrated per batched call"
    )
    parser.add_argument("--end-year", type=int, default=2040, help="last simulated year")
    parser.add_argument(
        "--reference",
        action="store_true",
        help="also compare both against solve_ivp at rtol=atol=1e-10 (untimed)",
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.chunk < 1:
        parser.error("--n and --chunk must be positive")
    if not 0 <= args.ivp_runs <= args.n:
        parser.error("--ivp-runs must be between 0 and --n")
    return args


def draw_parameters(n: int, seed: int) -> dict[str, np.ndarray]:
    """Draw ``n`` sets of every uncertain parameter uniformly within its registry range.

    Parameters
    ----------
    n : int
        Number of parameter sets.
    seed : int
        Seed of the :class:`numpy.random.Generator`.

    Returns
    -------
    dict of str to ndarray, shape ``(n,)``
    """
    rng = np.random.default_rng(seed)
    return {name: rng.uniform(*REGISTRY[name].range, size=n) for name in UNCERTAIN}


def subset(params: dict[str, np.ndarray], rows: slice | int) -> dict[str, np.ndarray | float]:
    """The parameter sets selected by ``rows`` (a slice gives a batch, an int one set).

    Parameters
    ----------
    params : dict of str to ndarray, shape ``(n,)``
    rows : slice or int

    Returns
    -------
    dict
        Arrays for a slice, floats for an int.
    """
    if isinstance(rows, int):
        return {name: float(values[rows]) for name, values in params.items()}
    return {name: values[rows] for name, values in params.items()}


def run_batched(
    params: dict[str, np.ndarray], chunk: int, end_year: int
) -> tuple[float, np.ndarray]:
    """Integrate every parameter set with the batched RK4 engine, ``chunk`` sets per call.

    Parameters
    ----------
    params : dict of str to ndarray, shape ``(n,)``
    chunk : int
        Sets per :meth:`SDModel.run` call.
    end_year : int
        Last simulated year.

    Returns
    -------
    seconds : float
        Wall time of the loop (model construction included).
    stocks : ndarray, shape ``(T, n, 7)``
        Monthly stocks of every set.
    """
    n = len(next(iter(params.values())))
    pieces = []
    start = time.perf_counter()
    for first in range(0, n, chunk):
        model = SDModel(params=subset(params, slice(first, first + chunk)), end_year=end_year)
        pieces.append(model.run(save=("stocks",)).saved["stocks"][:, :, 0, :])
    seconds = time.perf_counter() - start
    return seconds, np.concatenate(pieces, axis=1)


def run_solve_ivp(
    params: dict[str, np.ndarray], runs: int, end_year: int, tol: float = 1e-6
) -> tuple[float, np.ndarray, float]:
    """Integrate the first ``runs`` parameter sets one by one with ``solve_ivp`` (RK45).

    Parameters
    ----------
    params : dict of str to ndarray, shape ``(n,)``
    runs : int
        Number of sets, taken from the start.
    end_year : int
        Last simulated year.
    tol : float
        ``rtol`` and ``atol`` of the solver.

    Returns
    -------
    seconds : float
        Wall time of the loop (model construction included).
    stocks : ndarray, shape ``(T, runs, 7)``
        Stocks at the monthly ``t_eval`` points.
    mean_nfev : float
        Mean number of right-hand-side evaluations per run.
    """
    out, nfev = [], []
    start = time.perf_counter()
    for i in range(runs):
        model = SDModel(params=subset(params, i), end_year=end_year)
        result = model.run_adaptive(rtol=tol, atol=tol, method="RK45")
        out.append(result.saved["stocks"][:, 0, 0])
        nfev.append(result.nfev)
    seconds = time.perf_counter() - start
    stocks = np.stack(out, axis=1) if out else np.empty((0, 0, 7))
    return seconds, stocks, float(np.mean(nfev)) if nfev else 0.0


def max_rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    """Largest ``|a - b| / |b|`` over all elements (``b`` is the reference).

    Parameters
    ----------
    a, b : ndarray
        Arrays of the same shape, ``b`` non-zero.

    Returns
    -------
    float
    """
    return float(np.max(np.abs(a - b) / np.abs(b)))


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Run the benchmark, print the report and return the figures of its JSON line.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments.

    Returns
    -------
    dict
        The figures printed as the last line.
    """
    args = parse_args(argv)
    params = draw_parameters(args.n, args.seed)
    chunk = min(args.chunk, args.n)
    n_chunks = -(-args.n // chunk)
    print(
        f"SD engine benchmark: {args.n} national runs 2009-{args.end_year}, "
        f"{len(UNCERTAIN)} uncertain parameters drawn within registry ranges (seed {args.seed})"
    )
    print(
        f"batched RK4 (2 steps/month, monthly stocks saved): {n_chunks} call(s) of "
        f"<= {chunk} sets each" + (" (chunked to bound memory)" if n_chunks > 1 else "")
    )
    batch_s, batch_stocks = run_batched(params, chunk, args.end_year)
    print(f"  {batch_s:.2f} s -> {args.n / batch_s:.1f} runs/s")

    print(f"solve_ivp RK45 (rtol=atol=1e-6, t_eval monthly), one by one: {args.ivp_runs} runs")
    ivp_s, ivp_stocks, nfev = run_solve_ivp(params, args.ivp_runs, args.end_year)
    ivp_rate = args.ivp_runs / ivp_s if args.ivp_runs else float("nan")
    print(f"  {ivp_s:.2f} s -> {ivp_rate:.2f} runs/s ({nfev:.0f} f-evaluations per run)")

    if args.ivp_runs:
        mine = batch_stocks[:, : args.ivp_runs]
        max_rel = max_rel_diff(mine[-1], ivp_stocks[-1])
        max_rel_all = max_rel_diff(mine, ivp_stocks)
    else:
        max_rel = max_rel_all = float("nan")
    print(
        f"agreement on the {args.ivp_runs} shared sets: max relative difference "
        f"{max_rel:.2e} in final stocks, {max_rel_all:.2e} over all months"
    )
    reference = {}
    if args.reference and args.ivp_runs:
        _, tight, _ = run_solve_ivp(params, args.ivp_runs, args.end_year, tol=1e-10)
        reference = {
            "rk4_vs_reference": max_rel_diff(mine[-1], tight[-1]),
            "ivp_vs_reference": max_rel_diff(ivp_stocks[-1], tight[-1]),
        }
        print(
            "against solve_ivp at rtol=atol=1e-10 (final stocks): batched RK4 "
            f"{reference['rk4_vs_reference']:.2e}, solve_ivp at 1e-6 "
            f"{reference['ivp_vs_reference']:.2e}"
        )
    ratio = (args.n / batch_s) / ivp_rate if args.ivp_runs else float("nan")
    print(f"batched RK4 is {ratio:.0f}x faster per run than solve_ivp")

    report = {
        "batch_runs_per_s": round(args.n / batch_s, 3),
        "solve_ivp_runs_per_s": round(ivp_rate, 4),
        "ratio": round(ratio, 2),
        "n_batch": args.n,
        "n_ivp": args.ivp_runs,
        "batch_seconds": round(batch_s, 3),
        "ivp_seconds": round(ivp_s, 3),
        "max_rel_diff": max_rel,
        "max_rel_diff_all_months": max_rel_all,
        **reference,
        "ivp_mean_nfev": nfev,
        "chunk": chunk,
        "seed": args.seed,
        "end_year": args.end_year,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }
    # NaN (no solve_ivp runs) is not valid JSON: write null instead.
    report = {k: None if isinstance(v, float) and np.isnan(v) else v for k, v in report.items()}
    print(json.dumps(report))
    return report


if __name__ == "__main__":
    main()
