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
