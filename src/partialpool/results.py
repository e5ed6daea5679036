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
    "se": "se_j",
    "partial_pool": "partial pooling",
    "sd": "posterior sd",
    "lower_95": "95% lower",
    "upper_95": "95% upper",
    "shrinkage": "shrinkage B_j",
    "truth": "truth",
}
"""Column key -> heading. `truth` appears only when the data carry it."""

T_METHOD = "marginal ML"
"""The `method` of a Student-t fit: (mu, tau) by marginal maximum likelihood (`fit_t`)."""


def model_label(method: str | None, nu: float | None = None) -> str:
    """Say which model and which estimator gave the numbers, in words.

    method : the estimator of tau (a key of TAU2_METHODS, or T_METHOD under a Student-t
        population), or None when tau was given.
    nu : the degrees of freedom of a Student-t population, or None for the Normal one.

    >>> model_label("REML")
    'Normal population, tau^2 by REML'
    >>> model_label(T_METHOD, 4.0)
    'Student-t(nu = 4) population, mu and tau by marginal ML'
    """
    if nu is None:
        return f"Normal population, tau^2 {f'by {method}' if method else 'given'}"
    # fit_t estimates mu together with tau, and a given tau keeps that fit's mu.
    how = f"mu and tau by {method}" if method else f"tau given, mu by {T_METHOD}"
    return f"Student-t(nu = {nu:g}) population, {how}"


@dataclass(frozen=True, eq=False)
class GroupTable:
    """One row per group at one tau^2, plus the fit's summary numbers and the model behind them.

    columns : column key (see COLUMNS) -> array of length J; `n` and `truth` only when known.
    tau2, mu, mu_se : the between-group variance used (tau^2, the squared scale under a t
        population), the estimated mean and its standard error (NaN when not available).
    method : the estimator of tau (see `model_label`), or None when tau was given.
    nu : the degrees of freedom of a Student-t population, or None for the Normal one.
    """

    columns: dict[str, np.ndarray]
    tau2: float
    mu: float
    mu_se: float
    method: str | None
    nu: float | None = None

    @property
    def population(self) -> str:
        """The population prior: "normal" or "student-t"."""
        return "normal" if self.nu is None else "student-t"

    @property
    def model(self) -> str:
        """The model and estimator in words, `model_label(method, nu)`."""
        return model_label(self.method, self.nu)


def group_table(
    data: GroupData, fit: PoolingEstimate, method: str | None = None, nu: float | None = None
) -> GroupTable:
    """Tabulate a partial-pooling fit of `data`.

    se_j = sqrt(v_j) is the standard error of the no-pooling estimate y_j. The 95% interval is
    theta_hat_j +/- 1.96 sd_j. Under the Normal population (nu None) that
    is the normal posterior of theta_j given tau (its variance includes the uncertainty of
    mu_hat; BDA3 section 5.4). Under a Student-t population (`partial_pool_t`) sd_j is the
    posterior sd given (mu, tau), and the posterior is a scale mixture of normals, so the
    interval is its normal approximation. `mu_se` is `fit.mu_se`: NaN where it is not known.
    `method` and `nu` say what gave the fit (see `model_label`).
    """
    sd = fit.sd
    columns = {"group": data.labels}
    if data.n is not None:
        columns["n"] = data.n
    columns |= {
        "no_pool": data.y,
        "se": np.sqrt(data.v),
        "partial_pool": fit.theta,
        "sd": sd,
        "lower_95": fit.theta - Z_95 * sd,
        "upper_95": fit.theta + Z_95 * sd,
        "shrinkage": fit.shrinkage,
    }
    if data.truth is not None:
        columns["truth"] = data.truth
    return GroupTable(columns, fit.tau2, float(fit.mu), fit.mu_se, method, nu)


def fit_lines(table: GroupTable) -> list[str]:
    """The fit in three lines: the model and estimator (`model_label`), tau^2 and tau, and mu
    with its standard error ("not available" when NaN). The CSV and text begin with them."""
    se = "not available" if math.isnan(table.mu_se) else f"{table.mu_se:.6g}"
    return [
        table.model,
        f"tau2 = {table.tau2:.6g}; tau = {math.sqrt(table.tau2):.6g}",
        f"mu = {table.mu:.6g} (se {se})",
    ]


def to_csv(table: GroupTable) -> str:
    """The table as CSV, headed by three comment lines: the model, tau^2 and mu.

    Numbers are written in full precision and text is quoted (so a '#' in a label is not
    taken for a comment); read it back with `pandas.read_csv(f, comment="#")`.
    """
    out = io.StringIO()
    for line in fit_lines(table):
        out.write(f"# {line}\n")
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(table.columns)
    columns = [column.tolist() for column in table.columns.values()]
    writer.writerows(zip(*columns, strict=True))
    return out.getvalue()


def to_json(table: GroupTable) -> str:
    """The table as a JSON object: model (in words), population ("normal" or "student-t"),
    nu, method, tau2, tau, mu, mu_se and a list of group records. nu is null for the Normal
    population, method when tau was given, mu_se when it is not available."""
    records = [
        {key: _plain(x) for key, x in zip(table.columns, row, strict=True)}
        for row in zip(*table.columns.values(), strict=True)
    ]
    document = {
        "model": table.model,
        "population": table.population,
        "nu": table.nu,
        "method": table.method,
        "tau2": table.tau2,
        "tau": math.sqrt(table.tau2),
        "mu": table.mu,
        "mu_se": None if math.isnan(table.mu_se) else table.mu_se,
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
    lines = [*fit_lines(table), ""]
    for row in [headings, *zip(*cells, strict=True)]:
        first, *rest = zip(row, widths, strict=True)
        lines.append("  ".join([first[0].ljust(first[1]), *(c.rjust(w) for c, w in rest)]))
    return "\n".join(lines) + "\n"
