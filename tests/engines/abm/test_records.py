"""Records of the agent-based model: families' histories and Mesa's DataCollector."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.engines.abm.population import FamilyHistory
from simulation.model import flows as fl
from simulation.model.services import COST_ITEMS
from simulation.model.states import STATE_KEYS
from simulation.model.vocabulary import START_YEAR
from tests.engines.abm.helpers import (
    EXIT_TARGET,
    make_model,
)


# ---- individual histories --------------------------------------------------------------
def test_family_history_matches_the_event_table(het_model):
    model = het_model
    events = model.families.event_table()
    label = {i: k for i, k in enumerate(STATE_KEYS)} | {EXIT_TARGET: "exited"}
    exited = np.unique(events[events[:, 3] == EXIT_TARGET, 1])
    present = model.families.id[model.families.state >= 0]
    busy = np.unique(events[:, 1], return_counts=True)
    many = busy[0][busy[1] >= 3]
    quiet = np.setdiff1d(present, events[:, 1])
    chosen = np.concatenate([exited[:5], many[:5], quiet[:3], present[-3:]])
    assert len(chosen) >= 12
    for family_id in chosen:
        history = model.family(int(family_id))
        assert isinstance(history, FamilyHistory)
        assert history.id == family_id
        mine = events[events[:, 1] == family_id]
        assert history.transitions == [
            (START_YEAR + int(mo) // 12, int(mo) % 12 + 1, label[int(a)], label[int(b)])
            for mo, _, a, b in mine
        ]
        rows = np.flatnonzero(model.families.id == family_id)
        if rows.size:
            state = int(model.families.state[rows[0]])
            assert history.state == label[state]
            assert history.municipality == model.names[int(model.families.municipality[rows[0]])]
            assert history.children == int(model.families.children[rows[0]])
            assert history.vulnerability == pytest.approx(model.families.vulnerability[rows[0]])
        else:
            assert history.state == "exited"
            assert history.service_months is None
        if history.state == "exited":
            assert history.transitions[-1][3] == "exited"
        elif history.transitions:
            assert history.transitions[-1][3] == history.state
        text = str(history)
        assert history.municipality in text
        assert f"Family {family_id}" in text
        assert text.count("\n") == len(history.transitions)


@pytest.mark.parametrize("offset", [0, 5, 10**6])
def test_unknown_family_raises_key_error(het_model, offset):
    with pytest.raises(KeyError):
        het_model.family(het_model.families.next_id + offset)


def test_negative_family_id_raises_key_error(het_model):
    with pytest.raises(KeyError):
        het_model.family(-1)


# ---- DataCollector ---------------------------------------------------------------------
def test_datacollector_has_every_state_flow_and_cost(het_model):
    model = het_model
    df = model.datacollector.get_model_vars_dataframe()
    expected = {
        *STATE_KEYS,
        *(f"children.{k}" for k in STATE_KEYS),
        *(f"flow.{n}" for n in fl.FLOW_NAMES),
        *(f"cost.{c}" for c in COST_ITEMS),
    }
    assert expected <= set(df.columns), expected - set(df.columns)
    assert len(df) == model.n_months + 1
    for s, key in enumerate(STATE_KEYS):
        np.testing.assert_allclose(df[key].to_numpy(), model.stocks[:, :, s].sum(axis=1))
        np.testing.assert_allclose(
            df[f"children.{key}"].to_numpy(), model.children[:, :, s].sum(axis=1)
        )
    for f, name in enumerate(fl.FLOW_NAMES):
        np.testing.assert_allclose(
            df[f"flow.{name}"].cumsum().to_numpy(), model.flows[:, :, f].sum(axis=1), atol=1e-6
        )
    for c, name in enumerate(COST_ITEMS):
        np.testing.assert_allclose(
            df[f"cost.{name}"].cumsum().to_numpy(), model.costs[:, :, c].sum(axis=1), rtol=1e-9
        )


def test_datacollector_rows_follow_the_steps():
    model = make_model(end_year=2010, seed=1, scale=0.005)
    for steps in (0, 1, 5):
        while model.month < steps:
            model.step()
        df = model.datacollector.get_model_vars_dataframe()
        assert len(df) == steps + 1
        np.testing.assert_allclose(df["wellbeing"], model.stocks[: steps + 1, :, 0].sum(1))


def test_step_past_the_horizon_raises():
    model = make_model(end_year=2009, seed=1, scale=0.002).run()
    assert model.month == model.n_months == 12
    with pytest.raises(RuntimeError):
        model.step()
