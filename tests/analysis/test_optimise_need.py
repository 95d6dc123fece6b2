"""The optimiser per municipality when municipalities differ in need (need bands).

Bands are children-weighted quantiles of the need index; a band's search runs on a
national-sized unit of its need, which stands for its municipalities within a few percent
(the model is homogeneous in a unit's size); each municipality gets its band's mix and its
share of the band's gain; the bands' total is the sum of the municipalities' rows.
"""

from __future__ import annotations

import dataclasses
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from simulation.analysis import allocation as al
from simulation.analysis import optimise as op
from simulation.analysis import optimise_need as on
from simulation.engines.sd import SDModel
from simulation.model import demography as dm
from simulation.model.catalogue import REGISTRY
from simulation.model.vocabulary import START_YEAR
from simulation.workflow.scenarios import load

SYNTHLAND = "simulation/data/synthland/"
TINY = op.Settings(search_draws=2, population=8, generations=2, seed=3)


def _demography(need, shares):
    """A made-up demography of len(need) units (only what banding reads)."""
    plain = dm.country_demography("synthland")
    names = tuple(f"u{i}" for i in range(len(shares)))
    return dataclasses.replace(
        plain,
        municipalities=names,
        share_years=np.array([2027]),
        shares=np.array([shares], float),
        need=None if need is None else np.asarray(need, float),
    )


def test_bands_are_children_weighted_quantiles_of_need():
    # sorted by need: u3 (0.5) 40% of children, u0 (0.8) 10%, u2 (1.2) 30%, u1 (2.0) 20%
    demo = _demography([0.8, 2.0, 1.2, 0.5], [0.1, 0.2, 0.3, 0.4])
    table = on.band_table(demo, 2027, 3)
    # midpoints 0.20, 0.45, 0.65, 0.90 of the children -> bands 1, 2, 2, 3
    assert table["band"].to_dict() == {"u0": 2, "u1": 3, "u2": 2, "u3": 1}
    assert on.band_table(demo, 2027, 1)["band"].eq(1).all()
    assert on.band_table(_demography(None, [0.5, 0.5]), 2027, 3)["band"].eq(1).all()
    # more bands than municipalities: one band each, numbered without gaps
    assert sorted(on.band_table(demo, 2027, 10)["band"]) == [1, 2, 3, 4]


def test_a_band_problem_scales_onset_and_the_initial_families_by_its_need():
    sc, base = load(SYNTHLAND + "early_intervention.toml"), load(SYNTHLAND + "baseline.toml")
    draws = pd.DataFrame({"onset_rate": [0.04, 0.06], "escalation_rate": [0.05, 0.07]})
    problem = op.make_problem(sc, base, draws, 10.0)
    band = on.band_problem(problem, 1.5)
    np.testing.assert_allclose(band.draws["onset_rate"], [0.06, 0.09])
    np.testing.assert_array_equal(band.draws["escalation_rate"], draws["escalation_rate"])
    for new, old in ((band.scenario, sc), (band.baseline, base)):
        for name in on.NEED_PARAMETERS[1:]:
            expected = 1.5 * float(old.resolved_parameters()[name])
            assert new.params[name] == pytest.approx(expected, rel=1e-12)
        assert "onset_rate" not in new.params or new.params == old.params  # drawn: not here
    assert problem.draws["onset_rate"].tolist() == [0.04, 0.06]  # the original is untouched


def test_a_national_unit_of_a_municipality_s_need_stands_for_it():
    """Families out of wellbeing per child: the municipal run's region against the national
    run with the need parameters x its need, within 6% over 2009-2030 (the regions' shares
    drift, and the index is normalised on 2024's children, not 2009's).
    """
    synth = dm.country_demography("synthland")
    mun = SDModel(resolution="municipal", demography=synth, end_year=2030).run()
    stocks = mun.saved["stocks"][:, 0]  # (T, M, N_STATES)
    for m in (0, 3):  # the lowest and the highest need
        params = {n: REGISTRY[n].default * synth.need[m] for n in on.NEED_PARAMETERS}
        national = SDModel(params=params, demography=synth, end_year=2030).run()
        for t in (0, 72, 252):
            share = synth.shares_in(np.array([START_YEAR + t // 12]))[0][m]
            ratio = stocks[t, m, 1:].sum() / (national.saved["stocks"][t, 0, 0, 1:].sum() * share)
            assert ratio == pytest.approx(1.0, abs=0.06), (m, t)


@pytest.fixture(scope="module")
def synthland_result():
    sc, base = load(SYNTHLAND + "early_intervention.toml"), load(SYNTHLAND + "baseline.toml")
    sc, base = (replace(s, run=replace(s.run, resolution="national")) for s in (sc, base))
    draws = pd.DataFrame({"onset_rate": np.linspace(0.03, 0.07, 6)})
    problem = op.make_problem(sc, base, draws, None)
    return on.optimise_by_need(problem, TINY, 3)


def test_each_band_is_searched_and_the_rows_add_up_to_the_national_total(synthland_result):
    result = synthland_result
    nb = result.bands
    assert nb.source.endswith("synthland/municipal_need.csv")
    assert nb.titles == "Synthetic assumption"
    assert len(nb.results) == len(nb.need) == 3
    assert np.all(np.diff(nb.need) > 0)
    table = op.by_municipality(result)
    assert set(table.index) == set(dm.country_demography("synthland").municipalities)
    frame = on.bands_frame(result)
    for ref in ("today", "uniform"):
        total = frame.loc["total", f"gain_over_{ref}"]
        assert table[f"gain_over_{ref}"].sum() == pytest.approx(total, rel=1e-12)
        assert total == pytest.approx(frame[f"gain_over_{ref}"].iloc[:-1].sum(), rel=1e-12)
    budgets = table.filter(like="budget.").sum(axis=1)
    np.testing.assert_allclose(budgets, table["budget"], rtol=1e-12)
    assert table["budget"].sum() == pytest.approx(result.problem.budget, rel=1e-12)
    # a municipality's mix is its band's
    for name, row in table.iterrows():
        best = nb.results[int(row["band"]) - 1].allocations["optimal"].shares
        mix = row.filter(like="budget.").to_numpy(float) / row["budget"]
        np.testing.assert_allclose(mix, best, rtol=1e-9, err_msg=name)
    mixes = np.array([r.allocations["optimal"].shares for r in nb.results])
    assert not np.allclose(mixes[0], mixes[-1], atol=0.01)  # the bands' mixes differ
    lines = on.need_lines(result)
    assert lines[0].startswith("Municipalities by need")
    assert "national total" in lines[-1]


def test_without_a_need_file_the_national_search_is_the_only_one(monkeypatch):
    calls = []
    rng = np.random.default_rng(5)
    names = ("optimal", "today", "uniform", "scenario")

    def fake(problem, settings, progress=lambda _: None):
        calls.append(problem)
        allocations = dict(zip(names, [al.uniform()] * 4, strict=True))
        values = {
            n: {k: rng.normal(size=4) for k in ("npv", "placements_avoided", "unspent")}
            for n in names
        }
        central = {n: {"npv": 0.0} for n in names}
        return op.Result(problem, settings, allocations, values, central, [], None)

    sc, base = load("scenarios/early_intervention.toml"), load("scenarios/baseline.toml")
    problem = op.Problem(sc, base, 20.0, 2027, 3.0, pd.DataFrame(), {})
    monkeypatch.setattr(op, "optimise", fake)
    result = on.optimise_by_need(problem, TINY, 3)
    assert len(calls) == 1
    assert result.bands.source == on.SIZE_ONLY
    assert on.steps(result.bands, 50) == 0
    assert on.need_lines(result) == [
        f"Municipalities: {on.SIZE_ONLY}; each gets the national mix for its children."
    ]
    # the table is the national optimum apportioned by children, as before bands existed
    banded = op.by_municipality(result)
    plain = op.by_municipality(replace(result, bands=None))
    pd.testing.assert_frame_equal(banded[plain.columns], plain)
    assert banded["need"].eq(1.0).all()
    assert banded["band"].eq(1).all()
