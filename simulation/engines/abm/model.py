"""The agent-based engine: a Mesa model of families, municipalities and the ministry.

One step is one month. Municipality and Ministry agents (``agents.py``) decide budgets,
deployment and the deinstitutionalisation schedule; services turn budgets into capacity and
coverage with the same functions as the system-dynamics engine (``services``, ``flows``);
family agents (rows of ``population.Families``) then move through every event of the month
with the exact competing-risk scheme of ``transitions.jump_month``.

What the agents add to the system-dynamics view, when ``heterogeneity=True``:

- a vulnerability multiplier per family (gamma, mean 1) on onset and escalation hazards;
- duration dependence of reunification (first month, months 2-12, after a year), scaled so
  that the mean stay in care equals the SD engine's;
- targeting: scarce preventive capacity goes to the early-support families with the highest
  vulnerability; basic and integration services serve risk families in a queue, longest
  waiting first; a served family gets the full service effect, others none;
- individual histories (``model.family(i)``), and individual numbers of children.

With ``heterogeneity=False`` every family has vulnerability 1, no duration dependence and
the population-level service effects of the SD engine: the ensemble mean then follows the
SD trajectory (the mean-field limit), which the tests check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import mesa
import numpy as np

from simulation.engines.abm import transitions as tr
from simulation.engines.abm.agents import Ministry, Municipality
from simulation.engines.abm.population import Families, FamilyHistory
from simulation.engines.inputs import EngineInputs
from simulation.engines.results import EngineResult
from simulation.model import flows as fl
from simulation.model import services as sv
from simulation.model.catalogue import LEVERS
from simulation.model.demography import Demography
from simulation.model.schedule import Change
from simulation.model.services import COST_ITEMS
from simulation.model.states import CARE_STATES, LARGE_FAMILY_STATES, N_STATES, STATE_KEYS, State
from simulation.model.vocabulary import DEFAULT_END_YEAR, DEFAULT_SCALE, NATIONAL_UNIT, START_YEAR

STREAMS = ("population", "entries", "services", "monitoring")
N_COMBOS = 4  # served bit masks: none, bit 0, bit 1, both
N_DURATIONS = 3  # months in state: first month, months 2-12, after a year
EXITED_SLOT = 7  # state & 7 maps EXITED (-1) to a slot with no hazards
SLOTS = N_STATES + 1
EFFECT = {name: i for i, name in enumerate(sv.EFFECTS)}


class FamilyWelfareModel(mesa.Model):
    """Families raising children in Lithuania's 60 municipalities, month by month.

    Parameters
    ----------
    params, levers, schedule :
        As for :class:`simulation.engines.sd.SDModel` (scalars only: one parameter set).
    allocation_rule : str
        Every municipality's rule, one of :data:`simulation.model.policy.RULES`.
    end_year : int
        Last simulated year.
    seed : int
        Root seed; each kind of decision draws from its own child stream
        (:data:`STREAMS`), so changing one lever does not reshuffle the others' draws.
    heterogeneity : bool
        Individual vulnerability, duration dependence and targeted services (see module
        docstring); ``False`` gives the mean-field counterpart of the SD engine.
    scale : float
        Share of Lithuania's families to simulate (budgets scale with them); 1 is every
        family.
    demography : Demography, optional
        Births and municipal sizes (default: the shipped Lithuanian data).
    """

    def __init__(
        self,
        params: Mapping[str, float] | None = None,
        levers: Mapping[str, float] | None = None,
        schedule: Sequence[Change] = (),
        allocation_rule: str = "historical",
        end_year: int = DEFAULT_END_YEAR,
        seed: int = 0,
        heterogeneity: bool = True,
        scale: float = DEFAULT_SCALE,
        demography: Demography | None = None,
    ) -> None:
        super().__init__(seed=seed)
        if not 0 < scale <= 1:
            raise ValueError(f"scale must be in (0, 1], got {scale}")
        inputs = EngineInputs(params, levers, schedule, "municipal", end_year, demography)
        if inputs.k != 1:
            raise ValueError(f"the agent-based engine runs one parameter set, got {inputs.k}")
        self.p = {n: float(v) for n, v in inputs.values.items() if n not in LEVERS}
        self.heterogeneity = heterogeneity
        self.scale = scale
        self.seed_value = seed
        self.demography = inputs.demography
        self.n_months = inputs.n_months
        self.month = 0
        self.dt = 1.0 / 12.0
        self.paths = {n: path[:, 0, 0] for n, path in inputs.lever_paths.items()}
        self.rngs = dict(
            zip(
                STREAMS,
                (
                    np.random.default_rng(s)
                    for s in np.random.SeedSequence(seed).spawn(len(STREAMS))
                ),
                strict=True,
            )
        )
        self.names = self.demography.municipalities
        self.n_muni = len(self.names)
        self.shares = inputs.shares  # (months, M)
        self.entries_per_year = inputs.new_families[:, 0]  # national
        self.unit_costs = inputs.unit_costs[0, 0]  # (S, P)
        self._budget_month = -1
        self.ministry = Ministry(self)
        self.municipalities = [
            Municipality(self, i, name, allocation_rule) for i, name in enumerate(self.names)
        ]
        # Mesa numbers agents per model in a class-level dictionary keyed by the model
        # (``mesa.Agent._ids``), which would keep every model ever built alive (about 45 MB a
        # run at scale 0.05). Every agent of this model exists now: forget its counter.
        mesa.Agent._ids.pop(self, None)
        first, after = (
            self.p["reunification_first_month_ratio"],
            self.p["reunification_after_year_ratio"],
        )
        scale_up = tr.mean_preserving_scale(
            self.p["reunification_rate"], self.p["care_leaving_rate"], first, after
        )
        self._reunification_profile = scale_up * np.array([first, 1.0, after])
        self._setup(inputs)
        self.datacollector = mesa.DataCollector(model_reporters=self._reporters())
        self.datacollector.collect(self)

    # ---- set-up -------------------------------------------------------------------------
    def _setup(self, inputs: EngineInputs) -> None:
        """Initial families and capacity: the 1 January 2009 state of the shared inputs
        (the SD engine's), in agents."""
        stocks, capacity = inputs.initial_state()
        expected = stocks[0] * self.scale
        rng = self.rngs["population"]
        counts = np.floor(expected).astype(np.int64)
        counts += rng.random(counts.shape) < expected - counts
        muni, state = np.nonzero(counts)
        reps = counts[muni, state]
        muni, state = np.repeat(muni, reps), np.repeat(state, reps)
        self.families = Families(capacity=int(len(state) * 1.3) + 1024)
        rows = self._add_families(muni, state, rng)
        # Children in care on 1 January 2009 have been there for a while: their time in care
        # is drawn from the stationary (geometric) distribution of stays, so the first-month
        # reunification peak does not hit the whole initial stock at once.
        care = rows[np.isin(state, CARE_STATES)]
        stay = 12.0 / (self.p["reunification_rate"] + self.p["care_leaving_rate"])
        self.families.months_in_state[care] = np.minimum(rng.geometric(1.0 / stay, care.size), 900)
        self.capacity = capacity[0] * self.scale
        self.n_records = self.n_months + 1
        m, f = self.n_muni, fl.N_FLOWS
        self.stocks = np.zeros((self.n_records, m, N_STATES))
        self.children = np.zeros((self.n_records, m, N_STATES))
        self.flows = np.zeros((self.n_records, m, f))  # cumulative
        self.costs = np.zeros((self.n_records, m, len(COST_ITEMS)))  # cumulative
        self.stock_years = np.zeros((self.n_records, m, N_STATES))  # cumulative
        self.child_flows = np.zeros((self.n_records, m, f))  # cumulative children moved
        self.child_years = np.zeros((self.n_records, m, N_STATES))  # cumulative
        self.capacity_record = np.zeros((self.n_records, m, sv.N_SERVICES * sv.N_PROVIDERS))
        self._record(0)
        self.month_flows = np.zeros((m, f))
        self.month_child_flows = np.zeros((m, f))
        self._served_rows = np.empty(0, np.intp)
        self._free_places = np.inf

    def _add_families(self, muni: np.ndarray, state: np.ndarray, rng) -> np.ndarray:
        large = np.isin(state, LARGE_FAMILY_STATES)
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
        return rows

    def _base_key(self, muni: np.ndarray, state: np.ndarray) -> np.ndarray:
        """Table position for months 2-12 in a state and no individual service."""
        muni = np.asarray(muni, np.intp)
        return (N_COMBOS * self.n_muni + muni) * SLOTS + (np.asarray(state, np.intp) & EXITED_SLOT)

    # ---- what agents ask the model ----------------------------------------------------
    @property
    def decimal_year(self) -> float:
        return START_YEAR + self.month / 12.0

    def lever(self, name: str) -> float:
        """Value of a lever in the current month."""
        return float(self.paths[name][min(self.month, self.n_months - 1)])

    def national_budget(self) -> np.ndarray:
        """National spending by service this month, EUR/yr, scaled to the simulated share."""
        if self._budget_month != self.month:  # asked 60 times a month: compute once
            self._budget = (
                np.array([self.lever(f"budget.{s}") for s in sv.SERVICES]) * 1e6 * self.scale
            )
            self._budget_month = self.month
        return self._budget

    def municipal_share(self, index: int) -> float:
        return float(self.shares[min(self.month, self.n_months - 1), index])

    def unit_cost_per_service(self) -> np.ndarray:
        """EUR per family-year by service at this month's NGO shares."""
        ngo = np.array([self.lever(f"ngo_share.{s}") for s in sv.SERVICES])
        return self.unit_costs[:, sv.NGO] * ngo + self.unit_costs[:, sv.MUNICIPAL] * (1 - ngo)

    def monitor(self, index: int) -> np.ndarray:
        """What a municipality's monitoring shows: its families by state, delayed and noisy."""
        delayed = max(self.month - round(self.p["monitoring_delay"]), 0)
        truth = self.stocks[delayed, index]
        sigma = self.p["monitoring_noise"]
        noise = self.rngs["monitoring"].lognormal(-0.5 * sigma**2, sigma, size=truth.shape)
        return truth * noise

    def best_peer_shares(self) -> np.ndarray:
        """Service shares of the municipality with the best monitored outcome."""
        best = min(self.municipalities, key=lambda a: a.outcome())
        budget = best.budget()
        return budget / budget.sum() if budget.sum() > 0 else np.full(sv.N_SERVICES, 0.25)

    def children_in(self, state: State) -> float:
        """Children in ``state`` at the start of this month."""
        return float(self.children[self.month, :, state].sum())

    # ---- one month ----------------------------------------------------------------------
    def step(self) -> None:
        """Advance one month."""
        if self.month >= self.n_months:
            raise RuntimeError("the model has reached the end of its horizon")
        self.ministry.step()
        for municipality in self.municipalities:
            municipality.step()
        self._step_families()
        self.month += 1
        self._record(self.month)
        if self.month % 12 == 0:
            self.families.served[self._served_rows] = 0  # rows move when compacted
            self._served_rows = np.empty(0, np.intp)
            self.families.compact()
        self.datacollector.collect(self)

    def run(self, progress: bool = False) -> FamilyWelfareModel:
        """Run to the end of the horizon."""
        months = range(self.month, self.n_months)
        if progress:
            from tqdm import tqdm

            months = tqdm(months, desc="ABM", unit="month", leave=False)
        for _ in months:
            self.step()
        return self

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
            children.reshape(shape)[:, :N_STATES],
        )

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

    def _step_families(self) -> None:
        p = self._month_parameters()
        counts = self.stocks[self.month]  # recorded at the end of last month
        slots = self._capacity_step()
        coverage, quality, effects = self._effects(slots, counts, p)
        # States are ordered from wellbeing to care: one pass finds the families known to
        # services or in care, a small set from which the rest is derived.
        self._known = np.flatnonzero(self.families.state >= State.EARLY_SUPPORT)
        self._assign_services(coverage)
        self._month_tables(self._combo_tables(quality, effects, p))
        self.month_flows[:] = 0.0
        self.month_child_flows[:] = 0.0
        self._month_costs = self._spending(slots)
        self._close_places()
        self._all_keys = self._all_rows_keys()
        self._free_places = (
            self.ministry.institution_places
            - self._live_children[:, State.INSTITUTIONAL_CARE].sum()
        )
        # Families present all month (exited rows have no hazard), then the newcomers,
        # who arrive at a uniform time within the month.
        tr.jump_month(
            None, None, self._option_rates, self._total_rates, self._clocks(), self._apply_moves
        )
        entering = self._enter_families()
        if entering.size:
            arrival = self.rngs["entries"].random(entering.size)
            tr.jump_month(
                entering,
                1.0 - arrival,
                self._option_rates,
                self._total_rates,
                self._clocks(),
                self._apply_moves,
            )
        months = self.families.months_in_state  # exited rows too: they are dropped in January
        months += 1

    def _clocks(self) -> tr.Clocks:
        """The families' hazard clocks over the current columns (they move on growth)."""
        fam = self.families
        return tr.Clocks(
            fam.id, fam.accumulated_hazard, fam.threshold, fam.event_count, self.seed_value
        )

    def _close_places(self) -> None:
        """Move children out of institutions whose places have closed, to family-based care.

        Families are taken in random order until the children left fit the places; the
        moves count as the deinstitutionalisation flow.
        """
        fam = self.families
        excess = self._live_children[:, State.INSTITUTIONAL_CARE].sum() - (
            self.ministry.institution_places
        )
        if not excess > 0:
            return
        inside = self._known[fam.state[self._known] == State.INSTITUTIONAL_CARE]
        inside = self.rngs["services"].permutation(inside)
        moved = inside[: np.searchsorted(np.cumsum(fam.children[inside]), excess) + 1]
        option = np.flatnonzero(
            tr.FLOW_OF_OPTION[State.INSTITUTIONAL_CARE] == fl.FLOW_INDEX["deinstitutionalisation"]
        )[0]
        self._apply_moves(moved, np.full(moved.size, option), np.zeros(moved.size))

    def _mean_vulnerability(self) -> np.ndarray:
        """Mean vulnerability of the live families in each state (1 for an empty state)."""
        fam = self.families
        # One pass over the rows: exited families (state -1) fall in slot 0, dropped. The
        # counts are the live counts the model already keeps.
        slot = fam.state + 1
        total = np.bincount(slot, weights=fam.vulnerability, minlength=N_STATES + 1)[1:]
        count = self._live_families.sum(axis=0)
        return np.divide(total, count, out=np.ones(N_STATES), where=count > 0)

    def _month_tables(self, tables: np.ndarray) -> None:
        """Option hazards per month by (duration class, served mask, municipality, state
        slot), flat, and their sums for the fast total-hazard path."""
        duration = np.ones(N_DURATIONS)
        if self.heterogeneity:
            duration[:] = self._reunification_profile
        full = np.zeros((N_DURATIONS, N_COMBOS, self.n_muni, SLOTS, tr.MAX_OUT))
        full[:, :, :, :N_STATES] = tables[None] * self.dt  # per year -> per month
        full[..., :N_STATES, :] = np.where(
            tr.DURATION_OPTIONS,
            full[..., :N_STATES, :] * duration[:, None, None, None, None],
            full[..., :N_STATES, :],
        )
        vuln = np.zeros((SLOTS, tr.MAX_OUT), bool)
        vuln[:N_STATES] = tr.VULNERABILITY_OPTIONS
        if self.heterogeneity:
            # Vulnerability is relative to the families now in the same state: the tables
            # divide by the state's mean, so each aggregate flow is the SD engine's (what the
            # calibration fitted) and vulnerability decides only which families move.
            relative = 1.0 / self._mean_vulnerability()
            full[..., :N_STATES, :] = np.where(
                tr.VULNERABILITY_OPTIONS,
                full[..., :N_STATES, :] * relative[:, None],
                full[..., :N_STATES, :],
            )
        self._vuln_options = vuln
        self._options = full.reshape(-1, tr.MAX_OUT)
        self._total_plain = (self._options * ~vuln[np.arange(self._options.shape[0]) % SLOTS]).sum(
            -1
        )
        self._total_vuln = self._options.sum(-1) - self._total_plain

    def _keys(self, rows: np.ndarray) -> np.ndarray:
        """Positions of ``rows`` in the flat option table."""
        fam = self.families
        months = fam.months_in_state[rows]
        duration = (months > 0).astype(np.intp) + (months >= 12)
        key = (duration * N_COMBOS + fam.served[rows]) * self.n_muni + fam.municipality[rows]
        return key * SLOTS + (fam.state[rows] & EXITED_SLOT)

    def _all_rows_keys(self) -> np.ndarray:
        """:meth:`_keys` of every row, computed with full-array passes only where needed.

        Only care states have duration-dependent options and only served rows have a
        non-zero mask, so every other row takes the middle duration class and mask 0.
        """
        fam = self.families
        key = fam.table_key.copy()
        care = self._known[fam.state[self._known] >= State.FAMILY_CARE]
        special = np.concatenate([care, self._served_rows])  # a repeat is harmless
        key[special] = self._keys(special)
        return key

    def _total_rates(self, rows: np.ndarray | None) -> np.ndarray:
        """Summed hazards per month of ``rows`` (``None``: every row)."""
        fam = self.families
        everyone = rows is None
        key = self._all_keys if everyone else self._keys(rows)
        total = np.take(self._total_vuln, key)
        if self.heterogeneity:
            total *= fam.vulnerability if everyone else fam.vulnerability[rows]
        total += np.take(self._total_plain, key)
        return total

    def _option_rates(self, rows: np.ndarray) -> np.ndarray:
        fam = self.families
        key = self._keys(rows)
        rates = self._options[key]
        if self.heterogeneity:
            vuln = self._vuln_options[key % SLOTS]
            rates = np.where(vuln, rates * fam.vulnerability[rows][:, None], rates)
        return rates

    def _apply_moves(self, rows: np.ndarray, chosen: np.ndarray, _left: np.ndarray):
        """Apply chosen options; institutions that are full send children to families."""
        fam = self.families
        before = fam.state[rows].astype(np.int64)
        after = tr.OPTION_TARGET[before, chosen].astype(np.int64)
        flow = tr.FLOW_OF_OPTION[before, chosen]
        to_inst = np.flatnonzero(after == State.INSTITUTIONAL_CARE)
        if to_inst.size and np.isfinite(self._free_places):
            children = fam.children[rows[to_inst]].astype(float)
            refused = to_inst[np.cumsum(children) > self._free_places]
            after[refused] = State.FAMILY_CARE
            flow[refused] = fl.FLOW_INDEX["placement_family"]
            admitted = np.setdiff1d(to_inst, refused)
            self._free_places -= fam.children[rows[admitted]].sum()
        self._free_places += fam.children[rows[before == State.INSTITUTIONAL_CARE]].sum()
        fam.state[rows] = after
        fam.months_in_state[rows] = 0
        fam.served[rows] = 0
        fam.table_key[rows] = self._base_key(fam.municipality[rows], after)
        muni = fam.municipality[rows].astype(np.int64)
        children = fam.children[rows].astype(float)
        np.add.at(self.month_flows, (muni, flow), 1.0)
        np.add.at(self.month_child_flows, (muni, flow), children)
        self._count_moves(muni, before, after, children)
        fam.log(self.month, rows, before, after)
        return after != tr.EXITED

    def _count_moves(self, muni, before, after, children) -> None:
        """Keep the live counts of families and children by state in step with moves."""
        for sign, state in ((-1.0, before), (1.0, after)):
            present = state != tr.EXITED
            where = (muni[present], state[present])
            np.add.at(self._live_families, where, sign)
            np.add.at(self._live_children, where, sign * children[present])

    def _enter_families(self) -> np.ndarray:
        rng = self.rngs["entries"]
        expected = self.entries_per_year[self.month] * self.dt * self.scale
        counts = rng.poisson(expected * self.shares[self.month])
        muni = np.repeat(np.arange(self.n_muni), counts)
        state = np.full(muni.size, State.WELLBEING)
        rows = self._add_families(muni, state, rng)
        children = self.families.children[rows].astype(float)
        np.add.at(self.month_flows, (muni, fl.ENTRY), 1.0)
        np.add.at(self.month_child_flows, (muni, fl.ENTRY), children)
        self._count_moves(muni, np.full(muni.size, tr.EXITED), state, children)
        return rows

    def _spending(self, slots: np.ndarray) -> np.ndarray:
        """Service and training spending this month by municipality, EUR ``(M, 9)``."""
        services = (slots * self.unit_costs).reshape(self.n_muni, -1)
        share = self.paths["trained_staff_share"]
        previous = share[self.month - 1] if self.month > 0 else share[0]
        growth = max(share[self.month] - previous, 0.0) * 12.0
        training = sv.training_spending(slots, self.ministry.trained_share, growth, self.p)
        return np.concatenate([services, training[:, None]], axis=1) * self.dt

    # ---- records ------------------------------------------------------------------------
    def _record(self, i: int) -> None:
        if i == 0:
            self._live_families, self._live_children = self._counts()
        self.stocks[i] = self._live_families
        self.children[i] = self._live_children
        self.capacity_record[i] = self.capacity.reshape(self.n_muni, -1)
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
        self.child_flows[i] = self.child_flows[i - 1] + self.month_child_flows
        self.child_years[i] = (
            self.child_years[i - 1] + 0.5 * (self.children[i - 1] + self.children[i]) * self.dt
        )

    def _reporters(self) -> dict:
        """Mesa DataCollector reporters: national families and children by state, flows
        during the month and costs during the month (EUR)."""
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
            Blocks ``stocks``, ``capacity``, ``flows``, ``stock_years``, ``costs`` as in the
            SD engine, plus ``children``, ``child_flows`` and ``child_years`` from the
            families' own numbers of children.
        """
        blocks = {
            "stocks": self.stocks,
            "capacity": self.capacity_record,
            "flows": self.flows,
            "stock_years": self.stock_years,
            "costs": self.costs,
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
            names = (NATIONAL_UNIT,)
        times = START_YEAR + np.arange(end) / 12.0
        final = np.concatenate(
            [saved[b][-1, 0] for b in ("stocks", "capacity", "flows", "stock_years", "costs")], -1
        )
        return EngineResult(times, saved, final[None], names)

    def family(self, family_id: int) -> FamilyHistory:
        """One family's story: attributes and every transition, for teaching."""
        record = self.families.record(family_id)
        if record is None:
            raise KeyError(
                f"no family with id {family_id} (ids run from 0 to {self.families.next_id - 1})"
            )
        events = self.families.event_table()
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
