"""The CSV reader: three layouts, strict refusals with a line number, chunked long files."""

from __future__ import annotations

import numpy as np
import pytest
from bad_csv import BAD_FILES
from hypothesis import given
from hypothesis import strategies as st

import partialpool.csvfile as csvfile
from partialpool import estimate_tau2, summarize
from partialpool.csvfile import CSVError, parse_csv, read_csv, read_header
from partialpool.files import read_data
from partialpool.groupdata import GroupData

LONG = b"group,value\nA,1\nA,3\nB,4\nB,6\nB,8\nC,0\n"


def test_long_layout_pools_the_within_group_variance():
    data = parse_csv(LONG)
    # by hand: means 2, 6, 0; squared deviations 2 + 8 + 0 = 10 on N - J = 6 - 3 = 3 df
    np.testing.assert_array_equal(data.labels, ["A", "B", "C"])
    np.testing.assert_allclose(data.y, [2.0, 6.0, 0.0])
    np.testing.assert_array_equal(data.n, [2, 3, 1])
    assert data.sigma == pytest.approx((10 / 3) ** 0.5)
    np.testing.assert_allclose(data.v, (10 / 3) / np.array([2, 3, 1]))
    np.testing.assert_array_equal(data.values, [1, 3, 4, 6, 8, 0])
    np.testing.assert_array_equal(data.groups, [0, 0, 1, 1, 1, 2])
    assert data.truth is None


def test_long_layout_agrees_with_summarize():
    rng = np.random.default_rng(3)
    groups = rng.integers(0, 9, size=500)
    values = rng.normal(size=500) * 3 + groups
    rows = zip(groups, values.tolist(), strict=True)
    text = "group,value\n" + "".join(f"g{g},{x!r}\n" for g, x in rows)
    data = parse_csv(text)
    summary = summarize(values, np.char.add("g", groups.astype(str)))
    np.testing.assert_array_equal(data.labels, summary.labels)
    np.testing.assert_allclose(data.y, summary.ybar, rtol=1e-13)
    np.testing.assert_allclose(data.v, summary.v, rtol=1e-12)


def test_chunks_give_the_same_answer_as_one_pass(monkeypatch, tmp_path):
    rng = np.random.default_rng(11)
    groups = rng.integers(0, 40, size=2000)
    values = rng.normal(loc=1e6, size=2000)  # a large mean tests the merge of sums of squares
    truth = np.arange(40.0)[groups]
    rows = zip(groups, values.tolist(), truth, strict=True)
    path = tmp_path / "long.csv"
    path.write_text("group,value,truth\n" + "".join(f"{g},{x!r},{t}\n" for g, x, t in rows))
    whole = read_csv(path)
    monkeypatch.setattr(csvfile, "CHUNK_ROWS", 7)
    chunked = read_csv(path)
    np.testing.assert_array_equal(chunked.labels, whole.labels)
    np.testing.assert_array_equal(chunked.n, whole.n)
    np.testing.assert_allclose(chunked.y, whole.y, rtol=1e-14)
    np.testing.assert_allclose(chunked.v, whole.v, rtol=1e-9)
    np.testing.assert_array_equal(chunked.truth, whole.truth)
    assert chunked.values is None  # read_csv keeps only the summaries


def test_summary_layouts():
    a = parse_csv(b"group,estimate,se\nA,28,15\nB,8,10\n")
    np.testing.assert_allclose(a.v, [225.0, 100.0])
    assert a.n is None and a.values is None
    b = parse_csv(b"group,mean,sd,n\nA,1.5,2,4\nB,3,1,1\n")
    np.testing.assert_allclose(b.y, [1.5, 3.0])
    np.testing.assert_allclose(b.v, [1.0, 1.0])
    np.testing.assert_array_equal(b.n, [4, 1])


def test_count_layouts_keep_the_counts():
    surgical = parse_csv(b"group,successes,trials\nA,0,47\nB,18,148\nC,8,119\n")
    assert surgical.counts.kind == "binomial"
    np.testing.assert_array_equal(surgical.counts.y, [0, 18, 8])
    np.testing.assert_array_equal(surgical.n, [47, 148, 119])
    np.testing.assert_allclose(surgical.y, [0, 18 / 148, 8 / 119])
    p = 26 / 314
    np.testing.assert_allclose(surgical.v, p * (1 - p) / np.array([47, 148, 119]))
    pumps = parse_csv(b"Exposure,Group,Count,truth\n94.3,1,5,0.1\n15.7,2,1,0.2\n")
    assert pumps.counts.kind == "poisson" and pumps.n is None
    np.testing.assert_allclose(pumps.y, [5 / 94.3, 1 / 15.7])
    np.testing.assert_allclose(pumps.truth, [0.1, 0.2])


def test_header_is_case_insensitive_any_order_with_truth_and_bom():
    data = parse_csv("\ufeff SE ,Truth,Group,ESTIMATE\n2,9,x,1\n3,8,y,4\n".encode())
    np.testing.assert_array_equal(data.labels, ["x", "y"])
    np.testing.assert_allclose(data.y, [1.0, 4.0])
    np.testing.assert_allclose(data.v, [4.0, 9.0])
    np.testing.assert_allclose(data.truth, [9.0, 8.0])


def test_labels_are_kept_as_text():
    label = "<img src=x onerror=alert(1)>"
    data = parse_csv(f'group,estimate,se\n"{label}",1,1\n"a, b",2,1\n')
    assert list(data.labels) == [label, "a, b"]


def test_blank_lines_and_crlf_are_accepted():
    data = parse_csv(b"group,value\r\n\r\nA,1\r\nA,2\r\n\r\nB,3\r\nB,5\r\n")
    np.testing.assert_allclose(data.y, [1.5, 4.0])


@pytest.mark.parametrize("content, message", BAD_FILES.values(), ids=BAD_FILES)
def test_bad_files_are_refused_with_a_message(content, message):
    with pytest.raises(CSVError) as err:
        parse_csv(content)
    assert message in str(err.value)
    assert "Traceback" not in str(err.value)


@pytest.mark.parametrize("content, message", BAD_FILES.values(), ids=BAD_FILES)
def test_files_on_disk_give_the_same_messages(content, message, tmp_path):
    if message == "partialpool fit FILE.csv":
        return  # the size limit is the app's; files on disk may be any size
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(CSVError) as err:
        read_csv(path)
    assert message in str(err.value)


def test_size_limit_is_twenty_megabytes_and_named():
    assert csvfile.MAX_UPLOAD_BYTES == 20 * 2**20
    with pytest.raises(CSVError, match="up to 20 MB"):
        parse_csv(b"x" * (csvfile.MAX_UPLOAD_BYTES + 1))
    parse_csv(LONG, max_bytes=len(LONG))  # exactly at the limit is fine


@pytest.mark.parametrize(
    ("y", "v"),
    [([1.0, 2.0], [1e-320, 1.0]), ([0.0, 1e154], [1.0, 1.0]), ([0.0, 1.0], [1e-150, 1e100])],
)
def test_the_reader_accepts_exactly_what_the_core_accepts(y, v):
    # Same data through the CSV reader and through the core: the same refusal, word for word.
    text = "group,estimate,se\n" + "".join(
        f"g{j},{a!r},{b**0.5!r}\n" for j, (a, b) in enumerate(zip(y, v, strict=True))
    )
    with pytest.raises(ValueError) as core:
        estimate_tau2(np.array(y), np.array([float(repr(b**0.5)) ** 2 for b in v]))
    with pytest.raises(CSVError) as reader:
        parse_csv(text.encode())
    assert str(core.value) in str(reader.value)


def _check_valid(data: GroupData) -> None:
    J = data.labels.size
    assert J >= csvfile.MIN_GROUPS
    assert len(set(data.labels)) == J
    assert data.y.shape == data.v.shape == (J,)
    assert np.all(np.isfinite(data.y)) and np.all(np.isfinite(data.v)) and np.all(data.v > 0)
    if data.n is not None:
        assert np.all(data.n >= 1)


@given(st.binary(max_size=300))
def test_random_bytes_give_data_or_the_documented_error(content):
    try:
        data = parse_csv(content)
    except CSVError:
        return
    _check_valid(data)


HEADERS = st.sampled_from(
    ["group,value", "group,estimate,se", "group,mean,sd,n", "group,value,truth", "value,group"]
)
CELLS = st.one_of(
    st.sampled_from(["a", "b", "c", "", " ", "nan", "inf", "-1", "0", "1e308", '"', "x,y"]),
    st.floats(allow_nan=True).map(repr),
    st.integers(-5, 50).map(str),
    st.text(max_size=5),
)


@given(HEADERS, st.lists(st.lists(CELLS, min_size=1, max_size=5), max_size=12))
def test_random_csv_text_gives_data_or_the_documented_error(header, rows):
    text = header + "\n" + "\n".join(",".join(row) for row in rows)
    try:
        data = parse_csv(text)
    except CSVError:
        return
    _check_valid(data)


def test_a_byte_order_mark_is_read_as_no_mark_by_every_reader(tmp_path):
    text = "\ufeffgroup,value\na,1\na,2\nb,3\nb,5\n"
    path = tmp_path / "bom.csv"
    path.write_text(text, encoding="utf-8")
    plain = parse_csv(text.removeprefix("\ufeff"))
    for data in (parse_csv(text), parse_csv(text.encode()), read_data(path)):
        np.testing.assert_array_equal(data.labels, plain.labels)
        np.testing.assert_allclose(data.y, plain.y, rtol=1e-15)
        np.testing.assert_allclose(data.v, plain.v, rtol=1e-15)
    assert read_header(text) == read_header(text.encode()) == ["group", "value"]


@pytest.mark.parametrize(
    "header, row",
    [("group,value", "g{j},{j}\ng{j},{j}.5"), ("group,estimate,se", "g{j},{j},1")],
)
def test_a_group_limit_stops_the_read_at_the_line_of_the_group_beyond_it(header, row):
    rows = "\n".join(row.format(j=j) for j in range(12))
    bad_later = "\ng0,not-a-number\n" if "value" in header else "\ng0,x,1\n"
    content = f"{header}\n{rows}{bad_later}"
    per_group = row.count("\n") + 1
    line = 2 + 10 * per_group  # the header, then groups g0..g9
    with pytest.raises(CSVError, match=f"^line {line}: group 11 starts here; the app draws up to"):
        parse_csv(content, max_groups=10)
    assert parse_csv(content.replace(bad_later, "\n"), max_groups=12).J == 12
