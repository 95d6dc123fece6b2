"""The compiled SD kernel (:mod:`simulation.engines.sd_kernel`) against the numpy reference.

:meth:`SDModel.derivatives` is the model written once over the shared service and flow
functions; the kernel is the same derivative in compiled scalar code. Every block of every
saved month must agree to rounding (1e-12 relative) for random parameters, levers, schedules,
municipalities, the cooperation model, batches and runs continued from a saved state.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation.engines import sd_kernel, sd_pack
from simulation.engines.results import BLOCKS
from simulation.engines.sd import SDModel
from simulation.model import demography as dm
from simulation.model import flows as fl
from simulation.model import services as sv
from simulation.model.catalogue import LEVERS, REGISTRY
from simulation.model.schedule import Change
from simulation.model.vocabulary import START_YEAR
from simulation.workflow.runner import sd_model
from simulation.workflow.scenarios import load

#: Rounding differences only: the two sum a few terms in different orders.
RTOL = 1e-12
NON_LEVERS = tuple(n for n in REGISTRY if REGISTRY[n].kind != "lever")
PROPERTY = settings(
    max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


def assert_same_run(make, **run) -> None:
    """``make(compiled)`` gives two models; their runs agree in every block and month."""
    fast = make(True).run(**run)
    reference = make(False).run(**run)
    np.testing.assert_array_equal(fast.times, reference.times)
    for block in reference.saved:
        scale = max(np.abs(reference.saved[block]).max(), 1.0)
        np.testing.assert_allclose(
            fast.saved[block], reference.saved[block], rtol=RTOL, atol=RTOL * scale, err_msg=block
        )
    np.testing.assert_allclose(fast.final, reference.final, rtol=RTOL, atol=1e-6)


@PROPERTY
@given(
    params=st.fixed_dictionaries(
        {n: st.floats(*REGISTRY[n].range, allow_nan=False) for n in NON_LEVERS}
    ),
    levers=st.fixed_dictionaries({n: st.floats(*REGISTRY[n].range) for n in LEVERS}),
    change_year=st.integers(START_YEAR, START_YEAR + 4),
    budget=st.floats(0.0, 40.0),
    ramp=st.sampled_from([0.0, 1.5]),
)
def test_kernel_equals_the_reference_for_any_plausible_inputs(
    params, levers, change_year, budget, ramp
):
    schedule = [Change(change_year, {"budget.preventive": budget}, ramp_years=ramp)]

    def make(compiled):
        return SDModel(
            params=params,
            levers=levers,
            schedule=schedule,
            end_year=START_YEAR + 4,
            compiled=compiled,
        )

    assert_same_run(make)


def test_kernel_equals_the_reference_for_a_batch_of_parameters_and_levers():
    rng = np.random.default_rng(7)
    k = 6
    params = {n: rng.uniform(*REGISTRY[n].range, size=k) for n in NON_LEVERS}
    levers = {n: rng.uniform(*REGISTRY[n].range, size=k) for n in LEVERS}

    def make(compiled):
        return SDModel(params=params, levers=levers, end_year=START_YEAR + 5, compiled=compiled)

    assert_same_run(make)


@pytest.mark.parametrize("name", ["baseline", "early_intervention"])
def test_kernel_equals_the_reference_for_a_shipped_municipal_scenario(name):
    scenario = load(f"scenarios/{name}.toml")

    def make(compiled):
        model = sd_model(scenario)
        model.compiled = compiled
        return model

    assert_same_run(make, every=12)


def test_kernel_equals_the_reference_with_municipalities_that_differ_in_need():
    # each unit's onset hazard times its need (simulation.model.need), in both engines' order
    need = np.array([0.6, 1.6, 1.0, 0.8, 1.3])
    demography = dataclasses.replace(dm.country_demography("synthland"), need=need)

    def make(compiled):
        return SDModel(
            params={"onset_rate": [0.05, 0.08]},
            resolution="municipal",
            demography=demography,
            end_year=START_YEAR + 3,
            compiled=compiled,
        )

    assert_same_run(make)


def test_kernel_continues_a_stopped_run_like_the_reference():
    whole = SDModel(end_year=START_YEAR + 3).run()
    first = SDModel(end_year=START_YEAR + 3).run(stop_month=17)
    rest = SDModel(end_year=START_YEAR + 3).run(y0=first.final, start_month=17)
    np.testing.assert_array_equal(rest.final, whole.final)
    np.testing.assert_array_equal(rest.saved["stocks"][-1], whole.saved["stocks"][-1])


def test_a_run_that_saves_some_blocks_saves_them_at_the_right_months():
    model = SDModel(end_year=START_YEAR + 2)
    every = model.run(save=("costs", "stocks"), every=6)
    full = SDModel(end_year=START_YEAR + 2).run(save=BLOCKS)
    rows = [0, 6, 12, 18, 24, 30, 36]
    for block in ("costs", "stocks"):
        np.testing.assert_array_equal(every.saved[block], full.saved[block][rows])


def test_the_kernels_positions_match_the_model():
    structure = sd_pack.structure()  # checks the fixed positions when it is built
    assert len(structure.flow_source) == fl.N_HAZARD_FLOWS == sd_kernel.N_HAZARDS
    assert structure.prog_line.tolist() == sv.PROGRAMME_LINE.tolist()
    assert set(sd_kernel.SCALARS) <= set(REGISTRY)


def test_a_run_that_saves_nothing_still_integrates():
    nothing = SDModel(end_year=START_YEAR + 1).run(save=())
    assert nothing.saved == {}
    np.testing.assert_array_equal(nothing.final, SDModel(end_year=START_YEAR + 1).run().final)


def _initial(model: SDModel) -> np.ndarray:
    """The packed initial state of every parameter set, ``(K, M, size)``."""
    y0 = model.initial_state()
    return np.broadcast_to(y0, (model.k, *y0.shape[1:])).copy()


def _kernel_run(model: SDModel, first_live: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every block of every month end and the final state, straight from the kernel."""
    y = _initial(model)
    n_months = model.n_months
    row_of = np.arange(n_months + 1, dtype=np.int64)
    cols = np.arange(y.shape[-1])
    out = np.zeros((n_months + 1, *y.shape[:-1], len(cols)))
    packed = model._pack()
    saving = (row_of, cols, out)
    sd_kernel.integrate(y, 0, n_months, 1, 1 / 12, saving, *packed, sd_pack.structure(), first_live)
    return out, y


def test_programmes_nobody_funds_yet_are_left_out_exactly():
    """Leaving out a programme before its first funded month changes no bit of any result.

    The early-intervention scenario funds seven of the ten programmes, one from 2018 and three
    only from 2027; against a run with every programme live from the start, the run that leaves
    them out until then agrees bit for bit in every block of every month.
    """
    sc = load("scenarios/early_intervention.toml")
    model = sd_model(sc, {**sc.params, "onset_rate": np.array([0.01, 0.02, 0.015])})
    target = model._pack()[1][3]
    live = sd_pack.first_live(target, _initial(model), 0)
    n_prog = target.shape[3]
    late = [(year - START_YEAR) * 12 for year in (2018, 2027)]
    assert sorted(set(live.tolist())) == [0, *late, model.n_months]  # now, later and never
    pruned = _kernel_run(model, live)
    everything = _kernel_run(model, np.zeros(n_prog, dtype=np.int64))
    assert np.isfinite(pruned[0]).all()
    np.testing.assert_array_equal(pruned[0], everything[0])
    np.testing.assert_array_equal(pruned[1], everything[1])


def test_first_live_month_of_each_programme():
    """Live from the first month with a target, or from the start with places or graduates."""
    months, n_prog = 24, 3
    target = np.zeros((months, 2, 1, n_prog, 2))
    target[5:, 1, 0, 1, 0] = 1e5  # programme 1: from month 5, for one parameter set only
    y = np.zeros((2, 1, sd_pack.structure().offsets[-1]))
    live = sd_pack.first_live(target, y, 0)
    np.testing.assert_array_equal(live, [months, 5, months])
    np.testing.assert_array_equal(sd_pack.first_live(target, y, 8), [months, 8, months])
    y[1, 0, sd_pack.structure().offsets[2] + 2] = 3.0  # graduates of programme 2
    np.testing.assert_array_equal(sd_pack.first_live(target, y, 8), [months, 8, 8])
    np.testing.assert_array_equal(sd_pack.first_live(target, y, months), [months, months, months])
