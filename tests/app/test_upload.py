"""The upload box's server side: a file arrives whole from its chunks in order, and nothing a
page sends (out of order, malformed, past the limit) raises or keeps more than the limit."""

from __future__ import annotations

import base64

import panel as pn
from bokeh.document import Document
from conftest import upload_chunk
from hypothesis import given
from hypothesis import strategies as st

from partialpool.app.panel_private import CHECKED_WITH
from partialpool.app.upload import CsvUpload

CHECKED = f"assumed as of Panel {CHECKED_WITH}; this is Panel {pn.__version__}"


def small(limit: int = 20, chunk_bytes: int = 8) -> CsvUpload:
    return CsvUpload(limit=limit, chunk_bytes=chunk_bytes)


def test_a_files_chunks_in_order_make_its_value():
    upload = small()
    upload._handle_msg(upload_chunk("f.csv", b"group,va", 1, 2))
    assert upload.value == {}
    upload._handle_msg(upload_chunk("f.csv", b"lue\n", 2, 2))
    assert upload.value == {"f.csv": b"group,value\n"} and upload._receiving is None
    assert upload.too_large == ""


def test_a_chunk_out_of_order_drops_the_file():
    upload = small()
    upload._handle_msg(upload_chunk("f.csv", b"12345678", 1, 3))
    upload._handle_msg(upload_chunk("f.csv", b"12345678", 3, 3))
    upload._handle_msg(upload_chunk("f.csv", b"12345678", 2, 3))
    assert upload.value == {} and upload._receiving is None


def test_a_new_first_chunk_starts_a_new_file():
    upload = small()
    upload._handle_msg(upload_chunk("a.csv", b"12345678", 1, 2))
    upload._handle_msg(upload_chunk("b.csv", b"x\n", 1, 1))
    assert upload.value == {"b.csv": b"x\n"}


def test_bytes_past_the_limit_are_refused_whatever_the_page_says_of_them():
    upload = small(limit=10)
    upload._handle_msg(upload_chunk("f.csv", b"0123456789A", 1, 1))  # one chunk, too long
    assert upload.value == {} and upload.too_large == "f.csv" and upload._receiving is None
    upload._handle_msg(upload_chunk("f.csv", b"1", 1, 3))  # more chunks than the limit needs
    assert upload._receiving is None


def test_each_refusal_is_heard_even_for_the_same_name():
    upload, heard = small(), []
    upload.param.watch(lambda e: heard.append(e.new), "too_large")
    upload._handle_msg({"kind": "too_large", "name": "big.csv"})
    upload._handle_msg({"kind": "too_large", "name": "big.csv"})
    assert heard == ["big.csv", "big.csv"]


def test_malformed_messages_are_dropped():
    upload = small()
    for msg in [
        None,
        [],
        {"kind": "chunk"},
        {"kind": "chunk", "name": "", "chunk": 1, "total": 1, "data": ""},
        {"kind": "chunk", "name": "f" * 256, "chunk": 1, "total": 1, "data": ""},
        {"kind": "chunk", "name": "f", "chunk": True, "total": 1, "data": ""},
        {"kind": "chunk", "name": "f", "chunk": 1, "total": 1, "data": "not base64!"},
        {"kind": "chunk", "name": "f", "chunk": 1, "total": 1.0, "data": "eA=="},
        {"kind": "other", "name": "f", "chunk": 1, "total": 1, "data": "eA=="},
    ]:
        upload._handle_msg(msg)
    assert upload.value == {} and upload.too_large == "" and upload._receiving is None


def test_the_server_only_parameters_stay_off_the_model():
    model = CsvUpload().get_root(Document())
    assert "render" in model.esm
    assert not {"value", "too_large"} & set(model.data.properties()), CHECKED
    assert {"limit", "chunk_bytes", "accept"} <= set(model.data.properties()), CHECKED


VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=12), st.floats())
MESSAGES = st.one_of(
    VALUES,
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["chunk", "too_large", "x"]),
            "name": st.one_of(st.sampled_from(["a.csv", "b.csv"]), VALUES),
            "chunk": st.one_of(st.integers(0, 4), VALUES),
            "total": st.one_of(st.integers(0, 4), VALUES),
            "data": st.one_of(
                st.binary(max_size=12).map(lambda b: base64.b64encode(b).decode()), VALUES
            ),
        }
    ),
    st.dictionaries(st.text(max_size=6), VALUES, max_size=5),
)


@given(st.lists(MESSAGES, max_size=12))
def test_no_sequence_of_messages_raises_or_keeps_more_than_the_limit(messages):
    upload = small(limit=20, chunk_bytes=8)
    for msg in messages:
        upload._handle_msg(msg)
        kept = upload._receiving.size if upload._receiving else 0
        assert kept <= 20
        assert all(len(content) <= 20 for content in upload.value.values())
