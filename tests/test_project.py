"""The promises of the README and the package layout."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def _blocks(language: str) -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def test_readme_example_prints_what_the_readme_says():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(_blocks("python")[0], "README.md", "exec"), {})
    assert out.getvalue() == _blocks("text")[0]


def test_readme_starts_with_the_two_commands_ci_runs():
    commands = [line.split("#")[0].strip() for line in _blocks("bash")[0].splitlines()]
    assert commands == ["make serve", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_core_imports_numpy_only():
    code = (
        "import sys, partialpool\n"
        "import partialpool.cli, partialpool.files, partialpool.columns\n"
        "print(sorted(m for m in ('panel', 'bokeh', 'param', 'scipy', 'statsmodels', 'pandas',"
        " 'narwhals', 'duckdb', 'polars', 'pyarrow', 'pyspark') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_reference_data_are_the_shared_copies():
    shared = ROOT.parent / "shared" / "data"
    if not shared.is_dir():
        pytest.skip("../shared/data is not beside this clone")
    for name in ("eight_schools.csv", "viechtbauer2005_example1.csv", "efron_morris_1975.csv"):
        assert (ROOT / "tests" / "data" / name).read_bytes() == (shared / name).read_bytes()


def test_without_the_extras_the_core_reads_files_and_says_what_to_install(tmp_path):
    """With every optional package unimportable (None in sys.modules), the core still fits a
    shipped CSV and a file of raw observations, and `from_frame` names the extra to install."""
    raw = tmp_path / "raw.csv"
    raw.write_text("group,value\na,1\na,2\nb,4\nb,6\n")
    code = (
        "import sys\n"
        "for m in ('panel', 'bokeh', 'param', 'pandas', 'narwhals', 'duckdb', 'polars',"
        " 'pyarrow', 'pyspark', 'scipy', 'statsmodels'):\n"
        "    sys.modules[m] = None\n"
        "import partialpool as pp\n"
        "from importlib.resources import files\n"
        f"raw = pp.read_data({str(raw)!r})\n"
        "schools = pp.read_data(files('partialpool.datasets') / 'eight_schools.csv')\n"
        "print(raw.labels.tolist(), raw.y.tolist(), schools.J)\n"
        "try:\n"
        "    pp.from_frame(object(), group='g', value='x')\n"
        "except ImportError as err:\n"
        "    print(err)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert lines[0] == "['a', 'b'] [1.5, 5.0] 8"
    assert lines[1] == "from_frame needs narwhals: pip install 'partialpool[data]'"
