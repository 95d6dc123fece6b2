"""Lever paths from a schedule of changes."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.model.schedule import Change, lever_paths


def test_step_change_takes_effect_in_january_of_its_year():
    path = lever_paths({"x": 1.0}, [Change(2011, {"x": 3.0})], 2009, 48)["x"]
    assert (path[:24] == 1.0).all()
    assert (path[24:] == 3.0).all()


def test_ramp_reaches_the_new_value_linearly():
    path = lever_paths({"x": 0.0}, [Change(2010, {"x": 12.0}, ramp_years=1)], 2009, 48)["x"]
    np.testing.assert_allclose(path[12:24], np.arange(1, 13))
    assert (path[24:] == 12.0).all()


def test_changes_apply_in_year_order_and_later_wins():
    changes = [Change(2012, {"x": 5.0}), Change(2010, {"x": 2.0}), Change(2012, {"x": 7.0})]
    path = lever_paths({"x": 1.0}, changes, 2009, 60)["x"]
    assert path[11] == 1.0
    assert path[12] == 2.0
    assert path[36] == 7.0


def test_ramp_starts_from_the_value_in_effect():
    changes = [Change(2010, {"x": 10.0}, ramp_years=2), Change(2011, {"x": 0.0}, ramp_years=1)]
    path = lever_paths({"x": 0.0}, changes, 2009, 48)["x"]
    mid = path[23]  # last month of 2010: half-way up the first ramp
    assert mid == pytest.approx(5.0)
    assert path[24] == pytest.approx(mid * 11 / 12)  # the second ramp starts from there
    assert path[35] == 0.0


def test_changes_after_the_horizon_are_ignored_and_batches_are_supported():
    changes = [Change(2030, {"x": 9.0}), Change(2010, {"x": 4.0})]
    paths = lever_paths({"x": np.array([1.0, 2.0])}, changes, 2009, 24)
    assert paths["x"].shape == (24, 2)
    np.testing.assert_array_equal(paths["x"][0], [1.0, 2.0])
    np.testing.assert_array_equal(paths["x"][12], [4.0, 4.0])


def test_a_change_may_set_a_value_per_set_of_a_batch():
    """Values per set give, set by set, the path of that value alone (a batch of candidates)."""
    values = np.array([0.2, 0.5, 0.9])
    batch = lever_paths({"x": 0.4}, [Change(2012, {"x": values}, 1.5)], 2009, 72)["x"]
    assert batch.shape == (72, 3)
    for k, v in enumerate(values):
        alone = lever_paths({"x": 0.4}, [Change(2012, {"x": float(v)}, 1.5)], 2009, 72)["x"]
        np.testing.assert_array_equal(batch[:, k], alone)
