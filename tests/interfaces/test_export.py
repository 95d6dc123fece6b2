"""``prevsim export``: a results folder as one workbook, and rounding for readers."""

from __future__ import annotations

import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

from simulation.interfaces.cli import main
from simulation.workflow.tables import column_kind, rounded
from tests.conftest import SCENARIOS

SHORT = "[run]\nend_year = 2012\n"


def only_folder(root):
    (manifest,) = root.rglob("manifest.json")
    return manifest.parent


def sheet_frame(sheet) -> pd.DataFrame:
    rows = list(sheet.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


# ---- rounding --------------------------------------------------------------------------------
def test_columns_are_rounded_by_the_kind_of_quantity():
    frame = pd.DataFrame(
        {
            "scenario": ["a", "b"],
            "npv": [-42315038.409, 1.5],
            "children_placed": [1270.3533, 0.04],
            "bcr": [0.406214027, 1.0],
            "year": [2027.0, np.nan],
            "S1": [0.63533199536, 1234567.891],
        }
    )
    out = rounded(frame)
    assert out["npv"].tolist() == [-42315038.0, 2.0]
    assert out["children_placed"].tolist() == [1270.4, 0.0]
    assert str(out["children_placed"].iloc[1]) == "0.0"  # no negative zero
    assert out["bcr"].tolist() == [0.4062, 1.0]
    assert out["year"].iloc[0] == 2027.0
    assert np.isnan(out["year"].iloc[1])
    assert out["S1"].tolist() == [0.635332, 1234570.0]  # 6 significant digits
    assert frame["npv"].iloc[0] == -42315038.409  # the input is not changed


def test_tables_with_a_unit_column_are_rounded_row_by_row():
    frame = pd.DataFrame(
        {
            "measure": ["npv", "bcr", "children_placed_avoided"],
            "unit": ["EUR", "ratio", "children"],
            "central": [-42315038.409, 0.406214, 268.99349],
        }
    )
    assert rounded(frame)["central"].tolist() == [-42315038.0, 0.4062, 269.0]
    assert column_kind("pv_eur_p05") == "money"
    assert column_kind("children_placed.median") == "count"
    assert column_kind("avoided_per_1000_children") is None


# ---- workbooks -------------------------------------------------------------------------------
@pytest.mark.slow
def test_briefing_workbook_key_numbers_equal_key_numbers_csv(tmp_path, capsys):
    """The must-show of issue 20, at the briefing's documented minimum of 20 draws."""
    args = ["brief", str(SCENARIOS / "early_intervention.toml"), "--samples", "20"]
    assert main([*args, "--format", "html", "--out", str(tmp_path / "r")]) == 0
    folder = only_folder(tmp_path / "r")
    csv = rounded(pd.read_csv(folder / "key_numbers.csv"))
    for lang, title, heading in (
        ("en", "Key numbers", "Central run"),
        ("lt", "Svarbiausi skaičiai", "Centrinis skaičiavimas"),
    ):
        out = tmp_path / f"brief-{lang}.xlsx"
        assert main(["export", str(folder), "--lang", lang, "--out", str(out)]) == 0
        assert str(out) in capsys.readouterr().out
        book = openpyxl.load_workbook(out)
        assert book.sheetnames[0] == title
        sheet = book[title]
        assert sheet.freeze_panes == "A2"
        sheet_table = sheet_frame(sheet)
        assert heading in sheet_table.columns
        assert len(sheet_table) == len(csv)
        numbers = csv.select_dtypes("number")
        for i, name in enumerate(csv.columns):
            if name not in numbers.columns:
                continue
            got = sheet_table.iloc[:, i]
            assert all(isinstance(v, int | float) for v in got.dropna()), name  # not text
            expected = numbers[name].to_numpy(float)
            np.testing.assert_array_equal(got.to_numpy(float), expected, err_msg=name)
        for cell in sheet[1]:  # readers' headings, never code names
            assert "_" not in str(cell.value), cell.value
        widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
        assert min(widths) >= 8
        assert max(widths) <= 60
        assert sheet.cell(row=2, column=4).number_format == "#,##0"  # central NPV, whole euros
    lt = openpyxl.load_workbook(tmp_path / "brief-lt.xlsx")
    municipalities = sheet_frame(lt["Savivaldybės"])["Savivaldybė"].tolist()
    assert "Joniškio r. sav." in municipalities  # the official form, not "Joniškis d. mun."
    assert len(set(municipalities)) == 60
    assert "Vertė pagal pasekmę ir gavėją" in lt.sheetnames
    measures = [row[1] for row in lt["Svarbiausi skaičiai"].iter_rows(min_row=2, values_only=True)]
    assert "Grynoji dabartinė vertė, EUR" in measures


def test_run_workbook_has_yearly_accounts_as_numbers(tmp_path, write_scenario, capsys):
    path = write_scenario(
        "short.toml",
        '[scenario]\nextends = "{}"\n{}'.format((SCENARIOS / "baseline.toml").as_posix(), SHORT),
    )
    assert main(["run", str(path), "--out", str(tmp_path / "r"), "--csv"]) == 0
    folder = only_folder(tmp_path / "r")
    before = sorted(p.name for p in folder.iterdir())
    assert main(["export", str(folder), "--lang", "en"]) == 0
    assert "workbook-en.xlsx" in capsys.readouterr().out
    assert sorted(p.name for p in folder.iterdir()) == sorted([*before, "workbook-en.xlsx"])
    book = openpyxl.load_workbook(folder / "workbook-en.xlsx")
    assert book.sheetnames == ["Key numbers", "Yearly accounts", "About"]
    yearly = sheet_frame(book["Yearly accounts"])
    assert yearly["Year"].tolist() == [2009, 2010, 2011, 2012]
    assert yearly["Public cost, EUR"].min() > 1e8  # the year's cost, whole euros
    assert all(float(v).is_integer() for v in yearly["Public cost, EUR"])
    summary = rounded(pd.read_csv(folder / "summary.csv"))
    key = sheet_frame(book["Key numbers"])
    np.testing.assert_array_equal(key["Value"].to_numpy(float), summary["value"].to_numpy())
    # the time series CSV, written for readers, is rounded; the Parquet keeps full precision
    series = pd.read_csv(folder / "timeseries.csv")
    exact = pd.read_parquet(folder / "timeseries.parquet")
    assert np.allclose(series["cost.total"], exact["cost.total"].round(0))
    assert (series["risk"] == series["risk"].round(1)).all()


@pytest.mark.parametrize(
    ("make", "extra", "message"),
    [
        ("missing", [], "no such folder"),
        ("empty", [], "not a results folder"),
        ("other-kind", [], "cannot be exported"),
        ("exists", [], "exists; add --force"),
        ("ok", ["--out", "book.csv"], "ends in .xlsx"),
        ("ok", ["--out", "nowhere/book.xlsx"], "no folder"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, make, extra, message):
    folder = tmp_path / "results" / "x"
    if make != "missing":
        folder.mkdir(parents=True)
    if make in ("other-kind", "exists", "ok"):
        kind = "unknown" if make == "other-kind" else "run"
        (folder / "manifest.json").write_text(json.dumps({"kind": kind}))
    if make == "exists":
        (folder / "workbook-lt.xlsx").write_text("someone's file")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    extra = [str(tmp_path / e) if e.endswith(("csv", "xlsx")) else e for e in extra]
    assert main(["export", str(folder), *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert message in err[0]
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    if make == "exists":
        assert (folder / "workbook-lt.xlsx").read_text() == "someone's file"


def test_comparison_workbook_in_lithuanian(tmp_path, capsys):
    files = [str(SCENARIOS / f"{n}.toml") for n in ("baseline", "early_intervention")]
    assert main(["compare", *files, "--out", str(tmp_path / "r")]) == 0
    folder = only_folder(tmp_path / "r")
    assert main(["export", str(folder)]) == 0
    book = openpyxl.load_workbook(folder / "workbook-lt.xlsx")
    assert book.sheetnames == [
        "Svarbiausi skaičiai",
        "Rezultatai",
        "Metinės sąskaitos",
        "Vertė pagal pasekmę ir gavėją",
        "Programų lėšos",
        "Apie",
    ]
    key = sheet_frame(book["Svarbiausi skaičiai"])
    value = pd.read_csv(folder / "value.csv")
    assert key["Scenarijus"].tolist() == ["Ankstyvoji intervencija"]  # the title, not the name
    assert key["Grynoji dabartinė vertė, EUR"].iloc[0] == round(value["npv"].iloc[0])
    by_outcome = sheet_frame(book["Vertė pagal pasekmę ir gavėją"])
    assert "mokesčių mokėtojai" in set(by_outcome["Kas gauna naudą"])
    yearly = sheet_frame(book["Metinės sąskaitos"])
    assert yearly["Metai"].min() == 2009
    headings = [c.value for sheet in book.worksheets for c in sheet[1]]
    assert not [h for h in headings if "_" in str(h)]  # no code names in the headings


def test_a_damaged_table_is_one_line_exit_2(tmp_path, capsys):
    folder = tmp_path / "comparisons" / "x" / "y"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"kind": "comparison"}))
    (folder / "value.csv").write_bytes(b"scenario,npv\n\xff\xfe,1\n")  # not UTF-8
    assert main(["export", str(folder)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "'key_numbers' cannot be read" in err[0]
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "value.csv"]
