"""The optimiser's answer per municipality when municipalities differ in need (issue 21).

The model's equations are homogeneous in a unit's size: a municipality with a share ``s`` of
the children, the same share of the budget and need index ``r`` (:mod:`simulation.model.need`)
has, per child, the outcome of a national-sized unit with need ``r`` and the whole budget. So
the best allocation per child depends on ``r`` only, not on size. The municipalities are
grouped into need bands (children-weighted quantiles of ``r``), and the existing search
(:func:`simulation.analysis.optimise.optimise`) runs once per band on a national-sized unit
with the band's mean need: the national model with its onset hazard and its initial families
beyond wellbeing (the ``initial_*`` parameters) times ``r``, as the engines treat a unit of
need ``r``. Each band gets its own programme mix; a municipality's allocation is its band's
mix times its own budget (its share of the children times the national budget, today's rule
of sharing money out), and its gains are the band's per-child gains times its children: an
apportionment within the band, not a search per municipality.

Without a need file every municipality has ``r = 1``: one band, whose search is the national
one (no extra run), and the table says that municipalities differ in size only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from simulation.analysis import optimise as op
from simulation.model.demography import Demography, country_demography
from simulation.model.services import PROGRAMME_NAMES, PROGRAMMES, SERVICES

#: The parameters a unit's need multiplies: its onset hazard (1/yr) and its initial families
#: beyond wellbeing (as :class:`simulation.engines.inputs.EngineInputs` shares them out).
NEED_PARAMETERS = (
    "onset_rate",
    "initial_risk_families",
    "initial_institution_children",
    "initial_family_care_children",
    "initial_vulnerable_share",
)
#: Need bands unless ``--need-bands`` says otherwise.
DEFAULT_BANDS = 3
SIZE_ONLY = "municipalities differ in size only (no need file): one band, need 1"


@dataclass
class NeedBands:
    """The municipalities' bands and each band's optimisation.

    Attributes
    ----------
    table : DataFrame
        One row per municipality (index): ``children_share`` (policy year), ``need`` (r) and
        ``band`` (1 = lowest need).
    need : ndarray
        Each band's children-weighted mean need.
    results : list of Result
        Each band's optimisation on a national-sized unit of its need (EUR for the whole
        country's children: a band's part is times its children share).
    source : str
        The need file, or :data:`SIZE_ONLY`.
    titles : str
        The need file's sources (its ``source_title`` column), for charts.
    """

    table: pd.DataFrame
    need: np.ndarray
    results: list[op.Result]
    source: str
    titles: str = ""

    @property
    def shares(self) -> np.ndarray:
        """Each band's share of the children (policy year)."""
        return self.table.groupby("band")["children_share"].sum().to_numpy()


def band_table(demography: Demography, year: int, bands: int) -> pd.DataFrame:
    """Each municipality's children share in ``year``, need and band (1 = lowest need).

    Bands split the municipalities sorted by need at children-weighted quantiles (a
    municipality falls in the band of its children's midpoint); empty bands are dropped, so
    with one level of need there is one band.
    """
    share = demography.shares_in(np.array([year]))[0]
    need = demography.relative_need
    order = np.argsort(need, kind="stable")
    middle = np.cumsum(share[order]) - share[order] / 2.0
    band = np.empty(len(need), int)
    band[order] = np.minimum((middle * bands).astype(int), bands - 1)
    if np.ptp(need) == 0:
        band[:] = 0
    _, band = np.unique(band, return_inverse=True)  # renumber without empty bands
    return pd.DataFrame(
        {"children_share": share, "need": need, "band": band + 1},
        index=pd.Index(demography.municipalities, name="municipality"),
    )


def band_problem(problem: op.Problem, need: float) -> op.Problem:
    """``problem`` for a national-sized unit of need ``need``: :data:`NEED_PARAMETERS` x need.

    Drawn parameters are scaled in the draws, the others in both scenarios' parameters.
    """
    draws = problem.draws.copy()
    scaled = {}
    for sc in (problem.scenario, problem.baseline):
        values = sc.resolved_parameters()
        params = {**sc.params}
        for name in NEED_PARAMETERS:
            if name not in draws.columns:
                params[name] = float(values[name]) * need
        scaled[sc.name] = replace(sc, params=params)
    for name in NEED_PARAMETERS:
        if name in draws.columns:
            draws[name] = draws[name] * need
    return replace(
        problem,
        scenario=scaled[problem.scenario.name],
        baseline=scaled[problem.baseline.name],
        draws=draws,
    )


def plan(problem: op.Problem, bands: int) -> NeedBands:
    """The bands (no results yet): the band table, each band's mean need, the sources."""
    from simulation.model.demography import data_dir
    from simulation.model.need import NEED_FILE, read_need

    country = problem.scenario.run.country
    demography = country_demography(country)
    table = band_table(demography, problem.year, bands)
    weighted = table["children_share"] * table["need"]
    grouped = weighted.groupby(table["band"]).sum() / table.groupby("band")["children_share"].sum()
    if demography.need is None:
        return NeedBands(table, grouped.to_numpy(), [], SIZE_ONLY)
    rows = read_need(data_dir(country) / NEED_FILE, demography.municipalities)
    titles = "; ".join(dict.fromkeys(rows["source_title"]))
    source = f"simulation/data/{country}/{NEED_FILE}"
    return NeedBands(table, grouped.to_numpy(), [], source, titles)


def optimise_by_need(
    problem: op.Problem,
    settings: op.Settings,
    bands: int = DEFAULT_BANDS,
    progress: Callable[[int], None] = lambda _: None,
) -> op.Result:
    """The national optimisation, and one per need band when municipalities differ in need.

    The national result is :func:`~simulation.analysis.optimise.optimise`'s, unchanged; its
    ``bands`` holds the bands (:class:`NeedBands`). Without a need file (one band of need
    1) the band's result is the national one, and nothing more runs. A Pareto search runs
    per band for NPV only.
    """
    result = op.optimise(problem, settings, progress)
    found = plan(problem, bands)
    if found.source == SIZE_ONLY:
        found.results = [result]
    else:
        objective = "npv" if settings.objective == "pareto" else settings.objective
        single = replace(settings, objective=objective)
        found.results = [
            op.optimise(band_problem(problem, r), single, progress) for r in found.need
        ]
    result.bands = found
    return result


def steps(found: NeedBands, generations: int) -> int:
    """Progress steps of the band searches beyond the national one (none without need).

    Each band: a generation a step (and the first population), and each reference valued.
    """
    if found.source == SIZE_ONLY:
        return 0
    return len(found.need) * (generations + 1 + len(op.REFERENCES))


def _gains(result: op.Result) -> dict[str, float]:
    summary = op.summary_table(result).loc["optimal"]
    return {k: float(summary[k]) for k in summary.index if k.startswith("gain_over_")}


def bands_frame(result: op.Result) -> pd.DataFrame:
    """One row per band and a ``total`` row: need, children share, mix, gains (EUR).

    A band's gains are its search's (a national-sized unit) times its children share; the
    total is their sum, with standard errors combined as independent.
    """
    nb: NeedBands = result.bands
    rows = {}
    for b, (r, res, s) in enumerate(zip(nb.need, nb.results, nb.shares, strict=True), 1):
        best = res.allocations["optimal"]
        row = {"need": r, "children_share": s, "budget": result.problem.budget * s}
        row.update({f"share.{n}": v for n, v in zip(PROGRAMME_NAMES, best.shares, strict=True)})
        row.update({f"ngo_share.{line}": v for line, v in zip(SERVICES, best.ngo, strict=True)})
        row.update({k: v * s for k, v in _gains(res).items()})
        rows[b] = row
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "band"
    total = {"need": float(frame["need"] @ frame["children_share"])}
    total.update({k: frame[k].sum() for k in ("children_share", "budget")})
    for ref in ("today", "uniform"):
        total[f"gain_over_{ref}"] = frame[f"gain_over_{ref}"].sum()
        total[f"gain_over_{ref}_se"] = float(np.sqrt((frame[f"gain_over_{ref}_se"] ** 2).sum()))
    frame.index = frame.index.astype(object)
    frame.loc["total"] = pd.Series(total)
    return frame


def municipal_table(result: op.Result) -> pd.DataFrame:
    """Each municipality's allocation (its band's mix x its budget) and its gains.

    Budgets in million EUR a year; gains in EUR, the band's per-child gain x the
    municipality's children (apportioned within the band). Largest first.
    """
    nb: NeedBands = result.bands
    table = nb.table
    share = table["children_share"].to_numpy()
    band = table["band"].to_numpy() - 1
    mixes = np.array([res.allocations["optimal"].shares for res in nb.results])[band]
    budget = result.problem.budget * share
    out = pd.DataFrame(
        {f"budget.{n}": budget * mixes[:, i] for i, n in enumerate(PROGRAMME_NAMES)},
        index=table.index,
    )
    out.insert(0, "budget", budget)
    out.insert(0, "children_share", share)
    per_unit = pd.DataFrame([_gains(res) for res in nb.results])  # per national-sized unit
    for ref in ("today", "uniform"):
        out[f"gain_over_{ref}"] = per_unit[f"gain_over_{ref}"].to_numpy()[band] * share
    out["need"] = table["need"].to_numpy()
    out["band"] = table["band"].to_numpy()
    return out.sort_values("children_share", ascending=False)


def need_lines(result: op.Result) -> list[str]:
    """The summary's lines on the bands: need, mix and the gains, and the national total."""
    nb: NeedBands = result.bands
    if nb.source == SIZE_ONLY:
        return [f"Municipalities: {SIZE_ONLY}; each gets the national mix for its children."]
    frame = bands_frame(result)
    lines = [f"Municipalities by need ({nb.source}), {len(nb.need)} bands; each its own mix:"]
    for b in frame.index[:-1]:
        row = frame.loc[b]
        top = sorted(PROGRAMMES, key=lambda p: -row[f"share.{p.name}"])[:3]
        mix = ", ".join(f"{p.label('en')} {row[f'share.{p.name}']:.0%}" for p in top)
        names = ", ".join(nb.table.index[nb.table["band"] == b])
        lines.append(
            f"  band {b} (need {row['need']:.2f}; {names}): {mix}; gain over today "
            f"{row['gain_over_today'] / 1e6:.1f} M EUR, over uniform "
            f"{row['gain_over_uniform'] / 1e6:.1f} M EUR"
        )
    total = frame.loc["total"]
    lines.append(
        f"  national total of the bands: gain over today {total['gain_over_today'] / 1e6:.1f} "
        f"± {total['gain_over_today_se'] / 1e6:.1f} M EUR, over uniform "
        f"{total['gain_over_uniform'] / 1e6:.1f} M EUR"
    )
    return lines
