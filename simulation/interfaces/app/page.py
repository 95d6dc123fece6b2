"""The interactive browser model: the agent-based engine in Mesa's Solara visualisation.

``prevsim app`` serves this module with ``solara run`` on this computer (see
``app_server.py``). A student moves the levers of a policy that starts in a chosen year,
presses *Reset* to build the model with them, then *Step* (or play) month by month and
watches families by state and public costs against the status quo (the model:
``app_model.py``).

The page is built from Mesa's visualisation parts (its ``ModelController`` with Reset, play
and Step, and its ``update_counter`` that redraws the charts after a step) rather than
``SolaraViz`` itself, whose sliders do not show their values. The inputs are declared in
the format of Mesa's ``model_params`` (:func:`model_params`).
"""

from __future__ import annotations

from html import escape

import solara
from mesa.visualization import Slider
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from simulation.interfaces.app.model import (
    DEFAULT_POLICY_YEAR,
    DEFAULT_SCALE,
    DEFAULT_SEED,
    NATIONAL,
    TeachingModel,
    load_scenario,
    scenario_path,
    status_quo_levers,
)
from simulation.model.catalogue import REGISTRY
from simulation.model.demography import lithuania


def summary_html(model: TeachingModel) -> str:
    """The summary as an HTML table (solara's Markdown would fetch KaTeX from a CDN)."""

    def number(label: str, value: float) -> str:
        # Money to 0.1 million EUR: a small municipality spends well under a million a year.
        return f"{value:,.1f}" if "million" in label else f"{value:,.0f}"

    cells = "".join(
        f"<tr><td>{escape(label)}</td><td>{number(label, mine)}</td>"
        f"<td>{number(label, quo)}</td></tr>"
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
    """The sliders and selectors of the page (Mesa's ``model_params``).

    Their defaults are the status quo's values.
    """
    quo = status_quo_levers(load_scenario(str(scenario_path())), DEFAULT_POLICY_YEAR)
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
        "ngo_cost_ratio": _assumption("ngo_cost_ratio", "Assumption: NGO unit cost / municipal"),
        "ngo_quality_ratio": _assumption(
            "ngo_quality_ratio", "Assumption: NGO quality / municipal"
        ),
        "scale": Slider("Share of families simulated", DEFAULT_SCALE, 0.01, 0.25, 0.01),
        "seed": Slider("Random seed", DEFAULT_SEED, 1, 20, 1),
    }


def _assumption(name: str, label: str) -> Slider:
    """A slider over an uncertain parameter's registry default and plausible range."""
    p = REGISTRY[name]
    return Slider(label, p.default, p.range[0], p.range[1], 0.05, dtype=float)


def defaults(params: dict) -> dict:
    """The starting value of every input of :func:`model_params`."""
    return {name: o.value if isinstance(o, Slider) else o["value"] for name, o in params.items()}


@solara.component
def LabelledSlider(label, value, on_value, low, high, step, is_float, name=""):
    """A slider under its label and current value.

    The value is shown in the label because a bubble over the thumb would cover the row above in
    the narrow sidebar.
    """
    shown = f"{value:.2f}" if is_float else f"{value}"
    with solara.Column(gap="0px", classes=[f"prevsim-input-{name}"], style={"margin-top": "8px"}):
        solara.Text(f"{label}: {shown}", style={"font-size": "0.9rem"})
        slider = solara.SliderFloat if is_float else solara.SliderInt
        slider("", value=value, on_value=on_value, min=low, max=high, step=step)


@solara.component
def Inputs(params: dict, values: solara.Reactive[dict]):
    """Mesa-style ``model_params`` as inputs that show their values.

    The inputs change ``values``, which *Reset* turns into a new model.
    """

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
