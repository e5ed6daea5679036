"""The app's model: data (simulated, bundled or uploaded) and tau in, the core's estimates out.
No layout here."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field, replace

import numpy as np
import param

from .. import PRIORS, TAU2_METHODS, datasets, simulate
from ..columns import ColumnError, map_columns
from ..compare import Comparison, compare
from ..csvfile import CSVError, parse_csv, read_header
from ..datasets import DATASETS
from ..groupdata import GroupData, from_count_simulation, from_simulation
from ..models import HyperFit, Model, Normal, make_model, natural_model
from ..simulate import CountSimulation, Simulation, simulate_binomial, with_outlier
from ..tables import shown
from . import shared
from .workers import Runner, at_once

SORTS = {"group": "order in the data", "size": "group size n_j", "mean": "no-pool mean ybar_j"}

SOURCES = {
    "simulated": "Simulated groups",
    "simulated_counts": "Simulated counts (binomial)",
    "eight_schools": DATASETS["eight_schools"][0],
    "efron_morris": "Batting (Efron & Morris 1975)",
    "rat_tumors": DATASETS["rat_tumors"][0],
    "surgical": "Surgical deaths (12 hospitals)",
    "pumps": "Pump failures (rates)",
    "upload": "Your CSV file",
}
"""Data source key -> its name in the app."""

NOT_COMPUTED = "The estimates could not be computed"
"""The start of `problem` when a comparison failed."""

SIMULATED = ("simulated", "simulated_counts")
"""The sources drawn from the settings, with a known truth."""

SIMULATION_SETTINGS = (
    "J",
    "n_range",
    "tau_true",
    "sigma",
    "mu",
    "seed",
    "outlier",
    "outlier_shift",
    "outlier_n",
    "mean_rate",
)
"""The parameters the simulated groups are drawn from."""

MAX_GROUPS = 1000
"""The most groups the app draws; larger files are for the command line."""

MAX_SCALE = 1e50
"""The largest |y_j| and se_j the app draws: its tau axis then ends far below tau's bound."""


def check_drawable(data: GroupData) -> None:
    """Raise DataError unless the app can draw `data`: at most MAX_GROUPS groups, values and
    standard errors at most MAX_SCALE in size (the command line takes any the core takes)."""
    if data.J > MAX_GROUPS:
        raise CSVError(
            f"the file has {data.J} groups; the app draws up to {MAX_GROUPS}. "
            "For more groups use the command line: partialpool fit FILE.csv"
        )
    for name, x in (("the value", np.abs(data.y)), ("the standard error", np.sqrt(data.v))):
        j = int(np.argmax(x))
        if x[j] > MAX_SCALE:
            raise CSVError(
                f"group {shown(str(data.labels[j]))}: {name} is {x[j]:.3g}; the app draws "
                f"values and standard errors up to {MAX_SCALE:g} in size. Rescale the data "
                "(divide every number by a power of ten) or use the command line: "
                "partialpool fit FILE.csv"
            )


POPULATIONS = {
    "auto": "By the data (counts: their own model)",
    "normal": "Normal",
    "student-t": "Student-t",
    "binomial": "Binomial counts (logit-normal)",
    "poisson": "Poisson counts (log-normal)",
}
"""Model key -> its name in the app: "auto" is the data's own model (`models.natural_model`:
binomial or Poisson counts, else Normal); theta_j ~ N(mu, tau^2) or t_nu(mu, tau^2); successes
out of trials with logit p_j ~ N(mu, tau^2); counts over an exposure with log lambda_j ~
N(mu, tau^2)."""

STRUCTURES = {
    "separate": "Separate",
    "pooled": "Pooled",
    "hierarchical": "Hierarchical",
}
"""Model structure key -> its name in the app: which estimate the figure emphasises."""

TAU_STEPS = 200
"""The slider's steps from 0 to tau_max: the tau grid has these + 1 evenly spaced points (and
tau_hat and the state's tau), on which the risk curve and the shrinkage paths are drawn and
between which the page moves by lookup."""


def tau_end(
    data: GroupData, tau_true: float, tau_hat: float, tau: float, model: Model | None = None
) -> float:
    """A round upper end for the tau axis: at 3 sigma (or 3 times the largest se_j, on the
    model's scale: of the empirical logits for binomial counts) even the least precise group
    is barely pooled; it also reaches 1.5 times the true and fitted tau."""
    model = Normal() if model is None else model
    if data.sigma is not None and model.link == "identity":
        scale = data.sigma
    else:
        scale = math.sqrt(float(model.link_variance(data).max()))
    end = max(3.0 * scale, 1.5 * tau_true, 1.5 * tau_hat, tau)
    magnitude = 10.0 ** math.floor(math.log10(end))
    return float(math.ceil(end / magnitude * 2) / 2 * magnitude)


def tau_grid(end: float, *taus: float) -> np.ndarray:
    """TAU_STEPS + 1 points evenly spaced from 0 to end, with `taus` (tau_hat, a tau set by a
    link) added where they fall between, sorted and without repeats."""
    return np.unique(np.concatenate([np.linspace(0.0, end, TAU_STEPS + 1), taus]))


def grid_row(grid: np.ndarray, tau: float) -> int:
    """The row of the grid point nearest tau."""
    return int(np.argmin(np.abs(grid - tau)))


def on_grid(grid: np.ndarray, tau: float) -> bool:
    """Whether tau is one of the grid's points, up to the rounding of a slider step: within
    1e-12 of the grid's end (the page applies the same rule, see `live_tau.SELECT_ROW`)."""
    return abs(float(grid[grid_row(grid, tau)]) - tau) <= 1e-12 * float(grid[-1])


def tau_move(event: param.parameterized.Event) -> bool:
    """Whether a change of the state is a tau move alone: a new `comparison` that differs from
    the old one only in tau (`Comparison.same_fit`)."""
    return event.name == "comparison" and event.old is not None and event.old.same_fit(event.new)


def typical_se(data: GroupData, model: Model | None = None) -> float:
    """The median se_j (on the model's scale) rounded to one significant digit: the half-Cauchy
    prior's default scale, weakly informative on the scale of the data (Gelman 2006,
    *Bayesian Analysis* 1:515-534)."""
    model = Normal() if model is None else model
    se = math.sqrt(float(np.median(model.link_variance(data))))
    magnitude = 10.0 ** math.floor(math.log10(se))
    return float(round(se / magnitude) * magnitude)


def compare_on_grid(
    data: GroupData,
    model: Model,
    prior: str,
    scale: float,
    tau: float | None,
    true_tau: float,
    fit: HyperFit | None = None,
) -> Comparison:
    """`compare` at tau (None: the fitted tau) along a grid to the tau axis's end (`tau_end`),
    with the half-Cauchy scale `scale` when that is the prior. What a worker process runs for
    a session (`workers.off_the_loop`): it touches no state."""
    fit = model.fit(data) if fit is None else fit
    tau = fit.tau if tau is None else tau
    end = tau_end(data, true_tau, fit.tau, tau, model)
    return compare(
        data,
        model,
        tau=tau,
        tau_grid=tau_grid(end, fit.tau, tau),
        prior=prior,
        scale=scale,
        fit=fit,
    )


def row_order(data: GroupData, sort: str) -> np.ndarray:
    """Row of each group in the figure, 0 at the top: in file order, the least precise first
    (smallest n_j, or largest v_j when the data give no n_j), or the largest y_j first."""
    J = data.J
    if sort == "group":
        return np.arange(J)
    key = (data.n if data.n is not None else -data.v) if sort == "size" else -data.y
    order = np.empty(J, dtype=int)
    order[np.argsort(key, kind="stable")] = np.arange(J)
    return order


@dataclass(frozen=True)
class Upload:
    """An uploaded file as read: its groups and which column held what, or why it was refused
    (with the file's columns when they could not be told apart). Not its bytes: a worker
    process sends this back, and the caller holds them."""

    filename: str
    data: GroupData | None = None
    columns_used: str = ""
    problem: str = ""
    column_choices: list[str] = field(default_factory=list)

    @classmethod
    def not_read(cls, filename: str, err: Exception) -> Upload:
        """A file the reader failed on (a crashed worker, or a bug of ours): say so."""
        return cls(filename, problem=f"{filename}: not read ({err!r})")


def read_upload(
    content: bytes | str, filename: str, columns: dict[str, str] | None = None
) -> Upload:
    """Read an uploaded CSV file (`parse_csv`, refused at the line that starts group
    MAX_GROUPS + 1) into an `Upload`. Touches no state: safe in a worker thread."""
    try:
        data = parse_csv(content, title=filename, columns=columns, max_groups=MAX_GROUPS)
        check_drawable(data)
        used = map_columns(read_header(content), columns).describe()
    except ColumnError as err:
        return Upload(
            filename,
            problem=f"{filename}: {err.why}. The columns are: {', '.join(err.columns)}. "
            "Choose which column holds what below.",
            column_choices=list(err.columns),
        )
    except CSVError as err:
        return Upload(filename, problem=f"{filename}: {err}")
    return Upload(filename, data=data, columns_used=used)


class PoolingState(param.Parameterized):
    """The app's settings as parameters, and the one thing derived from them: `comparison`.

    `comparison` is the core's `compare` of the data on show (simulated, bundled or uploaded)
    under the chosen population model, at the slider's `tau` and along a tau grid from 0 to
    `tau_max` (`tau_grid`): every estimator's estimates and MSE, the fit (tau_hat), the
    posterior. A tau move on the grid only moves the comparison (`Comparison.at`); new data, a
    new model or prior recompute it. A new data source moves tau to tau_hat and the half-Cauchy
    scale to the data's typical se_j. A rejected upload sets `problem` and keeps the data.
    Views read `comparison` and never compute.

    A recomputation runs where `run_with` says (at once by default; a served page hands it to
    `workers.off_the_loop`): meanwhile `computing` is true and the old comparison stays on
    show, and of several recomputations asked for meanwhile only the last one is shown.
    """

    source = param.Selector(default="simulated", objects=list(SOURCES), label="Data")

    J = param.Integer(12, bounds=(3, 200), label="Number of groups J")
    n_range = param.Range((2, 40), bounds=(1, 200), step=1, label="Group sizes n_j (from, to)")
    tau_true = param.Number(
        0.5, bounds=(0.0, 10.0), softbounds=(0.0, 5.0), step=0.05, label="True tau"
    )
    sigma = param.Number(
        1.0, bounds=(0.1, 10.0), softbounds=(0.1, 5.0), step=0.05, label="sigma (within-group sd)"
    )
    mu = param.Number(0.0, bounds=(-100.0, 100.0), step=0.1, label="mu (population mean)")
    seed = param.Integer(27, bounds=(0, 2**31 - 1), label="Random seed")
    outlier = param.Boolean(False, label="Add an outlier group")
    outlier_shift = param.Number(
        4.0, bounds=(-20.0, 20.0), softbounds=(-10.0, 10.0), step=0.25, label="Outlier's theta - mu"
    )
    outlier_n = param.Integer(20, bounds=(1, 200), label="Outlier's observations n")
    mean_rate = param.Number(
        0.2, bounds=(0.01, 0.99), step=0.01, label="True mean rate (simulated counts)"
    )
    new_data = param.Event(label="New data")

    tau = param.Number(0.5, bounds=(0.0, 1e100), step=0.005, label="tau")
    fit_tau = param.Event(label="Fit tau from data")
    method = param.Selector(default="HE", objects=list(TAU2_METHODS), label="Estimator of tau")
    sort = param.Selector(default="group", objects=list(SORTS), label="Sort rows by")
    prior = param.Selector(default="uniform", objects=list(PRIORS), label="Prior on tau")
    prior_scale = param.Number(
        0.2, bounds=(0.0, 1e100), inclusive_bounds=(False, True), label="Half-Cauchy scale"
    )
    show_full_bayes = param.Boolean(False, label="Full Bayes in the figure")
    show_james_stein = param.Boolean(False, label="James-Stein in the figure")
    population = param.Selector(default="auto", objects=list(POPULATIONS), label="Model")
    nu = param.Number(4.0, bounds=(1.0, 30.0), step=1.0, label="Student-t degrees of freedom nu")
    structure = param.Selector(
        default="hierarchical", objects=list(STRUCTURES), label="Model structure"
    )
    uploaded = param.ClassSelector(
        class_=GroupData, allow_None=True, precedence=-1, doc="the last accepted upload"
    )

    simulation = param.ClassSelector(
        class_=Simulation, precedence=-1, doc="the simulation of the settings, also when not shown"
    )
    count_simulation = param.ClassSelector(
        class_=CountSimulation,
        precedence=-1,
        doc="the binomial groups simulated with the settings, also when not shown",
    )
    comparison = param.ClassSelector(
        class_=Comparison,
        precedence=-1,
        doc="every estimator on the data on show, at tau and along the tau grid (`path`)",
    )
    order = param.Array(precedence=-1, doc="row of each group in the figure, 0 at the top")
    problem = param.String("", precedence=-1, doc="why the last upload was refused, or ''")
    column_choices = param.List(
        default=[],
        precedence=-1,
        doc="the columns of an upload whose columns could not be told apart, to choose from; "
        "else []",
    )
    columns_used = param.String(
        "", precedence=-1, doc="which column of the last accepted upload held what, or ''"
    )
    population_problem = param.String(
        "", precedence=-1, doc="why the chosen model is not used, or ''"
    )
    computing = param.Boolean(
        False, precedence=-1, doc="a new comparison is being computed (`run_with`)"
    )
    reading = param.Boolean(
        False, precedence=-1, doc="an upload is being read again with chosen columns"
    )

    def __init__(self, **params: object) -> None:
        self._pending: tuple[bytes | str, str] | None = None
        self._run: Runner = at_once
        self._asked = 0
        self._wanted: tuple[GroupData, bool] | None = None
        self._job: Future | None = None
        super().__init__(**params)
        self._resimulate()
        if self.source != "simulated":
            self._on_source()

    def run_with(self, runner: Runner) -> None:
        """Compute new comparisons with `runner` from now on (`workers.at_once`, the default,
        or `workers.off_the_loop`)."""
        self._run = runner

    @contextlib.contextmanager
    def computing_at_once(self) -> Iterator[None]:
        """Within this block every comparison is computed at once (e.g. to apply a link, whose
        tau is read against the slider's end for its data)."""
        runner, self._run = self._run, at_once
        try:
            yield
        finally:
            self._run = runner

    @property
    def data(self) -> GroupData:
        """The groups on show."""
        return self.comparison.data

    @property
    def tau_max(self) -> float:
        """The upper end of the tau axis, the slider and the grid."""
        return float(self.comparison.path.tau[-1])

    @property
    def model(self) -> Model:
        """The population model in use: the chosen one, or the Normal when the data are too
        few for it (the reason in `population_problem`)."""
        return self.comparison.model

    @param.depends(*SIMULATION_SETTINGS, watch=True)
    def _resimulate(self) -> None:
        low, high = (round(b) for b in self.n_range)
        sim = simulate(self.J, (low, high), self.tau_true, self.mu, self.sigma, seed=self.seed)
        if self.outlier:
            sim = with_outlier(sim, self.outlier_shift, self.outlier_n, self.seed)
        self.simulation = sim
        self.count_simulation = simulate_binomial(
            self.J, (low, high), self.tau_true, self.mean_rate, seed=self.seed
        )
        if self.source in SIMULATED or self.comparison is None:  # show something at first
            data = self._simulated() if self.source in SIMULATED else from_simulation(sim)
            self._show(data, new_source=False)

    def _simulated(self) -> GroupData:
        """The simulated groups of the source on show."""
        if self.source == "simulated_counts":
            return from_count_simulation(self.count_simulation)
        return from_simulation(self.simulation)

    @param.depends("source", watch=True)
    def _on_source(self) -> None:
        if self.source in SIMULATED:
            data = self._simulated()
        elif self.source == "upload":
            if self.uploaded is None:
                self._forget_the_last_request()  # the data on show stay
                self._wanted = None
                self.computing = False
                self.problem = "Choose a CSV file to upload: no file has been read yet."
                return
            data = self.uploaded
        else:
            data = datasets.load(self.source)
        self._show(data, new_source=True)

    def upload(
        self,
        content: bytes | str,
        filename: str = "Uploaded data",
        columns: dict[str, str] | None = None,
    ) -> bool:
        """Read an uploaded CSV file, its columns recognised (`columns.map_columns`) or named
        in `columns` (`read_upload`), and show it (`show_upload`). Returns whether the file
        was accepted."""
        return self.show_upload(read_upload(content, filename, columns), content)

    def show_upload(self, upload: Upload, content: bytes | str) -> bool:
        """Show a file read by `read_upload` from `content`; on any problem set `problem` and
        keep the data on show. When its columns cannot be told apart the file is kept, its
        columns are offered in `column_choices`, and `read_with_columns` reads it again.
        Returns whether the file was accepted."""
        self._pending = None
        if upload.data is not None:
            self.use(upload.data, upload.columns_used)
            return True
        if upload.column_choices:
            self._pending = (content, upload.filename)
        self.param.update(column_choices=upload.column_choices, problem=upload.problem)
        return False

    def use(self, data: GroupData, columns_used: str = "") -> None:
        """Show `data` as "your data" (an upload, or data handed to `explore`); a DataError
        (`check_drawable`) when the app cannot draw them."""
        check_drawable(data)
        self.param.update(uploaded=data, column_choices=[], columns_used=columns_used)
        if self.source == "upload":
            self._show(data, new_source=True)
        else:
            self.source = "upload"

    def read_with_columns(self, columns: dict[str, str]) -> None:
        """Read the upload whose columns could not be told apart again, with these columns
        (role -> column), where `run_with` says (a served page: off the event loop, `reading`
        true meanwhile), and show it (`show_upload`); a bad choice keeps the file to choose
        again."""
        pending = self._pending
        if pending is None:
            self.problem = "Upload a file first: there is no file waiting for its columns."
            return
        content, filename = pending

        def show(upload: Upload) -> None:
            self.reading = False
            if self._pending is not pending:
                return  # another file came meanwhile
            if not self.show_upload(upload, content) and not self.column_choices:
                self._pending = pending
                self.column_choices = read_header(content)

        def failed(err: Exception) -> None:
            show(Upload.not_read(filename, err))

        self.reading = self._run is not at_once
        self._run(read_upload, (content, filename, columns), show, failed)

    def _choose_model(self, data: GroupData) -> tuple[Model, str]:
        """The chosen model, or the Normal when the data have too few groups for it or are not
        the counts it needs; and the reason for `population_problem` (or "")."""
        key = natural_model(data) if self.population == "auto" else self.population
        model = make_model(key, self.method, self.nu)
        if model.min_groups > data.J:
            problem = (
                f"A {POPULATIONS[model.key]} population needs at least {model.min_groups} "
                f"groups to fit (mu, tau); these data have {data.J}"
            )
        else:
            problem = model.problem(data).rstrip(".")
        shown = ", so the Normal population is shown."
        return (Normal(self.method), f"{problem}{shown}") if problem else (model, "")

    def _show(self, data: GroupData, new_source: bool) -> None:
        """Compare on `data` under the chosen model and show it in one update; a new source
        moves tau to tau_hat and the half-Cauchy scale to the data's typical se_j."""
        model, problem = self._choose_model(data)
        if self.comparison is not None and model.link != self.comparison.model.link:
            new_source = True  # tau on another scale (logit, log): start at tau_hat again
        self._wanted = (data, new_source)
        self.problem = ""  # an earlier upload's: these data are shown
        scale = typical_se(data, model) if new_source else self.prior_scale
        tau = None if new_source else self.tau
        self._recompute(data, model, None, tau, scale, problem)

    def _recompute(
        self,
        data: GroupData,
        model: Model,
        fit: HyperFit | None,
        tau: float | None,
        scale: float,
        population_problem: str,
    ) -> None:
        """`compare_on_grid` by the runner (or as another session of this process had it
        computed, for data other than an upload: `shared`); its result, if still the last one
        asked for, is shown in one update with its tau (the fitted one when `tau` is None),
        `scale` and `population_problem`."""
        self._forget_the_last_request()
        asked = self._asked
        true_tau = self.tau_true if self.source in SIMULATED else 0.0
        key = None
        if data is not self.uploaded:  # an upload is never shared, not even with its twin
            key = shared.digest(data, model, self.prior, scale, tau, true_tau)

        def show(comparison: Comparison) -> None:
            if asked != self._asked:
                return  # a later recomputation was asked for
            if key is not None:
                shared.keep(key, comparison)
            self._wanted = self._job = None
            if comparison.data is not data:  # a worker's copy: keep the groups we hold
                comparison = replace(comparison, data=data)
            self.param.update(
                tau=comparison.fit.tau if tau is None else self.tau,
                prior_scale=scale,
                order=row_order(comparison.data, self.sort),
                comparison=comparison,
                population_problem=population_problem,
                computing=False,
                **({"problem": ""} if self.problem.startswith(NOT_COMPUTED) else {}),
            )
            self._on_tau()  # tau moved while this was computed

        def failed(err: Exception) -> None:
            if asked == self._asked:
                self._wanted = self._job = None
                self.param.update(problem=f"{NOT_COMPUTED}: {err}", computing=False)

        kept = None if key is None else shared.get(key)
        if kept is not None:
            show(kept)
            return
        self.computing = self._run is not at_once
        args = (data, model, self.prior, scale, tau, true_tau, fit)
        try:
            self._job = self._run(compare_on_grid, args, show, failed)
        except Exception:  # computed at once: the caller sees the error, the state is as before
            self.param.update(computing=False)
            self._wanted = None
            raise

    def _forget_the_last_request(self) -> None:
        """Show no comparison asked for before now, and drop its job if it has not started."""
        self._asked += 1
        if self._job is not None:
            self._job.cancel()
            self._job = None

    @param.depends("method", "population", "nu", watch=True)
    def _on_model(self) -> None:
        self._show(*(self._wanted or (self.data, False)))

    @param.depends("prior", "prior_scale", watch=True)
    def _on_prior(self) -> None:
        if self._wanted is not None:
            self._show(*self._wanted)  # new data are on their way: with this prior
            return
        c = self.comparison
        scale = self.prior_scale if self.prior == "half-cauchy" else None
        if (c.prior, c.scale) == (self.prior, scale):  # on show already (new data set the scale)
            self._forget_the_last_request()  # one for another prior
            self.computing = False
            self._on_tau()  # the tau it was for may be off the grid on show
            return
        problem = self.population_problem
        self._recompute(c.data, c.model, c.fit, self.tau, self.prior_scale, problem)

    @param.depends("sort", watch=True)
    def _on_sort(self) -> None:
        self.order = row_order(self.data, self.sort)

    @param.depends("tau", watch=True)
    def _on_tau(self) -> None:
        c = self.comparison
        if c.tau2 == self.tau**2:
            return  # the comparison is at this tau already (a new one came with it)
        if on_grid(c.path.tau, self.tau):
            self.comparison = c.at(self.tau)
        elif self._wanted is None:  # a tau between the slider's steps (a link) joins the grid
            problem = self.population_problem
            self._recompute(c.data, c.model, c.fit, self.tau, self.prior_scale, problem)

    @param.depends("fit_tau", watch=True)
    def _on_fit_tau(self) -> None:
        self.tau = self.comparison.fit.tau

    @param.depends("new_data", watch=True)
    def _on_new_data(self) -> None:
        self.seed = int(np.random.default_rng().integers(0, 2**31 - 1))
