"""Sampling a Gaussian-kernel chain ``theta' = theta + b(theta) + xi`` (private)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import (
    check_array,
    check_bool,
    check_callable,
    check_int,
    check_max_norm,
    check_real,
    check_rng,
    check_size,
)
from ._checks import eval_points, spd

__all__ = ["GaussianChainPath", "sample_gaussian_chain"]


@dataclass
class GaussianChainPath:
    """Paths sampled by :func:`sample_gaussian_chain`.

    Attributes
    ----------
    path : ndarray, shape (n_paths, n_steps + 1, d)
        States; after a divergence the rest of that path is NaN.
    drift : ndarray, shape (n_paths, n_steps + 1, d)
        ``b(theta)`` at every state (pass it to :func:`path_entropy_production`).
    cov : ndarray, shape (n_paths, n_steps + 1, d, d), or None
        ``Q(theta)`` at every state when the covariance is state-dependent.
    diverged : ndarray of bool, shape (n_paths,)
        Paths that left ``max_norm`` or produced a non-finite number.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.thermo import sample_gaussian_chain
    >>> res = sample_gaussian_chain(np.zeros(2), lambda X: -X, 1.0, 5, np.random.default_rng(0))
    >>> print(res.path.shape, res.cov, res.diverged)
    (1, 6, 2) None [False]
    """

    path: np.ndarray
    drift: np.ndarray
    cov: np.ndarray | None
    diverged: np.ndarray


def sample_gaussian_chain(x0, drift, noise_cov, n_steps: int, rng: np.random.Generator, *,
                          batched: bool = True, max_norm: float = 1e6) -> GaussianChainPath:
    """Sample ``theta_{t+1} = theta_t + b(theta_t) + xi_t``, ``xi_t ~ N(0, Q(theta_t))``.

    Noise is drawn as ``L(theta) z`` with ``L`` the Cholesky factor of ``Q`` and
    ``z ~ N(0, I_d)`` from ``rng`` (one ``(n_paths, d)`` block per step, so the stream
    does not depend on which paths are still alive).  A diverging path is reported in
    the result, not raised.

    Parameters
    ----------
    x0 : array_like, shape (d,) or (n_paths, d)
        Initial states, finite.
    drift : callable
        ``b(theta)``: ``(m, d) -> (m, d)`` (or ``(d,) -> (d,)`` with ``batched=False``).
    noise_cov : float, array_like of shape (d, d), or callable
        ``Q(theta)``: a variance ``> 0`` (``q I``), a constant symmetric
        positive-definite matrix, or a callable ``(m, d) -> (m, d, d)`` (or
        ``(d,) -> (d, d)`` with ``batched=False``).
    n_steps : int
        Number of steps, ``>= 1``.
    rng : numpy.random.Generator
        Source of the noise.
    batched : bool
        The callables take ``(m, d)`` arrays (default) or one point at a time.
    max_norm : float or None
        A path whose Euclidean norm exceeds this (``> 0``; None: no bound), or that
        becomes non-finite, is marked diverged and frozen at NaN from then on.

    Returns
    -------
    GaussianChainPath

    References
    ----------
    P. E. Kloeden, E. Platen, *Numerical Solution of Stochastic Differential
    Equations*, Springer 1992 (the chain is the Euler-Maruyama scheme when
    ``b = -eta A x``).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.thermo import sample_gaussian_chain
    >>> res = sample_gaussian_chain(np.zeros((3, 1)), lambda X: -0.5 * X, 0.1, 4,
    ...                             np.random.default_rng(1))
    >>> print(res.path.shape, bool(res.diverged.any()))
    (3, 5, 1) False
    """
    rng = check_rng(rng)
    x0 = check_array(x0, "x0", ndim=(1, 2))
    X = x0[None].copy() if x0.ndim == 1 else x0.copy()
    drift = check_callable(drift, "drift")
    n_steps = check_int(n_steps, "n_steps", lo=1)
    batched = check_bool(batched, "batched")
    max_norm = check_max_norm(max_norm)
    bound = np.inf if max_norm is None else max_norm
    n, d = X.shape
    state_dependent = callable(noise_cov)
    check_size(n * (n_steps + 1) * d * (2 + (d if state_dependent else 0)), "n_steps")
    if not state_dependent:
        if isinstance(noise_cov, np.ndarray) and noise_cov.ndim == 0:
            noise_cov = noise_cov[()]
        if isinstance(noise_cov, (list, tuple, np.ndarray)):
            _, Lconst = spd(noise_cov, "noise_cov", d)
        else:
            Lconst = np.sqrt(check_real(noise_cov, "noise_cov", lo=0.0, lo_open=True)) * np.eye(d)
    path = np.full((n, n_steps + 1, d), np.nan)
    drifts = np.full((n, n_steps + 1, d), np.nan)
    covs = np.full((n, n_steps + 1, d, d), np.nan) if state_dependent else None
    alive = np.ones(n, dtype=bool)
    path[:, 0] = X

    def evaluate(Xa):
        b = eval_points(drift, Xa, batched, "drift", (d,))
        Q = eval_points(noise_cov, Xa, batched, "noise_cov", (d, d)) if state_dependent else None
        return b, Q

    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(n_steps + 1):
            idx = np.flatnonzero(alive)
            if idx.size == 0:
                break
            b, Q = evaluate(path[idx, t])
            ok = np.all(np.isfinite(b), axis=1)
            if Q is not None:
                ok &= np.all(np.isfinite(Q), axis=(1, 2))
            drifts[idx[ok], t] = b[ok]
            if Q is not None:
                covs[idx[ok], t] = Q[ok]
            alive[idx[~ok]] = False
            path[idx[~ok], t] = np.nan
            if t == n_steps:
                break
            z = rng.standard_normal((n, d))[idx]  # one block per step: streams do not
            # depend on which paths are still alive
            if Q is None:
                noise = z @ Lconst.T
            else:
                try:
                    Lc = np.linalg.cholesky(np.where(ok[:, None, None], Q, np.eye(d)))
                except np.linalg.LinAlgError:
                    raise ValueError(f"noise_cov must be positive definite; it is not at "
                                     f"step {t}") from None
                noise = np.einsum("mij,mj->mi", Lc, z)
            new = path[idx, t] + b + noise
            good = ok & np.all(np.isfinite(new), axis=1) & (np.linalg.norm(new, axis=1) <= bound)
            path[idx[good], t + 1] = new[good]
            alive[idx[~good]] = False
    return GaussianChainPath(path, drifts, covs, ~alive)
