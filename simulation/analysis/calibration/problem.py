"""The calibration problem: free parameters, their bounds, the data and the model predicting it.

Everything works in the unit cube ``u = (theta - low) / (high - low)``, which puts every
parameter on the same scale for the optimiser and the sampler (the prior is uniform in both).
"""

from __future__ import annotations

import numpy as np

from simulation.analysis import targets as tg
from simulation.engines.results import EngineResult
from simulation.engines.sd import SDModel
from simulation.model.catalogue import REGISTRY
from simulation.model.demography import country_demography
from simulation.workflow.scenarios import Scenario

#: Forward-difference step of the Jacobian, in unit-cube coordinates.
JACOBIAN_STEP = 1e-5
#: Smallest model value put in a log (a model that predicts nothing gets a huge residual).
FLOOR = 1e-9


class Problem:
    """Free parameters, their bounds, the data points and the model that predicts them.

    Parameters
    ----------
    targets : Targets
        The parsed targets file (its free parameters and points).
    scenario : Scenario
        The scenario whose policy history the data were observed under.
    steps_per_month : int
        Runge-Kutta steps per month of the fit (1 is within 1e-4 of 2, far below the data
        errors, at half the cost).
    """

    def __init__(self, targets: tg.Targets, scenario: Scenario, steps_per_month: int = 1) -> None:
        self.targets = targets
        self.scenario = scenario
        self.names: list[str] = list(targets.free)
        self.low = np.array([REGISTRY[n].range[0] for n in self.names])
        self.high = np.array([REGISTRY[n].range[1] for n in self.names])
        self.points = targets.points
        self.data = np.array([p.value for p in self.points])
        self.sigma = np.array([p.sigma for p in self.points])
        self.steps_per_month = steps_per_month
        self.evaluations = 0

    @property
    def n(self) -> int:
        """Number of free parameters."""
        return len(self.names)

    def values(self, unit: np.ndarray) -> np.ndarray:
        """Parameter values from unit-cube coordinates (any leading shape)."""
        return self.low + np.asarray(unit) * (self.high - self.low)

    def unit(self, values: np.ndarray) -> np.ndarray:
        """Unit-cube coordinates of parameter values."""
        return (np.asarray(values) - self.low) / (self.high - self.low)

    def current(self) -> np.ndarray:
        """The scenario's own values of the free parameters."""
        resolved = self.scenario.resolved_parameters()
        return np.array([float(resolved[n]) for n in self.names])

    def parameters(self, values: np.ndarray) -> dict[str, object]:
        """Scenario parameters and levers with the free ones replaced by a batch.

        The batch is ``values``, of shape ``(K, n)``.
        """
        values = np.atleast_2d(values)
        merged = {**self.scenario.params, **self.scenario.levers}
        merged.update({name: values[:, j] for j, name in enumerate(self.names)})
        return REGISTRY.resolve(merged)

    def simulate(
        self, values: np.ndarray, end_year: int | None = None
    ) -> tuple[EngineResult, dict[str, object]]:
        """Integrate a batch of parameter sets (rows of ``values``) through the SD engine.

        Returns the result and the resolved parameters it ran with.
        """
        params = self.parameters(values)
        model = SDModel(
            params=params,
            schedule=self.scenario.schedule,
            resolution="national",
            end_year=end_year or self.targets.end_year,
            steps_per_month=self.steps_per_month,
            demography=country_demography(self.scenario.run.country),
        )
        self.evaluations += model.k
        return model.run(save=("stocks", "flows")), params

    def predict(self, values: np.ndarray) -> np.ndarray:
        """Model values at the data points, shape ``(K, n_points)``."""
        result, params = self.simulate(values)
        return tg.predict(result, params, self.targets.targets)

    def residuals(self, values: np.ndarray) -> np.ndarray:
        """Standardised log residuals ``(log m - log y) / sigma``, shape ``(K, n_points)``."""
        model = np.maximum(self.predict(values), FLOOR)
        return (np.log(model) - np.log(self.data)) / self.sigma

    def log_posterior_unit(self, unit: np.ndarray) -> np.ndarray:
        """Log posterior (up to a constant) of unit-cube points, ``-inf`` outside the cube."""
        unit = np.atleast_2d(unit)
        inside = np.all((unit >= 0.0) & (unit <= 1.0), axis=1)
        out = np.full(len(unit), -np.inf)
        if inside.any():
            r = self.residuals(self.values(unit[inside]))
            out[inside] = -0.5 * np.sum(r * r, axis=1)
        return out
