"""Logit-normal fit: fit_logit_normal against lme4's glmer(nAGQ = 25) on the same counts.

Run: python benchmarks/binomial.py   (needs Rscript with lme4: apt-get install r-cran-lme4)
For the rat tumours (71 groups), the surgical data (12) and the batting averages (18): the
median wall time of each, ours in this process and lme4's inside R (system.time over the same
number of fits, so R's start-up is not counted), their ratio, and the two fits' mu, tau and
log-likelihood (lme4's relative to the saturated model, as it reports it with nAGQ > 1).
Asserts nothing; tests/test_binomial.py pins the numbers.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
from timing import median_of

from partialpool.binomial import fit_logit_normal, saturated_log_likelihood

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
REPEAT = 100

CASES = {
    "rats": ("rat_tumors.csv", "tumors", "rats"),
    "surgical": ("surgical.csv", "deaths", "operations"),
    "efron_morris": ("efron_morris_1975.csv", "hits_45", None),
}

R_SCRIPT = """
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
y <- as.numeric(strsplit(args[1], ",")[[1]]); n <- as.numeric(strsplit(args[2], ",")[[1]])
reps <- as.integer(args[3])
d <- data.frame(y = y, n = n, g = factor(seq_along(y)))
fit <- function() glmer(cbind(y, n - y) ~ 1 + (1 | g), data = d, family = binomial, nAGQ = 25)
f <- fit()
times <- sapply(seq_len(reps), function(i) system.time(fit())[["elapsed"]])
cat(sprintf("%.10f %.10f %.10f %.6f\\n", fixef(f)[[1]], sqrt(VarCorr(f)$g[1]),
            as.numeric(logLik(f)), median(times)))
"""


def counts(file: str, hits: str, trials: str | None) -> tuple[np.ndarray, np.ndarray]:
    with (DATA / file).open() as f:
        rows = list(csv.DictReader(f))
    y = np.array([float(r[hits]) for r in rows])
    n = np.array([float(r[trials]) for r in rows]) if trials else np.full(y.size, 45.0)
    return y, n


def main() -> None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        sys.exit("no Rscript: apt-get install r-base r-cran-lme4")
    print(f"median wall time of {REPEAT} fits each")
    for name, columns in CASES.items():
        y, n = counts(*columns)
        ours = median_of(lambda y=y, n=n: fit_logit_normal(y, n), REPEAT)
        fit = fit_logit_normal(y, n)
        line = subprocess.run(
            [
                rscript,
                "-e",
                R_SCRIPT,
                ",".join(f"{v:g}" for v in y),
                ",".join(f"{v:g}" for v in n),
                str(REPEAT),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        mu, tau, log_lik, seconds = map(float, line)
        print(
            f"{name} (J = {y.size}): ours {ours * 1e3:.2f} ms, lme4 {seconds * 1e3:.1f} ms, "
            f"lme4 / ours {seconds / ours:.0f}x (goal >= 20x)\n"
            f"  ours: mu {fit.mu:.7f}, tau {fit.tau:.7f}, logLik - saturated "
            f"{fit.log_likelihood - saturated_log_likelihood(y, n):.9f}\n"
            f"  lme4: mu {mu:.7f}, tau {tau:.7f}, logLik {log_lik:.9f}"
        )


if __name__ == "__main__":
    main()
