"""Linear equivalence tested on simulated random networks (private).

:func:`covariance_study` simulates random recurrent networks, estimates the covariance
of their rates and compares it with the linear-equivalent prediction for their own
couplings (:func:`linear_equivalent_covariance`), with two baselines: the prediction for
unrelated couplings and the cross-covariances of the residuals. :func:`stability_census`
counts how often the linear equivalent does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from .._validate import check_int, check_real, check_rng
from ._dmft import DMFTResult
from ._linear_equivalence import linear_equivalent_covariance, participation_ratio
from ._rnn import random_couplings, simulate_rnn
from ._rnn_study import _binom_se, _sizes
from ._summary import Summary


def _offdiag(C):
    return C[~np.eye(C.shape[0], dtype=bool)]


def _rms(v):
    return float(np.sqrt(np.mean(v**2)))


def _jackknife_cov(R, stat, n_blocks=10):
    """Delete-one-block jackknife standard error of ``stat(covariance of the rows of R)``.

    The rows are a time series, so they are cut into ``n_blocks`` consecutive blocks,
    each much longer than the correlation time; the covariance without block ``b``
    follows from the sums over all rows minus those of block ``b``. Written out because
    numpy and scipy have no jackknife over blocks of a matrix statistic
    (``scipy.stats.jackknife_resampling`` deletes single observations).
    """
    blocks = np.array_split(R, n_blocks)
    S = [b.T @ b for b in blocks]
    m = [b.sum(axis=0) for b in blocks]
    n = [b.shape[0] for b in blocks]
    S_all, m_all, n_all = sum(S), sum(m), sum(n)
    vals = []
    for Sb, mb, nb in zip(S, m, n, strict=True):
        k, mk = n_all - nb, m_all - mb
        vals.append(stat(((S_all - Sb) - np.outer(mk, mk) / k) / (k - 1)))
    vals = np.array(vals)
    return float(np.sqrt((n_blocks - 1) / n_blocks * np.sum((vals - vals.mean()) ** 2)))


def _edge(J, gamma):
    return float(np.max(gamma * np.linalg.eigvals(J).real))


@dataclass(frozen=True)
class CovarianceStudy(Summary):
    """Measured rate covariances of random networks against their linear equivalents.

    Every array has one entry per size; entries of sizes without a stable linear
    equivalent (``edge >= 1``) are NaN.

    Attributes
    ----------
    sizes : array
    draws : array of int
        Coupling matrices drawn until one had a stable linear equivalent and
        fluctuating activity.
    edge : array
        ``max Re(gamma lambda(J))`` of the simulated couplings (stable below 1).
    corr, corr_se : array
        Correlation of measured and predicted off-diagonal covariances, and its
        jackknife standard error over time blocks.
    corr_other : array
        The same correlation with the prediction for unrelated couplings.
    slope : array
        Regression slope of measured on predicted off-diagonal entries.
    rel_err_sys : array
        Root-mean-square error of the prediction after removing the sampling noise, over
        the root-mean-square off-diagonal covariance.
    noise_rel : array
        Sampling noise of an off-diagonal entry (half-run difference), relative alike.
    pr_sim, pr_pred : array
        Participation ratios of the measured and predicted covariance.
    xi_ratio, xi_noise_ratio : array
        Root-mean-square residual cross-covariance (noise removed) and its sampling
        noise, over the root-mean-square rate cross-covariance.
    figure : dict
        Per stable size, off-diagonal entries and eigenvalues (measured, predicted).
    """

    sizes: np.ndarray
    draws: np.ndarray
    edge: np.ndarray
    corr: np.ndarray
    corr_se: np.ndarray
    corr_other: np.ndarray
    slope: np.ndarray
    rel_err_sys: np.ndarray
    noise_rel: np.ndarray
    pr_sim: np.ndarray
    pr_pred: np.ndarray
    xi_ratio: np.ndarray
    xi_noise_ratio: np.ndarray
    figure: dict = field(repr=False)
    _skip: ClassVar[tuple] = ("figure",)

    @property
    def corr_trend_z(self) -> float:
        """Correlation at the largest stable size minus that at the smallest, in standard
        errors (NaN with fewer than two stable sizes)."""
        i = np.flatnonzero(self.edge < 1)
        if i.size < 2:
            return float("nan")
        a, b = i[0], i[-1]
        return float((self.corr[b] - self.corr[a]) / np.hypot(self.corr_se[a], self.corr_se[b]))

    @property
    def stable(self) -> np.ndarray:
        """Sizes whose simulated couplings have a stable linear equivalent."""
        return self.sizes[self.edge < 1]


def covariance_study(g, sizes, dmft, t_cov, dt, *, rng, max_draws=10, t_transient=50.0,
                     sample_every=5, n_blocks=10, n_omega=1024):
    """Simulate one random network per size and test the linear-equivalent covariance.

    For each size, couplings are drawn (:func:`random_couplings`) until the linear
    equivalent exists (``edge < 1``) and the simulated rates keep fluctuating (mean time
    variance at least 10 % of the DMFT's); then an unrelated matrix is drawn until its
    equivalent exists. The sampling noise of a covariance is half the difference of the
    two half-runs' estimates.

    Parameters
    ----------
    g : float >= 0
        Coupling gain.
    sizes : sequence of int >= 2
        Sizes ``N``.
    dmft : DMFTResult
        The theory at gain ``g`` (its ``gamma`` and residual spectrum).
    t_cov : float > 0
        Simulated time per network.
    dt : float > 0
        RK4 step.
    rng : numpy.random.Generator or int
        Source of the couplings and initial states.
    max_draws : int >= 1
        Coupling matrices tried per size.
    t_transient : float >= 0
        Discarded time.
    sample_every : int >= 1
        Steps between stored samples.
    n_blocks : int >= 2
        Time blocks of the jackknife.
    n_omega : int >= 8
        Frequencies of the prediction's quadrature (:func:`linear_equivalent_covariance`).

    Returns
    -------
    CovarianceStudy

    References
    ----------
    D. G. Clark, "Linear equivalence of nonlinear recurrent neural networks",
    arXiv:2604.23489 (2026).

    Examples
    --------
    >>> from uniqnets.randomnets import covariance_study, dmft_autocorrelation
    >>> c = covariance_study(3.0, [60], dmft_autocorrelation(3.0), 60.0, 0.1, rng=0,
    ...                      t_transient=10.0)
    >>> c.corr.shape, bool(c.corr[0] > 0)
    ((1,), True)
    """
    g = check_real(g, "g", 0.0)
    sizes = _sizes(sizes, "sizes")
    if not isinstance(dmft, DMFTResult):
        raise TypeError(f"dmft must be a DMFTResult, got {type(dmft).__name__}")
    t_cov = check_real(t_cov, "t_cov", 0.0, lo_open=True)
    dt = check_real(dt, "dt", 0.0, lo_open=True)
    max_draws = check_int(max_draws, "max_draws", 1)
    t_transient = check_real(t_transient, "t_transient", 0.0)
    sample_every = check_int(sample_every, "sample_every", 1)
    n_blocks = check_int(n_blocks, "n_blocks", 2)
    n_omega = check_int(n_omega, "n_omega", 8, 10**6)
    rng = check_rng(rng, allow_seed=True)
    gam = dmft.gamma
    keys = ("draws", "edge", "corr", "corr_se", "corr_other", "slope", "rel_err_sys",
            "noise_rel", "pr_sim", "pr_pred", "xi_ratio", "xi_noise_ratio")
    out = {k: [] for k in keys}
    figure = {}
    for N in sizes:
        X = None
        for draw in range(1, max_draws + 1):
            tried = draw
            J = random_couplings(N, g, rng=rng)
            edge = _edge(J, gam)
            if edge >= 1:
                continue
            _, X = simulate_rnn(J, rng.standard_normal(N), t_cov, dt, t_transient=t_transient,
                                sample_every=sample_every)
            if np.mean(np.var(np.tanh(X), axis=0)) > 0.1 * dmft.c_phi[0]:
                break
        row = dict.fromkeys(keys, float("nan"))
        row.update(draws=tried, edge=edge)
        if edge < 1:
            R = np.tanh(X)
            Xi = R - gam * X
            half = R.shape[0] // 2
            C_sim = np.cov(R.T)
            sim_rms = _rms(_offdiag(C_sim))
            noise = _rms(_offdiag(np.cov(R[:half].T) - np.cov(R[half:].T))) / 2
            xi_noise = _rms(_offdiag(np.cov(Xi[:half].T) - np.cov(Xi[half:].T))) / 2
            xi_rms = _rms(_offdiag(np.cov(Xi.T)))
            C_pred = linear_equivalent_covariance(J, dmft, n_omega=n_omega)
            J_other = random_couplings(N, g, rng=rng)
            while _edge(J_other, gam) >= 1:
                J_other = random_couplings(N, g, rng=rng)
            C_other = linear_equivalent_covariance(J_other, dmft, n_omega=n_omega)
            o_sim, o_pred = _offdiag(C_sim), _offdiag(C_pred)
            err_sys = np.sqrt(max(_rms(o_sim - o_pred) ** 2 - noise**2, 0.0))
            row.update(
                corr=float(np.corrcoef(o_sim, o_pred)[0, 1]),
                corr_se=_jackknife_cov(R, lambda C, o=o_pred: np.corrcoef(_offdiag(C), o)[0, 1],
                                       n_blocks),
                corr_other=float(np.corrcoef(o_sim, _offdiag(C_other))[0, 1]),
                slope=float(o_sim @ o_pred / (o_pred @ o_pred)), rel_err_sys=err_sys / sim_rms,
                noise_rel=noise / sim_rms, pr_sim=participation_ratio(C_sim),
                pr_pred=participation_ratio(C_pred),
                xi_ratio=np.sqrt(max(xi_rms**2 - xi_noise**2, 0.0)) / sim_rms,
                xi_noise_ratio=xi_noise / sim_rms)
            figure[N] = dict(o_sim=o_sim, o_pred=o_pred, ev_sim=np.linalg.eigvalsh(C_sim)[::-1],
                             ev_pred=np.linalg.eigvalsh(C_pred)[::-1])
        for k in keys:
            out[k].append(row[k])
    return CovarianceStudy(np.array(sizes, dtype=float),
                           **{k: np.array(v, dtype=int if k == "draws" else float)
                              for k, v in out.items()}, figure=figure)


@dataclass(frozen=True)
class StabilityCensus(Summary):
    """How often the linear equivalent of a random coupling matrix is unstable.

    Attributes
    ----------
    sizes : array
    unstable, unstable_se : array
        Fraction of draws with ``max Re(gamma lambda(J)) >= 1`` and its binomial standard
        error.
    n_draws : int
    """

    sizes: np.ndarray
    unstable: np.ndarray
    unstable_se: np.ndarray
    n_draws: int


def stability_census(g, gamma, sizes, n_draws, *, rng):
    """Count coupling matrices whose linear equivalent ``gamma J`` has an eigenvalue beyond 1.

    Parameters
    ----------
    g : float >= 0
        Coupling gain.
    gamma : float
        The DMFT's linear gain ``<phi'(x)>``.
    sizes : sequence of int >= 2
        Sizes ``N``.
    n_draws : int >= 1
        Matrices per size.
    rng : numpy.random.Generator or int
        Source of the matrices.

    Returns
    -------
    StabilityCensus

    References
    ----------
    D. G. Clark, L. F. Abbott, A. Litwin-Kumar, Phys. Rev. Lett. 131 (2023) 118401.

    Examples
    --------
    >>> from uniqnets.randomnets import stability_census
    >>> s = stability_census(3.0, 0.3, [20], 5, rng=0)
    >>> s.unstable.shape
    (1,)
    """
    g = check_real(g, "g", 0.0)
    gamma = check_real(gamma, "gamma")
    sizes = _sizes(sizes, "sizes")
    n_draws = check_int(n_draws, "n_draws", 1)
    rng = check_rng(rng, allow_seed=True)
    frac = np.array([np.mean([_edge(random_couplings(N, g, rng=rng), gamma) >= 1
                              for _ in range(n_draws)]) for N in sizes])
    return StabilityCensus(np.array(sizes, dtype=float), frac,
                           np.array([_binom_se(f, n_draws) for f in frac]), n_draws)
