"""Benchmark: a Sobol study of the NPV of early intervention on the batched SD engine.

In one run: 21 uncertain parameters (Saltelli scheme, N = 1024: N (D + 2) = 23,552 model
evaluations for the first-order and total indices, as ``prevsim sensitivity`` does by default;
with ``--second-order``, N (2D + 2) = 45,056), each a scenario and a baseline integration
sharing their common prefix up to 2027, evaluated over ``--workers`` processes with one
Runge-Kutta step a month (see ``simulation.analysis.sensitivity.STEPS_PER_MONTH``), then
analysed with SALib. The last line printed is a JSON object with n_params, n_evaluations and
seconds (target: under 15 s of evaluation on a 2-core machine).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from dataclasses import replace
from pathlib import Path

from simulation.analysis import sensitivity as sa
from simulation.analysis.evaluation import Question, evaluate
from simulation.analysis.sensitivity import STEPS_PER_MONTH
from simulation.workflow.scenarios import load

ROOT = Path(__file__).resolve().parents[1]
#: Hazards, service effects and unit costs that decide the value of prevention.
PARAMETERS = (
    "onset_rate",
    "natural_recovery_rate",
    "detection_rate",
    "escalation_rate",
    "supported_escalation_rate",
    "supported_recovery_rate",
    "risk_recovery_rate",
    "risk_to_crisis_rate",
    "crisis_exit_rate",
    "reunification_rate",
    "care_leaving_rate",
    "placement_probability",
    "programme.day_centres.cost",
    "programme.casework.cost",
    "capacity_delay",
    "programme.outreach_community.effect.detection",
    "programme.day_centres.effect.escalation",
    "programme.home_visiting.effect.supported_escalation",
    "programme.casework.effect.risk_to_crisis",
    "scale_up_decay",
    "cost.institutional_care",
)


def main(argv: list[str] | None = None) -> None:
    """Sample, evaluate and analyse the Sobol study; print the report and the JSON line.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default: ``sys.argv[1:]``).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1024, help="Sobol base sample size")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--chunk", type=int, default=2048, help="parameter sets per batch")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--second-order", action="store_true", help="also the rows of the second-order indices"
    )
    args = parser.parse_args(argv)

    fast = {}
    for name in ("baseline", "early_intervention"):
        sc = load(ROOT / "scenarios" / f"{name}.toml")
        fast[name] = replace(sc, run=replace(sc.run, steps_per_month=STEPS_PER_MONTH))
    prob = sa.problem(PARAMETERS)
    start = time.perf_counter()
    x = sa.sample(prob, "sobol", args.n, args.seed, second_order=args.second_order)
    sampled = time.perf_counter()
    question = Question(fast["early_intervention"], "npv", fast["baseline"])
    y = evaluate(prob["names"], x, question, chunk=args.chunk, workers=args.workers)
    evaluated = time.perf_counter()
    result = sa.analyze(
        prob, "sobol", x, y, args.seed, workers=args.workers, second_order=args.second_order
    )
    end = time.perf_counter()
    table = sa.indices_table(prob, "sobol", result)
    print(
        f"Sobol study: {prob['num_vars']} parameters, N = {args.n}, {len(x):,} evaluations "
        f"(NPV of early_intervention against baseline, "
        f"{'with' if args.second_order else 'without'} second-order rows), "
        f"{args.workers} workers"
    )
    print(
        f"  sampling {sampled - start:.1f} s, evaluation {evaluated - sampled:.1f} s, "
        f"analysis {end - evaluated:.1f} s: total {end - start:.1f} s "
        "(target: evaluation < 15 s)"
    )
    print(
        "  five largest total indices: "
        + ", ".join(f"{name} {row['ST']:.3f}" for name, row in table.head(5).iterrows())
    )
    print(
        json.dumps(
            {
                "n_params": prob["num_vars"],
                "n_evaluations": len(x),
                "seconds": round(end - start, 2),
                "evaluation_seconds": round(evaluated - sampled, 2),
                "analysis_seconds": round(end - evaluated, 2),
                "evaluations_per_s": round(len(x) / (evaluated - sampled), 1),
                "second_order": args.second_order,
                "workers": args.workers,
                "steps_per_month": STEPS_PER_MONTH,
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
