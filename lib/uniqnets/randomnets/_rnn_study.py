"""Experiments on random recurrent networks of finite size against the DMFT (private).

:func:`rnn_size_study` measures the largest Lyapunov exponent of many networks at
several sizes and extrapolates it in ``1/N``; :func:`autocorrelation_study` records
the chaotic ones further and compares their autocorrelation with the DMFT's;
:func:`spectrum_size_study` compares the leading Lyapunov spectra of two sizes
against ``rank / N``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from .._validate import check_array, check_int, check_real, check_rng
from ._dmft import DMFTResult
from ._rnn import population_autocorrelation, rnn_lyapunov, simulate_rnn
from ._summary import Summary


def _sizes(sizes, name):
    s = check_array(sizes, name, ndim=1)
    return [check_int(float(v), f"{name} entries", 2) for v in s]


def _binom_se(p, n):
    return float(np.sqrt(p * (1 - p) / n))


@dataclass(frozen=True)
class RNNSizeStudy(Summary):
    """Largest Lyapunov exponents of random recurrent networks at several sizes.

    Attributes
    ----------
    sizes, n_nets : array, shape (n,)
        Sizes ``N`` and networks per size.
    exponents : tuple of arrays
        Per size, the largest exponent of every network (per unit time).
    frac_chaotic, frac_chaotic_se : array, shape (n,)
        Fraction of networks with a positive exponent, binomial standard error.
    mean, stderr : array, shape (n,)
        Mean exponent of the chaotic networks of each size, and its standard error: the
        spread over networks, never less than the time-averaging error (NaN with fewer
        than two chaotic networks).
    lam_inf, lam_inf_se, a_fit, a_fit_se : float
        Weighted fit ``lambda_N = lambda_inf + a / N`` over the sizes with a finite
        standard error (NaN with fewer than two such sizes).
    n_fit : int
        Sizes in that fit.
    runs : tuple
        Per size, the :class:`RNNLyapunov` of every network (not shown).
    """

    sizes: np.ndarray
    n_nets: np.ndarray
    exponents: tuple
    frac_chaotic: np.ndarray
    frac_chaotic_se: np.ndarray
    mean: np.ndarray
    stderr: np.ndarray
    lam_inf: float
    lam_inf_se: float
    a_fit: float
    a_fit_se: float
    n_fit: int
    runs: tuple = field(repr=False)
    _skip: ClassVar[tuple] = ("exponents", "runs")

    def spread(self, N) -> float:
        """Standard deviation of the top exponent over the chaotic networks of the
        simulated size nearest to ``N`` (NaN with fewer than two)."""
        i = int(np.argmin(np.abs(self.sizes - N)))
        lam = self.exponents[i][self.exponents[i] > 0]
        return float(lam.std(ddof=1)) if lam.size > 1 else float("nan")


def rnn_size_study(g, sizes, n_nets, t_lyap, dt, *, rng, t_transient=30.0):
    """The largest Lyapunov exponent of ``n_nets[i]`` random networks of each size.

    Each network is :func:`rnn_lyapunov` (``k = 1``), drawn size after size from
    ``rng``. The DMFT describes the chaotic state, so the mean of each size averages its
    chaotic networks (positive exponent); the others are counted in ``frac_chaotic``.

    Parameters
    ----------
    g : float >= 0
        Coupling gain.
    sizes : sequence of int >= 2
        Sizes ``N``.
    n_nets : sequence of int >= 1
        Networks per size (as many entries as ``sizes``).
    t_lyap : float > 0
        Measured time of each run.
    dt : float > 0
        RK4 step.
    rng : numpy.random.Generator or int
        Source of the networks.
    t_transient : float >= 0
        Discarded time before each run.

    Returns
    -------
    RNNSizeStudy

    References
    ----------
    H. Sompolinsky, A. Crisanti, H.-J. Sommers, Phys. Rev. Lett. 61 (1988) 259.

    Examples
    --------
    >>> from uniqnets.randomnets import rnn_size_study
    >>> s = rnn_size_study(3.0, [20, 40], [2, 2], 10.0, 0.1, rng=0, t_transient=5.0)
    >>> s.frac_chaotic.shape, len(s.runs[1])
    ((2,), 2)
    """
    g = check_real(g, "g", 0.0)
    sizes = _sizes(sizes, "sizes")
    n_nets = [check_int(float(v), "n_nets entries", 1)
              for v in check_array(n_nets, "n_nets", ndim=1)]
    if len(n_nets) != len(sizes):
        raise ValueError(f"n_nets must have one entry per size ({len(sizes)}), got {len(n_nets)}")
    t_lyap = check_real(t_lyap, "t_lyap", 0.0, lo_open=True)
    dt = check_real(dt, "dt", 0.0, lo_open=True)
    t_transient = check_real(t_transient, "t_transient", 0.0)
    rng = check_rng(rng, allow_seed=True)
    runs = tuple([rnn_lyapunov(g, N, t_lyap, dt, k=1, rng=rng, t_transient=t_transient)
                  for _ in range(n)] for N, n in zip(sizes, n_nets, strict=True))
    lam_all = tuple(np.array([x.exponents[0] for x in size_runs]) for size_runs in runs)
    frac = np.array([np.mean(lam > 0) for lam in lam_all])
    frac_se = np.array([_binom_se(f, n) for f, n in zip(frac, n_nets, strict=True)])
    mean, se = [], []
    for size_runs in runs:
        keep = [x for x in size_runs if x.exponents[0] > 0]
        lam_c = np.array([x.exponents[0] for x in keep])
        n_c = lam_c.size
        mean.append(lam_c.mean() if n_c else np.nan)
        spread = lam_c.std(ddof=1) / np.sqrt(n_c) if n_c >= 2 else np.nan
        within = np.mean([x.stderr[0] for x in keep]) / np.sqrt(n_c) if n_c else np.nan
        se.append(max(spread, within))
    mean, se = np.array(mean), np.array(se)
    fit = np.isfinite(se)
    lam_inf = lam_inf_se = a_fit = a_fit_se = float("nan")
    if fit.sum() >= 2:
        Ns = np.array(sizes, dtype=float)[fit]
        A = np.vstack([np.ones(Ns.size), 1 / Ns]).T
        W = np.diag(1 / se[fit] ** 2)
        cov = np.linalg.inv(A.T @ W @ A)
        lam_inf, a_fit = (float(v) for v in cov @ A.T @ W @ mean[fit])
        lam_inf_se, a_fit_se = float(np.sqrt(cov[0, 0])), float(np.sqrt(cov[1, 1]))
    return RNNSizeStudy(np.array(sizes, dtype=float), np.array(n_nets), lam_all, frac, frac_se,
                        mean, se, lam_inf, lam_inf_se, a_fit, a_fit_se, int(fit.sum()), runs)


@dataclass(frozen=True)
class AutocorrelationStudy(Summary):
    """Autocorrelation of the chaotic networks of a size study against the DMFT.

    Attributes
    ----------
    lags : array, shape (n_lag,)
    dmft_shape : array, shape (n_lag,)
        ``Delta(tau) / Delta_0`` of the DMFT, interpolated to ``lags``.
    sizes : array, shape (m,)
        Sizes with at least one chaotic network.
    shapes : tuple of arrays, shape (n_nets_i, n_lag) each
        Normalised autocorrelation of every chaotic network of each size.
    delta0, delta0_se : float
        Variance of a unit, mean over all chaotic networks and its standard error.
    n_nets : int
        Chaotic networks.
    excess, excess_se : array, shape (m,)
        Excess of the normalised autocorrelation over the DMFT, averaged over the lags,
        mean over the networks of each size and its standard error.
    """

    lags: np.ndarray
    dmft_shape: np.ndarray
    sizes: np.ndarray
    shapes: tuple
    delta0: float
    delta0_se: float
    n_nets: int
    excess: np.ndarray
    excess_se: np.ndarray
    _skip: ClassVar[tuple] = ("lags", "dmft_shape", "shapes")
    _extra: ClassVar[tuple] = ("drop", "drop_se")

    @property
    def drop(self) -> float:
        """Excess at the smallest size minus excess at the largest."""
        return float(self.excess[0] - self.excess[-1])

    @property
    def drop_se(self) -> float:
        """Standard error of :attr:`drop`."""
        return float(np.hypot(self.excess_se[0], self.excess_se[-1]))


def autocorrelation_study(study, dmft, t_acf, dt, *, max_lag=20.0):
    """Record every chaotic network of ``study`` further and compare its autocorrelation.

    From the final state of each chaotic run, :func:`simulate_rnn` integrates ``t_acf``
    more time units (no randomness) and :func:`population_autocorrelation` averages over
    the units.

    Parameters
    ----------
    study : RNNSizeStudy
        The networks.
    dmft : DMFTResult
        The theory at the same gain.
    t_acf : float > 0
        Recorded time per network.
    dt : float > 0
        RK4 step.
    max_lag : float > 0
        Largest lag compared.

    Returns
    -------
    AutocorrelationStudy

    References
    ----------
    H. Sompolinsky, A. Crisanti, H.-J. Sommers, Phys. Rev. Lett. 61 (1988) 259.

    Examples
    --------
    >>> from uniqnets.randomnets import (autocorrelation_study, dmft_autocorrelation,
    ...                                  rnn_size_study)
    >>> s = rnn_size_study(3.0, [20, 40], [2, 2], 10.0, 0.1, rng=0, t_transient=5.0)
    >>> a = autocorrelation_study(s, dmft_autocorrelation(3.0), 30.0, 0.1, max_lag=5.0)
    >>> a.lags.shape
    (50,)
    """
    if not isinstance(study, RNNSizeStudy):
        raise TypeError(f"study must be an RNNSizeStudy, got {type(study).__name__}")
    if not isinstance(dmft, DMFTResult):
        raise TypeError(f"dmft must be a DMFTResult, got {type(dmft).__name__}")
    t_acf = check_real(t_acf, "t_acf", 0.0, lo_open=True)
    dt = check_real(dt, "dt", 0.0, lo_open=True)
    max_lag = check_real(max_lag, "max_lag", 0.0, lo_open=True)
    n_lag = int(round(max_lag / dt))
    if n_lag < 2 or n_lag > int(t_acf / dt):
        raise ValueError(f"max_lag must span 2 to t_acf/dt steps, got {max_lag}")
    lags = dt * np.arange(n_lag)
    shape = np.interp(lags, dmft.tau, dmft.delta) / dmft.delta0
    sizes, shapes, d0s = [], [], []
    for N, size_runs in zip(study.sizes, study.runs, strict=True):
        rows = []
        for res in size_runs:
            if res.exponents[0] <= 0:
                continue
            _, X = simulate_rnn(res.J, res.result.x, t_acf, dt)
            a = population_autocorrelation(X, n_lag)
            rows.append(a / a[0])
            d0s.append(a[0])
        if rows:
            sizes.append(N)
            shapes.append(np.array(rows))
    excess = [(s - shape).mean(axis=1) for s in shapes]
    exc_se = [float(e.std(ddof=1) / np.sqrt(e.size)) if e.size > 1 else float("nan")
              for e in excess]
    d0s = np.array(d0s)
    d0_se = float(d0s.std(ddof=1) / np.sqrt(d0s.size)) if d0s.size > 1 else float("nan")
    return AutocorrelationStudy(lags, shape, np.array(sizes), tuple(shapes),
                                float(d0s.mean()) if d0s.size else float("nan"), d0_se,
                                int(d0s.size), np.array([float(e.mean()) for e in excess]),
                                np.array(exc_se))


@dataclass(frozen=True)
class SpectrumStudy(Summary):
    """Leading Lyapunov spectra of one chaotic network at each of two sizes.

    Attributes
    ----------
    sizes : array, shape (2,)
    exponents, stderr : tuple of two arrays
        The spectra (per unit time) and their batch-means standard errors.
    draws : array, shape (2,)
        Networks drawn until a chaotic one came (at most ``max_draws``).
    npos_frac : array, shape (2,)
        Fraction ``#{lambda_i > 0} / N``.
    mean_shift : float
        Mean difference of the spectra on their common range of ``i / N``.
    rank_shift : float
        Mean difference at equal rank ``i``.
    time_se : float
        Standard error of ``mean_shift`` from the time averaging of the two runs.
    net_se : float
        Standard error from the differences between networks (the spread of the top
        exponent over the networks of a size study).
    """

    sizes: np.ndarray
    exponents: tuple
    stderr: tuple
    draws: np.ndarray
    npos_frac: np.ndarray
    mean_shift: float
    rank_shift: float
    time_se: float
    net_se: float
    _skip: ClassVar[tuple] = ("exponents", "stderr")
    _extra: ClassVar[tuple] = ("se", "top")

    @property
    def top(self) -> np.ndarray:
        """The largest exponent of each spectrum."""
        return np.array([e[0] for e in self.exponents])

    @property
    def se(self) -> float:
        """Total standard error of a shift."""
        return float(np.hypot(self.time_se, self.net_se))


def spectrum_size_study(g, sizes, frac, t_spectrum, dt, *, rng, spread, t_transient=30.0,
                        max_draws=5):
    """Compare the leading Lyapunov spectra of a chaotic network at two sizes in ``i/N``.

    For each size, networks are drawn until one is chaotic (at most ``max_draws``) and
    its leading ``max(2, round(frac N))`` exponents computed (:func:`rnn_lyapunov`).

    Parameters
    ----------
    g : float >= 0
        Coupling gain.
    sizes : sequence of two int >= 2
        The two sizes.
    frac : float in (0, 1]
        Fraction of the spectrum computed.
    t_spectrum : float > 0
        Measured time.
    dt : float > 0
        RK4 step.
    rng : numpy.random.Generator or int
        Source of the networks.
    spread : RNNSizeStudy
        Its spread of top exponents over networks gives the network-to-network error.
    t_transient : float >= 0
        Discarded time.
    max_draws : int >= 1
        Networks drawn at most per size.

    Returns
    -------
    SpectrumStudy

    References
    ----------
    R. Engelken, F. Wolf, L. F. Abbott, arXiv:2006.02427 (2020) (extensive chaos).

    Examples
    --------
    >>> from uniqnets.randomnets import rnn_size_study, spectrum_size_study
    >>> s = rnn_size_study(3.0, [20, 40], [3, 3], 10.0, 0.1, rng=0, t_transient=5.0)
    >>> sp = spectrum_size_study(3.0, [20, 40], 0.1, 10.0, 0.1, rng=1, spread=s,
    ...                          t_transient=5.0)
    >>> [e.size for e in sp.exponents]
    [2, 4]
    """
    g = check_real(g, "g", 0.0)
    sizes = _sizes(sizes, "sizes")
    if len(sizes) != 2:
        raise ValueError(f"sizes must hold two sizes, got {len(sizes)}")
    frac = check_real(frac, "frac", 0.0, 1.0, lo_open=True)
    t_spectrum = check_real(t_spectrum, "t_spectrum", 0.0, lo_open=True)
    dt = check_real(dt, "dt", 0.0, lo_open=True)
    if not isinstance(spread, RNNSizeStudy):
        raise TypeError(f"spread must be an RNNSizeStudy, got {type(spread).__name__}")
    t_transient = check_real(t_transient, "t_transient", 0.0)
    max_draws = check_int(max_draws, "max_draws", 1)
    rng = check_rng(rng, allow_seed=True)
    spec, draws = [], []
    for N in sizes:
        k = max(2, int(round(frac * N)))
        for draw in range(1, max_draws + 1):
            tried = draw
            res = rnn_lyapunov(g, N, t_spectrum, dt, k=k, rng=rng, t_transient=t_transient)
            if res.exponents[0] > 0:
                break
        spec.append(res)
        draws.append(tried)
    (Na, Nb), (a, b) = sizes, spec
    xa = (np.arange(a.exponents.size) + 0.5) / Na
    xb = (np.arange(b.exponents.size) + 0.5) / Nb
    common = xa <= xb.max()
    diff = np.interp(xa[common], xb, b.exponents) - a.exponents[common]
    time_se = float(np.mean(np.hypot(np.interp(xa[common], xb, b.stderr), a.stderr[common])))
    n_rank = min(a.exponents.size, b.exponents.size)
    rank_diff = b.exponents[:n_rank] - a.exponents[:n_rank]
    return SpectrumStudy(
        np.array(sizes, dtype=float), tuple(s.exponents for s in spec),
        tuple(s.stderr for s in spec), np.array(draws),
        np.array([np.sum(s.exponents > 0) / N for s, N in zip(spec, sizes, strict=True)]),
        float(diff.mean()), float(rank_diff.mean()), time_se,
        float(np.hypot(spread.spread(Na), spread.spread(Nb))))
