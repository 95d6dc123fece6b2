"""The interactive browser model: the agent-based engine in Mesa's Solara visualisation.

``prevsim app`` serves this module with ``solara run`` on this computer (see
``app_server.py``). A student moves the levers of a policy that starts in a chosen year,
presses *Reset* to build the model with them, then *Step* (or play) month by month and
watches families by state and public costs against the status quo.

How the page is built:

- :class:`TeachingModel` is a :class:`~simulation.abm.FamilyWelfareModel` whose constructor
  takes the sliders. It runs the status quo scenario (``scenarios/baseline.toml`` unless
  ``prevsim app --scenario`` names another) from 2009 to January of the policy year, so the
  page opens on the history and the student steps the future. From the policy year the
  levers change: every municipality allocates by the ``prevention_first`` rule with the
  chosen preventive share, every service is bought from NGOs at the chosen share, the
  mobile-team budget is the chosen one, and (if ticked) the cooperation model is deployed
  with or without regional coordinators.
- The status quo is the same scenario run with the same seed and scale, so the two runs
  share their random numbers (common random numbers): they are identical up to the policy
  year, and afterwards differ by the policy, not by noise. It is computed once per seed,
  scale and horizon and cached.
- Counts are divided by the scale: with a scale of 0.05 one simulated family stands for 20.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path

import numpy as np
import solara
from mesa.visualization import Slider
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from simulation import app_charts
from simulation.abm import FamilyWelfareModel
from simulation.app_server import LANG_ENV, SCENARIO_ENV
from simulation.catalogue import REGISTRY
from simulation.data import lithuania
from simulation.flows import PLACEMENTS
from simulation.scenario import Scenario, load
from simulation.schedule import Change, lever_paths
from simulation.sd import LEVERS, START_YEAR
from simulation.services import SERVICES
from simulation.states import CARE_STATES, State

NATIONAL = "Lithuania (all municipalities)"
END_YEAR = 2040
DEFAULT_POLICY_YEAR = 2027  # the year the shipped reform scenarios start
DEFAULT_SCALE = 0.05  # a step takes milliseconds; coverage bias about 2% (docs/abm.md)
DEFAULT_SEED = 1
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def scenario_path() -> Path:
    """The status quo scenario: ``$PREVSIM_APP_SCENARIO`` or the shipped baseline."""
    given = os.environ.get(SCENARIO_ENV)
    if given:
        return Path(given)
    return Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"


@lru_cache(maxsize=4)
def _scenario(path: str) -> Scenario:
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
    cost item) ``(T, M, items)``.
    """

    families: np.ndarray
    children: np.ndarray
    placed: np.ndarray
    costs: np.ndarray


@lru_cache(maxsize=8)
def reference_run(
    path: str, seed: int, scale: float, end_year: int, assumptions: tuple = ()
) -> Reference:
    """Run the status quo scenario with the agent-based engine (cached).

    ``assumptions`` are ``(name, value)`` pairs of uncertain parameters that replace the
    scenario's (a tuple, so that the cache can key on it).
    """
    scenario = _scenario(path)
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
    try:
        model.run()
        return Reference(
            families=model.stocks / scale,
            children=model.children / scale,
            placed=model.child_flows[..., list(PLACEMENTS)].sum(axis=-1) / scale,
            costs=model.costs / scale,
        )
    finally:
        model.release()


class TeachingModel(FamilyWelfareModel):
    """The agent-based model with a policy from ``policy_year``, opened at that year.

    Parameters
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

    def __init__(
        self,
        area: str = NATIONAL,
        policy_year: int = DEFAULT_POLICY_YEAR,
        preventive_share: float | None = None,
        ngo_share: float | None = None,
        mobile_team_budget: float | None = None,
        cooperation: bool = False,
        deployment_speed: float = 0.0,
        ngo_cost_ratio: float = 1.0,
        ngo_quality_ratio: float = 1.0,
        scale: float = DEFAULT_SCALE,
        seed: int = DEFAULT_SEED,
        end_year: int = END_YEAR,
    ) -> None:
        path = str(scenario_path())
        scenario = _scenario(path)
        quo = status_quo_levers(scenario, policy_year)
        self.policy = {
            "preventive_share": quo["preventive_share"]
            if preventive_share is None
            else float(preventive_share),
            "ngo_share": quo["ngo_share"] if ngo_share is None else float(ngo_share),
            "mobile_team_budget": quo["mobile_team_budget"]
            if mobile_team_budget is None
            else float(mobile_team_budget),
            "cooperation": bool(cooperation),
            "deployment_speed": float(deployment_speed),
        }
        assumptions = (
            ("ngo_cost_ratio", float(ngo_cost_ratio)),
            ("ngo_quality_ratio", float(ngo_quality_ratio)),
        )
        policy = Change(int(policy_year), self._policy_levers(policy_year))
        super().__init__(
            params={**scenario.params, **dict(assumptions)},
            levers=scenario.levers,
            schedule=[*scenario.schedule, policy],
            allocation_rule=scenario.allocation_rule,
            end_year=end_year,
            seed=int(seed),
            heterogeneity=scenario.run.heterogeneity,
            scale=float(scale),
        )
        # No Mesa agent is created after this point (families are arrays), so the class-level
        # id counter that would keep every model of a long browser session alive can go now.
        self.release()
        self.policy_year = int(policy_year)
        self.area = area
        self.area_index = None if area == NATIONAL else self.names.index(area)
        self.lang = os.environ.get(LANG_ENV, "en")
        self.reference = reference_run(path, int(seed), float(scale), end_year, assumptions)
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
        """``array`` (time, municipality, ...) for the area shown: one municipality or the
        sum of all."""
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
        """Mid-month times and spending by cost group as EUR a year, from cumulative costs
        ``(T, M, items)``."""
        monthly = np.diff(self.in_area(costs), axis=0) * 12.0
        mid = self.times(len(costs))[:-1] + 1.0 / 24.0
        return mid, app_charts.group_costs(monthly)

    def families_chart(self):
        ref = self.in_area(self.reference.families)
        return app_charts.families_figure(
            self.times(self.month + 1),
            self.families_now(),
            self.times(len(ref)),
            ref,
            self.policy_year,
            self.area_name,
            self.lang,
        )

    def costs_chart(self):
        times, rates = self.cost_rates(self.costs[: self.month + 1] / self.scale)
        ref_times, ref_rates = self.cost_rates(self.reference.costs)
        return app_charts.costs_figure(
            times,
            rates,
            ref_times,
            ref_rates.sum(axis=-1),
            self.policy_year,
            self.area_name,
            self.lang,
        )

    @property
    def area_name(self) -> str:
        return "Lithuania" if self.area_index is None else self.area

    def summary_rows(self) -> list[tuple[str, float, float]]:
        """The run against the status quo at the current month: ``(label, this run,
        status quo)``, estimated real numbers."""
        now, start = self.month, (self.policy_year - START_YEAR) * 12
        ref = self.reference
        care = list(CARE_STATES)
        placed = self.in_area(self.child_flows[..., list(PLACEMENTS)].sum(axis=-1)) / self.scale
        ref_placed = self.in_area(ref.placed)
        costs, ref_costs = self.in_area(self.costs) / self.scale, self.in_area(ref.costs)
        return [
            (
                "families in difficulty (risk)",
                self.families_now()[now, State.RISK],
                self.in_area(ref.families)[now, State.RISK],
            ),
            (
                "children in care",
                self.in_area(self.children[: now + 1])[now, care].sum() / self.scale,
                self.in_area(ref.children)[now, care].sum(),
            ),
            (
                f"children placed since {self.policy_year}",
                placed[now] - placed[start],
                ref_placed[now] - ref_placed[start],
            ),
            (
                f"public cost since {self.policy_year}, million EUR",
                (costs[now] - costs[start]).sum() / 1e6,
                (ref_costs[now] - ref_costs[start]).sum() / 1e6,
            ),
        ]

    def headline(self) -> str:
        """The month shown and the area, e.g. ``"Jan 2027, Lithuania"``."""
        year, month = START_YEAR + self.month // 12, self.month % 12
        return f"{MONTHS[month]} {year}, {self.area_name}"

    def policy_text(self) -> str:
        """The policy this model runs, in one sentence."""
        p = self.policy
        cooperation = (
            f"deployed (regional coordinators {p['deployment_speed']:.1f})"
            if p["cooperation"]
            else "not deployed"
        )
        return (
            f"Policy from {self.policy_year}: preventive share {p['preventive_share']:.2f}, "
            f"NGO share {p['ngo_share']:.2f}, mobile teams {p['mobile_team_budget']:.1f} "
            f"million EUR a year, cooperation model {cooperation}. One simulated family "
            f"stands for {1 / self.scale:,.0f}."
        )


def summary_html(model: TeachingModel) -> str:
    """The summary as an HTML table (solara's Markdown would fetch KaTeX from a CDN)."""
    cells = "".join(
        f"<tr><td>{escape(label)}</td><td>{mine:,.0f}</td><td>{quo:,.0f}</td></tr>"
        for label, mine, quo in model.summary_rows()
    )
    return (
        "<style>.prevsim-summary td, .prevsim-summary th {padding: 2px 12px}"
        ".prevsim-summary td:first-child {text-align: left}</style>"
        f'<div class="prevsim-summary" data-month="{model.month}">'
        f"<p><b>{escape(model.headline())}</b></p>"
        '<table style="border-collapse: collapse; text-align: right">'
        "<tr><th></th><th>your policy</th><th>status quo</th></tr>"
        f"{cells}</table>"
        f"<p>{escape(model.policy_text())}</p></div>"
    )


def model_params() -> dict:
    """The sliders and selectors of the page (Mesa's ``model_params``), with the status
    quo's values as defaults."""
    quo = status_quo_levers(_scenario(str(scenario_path())), DEFAULT_POLICY_YEAR)
    return {
        "area": {
            "type": "Select",
            "value": NATIONAL,
            "values": [NATIONAL, *lithuania().municipalities],
            "label": "Area shown",
        },
        "policy_year": Slider("Policy starts in", DEFAULT_POLICY_YEAR, 2025, 2035, 1),
        "preventive_share": Slider(
            "Preventive share of the service budget",
            round(quo["preventive_share"], 2),
            0.05,
            0.8,
            0.01,
            dtype=float,
        ),
        "ngo_share": Slider(
            "NGO share of every service", round(quo["ngo_share"], 2), 0.0, 1.0, 0.01, dtype=float
        ),
        "mobile_team_budget": Slider(
            "Mobile teams, million EUR a year",
            round(quo["mobile_team_budget"], 1),
            0.0,
            10.0,
            0.5,
            dtype=float,
        ),
        "cooperation": {
            "type": "Checkbox",
            "value": False,
            "label": "Deploy the cooperation model",
        },
        "deployment_speed": Slider(
            "Deployment speed: regional coordinators (0-1)", 0.0, 0.0, 1.0, 0.1, dtype=float
        ),
        "ngo_cost_ratio": Slider(
            "Assumption: NGO unit cost / municipal", 1.0, 0.7, 1.3, 0.05, dtype=float
        ),
        "ngo_quality_ratio": Slider(
            "Assumption: NGO quality / municipal", 1.0, 0.7, 1.3, 0.05, dtype=float
        ),
        "scale": Slider("Share of families simulated", DEFAULT_SCALE, 0.01, 0.25, 0.01),
        "seed": Slider("Random seed", DEFAULT_SEED, 1, 20, 1),
    }


def defaults(params: dict) -> dict:
    """The starting value of every input of :func:`model_params`."""
    return {name: o.value if isinstance(o, Slider) else o["value"] for name, o in params.items()}


@solara.component
def LabelledSlider(label, value, on_value, low, high, step, is_float, name=""):
    """A slider under its label and current value (a bubble over the thumb would cover
    the row above in the narrow sidebar)."""
    shown = f"{value:.2f}" if is_float else f"{value}"
    with solara.Column(gap="0px", classes=[f"prevsim-input-{name}"]):
        solara.Text(f"{label}: {shown}", style={"font-size": "0.9rem"})
        slider = solara.SliderFloat if is_float else solara.SliderInt
        slider("", value=value, on_value=on_value, min=low, max=high, step=step)


@solara.component
def Inputs(params: dict, values: solara.Reactive[dict]):
    """Mesa-style ``model_params`` as inputs that show their values; they change
    ``values``, which *Reset* turns into a new model."""

    def setter(name: str):
        return lambda value: values.set({**values.value, name: value})

    for name, option in params.items():
        if isinstance(option, Slider):
            LabelledSlider(
                option.label,
                values.value[name],
                setter(name),
                option.min,
                option.max,
                option.step,
                option.is_float_slider,
                name,
            )
        elif option["type"] == "Select":
            solara.Select(
                option["label"],
                value=values.value[name],
                values=option["values"],
                on_value=setter(name),
            )
        else:
            solara.Checkbox(label=option["label"], value=values.value[name], on_value=setter(name))


@solara.component
def FamiliesChart(model: TeachingModel):
    """Families by state: the run so far against the status quo."""
    update_counter.get()  # redrawn whenever the controller steps the model
    with solara.Column(classes=["prevsim-families-chart"]):
        solara.FigureMatplotlib(model.families_chart(), format="png", dpi=100)


@solara.component
def CostsChart(model: TeachingModel):
    """Public cost by service and care type."""
    update_counter.get()
    with solara.Column(classes=["prevsim-costs-chart"]):
        solara.FigureMatplotlib(model.costs_chart(), format="png", dpi=100)


@solara.component
def Summary(model: TeachingModel):
    """The run against the status quo at the current month, as a table."""
    update_counter.get()
    solara.HTML(tag="div", unsafe_innerHTML=summary_html(model))


@solara.component
def Page():
    """The page ``solara run`` serves: one model per browser session.

    Mesa's :class:`SolaraViz` would lay out the same parts, but its sliders do not show
    their values; this page uses Mesa's controller (Reset, play, Step) with inputs that do.
    """
    model = solara.use_reactive(solara.use_memo(TeachingModel, dependencies=[]))
    params = solara.use_memo(model_params, dependencies=[])
    values = solara.use_reactive(defaults(params))
    months = solara.use_reactive(1)  # months per Step (Mesa's render interval)
    play_interval = solara.use_reactive(50)  # ms between steps while playing
    threads = solara.use_reactive(False)
    with solara.AppBar():
        solara.AppBarTitle("prevsim: prevention in child and family welfare")
    with solara.Sidebar(), solara.Column():
        with solara.Card("Run"):
            ModelController(
                model,
                model_parameters=values,
                play_interval=play_interval,
                render_interval=months,
                use_threads=threads,
            )
            LabelledSlider("Months per step", months.value, months.set, 1, 12, 1, False, "months")
        with solara.Card("Policy and assumptions", subtitle="Press Reset to apply them."):
            Inputs(params, values)
    with solara.Column():
        Summary(model.value)
        FamiliesChart(model.value)
        CostsChart(model.value)
