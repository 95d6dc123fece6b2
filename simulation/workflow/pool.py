"""Local process pools whose workers start without re-importing the scientific stack.

Importing Mesa sets the start method of every later pool to "spawn"
(``mesa.batchrunner`` calls ``multiprocessing.set_start_method("spawn", force=True)``), so a
plain :class:`~concurrent.futures.ProcessPoolExecutor` starts each worker as a new interpreter
that imports numpy, pandas, scipy and mesa again: about 2 s a worker, in every pool.

:func:`process_pool` uses a fork server instead, where the platform has a safe one: one
process, started with the first pool, imports :data:`PRELOAD` once, and every worker of every
later pool is a fork of it, ready in milliseconds. Elsewhere it falls back to the default
start method. The start method changes only how fast workers start, never what they compute.

:func:`peak_rss_mb` is the calling process's peak resident memory, so that a worker can
report its own (a fork server's workers are not children of the process that made the pool,
so ``getrusage(RUSAGE_CHILDREN)`` there does not see them).
"""

from __future__ import annotations

import functools
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext

#: Modules the fork server imports before it forks any worker: the modules whose functions
#: the pools run (they import numpy, pandas and scipy) and the agent-based model (mesa).
#: ``__main__`` is the standard library's default preload: it spares each worker re-running
#: the main script. A module that fails to import is skipped by the fork server, and the
#: workers then import it themselves (slower, same results); a test imports each of them.
PRELOAD = (
    "__main__",
    "simulation.workflow.ensembles",
    "simulation.analysis.calibration",
    "simulation.analysis.sensitivity",
    "simulation.engines.abm",
)


@functools.cache
def _context() -> BaseContext | None:
    """The fork server context with :data:`PRELOAD` set, or None for the default context.

    Cached, so the preload (one global setting of the fork server) is set once, and before the
    first pool starts the server: a running server keeps the modules it started with. macOS
    has a fork server, but forking there is unsafe with the system frameworks (why CPython
    defaults to spawn on it), so it keeps the default; Windows has none.
    """
    if sys.platform == "darwin" or "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    return context


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool of ``workers`` processes.

    They are forked from a preloaded fork server where the platform has one (see the module
    docstring).

    Parameters
    ----------
    workers : int
        Number of worker processes (>= 1).

    Returns
    -------
    ProcessPoolExecutor
        Use it as a context manager, like any executor. The first pool in a process also
        starts the fork server (about as long as one import of the stack, once); it runs
        until this process exits.
    """
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=_context(), initializer=_one_compiled_thread
    )


def _one_compiled_thread() -> None:
    """Run compiled loops on one thread in a worker: the pool's processes share the cores.

    Without it each worker's SD kernel would start a thread per core (numba's default), two
    workers four threads on two cores.
    """
    import numba

    numba.set_num_threads(1)


def peak_rss_mb() -> float:
    """The peak resident memory of this process so far, MB (NaN where unknown: Windows).

    For a worker forked from the fork server it includes the preloaded modules' pages that
    the worker shares (copy-on-write) with the server and with the other workers.
    """
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is in bytes on macOS and in kilobytes on Linux and the BSDs
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10
