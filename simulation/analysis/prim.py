"""PRIM boxes (Friedman and Fisher 1999) through EMA Workbench's maintained implementation.

The Patient Rule Induction Method peels thin slices (``peel_alpha`` of the remaining points)
off a box's faces, keeping at each step the peel that raises the share of cases of interest
the most, until the box holds ``mass_min`` of the points; it then pastes back slices that
raise that share. Every step is a point on the peeling trajectory: coverage (the share of all
cases of interest the box holds), density (the share of the box's points that are cases of
interest) and mass (the share of all points in the box). Scenario discovery (Bryant and
Lempert 2010) picks one box on that trade-off, drops restrictions that are not significant
(quasi-p-value, a one-sided binomial test) and looks for a next box among the points left.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: A restriction is kept when a one-sided binomial test (Bryant and Lempert's quasi-p-value)
#: says the cases of interest are denser inside it than without it at this level.
QP_LEVEL = 0.05


def _prim_module():
    """EMA Workbench's PRIM module, imported without its import-time notices.

    Importing the workbench warns that optional parallel back-ends are missing, and the
    installed pandas flags its ``inplace=`` calls as deprecated; neither changes a result.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

    return prim


def most_influential(x: pd.DataFrame, interest: np.ndarray, k: int, seed: int) -> list[str]:
    """The ``k`` columns of ``x`` that best separate the cases of interest.

    Extra-trees feature scores (EMA Workbench's ``get_ex_feature_scores``; Jaxa-Rozen and
    Kwakkel 2018): PRIM over a hundred dimensions and a few thousand points restricts noise
    dimensions by chance, so scenario discovery screens first.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # see _prim_module
        from ema_workbench.analysis import feature_scoring as fs

        scores, *_ = fs.get_ex_feature_scores(
            x.reset_index(drop=True).astype(float),
            np.asarray(interest, int),
            random_state=seed,
        )
    return [str(n) for n in scores.iloc[:, 0].sort_values(ascending=False).index[:k]]


@dataclass(frozen=True)
class Box:
    """One box of conditions.

    Attributes
    ----------
    limits : DataFrame
        The restricted dimensions only: index ``("low", "high")``, one column per dimension,
        in the units of ``x``; NaN for a side left open (at the data's edge).
    coverage, density, mass : float
        Shares (0-1): of all cases of interest in the box, of the box's points that are cases
        of interest, of all points in the box.
    trajectory : DataFrame
        The peeling and pasting trajectory the box was chosen on (``coverage``, ``density``,
        ``mass``, ``res_dim``), and ``chosen``, the row chosen.
    chosen : int
        Row of ``trajectory`` chosen (before insignificant restrictions were dropped).
    quasi_p : dict
        Dimension -> the larger quasi-p-value of its two limits (one-sided limits: that one).
    """

    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    trajectory: pd.DataFrame
    chosen: int
    quasi_p: dict


def choose(trajectory: pd.DataFrame, threshold: float) -> int:
    """The box on a peeling trajectory with the most coverage among those dense enough.

    Of boxes with equal coverage, the densest; the densest overall when none reaches
    ``threshold`` (a share, 0-1).
    """
    dense = trajectory[trajectory["density"].to_numpy() >= threshold]
    if len(dense) == 0:
        return int(trajectory["density"].to_numpy().argmax())
    # equal coverage (peels that only drop points that do not pay): the densest of them
    return int(dense.sort_values(["coverage", "density"], kind="stable").index[-1])


def _quasi_p(values: dict) -> dict:
    """Dimension -> its larger quasi-p-value (EMA marks an open side with -1)."""
    return {dim: max(v for v in pair if v >= 0) for dim, pair in values.items() if max(pair) >= 0}


def find_boxes(
    x: pd.DataFrame,
    interest: np.ndarray,
    threshold: float = 0.8,
    max_boxes: int = 3,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
    max_restrictions: int | None = None,
    keep_best: bool = False,
) -> list[Box]:
    """Boxes of ``x`` where ``interest`` is mostly true, one after another.

    Parameters
    ----------
    x : DataFrame
        Points, one float column per dimension.
    interest : ndarray of bool
        Whether each point is a case of interest.
    threshold : float
        The density (0-1) a box must reach; on each trajectory the box with the most coverage
        at this density or above is chosen (:func:`choose`).
    max_boxes : int
        Boxes at most; the search stops earlier when the points left hold no box this dense.
    peel_alpha, mass_min : float
        Share of the points peeled at each step, and the smallest mass a box may have.
    max_restrictions : int, optional
        Dimensions a box may restrict at most (:func:`_simplify`); its coverage, density and
        mass are those of the simplified box.
    keep_best : bool
        When no box reaches ``threshold``, keep the densest one found (and stop): where the
        cases of interest are most frequent, though not frequent enough.

    Returns
    -------
    list of Box
        Coverage, density and mass as EMA Workbench reports them: later boxes are found
        among the points earlier boxes leave, with coverage a share of all cases of interest.
    """
    prim = _prim_module()
    x = x.reset_index(drop=True).astype(float)
    y = np.asarray(interest, bool)
    boxes: list[Box] = []
    if y.all() or not y.any():
        return boxes  # every point, or none, is of interest: there is nothing to bound
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # see _prim_module
        # EMA drops a box whose densest step is below its threshold; the choice is made below.
        finder = prim.Prim(x, y, threshold=1e-9, peel_alpha=peel_alpha, mass_min=mass_min)
        for _ in range(max_boxes):
            box = finder.find_box()
            if box is None or len(box.peeling_trajectory) < 2:
                break  # nothing left, or EMA's "dump box" of every remaining point
            trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].copy()
            chosen = choose(trajectory, threshold)
            dense = trajectory.loc[chosen, "density"] >= threshold
            if chosen == 0 or not (dense or (keep_best and not boxes)):
                break
            box.select(chosen)
            quasi_p = _quasi_p(box.qp[chosen])
            _simplify(box, quasi_p, threshold, max_restrictions)
            if not _restricted(box):
                break  # every restriction was chance: no box
            boxes.append(_box(box, trajectory, chosen, quasi_p))
            if not dense:
                break  # the best there is, kept for the record: nothing denser follows
    return boxes


def _density_without(box, dim: str) -> float:
    """The box's density (among the points left) with ``dim`` unrestricted."""
    finder = box.prim
    remaining = finder.yi_remaining
    x = finder.x.loc[remaining]
    lims = box.box_lim.copy()
    lims[dim] = finder.box_init[dim]
    inside = np.all((x >= lims.iloc[0]) & (x <= lims.iloc[1]), axis=1).to_numpy()
    return float(finder.y[remaining][inside].mean()) if inside.any() else 0.0


def _restricted(box) -> list[str]:
    lims, init = box.box_lim, box.prim.box_init
    return [c for c in lims.columns if not np.allclose(lims[c], init[c])]


def _simplify(box, quasi_p: dict, threshold: float, max_restrictions: int | None) -> None:
    """Drop restrictions a reader does not need, then those beyond ``max_restrictions``.

    First those not significant at :data:`QP_LEVEL`, least significant first, each only while
    the box stays at ``threshold`` density or above (a box below it: while its density falls
    by less than one binomial standard error); then, while more than
    ``max_restrictions`` are left, the one whose loss costs the least density (a box is read
    as one sentence: Bryant and Lempert's interpretability).
    """
    for dim in sorted(quasi_p, key=quasi_p.get, reverse=True):
        if quasi_p[dim] <= QP_LEVEL:
            break
        density, n = float(box.density), len(box.yi)
        floor = min(threshold, density - np.sqrt(density * (1 - density) / n))
        if _density_without(box, dim) >= floor:
            box.drop_restriction(dim)
    while max_restrictions is not None and len(_restricted(box)) > max_restrictions:
        dims = _restricted(box)
        box.drop_restriction(max(dims, key=lambda d: _density_without(box, d)))


def _box(box, trajectory: pd.DataFrame, chosen: int, qp: dict) -> Box:
    box_init, restricted = box.prim.box_init, _restricted(box)
    limits = box.box_lim[restricted].astype(float).copy()
    limits.index = ["low", "high"]
    edge = np.isclose(limits.to_numpy(), box_init[restricted].astype(float).to_numpy())
    limits = limits.mask(edge)
    trajectory = trajectory.assign(chosen=trajectory.index == chosen)
    return Box(
        limits=limits,
        coverage=float(box.coverage),
        density=float(box.density),
        mass=float(box.mass),
        trajectory=trajectory.reset_index(drop=True),
        chosen=chosen,
        quasi_p={d: p for d, p in qp.items() if d in restricted},
    )


def recurrence(
    x: pd.DataFrame,
    interest: np.ndarray,
    boxes: list[Box],
    resamples: int,
    seed: int,
    **options,
) -> list[dict[str, float]]:
    """How often each box's restrictions recur when PRIM runs on half the points.

    PRIM runs ``resamples`` times, each on a random half of the points (seeded; the same
    ``options`` as :func:`find_boxes`); a restriction recurs in a run when any box found there
    restricts the same dimension on the same side (from below, from above). After Bryant and
    Lempert's (2010) resampling test of a box's reproducibility.

    Returns
    -------
    list of dict
        For each box, dimension -> share of runs (0-1) in which its restriction recurs.
    """
    rng = np.random.default_rng(seed)
    y = np.asarray(interest, bool)
    counts = [dict.fromkeys(b.limits.columns, 0) for b in boxes]
    for _ in range(resamples):
        half = rng.choice(len(x), size=len(x) // 2, replace=False)
        found = find_boxes(x.iloc[half], y[half], **options)
        sides = {(d, s) for b in found for d in b.limits for s in _sides(b.limits[d])}
        for box, count in zip(boxes, counts, strict=True):
            for dim in box.limits.columns:
                count[dim] += set(_sides(box.limits[dim])) <= {s for d, s in sides if d == dim}
    return [{d: c / max(resamples, 1) for d, c in count.items()} for count in counts]


def _sides(limit: pd.Series) -> list[str]:
    """The sides a restriction closes: "low" (from below) and/or "high" (from above)."""
    return [side for side in ("low", "high") if not np.isnan(limit[side])]
