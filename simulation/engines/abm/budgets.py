"""Budgets, programmes, and who is served in the agent-based model.

A mixin of :class:`~simulation.engines.abm.model.FamilyWelfareModel`. Each month it turns the
municipalities' line budgets and the programmes' own budgets into capacity (the same
first-order build-up as the SD engine, exact over the month) and places, and then:

- with heterogeneity, it runs each programme family by family: a family of the target state
  waits for a free place (the most vulnerable first in preventive programmes, the longest
  waiting first in casework and integration services, at random in crises), stays
  ``duration`` years (or leaves early when the programme's places fall below its
  participants: the most recently admitted first), keeps the effect afterwards until it
  relapses (a monthly draw at ``relapse_rate``) or leaves the state, and gets the
  programme's full effect meanwhile (hazard tables per combination of programmes);
- without it, every family of a state gets the population effect of the SD engine, from the
  served families and graduates counted as the SD engine counts them (the mean-field limit).
"""

from __future__ import annotations

import numpy as np

from simulation.engines.abm import kernels, queues
from simulation.engines.abm import transitions as tr
from simulation.engines.abm.layout import (
    COMBO_PROGRAMMES,
    N_LOCAL,
    PAIR_COMBO,
    PAIR_LOCAL,
    PAIR_STATE,
    PROGRAMME_DIGIT,
    PROGRAMME_STRIDE,
)
from simulation.model import flows as fl
from simulation.model import services as sv
from simulation.model.states import State

#: Queue order within each line: by vulnerability, by waiting time, at random.
PRIORITY = {
    sv.PREVENTIVE: "vulnerability",
    sv.BASIC: "waiting",
    sv.INTEGRATION: "waiting",
    sv.MOBILE_TEAM: "random",
}


#: PAIR_PROGRAMME[pair, line]: the programme of each line in each combination a family can
#: hold (``layout.PAIR_COMBO``), or -1.
PAIR_PROGRAMME = np.array(
    [
        [
            next((m for m in members if COMBO_PROGRAMMES[combo, m]), -1)
            for members in sv.LINE_PROGRAMMES
        ]
        for combo in PAIR_COMBO
    ]
)


def _pair_effects(gaps: np.ndarray) -> np.ndarray:
    """``services.effects_of`` for each combination a family can hold, ``(pairs, M, N_EFFECTS)``.

    A family holds at most one programme of each line, so a line's treated share is 1 for
    that programme and 0 for the others, and its factor is that programme's ``1 - gap``:
    computed here for the programme only, not summed over every programme of every
    combination. The same numbers to the bit: the sum of one gap and zeros is the gap, and a
    line without a programme multiplies by exactly 1.

    Parameters
    ----------
    gaps : ndarray, shape ``(M, N_PROGRAMMES, N_EFFECTS)``
        From :func:`simulation.model.services.effect_gaps`.
    """
    out = np.ones((len(PAIR_PROGRAMME), gaps.shape[0], gaps.shape[-1]))
    for line in range(PAIR_PROGRAMME.shape[1]):
        chosen = PAIR_PROGRAMME[:, line]
        held = np.flatnonzero(chosen >= 0)
        factor = np.maximum(1.0 - gaps[:, chosen[held], :], 0.0)  # (M, pairs held, effects)
        out[held] = out[held] * factor.transpose(1, 0, 2)
    return out


class Budgets:
    """Capacity, places, programmes, their effects and who is served."""

    def _month_parameters(self) -> dict[str, float]:
        return {
            **self.p,
            "trained_staff_share": self.ministry.trained_share,
            **{n: self.lever(n) for n in fl.HAZARD_LEVERS},
        }

    def _month_levers(self) -> dict[str, float]:
        """The programme levers (mix weights, own budgets, NGO shares) this month."""
        names = [f"mix.{n}" for n in sv.PROGRAMME_NAMES]
        names += [f"budget.{n}" for n in sv.PROGRAMME_NAMES]
        names += [f"ngo_share.{s}" for s in sv.SERVICES]
        return {n: self.lever(n) for n in names}

    def _capacity_step(self) -> np.ndarray:
        """Advance capacity by a month; return its average, ``(M, N_PROGRAMMES, P)``, EUR/yr."""
        levers = self._month_levers()
        share = self.shares[min(self.month, self.n_months - 1)]
        # Municipality.budget() of every municipality at once: the national split times the
        # municipal share, or that total over the municipality's own shares (same numbers)
        national = self.national_budget()
        line = national[None, :] * share[:, None]  # (M, S) EUR/yr
        for agent in self.municipalities:
            if agent.shares is not None:
                line[agent.index] = line[agent.index].sum() * agent.shares
        own = sv.own_budgets(levers) * 1e6 * self.scale * share[:, None]  # (M, N_PROG)
        budget = sv.programme_budgets(line, levers, own)
        ngo = np.array([levers[f"ngo_share.{s}"] for s in sv.SERVICES])
        target = sv.split_budget(budget, ngo)
        decay = np.exp(-self.dt / self.p["capacity_delay"])
        mean_factor = (1.0 - decay) * self.p["capacity_delay"] / self.dt
        average = target + (self.capacity - target) * mean_factor
        self.capacity = target + (self.capacity - target) * decay
        return average

    def _services(self, capacity: np.ndarray, counts: np.ndarray, p: dict) -> sv.ServiceState:
        """The month's places, families served, quality and (mean-field) population effects."""
        working = np.array([a.working_groups for a in self.municipalities], float)
        # with heterogeneity: the graduates recorded at the end of last month (unchanged since)
        graduates = self.graduates_record[self.month] if self.heterogeneity else self.graduates
        return sv.service_state(capacity, counts, graduates, p, working, self.programme_table)

    # ---- tables ----------------------------------------------------------------------
    def _combo_tables(self, services: sv.ServiceState, p: dict) -> np.ndarray:
        """Option hazards per programme combination, ``(table_combos, M, N_STATES, MAX_OUT)``.

        Without heterogeneity every combination gets the population effects; with it, a
        family's hazards carry the full effect of each programme it is treated by.
        """
        if not self.heterogeneity:
            return tr.option_table(fl.hazard_rates(p, services.effects))[None]
        # only the combinations a family can hold: those of its own state's programmes
        effects = _pair_effects(services.gaps)
        working = np.array([a.working_groups for a in self.municipalities], float)
        if working.any():  # groups and the coordinator act on every family of a unit
            effects = sv.cooperation_effects(effects, p, working)
        options = tr.option_table(fl.hazard_rates(p, effects))  # (pairs, M, N_STATES, MAX_OUT)
        # combination 0 (no programme) is the first pair; unused places keep its hazards
        table = np.repeat(options[:1], N_LOCAL, axis=0)
        table[PAIR_LOCAL, :, PAIR_STATE] = options[np.arange(len(PAIR_STATE)), :, PAIR_STATE]
        return table

    # ---- programmes family by family (heterogeneity) ----------------------------------
    def _programme_column(self, line: int) -> np.ndarray:
        return self.families.columns[f"programme_{sv.SERVICES[line]}"][: self.families.n]

    def _graduate_counts(self) -> np.ndarray:
        """Graduates by municipality and programme, ``(M, N_PROGRAMMES)``."""
        fam = self.families
        out = np.zeros((self.n_muni, sv.N_PROGRAMMES))
        for line in range(sv.N_SERVICES):
            grad = fam.columns[f"graduate_{sv.SERVICES[line]}"]
            prog = self._programme_column(line)
            kernels.count_held(self._holding(line), prog, grad, fam.municipality, True, out)
        return out

    def _run_programmes(self, slots: np.ndarray, p: dict) -> np.ndarray:
        """End, relapse and admit, line by line; return participants ``(M, N_PROGRAMMES)``."""
        served = np.zeros((self.n_muni, sv.N_PROGRAMMES))
        if not self.heterogeneity:
            return served
        rng = self.rngs["services"]
        self._admitted: list[np.ndarray] = []  # their keys change (see _refresh_keys)
        for line in range(sv.N_SERVICES):
            holding = self._finish_and_relapse(line, p, rng)
            served += self._admit(line, holding, slots, p, rng)
        return served

    def _holding(self, line: int) -> np.ndarray:
        """Rows in (or keeping the effect of) a programme of ``line``, ascending."""
        return self._holders[line].current()

    def _finish_and_relapse(self, line: int, p: dict, rng) -> np.ndarray:
        """Count a month in ``line``'s programmes, graduate, relapse; return rows still held."""
        fam, key = self.families, sv.SERVICES[line]
        prog = self._programme_column(line)
        grad = fam.columns[f"graduate_{key}"][: fam.n]
        months = fam.columns[f"months_{key}"][: fam.n]
        active = self._holding(line)
        if not active.size:
            return active
        relapse = self.programme_table.relapse
        duration = self.programme_table.duration
        earlier = kernels.finish_month(active, prog, grad, months, fam.service_months, duration)
        if not earlier.size:
            return active
        graduates = active[earlier]
        gone = rng.random(graduates.size) < 1.0 - np.exp(-relapse[prog[graduates]] * self.dt)
        self._leave_programme(graduates[gone], line)
        stay = np.ones(active.size, bool)
        stay[earlier[gone]] = False
        return active[stay]

    def _leave_programme(self, rows: np.ndarray, line: int) -> None:
        """Rows end their programme of ``line`` (relapse, or leaving the target state)."""
        if not rows.size:
            return
        fam, key = self.families, sv.SERVICES[line]
        prog = self._programme_column(line)
        held = rows[prog[rows] >= 0]
        fam.combo[held] -= (PROGRAMME_DIGIT[prog[held]] * PROGRAMME_STRIDE[prog[held]]).astype(
            fam.combo.dtype
        )
        prog[held] = -1
        fam.columns[f"graduate_{key}"][held] = False
        fam.columns[f"months_{key}"][held] = 0
        fam.table_key[held] = self._keys(held)  # may have left the served set
        self._holders[line].discard(held)

    def _admit(self, line: int, holding: np.ndarray, slots: np.ndarray, p: dict, rng) -> np.ndarray:
        """Fill free places of ``line``'s programmes; return participants after admission.

        ``holding``: the rows in (or keeping the effect of) one of the line's programmes.
        """
        fam, key = self.families, sv.SERVICES[line]
        prog = self._programme_column(line)
        grad = fam.columns[f"graduate_{key}"][: fam.n]
        participants = np.zeros((self.n_muni, sv.N_PROGRAMMES))
        kernels.count_held(holding, prog, grad, fam.municipality, False, participants)
        most = slots * p["max_caseload_ratio"]
        self._discharge(line, holding, participants, most)
        for i in sv.LINE_PROGRAMMES[line]:
            free = np.maximum(most[:, i] - participants[:, i], 0.0)
            if not free.any():
                continue
            waiting = self._waiting(sv.PROGRAMME_TARGET[i], line, prog)
            chosen = self._choose(waiting, free, PRIORITY[line], rng)
            prog[chosen] = i
            fam.combo[chosen] += fam.combo.dtype.type(PROGRAMME_DIGIT[i] * PROGRAMME_STRIDE[i])
            self._holders[line].add(chosen)
            self._admitted.append(chosen)
            np.add.at(participants[:, i], fam.municipality[chosen], 1.0)
        return participants

    def _discharge(
        self, line: int, holding: np.ndarray, participants: np.ndarray, most: np.ndarray
    ) -> None:
        """Participants beyond their programme's places leave it; ``participants`` follows.

        Admission fills at most ``ceil(places x max_caseload_ratio)`` (the last place is
        rounded stochastically), so more participants than that means the places fell since
        they were admitted (a budget cut): the excess leaves, the most recently admitted
        first, without its effect. Without this, a programme whose budget was cut kept its
        families and their full effect, beyond the caseload staff take on and at no cost
        (spending is capped at the capacity), until they left the state: for years in
        casework, whose families stay while in risk.

        ``most``: places times ``max_caseload_ratio``, ``(M, N_PROGRAMMES)``.
        """
        excess = participants - np.ceil(most)
        if not (excess > 0).any():
            return
        fam = self.families
        prog = self._programme_column(line)
        grad = fam.columns[f"graduate_{sv.SERVICES[line]}"][: fam.n]
        months = fam.columns[f"months_{sv.SERVICES[line]}"][: fam.n]
        rows = holding[(prog[holding] >= 0) & ~grad[holding]]
        leaving = []
        for muni, i in zip(*np.nonzero(excess > 0), strict=True):
            theirs = rows[(fam.municipality[rows] == muni) & (prog[rows] == i)]
            latest = np.argsort(months[theirs], kind="stable")[: int(excess[muni, i])]
            leaving.append(theirs[latest])
        self._leave_programme(np.sort(np.concatenate(leaving)), line)
        participants -= np.maximum(excess, 0.0)

    def _waiting(self, target: int, line: int, prog: np.ndarray) -> np.ndarray:
        """Rows in state ``target`` and in no programme of ``line`` (column ``prog``), ascending.

        Families out of wellbeing are a kept set (``_troubled``, this month's, with their
        states): the queue is one pass over it. Only a programme for families in wellbeing
        needs a pass over every family.
        """
        fam = self.families
        if target == State.WELLBEING:
            return np.flatnonzero((fam.state == target) & (prog < 0))
        return queues.waiting_rows(self._troubled, self._troubled_states, target, prog)

    def _choose(self, rows: np.ndarray, free: np.ndarray, priority: str, rng) -> np.ndarray:
        """The first ``free`` rows of each municipality in queue order (stochastic rounding).

        The queue is sorted by municipality, then priority, then a random tie-break; the
        rows are returned by municipality (their order within one does not matter).
        """
        if rows.size == 0:
            return rows
        fam = self.families
        if priority == "vulnerability":
            order_key = -fam.vulnerability[rows]
        elif priority == "waiting":
            order_key = -fam.months_in_state[rows].astype(float)
        else:
            order_key = np.zeros(rows.size)
        tie = rng.random(rows.size)
        slope = np.arctan(order_key)  # numpy's arctan (a compiled one may round apart)
        slope *= 0.99 / np.pi
        quota = np.floor(free) + (rng.random(self.n_muni) < free - np.floor(free))
        chosen, exact = queues.first_in_queue(rows, fam.municipality, slope, tie, quota)
        if exact:
            return chosen
        # two rows tie at a last place: the sort decides, as it always did
        muni = fam.municipality[rows].astype(np.intp)
        order = np.argsort(muni + 0.5 + slope + tie * 1e-9)
        sorted_muni = muni[order]
        first = np.searchsorted(sorted_muni, np.arange(self.n_muni))
        rank = np.arange(rows.size) - first[sorted_muni]
        return rows[order[rank < quota[sorted_muni]]]

    # ---- mean field -------------------------------------------------------------------
    def _advance_graduates(self, services: sv.ServiceState, p: dict) -> None:
        """Mean-field graduates over the month (exact for constant rates)."""
        if self.heterogeneity:
            return
        rates = fl.hazard_rates(p, services.effects)
        finish, loss = sv.graduate_flows(services.served, rates, self.programme_table)
        decay = np.exp(-loss * self.dt)
        steady = np.divide(finish, loss, out=np.zeros_like(finish), where=loss > 0)
        self.graduates = steady + (self.graduates - steady) * decay

    # ---- money ------------------------------------------------------------------------
    def _spending(self, capacity: np.ndarray, served: np.ndarray, slots: np.ndarray) -> None:
        """Record the month's spending, family-years served and unspent money.

        Spending by line and provider and on training, EUR ``(M, 9)``; by programme.
        """
        spent = sv.used_spending(capacity, served, slots)
        lines = sv.line_spending(spent).reshape(self.n_muni, -1)
        share = self.paths["trained_staff_share"]
        previous = share[self.month - 1] if self.month > 0 else share[0]
        growth = max(share[self.month] - previous, 0.0) * 12.0
        training = sv.training_spending(
            sv.places_in_use(served, slots), self.ministry.trained_share, growth, self.p
        )
        self._month_costs = np.concatenate([lines, training[:, None]], axis=1) * self.dt
        self._month_programme_costs = spent.sum(axis=-1) * self.dt
        self._month_served = served * self.dt
        self._month_unspent = (capacity - spent).sum(axis=-1) * self.dt
