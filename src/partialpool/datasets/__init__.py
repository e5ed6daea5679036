"""Classic grouped data sets, shipped with the package: `load(name)` returns a GroupData.

Sources are cited in `DATASETS` and in this folder's README.md.
"""

from __future__ import annotations

import csv
from importlib.resources import files

import numpy as np

from .._validation import check_choice
from ..groupdata import GroupData

DATASETS = {
    "eight_schools": (
        "Eight schools (Rubin 1981)",
        "Rubin (1981), J. Educ. Stat. 6:377-401; Gelman et al. (2013), BDA3 Table 5.2.",
    ),
    "efron_morris": (
        "Batting averages (Efron & Morris 1975)",
        "Efron and Morris (1975), JASA 70:311-319, Table 1.",
    ),
}
"""name -> (title, citation)."""

AT_BATS = 45


def _rows(filename: str) -> list[dict[str, str]]:
    text = files(__package__).joinpath(filename).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def eight_schools() -> GroupData:
    """Coaching effects y_j and standard errors se_j in eight schools; v_j = se_j^2."""
    rows = _rows("eight_schools.csv")
    title, citation = DATASETS["eight_schools"]
    return GroupData(
        title=title,
        labels=np.array([f"school {r['school']}" for r in rows]),
        y=np.array([float(r["effect"]) for r in rows]),
        v=np.array([float(r["se"]) for r in rows]) ** 2,
        note=f"Reported effects y_j and their standard errors se_j; no true effects. {citation}",
    )


def efron_morris() -> GroupData:
    """Batting averages after 45 at-bats, with the rest of the season as held-out truth.

    y_j = hits_j / 45 and v_j = p (1 - p) / 45, the binomial variance at the pooled average
    p = sum(hits) / (18 * 45) (Efron and Morris 1975, section 1, on the original scale).
    """
    rows = _rows("efron_morris_1975.csv")
    title, citation = DATASETS["efron_morris"]
    hits = np.array([float(r["hits_45"]) for r in rows])
    y = hits / AT_BATS
    p = float(hits.sum() / (hits.size * AT_BATS))
    return GroupData(
        title=title,
        labels=np.array([r["name"] for r in rows]),
        y=y,
        v=np.full(y.size, p * (1.0 - p) / AT_BATS),
        n=np.full(y.size, AT_BATS),
        truth=np.array([float(r["avg_rest"]) for r in rows]),
        note=(
            f"Average over the first {AT_BATS} at-bats; se_j² = p(1 - p)/{AT_BATS} with the pooled "
            f"average p = {p:.4f}. Truth: the rest-of-season average. {citation}"
        ),
    )


_LOADERS = {"eight_schools": eight_schools, "efron_morris": efron_morris}


def load(name: str) -> GroupData:
    """Load a bundled data set by name: one of the keys of `DATASETS`."""
    return _LOADERS[check_choice(name, "data set", DATASETS)]()
