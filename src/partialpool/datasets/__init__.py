"""Classic grouped data sets, shipped with the package: `load(name)` returns a GroupData.

Sources are cited in `DATASETS` and in this folder's README.md.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from importlib.resources import files

import numpy as np

from .._validation import check_choice
from ..groupdata import GroupData, from_counts

DATASETS = {
    "eight_schools": (
        "Eight schools (Rubin 1981)",
        "Rubin (1981), J. Educ. Stat. 6:377-401; Gelman et al. (2013), BDA3 Table 5.2.",
    ),
    "efron_morris": (
        "Batting averages (Efron & Morris 1975)",
        "Efron and Morris (1975), JASA 70:311-319, Table 1.",
    ),
    "rat_tumors": (
        "Rat tumours (Tarone 1982)",
        "Tarone (1982), Biometrics 38:215-220; Gelman et al. (2013), BDA3 Table 5.1.",
    ),
    "surgical": (
        "Surgical mortality (12 hospitals)",
        "BUGS Examples Volume 1, Surgical (Spiegelhalter, Thomas, Best and Gilks 1996).",
    ),
    "pumps": (
        "Pump failures (Gaver & O'Muircheartaigh 1987)",
        "Gaver and O'Muircheartaigh (1987), Technometrics 29:1-15; George, Makov and Smith "
        "(1993); BUGS Examples Volume 1, Pumps.",
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
    """Hits in the first 45 at-bats, with the rest-of-season average as held-out truth.

    y_j = hits_j / 45 and v_j = p (1 - p) / 45, the binomial variance at the pooled average
    p = sum(hits) / (18 * 45) (Efron and Morris 1975, section 1, on the original scale).
    """
    rows = _rows("efron_morris_1975.csv")
    title, citation = DATASETS["efron_morris"]
    data = from_counts(
        "binomial",
        [r["name"] for r in rows],
        [float(r["hits_45"]) for r in rows],
        [float(r["at_bats_45"]) for r in rows],
        title,
        truth=[float(r["avg_rest"]) for r in rows],
    )
    p = float(data.y.mean())
    return replace(
        data,
        note=(
            f"Hits in the first {AT_BATS} at-bats; se_j² = p(1 - p)/{AT_BATS} with the pooled "
            f"average p = {p:.4f}. Truth: the rest-of-season average. {citation}"
        ),
    )


def _counts(name: str, kind: str, columns: tuple[str, str, str], label: str) -> GroupData:
    """A bundled table of counts: its columns (group, counts, trials or exposure)."""
    rows = _rows(f"{name}.csv")
    group, count, size = columns
    title, citation = DATASETS[name]
    return from_counts(
        kind,
        [f"{label} {r[group]}" for r in rows],
        [float(r[count]) for r in rows],
        [float(r[size]) for r in rows],
        title,
        note=citation,
    )


def rat_tumors() -> GroupData:
    """Rats with an endometrial stromal polyp out of the control rats of each of 71
    experiments (the 71st, 4 of 14, is the current one; BDA3 section 5.3)."""
    return _counts("rat_tumors", "binomial", ("experiment", "tumors", "rats"), "experiment")


def surgical() -> GroupData:
    """Deaths out of cardiac operations on babies in 12 hospitals, A to L."""
    return _counts("surgical", "binomial", ("hospital", "deaths", "operations"), "hospital")


def pumps() -> GroupData:
    """Failures of 10 power-plant pumps over their thousands of hours of operation."""
    return _counts("pumps", "poisson", ("pump", "failures", "time_khours"), "pump")


_LOADERS = {
    "eight_schools": eight_schools,
    "efron_morris": efron_morris,
    "rat_tumors": rat_tumors,
    "surgical": surgical,
    "pumps": pumps,
}


def load(name: str) -> GroupData:
    """Load a bundled data set by name: one of the keys of `DATASETS`."""
    return _LOADERS[check_choice(name, "data set", DATASETS)]()
