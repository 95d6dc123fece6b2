"""Model values at a targets file's data points, and trajectories of its model outputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from simulation.analysis.targets.definitions import Point, Target
from simulation.engines.results import EngineResult
from simulation.workflow.tables import flow_totals, stock_series


def _interpolate(times: np.ndarray, values: np.ndarray, at: float) -> np.ndarray:
    """Values (T, K) linearly interpolated at decimal year ``at`` -> (K,)."""
    i = int(np.clip(np.searchsorted(times, at, side="right") - 1, 0, len(times) - 2))
    w = (at - times[i]) / (times[i + 1] - times[i])
    return (1.0 - w) * values[i] + w * values[i + 1]


def predict(result: EngineResult, params: Mapping[str, object], targets: Sequence[Target]):
    """Model values at every data point.

    Shape ``(K, n_points)``, in the order of the targets' points.
    """
    columns = []
    for t in targets:
        if t.stock:
            values = stock_series(result, params, t.stock)
            columns += [
                _interpolate(result.times, values, p.time) * t.children_per_family(p.time)
                for p in t.points
            ]
        else:
            values = flow_totals(result, params, t.flows, t.count)
            for p in t.points:
                columns.append(
                    _interpolate(result.times, values, p.time + 1.0)
                    - _interpolate(result.times, values, p.time)
                )
    return np.stack(columns, axis=-1)


def trajectory(result: EngineResult, params: Mapping[str, object], target: Target):
    """The target's model output for plotting.

    Decimal years and values ``(T', K)``: stocks at every saved time; flows as calendar-year
    totals, placed at mid-year.
    """
    if target.stock:
        values = stock_series(result, params, target.stock)
        ratio = target.children_per_family(result.times)
        return result.times, values * ratio.reshape(-1, *([1] * (values.ndim - 1)))
    cum = flow_totals(result, params, target.flows, target.count)
    first = int(np.ceil(result.times[0] - 1e-9))
    years = np.arange(first, int(result.times[-1] + 1e-9))
    totals = np.stack(
        [
            _interpolate(result.times, cum, y + 1.0) - _interpolate(result.times, cum, y)
            for y in years
        ]
    )
    return years + 0.5, totals


def points_frame(points: Sequence[Point]) -> pd.DataFrame:
    """The data points as a table (one row per point)."""
    return pd.DataFrame([p.__dict__ for p in points])
