"""The written results of ``prevsim calibrate``.

The files in ``results/calibration/...`` and the printed summary.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from simulation.analysis.calibration import (
    ABM_TOLERANCE,
    TOLERANCE,
    Calibration,
    scenario_text,
    unreached,
)
from simulation.reports import calibration_charts as charts
from simulation.workflow import store
from simulation.workflow.store import Output


def summary_lines(calibration: Calibration) -> list[str]:
    """A short plain-text report."""
    c = calibration
    points = c.predictive.points
    fitted = points[points["used"] == "fit"]
    lines = [
        f"Calibration '{c.targets.name}': {len(c.problem.names)} free parameters, "
        f"{len(fitted)} data points fitted"
        + (
            f" (years before {c.holdout_from}; {len(points) - len(fitted)} held out)"
            if c.holdout_from
            else ""
        ),
        f"SD engine, {c.problem.evaluations:,} model runs; best weighted sum of squares "
        f"{2 * c.fit.cost:.2f} over {len(fitted)} points.",
        f"Posterior: emcee, {c.settings['walkers']} walkers x {c.settings['steps']} steps "
        f"(burn {c.settings['burn']}, thin {c.settings['thin']}), acceptance "
        f"{c.posterior.acceptance:.2f}, autocorrelation up to "
        f"{np.nanmax(c.posterior.autocorrelation):.0f} steps, effective sample size about "
        f"{c.posterior.effective_samples:,.0f}: "
        + (
            "converged (chain > 50 autocorrelation times)."
            if c.posterior.converged
            else "NOT converged by emcee's rule (chain < 50 autocorrelation times); use more steps."
        ),
        "",
        f"{'parameter':<30} {'before':>10} {'best':>10} {'5%':>10} {'median':>10} {'95%':>10}",
    ]
    for row in c.table.itertuples():
        lines.append(
            f"{row.parameter:<30} {row.before:>10.4g} {row.best:>10.4g} {row.q05:>10.4g} "
            f"{row.median:>10.4g} {row.q95:>10.4g}"
        )
    edge = c.table[c.table["at_bound"]]
    if not edge.empty:
        lines.append(
            "At the edge of their prior range (the data would push them beyond it): "
            + ", ".join(edge["parameter"])
            + "."
        )
    lines += ["", f"{'target':<34} {'year':>4} {'data':>8} {'model':>8} {'error':>7} quality"]
    for row in points.itertuples():
        flag = " (holdout)" if row.used == "holdout" else ""
        lines.append(
            f"{row.target:<34} {row.year:>4} {row.value:>8,.0f} {row.best:>8,.0f} "
            f"{row.relative_error:>+7.1%} {row.quality}{flag}"
        )
    lines += _unreached_lines(c)
    if "abm_mean" in points:
        high = points[points["quality"] == "high"]
        close = int((high["abm_error"].abs() <= ABM_TOLERANCE).sum())
        worst = points.loc[points["abm_vs_sd"].abs().idxmax()]
        lines.append(
            f"Agent-based engine ({c.settings['abm_replicates']} replicates at scale "
            f"{c.targets.abm_scale:g}, heterogeneity on, best fit): {close} of {len(high)} "
            f"high-quality points within {ABM_TOLERANCE:.0%} of the data; largest difference "
            f"from the SD fit {worst['abm_vs_sd']:+.1%} ({worst['target']} {worst['year']})."
        )
    lines += _holdout_lines(c, points)
    return lines


def _unreached_lines(c: Calibration) -> list[str]:
    """The fitted points the best fit misses, each with the targets file's reason."""
    lines: list[str] = []
    missed = unreached(c)
    lines.append("")
    limits = " and ".join(f"every {q}-quality point within {t:.0%}" for q, t in TOLERANCE.items())
    if missed.empty:
        lines.append(f"Reproduced: {limits}.")
    else:
        lines.append(f"Points not reproduced ({limits} is the aim):")
        why = {(t.name, y): text for t in c.targets.targets for y, text in t.unreached.items()}
        for row in missed.itertuples():
            lines.append(f"  {row.target} {row.year}: {row.relative_error:+.1%}")
            reason = why.get((row.target, row.year), "not explained in the targets file")
            lines.append(f"    why: {reason}")
    return lines


def _holdout_lines(c: Calibration, points) -> list[str]:
    """Every held-out point: data, prediction, its 90% predictive interval."""
    lines: list[str] = []
    if c.holdout_from:
        held = points[points["used"] == "holdout"]
        if not held.empty:
            err = np.abs(held["relative_error"])
            lines.append(
                f"Holdout ({len(held)} points from {c.holdout_from}): mean absolute error "
                f"{err.mean():.1%}, largest {err.max():.1%}; "
                f"{int(held['inside_predictive_90'].sum())} of {len(held)} inside the 90% "
                "predictive interval:"
            )
            for row in held.itertuples():
                inside = "inside" if row.inside_predictive_90 else "OUTSIDE"
                lines.append(
                    f"  {row.target} {row.year}: data {row.value:,.0f}, predicted {row.best:,.0f} "
                    f"({row.relative_error:+.1%}), 90% predictive interval "
                    f"{row.predictive_q05:,.0f}-{row.predictive_q95:,.0f} ({inside})"
                )
    return lines


def write_calibration(calibration: Calibration, out: Output) -> Path:
    """Write ``<root>/calibration/<name>/<timestamp>-<digest>/`` atomically."""
    c, root, lang, command = calibration, out.root, out.lang, out.command
    folder = store.run_folder(root, "calibration", c.targets.name, c.digest())
    samples = pd.DataFrame(c.posterior.samples, columns=c.problem.names)
    samples["log_posterior"] = c.posterior.log_prob
    bands = pd.concat(
        [b.assign(target=name) for name, b in c.predictive.bands.items()], ignore_index=True
    )
    with store.atomic_folder(folder) as tmp:
        c.table.to_csv(tmp / "fit.csv", index=False)
        c.fit.starts.to_csv(tmp / "starts.csv", index=False)
        c.predictive.points.to_csv(tmp / "points.csv", index=False)
        samples.to_parquet(tmp / "posterior.parquet", index=False)
        bands.to_parquet(tmp / "bands.parquet", index=False)
        (tmp / "summary.txt").write_text("\n".join(summary_lines(c)) + "\n", encoding="utf-8")
        (tmp / "calibrated.toml").write_text(
            scenario_text(c, f"{c.targets.path}; results {folder.name}"), encoding="utf-8"
        )
        files = ["fit.csv", "starts.csv", "points.csv", "posterior.parquet", "bands.parquet"]
        files += ["summary.txt", "calibrated.toml"]
        for group in charts.by_output(c.targets.targets).values():
            files += charts.calibration_fit(
                group,
                c.predictive.bands[group[0].name],
                c.predictive.points,
                tmp / charts.file_stem(group),
                lang=lang,
                holdout_from=c.holdout_from,
                abm=c.abm_lines.get(group[0].name),
            )
        files += charts.calibration_overview(
            c.targets.targets,
            c.predictive.bands,
            c.predictive.points,
            tmp / "fit_overview",
            lang=lang,
            holdout_from=c.holdout_from,
            abm=c.abm_lines,
        )
        files += charts.calibration_residuals(c.predictive.points, tmp / "residuals", lang=lang)
        files += charts.posterior_marginals(samples, c.table, tmp / "posterior", lang=lang)
        store.write_manifest(
            tmp,
            files,
            command=command,
            kind="calibration",
            engine="sd",
            targets=str(c.targets.path),
            data=str(c.targets.data),
            scenario=c.problem.scenario.to_dict(),
            free=c.problem.names,
            settings=c.settings,
            holdout_from=c.holdout_from,
            digest=c.digest(),
            model_runs=c.problem.evaluations,
            converged=c.posterior.converged,
        )
    return folder
