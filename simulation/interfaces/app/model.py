"""The model behind the browser app (``simulation.interfaces.app.page``).

It is the agent-based engine with a policy from a chosen year, against a paired status quo.

No Solara here: notebooks and tests can use :class:`TeachingModel` on its own.

- :class:`TeachingModel` is a :class:`~simulation.engines.abm.FamilyWelfareModel` whose constructor
  takes the app's sliders. It runs the status quo scenario (``scenarios/baseline.toml`` unless
  ``prevsim app --scenario`` names another) from 2009 to January of the policy year, so the
  page opens on the history and the student steps the future. From the policy year the
  levers change: every municipality allocates by the ``prevention_first`` rule with the
  chosen preventive share, every service is bought from NGOs at the chosen share, the
  mobile-team budget is the chosen one, and (if ticked) the cooperation model is deployed
  with or without regional coordinators.
- Two inputs are assumptions rather than levers (NGOs' unit cost and quality relative to
  municipal providers); they hold from 2009, in the status quo too.
- The status quo is the same scenario run with the same seed and scale, so the two runs
  share their random numbers (common random numbers): they are identical up to the policy
  year, and afterwards differ by the policy, not by noise. It is computed once per seed,
  scale, horizon and assumptions, and cached.
- Counts are divided by the scale: with a scale of 0.05 one simulated family stands for 20.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from simulation.engines.abm import FamilyWelfareModel
from simulation.interfaces.app.server import SCENARIO_ENV
from simulation.interfaces.app.text import MONTHS, NATIONAL, area_name, number, text
from simulation.model import lifecourse as lc
from simulation.model.catalogue import LEVERS, REGISTRY
from simulation.model.flows import PLACEMENTS
from simulation.model.schedule import Change, lever_paths
from simulation.model.services import SERVICES
from simulation.model.states import CARE_STATES, State
from simulation.model.vocabulary import START_YEAR
from simulation.reports import app_charts
from simulation.workflow import shipped
from simulation.workflow.economics.exposures import valued_counts
from simulation.workflow.scenarios import Scenario, load

END_YEAR = 2040
DEFAULT_POLICY_YEAR = 2027  # the year the shipped reform scenarios start
DEFAULT_SCALE = 0.05  # a step takes milliseconds; coverage bias about 2% (docs/abm.md)
DEFAULT_SEED = 1


def scenario_path() -> Path:
    """The status quo scenario: ``$PREVSIM_APP_SCENARIO`` or the shipped baseline."""
    given = os.environ.get(SCENARIO_ENV)
    if given:
        return Path(given)
    return shipped.folder("scenarios") / shipped.BASELINE


@lru_cache(maxsize=4)
def load_scenario(path: str) -> Scenario:
    """A scenario file, loaded once per server (the sliders rebuild models often)."""
    return load(path)


def status_quo_levers(scenario: Scenario, year: int) -> dict[str, float]:
    """The levers the app's sliders stand for, as the status quo has them in ``year``.

    Returns
    -------
    dict
        ``preventive_share`` (of the national service budget), ``ngo_share`` (the budget-
        weighted NGO share over the four services) and ``mobile_team_budget`` (million EUR
        a year).
    """
    values = REGISTRY.resolve({**scenario.params, **scenario.levers})
    n_months = (year - START_YEAR + 1) * 12
    paths = lever_paths({n: values[n] for n in LEVERS}, scenario.schedule, START_YEAR, n_months)
    month = (year - START_YEAR) * 12
    budget = np.array([paths[f"budget.{s}"][month] for s in SERVICES])
    ngo = np.array([paths[f"ngo_share.{s}"][month] for s in SERVICES])
    return {
        "preventive_share": float(budget[0] / budget.sum()),
        "ngo_share": float((budget * ngo).sum() / budget.sum()),
        "mobile_team_budget": float(paths["budget.mobile_team"][month]),
    }


@dataclass(frozen=True)
class Reference:
    """The status quo over the whole horizon, per municipality, for the charts.

    Arrays are indexed by month record (0 is 1 January 2009) and municipality, rescaled to
    estimated real numbers: ``families`` and ``children`` ``(T, M, N_STATES)``,
    ``placed`` (children placed, cumulative) ``(T, M)``, ``costs`` (cumulative EUR by
    cost item) ``(T, M, items)``, ``lifetime`` (cumulative lifetime cost of the childhood
    exposures, EUR) ``(T, M)``.
    """

    families: np.ndarray
    children: np.ndarray
    placed: np.ndarray
    costs: np.ndarray
    lifetime: np.ndarray


def lifetime_unit_values(params: dict) -> np.ndarray:
    """Lifetime value of one unit of each exposure, all payers and deadweight, EUR ``(E,)``."""
    return lc.unit_values(REGISTRY.resolve(params)).sum(axis=(-1, -2))


def lifetime_costs(model: FamilyWelfareModel, unit: np.ndarray) -> np.ndarray:
    """Cumulative lifetime cost of the exposures of a run, ``(T, M)``, EUR (not rescaled).

    Each child-year in difficulty, crisis episode, placement and institutional child-year
    at its lifetime value ``unit`` (:func:`lifetime_unit_values`).
    """
    return valued_counts(model.child_years, model.child_flows) @ unit


@lru_cache(maxsize=32)  # the paired replicates need one per seed
def reference_run(
    path: str, seed: int, scale: float, end_year: int, assumptions: tuple = ()
) -> Reference:
    """Run the status quo scenario with the agent-based engine (cached).

    ``assumptions`` are ``(name, value)`` pairs of uncertain parameters that replace the
    scenario's (a tuple, so that the cache can key on it).
    """
    scenario = load_scenario(path)
    model = FamilyWelfareModel(
        params={**scenario.params, **dict(assumptions)},
        levers=scenario.levers,
        schedule=scenario.schedule,
        allocation_rule=scenario.allocation_rule,
        end_year=end_year,
        seed=seed,
        heterogeneity=scenario.run.heterogeneity,
        scale=scale,
    )
    model.run()
    return Reference(
        families=model.stocks / scale,
        children=model.children / scale,
        placed=model.child_flows[..., list(PLACEMENTS)].sum(axis=-1) / scale,
        costs=model.costs / scale,
        lifetime=lifetime_costs(
            model, lifetime_unit_values({**scenario.params, **dict(assumptions)})
        )
        / scale,
    )


@dataclass(frozen=True)
class Sliders:
    """The app's inputs: a policy from ``policy_year`` and two assumptions.

    Attributes
    ----------
    area : str
        What the charts show: :data:`NATIONAL` or a municipality's name.
    policy_year : int
        First year of the policy; the model is run to its January on construction.
    preventive_share : float, optional
        Share of every municipality's service budget spent on preventive services from
        ``policy_year`` (the ``prevention_first`` rule); default: the status quo's.
    ngo_share : float, optional
        Share of every service bought from NGOs from ``policy_year``; default: the status
        quo's budget-weighted share.
    mobile_team_budget : float, optional
        National mobile-team budget from ``policy_year``, million EUR a year; default: the
        status quo's.
    cooperation : bool
        Whether municipalities deploy the cooperation model from ``policy_year``.
    deployment_speed : float
        Regional coordinators (0 none, 1 everywhere), who shorten the deployment stages.
    ngo_cost_ratio, ngo_quality_ratio : float
        Assumptions, not levers: NGO providers' unit cost and quality relative to municipal
        ones (registry parameters of the same names). They hold from 2009, in the status
        quo too; at 1 (the registry default) the NGO share changes who is paid, not what
        families get.
    scale : float
        Share of the families simulated, in (0, 1].
    seed : int
        Root seed (shared with the status quo run).
    end_year : int
        Last simulated year.
    """

    area: str = NATIONAL
    policy_year: int = DEFAULT_POLICY_YEAR
    preventive_share: float | None = None
    ngo_share: float | None = None
    mobile_team_budget: float | None = None
    cooperation: bool = False
    deployment_speed: float = 0.0
    ngo_cost_ratio: float = 1.0
    ngo_quality_ratio: float = 1.0
    scale: float = DEFAULT_SCALE
    seed: int = DEFAULT_SEED
    end_year: int = END_YEAR


class TeachingModel(FamilyWelfareModel):
    """The agent-based model with a policy from ``policy_year``, opened at that year.

    Parameters
    ----------
    sliders : Sliders, optional
        The inputs (default: the status quo's policy).
    **kwargs
        Fields of :class:`Sliders` that replace those of ``sliders``: Mesa's controller
        builds a new model from the page's inputs as keyword arguments.
    """

    def __init__(self, sliders: Sliders | None = None, **kwargs) -> None:
        s = replace(sliders or Sliders(), **kwargs)
        path = str(scenario_path())
        scenario = load_scenario(path)
        quo = status_quo_levers(scenario, s.policy_year)

        def chosen(value, default: float) -> float:
            return default if value is None else float(value)

        self.policy = {
            "preventive_share": chosen(s.preventive_share, quo["preventive_share"]),
            "ngo_share": chosen(s.ngo_share, quo["ngo_share"]),
            "mobile_team_budget": chosen(s.mobile_team_budget, quo["mobile_team_budget"]),
            "cooperation": bool(s.cooperation),
            "deployment_speed": float(s.deployment_speed),
        }
        assumptions = (
            ("ngo_cost_ratio", float(s.ngo_cost_ratio)),
            ("ngo_quality_ratio", float(s.ngo_quality_ratio)),
        )
        policy = Change(int(s.policy_year), self._policy_levers(s.policy_year))
        super().__init__(
            params={**scenario.params, **dict(assumptions)},
            levers=scenario.levers,
            schedule=[*scenario.schedule, policy],
            allocation_rule=scenario.allocation_rule,
            end_year=s.end_year,
            seed=int(s.seed),
            heterogeneity=scenario.run.heterogeneity,
            scale=float(s.scale),
        )
        self.policy_year = int(s.policy_year)
        self.root_seed = int(s.seed)
        self.sliders = s
        self.lifetime_unit = lifetime_unit_values({**scenario.params, **dict(assumptions)})
        self.area = s.area
        self.area_index = None if s.area == NATIONAL else self.names.index(s.area)
        self.reference = reference_run(path, int(s.seed), float(s.scale), s.end_year, assumptions)
        while self.month < (self.policy_year - START_YEAR) * 12:
            self.step()
        for municipality in self.municipalities:  # the policy's allocation from January
            municipality.rule = "prevention_first"

    def _policy_levers(self, year: int) -> dict[str, float]:
        p = self.policy
        values = {
            "prevention_target_share": p["preventive_share"],
            "budget.mobile_team": p["mobile_team_budget"],
            **{f"ngo_share.{s}": p["ngo_share"] for s in SERVICES},
        }
        if p["cooperation"]:
            values["cooperation_start_year"] = float(year)
            values["regional_coordinators"] = p["deployment_speed"]
        return values

    def step(self) -> None:
        """Advance one month; the model stops running at the end of its horizon."""
        super().step()
        self.running = self.month < self.n_months

    # ---- what the page shows ------------------------------------------------------------
    def in_area(self, array: np.ndarray) -> np.ndarray:
        """``array`` (time, municipality, ...) for the area shown.

        The area is one municipality or the sum of all.
        """
        if self.area_index is None:
            return array.sum(axis=1)
        return array[:, self.area_index]

    def times(self, records: int) -> np.ndarray:
        """Decimal years of the first ``records`` month records."""
        return START_YEAR + np.arange(records) / 12.0

    def families_now(self) -> np.ndarray:
        """Families by state so far, estimated real numbers ``(month + 1, N_STATES)``."""
        return self.in_area(self.stocks[: self.month + 1]) / self.scale

    def cost_rates(self, costs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mid-month times and spending by cost group as EUR a year.

        Computed from cumulative costs ``(T, M, items)``.
        """
        monthly = np.diff(self.in_area(costs), axis=0) * 12.0
        mid = self.times(len(costs))[:-1] + 1.0 / 24.0
        return mid, app_charts.group_costs(monthly)

    def families_chart(self, lang: str = "en", band=None):
        """Families by state in the area shown so far, against the status quo (a figure).

        ``band`` (:class:`~simulation.reports.app_charts.Bands`, optional): the range of the
        paired replicates (``simulation.interfaces.app.replicates``).
        """
        ref = self.in_area(self.reference.families)
        return app_charts.families_figure(
            app_charts.Series(self.times(self.month + 1), self.families_now()),
            app_charts.Series(self.times(len(ref)), ref),
            self._frame(lang),
            band,
        )

    def costs_chart(self, lang: str = "en", band=None):
        """Public cost by group in the area shown so far, with the status quo's total (a figure).

        ``band``: as for :meth:`families_chart`, of the total.
        """
        times, rates = self.cost_rates(self.costs[: self.month + 1] / self.scale)
        ref_times, ref_rates = self.cost_rates(self.reference.costs)
        return app_charts.costs_figure(
            app_charts.Series(times, rates),
            app_charts.Series(ref_times, ref_rates.sum(axis=-1)),
            self._frame(lang),
            band,
        )

    def _frame(self, lang: str) -> app_charts.Frame:
        return app_charts.Frame(self.policy_year, self.area_name(lang), lang)

    def area_name(self, lang: str = "en") -> str:
        """Name of the area shown, for titles: ``Lithuania`` or the municipality's official name."""
        return area_name(self.area, lang)

    def summary_rows(
        self, lang: str = "en", month: int | None = None
    ) -> list[tuple[str, float, float]]:
        """The run against the status quo at ``month`` (default: the current month).

        Rows of ``(label, this run, status quo)``, in estimated real numbers; the labels are
        in ``lang``.
        """
        now, start = self.month if month is None else month, (self.policy_year - START_YEAR) * 12
        words = text(lang)
        ref = self.reference
        care = list(CARE_STATES)
        placed = self.in_area(self.child_flows[..., list(PLACEMENTS)].sum(axis=-1)) / self.scale
        ref_placed = self.in_area(ref.placed)
        costs, ref_costs = self.in_area(self.costs) / self.scale, self.in_area(ref.costs)
        life = self.in_area(lifetime_costs(self, self.lifetime_unit)) / self.scale
        ref_life = self.in_area(ref.lifetime)
        return [
            (
                words["row_risk"],
                self.in_area(self.stocks)[now, State.RISK] / self.scale,
                self.in_area(ref.families)[now, State.RISK],
            ),
            (
                words["row_care"],
                self.in_area(self.children[: now + 1])[now, care].sum() / self.scale,
                self.in_area(ref.children)[now, care].sum(),
            ),
            (
                words["row_placed"].format(year=self.policy_year),
                placed[now] - placed[start],
                ref_placed[now] - ref_placed[start],
            ),
            (
                words["row_cost"].format(year=self.policy_year),
                (costs[now] - costs[start]).sum() / 1e6,
                (ref_costs[now] - ref_costs[start]).sum() / 1e6,
            ),
            (
                words["row_lifetime"].format(year=self.policy_year),
                (life[now] - life[start]) / 1e6,
                (ref_life[now] - ref_life[start]) / 1e6,
            ),
        ]

    def headline(self, lang: str = "en") -> str:
        """The month shown and the area, e.g. ``"Jan 2027, Lithuania"``."""
        year, month = START_YEAR + self.month // 12, self.month % 12
        return text(lang)["headline"].format(
            month=MONTHS[lang][month], year=year, area=self.area_name(lang)
        )

    def policy_text(self, lang: str = "en") -> str:
        """The policy this model runs, in one sentence."""
        p, words = self.policy, text(lang)
        cooperation = (
            words["coop_yes"].format(speed=number(p["deployment_speed"], lang, 1))
            if p["cooperation"]
            else words["coop_no"]
        )
        return words["policy_text"].format(
            year=self.policy_year,
            preventive=number(p["preventive_share"], lang, 2),
            ngo=number(p["ngo_share"], lang, 2),
            mobile=number(p["mobile_team_budget"], lang, 1),
            coop=cooperation,
            per=number(1 / self.scale, lang),
        )
