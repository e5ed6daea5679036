"""Read grouped data from a data frame of any engine, through narwhals.

pandas, polars (eager and lazy), pyarrow tables, DuckDB relations, PySpark DataFrames and any
other frame narwhals accepts (`narwhals.from_native`) are read by the same code. The layouts
and the roles of the columns are those of `columns.map_columns`, and every row is checked as a
CSV file's is (`tables`), so the same data give the same `GroupData` from either.

Raw observations (one row per observation) are summarised inside the engine: one
``group_by(...).agg(...)`` gives each group's number of rows, its count, mean, population
variance and largest absolute value of the observations, and only those J rows reach Python.
Then m2_j = n_j var_j is the group's sum of squared deviations and v_j = s^2 / n_j with the
pooled within-group variance s^2 = sum_j m2_j / (N - J), as in `simulate.summarize`.

Group order: groups of an eager frame (pandas, polars DataFrame, pyarrow) come in order of
first appearance, as from `simulate.summarize`, and one-row-per-group frames keep their row
order. A lazy frame (polars LazyFrame, DuckDB, PySpark) has no row order, so its groups are
sorted by label in the engine's order for the label's type (numbers numerically), and the rows
named in messages are counted in that order. Labels become strings (``str`` of each value).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from .columns import GROUP, LAYOUTS, TRUTH, ColumnMap, map_columns
from .files import INSTALL
from .groupdata import GroupData
from .tables import (
    MAX_ABS_VALUE,
    DataError,
    Places,
    check_finite,
    check_labels,
    check_unique,
    long_data,
    shown,
    summary_data,
    summary_rows,
)

ROW = "__row__"
"""The row index of an eager frame, a name that no role takes (columns are renamed to roles)."""


def from_frame(frame: Any, *, title: str = "Data frame", **columns: str | None) -> GroupData:
    """Grouped data from a data frame of any engine narwhals supports.

    frame : a pandas, polars (DataFrame or LazyFrame), pyarrow, DuckDB or PySpark frame.
    title : the title of the returned data.
    columns : the frame's column for some roles (group=, value=, estimate=, se=, variance=,
        mean=, sd=, n=, successes=, trials=, count=, exposure=, truth=); the rest are
        recognised by their names (`columns.NAMES`).

    Returns the `GroupData` that `csvfile.parse_csv` gives for the same table written as CSV
    (raw observations: n_j, ybar_j and v_j equal to those of `simulate.summarize`).

    Notes
    -----
    - Raw observations are summarised in the engine; only one row per group is collected.
    - Groups of eager frames come in order of first appearance; those of lazy frames (polars
      LazyFrame, DuckDB, PySpark) sorted by label.
    - A null or missing number, NaN or an infinity, a null label, a label repeated in a
      one-row-per-group frame, a truth that varies within a group, and everything the CSV
      reader refuses, raise `tables.DataError` naming the group (raw observations) or the row.
    - Columns that cannot be told apart raise `columns.ColumnError`; a column of text where
      numbers belong raises DataError.
    - Without narwhals, ImportError says how to install it.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"school": ["A", "B", "C"], "effect": [28.0, 8.0, -3.0],
    ...                       "se": [15.0, 10.0, 16.0]})
    >>> data = from_frame(frame)
    >>> data.labels.tolist(), data.v.tolist()
    (['A', 'B', 'C'], [225.0, 100.0, 256.0])
    """
    try:
        import narwhals as nw
    except ImportError:
        raise ImportError(f"from_frame needs narwhals: {INSTALL}") from None
    try:
        table = nw.from_native(frame)
    except TypeError:
        raise TypeError(
            "from_frame needs a data frame (pandas, polars, pyarrow, DuckDB, PySpark, ...); "
            f"got {type(frame).__name__}"
        ) from None
    native_names = {str(c): c for c in table.columns}
    mapping = map_columns(list(native_names), columns)
    schema = table.collect_schema()
    picked = []
    for role, name in mapping.columns.items():
        column = nw.col(native_names[name])
        if role != GROUP:
            dtype = schema[native_names[name]]
            if not dtype.is_numeric():
                raise DataError(f"column {shown(name)} ({role}) holds {dtype}, not numbers")
            column = column.cast(nw.Float64)
        picked.append(column.alias(role))
    table = table.select(*picked)
    eager = isinstance(table, nw.DataFrame)
    if mapping.layout == "long":
        return _read_long(nw, table, eager, mapping, title)
    return _read_summary(nw, table, eager, mapping, title)


def _collect(nw: Any, table: Any) -> Any:
    return table.collect() if isinstance(table, nw.LazyFrame) else table


def _floats(result: Any, name: str) -> np.ndarray:
    return np.asarray(result.get_column(name).to_numpy(), dtype=float)


def _labels(result: Any) -> tuple[list[str], np.ndarray]:
    """The collected group labels as strings, and where they are null."""
    column = result.get_column(GROUP)
    return [str(x) for x in column.to_list()], column.is_null().to_numpy()


def _first(bad: np.ndarray) -> int | None:
    return int(np.flatnonzero(bad)[0]) if bad.any() else None


def _read_long(nw: Any, table: Any, eager: bool, mapping: ColumnMap, title: str) -> GroupData:
    """Summarise raw observations per group in the engine, then check the J rows."""
    if eager:
        table = table.with_row_index(ROW).lazy()
    value = nw.col("value")
    # The pyarrow backend takes only elementary aggregations, so |value| is a column first.
    table = table.with_columns(value.abs().alias("size"))
    parts = [
        nw.len().alias("rows"),
        value.count().alias("n"),
        value.mean().alias("mean"),
        value.var(ddof=0).alias("var"),
        nw.col("size").max().alias("size"),
    ]
    name = mapping.columns
    if TRUTH in name:
        truth = nw.col(TRUTH)
        parts += [
            truth.count().alias("truths"),
            truth.min().alias("truth_low"),
            truth.max().alias("truth_high"),
            truth.mean().alias("truth_mean"),
        ]
    if eager:
        parts.append(nw.col(ROW).min().alias("first"))
    summary = table.group_by(GROUP).agg(*parts).sort("first" if eager else GROUP, nulls_last=True)
    result = _collect(nw, summary)
    labels, null = _labels(result)
    rows, n, mean, var, size = (_floats(result, k) for k in ("rows", "n", "mean", "var", "size"))
    if null.any():
        raise DataError(
            f"{int(rows[null].sum())} rows have no group label (null in {name[GROUP]}); "
            "every row needs a group"
        )
    where = Places("group", labels)
    column = name["value"]
    i = _first(n < rows)
    if i is not None:
        raise DataError(f"{where[i]}: {column} has {int(rows[i] - n[i])} missing values")
    i = _first(~np.isfinite(mean) | ~np.isfinite(size))
    if i is not None:
        raise DataError(f"{where[i]}: {column} is not finite (NaN or infinite)")
    i = _first(size > MAX_ABS_VALUE)
    if i is not None:
        raise DataError(
            f"{where[i]}: {column} reaches {size[i]:g} in size; raw observations must be at "
            f"most {MAX_ABS_VALUE:g} in size"
        )
    m2 = var * n
    i = _first(~np.isfinite(m2))
    if i is not None:
        raise DataError(f"{where[i]}: the sum of squares of {column} is not finite")
    truth_values = None
    if TRUTH in name:
        low, high, average = (_floats(result, k) for k in ("truth_low", "truth_high", "truth_mean"))
        i = _first((_floats(result, "truths") < rows) | ~(low == high) | ~np.isfinite(average))
        if i is not None:
            raise DataError(
                f"{where[i]}: {name[TRUTH]} must be a finite number, the same on every row of "
                "a group"
            )
        truth_values = low
    check_labels(labels, where)
    times = Counter(labels)
    if len(times) < len(labels):
        twice = next(label for label in labels if times[label] > 1)
        raise DataError(f"two groups have the same label as text, {shown(twice)}")
    return long_data(mapping, labels, n, mean, m2, truth_values, title)


def _read_summary(nw: Any, table: Any, eager: bool, mapping: ColumnMap, title: str) -> GroupData:
    """One row per group: collect the rows and check them as the CSV reader does."""
    result = _collect(nw, table if eager else table.sort(GROUP, nulls_last=True))
    labels, null = _labels(result)
    where = Places("row", list(range(1, len(labels) + 1)))
    i = _first(null)
    if i is not None:
        raise DataError(f"{where[i]}: the group label is missing (null)")
    check_unique(labels, where, {})
    check_labels(labels, where)
    numbers = {}
    for role in (*LAYOUTS[mapping.layout].roles, TRUTH):
        if role not in mapping.columns:
            continue
        column = mapping.columns[role]
        i = _first(result.get_column(role).is_null().to_numpy())
        if i is not None:
            raise DataError(f"{where[i]}: {column} is missing")
        numbers[role] = _floats(result, role)
        check_finite(numbers[role], where, column)
    truth = numbers.pop(TRUTH, None)
    rows = summary_rows(mapping, numbers, where)
    return summary_data(mapping, labels, rows, truth, title)
