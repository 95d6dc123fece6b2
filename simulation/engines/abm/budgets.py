"""Budgets, service capacity and targeting in the agent-based model.

A mixin of :class:`~simulation.engines.abm.model.FamilyWelfareModel`: each month it turns the
municipalities' budgets into capacity (the same first-order build-up as the SD engine, exact
over the month), coverage, quality and effects (the shared functions of
:mod:`simulation.model.services`); with heterogeneity, it chooses which families are served
(targeting and queues) and builds the hazard tables for each combination of services a family
can receive.
"""

from __future__ import annotations

import numpy as np

from simulation.engines.abm import transitions as tr
from simulation.engines.abm.layout import EFFECT, N_COMBOS
from simulation.model import flows as fl
from simulation.model import services as sv
from simulation.model.states import State


class Budgets:
    """Capacity, coverage, effects and who is served."""

    def _month_parameters(self) -> dict[str, float]:
        return {
            **self.p,
            "trained_staff_share": self.ministry.trained_share,
            **{
                n: self.lever(n)
                for n in ("institutional_placement_share", "deinstitutionalisation_rate")
            },
        }

    def _capacity_step(self) -> np.ndarray:
        """Advance capacity by a month; return its average over the month ``(M, S, P)``."""
        budget = np.stack([a.budget() for a in self.municipalities])  # (M, S) EUR/yr
        ngo = np.array([self.lever(f"ngo_share.{s}") for s in sv.SERVICES])
        target = sv.target_capacity(sv.split_budget(budget, ngo), self.unit_costs)
        decay = np.exp(-self.dt / self.p["capacity_delay"])
        mean_factor = (1.0 - decay) * self.p["capacity_delay"] / self.dt
        average = target + (self.capacity - target) * mean_factor
        self.capacity = target + (self.capacity - target) * decay
        return average

    def _effects(self, slots: np.ndarray, counts: np.ndarray, p: dict) -> tuple:
        """Population effects per municipality and per-family service effects."""
        coverage, quality = sv.coverage_quality(slots, counts, p)
        working = np.array([a.working_groups for a in self.municipalities], float)
        effects = sv.cooperation_effects(coverage, quality, p, working)
        quality = quality.copy()  # what a served family gets, the local team included
        quality[:, sv.MOBILE_TEAM] *= 1.0 + p["local_team_quality_gain"] * working
        return coverage, quality, effects

    def _combo_tables(self, quality: np.ndarray, effects: np.ndarray, p: dict) -> np.ndarray:
        """Option hazards for each served bit mask, shape ``(N_COMBOS, M, N_STATES, MAX_OUT)``.

        Without heterogeneity every mask gets the population effects. With it, the effects
        on early-support and risk hazards depend on the family's own services (bit 0:
        preventive for early support, basic for risk; bit 1: integration).
        """
        if not self.heterogeneity:
            table = tr.option_table(fl.hazard_rates(p, effects))
            return np.broadcast_to(table, (N_COMBOS, *table.shape))
        tables = []
        for combo in range(N_COMBOS):
            e = effects.copy()
            if self.heterogeneity:
                first, second = float(combo & 1), float(combo >> 1 & 1)
                prev = quality[:, sv.PREVENTIVE] * first
                basic = quality[:, sv.BASIC] * first
                integ = quality[:, sv.INTEGRATION] * second
                e[:, EFFECT["supported_recovery"]] = sv.raising(p["prevention_recovery_gain"], prev)
                e[:, EFFECT["supported_escalation"]] = sv.lowering(
                    p["prevention_escalation_effect"], prev
                )
                e[:, EFFECT["risk_to_crisis"]] = sv.lowering(p["basic_crisis_effect"], basic)
                e[:, EFFECT["risk_recovery"]] = sv.raising(
                    p["risk_recovery_gain"], sv.complement(basic, integ, p["basic_weight"])
                )
            tables.append(tr.option_table(fl.hazard_rates(p, e)))
        return np.stack(tables)

    def _assign_services(self, coverage: np.ndarray) -> None:
        """Who is served this month (heterogeneity only): targeting and queues."""
        fam = self.families
        served = fam.served
        served[self._served_rows] = 0
        self._served_rows = np.empty(0, np.intp)
        if not self.heterogeneity:
            return
        rng = self.rngs["services"]
        state = fam.state[self._known]
        early = self._known[state == State.EARLY_SUPPORT]
        self._serve(early, coverage[:, sv.PREVENTIVE], -fam.vulnerability[early], 1, rng)
        risk = self._known[state == State.RISK]
        waiting = -fam.months_in_state[risk].astype(float)
        self._serve(risk, coverage[:, sv.BASIC], waiting, 1, rng)
        self._serve(risk, coverage[:, sv.INTEGRATION], waiting, 2, rng)
        self._served_rows = np.concatenate([early, risk])[served[np.concatenate([early, risk])] > 0]
        months = fam.service_months
        months[self._served_rows] += 1

    def _serve(self, rows, coverage, priority, bit, rng) -> None:
        """Serve the first ``coverage`` share of ``rows`` in each municipality by priority.

        One float sort key orders rows by municipality, then priority (lowest first), then
        at random among equals: ``muni + 0.5 + arctan(priority) / pi`` keeps each
        municipality within its own unit interval.
        """
        if rows.size == 0:
            return
        fam = self.families
        muni = fam.municipality[rows].astype(np.intp)
        tie = rng.random(rows.size) * 1e-9
        order = np.argsort(muni + 0.5 + np.arctan(priority) * (0.99 / np.pi) + tie)
        sorted_muni = muni[order]
        first = np.searchsorted(sorted_muni, np.arange(self.n_muni))
        rank = np.arange(rows.size) - first[sorted_muni]
        group = np.bincount(muni, minlength=self.n_muni)
        quota = coverage * group
        quota = np.floor(quota) + (rng.random(self.n_muni) < quota - np.floor(quota))
        chosen = rows[order[rank < quota[sorted_muni]]]
        fam.served[chosen] |= bit

    def _spending(self, slots: np.ndarray) -> np.ndarray:
        """Service and training spending this month by municipality, EUR ``(M, 9)``."""
        services = (slots * self.unit_costs).reshape(self.n_muni, -1)
        share = self.paths["trained_staff_share"]
        previous = share[self.month - 1] if self.month > 0 else share[0]
        growth = max(share[self.month] - previous, 0.0) * 12.0
        training = sv.training_spending(slots, self.ministry.trained_share, growth, self.p)
        return np.concatenate([services, training[:, None]], axis=1) * self.dt
