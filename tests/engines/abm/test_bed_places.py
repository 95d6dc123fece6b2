"""The ministry's supply of institutional care places in the agent-based engine.

Linear partial adjustment of places to use and the assumed supply elasticity
(simulation.model.bed_supply; the bed-supply model of SSWR 2011 paper 14742), as in the SD
engine but national, a month at a time.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation.engines.abm import FamilyWelfareModel
from simulation.model import bed_supply as bs
from simulation.model import flows as fl
from simulation.model.vocabulary import START_YEAR
from tests.engines.abm.helpers import national_ic_children

END = START_YEAR + 3
#: Use falls (few institutional placements): slow places keep a surplus.
FALLING = {"institutional_placement_share": 0.05}


def run_with_places(**params):
    """A small run; the supply of places and the multiplier in each month."""
    model = FamilyWelfareModel(params, FALLING, end_year=END, seed=4, scale=0.02)
    places, factors = [], []
    while model.month < model.n_months:
        model.step()
        places.append(model.ministry.bed_places)
        factors.append(model.ministry.placement_multiplier())
    return model, np.array(places), np.array(factors)


def test_places_start_full_and_follow_use_month_by_month():
    model, places, factors = run_with_places(bed_adjustment_time=3.0)
    use = national_ic_children(model)
    assert places[0] == use[0]
    for m in (1, 12, len(places) - 1):
        expected = bs.places_after(places[m - 1], use[m - 1], 1 / 12, 3.0, 0.0)
        assert places[m] == pytest.approx(expected, rel=1e-12)
    assert places[-1] > use[-2]  # slow places lag a falling use
    assert (factors == 1.0).all()  # the default elasticity, 0: no pull


def test_free_places_draw_institutional_placements():
    """Same seed, elasticity at its domain's top (5) against 0: more institutional
    placements once places are free, and the multiplier follows the free share.
    """
    slow = {"bed_adjustment_time": 5.0}
    off, _, _ = run_with_places(**slow)
    on, places, factors = run_with_places(**slow, bed_supply_elasticity=5.0)
    use = national_ic_children(on)
    np.testing.assert_allclose(
        factors, bs.placement_multiplier(places, use[1 : len(places) + 1], 5.0), rtol=1e-12
    )
    assert factors.max() > 1.2

    def placed(m):
        return m.flows[-1, :, fl.FLOW_INDEX["placement_institution"]].sum()

    assert placed(on) > 1.1 * placed(off)
