"""Calibration targets.

Which published figures the model is fitted to, and how each maps to model output.

A targets file (TOML, see ``calibration/targets.toml``) names a data file in the long format
of ``national_series.csv``, the scenario whose policy history produced the data, the free
parameters and the error model, and a list of ``[[target]]`` tables. Each target turns one or
more data series (summed year by year) into :class:`Point` objects, each paired with a model
output read from an SD (or rescaled ABM) result by :func:`predict`.

Model outputs
-------------
``families.<state>``, ``children.<state>`` and ``children.in_care`` are stocks read at a
decimal year (linear interpolation between month starts). A ``flows`` list sums flows over
a calendar year, counted in families or in children (families times the children per family
of the flow's source state).
"""

from simulation.analysis.targets.definitions import (
    COUNTS,
    DEFAULT_ABM_SCALE,
    DEFAULTS,
    QUALITIES,
    SECTIONS,
    Point,
    Target,
    Targets,
    TargetsError,
)
from simulation.analysis.targets.outputs import points_frame, predict, trajectory
from simulation.analysis.targets.reading import check_overrides, load
from simulation.model.demography import national_series
from simulation.workflow.tables import STOCK_OUTPUTS, flow_totals, stock_series

__all__ = [
    "COUNTS",
    "DEFAULTS",
    "DEFAULT_ABM_SCALE",
    "QUALITIES",
    "SECTIONS",
    "STOCK_OUTPUTS",
    "Point",
    "Target",
    "Targets",
    "TargetsError",
    "check_overrides",
    "flow_totals",
    "load",
    "national_series",
    "points_frame",
    "predict",
    "stock_series",
    "trajectory",
]
