"""Langevin dynamics on the double well ``L(x) = x^4/4 - x^2/2``, exact and sampled.

The unadjusted Langevin chain ``x' = x - eta L'(x) + sqrt(2 eta T) xi`` is one-dimensional,
so a Nystrom discretisation (:func:`grid_transition_matrix`) makes it a finite chain whose
stationary law and entropy production are those of the continuous-state chain to the
accuracy of the trapezoidal rule. The functions here run the experiments of the book's
double-well pages on that reference: a step-size scan of the stationary entropy production
and of two kinds of detailed balance, the transient from a broad start, the mixing time
against temperature, and the path-wise estimator on sampled walkers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.linalg import eigs

from .._validate import check_array, check_int, check_real, check_rng
from ._chain import sample_gaussian_chain
from ._markov import grid_transition_matrix, markov_entropy_production, stationary_distribution
from ._path import path_entropy_production

__all__ = ["DoubleWellChain", "DoubleWellScan", "DoubleWellTransient", "MixingTimes",
           "PathEstimate", "double_well_chain", "double_well_path_estimate",
           "double_well_scan", "double_well_transient", "mixing_times"]

#: barrier height of the double well between its minima at +-1 and the saddle at 0
BARRIER = 0.25


def _loss(x):
    return x**4 / 4 - x**2 / 2


def _grad(x):
    return x**3 - x


@dataclass(frozen=True)
class DoubleWellChain:
    """The Nystrom matrix of the Langevin chain on the double well (see
    :func:`double_well_chain`): grid ``x`` (K,), ``P`` and ``log_P`` (K, K), stationary
    law ``pi`` (K,) and its entropy production ``sigma`` (nats per step)."""

    x: np.ndarray
    P: np.ndarray
    log_P: np.ndarray
    pi: np.ndarray
    sigma: float


def double_well_chain(eta, temperature, n_grid, half_width=3.0) -> DoubleWellChain:
    """The Langevin chain on ``L(x) = x^4/4 - x^2/2`` as an exact finite chain.

    Parameters
    ----------
    eta : float > 0
        Step size.
    temperature : float > 0
        Temperature ``T``; the noise variance of a step is ``2 eta T``.
    n_grid : int >= 3
        Grid points on ``[-half_width, half_width]``.
    half_width : float > 0
        Half-width of the grid; at ``T <= 0.2`` the stationary mass beyond 3 is below 1e-30.

    Returns
    -------
    DoubleWellChain
        Stationary law by GTH elimination, entropy production by Schnakenberg's formula.

    References
    ----------
    W. K. Grassmann, M. I. Taksar, D. P. Heyman, Oper. Res. 33 (1985) 1107-1116.

    Examples
    --------
    >>> ch = double_well_chain(0.1, 0.2, 200)
    >>> ch.P.shape, round(float(ch.pi.sum()), 12), ch.sigma > 0
    ((200, 200), 1.0, True)
    """
    eta = check_real(eta, "eta", 0, lo_open=True)
    T = check_real(temperature, "temperature", 0, lo_open=True)
    n_grid = check_int(n_grid, "n_grid", 3, 20000)
    R = check_real(half_width, "half_width", 0, lo_open=True)
    x = np.linspace(-R, R, n_grid)
    P, logP, _ = grid_transition_matrix(x, lambda z: -eta * _grad(z), 2 * eta * T)
    return DoubleWellChain(x, P, logP, stationary_distribution(P),
                           float(markov_entropy_production(P, log_P=logP).total))


def _fit_slope(x, y):
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def _boltzmann_residual(ch, T):
    """min over beta of the rms of r_beta over stationary steps, relative to the rms of
    the medium term, and the minimising beta times T."""
    W = ch.pi[:, None] * ch.P
    a = ch.log_P - ch.log_P.T
    c = _loss(ch.x)[None, :] - _loss(ch.x)[:, None]
    Eaa, Eac, Ecc = np.sum(W * a * a), np.sum(W * a * c), np.sum(W * c * c)
    return np.sqrt(max(Eaa - Eac**2 / Ecc, 0.0) / Eaa), -Eac / Ecc * T


def _two_bin_ratio(ch, T, cut):
    """(k_12 / k_21) / (p^eq_2 / p^eq_1) for the bins x < cut and x >= cut."""
    left = ch.x < cut
    k12 = np.sum(ch.pi[left, None] * ch.P[left][:, ~left]) / ch.pi[left].sum()
    k21 = np.sum(ch.pi[~left, None] * ch.P[~left][:, left]) / ch.pi[~left].sum()
    w = np.exp(-_loss(ch.x) / T)
    return (k12 / k21) / (w[~left].sum() / w[left].sum())


@dataclass(frozen=True)
class DoubleWellScan:
    """Exact step-size scan of the double well (see :func:`double_well_scan`).

    Arrays of shape (m,) run over ``etas`` sorted from the largest step to the smallest;
    ``local_slopes`` (m - 1,) are ``d ln sigma / d ln eta`` between neighbours.
    """

    etas: np.ndarray
    sigma: np.ndarray
    grid_rel_change: float
    slope: float
    local_slopes: np.ndarray
    coef: np.ndarray
    c3: float
    db_residual: np.ndarray
    db_beta_T: np.ndarray
    db_slope: float
    ratio_sym: np.ndarray
    ratio_cut: np.ndarray
    cut_slope: float


def double_well_scan(etas, temperature, n_grid, cut=0.5) -> DoubleWellScan:
    """Stationary entropy production and detailed balance of the double well against eta.

    For each step size: the stationary entropy production ``sigma`` (nats per step); the
    relative Boltzmann detailed-balance residual, the root mean square over stationary
    steps of ``r_beta = ln[P(x'|x) e^{-beta L(x)} / (P(x|x') e^{-beta L(x')})]`` minimised
    over ``beta`` and divided by that of the medium term, with the minimising ``beta T``;
    and the two-bin ratio ``(k_12/k_21) / (p^eq_2/p^eq_1)`` for a split at 0 and at ``cut``.
    Slopes are least-squares fits in log-log over the three smallest steps; ``coef`` is
    ``sigma / eta^3`` and ``c3`` its Richardson limit from the two smallest steps
    (``sigma / eta^3 = c3 + c4 eta + ...``). ``grid_rel_change`` is the relative change of
    ``sigma`` at the smallest step on a grid 1.5 times finer (the reference's error).

    Parameters
    ----------
    etas : array_like, shape (m,)
        Distinct positive step sizes, ``m >= 3``.
    temperature : float > 0
        Temperature ``T``.
    n_grid : int >= 3
        Grid points of the reference (:func:`double_well_chain`).
    cut : float in (0, 1)
        The off-centre split of the two-bin test.

    Returns
    -------
    DoubleWellScan

    Examples
    --------
    >>> s = double_well_scan([0.2, 0.1, 0.05], 0.2, 300)
    >>> bool(s.sigma[0] > s.sigma[-1] > 0), bool(abs(s.ratio_sym - 1).max() < 1e-9)
    (True, True)
    """
    etas = check_array(etas, "etas", ndim=1)
    if len(etas) < 3 or np.any(etas <= 0) or len(np.unique(etas)) != len(etas):
        raise ValueError("etas must hold at least 3 distinct positive step sizes")
    T = check_real(temperature, "temperature", 0, lo_open=True)
    n_grid = check_int(n_grid, "n_grid", 3, 20000)
    cut = check_real(cut, "cut", 0, 1, lo_open=True, hi_open=True)
    etas = np.sort(etas)[::-1]
    chains = [double_well_chain(e, T, n_grid) for e in etas]
    sigma = np.array([c.sigma for c in chains])
    fine = double_well_chain(etas[-1], T, int(1.5 * n_grid)).sigma
    coef = sigma / etas**3
    db = np.array([_boltzmann_residual(c, T) for c in chains])
    sym = np.array([_two_bin_ratio(c, T, 0.0) for c in chains])
    asym = np.array([_two_bin_ratio(c, T, cut) for c in chains])
    return DoubleWellScan(
        etas=etas, sigma=sigma, grid_rel_change=float(abs(fine / sigma[-1] - 1)),
        slope=_fit_slope(etas[-3:], sigma[-3:]),
        local_slopes=np.diff(np.log(sigma)) / np.diff(np.log(etas)), coef=coef,
        c3=float((coef[-1] * etas[-2] - coef[-2] * etas[-1]) / (etas[-2] - etas[-1])),
        db_residual=db[:, 0], db_beta_T=db[:, 1], db_slope=_fit_slope(etas[-3:], db[-3:, 0]),
        ratio_sym=sym, ratio_cut=asym, cut_slope=_fit_slope(etas[-3:], np.abs(asym[-3:] - 1)))


@dataclass(frozen=True)
class DoubleWellTransient:
    """Exact relaxation of the double well from ``N(0, 1)`` (see
    :func:`double_well_transient`): per-step entropy production ``sigma`` and medium term
    ``medium`` (n,), differential entropy ``entropy`` (n + 1,), all in nats; the path-wise
    total medium term of ``n_walkers`` walkers, ``medium_mc`` with its standard error;
    the step size ``eta``."""

    eta: float
    sigma: np.ndarray
    medium: np.ndarray
    entropy: np.ndarray
    medium_mc: float
    medium_mc_se: float

    @property
    def budget_error(self) -> float:
        """``|sum sigma - (Delta H + sum medium)|`` relative to ``sum sigma``."""
        dH = self.entropy[-1] - self.entropy[0]
        return float(abs(self.sigma.sum() - dH - self.medium.sum()) / self.sigma.sum())

    @property
    def summary(self) -> dict:
        """Totals over the transient: ``time``, ``total`` entropy production, smallest step
        ``min_step``, fall of the entropy ``entropy_drop``, ``medium_total`` and
        ``budget_error``."""
        return {"time": len(self.sigma) * self.eta, "total": float(self.sigma.sum()),
                "min_step": float(self.sigma.min()),
                "entropy_drop": float(self.entropy[0] - self.entropy[-1]),
                "medium_total": float(self.medium.sum()), "budget_error": self.budget_error}


def double_well_transient(eta, temperature, n_grid, n_steps, n_walkers, rng
                          ) -> DoubleWellTransient:
    """Entropy budget of the double well relaxing from ``N(0, 1)``, exact and path-wise.

    The law is propagated exactly on a grid over ``[-6, 6]`` (``N(0, 1)`` is below 1e-8 at
    the ends); each step's entropy production and medium term come from
    :func:`markov_entropy_production`. Independently, ``n_walkers`` walkers from ``N(0, 1)``
    give the path-wise medium term, which needs no densities.

    Parameters
    ----------
    eta, temperature : float > 0
        Step size and temperature.
    n_grid : int >= 3
        Grid points.
    n_steps : int >= 1
        Steps of the transient (time ``n_steps * eta``).
    n_walkers : int >= 2
        Walkers of the path-wise check.
    rng : numpy.random.Generator or int seed

    Returns
    -------
    DoubleWellTransient

    Examples
    --------
    >>> tr = double_well_transient(0.05, 0.2, 200, 10, 50, 0)
    >>> bool(tr.sigma.min() > 0), tr.entropy.shape, tr.budget_error < 1e-9
    (True, (11,), True)
    """
    eta = check_real(eta, "eta", 0, lo_open=True)
    T = check_real(temperature, "temperature", 0, lo_open=True)
    n_grid = check_int(n_grid, "n_grid", 3, 20000)
    n_steps = check_int(n_steps, "n_steps", 1, 10**6)
    n_walkers = check_int(n_walkers, "n_walkers", 2, 10**7)
    rng = check_rng(rng, allow_seed=True)
    x = np.linspace(-6.0, 6.0, n_grid)
    h = x[1] - x[0]
    P, logP, _ = grid_transition_matrix(x, lambda z: -eta * _grad(z), 2 * eta * T)
    p = np.exp(-0.5 * x**2)
    p /= p.sum()
    sig, med, H = [], [], [-np.sum(p * np.log(p / h))]
    for _ in range(n_steps):
        res = markov_entropy_production(P, p, log_P=logP)
        sig.append(res.total)
        med.append(res.medium)
        p = p @ P
        H.append(-np.sum(p[p > 0] * np.log(p[p > 0] / h)))
    chain = sample_gaussian_chain(rng.standard_normal((n_walkers, 1)),
                                  lambda X: -eta * _grad(X), 2 * eta * T, n_steps, rng)
    cum = path_entropy_production(chain.path, chain.drift, 2 * eta * T).medium.sum(axis=1)
    return DoubleWellTransient(eta, np.array(sig), np.array(med), np.array(H), float(cum.mean()),
                               float(cum.std(ddof=1) / np.sqrt(n_walkers)))


@dataclass(frozen=True)
class PathEstimate:
    """Path-wise estimate of the stationary entropy production of the double well (see
    :func:`double_well_path_estimate`): ``exact`` and ``estimate`` with its standard error
    ``se`` (nats per step), and the final positions of the walkers ``final`` (walkers, 1)."""

    exact: float
    estimate: float
    se: float
    final: np.ndarray

    @property
    def z(self) -> float:
        """``(estimate - exact) / se``."""
        return (self.estimate - self.exact) / self.se


def double_well_path_estimate(eta, temperature, n_grid, n_walkers, n_steps, rng, *,
                              n_burn=200) -> PathEstimate:
    """Stationary entropy production of the double well from sampled paths, with the exact value.

    Walkers start from the grid's stationary law (jittered within a grid cell), run
    ``n_burn`` steps to wash out the grid, then ``n_steps`` steps; each walker's estimate is
    the mean over its steps of the medium term plus the telescoping system term of the
    shadow density ``exp(-(L - eta L'^2/4)/T)``, which keeps the mean and removes most of
    the variance. The walkers are independent, so their spread gives the standard error.

    Parameters
    ----------
    eta, temperature : float > 0
        Step size and temperature.
    n_grid : int >= 3
        Grid points of the exact reference (:func:`double_well_chain`).
    n_walkers : int >= 2
    n_steps : int >= 1
    rng : numpy.random.Generator or int seed
    n_burn : int >= 0

    Returns
    -------
    PathEstimate

    Examples
    --------
    >>> est = double_well_path_estimate(0.1, 0.2, 300, 200, 50, 0)
    >>> bool(abs(est.z) < 4), est.final.shape
    (True, (200, 1))
    """
    eta = check_real(eta, "eta", 0, lo_open=True)
    T = check_real(temperature, "temperature", 0, lo_open=True)
    ch = double_well_chain(eta, T, n_grid)
    n_walkers = check_int(n_walkers, "n_walkers", 2, 10**7)
    n_steps = check_int(n_steps, "n_steps", 1, 10**6)
    n_burn = check_int(n_burn, "n_burn", 0, 10**6)
    rng = check_rng(rng, allow_seed=True)
    h = ch.x[1] - ch.x[0]
    x0 = ch.x[rng.choice(len(ch.x), size=n_walkers, p=ch.pi)] + h * (rng.random(n_walkers) - .5)
    drift = lambda X: -eta * _grad(X)  # noqa: E731
    x0 = sample_gaussian_chain(x0[:, None], drift, 2 * eta * T, n_burn, rng).path[:, -1]
    chain = sample_gaussian_chain(x0, drift, 2 * eta * T, n_steps, rng)
    shadow = lambda t, X: -(_loss(X[:, 0]) - eta * _grad(X[:, 0]) ** 2 / 4) / T  # noqa: E731
    per_walker = path_entropy_production(chain.path, chain.drift, 2 * eta * T,
                                         log_density=shadow).total.mean(axis=1)
    return PathEstimate(ch.sigma, float(per_walker.mean()),
                        float(per_walker.std(ddof=1) / np.sqrt(n_walkers)), chain.path[:, -1])


@dataclass(frozen=True)
class MixingTimes:
    """Mixing times of the double well against temperature (see :func:`mixing_times`):
    ``temperatures``, exact ``tau`` and Kramers' ``tau_kramers`` (units of time), the
    fitted barrier (slope of ``ln tau`` against ``1/T``) and the local slopes."""

    temperatures: np.ndarray
    tau: np.ndarray
    tau_kramers: np.ndarray
    barrier_fit: float
    barrier_local: np.ndarray

    @property
    def ratio(self) -> np.ndarray:
        """``tau / tau_kramers``."""
        return self.tau / self.tau_kramers


def mixing_times(temperatures, eta, n_grid) -> MixingTimes:
    """Relaxation time of the slowest mode of the double well, against Kramers' law.

    ``tau = -eta / ln|lambda_2|`` with ``lambda_2`` the second eigenvalue of the exact grid
    chain; Kramers' law for the barrier 1/4 between minima of curvature 2 over a saddle of
    curvature 1 gives ``tau = (pi / sqrt 2) exp(1/(4T))`` as ``T, eta -> 0``.

    Parameters
    ----------
    temperatures : array_like, shape (m,)
        Distinct positive temperatures, ``m >= 2``, in the order the result keeps.
    eta : float > 0
        Step size.
    n_grid : int >= 10
        Grid points on ``[-3, 3]``.

    Returns
    -------
    MixingTimes

    References
    ----------
    P. Hanggi, P. Talkner, M. Borkovec, Rev. Mod. Phys. 62 (1990) 251-341.

    Examples
    --------
    >>> mt = mixing_times([0.2, 0.1], 0.05, 300)
    >>> bool(mt.tau[1] > mt.tau[0]), bool(abs(mt.barrier_fit - 0.25) < 0.05)
    (True, True)
    """
    Ts = check_array(temperatures, "temperatures", ndim=1)
    if len(Ts) < 2 or np.any(Ts <= 0) or len(np.unique(Ts)) != len(Ts):
        raise ValueError("temperatures must hold at least 2 distinct positive values")
    eta = check_real(eta, "eta", 0, lo_open=True)
    n_grid = check_int(n_grid, "n_grid", 10, 20000)
    x = np.linspace(-3.0, 3.0, n_grid)
    tau = []
    for T in Ts:
        P, _, _ = grid_transition_matrix(x, lambda z: -eta * _grad(z), 2 * eta * T)
        lam = eigs(P, k=3, which="LM", return_eigenvectors=False, v0=np.ones(n_grid))
        tau.append(-eta / np.log(np.sort(np.abs(lam))[-2]))
    tau = np.array(tau)
    return MixingTimes(Ts, tau, np.pi / np.sqrt(2) * np.exp(BARRIER / Ts),
                       float(np.polyfit(1 / Ts, np.log(tau), 1)[0]),
                       np.diff(np.log(tau)) / np.diff(1 / Ts))
