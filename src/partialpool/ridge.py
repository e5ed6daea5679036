"""Ridge regression and its reading as partial pooling of regression coefficients.

Ridge (Hoerl and Kennard 1970, *Technometrics* 12:55-67) shrinks least-squares coefficients
toward zero: beta_hat(lam) = (X'X + lam I)^{-1} X'y. It is the posterior mean (and mode) of
beta under y ~ N(X beta, sigma^2 I) with the exchangeable prior beta_k ~ N(0, tau^2) at
lam = sigma^2 / tau^2 (Gelman et al. 2013, *Bayesian Data Analysis*, 3rd ed., section 14.8;
Hastie, Tibshirani and Friedman 2009, *Elements of Statistical Learning*, 2nd ed., section 3.4):
the coefficients are partially pooled toward a common value 0, just as group means are pooled
toward mu. A Laplace prior instead gives the lasso as the posterior mode (Tibshirani 1996,
*JRSS B* 58:267-288, section 5).

Three code paths compute the same numbers, so tests comparing them are meaningful:
`ridge` solves the augmented least-squares problem, `ridge_path` uses one SVD of X for many
lambdas, and `hierarchical_posterior` factors the posterior precision by Cholesky.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validation import as_matrix, as_vector, check_count, check_scalar


@dataclass(frozen=True, eq=False)
class RidgeDesign:
    """A simulated regression with exchangeable coefficients.

    Fields
    ------
    X : the n x p design, independent standard normal entries.
    y : the n responses, y = X beta + sigma e.
    beta : the p true coefficients, beta_k ~ N(0, tau^2).
    sigma : the noise standard deviation.
    tau : the prior standard deviation of the coefficients.
    """

    X: np.ndarray
    y: np.ndarray
    beta: np.ndarray
    sigma: float
    tau: float


@dataclass(frozen=True, eq=False)
class RidgePosterior:
    """The Gaussian posterior of beta under a N(0, tau^2 I) prior.

    Fields
    ------
    mean : the posterior mean (= mode) of beta, length p; equals ridge(X, y, sigma^2 / tau^2).
    cov : the p x p posterior covariance (X'X / sigma^2 + I / tau^2)^{-1}.
    """

    mean: np.ndarray
    cov: np.ndarray

    @property
    def sd(self) -> np.ndarray:
        """The posterior standard deviations of the coefficients."""
        return np.sqrt(np.diag(self.cov))


def _check_design(X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    """Return (X, y) as a finite n x p float matrix and a finite length-n vector."""
    X = as_matrix(X, "X", "n x p")
    y = as_vector(y, "y")
    if y.size != X.shape[0]:
        raise ValueError(
            f"X and y must have the same number of rows; got X of shape {X.shape} "
            f"and y of length {y.size}"
        )
    return X, y


def simulate_design(
    n: int, p: int, tau: float = 1.0, sigma: float = 1.0, seed: int = 0
) -> RidgeDesign:
    """Draw a regression y = X beta + sigma e with beta_k ~ N(0, tau^2) iid.

    With `rng = np.random.default_rng(seed)`, draws X (n x p), then z (p), then e (n), all
    standard normal; beta = tau z and y = X beta + sigma e.

    Parameters
    ----------
    n, p : the numbers of observations and coefficients, whole numbers >= 1 (p > n is allowed).
    tau : the prior sd of the coefficients, finite and >= 0.
    sigma : the noise sd, finite and >= 0.
    seed : a whole number >= 0.

    Returns a RidgeDesign.
    """
    n = check_count(n, "n", 1)
    p = check_count(p, "p", 1)
    tau = check_scalar(tau, "tau", low=0.0)
    sigma = check_scalar(sigma, "sigma", low=0.0)
    seed = check_count(seed, "seed", 0)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    beta = tau * rng.standard_normal(p)
    y = X @ beta + sigma * rng.standard_normal(n)
    return RidgeDesign(X=X, y=y, beta=beta, sigma=sigma, tau=tau)


def ridge_penalty(sigma: float, tau: float) -> float:
    """lam = sigma^2 / tau^2, the ridge penalty equivalent to the prior beta_k ~ N(0, tau^2)
    with noise sd sigma (BDA3 section 14.8); inf at tau = 0 (complete pooling toward 0).

    >>> ridge_penalty(1.0, 0.5), ridge_penalty(2.0, 0.0), ridge_penalty(1.0, 1e-200)
    (4.0, inf, inf)
    """
    sigma = check_scalar(sigma, "sigma", low=0.0)
    tau = check_scalar(tau, "tau", low=0.0)
    tau2 = tau * tau
    return math.inf if tau2 == 0 else sigma**2 / tau2


def ridge(X: object, y: object, lam: float) -> np.ndarray:
    """Ridge regression without intercept: beta_hat = (X'X + lam I)^{-1} X'y.

    Hoerl and Kennard (1970), *Technometrics* 12:55-67; Hastie, Tibshirani and Friedman (2009),
    *ESL*, eq. (3.44). Computed without forming X'X, as the least-squares solution of the
    augmented system [X; sqrt(lam) I] beta = [y; 0] (ESL exercise 3.12), whose normal
    equations are the ridge equations; this keeps the condition number of X rather than its
    square.

    Notes
    -----
    - lam = 0 is ordinary least squares; when X has rank < p (for instance p > n) it is the
      minimum-norm least-squares solution, which is also the limit of ridge as lam -> 0+,
      and what np.linalg.lstsq returns.
    - lam -> inf shrinks every coefficient to 0; the norm of beta_hat never increases in lam.
    - No intercept is fitted and X is not standardised: centre y and scale X beforehand if
      the penalty should treat columns alike.

    Parameters
    ----------
    X : the n x p design, finite.
    y : the n responses, finite.
    lam : the penalty, finite and >= 0.

    Returns the p coefficients.
    """
    X, y = _check_design(X, y)
    lam = check_scalar(lam, "lam", low=0.0)
    p = X.shape[1]
    if lam == 0.0:
        return np.linalg.lstsq(X, y, rcond=None)[0]
    augmented = np.vstack([X, np.sqrt(lam) * np.eye(p)])
    return np.linalg.lstsq(augmented, np.concatenate([y, np.zeros(p)]), rcond=None)[0]


def ridge_path(X: object, y: object, lams: object) -> np.ndarray:
    """Ridge coefficients for many penalties from one SVD of X.

    With the thin SVD X = U diag(d) V', beta_hat(lam) = V diag(d / (d^2 + lam)) U'y
    (Hastie, Tibshirani and Friedman 2009, *ESL*, eq. (3.47)), so after one O(n p min(n, p))
    factorisation each lambda costs O(p min(n, p)). Singular values at or below
    eps * max(n, p) * d_max are treated as 0 (np.linalg.lstsq's default cut-off), so lam = 0
    gives the minimum-norm least-squares solution as in `ridge`.

    Parameters
    ----------
    X, y : as in `ridge`.
    lams : the penalties, a non-empty sequence of finite numbers >= 0.

    Returns an array of shape (len(lams), p); row i is ridge(X, y, lams[i]).
    """
    X, y = _check_design(X, y)
    lams = as_vector(lams, "lams")
    bad = lams < 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"lams must be >= 0; got lams[{i}] == {lams[i]}")
    U, d, Vt = np.linalg.svd(X, full_matrices=False)
    kept = d > np.finfo(float).eps * max(X.shape) * d[0]
    d = np.where(kept, d, 0.0)
    uty = U.T @ y
    denominator = d**2 + lams[:, None]
    # Where d is cut to 0 the factor is 0 for every lam, including lam = 0 where it is 0/0.
    factor = np.divide(d, denominator, out=np.zeros_like(denominator), where=kept)
    return (factor * uty) @ Vt


def hierarchical_posterior(X: object, y: object, sigma: float, tau: float) -> RidgePosterior:
    """The posterior of beta under y ~ N(X beta, sigma^2 I) and beta_k ~ N(0, tau^2) iid.

    The prior is conjugate, so the posterior is normal with precision
    P = X'X / sigma^2 + I / tau^2, covariance P^{-1} and mean P^{-1} X'y / sigma^2
    (Gelman et al. 2013, *BDA3*, section 14.8, with the prior as extra "observations";
    Hastie, Tibshirani and Friedman 2009, *ESL*, section 3.4.1). Multiplying through by
    sigma^2 shows the mean is ridge(X, y, sigma^2 / tau^2): ridge is the posterior mean and
    mode under a Gaussian prior, as the lasso is the posterior mode under a Laplace prior
    (Tibshirani 1996, *JRSS B* 58:267-288, section 5). Computed from the Cholesky factor of P,
    a different route from `ridge`.

    Notes
    -----
    - tau = inf is the flat prior: the mean is least squares and the covariance
      sigma^2 (X'X)^{-1}; it needs X of full column rank, otherwise the posterior is improper
      and a ValueError is raised (as it is for a finite tau so large that the precision
      matrix is numerically singular).
    - tau -> 0 pulls the mean to 0 and the covariance to tau^2 I (complete pooling at 0).

    Parameters
    ----------
    X, y : as in `ridge`.
    sigma : the known noise sd, finite and > 0.
    tau : the prior sd of each coefficient, > 0; inf allowed.

    Returns a RidgePosterior (mean, cov).
    """
    X, y = _check_design(X, y)
    sigma = check_scalar(sigma, "sigma", low=0.0, low_inclusive=False)
    tau = check_scalar(tau, "tau", low=0.0, low_inclusive=False, allow_inf=True)
    p = X.shape[1]
    if np.isinf(tau):
        rank = int(np.linalg.matrix_rank(X))
        if rank < p:
            raise ValueError(
                f"tau == inf (flat prior) needs X of full column rank; got rank {rank} < "
                f"p == {p}, so the posterior is improper"
            )
    precision = X.T @ X / sigma**2 + np.eye(p) / tau**2
    try:
        chol = np.linalg.cholesky(precision)
    except np.linalg.LinAlgError:
        raise ValueError(
            f"X'X / sigma^2 + I / tau^2 is numerically singular (tau == {tau} is too large "
            f"for a design of rank < p == {p}); use a smaller tau"
        ) from None
    # P^{-1} = L^{-T} L^{-1}; mean = L^{-T} L^{-1} X'y / sigma^2.
    chol_inv = np.linalg.solve(chol, np.eye(p))
    cov = chol_inv.T @ chol_inv
    mean = chol_inv.T @ (chol_inv @ (X.T @ y / sigma**2))
    return RidgePosterior(mean=mean, cov=cov)
