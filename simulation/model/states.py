"""The one definition of family states, used by both engines, result columns and charts.

The order of :class:`State` fixes the order of state vectors, of result columns and of chart
legends. Labels carry Lithuanian (default) and English names.
"""

from __future__ import annotations

from enum import IntEnum


class State(IntEnum):
    """States of a family raising children (DESIGN 2.1)."""

    WELLBEING = 0
    VULNERABLE = 1
    EARLY_SUPPORT = 2
    RISK = 3
    CRISIS = 4
    FAMILY_CARE = 5
    INSTITUTIONAL_CARE = 6

    @property
    def key(self) -> str:
        """Lower-case name used in files and columns, e.g. ``"family_care"``."""
        return self.name.lower()

    def label(self, lang: str = "lt") -> str:
        """Human label in ``"lt"`` or ``"en"``."""
        return STATE_LABELS[lang][self]

    @property
    def colour(self) -> str:
        """The state's colour on every chart (hex)."""
        return STATE_COLOURS[self]

    @classmethod
    def care(cls) -> tuple[State, ...]:
        """The states in which the children are in out-of-home care."""
        return CARE_STATES


STATES: tuple[State, ...] = tuple(State)
N_STATES = len(STATES)
STATE_KEYS: tuple[str, ...] = tuple(s.key for s in STATES)

#: States in which the children are placed in out-of-home care.
CARE_STATES: tuple[State, ...] = (State.FAMILY_CARE, State.INSTITUTIONAL_CARE)
#: States whose families have the size of a family in difficulty (see the parameter
#: ``children_per_risk_family``); the others have the size of an average family.
LARGE_FAMILY_STATES: tuple[State, ...] = (State.RISK, State.CRISIS, *CARE_STATES)

STATE_LABELS: dict[str, dict[State, str]] = {
    "lt": {
        State.WELLBEING: "Gerovė",
        State.VULNERABLE: "Pažeidžiamumas",
        State.EARLY_SUPPORT: "Ankstyvoji pagalba",
        State.RISK: "Sunkumų patirianti šeima",
        State.CRISIS: "Krizė",
        State.FAMILY_CARE: "Globa šeimoje",
        State.INSTITUTIONAL_CARE: "Institucinė globa",
    },
    "en": {
        State.WELLBEING: "Wellbeing",
        State.VULNERABLE: "Vulnerable",
        State.EARLY_SUPPORT: "Early support",
        State.RISK: "Family in difficulty (risk)",
        State.CRISIS: "Crisis",
        State.FAMILY_CARE: "Family-based care",
        State.INSTITUTIONAL_CARE: "Institutional care",
    },
}

#: One colour per state, shared by every chart (colour-blind-safe Okabe-Ito palette).
STATE_COLOURS: dict[State, str] = {
    State.WELLBEING: "#009E73",
    State.VULNERABLE: "#F0E442",
    State.EARLY_SUPPORT: "#56B4E9",
    State.RISK: "#E69F00",
    State.CRISIS: "#D55E00",
    State.FAMILY_CARE: "#0072B2",
    State.INSTITUTIONAL_CARE: "#CC79A7",
}
