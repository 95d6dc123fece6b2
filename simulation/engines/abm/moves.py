"""Families moving between states in the agent-based model.

A mixin of :class:`~simulation.engines.abm.model.FamilyWelfareModel`: the month's hazard
tables per (duration class, served mask, municipality, state), each family's position in them
(its key), the total and per-option hazards that :func:`transitions.jump_month` asks for, the
moves themselves (with full institutions sending children to families), the live counts kept
in step with them, new families entering, and closing institutional places.
"""

from __future__ import annotations

import numpy as np

from simulation.engines.abm import events, kernels
from simulation.engines.abm import transitions as tr
from simulation.engines.abm.layout import LOCAL_COMBO, N_DURATIONS, N_LOCAL, SLOTS
from simulation.model import bed_supply as bs
from simulation.model import flows as fl
from simulation.model import services as sv
from simulation.model.states import N_STATES, State

#: The family columns a move changes or reads, in the order of ``events.move_families``.
MOVE_COLUMNS = (
    *("state", "months_in_state", "combo", "table_key"),
    *("municipality", "children", "vulnerability"),
)
#: Each line's columns a move resets, in the order of ``events.move_families``.
LINE_COLUMNS = ("programme", "graduate", "months")
#: What decides a move's target and flow (``events.move_families``): full institutions send
#: children to family-based care.
MOVE_RULES = (
    tr.OPTION_TARGET,
    tr.FLOW_OF_OPTION,
    int(State.INSTITUTIONAL_CARE),
    int(State.FAMILY_CARE),
    int(fl.FLOW_INDEX["placement_family"]),
)
#: The crisis state's option of placement in an institution (free places multiply it).
INSTITUTION_OPTION = int(
    np.flatnonzero(tr.OPTION_FLOW[State.CRISIS] == bs.PLACEMENT_INSTITUTION)[0]
)


class FamilyMoves:
    """Hazard tables, keys, moves and entries."""

    def _close_places(self) -> None:
        """Move children out of institutions whose places have closed, to family-based care.

        Families are taken in random order until the children left fit the places; the
        moves count as the deinstitutionalisation flow.
        """
        fam = self.families
        excess = self._live_children[:, State.INSTITUTIONAL_CARE].sum() - (
            self.ministry.institution_places
        )
        if not excess > 0:
            return
        # states as at the start of the month: nothing has moved yet
        inside = self._troubled[self._troubled_states == State.INSTITUTIONAL_CARE]
        inside = self.rngs["services"].permutation(inside)
        moved = inside[: np.searchsorted(np.cumsum(fam.children[inside]), excess) + 1]
        option = np.flatnonzero(
            tr.FLOW_OF_OPTION[State.INSTITUTIONAL_CARE] == fl.FLOW_INDEX["deinstitutionalisation"]
        )[0]
        self._apply_moves(moved, np.full(moved.size, option))

    def _mean_vulnerability(self) -> np.ndarray:
        """Mean vulnerability of the live families in each state (1 for an empty state).

        From the sums and counts kept on every move and entry (no pass over the families).
        """
        count = self._live_families.sum(axis=0)
        if np.any((count > 0) & ~(self._vulnerability_sum > 0)):
            # very unequal vulnerabilities (a small gamma shape) are mostly tiny: the kept
            # sum of a state can round to 0 or below while families are in it; count again
            self._recount_vulnerability()
        total = self._vulnerability_sum
        # a state whose families all have vulnerability 0 keeps mean 1 (none of them moves)
        return np.divide(total, count, out=np.ones(N_STATES), where=(count > 0) & (total > 0))

    @property
    def table_combos(self) -> int:
        """Programme combinations in the option table.

        With heterogeneity, the combinations of each state's own programmes
        (``layout.LOCAL_COMBO``); without it one, the population effects, which every family
        gets.
        """
        return N_LOCAL if self.heterogeneity else 1

    def _month_tables(self, tables: np.ndarray) -> None:
        """Option hazards per month, flat, and their sums for the fast total-hazard path.

        The hazards are by (duration class, programme combination, municipality, state slot).
        The factors are built on the small (state, option) grid and applied in one product:
        the table is large (about half a million numbers) and is rebuilt every month.
        """
        duration = np.ones((N_DURATIONS, N_STATES, tr.MAX_OUT))
        relative = np.ones((N_STATES, tr.MAX_OUT))
        if self.heterogeneity:
            duration = np.where(tr.DURATION_OPTIONS, self._reunification_profile, 1.0)
            # Vulnerability is relative to the families now in the same state: the tables
            # divide by the state's mean, so each aggregate flow is the SD engine's (what the
            # calibration fitted) and vulnerability decides only which families move.
            mean = self._mean_vulnerability()
            relative = np.where(tr.VULNERABILITY_OPTIONS, 1.0 / mean[:, None], 1.0)
        full = np.zeros((N_DURATIONS, self.table_combos, self.n_muni, SLOTS, tr.MAX_OUT))
        monthly = tables * self.dt  # per year -> per month
        supply = self.ministry.placement_multiplier()  # free places draw placements
        if supply != 1.0:  # (exactly 1 at the default elasticity: the tables as they were)
            monthly[..., State.CRISIS, INSTITUTION_OPTION] *= supply
        np.multiply(monthly[None], duration[:, None, None], out=full[..., :N_STATES, :])
        full[..., :N_STATES, :] *= relative
        vuln = np.zeros((SLOTS, tr.MAX_OUT), bool)
        vuln[:N_STATES] = tr.VULNERABILITY_OPTIONS
        self._vuln_options = vuln
        self._options = full.reshape(-1, tr.MAX_OUT)
        # Sums over the few options, added one by one (what a reduction over so short an
        # axis does, to the bit, at a fraction of its cost on this layout).
        keep = (~vuln).astype(float)
        total, plain = full[..., 0].copy(), full[..., 0] * keep[:, 0]
        for option in range(1, tr.MAX_OUT):
            total += full[..., option]
            plain += full[..., option] * keep[:, option]
        self._total_plain = plain.reshape(-1)
        self._total_vuln = total.reshape(-1) - self._total_plain

    def _keys(self, rows: np.ndarray) -> np.ndarray:
        """Positions of ``rows`` in the flat option table."""
        c = self.families.columns
        columns = (c["state"], c["months_in_state"], c["combo"], c["municipality"])
        shape = (self.table_combos, self.n_muni, SLOTS)
        return kernels.table_keys(np.asarray(rows, np.int64), columns, LOCAL_COMBO, shape)

    def _refresh_keys(self) -> None:
        """Bring ``table_key`` to :meth:`_keys` where it differs from the base key.

        Only care states have duration-dependent options and only treated rows have a
        combination of programmes, so every other row keeps the base key (the middle
        duration class and combination 0, which hold the same hazards as its own). Keys of
        care rows move with their time in care: they are recomputed every month. A treated
        row's key changes when its combination does: on admission (recomputed here), on
        leaving a programme (recomputed there) or on a move (set to the base key). Programmes
        serve states without duration-dependent options, so the duration class in a treated
        row's key does not change its hazards.
        """
        c = self.families.columns
        columns = (c["state"], c["months_in_state"], c["combo"], c["municipality"])
        shape = (self.table_combos, self.n_muni, SLOTS)
        # in care at the start of the month; closing places only moves families between
        # the care states, so these are the families in care now
        care = int(State.FAMILY_CARE)
        kernels.write_keys(
            self._troubled, self._troubled_states, care, columns, LOCAL_COMBO, shape, c["table_key"]
        )
        for admitted in self._admitted:  # a key is the row's own: repeats are harmless
            c["table_key"][admitted] = self._keys(admitted)

    def _total_rates(self, rows: np.ndarray | None) -> np.ndarray:
        """Summed hazards per month of ``rows`` (``None``: every row)."""
        fam = self.families
        everyone = rows is None
        key = fam.table_key if everyone else self._keys(rows)
        total = np.take(self._total_vuln, key)
        if self.heterogeneity:
            total *= fam.vulnerability if everyone else fam.vulnerability[rows]
        total += np.take(self._total_plain, key)
        return total

    def _advance_everyone(self) -> tuple[np.ndarray, np.ndarray]:
        """A month on every row's clock, in one compiled pass: (rows fired, time left)."""
        fam = self.families
        return kernels.advance_all(
            fam.accumulated_hazard,
            fam.threshold,
            fam.table_key,
            fam.vulnerability,
            self._total_vuln,
            self._total_plain,
            self.heterogeneity,
        )

    def _move_month(self, rows: np.ndarray | None = None, time_left=None) -> None:
        """Move families through every event of the month (``transitions.jump_month``).

        ``rows`` None: every row with the whole month (exited rows have no hazard);
        otherwise ``rows`` with ``time_left`` each (newcomers, who arrive within it). The
        rounds of events after the first pass run in compiled loops (``events.py``).
        """
        if rows is None:
            fired, left = self._advance_everyone()
        else:
            total = self._total_rates(rows)
            positions, left = self._clocks().advance(rows, total, np.asarray(time_left, float))
            fired = rows[positions]
        while fired.size:
            fired, left = self._events(np.asarray(fired, np.int64), left)

    def _events(self, rows: np.ndarray, time_left: np.ndarray):
        """One round: the events of ``rows`` (clocks fired); return the rows that fire again.

        The choice of each event, the clock's restart, the move and the rest of the month on
        the new clock, as ``transitions.jump_month``'s loop with ``Clocks`` and
        :meth:`_apply_moves`; returns (rows, time left after their next event).
        """
        c = self.families.columns
        shape = (self.table_combos, self.n_muni, SLOTS)
        key_columns = (c["state"], c["months_in_state"], c["combo"], c["municipality"])
        vulnerability = c["vulnerability"]
        chosen, threshold = events.draw_events(
            rows,
            (*key_columns, vulnerability, c["id"], c["event_count"], c["accumulated_hazard"]),
            *(LOCAL_COMBO, shape, self._options, self._vuln_options, self.heterogeneity),
            self._crn_keys,
        )
        np.log(threshold, out=threshold)  # numpy's log, as Clocks.start (see events.py)
        threshold *= -1.0
        after = self._apply_moves(rows, chosen)
        return events.advance_moved(
            *(rows, after, time_left, threshold),
            (*key_columns, vulnerability, c["accumulated_hazard"], c["threshold"]),
            *(LOCAL_COMBO, shape, self._options, self._vuln_options, self.heterogeneity),
        )

    def _apply_moves(self, rows: np.ndarray, chosen: np.ndarray) -> np.ndarray:
        """Apply chosen options; return the states after (institutions full: families)."""
        fam = self.families
        c = fam.columns
        counts = [self.month_flows, self.month_child_flows, self._live_families]
        counts += [self._live_children, self._vulnerability_sum]
        before, after, left, held, self._free_places = events.move_families(
            np.asarray(rows, np.int64),
            np.asarray(chosen, np.int64),
            tuple(c[name] for name in MOVE_COLUMNS),
            tuple(tuple(c[f"{kind}_{line}"] for line in sv.SERVICES) for kind in LINE_COLUMNS),
            tuple(counts),
            MOVE_RULES,
            (self.table_combos, self.n_muni, SLOTS),
            float(self._free_places),
        )
        self._nonwell.touch()
        if held:  # some left their programmes
            for line, holders in enumerate(self._holders):
                holders.discard(rows[left[:, line]])
        self._nonwell.add(rows[after >= State.VULNERABLE])
        fam.log(self.month, rows, before, after)
        return after

    def _add_flows(self, muni: np.ndarray, flow, children: np.ndarray) -> None:
        """Add moves to the month's flows of families and children by municipality and flow.

        Counts of whole families and children: summed in any order, they are exact.
        """
        shape = self.month_flows.shape
        cell = muni * shape[1] + flow
        size = shape[0] * shape[1]
        self.month_flows += np.bincount(cell, minlength=size).reshape(shape)
        self.month_child_flows += np.bincount(cell, children, size).reshape(shape)

    def _count_moves(self, muni, before, after, children, vulnerability) -> None:
        """Keep the live counts of families and children by state in step with moves.

        The vulnerability summed by state too (for the mean of :meth:`_mean_vulnerability`).
        Whole counts, exact in any order, are added by ``bincount``.
        """
        shape = self._live_families.shape
        size = shape[0] * shape[1]
        for sign, state in ((-1.0, before), (1.0, after)):
            present = state != tr.EXITED
            cell = muni[present] * shape[1] + state[present]
            self._live_families += sign * np.bincount(cell, minlength=size).reshape(shape)
            kids = np.bincount(cell, children[present], size).reshape(shape)
            self._live_children += sign * kids
            weights = vulnerability[present]
            self._vulnerability_sum += sign * np.bincount(state[present], weights, N_STATES)

    def _enter_families(self) -> np.ndarray:
        rng = self.rngs["entries"]
        expected = self.entries_per_year[self.month] * self.dt * self.scale
        counts = rng.poisson(expected * self.shares[self.month])
        muni = np.repeat(np.arange(self.n_muni), counts)
        state = np.full(muni.size, State.WELLBEING)
        rows = self._add_families(muni, state, rng)
        children = self.families.children[rows].astype(float)
        self._add_flows(muni, fl.ENTRY, children)
        vulnerability = self.families.vulnerability[rows]
        self._count_moves(muni, np.full(muni.size, tr.EXITED), state, children, vulnerability)
        return rows
