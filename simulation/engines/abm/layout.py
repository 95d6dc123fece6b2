"""How the agent-based engine lays out its hazard tables and random streams.

Each month the engine computes every option hazard once per (duration class, served mask,
municipality, state slot) and looks a family's hazards up by the position of its key in that
flat table; these constants fix the layout.
"""

from __future__ import annotations

import numpy as np

from simulation.model import services as sv
from simulation.model.states import N_STATES

#: Random streams, one per kind of decision, so that changing one lever does not reshuffle
#: the draws of the others.
STREAMS = ("population", "entries", "services", "monitoring")
N_COMBOS = 4  # served bit masks: none, bit 0, bit 1, both
N_DURATIONS = 3  # months in state: first month, months 2-12, after a year
EXITED_SLOT = 7  # state & 7 maps EXITED (-1) to a slot with no hazards
SLOTS = N_STATES + 1
#: Position of each service effect in the effects arrays.
EFFECT = {name: i for i, name in enumerate(sv.EFFECTS)}


def base_key(muni: np.ndarray, state: np.ndarray, n_muni: int) -> np.ndarray:
    """Table position for months 2-12 in a state and no individual service."""
    muni = np.asarray(muni, np.intp)
    return (N_COMBOS * n_muni + muni) * SLOTS + (np.asarray(state, np.intp) & EXITED_SLOT)
