"""Numbers by locale (Babel): Lithuanian decimal comma and no-break grouping, a true minus."""

import math

import pytest

from simulation.reports import locale

NBSP = "\u00a0"


def test_lithuanian_and_english_numbers():
    assert locale.number(-1234567.891, 1, "lt") == f"\u22121{NBSP}234{NBSP}567,9"
    assert locale.number(-1234567.891, 1, "en") == "\u22121,234,567.9"
    assert locale.number(2830, 0, "lt") == f"2{NBSP}830"
    assert locale.number(2031, 0, "lt", group=False) == "2031"
    assert locale.number(-0.04, 1, "lt") == "0,0"  # a rounded zero has no minus


def test_money_and_percentages():
    assert locale.million_eur(-122.2e6, 1, "lt") == f"\u2212122,2{NBSP}mln.{NBSP}EUR"
    assert locale.million_eur(-122.2e6, 1, "en") == f"\u2212122.2{NBSP}million{NBSP}EUR"
    assert locale.percent(0.25, 0, "lt") == f"25{NBSP}%"
    assert locale.percent(0.253, 1, "lt") == f"25,3{NBSP}%"
    assert locale.percent(0.253, 1, "en") == "25.3%"


@pytest.mark.parametrize("lang", ["lt", "en"])
@pytest.mark.parametrize("value", [0.0, 3.14159, -2718.28, 1e7 / 3, -1234567.891])
def test_parse_inverts_number(lang, value):
    assert math.isclose(locale.parse(locale.number(value, 2, lang), lang), round(value, 2))


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language 'de'"):
        locale.number(1.0, 0, "de")


def test_chart_ticks_are_written_like_the_text():
    assert locale.tick_formatter(0, "lt")(12000.0, 0) == f"12{NBSP}000"
    assert locale.tick_formatter(1, "en")(-0.26, 0) == "\u22120.3"


@pytest.mark.parametrize(
    ("count", "lang", "word"),
    [
        (1, "lt", "paleidimas"),
        (3, "lt", "paleidimai"),
        (10, "lt", "paleidimų"),
        (21, "lt", "paleidimas"),
        (1, "en", "run"),
        (10, "en", "runs"),
    ],
)
def test_runs_after_a_number_take_the_language_s_plural_form(count, lang, word):
    from simulation.reports.discovery import RUNS

    assert RUNS[lang].get(locale.plural_form(count, lang), RUNS[lang]["other"]) == word
