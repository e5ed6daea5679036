"""The `partialpool` command: fit in every format and method, the CSV layouts, errors, simulate."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import VIECHTBAUER_TAU2, read_columns

import partialpool
from partialpool import TAU2_METHODS, estimate_tau2, partial_pool, summarize
from partialpool.cli import main

PUBLISHED_TAU2 = VIECHTBAUER_TAU2


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run the command in-process; return its standard output and check that standard error
    holds no more than the one line naming the columns read."""
    assert main(list(argv)) == 0
    out, err = capsys.readouterr()
    assert err == "" or (err.startswith("partialpool: columns ") and err.count("\n") == 1)
    return out


def fails(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run the command expecting exit status 2 and no output; return standard error."""
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    return err


def write(tmp_path: Path, text: str, name: str = "data.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def viechtbauer_file(tmp_path: Path) -> tuple[str, np.ndarray, np.ndarray]:
    """Viechtbauer (2005) example 1 as a group,estimate,se file, with the y and v it holds."""
    cols = read_columns("viechtbauer2005_example1.csv")
    se = [repr(math.sqrt(float(vi))) for vi in cols["vi"]]
    lines = [f"study {s},{yi},{e}" for s, yi, e in zip(cols["study"], cols["yi"], se, strict=True)]
    path = write(tmp_path, "group,estimate,se\n" + "\n".join(lines) + "\n")
    return path, np.array(cols["yi"], dtype=float), np.array(se, dtype=float) ** 2


# --- fit: formats ------------------------------------------------------------------------------


def test_fit_csv_matches_partial_pool(capsys, viechtbauer_file):
    path, y, v = viechtbauer_file
    out = run(capsys, "fit", path, "--format", "csv")
    table = pd.read_csv(io.StringIO(out), comment="#")
    tau2 = estimate_tau2(y, v, "HE")
    expected = partial_pool(y, v, tau2)
    assert list(table["group"]) == [f"study {j}" for j in range(1, 11)]
    np.testing.assert_array_equal(table["no_pool"], y)
    np.testing.assert_allclose(table["partial_pool"], expected.theta, rtol=1e-15)
    np.testing.assert_allclose(table["sd"], expected.sd, rtol=1e-15)
    assert out.startswith(f"# Normal population, tau^2 by HE\n# tau2 = {tau2:.6g}; ")


def test_fit_json_carries_the_estimated_tau2(capsys, viechtbauer_file):
    path, y, v = viechtbauer_file
    doc = json.loads(run(capsys, "fit", path, "--format", "json", "--method", "REML"))
    assert doc["method"] == "REML"
    assert (doc["model"], doc["population"], doc["nu"]) == (
        "Normal population, tau^2 by REML",
        "normal",
        None,
    )
    assert doc["tau2"] == pytest.approx(estimate_tau2(y, v, "REML"), rel=1e-12)
    assert round(doc["tau2"], 4) == PUBLISHED_TAU2["REML"]
    assert doc["tau"] == pytest.approx(math.sqrt(doc["tau2"]), rel=1e-15)
    fit = partial_pool(y, v, doc["tau2"])
    assert doc["mu"] == pytest.approx(fit.mu, rel=1e-15)
    assert doc["mu_se"] == pytest.approx(fit.mu_se, rel=1e-15)
    assert len(doc["groups"]) == 10
    assert doc["groups"][0]["group"] == "study 1"


def test_fit_table_has_the_fit_lines_and_one_line_per_group(capsys, viechtbauer_file):
    path, y, v = viechtbauer_file
    lines = run(capsys, "fit", path).splitlines()
    tau2 = estimate_tau2(y, v, "HE")
    fit = partial_pool(y, v, tau2)
    assert lines[0] == "Normal population, tau^2 by HE"
    assert lines[1].startswith("tau2 = ")
    assert float(lines[1].split()[2].rstrip(";")) == pytest.approx(tau2, rel=1e-5)
    assert round(float(lines[1].split()[2].rstrip(";")), 4) == PUBLISHED_TAU2["HE"]
    mu, se = lines[2].removeprefix("mu = ").removesuffix(")").split(" (se ")
    assert float(mu) == pytest.approx(fit.mu, rel=1e-5)
    assert float(se) == pytest.approx(fit.mu_se, rel=1e-5)
    assert lines[4].split()[:2] == ["group", "no"]
    rows = lines[5:]
    assert [row.split("  ")[0].strip() for row in rows] == [f"study {j}" for j in range(1, 11)]


@pytest.mark.parametrize("method", list(TAU2_METHODS))
def test_every_method_gives_estimate_tau2(capsys, viechtbauer_file, method):
    path, y, v = viechtbauer_file
    doc = json.loads(run(capsys, "fit", path, "--format", "json", "--method", method))
    assert doc["method"] == method
    assert doc["model"] == f"Normal population, tau^2 by {method}"
    assert doc["tau2"] == pytest.approx(estimate_tau2(y, v, method), rel=1e-12, abs=1e-15)
    if method in PUBLISHED_TAU2:
        assert round(doc["tau2"], 4) == PUBLISHED_TAU2[method]


def test_method_is_case_insensitive(capsys, viechtbauer_file):
    path, y, v = viechtbauer_file
    doc = json.loads(run(capsys, "fit", path, "--format", "json", "--method", "reml"))
    assert doc["method"] == "REML"
    assert doc["tau2"] == pytest.approx(estimate_tau2(y, v, "REML"), rel=1e-12)


def test_given_tau2_is_used_as_is(capsys, viechtbauer_file):
    path, y, v = viechtbauer_file
    doc = json.loads(run(capsys, "fit", path, "--tau2", "0.5", "--format", "json"))
    assert doc["method"] is None
    assert doc["tau2"] == 0.5
    assert doc["tau"] == pytest.approx(math.sqrt(0.5), rel=1e-15)
    theta = [g["partial_pool"] for g in doc["groups"]]
    np.testing.assert_allclose(theta, partial_pool(y, v, 0.5).theta, rtol=1e-15)
    # the given value wins over --method
    doc = json.loads(run(capsys, "fit", path, "--tau2", "0", "--method", "DL", "--format", "json"))
    assert (doc["method"], doc["tau2"]) == (None, 0.0)
    assert doc["model"] == "Normal population, tau^2 given"
    table = run(capsys, "fit", path, "--tau2", "0.25")
    assert table.startswith("Normal population, tau^2 given\ntau2 = 0.25; tau = 0.5\n")


# --- fit: the CSV layouts ----------------------------------------------------------------------

# Long layout by hand: a = 1, 2, 3 (mean 2, SS 2); b = 4, 6 (mean 5, SS 2);
# c = 7, 7.5, 8.5, 9 (mean 8, SS 2.5). Pooled s^2 = 6.5 / (9 - 3).
LONG = "group,value\na,1\na,2\nb,4\nc,7\na,3\nb,6\nc,7.5\nc,8.5\nc,9\n"
LONG_S2 = 6.5 / 6


def test_long_layout_pools_the_within_group_variance(capsys, tmp_path):
    doc = json.loads(run(capsys, "fit", write(tmp_path, LONG), "--format", "json"))
    groups = doc["groups"]
    assert [g["group"] for g in groups] == ["a", "b", "c"]
    assert [g["n"] for g in groups] == [3, 2, 4]
    np.testing.assert_allclose([g["no_pool"] for g in groups], [2.0, 5.0, 8.0], rtol=1e-15)
    v = LONG_S2 / np.array([3.0, 2.0, 4.0])
    assert doc["tau2"] == pytest.approx(estimate_tau2([2.0, 5.0, 8.0], v), rel=1e-14)
    assert "truth" not in groups[0]


def test_long_layout_with_truth(capsys, tmp_path):
    text = "group,value,truth\na,1,1.5\na,3,1.5\nb,4,5.25\nb,6,5.25\n"
    doc = json.loads(run(capsys, "fit", write(tmp_path, text), "--format", "json"))
    assert [g["truth"] for g in doc["groups"]] == [1.5, 5.25]
    assert [g["n"] for g in doc["groups"]] == [2, 2]


def test_estimate_se_layout_with_truth(capsys, tmp_path):
    text = "group,estimate,se,truth\nx,1,0.5,0.8\ny,3,2,2.5\nz,-1,1,0\n"
    doc = json.loads(run(capsys, "fit", write(tmp_path, text), "--format", "json", "--tau2", "1"))
    fit = partial_pool([1.0, 3.0, -1.0], [0.25, 4.0, 1.0], 1.0)
    np.testing.assert_allclose([g["partial_pool"] for g in doc["groups"]], fit.theta, rtol=1e-15)
    assert [g["truth"] for g in doc["groups"]] == [0.8, 2.5, 0.0]
    assert "n" not in doc["groups"][0]


def test_mean_sd_n_layout(capsys, tmp_path):
    # v_j = sd_j^2 / n_j: 4 / 4 = 1 and 9 / 36 = 0.25; columns in any order and case
    text = "N,Mean,SD,Group\n4,1.0,2,first\n36,2.0,3,second\n5,-1,1,third\n"
    doc = json.loads(run(capsys, "fit", write(tmp_path, text), "--format", "json", "--tau2", "2"))
    fit = partial_pool([1.0, 2.0, -1.0], [1.0, 0.25, 0.2], 2.0)
    np.testing.assert_allclose([g["partial_pool"] for g in doc["groups"]], fit.theta, rtol=1e-15)
    np.testing.assert_allclose([g["shrinkage"] for g in doc["groups"]], [1 / 3, 1 / 9, 1 / 11])
    assert [g["n"] for g in doc["groups"]] == [4, 36, 5]
    assert "truth" not in doc["groups"][0]


def test_mean_sd_n_layout_with_truth_in_the_table(capsys, tmp_path):
    text = "group,mean,sd,n,truth\nfirst,1,2,4,0.5\nsecond,2,3,36,2.5\n"
    lines = run(capsys, "fit", write(tmp_path, text), "--tau2", "1").splitlines()
    assert lines[4].split()[-1] == "truth"
    assert lines[4].startswith("group   n_j")
    assert lines[5].split()[1:2] == ["4"] and lines[5].split()[-1] == "0.5"
    assert lines[6].split()[-1] == "2.5"


def test_byte_order_mark_and_crlf_line_ends(capsys, tmp_path):
    # a = 1, 2 and b = 4, 6: pooled s^2 = (0.5 + 2) / (4 - 2) = 1.25, v_j = 0.625;
    # HE: S^2(y) - mean(v) = (5 - 1.5)^2 / 2 - 0.625 = 5.5
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbfGroup,Value\r\na,1\r\na,2\r\nb,4\r\nb,6\r\n")
    doc = json.loads(run(capsys, "fit", str(path), "--format", "json"))
    assert [g["group"] for g in doc["groups"]] == ["a", "b"]
    assert doc["tau2"] == pytest.approx(5.5, rel=1e-14)


def test_eight_schools_by_name(capsys):
    # Gelman et al. (2013), BDA3 section 5.5, and ../shared/data/README.md: REML gives tau2 = 0,
    # so every school gets the precision-weighted grand mean 7.6856 with standard error 4.0719.
    doc = json.loads(run(capsys, "fit", "eight_schools", "--method", "REML", "--format", "json"))
    assert doc["tau2"] == 0.0
    assert doc["mu"] == pytest.approx(7.6856, abs=5e-5)
    assert doc["mu_se"] == pytest.approx(4.0719, abs=5e-5)
    assert len(doc["groups"]) == 8
    assert doc["groups"][0]["group"] == "school A"
    np.testing.assert_allclose([g["partial_pool"] for g in doc["groups"]], doc["mu"], rtol=1e-15)
    np.testing.assert_allclose([g["sd"] for g in doc["groups"]], doc["mu_se"], rtol=1e-15)
    table = run(capsys, "fit", "eight_schools", "--method", "REML")
    assert table.splitlines()[:3] == [
        "Normal population, tau^2 by REML",
        "tau2 = 0; tau = 0",
        "mu = 7.68562 (se 4.07192)",
    ]


def test_efron_morris_by_name_has_n_and_truth(capsys):
    # Efron and Morris (1975), JASA 70:311-319, Table 1: 18 players, 45 at-bats each, grand
    # average .265; Clemente hit .400 in his first 45 at-bats and .346 in the rest of the season.
    doc = json.loads(run(capsys, "fit", "efron_morris", "--model", "normal", "--format", "json"))
    groups = doc["groups"]
    assert len(groups) == 18
    assert {g["n"] for g in groups} == {45}
    assert round(doc["mu"], 3) == 0.265
    assert groups[0]["group"] == "Roberto Clemente"
    assert round(groups[0]["no_pool"], 3) == 0.400
    assert groups[0]["truth"] == 0.346


def test_counts_get_their_own_model_unless_told(capsys, tmp_path):
    # lme4's glmer(..., nAGQ = 25) on the surgical data: mu -2.5439621, tau 0.3577006
    # (tests/reference/link_normal_lme4.R)
    doc = json.loads(run(capsys, "fit", "surgical", "--format", "json"))
    assert (doc["population"], doc["link"]) == ("binomial", "logit")
    assert doc["mu"] == pytest.approx(-2.5439621172, abs=1e-4)
    assert doc["tau"] == pytest.approx(0.3577005510, abs=1e-4)
    assert [g["count"] for g in doc["groups"]][:2] == [0, 18]
    assert all(g["lower_95"] < g["partial_pool"] < g["upper_95"] for g in doc["groups"])
    table = run(capsys, "fit", "pumps")
    assert (
        table.splitlines()[0] == "Poisson counts, log-normal population, mu and tau by marginal ML"
    )
    normal = json.loads(run(capsys, "fit", "surgical", "--model", "normal", "--format", "json"))
    assert normal["population"] == "normal"
    path = write(tmp_path, "group,successes,trials\na,0,47\nb,18,148\nc,8,119\n")
    doc = json.loads(run(capsys, "fit", path, "--format", "json"))
    assert doc["population"] == "binomial" and doc["groups"][0]["n"] == 47


def test_a_model_that_does_not_fit_the_data_is_named(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["fit", "surgical", "--model", "poisson"])
    assert stop.value.code == 2
    assert capsys.readouterr().err == (
        "partialpool: error: The Poisson counts model needs counts over an exposure; "
        "Surgical mortality (12 hospitals) has successes out of trials.\n"
    )


def test_a_file_named_like_a_data_set_is_read_as_a_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "group,estimate,se\np,0,1\nq,2,1\n", name="eight_schools")
    doc = json.loads(run(capsys, "fit", "eight_schools", "--format", "json"))
    assert [g["group"] for g in doc["groups"]] == ["p", "q"]
    assert doc["mu"] == 1.0


# --- fit: bad input ----------------------------------------------------------------------------


def assert_one_line(err: str, message: str) -> None:
    assert err.startswith("partialpool: error: ")
    assert err.endswith("\n") and err.count("\n") == 1
    assert message in err


def test_missing_file(capsys, tmp_path):
    path = str(tmp_path / "absent.csv")
    err = fails(capsys, "fit", path)
    assert_one_line(err, f"cannot read {path}: No such file or directory")


def test_unknown_data_set_name_is_a_missing_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert_one_line(fails(capsys, "fit", "nine_schools"), "cannot read nine_schools")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("group,val\na,1\n", "The columns are: group, val. Name them with --group COL"),
        ("group,value\na,1\na,2\n\nb,x\nb,4\n", "line 5: value 'x' is not a number"),
        ("group,value\na,1\na,2\nb,\nb,4\n", "line 4: value is empty"),
        ("group,estimate,se\na,1,1\n", "the data have one group ('a'); partial pooling needs"),
        ("group,value\na,1\na,2\na,3\n", "the data have one group ('a')"),
        ("group,estimate,se\na,1,1\nb,2,-1\n", "line 3: se must be > 0; got '-1'"),
        ("group,mean,sd,n\na,1,1,2\nb,2,1,2.5\n", "line 3: n must be a whole number from 1 to"),
        ("group,estimate,se\na,1,1\na,2,1\n", "line 3: group 'a' appears twice"),
        ("group,value,truth\na,1,0\na,2,1\nb,3,0\nb,4,0\n", "line 3: truth is 1 but an earlier"),
        ("group,value\na,1\nb,2\n", "every group has one observation"),
        ("group,value\na,1,9\nb,2\n", "line 2: expected 2 fields (group,value), found 3"),
        ("", "the file is empty"),
        ("group,value\n", "the table has a header but no data rows"),
        # The core's safe range, with the core's message (issue 14): se = 1e-160 underflows
        # v = se^2 to a subnormal number; the spread of 1e100 standard errors is out of range.
        ("group,estimate,se\na,1,1e-160\nb,2,1\n", "group 'a': v must be >= 1e-305"),
        ("group,estimate,se\na,1e100,1\nb,2,1\n", "group 'a': y must span at most 1e+50"),
    ],
)
def test_bad_file_is_one_line_on_stderr(capsys, tmp_path, text, message):
    err = fails(capsys, "fit", write(tmp_path, text))
    assert_one_line(err, message)


def test_not_utf8(capsys, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("group,value\nZürich,1\nZürich,2\nb,3\nb,4\n".encode("latin-1"))
    assert_one_line(fails(capsys, "fit", str(path)), "the file is not UTF-8 text (byte 0xfc")


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--method", "foo"], "argument --method: invalid choice: 'FOO'"),
        (["--tau2", "-1"], "argument --tau2: must be a finite number >= 0; got '-1'"),
        (["--tau2", "nan"], "argument --tau2: must be a finite number >= 0; got 'nan'"),
        (["--tau2", "abc"], "argument --tau2: must be a finite number >= 0; got 'abc'"),
        (["--format", "xml"], "argument --format: invalid choice: 'xml'"),
        (["--model", "gamma"], "argument --model: invalid choice: 'gamma'"),
        (["--nu", "0.5"], "argument --nu: must be a number >= 1 (or inf); got '0.5'"),
    ],
)
def test_bad_option_exits_2_naming_the_option(capsys, tmp_path, option, message):
    err = fails(capsys, "fit", write(tmp_path, LONG), *option)
    assert_one_line(err, message)  # like a bad file: one line, no usage dump


# --- simulate ----------------------------------------------------------------------------------


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_simulate_writes_groups_times_n_rows(capsys):
    table = rows(run(capsys, "simulate", "--groups", "5", "--n", "3", "--seed", "1"))
    assert table[0] == ["group", "value"]
    assert len(table) - 1 == 15
    labels = [r[0] for r in table[1:]]
    assert sorted(set(labels)) == ["g1", "g2", "g3", "g4", "g5"]
    assert all(labels.count(g) == 3 for g in set(labels))


def test_simulate_writes_the_simulation_in_full_precision(capsys):
    # the command's defaults are tau 0.5, mu 0, sigma 1
    table = rows(run(capsys, "simulate", "--groups", "4", "--n", "2", "--seed", "9", "--truth"))
    sim = partialpool.simulate(4, 2, 0.5, 0.0, 1.0, seed=9)
    assert table[0] == ["group", "value", "truth"]
    assert [r[0] for r in table[1:]] == [f"g{j + 1}" for j in sim.groups]
    np.testing.assert_array_equal([float(r[1]) for r in table[1:]], sim.values)
    np.testing.assert_array_equal([float(r[2]) for r in table[1:]], sim.theta[sim.groups])


def test_simulate_truth_is_constant_within_each_group(capsys):
    table = rows(run(capsys, "simulate", "--groups", "6", "--seed", "2", "--truth"))
    truth: dict[str, set[str]] = {}
    for group, _, t in table[1:]:
        truth.setdefault(group, set()).add(t)
    assert len(truth) == 6
    assert all(len(t) == 1 for t in truth.values())
    assert len({t for ts in truth.values() for t in ts}) == 6


def test_simulate_seed_is_reproducible(capsys):
    first = run(capsys, "simulate", "--seed", "7")
    assert run(capsys, "simulate", "--seed", "7") == first
    assert run(capsys, "simulate", "--seed", "8") != first
    assert run(capsys, "simulate") != run(capsys, "simulate")


def test_simulate_group_sizes_from_a_range(capsys):
    table = rows(run(capsys, "simulate", "--groups", "40", "--n-range", "3", "5", "--seed", "4"))
    sizes = np.unique([r[0] for r in table[1:]], return_counts=True)[1]
    assert sizes.size == 40
    assert set(sizes) == {3, 4, 5}
    default = rows(run(capsys, "simulate", "--groups", "60", "--seed", "4"))
    sizes = np.unique([r[0] for r in default[1:]], return_counts=True)[1]
    assert sizes.min() >= 2 and sizes.max() <= 40  # the documented default range 2..40


def test_simulate_writes_in_chunks_without_changing_the_output(capsys, monkeypatch):
    whole = run(capsys, "simulate", "--groups", "5", "--n", "3", "--seed", "5", "--truth")
    monkeypatch.setattr("partialpool.cli.WRITE_ROWS", 4)
    assert run(capsys, "simulate", "--groups", "5", "--n", "3", "--seed", "5", "--truth") == whole


def test_simulate_output_file(capsys, tmp_path):
    path = tmp_path / "sim.csv"
    assert run(capsys, "simulate", "--seed", "3", "--output", str(path)) == ""
    assert path.read_text(encoding="utf-8") == run(capsys, "simulate", "--seed", "3")
    assert run(capsys, "simulate", "--seed", "3", "-o", str(path), "--n", "2") == ""
    assert len(rows(path.read_text(encoding="utf-8"))) == 1 + 8 * 2


def test_simulate_then_fit(capsys, tmp_path):
    path = str(tmp_path / "sim.csv")
    run(capsys, "simulate", "--groups", "6", "--n", "4", "--seed", "3", "--truth", "-o", path)
    doc = json.loads(run(capsys, "fit", path, "--format", "json"))
    sim = partialpool.simulate(6, 4, 0.5, seed=3)
    groups = doc["groups"]
    assert [g["group"] for g in groups] == [f"g{j}" for j in range(1, 7)]
    assert [g["n"] for g in groups] == [4] * 6
    np.testing.assert_array_equal([g["truth"] for g in groups], sim.theta)
    means = np.bincount(sim.groups, weights=sim.values) / 4
    np.testing.assert_allclose([g["no_pool"] for g in groups], means, rtol=1e-13)
    table = run(capsys, "fit", path, "--format", "csv")
    assert len(pd.read_csv(io.StringIO(table), comment="#")) == 6


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--sigma", "0"], "sigma must be > 0; got sigma == 0.0"),
        (["--mu", "inf"], "mu must be finite; got mu == inf"),
        (["--n-range", "5", "2"], "n range must have low <= high; got (5, 2)"),
    ],
)
def test_simulate_bad_parameter_is_one_line(capsys, argv, message):
    assert_one_line(fails(capsys, "simulate", *argv), message)


def test_simulate_output_in_a_missing_folder(capsys, tmp_path):
    err = fails(capsys, "simulate", "-o", str(tmp_path / "no" / "sim.csv"))
    assert_one_line(err, "No such file or directory")


def test_simulate_bad_parameter_leaves_the_output_file_alone(capsys, tmp_path):
    path = tmp_path / "keep.csv"
    path.write_text("group,value\na,1\n", encoding="utf-8")
    assert_one_line(fails(capsys, "simulate", "--sigma", "-1", "-o", str(path)), "sigma")
    assert path.read_text(encoding="utf-8") == "group,value\na,1\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--groups", "0"], "argument --groups: must be a whole number >= 1; got '0'"),
        (["--n", "2", "--n-range", "1", "3"], "argument --n-range: not allowed with argument --n"),
        (["--tau", "-1"], "argument --tau: must be a finite number >= 0; got '-1'"),
    ],
)
def test_simulate_bad_option_exits_2(capsys, argv, message):
    assert_one_line(fails(capsys, "simulate", *argv), message)


# --- the installed command ---------------------------------------------------------------------


def test_console_script_is_installed():
    beside = Path(sys.executable).parent / "partialpool"
    script = str(beside) if beside.exists() else shutil.which("partialpool")
    assert script, "the partialpool console script is not installed"
    done = subprocess.run(
        [script, "fit", "eight_schools", "--method", "REML"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    # BDA3 / ../shared/data/README.md: precision-weighted grand mean 7.6856, se 4.0719
    assert done.stdout.splitlines()[:3] == [
        "Normal population, tau^2 by REML",
        "tau2 = 0; tau = 0",
        "mu = 7.68562 (se 4.07192)",
    ]


def test_a_reader_that_stops_early_ends_the_command_quietly():
    command = [sys.executable, "-m", "partialpool.cli", "simulate", "--groups", "4000", "--n", "50"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout.readline() == b"group,value\n"
        process.stdout.close()  # like `| head -1`
        error = process.stderr.read()
        process.wait(timeout=120)
    assert error == b"" and process.returncode == 1


# --- fit: your own column names, Parquet, big files ---------------------------------------------

SHIPPED = ["eight_schools", "efron_morris_1975", "rat_tumors", "surgical", "pumps"]


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_csv_reads_as_it_ships(capsys, name):
    from importlib.resources import files

    path = str(files("partialpool.datasets").joinpath(f"{name}.csv"))
    truth = ["--truth", "avg_rest"] if name == "efron_morris_1975" else []
    assert main(["fit", path, *truth, "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    assert err.startswith("partialpool: columns group=") and err.count("\n") == 1
    dataset = {"efron_morris_1975": "efron_morris"}.get(name, name)
    assert main(["fit", dataset, "--format", "csv"]) == 0
    same, _ = capsys.readouterr()
    # the file gives the numbers of the bundled data set (whose labels may be dressed up)
    rows = [line.split(",")[1:] for line in out.splitlines() if not line.startswith("#")]
    assert rows == [line.split(",")[1:] for line in same.splitlines() if not line.startswith("#")]


def test_the_mapping_used_is_printed_on_stderr(capsys, tmp_path):
    path = write(tmp_path, "study,yi,vi\n1,0.5,0.04\n2,0.1,0.09\n3,0.3,0.01\n")
    main(["fit", path])
    out, err = capsys.readouterr()
    assert err == (
        "partialpool: columns group=study, estimate=yi, variance=vi "
        "(one row per group: an estimate and its sampling variance)\n"
    )
    assert "0.04" not in err and "no pooling" in out


@pytest.mark.parametrize(
    ("header", "options", "expect"),
    [
        ("k,x", ["--group", "k", "--value", "x"], "group=k, value=x"),
        ("k,e,s", ["--group", "k", "--estimate", "e", "--se", "s"], "estimate=e, se=s"),
        ("k,e,s", ["--group", "k", "--estimate", "e", "--variance", "s"], "variance=s"),
        ("k,m,s,c", ["--group", "k", "--mean", "m", "--sd", "s", "--n", "c"], "sd=s, n=c"),
        ("k,a,b", ["--group", "k", "--successes", "a", "--trials", "b"], "trials=b"),
        ("k,a,b", ["--group", "k", "--count", "a", "--exposure", "b"], "exposure=b"),
    ],
)
def test_every_layout_can_be_named_on_the_command_line(capsys, tmp_path, header, options, expect):
    rows = {
        2: "a,1\na,2\nb,3\nb,5\n",
        3: "a,1,2\nb,3,4\nc,2,9\n",
        4: "a,1,2,4\nb,3,1,9\n",
    }[header.count(",") + 1]
    path = write(tmp_path, f"{header},t\n" + "".join(f"{r},0.5\n" for r in rows.split()))
    assert main(["fit", path, *options, "--truth", "t", "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    assert expect in err and "truth=t" in err
    assert (
        "truth" in out.splitlines()[[not x.startswith("#") for x in out.splitlines()].index(True)]
    )


def test_columns_that_cannot_be_told_apart_exit_2_listing_them_and_the_options(capsys, tmp_path):
    err = fails(capsys, "fit", write(tmp_path, "id,name,y\na,b,1\n"))
    assert_one_line(err, "group could be id or name. The columns are: id, name, y.")
    assert "--group COL" in err and "--estimate COL with --se COL or --variance COL" in err
    err = fails(capsys, "fit", write(tmp_path, "a,b\nx,1\n"), "--group", "a", "--value", "z")
    assert_one_line(err, "there is no column 'z'")


def test_parquet_through_the_command_line(capsys, tmp_path):
    duckdb = pytest.importorskip("duckdb", reason="the data extra (duckdb) is not installed")
    csv_path = write(tmp_path, "school,effect,se\nA,28,15\nB,8,10\nC,-3,16\nD,7,11\n")
    parquet = tmp_path / "schools.parquet"
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{csv_path}')) TO '{parquet}' (FORMAT parquet)")
    assert run(capsys, "fit", str(parquet), "--format", "csv") == run(
        capsys, "fit", csv_path, "--format", "csv"
    )


def test_a_million_rows_through_the_command_line(capsys, tmp_path):
    path = tmp_path / "big.csv"
    assert main(["simulate", "--groups", "50", "--n", "20000", "--seed", "4", "-o", str(path)]) == 0
    assert sum(1 for _ in path.open()) == 1_000_001
    rows = np.loadtxt(path, delimiter=",", skiprows=1, dtype=str)
    summary = summarize(rows[:, 1].astype(float), rows[:, 0])
    table = pd.read_csv(io.StringIO(run(capsys, "fit", str(path), "--format", "csv")), comment="#")
    np.testing.assert_array_equal(table["group"], summary.labels)
    np.testing.assert_allclose(table["no_pool"], summary.ybar, rtol=1e-12)
    np.testing.assert_allclose(table["se"], np.sqrt(summary.v), rtol=1e-12)


def test_export_writes_one_page_that_links_nothing_off_the_disk(capsys, tmp_path):
    path = tmp_path / "class.html"
    assert main(["export", "--html", str(path), "eight_schools", "--tau", "4"]) == 0
    err = capsys.readouterr().err
    assert err.startswith(f"partialpool: wrote {path} (") and "Eight schools" in err
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "Eight schools (Rubin 1981)" in text
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", text)
    assert tags and not [t for t in tags if re.search(r"(?:src|href)=[\"']?(?:https?:)?//", t)]
    # stylesheets inline, none linked (Panel links its own on its CDN)
    assert '"name":"InlineStyleSheet"' in text and '"name":"ImportedStyleSheet"' not in text


def test_export_refuses_a_tau_beyond_the_slider(capsys, tmp_path):
    message = fails(capsys, "export", "--html", str(tmp_path / "x.html"), "--tau", "100")
    assert "--tau must be between 0 and 3, the slider's end for these data" in message
    assert not (tmp_path / "x.html").exists()


def test_serve_without_a_file_serves_the_simulated_groups(capsys, monkeypatch):
    import partialpool.app.serve as app_serve

    served = []
    monkeypatch.setattr(app_serve, "serve", lambda *args: served.append(args))
    argv = ["serve", "--port", "5123", "--num-procs", "2", "--allow-websocket-origin", "pc7"]
    assert main(argv) == 0
    assert served == [(None, "", "127.0.0.1", 5123, False, 2, ["pc7"])]
    assert main(["serve", "eight_schools"]) == 0
    data, used, *rest = served[1]
    assert used == ""  # a bundled data set: no columns to name
    assert data.J == 8 and rest == ["127.0.0.1", 5006, False, 1, []]


def test_serve_refuses_a_negative_count_of_processes(capsys):
    message = fails(capsys, "serve", "--num-procs", "-1")
    assert "argument --num-procs: must be a whole number >= 0; got '-1'" in message
