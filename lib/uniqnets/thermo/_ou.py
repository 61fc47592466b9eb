"""Closed forms for the Ornstein-Uhlenbeck process ``dx = -A x dt + sqrt(2D) dW`` (private).

The stationary entropy production rate and the exact transient entropy budget
from a Gaussian initial law, through Lyapunov equations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla

from .._validate import check_array, check_size
from ._checks import spd, square
from ._gaussian import gaussian_entropy

__all__ = ["OUEntropy", "ou_entropy_production", "ou_stationary_entropy_production"]


def _check_ou(A, D):
    A = square(A, "A")
    D, _ = spd(D, "D", A.shape[0])
    ev = np.linalg.eigvals(A)
    if np.min(ev.real) <= 0:
        raise ValueError(f"A must be stable (eigenvalues with positive real part), "
                         f"got min Re = {np.min(ev.real):.6g}")
    return A, D


def ou_stationary_entropy_production(A, D) -> float:
    """Stationary entropy production rate of ``dx = -A x dt + sqrt(2D) dW``, nats per unit time.

    With ``C`` the stationary covariance, ``A C + C A^T = 2 D``,

    .. code-block:: text

        Sigma_dot = tr(A^T D^{-1} A C) - tr(A)

    (the mean of ``v^T D^{-1} v`` with the mean local velocity
    ``v = -(A - D C^{-1}) x``); it vanishes exactly when ``D^{-1} A`` is symmetric
    (detailed balance).

    Parameters
    ----------
    A : array_like, shape (d, d)
        Drift matrix, eigenvalues with positive real part (units: 1 / time).
    D : array_like, shape (d, d)
        Diffusion matrix, symmetric positive definite.

    Returns
    -------
    float
        Nats per unit time, ``>= 0``.

    References
    ----------
    C. Godreche, J.-M. Luck, J. Phys. A 52 (2019) 035002; U. Seifert, Rep. Prog. Phys.
    75 (2012) 126001.

    Examples
    --------
    A rotating drift breaks detailed balance:

    >>> import numpy as np
    >>> from uniqnets.thermo import ou_stationary_entropy_production
    >>> A = np.array([[1.0, -0.8], [0.8, 1.0]])
    >>> print(f"{ou_stationary_entropy_production(A, np.eye(2)):.4f}")
    1.2800
    """
    A, D = _check_ou(A, D)
    C = sla.solve_continuous_lyapunov(A, 2.0 * D)
    C = 0.5 * (C + C.T)
    # written as the mean of v^T D^{-1} v, a sum of non-negative terms
    V = A - D @ np.linalg.inv(C)
    return float(np.trace(V.T @ np.linalg.solve(D, V) @ C))


@dataclass
class OUEntropy:
    """Entropy budget of the OU process from ``N(m0, C0)`` at the times ``t``.

    Returned by :func:`ou_entropy_production`; the first axis runs over the times.

    Attributes
    ----------
    t : ndarray, shape (n,)
        Times (units of the process's time).
    cov : ndarray, shape (n, d, d)
        ``C(t)``.
    mean : ndarray, shape (n, d)
        ``m(t)``.
    entropy : ndarray, shape (n,)
        Differential entropy ``H(t)`` of ``p_t``, nats.
    rate : ndarray, shape (n,)
        Entropy production rate ``Sigma_dot(t)``, nats per unit time.
    total : ndarray, shape (n,)
        ``Delta Sigma(t) = int_0^t Sigma_dot``, nats.
    medium : ndarray, shape (n,)
        Entropy delivered to the medium, ``int_0^t S_med_dot`` (so
        ``total = entropy - entropy(0) + medium``).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.thermo import ou_entropy_production
    >>> res = ou_entropy_production(np.eye(1), np.eye(1), 4 * np.eye(1), [0.0, 1.0])
    >>> print(res.cov.shape, np.round(res.total, 4))
    (2, 1, 1) [0.     0.7742]
    """

    t: np.ndarray
    cov: np.ndarray
    mean: np.ndarray
    entropy: np.ndarray
    rate: np.ndarray
    total: np.ndarray
    medium: np.ndarray


def ou_entropy_production(A, D, C0, t, m0=None) -> OUEntropy:
    """Exact transient entropy production of ``dx = -A x dt + sqrt(2D) dW`` from ``N(m0, C0)``.

    ``C(t) = C_inf + e^{-At} (C0 - C_inf) e^{-A^T t}``, ``m(t) = e^{-At} m0``,
    ``H(t) = (1/2) log det(2 pi e C(t))``.  The medium entropy flow rate (heat over
    temperature) is ``tr(A^T D^{-1} A S(t)) - tr(A)`` with ``S = C + m m^T``, and the
    total rate is

    .. code-block:: text

        Sigma_dot(t) = tr(A^T D^{-1} A S(t)) - 2 tr(A) + tr(D C(t)^{-1})  >= 0.

    The time integrals are closed forms: ``int_0^t S ds = t C_inf + X + Y`` where
    ``A X + X A^T = K - e^{-At} K e^{-A^T t}`` (``K = C0 - C_inf``) and
    ``A Y + Y A^T = m0 m0^T - m(t) m(t)^T``.

    Parameters
    ----------
    A : array_like, shape (d, d)
        Drift matrix, eigenvalues with positive real part.
    D : array_like, shape (d, d)
        Diffusion matrix, symmetric positive definite.
    C0 : array_like, shape (d, d)
        Initial covariance, symmetric positive definite.
    t : float or array_like, shape (n,)
        Times ``>= 0``.
    m0 : array_like, shape (d,), optional
        Initial mean (default 0).

    Returns
    -------
    OUEntropy

    References
    ----------
    U. Seifert, Rep. Prog. Phys. 75 (2012) 126001, Sec. 4.

    Examples
    --------
    Relaxation from a wide law: the rate decays, and the total tends to
    ``KL(N(0, 4) || N(0, 1)) = (3 - log 4) / 2``:

    >>> import numpy as np
    >>> from uniqnets.thermo import ou_entropy_production
    >>> res = ou_entropy_production(np.eye(1), np.eye(1), 4 * np.eye(1), [0.0, 1.0, 10.0])
    >>> print(np.round(res.rate, 4), np.round(res.total, 4))
    [2.25   0.1172 0.    ] [0.     0.7742 0.8069]
    """
    A, D = _check_ou(A, D)
    d = A.shape[0]
    C0, _ = spd(C0, "C0", d)
    ts = np.atleast_1d(check_array(t, "t", ndim=(0, 1)))
    if np.any(ts < 0):
        raise ValueError("t must be a finite time >= 0 or a 1-d array of them")
    check_size(ts.size * (d * d + d + 5), "t")
    m0 = np.zeros(d) if m0 is None else check_array(m0, "m0", shape=(d,))
    Cinf = sla.solve_continuous_lyapunov(A, 2.0 * D)
    Cinf = 0.5 * (Cinf + Cinf.T)
    K = C0 - Cinf
    G = A.T @ np.linalg.solve(D, A)  # A^T D^{-1} A
    trA = np.trace(A)
    n = ts.size
    covs, means = np.empty((n, d, d)), np.empty((n, d))
    H, rate, med = np.empty(n), np.empty(n), np.empty(n)
    mm0 = np.outer(m0, m0)
    for i, s in enumerate(ts):
        E = sla.expm(-A * s)
        C = Cinf + E @ K @ E.T
        C = 0.5 * (C + C.T)
        m = E @ m0
        S = C + np.outer(m, m)
        X = sla.solve_continuous_lyapunov(A, K - E @ K @ E.T)
        Y = sla.solve_continuous_lyapunov(A, mm0 - np.outer(m, m))
        intS = s * Cinf + X + Y
        covs[i], means[i] = C, m
        H[i] = gaussian_entropy(C)
        rate[i] = np.sum(G * S) - 2.0 * trA + np.trace(np.linalg.solve(C, D))
        med[i] = np.sum(G * intS) - s * trA
    H0 = gaussian_entropy(C0)
    return OUEntropy(ts, covs, means, H, rate, H - H0 + med, med)
