"""Bundled data sets: the published numbers, and Efron and Morris's held-out test."""

from __future__ import annotations

from importlib.resources import files

import numpy as np
import pytest
from conftest import SHARED_DATA, read_columns

from partialpool import complete_pool, estimate_tau2, partial_pool
from partialpool.datasets import DATASETS, load


def test_bundled_files_are_the_reference_files():
    if not SHARED_DATA.exists():
        pytest.skip("../shared/data is not beside this clone")
    for name in (
        "eight_schools.csv",
        "efron_morris_1975.csv",
        "rat_tumors.csv",
        "surgical.csv",
        "pumps.csv",
    ):
        bundled = files("partialpool.datasets").joinpath(name).read_text(encoding="utf-8")
        reference = (SHARED_DATA / name).read_text(encoding="utf-8")
        if name == "efron_morris_1975.csv":
            # The shipped copy adds the 45 at-bats of each player (Table 1's heading) as a
            # column, so that the file reads as successes out of trials; the rest is the same.
            bundled = "\n".join(
                ",".join(c for k, c in enumerate(line.split(",")) if k != 4)
                for line in bundled.split("\n")
            )
        assert bundled == reference


def test_eight_schools_as_published():
    data = load("eight_schools")
    cols = read_columns("eight_schools.csv")  # Rubin (1981); BDA3 Table 5.2
    np.testing.assert_array_equal(data.y, [28, 8, -3, 7, -1, 1, 18, 12])
    np.testing.assert_array_equal(data.v, np.array(cols["se"], dtype=float) ** 2)
    assert data.n is None and data.truth is None and data.values is None
    assert data.labels[0] == "school A" and data.J == 8
    pooled = complete_pool(data.y, data.v)
    assert pooled.mu == pytest.approx(7.6856, abs=5e-5)  # ../shared/data/README.md
    assert pooled.mu_se == pytest.approx(4.0719, abs=5e-5)
    assert estimate_tau2(data.y, data.v, "HE") == 0.0  # BDA3 section 5.5: the moment estimate is 0


def test_efron_morris_as_published():
    data = load("efron_morris")
    # Efron and Morris (1975), Table 1: 18 players, hits in 45 at-bats, Clemente first at .400
    assert data.J == 18 and data.labels[0] == "Roberto Clemente"
    np.testing.assert_array_equal(data.n, np.full(18, 45))
    np.testing.assert_allclose(data.y[:3], [18 / 45, 17 / 45, 16 / 45])
    assert data.truth[0] == 0.346 and data.truth[-1] == 0.200
    p = np.sum(data.y * 45) / (18 * 45)
    assert p == pytest.approx(0.2654, abs=5e-5)  # grand average .265 (Efron and Morris 1975)
    np.testing.assert_allclose(data.v, p * (1 - p) / 45)


def test_partial_pooling_beats_no_pooling_on_the_rest_of_the_season():
    data = load("efron_morris")
    raw = np.sum((data.y - data.truth) ** 2)
    assert raw == pytest.approx(0.0755, abs=5e-4)  # Efron and Morris (1975): .0755 for the MLE
    for method in ("HE", "DL", "PM", "ML", "REML", "SJ"):
        fit = partial_pool(data.y, data.v, estimate_tau2(data.y, data.v, method))
        pooled = np.sum((fit.theta - data.truth) ** 2)
        assert pooled < 0.35 * raw  # Efron and Morris: .0215 for James-Stein, about 3.5x better


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="eight_schools"):
        load("nine_schools")
    assert set(DATASETS) == {"eight_schools", "efron_morris", "rat_tumors", "surgical", "pumps"}


def test_efron_morris_keeps_the_hits_as_counts():
    counts = load("efron_morris").counts
    assert counts.kind == "binomial" and counts.y[0] == 18 and set(counts.n) == {45}


def test_rat_tumors_as_published():
    data = load("rat_tumors")
    # Tarone (1982); BDA3 Table 5.1 and section 5.3: 71 experiments, 267 tumours in 1739 rats,
    # the current experiment last with 4 of 14.
    assert data.J == 71 and data.counts.kind == "binomial"
    assert (data.counts.y.sum(), data.counts.n.sum()) == (267, 1739)
    assert (data.counts.y[-1], data.counts.n[-1]) == (4, 14)
    np.testing.assert_array_equal(data.y, data.counts.y / data.counts.n)
    assert complete_pool(data.y, data.v).mu == pytest.approx(267 / 1739, rel=1e-14)


def test_surgical_as_published():
    data = load("surgical")
    # BUGS Examples Volume 1, Surgical: 12 hospitals, A with 0 deaths in 47 operations
    assert data.J == 12 and data.labels[0] == "hospital A" and data.y[0] == 0.0
    np.testing.assert_array_equal(
        data.n, [47, 148, 119, 810, 211, 196, 148, 215, 207, 97, 256, 360]
    )
    assert data.counts.y.sum() == 208


def test_pumps_are_counts_over_an_exposure():
    data = load("pumps")
    # George, Makov and Smith (1993); BUGS Pumps: 10 pumps, failures over thousands of hours
    assert data.J == 10 and data.counts.kind == "poisson" and data.n is None
    np.testing.assert_array_equal(data.counts.y, [5, 1, 5, 14, 3, 19, 1, 1, 4, 22])
    np.testing.assert_allclose(data.y * data.counts.n, data.counts.y, rtol=1e-15)
    rate = data.counts.y.sum() / data.counts.n.sum()
    assert complete_pool(data.y, data.v).mu == pytest.approx(rate, rel=1e-14)
