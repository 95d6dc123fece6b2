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
