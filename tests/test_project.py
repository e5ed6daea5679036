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
        "print(sorted(m for m in ('panel', 'bokeh', 'param', 'scipy', 'statsmodels', 'pandas')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_reference_data_are_the_shared_copies():
    shared = ROOT.parent / "shared" / "data"
    if not shared.is_dir():
        pytest.skip("../shared/data is not beside this clone")
    for name in ("eight_schools.csv", "viechtbauer2005_example1.csv", "efron_morris_1975.csv"):
        assert (ROOT / "tests" / "data" / name).read_bytes() == (shared / name).read_bytes()
