"""What both engines derive from a parameter set, its levers, a schedule and the demography.

One :class:`EngineInputs` holds the resolved parameter values (scalars or batches of K), the
lever paths month by month, the municipal shares, the new families entering each month, the
unit costs of services and where the cooperation model works, and computes the state on
1 January of the first year. The system-dynamics engine integrates from it; the agent-based
engine draws its first families and capacity from the same state, at municipal resolution.
Arrays carry a batch axis of K (or 1) parameter sets in the SD engine's shapes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from simulation.model import flows as fl
from simulation.model import policy
from simulation.model import services as sv
from simulation.model.catalogue import LEVERS, REGISTRY
from simulation.model.demography import Demography, lithuania
from simulation.model.errors import InputError
from simulation.model.parameters import batch_size
from simulation.model.schedule import Change, lever_paths
from simulation.model.services import stack_last
from simulation.model.states import N_STATES, State
from simulation.model.vocabulary import (
    DEFAULT_END_YEAR,
    RESOLUTIONS,
    START_YEAR,
)


def _column(value) -> np.ndarray:
    """A parameter value as an array of shape ``(K or 1, 1)`` (broadcasts over M)."""
    return np.asarray(value, float).reshape(-1, 1)


def _national_split(levers: Mapping[str, np.ndarray]) -> np.ndarray:
    """National spending per programme and provider, EUR/yr, ``(..., 1, N_PROG, P)``.

    Each line's budget split among its programmes by their weights, plus each programme's
    own budget, split between providers at the line's NGO share; ``levers`` are ``(..., 1)``.
    """
    line = stack_last([levers[f"budget.{s}"] for s in sv.SERVICES]) * 1e6
    national = sv.programme_budgets(line, levers, sv.own_budgets(levers) * 1e6)
    share = stack_last([levers[f"ngo_share.{s}"] for s in sv.SERVICES])
    return sv.split_budget(national, share)


#: Parameters that set the families outside wellbeing at the start (named in the message
#: when they exceed all families).
INITIAL_STOCKS = (
    "initial_risk_families",
    "initial_institution_children",
    "initial_family_care_children",
    "initial_vulnerable_share",
)


def _check_room(room: np.ndarray) -> None:
    """Refuse initial stocks that exceed the families in a unit (``room < 0``, families).

    Raises
    ------
    InputError
        One line naming the parameters and what is allowed.
    """
    if np.all(room >= 0):
        return
    k = int(np.argwhere(room < 0)[0][0])
    raise InputError(
        f"{' + '.join(INITIAL_STOCKS)}: the families they put in the risk, care and "
        f"vulnerable states exceed all families with children on 1 January {START_YEAR} "
        f"by {-room.min():,.0f} (parameter set {k}); allowed: at most the families "
        "(children aged 0-17 / children_per_family)"
    )


def _fit(derived: np.ndarray, room: np.ndarray) -> np.ndarray:
    """Factor (<= 1) that makes the quasi-steady ``derived`` stocks fit in ``room`` (families).

    Very fast detection or escalation make the quasi-steady early-support (or crisis) stock
    larger than the families left for it; it then takes them all and wellbeing starts empty
    instead of negative. Exactly 1 (no change) whenever they fit.
    """
    over = derived > room
    return np.where(over, np.divide(room, derived, out=np.ones_like(derived), where=over), 1.0)


class EngineInputs:
    """Resolved inputs of a run, shared by both engines.

    Parameters
    ----------
    params : mapping, optional
        Overrides of registry defaults; values are scalars or 1-D arrays of length K.
    levers : mapping, optional
        Initial lever values (default: registry defaults); scalars or length-K arrays.
    schedule : sequence of Change
        Lever changes over time.
    resolution : {"national", "municipal"}
        One aggregate unit, or the municipalities of the demography sized by their children.
    end_year : int
        Last simulated calendar year (the horizon ends on 1 January of the next).
    demography : Demography, optional
        Births and municipal sizes (default: the shipped Lithuanian data).
    initial_families : ndarray, shape ``(N_STATES,)``, optional
        National families by state on 1 January of the first year, shared out by the units'
        sizes, instead of the observed ones (a cohort, for known-answer tests); no graduates.

    Attributes
    ----------
    values : dict
        Every parameter and initial lever value (scalars or length-K arrays).
    k : int
        Number of parameter sets.
    n_months : int
        Months in the horizon.
    static : dict of str to ndarray, shape ``(K|1, 1)``
        Parameter values that are not levers.
    lever_paths : dict of str to ndarray, shape ``(n_months, K|1, 1)``
        Value of every lever in each month.
    shares : ndarray, shape ``(n_months, M)``
        Each unit's share of national totals in each month.
    new_families : ndarray, shape ``(n_months, K|1)``
        National new families per year entering in each month (live births / births per
        new family).
    entries : ndarray, shape ``(n_months, K|1, M)``
        The same per unit.
    programme_costs : ndarray, shape ``(K|1, 1, N_PROGRAMMES, N_PROVIDERS)``
        EUR per place-year of each programme and provider.
    working : ndarray, shape ``(n_months, K|1, 1)``
        Share of each unit where the cooperation model works.
    need : ndarray, shape ``(1, M)``
        Each unit's relative need index (:mod:`simulation.model.need`): its onset hazard is
        ``onset_rate`` times it. All 1 at national resolution and without a need file.
    """

    def __init__(
        self,
        params: Mapping[str, object] | None = None,
        levers: Mapping[str, object] | None = None,
        schedule: Sequence[Change] = (),
        resolution: str = "national",
        end_year: int = DEFAULT_END_YEAR,
        demography: Demography | None = None,
        initial_families: np.ndarray | None = None,
    ) -> None:
        if resolution not in RESOLUTIONS:
            raise ValueError(f"resolution must be one of {RESOLUTIONS}, got {resolution!r}")
        if end_year < START_YEAR:
            raise ValueError(f"end_year must be >= {START_YEAR}, got {end_year}")
        self.values = REGISTRY.resolve({**(params or {}), **(levers or {})})
        self.k = batch_size(self.values)
        self.demography = demography or lithuania()
        self.resolution = resolution
        self.n_months = (end_year - START_YEAR + 1) * 12
        self.static = {n: _column(v) for n, v in self.values.items() if n not in LEVERS}
        paths = lever_paths(
            {n: self.values[n] for n in LEVERS}, schedule, START_YEAR, self.n_months
        )
        self.lever_paths = {n: p.reshape(self.n_months, -1, 1) for n, p in paths.items()}
        self.month_years = START_YEAR + np.arange(self.n_months) // 12
        self.shares = self._municipal_shares()
        self.new_families = self._new_families()
        self.entries = self.new_families[:, :, None] * self.shares[:, None, :]
        self.programme_table = sv.programme_table(self.static)
        self.programme_costs = self.programme_table.costs
        self.initial_families = (
            None if initial_families is None else np.asarray(initial_families, float)
        )
        self.working = self._working()
        self.has_need = resolution == "municipal" and self.demography.need is not None
        m = len(self.municipalities)
        self.need = self.demography.relative_need[None, :] if self.has_need else np.ones((1, m))

    def onset_rates(self, onset_rate: np.ndarray) -> np.ndarray:
        """``onset_rate`` (``(K|1, 1)``, 1/yr) in each unit: times its need, ``(K|1, M)``.

        Unchanged (the same array) without a need, so that such runs stay bit for bit.
        """
        return onset_rate * self.need if self.has_need else onset_rate

    def _need_weights(self, share: np.ndarray) -> np.ndarray:
        """Each unit's part of the families beyond wellbeing: children x need, sum 1.

        ``share`` is ``(1, M, 1)``; without a need the same ``share`` (no renormalising, so
        runs without a need file stay bit for bit).
        """
        if not self.has_need:
            return share
        weights = share * self.need[..., None]
        return weights / weights.sum()

    def _municipal_shares(self) -> np.ndarray:
        if self.resolution == "national":
            return np.ones((self.n_months, 1))
        return self.demography.shares_in(self.month_years)

    def _new_families(self) -> np.ndarray:
        growth = self.static["births_growth_after_data"][:, 0]
        births = self.demography.births_in(self.month_years, growth)  # (months, K|1)
        per_family = self.static["births_per_new_family"][:, 0][None, :]
        return births / per_family

    def _working(self) -> np.ndarray:
        """Where the cooperation model works.

        Every unit deploys from ``cooperation_start_year`` (the agent-based engine's
        municipalities do the same, each with its own stages).
        """
        year = (START_YEAR + np.arange(self.n_months) / 12.0)[:, None, None]
        return policy.working_share(
            year,
            self.lever_paths["cooperation_start_year"],
            self.static["stage_years"][None],
            self.static["coordinator_speedup"][None],
            self.lever_paths["regional_coordinators"],
        )

    @property
    def municipalities(self) -> tuple[str, ...]:
        """Names of the units along the M axis."""
        if self.resolution == "national":
            return (self.demography.national_name,)
        return self.demography.municipalities

    def levers_at(self, month: int) -> dict[str, np.ndarray]:
        """Lever values in effect during ``month`` (each ``(K|1, 1)``)."""
        return {n: p[month] for n, p in self.lever_paths.items()}

    def budget_by_provider(self, levers: Mapping[str, np.ndarray], month: int) -> np.ndarray:
        """Spending per programme and provider in each unit, EUR/yr, ``(K|1, M, N_PROG, P)``.

        Each line's national budget split among its programmes by their weights, plus each
        programme's own budget, shared out by the units' sizes.
        """
        return _national_split(levers) * self.shares[month][None, :, None, None]

    def budget_paths(self) -> np.ndarray:
        """:meth:`budget_by_provider` in every month, ``(months, K|1, M, N_PROG, P)``."""
        return _national_split(self.lever_paths) * self.shares[:, None, :, None, None]

    def initial_state(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Families by state, service capacity and graduates on 1 January of the first year.

        Risk and care stocks come from observed counts; families in total from children
        aged 0-17 / children per family; the vulnerable share is a parameter; capacity is
        what the first year's budgets buy; early-support and crisis stocks and the graduates
        of every programme start at the quasi-steady state of their own inflow and outflow
        hazards, services included, so the run does not open with an artificial transient.

        Returns
        -------
        stocks : ndarray, shape ``(K, M, N_STATES)``
            Families.
        capacity : ndarray, shape ``(K, M, N_PROGRAMMES, N_PROVIDERS)``
            Staffed spending, EUR/yr.
        graduates : ndarray, shape ``(K, M, N_PROGRAMMES)``
            Families who finished a programme and keep its effect.
        """
        p = {**self.static, **self.levers_at(0)}
        m = len(self.municipalities)
        share = self.shares[0][None, :, None]  # (1, M, 1)
        capacity = np.broadcast_to(
            self.budget_by_provider(p, 0), (self.k, m, sv.N_PROGRAMMES, sv.N_PROVIDERS)
        )
        graduates = np.zeros((self.k, m, sv.N_PROGRAMMES))
        if self.initial_families is not None:
            stocks = np.broadcast_to(self.initial_families * share, (self.k, m, N_STATES))
            return np.array(stocks), np.array(capacity), graduates
        total = self.demography.children_at(START_YEAR) / p["children_per_family"]
        stocks = np.zeros((self.k, 1, N_STATES))
        stocks[..., State.RISK] = p["initial_risk_families"]
        stocks[..., State.INSTITUTIONAL_CARE] = (
            p["initial_institution_children"] / p["children_per_risk_family"]
        )
        stocks[..., State.FAMILY_CARE] = (
            p["initial_family_care_children"] / p["children_per_risk_family"]
        )
        stocks[..., State.VULNERABLE] = p["initial_vulnerable_share"] * total
        # Families beyond wellbeing go where need per child is higher; all families by size.
        stocks = stocks * self._need_weights(share)
        families = total * share[..., 0]  # (K|1, M)
        room = families - stocks.sum(axis=-1)  # families not in the given states
        _check_room(room)
        for _ in range(3):  # early support, crisis and graduates affect their own services
            state = sv.service_state(
                capacity, stocks, graduates, p, self.working[0], self.programme_table
            )
            rates = fl.hazard_rates(p, state.effects)
            derived = (State.EARLY_SUPPORT, State.CRISIS)
            for s in derived:
                inflow = (rates * stocks[..., fl.HAZARD_SOURCE])[..., fl.INFLOWS[s]].sum(-1)
                outflow = rates[..., fl.OUTFLOWS[s]].sum(-1)
                # A state nothing leaves (all its hazards zero) starts empty.
                stocks[..., s] = np.divide(
                    inflow, outflow, out=np.zeros_like(inflow), where=outflow > 0
                )
            stocks[..., derived] *= _fit(stocks[..., derived].sum(axis=-1), room)[..., None]
            graduates = sv.steady_graduates(
                state.served, rates, p, self.programme_table, stocks[..., sv.PROGRAMME_TARGET]
            )
        others = stocks.sum(axis=-1) - stocks[..., State.WELLBEING]
        # Zero, not a rounding error below it, when early support took every family left.
        stocks[..., State.WELLBEING] = np.maximum(total * share[..., 0] - others, 0.0)
        return stocks, np.array(capacity), graduates
