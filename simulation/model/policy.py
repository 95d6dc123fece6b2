"""Municipal allocation rules and the deployment stages of the cooperation model.

Pure functions on numpy arrays (no agents, no randomness): the agent-based engine's
``Municipality`` agents call them once a year with what their monitoring shows. Service
shares are fractions of a municipality's service budget in the order of
``services.SERVICES`` (preventive, basic, integration, mobile team).
"""

from __future__ import annotations

import numpy as np

from simulation.model import services as sv
from simulation.model.states import State

RULES: tuple[str, ...] = ("historical", "needs_based", "prevention_first", "adaptive")
STAGES: tuple[str, ...] = (
    "not started",
    "situation analysis",
    "discussions and agreements",
    "implementation",
    "quality evaluation",
)
#: First stage in which the inter-institutional groups, the community-initiatives
#: coordinator and the municipality's own mobile team work.
WORKING_STAGE = 3
MIN_SHARE = 0.02  # no rule closes a service entirely


def normalise(shares: np.ndarray) -> np.ndarray:
    """Shares summing to 1, none below :data:`MIN_SHARE`, the others in proportion.

    Shares that would fall below the floor are set to it and the rest rescaled to fill
    what remains; repeated until no share is below the floor (at most once per share).
    """
    shares = np.maximum(np.asarray(shares, float), 0.0)
    if shares.sum() <= 0:
        return np.full(shares.shape, 1.0 / shares.size)
    floored = np.zeros(shares.shape, bool)
    for _ in range(shares.size):
        free = 1.0 - MIN_SHARE * floored.sum()
        rest = np.where(floored, 0.0, shares)
        out = np.where(floored, MIN_SHARE, rest * free / rest.sum())
        below = (out < MIN_SHARE) & ~floored
        if not below.any():
            return out
        floored |= below
    return out


def needs_based(monitored: np.ndarray, unit_costs: np.ndarray) -> np.ndarray:
    """Shares proportional to the cost of serving every family in need.

    Parameters
    ----------
    monitored : ndarray, shape ``(N_STATES,)``
        Monitored families by state.
    unit_costs : ndarray, shape ``(N_SERVICES,)``
        EUR per family-year of each service.
    """
    need = np.array(
        [
            monitored[State.VULNERABLE] + monitored[State.EARLY_SUPPORT],
            monitored[State.RISK],
            monitored[State.RISK],
            monitored[State.CRISIS],
        ]
    )
    return normalise(need * unit_costs)


def prevention_first(historical: np.ndarray, target: float) -> np.ndarray:
    """Preventive services get ``target``; the rest keeps its historical proportions."""
    rest = np.asarray(historical, float).copy()
    rest[sv.PREVENTIVE] = 0.0
    total = rest.sum()
    rest = rest / total if total > 0 else np.full_like(rest, 1.0 / (len(rest) - 1))
    shares = rest * (1.0 - target)
    shares[sv.PREVENTIVE] = target
    return normalise(shares)


def adaptive(
    shares: np.ndarray,
    direction: float,
    improved: bool,
    step: float,
    best_peer: np.ndarray,
    imitation: float,
) -> tuple[np.ndarray, float]:
    """One year of learning: hill-climb the preventive share, then imitate the best peer.

    Money moves between preventive and basic services (the two ends of the prevention
    ladder); a move that was followed by a worse outcome is reversed.

    Parameters
    ----------
    shares : ndarray
        Current shares.
    direction : float
        +1 (towards prevention) or -1, the direction of last year's move.
    improved : bool
        Whether the monitored outcome improved since last year.
    step : float
        Share of the budget moved per year.
    best_peer : ndarray
        Shares of the municipality with the best monitored outcome.
    imitation : float
        How far to move towards ``best_peer`` (0-1).

    Returns
    -------
    shares : ndarray
    direction : float
    """
    direction = direction if improved else -direction
    moved = np.asarray(shares, float).copy()
    amount = min(step, moved[sv.BASIC] if direction > 0 else moved[sv.PREVENTIVE])
    moved[sv.PREVENTIVE] += direction * amount
    moved[sv.BASIC] -= direction * amount
    moved = (1.0 - imitation) * moved + imitation * np.asarray(best_peer, float)
    return normalise(moved), direction


def deployment_stage(
    year: float, start_year: float, stage_years: float, speedup: float, coordinators: float
) -> int:
    """Stage (0-4) of the cooperation model in a municipality at decimal ``year``.

    Each stage lasts ``stage_years``, divided by ``1 + (speedup - 1) * coordinators`` when
    regional coordinators work.
    """
    if year < start_year:
        return 0
    duration = stage_years / (1.0 + (speedup - 1.0) * coordinators)
    return int(min(len(STAGES) - 1, 1 + np.floor((year - start_year) / duration)))


def working_share(year, start_year, stage_years, speedup, coordinators) -> np.ndarray:
    """1 where the cooperation model has reached implementation (stage 3), else 0.

    Vectorised form of ``deployment_stage(...) >= WORKING_STAGE``: stage 3 begins two stage
    durations after the start.
    """
    duration = np.asarray(stage_years) / (1.0 + (np.asarray(speedup) - 1.0) * coordinators)
    return (np.asarray(year) >= np.asarray(start_year) + (WORKING_STAGE - 1) * duration).astype(
        float
    )
