"""The agent-based engine's kept sets and sums equal a full recount.

What the engine keeps up to date on entry and exit instead of scanning every family, and the
options that only save time or memory (histories, when rows are compacted), leave the results
unchanged.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation.engines.abm import model as model_module
from simulation.model import services as sv
from simulation.model.states import N_STATES, State
from simulation.workflow.economics.exposures import yearly_exposures
from tests.engines.abm.helpers import make_model


def _check_kept(model) -> None:
    """Every kept set and sum against a scan of the rows (called right after the keys)."""
    fam = model.families
    np.testing.assert_array_equal(model._nonwell.current(), np.flatnonzero(fam.state >= 1))
    for line, key in enumerate(sv.SERVICES):
        held = np.flatnonzero(fam.columns[f"programme_{key}"][: fam.n] >= 0)
        np.testing.assert_array_equal(model._holding(line), held)
    live = fam.state >= 0
    recount = np.bincount(fam.state[live], fam.vulnerability[live], N_STATES)
    np.testing.assert_allclose(model._vulnerability_sum, recount, rtol=1e-9, atol=1e-9)
    counts = np.bincount(fam.state[live], minlength=N_STATES)
    np.testing.assert_array_equal(model._live_families.sum(axis=0), counts)
    # each row's hazards at its kept key are those at the key computed from scratch
    rows = np.arange(fam.n)
    np.testing.assert_array_equal(model._options[fam.table_key], model._options[model._keys(rows)])


@pytest.mark.parametrize("rule", ["historical", "needs_based"])
def test_kept_sets_sums_and_keys_equal_a_full_recount(rule, monkeypatch):
    model = make_model(end_year=2014, seed=4, scale=0.02, allocation_rule=rule)
    checked = []
    refresh = model._refresh_keys

    def refresh_and_check():
        refresh()
        if model.month % 7 == 3:  # spread over the months of the year, across compactions
            _check_kept(model)
            checked.append(model.month)

    monkeypatch.setattr(model, "_refresh_keys", refresh_and_check)
    model.run()
    assert len(checked) >= 8
    assert model._holding(sv.BASIC).size > 0  # programmes were running


def test_histories_and_compaction_do_not_change_results(monkeypatch):
    """The event log, the archive and when rows are dropped change memory, not results."""
    plain = make_model(end_year=2015, seed=9, scale=0.02).run()
    logged = make_model(end_year=2015, seed=9, scale=0.02, histories=True).run()
    monkeypatch.setattr(model_module, "COMPACT_SHARE", 0.0)  # every January, as before
    yearly = make_model(end_year=2015, seed=9, scale=0.02).run()
    a, b, c = (m.result(resolution="municipal") for m in (plain, logged, yearly))
    for block in a.saved:
        np.testing.assert_array_equal(a.saved[block], b.saved[block], err_msg=block)
        np.testing.assert_array_equal(a.saved[block], c.saved[block], err_msg=block)
    # the life course reads the records, not the log: same exposures either way
    exposures = [yearly_exposures(m.result(), m.p) for m in (plain, logged)]
    for name, values in exposures[0].items():
        np.testing.assert_array_equal(values, exposures[1][name], err_msg=name)
    assert not plain.families.events
    assert not plain.families.archive
    assert logged.families.events
    assert logged.families.archive
    with pytest.raises(RuntimeError, match="histories=True"):
        plain.family(0)
    events = logged.families.event_table()
    assert events.dtype == np.int64
    assert np.count_nonzero(events[:, 3] != State.WELLBEING) > 0
