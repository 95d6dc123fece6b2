"""Compiled loops (numba) for the programmes' queues: who waits, and who gets a place.

Each month every programme with free places takes the first families of its queue in each
municipality. In numpy that was a boolean mask, a difference of sorted sets, and a sort of the
whole queue (some 17,000 families waiting for a preventive programme at national scale) to
take a few hundred; here the queue is one pass over the families out of wellbeing
(:func:`waiting_rows`) and the places are filled by a selection within each municipality
(:func:`first_in_queue`), which gives the families a full sort would give, to the bit; when
two families tie at the last place (the sort's order among equal keys is its own), it says
so and the engine sorts as before.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def waiting_rows(
    rows: np.ndarray, states: np.ndarray, target: int, programme: np.ndarray
) -> np.ndarray:
    """The ``rows`` in state ``target`` holding no programme of a line, in order.

    Parameters
    ----------
    rows, states : ndarray
        Rows (ascending) and their states.
    target : int
        The programme's target state.
    programme : ndarray of int8
        The line's programme column (-1: none).
    """
    out = np.empty(rows.shape[0], np.int64)
    m = 0
    for j in range(rows.shape[0]):  # without a branch: the states alternate unpredictably
        out[m] = rows[j]
        m += (states[j] == target) & (programme[rows[j]] < 0)
    return out[:m].copy()


@njit(cache=True, nogil=True)
def _sift_down(heap: np.ndarray, size: int) -> None:
    """Restore the max-heap ``heap[:size]`` after its top was replaced."""
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            return
        if child + 1 < size and heap[child + 1] > heap[child]:
            child += 1
        if heap[child] <= heap[i]:
            return
        heap[i], heap[child] = heap[child], heap[i]
        i = child


@njit(cache=True, nogil=True)
def _boundary(keys: np.ndarray, take: int, heap: np.ndarray) -> tuple[float, float]:
    """The ``take``-th and ``take + 1``-th smallest of ``keys`` (``take < len(keys)``).

    One pass keeping the ``take + 1`` smallest in a max-heap: most keys are compared once
    with its top and left (a selection by partitions mispredicts every other branch).
    """
    size = take + 1
    for i in range(size):  # heapify the first ones
        heap[i] = keys[i]
        j = i
        while j > 0 and heap[(j - 1) // 2] < heap[j]:
            heap[(j - 1) // 2], heap[j] = heap[j], heap[(j - 1) // 2]
            j = (j - 1) // 2
    for i in range(size, keys.shape[0]):
        if keys[i] < heap[0]:
            heap[0] = keys[i]
            _sift_down(heap, size)
    second = heap[1] if size == 2 else max(heap[1], heap[2])
    return second, heap[0]


@njit(cache=True, fastmath=False, error_model="numpy", nogil=True)
def first_in_queue(
    rows: np.ndarray,
    municipality: np.ndarray,
    slope: np.ndarray,
    tie: np.ndarray,
    quota: np.ndarray,
) -> tuple[np.ndarray, bool]:
    """The ``quota`` first rows of each municipality's queue, or a tie at a last place.

    A row's place in the queue is its key ``municipality + 0.5 + slope + tie * 1e-9``
    (added in that order, as the numpy version), lowest first; a municipality's rows are
    the rows of keys in ``[municipality, municipality + 1)``. Within each municipality whose
    quota is below its rows, the key of the first row left out is found by a selection,
    and the rows of lower keys are taken.

    Parameters
    ----------
    rows : ndarray of int64
        The rows waiting.
    municipality : ndarray
        The families' municipality column.
    slope, tie : ndarray of float64
        Each row's scaled priority (``arctan`` of its order key times ``0.99 / pi``) and its
        uniform tie-breaking number.
    quota : ndarray of float64
        Places to fill in each municipality (whole numbers).

    Returns
    -------
    chosen : ndarray of int64
        The rows taken, by municipality (order within one is not the queue's).
    exact : bool
        False when two rows tie at a municipality's last place: ``chosen`` is then
        unusable and the caller must sort.
    """
    n, n_muni = rows.shape[0], quota.shape[0]
    muni = np.empty(n, np.int64)
    start = np.zeros(n_muni + 1, np.int64)
    for j in range(n):
        muni[j] = municipality[rows[j]]
        start[muni[j] + 1] += 1
    for m in range(n_muni):
        start[m + 1] += start[m]
    fill = start[:-1].copy()
    keys = np.empty(n)  # grouped by municipality, in row order within one
    grouped = np.empty(n, np.int64)
    for j in range(n):
        at = fill[muni[j]]
        keys[at] = ((muni[j] + 0.5) + slope[j]) + tie[j] * 1e-9
        grouped[at] = rows[j]
        fill[muni[j]] += 1
    chosen = np.empty(n, np.int64)
    scratch = np.empty(n)
    c = 0
    for m in range(n_muni):
        first, stop = start[m], start[m + 1]
        if not quota[m] > 0 or stop == first:
            continue
        if quota[m] >= stop - first:
            chosen[c : c + stop - first] = grouped[first:stop]
            c += stop - first
            continue
        take = np.int64(quota[m])
        last, bound = _boundary(keys[first:stop], take, scratch)  # last taken, first left
        if last == bound:
            return chosen[:0].copy(), False
        for at in range(first, stop):
            if keys[at] < bound:
                chosen[c] = grouped[at]
                c += 1
    return chosen[:c].copy(), True


def load() -> None:
    """Load the loops now (from numba's cache, or compile them), not at their first use."""
    rows, floats = np.zeros(0, np.int64), np.zeros(0)
    waiting_rows(rows.astype(np.intp), np.zeros(0, np.int8), 1, np.zeros(0, np.int8))
    first_in_queue(rows, np.zeros(0, np.int16), floats, floats, np.zeros(1))
