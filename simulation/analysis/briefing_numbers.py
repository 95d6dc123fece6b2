"""The numbers behind a ministry briefing, computed once and written to files.

Every number a briefing prints comes from the tables built here and written to its folder
(``key_numbers.csv`` and the others below); the text is generated from these tables, never
computed separately, and a test reads both.

The uncertainty is the history-matched Monte Carlo of :mod:`simulation.analysis.monte_carlo`
(one batched SD call per scenario; column 0 is the central run).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.analysis.monte_carlo import (  # noqa: F401 (CUTOFF: the briefing's cut-off)
    CUTOFF,
    DEFAULT_KEPT,
    Batch,
    central_comparison,
    column,
    common_horizon,
    implausibility,
    plausible_draws,
    run_batch,
    with_central_row,
    years_of,
)
from simulation.model.catalogue import REGISTRY
from simulation.model.services import COST_ITEMS
from simulation.workflow import compare as cmp
from simulation.workflow import economics as ec
from simulation.workflow import ensembles as ens
from simulation.workflow.economics import yearly_arrays
from simulation.workflow.scenarios import Scenario

#: Key numbers, in the order a briefing shows them: (measure, unit).
MEASURES = (
    ("npv", "EUR"),
    ("bcr", "ratio"),
    ("break_even_year", "year"),
    ("children_placed_avoided", "children"),
    ("child_years_in_care_avoided", "child-years"),
    ("benefits", "EUR"),
    ("costs", "EUR"),
)
#: Stock outputs drawn against national data: (output, unit).
TRAJECTORIES = (
    ("children.institutional_care", "children"),
    ("children.family_care", "children"),
    ("families.risk", "families"),
)
QUANTILES = {"p05": 0.05, "median": 0.5, "p95": 0.95}


@dataclass
class BriefResults:
    """Everything a briefing shows, as tables (each written to ``<name>.csv``).

    Attributes
    ----------
    baseline : Scenario
    scenarios : list of Scenario
        The scenarios valued against the baseline.
    rate : float
        Annual discount rate (1/yr).
    base_year : int
        Year values are discounted to: the first year any scenario differs from the baseline.
    end_year : int
        Last year of the horizon.
    varied : list of str
        Parameters the Monte Carlo varies.
    samples : int
        Monte Carlo draws made over the registry ranges (besides the central run).
    plausible : int
        Samples kept by history matching (all of them without a targets file).
    seed : int
    key_numbers : DataFrame
        Per scenario and measure: ``central``, ``p05``, ``median``, ``p95`` (over the samples
        with a value), ``runs`` (samples with a value) and ``share`` (share of samples with a
        value, e.g. that break even); plus ``chance_benefits_exceed_costs``, with its Monte
        Carlo 90% interval, standard error ``mc_error`` and rule-of-three bound ``bound_95``.
    values : DataFrame
        Per scenario and sample (sample 0 is the central run): the :data:`MEASURES`, the
        sample's second-largest ``implausibility``, whether it is ``plausible``, and the
        varied parameters' values.
    trajectories : DataFrame
        Per role (``baseline`` or a scenario name), output and decimal year: ``central`` and
        the :data:`QUANTILES`.
    net_benefit : DataFrame
        Per scenario and year: cumulative discounted net benefit, EUR, ``central`` and
        quantiles.
    placements : DataFrame
        Per role and year: children placed, ``central`` and quantiles.
    costs : DataFrame
        Central public cost per role, year and cost item (``item``), EUR.
    municipalities : DataFrame
        Central, per scenario and municipality: children aged 0-17 (``children``), children
        placed avoided over the horizon and per 1,000 children, NPV (EUR).
    by_outcome : DataFrame
        Central run, per scenario, outcome and payer: present value of the benefits
        (``pv_eur``; they add up to the central benefits), and the central ``costs``.
    sensitivity : DataFrame
        Per scenario and varied parameter: RBD-FAST first-order index of the NPV (``S1``)
        and its 95% confidence half-width (``S1_conf``), most influential first.
    data_points : DataFrame
        National data drawn with the trajectories: output, decimal year, value, series,
        quality and source.
    """

    baseline: Scenario
    scenarios: list[Scenario]
    rate: float
    base_year: int
    end_year: int
    varied: list[str]
    samples: int
    plausible: int
    seed: int
    key_numbers: pd.DataFrame
    values: pd.DataFrame
    trajectories: pd.DataFrame
    net_benefit: pd.DataFrame
    placements: pd.DataFrame
    costs: pd.DataFrame
    municipalities: pd.DataFrame
    sensitivity: pd.DataFrame
    data_points: pd.DataFrame
    by_outcome: pd.DataFrame

    TABLES = (
        "key_numbers",
        "values",
        "trajectories",
        "net_benefit",
        "placements",
        "costs",
        "municipalities",
        "sensitivity",
        "data_points",
        "by_outcome",
    )

    def number(self, scenario: str, measure: str, stat: str = "central") -> float:
        """One key number, e.g. ``number("early_intervention", "npv", "p05")``."""
        row = self.key_numbers[
            (self.key_numbers["scenario"] == scenario) & (self.key_numbers["measure"] == measure)
        ]
        if len(row) != 1:
            raise KeyError(f"no key number {measure!r} for scenario {scenario!r}")
        return float(row[stat].iloc[0])

    def write(self, folder: Path) -> list[str]:
        """Write every table as CSV to ``folder``; return the file names."""
        names = []
        for name in self.TABLES:
            getattr(self, name).to_csv(Path(folder) / f"{name}.csv", index=False)
            names.append(f"{name}.csv")
        return names


# ---- values --------------------------------------------------------------------------------
def sample_values(scen: Batch, base: Batch, rate: float, base_year: int) -> pd.DataFrame:
    """The :data:`MEASURES` of the scenario against the baseline, one row per sample."""
    years = years_of(base)
    rows = []
    for k in range(scen.yearly["total_cost"].shape[1]):
        s, b = column(scen.yearly, k), column(base.yearly, k)
        value = ec.value_against(years, s, b, rate, base_year)
        rows.append(
            {
                "scenario": scen.scenario.name,
                "sample": k,
                "npv": value.npv,
                "bcr": value.bcr,
                "break_even_year": (
                    np.nan if value.break_even_year is None else float(value.break_even_year)
                ),
                "children_placed_avoided": float(
                    b["children_placed"].sum() - s["children_placed"].sum()
                ),
                "child_years_in_care_avoided": value.child_years_in_care_avoided,
                "benefits": value.benefits,
                "costs": value.costs,
            }
        )
    return pd.DataFrame(rows)


def key_numbers(values: pd.DataFrame) -> pd.DataFrame:
    """Central value and the spread over the Monte Carlo samples of each measure.

    ``p05``, ``median`` and ``p95`` are over the plausible samples (sample > 0) that have a
    value: a break-even year exists only for the samples that break even within the horizon,
    and ``share`` says how many do.
    """
    rows = []
    for name, group in values.groupby("scenario", sort=False):
        central = group[group["sample"] == 0].iloc[0]
        drawn = group[(group["sample"] > 0) & group["plausible"]]
        for measure, unit in MEASURES:
            x = drawn[measure].dropna().to_numpy(float)
            q = np.quantile(x, list(QUANTILES.values())) if x.size else [np.nan] * 3
            rows.append(
                {
                    "scenario": name,
                    "measure": measure,
                    "unit": unit,
                    "central": float(central[measure]),
                    **dict(zip(QUANTILES, map(float, q), strict=True)),
                    "runs": int(x.size),
                    "share": x.size / len(drawn),
                }
            )
        chance = float((drawn["npv"] > 0).mean())
        low, high = ens.chance_interval(chance, n := max(len(drawn), 1))
        error = float(np.sqrt(chance * (1.0 - chance) / n))  # 0 when none or all gain (then:
        bound = 3.0 / n if chance == 0 else 1.0 - 3.0 / n if chance == 1 else np.nan  # 3/n)
        rows.append(
            {
                "scenario": name,
                "measure": "chance_benefits_exceed_costs",
                "unit": "share",
                "central": chance,
                # the Monte Carlo 90% interval of the chance itself (its sampling error)
                **{"p05": low, "median": np.nan, "p95": high},
                "runs": len(drawn),
                "share": 1.0,
                "mc_error": error,
                "bound_95": bound,
            }
        )
    return pd.DataFrame(rows)


def _spread(
    role: str, key: str, times: np.ndarray, values: np.ndarray, keep: np.ndarray, **ids
) -> pd.DataFrame:
    """Central value and quantiles of ``values (T, K)``.

    The central value is column 0; the quantiles are over the kept samples (``keep``,
    columns 1..).
    """
    drawn = values[:, keep] if keep.any() else values[:, :1]
    frame = pd.DataFrame({"role": role, **ids, key: times, "central": values[:, 0]})
    for stat, q in QUANTILES.items():
        frame[stat] = np.quantile(drawn, q, axis=1)
    return frame


def trajectories(batches: Sequence[Batch], keep: np.ndarray) -> pd.DataFrame:
    """Stock outputs over time (quarterly), central and quantiles, for every role."""
    from simulation.workflow.tables import stock_series

    parts = []
    for role, batch in zip(_roles(batches), batches, strict=True):
        for output, _ in TRAJECTORIES:
            values = stock_series(batch.result, batch.params, output)
            parts.append(_spread(role, "time", batch.result.times, values, keep, output=output))
    return pd.concat(parts, ignore_index=True)


def _roles(batches: Sequence[Batch]) -> list[str]:
    return ["baseline", *(b.scenario.name for b in batches[1:])]


def net_benefit(
    base: Batch, scens: Sequence[Batch], rate: float, base_year: int, keep: np.ndarray
) -> pd.DataFrame:
    """Cumulative discounted net benefit by year from ``base_year``, EUR."""
    years = years_of(base)
    shown = years >= base_year
    parts = []
    for scen in scens:
        cumulative = ec.cumulative_net_benefit(
            scen.yearly, base.yearly, years, rate, base_year, start=base_year
        )
        parts.append(
            _spread(scen.scenario.name, "year", years[shown], cumulative[shown], keep).rename(
                columns={"role": "scenario"}
            )
        )
    return pd.concat(parts, ignore_index=True)


def placements(batches: Sequence[Batch], keep: np.ndarray) -> pd.DataFrame:
    """Children placed in care per year, central and quantiles, for every role."""
    return pd.concat(
        [
            _spread(role, "year", years_of(b), b.yearly["children_placed"], keep)
            for role, b in zip(_roles(batches), batches, strict=True)
        ],
        ignore_index=True,
    )


def costs(batches: Sequence[Batch]) -> pd.DataFrame:
    """Central public cost per year and cost item (services by provider, training, care)."""
    rows = []
    for role, b in zip(_roles(batches), batches, strict=True):
        for item in COST_ITEMS:
            frame = pd.DataFrame(
                {
                    "role": role,
                    "year": years_of(b),
                    "item": item,
                    "eur": b.yearly[f"cost.{item}"][:, 0],
                }
            )
            rows.append(frame)
    return pd.concat(rows, ignore_index=True)


# ---- municipalities, sensitivity, data -----------------------------------------------------
def municipalities(
    baseline: Scenario, scenarios: Sequence[Scenario], rate: float, base_year: int
) -> pd.DataFrame:
    """Central value of each scenario in each municipality (region) of its country.

    Municipal resolution: children placed avoided (total and per 1,000 children aged 0-17) and
    NPV.
    """
    from simulation.model.demography import country_children

    children = country_children(baseline.run.country)
    latest = children[children.columns.max()]
    table = pd.DataFrame([{}])  # one central sample: every parameter at its best estimate
    base = run_batch(baseline, table, "municipal")
    years = years_of(base)
    rows = []
    for sc in scenarios:
        scen = run_batch(sc, table, "municipal")
        for m, name in enumerate(base.result.municipalities):
            b = yearly_arrays(base.result.municipality(m), base.params)
            s = yearly_arrays(scen.result.municipality(m), scen.params)
            value = ec.value_against(years, column(s, 0), column(b, 0), rate, base_year)
            avoided = float(b["children_placed"][:, 0].sum() - s["children_placed"][:, 0].sum())
            rows.append(
                {
                    "scenario": sc.name,
                    "municipality": name,
                    "children": float(latest[name]),
                    "children_placed_avoided": avoided,
                    "avoided_per_1000_children": 1000.0 * avoided / float(latest[name]),
                    "npv": value.npv,
                }
            )
    return pd.DataFrame(rows)


def sensitivity(values: pd.DataFrame, table: pd.DataFrame, seed: int) -> pd.DataFrame:
    """RBD-FAST first-order indices of the NPV from the plausible Monte Carlo samples.

    SALib's RBD-FAST works on any sample, so no extra runs are needed.
    """
    from SALib.analyze import rbd_fast

    names = list(table.columns)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(REGISTRY[n].range) for n in names],
    }
    parts = []
    for name, group in values.groupby("scenario", sort=False):
        kept = group[(group["sample"] > 0) & group["plausible"]]
        x = table.loc[kept["sample"]].to_numpy(float)
        # SALib's default interference M = 10 needs N > 2M runs (its bias correction divides
        # by 1 - 2M/N); fewer kept runs (the documented minimum is 20) get a smaller M
        harmonics = max(1, min(10, (len(x) - 1) // 4))
        npv = kept["npv"].to_numpy(float)
        result = rbd_fast.analyze(problem, x, npv, M=harmonics, seed=seed)
        frame = pd.DataFrame(
            {
                "scenario": name,
                "parameter": names,
                "S1": np.asarray(result["S1"], float),
                "S1_conf": np.asarray(result["S1_conf"], float),
            }
        )
        parts.append(frame.sort_values("S1", ascending=False))
    return pd.concat(parts, ignore_index=True)


def data_points(targets_path: Path | None) -> pd.DataFrame:
    """National figures of the calibration targets for the :data:`TRAJECTORIES` outputs.

    Empty when no targets file is given.
    """
    columns = ["output", "time", "value", "series", "quality", "source"]
    if targets_path is None:
        return pd.DataFrame(columns=columns)
    from simulation.analysis.targets import load

    outputs = {o for o, _ in TRAJECTORIES}
    rows = [
        {
            "output": t.stock,
            "time": p.time,
            "value": p.value,
            "series": p.series,
            "quality": p.quality,
            "source": p.source,
        }
        for t in load(targets_path).targets
        if t.stock in outputs and not t.per_family  # a per-family path counts children
        for p in t.points
    ]
    return pd.DataFrame(rows, columns=columns).sort_values(["output", "time"], ignore_index=True)


def by_outcome(base: Batch, scens: Sequence[Batch], rate: float, base_year: int) -> pd.DataFrame:
    """Central benefits by scenario, outcome and payer (WSIPP's detailed benefits), EUR."""
    years = years_of(base)
    reference = {k: v[:, 0] for k, v in base.yearly.items()}
    rows = []
    for batch in scens:
        central = {k: v[:, 0] for k, v in batch.yearly.items()}
        costs = ec.value_against(years, central, reference, rate, base_year).costs
        for outcome, payer, pv in ec.value_by_outcome(years, central, reference, rate, base_year):
            rows.append((batch.scenario.name, outcome, payer, pv, costs))
    return pd.DataFrame(rows, columns=["scenario", "outcome", "payer", "pv_eur", "costs"])


# ---- everything ----------------------------------------------------------------------------
def compute(
    baseline: Scenario,
    scenarios: Sequence[Scenario],
    samples: int = DEFAULT_KEPT,
    seed: int = 20261122,
    targets_path: Path | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> BriefResults:
    """Run the batches and build every table of a briefing.

    Parameters
    ----------
    baseline : Scenario
        What the scenarios are valued against.
    scenarios : sequence of Scenario
        One or more scenarios (names must differ from each other and from the baseline's).
    samples : int
        Monte Carlo draws kept (each is one column of the batch, for every scenario): Latin
        hypercubes are drawn until this many match the data of ``targets_path``
        (:func:`simulation.analysis.monte_carlo.plausible_draws`).
    seed : int
        Seed of the first Latin hypercube.
    targets_path : Path, optional
        Calibration targets file whose national data points the charts draw.
    """
    everyone = [baseline, *scenarios]
    names = [s.name for s in everyone]
    if len(set(names)) != len(names):
        raise ValueError("scenario names must differ: " + ", ".join(names))
    everyone = common_horizon(everyone)
    progress(f"history matching: drawing until {samples:,} draws match the national data")
    draws = plausible_draws(everyone[0], everyone[1:], samples, seed, targets_path)
    table = with_central_row(draws.table)
    batches = []
    for sc in everyone:
        progress(f"{sc.name}: {draws.kept:,} draws and the central run")
        batches.append(run_batch(sc, table))
    base, scens = batches[0], batches[1:]
    rate = float(baseline.resolved_parameters()["discount_rate"])
    base_year = cmp.first_difference_year(central_comparison(batches))
    keep = np.arange(len(table)) > 0  # every row but the central run
    distance = implausibility(base, targets_path)
    values = pd.concat([sample_values(s, base, rate, base_year) for s in scens], ignore_index=True)
    values["implausibility"] = distance[values["sample"]]
    values["plausible"] = keep[values["sample"]]
    values = values.join(table, on="sample")
    progress("municipalities")
    local = municipalities(everyone[0], everyone[1:], rate, base_year)
    progress("sensitivity")
    return BriefResults(
        baseline=everyone[0],
        scenarios=everyone[1:],
        rate=rate,
        base_year=base_year,
        end_year=everyone[0].run.end_year,
        varied=list(table.columns),
        samples=draws.drawn,
        plausible=draws.kept,
        seed=seed,
        key_numbers=key_numbers(values),
        values=values,
        trajectories=trajectories(batches, keep),
        net_benefit=net_benefit(base, scens, rate, base_year, keep),
        placements=placements(batches, keep),
        costs=costs(batches),
        municipalities=local,
        sensitivity=sensitivity(values, table, seed),
        by_outcome=by_outcome(base, scens, rate, base_year),
        data_points=data_points(targets_path),
    )
