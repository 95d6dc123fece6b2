"""Reference agent-based model: one Mesa agent per family, written in plain Python.

The fast engine (:class:`simulation.engines.abm.FamilyWelfareModel`) holds its families as rows of
numpy arrays and moves them all at once. This module is the same model written the way a
Mesa model usually is, one :class:`Family` object per family stepping itself, so that the
fast engine can be checked against it (``tests/engines/abm/test_reference.py``) and its speed
measured against it (``benchmarks/abm_scale.py``).

Scope: the flows of :data:`simulation.model.flows.HAZARD_FLOWS` with *constant* service
multipliers (ones by default), constant levers and no individual heterogeneity. This is the
configuration in which the fast engine is a plain continuous-time Markov chain: run it with
every service budget at zero (:data:`ZERO_BUDGETS`) and ``heterogeneity=False``.

The within-month scheme is the fast engine's (``simulation.engines.abm.transitions.jump_month``):
hazards are constant within a month, so a family's next event comes after an exponential
waiting time with its state's total hazard; if that falls within the time left in the
month, the family moves to one of its state's outflow targets with probability proportional
to the option's hazard, and may move again from its new state in the same month. New
families enter the wellbeing state at a uniform random time within the month.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import mesa
import numpy as np

from simulation.engines.sd import LAYOUT, SDModel
from simulation.model import flows as fl
from simulation.model import services as sv
from simulation.model.catalogue import REGISTRY
from simulation.model.states import N_STATES, STATE_KEYS, State
from simulation.model.vocabulary import START_YEAR

#: Levers that switch every service off: with them every service multiplier is exactly 1.
ZERO_BUDGETS: dict[str, float] = {f"budget.{s}": 0.0 for s in sv.SERVICES}
#: Data-collector columns counting families that have entered / left since the start.
ENTERED, EXITED = "entered", "exited"


@dataclass(frozen=True)
class Option:
    """One way out of a state.

    Attributes
    ----------
    flow : str
        Name of the flow in :data:`simulation.model.flows.FLOWS`.
    target : State or None
        State the family moves to; ``None`` when it leaves the system.
    hazard : float
        Annual hazard (1/yr), > 0.
    """

    flow: str
    target: State | None
    hazard: float


def hazard_table(
    params: Mapping[str, float] | None = None,
    levers: Mapping[str, float] | None = None,
    effects: np.ndarray | None = None,
) -> dict[State, tuple[Option, ...]]:
    """Outflow options of every state with their constant annual hazards.

    Parameters
    ----------
    params, levers : mapping, optional
        Overrides of the registry defaults (scalars only).
    effects : ndarray, shape ``(len(flows.EFFECTS),)``, optional
        Constant service multipliers (default: ones, i.e. no service has any effect).

    Returns
    -------
    dict of State to tuple of Option
        Per state, the flows of :data:`simulation.model.flows.OUTFLOWS` with a positive hazard, in
        ``HAZARD_FLOWS`` order (a state with no option is absorbing).
    """
    values = REGISTRY.resolve({**(params or {}), **(levers or {})})
    p = {name: float(value) for name, value in values.items()}
    effects = np.ones(len(sv.EFFECTS)) if effects is None else np.asarray(effects, float)
    rates = fl.hazard_rates(p, effects)
    table = {}
    for state in State:
        options = []
        for i in fl.OUTFLOWS[state]:
            flow = fl.HAZARD_FLOWS[i]
            if rates[i] > 0:
                options.append(Option(flow.name, flow.target, float(rates[i])))
        table[state] = tuple(options)
    return table


def national_families(
    params: Mapping[str, float] | None = None, levers: Mapping[str, float] | None = None
) -> float:
    """Number of families raising children in Lithuania on 1 January 2009.

    The sum of the system-dynamics engine's initial national stocks (about 443,000 with the
    default parameters): the population that ``scale=1`` stands for in the fast engine.
    """
    stocks = SDModel(params=params, levers=levers, end_year=START_YEAR).initial_state()
    return float(stocks[0, 0, LAYOUT.stocks].sum())


class Family(mesa.Agent):
    """A family raising children, moving between the states of :class:`State`.

    Parameters
    ----------
    model : ReferenceModel
        The model the family lives in (it holds the hazard table and the random generator).
    state : State
        Initial state.
    month_left : float
        Share of the current month the family spends in the system, in (0, 1]: 1 for a
        family present at the start of the month, less for one that enters during it.

    Attributes
    ----------
    state : State
        Current state.
    months_in_state : int
        Month ends since the family last moved or entered (0 until the end of that month).
    """

    def __init__(self, model: ReferenceModel, state: State, month_left: float = 1.0) -> None:
        super().__init__(model)
        self.state = State(state)
        self.months_in_state = 0
        self.month_left = month_left

    def step(self) -> None:
        """Live one month: move through every event that falls within it.

        Draws an exponential waiting time with the total hazard of the current state; if the
        family still has that much time left in the month it moves (to an option chosen with
        probability proportional to its hazard) and draws again from its new state. A family
        that leaves the system removes itself from the model.
        """
        model = self.model
        time_left = self.month_left * model.dt  # years
        self.month_left = 1.0
        while True:
            total = model.total_hazard[self.state]
            if total <= 0.0:  # absorbing state
                break
            waiting = model.rng.exponential(1.0 / total)
            if waiting >= time_left:
                break
            time_left -= waiting
            option = self.choose(model.options[self.state], total)
            model.moves[option.flow] += 1
            if option.target is None:
                model.exited += 1
                self.remove()
                return
            self.state = option.target
            self.months_in_state = 0
        self.months_in_state += 1

    def choose(self, options: tuple[Option, ...], total: float) -> Option:
        """Pick one of ``options`` with probability proportional to its hazard."""
        u = self.model.rng.random() * total
        for option in options:
            u -= option.hazard
            if u < 0.0:
                return option
        return options[-1]  # rounding: u may stay at 0 after the last option


class ReferenceModel(mesa.Model):
    """Families as Mesa agents, with constant hazards, month by month from 2009.

    Parameters
    ----------
    n_families : float
        Expected number of families at the start: ``scale`` is ``n_families`` over the sum
        of the initial national stocks (:func:`national_families`). Ignored when ``scale``
        is given.
    params, levers : mapping, optional
        Overrides of registry defaults (scalars). Levers are constant over the run; only
        ``institutional_placement_share`` and ``deinstitutionalisation_rate`` act on the
        hazards (service budgets do not: see ``effects``).
    seed : int
        Seed of Mesa's generators (``model.rng`` draws every random number here;
        ``model.random`` shuffles the activation order).
    end_year : int
        Last simulated year; the run ends on 1 January of the next.
    scale : float, optional
        Share of Lithuania's families to simulate, as in the fast engine.
    effects : ndarray, optional
        Constant service multipliers (default ones: the fast engine with zero budgets).

    Attributes
    ----------
    options : dict of State to tuple of Option
        The constant hazard table (:func:`hazard_table`).
    total_hazard : dict of State to float
        Summed hazard of each state's options (1/yr).
    entries_per_month : ndarray, shape ``(n_months,)``
        Expected new families in each month (births / births per new family, scaled).
    n_initial, entered, exited : int
        Families created at the start, entered since, and left since.
    moves : collections.Counter
        Number of moves by flow name (``"entry"`` included).
    datacollector : mesa.DataCollector
        Families by state (columns :data:`simulation.model.states.STATE_KEYS`) and cumulative
        entries and exits (columns ``"entered"``, ``"exited"``), at the start of every month
        and at the end.
    """

    def __init__(
        self,
        n_families: float = 2000.0,
        params: Mapping[str, float] | None = None,
        levers: Mapping[str, float] | None = None,
        seed: int = 0,
        end_year: int = 2040,
        scale: float | None = None,
        effects: np.ndarray | None = None,
    ) -> None:
        super().__init__(seed=seed)
        sd = SDModel(params=params, levers=levers, end_year=end_year)
        stocks = sd.initial_state()[0, 0, LAYOUT.stocks]
        self.scale = n_families / stocks.sum() if scale is None else float(scale)
        if not self.scale > 0:
            raise ValueError(f"scale must be positive, got {self.scale}")
        self.dt = 1.0 / 12.0
        self.n_months = sd.n_months
        self.month = 0
        self.entries_per_month = sd.entries[:, 0, 0] * self.dt * self.scale
        self.options = hazard_table(params, levers, effects)
        self.total_hazard = {s: sum(o.hazard for o in opts) for s, opts in self.options.items()}
        self.moves: Counter[str] = Counter()
        self.entered = 0
        self.exited = 0
        self.n_initial = self.create_initial_families(stocks * self.scale)
        reporters = {
            key: lambda m, s=s: m.state_counts.get(s, 0)
            for s, key in zip(State, STATE_KEYS, strict=True)
        }
        self.datacollector = mesa.DataCollector(
            model_reporters={**reporters, ENTERED: "entered", EXITED: "exited"}
        )
        self.collect()

    def create_initial_families(self, expected: np.ndarray) -> int:
        """Create the families present on 1 January 2009; returns their number.

        Each state gets ``floor(expected)`` families plus one more with probability equal to
        the fractional part, as in the fast engine, so the expected counts are ``expected``.
        """
        counts = np.floor(expected).astype(int)
        counts += self.rng.random(N_STATES) < expected - counts
        for state, n in zip(State, counts, strict=True):
            if n:
                Family.create_agents(self, int(n), state)
        return int(counts.sum())

    def enter_families(self) -> None:
        """New families (Poisson number) enter wellbeing at uniform times in this month."""
        n = self.rng.poisson(self.entries_per_month[self.month])
        for _ in range(n):
            Family(self, State.WELLBEING, month_left=self.rng.random())
        self.entered += n
        self.moves["entry"] += n

    def collect(self) -> None:
        """Count families by state and record the counts in the data collector."""
        self.state_counts = self.agents.groupby("state", result_type="list").count()
        self.datacollector.collect(self)

    def step(self) -> None:
        """Advance one month: entries, then every family lives the month (random order)."""
        if self.month >= self.n_months:
            raise RuntimeError("the model has reached the end of its horizon")
        self.enter_families()
        self.agents.shuffle_do("step")
        self.month += 1
        self.running = self.month < self.n_months
        self.collect()

    def run(self) -> ReferenceModel:
        """Run to the end of the horizon."""
        self.running = self.month < self.n_months
        self.run_model()
        return self

    def stocks(self) -> np.ndarray:
        """Families by state at each recorded month start, shape ``(months + 1, N_STATES)``."""
        frame = self.datacollector.get_model_vars_dataframe()
        return frame[list(STATE_KEYS)].to_numpy(dtype=float)

    def entries(self) -> np.ndarray:
        """Families that have entered since the start, at each recorded month start."""
        return self.datacollector.get_model_vars_dataframe()[ENTERED].to_numpy(dtype=float)

    def exits(self) -> np.ndarray:
        """Families that have left since the start, at each recorded month start."""
        return self.datacollector.get_model_vars_dataframe()[EXITED].to_numpy(dtype=float)
