"""The discovery box chart: a bound's value never runs over the dimensions' names."""

from __future__ import annotations

import matplotlib.pyplot as plt

from simulation.reports.discovery_charts import _inside_when_cut


def test_a_lower_bound_near_the_start_is_written_inside_its_bar():
    fig, ax = plt.subplots(figsize=(8, 2))
    ax.set_xlim(0, 1)
    cut = ax.text(0.05, 0, " 14 569 EUR vienam dirbančiajam per metus ", ha="right")
    room = ax.text(0.9, 0, " 43 % ", ha="right")
    upper = ax.text(0.05, 0, " 0,254 per metus ", ha="left")
    _inside_when_cut(fig, ax)
    assert (cut.get_ha(), cut.get_color()) == ("left", "white")
    assert (room.get_ha(), room.get_color()) == ("right", "black")
    assert upper.get_ha() == "left"
    plt.close(fig)
