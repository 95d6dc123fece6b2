"""The engine-neutral result of a run: saved blocks of the state over time.

Both engines return an :class:`EngineResult`. The system-dynamics engine saves the blocks of
its packed state (:data:`BLOCKS`) for K parameter sets at once; the agent-based engine saves
the same blocks (K = 1) and three more (:data:`CHILD_BLOCKS`) from each family's own number
of children.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.model.vocabulary import NATIONAL_UNIT

#: Blocks of the state, in the order of the SD engine's packed vector: families by state,
#: service capacity (staffed spending by programme and provider, EUR/yr), graduates of each
#: programme (families who finished it and keep its effect), and the cumulative integrals of
#: every flow, of family-years in each state, of every cost item, of spending on each
#: programme, of family-years served by each programme and of money left unspent.
BLOCKS: tuple[str, ...] = (
    "stocks",
    "capacity",
    "graduates",
    "flows",
    "stock_years",
    "costs",
    "programme_costs",
    "served_years",
    "unspent",
)
#: Blocks only the agent-based engine saves: children by state, children moved by each flow
#: and child-years in each state (cumulative), counted from each family's own children.
CHILD_BLOCKS: tuple[str, ...] = ("children", "child_flows", "child_years")


@dataclass
class EngineResult:
    """Output of a run of either engine.

    Attributes
    ----------
    times : ndarray, shape ``(T,)``
        Decimal years of the saved points (month starts, and the end of the horizon).
    saved : dict of str to ndarray, shape ``(T, K, M, width)``
        Saved blocks (:data:`BLOCKS`, and :data:`CHILD_BLOCKS` from the agent-based engine);
        the integrals (flows, family-years, costs) are cumulative from the start.
    final : ndarray, shape ``(K, M, size)``
        The whole packed state at the end of the horizon.
    municipalities : tuple of str
        Names along the M axis (one national unit at national resolution).
    nfev : int or None
        Right-hand-side evaluations of an adaptive integration.

    Examples
    --------
    >>> from simulation import SDModel
    >>> result = SDModel(end_year=2010).run()
    >>> result.families().shape  # 25 month starts, 7 states
    (25, 7)
    """

    times: np.ndarray
    saved: dict[str, np.ndarray]
    final: np.ndarray
    municipalities: tuple[str, ...]
    nfev: int | None = None

    @property
    def k(self) -> int:
        """Number of parameter sets (the batch size)."""
        return self.final.shape[0]

    def families(self, k: int = 0) -> np.ndarray:
        """National families by state at each saved time, shape ``(T, N_STATES)``."""
        return self.saved["stocks"][:, k].sum(axis=1)

    def national(self) -> EngineResult:
        """The result summed over municipalities (itself at national resolution)."""
        if len(self.municipalities) == 1:
            return self
        saved = {name: block.sum(axis=2, keepdims=True) for name, block in self.saved.items()}
        final = self.final.sum(axis=1, keepdims=True)
        return EngineResult(self.times, saved, final, (NATIONAL_UNIT,), self.nfev)

    def municipality(self, m: int) -> EngineResult:
        """The result of municipality ``m`` alone."""
        saved = {name: block[:, :, m : m + 1] for name, block in self.saved.items()}
        final = self.final[:, m : m + 1]
        return EngineResult(self.times, saved, final, (self.municipalities[m],), self.nfev)

    def continued_by(self, rest: EngineResult) -> EngineResult:
        """The saved rows of this run before ``rest`` starts, then those of ``rest``.

        For a run split in two at a month, e.g. a shared baseline prefix and a scenario's
        continuation.
        """
        before = self.times < rest.times[0] - 1e-9
        saved = {b: np.concatenate([self.saved[b][before], rest.saved[b]]) for b in rest.saved}
        times = np.concatenate([self.times[before], rest.times])
        return EngineResult(times, saved, rest.final, rest.municipalities)

    def __repr__(self) -> str:
        blocks = ", ".join(self.saved)
        return (
            f"EngineResult(K={self.k}, municipalities={len(self.municipalities)}, "
            f"{self.times[0]:.2f}-{self.times[-1]:.2f}, {len(self.times)} saved times, "
            f"blocks: {blocks})"
        )
