"""An analyst's workbook (.xlsx) of one results folder.

``prevsim export FOLDER`` reads the tables a command wrote (which ones depends on the
folder's kind, from its ``manifest.json``: :data:`SHEETS`) and writes one workbook: a sheet
per table, headings in the readers' words in Lithuanian or English (:mod:`.headings`),
numbers rounded as :func:`simulation.workflow.tables.rounded` rounds them and stored as
numbers with a number format, columns as wide as their contents, the header row frozen, and
a last sheet saying where the numbers come from.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.model.errors import InputError
from simulation.reports.headings import heading, sheet_title, text_value
from simulation.reports.labels import scenario_title
from simulation.workflow.store import atomic_file
from simulation.workflow.tables import DECIMALS, UNIT_KINDS, column_kind, rounded

#: Excel number formats by kind of quantity (the reader's locale shows the separators).
FORMATS = {
    "money": "#,##0",
    "count": "#,##0.0",
    "share": "0.0000",
    "year": "0",
    "time": "0.0000",
    None: "General",
}
#: Widest column, in characters (longer text wraps in the cell when opened).
MAX_WIDTH = 60


def _run_yearly(folder: Path) -> pd.DataFrame:
    """A run's yearly accounts: year-end stocks, the year's public cost by item."""
    series = pd.read_parquet(folder / "timeseries.parquet")
    numeric = series.drop(columns=["municipality", "t"]).groupby("date").sum()
    numeric["year"] = numeric.index.year
    stocks = [c for c in numeric.columns if not c.startswith(("flow.", "cum.", "cost."))]
    stocks = [c for c in stocks if c != "year"]
    costs = [c for c in numeric.columns if c.startswith("cost.")]
    year_end = numeric.groupby("year")[stocks].last()
    spent = numeric.groupby("year")[costs].sum()
    return year_end.join(spent).reset_index()


def _run_municipalities(folder: Path) -> pd.DataFrame | None:
    """A municipal run's last month by municipality, and its public cost over the horizon."""
    series = pd.read_parquet(folder / "timeseries.parquet")
    if series["municipality"].nunique() < 2:
        return None
    last = series[series["date"] == series["date"].max()].set_index("municipality")
    keep = [c for c in last.columns if c.startswith("children.") or c == "risk"]
    table = last[keep].copy()
    table["cost.total"] = series.groupby("municipality")["cost.total"].sum()
    return table.reset_index()


def _csv(
    name: str, columns: list[str] | None = None, rename: dict[str, str] | None = None
) -> Callable[[Path], pd.DataFrame | None]:
    """A reader of ``name`` (None if the folder has no such file), keeping ``columns``.

    ``rename`` gives columns whose name means something else in this table their heading's
    key (a life-course ``risk`` is a relative risk, not the state).
    """

    def read(folder: Path) -> pd.DataFrame | None:
        path = folder / name
        if not path.is_file():
            return None
        frame = pd.read_csv(path)
        if columns is not None:
            frame = frame[[c for c in columns if c in frame.columns]]
        return frame.rename(columns=rename or {})

    return read


_ACCOUNTS = [
    "scenario",
    "replicate",
    "year",
    "service_cost",
    "family_care_cost",
    "institutional_care_cost",
    "lifecourse_cost",
    "indirect_cost",
    "total_cost",
    "state_cost",
    "municipal_cost",
    "placements",
    "children_placed",
    "child_years_in_care",
    "family_years_in_risk",
    "family_years_served",
    "child_years_served",
    "unspent",
    "crisis_episodes",
    "children_reunified",
    "children_left_care",
]


class _Plain(dict):
    """Column kinds of a table whose column names are not quantities (parameter names).

    Every column but the year is a plain number (6 significant digits).
    """

    def get(self, key, default=None):
        return "year" if key == "year" else "plain"


_RELATIVE_RISKS = {
    f"{level}{end}": f"rr.{level}{end}"
    for level in ("risk", "maltreatment", "care", "institution")
    for end in ("", "_parameter")
}
_BANDS = ("central", "p05", "median", "p95")
#: What each kind of results folder gives: (sheet, reader, column kinds its names do not tell).
#: The first sheet is the key numbers.
SHEETS: dict[str, list[tuple[str, Callable, dict[str, str]]]] = {
    "briefing": [
        ("key_numbers", _csv("key_numbers.csv"), {}),
        ("net_benefit", _csv("net_benefit.csv"), dict.fromkeys(_BANDS, "money")),
        ("placements", _csv("placements.csv"), dict.fromkeys(_BANDS, "count")),
        ("costs", _csv("costs.csv"), {}),
        ("municipalities", _csv("municipalities.csv"), {}),
        ("by_outcome", _csv("by_outcome.csv"), {}),
        ("sensitivity", _csv("sensitivity.csv"), {}),
        ("parameters", _csv("parameters.csv"), {}),
    ],
    "comparison": [
        ("key_numbers", _csv("value.csv"), {}),
        ("outcomes", _csv("outcomes.csv"), {}),
        ("yearly", _csv("accounts.csv", _ACCOUNTS), {}),
        ("by_outcome", _csv("value_by_outcome.csv"), {}),
        ("programmes", _csv("programme_money.csv"), {}),
    ],
    "ensemble": [
        ("key_numbers", _csv("summary.csv"), {}),
        ("by_outcome", _csv("value_by_outcome.csv"), {}),
        ("yearly", lambda f: pd.read_parquet(f / "bands.parquet"), {}),
    ],
    "run": [
        ("key_numbers", _csv("summary.csv"), {}),
        ("yearly", _run_yearly, {}),
        ("municipalities", _run_municipalities, {}),
    ],
    "sensitivity": [
        ("indices", _csv("indices.csv"), {}),
        ("sign_drivers", _csv("sign_drivers.csv"), {}),
        ("time_varying", _csv("time_varying.csv"), _Plain()),
    ],
    "calibration": [
        ("fit", _csv("fit.csv"), _Plain()),
        ("points", _csv("points.csv", rename={"sigma": "data_sigma"}), {}),
    ],
    "lifecourse": [
        ("exposures", _csv("exposures.csv"), {}),
        ("outcomes", _csv("outcomes.csv", rename=_RELATIVE_RISKS), _Plain()),
    ],
}
#: Columns whose rows each name a measure (rounded by that measure's kind).
ROW_KEYS = ("measure", "value", "metric")


def _is_text(column: pd.Series) -> bool:
    """Whether a column holds text (object or string dtype, not numbers or booleans)."""
    return pd.api.types.is_string_dtype(column) or column.dtype == object


def read_manifest(folder: Path) -> dict:
    """The folder's manifest; :class:`InputError` (one line) if it is not a results folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder; give a results folder (results/<kind>/...)")
    path = folder / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            f"{folder}: not a results folder (no manifest.json); give the folder a command "
            "printed after 'Results:'"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a readable manifest ({exc})") from None
    kind = manifest.get("kind") if isinstance(manifest, dict) else None
    if kind not in SHEETS:
        allowed = ", ".join(sorted(SHEETS))
        raise InputError(f"{path}: kind {kind!r} cannot be exported; allowed: {allowed}")
    return manifest


def sheets(folder: Path, lang: str) -> dict[str, pd.DataFrame]:
    """The workbook's tables: sheet title -> rounded table with translated headings."""
    manifest = read_manifest(folder)
    titles = scenario_titles(manifest, lang)
    out = {}
    for key, read, kinds in SHEETS[manifest["kind"]]:
        try:
            frame = read(Path(folder))
        except (ValueError, KeyError, TypeError, IndexError) as exc:  # a damaged table
            why = " ".join(str(exc).split())[:120]
            raise InputError(
                f"{folder}: the table behind the sheet '{key}' cannot be read ({why}); "
                "run the command again to remake the folder"
            ) from None
        if frame is None or frame.empty:
            continue
        texts = [c for c in ROW_KEYS if c in frame.columns and _is_text(frame[c])]
        row_key = texts[0] if texts else None
        frame = rounded(frame, kinds, row_key)
        if row_key == "value":  # an ensemble's summary names the measure in "value"
            frame, row_key = frame.rename(columns={"value": "measure"}), "measure"
        if lang != "en" and "description" in frame.columns:  # English prose: the label says it
            frame = frame.drop(columns="description")
        frame = _parameter_texts(frame, lang)
        table = translated(frame, lang, kinds, titles)
        if "unit" in frame.columns:  # a kind per row, for the cells their column does not tell
            table.attrs["row_kinds"] = frame["unit"].map(UNIT_KINDS).tolist()
        elif row_key is not None:
            table.attrs["row_kinds"] = frame[row_key].map(column_kind).tolist()
        out[sheet_title(key, lang)] = table
    out[sheet_title("about", lang)] = about(manifest, lang)
    return out


def scenario_titles(manifest: dict, lang: str) -> dict[str, str]:
    """Scenario name -> its title in ``lang``, for the scenarios the manifest records."""
    found = []
    for key in ("scenario", "baseline", "scenarios"):
        value = manifest.get(key)
        found += value if isinstance(value, list) else [value]
    titles = {}
    for sc in found:
        if isinstance(sc, dict) and isinstance(sc.get("name"), str):
            own = sc.get(f"title_{lang}")  # scenario files may carry a title per language
            title = own if isinstance(own, str) and own else str(sc.get("title") or "")
            titles[sc["name"]] = scenario_title(title, sc["name"], lang)
    return titles


def _municipality(name: object, lang: str) -> object:
    """A municipality's official name in ``lang`` (as it is if the crosswalk lacks it)."""
    from simulation.model.municipality_names import official_name

    try:
        return official_name(name, lang) if isinstance(name, str) else name
    except KeyError:
        return name


def _parameter_texts(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A parameter table's units and sources as the registry words them for ``lang``."""
    if "parameter" not in frame.columns or not {"unit", "source"} & set(frame.columns):
        return frame
    from simulation.model.catalogue import REGISTRY

    out = frame.copy()
    for column, method in (("unit", "unit_label"), ("source", "source_label")):
        if column not in out.columns:
            continue
        words = []
        for name, text in zip(out["parameter"], out[column], strict=True):
            spec = REGISTRY.get(name) if isinstance(name, str) else None
            label = getattr(spec, method, None)
            words.append(label(lang) if callable(label) else text)
        out[column] = words
    return out


def translated(
    frame: pd.DataFrame, lang: str, kinds: dict[str, str], titles: dict[str, str] | None = None
) -> pd.DataFrame:
    """``frame`` with headings and code words in ``lang``; the number kinds in ``attrs``.

    Scenario names in a ``scenario`` or ``role`` column become their ``titles``.
    """
    out = frame.copy()
    titles = titles or {}
    for name in out.columns:
        if not _is_text(out[name]):
            continue
        if name == "municipality":  # official names ("Joniškio r. sav.")
            out[name] = out[name].map(lambda v: _municipality(v, lang))
            continue
        names = titles if name in ("scenario", "role") else {}
        out[name] = out[name].map(
            lambda v, names=names: names.get(v) or text_value(v, lang) if isinstance(v, str) else v
        )
    out.attrs["kinds"] = [kinds.get(c) or column_kind(c) for c in frame.columns]
    out.columns = [heading(c, lang) for c in frame.columns]
    return out


def about(manifest: dict, lang: str) -> pd.DataFrame:
    """Where the numbers come from: the command, when, the code version, the rounding."""
    git = manifest.get("git") or {}
    rows = [
        ("kind", text_value(str(manifest.get("kind")), lang)),
        ("command", manifest.get("command")),
        ("created", manifest.get("created")),
        ("commit", git.get("commit")),
        ("engine", manifest.get("engine")),
        ("rounding", text_value("rounding_note", lang)),
    ]
    frame = pd.DataFrame(
        [(heading(k, lang), "" if v is None else str(v)) for k, v in rows],
        columns=[heading("item", lang), heading("value_text", lang)],
    )
    frame.attrs["kinds"] = [None, None]
    return frame


def write_workbook(folder: Path, out: Path, lang: str = "lt") -> Path:
    """Write the workbook of results ``folder`` to ``out`` (replaced whole, never half)."""
    tables = sheets(folder, lang)
    out = Path(out)
    with atomic_file(out) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for title, frame in tables.items():
            frame.to_excel(writer, sheet_name=title, index=False)
            _format(writer.sheets[title], frame)
    return out


def _format(sheet, frame: pd.DataFrame) -> None:
    """Freeze the header, set number formats and column widths; wrap long text."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "A2"
    for cell in sheet[1]:  # a long heading wraps rather than being cut by its neighbour
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    kinds = frame.attrs.get("kinds") or [None] * len(frame.columns)
    for i, (name, kind) in enumerate(zip(frame.columns, kinds, strict=True), start=1):
        letter = get_column_letter(i)
        column = frame.iloc[:, i - 1]
        numeric = pd.api.types.is_float_dtype(column)
        if numeric:
            rows = frame.attrs.get("row_kinds") if kind is None else None
            cells = sheet.iter_rows(min_row=2, min_col=i, max_col=i)
            for j, (cell,) in enumerate(cells):
                cell.number_format = FORMATS.get(rows[j] if rows else kind, "General")
        sheet.column_dimensions[letter].width = _width(name, column, kind if numeric else None)
        if _is_text(column) and column.dropna().astype(str).str.len().max() > MAX_WIDTH:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _width(name: str, column: pd.Series, kind: str | None) -> float:
    """Characters a column needs: its heading or its longest value, within bounds."""
    if kind in DECIMALS:
        sample = column.dropna().abs()
        biggest = float(sample.max()) if len(sample) else 0.0
        digits = len(f"{biggest:,.{DECIMALS[kind]}f}") + 1
    else:
        texts = column.dropna().astype(str)
        digits = int(texts.str.len().max()) if len(texts) else 0
    longest_word = max((len(w) for w in str(name).split()), default=0)
    wanted = max(digits, min(len(str(name)), 24), longest_word) + 2
    return float(np.clip(wanted, 8, MAX_WIDTH))
