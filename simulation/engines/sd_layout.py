"""The SD engine's packed state vector: the blocks along its last axis, and their slices."""

from __future__ import annotations

from simulation.engines.results import BLOCKS
from simulation.model import flows as fl
from simulation.model import services as sv
from simulation.model.services import COST_ITEMS
from simulation.model.states import N_STATES

#: Blocks of the SD engine's state, in order: :data:`~simulation.engines.results.BLOCKS` and,
#: after the graduates, ``places``, the institutional care places (children,
#: :mod:`simulation.model.bed_supply`), which the agent-based engine keeps apart. The
#: states the derivative reads come first (stocks to places), then the integrals.
SD_BLOCKS: tuple[str, ...] = (*BLOCKS[:3], "places", *BLOCKS[3:])


class Layout:
    """Slices of the packed state vector (last axis), in the order of :data:`SD_BLOCKS`."""

    def __init__(self) -> None:
        widths = {
            "stocks": N_STATES,
            "capacity": sv.N_PROGRAMMES * sv.N_PROVIDERS,
            "graduates": sv.N_PROGRAMMES,
            "places": 1,
            "flows": fl.N_FLOWS,
            "stock_years": N_STATES,
            "costs": len(COST_ITEMS),
            "programme_costs": sv.N_PROGRAMMES,
            "served_years": sv.N_PROGRAMMES,
            "unspent": sv.N_PROGRAMMES,
        }
        assert tuple(widths) == SD_BLOCKS
        start = 0
        for name, width in widths.items():
            setattr(self, name, slice(start, start + width))
            start += width
        self.size = start


LAYOUT = Layout()
