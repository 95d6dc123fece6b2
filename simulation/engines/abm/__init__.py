"""Agent-based engine (Mesa): family agents as arrays, municipality and ministry agents."""

from simulation.engines.abm.model import FamilyWelfareModel

__all__ = ["FamilyWelfareModel"]
