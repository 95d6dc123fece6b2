"""How the agent-based engine lays out its hazard tables and random streams.

Each month the engine computes every option hazard once per (duration class, programme
combination, municipality, state slot) and looks a family's hazards up by the position of its
key in that flat table; these constants fix the layout. A family has at most one programme of
each funding line at a time (a family in difficulty may have casework and integration
services): a combination is one choice (or none) per line, numbered in mixed radix.
"""

from __future__ import annotations

import numpy as np

from simulation.model import services as sv
from simulation.model.states import N_STATES

#: Random streams, one per kind of decision, so that changing one lever does not reshuffle
#: the draws of the others.
STREAMS = ("population", "entries", "services", "monitoring")
#: Options per line: none, or one of its programmes.
LINE_OPTIONS = tuple(len(m) + 1 for m in sv.LINE_PROGRAMMES)
#: Combination number = sum over lines of (position in the line + 1) x stride.
STRIDES = tuple(int(np.prod(LINE_OPTIONS[:i])) for i in range(len(LINE_OPTIONS)))
N_COMBOS = int(np.prod(LINE_OPTIONS))
#: COMBO_PROGRAMMES[c, p] = 1 when combination c includes programme p.
COMBO_PROGRAMMES = np.zeros((N_COMBOS, sv.N_PROGRAMMES))
for _c in range(N_COMBOS):
    for _line, _members in enumerate(sv.LINE_PROGRAMMES):
        _pick = _c // STRIDES[_line] % LINE_OPTIONS[_line]
        if _pick:
            COMBO_PROGRAMMES[_c, _members[_pick - 1]] = 1.0
#: Each programme's position within its line, and its line's stride.
PROGRAMME_DIGIT = np.array(
    [m.index(p) + 1 for p in range(sv.N_PROGRAMMES) for m in sv.LINE_PROGRAMMES if p in m]
)
PROGRAMME_STRIDE = np.array([STRIDES[line] for line in sv.PROGRAMME_LINE])
N_DURATIONS = 3  # months in state: first month, months 2-12, after a year
EXITED_SLOT = 7  # state & 7 maps EXITED (-1) to a slot with no hazards
SLOTS = N_STATES + 1
#: Programmes serve one state and a family leaves them all when its state changes, so a
#: family's combination holds only programmes of its own state. The option table therefore
#: needs, per state, only the combinations of that state's programmes (at most
#: ``N_LOCAL``, not ``N_COMBOS``): ``LOCAL_COMBO[slot, combo]`` numbers them within the state,
#: and the pairs ``(PAIR_STATE, PAIR_COMBO)`` list every one, at ``PAIR_LOCAL``.
_FEASIBLE = [
    [
        c
        for c in range(N_COMBOS)
        if all(sv.PROGRAMME_TARGET[p] == s for p in np.flatnonzero(COMBO_PROGRAMMES[c]))
    ]
    for s in range(N_STATES)
]
N_LOCAL = max(len(f) for f in _FEASIBLE)
LOCAL_COMBO = np.zeros((SLOTS, N_COMBOS), np.intp)
for _s, _combos in enumerate(_FEASIBLE):
    LOCAL_COMBO[_s, _combos] = np.arange(len(_combos))
PAIR_STATE = np.array([s for s, combos in enumerate(_FEASIBLE) for _ in combos])
PAIR_COMBO = np.array([c for combos in _FEASIBLE for c in combos])
PAIR_LOCAL = np.array([k for combos in _FEASIBLE for k in range(len(combos))])


def base_key(
    muni: np.ndarray, state: np.ndarray, n_muni: int, n_combos: int = N_COMBOS
) -> np.ndarray:
    """Table position for months 2-12 in a state and no individual service.

    ``n_combos`` is the number of programme combinations the table holds (1 when every
    family gets the population effects, without heterogeneity).
    """
    muni = np.asarray(muni, np.intp)
    return (n_combos * n_muni + muni) * SLOTS + (np.asarray(state, np.intp) & EXITED_SLOT)
