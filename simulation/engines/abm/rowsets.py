"""Sets of family rows kept up to date on entry and exit, instead of monthly full scans.

Most families are in wellbeing and in no programme; what the engine asks about each month
(families known to services or in care, families waiting for a programme of a state other than
wellbeing, families in programmes) concerns a few per cent of the rows. A :class:`RowSet`
holds the sorted rows that *may* satisfy a condition: rows are added when they may start to
satisfy it (a move into the states, an admission), and the ones that no longer do are
filtered out when the set is read. Reading costs a pass over the set, not over every family.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from simulation.engines.abm import kernels


class RowSet:
    """Sorted, unique rows: a superset of the rows satisfying a condition.

    Parameters
    ----------
    condition : callable
        ``condition(rows) -> bool mask``: which of ``rows`` satisfy the condition now; with
        ``values``, ``condition(values(rows))``.
    values : callable, optional
        ``values(rows) -> array``: what the condition reads (e.g. the rows' states); the
        kept rows' values are then in :attr:`values`, read once for every later question.
    """

    def __init__(
        self,
        condition: Callable[[np.ndarray], np.ndarray],
        values: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        self.condition = condition
        self.rows = np.empty(0, np.intp)
        self._values_of = values
        self.values = None if values is None else values(self.rows)
        self._pending: list[np.ndarray] = []
        self._removed: list[np.ndarray] = []
        self._stale = False

    def reset(self, rows: np.ndarray) -> None:
        """Start over from ``rows`` (e.g. a full scan), sorted and unique."""
        self.rows = np.unique(np.asarray(rows, np.intp))
        self._pending, self._removed = [], []
        self._stale = True  # read the values at the next call

    def add(self, rows: np.ndarray) -> None:
        """Note rows that satisfy the condition from now on (any order, repeats allowed).

        A row that stops satisfying it later must be told by :meth:`touch` or
        :meth:`discard`.
        """
        if len(rows):
            self._drop_removed()  # in order: a row removed, then added, is in the set
            self._pending.append(np.asarray(rows, np.intp))

    def discard(self, rows: np.ndarray) -> None:
        """Note rows that no longer satisfy the condition (a cheaper :meth:`touch`)."""
        if len(rows):
            self._merge_pending()  # in order: a row added, then removed, is not in the set
            self._removed.append(np.asarray(rows, np.intp))

    def _drop_removed(self) -> None:
        if self._removed:
            gone = np.sort(np.concatenate(self._removed))
            self._removed = []
            self.rows = kernels.difference_sorted(self.rows, _unique_sorted(gone))

    def _merge_pending(self) -> None:
        if self._pending:
            new = _unique_sorted(np.sort(np.concatenate(self._pending)))
            self._pending = []
            self.rows = kernels.merge_sorted(self.rows, new)
            # Added rows satisfied the condition when added, and a change since was told by
            # touch or discard; but kept values must be read for them.
            self._stale = self._stale or self._values_of is not None

    def touch(self) -> None:
        """Note that some rows may no longer satisfy the condition (filtered at next read)."""
        self._stale = True

    def current(self) -> np.ndarray:
        """The rows satisfying the condition now, ascending (as ``np.flatnonzero`` gives).

        Discarded rows are dropped and added ones merged in (in the order they were told);
        if the set was touched, rows that no longer satisfy the condition are dropped too.
        """
        self._drop_removed()
        self._merge_pending()
        if not self._stale:
            return self.rows
        if self._values_of is None:
            self.rows = self.rows[self.condition(self.rows)]
        else:
            values = self._values_of(self.rows)
            keep = self.condition(values)
            self.rows, self.values = self.rows[keep], values[keep]
        self._stale = False
        return self.rows

    def renumber(self, keep: np.ndarray) -> None:
        """Follow a compaction: old row ``keep[j]`` is now row ``j``; rows not kept go.

        Call :meth:`current` first, before the columns move (``condition`` reads them).
        """
        if self._pending or self._removed:
            raise RuntimeError("read the set (current) before renumbering it")
        rows = self.rows
        at = np.searchsorted(keep, rows)
        kept = (at < len(keep)) & (keep[np.minimum(at, len(keep) - 1)] == rows)
        self.rows = at[kept].astype(np.intp)


def _unique_sorted(rows: np.ndarray) -> np.ndarray:
    """Drop repeats from sorted rows (``np.unique`` costs more on few rows)."""
    return rows[np.concatenate(([True], rows[1:] != rows[:-1]))]
