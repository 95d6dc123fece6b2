"""Bad data files are refused on load, one line per problem naming the file, row and column.

Issue 19: empty files, non-numeric cells, invalid UTF-8 and repeated rows raised tracebacks;
an empty or ``nan`` births cell, ``1e308``, negative births and zero or negative populations
ran to exit 0 with ``nan`` or nonsense; a bad municipal row's message did not name the file.
Each case is run through ``prevsim run`` with the shipped data replaced by a broken copy.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation.interfaces.cli import main
from simulation.model import demography as dm
from simulation.model import prices
from tests.conftest import SCENARIOS

NATIONAL = "national_series.csv"
MUNICIPAL = "municipal_children.csv"
BIRTHS_2010 = "live_births,2010,"
CHILDREN_2010 = "children_0_17_population,2010,"
AKMENE_2002 = "Akmenė d. mun.,2002,7963"


def _clear() -> None:
    for cached in (dm.national_series, dm.municipal_children, dm.lithuania):
        cached.cache_clear()


@pytest.fixture
def data(tmp_path, monkeypatch):
    """A copy of the shipped data that the model reads instead; its folder."""
    folder = tmp_path / "data"
    shutil.copytree(dm.data_dir(), folder)
    monkeypatch.setattr(dm, "data_dir", lambda: folder)
    _clear()
    yield folder
    _clear()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _set_value(folder: Path, prefix: str, value: str) -> None:
    """Put ``value`` in the value column of the national row starting with ``prefix``."""
    text = (folder / NATIONAL).read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith(prefix))
    fields = line.split(",", 3)
    _edit(folder / NATIONAL, line, ",".join([*fields[:2], value, fields[3]]))


def _births(folder: Path, value: str) -> None:
    _set_value(folder, BIRTHS_2010, value)


def _children(folder: Path, value: str) -> None:
    _set_value(folder, CHILDREN_2010, value)


CASES = {  # name: (file, how it is broken, fragment of the message)
    "national empty": (NATIONAL, lambda f: (f / NATIONAL).write_bytes(b""), "empty"),
    "national header only": (
        NATIONAL,
        lambda f: (f / NATIONAL).write_text(
            "series,year,value,unit,quality,source_title,source_url\n"
        ),
        "no data rows",
    ),
    "births empty": (NATIONAL, lambda f: _births(f, ""), "value (row"),
    "births nan": (NATIONAL, lambda f: _births(f, "nan"), "'nan' is not a finite number"),
    "births 1e308": (NATIONAL, lambda f: _births(f, "1e308"), "'1e308' is outside"),
    "births negative": (NATIONAL, lambda f: _births(f, "-5000"), "live_births -5000.0"),
    "births text": (NATIONAL, lambda f: _births(f, "many"), "'many' is not a finite number"),
    "births twice": (
        NATIONAL,
        lambda f: _edit(
            f / NATIONAL, BIRTHS_2010, f"live_births,2010,1,x,high,s,u,\n{BIRTHS_2010}"
        ),
        "one figure a year for live_births",
    ),
    "children zero": (NATIONAL, lambda f: _children(f, "0"), "children_0_17_population 0.0"),
    "children negative": (NATIONAL, lambda f: _children(f, "-3"), "a positive count of people"),
    "year text": (
        NATIONAL,
        lambda f: _edit(f / NATIONAL, BIRTHS_2010, "live_births,20x0,"),
        "year (row",
    ),
    "national not utf-8": (
        NATIONAL,
        lambda f: (f / NATIONAL).write_bytes((f / NATIONAL).read_bytes() + b"\xff\xfe,1\n"),
        "not UTF-8 text",
    ),
    "municipal empty": (MUNICIPAL, lambda f: (f / MUNICIPAL).write_bytes(b""), "empty"),
    "municipal text": (
        MUNICIPAL,
        lambda f: _edit(f / MUNICIPAL, AKMENE_2002, "Akmenė d. mun.,2002,lots"),
        "children_0_17 (row 3): 'lots'",
    ),
    "municipal zero": (
        MUNICIPAL,
        lambda f: _edit(f / MUNICIPAL, AKMENE_2002, "Akmenė d. mun.,2002,0"),
        "children_0_17 (row 3): '0' is outside",
    ),
    "municipal negative": (
        MUNICIPAL,
        lambda f: _edit(f / MUNICIPAL, AKMENE_2002, "Akmenė d. mun.,2002,-7963"),
        "'-7963' is outside",
    ),
    "municipal repeated": (
        MUNICIPAL,
        lambda f: _edit(f / MUNICIPAL, AKMENE_2002, f"{AKMENE_2002}\n{AKMENE_2002}"),
        "repeats row 3",
    ),
    "municipal row missing": (
        MUNICIPAL,
        lambda f: _edit(f / MUNICIPAL, AKMENE_2002 + "\n", ""),
        "no row for 'Akmenė d. mun.' in 2002",
    ),
    "municipal not utf-8": (
        MUNICIPAL,
        lambda f: (f / MUNICIPAL).write_bytes(b"\xff" + (f / MUNICIPAL).read_bytes()),
        "not UTF-8 text",
    ),
    "municipal missing column": (
        MUNICIPAL,
        lambda f: (f / MUNICIPAL).write_text("municipality,year\nA,2001\n", encoding="utf-8"),
        "missing children_0_17",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_broken_data_file_stops_prevsim_run_with_lines_naming_it(data, tmp_path, capsys, case):
    name, breaks, fragment = CASES[case]
    breaks(data)
    out = tmp_path / "results"
    code = main(["run", str(SCENARIOS / "baseline.toml"), "--out", str(out)])
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2, captured
    assert lines
    assert all(line.startswith(f"{data / name}: ") for line in lines), lines
    assert any(fragment in line for line in lines), lines
    assert "Traceback" not in captured.err
    assert not out.exists()


def test_many_bad_cells_are_listed_a_few_at_a_time(tmp_path):
    path = tmp_path / MUNICIPAL
    rows = "".join(f"m{i},2001,x\n" for i in range(40))
    path.write_text("municipality,year,children_0_17\n" + rows, encoding="utf-8")
    with pytest.raises(dm.DataFileError) as err:
        dm.municipal_children(path)
    assert len(err.value.errors) == dm.SHOWN_ROWS + 1
    assert err.value.errors[-1].endswith(f"{40 - dm.SHOWN_ROWS} more such rows")


def test_a_fifo_is_refused_without_being_read(tmp_path):
    import os

    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    with pytest.raises(dm.DataFileError, match="not a regular file"):
        dm.national_series(fifo)


def test_the_shipped_data_pass_their_checks():
    _clear()
    demography = dm.lithuania()
    assert len(demography.municipalities) == 60
    assert (demography.births > 0).all()


# ---- prices ---------------------------------------------------------------------------------
HEADER = "year,rate_percent,measure,quality,source_title,source_url,note\n"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "columns: missing"),
        (HEADER, "no data rows"),
        (HEADER + "2023,abc,CPI,high,s,u,\n", "rate_percent (row 2): 'abc'"),
        (HEADER + "2023,nan,CPI,high,s,u,\n", "rate_percent (row 2): 'nan'"),
        (HEADER + "2023,-100,CPI,high,s,u,\n", "rate_percent (row 2): '-100'"),
        (HEADER + "20x3,1,CPI,high,s,u,\n", "year (row 2)"),
        (HEADER + "2023,1,CPI,great,s,u,\n", "quality (row 2): 'great'"),
        (HEADER + "2023,1,CPI,high,s,u,\n2023,1,CPI,high,s,u,\n", "consecutive"),
        (HEADER + "2022,1,CPI,high,s,u,\n2024,1,CPI,high,s,u,\n", "consecutive"),
    ],
)
def test_a_broken_inflation_table_is_one_line_per_problem(tmp_path, text, fragment):
    path = tmp_path / "inflation.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(prices.PricesFileError) as err:
        prices.read_rows(path)
    assert all(line.startswith(f"{path}: ") for line in err.value.errors)
    assert any(fragment in line for line in err.value.errors), err.value.errors


def test_an_inflation_table_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "inflation.csv"
    path.write_bytes(HEADER.encode() + b"2023,1,CPI,high,\xff,u,\n")
    with pytest.raises(prices.PricesFileError, match="cannot be read"):
        prices.read_rows(path)


# ---- property: any content is a table or a list of lines naming the file --------------------
CELL = st.one_of(
    st.sampled_from(["", "nan", "inf", "-1", "0", "1e308", "1.5", "2001", "x", '"', "a,b", " "]),
    st.text(max_size=6),
    st.integers(-(10**12), 10**12).map(str),
)
ROWS = st.lists(st.tuples(st.sampled_from(["A", "B", ""]), CELL, CELL), max_size=8)


@settings(
    derandomize=True,
    max_examples=150 * max(1, int(os.environ.get("PREVSIM_FUZZ_SCALE", "1"))),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=ROWS, junk=st.binary(max_size=8))
def test_any_municipal_file_loads_clean_or_names_its_problems(tmp_path, rows, junk):
    path = tmp_path / "municipal.csv"
    body = "".join(f"{m},{y},{c}\n" for m, y, c in rows)
    path.write_bytes(b"municipality,year,children_0_17\n" + body.encode() + junk)
    dm.municipal_children.cache_clear()
    try:
        values, errors = dm.municipal_children(path).to_numpy(), []
    except dm.DataFileError as exc:
        values, errors = None, exc.errors
    finally:
        dm.municipal_children.cache_clear()
    if values is None:
        assert errors
        assert all(line.startswith(f"{path}: ") and "\n" not in line for line in errors)
    else:  # what loads is usable: positive, finite, every municipality in every year
        assert ((values > 0) & (values <= dm.PEOPLE_MAX)).all()
