"""Allocations of a service budget across programmes and providers, evaluated in batches.

An allocation holds, from the policy year on, each programme's share of a national budget
(``budget.<programme>``; the funding lines' own budgets ``budget.<line>`` go to 0, so the
programme budgets are the whole service money) and the share of each funding line bought from
NGOs (``ngo_share.<line>``). It reaches its values over the scenario's ramp, as a schedule
change would.

:class:`AllocationEvaluator` values many allocations x many parameter draws in one batched SD
integration: the batch's schedule change carries each candidate's lever values, one per
parameter set (:func:`simulation.model.schedule.lever_paths`). The baseline and the shared
months before the policy year are integrated once per set of draws, not once per candidate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from simulation.analysis.evaluation import SAVED, divergence_month, outcome_values
from simulation.engines.results import EngineResult
from simulation.model.catalogue import REGISTRY
from simulation.model.schedule import Change
from simulation.model.services import PROGRAMME_LINE, PROGRAMME_NAMES, SERVICES, mix_shares
from simulation.model.vocabulary import START_YEAR
from simulation.workflow.economics import yearly_arrays
from simulation.workflow.runner import sd_model
from simulation.workflow.scenarios import Scenario

N_PROGRAMMES, N_LINES = len(PROGRAMME_NAMES), len(SERVICES)
#: Decision variables: one weight per programme, then one NGO share per funding line.
N_DECISIONS = N_PROGRAMMES + N_LINES
#: Outcomes an evaluation values (see :data:`simulation.analysis.evaluation.OUTCOMES`); it
#: also returns ``unspent``, EUR the programmes could not spend from the policy year.
OUTCOMES = ("npv", "placements_avoided")
#: One Runge-Kutta step a month, as the sensitivity study (NPV moves by ~1e-4 of its spread).
STEPS_PER_MONTH = 1


@dataclass(frozen=True)
class Allocation:
    """Programme shares of the budget and NGO shares of the funding lines.

    Attributes
    ----------
    shares : ndarray, shape ``(N_PROGRAMMES,)``
        Share of the budget each programme receives (sums to 1), in library order.
    ngo : ndarray, shape ``(N_LINES,)``
        Share of each funding line bought from NGOs, in [0, 1].
    """

    shares: np.ndarray
    ngo: np.ndarray

    @classmethod
    def from_vector(cls, x: np.ndarray) -> Allocation:
        """The allocation of a decision vector: weights (normalised) then NGO shares."""
        weights = np.clip(np.asarray(x[:N_PROGRAMMES], float), 0.0, None)
        total = weights.sum()
        shares = weights / total if total > 0 else np.full(N_PROGRAMMES, 1.0 / N_PROGRAMMES)
        return cls(shares, np.clip(np.asarray(x[N_PROGRAMMES:], float), 0.0, 1.0))

    def vector(self) -> np.ndarray:
        """The decision vector of this allocation (weights are the shares)."""
        return np.concatenate([self.shares, self.ngo])

    def levers(self, budget: float) -> dict[str, float]:
        """Lever values that set it for a budget of ``budget`` million EUR a year."""
        out = {f"budget.{line}": 0.0 for line in SERVICES}
        out.update(
            {
                f"budget.{n}": float(budget * s)
                for n, s in zip(PROGRAMME_NAMES, self.shares, strict=True)
            }
        )
        out.update(
            {f"ngo_share.{line}": float(v) for line, v in zip(SERVICES, self.ngo, strict=True)}
        )
        return out


def uniform() -> Allocation:
    """The uniform rule: equal shares for every programme, equal funding of providers."""
    return Allocation(np.full(N_PROGRAMMES, 1.0 / N_PROGRAMMES), np.full(N_LINES, 0.5))


def lever_values_at(scenario: Scenario, month: int) -> dict[str, float]:
    """Every lever's value in ``month`` of ``scenario`` (its central run)."""
    model = sd_model(scenario)
    return {n: float(np.ravel(p[month])[0]) for n, p in model.lever_paths.items()}


def allocation_of(scenario: Scenario, month: int) -> tuple[Allocation, float]:
    """The allocation a scenario funds in ``month`` and its budget (million EUR a year).

    Each line's budget split by the line's ``mix.<programme>`` weights, plus each programme's
    own budget.
    """
    levers = lever_values_at(scenario, month)
    line = np.array([levers[f"budget.{s}"] for s in SERVICES])
    shares = mix_shares({k: np.asarray(v) for k, v in levers.items()})
    money = line[PROGRAMME_LINE] * shares + np.array(
        [levers[f"budget.{n}"] for n in PROGRAMME_NAMES]
    )
    total = float(money.sum())
    ngo = np.array([levers[f"ngo_share.{s}"] for s in SERVICES])
    if total <= 0:
        return uniform(), 0.0
    return Allocation(money / total, ngo), total


def policy_start(scenario: Scenario, baseline: Scenario) -> tuple[int, float]:
    """The policy year (the first year the scenario's inputs differ) and its ramp (years).

    Raises
    ------
    ValueError
        When the scenario does not differ from the baseline within the horizon.
    """
    a, b = sd_model(_national(scenario)), sd_model(_national(baseline))
    month = divergence_month(a, b)
    if month >= a.n_months:
        raise ValueError("the scenario does not differ from the baseline: no policy year")
    year = START_YEAR + month // 12
    ramps = [c.ramp_years for c in scenario.schedule if c.year == year]
    return year, max(ramps, default=0.0)


def _national(sc: Scenario) -> Scenario:
    return replace(sc, run=replace(sc.run, resolution="national", steps_per_month=STEPS_PER_MONTH))


def with_allocation(
    scenario: Scenario, year: int, ramp: float, values: dict[str, float], name: str
) -> Scenario:
    """``scenario`` whose decision levers take ``values`` from ``year`` (over ``ramp`` years).

    The scenario's own changes of those levers from ``year`` on are dropped; the rest of its
    schedule (training, mobile teams' other levers, ...) stays.
    """
    schedule = []
    for change in scenario.schedule:
        kept = {k: v for k, v in change.values.items() if change.year < year or k not in values}
        if kept:
            schedule.append(replace(change, values=kept))
    schedule.append(Change(year, dict(values), ramp))
    return replace(scenario, name=name, schedule=schedule)


class AllocationEvaluator:
    """NPV and placements avoided of allocations x draws, against a baseline, in batches.

    Parameters
    ----------
    scenario, baseline : Scenario
        The scenario supplies every lever but the budget's allocation; values are against
        the baseline.
    draws : DataFrame
        Parameter draws (one column per varied parameter); every allocation meets them all.
    budget : float
        Million EUR a year, national, from the policy year.
    year, ramp : int, float
        Policy year and the years over which the allocation is reached.
    rate : float, optional
        Discount rate (default: the scenario's).
    base_year : int
        Year money is discounted to.
    paid : bool
        Count money the programmes cannot use as spent (a committed budget) instead of
        returned (the engines' accounts, the default).
    """

    def __init__(
        self, scenario, baseline, draws, budget, year, ramp, rate=None, base_year=2027, paid=False
    ):
        self.budget, self.year, self.ramp = float(budget), int(year), float(ramp)
        self.paid = paid
        self.names = list(draws.columns)
        self.draws = draws[self.names].to_numpy(float)
        self.rate = float(scenario.resolved_parameters()["discount_rate"]) if rate is None else rate
        self.base_year = base_year
        zero = dict.fromkeys(uniform().levers(0.0), 0.0)  # every decision lever to 0
        self.template = _national(with_allocation(scenario, year, ramp, zero, scenario.name))
        self.baseline = _national(baseline)
        base = sd_model(self.baseline, {**self.baseline.params, **self._sampled(1)})
        probe = sd_model(self.template, {**self.template.params, **self._sampled(1)})
        self.start = min(divergence_month(probe, base), (year - START_YEAR) * 12)
        self.prefix = base.run(SAVED, stop_month=self.start, every=12)
        rest = base.run(SAVED, y0=self.prefix.final, start_month=self.start, every=12)
        resolved = REGISTRY.resolve({**baseline.params, **baseline.levers, **self._sampled(1)})
        self.base_yearly = self._accounts(
            yearly_arrays(self.prefix.continued_by(rest), resolved), resolved
        )

    def _sampled(self, copies: int) -> dict[str, np.ndarray]:
        return {n: np.tile(self.draws[:, j], copies) for j, n in enumerate(self.names)}

    def evaluate(self, allocations: list[Allocation]) -> dict[str, np.ndarray]:
        """Each outcome for every allocation and draw, shape ``(len(allocations), draws)``."""
        c, d = len(allocations), len(self.draws)
        sampled = self._sampled(c)
        values = [a.levers(self.budget) for a in allocations]
        columns = {n: np.repeat([v[n] for v in values], d) for n in values[0]}  # candidate-major
        batch = with_allocation(self.template, self.year, self.ramp, columns, self.template.name)
        model = sd_model(batch, {**batch.params, **sampled})
        rest = model.run(
            SAVED, y0=np.tile(self.prefix.final, (c, 1, 1)), start_month=self.start, every=12
        )
        before = self.prefix.times < rest.times[0] - 1e-9
        saved = {
            b: np.concatenate([np.tile(self.prefix.saved[b][before], (1, c, 1, 1)), rest.saved[b]])
            for b in rest.saved
        }
        times = np.concatenate([self.prefix.times[before], rest.times])
        result = EngineResult(times, saved, rest.final, rest.municipalities)
        resolved = REGISTRY.resolve({**self.template.params, **self.template.levers, **sampled})
        scen = self._accounts(yearly_arrays(result, resolved), resolved)
        base = {k: np.tile(v, (1, c)) for k, v in self.base_yearly.items()}
        out = {
            name: outcome_values(name, scen, base, self.rate, self.base_year, START_YEAR).reshape(
                c, d
            )
            for name in OUTCOMES
        }
        # money the allocation's programmes could not spend for lack of families (EUR,
        # undiscounted, from the policy year): it costs nothing, so the NPV cannot see it
        first = self.year - START_YEAR
        out["unspent"] = scen["unspent"][first:].sum(axis=0).reshape(c, d)
        return out

    def _accounts(self, yearly: dict[str, np.ndarray], resolved: dict) -> dict[str, np.ndarray]:
        """The yearly accounts; with ``paid``, unspent money is paid all the same.

        A committed budget costs its whole amount: the money the programmes cannot use
        is added to the service cost (and its deadweight cost of taxation).
        """
        if not self.paid:
            return yearly
        dwl = np.asarray(resolved["deadweight_cost_of_taxation"], float)
        unspent = yearly["unspent"]
        return {
            **yearly,
            "service_cost": yearly["service_cost"] + unspent,
            "service_deadweight": yearly["service_deadweight"] + dwl * unspent,
        }


def summarise(values: np.ndarray, quantile: float | None) -> np.ndarray:
    """The objective of each row of ``values`` (allocations x draws): mean, or a quantile."""
    if quantile is None:
        return values.mean(axis=1)
    return np.quantile(values, quantile, axis=1)


def draws_frame(draws: pd.DataFrame, count: int) -> pd.DataFrame:
    """The first ``count`` draws (the search's subset of the reported draws)."""
    return draws.iloc[: max(1, min(count, len(draws)))].reset_index(drop=True)
