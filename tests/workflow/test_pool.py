"""Process pools: workers are forks of a preloaded fork server and report their own memory.

This module imports nothing of the package but :mod:`simulation.workflow.pool` (light), so what a
worker finds already imported came from the fork server's preload, not from unpickling the
functions below.
"""

from __future__ import annotations

import importlib
import os
import sys

import pytest

from simulation.workflow import pool

FORKSERVER = pool._context() is not None


def _imported(names: list[str]) -> list[str]:
    """The modules of ``names`` already imported in the process that runs this."""
    return [name for name in names if name in sys.modules]


def _pid_and_peak() -> tuple[int, float]:
    return os.getpid(), pool.peak_rss_mb()


@pytest.mark.parametrize("name", [m for m in pool.PRELOAD if m != "__main__"])
def test_each_preloaded_module_imports(name):
    # the fork server skips a module that fails to import, silently; fail here instead
    importlib.import_module(name)


@pytest.mark.skipif(not FORKSERVER, reason="no fork server on this platform")
def test_workers_start_with_the_preloaded_modules_and_report_their_memory():
    wanted = [
        "mesa",
        "simulation.engines.abm",
        "simulation.workflow.ensembles",
        "simulation.analysis.calibration",
    ]
    with pool.process_pool(2) as workers:
        assert workers.submit(_imported, wanted).result(timeout=120) == wanted
        pid, peak = workers.submit(_pid_and_peak).result(timeout=120)
    assert pid != os.getpid()
    assert peak > 50  # MB: numpy, pandas and mesa at least
