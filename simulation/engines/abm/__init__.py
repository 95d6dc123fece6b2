"""Agent-based engine (Mesa): family agents as arrays, municipality and ministry agents."""

from simulation.engines.abm.model import AbmSettings, FamilyWelfareModel

__all__ = ["AbmSettings", "FamilyWelfareModel"]
