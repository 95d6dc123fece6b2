"""Policy agents: 60 municipalities and the ministry, as Mesa agents.

Families are not Mesa agent objects: at national scale they are rows of arrays (see
``population.py``). Municipalities and the ministry are few and make decisions, so they are
real :class:`mesa.Agent` subclasses, stepped by the model each month.
"""

from __future__ import annotations

import mesa
import numpy as np

from simulation.model import bed_supply as bs
from simulation.model import policy
from simulation.model.states import CARE_STATES, State


class Municipality(mesa.Agent):
    """A municipality, one of the model's policy agents.

    It monitors its families, allocates its service budget and deploys the cooperation model.

    Attributes
    ----------
    index : int
        Position on the model's municipality axis.
    name : str
        Official name, e.g. ``"Panevėžys c. mun."``.
    rule : str
        Allocation rule, one of :data:`simulation.model.policy.RULES`.
    shares : ndarray or None
        Service shares chosen at the last allocation (``None`` under ``historical``: the
        municipality follows the national budget split month by month).
    stage : int
        Deployment stage of the cooperation model (0-4).
    """

    def __init__(self, model: mesa.Model, index: int, name: str, rule: str) -> None:
        super().__init__(model)
        if rule not in policy.RULES:
            raise ValueError(f"allocation rule must be one of {policy.RULES}, got {rule!r}")
        self.index = index
        self.name = name
        self.rule = rule
        self.shares: np.ndarray | None = None
        self.direction = 1.0
        self.last_outcome: float | None = None
        self.monitored: np.ndarray | None = None
        self.stage = 0

    @property
    def working_groups(self) -> bool:
        """Whether the cooperation model's groups, coordinator and mobile team work."""
        return self.stage >= policy.WORKING_STAGE

    def outcome(self) -> float:
        """Monitored share of families in risk, crisis or care (lower is better)."""
        if self.monitored is None or self.monitored.sum() <= 0:
            return np.inf
        bad = self.monitored[[State.RISK, State.CRISIS, *CARE_STATES]].sum()
        return float(bad / self.monitored.sum())

    def step(self) -> None:
        """Monthly: advance deployment; in January, monitor and allocate."""
        m = self.model
        self.stage = policy.deployment_stage(
            m.decimal_year,
            m.lever("cooperation_start_year"),
            m.p["stage_years"],
            m.p["coordinator_speedup"],
            m.lever("regional_coordinators"),
        )
        if m.month % 12 == 0:
            self.monitored = m.monitor(self.index)
            self.allocate()

    def allocate(self) -> None:
        """Choose this year's service shares by the municipality's rule."""
        m = self.model
        historical = m.national_budget() / max(m.national_budget().sum(), 1e-12)
        if self.rule == "historical":
            self.shares = None
        elif self.rule == "needs_based":
            self.shares = policy.needs_based(self.monitored, m.unit_cost_per_service())
        elif self.rule == "prevention_first":
            self.shares = policy.prevention_first(historical, m.lever("prevention_target_share"))
        else:  # adaptive
            outcome = self.outcome()
            current = historical if self.shares is None else self.shares
            improved = self.last_outcome is None or outcome <= self.last_outcome
            self.shares, self.direction = policy.adaptive(
                current,
                self.direction,
                improved,
                m.p["adaptive_step"],
                m.best_peer_shares(),
                m.p["imitation_rate"],
            )
            self.last_outcome = outcome

    def budget(self) -> np.ndarray:
        """Spending by service in this month (EUR/yr), before the NGO split."""
        m = self.model
        national = m.national_budget() * m.municipal_share(self.index)
        if self.shares is None:
            return national
        return national.sum() * self.shares


class Ministry(mesa.Agent):
    """The Ministry of Social Security and Labour (SADM).

    It co-finances municipal services, trains staff, funds regional coordinators and runs
    the deinstitutionalisation schedule: from the first year with a positive
    ``institution_closure_rate``, institutional care places start at the children then in
    institutions and fall by that rate each January (``institution_places``, a cap: the
    placements beyond it go to family-based care).

    Apart from that cap it keeps the supply of institutional care places that draws
    placements (``bed_places``, children, national; :mod:`simulation.model.bed_supply`, as
    the system-dynamics engine): full in the first month, then following the children in
    institutions by linear partial adjustment over ``bed_adjustment_time`` and lowered by
    ``institution_closure_rate``, advanced a month at a time (the equation's exact solution
    with the month's use held). Free places multiply the hazard of placement in an
    institution by :meth:`placement_multiplier` (exactly 1 at the default elasticity, 0).
    """

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        self.institution_places: float = np.inf
        self.bed_places: float | None = None
        self.cofinancing_share = 0.0
        self.trained_share = 0.0
        self.coordinators = 0.0

    def step(self) -> None:
        """Monthly: read the ministry's levers; in January, close institutional care places.

        Co-financing share, trained staff share and regional coordinators follow their levers
        each month. Each January with a positive ``institution_closure_rate``, the places
        (set to the children then in institutional care the first time) fall by that rate.
        """
        m = self.model
        self._adjust_bed_places()
        self.cofinancing_share = m.lever("state_cofinancing_share")
        self.trained_share = m.lever("trained_staff_share")
        self.coordinators = m.lever("regional_coordinators")
        if m.month % 12 == 0:
            rate = m.lever("institution_closure_rate")
            if rate > 0:
                if not np.isfinite(self.institution_places):
                    self.institution_places = m.children_in(State.INSTITUTIONAL_CARE)
                self.institution_places *= 1.0 - rate

    def _adjust_bed_places(self) -> None:
        """Advance the places that draw placements over last month (full in the first)."""
        m = self.model
        if self.bed_places is None:
            self.bed_places = m.children_in(State.INSTITUTIONAL_CARE)
            return
        # last month's use (as recorded at its start) and closure rate
        last = m.month - 1
        use = float(m.children[last, :, State.INSTITUTIONAL_CARE].sum())
        closure = float(m.paths["institution_closure_rate"][last])
        time = m.p["bed_adjustment_time"]
        self.bed_places = float(bs.places_after(self.bed_places, use, m.dt, time, closure))

    def placement_multiplier(self) -> float:
        """The multiplier of the hazard of placement in an institution this month (>= 1)."""
        use = self.model.children_in(State.INSTITUTIONAL_CARE)
        elasticity = self.model.p["bed_supply_elasticity"]
        return float(bs.placement_multiplier(self.bed_places, use, elasticity))
