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

COLUMNS = {
    "group": "group",
    "count": "count y_j",
    "n": "n_j",
    "exposure": "exposure t_j",
    "no_pool": "no pooling",
    "se": "se_j",
    "partial_pool": "partial pooling",
    "sd": "posterior sd",
    "lower_95": "95% lower",
    "upper_95": "95% upper",
    "shrinkage": "shrinkage B_j",
    "truth": "truth",
}
"""Column key -> heading. `n` appears only when the data carry group sizes, `count` and
`exposure` only with counts, `truth` only when the data carry it."""

INVERSE_LINKS = {
    "logit": lambda mu: 1.0 / (1.0 + math.exp(-mu)),
    "log": math.exp,
}
"""A link-scale model's link -> its inverse, the population's median rate from mu."""

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
    label, kind, link : for models other than the normal-population ones (`models.Model`):
        the model in words, its key, and the scale of mu and tau ("logit", "log").
    """

    columns: dict[str, np.ndarray]
    tau2: float
    mu: float
    mu_se: float
    method: str | None
    nu: float | None = None
    label: str | None = None
    kind: str | None = None
    link: str = "identity"

    @property
    def population(self) -> str:
        """The model's key: "normal", "student-t", "binomial" or "poisson"."""
        if self.kind is not None:
            return self.kind
        return "normal" if self.nu is None else "student-t"

    @property
    def model(self) -> str:
        """The model and estimator in words: `label`, else `model_label(method, nu)`."""
        return self.label if self.label is not None else model_label(self.method, self.nu)


def group_table(
    data: GroupData,
    fit: PoolingEstimate,
    method: str | None = None,
    nu: float | None = None,
    *,
    label: str | None = None,
    kind: str | None = None,
    link: str = "identity",
) -> GroupTable:
    """Tabulate a partial-pooling fit of `data`.

    se_j = sqrt(v_j) is the standard error of the no-pooling estimate y_j. The 95% interval is
    `fit.interval()`: theta_hat_j +/- 1.96 sd_j unless the fit gives its own. Under the Normal
    population (nu None) that is the normal posterior of theta_j given tau (its variance
    includes the uncertainty of mu_hat; BDA3 section 5.4). Under a Student-t population
    (`partial_pool_t`) sd_j is the posterior sd given (mu, tau), and the posterior is a scale
    mixture of normals, so the interval is its normal approximation. For rates from counts it
    is the posterior's 2.5% and 97.5% quantiles. `mu_se` is `fit.mu_se`: NaN where it is not
    known. `method` and `nu`, or `label`, `kind` and `link`, say what gave the fit.
    """
    lower, upper = fit.interval()
    columns = {"group": data.labels}
    if data.counts is not None:
        columns["count"] = data.counts.y
    if data.n is not None:
        columns["n"] = data.n
    if data.counts is not None and data.counts.kind == "poisson":
        columns["exposure"] = data.counts.n
    columns |= {
        "no_pool": data.y,
        "se": np.sqrt(data.v),
        "partial_pool": fit.theta,
        "sd": fit.sd,
        "lower_95": lower,
        "upper_95": upper,
        "shrinkage": fit.shrinkage,
    }
    if data.truth is not None:
        columns["truth"] = data.truth
    return GroupTable(columns, fit.tau2, float(fit.mu), fit.mu_se, method, nu, label, kind, link)


def fit_lines(table: GroupTable) -> list[str]:
    """The fit in three lines: the model and estimator (`GroupTable.model`), tau^2 and tau, and
    mu with its standard error ("not available" when NaN), on the link scale with the rate
    it gives where there is a link. The CSV and text begin with them."""
    se = "not available" if math.isnan(table.mu_se) else f"{table.mu_se:.6g}"
    scale, rate = "", ""
    if table.link in INVERSE_LINKS:
        scale = f" on the {table.link} scale"
        if math.isfinite(table.mu):
            rate = f"; rate {INVERSE_LINKS[table.link](table.mu):.6g}"
    return [
        table.model,
        f"tau2 = {table.tau2:.6g}; tau = {math.sqrt(table.tau2):.6g}{scale}",
        f"mu = {table.mu:.6g} (se {se}){scale}{rate}",
    ]


def to_csv(table: GroupTable) -> str:
    """The table as CSV, headed by three comment lines: the model, tau^2 and mu.

    Numbers are written in full precision and text is quoted (so a '#' in a label is not
    taken for a comment); read it back with `pandas.read_csv(f, comment="#")`. Text that a
    spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return) is
    written with a leading ' (OWASP, "CSV Injection").
    """
    out = io.StringIO()
    for line in fit_lines(table):
        out.write(f"# {line}\n")
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(table.columns)
    columns = [[defused(x) for x in column.tolist()] for column in table.columns.values()]
    writer.writerows(zip(*columns, strict=True))
    return out.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defused(cell: object) -> object:
    """A text cell that a spreadsheet would take for a formula, with a leading '; else as is.

    >>> defused("=HYPERLINK(1)"), defused("-2"), defused(-2.0), defused("north")
    ("'=HYPERLINK(1)", "'-2", -2.0, 'north')
    """
    return "'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell


def to_json(table: GroupTable) -> str:
    """The table as a JSON object: model (in words), population (the model's key), link (the
    scale of mu and tau), nu, method, tau2, tau, mu, mu_se and a list of group records. nu is
    null except under a Student-t population, method when tau was given, mu_se when it is not
    available."""
    records = [
        {key: _plain(x) for key, x in zip(table.columns, row, strict=True)}
        for row in zip(*table.columns.values(), strict=True)
    ]
    document = {
        "model": table.model,
        "population": table.population,
        "link": table.link,
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
