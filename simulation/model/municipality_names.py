"""Official names of the 60 municipalities, and their ids in the boundary file.

The model names municipalities as Statistics Lithuania does in English ("Joniškis d. mun.",
the names of ``municipal_children.csv``); readers see the official Lithuanian short form
("Joniškio r. sav.") in Lithuanian and the Statistics Lithuania form in English. The crosswalk
is ``simulation/data/lithuania/municipality_names.csv`` (its provenance, and the two names
corrected from the map file, are in that folder's README). The regions of another shipped
country (``docs/countries.md``) have no crosswalk: readers see the names of its data file.
"""

from __future__ import annotations

import csv
import difflib
from functools import cache
from importlib import resources

from simulation.model.demography import DEFAULT_COUNTRY, countries, country_children
from simulation.model.vocabulary import LANGS


@cache
def _rows() -> tuple[dict[str, str], ...]:
    path = resources.files("simulation") / "data" / "lithuania" / "municipality_names.csv"
    with path.open(newline="", encoding="utf-8") as f:
        return tuple(csv.DictReader(f))


@cache
def _index() -> dict[str, dict[str, str]]:
    """Every row under each of its names (English, short and long Lithuanian)."""
    index: dict[str, dict[str, str]] = {}
    for row in _rows():
        for key in ("municipality", "name_lt", "long_name_lt"):
            index[row[key]] = row
    return index


@cache
def _other_countries_units() -> frozenset[str]:
    """The units (regions) of every shipped country but Lithuania, as their data files name them."""
    others = (c for c in countries() if c != DEFAULT_COUNTRY)
    return frozenset(name for c in others for name in country_children(c).index)


def names() -> tuple[str, ...]:
    """The 60 municipalities' names as the model uses them (Statistics Lithuania, English)."""
    return tuple(row["municipality"] for row in _rows())


def _row(name: str) -> dict[str, str]:
    try:
        return _index()[name]
    except KeyError:
        near = difflib.get_close_matches(name, list(_index()), n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(repr(n) for n in near)}?)" if near else ""
        raise KeyError(f"unknown municipality {name!r}{hint}") from None


def official_name(name: str, lang: str) -> str:
    """The name readers see in ``lang``.

    Parameters
    ----------
    name : str
        A municipality in any form the crosswalk holds: Statistics Lithuania's English
        ("Joniškis d. mun."), or the Lithuanian short ("Joniškio r. sav.") or long form.
    lang : {"lt", "en"}
        ``"lt"``: the official short form ("Joniškio r. sav.", "Rietavo sav.");
        ``"en"``: the Statistics Lithuania form ("Joniškis d. mun."). A region of another
        shipped country: its own name, in both languages.

    Raises
    ------
    KeyError
        For a name not in the crosswalk (with near matches).
    ValueError
        For a language other than those of :data:`simulation.model.vocabulary.LANGS`.
    """
    if lang not in LANGS:
        raise ValueError(f"language {lang!r} is not one of {LANGS}")
    if name not in _index() and name in _other_countries_units():
        return name
    return _row(name)["name_lt" if lang == "lt" else "municipality"]


def map_id(name: str) -> int:
    """The ``id`` of ``name`` in ``municipalities.geojson`` (0-59, Lithuanian alphabetical)."""
    return int(_row(name)["map_id"])
