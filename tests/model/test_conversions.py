"""The stored effect conversions cover the shipped library and agree with a fresh solve."""

from __future__ import annotations

import math

import pytest

from simulation.model import conversions, effect_sizes, programmes


def test_the_file_covers_every_conversion_of_the_shipped_library():
    """A missing key means someone changed the library without rewriting the file."""
    missing = [k for k in conversions.needed() if k not in conversions.known()]
    assert not missing, "rewrite it: python -m simulation.model.conversions"


@pytest.mark.parametrize("stored", sorted(conversions.known().items()), ids=lambda s: "")
def test_each_stored_conversion_is_what_the_solver_returns(stored):
    key, multiplier = stored
    assert effect_sizes.solve_multiplier(*key) == pytest.approx(multiplier, rel=1e-12, abs=0)


def test_a_changed_input_is_solved_afresh():
    """Inputs that are not stored (another baseline hazard) go to the solver."""
    prog = next(p for p in programmes.library() if any(e.measure == "smd" for e in p.effects))
    effect = next(e for e in prog.effects if e.measure == "smd")
    stored = next(k for k in conversions.known() if k[0] == "smd" and k[2] == effect.value)
    _, _, value, h, q, duration, relapse, prob = stored
    args = (effect, value, 1.5 * h, q, duration, relapse, prob)
    fresh = effect_sizes.solve_multiplier("smd", effect.follow_up, *args[1:])
    assert effect_sizes.hazard_multiplier(*args) == fresh
    assert not math.isclose(fresh, conversions.known()[stored], rel_tol=1e-6)
