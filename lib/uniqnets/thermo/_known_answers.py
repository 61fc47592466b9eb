"""Entropy production of chains whose answer is known: Ornstein-Uhlenbeck and finite chains.

The experiments that validate the estimators of this subpackage (and settle the claims
about the fluctuation theorem, Model 2's continuous-time formula and Boltzmann detailed
balance on a quadratic loss): each compares a sampled or discretised quantity with a
closed form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import solve_continuous_lyapunov, solve_discrete_lyapunov
from scipy.stats import multivariate_normal

from .._validate import check_array, check_int, check_real, check_rng
from ._chain import sample_gaussian_chain
from ._checks import spd, square
from ._fluctuation import fluctuation_theorem_check
from ._gaussian import (
    euler_ou_chain,
    gaussian_kl,
    linear_gaussian_entropy_production,
    linear_gaussian_stationary_entropy_production,
)
from ._markov import markov_entropy_production
from ._ou import ou_stationary_entropy_production
from ._path import path_entropy_production

__all__ = ["EulerLimit", "FiniteChains", "OUFluctuation", "OURelaxation", "QuadraticBalance",
           "euler_limit", "finite_chains", "ou_fluctuation", "ou_relaxation",
           "quadratic_balance"]


@dataclass(frozen=True)
class OURelaxation:
    """Relaxation of a linear-Gaussian chain, exact and path-wise (see :func:`ou_relaxation`).

    ``exact``, ``mc``, ``mc_se`` (n,): entropy production of each step (nats), closed form
    and path-wise mean with its standard error; ``kl_formula_err``: relative difference of
    the closed form's first step and a brute-force KL of the four-dimensional laws;
    ``mc_total``, ``mc_total_se``: path-wise total with its standard error."""

    exact: np.ndarray
    mc: np.ndarray
    mc_se: np.ndarray
    kl_formula_err: float
    mc_total: float
    mc_total_se: float

    @property
    def z(self) -> np.ndarray:
        """``(mc - exact) / mc_se``, step by step."""
        return (self.mc - self.exact) / self.mc_se


def ou_relaxation(A, D, eta, m0, C0, n_steps, n_paths, rng) -> OURelaxation:
    """Entropy production of the Euler chain of ``dx = -A x dt + sqrt(2D) dW`` relaxing from
    ``N(m0, C0)``: closed form, brute-force KL of the first step, and path-wise estimate.

    Parameters
    ----------
    A : array_like, shape (d, d)
        Drift matrix.
    D : array_like, shape (d, d)
        Symmetric positive-definite diffusion matrix.
    eta : float > 0
        Step of the Euler chain ``M = I - eta A``, ``Q = 2 eta D``.
    m0 : array_like, shape (d,)
    C0 : array_like, shape (d, d)
        Mean and covariance of the initial law.
    n_steps : int >= 1
    n_paths : int >= 2
    rng : numpy.random.Generator or int seed

    Returns
    -------
    OURelaxation

    References
    ----------
    U. Seifert, Rep. Prog. Phys. 75 (2012) 126001.

    Examples
    --------
    >>> r = ou_relaxation(np.eye(2), np.eye(2), 0.1, [1.0, 0.0], 3 * np.eye(2), 3, 500, 0)
    >>> r.exact.shape, r.kl_formula_err < 1e-10, bool(np.all(abs(r.z) < 4))
    ((3,), True, True)
    """
    M, Q = euler_ou_chain(A, D, eta)
    d = M.shape[0]
    m0 = check_array(m0, "m0", shape=(d,))
    C0, _ = spd(C0, "C0", d)
    n_steps = check_int(n_steps, "n_steps", 1, 10**5)
    n_paths = check_int(n_paths, "n_paths", 2, 10**7)
    rng = check_rng(rng, allow_seed=True)
    ex = linear_gaussian_entropy_production(M, Q, C0, n_steps, m0)
    C, m, C1, m1 = ex.cov[0], ex.mean[0], ex.cov[1], ex.mean[1]
    kl = gaussian_kl(np.r_[m, m1], np.block([[C, C @ M.T], [M @ C, C1]]), np.r_[M @ m1, m1],
                     np.block([[M @ C1 @ M.T + Q, M @ C1], [C1 @ M.T, C1]]))
    chain = sample_gaussian_chain(rng.multivariate_normal(m0, C0, size=n_paths),
                                  lambda X: X @ (M - np.eye(d)).T, Q, n_steps, rng)
    tot = path_entropy_production(chain.path, chain.drift, Q,
                                  log_density=ex.log_density).total
    return OURelaxation(ex.step, tot.mean(axis=0), tot.std(axis=0, ddof=1) / np.sqrt(n_paths),
                        float(abs(kl - ex.step[0]) / kl), float(tot.sum(axis=1).mean()),
                        float(tot.sum(axis=1).std(ddof=1) / np.sqrt(n_paths)))


@dataclass(frozen=True)
class OUFluctuation:
    """The integral fluctuation theorem on stationary paths (see :func:`ou_fluctuation`).

    ``sigma_step``: exact stationary entropy production per step; ``mean_sigma`` and
    ``mean_sigma_se``: sampled mean of the path's ``sigma`` over ``n_steps`` steps;
    ``ift``, ``ift_se``, ``ess_frac``: sample mean of ``exp(-sigma)``, its standard error
    and effective sample size over the number of paths; ``frac_negative``,
    ``frac_negative_se``: fraction of paths with ``sigma < 0`` and its binomial standard
    error; ``median_ratio``: the median of ``P_R / P_F = exp(-sigma)``, and
    ``median_ratio_se`` its bootstrap standard error (200 resamplings of the paths)."""

    n_steps: int
    sigma_step: float
    mean_sigma: float
    mean_sigma_se: float
    ift: float
    ift_se: float
    ess_frac: float
    frac_negative: float
    frac_negative_se: float
    median_ratio: float
    median_ratio_se: float

    @property
    def exp_minus_mean(self) -> float:
        """``exp(-Delta Sigma)`` with ``Delta Sigma = n_steps * sigma_step``."""
        return float(np.exp(-self.n_steps * self.sigma_step))


def ou_fluctuation(A, D, eta, n_steps, n_paths, rng) -> OUFluctuation:
    """Stochastic entropy production of stationary paths of the Euler chain of an OU process.

    Paths start from the chain's stationary law ``N(0, C)`` (``C = M C M^T + Q``); ``sigma``
    of a path is the sum of Eq. (system + medium) over its steps, with the exact
    stationary density.

    Parameters
    ----------
    A, D : array_like, shape (d, d)
        Drift and diffusion (symmetric positive definite) of the OU process.
    eta : float > 0
        Euler step.
    n_steps : int >= 1
        Steps of each path.
    n_paths : int >= 2
    rng : numpy.random.Generator or int seed

    Returns
    -------
    OUFluctuation

    References
    ----------
    U. Seifert, Rep. Prog. Phys. 75 (2012) 126001, Sec. 3.

    Examples
    --------
    >>> f = ou_fluctuation(np.eye(2) + [[0, -1], [1, 0]], np.eye(2), 0.1, 3, 2000, 0)
    >>> bool(abs(f.ift - 1) < 4 * f.ift_se), bool(0 < f.frac_negative < 0.5)
    (True, True)
    """
    M, Q = euler_ou_chain(A, D, eta)
    d = M.shape[0]
    n_steps = check_int(n_steps, "n_steps", 1, 10**5)
    n_paths = check_int(n_paths, "n_paths", 2, 10**7)
    rng = check_rng(rng, allow_seed=True)
    C = solve_discrete_lyapunov(M, Q)
    pi = multivariate_normal(np.zeros(d), C)
    chain = sample_gaussian_chain(rng.multivariate_normal(np.zeros(d), C, size=n_paths),
                                  lambda X: X @ (M - np.eye(d)).T, Q, n_steps, rng)
    sig = path_entropy_production(chain.path, chain.drift, Q,
                                  log_density=lambda t, X: pi.logpdf(X)).total.sum(axis=1)
    ft = fluctuation_theorem_check(sig)
    f = ft.frac_negative
    boot = [np.median(np.exp(-sig[rng.integers(0, n_paths, n_paths)])) for _ in range(200)]
    return OUFluctuation(n_steps, linear_gaussian_stationary_entropy_production(M, Q),
                         ft.mean_sigma, float(sig.std(ddof=1) / np.sqrt(n_paths)), ft.mean,
                         ft.stderr, ft.ess / ft.n, f, float(np.sqrt(f * (1 - f) / ft.n)),
                         float(np.median(np.exp(-sig))), float(np.std(boot, ddof=1)))


@dataclass(frozen=True)
class EulerLimit:
    """Stationary entropy production of Euler chains against the continuous rate (see
    :func:`euler_limit`): ``rate`` (nats per unit time), ``per_time`` (m,) of the chains,
    ``order`` of ``|per_time - rate|`` in ``eta`` (log-log fit), and ``preprint_ratio``,
    the preprint's formula ``int J.D^{-1}J/p`` (its convention) over ``rate``."""

    etas: np.ndarray
    rate: float
    per_time: np.ndarray
    order: float
    preprint_ratio: float

    @property
    def error(self) -> np.ndarray:
        """``per_time - rate``."""
        return self.per_time - self.rate


def euler_limit(A, D, etas) -> EulerLimit:
    """The small-step limit of Definition 7 for the Euler chain of an OU process.

    The continuous rate is ``tr(A^T D^{-1} A C) - tr A`` with ``A C + C A^T = 2D``
    (Godreche and Luck 2019). The preprint writes ``int J.D^{-1}J/p`` with the diffusion
    term ``(1/2) div div (D p)``, i.e. its ``D`` is ``2D`` here; with the stationary current
    ``J = -(A - D C^{-1}) x p`` that is ``tr(V^T (2D)^{-1} V C)``, ``V = A - D C^{-1}``.

    Parameters
    ----------
    A, D : array_like, shape (d, d)
        Drift and diffusion of the OU process (``A`` stable, ``D`` positive definite).
    etas : array_like, shape (m,)
        Euler steps, ``m >= 2``, positive.

    Returns
    -------
    EulerLimit

    References
    ----------
    C. Godreche, J.-M. Luck, J. Phys. A 52 (2019) 035002.

    Examples
    --------
    >>> lim = euler_limit(np.eye(2) + [[0, -1], [1, 0]], np.eye(2), [0.1, 0.05, 0.025])
    >>> round(lim.preprint_ratio, 12), bool(abs(lim.order - 1) < 0.1)
    (0.5, True)
    """
    A = square(A, "A")
    D, _ = spd(D, "D", A.shape[0])
    etas = check_array(etas, "etas", ndim=1)
    if len(etas) < 2 or np.any(etas <= 0):
        raise ValueError("etas must hold at least 2 positive step sizes")
    rate = ou_stationary_entropy_production(A, D)
    per_time = np.array([linear_gaussian_stationary_entropy_production(
        *euler_ou_chain(A, D, e)) / e for e in etas])
    C = solve_continuous_lyapunov(A, 2 * D)
    V = A - D @ np.linalg.inv(C)
    pre = np.trace(V.T @ np.linalg.solve(2 * D, V) @ C)
    order = np.polyfit(np.log(etas), np.log(np.abs(per_time - rate)), 1)[0]
    return EulerLimit(etas, float(rate), per_time, float(order), float(pre / rate))


@dataclass(frozen=True)
class FiniteChains:
    """Two finite chains with known entropy production (see :func:`finite_chains`): a
    Metropolis ring (``metropolis``, exactly 0) and a driven 3-cycle (``cycle``, against
    ``cycle_exact = (p - q) ln(p/q)``), nats per step."""

    metropolis: float
    cycle: float
    cycle_exact: float


def finite_chains(n_states, p, q, rng) -> FiniteChains:
    """Schnakenberg's formula on a reversible and on a driven finite chain.

    The Metropolis chain on a ring of ``n_states`` with standard-normal energies proposes
    each neighbour with probability 1/2; the 3-cycle jumps forward with ``p``, back with
    ``q``.

    Parameters
    ----------
    n_states : int >= 3
    p, q : float in (0, 1), ``p + q <= 1``
    rng : numpy.random.Generator or int seed

    Returns
    -------
    FiniteChains

    References
    ----------
    J. Schnakenberg, Rev. Mod. Phys. 48 (1976) 571-585.

    Examples
    --------
    >>> fc = finite_chains(7, 0.6, 0.1, 0)
    >>> abs(fc.metropolis) < 1e-15, abs(fc.cycle - fc.cycle_exact) < 1e-14
    (True, True)
    """
    n = check_int(n_states, "n_states", 3, 10**4)
    p = check_real(p, "p", 0, 1, lo_open=True, hi_open=True)
    q = check_real(q, "q", 0, 1 - p, lo_open=True)
    rng = check_rng(rng, allow_seed=True)
    E = rng.normal(size=n)
    P = np.zeros((n, n))
    for i in range(n):
        for j in ((i - 1) % n, (i + 1) % n):
            P[i, j] = 0.5 * min(1.0, np.exp(E[i] - E[j]))
        P[i, i] = 1.0 - P[i].sum()
    cyc = np.array([[1 - p - q, p, q], [q, 1 - p - q, p], [p, q, 1 - p - q]])
    return FiniteChains(float(markov_entropy_production(P).total),
                        float(markov_entropy_production(cyc).total),
                        float((p - q) * np.log(p / q)))


@dataclass(frozen=True)
class QuadraticBalance:
    """Langevin steps on a quadratic loss (see :func:`quadratic_balance`): the exact
    stationary entropy production ``sigma`` (nats per step) and the relative Boltzmann
    detailed-balance residual ``residual`` (minimised over ``beta``, sampled)."""

    sigma: float
    residual: float


def quadratic_balance(A, temperature, eta, n_samples, rng) -> QuadraticBalance:
    """Reversibility and Boltzmann detailed balance of Langevin steps on ``L = x.A x / 2``.

    ``residual`` is the root mean square over stationary steps of
    ``r_beta = ln[P(x'|x) e^{-beta L(x)} / (P(x|x') e^{-beta L(x')})]`` at the ``beta`` that
    minimises it, divided by the root mean square of the medium term ``ln P(x'|x)/P(x|x')``.

    Parameters
    ----------
    A : array_like, shape (d, d)
        Symmetric positive-definite Hessian.
    temperature, eta : float > 0
    n_samples : int >= 10
        Stationary steps sampled.
    rng : numpy.random.Generator or int seed

    Returns
    -------
    QuadraticBalance

    Examples
    --------
    >>> qb = quadratic_balance(np.diag([1.0, 4.0]), 0.2, 0.1, 2000, 0)
    >>> abs(qb.sigma) < 1e-14, qb.residual > 0.01
    (True, True)
    """
    A, _ = spd(A, "A")
    T = check_real(temperature, "temperature", 0, lo_open=True)
    eta = check_real(eta, "eta", 0, lo_open=True)
    n = check_int(n_samples, "n_samples", 10, 10**7)
    rng = check_rng(rng, allow_seed=True)
    M, Q = euler_ou_chain(A, T * np.eye(len(A)), eta)
    C = solve_discrete_lyapunov(M, Q)
    xs = rng.multivariate_normal(np.zeros(len(A)), C, size=n)
    xs1 = xs @ M.T + rng.multivariate_normal(np.zeros(len(A)), Q, size=n)
    a = path_entropy_production(np.stack([xs, xs1], axis=1), lambda X: -eta * X @ A,
                                Q).medium[:, 0]
    c = 0.5 * np.sum(xs1 * (xs1 @ A), axis=1) - 0.5 * np.sum(xs * (xs @ A), axis=1)
    beta = -np.mean(a * c) / np.mean(c * c)
    return QuadraticBalance(float(linear_gaussian_stationary_entropy_production(M, Q)),
                            float(np.sqrt(np.mean((a + beta * c) ** 2) / np.mean(a**2))))
