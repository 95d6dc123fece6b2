"""Setting up the agent-based model: the first families, their clocks and the records.

A mixin of :class:`~simulation.engines.abm.model.FamilyWelfareModel`: it reads the model's
parameters (``p``), ``scale``, ``heterogeneity``, random streams (``rngs``) and sizes, and
sets the families, the service capacity and the record arrays.
"""

from __future__ import annotations

import numpy as np

from simulation.engines.abm import events, kernels, queues
from simulation.engines.abm import transitions as tr
from simulation.engines.abm.layout import base_key
from simulation.engines.abm.population import Families
from simulation.engines.abm.rowsets import RowSet
from simulation.engines.inputs import EngineInputs
from simulation.model import flows as fl
from simulation.model import services as sv
from simulation.model.services import COST_ITEMS
from simulation.model.states import CARE_STATES, LARGE_FAMILY_STATES, N_STATES, State

#: LARGE_FAMILY[state]: whether families in the state have the larger mean number of children.
LARGE_FAMILY = np.isin(np.arange(N_STATES), LARGE_FAMILY_STATES)


class Setup:
    """The first families, their clocks and the empty records."""

    def _setup(self, inputs: EngineInputs) -> None:
        """Initial families and capacity.

        The 1 January 2009 state of the shared inputs (the SD engine's), in agents.
        """
        kernels.load()  # the compiled passes, loaded while setting up rather than running
        events.load()
        queues.load()
        if inputs.has_need:
            # each municipality's onset hazard times its need, as in the SD engine: an (M,)
            # array that flows.hazard_rates broadcasts over the municipal tables
            self.p["onset_rate"] = inputs.onset_rates(np.array([[self.p["onset_rate"]]]))[0]
        stocks, capacity, graduates = inputs.initial_state()
        expected = stocks[0] * self.scale
        rng = self.rngs["population"]
        counts = np.floor(expected).astype(np.int64)
        counts += rng.random(counts.shape) < expected - counts
        muni, state = np.nonzero(counts)
        reps = counts[muni, state]
        muni, state = np.repeat(muni, reps), np.repeat(state, reps)
        self.families = Families(
            capacity=int(len(state) * 1.3) + 1024, histories=self.settings.histories
        )
        self._start_row_sets()
        clocks = self._clocks()  # the keys of the common random numbers of events
        self._crn_keys = (np.uint64(clocks.choice_key), np.uint64(clocks.waiting_key))
        rows = self._add_families(muni, state, rng)
        # Children in care on 1 January 2009 have been there for a while: their time in care
        # is drawn from the stationary (geometric) distribution of stays, so the first-month
        # reunification peak does not hit the whole initial stock at once.
        for care_state in CARE_STATES:
            care = rows[state == care_state]
            leave = self.reunification_hazard(care_state) + self.p["care_leaving_rate"]
            if care.size and leave > 0:
                stay = 12.0 / leave
                self.families.months_in_state[care] = np.minimum(
                    rng.geometric(min(1.0 / stay, 1.0), care.size), 900
                )
        self.capacity = capacity[0] * self.scale
        # Mean field: graduates are counted as the SD engine counts them. With heterogeneity
        # they are families, and the first ones appear as programmes end.
        self.graduates = graduates[0] * self.scale
        self.n_records = self.n_months + 1
        m, f = self.n_muni, fl.N_FLOWS
        self.stocks = np.zeros((self.n_records, m, N_STATES))
        self.children = np.zeros((self.n_records, m, N_STATES))
        self.flows = np.zeros((self.n_records, m, f))  # cumulative
        self.costs = np.zeros((self.n_records, m, len(COST_ITEMS)))  # cumulative
        self.stock_years = np.zeros((self.n_records, m, N_STATES))  # cumulative
        self.child_flows = np.zeros((self.n_records, m, f))  # cumulative children moved
        self.child_years = np.zeros((self.n_records, m, N_STATES))  # cumulative
        self.capacity_record = np.zeros((self.n_records, m, sv.N_PROGRAMMES * sv.N_PROVIDERS))
        self.graduates_record = np.zeros((self.n_records, m, sv.N_PROGRAMMES))
        self.programme_costs = np.zeros((self.n_records, m, sv.N_PROGRAMMES))  # cumulative
        self.served_years = np.zeros((self.n_records, m, sv.N_PROGRAMMES))  # cumulative
        self.unspent = np.zeros((self.n_records, m, sv.N_PROGRAMMES))  # cumulative
        self._recount_vulnerability()
        self._record(0)
        self.month_flows = np.zeros((m, f))
        self.month_child_flows = np.zeros((m, f))
        self._free_places = np.inf

    def _start_row_sets(self) -> None:
        """The sets of rows kept on entry and exit, and the vulnerability summed by state.

        ``_nonwell``: families out of wellbeing (or about to be: the set is a superset);
        ``_holders[line]``: families in a programme of the line or keeping its effect.
        """
        columns = self.families.columns  # the dictionary stays; its arrays grow inside it
        self._nonwell = RowSet(
            lambda state: state >= State.VULNERABLE, lambda rows: columns["state"][rows]
        )
        self._holders = [
            RowSet(lambda rows, name=f"programme_{line}": columns[name][rows] >= 0)
            for line in sv.SERVICES
        ]
        self._vulnerability_sum = np.zeros(N_STATES)
        self._admitted: list[np.ndarray] = []  # rows admitted to programmes this month

    def _departed_share(self) -> float:
        """Share of the rows held by families that have left."""
        live = self._live_families.sum()
        return 1.0 - live / max(self.families.n, 1)

    def _compact(self) -> None:
        """Drop the rows of families that have left, renumbering the row sets.

        The vulnerability sums are recounted here, every few years, so the rounding of the
        updates does not accumulate.
        """
        sets = [self._nonwell, *self._holders]
        for rows in sets:
            rows.current()
        keep = self.families.compact()
        for rows in sets:
            rows.renumber(keep)
        self._recount_vulnerability()

    def _recount_vulnerability(self) -> None:
        """Vulnerability summed over the live families of each state, in one pass."""
        fam = self.families
        slot = fam.state.astype(np.intp) + 1  # exited families (-1) fall in slot 0, dropped
        total = np.bincount(slot, weights=fam.vulnerability, minlength=N_STATES + 1)
        self._vulnerability_sum = total[1:]

    def _add_families(self, muni: np.ndarray, state: np.ndarray, rng) -> np.ndarray:
        large = LARGE_FAMILY[state]  # np.isin's sort costs more on a few thousand rows
        mean_children = np.where(
            large, self.p["children_per_risk_family"], self.p["children_per_family"]
        )
        children = 1 + rng.poisson(mean_children - 1.0)
        if self.heterogeneity:
            k = self.p["vulnerability_shape"]
            vulnerability = rng.gamma(k, 1.0 / k, size=len(state))
        else:
            vulnerability = np.ones(len(state))
        rows = self.families.add(muni, np.minimum(children, 127), vulnerability, state)
        self.families.table_key[rows] = self._base_key(muni, state)
        self._clocks().start(rows)
        self._nonwell.add(rows[np.asarray(state) >= State.VULNERABLE])
        return rows

    def _base_key(self, muni: np.ndarray, state: np.ndarray) -> np.ndarray:
        """Table position for months 2-12 in a state and no individual service."""
        return base_key(muni, state, self.n_muni, self.table_combos)

    def _clocks(self) -> tr.Clocks:
        """The families' hazard clocks over the current columns (they move on growth)."""
        fam = self.families
        return tr.Clocks(
            fam.id, fam.accumulated_hazard, fam.threshold, fam.event_count, self.seed_value
        )
