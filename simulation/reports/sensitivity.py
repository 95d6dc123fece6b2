"""The written results of ``prevsim sensitivity``.

The files in ``results/sensitivity/...`` and the printed summary.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.analysis.evaluation import OUTCOMES
from simulation.analysis.sensitivity import STEPS_PER_MONTH, Study
from simulation.reports import charts
from simulation.workflow import store
from simulation.workflow.store import Output


def summary_lines(study: Study) -> list[str]:
    """The five most influential parameters and the convergence verdict."""
    scenario, baseline = study.scenario, study.baseline
    method, outcome = study.settings.method, study.settings.outcome
    against = f" against '{baseline.name}'" if baseline else ""
    unit = OUTCOMES[outcome][1]
    lines = [
        f"{method} sensitivity of {outcome} ({OUTCOMES[outcome][2]}, {unit}) of "
        f"'{scenario.name}'{against}: {len(study.y):,} model evaluations, "
        f"{study.problem['num_vars']} uncertain parameters ({study.engine})",
        draws_line(study),
        "",
        "Most influential parameters:",
    ]
    table = study.indices
    for rank, (name, row) in enumerate(table.head(5).iterrows(), start=1):
        cells = ", ".join(f"{k} {v:.3g}" for k, v in row.items())
        lines.append(f"  {rank}. {name}: {cells}")
    verdict = "converged" if study.converged else "NOT converged (increase --n)"
    lines += ["", f"Indices at N/4, N/2, N: {verdict}."]
    y = study.y
    scale, shown = (1e6, "million EUR") if unit == "EUR" else (1.0, unit)
    low, mid, high = (np.quantile(y, q) / scale for q in (0.05, 0.5, 0.95))
    lines.append(
        f"{outcome} over the samples: median {mid:,.1f}, 90% of samples between "
        f"{low:,.1f} and {high:,.1f} {shown}"
    )
    return lines + sign_lines(study)


def draws_line(study: Study) -> str:
    """On which draws the indices condition: the design's ranges, and what stays fixed."""
    fixed = sorted(
        set(study.scenario.params) | set(study.baseline.params if study.baseline else ())
    )
    held = f"; fixed at the scenario files' values: {', '.join(fixed)}" if fixed else ""
    return (
        f"Draws: the {study.settings.method} design over the registry ranges of the varied "
        f"parameters, whether or not a draw's past matches the national data{held}."
    )


def sign_lines(study: Study, top: int = 5) -> list[str]:
    """Which parameters decide whether the outcome is positive (money outcomes)."""
    y = study.y
    if study.sign is None:
        if study.settings.outcome != "npv":
            return []
        verdict = "positive" if (y > 0).all() else "negative or zero"
        return [f"{study.settings.outcome} is {verdict} in every sample."]
    lines = [
        "",
        f"{study.settings.outcome} > 0 in {(y > 0).mean():.0%} of samples. What decides the sign "
        "(Kolmogorov-Smirnov distance between the samples with a positive and a negative "
        "value; share positive when the parameter is in its lowest / highest fifth):",
    ]
    for name, row in study.sign.head(top).iterrows():
        lines.append(
            f"  {name}: KS {row.ks:.2f}; positive in {row.positive_low:.0%} (low) vs "
            f"{row.positive_high:.0%} (high)"
        )
    return lines


def write_study(study: Study, out: Output) -> tuple[Path, list[str]]:
    """Write samples, outputs, indices, convergence, charts and a manifest.

    Returns the folder and the summary lines.
    """
    scenario, baseline = study.scenario, study.baseline
    method, outcome = study.settings.method, study.settings.outcome
    root, lang, command = out.root, out.lang, out.command
    lines = summary_lines(study)
    name = scenario.name + (f"-vs-{baseline.name}" if baseline else "")
    digest = hashlib.sha256(
        f"{scenario.digest()}{baseline.digest() if baseline else ''}{method}{outcome}"
        f"{len(study.y)}".encode()
    ).hexdigest()[:10]
    folder = store.run_folder(root, "sensitivity", name, digest)
    with store.atomic_folder(folder) as tmp:
        pd.DataFrame(study.x, columns=study.problem["names"]).to_parquet(
            tmp / "samples.parquet", index=False
        )
        pd.DataFrame({outcome: study.y}).to_csv(tmp / "outputs.csv", index=False)
        study.indices.to_csv(tmp / "indices.csv", index_label="parameter")
        study.convergence.to_csv(tmp / "convergence.csv", index_label="parameter")
        if study.sign is not None:
            study.sign.to_csv(tmp / "sign_drivers.csv", index_label="parameter")
        (tmp / "summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        files = ["samples.parquet", "outputs.csv", "indices.csv", "convergence.csv", "summary.txt"]
        files += ["sign_drivers.csv"] if study.sign is not None else []
        if "S2" in study.result:
            second_order_table(study).to_csv(tmp / "second_order.csv", index=False)
            files += ["second_order.csv"]
        files += charts.sensitivity_indices(
            study.indices, method, tmp / "indices", lang=lang, outcome=outcome
        )
        if method == "morris":
            files += charts.morris_mu_sigma(
                study.indices,
                tmp / "morris",
                lang=lang,
                outcome=outcome,
                unit=OUTCOMES[outcome][1],
            )
        if study.time_varying is not None:
            study.time_varying.to_csv(tmp / "time_varying.csv", index_label="year")
            files += ["time_varying.csv"]
            files += charts.time_varying_indices(
                study.time_varying, method, tmp / "time_varying", lang=lang, outcome=outcome
            )
        store.write_manifest(
            tmp,
            files,
            command=command,
            kind="sensitivity",
            method=method,
            outcome=outcome,
            evaluations=len(study.y),
            converged=study.converged,
            steps_per_month=STEPS_PER_MONTH,
            problem=study.problem,
            scenario=scenario.to_dict(),
            baseline=baseline.to_dict() if baseline else None,
        )
    return folder, lines


def second_order_table(study: Study) -> pd.DataFrame:
    """Sobol' second-order indices, one row per pair of parameters (largest first).

    Columns ``first``, ``second``, ``S2`` and ``S2_conf`` (the bootstrap 95% half-width).
    """
    names = list(dict.fromkeys(study.problem.get("groups") or study.problem["names"]))
    s2, conf = np.asarray(study.result["S2"]), np.asarray(study.result["S2_conf"])
    pairs = [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))]
    table = pd.DataFrame(
        {
            "first": [names[i] for i, _ in pairs],
            "second": [names[j] for _, j in pairs],
            "S2": [s2[i, j] for i, j in pairs],
            "S2_conf": [conf[i, j] for i, j in pairs],
        }
    )
    return table.sort_values("S2", ascending=False, key=np.abs).reset_index(drop=True)
