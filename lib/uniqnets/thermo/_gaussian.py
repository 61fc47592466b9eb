"""Closed forms for the linear-Gaussian chain ``x' = M x + xi``, ``xi ~ N(0, Q)`` (private).

The discrete-time Ornstein-Uhlenbeck process (an AR(1) chain): Gaussian entropy,
the Euler step of an OU process, and the exact transient and stationary entropy
production per step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla

from .._validate import check_array, check_int, check_real, check_size
from ._checks import LOG2PI, spd, square

__all__ = [
    "LinearGaussianEntropy",
    "euler_ou_chain",
    "gaussian_entropy",
    "gaussian_kl",
    "linear_gaussian_entropy_production",
    "linear_gaussian_stationary_entropy_production",
]


def gaussian_entropy(C) -> float:
    """Differential entropy ``(1/2) log det(2 pi e C)`` of ``N(m, C)``, in nats.

    Parameters
    ----------
    C : array_like, shape (d, d)
        Covariance, symmetric positive definite (units: those of ``x`` squared).

    Returns
    -------
    float
        The entropy in nats (it does not depend on the mean).

    References
    ----------
    T. M. Cover, J. A. Thomas, *Elements of Information Theory*, 2nd ed., Wiley 2006,
    Thm. 8.4.1.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.thermo import gaussian_entropy
    >>> print(f"{gaussian_entropy(np.eye(1)):.4f}")  # (1/2) log(2 pi e)
    1.4189
    """
    C, L = spd(C, "C")
    d = C.shape[0]
    return float(0.5 * d * (LOG2PI + 1.0) + np.sum(np.log(np.diag(L))))


def gaussian_kl(m1, C1, m2, C2) -> float:
    """Kullback-Leibler divergence ``KL(N(m1, C1) || N(m2, C2))``, in nats.

    .. code-block:: text

        KL = (1/2) [tr(C2^-1 C1) + (m2 - m1)^T C2^-1 (m2 - m1) - d + log det C2 - log det C1]

    Parameters
    ----------
    m1, m2 : array_like, shape (d,)
        Means, finite.
    C1, C2 : array_like, shape (d, d)
        Covariances, symmetric positive definite.

    Returns
    -------
    float
        The divergence in nats, ``>= 0``, zero exactly when the two laws are equal.

    References
    ----------
    T. M. Cover, J. A. Thomas, *Elements of Information Theory*, 2nd ed., Wiley 2006,
    Ch. 8 (relative entropy of continuous laws).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.thermo import gaussian_kl
    >>> print(f"{gaussian_kl([0.0], [[1.0]], [1.0], [[1.0]]):.4f}")  # (m2 - m1)^2 / 2
    0.5000
    """
    C1 = spd(C1, "C1")[0]
    d = C1.shape[0]
    C2 = spd(C2, "C2", d)[0]
    m1 = check_array(m1, "m1", shape=(d,))
    m2 = check_array(m2, "m2", shape=(d,))
    C2i = np.linalg.inv(C2)
    dm = m2 - m1
    return float(0.5 * (np.trace(C2i @ C1) + dm @ C2i @ dm - len(m1)
                        + np.linalg.slogdet(C2)[1] - np.linalg.slogdet(C1)[1]))


def euler_ou_chain(A, D, eta: float):
    """``(M, Q) = (I - eta A, 2 eta D)``: one Euler-Maruyama step of ``dx = -A x dt + sqrt(2D) dW``.

    For the Langevin training step ``theta' = theta - eta grad L + sqrt(2 eta T) xi``
    on the quadratic loss ``L = theta^T A theta / 2`` this is the chain with
    ``D = T I``.

    Parameters
    ----------
    A : array_like, shape (d, d)
        Drift matrix (the Hessian of a quadratic loss), finite.
    D : array_like, shape (d, d)
        Diffusion matrix, symmetric positive definite.
    eta : float
        Time step ``> 0``, in units of the process's time ``t``.

    Returns
    -------
    M : ndarray, shape (d, d)
        ``I - eta A``.
    Q : ndarray, shape (d, d)
        ``2 eta D``, the covariance of the noise of one step.

    References
    ----------
    P. E. Kloeden, E. Platen, *Numerical Solution of Stochastic Differential
    Equations*, Springer 1992, Sec. 9.1.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.thermo import euler_ou_chain
    >>> M, Q = euler_ou_chain(np.eye(2), 0.5 * np.eye(2), 0.1)
    >>> print(np.diag(M), np.diag(Q))
    [0.9 0.9] [0.1 0.1]
    """
    A = square(A, "A")
    D, _ = spd(D, "D", A.shape[0])
    eta = check_real(eta, "eta", lo=0.0, lo_open=True)
    return np.eye(A.shape[0]) - eta * A, 2.0 * eta * D


def _check_chain(M, Q):
    M = square(M, "M")
    Q, _ = spd(Q, "Q", M.shape[0])
    return M, Q


def linear_gaussian_stationary_entropy_production(M, Q) -> float:
    """Stationary entropy production per step of ``x' = M x + xi``, ``xi ~ N(0, Q)``.

    With ``C`` the stationary covariance (``C = M C M^T + Q``) and the antisymmetric
    ``K = M C - C M^T``, which vanishes exactly when the chain is reversible,

    .. code-block:: text

        Sigma = KL(pi(x) P(x'|x) || pi(x') P(x|x')) = tr( Q^{-1} M (C M^T - M C) )
              = -tr(Q^{-1} M K)   [nats per step].

    Parameters
    ----------
    M : array_like, shape (d, d)
        Transition matrix, spectral radius ``< 1`` (a stationary chain).
    Q : array_like, shape (d, d)
        Noise covariance, symmetric positive definite.

    Returns
    -------
    float
        Nats per step, ``>= 0`` up to rounding.

    Notes
    -----
    At stationarity the system term has mean zero and the medium term has mean
    ``(1/2) tr(Q^{-1} E[r r^T]) - d/2`` with ``r = x - M x'``; using
    ``C = M C M^T + Q``, ``E[r r^T] - Q = -(M K - K M^T)``.  Written with ``K`` the
    formula has no cancellation between large terms.

    References
    ----------
    U. Seifert, Rep. Prog. Phys. 75 (2012) 126001, Sec. 6.3.

    Examples
    --------
    A rotation makes the chain irreversible; a symmetric ``M`` with isotropic noise
    does not:

    >>> import numpy as np
    >>> from uniqnets.thermo import linear_gaussian_stationary_entropy_production as sigma
    >>> M = 0.9 * np.array([[np.cos(0.3), -np.sin(0.3)], [np.sin(0.3), np.cos(0.3)]])
    >>> print(f"{sigma(M, 0.1 * np.eye(2)):.4f}")
    1.4892
    >>> print(f"{abs(sigma(0.5 * np.eye(2), np.eye(2))):.4f}")
    0.0000
    """
    M, Q = _check_chain(M, Q)
    rho = np.max(np.abs(np.linalg.eigvals(M)))
    if rho >= 1:
        raise ValueError(f"M must have spectral radius < 1 (a stationary chain), got {rho:.6g}")
    C = sla.solve_discrete_lyapunov(M, Q)
    C = 0.5 * (C + C.T)
    K = M @ C - C @ M.T
    return float(-np.trace(np.linalg.solve(Q, M @ K)))


@dataclass
class LinearGaussianEntropy:
    """Entropy budget of the linear-Gaussian chain ``x' = M x + xi`` from ``N(m0, C0)``.

    Returned by :func:`linear_gaussian_entropy_production`; entropies in nats.

    Attributes
    ----------
    cov : ndarray, shape (n_steps + 1, d, d)
        Covariance ``C_t`` for ``t = 0..n_steps``.
    mean : ndarray, shape (n_steps + 1, d)
        Mean ``m_t``.
    entropy : ndarray, shape (n_steps + 1,)
        Differential entropy ``H_t`` of ``N(m_t, C_t)``.
    step : ndarray, shape (n_steps,)
        Entropy production of step ``t -> t+1`` (Definition 7).
    medium : ndarray, shape (n_steps,)
        Mean medium entropy flow of the step.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.thermo import linear_gaussian_entropy_production
    >>> res = linear_gaussian_entropy_production(0.5 * np.eye(1), np.eye(1), np.eye(1), 3)
    >>> print(res.cov.shape, res.step.shape)
    (4, 1, 1) (3,)
    """

    cov: np.ndarray
    mean: np.ndarray
    entropy: np.ndarray
    step: np.ndarray
    medium: np.ndarray

    @property
    def total(self) -> np.ndarray:
        """Cumulative entropy production ``Delta Sigma`` after ``1..n_steps`` steps, nats.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.thermo import linear_gaussian_entropy_production
        >>> res = linear_gaussian_entropy_production(0.5 * np.eye(1), np.eye(1),
        ...                                          4 * np.eye(1), 3)
        >>> print(np.round(res.total, 4))
        [0.4034 0.4471 0.4505]
        """
        return np.cumsum(self.step)

    def log_density(self, t: int, X) -> np.ndarray:
        """``log p_t`` at the points ``X``: a ``log_density`` for :func:`path_entropy_production`.

        Parameters
        ----------
        t : int
            Step, ``0 <= t <= n_steps``.
        X : array_like, shape (m, d) or (d,)
            Points (one point is treated as ``m = 1``).

        Returns
        -------
        ndarray, shape (m,)
            The log density in nats (per unit volume of ``x``).

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.thermo import linear_gaussian_entropy_production
        >>> res = linear_gaussian_entropy_production(0.5 * np.eye(1), np.eye(1), np.eye(1), 2)
        >>> print(np.round(res.log_density(0, [[0.0], [1.0]]), 4))
        [-0.9189 -1.4189]
        """
        n_steps = self.cov.shape[0] - 1
        t = check_int(t, "t", lo=0, hi=n_steps)
        d = self.cov.shape[1]
        X = np.atleast_2d(check_array(X, "X", ndim=(1, 2)))
        if X.shape[1] != d:
            raise ValueError(f"X must have shape (m, {d}), got {X.shape}")
        C, m = self.cov[t], self.mean[t]
        L = np.linalg.cholesky(C)
        z = sla.solve_triangular(L, (X - m).T, lower=True)
        return -0.5 * np.sum(z * z, axis=0) - np.sum(np.log(np.diag(L))) - 0.5 * d * LOG2PI


def linear_gaussian_entropy_production(M, Q, C0, n_steps: int, m0=None) -> LinearGaussianEntropy:
    """Exact entropy production per step of ``x' = M x + xi`` started from ``N(m0, C0)``.

    ``p_t = N(m_t, C_t)`` with ``m_{t+1} = M m_t``, ``C_{t+1} = M C_t M^T + Q``.  With
    second moments ``S_t = C_t + m_t m_t^T``, the mean medium term of step ``t`` is

    .. code-block:: text

        E[log P(x'|x) / P(x|x')] = (1/2) tr(Q^{-1} E[r r^T]) - d/2,
        E[r r^T] = S_t - S_t M^T M^T - M M S_t + M S_{t+1} M^T,   r = x - M x',

    and the entropy production is ``Sigma_t = H_{t+1} - H_t + E[medium]``
    (Definition 7).

    Parameters
    ----------
    M : array_like, shape (d, d)
        Transition matrix (need not be stable: the transient is exact for any ``M``).
    Q : array_like, shape (d, d)
        Noise covariance, symmetric positive definite.
    C0 : array_like, shape (d, d)
        Initial covariance, symmetric positive definite.
    n_steps : int
        Number of steps, ``>= 1``.
    m0 : array_like, shape (d,), optional
        Initial mean (default 0).

    Returns
    -------
    LinearGaussianEntropy

    References
    ----------
    U. Seifert, Rep. Prog. Phys. 75 (2012) 126001, Sec. 6.3.

    Examples
    --------
    From a wide initial law the chain relaxes and produces entropy; the steps add up:

    >>> import numpy as np
    >>> from uniqnets.thermo import linear_gaussian_entropy_production
    >>> res = linear_gaussian_entropy_production(0.5 * np.eye(1), np.eye(1), 4 * np.eye(1), 3)
    >>> print(np.round(res.step, 4))
    [0.4034 0.0437 0.0034]
    >>> bool(np.allclose(res.step, np.diff(res.entropy) + res.medium))
    True
    """
    M, Q = _check_chain(M, Q)
    d = M.shape[0]
    C0, _ = spd(C0, "C0", d)
    n_steps = check_int(n_steps, "n_steps", lo=1)
    check_size((n_steps + 1) * (d * d + d + 1), "n_steps")
    m0 = np.zeros(d) if m0 is None else check_array(m0, "m0", shape=(d,))
    n = int(n_steps)
    Qinv = np.linalg.inv(Q)
    covs, means = np.empty((n + 1, d, d)), np.empty((n + 1, d))
    covs[0], means[0] = C0, m0
    for t in range(n):
        C = M @ covs[t] @ M.T + Q
        covs[t + 1] = 0.5 * (C + C.T)
        means[t + 1] = M @ means[t]
    H = np.array([gaussian_entropy(C) for C in covs])
    S = covs + means[:, :, None] * means[:, None, :]
    MM = M @ M
    medium = np.empty(n)
    for t in range(n):
        Err = S[t] - S[t] @ MM.T - MM @ S[t] + M @ S[t + 1] @ M.T
        medium[t] = 0.5 * np.sum(Qinv * Err) - 0.5 * d
    step = np.diff(H) + medium
    return LinearGaussianEntropy(covs, means, H, step, medium)
