"""Institutional care places and the placements free places draw (both engines).

A stock of places in institutional care (children) starts full, at the children in
institutions in the first month, and follows use by linear partial adjustment (Tuma and
Hannan 1983, *Social Dynamics*, the structure of the residential-care bed-supply model of
SSWR 2011 paper 14742): it closes a share ``1 / bed_adjustment_time`` of the gap between use
and places each year, and ``institution_closure_rate`` removes places on top::

    d places / dt = (children in institutions - places) / bed_adjustment_time
                    - institution_closure_rate x places

Free places draw placements (supply-induced demand): the hazard of placement in an
institution is multiplied by ``1 + bed_supply_elasticity x free share``, the free share being
``max(places - children in institutions, 0) / places``. The elasticity is an assumption (no
published figure quantifies the effect in child welfare); at its default, 0, the places change
nothing else in the model.

The system-dynamics engine integrates the equation with its other states (per unit); the
agent-based engine advances it a month at a time with :func:`places_after` (the equation's
exact solution while use holds still), nationally, for the ministry.
"""

from __future__ import annotations

import numpy as np

from simulation.model.flows import HAZARD_FLOWS

#: Position in ``flows.HAZARD_FLOWS`` of the placement into an institution.
PLACEMENT_INSTITUTION = [f.name for f in HAZARD_FLOWS].index("placement_institution")


def places_change(places, children, adjustment_time, closure_rate):
    """D places / dt (children/yr): linear partial adjustment towards use, less closures.

    Parameters
    ----------
    places, children : float or ndarray
        Institutional care places and children in institutional care (children).
    adjustment_time : float or ndarray
        ``bed_adjustment_time`` (yr), > 0.
    closure_rate : float or ndarray
        ``institution_closure_rate`` (1/yr).
    """
    return (children - places) / adjustment_time - closure_rate * places


def places_after(places, children, dt, adjustment_time, closure_rate):
    """Places after ``dt`` years of :func:`places_change` with ``children`` held constant.

    The exact solution of the linear equation (stable for any ``dt``): the places approach
    ``children / (1 + closure_rate x adjustment_time)`` at the rate
    ``1 / adjustment_time + closure_rate``.
    """
    rate = 1.0 / adjustment_time + closure_rate
    level = children / (1.0 + closure_rate * adjustment_time)
    return level + (places - level) * np.exp(-rate * dt)


def free_share(places, children):
    """Share of the places that are free, in [0, 1] (0 when there are no places)."""
    places = np.asarray(places, float)
    free = np.maximum(places - children, 0.0)
    return np.divide(free, places, out=np.zeros(np.shape(free)), where=places > 0)


def placement_multiplier(places, children, elasticity):
    """Multiplier of the hazard of placement in an institution: ``1 + elasticity x free``.

    Exactly 1 when ``elasticity`` is 0.
    """
    return 1.0 + elasticity * free_share(places, children)
