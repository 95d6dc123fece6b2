"""The countries whose data ship with the package: folders of ``simulation/data/``.

A country is a folder with :data:`COUNTRY_FILES`; the Lithuanian one is the default, and a
scenario names another by ``[run] country`` (``docs/countries.md``). Kept apart from
:mod:`simulation.model.demography`, which reads the files with pandas, so that checking a
scenario's country (``prevsim validate``) loads no heavy library.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

#: The country whose data a run reads unless its scenario names another (``[run] country``).
DEFAULT_COUNTRY = "lithuania"
#: The files that make a folder of ``simulation/data/`` a country (docs/countries.md).
COUNTRY_FILES = ("national_series.csv", "municipal_children.csv")


def data_dir(country: str = DEFAULT_COUNTRY) -> Path:
    """Folder of a country's shipped data (default: the Lithuanian data)."""
    return Path(str(resources.files("simulation") / "data" / country))


@functools.cache
def countries() -> tuple[str, ...]:
    """The shipped countries: the folders of ``simulation/data/`` with :data:`COUNTRY_FILES`.

    Named by folder; a scenario's ``[run] country`` is one of them.
    """
    root = Path(str(resources.files("simulation") / "data"))
    found = (d.name for d in root.iterdir() if all((d / f).is_file() for f in COUNTRY_FILES))
    return tuple(sorted(found))


#: Readers' names of the default country; another country's are in its folder's
#: ``country.toml`` (``[name]``: ``en``, ``lt`` and the Lithuanian genitive ``lt_genitive``).
DEFAULT_NAMES = {"en": "Lithuania", "lt": "Lietuva", "lt_genitive": "Lietuvos"}


@functools.cache
def display_name(country: str = DEFAULT_COUNTRY, form: str = "en") -> str:
    """The country's name as readers read it: ``form`` is ``en``, ``lt`` or ``lt_genitive``.

    Read from the country folder's ``country.toml``; without one, the default country's
    :data:`DEFAULT_NAMES`, and another country's folder name capitalised.
    """
    import tomllib

    path = data_dir(country) / "country.toml"
    if path.is_file():
        names = tomllib.loads(path.read_text(encoding="utf-8")).get("name", {})
    else:
        names = DEFAULT_NAMES if country == DEFAULT_COUNTRY else {}
    return str(names.get(form) or names.get("en") or country.capitalize())
