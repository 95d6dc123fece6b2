"""A programme whose budget is cut: its participants leave with its places.

Admission fills a programme's free places up to ``places x max_caseload_ratio`` in each
municipality (the last place rounded stochastically), so participants never exceed the ceiling
of that; when the places fall (a budget cut) the excess must leave, or the families keep the
programme's full effect beyond the caseload staff can take on, at no cost (spending is capped at
the capacity). Casework keeps a family while it is in risk, so before this was enforced a cut
casework budget went on serving most of its families for years (found by the agent-based check
of ``prevsim optimise``, docs/optimise.md).
"""

from __future__ import annotations

import numpy as np

from simulation.model import services as sv
from simulation.model.schedule import Change
from tests.engines.abm.helpers import baseline, make_model

CASEWORK = sv.PROGRAMME_NAMES.index("casework")


def _run_with_cut(cut: dict[str, float]):
    """The baseline at 2% of families, 2009-2012, with ``cut`` from 2011.

    Per month: the month, casework's places x ratio and its participants after admission,
    ``(M,)`` each.
    """
    _, _, schedule = baseline()
    model = make_model(
        params={"capacity_delay": 0.1},
        schedule=[*schedule, Change(2011, cut, 0.0)],
        end_year=2012,
        seed=5,
        scale=0.02,
    )
    seen = []
    admit = model._admit

    def recording(line, holding, slots, p, rng):
        participants = admit(line, holding, slots, p, rng)
        if line == sv.PROGRAMME_LINE[CASEWORK]:
            most = slots[:, CASEWORK] * p["max_caseload_ratio"]
            seen.append((model.month, most, participants[:, CASEWORK].copy()))
        return participants

    model._admit = recording
    model.run()
    return seen


def test_participants_never_exceed_the_places_after_a_cut():
    """A 90% cut of the casework line: every month, in every municipality, casework holds at
    most ``ceil(places x max_caseload_ratio)`` families, and a year after the cut the national
    caseload is within a family per municipality of the places (53 families on 23 places;
    123 when families kept their places, against 189 without the cut).
    """
    before = _run_with_cut({})
    seen = _run_with_cut({"budget.basic": 0.1 * _basic_budget_2011()})
    for month, most, held in seen:
        assert (held <= np.ceil(most)).all(), (month, held.sum(), most.sum())
    cut_month = (2011 - 2009) * 12
    late = [(most.sum(), held.sum()) for month, most, held in seen if month >= cut_month + 12]
    uncut = [held.sum() for month, _, held in before if month >= cut_month + 12]
    places, held = np.mean(late, axis=0)
    assert held <= places + len(seen[0][1]), (held, places)
    assert held < 0.5 * np.mean(uncut), (held, np.mean(uncut))


def _basic_budget_2011() -> float:
    """The baseline's budget of the basic-services line in 2011 (million EUR a year)."""
    from simulation.analysis.allocation import lever_values_at
    from simulation.workflow import scenarios
    from tests.conftest import SCENARIOS

    sc = scenarios.load(SCENARIOS / "baseline.toml")
    return lever_values_at(sc, (2011 - 2009) * 12)["budget.basic"]
