"""The optimiser per municipality when municipalities differ in need (need bands).

Bands are children-weighted quantiles of the need index; a band's search runs on a
national-sized unit of its need, which stands for its municipalities within a few percent
(the model is homogeneous in a unit's size); each municipality gets its band's mix and its
share of the band's gain; the bands' total is the sum of the municipalities' rows; the
national budget is split between the bands by need
(:mod:`simulation.analysis.budget_split`) and the rows still add up to it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy.interpolate import PchipInterpolator

from simulation.analysis import allocation as al
from simulation.analysis import budget_split as bs
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
    assert any("national total" in line for line in lines)


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


def test_money_goes_where_it_pays_within_the_bounds():
    """Two bands, one whose value does not depend on its budget.

    All the money that can move goes to the other, up to its upper bound or to the first
    band's lower bound.
    """
    grid = np.array(bs.GRID)
    flat, rising = np.full(len(grid), 5.0), 3.0 * grid
    # 30% of the children in the rising band: it reaches 2, the flat band keeps 0.4/0.7
    m = bs.best_split(np.array([0.7, 0.3]), grid, np.array([flat, rising]))
    np.testing.assert_allclose(m, [0.4 / 0.7, 2.0], atol=1e-6)
    # half the children: the flat band falls to its lower bound, 0.5, the other gets 1.5
    m = bs.best_split(np.array([0.5, 0.5]), grid, np.array([flat, rising]))
    np.testing.assert_allclose(m, [0.5, 1.5], atol=1e-6)
    # both flat: nothing to gain, the children-proportional split stays
    np.testing.assert_array_equal(bs.best_split(np.array([0.5, 0.5]), grid, [flat, flat]), 1)
    # concave returns: equal marginal value; f_b = a_b log m -> a_b / m_b equal, m ~ a
    shares, a = np.array([0.5, 0.5]), np.array([1.0, 1.5])
    fine = np.linspace(0.5, 2.0, 61)  # a dense grid, so PCHIP follows the log closely
    m = bs.best_split(shares, fine, a[:, None] * np.log(fine)[None, :])
    np.testing.assert_allclose(m, [0.8, 1.2], atol=2e-3)
    assert shares @ m == pytest.approx(1.0, abs=1e-12)


def test_a_point_is_brought_onto_the_budget_within_bounds():
    shares = np.array([0.2, 0.3, 0.5])
    for start in ([2.0, 2.0, 2.0], [0.5, 0.5, 0.5], [0.1, 1.0, 3.0]):
        m = bs._feasible(np.array(start), shares, 0.5, 2.0)
        assert shares @ m == pytest.approx(1.0, abs=1e-12)
        assert np.all((m >= 0.5) & (m <= 2.0))


def test_a_scaled_allocation_funds_its_multiple_of_the_budget():
    scaled = bs.Scaled(al.uniform(), 1.5)
    assert scaled.levers(10.0) == al.uniform().levers(15.0)


def test_the_split_is_on_the_budget_and_its_gain_is_paired(synthland_result):
    result = synthland_result
    nb, budget = result.bands, result.problem.budget
    sp = nb.split
    assert sp is not None
    assert sp.outcome == "npv"
    assert np.all((sp.multiples >= bs.GRID[0]) & (sp.multiples <= bs.GRID[-1]))
    assert nb.shares @ sp.multiples == pytest.approx(1.0, abs=1e-12)
    assert not np.allclose(sp.multiples, 1.0)  # Synthland's bands differ enough to move money
    # a band's curve at the national budget is its mix's valuation on the search draws
    k = bs.GRID.index(1.0)
    for curve, res in zip(sp.curves, nb.results, strict=True):
        seen = res.values["optimal"]["npv"][: TINY.search_draws].mean()
        assert curve[k] == pytest.approx(seen, rel=1e-9)
    # the chosen split is at least as good as the proportional one on the curves
    curves = [PchipInterpolator(sp.grid, c) for c in sp.curves]
    chosen = sum(s * f(m) for s, f, m in zip(nb.shares, curves, sp.multiples, strict=True))
    assert chosen >= nb.shares @ sp.curves[:, k] - 1e-6
    table, frame = op.by_municipality(result), on.bands_frame(result)
    assert table["budget"].sum() == pytest.approx(budget, rel=1e-12)
    assert frame["budget"].iloc[:-1].sum() == pytest.approx(budget, rel=1e-12)
    assert frame.loc["total", "budget_multiplier"] == pytest.approx(1.0, rel=1e-12)
    for _, row in table.iterrows():
        m = sp.multiples[int(row["band"]) - 1]
        assert row["budget"] == pytest.approx(row["children_share"] * m * budget, rel=1e-12)
    # the national gain is the children-weighted per-draw difference, paired over the draws
    diff = sum(
        s * (v["npv"] - r.values["optimal"]["npv"])
        for s, v, r in zip(nb.shares, sp.values, nb.results, strict=True)
    )
    assert frame.loc["total", "gain_of_split"] == pytest.approx(diff.mean(), rel=1e-9)
    se = diff.std(ddof=1) / np.sqrt(len(diff))
    assert frame.loc["total", "gain_of_split_se"] == pytest.approx(se, rel=1e-9)
    lines = on.need_lines(result)
    assert sum(line.startswith(f"  band {b} gets") for b in (1, 2, 3) for line in lines) == 3
    assert "children-proportional" in lines[-1]


def test_without_the_split_every_band_gets_the_national_budget_per_child(synthland_result):
    result = replace(synthland_result, bands=replace(synthland_result.bands, split=None))
    frame = on.bands_frame(result)
    np.testing.assert_array_equal(frame["budget_multiplier"], 1.0)
    np.testing.assert_array_equal(frame["gain_of_split"], 0.0)
    table = op.by_municipality(result)
    np.testing.assert_allclose(
        table["budget"], table["children_share"] * result.problem.budget, rtol=1e-15
    )
    assert "the split was not searched" in on.need_lines(result)[-1]
