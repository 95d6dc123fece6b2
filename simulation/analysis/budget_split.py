"""How to split a national budget between need bands (issue 21: "how much, where").

Each need band (:mod:`simulation.analysis.optimise_need`) has a best programme mix found at
the national budget per child. Here each band's mix is valued at several budgets per child,
multiples :data:`GRID` of the national one, on the search draws: one batched SD integration
per band (:class:`~simulation.analysis.allocation.AllocationEvaluator`, the band's unit of
its need, every multiple x every search draw). The mix is kept fixed across multiples: a
search per band and multiple would cost a whole band search each (about two minutes), while
the mix found at the national budget is a feasible allocation at any budget, so a band's
value at another multiple, and so the split's gain, is if anything understated.

The split maximises the national total, the sum over bands of children share x value of a
national-sized unit at the band's multiple, subject to the national budget (the children
shares times the multiples sum to 1) and the multiples within the evaluated range. Each
band's mean value is interpolated monotonically between the grid's points (SciPy's PCHIP:
no overshoot between points) and SciPy's SLSQP solves the smooth, equality-constrained
problem from several starts (the children-proportional split among them). A discrete search
over the grid would rarely meet the budget exactly. The chosen split is then valued on every
draw and set against the children-proportional split (every multiple 1) over the same draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import PchipInterpolator
from scipy.optimize import LinearConstraint, minimize
from scipy.stats import qmc

from simulation.analysis import allocation as al

#: Budgets per child evaluated, as multiples of the national one. From half to double:
#: the range holds money that follows need (a band's multiple equal to its need: Synthland's
#: bands have need 0.60 to 1.40) and stops short of closing a band's services (no band loses
#: more than half its money per child) or of more than doubling them, beyond which the
#: programmes' places, built for today's families, would be extrapolated far from the data.
GRID = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
#: Starts of the constrained search besides the children-proportional split.
STARTS = 16


@dataclass(frozen=True)
class Scaled:
    """An allocation funded with ``multiple`` x the budget it is given.

    It duck-types :class:`~simulation.analysis.allocation.Allocation` for the evaluator.
    """

    allocation: al.Allocation
    multiple: float

    def levers(self, budget: float) -> dict[str, float]:
        """Lever values for ``multiple`` x ``budget`` million EUR a year."""
        return self.allocation.levers(budget * self.multiple)


@dataclass
class Split:
    """The budget split between bands and what it gains.

    Attributes
    ----------
    grid : ndarray, shape ``(K,)``
        Multiples of the national budget per child evaluated.
    curves : ndarray, shape ``(bands, K)``
        Each band's mean outcome on the search draws at each multiple (a national-sized
        unit: EUR for NPV, families for placements avoided).
    outcome : str
        The outcome maximised (``npv`` or ``placements_avoided``).
    multiples : ndarray, shape ``(bands,)``
        Each band's budget per child as a multiple of the national one.
    values : list of dict
        Each band's mix at its multiple over every draw (outcome -> ``(draws,)``).
    central : list of dict
        The same in the central run (outcome -> value).
    """

    grid: np.ndarray
    curves: np.ndarray
    outcome: str
    multiples: np.ndarray
    values: list[dict[str, np.ndarray]]
    central: list[dict[str, float]]


def proportional(bands: int) -> np.ndarray:
    """The children-proportional split: every band's multiple is 1."""
    return np.ones(bands)


def best_split(
    shares: np.ndarray, grid: np.ndarray, curves: np.ndarray, seed: int = 0
) -> np.ndarray:
    """The multiples maximising ``sum(shares x f_b(m_b))`` with ``shares @ m = 1``.

    Parameters
    ----------
    shares : ndarray, shape ``(bands,)``
        Children shares (sum to 1).
    grid, curves : ndarray
        Multiples evaluated ``(K,)`` and each band's value at them ``(bands, K)``; ``f_b``
        is the PCHIP interpolant of row ``b``.
    seed : int
        Seed of the extra starts.

    Returns
    -------
    ndarray, shape ``(bands,)``
        The multiples, within ``[grid[0], grid[-1]]``, ``shares @ m == 1`` to rounding.
    """
    shares, grid = np.asarray(shares, float), np.asarray(grid, float)
    n = len(shares)
    if n == 1:
        return proportional(1)
    f = [PchipInterpolator(grid, row) for row in np.asarray(curves, float)]
    df = [g.derivative() for g in f]
    scale = max(float(np.ptp(curves)), 1e-12)  # values of order 1 for the solver

    def loss(m: np.ndarray) -> float:
        return -sum(s * g(x) for s, g, x in zip(shares, f, m, strict=True)) / scale

    def jac(m: np.ndarray) -> np.ndarray:
        return -np.array([s * d(x) for s, d, x in zip(shares, df, m, strict=True)]) / scale

    lo, hi = grid[0], grid[-1]
    budget = LinearConstraint(shares[None, :], 1.0, 1.0)
    starts = [proportional(n)]
    for x in qmc.LatinHypercube(d=n, seed=seed).random(STARTS):
        starts.append(_feasible(lo + (hi - lo) * x, shares, lo, hi))
    best, best_loss = proportional(n), loss(proportional(n))
    for x0 in starts:
        found = minimize(
            loss, x0, jac=jac, bounds=[(lo, hi)] * n, constraints=[budget], method="SLSQP"
        )
        m = _feasible(found.x, shares, lo, hi)
        if loss(m) < best_loss - 1e-12:
            best, best_loss = m, loss(m)
    return best


def _feasible(m: np.ndarray, shares: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """``m`` within bounds and on the budget: the excess spread over the unbound bands."""
    m = np.clip(np.asarray(m, float), lo, hi)
    for _ in range(len(m) + 1):
        excess = 1.0 - shares @ m
        free = (m > lo) if excess < 0 else (m < hi)
        if abs(excess) < 1e-15 or not free.any():
            break
        m = np.clip(m + free * excess / shares[free].sum(), lo, hi)
    return m


def curves_for(
    evaluator: al.AllocationEvaluator, mix: al.Allocation, outcome: str, grid=GRID
) -> np.ndarray:
    """The mean ``outcome`` of ``mix`` at each multiple of ``grid``: one batched call."""
    values = evaluator.evaluate([Scaled(mix, m) for m in grid])
    return values[outcome].mean(axis=1)


def within_noise(mean: float, se: float) -> bool:
    """Whether a gain is less than two standard errors from 0."""
    return not abs(mean) >= 2.0 * se
