"""Which columns of a table hold the groups and their data: the layouts, and a mapping from a
table's own column names to the roles of one layout, given or recognised by well-known names.

A layout is a set of roles besides ``group`` (and an optional ``truth``):

- ``value``: one row per observation;
- ``estimate`` with ``se`` or ``variance``, or ``mean``, ``sd`` and ``n``: one row per group;
- ``successes`` and ``trials`` (binomial) or ``count`` and ``exposure`` (Poisson): one row per
  group of counts.

Recognition is case-insensitive: a column fills a role when its name, with spaces and hyphens
read as underscores, is one of the role's names (`NAMES`), or one of them followed by ``_`` and
a qualifier (``hits_45``, ``time_khours``). An exact name beats a qualified one. When the roles
of exactly one layout are each filled by exactly one column, that layout is used; otherwise
`ColumnError` lists the table's columns and how to name them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ._validation import DataError

GROUP = "group"
TRUTH = "truth"


@dataclass(frozen=True)
class Layout:
    """The roles of a layout besides group and truth, what a row is, and the kind of counts
    (`groupdata.Counts.kind`) for layouts of counts, else None."""

    roles: tuple[str, ...]
    rows: str
    counts: str | None = None


LAYOUTS = {
    "long": Layout(("value",), "one row per observation"),
    "estimate_se": Layout(("estimate", "se"), "one row per group: an estimate and its se"),
    "estimate_variance": Layout(
        ("estimate", "variance"), "one row per group: an estimate and its sampling variance"
    ),
    "mean_sd_n": Layout(("mean", "sd", "n"), "one row per group: mean, sd and size"),
    "successes_trials": Layout(
        ("successes", "trials"), "one row per group: successes out of trials", "binomial"
    ),
    "count_exposure": Layout(
        ("count", "exposure"), "one row per group: events over an exposure", "poisson"
    ),
}
"""Adding a layout is one entry here, and its reading in `tables`."""

ROLES = (GROUP, *dict.fromkeys(r for layout in LAYOUTS.values() for r in layout.roles), TRUTH)
"""Every role, in the order the options are listed."""

NAMES = {
    GROUP: (
        "group", "study", "school", "hospital", "id", "name", "label", "experiment", "pump",
        "site", "unit", "cluster", "player", "trial_id",
    ),
    "value": ("value", "y", "observation", "response"),
    "estimate": ("estimate", "est", "effect", "yi", "d", "g", "logor", "log_or", "logrr", "smd"),
    "se": ("se", "sei", "stderr", "std_err", "standard_error"),
    "variance": ("variance", "var", "vi"),
    "mean": ("mean", "ybar", "average"),
    "sd": ("sd", "std", "stdev", "std_dev", "standard_deviation"),
    "n": ("n", "size", "sample_size", "n_obs"),
    "successes": (
        "successes", "events", "deaths", "hits", "cases", "responders", "tumors", "tumours",
    ),
    "trials": ("trials", "n", "total", "at_bats", "operations", "patients", "subjects", "rats"),
    "count": ("count", "counts", "events", "failures", "claims", "accidents"),
    "exposure": ("exposure", "time", "person_years", "person_time", "years"),
    TRUTH: ("truth", "true", "theta", "true_theta"),
}  # fmt: skip
"""Well-known names of each role (lower case, underscores)."""


class ColumnError(DataError):
    """The columns of a table cannot be told apart, or the ones named do not fit a layout.

    `columns` are the table's column names; `str()` says how to name them as keyword
    arguments, `help("--")` as command-line options.
    """

    def __init__(self, why: str, columns: Sequence[str]) -> None:
        self.why = why
        self.columns = list(columns)
        super().__init__(self.help(""))

    def help(self, prefix: str) -> str:
        """The message, naming the options as `prefix + role` (``--se``) or ``se=``."""

        def opt(role: str) -> str:
            return f"{prefix}{role} COL" if prefix else f"{role}=..."

        shown = ", ".join(self.columns) if self.columns else "(none)"
        if len(shown) > 300:
            shown = shown[:300] + "…"
        return (
            f"{self.why}. The columns are: {shown}. Name them with {opt(GROUP)} and one of "
            f"{opt('value')} (one row per observation); {opt('estimate')} with {opt('se')} or "
            f"{opt('variance')}; {opt('mean')} {opt('sd')} {opt('n')}; "
            f"{opt('successes')} {opt('trials')}; or {opt('count')} {opt('exposure')}; "
            f"optionally {opt(TRUTH)}"
        )


@dataclass(frozen=True)
class ColumnMap:
    """A layout and the table's column that fills each of its roles (group first, then the
    layout's roles, then truth when there is one)."""

    layout: str
    columns: dict[str, str]

    @property
    def counts(self) -> str | None:
        """The kind of counts of the layout, or None."""
        return LAYOUTS[self.layout].counts

    def describe(self) -> str:
        """One line for the reader: "group=school, estimate=effect, se=se (one row per group:
        an estimate and its se)"."""
        used = ", ".join(f"{role}={column}" for role, column in self.columns.items())
        return f"{used} ({LAYOUTS[self.layout].rows})"


def _normal(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def _rank(name: str, role: str) -> int:
    """0 for an exact well-known name of the role, 1 for a qualified one, 2 for neither."""
    name = _normal(name)
    for alias in NAMES[role]:
        if name == alias:
            return 0
    return 1 if any(name.startswith(alias + "_") for alias in NAMES[role]) else 2


def _candidates(columns: Sequence[str], role: str, taken: set[str]) -> list[str]:
    """The columns that may fill `role`: the exact matches if any, else the qualified ones."""
    ranks = {c: _rank(c, role) for c in columns if c not in taken}
    best = min(ranks.values(), default=2)
    return [] if best == 2 else [c for c, r in ranks.items() if r == best]


def _find(columns: Sequence[str], name: str) -> str:
    """The table's column called `name`: exactly, else the one that matches ignoring case."""
    if name in columns:
        return name
    folded = [c for c in columns if c.strip().lower() == name.strip().lower()]
    if len(folded) != 1:
        raise ColumnError(f"there is no column {name!r}", columns)
    return folded[0]


def map_columns(columns: Sequence[str], given: Mapping[str, str | None] | None = None) -> ColumnMap:
    """The layout and column of each role for a table with these column names.

    `given` maps roles to column names (None or missing: recognise it). The layout is the one
    whose roles include every given role; roles not given are recognised among the remaining
    columns (`NAMES`). Raises ColumnError when a named column is missing, the given roles fit no
    layout, or the columns fit no layout, or more than one, or one role in more than one way.
    """
    columns = [str(c) for c in columns]
    given = {role: column for role, column in (given or {}).items() if column is not None}
    unknown = sorted(set(given) - set(ROLES))
    if unknown:
        raise ValueError(f"unknown role {unknown[0]!r}; valid are {', '.join(ROLES)}")
    if len({c.strip().lower() for c in columns}) != len(columns):
        raise ColumnError("the header repeats a column name", columns)
    fixed = {role: _find(columns, name) for role, name in given.items()}
    if len(set(fixed.values())) != len(fixed):
        raise ColumnError("one column is named for two roles", columns)
    named = set(fixed) - {GROUP, TRUTH}
    layouts = [k for k, layout in LAYOUTS.items() if named <= set(layout.roles)]
    if not layouts:
        raise ColumnError(f"the options {', '.join(sorted(named))} do not go together", columns)
    found: dict[str, dict[str, str]] = {}
    unclear: list[str] = []
    for key in layouts:
        roles, taken = dict(fixed), set(fixed.values())
        for role in (GROUP, *LAYOUTS[key].roles):
            if role in roles:
                continue
            options = _candidates(columns, role, taken)
            if len(options) != 1:
                if len(options) > 1:
                    unclear.append(f"{role} could be {' or '.join(options)}")
                break
            roles[role] = options[0]
            taken.add(options[0])
        else:
            if TRUTH not in roles:
                truth = _candidates(columns, TRUTH, taken)
                if len(truth) == 1:
                    roles[TRUTH] = truth[0]
            order = (GROUP, *LAYOUTS[key].roles, TRUTH)
            found[key] = {role: roles[role] for role in order if role in roles}
    if len(found) == 1:
        ((key, roles),) = found.items()
        return ColumnMap(key, roles)
    if len(found) > 1:
        raise ColumnError(f"the columns fit more than one layout ({' and '.join(found)})", columns)
    why = "; ".join(dict.fromkeys(unclear)) if unclear else "no layout's columns were recognised"
    raise ColumnError(f"cannot tell which columns to use: {why}", columns)
