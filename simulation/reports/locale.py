"""Numbers written as readers of each language write them, by CLDR locale data (Babel).

Lithuanian: decimal comma, a no-break space between thousands, ``−122,2 mln. EUR``, ``25 %``;
English: ``−122.2 million EUR``, ``25%``. Every figure of a briefing and any chart that wants
locale-correct ticks goes through here, not through hand-written replacements.
"""

from __future__ import annotations

from babel import Locale
from babel.numbers import format_decimal, format_percent

#: Babel locale of each language of :data:`simulation.model.vocabulary.LANGS`.
LOCALES = {"lt": "lt_LT", "en": "en_GB"}
#: The minus sign readers see (U+2212), not a hyphen.
MINUS = "\u2212"
NBSP = "\u00a0"
#: Million EUR as each language abbreviates it (the unit follows the number).
MILLION_EUR = {"lt": "mln.\u00a0EUR", "en": "million\u00a0EUR"}


def _locale(lang: str) -> str:
    try:
        return LOCALES[lang]
    except KeyError:
        raise ValueError(f"language {lang!r} is not one of {tuple(LOCALES)}") from None


def _pattern(decimals: int, group: bool) -> str:
    integer = "#,##0" if group else "0"
    return integer + ("." + "0" * decimals if decimals > 0 else "")


def _clean(text: str) -> str:
    """Babel's hyphen-minus to a true minus; narrow or plain group spaces to no-break ones."""
    return text.replace("-", MINUS).replace("\u202f", NBSP).replace(" ", NBSP)


def number(value: float, decimals: int = 0, lang: str = "lt", group: bool = True) -> str:
    """``value`` rounded to ``decimals``: lt ``−1 234,5``, en ``−1,234.5``.

    A value that rounds to zero has no minus sign; years (``group=False``) have no thousands
    separator; four-digit numbers are grouped too (``2 830``), so that columns line up.
    """
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0
    text = format_decimal(
        rounded, format=_pattern(decimals, group), locale=_locale(lang), group_separator=group
    )
    return _clean(text)


def percent(share: float, decimals: int = 0, lang: str = "lt") -> str:
    """A share (0.25) as a percentage: lt ``25 %``, en ``25%``."""
    # the locale's own pattern ("#,##0 %" in Lithuanian, "#,##0%" in English), with decimals
    pattern = Locale.parse(_locale(lang)).percent_formats[None].pattern
    if decimals:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * decimals, 1)
    rounded = round(float(share) * 100, decimals) / 100
    return _clean(format_percent(rounded or 0.0, format=pattern, locale=_locale(lang)))


def plural_form(count: int, lang: str = "lt") -> str:
    """CLDR plural category of ``count`` in ``lang``: ``one``, ``few``, ``many`` or ``other``.

    Lithuanian nouns after a number take three forms: 1, 21 ``one`` (paleidimas); 2-9, 22-29
    ``few`` (paleidimai); 0, 10-20, 30 ``other`` (paleidimų).
    """
    return Locale.parse(_locale(lang)).plural_form(count)


def million_eur(eur: float, decimals: int = 1, lang: str = "lt") -> str:
    """Euros as millions with the unit: lt ``−122,2 mln. EUR``, en ``−122.2 million EUR``."""
    return f"{number(eur / 1e6, decimals, lang)}{NBSP}{MILLION_EUR[lang]}"


def parse(text: str, lang: str = "lt") -> float:
    """Inverse of :func:`number` (for tests and readers of a briefing's ``numbers.csv``)."""
    _locale(lang)
    clean = text.replace(MINUS, "-")
    for space in (NBSP, "\u202f", " "):
        clean = clean.replace(space, "")
    clean = clean.replace(".", "").replace(",", ".") if lang == "lt" else clean.replace(",", "")
    return float(clean)


def tick_formatter(decimals: int = 0, lang: str = "lt"):
    """A Matplotlib tick formatter writing numbers as :func:`number` does (for charts)."""
    from matplotlib.ticker import FuncFormatter

    _locale(lang)
    return FuncFormatter(lambda value, _: number(value, decimals, lang))


def percent_formatter(lang: str = "lt"):
    """A Matplotlib tick formatter writing shares as whole percentages (:func:`percent`)."""
    from matplotlib.ticker import FuncFormatter

    _locale(lang)
    return FuncFormatter(lambda value, _: percent(value, 0, lang))
