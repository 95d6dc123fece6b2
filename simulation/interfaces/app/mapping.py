"""The page's map: an indicator of the run in each of the 60 municipalities at the month shown."""

from __future__ import annotations

from simulation.interfaces.app.model import TeachingModel
from simulation.interfaces.app.text import MAP_WORDS, MONTHS, text
from simulation.model.states import CARE_STATES, State
from simulation.model.vocabulary import START_YEAR
from simulation.reports.maps import map_figure
from simulation.reports.style import thousands

INDICATORS = ("care", "risk")


def map_values(model: TeachingModel, indicator: str) -> dict[str, float]:
    """``indicator`` per municipality (the model's names) at the model's month.

    ``"care"``: children in care per 1,000 children of the simulated families;
    ``"risk"``: families in difficulty (risk) per 1,000 families. Rates, so the scale
    cancels; a municipality with no simulated family gets none.
    """
    now = model.month
    if indicator == "care":
        children = model.children[now]  # (municipality, state)
        top, bottom = children[:, list(CARE_STATES)].sum(axis=1), children.sum(axis=1)
    elif indicator == "risk":
        families = model.stocks[now]
        top, bottom = families[:, State.RISK], families.sum(axis=1)
    else:
        raise ValueError(f"indicator must be one of {INDICATORS}, got {indicator!r}")
    return {
        name: 1000.0 * float(t) / float(b)
        for name, t, b in zip(model.names, top, bottom, strict=True)
        if b > 0
    }


def map_chart(model: TeachingModel, indicator: str, lang: str):
    """The map figure of ``indicator`` at the model's month, titled in ``lang``."""
    words = MAP_WORDS[lang]
    year, month = START_YEAR + model.month // 12, MONTHS[lang][model.month % 12]
    when = f"{year} m. {month}" if lang == "lt" else f"{month} {year}"
    values = map_values(model, indicator)
    top = max(values.values(), default=1.0)
    return map_figure(
        values,
        lang,
        words["title"].format(
            indicator=words[indicator], month=when, policy=text(lang)["your_policy"]
        ),
        words[indicator],
        formatter=thousands(lang) if top >= 10 else None,
    )
