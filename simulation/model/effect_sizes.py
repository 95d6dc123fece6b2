"""Published effect sizes -> the hazard multipliers the engines apply; registry parameters.

Converting a published effect
-----------------------------
A published effect is a relative measure of the programme's target outcome over a follow-up
period: a risk ratio, an odds ratio, a standardised mean difference (``smd``), a hazard ratio,
or ``none`` (no evaluation: a hazard ratio of 1 with a wide range). The formulas:

- ``smd`` -> odds ratio: ``ln OR = d * pi / sqrt(3)`` (Chinn 2000);
- odds ratio -> risk ratio: ``RR = OR / (1 - p0 + p0 * OR)`` (Zhang and Yu 1998), where
  ``p0`` is the untreated cohort's risk over the follow-up;
- risk ratio -> the hazard multiplier ``m`` of the transition while treated: the ``m`` at
  which a cohort of the target state, all starting the programme, has ``RR`` times the
  untreated cohort's probability of the transition by the end of the follow-up (solved
  numerically). The cohort leaves the programme after ``duration`` years on average, keeps the
  effect until it relapses (``relapse_rate``), and leaves the state by every other hazard;
  baseline hazards are the registry's defaults (:func:`cohort_risk`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from simulation.model import conversions
from simulation.model import flows as fl
from simulation.model.parameters import Parameter
from simulation.model.programmes import Effect, Programme

#: Chinn (2000): ln(odds ratio) = d x pi / sqrt(3).
SMD_TO_LOG_ODDS = math.pi / math.sqrt(3.0)


# ---- converting effect sizes --------------------------------------------------------------
def smd_to_odds_ratio(d: float) -> float:
    """Odds ratio from a standardised mean difference (Chinn 2000)."""
    return math.exp(d * SMD_TO_LOG_ODDS)


def odds_to_risk_ratio(odds_ratio: float, p0: float) -> float:
    """Risk ratio from an odds ratio at control risk ``p0`` (Zhang and Yu 1998)."""
    return odds_ratio / (1.0 - p0 + p0 * odds_ratio)


def _generator(h: float, q: float, m: float, duration: float, relapse: float, prob: bool):
    """Rates of the cohort model: programme, graduate, untreated, event, other exit."""
    finish = 1.0 / duration if duration > 0 else 0.0
    a = np.zeros((5, 5))

    def leave(i: int, event: float, other: float) -> None:
        a[i, 3] += event
        a[i, 4] += other

    treated_event = m * h
    # a placement effect moves crisis exits from placement to resolution: same total exit
    treated_other = q + (h - treated_event if prob else 0.0)
    leave(0, treated_event, treated_other)
    leave(1, treated_event, treated_other)
    leave(2, h, q)
    a[0, 1] += finish
    a[1, 2] += relapse
    a[np.diag_indices(5)] = -a.sum(axis=1)
    return a


def cohort_risk(
    h: float,
    q: float,
    m: float,
    duration: float,
    relapse: float,
    years: float,
    probability: bool = False,
    treated: bool = True,
) -> float:
    """Probability that a cohort of the target state makes the transition within ``years``.

    Parameters
    ----------
    h : float
        Hazard of the transition without the programme, 1/yr.
    q : float
        Hazard of every other exit from the state, 1/yr.
    m : float
        Multiplier of ``h`` while treated (in the programme, or after it until relapse).
    duration : float
        Mean years in the programme (0: for as long as the family is in the state).
    relapse : float
        Rate at which the effect ends after the programme, 1/yr.
    years : float
        Follow-up.
    probability : bool
        The effect multiplies a probability at exit (placement): the state's total exit
        hazard is unchanged.
    treated : bool
        Start in the programme (``True``) or untreated.
    """
    a = _generator(h, q, m, duration, relapse, probability)
    start = np.zeros(5)
    start[0 if treated else 2] = 1.0
    from scipy.linalg import expm  # here: commands that never convert an effect skip SciPy

    return float((start @ expm(a * years))[3])


def hazard_multiplier(
    effect: Effect,
    value: float,
    h: float,
    q: float,
    duration: float,
    relapse: float,
    probability: bool = False,
) -> float:
    """The hazard multiplier that reproduces ``value`` of ``effect``'s measure.

    ``value`` is the central estimate or a bound of the published measure (see the module
    docstring for the formulas). ``none`` and ``hazard_ratio`` are taken as multipliers.
    A conversion stored in :mod:`simulation.model.conversions` with the same inputs is
    taken from there (it is what :func:`solve_multiplier` returned for them).
    """
    if effect.measure in ("none", "hazard_ratio"):
        return value
    args = (effect.measure, effect.follow_up, value, h, q, duration, relapse, probability)
    stored = conversions.known().get(conversions.key(*args))
    return stored if stored is not None else solve_multiplier(*args)


def solve_multiplier(
    measure: str,
    follow_up: float,
    value: float,
    h: float,
    q: float,
    duration: float,
    relapse: float,
    probability: bool = False,
) -> float:
    """Solve the cohort model for the multiplier (:func:`hazard_multiplier`'s arguments).

    ``measure`` is ``smd``, ``odds_ratio`` or ``risk_ratio``; ``follow_up`` in years.
    """
    t = follow_up
    p0 = cohort_risk(h, q, 1.0, duration, relapse, t, probability, treated=False)
    if measure == "smd":
        rr = odds_to_risk_ratio(smd_to_odds_ratio(value), p0)
    elif measure == "odds_ratio":
        rr = odds_to_risk_ratio(value, p0)
    else:
        rr = value
    if p0 <= 0:
        return rr

    def gap(m: float) -> float:
        return cohort_risk(h, q, m, duration, relapse, t, probability) / p0 - rr

    top = 1.0 / max(h, 1e-12) * 50.0 if not probability else 1.0 / max(h / (h + q), 1e-12)
    low, high = 1e-9, max(top, 2.0)
    if gap(low) > 0:
        return low  # even no transition at all cannot be that rare: the smallest multiplier
    if gap(high) < 0:
        return high
    from scipy.optimize import brentq

    return float(brentq(gap, low, high, xtol=1e-10))


def baseline_hazards(p: Mapping[str, float], transition: str) -> tuple[float, float, bool]:
    """``(h, q, probability)`` of a transition out of its state at parameter values ``p``."""
    rates = fl.hazard_rates(p, np.ones(len(fl.EFFECTS)))
    source = fl.EFFECT_SOURCE[transition]
    out = rates[fl.OUTFLOWS[source]].sum()
    if transition == "placement":
        placed = sum(rates[fl.HAZARD_FLOWS.index(fl.FLOWS[i])] for i in fl.PLACEMENTS)
        return float(placed), float(out - placed), True
    flows = [f for f in fl.HAZARD_FLOWS if f.source == source and f.name.startswith(transition)]
    h = sum(rates[fl.HAZARD_FLOWS.index(f)] for f in flows)
    return float(h), float(out - h), False


# ---- registry parameters ------------------------------------------------------------------
def _kind(bounds: tuple[float, float]) -> str:
    return "uncertain" if bounds[0] < bounds[1] else "structural"


def _assumed(text: str) -> bool:
    return text.lower().startswith("assumption")


def effect_parameters(prog: Programme, effect: Effect, defaults: Mapping[str, float]) -> Parameter:
    """The registry parameter of one effect: its hazard multiplier while treated."""
    h, q, prob = baseline_hazards(defaults, effect.transition)

    def convert(value: float) -> float:
        return hazard_multiplier(effect, value, h, q, prog.duration, prog.relapse_rate, prob)

    central = round(convert(effect.value), 4)
    low, high = sorted(round(convert(v), 4) for v in (effect.low, effect.high))
    low, high = min(low, central), max(high, central)
    converted = (
        ""
        if effect.measure in ("none", "hazard_ratio")
        else f" Converted ({effect.measure} {effect.value:g} [{effect.low:g}, {effect.high:g}] "
        f"over {effect.follow_up:g} years) to the hazard multiplier at the registry's hazards "
        "(simulation/model/programmes.py)."
    )
    return Parameter(
        prog.parameter(f"effect.{effect.transition}"),
        central,
        "hazard multiplier",
        (0.0, 100.0),
        (low, high),
        _kind((low, high)),
        effect.source + converted,
        f"{prog.label_en}: multiplier of the {effect.transition.replace('_', ' ')} hazard of "
        "the families it treats (during the programme and after it, until they relapse).",
        assumption=effect.measure == "none" or _assumed(effect.source),
    )


def registry_parameters(
    programmes: tuple[Programme, ...], defaults: Mapping[str, float]
) -> list[Parameter]:
    """Every programme's parameters (cost, effects, relapse, effective share, duration).

    ``defaults`` are the other parameters' defaults: the baseline hazards of the effect
    conversions.
    """
    params: list[Parameter] = []
    for prog in programmes:
        params.append(
            Parameter(
                prog.parameter("cost"),
                prog.cost,
                "EUR per place-year",
                (0.0, 1e6),
                prog.cost_range,
                _kind(prog.cost_range),
                prog.cost_source,
                f"{prog.label_en}: cost of serving one family for a year (municipal provider).",
                assumption=_assumed(prog.cost_source),
            )
        )
        params += [effect_parameters(prog, e, defaults) for e in prog.effects]
        params.append(
            Parameter(
                prog.parameter("relapse_rate"),
                prog.relapse_rate,
                "1/yr",
                (0.0, 50.0),
                prog.relapse_range,
                _kind(prog.relapse_range),
                prog.relapse_source,
                f"{prog.label_en}: rate at which its effect ends after the programme.",
                assumption=_assumed(prog.relapse_source),
            )
        )
        params.append(
            Parameter(
                prog.parameter("effective_share"),
                prog.effective_share,
                "share",
                (0.0, 1.0),
                prog.effective_share_range,
                _kind(prog.effective_share_range),
                prog.effective_share_source,
                f"{prog.label_en}: share of its target families the evidence applies to.",
                assumption=_assumed(prog.effective_share_source),
            )
        )
        assumed = _assumed(prog.duration_source) and prog.duration > 0
        bounds = (prog.duration / 2, prog.duration * 2) if assumed else (prog.duration,) * 2
        params.append(
            Parameter(
                prog.parameter("duration"),
                prog.duration,
                "yr",
                (0.0, 20.0),
                bounds,
                _kind(bounds),
                prog.duration_source,
                f"{prog.label_en}: mean years a family stays (0: while in {prog.target.key}).",
                assumption=assumed,
            )
        )
    return params


def lever_parameters(programmes: tuple[Programme, ...]) -> list[Parameter]:
    """Each programme's levers: its weight in its line (``mix.*``), its own budget."""
    params: list[Parameter] = []
    for prog in programmes:
        params.append(
            Parameter(
                f"mix.{prog.name}",
                prog.default_mix,
                "weight",
                (0.0, 1000.0),
                (0.0, max(1.0, prog.default_mix)),
                "lever",
                "Lithuanian services before the reform: the line's budget buys "
                + ("this programme." if prog.default_mix else "other programmes."),
                f"{prog.label_en}: weight in the {prog.line} line's budget (weights of a line "
                "are used relative to each other).",
            )
        )
        params.append(
            Parameter(
                f"budget.{prog.name}",
                0.0,
                "million EUR/yr",
                (0.0, 1000.0),
                (0.0, 60.0),
                "lever",
                "None in the baseline: a scenario buys the programme.",
                f"{prog.label_en}: national budget of its own, besides its line's share.",
            )
        )
    return params
