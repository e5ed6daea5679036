"""The results table: its columns, the 95% interval, and the CSV, JSON and text renderings."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from partialpool import partial_pool
from partialpool.csvfile import parse_csv
from partialpool.datasets import load
from partialpool.groupdata import GroupData
from partialpool.pooling import Z_95, PoolingEstimate
from partialpool.results import (
    COLUMNS,
    FORMULA_STARTS,
    T_METHOD,
    fit_lines,
    group_table,
    model_label,
    to_csv,
    to_json,
    to_text,
)
from partialpool.student_t import fit_t, partial_pool_t

BASE = ["group", "no_pool", "se", "partial_pool", "sd", "lower_95", "upper_95", "shrinkage"]


def data(**extra: object) -> GroupData:
    """Four groups with unequal variances and labels of unequal length."""
    return GroupData(
        title="test",
        labels=np.array(["a", "group bb", 'c, "quoted"', "dddd"]),
        y=np.array([1.0, -2.5, 1 / 3, 4.0e-5]),
        v=np.array([0.5, 2.0, 0.25, 1.0]),
        **extra,
    )


def table_of(d: GroupData, tau2: float = 0.7, method: str | None = "HE"):
    return group_table(d, partial_pool(d.y, d.v, tau2), method)


# --- columns -----------------------------------------------------------------------------------


def test_columns_without_n_or_truth():
    assert list(table_of(data()).columns) == BASE


def test_se_is_the_standard_error_of_each_no_pool_estimate():
    d = data()
    np.testing.assert_array_equal(table_of(d).columns["se"], np.sqrt(d.v))


def test_n_column_only_when_n_is_known():
    table = table_of(data(n=np.array([3, 10, 7, 1])))
    assert list(table.columns) == ["group", "n", *BASE[1:]]
    np.testing.assert_array_equal(table.columns["n"], [3, 10, 7, 1])


def test_truth_column_only_when_truth_is_known():
    table = table_of(data(truth=np.array([0.9, -2.0, 0.0, 0.1])))
    assert list(table.columns) == [*BASE, "truth"]
    np.testing.assert_array_equal(table.columns["truth"], [0.9, -2.0, 0.0, 0.1])


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("group,value\na,1\na,2\nb,4\nb,7\n", ["group", "n", *BASE[1:]]),
        ("group,value,truth\na,1,0\na,2,0\nb,4,5\nb,7,5\n", ["group", "n", *BASE[1:], "truth"]),
        ("group,estimate,se\na,1,1\nb,3,2\n", BASE),
        ("group,estimate,se,truth\na,1,1,0\nb,3,2,2\n", [*BASE, "truth"]),
        ("group,mean,sd,n\na,1,1,4\nb,3,2,9\n", ["group", "n", *BASE[1:]]),
        ("group,mean,sd,n,truth\na,1,1,4,1\nb,3,2,9,2\n", ["group", "n", *BASE[1:], "truth"]),
    ],
)
def test_columns_follow_the_csv_layout(text, keys):
    d = parse_csv(text)
    assert list(table_of(d).columns) == keys


def test_every_column_has_a_heading():
    table = table_of(data(n=np.array([1, 2, 3, 4]), truth=np.zeros(4)))
    counted = table_of(load("efron_morris"))
    exposed = table_of(load("pumps"))
    assert set(table.columns) | set(counted.columns) | set(exposed.columns) == set(COLUMNS)


def test_bundled_data_sets():
    # eight schools (BDA3 Table 5.2) reports estimates and standard errors only; Efron and
    # Morris (1975) give 45 at-bats per player and the rest-of-season average as truth.
    assert list(table_of(load("eight_schools")).columns) == BASE
    assert list(table_of(load("efron_morris")).columns) == [
        "group",
        "count",
        "n",
        *BASE[1:],
        "truth",
    ]
    assert list(table_of(load("pumps")).columns) == ["group", "count", "exposure", *BASE[1:]]


# --- numbers -----------------------------------------------------------------------------------


def test_interval_is_theta_plus_minus_the_normal_quantile():
    d = data()
    fit = partial_pool(d.y, d.v, 0.7)
    table = group_table(d, fit)
    z = stats.norm.ppf(0.975)  # 1.959963984540054
    assert z == pytest.approx(Z_95, rel=1e-15)
    np.testing.assert_allclose(table.columns["lower_95"], fit.theta - z * fit.sd, rtol=1e-14)
    np.testing.assert_allclose(table.columns["upper_95"], fit.theta + z * fit.sd, rtol=1e-14)


def test_interval_covers_95_percent_of_the_normal_posterior():
    d = data()
    table = table_of(d)
    c = table.columns
    mass = stats.norm.cdf(c["upper_95"], c["partial_pool"], c["sd"]) - stats.norm.cdf(
        c["lower_95"], c["partial_pool"], c["sd"]
    )
    np.testing.assert_allclose(mass, 0.95, rtol=1e-12)


def test_table_numbers_are_the_fit():
    d = data()
    tau2 = 0.7
    table = table_of(d, tau2, "REML")
    # BDA3 eq. 5.17 with the GLS mean: B_j = v_j / (v_j + tau2), mu = sum(y/(v+t)) / sum(1/(v+t))
    w = 1 / (d.v + tau2)
    mu = np.sum(w * d.y) / np.sum(w)
    b = d.v / (d.v + tau2)
    np.testing.assert_allclose(table.columns["shrinkage"], b, rtol=1e-15)
    np.testing.assert_allclose(table.columns["partial_pool"], (1 - b) * d.y + b * mu, rtol=1e-13)
    np.testing.assert_array_equal(table.columns["no_pool"], d.y)
    assert table.mu == pytest.approx(mu, rel=1e-15)
    assert table.mu_se == pytest.approx(1 / math.sqrt(np.sum(w)), rel=1e-15)
    assert (table.tau2, table.method, table.nu, table.population) == (0.7, "REML", None, "normal")


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_round_trips_in_full_precision():
    table = table_of(data(n=np.array([3, 10, 7, 1]), truth=np.array([0.9, -2.0, 1e-300, 0.1])))
    text = to_csv(table)
    back = pd.read_csv(io.StringIO(text), comment="#")
    assert list(back.columns) == list(table.columns)
    assert list(back["group"]) == ["a", "group bb", 'c, "quoted"', "dddd"]
    assert back["n"].dtype.kind == "i"
    # pandas < 3 parses floats to within one unit in the last place by default; Python's
    # float() is correctly rounded, so the text itself must give back every bit
    rows = list(csv.reader(io.StringIO(text.split("\n", 3)[3])))
    for i, (key, column) in enumerate(table.columns.items()):
        if key == "group":
            continue
        np.testing.assert_allclose(back[key], column, rtol=2.3e-16, atol=0, err_msg=key)
        np.testing.assert_array_equal([float(r[i]) for r in rows[1:]], column, err_msg=key)


def test_csv_starts_with_the_fit_as_comments():
    table = table_of(data(), 0.25, "DL")
    lines = to_csv(table).splitlines()
    assert lines[0] == "# Normal population, tau^2 by DL"
    assert lines[1] == "# tau2 = 0.25; tau = 0.5"
    assert lines[2] == f"# mu = {table.mu:.6g} (se {table.mu_se:.6g})"
    assert lines[3] == ",".join(f'"{key}"' for key in BASE)  # text is quoted
    assert len(lines) == 4 + 4


def test_csv_label_with_a_hash_round_trips():
    d = GroupData(title="t", labels=np.array(["team #1", "team #2"]), y=np.zeros(2), v=np.ones(2))
    back = pd.read_csv(io.StringIO(to_csv(table_of(d))), comment="#")
    assert list(back["group"]) == ["team #1", "team #2"]


def test_csv_defuses_labels_a_spreadsheet_would_run_as_formulas():
    labels = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx", "plain", "a=b"]
    d = GroupData(title="t", labels=np.array(labels), y=np.arange(8.0) - 4, v=np.ones(8))
    text = to_csv(table_of(d))
    back = pd.read_csv(io.StringIO(text), comment="#", keep_default_na=False)
    assert list(back["group"]) == [f"'{x}" for x in labels[:6]] + ["plain", "a=b"]
    rows = list(csv.reader(io.StringIO(text.split("\n", 3)[3])))
    assert not any(cell.startswith(FORMULA_STARTS) for row in rows[1:] for cell in row[:1])
    # numbers stay numbers, negative ones too
    np.testing.assert_array_equal(back["no_pool"], d.y)


# --- JSON --------------------------------------------------------------------------------------


def test_json_keys_and_types():
    table = table_of(data(n=np.array([3, 10, 7, 1]), truth=np.array([0.9, -2.0, 0.0, 0.1])))
    doc = json.loads(to_json(table))
    assert list(doc) == [
        "model",
        "population",
        "link",
        "nu",
        "method",
        "tau2",
        "tau",
        "mu",
        "mu_se",
        "groups",
    ]
    assert (doc["model"], doc["population"], doc["nu"]) == (
        "Normal population, tau^2 by HE",
        "normal",
        None,
    )
    assert len(doc["groups"]) == 4
    assert all(list(g) == list(table.columns) for g in doc["groups"])
    assert [g["n"] for g in doc["groups"]] == [3, 10, 7, 1]
    assert all(type(g["n"]) is int for g in doc["groups"])
    assert doc["groups"][2]["group"] == 'c, "quoted"'


def test_json_numbers_are_exact():
    table = table_of(data(), 0.7, "PM")
    doc = json.loads(to_json(table))
    assert doc["method"] == "PM"
    assert doc["tau2"] == 0.7
    assert doc["tau"] == math.sqrt(0.7)
    assert (doc["mu"], doc["mu_se"]) == (table.mu, table.mu_se)
    for key in BASE[1:]:
        np.testing.assert_array_equal([g[key] for g in doc["groups"]], table.columns[key])


def test_json_method_is_null_when_tau2_was_given():
    doc = json.loads(to_json(table_of(data(), 1.0, None)))
    assert (doc["method"], doc["model"]) == (None, "Normal population, tau^2 given")


# --- text --------------------------------------------------------------------------------------


def test_text_lines_are_aligned():
    table = table_of(data(n=np.array([3, 10, 7, 1000]), truth=np.array([0.9, -2.0, 0.0, 0.1])))
    lines = to_text(table).splitlines()
    assert lines[3] == ""
    body = lines[4:]
    assert len(body) == 1 + 4
    assert len({len(line) for line in body}) == 1
    assert body[0].startswith("group        ")  # widest label is 'c, "quoted"', 11 characters
    assert [line[:11].rstrip() for line in body[1:]] == list(data().labels)
    # every number ends in the same column as its heading
    for heading in ("n_j", "partial pooling", "truth"):
        end = body[0].index(heading) + len(heading)
        assert all(line[end - 1] != " " and line[end : end + 1] in ("", " ") for line in body)


def test_text_shows_four_significant_digits():
    table = table_of(data(), 0.7, "HE")
    row = to_text(table).splitlines()[7]  # 'c, "quoted"' (two words), y = 1/3
    assert row.split()[2] == "0.3333"
    assert to_text(table).splitlines()[8].split()[1] == "4e-05"


def test_text_fit_lines():
    given = to_text(table_of(data(), 0.25, None)).splitlines()
    assert given[:2] == ["Normal population, tau^2 given", "tau2 = 0.25; tau = 0.5"]
    estimated = to_text(table_of(data(), 2.0, "REML"))
    assert estimated.splitlines()[:2] == [
        "Normal population, tau^2 by REML",
        "tau2 = 2; tau = 1.41421",
    ]
    assert estimated.splitlines()[2].startswith("mu = ") and " (se " in estimated.splitlines()[2]
    assert estimated.startswith("\n".join(fit_lines(table_of(data(), 2.0, "REML"))) + "\n\n")


# --- the model behind the numbers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "nu", "label"),
    [
        ("REML", None, "Normal population, tau^2 by REML"),
        ("HE", None, "Normal population, tau^2 by HE"),
        (None, None, "Normal population, tau^2 given"),
        (T_METHOD, 4.0, "Student-t(nu = 4) population, mu and tau by marginal ML"),
        (T_METHOD, 2.5, "Student-t(nu = 2.5) population, mu and tau by marginal ML"),
        (None, 30.0, "Student-t(nu = 30) population, tau given, mu by marginal ML"),
    ],
)
def test_model_label_names_the_population_and_the_estimator(method, nu, label):
    assert model_label(method, nu) == label


def student_t_table(tau: float | None = None):
    """The eight schools under a t_4 population at the marginal ML fit (or at a given tau), as
    the app builds it: the fitted mu, whose standard error the core does not give (NaN)."""
    d = load("eight_schools")
    t = fit_t(d.y, d.v, 4.0)
    pooling = t.pooling if tau is None else partial_pool_t(d.y, d.v, tau, 4.0, t.mu)
    fit = PoolingEstimate(
        theta=pooling.theta,
        shrinkage=pooling.shrinkage,
        var=pooling.var,
        mu=t.mu,
        mu_var=math.nan,
        tau2=pooling.tau**2,
    )
    return t, group_table(d, fit, T_METHOD if tau is None else None, nu=4.0)


def test_a_student_t_table_says_so_in_every_format():
    # Before issue 14 the t model's table said "estimated by HE" and "se 0".
    t, table = student_t_table()
    assert (table.population, table.nu, table.method) == ("student-t", 4.0, "marginal ML")
    assert table.tau2 == t.tau**2 and table.mu == t.mu and math.isnan(table.mu_se)
    label = "Student-t(nu = 4) population, mu and tau by marginal ML"
    lines = [
        label,
        f"tau2 = {t.tau**2:.6g}; tau = {t.tau:.6g}",
        f"mu = {t.mu:.6g} (se not available)",
    ]
    assert fit_lines(table) == lines
    assert to_csv(table).splitlines()[:3] == [f"# {line}" for line in lines]
    assert to_text(table).splitlines()[:3] == lines
    doc = json.loads(to_json(table))
    assert (doc["model"], doc["population"], doc["nu"], doc["method"]) == (
        label,
        "student-t",
        4.0,
        "marginal ML",
    )
    assert doc["mu_se"] is None  # not NaN, which is not JSON
    assert doc["tau"] == t.tau and doc["mu"] == t.mu
    for text in (to_csv(table), to_text(table), to_json(table)):
        assert "HE" not in text and "se 0" not in text


def test_a_student_t_table_at_a_given_tau_keeps_the_fitted_mu():
    t, table = student_t_table(tau=3.0)
    assert table.model == "Student-t(nu = 4) population, tau given, mu by marginal ML"
    assert (table.tau2, table.mu) == (9.0, t.mu)
