"""How much of what the student sees is noise: paired replicates of the app's model.

A run at a few per cent of the families is noisy: raising prevention can show more children
placed than the status quo by chance. Beside the run the student steps, the page shows the
range of :data:`REPLICATES` paired replicates: seeds ``seed`` to ``seed + REPLICATES - 1``,
each run with the student's policy and with the status quo on the same random numbers (the
status quo of a seed is the app's cached reference run). The replicates are run to the end
of the horizon once per Reset (about a second each at the default scale, in a thread of the
page).
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, replace

import numpy as np

from simulation.interfaces.app.model import NATIONAL, Sliders, TeachingModel
from simulation.model.vocabulary import START_YEAR
from simulation.reports.app_charts import Bands

#: Paired replicates behind the bands (the stepped seed and the next ones).
REPLICATES = 5


def run_replicates(sliders: Sliders, k: int = REPLICATES) -> tuple[TeachingModel, ...]:
    """``k`` paired replicates of ``sliders``, run to the end of the horizon.

    Seeds ``sliders.seed`` to ``sliders.seed + k - 1``: the first is the run the student
    steps, run ahead.
    """
    out = []
    for seed in range(int(sliders.seed), int(sliders.seed) + k):
        model = TeachingModel(replace(sliders, seed=seed))
        while model.running:
            model.step()
        out.append(model)
    return tuple(out)


@dataclass(frozen=True)
class Replicates:
    """Finished paired replicates and the ranges the page shows.

    Attributes
    ----------
    models : tuple of TeachingModel
        The replicates, each with its status quo run (``model.reference``).
    """

    models: tuple[TeachingModel, ...]

    @property
    def seeds(self) -> tuple[int, ...]:
        """Root seeds of the replicates."""
        return tuple(m.root_seed for m in self.models)

    def bands(self, month: int) -> Bands:
        """Lowest and highest of the replicates, with the policy up to ``month`` only.

        The status quo's range covers the whole horizon (the page shows its line there too).
        """
        families = np.stack([m.families_now() for m in self.models])
        quo = np.stack([m.in_area(m.reference.families) for m in self.models])
        costs = np.stack([m.cost_rates(m.costs / m.scale)[1].sum(axis=-1) for m in self.models])
        quo_costs = np.stack([m.cost_rates(m.reference.costs)[1].sum(axis=-1) for m in self.models])
        first = self.models[0]
        times = first.times(families.shape[1])
        mid = times[:-1] + 1.0 / 24.0
        return Bands(
            count=len(self.models),
            times=times,
            mid_times=mid,
            start=(first.policy_year - START_YEAR) * 12,
            months=month,
            families=(families.min(axis=0), families.max(axis=0)),
            status_quo=(quo.min(axis=0), quo.max(axis=0)),
            costs=(costs.min(axis=0), costs.max(axis=0)),
            status_quo_costs=(quo_costs.min(axis=0), quo_costs.max(axis=0)),
        )

    def differences(self, month: int) -> np.ndarray:
        """Each summary row's difference (policy less status quo) per replicate, ``(k, rows)``."""
        rows = [m.summary_rows("en", month) for m in self.models]
        return np.array([[mine - quo for _, mine, quo in r] for r in rows])


_CACHE: dict[Sliders, Replicates] = {}
_CACHE_SIZE = 3  # sets of finished runs: some 50-100 MB each at the default scale
_LOCK = threading.Lock()


def replicates_of(sliders: Sliders) -> Replicates:
    """:func:`run_replicates` of ``sliders``, cached, for the area the sliders show.

    A reload, a second student with the same settings, or another area with the same policy
    does not wait again: every municipality is simulated in every run, so the replicates are
    run once for the country and shown for an area through :func:`in_area`. One set is
    computed at a time (a lock): two sessions asking for the same settings at once compute
    them once, and on a small machine two sets at once would each take twice as long.
    """
    key = replace(sliders, area=NATIONAL)
    with _LOCK:
        if key not in _CACHE:
            if len(_CACHE) >= _CACHE_SIZE:
                _CACHE.pop(next(iter(_CACHE)))  # the oldest
            _CACHE[key] = Replicates(run_replicates(key))
        national = _CACHE[key]
    return in_area(national, sliders.area)


def in_area(replicates: Replicates, area: str) -> Replicates:
    """The same finished runs, shown for ``area`` (:data:`NATIONAL` or a municipality).

    Each run is a shallow copy that shares the arrays of the run (a finished run is never
    changed) and differs only in the area it sums.
    """
    if area == NATIONAL:
        return replicates
    views = []
    for model in replicates.models:
        view = copy.copy(model)
        view.area, view.area_index = area, model.names.index(area)
        views.append(view)
    return Replicates(tuple(views))
