"""Checks of matrices and of callables' outputs shared by the thermo modules (private).

Built on :func:`uniqnets._validate.check_array`; what is added is what only this
subpackage needs: square, symmetric positive-definite and row-stochastic matrices,
and the shape of what a user's drift or covariance function returns.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_array

#: ``log(2 pi)``, the normalisation of Gaussian densities
LOG2PI = np.log(2.0 * np.pi)


def square(a, name: str, d: int | None = None) -> np.ndarray:
    """``a`` as a finite float matrix of shape ``(d, d)`` (any square shape if ``d`` is None)."""
    if d is not None:
        return check_array(a, name, shape=(d, d))
    a = check_array(a, name, ndim=2)
    if a.shape[0] != a.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {a.shape}")
    return a


def spd(a, name: str, d: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``a`` as a symmetric positive-definite matrix, and its lower Cholesky factor."""
    a = square(a, name, d)
    if not np.allclose(a, a.T, rtol=1e-10, atol=1e-14 * np.abs(a).max()):
        raise ValueError(f"{name} must be symmetric")
    try:
        chol = np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        raise ValueError(f"{name} must be positive definite") from None
    return a, chol


def stochastic(P, name: str = "P") -> np.ndarray:
    """``P`` as a row-stochastic matrix (non-negative rows summing to 1 within 1e-10)."""
    P = square(P, name)
    if np.any(P < 0) or not np.allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-10):
        raise ValueError(f"{name} must be a row-stochastic matrix (non-negative rows summing "
                         f"to 1)")
    return P


def eval_points(fn, X, batched: bool, name: str, out_shape: tuple) -> np.ndarray:
    """``fn`` on the points ``X`` (m, d), batched or one by one, checked against out_shape.

    Non-finite values pass: a diverging run is reported by the caller, not refused.
    """
    m = X.shape[0]
    if batched:
        out = check_array(fn(X), f"{name}(X)", dtype=float, finite=False, min_size=0)
    else:
        out = np.array([check_array(fn(x), f"{name}(x)", finite=False, min_size=0)
                        for x in X])
    expected = (m, *out_shape)
    if out.shape != expected:
        got = out.shape[1:] if out.ndim >= 1 and out.shape[:1] == (m,) else out.shape
        raise ValueError(f"{name} must return shape {out_shape} per point, got {got}")
    return out
