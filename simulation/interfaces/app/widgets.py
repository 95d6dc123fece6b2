"""The parts of the browser app's page (Solara components), in the page's language.

Every component takes ``lang`` ("lt" or "en") and takes its words from
``simulation.interfaces.app.text``. The charts and the summary redraw when Mesa's
``update_counter`` changes (after every step).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from html import escape

import numpy as np
import solara
import solara.lab

from simulation.interfaces.app import exports, mapping
from simulation.interfaces.app.model import TeachingModel
from simulation.interfaces.app.replicates import Replicates
from simulation.interfaces.app.text import (
    ABOUT,
    MAP_WORDS,
    area_choice,
    input_label,
    number,
    text,
)

#: Counts redraws: the charts read it, a step bumps it (as Mesa's ``update_counter``; Mesa's
#: visualisation package is not imported, its import warns about its own hooks).
update_counter = solara.reactive(0)


def force_update() -> None:
    """Redraw the parts that read :data:`update_counter`."""
    update_counter.value += 1


@dataclass(frozen=True)
class Slider:
    """A numeric input, as Mesa's ``Slider``: its value (the default), range and step.

    The label is the page's, in its language (:func:`~simulation.interfaces.app.text.input_label`).
    """

    value: float
    min: float
    max: float
    step: float
    is_float_slider: bool = False


#: Decimals of each summary row (money rows to 0.1 million EUR: a small municipality spends
#: well under a million a year).
ROW_DECIMALS = (0, 0, 0, 1, 1)


def _signed(value: float, lang: str, decimals: int) -> str:
    """``value`` with its sign ("+40", "−1,5"), and a plain 0 for what rounds to zero."""
    value = round(float(value), decimals) + 0.0  # + 0.0: no "-0"
    if value == 0:
        return "0"
    shown = number(abs(value), lang, decimals)
    return f"+{shown}" if value > 0 else f"\u2212{shown}"


def summary_html(model: TeachingModel, lang: str, replicates: Replicates | None = None) -> str:
    """The summary as an HTML table (solara's Markdown would fetch KaTeX from a CDN).

    With ``replicates``, a last column gives the range of the difference (policy less status
    quo) over the paired replicates at the month shown.
    """
    words = text(lang)
    rows = model.summary_rows(lang)
    spread = None if replicates is None else replicates.differences(model.month)
    cells = []
    for i, (label, mine, quo) in enumerate(rows):
        d = ROW_DECIMALS[i]
        extra = ""
        if spread is not None:
            low, high = np.min(spread[:, i]), np.max(spread[:, i])
            extra = f"<td>{_signed(low, lang, d)} … {_signed(high, lang, d)}</td>"
        cells.append(
            f"<tr><td>{escape(label)}</td><td>{number(mine, lang, d)}</td>"
            f"<td>{number(quo, lang, d)}</td>{extra}</tr>"
        )
    head = f"<th>{words['your_policy']}</th><th>{words['status_quo']}</th>"
    if spread is not None:
        head += f"<th>{escape(words['difference'].format(k=len(replicates.models)))}</th>"
    return (
        "<style>.prevsim-summary td, .prevsim-summary th {padding: 2px 12px}"
        ".prevsim-summary td:first-child {text-align: left}</style>"
        f'<div class="prevsim-summary" data-month="{model.month}">'
        f"<p><b>{escape(model.headline(lang))}</b></p>"
        '<table style="border-collapse: collapse; text-align: right">'
        f"<tr><th></th>{head}</tr>{''.join(cells)}</table>"
        f"<p>{escape(model.policy_text(lang))}</p></div>"
    )


def band_sentence(model: TeachingModel, lang: str, replicates: Replicates | None) -> str:
    """What the shaded bands are, or that they are being computed."""
    words = text(lang)
    if replicates is None:
        from simulation.interfaces.app.replicates import REPLICATES

        return words["band_wait"].format(k=REPLICATES)
    seeds = replicates.seeds
    return words["band"].format(
        seed=model.root_seed,
        per=number(1 / model.scale, lang),
        k=len(seeds),
        first=seeds[0],
        last=seeds[-1],
    )


@solara.component
def LabelledSlider(label, value, on_value, low, high, step, is_float, name="", lang="en"):
    """A slider under its label and current value.

    The value is shown in the label because a bubble over the thumb would cover the row above
    in the narrow sidebar.
    """
    shown = number(value, lang, 2) if is_float else f"{value}"
    with solara.Column(gap="0px", classes=[f"prevsim-input-{name}"], style={"margin-top": "8px"}):
        solara.Text(f"{label}: {shown}", style={"font-size": "0.9rem"})
        slider = solara.SliderFloat if is_float else solara.SliderInt
        slider("", value=value, on_value=on_value, min=low, max=high, step=step)


@solara.component
def Inputs(params: dict, values: solara.Reactive[dict], lang: str):
    """``model_params`` (sliders, a selector, a checkbox) as inputs that show their values.

    Labelled in ``lang``.

    The inputs change ``values``, which *Reset* turns into a new model.
    """

    def setter(name: str):
        return lambda value: values.set({**values.value, name: value})

    for name, option in params.items():
        label = input_label(name, lang)
        if isinstance(option, Slider):
            LabelledSlider(
                label,
                values.value[name],
                setter(name),
                option.min,
                option.max,
                option.step,
                option.is_float_slider,
                name,
                lang,
            )
        elif option["type"] == "Select":
            shown = {area_choice(v, lang): v for v in option["values"]}
            with solara.Column(classes=[f"prevsim-input-{name}"]):
                solara.Select(
                    label,
                    value=area_choice(values.value[name], lang),
                    values=list(shown),
                    on_value=_chosen(setter(name), shown),
                )
        else:
            with solara.Column(classes=[f"prevsim-input-{name}"]):
                solara.Checkbox(label=label, value=values.value[name], on_value=setter(name))


def _chosen(set_value, shown: dict):
    """Set the model's key of the choice shown."""
    return lambda choice: set_value(shown[choice])


@solara.component
def Controller(model: solara.Reactive, values: solara.Reactive[dict], months, lang: str):
    """Reset, play and step, labelled in ``lang`` (Mesa's controller is English only).

    *Reset* builds a new model from ``values``; a step advances ``months`` months.
    """
    words = text(lang)
    playing = solara.use_reactive(False)

    def step() -> None:
        for _ in range(months.value):
            if not model.value.running:
                playing.set(False)
                break
            model.value.step()
        force_update()

    def reset() -> None:
        playing.set(False)
        model.set(TeachingModel(**values.value))

    def play() -> None:
        while playing.value and model.value.running:
            time.sleep(0.05)
            step()

    # A task in a thread, as Mesa's controller plays: a new one whenever play is pressed.
    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)
    with solara.Row(justify="space-between"):
        solara.Button(label=words["reset"], color="primary", on_click=reset)
        solara.Button(
            label=words["pause"] if playing.value else words["play"],
            color="primary",
            on_click=lambda: playing.set(not playing.value),
            disabled=not model.value.running,
        )
        solara.Button(
            label=words["step"],
            color="primary",
            on_click=step,
            disabled=playing.value or not model.value.running,
        )


@solara.component
def Charts(model: TeachingModel, lang: str, replicates: Replicates | None):
    """The summary, what the bands mean, and the two charts."""
    update_counter.get()  # redrawn whenever the controller steps the model
    bands = None if replicates is None else replicates.bands(model.month)
    solara.HTML(tag="div", unsafe_innerHTML=summary_html(model, lang, replicates))
    with solara.Column(classes=["prevsim-band-note"]):
        solara.Text(band_sentence(model, lang, replicates))
    with solara.Column(classes=["prevsim-families-chart"]):
        solara.FigureMatplotlib(model.families_chart(lang, bands), format="png", dpi=100)
    with solara.Column(classes=["prevsim-costs-chart"]):
        solara.FigureMatplotlib(model.costs_chart(lang, bands), format="png", dpi=100)


@solara.component
def Map(model: TeachingModel, lang: str):
    """The 60 municipalities coloured by an indicator of the run at the month shown."""
    update_counter.get()
    indicator = solara.use_reactive(mapping.INDICATORS[0])
    words = MAP_WORDS[lang]
    shown = {words[key]: key for key in mapping.INDICATORS}
    with solara.Column(classes=["prevsim-map"], style={"padding": "0 12px"}):
        solara.Select(
            text(lang)["indicator"],
            value=words[indicator.value],
            values=list(shown),
            on_value=lambda v: indicator.set(shown[v]),
        )
        solara.FigureMatplotlib(
            mapping.map_chart(model, indicator.value, lang), format="png", dpi=100
        )
        solara.Text(words["note"], style={"font-size": "0.85rem"})


@solara.component
def Downloads(model: TeachingModel, lang: str, replicates: Replicates | None):
    """The settings as a scenario file, and the series shown as CSV.

    Each file is made when its button is pressed, not at every step (:func:`Charts` draws
    the bands then).
    """
    update_counter.get()
    words = text(lang)

    def series() -> str:
        bands = None if replicates is None else replicates.bands(model.month)
        return exports.series_csv(model, lang, bands)

    with solara.Column(classes=["prevsim-downloads"]):
        solara.FileDownload(
            lambda: exports.scenario_toml(model),
            filename="app_policy.toml",
            label=words["download_scenario"],
            mime_type="application/toml",
        )
        solara.FileDownload(
            series,
            filename=f"prevsim_app_series_{lang}.csv",
            label=words["download_series"],
            mime_type="text/csv",
        )


@solara.component
def About(lang: str):
    """What the model is, what it simplifies, and things to try."""
    with solara.Details(summary=text(lang)["about"], expand=False):
        solara.HTML(tag="div", unsafe_innerHTML=ABOUT[lang], classes=["prevsim-about"])
