"""Finite-state Markov chains: stationary law, Schnakenberg's entropy production, and
the quadrature discretisation of a one-dimensional Gaussian-kernel chain (private).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from .._validate import check_array, check_callable, check_real, check_size
from ._checks import stochastic

__all__ = ["MarkovEntropy", "grid_transition_matrix", "markov_entropy_production",
           "stationary_distribution"]


def stationary_distribution(P) -> np.ndarray:
    """The stationary distribution ``pi = pi P`` of an irreducible row-stochastic matrix.

    Computed by the Grassmann-Taksar-Heyman state-reduction algorithm, which uses no
    subtractions and so gets every entry to a small *relative* error, however small
    the entry (an LU solve of ``pi (P - I) = 0`` only gets them to an absolute error
    ``~ eps``, which turns the far tails of a double-well density into zeros or
    negative numbers and their logarithms into nonsense).  No library we use offers
    it, hence the dozen lines here.  Cost ``K^3 / 3`` flops.

    Parameters
    ----------
    P : array_like, shape (K, K)
        Row-stochastic (non-negative rows summing to 1) and irreducible.

    Returns
    -------
    ndarray, shape (K,)
        The probability vector ``pi``.

    References
    ----------
    W. K. Grassmann, M. I. Taksar, D. P. Heyman, "Regenerative analysis and steady
    state distributions for Markov chains", Oper. Res. 33 (1985) 1107-1116.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.thermo import stationary_distribution
    >>> print(np.round(stationary_distribution([[0.9, 0.1], [0.2, 0.8]]), 4))
    [0.6667 0.3333]
    """
    P = stochastic(P)
    K = P.shape[0]
    A = P.copy()
    for k in range(K - 1, 0, -1):
        s = A[k, :k].sum()
        if not s > 0:
            raise ValueError("P must be irreducible (a state cannot reach lower-numbered ones)")
        A[:k, k] /= s
        A[:k, :k] += np.outer(A[:k, k], A[k, :k])
    pi = np.zeros(K)
    pi[0] = 1.0
    for k in range(1, K):
        pi[k] = pi[:k] @ A[:k, k]
    return pi / pi.sum()


@dataclass
class MarkovEntropy:
    """Entropy budget of one step of a finite chain from ``p``, in nats.

    Returned by :func:`markov_entropy_production`; ``total = system + medium``.

    Attributes
    ----------
    total : float
        The entropy production of the step.
    system : float
        ``H(p P) - H(p)``, the change of the Shannon entropy.
    medium : float
        ``sum_ij p_i P_ij log(P_ij / P_ji)``, the entropy delivered to the medium.

    Examples
    --------
    >>> from uniqnets.thermo import markov_entropy_production
    >>> res = markov_entropy_production([[0.5, 0.5], [0.5, 0.5]])
    >>> print(f"{res.total:.3f} {res.system:.3f} {res.medium:.3f}")
    0.000 0.000 0.000
    """

    total: float
    system: float
    medium: float


def markov_entropy_production(P, p=None, *, log_P=None) -> MarkovEntropy:
    """Entropy production of one step of a finite Markov chain (Schnakenberg's formula).

    ``Sigma = sum_ij p_i P_ij log( p_i P_ij / (p'_j P_ji) )`` with ``p' = p P``; without
    ``p`` the stationary distribution is used, and then

    .. code-block:: text

        Sigma = (1/2) sum_ij (pi_i P_ij - pi_j P_ji) log( pi_i P_ij / (pi_j P_ji) ),

    a sum of non-negative terms that is zero exactly for a reversible chain.  A
    transition allowed one way only gives ``inf``.

    Parameters
    ----------
    P : array_like, shape (K, K)
        Row-stochastic transition matrix.
    p : array_like, shape (K,), optional
        A probability vector (default: the stationary distribution).
    log_P : array_like, shape (K, K), optional
        ``log P`` computed without underflow (as :func:`grid_transition_matrix` returns
        it; ``-inf`` allowed, NaN not).  Discretised Gaussian kernels have entries that
        underflow to 0 one way and not the other; with ``log_P`` such pairs contribute
        their true, negligible amount instead of ``inf``.

    Returns
    -------
    MarkovEntropy

    References
    ----------
    J. Schnakenberg, Rev. Mod. Phys. 48 (1976) 571-585.

    Examples
    --------
    A three-state cycle driven one way:

    >>> import numpy as np
    >>> from uniqnets.thermo import markov_entropy_production
    >>> P = np.array([[0.1, 0.6, 0.3], [0.3, 0.1, 0.6], [0.6, 0.3, 0.1]])
    >>> print(f"{markov_entropy_production(P).total:.4f}")
    0.2079
    """
    P = stochastic(P)
    if log_P is not None:
        log_P = check_array(log_P, "log_P", finite=False)
        if log_P.shape != P.shape or np.any(np.isnan(log_P)):
            raise ValueError(f"log_P must be an array of shape {P.shape} without NaN")
        if np.any(log_P > 0):  # a probability above 1 (+inf among them): a NaN medium term
            raise ValueError("log_P must be <= 0 (log-probabilities); it has positive "
                             "entries or +inf")
    K = P.shape[0]
    stationary = p is None
    if stationary:
        p = stationary_distribution(P)
    else:
        p = check_array(p, "p", shape=(K,))
        if np.any(p < 0) or not np.isclose(p.sum(), 1.0, atol=1e-10):
            raise ValueError(f"p must be a probability vector of length {K}")
    q = p @ P
    F = p[:, None] * P          # forward flux p_i P_ij
    with np.errstate(divide="ignore", invalid="ignore"):
        logP = np.log(P) if log_P is None else log_P   # -inf where impossible
        logF = np.log(p)[:, None] + logP
        if stationary:
            # (1/2) sum (F - F^T) log(F / F^T): non-negative terms, zero where F = F^T
            diff = F - F.T
            lr = logF - logF.T
            # pairs whose fluxes both underflow carry nothing measurable (not inf)
            tiny = np.maximum(F, F.T) < 1e-300
            term = np.where((diff == 0) | (lr == 0) | tiny, 0.0, diff * lr)
            total = 0.5 * float(np.sum(term))
        else:
            logR = np.log(q)[None, :] + logP.T  # log p'_j P_ji
            total = float(np.sum(np.where(F > 0, F * (logF - logR), 0.0)))
        medium = float(np.sum(np.where(F > 0, F * (logP - logP.T), 0.0)))

    def shannon(v):
        v = v[v > 0]
        return float(-np.sum(v * np.log(v)))

    return MarkovEntropy(total, shannon(q) - shannon(p), medium)


def grid_transition_matrix(grid, drift: Callable, noise_var):
    """A one-dimensional Gaussian-kernel chain discretised on a uniform grid (Nystrom).

    ``P_ij = h N(x_j; x_i + b(x_i), q(x_i)) / Z_i`` with ``h`` the grid step and
    ``Z_i`` the row sum.  The quadrature keeps detailed balance exactly: if the
    continuous kernel is reversible with respect to ``pi``, the matrix is reversible
    with respect to ``pi(x_i) Z_i``.  For a smooth kernel whose standard deviation is
    several grid steps, stationary densities and entropy productions of the matrix
    converge to those of the continuous-state chain faster than any power of ``h``
    (the trapezoidal rule on smooth, rapidly decaying integrands).

    Parameters
    ----------
    grid : array_like, shape (K,)
        Uniform, increasing points, ``K >= 3`` (memory ``~ 3 K^2`` floats).
    drift : callable
        ``b(x)`` on the array of grid points, ``(K,) -> (K,)``.
    noise_var : float or callable
        The variance ``q > 0`` of one step, or ``q(x)``, ``(K,) -> (K,)``, positive.

    Returns
    -------
    P : ndarray, shape (K, K)
        Row-stochastic.
    log_P : ndarray, shape (K, K)
        ``log P`` without underflow (for :func:`markov_entropy_production`).
    lost : float
        The largest probability mass a row loses off the grid before normalisation
        (a check that the grid covers the chain's reach).

    References
    ----------
    W. H. Press et al., *Numerical Recipes*, 3rd ed., CUP 2007, Sec. 19.1 (the
    Nystrom method); L. N. Trefethen, J. A. C. Weideman, SIAM Rev. 56 (2014) 385-458
    (the trapezoidal rule).

    Examples
    --------
    An Ornstein-Uhlenbeck step on a grid: the stationary variance is
    ``q / (1 - (1 - a)^2)``:

    >>> import numpy as np
    >>> from uniqnets.thermo import grid_transition_matrix, stationary_distribution
    >>> x = np.linspace(-8, 8, 321)
    >>> P, log_P, lost = grid_transition_matrix(x, lambda x: -0.5 * x, 0.75)
    >>> pi = stationary_distribution(P)
    >>> print(f"{pi @ x**2:.4f}", lost < 1e-4)
    1.0000 True
    """
    x = check_array(grid, "grid", ndim=1)
    if x.size < 3:
        raise ValueError(f"grid must be a 1-d array of at least 3 points, got shape {x.shape}")
    check_size(3 * x.size * x.size, "grid")
    drift = check_callable(drift, "drift")
    if not callable(noise_var):
        noise_var = check_real(noise_var, "noise_var", lo=0.0, lo_open=True)
    h = np.diff(x)
    if np.any(h <= 0) or not np.allclose(h, h[0], rtol=1e-8):
        raise ValueError("grid must be uniform and increasing")
    h = h[0]
    b = check_array(drift(x), "drift(grid)", finite=False, min_size=0)
    q = check_array(noise_var(x) if callable(noise_var) else np.full_like(x, noise_var),
                    "noise_var(grid)", finite=False, min_size=0)
    if b.shape != x.shape or q.shape != x.shape:
        raise ValueError("drift and noise_var must return one value per grid point")
    mu = x + b
    if not np.all(np.isfinite(q)) or np.any(q <= 0):
        raise ValueError("noise_var must be positive at every grid point")
    logk = (-0.5 * (x[None, :] - mu[:, None]) ** 2 / q[:, None]
            - 0.5 * np.log(2 * np.pi * q)[:, None])
    logW = np.log(h) + logk
    logZ = logsumexp(logW, axis=1)
    if not np.all(np.isfinite(logZ)) or np.any(logZ < np.log(1e-12)):
        raise ValueError("a row of the kernel has (almost) no mass on the grid; widen the grid")
    log_P = logW - logZ[:, None]
    return np.exp(log_P), log_P, float(np.max(np.abs(1.0 - np.exp(logZ))))
