"""Fixtures of the agent-based engine's tests."""

from __future__ import annotations

import pytest

from simulation.engines.abm import FamilyWelfareModel
from tests.engines.abm.helpers import make_model


@pytest.fixture(scope="module")
def het_model() -> FamilyWelfareModel:
    """The baseline with heterogeneity, 2% of families, 2009-2016 (closures from 2014).

    With histories (the event log and the families that left), which tests read.
    """
    return make_model(end_year=2016, seed=7, scale=0.02, histories=True).run()
