"""How the full-Bayes numbers in `partialpool.bayes` (its doctest) were produced.

Run: python tests/reference/bayes_quad.py  (needs the test extras: scipy, pytest, hypothesis)

Eight schools (Rubin 1981; BDA3 Table 5.2) under a flat prior on tau and under a half-Cauchy
prior with scale 25 (Gelman 2006), by one-dimensional adaptive quadrature (scipy.integrate.quad)
of p(tau | y) from BDA3 eqs. 5.20-5.21, written afresh in tests/test_bayes.py
(`_quad_posterior`), which does not call partialpool. tests/test_bayes.py compares `full_bayes`
with the same function at run time, on these and other data sets, to 1e-9 relative.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent.parent))
from test_bayes import QUANTILES, _quad_posterior

Y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
SE = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])


def main() -> None:
    for prior, scale in (("uniform", None), ("half-cauchy", 25.0)):
        ref = _quad_posterior(Y, SE**2, prior, scale)
        print(f"eight schools, {prior} prior" + (f" (scale {scale:g})" if scale else "") + ":")
        print(f"  E(tau | y)  {ref['tau_mean']:.10g}")
        for q, t in zip(QUANTILES, ref["tau_quantiles"], strict=True):
            print(f"  tau q{q:<6}  {t:.10g}")
        print(f"  E(mu | y)   {ref['mu_mean']:.10g}   sd {ref['mu_sd']:.10g}")
        print(f"  E(theta | y)  {np.array2string(ref['theta_mean'], precision=6)}")
        print(f"  sd(theta | y) {np.array2string(ref['theta_sd'], precision=6)}")


if __name__ == "__main__":
    main()
