"""Both engines over the full valid domain of every parameter (issue 19, numerics).

Any value inside a parameter's domain (``REGISTRY[name].domain``, what ``prevsim validate``
accepts) must give finite, non-negative stocks: the SD engine chooses its Runge-Kutta steps
from a bound of the fastest rate of each parameter set and repeats a set whose stocks still
go wrong with more steps (:mod:`simulation.engines.sd`). Parameter sets are drawn with
several parameters at once at their domains' corners, at random points inside and at their
defaults. The SD engine runs them in batches; the agent-based engine at a small scale.

Tolerance (SD engine): a stock may be below zero by rounding only, at most
:data:`~simulation.engines.sd.NEGATIVE_TOLERANCE` (1e-9) times the families in its unit.

Examples per test are modest for CI; set ``PREVSIM_FUZZ_SCALE`` to a multiplier (e.g.
``PREVSIM_FUZZ_SCALE=20``) for a longer search.
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation.engines import sd as sd_module
from simulation.engines.sd import LAYOUT, NEGATIVE_TOLERANCE, SDModel
from simulation.model.catalogue import REGISTRY
from simulation.model.demography import lithuania
from simulation.model.errors import InputError
from simulation.model.schedule import Change
from simulation.model.vocabulary import DEFAULT_STEPS_PER_MONTH, START_YEAR

FUZZ = max(int(os.environ.get("PREVSIM_FUZZ_SCALE", "1")), 1)
SD_PARAMS = tuple(REGISTRY.names(engine="sd"))
ABM_PARAMS = tuple(REGISTRY.names(engine="abm"))
SHORT = START_YEAR + 2  # three years: what a domain corner does, it does at once
#: Budgets that move: capacity then follows them at its own rate (1 / capacity_delay).
MOVES = (
    Change(START_YEAR + 1, {"budget.basic": 40.0, "budget.preventive": 0.0}),
    Change(START_YEAR + 2, {"cooperation_start_year": START_YEAR}),
)


def fuzz(examples: int):
    """Hypothesis settings with ``examples`` x ``PREVSIM_FUZZ_SCALE`` examples."""
    return settings(
        max_examples=examples * FUZZ,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def value(name: str) -> st.SearchStrategy[float]:
    """A valid value of ``name``: a corner of its domain, a point inside it, or its default.

    Valid as ``Parameter.check`` says: inside the domain, and 0 or at least
    ``smallest_positive`` (a programme's duration).
    """
    p = REGISTRY[name]
    lo, hi = p.domain
    inside = st.floats(max(lo, p.smallest_positive), hi, allow_nan=False)
    return st.one_of(st.sampled_from([lo, hi, p.default]), inside)


def parameter_set(names: tuple[str, ...]) -> st.SearchStrategy[dict[str, float]]:
    """From one parameter to all of them at once, each at a corner, inside or at its default."""
    chosen = st.integers(1, len(names)).flatmap(
        lambda n: st.lists(st.sampled_from(names), min_size=n, max_size=n, unique=True)
    )
    return chosen.flatmap(lambda c: st.fixed_dictionaries({n: value(n) for n in c}))


def batch(sets: list[dict[str, float]]) -> dict[str, np.ndarray]:
    """Parameter sets as one batch (defaults where a set leaves a parameter out)."""
    names = sorted({n for s in sets for n in s})
    return {n: np.array([s.get(n, REGISTRY[n].default) for s in sets]) for n in names}


def assert_physical(stocks: np.ndarray, final: np.ndarray) -> None:
    """Stocks ``(rows, K, M, states)`` finite and >= -tolerance x families; ``final`` finite."""
    assert np.isfinite(final).all(), "non-finite final state"
    assert np.isfinite(stocks).all(), "non-finite stocks"
    families = np.abs(stocks).sum(axis=-1).max(axis=0)  # (K, M)
    floor = -NEGATIVE_TOLERANCE * np.maximum(families, 1.0)[..., None]
    low = stocks.min(axis=0)
    assert (low >= floor).all(), f"negative stocks: {low.min()} families"


# ---- the property tests ------------------------------------------------------------------------


def assert_runs_or_is_refused(model: SDModel) -> None:
    """The run's stocks are physical, or it is refused for a set beyond what can integrate.

    A refusal (an InputError naming the fastest rate) is allowed only for a set whose bound
    of the fastest rate needs more than :data:`~simulation.engines.sd.MAX_STEPS_PER_MONTH`
    steps: a hazard times the effect multipliers of the programmes treating its families,
    times their quality, beyond about 49,000/yr (a mean time of about ten minutes).
    """
    try:
        result = model.run(save=("stocks",))
    except InputError as error:
        message = str(error)
        assert "\n" not in message
        k = int(message.split("parameter set ")[1].split(":")[0])
        assert model.steps_by_set()[k] == sd_module.MAX_STEPS_PER_MONTH, message
        return
    assert_physical(result.saved["stocks"], result.final)


@fuzz(12)
@given(sets=st.lists(parameter_set(SD_PARAMS), min_size=1, max_size=8))
def test_sd_stocks_stay_finite_and_non_negative_over_every_domain(sets):
    assert_runs_or_is_refused(SDModel(params=batch(sets), end_year=SHORT))


@fuzz(4)
@given(sets=st.lists(parameter_set(SD_PARAMS), min_size=1, max_size=4))
def test_sd_municipal_stocks_stay_finite_and_non_negative_over_every_domain(sets):
    model = SDModel(params=batch(sets), end_year=START_YEAR, resolution="municipal")
    assert_runs_or_is_refused(model)


@fuzz(5)
@given(params=parameter_set(ABM_PARAMS), seed=st.integers(0, 100))
def test_abm_stocks_stay_finite_and_non_negative_over_every_domain(params, seed):
    from simulation.engines.abm.model import FamilyWelfareModel

    result = FamilyWelfareModel(params=params, end_year=START_YEAR + 1, scale=0.002, seed=seed)
    families = result.run().result().families()
    assert np.isfinite(families).all()
    assert families.min() >= 0


def test_every_corner_of_every_domain_runs_in_one_batch():
    """Each parameter alone at each end of its domain (the others at their defaults)."""
    sets = [{n: bound} for n in SD_PARAMS for bound in REGISTRY[n].domain]
    result = SDModel(params=batch(sets), end_year=SHORT).run(save=("stocks",))
    assert_physical(result.saved["stocks"], result.final)


def test_all_initial_stocks_at_their_largest_fit_in_the_fewest_families():
    """The initial stocks' domains are narrowed so that together they always fit."""
    largest = {
        n: REGISTRY[n].domain[1]
        for n in (
            "initial_risk_families",
            "initial_institution_children",
            "initial_family_care_children",
            "initial_vulnerable_share",
        )
    }
    most_crowded = {**largest, "children_per_family": 5.0, "children_per_risk_family": 1.0}
    result = SDModel(params=most_crowded, end_year=START_YEAR).run(save=("stocks",))
    assert_physical(result.saved["stocks"], result.final)


# ---- the cases of the issue --------------------------------------------------------------------


def test_short_capacity_delay_gives_finite_results():
    model = SDModel(params={"capacity_delay": 0.01}, schedule=MOVES, end_year=SHORT)
    assert model.steps_by_set()[0] > DEFAULT_STEPS_PER_MONTH
    result = model.run()
    assert all(np.isfinite(v).all() for v in result.saved.values())
    assert_physical(result.saved["stocks"], result.final)


def test_fast_detection_keeps_wellbeing_non_negative():
    """``detection_rate = 50`` drove wellbeing to -2.8 million.

    At the start (the early-support stock's quasi-steady state took more families than there
    are) and in the integration.
    """
    model = SDModel(params={"detection_rate": 50.0})
    result = model.run(save=("stocks",))
    assert_physical(result.saved["stocks"], result.final)
    start = result.saved["stocks"][0, 0, 0]
    total = SDModel().run(save=("stocks",), stop_month=0).saved["stocks"][0, 0, 0].sum()
    np.testing.assert_allclose(start.sum(), total, rtol=1e-12)


def test_abm_runs_with_the_most_initial_risk_families():
    from simulation.engines.abm.model import FamilyWelfareModel

    most = REGISTRY["initial_risk_families"].domain[1]
    model = FamilyWelfareModel(
        params={"initial_risk_families": most}, end_year=START_YEAR, scale=0.002, seed=1
    )
    families = model.run().result().families()
    assert families.min() >= 0


def test_initial_stocks_beyond_all_families_are_one_line_input_errors():
    """1e6 risk families (once inside the domain) are refused by the domain.

    A demography with fewer families than the given stocks gives an InputError naming the
    parameters.
    """
    assert REGISTRY["initial_risk_families"].check(1e6) is not None
    base = lithuania()
    tiny = {year: n * 0.01 for year, n in base.children_0_17.items()}  # 1% of the children
    few = dataclasses.replace(base, children_0_17=tiny)
    with pytest.raises(InputError) as error:
        SDModel(demography=few).run()
    message = str(error.value)
    assert "\n" not in message
    assert "initial_risk_families" in message
    assert "allowed" in message


# ---- the steps: the defaults unchanged, every set its own --------------------------------------


def test_defaults_and_every_range_corner_keep_the_default_steps():
    """Inside the plausible ranges nothing changes: same steps, same results, same speed."""
    sets = [{}] + [{n: bound} for n in SD_PARAMS for bound in REGISTRY[n].range]
    steps = SDModel(params=batch(sets), end_year=SHORT).steps_by_set()
    assert (steps == DEFAULT_STEPS_PER_MONTH).all()


def test_a_set_gives_the_same_result_alone_and_beside_a_set_that_needs_more_steps():
    params = {"onset_rate": np.array([0.05, 0.05]), "capacity_delay": np.array([1.0, 0.01])}
    both = SDModel(params=params, end_year=SHORT)
    assert both.steps_by_set()[0] < both.steps_by_set()[1]
    together = both.run()
    for k in range(2):
        alone = SDModel(params={n: v[k] for n, v in params.items()}, end_year=SHORT).run()
        for block, rows in alone.saved.items():
            np.testing.assert_array_equal(together.saved[block][:, k], rows[:, 0])


def test_the_reference_integrates_a_mixed_batch_like_the_kernel():
    params = {"detection_rate": np.array([0.05, 50.0, 5.0]), "capacity_delay": [1, 1, 0.05]}
    runs = [
        SDModel(params=params, end_year=START_YEAR, compiled=c).run(save=("stocks",))
        for c in (True, False)
    ]
    np.testing.assert_allclose(
        runs[0].saved["stocks"], runs[1].saved["stocks"], rtol=1e-12, atol=1e-6
    )


def test_a_set_that_goes_wrong_is_repeated_with_more_steps(monkeypatch):
    """The check after the run catches what the bound misses (here: a bound made useless)."""
    monkeypatch.setattr(sd_module, "STEP_LIMITS", sd_module.STEP_LIMITS * 1e6)
    params = {"capacity_delay": np.array([1.0, 0.01])}
    model = SDModel(params=params, schedule=MOVES, end_year=SHORT)
    assert (model.steps_by_set() == DEFAULT_STEPS_PER_MONTH).all()
    result = model.run(save=("stocks", "capacity"))
    assert_physical(result.saved["stocks"], result.final)
    assert (result.final[..., LAYOUT.capacity] >= 0).all()
    repeated = SDModel(
        params={"capacity_delay": 0.01}, schedule=MOVES, end_year=SHORT, steps_per_month=8
    ).run(save=("capacity",))
    np.testing.assert_array_equal(result.saved["capacity"][:, 1], repeated.saved["capacity"][:, 0])


def test_a_set_that_cannot_be_integrated_is_a_one_line_input_error(monkeypatch):
    monkeypatch.setattr(sd_module, "STEP_LIMITS", sd_module.STEP_LIMITS * 1e6)
    monkeypatch.setattr(sd_module, "MAX_STEPS_PER_MONTH", DEFAULT_STEPS_PER_MONTH)
    with pytest.raises(InputError) as error:
        SDModel(params={"capacity_delay": 0.01}, schedule=MOVES, end_year=SHORT).run()
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("1 / capacity_delay:")
    assert "allowed" in message


def test_abm_keeps_finite_hazards_with_the_most_unequal_vulnerability():
    from simulation.engines.abm.model import FamilyWelfareModel

    shape = REGISTRY["vulnerability_shape"].domain[0]
    model = FamilyWelfareModel(
        params={"vulnerability_shape": shape}, end_year=START_YEAR + 1, scale=0.002, seed=0
    )
    assert np.isfinite(model.run().result().families()).all()


def test_a_negligible_reunification_rate_keeps_a_finite_profile():
    """Found by the ABM property test: a rate of 3.5e-197 beside care leaving at 26.8/yr left
    no sign change for the root finder (a ValueError from SciPy's brentq).
    """
    from simulation.engines.abm import transitions as tr

    scale = tr.mean_preserving_scale(3.485398634836069e-197, 26.84183211366688, 0.1, 0.05)
    assert 1e-3 <= scale <= 1e3
