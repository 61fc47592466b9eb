"""The linearised training chain near a minimum: stationary entropy production with SGD noise.

Near a minimum ``theta*`` a training step is the linear-Gaussian chain
``x' = M x + xi``, ``M = I - eta H``, ``xi ~ N(0, Q)`` with ``H`` the Hessian and
``Q = 2 eta T I + eta^2 Sigma_B`` (Langevin noise plus the Gaussian model of mini-batch
noise). Its stationary entropy production has a closed form
(:func:`linear_gaussian_stationary_entropy_production`); it vanishes when ``Q`` commutes
with ``M`` (isotropic noise) and is positive otherwise.

* :func:`linearised_rate_scan` - the stationary rate per unit time against the step
  size at several temperatures, and for isotropic noise of the same power;
* :func:`linearised_monte_carlo` - a path-wise Monte-Carlo estimate of the stationary
  entropy production, from walkers started in the stationary law, against the closed form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import solve_discrete_lyapunov
from scipy.stats import multivariate_normal

from .._validate import check_array, check_int, check_rng
from ._chain import sample_gaussian_chain
from ._gaussian import linear_gaussian_stationary_entropy_production
from ._path import path_entropy_production

__all__ = ["LinearisedCheck", "RateScan", "linearised_monte_carlo", "linearised_rate_scan"]


def _spd(value, name: str, d: int | None = None) -> np.ndarray:
    A = check_array(value, name, ndim=2)
    if A.shape[0] != A.shape[1] or (d is not None and A.shape[0] != d):
        raise ValueError(f"{name} must be a square matrix{'' if d is None else f' of size {d}'}, "
                         f"got shape {A.shape}")
    if not np.allclose(A, A.T, rtol=1e-10, atol=1e-14 * np.abs(A).max()):
        raise ValueError(f"{name} must be symmetric")
    return A


@dataclass(frozen=True)
class RateScan:
    """What :func:`linearised_rate_scan` returns.

    Attributes
    ----------
    etas : array, shape (m,)
    temperatures : array, shape (k,)
    rate : array, shape (k, m)
        Stationary entropy production per unit time (nats per unit of ``eta t``).
    rate_iso : array, shape (m,)
        The same for isotropic noise of the same total power, at ``temperatures[0]``.
    slope : float
        Slope of ``log rate[0]`` against ``log eta`` over the three smallest steps.
    local_slopes : array, shape (m - 1,)
        Slopes between neighbouring steps, in the order of ``etas``.
    commutator : float
        ``||H S - S H|| / (||H|| ||S||)`` (Frobenius norms).
    """

    etas: np.ndarray
    temperatures: np.ndarray
    rate: np.ndarray
    rate_iso: np.ndarray
    slope: float
    local_slopes: np.ndarray
    commutator: float


def linearised_rate_scan(hessian, noise_cov, etas, temperatures) -> RateScan:
    """Scan the stationary rate of ``x' = (I - eta H) x + xi``, ``Q = 2 eta T I + eta^2 S``.

    Parameters
    ----------
    hessian : array, shape (d, d)
        Symmetric positive definite ``H``.
    noise_cov : array, shape (d, d)
        Symmetric positive semi-definite mini-batch covariance ``S``.
    etas : array, shape (m,), m >= 3
        Positive step sizes, each with ``eta ||H|| < 2`` (a stable chain).
    temperatures : array, shape (k,)
        Positive temperatures ``T``.

    Returns
    -------
    RateScan

    References
    ----------
    C. Godreche, J.-M. Luck, "Characterising the nonequilibrium stationary states of
    Ornstein-Uhlenbeck processes", J. Phys. A 52 (2019) 035002.

    Examples
    --------
    >>> import numpy as np
    >>> H, S = np.diag([1.0, 2.0]), np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> res = linearised_rate_scan(H, S, [0.1, 0.05, 0.02], [1e-3])
    >>> bool(np.all(res.rate > 0)), bool(np.abs(res.rate_iso).max() < 1e-10)
    (True, True)
    """
    H = _spd(hessian, "hessian")
    d = H.shape[0]
    S = _spd(noise_cov, "noise_cov", d)
    etas = check_array(etas, "etas", ndim=1, min_size=3)
    temps = check_array(temperatures, "temperatures", ndim=1)
    if np.any(etas <= 0):
        raise ValueError("etas must be positive")
    if np.any(temps <= 0):
        raise ValueError("temperatures must be positive")
    eye = np.eye(d)

    def sigma(e, Q):
        return linear_gaussian_stationary_entropy_production(eye - e * H, Q) / e

    rate = np.array([[sigma(e, 2 * e * T * eye + e**2 * S) for e in etas] for T in temps])
    rate_iso = np.array([sigma(e, (2 * e * temps[0] + e**2 * np.trace(S) / d) * eye)
                         for e in etas])
    small = np.argsort(etas)[:3]
    slope = np.polyfit(np.log(etas[small]), np.log(rate[0, small]), 1)[0]
    comm = np.linalg.norm(H @ S - S @ H) / (np.linalg.norm(H) * np.linalg.norm(S))
    return RateScan(etas=etas, temperatures=temps, rate=rate, rate_iso=rate_iso,
                    slope=float(slope),
                    local_slopes=np.diff(np.log(rate[0])) / np.diff(np.log(etas)),
                    commutator=float(comm))


@dataclass(frozen=True)
class LinearisedCheck:
    """What :func:`linearised_monte_carlo` returns (nats per step).

    Attributes
    ----------
    exact : float
        The closed form.
    mc_mean, mc_se : float
        Path-wise Monte-Carlo mean per step and its standard error over walkers.
    """

    exact: float
    mc_mean: float
    mc_se: float


def linearised_monte_carlo(M, Q, n_walkers: int, n_steps: int, rng: np.random.Generator
                           ) -> LinearisedCheck:
    """Estimate the stationary entropy production of ``x' = M x + xi`` by sampling paths.

    Walkers start in the stationary law ``N(0, C)``, ``C = M C M^T + Q``; the system term
    uses its density, so the per-step mean is unbiased.

    Parameters
    ----------
    M : array, shape (d, d)
        Stable (spectral radius below 1).
    Q : array, shape (d, d)
        Symmetric positive definite noise covariance.
    n_walkers : int >= 2
    n_steps : int >= 1
    rng : numpy.random.Generator

    Returns
    -------
    LinearisedCheck

    Examples
    --------
    >>> import numpy as np
    >>> M = np.array([[0.9, 0.1], [-0.1, 0.9]])
    >>> res = linearised_monte_carlo(M, np.eye(2), 400, 20, np.random.default_rng(0))
    >>> bool(abs(res.mc_mean - res.exact) < 5 * res.mc_se)
    True
    """
    M = check_array(M, "M", ndim=2)
    d = M.shape[0]
    if M.shape != (d, d):
        raise ValueError(f"M must be square, got shape {M.shape}")
    if np.max(np.abs(np.linalg.eigvals(M))) >= 1:
        raise ValueError("M must be stable (spectral radius below 1)")
    Q = _spd(Q, "Q", d)
    n_walkers = check_int(n_walkers, "n_walkers", lo=2)
    n_steps = check_int(n_steps, "n_steps", lo=1)
    rng = check_rng(rng)
    exact = linear_gaussian_stationary_entropy_production(M, Q)
    C = solve_discrete_lyapunov(M, Q)
    C = 0.5 * (C + C.T)
    pi = multivariate_normal(np.zeros(d), C)
    x0 = rng.multivariate_normal(np.zeros(d), C, size=n_walkers)
    chain = sample_gaussian_chain(x0, lambda X: X @ (M - np.eye(d)).T, Q, n_steps, rng)
    pe = path_entropy_production(chain.path, chain.drift, Q,
                                 log_density=lambda t, X: pi.logpdf(X))
    per_walker = pe.total.mean(axis=1)
    return LinearisedCheck(exact=float(exact), mc_mean=float(per_walker.mean()),
                           mc_se=float(per_walker.std(ddof=1) / np.sqrt(n_walkers)))
