"""The per-group results table: estimates, posterior sd, 95% interval and shrinkage, as text,
CSV or JSON. The app's results table, its download and the command line all use it.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass

import numpy as np

from .groupdata import GroupData
from .pooling import PoolingEstimate

Z_95 = 1.959963984540054
"""The 0.975 quantile of N(0, 1)."""

COLUMNS = {
    "group": "group",
    "n": "n_j",
    "no_pool": "no pooling",
    "partial_pool": "partial pooling",
    "sd": "posterior sd",
    "lower_95": "95% lower",
    "upper_95": "95% upper",
    "shrinkage": "shrinkage B_j",
    "truth": "truth",
}
"""Column key -> heading. `truth` appears only when the data carry it."""


@dataclass(frozen=True, eq=False)
class GroupTable:
    """One row per group at one tau^2, plus the fit's summary numbers.

    columns : column key (see COLUMNS) -> array of length J; `n` and `truth` only when known.
    tau2, mu, mu_se : the between-group variance used, the estimated mean and its standard error.
    method : the tau^2 estimator's name, or None when tau^2 was given.
    """

    columns: dict[str, np.ndarray]
    tau2: float
    mu: float
    mu_se: float
    method: str | None


def group_table(data: GroupData, fit: PoolingEstimate, method: str | None = None) -> GroupTable:
    """Tabulate a partial-pooling fit of `data`.

    The 95% interval is theta_hat_j +/- 1.96 sd_j, the normal posterior of theta_j given tau
    (its variance includes the uncertainty of mu_hat; BDA3 section 5.4).
    """
    sd = fit.sd
    columns = {"group": data.labels}
    if data.n is not None:
        columns["n"] = data.n
    columns |= {
        "no_pool": data.y,
        "partial_pool": fit.theta,
        "sd": sd,
        "lower_95": fit.theta - Z_95 * sd,
        "upper_95": fit.theta + Z_95 * sd,
        "shrinkage": fit.shrinkage,
    }
    if data.truth is not None:
        columns["truth"] = data.truth
    return GroupTable(columns, fit.tau2, float(fit.mu), fit.mu_se, method)


def _fit_lines(table: GroupTable) -> list[str]:
    how = f"estimated by {table.method}" if table.method else "given"
    return [
        f"tau2 = {table.tau2:.6g} ({how}); tau = {math.sqrt(table.tau2):.6g}",
        f"mu = {table.mu:.6g} (se {table.mu_se:.6g})",
    ]


def to_csv(table: GroupTable) -> str:
    """The table as CSV, headed by two comment lines with tau^2 and mu.

    Numbers are written in full precision and text is quoted (so a '#' in a label is not
    taken for a comment); read it back with `pandas.read_csv(f, comment="#")`.
    """
    out = io.StringIO()
    for line in _fit_lines(table):
        out.write(f"# {line}\n")
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(table.columns)
    columns = [column.tolist() for column in table.columns.values()]
    writer.writerows(zip(*columns, strict=True))
    return out.getvalue()


def to_json(table: GroupTable) -> str:
    """The table as a JSON object: method, tau2, tau, mu, mu_se and a list of group records."""
    records = [
        {key: _plain(x) for key, x in zip(table.columns, row, strict=True)}
        for row in zip(*table.columns.values(), strict=True)
    ]
    document = {
        "method": table.method,
        "tau2": table.tau2,
        "tau": math.sqrt(table.tau2),
        "mu": table.mu,
        "mu_se": table.mu_se,
        "groups": records,
    }
    return json.dumps(document, indent=2)


def _plain(x: object) -> object:
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return float(x)
    return str(x)


def to_text(table: GroupTable) -> str:
    """The table aligned in columns for a terminal, numbers to 4 significant digits."""
    headings = [COLUMNS[key] for key in table.columns]
    cells = [
        [str(x) if isinstance(x, (str, np.str_, np.integer)) else f"{x:.4g}" for x in column]
        for column in table.columns.values()
    ]
    widths = [
        max(len(h), *(len(c) for c in column)) for h, column in zip(headings, cells, strict=True)
    ]
    lines = [*_fit_lines(table), ""]
    for row in [headings, *zip(*cells, strict=True)]:
        first, *rest = zip(row, widths, strict=True)
        lines.append("  ".join([first[0].ljust(first[1]), *(c.rjust(w) for c, w in rest)]))
    return "\n".join(lines) + "\n"
