"""The `partialpool` command: fit partial pooling to a CSV file, or write a simulated one.

    partialpool fit FILE.csv|FILE.parquet|DATASET [--group COL] [--value COL | --estimate COL
                    (--se COL | --variance COL) | --mean COL --sd COL --n COL | --successes COL
                    --trials COL | --count COL --exposure COL] [--truth COL]
                    [--model auto|normal|student-t|binomial|poisson]
                    [--method HE|DL|PM|ML|REML|SJ|HS] [--nu NU] [--tau2 X]
                    [--format table|csv|json]
    partialpool serve [FILE.csv|FILE.parquet|DATASET] [column options as for fit] [--port PORT]
                      [--address ADDRESS] [--show] [--num-procs N]
                      [--allow-websocket-origin HOST[:PORT] ...]
    partialpool export --html OUT.html [FILE.csv|FILE.parquet|DATASET] [column options as for
                       fit] [--tau TAU]
    partialpool simulate [--groups J] [--n N | --n-range LOW HIGH] [--tau T] [--mu M]
                         [--sigma S] [--seed SEED] [--truth] [--output FILE]

Columns not named by an option are recognised by their names (`columns.NAMES`); the mapping
used is printed on stderr. Bad input (a file the app would refuse, columns that cannot be told
apart, a bad option) prints one line on stderr and exits 2; an estimator that fails to converge
exits 1.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn, TextIO

import numpy as np

from .columns import ROLES, ColumnError
from .compare import compare
from .csvfile import FORMAT_HELP
from .datasets import DATASETS, load
from .files import map_file, read_data
from .groupdata import GroupData
from .models import MODELS, make_model, natural_model
from .results import to_csv, to_json, to_text
from .simulate import Simulation, simulate
from .tau2 import TAU2_METHODS, ConvergenceError

FORMATTERS = {"table": to_text, "csv": to_csv, "json": to_json}
WRITE_ROWS = 100_000


def _nonnegative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0; got {text!r}")
    return value


def _at_least_one(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value >= 1.0:
        raise argparse.ArgumentTypeError(f"must be a number >= 1 (or inf); got {text!r}")
    return value


def _whole_at_least(low: int) -> Callable[[str], int]:
    def read(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if value < low:
            raise argparse.ArgumentTypeError(f"must be a whole number >= {low}; got {text!r}")
        return value

    return read


_positive_int = _whole_at_least(1)
_whole = _whole_at_least(0)


class _Parser(argparse.ArgumentParser):
    """argparse with the command's one-line error format (the usage stays in --help)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"partialpool: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="partialpool",
        description="No pooling, complete pooling and partial pooling of group means.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    fit = commands.add_parser(
        "fit",
        help="estimate tau^2 and partially pool the groups of a CSV file",
        description="Partially pool the groups of a CSV file: under a Normal population, "
        "theta_j ~ N(mu, tau^2), or a Student-t one; counts under a binomial or Poisson "
        f"model with a normal population on the logit or log scale. {FORMAT_HELP}",
    )
    fit.add_argument(
        "file",
        help=f"a CSV or Parquet file, or a bundled data set ({', '.join(DATASETS)})",
    )
    _column_options(fit)
    fit.add_argument(
        "--model",
        default="auto",
        type=str.lower,
        choices=["auto", *MODELS],
        help="the population model (default auto: binomial or poisson for counts, else normal)",
    )
    fit.add_argument(
        "--method",
        default="HE",
        type=str.upper,
        choices=list(TAU2_METHODS),
        help="estimator of tau^2 under the normal model (default HE, the method of moments)",
    )
    fit.add_argument(
        "--nu", type=_at_least_one, default=4.0, help="Student-t degrees of freedom (default 4)"
    )
    fit.add_argument(
        "--tau2",
        type=_nonnegative,
        help="use this tau^2 instead of estimating it (on the logit or log scale for counts)",
    )
    fit.add_argument("--format", default="table", choices=list(FORMATTERS))

    serve = commands.add_parser(
        "serve",
        help="serve the app, on its simulated groups or on a CSV or Parquet file",
        description="Serve the app (needs the app extra) at http://ADDRESS:PORT/app; every "
        "browser session starts on the file's data (without FILE: the app's simulated groups).",
    )
    serve.add_argument(
        "file",
        nargs="?",
        help=f"a CSV or Parquet file, or a bundled data set ({', '.join(DATASETS)})",
    )
    _column_options(serve)
    serve.add_argument("--address", default="127.0.0.1", help="default 127.0.0.1 (this host)")
    serve.add_argument("--port", type=_positive_int, default=5006, help="default 5006")
    serve.add_argument("--show", action="store_true", help="open a browser")
    serve.add_argument(
        "--allow-websocket-origin",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="a name the browsers reach this server by (repeatable); ADDRESS:PORT and "
        "localhost:PORT always",
    )
    serve.add_argument(
        "--num-procs",
        type=_whole,
        default=1,
        help="server processes, each with its own sessions (0: one per core); default 1",
    )

    export = commands.add_parser(
        "export",
        help="write the tau slider, Figure 1 and the MSE table as one HTML file",
        description="Write one self-contained HTML page (needs the app extra) with the tau "
        "slider, its readout, Figure 1 and the MSE table for the data: it works from disk, "
        "with no server and no network. Without FILE: the app's simulated groups.",
    )
    export.add_argument("file", nargs="?", help="a CSV or Parquet file, or a bundled data set")
    _column_options(export)
    export.add_argument("--html", required=True, metavar="OUT.html", help="the file to write")
    export.add_argument(
        "--tau", type=_nonnegative, help="the slider's tau at first (default: tau_hat)"
    )

    sim = commands.add_parser(
        "simulate",
        help="write a simulated long CSV (group,value[,truth])",
        description="theta_j ~ N(mu, tau^2), y_ij ~ N(theta_j, sigma^2); one row per y_ij.",
    )
    sim.add_argument("--groups", type=_positive_int, default=8, help="J (default 8)")
    sizes = sim.add_mutually_exclusive_group()
    sizes.add_argument("--n", type=_positive_int, help="observations per group")
    sizes.add_argument(
        "--n-range",
        nargs=2,
        type=_positive_int,
        metavar=("LOW", "HIGH"),
        help="draw each group's size uniformly from LOW..HIGH (default 2 40)",
    )
    sim.add_argument("--tau", type=_nonnegative, default=0.5)
    sim.add_argument("--mu", type=float, default=0.0)
    sim.add_argument("--sigma", type=float, default=1.0)
    sim.add_argument("--seed", type=int, default=None)
    sim.add_argument("--truth", action="store_true", help="add each group's true theta_j")
    sim.add_argument("--output", "-o", help="file to write (default: standard output)")
    return parser


def _column_options(command: argparse.ArgumentParser) -> None:
    """--group COL, --value COL, ... --truth COL: the file's column for each role."""
    names = command.add_argument_group(
        "columns", "the file's column for each role; those not given are recognised by name"
    )
    for role in ROLES:
        names.add_argument(f"--{role}", metavar="COL", help=argparse.SUPPRESS)
    names.description = (
        "the file's column for each role, those not given recognised by name: --group COL with "
        "--value COL (one row per observation), --estimate COL with --se COL or --variance COL, "
        "--mean COL --sd COL --n COL, --successes COL --trials COL, or --count COL --exposure "
        "COL; optionally --truth COL"
    )


def given_columns(args: argparse.Namespace) -> dict[str, str]:
    """The columns named on the command line, by role."""
    return {role: getattr(args, role) for role in ROLES if getattr(args, role) is not None}


def is_dataset(file: str | None, columns: dict[str, str]) -> bool:
    """Whether `file` names a bundled data set: no such file exists and no column is named."""
    return file in DATASETS and not columns and not os.path.exists(file)


def read_file(file: str, columns: dict[str, str]) -> tuple[GroupData, str]:
    """(the data, which column held what) of the bundled data set called `file` (when no
    such file exists and no column is named; then the second is ""), else of the file read
    with `files.read_data`."""
    if is_dataset(file, columns):
        return load(file), ""
    mapping = map_file(file, columns)
    return read_data(file, columns=mapping.columns), mapping.describe()


def _say_columns(used: str, say: TextIO | None) -> None:
    if used and say is not None:
        say.write(f"partialpool: columns {used}\n")


def fit(
    file: str,
    method: str,
    tau2: float | None,
    output_format: str,
    model: str = "auto",
    nu: float = 4.0,
    columns: dict[str, str] | None = None,
    say: TextIO | None = None,
) -> str:
    """Read `file` (`read_file`), fit the model (`auto`: the counts' own model, else the
    Normal population with tau^2 by `method`) unless tau^2 is given, partially pool, and format
    the table, which names the model and how tau was set."""
    data, used = read_file(file, columns or {})
    _say_columns(used, say)
    chosen = make_model(natural_model(data) if model == "auto" else model, method, nu)
    comparison = compare(data, chosen, tau2=tau2, estimators=("partial_pool",))
    return FORMATTERS[output_format](comparison.table())


def export_html(args: argparse.Namespace, say: TextIO) -> None:
    """Write the standalone page (`app.export`) for the file's data, or the app's default."""
    try:
        from .app.export import standalone_html
        from .app.page import configure
        from .app.state import PoolingState
    except ImportError as err:
        raise ValueError(
            f"exporting the page needs the app extra ({err.name} is missing): "
            "pip install 'partialpool[app,data]'"
        ) from None
    configure()
    state = PoolingState()
    columns = given_columns(args)
    if is_dataset(args.file, columns):
        state.source = args.file
    elif args.file is not None:
        data, used = read_file(args.file, columns)
        _say_columns(used, say)
        state.use(data, used)
    if args.tau is not None:
        if args.tau > state.tau_max:
            raise ValueError(
                f"--tau must be between 0 and {state.tau_max:g}, the slider's end for these data"
            )
        state.tau = args.tau
    text = standalone_html(state)
    with open(args.html, "w", encoding="utf-8") as out:
        out.write(text)
    say.write(
        f"partialpool: wrote {args.html} ({len(text.encode()) / 2**20:.1f} MB): "
        f"{state.data.title}, tau = {state.tau:.4g}; it opens in a browser with no server\n"
    )


def serve_file(args: argparse.Namespace) -> None:
    """Read the file, if any (its column mapping on stderr), then serve the app on it."""
    try:
        from .app.serve import serve
    except ImportError as err:
        raise ValueError(
            f"serving the app needs the app extra ({err.name} is missing): "
            "pip install 'partialpool[app,data]'"
        ) from None
    data, used = None, ""
    if args.file is not None:
        data, used = read_file(args.file, given_columns(args))
        _say_columns(used, sys.stderr)
    serve(
        data,
        used,
        args.address,
        args.port,
        args.show,
        args.num_procs,
        args.allow_websocket_origin,
    )


def simulate_from(args: argparse.Namespace) -> Simulation:
    """Simulate with the parsed options (a ValueError names any bad one)."""
    n = args.n if args.n is not None else tuple(args.n_range or (2, 40))
    return simulate(args.groups, n, args.tau, args.mu, args.sigma, seed=args.seed)


def write_simulation(sim: Simulation, truth: bool, out: TextIO) -> None:
    """Write group,value[,truth] rows, one per observation, in chunks of WRITE_ROWS."""
    out.write("group,value,truth\n" if truth else "group,value\n")
    labels = np.char.add("g", (np.arange(sim.n.size) + 1).astype(str))
    for start in range(0, sim.values.size, WRITE_ROWS):
        part = slice(start, start + WRITE_ROWS)
        groups, values = sim.groups[part], sim.values[part]
        if truth:
            rows = zip(labels[groups], values.tolist(), sim.theta[groups].tolist(), strict=True)
            out.write("".join(f"{g},{x!r},{t!r}\n" for g, x, t in rows))
        else:
            rows = zip(labels[groups], values.tolist(), strict=True)
            out.write("".join(f"{g},{x!r}\n" for g, x in rows))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0, or 2 for bad input)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "fit":
            table = fit(
                args.file,
                args.method,
                args.tau2,
                args.format,
                args.model,
                args.nu,
                given_columns(args),
                sys.stderr,
            )
            sys.stdout.write(table)
            sys.stdout.flush()
        elif args.command == "serve":
            serve_file(args)
        elif args.command == "export":
            export_html(args, sys.stderr)
        else:
            sim = simulate_from(args)
            if args.output is None:
                write_simulation(sim, args.truth, sys.stdout)
                sys.stdout.flush()
            else:
                with open(args.output, "w", encoding="utf-8", newline="") as out:
                    write_simulation(sim, args.truth, out)
    except BrokenPipeError:
        # The reader stopped early (e.g. `| head`): not an error of ours, and nothing to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except ColumnError as err:
        parser.exit(2, f"partialpool: error: {err.help('--')}\n")
    except (ValueError, OSError) as err:
        parser.exit(2, f"partialpool: error: {err}\n")
    except ConvergenceError as err:
        parser.exit(1, f"partialpool: error: {err}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
