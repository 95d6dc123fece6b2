"""The public Python API: what a notebook or a researcher needs, in a few functions.

Everything here is importable from the package itself (``import simulation as s``)::

    import simulation as s

    baseline = s.load_scenario("baseline")          # a shipped scenario, or a path
    early = s.load_scenario("early_intervention")
    r = s.run(baseline)                              # the SD engine, as the scenario says
    print(r)                                         # children placed, child-years, cost
    r.national                                       # monthly time series (DataFrame)

    c = s.compare(baseline, early)                   # the value against the first scenario
    print(c)                                         # NPV, BCR, break-even, children placed
    c.values()                                       # avoided: the same as a table

    e = s.ensemble(early, against=baseline, samples=50)  # the briefing's kind of draws
    print(e)                                         # central run, median, 90% interval
    e.chance                                         # runs with NPV > 0: .p, .standard_error

Every function takes scenarios (:class:`Scenario`) rather than file names, so a notebook can
change a scenario in Python (``dataclasses.replace``) and run it again.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.engines.results import EngineResult
from simulation.model.catalogue import REGISTRY
from simulation.workflow import compare as cmp
from simulation.workflow import economics, shipped
from simulation.workflow.runner import RunResult, run_scenario
from simulation.workflow.scenarios import Scenario, load
from simulation.workflow.uncertainty import Chance, chance_benefits_exceed_costs


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A scenario from a file, or a shipped scenario by name.

    Parameters
    ----------
    name_or_path : str or Path
        A path to a TOML file, or the name of a shipped scenario such as ``"baseline"`` or
        ``"early_intervention"`` (looked up in ``./scenarios`` first, then in the package).

    Raises
    ------
    ScenarioError
        With one line per problem in the file (or its ``extends`` chain).

    Examples
    --------
    >>> import simulation as s
    >>> early = s.load_scenario("early_intervention")
    >>> early.name, [Path(f).name for f in early.chain]
    ('early_intervention', ['calibrated.toml', 'baseline.toml', 'early_intervention.toml'])
    """
    return load(shipped.scenario_path(name_or_path))


def run(scenario: Scenario, progress: bool = False, **run_settings) -> RunResult:
    """Run a scenario with its engine and build its tables (nothing is written).

    Parameters
    ----------
    scenario : Scenario
        What to run.
    progress : bool
        Show a progress bar (agent-based engine).
    **run_settings
        Fields of its ``[run]`` table to replace, e.g. ``engine="abm", scale=0.05, seed=1``
        or ``end_year=2030``, ``resolution="municipal"``.

    Returns
    -------
    RunResult
        The scenario as run, every parameter value, the engine's result, the monthly time
        series (``.timeseries``, ``.national``), the summary and the yearly ``.accounts()``.
    """
    if run_settings:
        scenario = replace(scenario, run=replace(scenario.run, **run_settings))
    return run_scenario(scenario, progress=progress)


@dataclass
class ComparisonResult:
    """Scenarios run with paired random numbers and valued against the first.

    Attributes
    ----------
    comparison : simulation.workflow.compare.Comparison
        Yearly accounts of every scenario and replicate.
    discount_rate : float
        Annual rate money is discounted at.
    base_year : int
        Year values are discounted to.
    draws : simulation.reports.comparison.Draws, optional
        Values over history-matched parameter draws, one row per scenario and draw
        (``draws.values``; sample 0 the central run).
    """

    comparison: cmp.Comparison
    discount_rate: float
    base_year: int
    draws: object | None = None

    @property
    def names(self) -> list[str]:
        """The scenarios' names, the reference first."""
        return self.comparison.names

    def values(self) -> pd.DataFrame:
        """The value of every scenario against the first, one row per scenario and replicate.

        NPV, benefits, costs, BCR, IRR, break-even; children_placed_avoided counts children.
        """
        return cmp.values(self.comparison, self.discount_rate, self.base_year)

    def accounts(self, name: str) -> pd.DataFrame:
        """Yearly public accounts of one scenario (mean over replicates)."""
        return self.comparison.mean_accounts(name)

    def by_outcome(self) -> pd.DataFrame:
        """Present value of the benefits by scenario, outcome and payer (mean over replicates).

        Columns ``scenario, outcome, payer, pv_eur`` (and the 90% interval and the value per
        family-year and child-year served); ``pv_eur`` adds up to each scenario's benefits.
        """
        from simulation.reports.comparison import outcome_table

        return outcome_table(self.comparison, self.discount_rate, self.base_year)

    def net_benefit(self) -> pd.DataFrame:
        """Cumulative discounted net benefit of each scenario against the first, by year."""
        return cmp.cumulative_net_benefit(self.comparison, self.discount_rate, self.base_year)

    def __str__(self) -> str:
        from simulation.reports.comparison import value_table

        return "\n".join(
            value_table(
                self.comparison, self.values(), self.discount_rate, self.base_year, self.draws
            )
        )


def compare(
    *scenarios: Scenario,
    engine: str = "sd",
    replicates: int | None = None,
    seed: int | None = None,
    scale: float | None = None,
    discount_rate: float | None = None,
    base_year: int | None = None,
    samples: int | None = None,
) -> ComparisonResult:
    """Run scenarios with paired random numbers and value each against the first.

    The SD engine gives the central run (every parameter at its best estimate); with
    ``samples`` the scenarios are also valued over that many history-matched parameter draws
    (the briefing's, seed 20261122), and ``print`` shows their median, 90% interval and the
    chance that benefits exceed costs with its Monte Carlo error.

    Parameters
    ----------
    *scenarios : Scenario
        Two or more; the first is the reference.
    engine : {"sd", "abm"}
    replicates : int, optional
        Agent-based engine: paired runs per scenario (default 10).
    seed, scale : optional
        Agent-based engine: root seed and share of families simulated.
    discount_rate : float, optional
        Annual rate (default: the reference's ``discount_rate``).
    base_year : int, optional
        Year values are discounted to (default: the first year the scenarios differ).
    samples : int, optional
        SD engine: history-matched parameter draws to value the scenarios over (at least 20;
        1,000 is the briefing's default).
    """
    if len(scenarios) < 2:
        raise ValueError("compare needs at least two scenarios")
    if samples and engine != "sd":
        raise ValueError("samples values parameter draws with the sd engine")
    replicates = replicates or (10 if engine == "abm" else 1)
    comparison = cmp.run_comparison(
        scenarios, engine=engine, replicates=replicates, seed=seed, scale=scale
    )
    if discount_rate is None:
        discount_rate = float(scenarios[0].resolved_parameters()["discount_rate"])
    if base_year is None:
        base_year = cmp.first_difference_year(comparison)
    draws = None
    if samples:
        from simulation.reports.comparison import monte_carlo
        from simulation.reports.ensemble import DRAWS_SEED

        draws = monte_carlo(
            scenarios, discount_rate, base_year, samples, DRAWS_SEED, shipped.targets_path()
        )
    return ComparisonResult(comparison, discount_rate, base_year, draws)


@dataclass
class EnsembleResult:
    """The Monte Carlo value of a scenario: one row of values per run, and their summary.

    Attributes
    ----------
    values : DataFrame
        Per task (sample and replicate): the parameter values and NPV, BCR, benefits, costs,
        break-even year, placements (families) and child-years in care avoided.
    summary : DataFrame
        Per value (``children_placed_avoided`` counts children): the central run, the
        median and 90% interval, the mean, the runs it rests on and the Monte Carlo
        standard error of the mean (``summary.csv`` of ``prevsim ensemble``).
    bands : DataFrame
        Yearly quantiles of children placed, child-years in care, family-years in risk and
        the cumulative net benefit, per role.
    failures : DataFrame
        Tasks that failed, with their error.
    report : list of str
        The lines ``prevsim ensemble`` prints (``print(result)``).
    """

    values: pd.DataFrame
    summary: pd.DataFrame
    bands: pd.DataFrame
    failures: pd.DataFrame
    report: list[str]

    @property
    def chance(self) -> Chance:
        """The chance that benefits exceed costs: runs with NPV > 0, of how many runs.

        ``.p`` is the share, ``.standard_error`` its Monte Carlo standard error
        ``sqrt(p (1 - p) / runs)``; the same definition as ``prevsim ensemble`` and the
        briefing.
        """
        return chance_benefits_exceed_costs(self.values["npv"])

    @property
    def chance_benefits_exceed_costs(self) -> float:
        """Share of runs whose NPV is positive (WSIPP's measure of risk): ``chance.p``."""
        return self.chance.p

    def __str__(self) -> str:
        return "\n".join(self.report)


def ensemble(
    scenario: Scenario,
    against: Scenario | None = None,
    scheduler: str = "serial",
    workers: int = 1,
    out: str | Path | None = None,
    draws: str | None = None,
    **settings,
) -> EnsembleResult:
    """Value a scenario against a baseline over parameter samples (and replicates).

    Parameters
    ----------
    scenario : Scenario
        What is valued.
    against : Scenario, optional
        The baseline (default: the shipped ``baseline``).
    scheduler : str
        ``serial`` (default here), ``processes``, ``local`` or ``tcp://HOST:PORT``.
    workers : int
        Processes or Dask workers.
    out : str or Path, optional
        Results root folder to keep the task store in (resumable); default: a temporary one.
    draws : {"history-matched", "ranges"}, optional
        ``history-matched`` (the default, as ``prevsim ensemble`` and the briefing): draws
        over the registry ranges kept when their past matches the national data, ``samples``
        of them (default 1,000) from the seed ``seed`` (default 20261122, the briefing's);
        ``ranges``: every draw over the registry ranges (the default with ``names``,
        ``posterior`` or ``table``).
    **settings
        Fields of :class:`simulation.workflow.ensembles.EnsembleSettings`: ``samples``,
        ``replicates``, ``seed``, ``engine``, ``scale``, ``names``, ``posterior``,
        ``discount_rate``, ``base_year``, and ``table`` (draws to run as they are).
    """
    from simulation.reports import ensemble as report
    from simulation.workflow import ensembles as ens

    baseline = against if against is not None else load_scenario("baseline")
    targets = shipped.targets_path()
    settings = report.draw_settings(scenario, baseline, draws, settings, targets)
    with tempfile.TemporaryDirectory(prefix="prevsim-ensemble-") as tmp:
        root = Path(out) if out is not None else Path(tmp)
        plan = ens.plan(scenario, baseline, settings, root)
        store, _, _ = ens.run(plan, scheduler, workers)
        with store:
            report.write_summaries(plan, store, "en")
        values = store.read("values")
        found = not values.empty
        return EnsembleResult(
            values=values,
            summary=pd.read_csv(plan.folder / "summary.csv") if found else pd.DataFrame(),
            bands=pd.read_parquet(plan.folder / "bands.parquet") if found else pd.DataFrame(),
            failures=store.failures(),
            report=report.summary_lines(plan),
        )


def evaluate(
    scenario: Scenario,
    values: Mapping[str, Sequence[float]],
    outcome: str = "npv",
    against: Scenario | None = None,
    by_year: bool = False,
) -> np.ndarray:
    """An outcome of ``scenario`` for many parameter sets in one batched SD run.

    Parameters
    ----------
    scenario : Scenario
    values : mapping of str to sequence
        Parameter name -> one value per parameter set (all of the same length).
    outcome : str
        ``npv``, ``placements_avoided``, ``child_years_in_care_avoided`` (these need
        ``against``), ``child_years_in_care`` or ``total_cost``.
    against : Scenario, optional
        The baseline of outcomes valued against one.
    by_year : bool
        Return the outcome accumulated to each year's end, shape ``(sets, years)``.

    Examples
    --------
    >>> import simulation as s
    >>> npv = s.evaluate(s.load_scenario("early_intervention"),
    ...                  {"onset_rate": [0.04, 0.06]}, against=s.load_scenario("baseline"))
    >>> npv.shape
    (2,)
    """
    from simulation.analysis.evaluation import Question
    from simulation.analysis.evaluation import evaluate as batched

    names = list(values)
    x = np.column_stack([np.asarray(values[n], float) for n in names])
    return batched(names, x, Question(scenario, outcome, against), by_year=by_year)


def sensitivity(scenario: Scenario, against: Scenario | None = None, progress=None, **settings):
    """Global sensitivity analysis (SALib) of an outcome over the uncertain parameters.

    Parameters
    ----------
    scenario, against : Scenario
        The scenario, and the baseline for outcomes valued against one.
    progress : callable, optional
        Called with the number of rows evaluated.
    **settings
        Fields of :class:`simulation.analysis.sensitivity.StudySettings`: ``method``
        (sobol, morris, pawn), ``n``, ``outcome``, ``seed``, ``names``, ``engine``, ...

    Returns
    -------
    simulation.analysis.sensitivity.Study
        Samples (``x``), outcomes (``y``), the indices table (``indices``), convergence.
    """
    from simulation.analysis.sensitivity import StudySettings, run_study

    if "names" in settings and settings["names"] is not None:
        settings["names"] = tuple(settings["names"])
    return run_study(scenario, against, StudySettings(**settings), progress or (lambda _: None))


def load_targets(path: str | Path | None = None):
    """A calibration targets file (default: the shipped ``calibration/targets.toml``)."""
    from simulation.analysis.targets import load as load_file

    return load_file(path if path is not None else shipped.targets_path())


def calibrate(targets, holdout_from: int | None = None, workers: int = 1, **settings):
    """Fit the free parameters of ``targets`` to its data: point fit, posterior, checks.

    Parameters
    ----------
    targets : Targets
        From :func:`load_targets`.
    holdout_from : int, optional
        Fit only data before this year; report the error on the later points.
    workers : int
        Processes for the point fit's starts.
    **settings
        Replacements of the file's sampler settings: ``starts``, ``walkers``, ``steps``,
        ``burn``, ``thin``, ``seed``, ``predictive_draws``, ``abm_replicates``.

    Returns
    -------
    simulation.analysis.calibration.Calibration
        ``.table`` (fitted parameters), ``.posterior``, ``.predictive`` (points and bands).
    """
    from simulation.analysis.calibration import run_calibration

    return run_calibration(targets, holdout_from, settings, workers=workers)


def predict(targets, scenario: Scenario | None = None, values: Mapping | None = None):
    """The model's value at every data point of ``targets``.

    The model runs with the scenario's parameters (default: the targets' own scenario) and any
    ``values`` replacing free parameters.

    Returns
    -------
    DataFrame
        The data points (target, year, value, quality, sigma, ...) with ``model`` and
        ``error`` (model / data - 1).
    """
    from simulation.analysis.calibration import Problem
    from simulation.analysis.targets import points_frame

    problem = Problem(targets, scenario if scenario is not None else load(targets.scenario))
    current = dict(zip(problem.names, problem.current(), strict=True))
    current.update(values or {})
    points = points_frame(targets.points)
    points["model"] = problem.predict(np.array([current[n] for n in problem.names]))[0]
    points["error"] = points["model"] / points["value"] - 1.0
    return points


def accounts(result: EngineResult, scenario: Scenario) -> pd.DataFrame:
    """Yearly public accounts of an engine's result run with ``scenario``'s parameters.

    For models built directly, e.g. a :class:`FamilyWelfareModel` with another allocation
    rule.
    """
    return economics.yearly_accounts(result, scenario.resolved_parameters())


def summary(result) -> str:
    """The printed report of a result.

    A run's headline, a comparison's value table, a sensitivity study's leaders or a
    calibration's fit.
    """
    from simulation.analysis.calibration import Calibration
    from simulation.analysis.sensitivity import Study

    if isinstance(result, Calibration):
        from simulation.reports.calibration import summary_lines

        return "\n".join(summary_lines(result))
    if isinstance(result, Study):
        from simulation.reports.sensitivity import summary_lines

        return "\n".join(summary_lines(result))
    return str(result)


def write(result: RunResult | ComparisonResult, out: str | Path = "results", lang: str = "lt"):
    """Write a run's or a comparison's results folder as the command line does; return the folder.

    The folder holds the tables, charts and manifest.
    """
    from simulation.workflow.store import Output

    where = Output(root=Path(out), lang=lang, command="simulation.write")
    if isinstance(result, ComparisonResult):
        from simulation.reports.comparison import write_comparison

        folder, _ = write_comparison(
            result.comparison, result.discount_rate, result.base_year, where, result.draws
        )
        return folder
    from simulation.reports.run import write_run

    return write_run(result, where)


__all__ = [
    "REGISTRY",
    "ComparisonResult",
    "EnsembleResult",
    "accounts",
    "calibrate",
    "compare",
    "ensemble",
    "evaluate",
    "load_scenario",
    "load_targets",
    "predict",
    "run",
    "sensitivity",
    "summary",
    "write",
]
