"""Reading a posterior sample given to ``prevsim ensemble --posterior``.

A posterior file holds parameter draws, one row per draw and one column per parameter, as
``prevsim calibrate`` writes it (``posterior.parquet``, with a ``log_posterior`` column that is
ignored) or as a CSV file with the same columns. Every problem is reported at once, one line
each, ``file: column: what is wrong; allowed: what is allowed``; draws are numbered from 1 in
file order.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.model.catalogue import REGISTRY
from simulation.model.demography import SHOWN_ROWS, DataFileError, csv_frame, read_limited

#: Columns a posterior file may hold besides parameters (written by ``prevsim calibrate``).
IGNORED = ("log_posterior",)
#: Largest posterior file read, bytes: a 64-walker chain of 40,000 steps kept whole with ten
#: parameters is about 50 MB as CSV; a larger file is not a posterior sample.
MAX_POSTERIOR_BYTES = 200_000_000
#: The name pandas gives the second of two columns with one name (``x`` and ``x.1``).
_REPEATED = re.compile(r"(?P<name>.+)\.\d+")


def read_posterior(path: str | Path) -> pd.DataFrame:
    """The parameter draws of a posterior file, checked.

    Parameters
    ----------
    path : str or Path
        A ``.parquet`` file, or a CSV file (any other suffix).

    Returns
    -------
    DataFrame
        One row per draw (index 0..n-1), one float column per parameter, every value inside
        its parameter's valid domain.

    Raises
    ------
    DataFileError
        (an :class:`~simulation.model.errors.InputError`) with one line per problem: the file
        cannot be read, has no rows, a column is not a known parameter (or repeated), a value
        is not a number, not finite or outside the parameter's domain.
    """
    path = Path(path)
    frame = _read(path)
    frame = frame.drop(columns=[c for c in frame.columns if c in IGNORED])
    errors = _column_problems(path, frame)
    if len(frame) == 0:
        errors.append(f"{path}: no rows; expected one row per posterior draw")
    counts = frame.columns.value_counts()
    for name in counts.index[(counts == 1).to_numpy()]:
        if name in REGISTRY:  # the known columns' values are checked whatever else is wrong
            errors += _value_problems(path, name, frame[name])
    if errors:
        raise DataFileError(errors)
    return frame.astype(float).reset_index(drop=True)


def _read(path: Path) -> pd.DataFrame:
    """The file as a table, or one error line naming it."""
    data = read_limited(path, "posterior sample", MAX_POSTERIOR_BYTES)
    parquet = path.suffix == ".parquet"
    try:
        if parquet:
            return pd.read_parquet(io.BytesIO(data))
        return csv_frame(data)
    except pd.errors.EmptyDataError:
        raise DataFileError(
            f"{path}: empty; expected a header row of parameter names and one row per draw"
        ) from None
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except (OSError, ValueError, NotImplementedError) as exc:  # pyarrow's errors are these
        what = "a parquet file" if parquet else "a CSV table"
        reason = " ".join(str(exc).split())[:120]
        raise DataFileError(f"{path}: cannot be read as {what} ({reason})") from None


def _column_problems(path: Path, frame: pd.DataFrame) -> list[str]:
    """Unknown, repeated or missing parameter columns."""
    errors = []
    names = [str(c) for c in frame.columns]
    for name in sorted(set(pd.Index(names)[pd.Index(names).duplicated()])):
        errors.append(f"{path}: {name}: column repeated; allowed: once")  # parquet keeps both
    for name in dict.fromkeys(names):
        repeated = _REPEATED.fullmatch(name)
        if name in REGISTRY:
            continue
        if repeated and repeated["name"] in names:  # a CSV's second column of one name
            errors.append(f"{path}: {repeated['name']}: column repeated; allowed: once")
        elif name.startswith("Unnamed: "):
            errors.append(
                f"{path}: {name}: a column without a name (a table index?); allowed: one "
                "column per parameter"
            )
        else:
            near = REGISTRY.suggest(name[:80])
            hint = f" (did you mean {', '.join(map(repr, near))}?)" if near else ""
            errors.append(
                f"{path}: {name[:60]}: unknown parameter column {name[:60]!r}{hint}; allowed: "
                "parameter names (prevsim params) and log_posterior"
            )
    if not names:
        errors.append(f"{path}: no parameter columns; expected one column per parameter")
    return errors


def _value_problems(path: Path, name: str, column: pd.Series) -> list[str]:
    """Values that are not numbers, not finite or outside the parameter's domain."""
    parameter = REGISTRY[name]
    lo, hi = parameter.domain
    allowed = f"allowed: a number in [{lo:g}, {hi:g}] {parameter.unit} (its valid domain)"
    if pd.api.types.is_bool_dtype(column):
        return [f"{path}: {name}: true/false values; {allowed}"]
    values = pd.to_numeric(column, errors="coerce").astype(float)
    text = column.astype(str)  # what the file held, for values that are not numbers
    found = [  # (where, what is wrong with the value at a row)
        (values.isna() & column.notna(), lambda i: f"{text.iloc[i]!r:.40} is not a number"),
        (column.isna(), lambda i: "empty or NaN"),
        (values.notna() & ~np.isfinite(values), lambda i: f"{values.iloc[i]} is not finite"),
        (
            np.isfinite(values) & ~values.between(lo, hi),
            lambda i: f"{values.iloc[i]:g} is outside the domain",
        ),
        (  # e.g. a programme's duration: 0 (ongoing) or at least a day (Parameter.check)
            (values > 0) & (values < parameter.smallest_positive),
            lambda i: f"{values.iloc[i]:g} is above 0 but below {parameter.smallest_positive:g}",
        ),
    ]
    errors = []
    for bad, what in found:
        rows = np.flatnonzero(bad.to_numpy(bool))
        errors += [
            f"{path}: {name} (draw {i + 1}): {what(i)}; {allowed}" for i in rows[:SHOWN_ROWS]
        ]
        if len(rows) > SHOWN_ROWS:
            errors.append(f"{path}: {name}: {len(rows) - SHOWN_ROWS} more such draws")
    return errors
