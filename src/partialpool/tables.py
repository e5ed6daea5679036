"""Grouped data from the columns of a table: the checks every reader applies to its rows, and
the `GroupData` they build.

The CSV reader (`csvfile`), the file reader (`files`, through DuckDB) and the frame reader
(`frames`, through narwhals) all end here, so a bad row gets the same words from each. Rows are
named by a `Places` (``line 5`` in a CSV file, ``row 5`` in a Parquet file, ``group 'A'`` in a
frame). Every problem raises `DataError`, a ValueError.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

from ._validation import DataError, check_range
from .columns import LAYOUTS, TRUTH, ColumnMap
from .groupdata import GroupData, from_counts

MAX_LABEL_LENGTH = 100
MAX_ABS_VALUE = 1e100
"""Raw observations (long layout) beyond this in absolute value are refused: their squares
would overflow. Summary layouts accept any finite number and then the core's range
(`_validation.check_range`), with its message."""
MIN_GROUPS = 2


class Places:
    """Names rows for messages: ``f"{word} {numbers[i]}"``, e.g. "line 12"."""

    def __init__(self, word: str, numbers: Sequence[object]) -> None:
        self.word = word
        self.numbers = numbers

    def __getitem__(self, i: int) -> str:
        number = self.numbers[i]
        return f"{self.word} {shown(str(number)) if isinstance(number, str) else number}"


def shown(text: str, limit: int = 40) -> str:
    """A cell or label quoted for a message, cut to `limit` characters."""
    text = text.strip()
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _cell(x: np.ndarray, texts: Sequence[str] | None, i: int) -> str:
    return shown(texts[i]) if texts is not None else shown(f"{x[i]:g}")


def check_finite(
    x: np.ndarray,
    places: Places,
    column: str,
    texts: Sequence[str] | None = None,
    limit: float = np.inf,
) -> None:
    """Refuse NaN, infinities and values beyond `limit` in size, naming the first."""
    bad = ~(np.abs(x) <= limit) | ~np.isfinite(x)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        rule = "finite" if not np.isfinite(x[i]) else f"at most {limit:g} in size"
        raise DataError(f"{places[i]}: {column} is {_cell(x, texts, i)}; it must be {rule}")


def check_positive(
    x: np.ndarray, places: Places, column: str, texts: Sequence[str] | None = None
) -> None:
    bad = ~(x > 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"{places[i]}: {column} must be > 0; got {_cell(x, texts, i)}")


WHOLE_MAX = 2**53
"""Largest size or count read: every whole number up to it is exact as a float."""


def check_whole(
    x: np.ndarray, places: Places, column: str, low: int, texts: Sequence[str] | None = None
) -> None:
    bad = ~((x >= low) & (x <= WHOLE_MAX)) | (x != np.round(x))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{places[i]}: {column} must be a whole number from {low} to {WHOLE_MAX:,}; "
            f"got {_cell(x, texts, i)}"
        )


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
INVISIBLE = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f"
)
"""The Unicode format characters (category Cf, Unicode 14; tests/test_tables.py compares with
`unicodedata`): direction overrides such as U+202E, zero-width spaces and joiners, the
byte-order mark. They change how a label reads, or make two labels that read alike differ
(Unicode TR #36, "Unicode Security Considerations")."""
_INVISIBLE = re.compile(f"[{INVISIBLE}]")


def check_labels(labels: Sequence[str], places: Places) -> None:
    """Refuse empty, overlong, control-character or invisible-character labels, naming the
    first."""
    for i, label in enumerate(labels):
        if not label:
            raise DataError(f"{places[i]}: the group label is empty")
        if len(label) > MAX_LABEL_LENGTH:
            raise DataError(
                f"{places[i]}: the group label is longer than {MAX_LABEL_LENGTH} characters"
            )
        if _CONTROL.search(label):
            raise DataError(f"{places[i]}: the group label contains a control character")
        invisible = _INVISIBLE.search(label)
        if invisible:
            raise DataError(
                f"{places[i]}: the group label contains the invisible character "
                f"U+{ord(invisible[0]):04X} ({unicodedata.name(invisible[0], 'unnamed')}); "
                "labels must read as they are"
            )


def check_groups(labels: Sequence[str]) -> None:
    """At least MIN_GROUPS groups."""
    if not len(labels):
        raise DataError("the table has a header but no data rows")
    if len(labels) < MIN_GROUPS:
        raise DataError(
            f"the data have one group ({shown(str(labels[0]))}); partial pooling needs at least "
            f"{MIN_GROUPS} groups"
        )


def check_estimable(data: GroupData) -> None:
    """Refuse data outside the range the core accepts, with the core's own message (groups
    are numbered from 0 in the order of the table)."""
    try:
        check_range(data.y, data.v)
    except ValueError as err:
        j = next((int(i) for i in re.findall(r"\[(\d+)\]", str(err))), 0)
        raise DataError(f"group {shown(str(data.labels[j]))}: {err}") from None


def summary_rows(
    columns: ColumnMap,
    table: dict[str, np.ndarray],
    places: Places,
    texts: dict[str, Sequence[str]] | None = None,
) -> dict[str, np.ndarray]:
    """Check rows of a one-row-per-group layout (numbers by role, already finite) and return
    y (the estimate, or the counts), v (the sampling variance; 1 for counts) and n (sizes,
    trials or exposures, when the layout has them)."""
    name, text, number = columns.columns, texts or {}, table.__getitem__
    layout = LAYOUTS[columns.layout]
    if layout.counts is not None:
        counts, size = layout.roles
        y, n = number(counts), number(size)
        check_whole(y, places, name[counts], 0, text.get(counts))
        if layout.counts == "binomial":
            check_whole(n, places, name[size], 1, text.get(size))
            over = y > n
            if over.any():
                i = int(np.flatnonzero(over)[0])
                raise DataError(
                    f"{places[i]}: {name[counts]} {_cell(y, text.get(counts), i)} exceed "
                    f"{name[size]} {_cell(n, text.get(size), i)}"
                )
        else:
            check_positive(n, places, name[size], text.get(size))
        return {"y": y, "v": np.ones_like(y), "n": n}
    if columns.layout == "mean_sd_n":
        sd, n = number("sd"), number("n")
        check_positive(sd, places, name["sd"], text.get("sd"))
        check_whole(n, places, name["n"], 1, text.get("n"))
        rows = {"y": number("mean"), "v": sd**2 / n, "n": n}
    elif columns.layout == "estimate_se":
        se = number("se")
        check_positive(se, places, name["se"], text.get("se"))
        rows = {"y": number("estimate"), "v": se**2}
    else:
        variance = number("variance")
        check_positive(variance, places, name["variance"], text.get("variance"))
        rows = {"y": number("estimate"), "v": variance}
    tiny = ~(rows["v"] > 0)
    if tiny.any():
        i = int(np.flatnonzero(tiny)[0])
        raise DataError(f"{places[i]}: the standard error is too small to use (v_j == 0)")
    return rows


def check_unique(labels: Sequence[str], places: Places, seen: dict[str, str]) -> None:
    """One row per group: refuse a label in `seen` (label -> where it was, updated here),
    naming both rows."""
    for i, label in enumerate(labels):
        if label in seen:
            raise DataError(
                f"{places[i]}: group {shown(label)} appears twice ({seen[label]} and "
                f"{places[i]}); a summary table has one row per group"
            )
        seen[label] = places[i]


def summary_data(
    columns: ColumnMap,
    labels: Sequence[str],
    rows: dict[str, np.ndarray],
    truth: np.ndarray | None,
    title: str,
) -> GroupData:
    """GroupData from checked rows (`summary_rows`, joined) of a one-row-per-group layout."""
    check_groups(labels)
    layout = LAYOUTS[columns.layout]
    used = ", ".join(columns.columns.values())
    if layout.counts is not None:
        data = from_counts(
            layout.counts,
            list(labels),
            rows["y"],
            rows["n"],
            title,
            note=f"{layout.rows.capitalize()}: {len(labels)} groups (columns {used}).",
            truth=truth,
        )
    else:
        how = {
            "estimate_se": "se_j as given",
            "estimate_variance": "v_j as given",
            "mean_sd_n": "se_j² = sd_j² / n_j",
        }[columns.layout]
        data = GroupData(
            title=title,
            labels=np.array(labels),
            y=np.asarray(rows["y"], dtype=float),
            v=np.asarray(rows["v"], dtype=float),
            n=rows["n"].astype(np.int64) if "n" in rows else None,
            truth=truth,
            note=f"One row per group: {len(labels)} groups (columns {used}); {how}.",
        )
    check_estimable(data)
    return data


def long_data(
    columns: ColumnMap,
    labels: Sequence[str],
    n: np.ndarray,
    mean: np.ndarray,
    m2: np.ndarray,
    truth: np.ndarray | None,
    title: str,
    values: np.ndarray | None = None,
    groups: np.ndarray | None = None,
) -> GroupData:
    """GroupData from each group's count n_j, mean and sum of squared deviations m2_j.

    v_j = s^2 / n_j with the pooled within-group variance s^2 = sum_j m2_j / (N - J), the
    model's common sigma^2.
    """
    check_groups(labels)
    J = len(labels)
    df = n.sum() - J
    if df < 1:
        raise DataError(
            "every group has one observation, so the within-group sd cannot be estimated; "
            "give one row per group with its standard error (group,estimate,se) instead"
        )
    sigma2 = float(m2.sum() / df)
    if not sigma2 > 0:
        raise DataError("every group's values are constant, so the within-group sd is 0")
    data = GroupData(
        title=title,
        labels=np.array(labels),
        y=np.asarray(mean, dtype=float),
        v=sigma2 / n,
        n=n.astype(np.int64),
        truth=truth,
        values=values,
        groups=groups,
        sigma=sigma2**0.5,
        note=(
            f"One row per observation: {int(n.sum())} observations in {J} groups (columns "
            f"{', '.join(columns.columns.values())}); v_j = s² / n_j with the pooled "
            f"within-group sd s = {sigma2**0.5:.4g}."
        ),
    )
    check_estimable(data)
    return data


def truth_column(columns: ColumnMap) -> str | None:
    """The table's truth column, or None."""
    return columns.columns.get(TRUTH)
