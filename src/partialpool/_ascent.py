"""Newton's method uphill on a log-likelihood of two parameters, shared by the count models."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def in_logs(x: np.ndarray, grad: np.ndarray, hess: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The gradient and Hessian in u = log x from those in x (positive parameters):
    dL/du = x g, d2L/du2 = diag(x) H diag(x) + diag(x g)."""
    return x * grad, np.outer(x, x) * hess + np.diag(x * grad)


def ascent_step(grad: np.ndarray, hess: np.ndarray) -> np.ndarray:
    """Newton's step where the Hessian is negative definite; else the Levenberg-Marquardt
    step -(H - lambda I)^-1 g with lambda above H's largest eigenvalue, an ascent direction."""
    largest = float(np.linalg.eigvalsh(hess)[-1])
    if largest < 0:
        return -np.linalg.solve(hess, grad)
    shift = largest + 1e-3 * (1.0 + float(np.max(np.abs(np.diag(hess)))))
    return -np.linalg.solve(hess - shift * np.eye(len(grad)), grad)


def climb(
    log_lik: Callable[[np.ndarray], float],
    derivatives: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    theta: np.ndarray,
    tolerance: float,
    far: Callable[[np.ndarray], bool],
) -> tuple[np.ndarray, float, int]:
    """Newton's method from `theta`, each step halved until log L rises, until the gradient
    is below `tolerance` or `far(theta)` (the climb heads for a boundary at infinity):
    (theta, log L there, steps taken)."""
    value = log_lik(theta)
    iterations = 0
    for iterations in range(1, 201):  # noqa: B007 (returned)
        grad, hess = derivatives(theta)
        if np.max(np.abs(grad)) < tolerance:
            break
        step = ascent_step(grad, hess)
        for _ in range(60):
            trial = theta + step
            trial_value = log_lik(trial)
            if trial_value > value:
                break
            step = step / 2.0
        else:
            break
        theta, value = trial, trial_value
        if far(theta):
            break
    return theta, value, iterations
