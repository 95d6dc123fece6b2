"""What the compiled SD kernel reads, packed from an :class:`~simulation.engines.sd.SDModel`.

:mod:`simulation.engines.sd_kernel` takes plain arrays: the scalar parameters and levers in
the order of :data:`~simulation.engines.sd_kernel.SCALARS`, every month's state-independent
inputs, the programme table and the library's structure. This module builds them once per
model, in numpy, and checks that the kernel's hard-coded positions still match the model's
vocabulary (effects, flows, states, cost items).
"""

from __future__ import annotations

from collections import namedtuple
from functools import cache

import numpy as np

from simulation.engines import sd_kernel as kn
from simulation.engines.results import BLOCKS
from simulation.engines.sd_layout import LAYOUT
from simulation.model import bed_supply as bs
from simulation.model import flows as fl
from simulation.model import services as sv
from simulation.model.catalogue import LEVERS
from simulation.model.states import State

#: The programme library's structure and the packed state's layout, as the kernel reads them.
Structure = namedtuple(
    "Structure",
    [
        "offsets",  # start of each block of the packed state (BLOCKS order), then its size
        "group_ptr",  # programme p's group (services.SAME_GROUP): group_idx[ptr[p]:ptr[p+1]]
        "group_idx",
        "earlier_ptr",  # the programmes before p in its group (services.EARLIER_IN_GROUP)
        "earlier_idx",
        "effect_ptr",  # the effects of programme p (positions in EFFECTS), in that order
        "effect_idx",
        "prog_target",  # (N_PROG,) target state of each programme
        "prog_line",  # (N_PROG,) funding line of each programme
        "flow_source",  # (N_HAZARDS,) source state of each hazard flow
        "flow_target",  # (N_HAZARDS,) target state, -1 for the outside world
        "mobile_line",  # funding line of the mobile teams
        "n_lines",  # funding lines
        "training_item",  # position of training among the cost items
        "entry_state",  # state new families enter
        "places",  # position of the institutional care places in the packed state
    ],
)


def _check_vocabulary() -> None:
    """The kernel's fixed positions agree with the model's definitions."""
    rates = [f"{e}_rate" for e in fl.EFFECTS[:8]]
    assert list(kn.SCALARS[kn.ONSET : kn.ONSET + 8]) == rates
    assert [fl.EFFECTS.index(e) for e in ("onset", "detection", "placement", "reunification")] == [
        kn.E_ONSET,
        kn.E_DETECTION,
        kn.E_PLACEMENT,
        kn.E_REUNIFICATION,
    ]
    assert fl.N_HAZARD_FLOWS == kn.N_HAZARDS
    assert fl.ENTRY == kn.N_HAZARDS
    assert kn.FAMILY_CARE_STATE == State.FAMILY_CARE == State.INSTITUTIONAL_CARE - 1
    assert kn.INSTITUTION_STATE == State.INSTITUTIONAL_CARE
    assert kn.H_PLACEMENT_INSTITUTION == bs.PLACEMENT_INSTITUTION
    # the places are read by the derivative: a state before the integrals (Runge-Kutta stages)
    assert LAYOUT.graduates.stop == LAYOUT.places.start < LAYOUT.flows.start
    assert slice(sv.TRAINING_ITEM + 1, sv.TRAINING_ITEM + 3) == sv.CARE_ITEMS
    assert sv.COST_ITEMS[: 2 * sv.N_SERVICES] == tuple(
        f"{s}.{p}" for s in sv.SERVICES for p in sv.PROVIDERS
    )


@cache
def structure() -> Structure:
    """The :class:`Structure` of the library and of the packed state (``sd.LAYOUT``)."""
    _check_vocabulary()
    starts = [getattr(LAYOUT, b).start for b in BLOCKS]
    hazard = fl.HAZARD_FLOWS
    return Structure(
        offsets=np.array([*starts, LAYOUT.size], dtype=np.int64),
        **_compressed("group", _columns(sv.SAME_GROUP)),
        **_compressed("earlier", _columns(sv.EARLIER_IN_GROUP)),
        **_compressed("effect", [[e for e, _ in effects] for effects in sv.PROGRAMME_EFFECTS]),
        prog_target=sv.PROGRAMME_TARGET.astype(np.int64),
        prog_line=sv.PROGRAMME_LINE.astype(np.int64),
        flow_source=np.array([int(f.source) for f in hazard], dtype=np.int64),
        flow_target=np.array([-1 if f.target is None else int(f.target) for f in hazard]),
        mobile_line=int(sv.MOBILE_TEAM),
        n_lines=int(sv.N_SERVICES),
        training_item=int(sv.TRAINING_ITEM),
        entry_state=int(fl.FLOWS[fl.ENTRY].target),
        places=int(LAYOUT.places.start),
    )


def _columns(matrix: np.ndarray) -> list[np.ndarray]:
    """The rows where each column of a 0/1 ``matrix`` is set."""
    return [np.flatnonzero(matrix[:, p]) for p in range(matrix.shape[1])]


def _compressed(name: str, lists: list) -> dict[str, np.ndarray]:
    """Programme ``p``'s list as ``{name}_idx[ptr[p]:ptr[p + 1]]``.

    The kernel loops over a programme's few group members or effects, not all N_PROG.
    """
    ptr = np.cumsum([0] + [len(c) for c in lists]).astype(np.int64)
    idx = np.concatenate([np.asarray(c, dtype=np.int64) for c in lists])
    return {f"{name}_ptr": ptr, f"{name}_idx": idx}


def _contiguous(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=float)


def scalars(static: dict, lever_paths: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(static, levers, is_lever)`` of :data:`~simulation.engines.sd_kernel.SCALARS`.

    ``static`` values are ``(K|1, 1)``, lever paths ``(months, K|1, 1)``.
    """
    is_lever = np.array([n in LEVERS for n in kn.SCALARS])
    months = next(iter(lever_paths.values())).shape[0]
    k_static = max([static[n].shape[0] for n in kn.SCALARS if n not in LEVERS] + [1])
    k_lever = max([lever_paths[n].shape[1] for n in kn.SCALARS if n in LEVERS] + [1])
    fixed = np.zeros((k_static, kn.N_SCALARS))
    paths = np.zeros((months, k_lever, kn.N_SCALARS))
    for i, name in enumerate(kn.SCALARS):
        if is_lever[i]:
            paths[:, :, i] = lever_paths[name][:, :, 0]
        else:
            fixed[:, i] = static[name][:, 0]
    return fixed, paths, is_lever


def pack(model) -> tuple[tuple, tuple, tuple]:
    """``(scalars, inputs, tables)`` of :func:`simulation.engines.sd_kernel.integrate`."""
    i = model.inputs
    table = i.programme_table
    inputs = (
        _contiguous(i.working),
        _contiguous(model.training_growth),
        _contiguous(i.entries),
        _contiguous(i.budget_paths()),
        _contiguous(i.need[None]),  # (1, 1, M|1): the onset multiplier of each unit
    )
    tables = (
        _contiguous(table.costs[:, 0]),
        _contiguous(table.duration[:, 0]),
        _contiguous(table.relapse[:, 0]),
        _contiguous(table.gaps[:, 0]),
        _contiguous(table.scale_up[:, 0]),
        _contiguous(model.care_cost_per_child_month[:, 0]),
    )
    return scalars(i.static, i.lever_paths), inputs, tables


# ---- the fastest rate of a run: how short the Runge-Kutta step must be ----------------------
#: What each candidate of :func:`fastest_rates` is named after in messages, in its order:
#: each state's total outflow hazard, the capacity's adjustment and the graduates' loss.
RATE_SOURCES: tuple[str, ...] = (
    "onset_rate",
    "natural_recovery_rate + detection_rate + escalation_rate",
    "supported_escalation_rate + supported_recovery_rate",
    "risk_recovery_rate + risk_to_crisis_rate",
    "crisis_exit_rate",
    "reunification_rate + care_leaving_rate",
    "deinstitutionalisation_rate + reunification_rate x institution_reunification_ratio",
    "1 / capacity_delay",
    "programme relapse_rate + 1 / programme duration",
    "1 / bed_adjustment_time + institution_closure_rate",
)


def _largest_scalars(scalars: tuple, k: int) -> np.ndarray:
    """Each :data:`~sd_kernel.SCALARS` at its largest over the horizon, ``(K, N)``."""
    fixed, paths, is_lever = scalars
    top = np.where(is_lever, paths.max(axis=0), fixed)  # (K|1, N)
    return np.broadcast_to(top, (k, kn.N_SCALARS))


def _effect_bounds(sc: np.ndarray, inputs: tuple, tables: tuple, k: int) -> np.ndarray:
    """Upper bounds of the hazard multipliers of :data:`~flows.EFFECTS`, ``(K, N_EFFECTS)``.

    A treated family's hazard is multiplied by ``1 - quality x gap`` in each funding line;
    only harmful effects (``gap < 0``: a multiplier above 1) raise it, at most by
    ``quality x -gap`` per programme (every family treated). Quality is at most the better
    provider's (``max(ngo_quality_ratio, 1)``) with every member of staff trained, at the
    norm, with the municipality's own mobile team where the cooperation model works.
    """
    work = np.broadcast_to(inputs[0].max(axis=(0, 2)), (k,))  # the largest share working
    gaps, scale_up = (np.broadcast_to(t, (k, *t.shape[1:])) for t in (tables[3], tables[4]))
    quality = (
        np.maximum(sc[:, kn.NGO_Q], 1.0) * (1.0 + sc[:, kn.TRAINING_GAIN] * sc[:, kn.TRAINED])
    )[:, None] * scale_up
    mobile = sv.PROGRAMME_LINE == sv.MOBILE_TEAM
    quality = quality * np.where(mobile, 1.0 + (sc[:, kn.TEAM_GAIN] * work)[:, None], 1.0)
    harm = quality[..., None] * np.maximum(-gaps, 0.0)  # (K, N_PROG, N_EFFECTS)
    effects = np.prod(1.0 + np.einsum("lp,kpe->kle", sv.LINE_MATRIX, harm), axis=1)
    effects[:, kn.E_DETECTION] *= 1.0 + np.maximum(sc[:, kn.GROUPS_GAIN] * work, 0.0)
    return effects


def fastest_rates(packed: tuple, k: int) -> np.ndarray:
    """Upper bounds of the fastest rates in each parameter set's run (1/yr).

    Every state's total outflow hazard (each hazard at its largest over the horizon, times
    :func:`_effect_bounds`), the capacity's adjustment rate ``1 / capacity_delay`` and each
    programme's graduates' rate (relapse, finishing and the outflow of its target state). A
    Runge-Kutta step ``h`` with ``h x rate`` small enough keeps every stock non-negative
    and the integration stable (see :mod:`simulation.engines.sd`).

    Parameters
    ----------
    packed : tuple
        :func:`pack` of the model.
    k : int
        Parameter sets in the batch.

    Returns
    -------
    ndarray, shape ``(K, len(RATE_SOURCES))``
        1/yr, in the order of :data:`RATE_SOURCES`.
    """
    scalars, inputs, tables = packed
    sc = _largest_scalars(scalars, k).copy()
    sc[:, kn.ONSET] *= inputs[4].max()  # the onset hazard of the neediest unit
    # the model's own hazards at these bounds, summed into each state's total outflow
    rates = fl.hazard_rates(
        dict(zip(kn.SCALARS, sc.T, strict=True)), _effect_bounds(sc, inputs, tables, k)
    )
    # free places multiply the placement into an institution by at most 1 + the elasticity
    rates[:, bs.PLACEMENT_INSTITUTION] *= 1.0 + np.maximum(sc[:, kn.BED_ELASTICITY], 0.0)
    states = np.stack([rates[:, fl.OUTFLOWS[s]].sum(axis=1) for s in State], axis=1)
    relapse = np.broadcast_to(tables[2], (k, sv.N_PROGRAMMES))
    # Families finish at served / duration, and served falls one for one as graduates rise
    # (they are not taken again): graduates then approach their target at 1 / duration.
    duration = np.broadcast_to(tables[1], (k, sv.N_PROGRAMMES))
    finish = np.divide(1.0, duration, out=np.zeros_like(duration), where=duration > 0)
    graduates = relapse + finish + states[:, sv.PROGRAMME_TARGET]
    places = 1.0 / sc[:, kn.BED_TIME] + np.maximum(sc[:, kn.CLOSURE], 0.0)
    return np.column_stack([states, 1.0 / sc[:, kn.DELAY], graduates.max(axis=1), places])


def subset(packed: tuple, ks: np.ndarray) -> tuple:
    """The packed inputs of the parameter sets ``ks`` only (arrays shared by all stay so).

    Every array of :func:`pack` has its batch axis first (the scalars' and the month
    inputs' second, after the months) with length K, or 1 when shared.
    """

    def take(a, axis):
        return a if a.shape[axis] == 1 else np.ascontiguousarray(np.take(a, ks, axis=axis))

    (fixed, paths, is_lever), inputs, tables = packed
    return (
        (take(fixed, 0), take(paths, 1), is_lever),
        tuple(take(a, 1) for a in inputs),
        tuple(take(a, 0) for a in tables),
    )


def first_live(target: np.ndarray, y: np.ndarray, start: int) -> np.ndarray:
    """The first month each programme may have places, for every point: ``(N_PROG,)``.

    A programme is live from ``start`` when any point starts with places or graduates in
    it, otherwise from the first month at or after ``start`` whose target capacity
    (``(months, K|1, M|1, N_PROG, 2)``, EUR/yr) differs from zero for any point; never
    (the number of months) if neither happens. Before that month its capacity, graduates,
    spending and families served stay exactly zero, and the kernel leaves it out.
    """
    offsets = structure().offsets
    n_prog = target.shape[3]
    months = target.shape[0]
    funded = np.any(target[start:] != 0, axis=(1, 2, 4))  # (months - start, N_PROG)
    if len(funded) == 0:  # nothing left to integrate
        first = np.full(n_prog, months)
    else:
        first = np.where(funded.any(axis=0), start + np.argmax(funded, axis=0), months)
    places = y[..., offsets[1] : offsets[1] + 2 * n_prog].reshape(-1, n_prog, 2)
    graduates = y[..., offsets[2] : offsets[2] + n_prog].reshape(-1, n_prog)
    started = np.any(places != 0, axis=(0, 2)) | np.any(graduates != 0, axis=0)
    return np.where(started, start, first).astype(np.int64)
