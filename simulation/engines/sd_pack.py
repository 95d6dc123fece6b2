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
from simulation.engines.sd import LAYOUT
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
