"""The interactive browser model: the agent-based engine on a Solara page.

``prevsim app`` serves this module with ``solara run`` on this computer (see ``server.py``).
A student moves the levers of a policy that starts in a chosen year, presses *Reset* to build
the model with them, then *Step* (or play) month by month and watches families by state and
public costs against the status quo (the model: ``model.py``), with the range of paired
replicates that says how much of it is noise (``replicates.py``), a map of the
municipalities, and downloads of the settings and the series (``exports.py``). The page is
in Lithuanian or English (a switch in the bar; ``prevsim app --lang`` sets the first).

The inputs are declared in the format of Mesa's ``model_params`` (:func:`model_params`); the
parts of the page are in ``widgets.py``. Mesa's visualisation package is not used: its
controller is English only and its sliders do not show their values.
"""

from __future__ import annotations

import os
import threading

import solara

from simulation.interfaces.app import widgets
from simulation.interfaces.app.model import (
    DEFAULT_POLICY_YEAR,
    DEFAULT_SCALE,
    DEFAULT_SEED,
    NATIONAL,
    Sliders,
    TeachingModel,
    load_scenario,
    scenario_path,
    status_quo_levers,
)
from simulation.interfaces.app.replicates import replicates_of
from simulation.interfaces.app.server import LANG_ENV
from simulation.interfaces.app.text import text
from simulation.interfaces.app.widgets import Slider
from simulation.model.catalogue import REGISTRY
from simulation.model.demography import lithuania
from simulation.model.vocabulary import LANGS

#: The page's first language when ``prevsim app --lang`` did not say (as every command).
DEFAULT_LANG = "lt"


def model_params() -> dict:
    """The sliders and selectors of the page (Mesa's ``model_params``).

    Their defaults are the status quo's values; their labels are the page's
    (:func:`simulation.interfaces.app.text.input_label`).
    """
    quo = status_quo_levers(load_scenario(str(scenario_path())), DEFAULT_POLICY_YEAR)
    return {
        "area": {
            "type": "Select",
            "value": NATIONAL,
            "values": [NATIONAL, *lithuania().municipalities],
        },
        "policy_year": Slider(DEFAULT_POLICY_YEAR, 2025, 2035, 1),
        "preventive_share": Slider(round(quo["preventive_share"], 2), 0.05, 0.8, 0.01, True),
        "ngo_share": Slider(round(quo["ngo_share"], 2), 0.0, 1.0, 0.01, True),
        "mobile_team_budget": Slider(round(quo["mobile_team_budget"], 1), 0.0, 10.0, 0.5, True),
        "cooperation": {"type": "Checkbox", "value": False},
        "deployment_speed": Slider(0.0, 0.0, 1.0, 0.1, True),
        "ngo_cost_ratio": _assumption("ngo_cost_ratio"),
        "ngo_quality_ratio": _assumption("ngo_quality_ratio"),
        "scale": Slider(DEFAULT_SCALE, 0.01, 0.25, 0.01, True),
        "seed": Slider(DEFAULT_SEED, 1, 20, 1),
    }


def _assumption(name: str) -> Slider:
    """A slider over an uncertain parameter's registry default and plausible range."""
    p = REGISTRY[name]
    return Slider(p.default, p.range[0], p.range[1], 0.05, True)


def defaults(params: dict) -> dict:
    """The starting value of every input of :func:`model_params`."""
    return {name: o.value if isinstance(o, Slider) else o["value"] for name, o in params.items()}


def first_language() -> str:
    """``prevsim app --lang`` (through the environment), else :data:`DEFAULT_LANG`."""
    lang = os.environ.get(LANG_ENV, DEFAULT_LANG)
    return lang if lang in LANGS else DEFAULT_LANG


def warm_up() -> None:
    """Start the status quo's paired replicates in the background when the server starts.

    The first student then waits seconds less for the bands of the opening page.
    """
    threading.Thread(target=replicates_of, args=(Sliders(),), daemon=True).start()


if os.environ.get(LANG_ENV):  # served by ``prevsim app`` (not imported by a test or a notebook)
    warm_up()


@solara.component
def Page():
    """The page ``solara run`` serves: one model per browser session."""
    lang = solara.use_reactive(first_language())
    model = solara.use_reactive(solara.use_memo(TeachingModel, dependencies=[]))
    params = solara.use_memo(model_params, dependencies=[])
    values = solara.use_reactive(defaults(params))
    months = solara.use_reactive(1)  # months per step
    # The paired replicates of the model's sliders, run in a thread: the page stays usable.
    result = solara.use_thread(
        lambda: replicates_of(model.value.sliders), dependencies=[model.value]
    )
    replicates = result.value if result.state == solara.ResultState.FINISHED else None
    words = text(lang.value)
    solara.Title(words["title"])
    with solara.AppBar():
        solara.AppBarTitle(words["title"])
        with (
            solara.Row(classes=["prevsim-language"], style={"background": "transparent"}),
            solara.ToggleButtonsSingle(value=lang, style={"margin-left": "12px"}),
        ):
            for code in LANGS:
                solara.Button(code.upper(), value=code)
    with solara.Sidebar(), solara.Column():
        with solara.Card(words["run"]):
            widgets.Controller(model, values, months, lang.value)
            widgets.LabelledSlider(
                words["months_per_step"], months.value, months.set, 1, 12, 1, False, "months"
            )
        with solara.Card(words["inputs"], subtitle=words["inputs_help"]):
            widgets.Inputs(params, values, lang.value)
        with solara.Card(words["downloads"]):
            widgets.Downloads(model.value, lang.value, replicates)
    with solara.Column():
        widgets.About(lang.value)
        widgets.Charts(model.value, lang.value, replicates)
        widgets.Map(model.value, lang.value)
