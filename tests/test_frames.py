"""`from_frame`: data frames of every engine through narwhals give what `summarize` and the CSV
reader give for the same data, and bad frames get the same kind of message."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import assert_same_data

from partialpool import summarize
from partialpool.columns import ColumnError
from partialpool.csvfile import parse_csv
from partialpool.frames import from_frame
from partialpool.tables import DataError

pytest.importorskip("narwhals", reason="the data extra (narwhals) is not installed")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")
duckdb = pytest.importorskip("duckdb")

NAMES = ["kilo", "delta", "alpha", "lima", "echo", "bravo", "one"]
"""Group labels whose first appearance is not their sorted order; "one" has one observation."""


def long_columns(rows=4000, seed=1):
    """Labels and values of raw observations, offset by 100 so that a naive sum of squares
    would lose digits."""
    rng = np.random.default_rng(seed)
    index = rng.integers(0, len(NAMES) - 1, size=rows)
    index[rng.integers(rows)] = len(NAMES) - 1
    values = 100.0 + 0.5 * index + rng.normal(scale=2.0, size=rows)
    return np.array(NAMES)[index], values


def csv_of(frame):
    return parse_csv(frame.to_csv(index=False), title="Data frame")


def assert_summarizes(data, labels, values, lazy=False):
    """`data` holds what `summarize(values, labels)` gives: in order of first appearance, or
    for a lazy engine sorted by label."""
    summary = summarize(values, labels)
    order = np.argsort(summary.labels) if lazy else np.arange(summary.labels.size)
    np.testing.assert_array_equal(data.labels, summary.labels[order].astype(str))
    np.testing.assert_array_equal(data.n, summary.n[order])
    np.testing.assert_allclose(data.y, summary.ybar[order], rtol=1e-12)
    np.testing.assert_allclose(data.v, summary.v[order], rtol=1e-12)
    assert data.sigma == pytest.approx(summary.sigma, rel=1e-12)


SCHOOLS = {
    "school": ["A", "B", "C", "D"],
    "effect": [28.39, 7.94, -2.75, 6.82],
    "se": [14.9, 10.2, 16.3, 11.0],
}
"""Rubin (1981), the first four of the eight schools."""

SUMMARY_FRAMES = {
    "estimate_se": {"group": ["A", "B", "C"], "estimate": [1.5, -0.25, 3.0], "se": [1, 2, 0.5]},
    "estimate_variance": {"study": ["s1", "s2", "s3"], "yi": [0.1, 0.3, -0.2], "vi": [0.04, 1, 2]},
    "mean_sd_n": {"group": ["x", "y", "z"], "mean": [10.0, 12, 9], "sd": [2, 3, 1], "n": [5, 8, 3]},
    "successes_trials": {
        "hospital": ["h1", "h2", "h3"], "deaths": [0, 3, 8], "operations": [47, 148, 119]
    },
    "count_exposure": {"pump": ["p1", "p2", "p3"], "failures": [5, 1, 14], "time": [94.3, 15.7, 9]},
}  # fmt: skip


@pytest.mark.parametrize("layout", list(SUMMARY_FRAMES))
@pytest.mark.parametrize("truth", [False, True])
def test_every_summary_layout_reads_as_the_csv_reader_reads_it(layout, truth):
    columns = dict(SUMMARY_FRAMES[layout])
    if truth:
        columns["truth"] = [0.5, 0.25, 0.125]
    frame = pd.DataFrame(columns)
    data = from_frame(frame)
    assert_same_data(data, csv_of(frame))
    assert data.title == "Data frame"
    assert list(data.labels) == next(iter(columns.values()))
    np.testing.assert_array_equal(data.truth, [0.5, 0.25, 0.125] if truth else None)


def test_raw_observations_read_as_summarize_and_the_csv_reader_give_them():
    labels, values = long_columns()
    frame = pd.DataFrame({"group": labels, "value": values, "truth": np.char.str_len(labels)})
    data = from_frame(frame, title="Long")
    assert_summarizes(data, labels, values)
    assert_same_data(data, csv_of(frame))
    assert data.title == "Long"
    np.testing.assert_array_equal(data.truth, np.char.str_len(data.labels.astype(str)))


@pytest.mark.parametrize(
    ("columns", "layout_v"),
    [
        (SCHOOLS, np.array(SCHOOLS["se"]) ** 2),
        ({"study": ["a", "b"], "yi": [0.2, 0.4], "vi": [0.01, 0.09]}, [0.01, 0.09]),
    ],
)
def test_estimates_are_recognised_by_their_names(columns, layout_v):
    data = from_frame(pd.DataFrame(columns))
    np.testing.assert_allclose(data.v, layout_v, rtol=1e-15)
    assert data.counts is None and data.n is None


def test_counts_are_recognised_by_their_names():
    # Spiegelhalter et al. (2004) style: deaths out of operations per hospital.
    frame = pd.DataFrame({"hospital": ["A", "B"], "deaths": [0, 18], "operations": [47, 148]})
    data = from_frame(frame)
    assert data.counts.kind == "binomial"
    np.testing.assert_allclose(data.y, [0.0, 18 / 148], rtol=1e-15)
    np.testing.assert_array_equal(data.n, [47, 148])


def test_odd_column_names_are_mapped_by_keyword():
    frame = pd.DataFrame(
        {"Team Name": ["P", "Q", "R"], "x1": [0.3, 0.1, 0.2], "spread": [0.1, 0.2, 0.4], "se": 1}
    )
    data = from_frame(frame, group="Team Name", estimate="x1", variance="spread")
    np.testing.assert_array_equal(data.labels, ["P", "Q", "R"])
    np.testing.assert_array_equal(data.v, [0.1, 0.2, 0.4])
    assert "(columns Team Name, x1, spread)" in data.note


def test_columns_that_cannot_be_told_apart_raise_column_error():
    with pytest.raises(ColumnError, match="The columns are: a, b"):
        from_frame(pd.DataFrame({"a": [1.0], "b": [2.0]}))
    with pytest.raises(ColumnError, match="there is no column 'score'"):
        from_frame(pd.DataFrame({"group": ["a"], "value": [1.0]}), value="score")


def lazy_and_eager_engines():
    """(name, build a frame from a pandas frame, whether the engine is lazy)."""
    return [
        ("pandas", lambda frame: frame, False),
        ("polars", pl.from_pandas, False),
        ("polars lazy", lambda frame: pl.from_pandas(frame).lazy(), True),
        ("pyarrow", lambda frame: pa.Table.from_pandas(frame, preserve_index=False), False),
        ("duckdb", lambda frame: duckdb.connect().from_df(frame), True),
    ]


@pytest.mark.parametrize(("engine", "build", "lazy"), lazy_and_eager_engines())
def test_every_engine_summarises_raw_observations_as_summarize_does(engine, build, lazy):
    labels, values = long_columns(seed=2)
    frame = pd.DataFrame({"Class": labels, "Score": values})
    data = from_frame(build(frame), group="Class", value="Score")
    assert_summarizes(data, labels, values, lazy=lazy)


@pytest.mark.parametrize(("engine", "build", "lazy"), lazy_and_eager_engines())
def test_every_engine_reads_one_row_per_group(engine, build, lazy):
    frame = pd.DataFrame({"school": ["C", "A", "B"], "effect": [1.0, 2.0, 3.0], "se": [1, 2, 4]})
    data = from_frame(build(frame))
    expected = csv_of(frame)
    order = np.argsort(expected.labels) if lazy else [0, 1, 2]
    np.testing.assert_array_equal(data.labels, expected.labels[order])
    np.testing.assert_array_equal(data.y, expected.y[order])
    np.testing.assert_array_equal(data.v, expected.v[order])


def test_a_lazy_engine_sorts_numeric_labels_as_numbers():
    relation = duckdb.sql(
        "SELECT * FROM (VALUES (10, 1.0), (9, 2.0), (2, 3.0), (10, 2.0), (2, 5.0)) t(id, y)"
    )
    data = from_frame(relation)
    np.testing.assert_array_equal(data.labels, ["2", "9", "10"])
    np.testing.assert_allclose(data.y, [4.0, 2.0, 1.5], rtol=1e-15)


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_a_million_rows_give_what_summarize_gives(engine):
    rng = np.random.default_rng(3)
    groups = rng.integers(0, 1000, size=10**6)
    values = rng.normal(loc=groups * 0.01, scale=3.0)
    frame = pl.DataFrame({"group": groups, "value": values})
    native = frame if engine == "polars" else duckdb.connect().from_arrow(frame.to_arrow())
    data = from_frame(native)
    assert data.J == 1000
    assert_summarizes(data, groups, values, lazy=engine == "duckdb")


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (
            pd.DataFrame({"group": ["a", "b", "b", "b"], "value": [1.0, None, 2.0, None]}),
            "group 'b': value has 2 missing values",
        ),
        (
            pl.DataFrame({"group": ["a", "a", "b", "b"], "value": [1.0, 2.0, float("nan"), 3.0]}),
            "group 'b': value is not finite",
        ),
        (
            pd.DataFrame({"group": ["a", "a", "b", "b"], "value": [1.0, np.inf, 2.0, 3.0]}),
            "group 'a': value is not finite",
        ),
        (
            pd.DataFrame({"group": ["a", "a", "b", "b"], "value": [1.0, 2.0, 3.0, -1e200]}),
            r"group 'b': value reaches 1e\+200 in size",
        ),
        (
            pd.DataFrame({"group": ["a", None, "b", "b"], "value": [1.0, 2.0, 3.0, 4.0]}),
            "1 rows have no group label",
        ),
        (
            pd.DataFrame({"group": ["a", "a", "b"], "value": [1.0, 2.0, 3.0], "truth": [1, 2, 3]}),
            "group 'a': truth must be a finite number, the same on every row of a group",
        ),
        (
            pd.DataFrame({"group": ["a", "a", "b"], "value": ["1", "2", "3"]}),
            r"column 'value' \(value\) holds String",
        ),
        (
            pd.DataFrame({"group": ["a", None, "b"], "estimate": [1.0, 2, 3], "se": 1.0}),
            "row 2: the group label is missing",
        ),
        (
            pd.DataFrame({"group": ["a", "b", "a"], "estimate": [1.0, 2, 3], "se": 1.0}),
            r"row 3: group 'a' appears twice \(row 1 and row 3\)",
        ),
        (
            pd.DataFrame({"group": ["a", "b", "c"], "estimate": [1.0, 2, 3], "se": [1, 0, -1]}),
            "row 2: se must be > 0; got '0'",
        ),
        (
            pd.DataFrame({"group": ["a", "b", "c"], "estimate": [1.0, None, 3], "se": 1.0}),
            "row 2: estimate is missing",
        ),
        (
            pl.DataFrame({"group": ["a", "b"], "estimate": [1.0, float("nan")], "se": 1.0}),
            "row 2: estimate is 'nan'; it must be finite",
        ),
    ],
)
def test_bad_frames_are_refused_naming_the_group_or_row(frame, message):
    with pytest.raises(DataError, match=message):
        from_frame(frame)


def test_a_frame_of_one_group_is_refused_as_the_csv_reader_refuses_it():
    frame = pd.DataFrame({"group": ["a", "a"], "value": [1.0, 2.0]})
    with pytest.raises(DataError, match="the data have one group \\('a'\\)"):
        from_frame(frame)


def test_something_that_is_not_a_frame_is_a_type_error():
    with pytest.raises(TypeError, match=r"needs a data frame .* got list"):
        from_frame([1, 2, 3])


def test_without_narwhals_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "narwhals", None)
    with pytest.raises(ImportError, match=r"pip install 'partialpool\[data\]'"):
        from_frame(pd.DataFrame(SCHOOLS))


def test_importing_the_package_does_not_import_narwhals():
    code = "import sys, partialpool; print('narwhals' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return os.path.join(home, "bin", "java")
    return shutil.which("java")


@pytest.fixture(scope="session")
def spark():
    """A local Spark session on 127.0.0.1 without its web UI. Without Java it is skipped,
    except in CI (CI=true), where the test fails."""
    if _java() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Java not found, and CI=true: the PySpark test must run in CI")
        pytest.skip("Java not found: set JAVA_HOME or put java on PATH to run the PySpark tests")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("partialpool-test-frames")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
def test_pyspark_frames_read_as_every_other_engine(spark):
    labels, values = long_columns(rows=3000, seed=4)
    rows = list(zip(labels.tolist(), values.tolist(), strict=True))
    data = from_frame(spark.createDataFrame(rows, "grp string, y double"), group="grp")
    assert_summarizes(data, labels, values, lazy=True)
    summary = spark.createDataFrame(
        [("C", 1.0, 1.0), ("A", 2.0, 2.0), ("B", 3.0, 4.0)],
        "school string, effect double, se double",
    )
    data = from_frame(summary)
    np.testing.assert_array_equal(data.labels, ["A", "B", "C"])
    np.testing.assert_array_equal(data.v, [4.0, 16.0, 1.0])
