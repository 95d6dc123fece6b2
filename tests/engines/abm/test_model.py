"""The agent-based model as a whole: reproducibility, allowed moves, conservation and heterogeneity.

Every test is deterministic (fixed seeds) and runs on a small share of Lithuania's families.
Statistical checks derive their tolerance from a standard error: 4 standard errors unless
stated otherwise, so that a correct engine fails a check with probability below about 1e-4.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from simulation.model import flows as fl
from simulation.model.services import COST_ITEMS
from simulation.model.states import N_STATES, State
from simulation.model.vocabulary import START_YEAR
from tests.engines.abm.helpers import (
    ALLOWED_MOVES,
    BLOCKS,
    EXIT_FLOWS,
    EXIT_TARGET,
    FLOW_OF_MOVE,
    Z,
    make_model,
)


# ---- reproducibility -------------------------------------------------------------------
def test_same_seed_same_results_different_seed_different_results():
    runs = [
        make_model(end_year=2012, seed=s, scale=0.01, histories=True).run() for s in (11, 11, 12)
    ]
    a, b, c = (m.result(resolution="municipal") for m in runs)
    for block in BLOCKS:
        np.testing.assert_array_equal(a.saved[block], b.saved[block], err_msg=block)
    np.testing.assert_array_equal(a.times, b.times)
    np.testing.assert_array_equal(runs[0].families.event_table(), runs[1].families.event_table())
    np.testing.assert_array_equal(runs[0].families.vulnerability, runs[1].families.vulnerability)
    assert not np.array_equal(a.saved["stocks"], c.saved["stocks"])
    assert not np.array_equal(a.saved["flows"], c.saved["flows"])
    events_a, events_c = runs[0].families.event_table(), runs[2].families.event_table()
    assert events_a.shape != events_c.shape or not np.array_equal(events_a, events_c)


def test_result_shapes_and_rescaling(het_model):
    model = het_model
    national = model.result()
    municipal = model.result(resolution="municipal")
    rescaled = model.result(rescale=True)
    t = model.n_months + 1
    assert national.saved["stocks"].shape == (t, 1, 1, N_STATES)
    assert municipal.saved["stocks"].shape == (t, 1, model.n_muni, N_STATES)
    assert national.saved["flows"].shape == (t, 1, 1, fl.N_FLOWS)
    assert national.saved["costs"].shape == (t, 1, 1, len(COST_ITEMS))
    assert national.municipalities == ("Lithuania",)
    assert len(municipal.municipalities) == model.n_muni == 60
    np.testing.assert_allclose(national.times, START_YEAR + np.arange(t) / 12.0)
    for block in BLOCKS:
        np.testing.assert_allclose(
            national.saved[block], municipal.saved[block].sum(axis=2, keepdims=True)
        )
        np.testing.assert_allclose(rescaled.saved[block], national.saved[block] / model.scale)


# ---- allowed transitions ---------------------------------------------------------------
def test_only_allowed_transitions_and_nothing_after_exit(het_model):
    model = het_model
    events = model.families.event_table()
    assert len(events) > 1000
    month, ident, before, after = events.T
    assert ((month >= 0) & (month < model.n_months)).all()
    assert (np.diff(month) >= 0).all()  # logged in order
    pairs = set(zip(before.tolist(), after.tolist(), strict=True))
    assert pairs <= ALLOWED_MOVES, pairs - ALLOWED_MOVES
    assert {(State.CRISIS, State.INSTITUTIONAL_CARE), (State.RISK, EXIT_TARGET)} <= pairs
    # Per family, in logged order: each move starts where the last one ended, and an exit is
    # the family's last event.
    order = np.lexsort((np.arange(len(events)), ident))
    same = ident[order][1:] == ident[order][:-1]
    assert (before[order][1:][same] == after[order][:-1][same]).all()
    assert not (after[order][:-1][same] == EXIT_TARGET).any()
    # Every flow out of a state is counted once in the flows block, and nothing else is.
    totals = model.flows[-1].sum(axis=0)
    counted = np.zeros(fl.N_FLOWS)
    for (a, b), i in FLOW_OF_MOVE.items():
        counted[i] = np.count_nonzero((before == a) & (after == b))
    counted[fl.ENTRY] = totals[fl.ENTRY]
    np.testing.assert_array_equal(counted, totals)


def test_family_columns_stay_in_range(het_model):
    fam = het_model.families
    assert (fam.months_in_state >= 0).all()
    assert np.isin(fam.state, [*range(N_STATES), EXIT_TARGET]).all()
    assert (fam.children >= 1).all()
    assert (fam.vulnerability > 0).all()
    assert (np.diff(fam.id) > 0).all()  # ids increase with the row: binary search works
    assert fam.archive, "yearly compaction should have archived families that left"
    for block in fam.archive:
        assert (block["state"] == EXIT_TARGET).all()
        assert (block["children"] >= 1).all()
        assert (block["vulnerability"] > 0).all()


def test_families_never_go_negative_and_months_count_up():
    model = make_model(end_year=2010, seed=3, scale=0.01)
    previous = None
    while model.month < model.n_months:
        model.step()
        fam = model.families
        assert (fam.months_in_state >= 0).all()
        assert np.isin(fam.state, [*range(N_STATES), EXIT_TARGET]).all()
        assert (model.stocks[model.month] >= 0).all()
        assert (model.children[model.month] >= 0).all()
        if previous is not None and model.month % 12 != 0:  # rows are stable within a year
            ids, months = previous
            n = len(ids)
            assert np.array_equal(fam.id[:n], ids)
            moved = months + 1 != fam.months_in_state[:n]
            assert (fam.months_in_state[:n][moved] == 1).all()  # moved this month: reset
        previous = (fam.id.copy(), fam.months_in_state.copy())


# ---- conservation ----------------------------------------------------------------------
def test_families_and_children_are_conserved_every_month(het_model):
    model = het_model
    saved = model.result(resolution="municipal").saved
    for stock, flow in (("stocks", "flows"), ("children", "child_flows")):
        present = saved[stock][:, 0].sum(axis=-1)  # (T, M)
        cumulative = saved[flow][:, 0]
        entries = cumulative[..., fl.ENTRY]
        exits = cumulative[..., EXIT_FLOWS].sum(axis=-1)
        np.testing.assert_allclose(
            present, present[0] + entries - exits, rtol=0, atol=1e-6, err_msg=stock
        )
        # and every internal flow moves between states of the same municipality:
        change = saved[stock][1:, 0] - saved[stock][:-1, 0]
        moved = (saved[flow][1:, 0] - saved[flow][:-1, 0]) @ fl.INCIDENCE
        np.testing.assert_allclose(change, moved, rtol=0, atol=1e-6, err_msg=stock)
    assert saved["flows"][-1, 0, :, fl.ENTRY].sum() > 0
    assert saved["flows"][-1, 0][:, EXIT_FLOWS].sum() > 0


def test_live_counts_equal_a_recount_of_the_families(het_model):
    model = het_model
    fam = model.families
    here = fam.state >= 0
    families = np.zeros((model.n_muni, N_STATES))
    children = np.zeros((model.n_muni, N_STATES))
    np.add.at(families, (fam.municipality[here], fam.state[here]), 1.0)
    np.add.at(children, (fam.municipality[here], fam.state[here]), fam.children[here])
    np.testing.assert_array_equal(model.stocks[model.month], families)
    np.testing.assert_array_equal(model.children[model.month], children)


# ---- heterogeneity ---------------------------------------------------------------------
def test_heterogeneity_changes_the_run_and_is_off_in_the_mean_field():
    het = make_model(end_year=2011, seed=5, scale=0.01, heterogeneity=True).run()
    flat = make_model(end_year=2011, seed=5, scale=0.01, heterogeneity=False).run()
    assert not np.array_equal(het.stocks, flat.stocks)
    assert (flat.families.vulnerability == 1.0).all()
    assert (flat.families.combo == 0).all()  # no programmes family by family in the mean field
    assert het.families.vulnerability.std() > 0.1
    assert (het.families.service_months > 0).any()


def test_vulnerability_is_gamma_with_mean_one():
    model = make_model(end_year=2009, seed=9, scale=0.05)
    v = model.families.vulnerability
    k = model.p["vulnerability_shape"]
    n = v.size
    assert n > 10_000
    # Gamma(k, 1/k): mean 1, variance 1/k, excess kurtosis 6/k.
    assert abs(v.mean() - 1.0) < Z * np.sqrt(1.0 / k / n)
    var_se = np.sqrt((6.0 / k + 2.0) / k**2 / n)  # SE of the sample variance
    assert abs(v.var(ddof=1) - 1.0 / k) < Z * var_se
    assert stats.kstest(v, stats.gamma(k, scale=1.0 / k).cdf).pvalue > 1e-3
