"""The optional need file (``municipal_need.csv``): its checks and the relative need index.

A bad file is refused on load, one line per problem naming the file, the row and the column;
through ``prevsim run`` it is one line per problem and exit 2, with no output written.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from simulation.interfaces.cli import main
from simulation.model import demography as dm
from simulation.model import need as nd
from simulation.model.demography import DataFileError
from tests.conftest import SCENARIOS

HEADER = "municipality,need,year,unit,source_title,source_url,note\n"
REGIONS = ("Aldmere", "Brackenford", "Corvale", "Dunmarsh", "Eastholm")


def _write(path, rows: list[str]):
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _row(name: str, need: str, year: str = "2024") -> str:
    return f"{name},{need},{year},per 1000 children,test,,"


GOOD = [_row(name, str(v)) for name, v in zip(REGIONS, (6, 16, 10, 8, 13), strict=True)]


def test_the_index_has_children_weighted_mean_one_and_keeps_the_ratios(tmp_path):
    rows = nd.read_need(_write(tmp_path / nd.NEED_FILE, GOOD), REGIONS)
    years = np.array([2023, 2024])
    shares = np.array([[0.2] * 5, [0.36, 0.22, 0.17, 0.15, 0.10]])
    r = nd.relative_need(rows, REGIONS, years, shares)
    assert shares[1] @ r == pytest.approx(1.0, rel=1e-12)  # the file's year, 2024
    np.testing.assert_allclose(r / r[0], np.array([6, 16, 10, 8, 13]) / 6, rtol=1e-12)
    assert shares[0] @ r != pytest.approx(1.0, rel=1e-3)  # another year's weights differ


CASES = {
    "unknown": ([*GOOD[:4], _row("Atlantis", "5")], "'Atlantis' is not a municipality"),
    "missing": (GOOD[:4], "no row for Eastholm"),
    "zero": ([*GOOD[:4], _row("Eastholm", "0")], "need (row 6): '0' is outside"),
    "negative": ([*GOOD[:4], _row("Eastholm", "-2")], "need (row 6): '-2' is outside"),
    "nan": ([*GOOD[:4], _row("Eastholm", "nan")], "need (row 6): 'nan' is not a finite"),
    "inf": ([*GOOD[:4], _row("Eastholm", "inf")], "need (row 6): 'inf' is not a finite"),
    "empty": ([*GOOD[:4], _row("Eastholm", "")], "need (row 6): empty"),
    "repeated": ([*GOOD, _row("Corvale", "9")], "municipality (row 7): 'Corvale' repeats row 4"),
    "year": ([*GOOD[:4], _row("Eastholm", "5", "20240")], "year (row 6): '20240' is outside"),
    "scale": ([*GOOD[:4], _row("Eastholm", "1e9")], "more than 1000 times the smallest"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_bad_need_file_is_refused_naming_the_file_row_and_what_is_allowed(tmp_path, case):
    rows, fragment = CASES[case]
    path = _write(tmp_path / nd.NEED_FILE, rows)
    with pytest.raises(DataFileError) as error:
        nd.read_need(path, REGIONS)
    lines = error.value.errors
    assert all(line.startswith(f"{path}: ") for line in lines), lines
    assert any(fragment in line for line in lines), lines
    assert all("allowed" in line for line in lines), lines


def test_a_need_file_without_its_columns_is_one_line(tmp_path):
    path = tmp_path / nd.NEED_FILE
    path.write_text("municipality,need\nAldmere,1\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="columns: missing year, unit, source_title"):
        nd.read_need(path, REGIONS)


def test_no_need_file_means_need_one_everywhere(tmp_path):
    assert nd.need_index(tmp_path, REGIONS, np.array([2024]), np.ones((1, 5)) / 5) is None
    lithuania = dm.lithuania()
    assert lithuania.need is None  # none is shipped: no sourced indicator was found
    np.testing.assert_array_equal(lithuania.relative_need, np.ones(60))


@pytest.fixture
def data(tmp_path, monkeypatch):
    """A copy of the shipped Lithuanian data that the model reads instead; its folder."""
    folder = tmp_path / "data"
    shutil.copytree(dm.data_dir(), folder)
    monkeypatch.setattr(dm, "data_dir", lambda: folder)
    dm.lithuania.cache_clear()
    yield folder
    dm.lithuania.cache_clear()


def test_a_dropped_in_need_file_is_read_and_a_bad_one_stops_prevsim_run(data, tmp_path, capsys):
    names = tuple(dm.municipal_children(data / "municipal_children.csv").index)
    good = [_row(f'"{n}"', str(1 + i % 3)) for i, n in enumerate(names)]
    _write(data / nd.NEED_FILE, good)
    r = dm.lithuania().relative_need
    assert r.shape == (60,)
    assert len(set(np.round(r, 12))) == 3  # three levels of need, as written
    dm.lithuania.cache_clear()
    _write(data / nd.NEED_FILE, [*good[:-1], _row(f'"{names[-1]}"', "-1")])
    out = tmp_path / "results"
    code = main(["run", str(SCENARIOS / "baseline.toml"), "--out", str(out)])
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2, captured
    assert lines == [
        f"{data / nd.NEED_FILE}: need (row 61): '-1' is outside; allowed: "
        "a number in (0, 1e+15] (a positive figure per child, any scale)"
    ]
    assert not out.exists()
