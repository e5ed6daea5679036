"""partialpool: no pooling, complete pooling and partial pooling of group means.

The core works on group summaries: `y`, the group means (or effect estimates), and `v`, their
sampling variances v_j = sigma^2 / n_j. It depends on numpy only.
"""

from ._link_normal import LinkNormalFit, RatePooling
from .bayes import PRIORS, FullBayes, NormalDraws, full_bayes
from .beta_binomial import BetaBinomialFit, beta_binomial
from .binomial import (
    fit_logit_normal,
    partial_pool_logit_normal,
    partial_pool_logit_normal_path,
)
from .columns import ColumnError, map_columns
from .compare import Comparison, compare
from .files import read_data
from .frames import from_frame
from .full_bayes_rates import FullBayesRates, full_bayes_binomial, full_bayes_log_normal_poisson
from .gamma_poisson import GammaPoissonFit, gamma_poisson
from .models import Binomial, Model, Normal, Poisson, StudentT
from .poisson import (
    fit_log_normal_poisson,
    partial_pool_log_normal_poisson,
    partial_pool_log_normal_poisson_path,
)
from .pooling import (
    PoolingEstimate,
    ShrinkagePath,
    complete_pool,
    no_pool,
    partial_pool,
    partial_pool_path,
    shrinkage,
)
from .rankings import Rankings, rank_draws, rank_probabilities
from .ridge import (
    RidgeDesign,
    RidgePosterior,
    hierarchical_posterior,
    ridge,
    ridge_path,
    ridge_penalty,
    simulate_design,
)
from .risk import RiskCurve, mse, path_risk, risk_curve
from .simulate import Simulation, Summary, simulate, summarize
from .stein import JamesStein, james_stein
from .student_t import StudentTFit, StudentTPooling, fit_t, partial_pool_t, partial_pool_t_path
from .tau2 import TAU2_METHODS, ConvergenceError, estimate_tau2

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """`explore` is the app's (it needs the app extra), imported when first used."""
    if name == "explore":
        from .app.explore import explore

        return explore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "PRIORS",
    "TAU2_METHODS",
    "BetaBinomialFit",
    "Binomial",
    "ColumnError",
    "Comparison",
    "ConvergenceError",
    "FullBayes",
    "FullBayesRates",
    "GammaPoissonFit",
    "JamesStein",
    "LinkNormalFit",
    "Model",
    "Normal",
    "NormalDraws",
    "Poisson",
    "PoolingEstimate",
    "Rankings",
    "RatePooling",
    "RidgeDesign",
    "RidgePosterior",
    "RiskCurve",
    "ShrinkagePath",
    "Simulation",
    "StudentT",
    "StudentTFit",
    "StudentTPooling",
    "Summary",
    "beta_binomial",
    "compare",
    "complete_pool",
    "estimate_tau2",
    "explore",
    "fit_log_normal_poisson",
    "fit_logit_normal",
    "fit_t",
    "from_frame",
    "full_bayes",
    "full_bayes_binomial",
    "full_bayes_log_normal_poisson",
    "gamma_poisson",
    "hierarchical_posterior",
    "james_stein",
    "map_columns",
    "mse",
    "no_pool",
    "partial_pool",
    "partial_pool_log_normal_poisson",
    "partial_pool_log_normal_poisson_path",
    "partial_pool_logit_normal",
    "partial_pool_logit_normal_path",
    "partial_pool_path",
    "partial_pool_t",
    "partial_pool_t_path",
    "path_risk",
    "rank_draws",
    "rank_probabilities",
    "read_data",
    "ridge",
    "ridge_path",
    "ridge_penalty",
    "risk_curve",
    "shrinkage",
    "simulate",
    "simulate_design",
    "summarize",
]
