"""Executors: where the tasks of an ensemble run.

``serial`` (in this process); ``processes`` (a local process pool,
:func:`simulation.workflow.pool.process_pool`; the default); ``local`` (a Dask
``LocalCluster`` on this machine); or ``tcp://HOST:PORT`` (a running Dask scheduler). A
task's result depends only on the task, never on where or when it ran, so every executor
gives bit-identical results. An executor calls ``work(shared, task)`` for each task, where
``shared`` is sent to the workers once, and yields ``(task, result)`` pairs as they finish.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from simulation.workflow.pool import process_pool

SCHEDULERS = ("serial", "processes", "local")

Work = Callable[[object, object], dict]


def _serial(work: Work, shared, tasks: Sequence, workers: int) -> Iterator[tuple[object, dict]]:
    for task in tasks:
        yield task, work(shared, task)


def _processes(work: Work, shared, tasks: Sequence, workers: int) -> Iterator[tuple[object, dict]]:
    """A local process pool (:func:`simulation.workflow.pool.process_pool`).

    At most ``2 * workers`` tasks are in flight, so memory stays flat.
    """
    from concurrent.futures import FIRST_COMPLETED, wait

    pending = iter(tasks)
    with process_pool(workers) as pool:
        running = {}
        for task in pending:
            running[pool.submit(work, shared, task)] = task
            if len(running) >= 2 * workers:
                break
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                task = running.pop(future)
                yield task, future.result()
                nxt = next(pending, None)
                if nxt is not None:
                    running[pool.submit(work, shared, nxt)] = nxt


def _dask(
    work: Work, shared, tasks: Sequence, workers: int, address: str | None
) -> Iterator[tuple[object, dict]]:
    """A Dask cluster: a ``LocalCluster`` (``address=None``) or a running scheduler.

    ``shared`` is scattered once; tasks are submitted in a window of ``4 * workers`` and
    gathered as they complete. A worker that dies mid-task has its tasks rerun elsewhere by
    the scheduler; each task's result reaches us once. Tasks need a ``key`` (their name).
    """
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if address is None:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",  # loopback only: nothing is exposed to the network
            dashboard_address=None,
        )
        client = Client(cluster)
    else:
        client = Client(address, timeout="10s")
    try:
        scattered = client.scatter(shared, broadcast=True)
        window = max(4 * workers, 8)
        pending = iter(tasks)
        by_key = {}

        def submit(task):
            future = client.submit(work, scattered, task, key=f"task-{task.key}", pure=False)
            by_key[future.key] = task
            return future

        first = []
        for task in pending:
            first.append(submit(task))
            if len(first) >= window:
                break
        queue = as_completed(first)
        for future in queue:
            task = by_key.pop(future.key)
            yield task, future.result()
            future.release()
            nxt = next(pending, None)
            if nxt is not None:
                queue.add(submit(nxt))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def check_scheduler(scheduler: str) -> None:
    """Raise ``ValueError`` (one line) for a scheduler that is not a known one.

    A known scheduler is one of :data:`SCHEDULERS` or a ``tcp://`` address.
    """
    if scheduler not in SCHEDULERS and not scheduler.startswith("tcp://"):
        raise ValueError(f"{scheduler!r}: allowed: {', '.join(SCHEDULERS)} or tcp://HOST:PORT")


def run_tasks(
    work: Work, shared, tasks: Sequence, scheduler: str = "processes", workers: int = 2
) -> Iterator[tuple[object, dict]]:
    """Run ``work(shared, task)`` for every task on ``scheduler``.

    See the module docstring for the schedulers. Yields ``(task, result)`` as tasks finish
    (in any order).
    """
    check_scheduler(scheduler)
    if not tasks:
        return iter(())
    if scheduler == "serial":
        return _serial(work, shared, tasks, 1)
    if scheduler == "processes":
        return _processes(work, shared, tasks, workers)
    return _dask(work, shared, tasks, workers, None if scheduler == "local" else scheduler)
