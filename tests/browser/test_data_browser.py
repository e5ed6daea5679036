"""Real and uploaded data in Chromium: bundled data sets, CSV uploads, the results table and
its download, and hostile labels shown as text."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from partialpool import estimate_tau2, partial_pool
from partialpool.csvfile import MAX_UPLOAD_BYTES, parse_csv
from partialpool.datasets import load
from partialpool.results import group_table, to_csv

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
UPLOAD = (
    "group,value,truth\n"
    f'"{XSS}",1,1.2\n"{XSS}",2,1.2\n'
    "north,4,4.5\nnorth,6,4.5\nnorth,5,4.5\n"
    "south,0,0.1\nsouth,1,0.1\nsouth,-1,0.1\nsouth,0.5,0.1\n"
)


def choose(session, label: str) -> None:
    session.page.locator(".data-source select").select_option(label=label)


def upload(session, tmp_path, name: str, content: bytes | str) -> None:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    session.page.locator(".csv-upload input[type=file]").set_input_files(path)


def table_cells(session, column: str) -> list[str]:
    """The text of one column's cells as the page shows them, top to bottom."""
    headings = session.page.locator(".results-table .slick-header-column")
    titles = [headings.nth(i).inner_text().strip() for i in range(headings.count())]
    cells = session.page.locator(f".results-table .slick-cell.l{titles.index(column)}")
    return [cells.nth(i).inner_text() for i in range(cells.count())]


def wait_for_labels(session, labels: list[str]) -> None:
    session.page.wait_for_function(
        "(labels) => JSON.stringify(Array.from(Bokeh.documents[0]"
        ".get_model_by_name('groups').data.label)) === JSON.stringify(labels)",
        arg=labels,
        timeout=15_000,
    )


def test_upload_shows_the_data_literally_and_downloads_the_table(session, tmp_path):
    dialogs: list[str] = []
    session.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    session.open()
    choose(session, "Your CSV file")
    upload(session, tmp_path, "mine.csv", UPLOAD)
    wait_for_labels(session, [XSS, "north", "south"])

    data = parse_csv(UPLOAD)
    tau_hat = math.sqrt(estimate_tau2(data.y, data.v, "HE"))
    fit = partial_pool(data.y, data.v, tau_hat**2)
    np.testing.assert_allclose(session.column("groups", "theta_hat"), fit.theta, rtol=1e-9)
    np.testing.assert_allclose(session.column("groups", "theta"), data.truth)
    assert len(session.column("observations", "x")) == 9

    expect(session.page.locator(".results-table .slick-row")).to_have_count(3)
    assert table_cells(session, "group") == [XSS, "north", "south"]  # text, not HTML
    assert session.page.locator(".results-table img").count() == 0
    assert session.page.locator(".data-note .caption").inner_text().startswith("mine.csv")
    assert set(session.mse_cells()) == {
        "no_pool",
        "complete_pool",
        "partial_pool",
        "empirical_bayes",
    }

    with session.page.expect_download() as download:
        session.page.locator(".download-csv button").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text == to_csv(group_table(data, fit, "HE"))
    assert dialogs == [] and session.errors == []


@pytest.mark.parametrize(
    "content, message",
    [
        ("group,value\na,1\na,oops\nb,2\n", "line 3: value 'oops' is not a number"),
        ("group,estimate,se\na,1,1\nb,2,0\n", "line 3: se must be > 0"),
        (b"group,value\n\xff\xfe,1\n", "not UTF-8"),
    ],
    ids=["non-numeric", "zero se", "not UTF-8"],
)
def test_a_bad_upload_shows_its_message_and_keeps_the_last_good_data(
    session, tmp_path, content, message
):
    session.open()
    choose(session, "Your CSV file")
    upload(session, tmp_path, "good.csv", UPLOAD)
    wait_for_labels(session, [XSS, "north", "south"])
    theta_hat = session.column("groups", "theta_hat")
    upload(session, tmp_path, "bad.csv", content)
    problem = session.page.locator(".upload-problem .problem")
    expect(problem).to_contain_text(message)
    expect(problem).to_contain_text("bad.csv")
    assert session.column("groups", "theta_hat") == theta_hat
    expect(session.page.locator(".results-table .slick-row")).to_have_count(3)
    assert session.errors == []


def test_columns_that_cannot_be_told_apart_are_chosen_in_a_picker(session, tmp_path):
    content = "clinic,m,s,t\nA,1.5,0.5,1.2\nB,3.0,0.8,2.9\nC,2.0,0.4,2.2\nD,0.5,0.6,0.9\n"
    session.open()
    choose(session, "Your CSV file")
    upload(session, tmp_path, "clinics.csv", content)
    problem = session.page.locator(".upload-problem .problem")
    expect(problem).to_contain_text("The columns are: clinic, m, s, t")
    picker = session.page.locator(".column-picker")
    expect(picker).to_be_visible()
    picker.locator(".pick-layout select").select_option(
        label="One row per group: an estimate and its se"
    )
    # the server shows the layout's own menus: choose in them once they are there
    expect(picker.locator(".pick-se select")).to_be_visible()
    expect(picker.locator(".pick-value select")).to_be_hidden()
    for role, column in {"group": "clinic", "estimate": "m", "se": "s", "truth": "t"}.items():
        picker.locator(f".pick-{role} select").select_option(label=column)
    picker.locator(".pick-read button").click()
    wait_for_labels(session, ["A", "B", "C", "D"])
    expect(picker).to_be_hidden()
    expect(problem).to_be_hidden()
    expect(session.page.locator(".data-note")).to_contain_text(
        "Columns read: group=clinic, estimate=m, se=s, truth=t"
    )
    data = parse_csv(content, columns={"group": "clinic", "estimate": "m", "se": "s", "truth": "t"})
    tau_hat = math.sqrt(estimate_tau2(data.y, data.v, "HE"))
    fit = partial_pool(data.y, data.v, tau_hat**2)
    np.testing.assert_allclose(session.column("groups", "theta_hat"), fit.theta, rtol=1e-9)
    np.testing.assert_allclose(session.column("groups", "theta"), [1.2, 2.9, 2.2, 0.9])
    assert session.errors == []


def test_a_file_over_the_limit_is_refused_in_the_browser(session):
    session.open()
    choose(session, "Your CSV file")
    labels = session.column("groups", "label")
    big = b"group,value\n" + b"a,1\n" * (MAX_UPLOAD_BYTES // 4 + 10)
    session.page.locator(".csv-upload input[type=file]").set_input_files(
        {"name": "big.csv", "mimeType": "text/csv", "buffer": big}
    )
    expect(session.page.locator(".csv-upload .drop-text")).to_contain_text("File is too large")
    expect(session.page.locator(".upload-help")).to_contain_text("partialpool fit FILE.csv")
    assert session.column("groups", "label") == labels


def test_eight_schools_says_what_it_lacks(session):
    session.open()
    choose(session, "Eight schools (Rubin 1981)")
    wait_for_labels(session, [f"school {c}" for c in "ABCDEFGH"])
    data = load("eight_schools")
    assert session.column("observations", "x") == []
    np.testing.assert_allclose(session.column("groups", "ybar"), data.y)
    note = session.page.locator(".figure-note")
    expect(note).to_contain_text("no raw observations")
    expect(note).to_contain_text("no true theta_j")
    expect(session.page.locator(".no-truth")).to_be_visible()
    assert session.mse_cells() == {}
    assert session.tau() == 0.0  # the moment estimate of tau^2 is 0 (BDA3 section 5.5)


def test_batting_averages_are_scored_against_the_rest_of_the_season(session):
    session.open("?data=efron_morris&population=normal")
    data = load("efron_morris")
    wait_for_labels(session, list(data.labels))
    tau_hat = math.sqrt(estimate_tau2(data.y, data.v, "HE"))
    assert session.tau() == pytest.approx(tau_hat, rel=1e-12)
    fit = partial_pool(data.y, data.v, tau_hat**2)
    expected = np.mean((fit.theta - data.truth) ** 2)
    expect(
        session.page.locator(".mse-table tr[data-estimator='empirical_bayes'] .mse")
    ).to_have_text(f"{expected:.4g}")
    expect(session.page.locator(".mse-caption")).to_contain_text("rest-of-season average")
