"""Posterior files for ``prevsim ensemble --posterior`` are checked before any draw is used.

Issue 19: a posterior file with NaN raised, and values outside the parameters' domains were
used silently. Unknown or repeated columns, empty files, non-numeric columns and values that
are not finite are refused too: one line per problem naming the file and the column.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation.interfaces.cli import main
from simulation.model.catalogue import REGISTRY
from simulation.model.demography import DataFileError
from simulation.model.errors import InputError
from simulation.workflow import ensembles
from simulation.workflow.posterior_file import read_posterior
from tests.conftest import SCENARIOS

NAME = "escalation_rate"
LOW, HIGH = REGISTRY[NAME].domain

CSV_CASES = {  # file name: (content, column named, fragment)
    "nan.csv": (f"{NAME},log_posterior\n0.05,-1\nnan,-2\n", NAME, "(draw 2): empty or NaN"),
    "empty_cell.csv": (f"{NAME},log_posterior\n0.05,-1\n,-2\n", NAME, "empty or NaN"),
    "inf.csv": (f"{NAME}\n0.05\ninf\n", NAME, "inf is not finite"),
    "below.csv": (f"{NAME}\n0.05\n-3\n", NAME, "-3 is outside the domain"),
    "huge.csv": (f"{NAME}\n1e308\n", NAME, "1e+308 is outside the domain"),
    "text.csv": (f"{NAME}\n0.05\nabc\n", NAME, "'abc' is not a number"),
    "bool.csv": (f"{NAME}\nTrue\nFalse\n", NAME, "true/false"),
    "empty.csv": ("", "", "empty"),
    "header_only.csv": (f"{NAME}\n", "", "no rows"),
    "unknown.csv": ("escalaton_rate\n0.05\n", "escalaton_rate", "did you mean 'escalation_rate'"),
    "index.csv": (f",{NAME}\n0,0.05\n", "Unnamed: 0", "a column without a name"),
    "repeated.csv": (f"{NAME},{NAME}\n0.05,0.06\n", NAME, "column repeated"),
    "only_log.csv": ("log_posterior\n-1\n", "", "no parameter columns"),
    "long_row.csv": (f"{NAME}\n0.05,7\n", "", "more cells than the header row"),
    "ragged.csv": (f"{NAME}\n0.05\n0.06,1,2\n", "", "cannot be read as a CSV table"),
    "not_utf8.csv": (b"escalation_rate\n\xff0.05\n", "", "not UTF-8"),
    "fake.parquet": ("not a parquet file", "", "cannot be read as a parquet file"),
}


def _write(folder, name: str, content) -> object:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


@pytest.mark.parametrize("name", CSV_CASES)
def test_a_bad_posterior_file_is_one_line_per_problem(tmp_path, name):
    content, column, fragment = CSV_CASES[name]
    path = _write(tmp_path, name, content)
    with pytest.raises(DataFileError) as err:
        read_posterior(path)
    lines = err.value.errors
    assert all(line.startswith(f"{path}: ") and "\n" not in line for line in lines), lines
    assert any(line.startswith(f"{path}: {column}") and fragment in line for line in lines), lines


def test_a_parquet_file_is_checked_like_a_csv_file(tmp_path):
    path = tmp_path / "posterior.parquet"
    pd.DataFrame({NAME: [0.05, np.nan, HIGH + 1], "log_posterior": [0.0, 0.0, 0.0]}).to_parquet(
        path
    )
    with pytest.raises(DataFileError) as err:
        read_posterior(path)
    assert [line.split(": ", 2)[1] for line in err.value.errors] == [
        f"{NAME} (draw 2)",
        f"{NAME} (draw 3)",
    ]


def test_every_problem_is_reported_at_once(tmp_path):
    path = _write(tmp_path, "many.csv", f"{NAME},nonsense,onset_rate\n-1,1,abc\n")
    with pytest.raises(DataFileError) as err:
        read_posterior(path)
    keys = [line.split(": ", 2)[1] for line in err.value.errors]
    assert keys == ["nonsense", f"{NAME} (draw 1)", "onset_rate (draw 1)"]


def test_a_good_file_gives_floats_without_log_posterior(tmp_path):
    path = _write(tmp_path, "good.csv", f"{NAME},log_posterior\n0.05,-1\n{HIGH},-2\n")
    frame = read_posterior(path)
    assert list(frame.columns) == [NAME]
    assert frame[NAME].tolist() == [0.05, HIGH]
    assert frame[NAME].dtype == float


@pytest.mark.parametrize("name", ["nan.csv", "below.csv", "text.csv", "unknown.csv"])
def test_prevsim_ensemble_refuses_a_bad_posterior_before_any_work(
    tmp_path, capsys, monkeypatch, name
):
    # the ensemble reads its posterior with read_posterior (one line of ensembles.plan)
    monkeypatch.setattr(ensembles, "_read_posterior", read_posterior, raising=False)
    content, _, fragment = CSV_CASES[name]
    path = _write(tmp_path, name, content)
    out = tmp_path / "results"
    argv = ["ensemble", str(SCENARIOS / "early_intervention.toml"), "--samples", "3"]
    code = main([*argv, "--posterior", str(path), "--scheduler", "serial", "--out", str(out)])
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2, captured
    assert "Traceback" not in captured.err
    assert all(f"{path}: " in line for line in lines), lines  # the command may prefix itself
    assert any(fragment in line for line in lines), lines
    assert not (out / "ensembles").exists()


# ---- property: any CSV content is a checked table or lines naming the file -----------------
CELL = st.one_of(
    st.sampled_from(["", "nan", "inf", "-inf", "-1", "0", "1e308", "0.05", "x", '"', "True"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=5),
)
HEADERS = st.lists(
    st.sampled_from([NAME, "onset_rate", "log_posterior", "", "nonsense", f"{NAME}.1"]),
    min_size=1,
    max_size=3,
)


@settings(
    derandomize=True,
    max_examples=150 * max(1, int(os.environ.get("PREVSIM_FUZZ_SCALE", "1"))),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(header=HEADERS, rows=st.lists(st.lists(CELL, min_size=1, max_size=4), max_size=5))
def test_any_posterior_csv_is_checked_or_refused_naming_the_file(tmp_path, header, rows):
    text = ",".join(header) + "\n" + "".join(",".join(r) + "\n" for r in rows)
    path = tmp_path / "posterior.csv"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        frame, errors = read_posterior(path), []
    except InputError as exc:
        frame, errors = None, exc.errors
    if frame is None:
        assert errors
        assert all(line.startswith(f"{path}: ") and "\n" not in line for line in errors)
    else:  # what is used lies in every parameter's domain
        assert len(frame) > 0
        for name in frame.columns:
            assert all(REGISTRY[name].check(float(v)) is None for v in frame[name])
