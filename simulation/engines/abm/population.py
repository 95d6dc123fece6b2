"""Family agents held column-wise: one row per family (as Starsim holds its agents).

Rows of families that have left are dropped every few years (:meth:`Families.compact`); a
family keeps its ``id`` for life, and ids increase with the row, so a family's row is found
by binary search. With ``histories=True`` every transition is logged (month, id, from, to) and
the families that left are archived, for individual histories; without it neither is kept, so
that memory does not grow with the horizon (the engine's records hold every aggregate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.engines.abm import kernels
from simulation.engines.abm.transitions import EXITED
from simulation.model.programmes import LINES

#: Column name -> dtype. Per funding line, ``programme_<line>`` is the programme the family is
#: in or finished and still benefits from (-1: none), ``graduate_<line>`` whether it has
#: finished it, ``months_<line>`` its months in it; ``combo`` numbers that combination of
#: programmes for the hazard tables (``layout.COMBO_PROGRAMMES``). ``table_key`` is the
#: engine's position of the family's (municipality, state) in its hazard tables, kept up to
#: date on every move so that the monthly pass over all families need not recompute it.
COLUMNS: dict[str, type] = {
    "id": np.int64,
    "municipality": np.int16,
    "children": np.int8,
    "vulnerability": np.float64,
    "state": np.int8,
    "months_in_state": np.int16,
    "combo": np.int16,
    "service_months": np.int16,
    "table_key": np.intp,
    "accumulated_hazard": np.float64,
    "threshold": np.float64,
    "event_count": np.int64,
    **{f"programme_{line}": np.int8 for line in LINES},
    **{f"graduate_{line}": np.bool_ for line in LINES},
    **{f"months_{line}": np.int16 for line in LINES},
}
#: Columns kept for a family that has left (what its history shows).
ARCHIVED = ("id", "municipality", "children", "vulnerability", "state")
#: Event log columns: month, id, from, to (int32: 2**31 families and months are far away).
EVENT_DTYPE = np.int32


class Families:
    """Growable columns of family attributes.

    Parameters
    ----------
    capacity : int
        Rows to allocate at first (the columns grow by half when full).
    histories : bool
        Log every transition and archive the families that leave (for ``model.family(i)``);
        off, memory stays flat however long the run.
    """

    def __init__(self, capacity: int = 1024, histories: bool = True) -> None:
        self.n = 0
        self.next_id = 0
        self.histories = histories
        self.columns = {name: np.zeros(max(capacity, 1), dtype) for name, dtype in COLUMNS.items()}
        self.events: list[np.ndarray] = []
        self.archive: list[dict[str, np.ndarray]] = []

    def __getattr__(self, name: str) -> np.ndarray:
        columns = self.__dict__.get("columns", {})
        if name in columns:
            return columns[name][: self.n]
        raise AttributeError(name)

    def __setattr__(self, name: str, value) -> None:
        # ``families.state += 1`` would rebind a stale view over the column: forbid it.
        if name in COLUMNS:
            raise AttributeError(f"assign into the column instead: families.{name}[...] = ...")
        super().__setattr__(name, value)

    def add(
        self,
        municipality: np.ndarray,
        children: np.ndarray,
        vulnerability: np.ndarray,
        state: np.ndarray,
    ) -> np.ndarray:
        """Append families; returns their rows."""
        k = len(state)
        self._reserve(self.n + k)
        rows = np.arange(self.n, self.n + k)
        new = slice(self.n, self.n + k)  # the rows, as a slice: faster to fill than by index
        c = self.columns
        c["id"][new] = np.arange(self.next_id, self.next_id + k)
        c["municipality"][new] = municipality
        c["children"][new] = children
        c["vulnerability"][new] = vulnerability
        c["state"][new] = state
        c["months_in_state"][new] = 0
        c["combo"][new] = 0
        c["service_months"][new] = 0
        for line in LINES:
            c[f"programme_{line}"][new] = -1
            c[f"graduate_{line}"][new] = False
            c[f"months_{line}"][new] = 0
        c["table_key"][new] = 0
        c["accumulated_hazard"][new] = 0.0
        c["threshold"][new] = 0.0
        c["event_count"][new] = 0
        self.n += k
        self.next_id += k
        return rows

    def _reserve(self, size: int) -> None:
        capacity = len(self.columns["id"])
        if size <= capacity:
            return
        new = max(size, int(capacity * 1.5))
        for name, col in self.columns.items():
            grown = np.zeros(new, col.dtype)
            grown[: self.n] = col[: self.n]
            self.columns[name] = grown

    def compact(self) -> np.ndarray:
        """Drop the rows of families that have left (archived with ``histories``).

        Returns
        -------
        ndarray of int
            The old rows kept, in order: old row ``keep[j]`` is now row ``j``.
        """
        state = self.columns["state"][: self.n]
        if self.histories:
            gone = np.flatnonzero(state == EXITED)
            if gone.size:
                self.archive.append({name: self.columns[name][gone] for name in ARCHIVED})
        present = state != EXITED
        keep = np.flatnonzero(present)
        # Give memory back when the population has shrunk (births fall over the decades).
        shrink = len(keep) * 2 < len(self.columns["id"])
        for name, col in self.columns.items():
            kernels.keep_rows(col[: self.n], present)  # in place, one pass
            if shrink:
                self.columns[name] = np.zeros(int(len(keep) * 1.3) + 1024, col.dtype)
                self.columns[name][: len(keep)] = col[: len(keep)]
        self.n = len(keep)
        return keep

    def log(self, month: int, rows: np.ndarray, before: np.ndarray, after: np.ndarray) -> None:
        """Record transitions of ``rows`` during ``month`` (with ``histories`` only)."""
        if not self.histories:
            return
        event = np.empty((len(rows), 4), dtype=EVENT_DTYPE)
        event[:, 0] = month
        event[:, 1] = self.columns["id"][rows]
        event[:, 2] = before
        event[:, 3] = after
        self.events.append(event)

    def event_table(self) -> np.ndarray:
        """All transitions so far, shape ``(n_events, 4)``: month, id, from, to (int64).

        Raises
        ------
        RuntimeError
            When the model keeps no histories (build it with ``histories=True``).
        """
        if not self.histories:
            raise RuntimeError(
                "this model keeps no event log: build it with histories=True "
                "(e.g. FamilyWelfareModel(..., histories=True)) to read families' histories"
            )
        if not self.events:
            return np.empty((0, 4), dtype=np.int64)
        if len(self.events) > 1:
            self.events = [np.concatenate(self.events)]
        return self.events[0].astype(np.int64)

    def record(self, family_id: int) -> dict[str, object] | None:
        """Attributes of a family (present, or left and archived), or ``None``.

        A family that has left keeps only its :data:`ARCHIVED` attributes.
        """
        ids = self.columns["id"][: self.n]
        row = int(np.searchsorted(ids, family_id))
        if row < self.n and ids[row] == family_id:
            return {name: col[row] for name, col in self.columns.items()}
        for block in self.archive:
            hit = np.flatnonzero(block["id"] == family_id)
            if hit.size:
                return {name: col[hit[0]] for name, col in block.items()}
        return None


@dataclass
class FamilyHistory:
    """One family's story, for teaching (``model.family(i)``).

    Attributes
    ----------
    id : int
    municipality : str
    children : int
    vulnerability : float
        Multiplier on its onset and escalation hazards (population mean 1).
    state : str
        Current state, or ``"exited"``.
    transitions : list of tuple
        ``(year, month, from_state, to_state)`` in order.
    service_months : int or None
        Months in which it received a service (``None`` once it has left).
    """

    id: int
    municipality: str
    children: int
    vulnerability: float
    state: str
    transitions: list[tuple[int, int, str, str]]
    service_months: int | None

    def __str__(self) -> str:
        lines = [
            f"Family {self.id} in {self.municipality}: {self.children} children, "
            f"vulnerability {self.vulnerability:.2f}, now {self.state}"
        ]
        lines += [f"  {y}-{m:02d}: {a} -> {b}" for y, m, a, b in self.transitions]
        return "\n".join(lines)
