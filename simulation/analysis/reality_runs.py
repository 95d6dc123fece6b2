"""Running scenario variants for the reality checks (:mod:`simulation.analysis.reality`).

Variants of a scenario (levers changed from a year, budgets removed, effects neutralised),
national SD runs of them, and what the checks read from the runs (placements, family-years,
served shares), every array summed over municipalities; and what every check shares: its
result (:class:`CheckResult`), statuses and the year its policies start.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from simulation.engines.results import EngineResult
from simulation.engines.sd import LAYOUT
from simulation.model import services as sv
from simulation.model.catalogue import REGISTRY
from simulation.model.flows import PLACEMENTS
from simulation.model.schedule import Change
from simulation.workflow.runner import sd_model
from simulation.workflow.scenarios import Scenario

PASS, FAIL, NOT_REPRESENTABLE = "pass", "fail", "not representable"
PROPERTY = "a property of the model"
#: The first year of the policy experiments (the shipped scenarios' policies start in 2027).
POLICY_YEAR = 2027
#: The capacity-constrained prevention service of the Fowler check: home visiting serves
#: families in early support (known to services), the analogue of referred families.
SERVICE = "home_visiting"
#: Relative difference read as rounding (stocks of identical runs, places x 2).
ROUNDING = 1e-9
#: The preventive programmes (the preventive funding line).
PREVENTIVE = tuple(
    name
    for name, line in zip(sv.PROGRAMME_NAMES, sv.PROGRAMME_LINE, strict=True)
    if line == sv.PREVENTIVE
)
#: Every preventive budget lever: the line's and each preventive programme's own.
PREVENTIVE_BUDGETS = ("budget.preventive", *(f"budget.{p}" for p in PREVENTIVE))


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one reality check.

    ``name`` identifies it, ``claim`` says in one sentence what the model must show,
    ``source`` is the published source or :data:`PROPERTY`, ``status`` one of :data:`PASS`,
    :data:`FAIL`, :data:`NOT_REPRESENTABLE`; ``numbers`` are the figures the verdict rests
    on (units in their names), ``summary`` one line of them, and ``note``, for a behaviour
    the model cannot show, what it lacks and what would be needed (or what the verdict
    rests on besides its source, such as an assumed parameter).
    """

    name: str
    claim: str
    source: str
    status: str
    numbers: dict[str, float] = field(default_factory=dict)
    summary: str = ""
    note: str = ""

    @property
    def failed(self) -> bool:
        """True when the model does not show a behaviour it can represent."""
        return self.status == FAIL


def national(scenario: Scenario) -> Scenario:
    """The scenario at national resolution on the SD engine (the checks' setting)."""
    return replace(scenario, run=replace(scenario.run, resolution="national", engine="sd"))


def with_changes(scenario: Scenario, year: int, values: Mapping[str, float]) -> Scenario:
    """The scenario with lever ``values`` from January of ``year`` to the end.

    The scenario's own changes of those levers in later years are dropped, so the values
    hold (a change in the same year is overridden: changes of one year apply in order).
    """
    kept = [
        c
        if c.year <= year
        else replace(c, values={k: v for k, v in c.values.items() if k not in values})
        for c in scenario.schedule
    ]
    return replace(scenario, schedule=[*kept, Change(year, dict(values))])


def run_sd(
    scenario: Scenario, batch: Mapping[str, np.ndarray] | None = None, every: int = 12
) -> EngineResult:
    """A national SD run of ``scenario`` (parameters in ``batch`` as length-K arrays)."""
    sc = national(scenario)
    blocks = ("stocks", "capacity", "graduates", "places", "flows", "stock_years", "served_years")
    return sd_model(sc, {**sc.params, **(batch or {})}).run(blocks, every=every)


def between(result: EngineResult, block: str, start: int, end: int | None = None) -> np.ndarray:
    """An integral block accumulated from January ``start`` to ``end`` (default: the end).

    Shape ``(K, width)``, summed over municipalities.
    """
    times = result.times
    i = int(np.searchsorted(times, start - 1e-9))
    j = len(times) - 1 if end is None else int(np.searchsorted(times, end - 1e-9))
    cumulative = result.saved[block].sum(axis=2)
    return cumulative[j] - cumulative[i]


def placements(result: EngineResult, start: int) -> np.ndarray:
    """Families whose children were placed from January ``start`` on, ``(K,)``."""
    return between(result, "flows", start)[:, list(PLACEMENTS)].sum(axis=-1)


def capacity_of(result: EngineResult) -> np.ndarray:
    """Capacity (EUR/yr) by saved time, set, programme and provider, national."""
    capacity = result.saved["capacity"].sum(axis=2)
    return capacity.reshape(*capacity.shape[:-1], sv.N_PROGRAMMES, sv.N_PROVIDERS)


def programme_index(name: str) -> int:
    """Position of a programme in the library."""
    return sv.PROGRAMME_NAMES.index(name)


def label(programme: str) -> str:
    """A programme's English name for readers (never its code name)."""
    return sv.PROGRAMMES[programme_index(programme)].label("en")


def budget_for(families: float, programme: str, params: Mapping[str, float]) -> float:
    """Million EUR a year whose places, at the caseload ceiling, hold ``families``.

    At municipal unit cost (the line's NGO share at a cost ratio of 1 costs the same).
    """
    p = REGISTRY.resolve(params)
    cost = p[f"programme.{programme}.cost"]
    return families * cost / p["max_caseload_ratio"] / 1e6


def target_families(result: EngineResult, programme: str, year: int) -> np.ndarray:
    """Families in a programme's target state in January ``year``, ``(K,)``."""
    i = int(np.searchsorted(result.times, year - 1e-9))
    state = sv.PROGRAMME_TARGET[programme_index(programme)]
    return result.saved["stocks"][i].sum(axis=1)[:, state]


def target_years(result: EngineResult, programme: str, start: int) -> np.ndarray:
    """Family-years in a programme's target state from January ``start`` on, ``(K,)``."""
    state = sv.PROGRAMME_TARGET[programme_index(programme)]
    return between(result, "stock_years", start)[:, state]


def preventive_funding(
    result: EngineResult, params: Mapping[str, float], share: float = 1.0
) -> dict[str, float]:
    """Each preventive programme's budget lever for places holding ``share`` of its families.

    Its target families in January of :data:`POLICY_YEAR` in ``result`` (the first set).
    """
    return {
        f"budget.{p}": budget_for(share * target_families(result, p, POLICY_YEAR)[0], p, params)
        for p in PREVENTIVE
    }


def served_share(result: EngineResult, j: int, start: int) -> np.ndarray:
    """Family-years programme ``j`` served / family-years in its target state, ``(K,)``.

    The model serves at once whoever its places hold, so this share is its time to service:
    the lower it is, the longer a family in the target state waits on average.
    """
    years = between(result, "stock_years", start)[:, sv.PROGRAMME_TARGET[j]]
    return between(result, "served_years", start)[:, j] / years


def without_spending(scenario: Scenario, budgets: tuple[str, ...]) -> Scenario:
    """The scenario with the levers ``budgets`` at 0 in every year."""
    schedule = [
        replace(c, values={k: v for k, v in c.values.items() if k not in budgets})
        for c in scenario.schedule
    ]
    levers = {**scenario.levers, **dict.fromkeys(budgets, 0.0)}
    return replace(scenario, levers=levers, schedule=schedule)


def neutral_effects(scenario: Scenario, programmes: tuple[str, ...]) -> Scenario:
    """The scenario with every effect of ``programmes`` at a hazard multiplier of 1."""
    names = [
        name
        for i, effects in enumerate(sv.PROGRAMME_EFFECTS)
        if sv.PROGRAMME_NAMES[i] in programmes
        for _, name in effects
    ]
    return replace(scenario, params={**scenario.params, **dict.fromkeys(names, 1.0)})


def relative_gap(a: np.ndarray, b: np.ndarray) -> float:
    """Largest ``|a - b|`` relative to the largest ``|a|`` (0 for identical arrays)."""
    scale = max(float(np.abs(a).max()), 1e-300)
    return float(np.abs(a - b).max()) / scale


def final_effects(scenario: Scenario) -> np.ndarray:
    """The services' hazard multipliers at the end of a national SD run, ``(N_EFFECTS,)``.

    Programmes only (the cooperation model's groups and coordinator are left out: they are
    not bought from a budget line).
    """
    sc = national(scenario)
    model = sd_model(sc)
    y = model.run(("stocks",), every=12).final
    p = {**model.static, **model.levers_at(model.n_months - 1)}
    capacity = y[..., LAYOUT.capacity].reshape(*y.shape[:-1], sv.N_PROGRAMMES, sv.N_PROVIDERS)
    state = sv.service_state(capacity, y[..., LAYOUT.stocks], y[..., LAYOUT.graduates], p)
    return state.effects[0, 0]


def unit_costs() -> tuple[str, ...]:
    """Every unit cost the engines read: each programme's place and the registry's ``cost.*``."""
    return tuple(
        n
        for n in REGISTRY.names(engine="sd")
        if n.startswith("cost.") or (n.startswith("programme.") and n.endswith(".cost"))
    )
