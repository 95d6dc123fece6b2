"""The one bilingual label table of the charts."""

from __future__ import annotations

import pytest

from simulation.reports.labels import LABELS, words


def _shape(table):
    """The keys of a nested table, recursively."""
    if isinstance(table, dict):
        return {key: _shape(value) for key, value in table.items()}
    return type(table)


def test_both_languages_have_the_same_keys():
    assert _shape(LABELS["lt"]) == _shape(LABELS["en"])


def test_every_label_is_text_and_the_languages_differ():
    def leaves(table):
        for value in table.values():
            yield from leaves(value) if isinstance(value, dict) else [value]

    lt, en = list(leaves(LABELS["lt"])), list(leaves(LABELS["en"]))
    assert all(isinstance(v, str) and v.strip() for v in lt + en)
    assert sum(a != b for a, b in zip(lt, en, strict=True)) > 0.9 * len(lt)


def test_an_unknown_language_is_refused():
    assert words("lt", "charts")["families"] == "šeimos"
    with pytest.raises(ValueError, match="lang must be one of"):
        words("de", "charts")


def test_the_decision_charts_share_the_source_head_and_a_year():
    """optimise, voi and discover read these words from the table, not copies of their own."""
    from simulation.reports.discovery_charts import value_text
    from simulation.reports.labels import per_year, sd_source

    assert sd_source("lt") == "Šaltinis: prevsim, sistemų dinamikos modelis"
    assert sd_source("en") == "Source: prevsim, system-dynamics model"
    assert per_year("46,9 mln. EUR", "lt") == "46,9 mln. EUR per metus"
    assert per_year("46.9 million EUR", "en") == "46.9 million EUR a year"
    assert value_text("budget.preventive", 11.4, "lt") == "11,4\u00a0mln.\u00a0EUR per metus"
    assert value_text("budget.preventive", 11.4, "en") == "11.4\u00a0million\u00a0EUR a year"
