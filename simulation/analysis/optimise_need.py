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

from simulation.analysis import allocation as al
from simulation.analysis import budget_split as bs
from simulation.analysis import optimise as op
from simulation.analysis.evaluation import mean_se
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
    split: bs.Split | None = None

    @property
    def shares(self) -> np.ndarray:
        """Each band's share of the children (policy year)."""
        return self.table.groupby("band")["children_share"].sum().to_numpy()

    @property
    def multiples(self) -> np.ndarray:
        """Each band's budget per child as a multiple of the national (1 without a split)."""
        return bs.proportional(len(self.need)) if self.split is None else self.split.multiples

    def chosen(self, band: int) -> dict[str, np.ndarray]:
        """Band ``band``'s (0-based) mix at its budget, over every draw (outcome -> values)."""
        if self.split is None:
            return self.results[band].values["optimal"]
        return self.split.values[band]


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
    split: bool = True,
) -> op.Result:
    """The national optimisation, and one per need band when municipalities differ in need.

    The national result is :func:`~simulation.analysis.optimise.optimise`'s, unchanged; its
    ``bands`` holds the bands (:class:`NeedBands`). Without a need file (one band of need
    1) the band's result is the national one, and nothing more runs. A Pareto search runs
    per band for NPV only. With ``split`` and more than one band, the national budget is
    then split between the bands (:func:`split_budget`).
    """
    result = op.optimise(problem, settings, progress)
    found = plan(problem, bands)
    if found.source == SIZE_ONLY:
        found.results = [result]
    else:
        single = replace(settings, objective=_band_objective(settings))
        found.results = [
            op.optimise(band_problem(problem, r), single, progress) for r in found.need
        ]
        if split and len(found.need) > 1:
            found.split = split_budget(found, single, progress)
    result.bands = found
    return result


def _band_objective(settings: op.Settings) -> str:
    return "npv" if settings.objective == "pareto" else settings.objective


def split_budget(
    found: NeedBands, settings: op.Settings, progress: Callable[[int], None] = lambda _: None
) -> bs.Split:
    """The budget per child of each band that maximises the national mean outcome.

    Each band's mix (its search's best, kept fixed) is valued at every multiple of
    :data:`~simulation.analysis.budget_split.GRID` on the search draws (one batched call a
    band), the split is chosen on those curves (:func:`~simulation.analysis.budget_split.
    best_split`), and each band's mix at its multiple is valued on every draw. The outcome
    is the bands' searches' (NPV, or placements avoided); ``progress`` twice per band.
    """
    outcome = op.objective_outcome(settings.objective)
    curves = []
    for res in found.results:
        draws = al.draws_frame(res.problem.draws, settings.search_draws)
        evaluator = op.evaluator_for(res.problem, draws, settings.paid)
        curves.append(bs.curves_for(evaluator, res.allocations["optimal"], outcome))
        progress(1)
    grid = np.array(bs.GRID)
    multiples = bs.best_split(found.shares, grid, np.array(curves), settings.seed)
    values, central = [], []
    for res, m in zip(found.results, multiples, strict=True):
        if m == 1.0:  # the band's own valuation is the mix at the national budget per child
            values.append(res.values["optimal"])
            central.append(res.central["optimal"])
            progress(1)
            continue
        scaled = {"split": bs.Scaled(res.allocations["optimal"], float(m))}
        v, c = op.value_everywhere(res.problem, scaled, progress, settings.paid)
        values.append(v["split"])
        central.append(c["split"])
    return bs.Split(grid, np.array(curves), outcome, multiples, values, central)


def steps(found: NeedBands, generations: int, split: bool = True) -> int:
    """Progress steps of the band searches beyond the national one (none without need).

    Each band: a generation a step (and the first population), each reference valued, and
    with ``split`` (more than one band) its curve and its valuation at its budget.
    """
    if found.source == SIZE_ONLY:
        return 0
    extra = 2 if split and len(found.need) > 1 else 0
    return len(found.need) * (generations + 1 + len(op.REFERENCES) + extra)


def _children(result: op.Result) -> float:
    """The country's children in the policy year."""
    country = result.problem.scenario.run.country
    return float(country_demography(country).children_at(result.problem.year))


def band_gains(result: op.Result) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Each band's unit's gains (EUR, a national-sized unit) and the national ones per draw.

    ``gain_over_today`` and ``gain_over_uniform``: the band's mix at its budget against the
    reference at the children-proportional budget; ``gain_of_split``: against its own mix
    at the children-proportional budget (0 without a split). Returns the units' means and
    standard errors (one row a band; a band's part is times its children share) and, per
    gain, the national gain on each draw (the bands' parts on the same draws summed: they
    are paired).
    """
    nb: NeedBands = result.bands
    rows, national = [], {}
    for b, (res, s) in enumerate(zip(nb.results, nb.shares, strict=True)):
        npv, row = nb.chosen(b)["npv"], {}
        for name, ref in (("today", "today"), ("uniform", "uniform"), ("split", "optimal")):
            key = f"gain_of_{name}" if name == "split" else f"gain_over_{name}"
            diff = npv - res.values[ref]["npv"]
            row[key], row[f"{key}_se"] = mean_se(diff)
            national[key] = national.get(key, 0.0) + s * diff
        rows.append(row)
    return pd.DataFrame(rows, index=pd.RangeIndex(1, len(rows) + 1, name="band")), national


def bands_frame(result: op.Result) -> pd.DataFrame:
    """One row per band and a ``total`` row: need, budget, mix, gains (EUR).

    ``budget_multiplier`` is a band's budget per child over the national one; ``budget``
    (million EUR a year) is children share x multiplier x the national budget, and
    ``budget_per_child`` EUR a year. A band's gains are its unit's (a national-sized unit)
    times its children share; the total is their sum, its standard error paired over the
    draws.
    """
    nb: NeedBands = result.bands
    budget, per_child = result.problem.budget, result.problem.budget * 1e6 / _children(result)
    rows = {}
    for b, (r, res, s, m) in enumerate(
        zip(nb.need, nb.results, nb.shares, nb.multiples, strict=True), 1
    ):
        best = res.allocations["optimal"]
        row = {"need": r, "children_share": s, "budget_multiplier": m, "budget": budget * s * m}
        row["budget_per_child"] = per_child * m
        row.update({f"share.{n}": v for n, v in zip(PROGRAMME_NAMES, best.shares, strict=True)})
        row.update({f"ngo_share.{line}": v for line, v in zip(SERVICES, best.ngo, strict=True)})
        rows[b] = row
    gains, national = band_gains(result)
    frame = pd.DataFrame.from_dict(rows, orient="index").join(gains.mul(nb.shares, axis=0))
    frame.index.name = "band"
    total = {"need": float(frame["need"] @ frame["children_share"])}
    total.update({k: frame[k].sum() for k in ("children_share", "budget")})
    total["budget_multiplier"] = total["budget"] / budget
    total["budget_per_child"] = per_child * total["budget_multiplier"]
    for key, diff in national.items():
        total[key], total[f"{key}_se"] = mean_se(diff)
    frame.index = frame.index.astype(object)
    frame.loc["total"] = pd.Series(total)
    return frame


def municipal_table(result: op.Result) -> pd.DataFrame:
    """Each municipality's allocation (its band's mix x its budget) and its gains.

    A municipality's budget (million EUR a year) is its children share x its band's
    multiplier x the national budget; its gains (EUR) are its band's gain per child x its
    children (apportioned within the band). Largest first.
    """
    nb: NeedBands = result.bands
    table = nb.table
    share = table["children_share"].to_numpy()
    band = table["band"].to_numpy() - 1
    mixes = np.array([res.allocations["optimal"].shares for res in nb.results])[band]
    budget = result.problem.budget * share * nb.multiples[band]
    out = pd.DataFrame(
        {f"budget.{n}": budget * mixes[:, i] for i, n in enumerate(PROGRAMME_NAMES)},
        index=table.index,
    )
    out.insert(0, "budget", budget)
    out.insert(0, "children_share", share)
    gains, _ = band_gains(result)
    for ref in ("today", "uniform"):
        out[f"gain_over_{ref}"] = gains[f"gain_over_{ref}"].to_numpy()[band] * share
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
    return lines + split_lines(result, frame)


def split_lines(result: op.Result, frame: pd.DataFrame) -> list[str]:
    """The budget split between the bands, a sentence a band, and what it gains."""
    nb: NeedBands = result.bands
    if nb.split is None:
        return [
            "  budget per child: the same in every band ("
            + ("one band" if len(nb.need) == 1 else "the split was not searched")
            + f", {frame.loc['total', 'budget_per_child']:,.0f} EUR a child a year)"
        ]
    sp, settings = nb.split, result.settings
    aim = "NPV" if sp.outcome == "npv" else "placements avoided (families)"
    lines = [
        f"Budget split between the bands (each band's mix kept; the mean {aim} on "
        f"{min(settings.search_draws, len(result.problem.draws))} draws, budget per child "
        f"{sp.grid[0]:g} to {sp.grid[-1]:g} times the national):"
    ]
    for b in frame.index[:-1]:
        row = frame.loc[b]
        lines.append(
            f"  band {b} gets {row['budget_multiplier']:.2f} times the national budget per "
            f"child: {row['budget_per_child']:,.0f} EUR a child a year, "
            f"{row['budget']:.2f} million EUR a year ({row['children_share']:.1%} of the "
            f"children, {row['budget'] / result.problem.budget:.1%} of the money)."
        )
    gain, se = frame.loc["total", "gain_of_split"], frame.loc["total", "gain_of_split_se"]
    verdict = (
        "within noise (less than two standard errors): need-weighting the money does not "
        "measurably pay"
        if bs.within_noise(gain, se)
        else ("need-weighting the money pays" if gain > 0 else "the split loses")
    )
    lines.append(
        f"  gain of the split over the children-proportional one: {gain / 1e6:.1f} ± "
        f"{se / 1e6:.1f} M EUR NPV (paired over {len(result.problem.draws):,} draws): {verdict}"
    )
    return lines
