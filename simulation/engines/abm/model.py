"""The agent-based engine: a Mesa model of families, municipalities and the ministry.

The model class is assembled from one mixin per concern: ``setup`` (the first families, their
clocks and the records), ``budgets`` (capacity, coverage, effects and targeting), ``moves``
(hazard tables, moves and entries) and ``records`` (counts, results and histories); this
module holds what the agents ask the model and the order of a month.

One step is one month. Municipality and Ministry agents (``agents.py``) decide budgets,
deployment and the deinstitutionalisation schedule; services turn budgets into capacity and
coverage with the same functions as the system-dynamics engine (``services``, ``flows``);
family agents (rows of ``population.Families``) then move through every event of the month
with the exact competing-risk scheme of ``transitions.jump_month`` (in compiled loops:
``events.py``).

What the agents add to the system-dynamics view, when ``heterogeneity=True``:

- a vulnerability multiplier per family (gamma, mean 1) on onset and escalation hazards;
- duration dependence of reunification (first month, months 2-12, after a year), scaled so
  that the mean stay in care equals the SD engine's;
- programmes family by family: a family of a programme's target state waits for a free place
  (the most vulnerable first in preventive programmes, the longest waiting first in casework
  and integration services), stays for the programme's duration, keeps its effect until it
  relapses, and gets the full effect meanwhile; others get none (``budgets.py``);
- individual histories (``model.family(i)``, with ``histories=True``), and individual
  numbers of children.

With ``heterogeneity=False`` every family has vulnerability 1, no duration dependence and
the population-level service effects of the SD engine: the ensemble mean then follows the
SD trajectory (the mean-field limit), which the tests check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import mesa
import numpy as np

from simulation.engines.abm import transitions as tr
from simulation.engines.abm.agents import Ministry, Municipality
from simulation.engines.abm.budgets import Budgets
from simulation.engines.abm.layout import STREAMS
from simulation.engines.abm.moves import FamilyMoves
from simulation.engines.abm.records import Recording
from simulation.engines.abm.setup import Setup
from simulation.engines.inputs import EngineInputs
from simulation.model import flows as fl
from simulation.model import services as sv
from simulation.model.catalogue import LEVERS
from simulation.model.demography import Demography
from simulation.model.schedule import Change
from simulation.model.states import CARE_STATES, N_STATES, State
from simulation.model.vocabulary import DEFAULT_END_YEAR, DEFAULT_SCALE, START_YEAR

#: Rows of families that have left are dropped in a January once they are this share of the
#: rows (every few years): they cost little meanwhile (no hazard, one compiled pass), while
#: moving every column costs tens of milliseconds. Rows keep their order, so when they are
#: dropped does not change the results.
COMPACT_SHARE = 0.12


@dataclass(frozen=True)
class AbmSettings:
    """How an agent-based run goes (besides its parameters, levers and schedule).

    Attributes
    ----------
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
    histories : bool
        Keep every family's history: the event log and the families that left, for
        ``model.family(i)`` and ``model.families.event_table()``. Off by default: the records
        hold every aggregate (results, the life course's exposures), and without the log
        memory does not grow with the horizon.
    """

    allocation_rule: str = "historical"
    end_year: int = DEFAULT_END_YEAR
    seed: int = 0
    heterogeneity: bool = True
    scale: float = DEFAULT_SCALE
    histories: bool = False

    def __post_init__(self) -> None:
        if not 0 < self.scale <= 1:
            raise ValueError(f"scale must be in (0, 1], got {self.scale}")


class FamilyWelfareModel(Setup, Budgets, FamilyMoves, Recording, mesa.Model):
    """Families raising children in Lithuania's 60 municipalities, month by month.

    Parameters
    ----------
    params, levers, schedule :
        As for :class:`simulation.engines.sd.SDModel` (scalars only: one parameter set).
    settings : AbmSettings, optional
        How the run goes (rule, horizon, seed, heterogeneity, scale).
    demography : Demography, optional
        Births and municipal sizes (default: the shipped Lithuanian data).
    initial_families : ndarray, optional
        Families by state at the start instead of the observed ones (a cohort).
    **options
        Fields of :class:`AbmSettings` that replace those of ``settings``, e.g.
        ``FamilyWelfareModel(end_year=2030, seed=1, scale=0.05)``.

    Examples
    --------
    >>> model = FamilyWelfareModel(end_year=2010, scale=0.01, seed=1).run()
    >>> model.result().families().shape  # 25 month starts, 7 states
    (25, 7)
    """

    def __init__(
        self,
        params: Mapping[str, float] | None = None,
        levers: Mapping[str, float] | None = None,
        schedule: Sequence[Change] = (),
        settings: AbmSettings | None = None,
        demography: Demography | None = None,
        initial_families: np.ndarray | None = None,
        **options,
    ) -> None:
        s = replace(settings or AbmSettings(), **options)
        allocation_rule, end_year, seed = s.allocation_rule, s.end_year, s.seed
        heterogeneity, scale = s.heterogeneity, s.scale
        super().__init__(seed=seed)
        self.settings = s
        inputs = EngineInputs(
            params, levers, schedule, "municipal", end_year, demography, initial_families
        )
        if inputs.k != 1:
            raise ValueError(f"the agent-based engine runs one parameter set, got {inputs.k}")
        self.p = {n: float(v) for n, v in inputs.values.items() if n not in LEVERS}
        self.programme_table = sv.programme_table(self.p)
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

        self._budget_month = -1
        self.ministry = Ministry(self)
        self.municipalities = [
            Municipality(self, i, name, allocation_rule) for i, name in enumerate(self.names)
        ]
        # Mesa numbers agents per model in a class-level dictionary keyed by the model
        # (``mesa.Agent._ids``), which would keep every model ever built alive (about 45 MB a
        # run at scale 0.05). Every agent of this model exists now: forget its counter.
        mesa.Agent._ids.pop(self, None)
        self._reunification_profile = self._duration_profile()
        self._setup(inputs)
        self.datacollector = mesa.DataCollector(model_reporters=self._reporters())
        self.datacollector.collect(self)

    def reunification_hazard(self, state: State) -> float:
        """Annual hazard of returning home from care state ``state`` (before services), 1/yr."""
        return float(fl.reunification_hazards(self.p)[state])

    def _duration_profile(self) -> np.ndarray:
        """Reunification multipliers by duration class and state, shape ``(3, N_STATES, 1)``.

        First month, months 2-12 and after a year; each care state's profile is scaled so its
        mean stay is the SD engine's (the two care states return home at different rates).
        """
        first = self.p["reunification_first_month_ratio"]
        after = self.p["reunification_after_year_ratio"]
        profile = np.ones((3, N_STATES, 1))
        for state in CARE_STATES:
            scale_up = tr.mean_preserving_scale(
                self.reunification_hazard(state), self.p["care_leaving_rate"], first, after
            )
            profile[:, state, 0] = scale_up * np.array([first, 1.0, after])
        return profile

    @property
    def decimal_year(self) -> float:
        """The current month as a decimal year (January of ``START_YEAR`` is ``START_YEAR``)."""
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
        """A municipality's share of national totals in the current month."""
        return float(self.shares[min(self.month, self.n_months - 1), index])

    def unit_cost_per_service(self) -> np.ndarray:
        """EUR per place-year in each line at this month's programme mix and NGO shares."""
        levers = self._month_levers()
        ngo = np.array([levers[f"ngo_share.{s}"] for s in sv.SERVICES])
        municipal = sv.line_costs(self.p, levers)
        return municipal * (ngo * self.p["ngo_cost_ratio"] + 1.0 - ngo)

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
        if self.month % 12 == 0 and self._departed_share() >= COMPACT_SHARE:
            self._compact()
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

    def _step_families(self) -> None:
        p = self._month_parameters()
        counts = self.stocks[self.month]  # recorded at the end of last month
        capacity = self._capacity_step()
        services = self._services(capacity, counts, p)
        # States are ordered from wellbeing to care: the families out of wellbeing are a
        # small set kept on every move, from which the rest is derived.
        self._troubled = self._nonwell.current()
        self._troubled_states = self._nonwell.values
        participants = self._run_programmes(services.slots, p)
        self._month_tables(self._combo_tables(services, p))
        self.month_flows[:] = 0.0
        self.month_child_flows[:] = 0.0
        served = participants if self.heterogeneity else services.served
        self._spending(capacity, served, services.slots)
        self._advance_graduates(services, p)
        self._close_places()
        self._refresh_keys()
        self._free_places = (
            self.ministry.institution_places
            - self._live_children[:, State.INSTITUTIONAL_CARE].sum()
        )
        # Families present all month (exited rows have no hazard), then the newcomers,
        # who arrive at a uniform time within the month.
        self._move_month()
        entering = self._enter_families()
        if entering.size:
            arrival = self.rngs["entries"].random(entering.size)
            self._move_month(entering, 1.0 - arrival)
        months = self.families.months_in_state  # exited rows too (dropped at a compaction)
        months += 1
