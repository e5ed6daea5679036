"""Shared fixtures: the reference data sets and the hypothesis profiles."""

from __future__ import annotations

import base64
import csv
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from partialpool.montecarlo import BLOCK

DATA = Path(__file__).parent / "data"

VIECHTBAUER_TAU2 = {
    "HS": 0.2282,
    "HE": 0.1484,
    "DL": 0.2768,
    "ML": 0.1967,
    "REML": 0.2232,
    "EB": 0.1920,
    "PM": 0.1920,
    "SJ": 0.1992,
}
"""Viechtbauer (2005), J. Educ. Behav. Stat. 30:261-293, example 1: tau^2 rounded to 4 decimals."""

PREFIX_PAIRS = [
    (1, 1234),
    (BLOCK - 1, 1234),
    (BLOCK, 1234),
    (BLOCK + 1, 1234),
    (777, 1234),
    (1234, 1234),
    (1, 2),
    (BLOCK - 1, BLOCK + 1),
    (BLOCK + 1, 2 * BLOCK - 1),
]
"""(r1, r2) for the tests that a study of r1 replications is the start of one of r2: around
the block size of `montecarlo.BLOCK`, where a short last block used to break it."""

SCALES = st.floats(-150.0, 150.0).map(lambda e: 10.0**e)
"""Scale factors c from 1e-150 to 1e150, log-uniform: the range every estimator must span."""


@st.composite
def unit_groups(draw: st.DrawFn, min_size: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Up to 12 groups of unit scale: |y_j| <= 100 and 1e-2 <= v_j <= 1e2, so that c y and
    c^2 v stay in the core's range for every c in SCALES."""
    J = draw(st.integers(min_size, 12))
    y = np.array(draw(st.lists(st.floats(-100.0, 100.0), min_size=J, max_size=J)))
    v = np.array(draw(st.lists(st.floats(1e-2, 1e2), min_size=J, max_size=J)))
    return y, v


settings.register_profile(
    "default", deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "default")


def upload_chunk(name: str, data: bytes, number: int, total: int) -> dict[str, object]:
    """Chunk `number` of `total` of an upload, as the upload box's page sends it
    (`partialpool.app.upload`): the bytes in base64."""
    text = base64.b64encode(data).decode("ascii")
    return {"kind": "chunk", "name": name, "chunk": number, "total": total, "data": text}


def let_go(widget: object, value: object) -> None:
    """A Bokeh slider let go at `value`, as the page reports it (`value_throttled`, which the
    server cannot set)."""
    widget.trigger("value_throttled", widget.value_throttled, value)


def read_columns(name: str) -> dict[str, list[str]]:
    with open(DATA / name, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {key: [row[key] for row in rows] for key in rows[0]}


@pytest.fixture
def eight_schools() -> tuple[np.ndarray, np.ndarray]:
    """(effect, se^2) of Rubin (1981), BDA3 Table 5.2."""
    cols = read_columns("eight_schools.csv")
    y = np.array(cols["effect"], dtype=float)
    se = np.array(cols["se"], dtype=float)
    return y, se**2


@pytest.fixture
def viechtbauer() -> tuple[np.ndarray, np.ndarray]:
    """(yi, vi) of Viechtbauer (2005), example 1."""
    cols = read_columns("viechtbauer2005_example1.csv")
    return np.array(cols["yi"], dtype=float), np.array(cols["vi"], dtype=float)


SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
"""The project's reference data beside the clone (../shared/data)."""

COUNT_DATA = {
    "rats": ("rat_tumors.csv", "tumors", "rats"),
    "surgical": ("surgical.csv", "deaths", "operations"),
    "efron_morris": ("efron_morris_1975.csv", "hits_45", None),
}
"""name -> (file, successes column, trials column; None: the batting averages' 45 at-bats)."""


def count_data(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(successes, trials) of a count data set in ../shared/data; skips when it is absent."""
    file, hits, trials = COUNT_DATA[name]
    if not (SHARED_DATA / file).exists():
        pytest.skip("../shared/data is not beside this clone")
    with (SHARED_DATA / file).open() as f:
        rows = list(csv.DictReader(f))
    y = np.array([float(r[hits]) for r in rows])
    n = np.array([float(r[trials]) for r in rows]) if trials else np.full(y.size, 45.0)
    return y, n


def assert_same_data(a, b, rtol: float = 1e-12) -> None:
    """Two GroupData hold the same groups, numbers (to rtol) and counts."""
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_allclose(a.y, b.y, rtol=rtol)
    np.testing.assert_allclose(a.v, b.v, rtol=rtol)
    for field in ("n", "truth"):
        x, y = getattr(a, field), getattr(b, field)
        assert (x is None) == (y is None), field
        if x is not None:
            np.testing.assert_allclose(x, y, rtol=rtol)
    assert (a.sigma is None) == (b.sigma is None)
    if a.sigma is not None:
        assert a.sigma == pytest.approx(b.sigma, rel=rtol)
    assert (a.counts is None) == (b.counts is None)
    if a.counts is not None:
        assert a.counts.kind == b.counts.kind
        np.testing.assert_array_equal(a.counts.y, b.counts.y)
        np.testing.assert_array_equal(a.counts.n, b.counts.n)
