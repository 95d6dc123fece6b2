"""System-dynamics engine: families by state as an ODE over municipalities x states.

The state of one run is a packed vector per municipality (see :class:`Layout`): family
stocks, service capacity, and accumulators for every flow, for family-years in each state and
for every cost. The accumulators are integrated by the same Runge-Kutta steps as the stocks,
so cumulative placements, entries, child-years and costs are exact integrals, and the
identity "entries - exits = change in all stocks" holds to rounding error (Runge-Kutta
methods preserve linear invariants).

Everything is vectorised over a leading batch axis of K parameter sets, so a batch
integrates in one call: ``simulate(params={"onset_rate": np.linspace(...)}, ...)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from simulation.engines.inputs import EngineInputs
from simulation.engines.results import BLOCKS, EngineResult
from simulation.engines.sd_layout import LAYOUT, SD_BLOCKS
from simulation.model import bed_supply as bs
from simulation.model import flows as fl
from simulation.model import services as sv
from simulation.model.demography import Demography
from simulation.model.errors import InputError
from simulation.model.schedule import Change
from simulation.model.services import CARE_ITEMS, COST_ITEMS, TRAINING_ITEM, stack_last
from simulation.model.states import N_STATES, State
from simulation.model.vocabulary import DEFAULT_END_YEAR, DEFAULT_STEPS_PER_MONTH, START_YEAR

# The care states are the last two, in the order of the care cost items.
CARE_SLICE = slice(State.FAMILY_CARE, State.INSTITUTIONAL_CARE + 1)
assert COST_ITEMS[CARE_ITEMS] == tuple(State(i).key for i in range(N_STATES)[CARE_SLICE])

#: Largest ``h x rate`` of each candidate of :func:`~simulation.engines.sd_pack.fastest_rates`
#: (h: the step, years). Family states: RK4 multiplies the state by R(hA) = I + hA +
#: (hA)^2/2 + (hA)^3/6 + (hA)^4/24 (A: outflow hazards on the diagonal, flows >= 0 off it),
#: whose radius of absolute monotonicity is 1: for h x (the largest outflow hazard) <= 1 no
#: stock goes negative, however the states are chained (Kraaijevanger 1991, BIT 31: 482-528;
#: Hundsdorfer & Verwer 2003, ch. I.7). The capacity and the graduates each decay towards a
#: non-negative target: non-negative and stable while R(-hr) is in (0, 1), i.e. hr < 2.785;
#: so do the institutional care places (:mod:`simulation.model.bed_supply`).
#: Inside the registry's ranges the default two steps a month suffice (crisis: h x 12 = 0.5).
STEP_LIMITS = np.array([1.0] * N_STATES + [2.5, 2.5, 2.5])
#: Most Runge-Kutta steps a month (a set that needs more raises an InputError).
MAX_STEPS_PER_MONTH = 4096
#: Most negative stock accepted, as a share of the families in the unit (rounding only).
NEGATIVE_TOLERANCE = 1e-9


def _unphysical(stocks: np.ndarray, final: np.ndarray) -> np.ndarray:
    """Sets whose stocks go negative (beyond :data:`NEGATIVE_TOLERANCE`) or non-finite.

    Parameters
    ----------
    stocks : ndarray, shape ``(rows, K, M, N_STATES)``
        Families by state at the saved months.
    final : ndarray, shape ``(K, M, LAYOUT.size)``
        The packed state at the end: every block must be finite, the capacity (EUR/yr)
        and the graduates (families) non-negative too.

    Returns
    -------
    ndarray of bool, shape ``(K,)``
    """
    families = np.maximum(np.abs(stocks[0]).sum(-1), np.abs(stocks[-1]).sum(-1))  # (K, M)
    floor = -NEGATIVE_TOLERANCE * np.maximum(families, 1.0)[..., None]
    capacity = final[..., LAYOUT.capacity]
    spend = np.abs(capacity).max(axis=-1, keepdims=True)
    ok = (
        (stocks.min(axis=0) >= floor).all(axis=(1, 2))  # NaN fails (min propagates it)
        & (final[..., LAYOUT.graduates] >= floor).all(axis=(1, 2))
        & (capacity >= -NEGATIVE_TOLERANCE * np.maximum(spend, 1.0)).all(axis=(1, 2))
    )
    return ~(ok & np.isfinite(final).all(axis=(1, 2)))


class SDModel:
    """A resolved system-dynamics model ready to integrate.

    Parameters
    ----------
    params, levers, schedule, resolution, end_year, demography
        What to run, as for :class:`~simulation.engines.inputs.EngineInputs` (``params`` and
        ``levers`` may hold length-K arrays: a batch of K parameter sets integrates at once).
    steps_per_month : int
        Runge-Kutta steps per month, at least: a parameter set whose fastest rate needs
        shorter steps gets more (:meth:`steps_by_set`).
    initial_families : ndarray, optional
        Families by state at the start instead of the observed ones (see
        :class:`~simulation.engines.inputs.EngineInputs`).
    compiled : bool
        Integrate with the compiled kernel (:mod:`simulation.engines.sd_kernel`, the
        default) or with :meth:`derivatives`, the numpy reference it is tested against.

    Examples
    --------
    >>> import numpy as np
    >>> model = SDModel(params={"onset_rate": np.array([0.04, 0.06])}, end_year=2012)
    >>> model.run().families(k=1).shape  # set 1 of the batch: 49 month starts, 7 states
    (49, 7)
    """

    def __init__(
        self,
        params: Mapping[str, object] | None = None,
        levers: Mapping[str, object] | None = None,
        schedule: Sequence[Change] = (),
        resolution: str = "national",
        end_year: int = DEFAULT_END_YEAR,
        steps_per_month: int = DEFAULT_STEPS_PER_MONTH,
        demography: Demography | None = None,
        initial_families: np.ndarray | None = None,
        compiled: bool = True,
    ) -> None:
        self.inputs = EngineInputs(
            params, levers, schedule, resolution, end_year, demography, initial_families
        )
        i = self.inputs
        self.k, self.demography, self.resolution = i.k, i.demography, resolution
        self.n_months, self.static, self.lever_paths = i.n_months, i.static, i.lever_paths
        self.shares, self.entries = i.shares, i.entries
        self.working = i.working
        self.steps_per_month = int(steps_per_month)
        self.dt = 1.0 / (12 * self.steps_per_month)
        self._cached_month = -1
        self.compiled = compiled
        self._packed = None  # the compiled kernel's inputs, packed on the first run
        share = self.lever_paths["trained_staff_share"]
        # a rise of the trained share in a month is the training of that month (1/yr)
        self.training_growth = np.maximum(np.diff(share, axis=0, prepend=share[:1]), 0.0) * 12.0
        self.care_cost_per_child_month = stack_last(
            [self.static["cost.family_care"], self.static["cost.institutional_care"]]
        )  # (K|1, 1, 2), in the order of CARE_SLICE

    @property
    def municipalities(self) -> tuple[str, ...]:
        """Names along the municipal axis."""
        return self.inputs.municipalities

    def levers_at(self, month: int) -> dict[str, np.ndarray]:
        """Lever values in effect during ``month`` (each ``(K|1, 1)``)."""
        return self.inputs.levers_at(month)

    # ---- state ------------------------------------------------------------------------
    def initial_state(self) -> np.ndarray:
        """Packed state on 1 January of the first year, shape ``(K, M, LAYOUT.size)``.

        The stocks, capacity and graduates of :meth:`EngineInputs.initial_state`,
        institutional care places full (the children in institutions), accumulators at zero.
        """
        stocks, capacity, graduates = self.inputs.initial_state()
        y = np.zeros((self.k, len(self.municipalities), LAYOUT.size))
        y[..., LAYOUT.stocks] = stocks
        y[..., LAYOUT.capacity] = capacity.reshape(*y.shape[:2], -1)
        y[..., LAYOUT.graduates] = graduates
        children = self.static["children_per_risk_family"]  # (K|1, 1)
        y[..., LAYOUT.places] = (stocks[..., State.INSTITUTIONAL_CARE] * children)[..., None]
        return y

    def derivatives(self, y: np.ndarray, month: int) -> np.ndarray:
        """D y / dt (per year) for the packed state ``y`` during ``month``."""
        p, target = self._month_inputs(month)
        # Contiguous copies: every later operation on strided views of the packed state
        # would be several times slower.
        stocks = np.ascontiguousarray(y[..., LAYOUT.stocks])
        positive = np.maximum(stocks, 0.0)  # flows read negative stocks as zero
        capacity = np.ascontiguousarray(y[..., LAYOUT.capacity]).reshape(
            *y.shape[:-1], sv.N_PROGRAMMES, sv.N_PROVIDERS
        )
        graduates = np.ascontiguousarray(y[..., LAYOUT.graduates])
        table = self.inputs.programme_table
        services = sv.service_state(capacity, positive, graduates, p, self.working[month], table)
        rates = fl.hazard_rates(p, services.effects)
        places = y[..., LAYOUT.places.start]
        in_institutions = positive[..., State.INSTITUTIONAL_CARE] * p["children_per_risk_family"]
        elasticity = p["bed_supply_elasticity"]
        rates[..., bs.PLACEMENT_INSTITUTION] *= bs.placement_multiplier(
            places, in_institutions, elasticity
        )
        flow = np.empty((*y.shape[:-1], fl.N_FLOWS))
        sources = np.take(positive, fl.HAZARD_SOURCE, axis=-1)
        np.multiply(rates, sources, out=flow[..., : fl.N_HAZARD_FLOWS])
        flow[..., fl.ENTRY] = self.entries[month]
        cap_rate = sv.capacity_change(capacity, target, p["capacity_delay"][..., None, None])
        dy = np.empty(y.shape)
        # A 2-D matrix product (one BLAS call) instead of K x M tiny ones.
        dy[..., LAYOUT.stocks] = (flow.reshape(-1, fl.N_FLOWS) @ fl.INCIDENCE).reshape(stocks.shape)
        care_children = stocks[..., CARE_SLICE] * p["children_per_risk_family"][..., None]
        care_cost = 12.0 * care_children * self.care_cost_per_child_month
        spent = sv.used_spending(capacity, services.served, services.slots)
        training = sv.training_spending(
            sv.places_in_use(services.served, services.slots),
            p["trained_staff_share"],
            self.training_growth[month],
            p,
        )
        dy[..., LAYOUT.capacity] = cap_rate.reshape(*cap_rate.shape[:-2], -1)
        dy[..., LAYOUT.graduates] = sv.graduate_change(graduates, services.served, rates, p, table)
        dy[..., LAYOUT.places.start] = bs.places_change(
            places, in_institutions, p["bed_adjustment_time"], p["institution_closure_rate"]
        )
        dy[..., LAYOUT.flows] = flow
        dy[..., LAYOUT.stock_years] = stocks
        costs = dy[..., LAYOUT.costs]  # a view: fill it in place, in COST_ITEMS order
        lines = sv.line_spending(spent)
        costs[..., : sv.N_SERVICES * sv.N_PROVIDERS] = lines.reshape(*lines.shape[:-2], -1)
        costs[..., TRAINING_ITEM] = training
        costs[..., CARE_ITEMS] = care_cost
        dy[..., LAYOUT.programme_costs] = spent.sum(axis=-1)
        dy[..., LAYOUT.served_years] = services.served
        dy[..., LAYOUT.unspent] = (capacity - spent).sum(axis=-1)
        return dy

    def _month_inputs(self, month: int) -> tuple[dict, np.ndarray]:
        """Parameter and lever values, and target capacity, during ``month``.

        The four Runge-Kutta stages of a step share them, so they are computed once a month.
        """
        if self._cached_month != month:
            p = {**self.static, **self.levers_at(month)}
            p["onset_rate"] = self.inputs.onset_rates(p["onset_rate"])  # x each unit's need
            target = self.inputs.budget_by_provider(p, month)
            self._cached = (p, target)
            self._cached_month = month
        return self._cached

    # ---- integration ------------------------------------------------------------------
    def times(self) -> np.ndarray:
        """Decimal years of month starts, plus the end of the horizon."""
        return START_YEAR + np.arange(self.n_months + 1) / 12.0

    def run(
        self,
        save: Sequence[str] = BLOCKS,
        y0: np.ndarray | None = None,
        start_month: int = 0,
        stop_month: int | None = None,
        every: int = 1,
    ) -> EngineResult:
        """Integrate with classical Runge-Kutta 4 (fixed steps, :meth:`steps_by_set`).

        The run goes from ``start_month`` to ``stop_month`` (default: the whole horizon).
        A parameter set whose stocks still go negative or non-finite is repeated with four
        times the steps (see :data:`STEP_LIMITS`).

        Parameters
        ----------
        save : sequence of str
            Blocks of the state saved at every month start (others only at the end):
            :data:`~simulation.engines.results.BLOCKS`, and ``places``.
        y0 : ndarray, optional
            Packed state at ``start_month`` (default :meth:`initial_state`, for month 0).
        start_month, stop_month : int
            Months (0 = January 2009) at which to start and stop; a run stopped at month m
            continues exactly with ``run(y0=result.final, start_month=m)``.
        every : int
            Save only months that are multiples of ``every`` (12: each January), plus the
            first and the last.

        Returns
        -------
        EngineResult
            Saved rows for months ``start_month`` to ``stop_month`` inclusive (``times``
            says which).

        Raises
        ------
        InputError
            A set that goes wrong even at :data:`MAX_STEPS_PER_MONTH` steps a month.
        """
        unknown = sorted(set(save) - set(SD_BLOCKS))
        if unknown:
            raise ValueError(f"unknown blocks {unknown}; allowed: {SD_BLOCKS}")
        stop = self.n_months if stop_month is None else stop_month
        if not 0 <= start_month <= stop <= self.n_months:
            raise ValueError(f"need 0 <= start_month <= stop_month <= {self.n_months}")
        if y0 is None and start_month:
            raise ValueError("a run that starts after month 0 needs its state y0")
        y = self.initial_state() if y0 is None else np.array(y0, dtype=float)
        slices = {b: getattr(LAYOUT, b) for b in save}
        months = [start_month] + [
            m for m in range(start_month + 1, stop + 1) if m % every == 0 or m == stop
        ]
        # The stocks are always integrated into the saved rows: the check of every run reads
        # them (they are dropped afterwards when not asked for).
        blocks = {**slices, "stocks": LAYOUT.stocks}
        cols = np.concatenate([np.arange(b.start, b.stop) for b in blocks.values()])
        out, y = self._integrate_checked(y, months, cols.astype(np.int64))
        saved, start = {}, 0
        for b, sl in blocks.items():
            width = sl.stop - sl.start
            if b in slices:
                saved[b] = np.ascontiguousarray(out[..., start : start + width])
            start += width
        return EngineResult(self.times()[months], saved, y, self.municipalities)

    # ---- steps: as short as the fastest rate of each parameter set needs -----------------
    def _pack(self) -> tuple:
        from simulation.engines import sd_pack

        if self._packed is None:
            self._packed = sd_pack.pack(self)
        return self._packed

    def _rate_ratios(self) -> np.ndarray:
        """Each candidate rate over its limit (:data:`STEP_LIMITS`), x one month: ``(K, N)``."""
        from simulation.engines import sd_pack

        return sd_pack.fastest_rates(self._pack(), self.k) / (12.0 * STEP_LIMITS)

    def steps_by_set(self) -> np.ndarray:
        """Runge-Kutta steps a month of each parameter set, ``(K,)`` int.

        ``steps_per_month``, or more where the fastest rate of the set (an upper bound
        known before integrating, :func:`simulation.engines.sd_pack.fastest_rates`) needs a
        shorter step to stay stable and non-negative (:data:`STEP_LIMITS`); at most
        :data:`MAX_STEPS_PER_MONTH`.
        """
        need = np.ceil(self._rate_ratios().max(axis=1))
        need = np.where(np.isfinite(need), need, MAX_STEPS_PER_MONTH)
        return np.clip(need, self.steps_per_month, MAX_STEPS_PER_MONTH).astype(np.int64)

    def _integrate_checked(self, y, months, cols) -> tuple[np.ndarray, np.ndarray]:
        """Integrate; repeat the sets whose stocks go negative or non-finite with more steps.

        Returns the saved rows ``(len(months), K, M, len(cols))`` (the stocks last) and the
        final state. A set still wrong at :data:`MAX_STEPS_PER_MONTH` raises
        :class:`~simulation.model.errors.InputError`.
        """
        steps = self.steps_by_set()
        out, final = self._integrate(y.copy(), months, cols, steps)
        bad = np.flatnonzero(_unphysical(out[..., -N_STATES:], final))
        while bad.size:
            stuck = bad[steps[bad] >= MAX_STEPS_PER_MONTH]
            if stuck.size:
                raise self._cannot_integrate(int(stuck[0]))
            steps[bad] = np.minimum(steps[bad] * 4, MAX_STEPS_PER_MONTH)
            only = np.where(np.isin(np.arange(self.k), bad), steps, 0)  # the others sit out
            again, last = self._integrate(y.copy(), months, cols, only)
            out[:, bad], final[bad] = again[:, bad], last[bad]
            bad = bad[_unphysical(again[:, bad, ..., -N_STATES:], last[bad])]
        return out, final

    def _cannot_integrate(self, k: int) -> InputError:
        """The error for parameter set ``k``, naming its fastest rate."""
        from simulation.engines.sd_pack import RATE_SOURCES

        ratio = self._rate_ratios()[k]
        i = int(np.argmax(ratio))
        rate = ratio[i] * 12.0 * STEP_LIMITS[i]
        return InputError(
            f"{RATE_SOURCES[i]}: the system-dynamics engine cannot integrate parameter set "
            f"{k}: its stocks go negative or non-finite even at {MAX_STEPS_PER_MONTH} "
            f"Runge-Kutta steps a month (this rate, with the programmes' effect multipliers, "
            f"reaches up to {rate:.3g}/yr); allowed: rates up to about "
            f"{12 * MAX_STEPS_PER_MONTH * STEP_LIMITS[i]:.3g}/yr, or the agent-based engine"
        )

    def _integrate(self, y, months, cols, steps) -> tuple[np.ndarray, np.ndarray]:
        """Saved rows and final state of every set with ``steps[k] > 0`` (others: as ``y``)."""
        row_of = np.full(self.n_months + 1, -1, dtype=np.int64)
        row_of[months[1:]] = np.arange(1, len(months))
        out = np.empty((len(months), *y.shape[:-1], len(cols)))
        out[0] = y[..., cols]
        if self.compiled:
            y = self._run_compiled(y, months, (row_of, cols, out), steps)
        else:
            y = self._run_reference(y, months, (row_of, cols, out), steps)
        return out, y

    def _run_reference(self, y, months, saving, steps) -> np.ndarray:
        """Classical RK4 with :meth:`derivatives` (the reference of the compiled kernel).

        Sets with fewer steps (``steps`` per set, ``(K,)``) than the most sit out the extra
        ones; sets with none stay at ``y``.
        """
        row_of, cols, out = saving
        uniform = bool(np.all(steps == steps[0]))
        if uniform:
            h = 1.0 / (12 * int(steps[0]))  # a float: exactly the steps of the kernel
        else:
            h = (1.0 / (12 * np.maximum(steps, 1)))[:, None, None]
        stage, total = np.empty_like(y), np.empty_like(y)  # reused: the batch makes them large
        for month in range(months[0], months[-1]):
            for step in range(int(steps.max())):
                k = self.derivatives(y, month)
                np.multiply(k, 0.5 * h, out=stage)
                stage += y
                np.copyto(total, k)
                k = self.derivatives(stage, month)
                total += 2.0 * k
                np.multiply(k, 0.5 * h, out=stage)
                stage += y
                k = self.derivatives(stage, month)
                total += 2.0 * k
                np.multiply(k, h, out=stage)
                stage += y
                total += self.derivatives(stage, month)
                total *= h / 6.0
                y = y + total if uniform else np.where((step < steps)[:, None, None], y + total, y)
            if row_of[month + 1] >= 0:
                out[row_of[month + 1]] = y[..., cols]
        return y

    def _run_compiled(self, y, months, saving, steps) -> np.ndarray:
        """The fixed-step loop in compiled code (:mod:`sd_kernel`), one call per step count.

        Sets that need more steps (or, in a repeat, the only ones repeated) integrate apart,
        so that every set's result is the same in any batch.
        """
        from simulation.engines import sd_kernel, sd_pack

        packed = self._pack()
        row_of, cols, out = saving
        y = np.ascontiguousarray(y)
        for n in np.unique(steps[steps > 0]):
            ks = np.flatnonzero(steps == n)
            whole = len(ks) == self.k
            part = y if whole else np.ascontiguousarray(y[ks])
            rows = out if whole else np.empty((out.shape[0], len(ks), *out.shape[2:]))
            inputs = packed if whole else sd_pack.subset(packed, ks)
            live = sd_pack.first_live(inputs[1][3], part, int(months[0]))
            span = (months[0], months[-1], int(n), 1.0 / (12 * int(n)))
            sd_kernel.integrate(
                part, *span, (row_of, cols, rows), *inputs, sd_pack.structure(), live
            )
            if not whole:
                y[ks], out[1:, ks] = part, rows[1:]
        return y

    def run_adaptive(self, rtol: float = 1e-6, atol: float = 1e-6, method: str = "RK45"):
        """Integrate with :func:`scipy.integrate.solve_ivp` (one parameter set only).

        The reference against which the fixed-step integrator is checked and benchmarked.

        Returns
        -------
        EngineResult
            Every block saved at the month starts; ``nfev`` holds the number of right-hand
            side evaluations.

        Raises
        ------
        ValueError
            For a batch (K > 1), or when the solver fails.
        """
        from scipy.integrate import solve_ivp

        if self.k != 1:
            raise ValueError(f"run_adaptive integrates one parameter set, got a batch of {self.k}")
        times = self.times()
        y0 = self.initial_state()
        sol = solve_ivp(
            self.rhs_flat,
            (times[0], times[-1]),
            y0.ravel(),
            method=method,
            t_eval=times,
            rtol=rtol,
            atol=atol,
        )
        if not sol.success:
            raise ValueError(f"solve_ivp failed: {sol.message}")
        y = sol.y.T.reshape(len(times), *y0.shape)
        saved = {b: y[..., getattr(LAYOUT, b)] for b in BLOCKS}
        return EngineResult(times, saved, y[-1], self.municipalities, nfev=int(sol.nfev))

    def month_of(self, t: float) -> int:
        """Month index in effect at decimal year ``t`` (for adaptive solvers)."""
        return min(max(int(np.floor((t - START_YEAR) * 12.0 + 1e-9)), 0), self.n_months - 1)

    def rhs_flat(self, t: float, y_flat: np.ndarray) -> np.ndarray:
        """``f(t, y)`` on a flat vector, for :func:`scipy.integrate.solve_ivp` (K = 1)."""
        y = y_flat.reshape(1, len(self.municipalities), LAYOUT.size)
        return self.derivatives(y, self.month_of(t)).ravel()


def simulate(**kwargs) -> EngineResult:
    """Build an :class:`SDModel` from keyword arguments and run it (see its parameters)."""
    save = kwargs.pop("save", BLOCKS)
    return SDModel(**kwargs).run(save=save)
