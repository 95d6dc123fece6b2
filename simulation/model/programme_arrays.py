"""The programme library as arrays: indices, membership matrices and per-run tables.

Shared by :mod:`simulation.model.services` and both engines. A trailing axis of length
``N_PROGRAMMES`` is indexed by :data:`PROGRAMMES` (library order); ``(N_PROGRAMMES,
N_PROVIDERS)`` by programmes then :data:`PROVIDERS`; ``N_SERVICES`` by the funding lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from simulation.model import programmes as pg
from simulation.model.flows import EFFECT_SOURCE, EFFECTS, N_HAZARD_FLOWS, OUTFLOWS
from simulation.model.states import State

SERVICES: tuple[str, ...] = pg.LINES
PROVIDERS: tuple[str, ...] = ("ngo", "municipal")
N_SERVICES = len(SERVICES)
N_PROVIDERS = len(PROVIDERS)
PREVENTIVE, BASIC, INTEGRATION, MOBILE_TEAM = range(N_SERVICES)
NGO, MUNICIPAL = range(N_PROVIDERS)
#: What the public pays for, in the order of every cost array: each funding line by provider
#: (``preventive.ngo``, ...), staff training, then the two kinds of out-of-home care (in the
#: order of the care states).
COST_ITEMS: tuple[str, ...] = (
    *(f"{s}.{pr}" for s in SERVICES for pr in PROVIDERS),
    "training",
    "family_care",
    "institutional_care",
)
TRAINING_ITEM = COST_ITEMS.index("training")
CARE_ITEMS = slice(len(COST_ITEMS) - 2, len(COST_ITEMS))

PROGRAMMES: tuple[pg.Programme, ...] = pg.library()
PROGRAMME_NAMES: tuple[str, ...] = tuple(p.name for p in PROGRAMMES)
N_PROGRAMMES = len(PROGRAMMES)
#: The funding line and the target state of each programme.
PROGRAMME_LINE = np.array([SERVICES.index(p.line) for p in PROGRAMMES])
PROGRAMME_TARGET = np.array([int(p.target) for p in PROGRAMMES])
#: Programmes of each line, in library order (the order in which they take families).
LINE_PROGRAMMES: tuple[tuple[int, ...], ...] = tuple(
    tuple(int(i) for i in np.flatnonzero(line == PROGRAMME_LINE)) for line in range(N_SERVICES)
)
#: Each programme's effects: ``(index in EFFECTS, registry name of its multiplier)``.
PROGRAMME_EFFECTS: tuple[tuple[tuple[int, str], ...], ...] = tuple(
    tuple((EFFECTS.index(e.transition), p.parameter(f"effect.{e.transition}")) for e in p.effects)
    for p in PROGRAMMES
)
#: 1 for programmes whose evidence comes from trials (they lose ``scale_up_decay`` at scale).
TRIAL_EVIDENCE = np.array([p.trial_evidence for p in PROGRAMMES], float)
#: Programmes of one line with one target state take families from one group, in library
#: order: ``x @ SAME_GROUP`` sums ``x`` over each programme's group and ``x @
#: EARLIER_IN_GROUP`` over the programmes before it in its group.
SAME_GROUP = (
    (PROGRAMME_LINE[:, None] == PROGRAMME_LINE[None, :])
    & (PROGRAMME_TARGET[:, None] == PROGRAMME_TARGET[None, :])
).astype(float)
EARLIER_IN_GROUP = np.triu(SAME_GROUP, k=1)
#: Outflows of each programme's target state (positions in HAZARD_FLOWS).
TARGET_OUTFLOWS = tuple(OUTFLOWS[State(t)] for t in PROGRAMME_TARGET)
#: ``rates @ TARGET_OUTFLOW_MATRIX`` is each target state's total outflow hazard.
TARGET_OUTFLOW_MATRIX = np.zeros((N_HAZARD_FLOWS, N_PROGRAMMES))
for _i, _out in enumerate(TARGET_OUTFLOWS):
    TARGET_OUTFLOW_MATRIX[list(_out), _i] = 1.0
#: ``LINE_MATRIX @ x`` sums a ``(N_PROGRAMMES, ...)`` array by funding line.
LINE_MATRIX = (PROGRAMME_LINE[None, :] == np.arange(N_SERVICES)[:, None]).astype(float)
# the library's validation guarantees it: every effect acts on its programme's target state
assert all(
    EFFECT_SOURCE[EFFECTS[i]] == prog.target
    for prog, effects in zip(PROGRAMMES, PROGRAMME_EFFECTS, strict=True)
    for i, _ in effects
)


def stack_last(arrays: list) -> np.ndarray:
    """Stack along a new last axis after broadcasting (some inputs may be batched)."""
    return np.stack(np.broadcast_arrays(*[np.asarray(a, float) for a in arrays]), axis=-1)


def as_array(p: Mapping, name: str) -> np.ndarray:
    """Parameter ``name`` of ``p`` as a float array."""
    return np.asarray(p[name], float)


def programme_values(p: Mapping, field: str) -> np.ndarray:
    """One field of every programme (``cost``, ``duration``, ...), shape ``(..., N_PROGRAMMES)``."""
    return stack_last([p[prog.parameter(field)] for prog in PROGRAMMES])


@dataclass(frozen=True)
class ProgrammeTable:
    """What the library's parameters give, computed once per parameter set.

    The engines evaluate the services thousands of times with the same parameters (four
    Runge-Kutta stages a month); reading and stacking the parameters each time dominated
    the SD engine's run time.

    Attributes
    ----------
    costs : ndarray, shape ``(..., N_PROGRAMMES, N_PROVIDERS)``
        EUR per place-year (:func:`programme_costs`).
    duration, relapse : ndarray, shape ``(..., N_PROGRAMMES)``
        Years in the programme (0 = ongoing) and graduates' relapse rate (1/yr).
    gaps : ndarray, shape ``(..., N_PROGRAMMES, N_EFFECTS)``
        ``effective share x (1 - multiplier)`` of each effect at quality 1.
    scale_up : ndarray, shape ``(..., N_PROGRAMMES)``
        ``1 - scale_up_decay`` for programmes with trial evidence, 1 for the others.
    """

    costs: np.ndarray
    duration: np.ndarray
    relapse: np.ndarray
    gaps: np.ndarray
    scale_up: np.ndarray


def programme_table(p: Mapping[str, np.ndarray]) -> ProgrammeTable:
    """The :class:`ProgrammeTable` of the parameter values ``p``."""
    share = programme_values(p, "effective_share")
    names = [name for effects in PROGRAMME_EFFECTS for _, name in effects]
    lead = np.broadcast_shapes(share.shape[:-1], *(np.shape(p[n]) for n in names))
    gaps = np.zeros((*lead, N_PROGRAMMES, len(EFFECTS)))
    for i, effects in enumerate(PROGRAMME_EFFECTS):
        for e, name in effects:
            gaps[..., i, e] = share[..., i] * (1.0 - as_array(p, name))
    return ProgrammeTable(
        costs=programme_costs(p),
        duration=programme_values(p, "duration"),
        relapse=programme_values(p, "relapse_rate"),
        gaps=gaps,
        scale_up=1.0 - as_array(p, "scale_up_decay")[..., None] * TRIAL_EVIDENCE,
    )


def table_of(p: Mapping[str, np.ndarray], table: ProgrammeTable | None) -> ProgrammeTable:
    """``table``, or the table of ``p`` when none is given."""
    return programme_table(p) if table is None else table


def programme_costs(p: Mapping[str, np.ndarray]) -> np.ndarray:
    """Cost of a place for a year, by programme and provider, ``(..., N_PROGRAMMES, N_PROVIDERS)``.

    The programme's cost (municipal provider) and ``ngo_cost_ratio`` times it from NGOs.
    """
    municipal = programme_values(p, "cost")
    ngo = municipal * as_array(p, "ngo_cost_ratio")[..., None]
    return stack_last([ngo, municipal])
