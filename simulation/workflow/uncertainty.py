"""How a Monte Carlo figure is summarised: one definition for every output.

``prevsim compare``, ``prevsim ensemble``, the briefing, the Python API and the notebooks
report the same quantities under uncertainty. Each is computed here once:

- the **spread** of a value over runs: the central run (every parameter at its best
  estimate, when there is one), the median and the 90% interval (5th and 95th percentiles),
  the number of runs it rests on and the Monte Carlo standard error of the mean;
- the **chance that benefits exceed costs**: the share of runs whose net present value is
  positive, with the number of runs and its Monte Carlo standard error
  ``sqrt(p (1 - p) / n)``; when no run (or every run) is positive the standard error is 0
  and says nothing, so the 95% bound of the "rule of three" (``3 / n``) is given instead.

A share estimated from ``n`` runs moves by about its standard error when other draws of the
same size are made: differences smaller than two standard errors between two outputs are
noise, not a disagreement.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Quantiles of an interval: the 90% interval of every spread.
INTERVAL = (0.05, 0.95)


@dataclass(frozen=True)
class Chance:
    """The chance that benefits exceed costs, estimated from ``runs`` Monte Carlo runs.

    Attributes
    ----------
    positive : int
        Runs whose NPV is above 0.
    runs : int
        Runs with an NPV (the draws the estimate rests on).
    """

    positive: int
    runs: int

    @property
    def p(self) -> float:
        """The estimate: share of runs with NPV > 0 (``nan`` without runs)."""
        return self.positive / self.runs if self.runs else math.nan

    @property
    def standard_error(self) -> float:
        """Monte Carlo standard error ``sqrt(p (1 - p) / runs)`` (share, 0-1)."""
        if not self.runs:
            return math.nan
        return math.sqrt(self.p * (1.0 - self.p) / self.runs)

    @property
    def bound(self) -> float | None:
        """95% bound by the rule of three when every run agrees, else ``None``.

        With no positive run, the chance is below ``3 / runs`` with 95% confidence (and above
        ``1 - 3 / runs`` when every run is positive).
        """
        if not self.runs or 0 < self.positive < self.runs:
            return None
        edge = min(1.0, 3.0 / self.runs)
        return edge if self.positive == 0 else 1.0 - edge


def chance_benefits_exceed_costs(npv: Sequence[float] | np.ndarray) -> Chance:
    """The chance that benefits exceed costs over the runs' NPVs (NaN runs are left out).

    Parameters
    ----------
    npv : sequence of float
        Net present value of each run, EUR.
    """
    x = np.asarray(npv, float)
    x = x[~np.isnan(x)]
    return Chance(positive=int((x > 0).sum()), runs=int(x.size))


@dataclass(frozen=True)
class Spread:
    """A value over Monte Carlo runs, with its central run.

    Attributes
    ----------
    central : float
        The run with every parameter at its best estimate (``nan`` when there is none, e.g.
        over agent-based replicates).
    median, p05, p95 : float
        Median and 90% interval over the runs.
    mean : float
        Mean over the runs.
    runs : int
        Runs with a value.
    standard_error : float
        Monte Carlo standard error of the mean (sample standard deviation / sqrt(runs); 0 for
        one run).
    """

    central: float
    median: float
    p05: float
    p95: float
    mean: float
    runs: int
    standard_error: float


def spread(values: Sequence[float] | np.ndarray, central: float = math.nan) -> Spread:
    """The :class:`Spread` of ``values`` (NaN values are left out).

    Parameters
    ----------
    values : sequence of float
        One value per run.
    central : float, optional
        The central run's value.
    """
    x = np.asarray(values, float)
    x = x[~np.isnan(x)]
    if not x.size:
        return Spread(central, *([math.nan] * 4), 0, math.nan)
    low, mid, high = np.quantile(x, (INTERVAL[0], 0.5, INTERVAL[1]))
    se = float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else 0.0
    return Spread(central, float(mid), float(low), float(high), float(x.mean()), x.size, se)
