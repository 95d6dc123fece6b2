"""Budgets and targeting: which families the scarce services reach.

Every test is deterministic (fixed seeds) and runs on a small share of Lithuania's families.
Statistical checks derive their tolerance from a standard error: 4 standard errors unless
stated otherwise, so that a correct engine fails a check with probability below about 1e-4.
"""

from __future__ import annotations

import numpy as np

from simulation.model.states import State
from tests.engines.abm.helpers import (
    make_model,
)


# ---- targeting -------------------------------------------------------------------------
def test_targeting_by_vulnerability_and_by_waiting_time():
    """Preventive capacity goes to the most vulnerable early-support families, basic and
    integration services to the risk families that have waited longest.

    Services are assigned per municipality at the start of a month. After the month, a
    family with ``months_in_state >= 2`` did not move during it, so it took part in that
    assignment with its current attributes and served bits: within a municipality every
    served one then ranks at or above every unserved one, so their means are ordered too.
    (National means need not be: where capacity covers everyone, low-vulnerability families
    are served as well, and families that reached the state during the month are unserved.)
    """
    model = make_model(end_year=2011, seed=4, scale=0.02)
    compared = {"early": 0, "basic": 0, "integration": 0}
    while model.month < 30:
        model.step()
        if model.month % 12 == 0:  # the yearly compaction clears the served bits
            continue
        fam = model.families
        stayed = fam.months_in_state >= 2
        checks = (
            ("early", State.EARLY_SUPPORT, 1, fam.vulnerability),
            ("basic", State.RISK, 1, fam.months_in_state),
            ("integration", State.RISK, 2, fam.months_in_state),
        )
        for name, state, bit, priority in checks:
            group = (fam.state == state) & stayed
            served = group & ((fam.served & bit) > 0)
            unserved = group & ((fam.served & bit) == 0)
            for m in np.unique(fam.municipality[group]):
                here = fam.municipality == m
                top, rest = priority[served & here], priority[unserved & here]
                if top.size and rest.size:
                    compared[name] += 1
                    where = (name, model.month, int(m))
                    assert top.mean() >= rest.mean(), where
                    assert top.min() >= rest.max(), where
    # scarce capacity: served and unserved families side by side in many municipality-months
    assert min(compared.values()) >= 20, compared
    assert (model.families.service_months > 0).any()
