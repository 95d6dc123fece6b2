"""Records of the agent-based model: counts, cumulative flows and costs, results, histories.

A mixin of :class:`~simulation.engines.abm.model.FamilyWelfareModel`: at the end of every
month it records families and children by municipality and state, and adds the month's flows,
costs, family-years and child-years to cumulative arrays; it gives the run in the engine-
neutral result format, Mesa's DataCollector reporters and one family's story.
"""

from __future__ import annotations

import numpy as np

from simulation.engines.abm import transitions as tr
from simulation.engines.abm.layout import EXITED_SLOT, SLOTS
from simulation.engines.abm.population import FamilyHistory
from simulation.engines.results import BLOCKS, EngineResult
from simulation.model import flows as fl
from simulation.model.services import COST_ITEMS
from simulation.model.states import N_STATES, STATE_KEYS, State
from simulation.model.vocabulary import START_YEAR


class Recording:
    """Counts, cumulative records, results and histories."""

    def _counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Families and children by municipality and state, each ``(M, N_STATES)``."""
        fam = self.families
        key = fam.municipality.astype(np.int32) * SLOTS + (fam.state & EXITED_SLOT)
        size = self.n_muni * SLOTS
        families = np.bincount(key, minlength=size)
        children = np.bincount(key, weights=fam.children, minlength=size)
        shape = (self.n_muni, SLOTS)
        return (
            families.reshape(shape)[:, :N_STATES].astype(float),
            # contiguous, as the compiled moves that update it are compiled for
            children.reshape(shape)[:, :N_STATES].copy(),
        )

    def _record(self, i: int) -> None:
        if i == 0:
            self._live_families, self._live_children = self._counts()
        self.stocks[i] = self._live_families
        self.children[i] = self._live_children
        self.capacity_record[i] = self.capacity.reshape(self.n_muni, -1)
        self.graduates_record[i] = self._graduate_counts() if self.heterogeneity else self.graduates
        if i == 0:
            return
        care = [State.FAMILY_CARE, State.INSTITUTIONAL_CARE]
        care_children = 0.5 * (self.children[i - 1][:, care] + self.children[i][:, care])
        care_cost = care_children * np.array(
            [self.p["cost.family_care"], self.p["cost.institutional_care"]]
        )
        month_costs = np.concatenate([self._month_costs, care_cost], axis=1)
        self.flows[i] = self.flows[i - 1] + self.month_flows
        self.costs[i] = self.costs[i - 1] + month_costs
        self.stock_years[i] = (
            self.stock_years[i - 1] + 0.5 * (self.stocks[i - 1] + self.stocks[i]) * self.dt
        )
        self.programme_costs[i] = self.programme_costs[i - 1] + self._month_programme_costs
        self.served_years[i] = self.served_years[i - 1] + self._month_served
        self.unspent[i] = self.unspent[i - 1] + self._month_unspent
        self.child_flows[i] = self.child_flows[i - 1] + self.month_child_flows
        self.child_years[i] = (
            self.child_years[i - 1] + 0.5 * (self.children[i - 1] + self.children[i]) * self.dt
        )

    def _reporters(self) -> dict:
        """Mesa DataCollector reporters.

        National families and children by state, flows during the month and costs during the
        month (EUR).
        """
        reporters = {}
        for s, key in enumerate(STATE_KEYS):
            reporters[key] = lambda m, s=s: float(m.stocks[m.month, :, s].sum())
            reporters[f"children.{key}"] = lambda m, s=s: float(m.children[m.month, :, s].sum())
        for f, name in enumerate(fl.FLOW_NAMES):
            reporters[f"flow.{name}"] = lambda m, f=f: float(
                (m.flows[m.month, :, f] - m.flows[max(m.month - 1, 0), :, f]).sum()
            )
        for c, name in enumerate(COST_ITEMS):
            reporters[f"cost.{name}"] = lambda m, c=c: float(
                (m.costs[m.month, :, c] - m.costs[max(m.month - 1, 0), :, c]).sum()
            )
        return reporters

    def result(self, resolution: str = "national", rescale: bool = False) -> EngineResult:
        """The run so far in the SD engine's result format (K = 1), for shared tables.

        Parameters
        ----------
        resolution : {"national", "municipal"}
            Sum over municipalities, or keep all 60.
        rescale : bool
            Divide counts, flows and costs by ``scale``, so that a run on a sample of
            families estimates national totals.

        Returns
        -------
        EngineResult
            The blocks of the SD engine (:data:`~simulation.engines.results.BLOCKS`), plus
            ``children``, ``child_flows`` and ``child_years`` from the families' own numbers
            of children.
        """
        blocks = {
            "stocks": self.stocks,
            "capacity": self.capacity_record,
            "graduates": self.graduates_record,
            "flows": self.flows,
            "stock_years": self.stock_years,
            "costs": self.costs,
            "programme_costs": self.programme_costs,
            "served_years": self.served_years,
            "unspent": self.unspent,
            "children": self.children,
            "child_flows": self.child_flows,
            "child_years": self.child_years,
        }
        end = self.month + 1
        factor = 1.0 / self.scale if rescale else 1.0
        saved = {k: v[:end, None] * factor for k, v in blocks.items()}  # (T, 1, M, width)
        names = self.names
        if resolution == "national":
            saved = {k: v.sum(axis=2, keepdims=True) for k, v in saved.items()}
            names = (self.demography.national_name,)
        times = START_YEAR + np.arange(end) / 12.0
        final = np.concatenate([saved[b][-1, 0] for b in BLOCKS], -1)
        return EngineResult(times, saved, final[None], names)

    def family(self, family_id: int) -> FamilyHistory:
        """One family's story: attributes and every transition, for teaching.

        Needs a model built with ``histories=True`` (raises ``RuntimeError`` otherwise).
        """
        events = self.families.event_table()  # raises without histories
        record = self.families.record(family_id)
        if record is None:
            raise KeyError(
                f"no family with id {family_id} (ids run from 0 to {self.families.next_id - 1})"
            )
        mine = events[events[:, 1] == family_id]
        label = {i: k for i, k in enumerate(STATE_KEYS)} | {tr.EXITED: "exited"}
        transitions = [
            (START_YEAR + int(mo) // 12, int(mo) % 12 + 1, label[int(a)], label[int(b)])
            for mo, _, a, b in mine
        ]
        present = record["state"] != tr.EXITED
        return FamilyHistory(
            id=int(family_id),
            municipality=self.names[int(record["municipality"])],
            children=int(record["children"]),
            vulnerability=float(record["vulnerability"]),
            state=label[int(record["state"])],
            transitions=transitions,
            service_months=int(record["service_months"]) if present else None,
        )
