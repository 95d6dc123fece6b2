"""A whole calibration: fit, sample, check, and the calibrated scenario file it writes."""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pandas as pd

from simulation.analysis import targets as tg
from simulation.analysis.calibration.checks import Predictive, abm_check, fit_table, predictive
from simulation.analysis.calibration.fit import PointFit, point_fit
from simulation.analysis.calibration.posterior import Posterior, draws, sample_posterior
from simulation.analysis.calibration.problem import Problem
from simulation.model.catalogue import REGISTRY
from simulation.workflow import scenarios as scenario_mod
from simulation.workflow import store
from simulation.workflow.scenarios import Scenario

#: Relative error within which a point of each quality counts as reproduced (low-quality
#: points are fitted with their wide error but not held to a tolerance).
TOLERANCE = {"high": 0.10, "medium": 0.20}
#: The same for the agent-based engine run with the SD fit: the SD tolerance plus 5 points
#: for what only the ABM has (duration dependence of stays, closure of places, queues) and
#: for its sampling error (standard errors of 1-3% with 3 replicates at scale 0.2).
ABM_TOLERANCE = 0.15


@dataclass
class Calibration:
    """Everything a calibration produced (see :func:`run_calibration`)."""

    targets: tg.Targets
    problem: Problem
    fit: PointFit
    posterior: Posterior
    predictive: Predictive
    holdout_from: int | None
    settings: dict[str, int]
    abm_lines: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def table(self) -> pd.DataFrame:
        """The fit table: one row per free parameter."""
        return fit_table(self.problem, self.fit, self.posterior)

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
        One line: burn-in not below the steps, fewer than two kept steps after thinning, or no
        data point before ``holdout_from``.
    """
    settings = {**targets.settings, **(overrides or {})}
    if settings["burn"] >= settings["steps"]:
        raise ValueError(f"--burn ({settings['burn']}) must be below --steps ({settings['steps']})")
    kept_steps = -(-(settings["steps"] - settings["burn"]) // settings["thin"])
    if kept_steps < 2:
        raise ValueError(
            f"--steps {settings['steps']} with --burn {settings['burn']} keeps {kept_steps} "
            f"step(s) after thinning by {settings['thin']} (posterior.thin in {targets.path}); "
            f"allowed: steps - burn above {settings['thin']}"
        )
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
    problem = Problem(fitted, scenario)
    report = progress or (lambda *_: None)
    done = {"fit": 0, "posterior": 0}

    def tick(stage: str, total: int) -> Callable[[int], None]:
        def step(k: int) -> None:
            done[stage] += k
            report(stage, done[stage], total)

        return step

    fit = point_fit(
        problem,
        settings["starts"],
        settings["seed"],
        workers=workers,
        progress=tick("fit", settings["starts"]),
    )
    posterior = sample_posterior(
        problem,
        fit,
        walkers=settings["walkers"],
        steps=settings["steps"],
        burn=settings["burn"],
        thin=settings["thin"],
        seed=settings["seed"],
        progress=tick("posterior", settings["steps"]),
    )
    chosen = draws(posterior, settings["predictive_draws"], settings["seed"])
    predicted = predictive(problem, fit.best, chosen, settings["seed"], evaluate=targets)
    abm_lines: dict[str, pd.DataFrame] = {}
    if settings["abm_replicates"]:
        abm_points, abm_lines = abm_check(
            problem,
            fit.best,
            targets,
            settings["abm_replicates"],
            targets.abm_scale,
            settings["seed"],
        )
        points = pd.concat([predicted.points, abm_points], axis=1)
        points["abm_vs_sd"] = points["abm_mean"] / points["best"] - 1.0
        predicted = Predictive(points=points, bands=predicted.bands)
        report("abm", 1, 1)
    return Calibration(
        targets, problem, fit, posterior, predicted, holdout_from, settings, abm_lines
    )


def without_stale_fit(scenario: Scenario, targets: tg.Targets) -> Scenario:
    """The scenario without stale values from an earlier fit.

    Drops values that an earlier fit wrote to ``targets.output`` for parameters that are no
    longer free (a parameter taken off the free list returns to its registry default instead of
    keeping a value fitted with it). Free parameters keep the earlier fit: it is the first start
    of the new one.
    """
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


def unreached(calibration: Calibration) -> pd.DataFrame:
    """Fitted points the best fit misses by more than their quality's :data:`TOLERANCE`.

    Held-out points are predictions, reported as such, not misses of the fit.
    """
    points = calibration.predictive.points
    fitted = points["used"] != "holdout" if "used" in points else True
    tolerance = points["quality"].map(TOLERANCE)
    return points[fitted & (points["relative_error"].abs() > tolerance)]


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
        'title = "Calibrated parameters"',
        'title_lt = "Kalibruoti parametrai"',
        f'description = "Free parameters fitted to national data ({c.targets.name})."',
        'description_lt = "Laisvieji parametrai, kalibruoti pagal nacionalinius duomenis: jų '
        'reikšmės – geriausi įverčiai."',
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
