"""partialpool: no pooling, complete pooling and partial pooling of group means.

The core works on group summaries: `y`, the group means (or effect estimates), and `v`, their
sampling variances v_j = sigma^2 / n_j. It depends on numpy only.
"""

from .bayes import PRIORS, FullBayes, full_bayes
from .pooling import (
    PoolingEstimate,
    ShrinkagePath,
    complete_pool,
    no_pool,
    partial_pool,
    partial_pool_path,
    shrinkage,
)
from .risk import RiskCurve, mse, risk_curve
from .simulate import Simulation, Summary, simulate, summarize
from .stein import JamesStein, james_stein
from .tau2 import TAU2_METHODS, ConvergenceError, estimate_tau2

__version__ = "0.1.0"

__all__ = [
    "PRIORS",
    "TAU2_METHODS",
    "ConvergenceError",
    "FullBayes",
    "JamesStein",
    "PoolingEstimate",
    "RiskCurve",
    "ShrinkagePath",
    "Simulation",
    "Summary",
    "complete_pool",
    "estimate_tau2",
    "full_bayes",
    "james_stein",
    "mse",
    "no_pool",
    "partial_pool",
    "partial_pool_path",
    "risk_curve",
    "shrinkage",
    "simulate",
    "summarize",
]
