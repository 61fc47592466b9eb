"""Experiments on deep random networks of finite width: double copy, 1/N law, threshold (private).

Each function runs one experiment of the chapter on chaos in deep random networks and
returns its numbers with their standard errors: simulated replicas against the
double-copy map (:func:`double_copy_study`), the finite-width correction of the
per-layer exponent against its one-loop value (:func:`finite_width_study`), and the
order-chaos threshold of networks of finite width (:func:`threshold_study`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy.optimize import brentq

from .._validate import check_array, check_int, check_real, check_rng
from ._double_copy import (
    deep_pair_distances,
    deep_tangent_exponent,
    finite_width_correction,
    replica_lyapunov,
)
from ._gauss import _check_sigmas
from ._signal import chi1, critical_sigma_w2
from ._summary import Summary


def _widths(widths, name="widths", lo=2):
    w = check_array(widths, name, ndim=1)
    if w.size == 0:
        raise ValueError(f"{name} must hold at least one width")
    return [check_int(float(v), f"{name} entries", lo) for v in w]


def _weighted_fit(x, y, se):
    """Weighted least squares of ``y = a + b x``: (a, b, covariance of (a, b))."""
    A = np.vstack([np.ones_like(x), x]).T
    W = np.diag(1 / se**2)
    cov = np.linalg.inv(A.T @ W @ A)
    a, b = cov @ A.T @ W @ y
    return float(a), float(b), cov


@dataclass(frozen=True)
class DoubleCopyStudy(Summary):
    """Simulated replicas of deep random networks against the double-copy map.

    Attributes
    ----------
    lyapunov_map, lyapunov_chi : float
        Per-layer exponent from the two-replica map and ``ln(chi_1)/2``.
    dstar : float
        Saturation distance of the map (squared distance per unit).
    l_sat : float
        Layers of exponential growth, ``ln(d*/d0) / (2 lambda)``.
    n_grow : int
        Layers in the exponential phase (``d < grow_frac d*`` on the map).
    slope_map, slope_sim, slope_se : float
        Growth rate of ``ln d`` per layer over that phase: map, mean over networks,
        its standard error over networks.
    slope_shift : float
        The finite-width shift ``2 c_1 / N`` of the growth rate.
    late_dev, late_se : float
        Mean ``ln d`` over the last ``late_frac`` of the layers minus the map's, and its
        standard error over networks.
    late_allow : float
        The delay the finite-width shift can cause there, ``2 |c_1| min(l_sat, L) / N``.
    layers : array, shape (L + 1,)
    map_distances : array, shape (L + 1,)
    sim_distances : array, shape (n_nets, L + 1)
    """

    lyapunov_map: float
    lyapunov_chi: float
    dstar: float
    l_sat: float
    n_grow: int
    slope_map: float
    slope_sim: float
    slope_se: float
    slope_shift: float
    late_dev: float
    late_se: float
    late_allow: float
    layers: np.ndarray
    map_distances: np.ndarray
    sim_distances: np.ndarray
    _skip: ClassVar[tuple] = ("layers", "map_distances", "sim_distances")
    _extra: ClassVar[tuple] = ("replica_minus_chi", "slope_z")

    @property
    def replica_minus_chi(self) -> float:
        """The two computations of the exponent, map minus ``ln(chi_1)/2``."""
        return self.lyapunov_map - self.lyapunov_chi

    @property
    def slope_z(self) -> float:
        """Simulated minus (map plus shift) growth rate, in standard errors."""
        return (self.slope_sim - self.slope_map - self.slope_shift) / self.slope_se


def double_copy_study(sigma_w2, sigma_b2, width, n_layers, d0, *, rng, n_nets=8,
                      grow_frac=0.05, late_frac=0.25):
    """Two nearby inputs through ``n_nets`` deep random networks against the double-copy map.

    The map (:func:`replica_lyapunov`) and the simulation (:func:`deep_pair_distances`,
    Gram method) start ``d0`` apart. Two statistics per network, independent across
    networks so that their standard errors are the spread over networks: the growth rate
    of ``ln d`` over the exponential phase, to be compared with the map's plus the
    finite-width shift ``2 c_1 / N`` (:func:`finite_width_correction`), and the mean
    ``ln d`` over the last ``late_frac`` of the layers.

    Parameters
    ----------
    sigma_w2, sigma_b2 : float >= 0
        Weight variance times fan-in, bias variance.
    width : int >= 2
        Units per layer ``N``.
    n_layers : int >= 4
        Layers ``L``.
    d0 : float > 0
        Initial squared distance per unit.
    rng : numpy.random.Generator or int
        Source of the simulated networks.
    n_nets : int >= 2
        Independent networks.
    grow_frac : float in (0, 1)
        The exponential phase is where the map's distance is below ``grow_frac d*``.
    late_frac : float in (0, 1]
        Fraction of the layers at the end over which ``ln d`` is compared.

    Returns
    -------
    DoubleCopyStudy

    References
    ----------
    B. Poole et al., "Exponential expressivity in deep neural networks through transient
    chaos", NeurIPS 2016 (the correlation map).

    Examples
    --------
    >>> from uniqnets.randomnets import double_copy_study
    >>> s = double_copy_study(2.0, 0.05, 200, 40, 1e-3, rng=0, n_nets=3)
    >>> s.sim_distances.shape, s.n_grow > 0
    ((3, 41), True)
    """
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    width = check_int(width, "width", 2)
    n_layers = check_int(n_layers, "n_layers", 4)
    d0 = check_real(d0, "d0", 0.0, lo_open=True)
    n_nets = check_int(n_nets, "n_nets", 2)
    grow_frac = check_real(grow_frac, "grow_frac", 0.0, 1.0, lo_open=True, hi_open=True)
    late_frac = check_real(late_frac, "late_frac", 0.0, 1.0, lo_open=True)
    rng = check_rng(rng, allow_seed=True)
    rep = replica_lyapunov(sigma_w2, sigma_b2, d0=d0, n_layers=n_layers)
    sim = deep_pair_distances(sigma_w2, sigma_b2, width, n_layers, d0, rng=rng,
                              n_nets=n_nets, method="gram")
    lam_chi = 0.5 * np.log(chi1(sigma_w2, sigma_b2))
    c1 = finite_width_correction(sigma_w2, sigma_b2).coefficient
    layers = np.arange(n_layers + 1)
    grow = rep.distances < grow_frac * rep.dstar
    late = layers >= n_layers - int(n_layers * late_frac)
    l_sat = np.log(rep.dstar / d0) / (2 * rep.lyapunov)
    nan = float("nan")
    if grow.sum() >= 2:
        slope_map = np.polyfit(layers[grow], np.log(rep.distances[grow]), 1)[0]
        slopes = np.array([np.polyfit(layers[grow], np.log(row[grow]), 1)[0] for row in sim])
    else:
        slope_map, slopes = nan, np.full(n_nets, nan)
    late_dev = np.log(sim[:, late]).mean(axis=1) - np.log(rep.distances[late]).mean()
    return DoubleCopyStudy(
        lyapunov_map=float(rep.lyapunov), lyapunov_chi=float(lam_chi), dstar=float(rep.dstar),
        l_sat=float(l_sat), n_grow=int(grow.sum()), slope_map=float(slope_map),
        slope_sim=float(slopes.mean()), slope_se=float(slopes.std(ddof=1) / np.sqrt(n_nets)),
        slope_shift=float(2 * c1 / width), late_dev=float(late_dev.mean()),
        late_se=float(late_dev.std(ddof=1) / np.sqrt(n_nets)),
        late_allow=float(2 * abs(c1) * min(l_sat, n_layers) / width),
        layers=layers, map_distances=rep.distances, sim_distances=sim)


@dataclass(frozen=True)
class FiniteWidthStudy(Summary):
    """The per-layer exponent at finite widths against its one-loop ``1/N`` correction.

    Attributes
    ----------
    widths : array, shape (n,)
    exponents, stderr : array, shape (n,)
        Simulated per-layer exponents and their standard errors over networks.
    n_dev, n_dev_se : array, shape (n,)
        ``N (lambda_N - lambda_inf)`` and its standard error.
    lam_inf : float
        The mean-field exponent ``ln(chi_1)/2``.
    c_one_loop : float
        The one-loop coefficient ``c_1`` (:func:`finite_width_correction`).
    c_terms : tuple of float
        Its three parts (chi, rho, q terms).
    c_fit, c_se, c2_fit, c2_se : float
        Weighted fit ``N (lambda_N - lambda_inf) = c + c_2 / N`` and standard errors.
    """

    widths: np.ndarray
    exponents: np.ndarray
    stderr: np.ndarray
    n_dev: np.ndarray
    n_dev_se: np.ndarray
    lam_inf: float
    c_one_loop: float
    c_terms: tuple
    c_fit: float
    c_se: float
    c2_fit: float
    c2_se: float
    _extra: ClassVar[tuple] = ("c_z",)

    @property
    def c_z(self) -> float:
        """Fitted minus one-loop coefficient, in standard errors of the fit."""
        return (self.c_fit - self.c_one_loop) / self.c_se


def finite_width_study(sigma_w2, sigma_b2, widths, n_layers, *, rng, n_chains=64):
    """Per-layer exponents of deep random networks at several widths, fitted in ``1/N``.

    At each width :func:`deep_tangent_exponent` measures the exponent over ``n_chains``
    independent networks; ``N (lambda_N - lambda_inf)`` is fitted by weighted least
    squares to ``c + c_2/N`` and ``c`` compared with the one-loop coefficient.

    Parameters
    ----------
    sigma_w2, sigma_b2 : float >= 0
        Weight variance times fan-in, bias variance.
    widths : sequence of int >= 2, at least two
        Widths ``N``.
    n_layers : int >= 40
        Measured layers per network.
    rng : numpy.random.Generator or int
        Source of the networks (drawn width after width).
    n_chains : int >= 2
        Independent networks per width.

    Returns
    -------
    FiniteWidthStudy

    References
    ----------
    S. S. Schoenholz et al., "Deep information propagation", ICLR 2017 (mean field).

    Examples
    --------
    >>> from uniqnets.randomnets import finite_width_study
    >>> s = finite_width_study(2.0, 0.05, [16, 32], 40, rng=0, n_chains=4)
    >>> s.n_dev.shape, round(s.c_one_loop, 3)
    ((2,), -0.903)
    """
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    widths = _widths(widths)
    if len(widths) < 2:
        raise ValueError("widths must hold at least two widths for the fit")
    n_layers = check_int(n_layers, "n_layers", 40)
    n_chains = check_int(n_chains, "n_chains", 2)
    rng = check_rng(rng, allow_seed=True)
    one = finite_width_correction(sigma_w2, sigma_b2)
    lam_inf = 0.5 * np.log(chi1(sigma_w2, sigma_b2))
    res = [deep_tangent_exponent(sigma_w2, sigma_b2, N, n_layers, rng=rng, n_chains=n_chains)
           for N in widths]
    Nw = np.array(widths, dtype=float)
    lam = np.array([r.exponent for r in res])
    se = np.array([r.stderr for r in res])
    y, e = Nw * (lam - lam_inf), Nw * se
    c, c2, cov = _weighted_fit(1 / Nw, y, e)
    return FiniteWidthStudy(
        widths=Nw, exponents=lam, stderr=se, n_dev=y, n_dev_se=e, lam_inf=float(lam_inf),
        c_one_loop=one.coefficient, c_terms=(one.chi_term, one.rho_term, one.q_term),
        c_fit=c, c_se=float(np.sqrt(cov[0, 0])), c2_fit=c2, c2_se=float(np.sqrt(cov[1, 1])))


@dataclass(frozen=True)
class ThresholdStudy(Summary):
    """The order-chaos threshold of deep random networks of finite width.

    Attributes
    ----------
    sigma_c_inf : float
        The infinite-width threshold (:func:`critical_sigma_w2`).
    widths : array, shape (n,)
    one_loop : array, shape (n,)
        Root of ``lambda_inf + c_1 / N`` in ``sigma_w2``.
    simulated, stderr : array, shape (n,)
        Zero of the simulated exponents interpolated linearly over the bracket, and its
        standard error (the exponents' errors through the slope).
    c2_shift : array, shape (n,)
        The shift of the root the omitted ``c_2 / N^2`` can cause (``c2_bound / N^2 /
        |slope|``).
    interp_error : array, shape (n,)
        The error of linear interpolation over the bracket, measured on the one-loop curve.
    """

    sigma_c_inf: float
    widths: np.ndarray
    one_loop: np.ndarray
    simulated: np.ndarray
    stderr: np.ndarray
    c2_shift: np.ndarray
    interp_error: np.ndarray
    _extra: ClassVar[tuple] = ("tol",)

    @property
    def tol(self) -> np.ndarray:
        """The tolerance of the comparison at five standard errors, :meth:`tolerance`."""
        return self.tolerance(5.0)

    def tolerance(self, z=5.0) -> np.ndarray:
        """``z`` standard errors (statistical and next-order) plus the interpolation error."""
        z = check_real(z, "z", 0.0, lo_open=True)
        return z * np.hypot(self.stderr, self.c2_shift) + self.interp_error


def threshold_study(sigma_b2, widths, n_layers, *, rng, n_chains=64, c2_bound=0.0,
                    bracket=0.1):
    """Where the per-layer exponent of width-``N`` networks crosses zero in ``sigma_w2``.

    For each width the one-loop threshold (root of ``lambda_inf + c_1/N``) is bracketed
    by ``(1 -+ bracket)``; :func:`deep_tangent_exponent` is measured at the two ends and
    its zero interpolated linearly.

    Parameters
    ----------
    sigma_b2 : float >= 0
        Bias variance.
    widths : sequence of int >= 2
        Widths ``N``.
    n_layers : int >= 40
        Measured layers per network.
    rng : numpy.random.Generator or int
        Source of the networks.
    n_chains : int >= 2
        Independent networks per point.
    c2_bound : float >= 0
        A bound on ``|c_2|``, the next order (e.g. ``|c2_fit| + 2 c2_se`` from
        :func:`finite_width_study`).
    bracket : float in (0, 1)
        Relative half-width of the bracket.

    Returns
    -------
    ThresholdStudy

    References
    ----------
    S. S. Schoenholz et al., "Deep information propagation", ICLR 2017.

    Examples
    --------
    >>> from uniqnets.randomnets import threshold_study
    >>> t = threshold_study(0.05, [32], 40, rng=0, n_chains=4)
    >>> bool(t.one_loop[0] > t.sigma_c_inf)
    True
    """
    sigma_b2 = check_real(sigma_b2, "sigma_b2", 0.0)
    widths = _widths(widths)
    n_layers = check_int(n_layers, "n_layers", 40)
    n_chains = check_int(n_chains, "n_chains", 2)
    c2_bound = check_real(c2_bound, "c2_bound", 0.0)
    bracket = check_real(bracket, "bracket", 0.0, 1.0, lo_open=True, hi_open=True)
    rng = check_rng(rng, allow_seed=True)
    sc_inf = critical_sigma_w2(sigma_b2)

    def lam_one_loop(sw, N):
        return (0.5 * np.log(chi1(sw, sigma_b2))
                + finite_width_correction(sw, sigma_b2).coefficient / N)

    rows = []
    for N in widths:
        if lam_one_loop(3 * sc_inf, N) <= 0:
            raise ValueError(f"widths: no one-loop threshold below 3 sigma_c at width {N}")
        pred = brentq(lam_one_loop, sc_inf, 3 * sc_inf, args=(N,), xtol=1e-10)
        scan = pred * np.array([1 - bracket, 1 + bracket])
        vals = [deep_tangent_exponent(sw, sigma_b2, N, n_layers, rng=rng, n_chains=n_chains)
                for sw in scan]
        lv = np.array([v.exponent for v in vals])
        sv = np.array([v.stderr for v in vals])
        slope = (lv[1] - lv[0]) / (scan[1] - scan[0])
        lo = np.array([lam_one_loop(x, N) for x in scan])
        interp = abs(scan[0] - lo[0] * (scan[1] - scan[0]) / (lo[1] - lo[0]) - pred)
        rows.append((pred, scan[0] - lv[0] / slope, np.hypot(*sv) / abs(slope),
                     c2_bound / N**2 / abs(slope), interp))
    cols = [np.array(c, dtype=float) for c in zip(*rows, strict=True)]
    return ThresholdStudy(float(sc_inf), np.array(widths, dtype=float), *cols)
