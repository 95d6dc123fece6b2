"""One vocabulary of results: the same question gets the same number in every output.

"Placements avoided" is counted in children everywhere a reader sees it: ``prevsim compare``,
the briefing's key numbers, the README's demo output and notebook 01 all show the central
run's children placed avoided (the count is computed here, and each output's quoted figure
must equal it as formatted). The chance that benefits exceed costs has one definition
(:func:`simulation.workflow.uncertainty.chance_benefits_exceed_costs`) with its runs and
Monte Carlo standard error.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from simulation.interfaces.cli import main
from simulation.workflow import compare as cmp
from simulation.workflow import uncertainty as unc
from simulation.workflow.scenarios import load
from tests.conftest import REPO, SCENARIOS

COLUMN = "children placed avoided"
SCENARIO = "early_intervention"


@pytest.fixture(scope="module")
def scenarios():
    return [load(SCENARIOS / f"{n}.toml") for n in ("baseline", SCENARIO)]


@pytest.fixture(scope="module")
def children(scenarios) -> str:
    """The central run's children placed avoided, as every output formats it."""
    comparison = cmp.run_comparison(scenarios, engine="sd")
    base, scen = (comparison.accounts[s.name][0] for s in scenarios)
    count = cmp.children_placed_avoided(scen, base)
    families = float(base["placements"].sum() - scen["placements"].sum())
    assert count > families > 0  # the two counts differ: the test can tell them apart
    return f"{count:,.0f}"


def table_cell(text: str, column: str, row: str) -> str:
    """The cell of a printed value table (columns two or more spaces apart)."""
    lines = text.splitlines()
    header = next(
        i for i, line in enumerate(lines) if line.startswith("scenario ") and column in line
    )
    titles = re.split(r"\s{2,}", lines[header].strip())
    for line in lines[header + 1 :]:
        cells = re.split(r"\s{2,}", line.strip())
        if cells[0] == row:
            assert len(cells) == len(titles), line
            return cells[titles.index(column)]
    raise AssertionError(f"no row {row!r} under {lines[header]!r}")


def test_compare_prints_the_children_count(children, tmp_path, capsys):
    files = [str(SCENARIOS / f"{n}.toml") for n in ("baseline", SCENARIO)]
    assert main(["compare", *files, "--out", str(tmp_path), "--lang", "en"]) == 0
    assert table_cell(capsys.readouterr().out, COLUMN, SCENARIO) == children


def test_the_readme_demo_output_quotes_the_children_count(children):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    demo = readme[readme.index("`make demo` prints") :]
    block = demo[demo.index("```") + 3 :]
    block = block[: block.index("```")]
    assert table_cell(block, COLUMN, SCENARIO) == children
    assert "placements avoided  " not in readme  # the old column, families unlabelled


@pytest.mark.slow
def test_the_briefing_key_number_is_the_children_count(children, scenarios):
    """The briefing's central "children placed avoided" and its chance that benefits exceed
    costs follow the definitions of compare and of the uncertainty module.
    """
    from simulation.analysis import briefing_numbers as br
    from simulation.workflow import shipped

    results = br.compute(
        scenarios[0], scenarios[1:], samples=20, seed=5, targets_path=shipped.targets_path()
    )
    central = results.number(SCENARIO, "children_placed_avoided", "central")
    assert f"{central:,.0f}" == children
    values = results.values
    drawn = values[(values["sample"] > 0) & values["plausible"]]
    chance = unc.chance_benefits_exceed_costs(drawn["npv"])
    assert chance.runs == 20
    assert results.number(SCENARIO, "chance_benefits_exceed_costs") == pytest.approx(chance.p)
    # compare --samples values the same draws the same way
    from simulation.reports.comparison import monte_carlo

    draws = monte_carlo(
        scenarios, results.rate, results.base_year, 20, 5, shipped.targets_path()
    ).values
    np.testing.assert_allclose(
        draws.sort_values("sample")["npv"], values.sort_values("sample")["npv"], rtol=1e-12
    )


@pytest.mark.slow
def test_notebook_01_prints_the_children_count(children, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    monkeypatch.setenv("PREVSIM_FAST", "1")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    folder = REPO / "notebooks"
    nb = nbformat.read(folder / "01_quickstart.ipynb", as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    printed = "\n".join(
        output.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream"
    )
    assert table_cell(printed, COLUMN, SCENARIO) == children
    shown = "\n".join(
        output["data"].get("text/plain", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "execute_result"
    )
    assert "children_placed_avoided" in shown
    assert not re.search(r"\d\.\d+e\+\d\d", shown)  # formatted numbers, not 3.032436e+04


def test_the_chance_states_its_runs_and_monte_carlo_error():
    chance = unc.chance_benefits_exceed_costs([1.0, -2.0, 3.0, -1.0, np.nan, -5.0])
    assert (chance.positive, chance.runs) == (2, 5)  # a run without an NPV does not count
    assert chance.p == 0.4
    assert chance.standard_error == pytest.approx(math.sqrt(0.4 * 0.6 / 5))
    assert chance.bound is None
    none = unc.chance_benefits_exceed_costs(-np.arange(1.0, 45.0))  # 44 runs, none positive
    assert (none.p, none.standard_error) == (0.0, 0.0)
    assert none.bound == pytest.approx(3 / 44)  # the rule of three: below 6.8%, 95% sure
    every = unc.chance_benefits_exceed_costs(np.ones(10))
    assert every.bound == pytest.approx(0.7)
    empty = unc.chance_benefits_exceed_costs([])
    assert math.isnan(empty.p)
    assert empty.runs == 0


def test_the_chance_is_said_one_way():
    from simulation.reports.ensemble import chance_sentence

    text = chance_sentence(unc.Chance(positive=128, runs=1000))
    assert text.startswith("Chance that benefits exceed costs: 13% of 1,000 runs")
    assert "standard error 1.1 percentage points" in text  # sqrt(0.128 x 0.872 / 1000)
    assert "90% interval 11% to 15%" in text  # 0.128 +- 1.645 x 0.0106
    zero = chance_sentence(unc.Chance(positive=0, runs=44))
    assert "0% of 44 runs" in zero
    assert "below 6.8% with 95% confidence" in zero


def test_a_spread_has_its_central_run_median_interval_and_error():
    sp = unc.spread([4.0, 1.0, 3.0, 2.0, np.nan], central=2.5)
    assert (sp.central, sp.median, sp.runs, sp.mean) == (2.5, 2.5, 4, 2.5)
    assert (sp.p05, sp.p95) == pytest.approx((1.15, 3.85))
    assert sp.standard_error == pytest.approx(np.std([1, 2, 3, 4], ddof=1) / 2)
    assert unc.spread([7.0]).standard_error == 0.0
    assert unc.spread([]).runs == 0
