"""Time paths of policy levers from a scenario's schedule of changes.

A lever starts at its initial value; each :class:`Change` sets new values from the first
month of its year, either at once or in a linear ramp over ``ramp_years``. Paths are monthly
and piecewise constant within a month, so a fixed-step integrator aligned to months never
steps over a change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Change:
    """New lever values from January of ``year``, reached after ``ramp_years`` (linear)."""

    year: int
    values: Mapping[str, float | np.ndarray] = field(default_factory=dict)
    ramp_years: float = 0.0


def lever_paths(
    initial: Mapping[str, float],
    changes: Sequence[Change],
    start_year: int,
    n_months: int,
) -> dict[str, np.ndarray]:
    """Monthly value of every lever over the horizon.

    Parameters
    ----------
    initial : mapping
        Lever values at ``start_year`` (every lever the engine needs); scalars, or 1-D
        arrays of length K for a batch of parameter sets.
    changes : sequence of Change
        Applied in order of year (stable for equal years); a change sets a scalar, the same
        in every set of a batch, or a 1-D array of length K, a value per set.
    start_year : int
        Calendar year of month 0.
    n_months : int
        Number of months in the horizon.

    Returns
    -------
    dict of str to ndarray, shape ``(n_months,)`` or ``(n_months, K)``
        Value in effect during each month.
    """
    paths = {
        name: np.tile(np.asarray(v, float), (n_months,) + (1,) * np.ndim(v))
        for name, v in initial.items()
    }
    for change in sorted(changes, key=lambda c: c.year):
        first = (change.year - start_year) * 12
        if first >= n_months:
            continue
        ramp = max(round(change.ramp_years * 12), 1)
        for name, new in change.values.items():
            new = np.asarray(new, float)
            path = paths[name]
            if new.ndim == 1 and path.ndim == 1:  # values per set: the path gains a batch axis
                path = paths[name] = np.repeat(path[:, None], new.size, axis=1)
            begin = max(first, 0)
            before = path[begin - 1] if begin > 0 else path[0]
            steps = np.arange(begin - first + 1, n_months - first + 1)
            weight = np.minimum(steps / ramp, 1.0).reshape((-1,) + (1,) * (path.ndim - 1))
            path[begin:] = before + (new - before) * weight
    return paths
