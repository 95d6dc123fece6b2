"""The flows between family states, as data, and the hazard functions both engines share.

Each :class:`Flow` moves families from a source state to a target state (``None`` for the
outside world: entries from births, exits when the youngest child turns 18 or the family
emigrates, adoption and ageing out of care). :func:`hazard_rates` returns the annual hazard
of every flow that has a source state, given parameter values, current lever values and the
services' effects, for any leading shape (national, municipal, a batch of parameter sets, or
one row per family in the agent-based engine).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from simulation.model.states import N_STATES, State


@dataclass(frozen=True)
class Flow:
    """A flow of families between two states (``None`` = outside the system)."""

    name: str
    source: State | None
    target: State | None
    description: str


W, V, ES, R, C, FC, IC = State
FLOWS: tuple[Flow, ...] = (
    Flow("onset", W, V, "emerging difficulties"),
    Flow("natural_recovery", V, W, "difficulties resolve without help"),
    Flow("detection", V, ES, "the family becomes known to services"),
    Flow("escalation", V, R, "difficulties escalate unnoticed"),
    Flow("supported_escalation", ES, R, "difficulties escalate despite early support"),
    Flow("supported_recovery", ES, W, "recovery with early help"),
    Flow("risk_recovery", R, W, "recovery from risk"),
    Flow("risk_to_crisis", R, C, "acute crisis: violence or neglect"),
    Flow("crisis_resolved", C, R, "crisis resolved without removal"),
    Flow("placement_family", C, FC, "children placed in family-based care"),
    Flow("placement_institution", C, IC, "children placed in an institution"),
    Flow("deinstitutionalisation", IC, FC, "transfer from an institution to a family"),
    Flow("reunification_family", FC, R, "children return home from family-based care"),
    Flow("reunification_institution", IC, R, "children return home from an institution"),
    Flow("leaving_family_care", FC, None, "adoption or ageing out of family-based care"),
    Flow("leaving_institution", IC, None, "adoption or ageing out of an institution"),
    Flow("exit_wellbeing", W, None, "youngest child turns 18, or emigration"),
    Flow("exit_vulnerable", V, None, "youngest child turns 18, or emigration"),
    Flow("exit_early_support", ES, None, "youngest child turns 18, or emigration"),
    Flow("exit_risk", R, None, "youngest child turns 18, or emigration"),
    Flow("exit_crisis", C, None, "youngest child turns 18, or emigration"),
    Flow("entry", None, W, "a new family: first child born"),
)
FLOW_NAMES: tuple[str, ...] = tuple(f.name for f in FLOWS)
N_FLOWS = len(FLOWS)
FLOW_INDEX: dict[str, int] = {name: i for i, name in enumerate(FLOW_NAMES)}

#: Flows driven by a hazard on their source state (all but ``entry``), in FLOWS order.
HAZARD_FLOWS: tuple[Flow, ...] = tuple(f for f in FLOWS if f.source is not None)
N_HAZARD_FLOWS = len(HAZARD_FLOWS)
HAZARD_SOURCE = np.array([int(f.source) for f in HAZARD_FLOWS])
ENTRY = FLOW_INDEX["entry"]
#: Per state: positions in HAZARD_FLOWS of the flows into / out of it.
INFLOWS: dict[State, list[int]] = {
    s: [i for i, f in enumerate(HAZARD_FLOWS) if f.target == s] for s in State
}
OUTFLOWS: dict[State, list[int]] = {
    s: [i for i, f in enumerate(HAZARD_FLOWS) if f.source == s] for s in State
}
PLACEMENTS = (FLOW_INDEX["placement_family"], FLOW_INDEX["placement_institution"])

#: The transitions services can change, in the order of every effects array: each multiplies
#: the hazard of its flow(s), except ``placement``, which multiplies the probability that a
#: crisis ends in placement (the crisis lasts as long; fewer crises end in care).
EFFECTS: tuple[str, ...] = (
    "onset",
    "natural_recovery",
    "detection",
    "escalation",
    "supported_escalation",
    "supported_recovery",
    "risk_recovery",
    "risk_to_crisis",
    "placement",
    "reunification",
)
#: The state whose families each effect acts on.
EFFECT_SOURCE: dict[str, State] = {
    "onset": State.WELLBEING,
    "natural_recovery": State.VULNERABLE,
    "detection": State.VULNERABLE,
    "escalation": State.VULNERABLE,
    "supported_escalation": State.EARLY_SUPPORT,
    "supported_recovery": State.EARLY_SUPPORT,
    "risk_recovery": State.RISK,
    "risk_to_crisis": State.RISK,
    "placement": State.CRISIS,
    "reunification": State.FAMILY_CARE,
}


def _incidence() -> np.ndarray:
    """Matrix A (flows x states): -1 at each flow's source, +1 at its target."""
    a = np.zeros((N_FLOWS, N_STATES))
    for i, f in enumerate(FLOWS):
        if f.source is not None:
            a[i, f.source] -= 1.0
        if f.target is not None:
            a[i, f.target] += 1.0
    return a


#: ``d stocks / dt = flows @ INCIDENCE``.
INCIDENCE = _incidence()
#: +1 for flows entering the system, -1 for flows leaving it, 0 for internal flows.
BOUNDARY = INCIDENCE.sum(axis=1)


#: The levers :func:`hazard_rates` reads (besides the parameters): an engine supplies their
#: current values.
HAZARD_LEVERS: tuple[str, ...] = (
    "institutional_placement_share",
    "deinstitutionalisation_rate",
    "temporary_care_share",
)


def reunification_hazards(p: Mapping[str, np.ndarray]) -> dict[State, np.ndarray]:
    """Annual hazard of returning home from each care state, before services (1/yr).

    Children return home from institutions at ``institution_reunification_ratio`` times the
    rate from family-based care.
    """
    rate = p["reunification_rate"]
    return {
        State.FAMILY_CARE: rate,
        State.INSTITUTIONAL_CARE: rate * p["institution_reunification_ratio"],
    }


def hazard_rates(p: Mapping[str, np.ndarray], effects: np.ndarray) -> np.ndarray:
    """Annual hazard of every flow in :data:`HAZARD_FLOWS`, shape ``(..., N_HAZARD_FLOWS)``.

    Parameters
    ----------
    p : mapping
        Parameter values and current lever values; scalars or arrays broadcasting against
        ``effects[..., 0]``.
    effects : ndarray, shape ``(..., len(EFFECTS))``
        Multipliers of the transitions of :data:`EFFECTS` (1 = no service effect), from
        :func:`simulation.model.services.service_effects`.

    Returns
    -------
    ndarray
        Hazards in 1/yr, >= 0.
    """
    e = {name: effects[..., i] for i, name in enumerate(EFFECTS)}
    crisis_exit = p["crisis_exit_rate"]
    # Temporary care by relatives (from 2020) ends a crisis without guardianship.
    placed = np.clip(
        p["placement_probability"] * e["placement"] * (1.0 - p["temporary_care_share"]), 0.0, 1.0
    )
    inst = p["institutional_placement_share"]
    exit_rate = p["family_exit_rate"]
    home = reunification_hazards(p)
    rates = [
        p["onset_rate"] * e["onset"],
        p["natural_recovery_rate"] * e["natural_recovery"],
        p["detection_rate"] * e["detection"],
        p["escalation_rate"] * e["escalation"],
        p["supported_escalation_rate"] * e["supported_escalation"],
        p["supported_recovery_rate"] * e["supported_recovery"],
        p["risk_recovery_rate"] * e["risk_recovery"],
        p["risk_to_crisis_rate"] * e["risk_to_crisis"],
        crisis_exit * (1.0 - placed),
        crisis_exit * placed * (1.0 - inst),
        crisis_exit * placed * inst,
        p["deinstitutionalisation_rate"],
        home[State.FAMILY_CARE] * e["reunification"],
        home[State.INSTITUTIONAL_CARE],
        p["care_leaving_rate"],
        p["care_leaving_rate"],
        exit_rate,
        exit_rate,
        exit_rate,
        exit_rate,
        exit_rate,
    ]
    out = np.empty((*effects.shape[:-1], len(rates)))
    for i, rate in enumerate(rates):
        out[..., i] = rate  # broadcasting assignment: no intermediate stacked copies
    return out
