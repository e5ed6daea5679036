"""`read_data`: CSV and Parquet through DuckDB, the same answers and the same refusals as the
strict CSV reader."""

from __future__ import annotations

import numpy as np
import pytest
from bad_csv import BAD_FILES
from conftest import assert_same_data

import partialpool.files as files
from partialpool import summarize
from partialpool.columns import ColumnError
from partialpool.csvfile import CSVError, read_csv
from partialpool.files import read_data

duckdb = pytest.importorskip("duckdb", reason="the data extra (duckdb) is not installed")


def long_file(tmp_path, rows=5000, groups=37, seed=1, truth=False):
    rng = np.random.default_rng(seed)
    index = rng.integers(0, groups, size=rows)
    values = rng.normal(loc=1e3, scale=5.0, size=rows) + index
    labels = np.char.add("g", index.astype(str))
    path = tmp_path / "long.csv"
    cells = zip(labels.tolist(), values.tolist(), (index * 0.5).tolist(), strict=True)
    header = "Class,Score,truth\n" if truth else "Class,Score\n"
    text = "".join(f"{g},{x!r},{t!r}\n" if truth else f"{g},{x!r}\n" for g, x, t in cells)
    path.write_text(header + text)
    return path, values, labels


def test_raw_observations_are_summarised_in_duckdb_as_summarize_does(tmp_path):
    path, values, labels = long_file(tmp_path, truth=True)
    data = read_data(path, columns={"group": "Class", "value": "Score"})
    summary = summarize(values, labels)
    np.testing.assert_array_equal(data.labels, summary.labels)  # order of first appearance
    np.testing.assert_array_equal(data.n, summary.n)
    np.testing.assert_allclose(data.y, summary.ybar, rtol=1e-12)
    np.testing.assert_allclose(data.v, summary.v, rtol=1e-12)
    assert data.sigma == pytest.approx(summary.sigma, rel=1e-12)
    np.testing.assert_array_equal(data.truth, [float(g[1:]) * 0.5 for g in summary.labels])
    assert_same_data(data, read_csv(path, columns={"group": "Class", "value": "Score"}))


def test_the_fast_path_is_taken(tmp_path, monkeypatch):
    path, _, _ = long_file(tmp_path)

    def no_strict_reading(*args, **kwargs):
        raise AssertionError("a good file went to the strict reader")

    monkeypatch.setattr(files, "read_csv", no_strict_reading)
    assert read_data(path, columns={"group": "Class", "value": "Score"}).J == 37


def test_parquet_gives_what_the_csv_gives(tmp_path):
    path, _, _ = long_file(tmp_path, truth=True)
    parquet = tmp_path / "long.parquet"
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{path}')) TO '{parquet}' (FORMAT parquet)")
    given = {"group": "Class", "value": "Score"}
    assert_same_data(read_data(parquet, columns=given), read_data(path, columns=given))


@pytest.mark.parametrize(
    "text",
    [
        "school,effect,se\nA,28,15\nB,8,10\nC,-3,16\n",
        "study,yi,vi\n1,0.5,0.04\n2,0.1,0.09\n3,0.3,0.01\n",
        "group,mean,sd,n\nA,1.5,2,4\nB,3,1,9\n",
        "hospital,deaths,operations,truth\nA,0,47,0.01\nB,18,148,0.1\nC,8,119,0.07\n",
        "pump,failures,time_khours\n1,5,94.3\n2,1,15.7\n3,5,62.9\n",
    ],
)
def test_one_row_per_group_reads_alike_from_csv_and_parquet(tmp_path, text):
    path = tmp_path / "groups.csv"
    path.write_text(text)
    parquet = tmp_path / "groups.parquet"
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{path}')) TO '{parquet}' (FORMAT parquet)")
    from_csv = read_data(path)
    assert_same_data(from_csv, read_csv(path))
    assert_same_data(read_data(parquet), from_csv)
    assert (from_csv.counts is None) == (read_data(parquet).counts is None)


@pytest.mark.parametrize("content, message", BAD_FILES.values(), ids=BAD_FILES)
def test_bad_csv_files_get_the_strict_readers_message(content, message, tmp_path):
    if message == "partialpool fit FILE.csv":
        return  # the size limit is the app's; files on disk may be any size
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(CSVError) as err:
        read_data(path)
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("select", "message"),
    [
        ("SELECT 'a' AS group, NULL::DOUBLE AS value UNION ALL SELECT 'b', 1", "value is empty"),
        ("SELECT 'a' AS group, 'x' AS value UNION ALL SELECT 'b', '1'", "value is empty or not"),
        ("SELECT 'a' AS group, 'nan'::DOUBLE AS value UNION ALL SELECT 'b', 1", "must be finite"),
        ("SELECT NULL AS group, 1.0 AS value UNION ALL SELECT 'b', 1", "label is empty"),
        (
            "SELECT 'a' AS school, 1.0 AS effect, 0.0 AS se UNION ALL SELECT 'b', 2, 1",
            "row 1: se must be > 0; got '0'",
        ),
        (
            "SELECT * FROM (VALUES ('a', 1.0, 1.0), ('b', 2, 1), ('a', 3, 1)) "
            "t(school, effect, se)",
            "row 3: group 'a' appears twice (row 1 and row 3)",
        ),
    ],
)
def test_bad_parquet_files_are_refused_naming_the_group_or_row(tmp_path, select, message):
    path = tmp_path / "bad.parquet"
    duckdb.sql(f"COPY ({select}) TO '{path}' (FORMAT parquet)")
    with pytest.raises(CSVError) as err:
        read_data(path)
    assert message in str(err.value)


def test_columns_that_cannot_be_told_apart_are_named(tmp_path):
    path = tmp_path / "abc.csv"
    path.write_text("a,b,c\nx,1,2\ny,3,4\n")
    with pytest.raises(ColumnError, match="The columns are: a, b, c"):
        read_data(path)
    data = read_data(path, columns={"group": "a", "estimate": "b", "variance": "c"})
    np.testing.assert_allclose(data.v, [2.0, 4.0])


def test_without_duckdb_csv_is_read_by_the_strict_reader_and_parquet_is_refused(
    tmp_path, monkeypatch
):
    path, _, _ = long_file(tmp_path, rows=200)
    given = {"group": "Class", "value": "Score"}
    expected = read_data(path, columns=given)
    monkeypatch.setattr(files, "_duckdb", lambda: None)
    assert_same_data(read_data(path, columns=given), expected)
    with pytest.raises(CSVError, match=r"pip install 'partialpool\[data\]'"):
        read_data(tmp_path / "x.parquet")


def test_a_missing_file_is_one_clear_message(tmp_path):
    with pytest.raises(CSVError, match="cannot read"):
        read_data(tmp_path / "absent.csv")
    with pytest.raises(CSVError, match="cannot read"):
        read_data(tmp_path / "absent.parquet")


def test_underscores_in_labels_are_read_through_the_text_path_as_without_them(tmp_path):
    path = tmp_path / "under.csv"
    path.write_text(
        "group,value\nward_a,1.5\nward_a,2\nward_b,3\nward_b,5.25\nward_c,-1\nward_c,0\n"
    )
    assert files._has_underscore(path)
    assert_same_data(read_data(path), read_csv(path))
    plain = tmp_path / "plain.csv"
    plain.write_text(path.read_text().replace("_", "-"))
    assert not files._has_underscore(plain)
    np.testing.assert_allclose(read_data(plain).v, read_data(path).v, rtol=1e-15)
