"""``prevsim calibrate``: fit, sample, check, and write ``results/calibration/...`` and the
calibrated scenario."""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.analysis import calibration as cal
from simulation.analysis import targets as tg
from simulation.model.catalogue import REGISTRY
from simulation.workflow import scenarios as scenario_mod
from simulation.workflow import store
from simulation.workflow.scenarios import Scenario

#: Relative error within which a high-quality point counts as reproduced.
TOLERANCE = 0.10
#: The same for the agent-based engine run with the SD fit: the SD tolerance plus 5 points
#: for what only the ABM has (duration dependence of stays, closure of places, queues) and
#: for its sampling error (standard errors of 1-3% with 3 replicates at scale 0.2).
ABM_TOLERANCE = 0.15


@dataclass
class Calibration:
    """Everything a calibration produced (see :func:`run_calibration`)."""

    targets: tg.Targets
    problem: cal.Problem
    fit: cal.PointFit
    posterior: cal.Posterior
    predictive: cal.Predictive
    holdout_from: int | None
    settings: dict[str, int]
    abm_lines: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def table(self) -> pd.DataFrame:
        """The fit table: one row per free parameter."""
        return cal.fit_table(self.problem, self.fit, self.posterior)

    def digest(self) -> str:
        """Hash of the inputs: targets and data files, scenario, settings and holdout."""
        h = hashlib.sha256()
        for path in (self.targets.path, self.targets.data):
            h.update(Path(path).read_bytes())
        h.update(self.problem.scenario.digest().encode())
        h.update(repr((sorted(self.settings.items()), self.holdout_from)).encode())
        return h.hexdigest()[:10]


def checked_settings(
    targets: tg.Targets, overrides: dict[str, int] | None, holdout_from: int | None
) -> dict[str, int]:
    """The targets file's settings with ``overrides`` applied, checked before any work.

    Raises
    ------
    ValueError
        One line: burn-in not below the steps, or no data point before ``holdout_from``.
    """
    settings = {**targets.settings, **(overrides or {})}
    if settings["burn"] >= settings["steps"]:
        raise ValueError(f"--burn ({settings['burn']}) must be below --steps ({settings['steps']})")
    if holdout_from is not None and not targets.before(holdout_from).points:
        raise ValueError(
            f"--holdout-from {holdout_from}: no data point of {targets.path} lies before it"
        )
    return settings


def run_calibration(
    targets: tg.Targets,
    holdout_from: int | None = None,
    overrides: dict[str, int] | None = None,
    workers: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
) -> Calibration:
    """Point fit, posterior sampling and predictive checks.

    Parameters
    ----------
    targets : Targets
        All targets; with ``holdout_from`` the fit sees only points of earlier years, and
        the later ones are reported as a holdout test.
    overrides : dict, optional
        Replacements of the file's ``[fit]``/``[posterior]`` settings (starts, walkers, ...).
    workers : int
        Processes for the point fit's starts.
    progress : callable, optional
        ``progress(stage, done, total)`` after each start and each sampler step.
    """
    settings = checked_settings(targets, overrides, holdout_from)
    fitted = targets.before(holdout_from) if holdout_from else targets
    scenario = without_stale_fit(scenario_mod.load(targets.scenario), targets)
    problem = cal.Problem(fitted, scenario)
    report = progress or (lambda *_: None)
    done = {"fit": 0, "posterior": 0}

    def tick(stage: str, total: int) -> Callable[[int], None]:
        def step(k: int) -> None:
            done[stage] += k
            report(stage, done[stage], total)

        return step

    fit = cal.point_fit(
        problem,
        settings["starts"],
        settings["seed"],
        workers=workers,
        progress=tick("fit", settings["starts"]),
    )
    posterior = cal.sample_posterior(
        problem,
        fit,
        walkers=settings["walkers"],
        steps=settings["steps"],
        burn=settings["burn"],
        thin=settings["thin"],
        seed=settings["seed"],
        progress=tick("posterior", settings["steps"]),
    )
    chosen = cal.draws(posterior, settings["predictive_draws"], settings["seed"])
    predictive = cal.predictive(problem, fit.best, chosen, settings["seed"], evaluate=targets)
    abm_lines: dict[str, pd.DataFrame] = {}
    if settings["abm_replicates"]:
        abm_points, abm_lines = cal.abm_check(
            problem,
            fit.best,
            targets,
            settings["abm_replicates"],
            targets.abm_scale,
            settings["seed"],
        )
        points = pd.concat([predictive.points, abm_points], axis=1)
        points["abm_vs_sd"] = points["abm_mean"] / points["best"] - 1.0
        predictive = cal.Predictive(points=points, bands=predictive.bands)
        report("abm", 1, 1)
    return Calibration(
        targets, problem, fit, posterior, predictive, holdout_from, settings, abm_lines
    )


def without_stale_fit(scenario: Scenario, targets: tg.Targets) -> Scenario:
    """The scenario without values that an earlier fit wrote to ``targets.output`` for
    parameters that are no longer free (a parameter taken off the free list returns to its
    registry default instead of keeping a value fitted with it). Free parameters keep the
    earlier fit: it is the first start of the new one."""
    output = Path(targets.output).resolve()
    if output not in [Path(p).resolve() for p in scenario.chain] or not output.is_file():
        return scenario
    with output.open("rb") as handle:
        earlier = tomllib.load(handle)
    written = {**earlier.get("params", {}), **earlier.get("policy", {})}

    def keep(name: str, value: object) -> bool:  # a later file may set it again: keep that
        return name in targets.free or name not in written or written[name] != value

    params = {k: v for k, v in scenario.params.items() if keep(k, v)}
    levers = {k: v for k, v in scenario.levers.items() if keep(k, v)}
    return replace(scenario, params=params, levers=levers)


# ---- text -------------------------------------------------------------------------------------
def unreached(calibration: Calibration) -> pd.DataFrame:
    """High-quality points the best fit misses by more than :data:`TOLERANCE`."""
    points = calibration.predictive.points
    return points[(points["quality"] == "high") & ~points["within_10pct"]]


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
    missed = unreached(c)
    lines.append("")
    if missed.empty:
        lines.append(f"Every high-quality point is reproduced within {TOLERANCE:.0%}.")
    else:
        lines.append(f"High-quality points not reproduced within {TOLERANCE:.0%}:")
        why = {(t.name, y): text for t in c.targets.targets for y, text in t.unreached.items()}
        for row in missed.itertuples():
            lines.append(f"  {row.target} {row.year}: {row.relative_error:+.1%}")
            reason = why.get((row.target, row.year), "not explained in the targets file")
            lines.append(f"    why: {reason}")
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
    if c.holdout_from:
        held = points[points["used"] == "holdout"]
        if not held.empty:
            err = np.abs(held["relative_error"])
            lines.append(
                f"Holdout ({len(held)} points from {c.holdout_from}): mean absolute error "
                f"{err.mean():.1%}, largest {err.max():.1%}; "
                f"{int(held['inside_predictive_90'].sum())} of {len(held)} inside the 90% "
                "predictive interval."
            )
    return lines


# ---- files ------------------------------------------------------------------------------------
def scenario_text(calibration: Calibration, source: str) -> str:
    """The calibrated scenario file: fitted values, with the posterior interval beside each."""
    c = calibration
    header = [
        "# Generated by `prevsim calibrate`: do not edit by hand; refit instead.",
        f"# Fitted on {date.today().isoformat()} to {len(c.problem.points)} points of "
        f"{c.targets.path.name} ({c.targets.name});",
        "# each value is the best fit, with the posterior median and 90% interval beside it.",
        "",
        "[scenario]",
        'name = "calibrated"',
        'title = "Calibrated parameters / Kalibruoti parametrai"',
        f'description = "Free parameters fitted to national data ({c.targets.name})."',
        f'source = "{source}"',
    ]
    params, levers = [], []
    for row in c.table.itertuples():
        line = (
            f"{row.parameter} = {float(f'{row.best:.5g}')!r}"
            f"  # median {row.median:.4g}, 90% {row.q05:.4g}-{row.q95:.4g} {row.unit}"
        )
        (levers if REGISTRY[row.parameter].kind == "lever" else params).append(line)
    text = [*header, "", "[params]", *params]
    if levers:
        text += ["", "[policy]  # the 2009 value of levers the data told us", *levers]
    return "\n".join(text) + "\n"


def write_scenario(calibration: Calibration, path: Path, source: str) -> Path:
    """Write the calibrated scenario atomically and check that it loads."""
    path = Path(path)
    with store.atomic_file(path) as tmp:
        tmp.write_text(scenario_text(calibration, source), encoding="utf-8")
        scenario_mod.load(tmp)  # a file we cannot read back must not replace the old one
    return path


def write_calibration(
    calibration: Calibration, root: Path, lang: str = "lt", command: str | None = None
) -> Path:
    """Write ``<root>/calibration/<name>/<timestamp>-<digest>/`` atomically."""
    from simulation.reports import calibration_charts as charts

    c = calibration
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
        store.write_json(
            tmp / "manifest.json",
            store.manifest(
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
                files=sorted([*files, "manifest.json"]),
            ),
        )
    return folder
