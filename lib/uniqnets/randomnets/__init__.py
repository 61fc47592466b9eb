"""Chaos in random networks: recurrent networks, deep signal propagation, double copies.

Four pieces of theory, each with the simulation it is checked against:

* **Random recurrent networks** ``dx/dt = -x + J phi(x)``, ``J_ij ~ N(0, g^2/N)``
  (Sompolinsky, Crisanti & Sommers 1988).  :func:`dmft_autocorrelation` solves the
  dynamic mean-field theory (DMFT): the autocorrelation ``Delta(tau)`` of a unit is
  the motion of a particle in a potential, and the largest Lyapunov exponent is the
  ground state of a Schroedinger operator built from it.  :func:`rnn_lyapunov`
  measures the top of the Lyapunov spectrum of one network (RK4 with the variational
  equation, :func:`uniqnets.lyapunov.lyapunov_spectrum_flow`).
* **Deep random networks** ``h^l = W^l phi(h^{l-1}) + b^l``, ``W_ij ~ N(0, sigma_w^2/N)``,
  ``b_i ~ N(0, sigma_b^2)`` (Poole et al. 2016, Schoenholz et al. 2017): the length map
  and its fixed point :func:`meanfield_qstar`, the slope :func:`chi1` of the
  correlation map at ``c = 1``, the order-chaos line :func:`critical_sigma_w2`, and the
  per-layer Lyapunov exponent of two replicas of the network sharing its weights
  (the *double copy*, :func:`replica_lyapunov`).  :func:`deep_tangent_exponent` and
  :func:`deep_pair_distances` simulate networks of finite width.
* **Magnitude-phase (gauge-invariant) networks**: complex weights ``W = m e^{i theta}``
  and the phase-equivariant nonlinearity ``phi(h) = f(|h|) h/|h|``, so that local U(1)
  rotations of the units (:func:`gauge_transform`) leave every modulus, and hence the
  network's observables and its Lyapunov exponents, unchanged.  Pass
  ``network="ginn"`` to the mean-field functions for their complex-field versions.
* **Linear equivalence** (Clark, Abbott & Litwin-Kumar 2023; Clark 2026): at large N
  the covariance of the rates ``phi(x_i)`` of one random network is that of a *linear*
  network with the same couplings, ``r = (I - gamma J/(1 + i omega))^{-1} xi``, driven
  by independent noise ``xi`` whose spectrum comes from the DMFT
  (:func:`linear_equivalent_covariance`).

Units: time in units of the single-unit time constant (``tau = 1``); recurrent
exponents per unit time, deep-network exponents per layer, natural logarithms.
Variances (``q``, ``Delta``) are per unit.  Gaussian expectations use Gauss-Hermite
quadrature (``numpy.polynomial.hermite_e.hermegauss``), roots ``scipy.optimize.brentq``.

References
----------
H. Sompolinsky, A. Crisanti, H.-J. Sommers, "Chaos in random neural networks",
Phys. Rev. Lett. 61 (1988) 259-262.
B. Poole, S. Lahiri, M. Raghu, J. Sohl-Dickstein, S. Ganguli, "Exponential
expressivity in deep neural networks through transient chaos", NeurIPS 2016.
S. S. Schoenholz, J. Gilmer, S. Ganguli, J. Sohl-Dickstein, "Deep information
propagation", ICLR 2017.
R. Engelken, F. Wolf, L. F. Abbott, "Lyapunov spectra of chaotic recurrent neural
networks", arXiv:2006.02427 (2020).
C. K. I. Williams, "Computing with infinite networks", NIPS 9 (1997) 295-301.
L. N. Trefethen, J. A. C. Weideman, "The exponentially convergent trapezoidal rule",
SIAM Review 56 (2014) 385-458.
D. G. Clark, L. F. Abbott, A. Litwin-Kumar, "Dimension of activity in random neural
networks", Phys. Rev. Lett. 131 (2023) 118401.
D. G. Clark, "Linear equivalence of nonlinear recurrent neural networks",
arXiv:2604.23489 (2026).
R. C. Terin, "The GINN framework: a stochastic QED correspondence for stability and
chaos in deep neural networks", arXiv:2508.18948 (2025).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy import special
from scipy.integrate import solve_ivp
from scipy.interpolate import CubicHermiteSpline, CubicSpline
from scipy.linalg import eigh_tridiagonal
from scipy.optimize import brentq

from .._validate import check_int as _check_int
from .._validate import check_rng

__all__ = [
    "ACTIVATIONS",
    "NETWORKS",
    "DMFTResult",
    "DeepExponent",
    "GaugeNet",
    "OneLoop",
    "RNNLyapunov",
    "ReplicaResult",
    "chi1",
    "cmap_distance",
    "critical_sigma_w2",
    "deep_pair_distances",
    "deep_tangent_exponent",
    "dmft_autocorrelation",
    "finite_width_correction",
    "gauge_transform",
    "ginn_forward",
    "ginn_tangent_growth",
    "linear_equivalent_covariance",
    "meanfield_qstar",
    "participation_ratio",
    "population_autocorrelation",
    "qmap",
    "random_couplings",
    "random_ginn",
    "replica_lyapunov",
    "rnn_lyapunov",
    "simulate_rnn",
]

#: nonlinearities known to this module (for the GINN, ``f`` in ``f(|h|) h/|h|``)
ACTIVATIONS = ("tanh", "erf", "linear")
#: ``"real"``: real Gaussian weights; ``"ginn"``: complex magnitude-phase weights
NETWORKS = ("real", "ginn")

_SQRT_PI = np.sqrt(np.pi)


# -- input checks ---------------------------------------------------------------------------

def _real(value, name, lo=None, hi=None, lo_open=False):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if lo is not None and (v < lo or (lo_open and v == lo)):
        raise ValueError(f"{name} must be {'>' if lo_open else '>='} {lo}, got {value!r}")
    if hi is not None and v > hi:
        raise ValueError(f"{name} must be <= {hi}, got {value!r}")
    return v


def _choice(value, name, options):
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {options}, got {type(value).__name__}")
    if value not in options:
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


# -- nonlinearities and Gaussian quadrature -------------------------------------------------

def _phi(name):
    """``(f, f', F)`` of the named nonlinearity; ``F`` is the antiderivative with ``F(0) = 0``."""
    if name == "tanh":
        def F(x):
            # log cosh x, written to avoid overflow of cosh for large |x|
            a = np.abs(x)
            return a + np.log1p(np.exp(-2.0 * a)) - np.log(2.0)
        return np.tanh, (lambda x: 1.0 / np.cosh(x) ** 2), F
    if name == "erf":
        return (special.erf, (lambda x: 2.0 / _SQRT_PI * np.exp(-x * x)),
                (lambda x: x * special.erf(x) + (np.exp(-x * x) - 1.0) / _SQRT_PI))
    return (lambda x: x), (lambda x: np.ones_like(x)), (lambda x: 0.5 * x * x)


# Gaussian expectations.  E[f(s z)], z ~ N(0, 1), by the trapezoid rule on |z| <= 9 (the
# Gaussian mass beyond is 2e-19).  For f analytic in the strip |Im x| < pi/2 (tanh,
# sech^2, log cosh: poles or branch points at +-i pi/2) the integrand is analytic in
# |Im z| < pi/(2s), and the trapezoid error is ~exp(-2 pi d / h) for any strip half-width
# d (Trefethen & Weideman 2014) times the growth exp(d^2/2) of the Gaussian:
# with h = min(0.5, 0.2/s) the exponent is below -41 for every s, so the rule is exact
# to rounding.  (erf is entire with |erf(s(x+iy))| <= exp(s^2 y^2): the same h gives
# exponents below -59.)  Gauss-Hermite with a fixed number of nodes is not used for this
# reason: for f(s z) with s >~ 1.5 its error decays only like exp(-c sqrt(n)/s) (1e-4
# at s = 2.7 with 101 nodes), while the number of trapezoid nodes grows like s.
_TAIL = 9.0


@lru_cache(maxsize=256)
def _trap(n_half):
    h = _TAIL / n_half
    z = h * np.arange(-n_half, n_half + 1)
    return z, h * np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)


def _rule(scale):
    """Nodes and weights for E[g(z)], z ~ N(0, 1), with g(z) = f(scale z) (see above)."""
    h = min(0.5, 0.2 / max(float(scale), 1e-300))
    return _trap(int(np.ceil(_TAIL / h)))


@lru_cache(maxsize=16)
def _gauss(n):
    """Nodes and weights of the n-point Gauss-Hermite rule for E[g(z)], z ~ N(0, 1)."""
    z, w = hermegauss(n)
    return z, w / np.sqrt(2.0 * np.pi)


def _e1(fn, q):
    """E[fn(sqrt(q) z)] for z ~ N(0, 1), q >= 0 a scalar."""
    z, w = _rule(np.sqrt(q))
    return float(fn(np.sqrt(q) * z) @ w)


def _check_sigmas(sigma_w2, sigma_b2):
    return _real(sigma_w2, "sigma_w2", 0.0), _real(sigma_b2, "sigma_b2", 0.0)


# complex fields: h ~ CN(0, q) (E|h|^2 = q) written as sqrt(q/2) (z1 + i z2)
def _ginn_radial(q, fn):
    """E[fn(|h|)] for h ~ CN(0, q), by the 2-D product of the trapezoid rule above."""
    z, w = _rule(np.sqrt(0.5 * q))
    r = np.sqrt(0.5 * q * (z[:, None] ** 2 + z[None, :] ** 2))
    return float(np.einsum("i,ij,j->", w, fn(r), w))


def _f_over_r(f, r):
    """f(r)/r with its limit f'(0) at r = 0 (f odd, f(0) = 0)."""
    r = np.asarray(r, dtype=float)
    small = r < 1e-8  # f(r)/r = f'(0) (1 + O(r^2)): exact to rounding below 1e-8
    safe = np.where(small, 1.0, r)
    _, df, _ = f
    return np.where(small, df(np.zeros_like(r)), f[0](safe) / safe)


# -- deep signal propagation: q-map, chi_1, critical line -----------------------------------

def qmap(q, sigma_w2, sigma_b2, phi="tanh", *, network="real"):
    """The length map ``q -> sigma_w^2 E[|phi(h)|^2] + sigma_b^2`` of one layer.

    ``h`` is N(0, q) (``network="real"``) or circular complex CN(0, q) with
    ``E|h|^2 = q`` (``network="ginn"``, ``phi(h) = f(|h|) h/|h|``), Poole et al. (2016)
    eq. (3).

    Parameters
    ----------
    q : float >= 0
        Variance (per unit) of the pre-activations of the previous layer.
    sigma_w2, sigma_b2 : float >= 0
        Weight variance times fan-in, bias variance.
    phi : {"tanh", "erf", "linear"}
    network : {"real", "ginn"}

    Returns
    -------
    float
        Variance of the pre-activations of the next layer (Gaussian expectations by a
        trapezoid rule exact to rounding, see the comment above ``_rule``).
    """
    q = _real(q, "q", 0.0)
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    _choice(phi, "phi", ACTIVATIONS)
    _choice(network, "network", NETWORKS)
    return _qmap(q, sigma_w2, sigma_b2, phi, network)


def _qmap(q, sw, sb, phi, network):
    f = _phi(phi)[0]
    if network == "real":
        return sw * _e1(lambda x: f(x) ** 2, q) + sb
    return sw * _ginn_radial(q, lambda r: f(r) ** 2) + sb


def meanfield_qstar(sigma_w2, sigma_b2, phi="tanh", *, network="real"):
    """Fixed point ``q*`` of the length map :func:`qmap` (Poole et al. 2016, eq. 4).

    For ``tanh`` and ``erf`` the map is increasing and concave in ``q`` with a single
    stable fixed point, found by :func:`scipy.optimize.brentq` on ``qmap(q) - q``
    (bracket ``[0, sigma_w2 + sigma_b2]`` since ``|phi| <= 1``).  With
    ``sigma_b2 = 0`` the fixed point is ``0`` while ``chi = sigma_w2 phi'(0)^2 <= 1``
    and the non-zero root of ``qmap(q)/q = 1`` beyond.

    Returns
    -------
    float
        ``q*`` (per-unit variance of the pre-activations), ``>= 0``.

    Raises
    ------
    ValueError
        For ``phi="linear"`` without a finite fixed point (``sigma_w2 >= 1``).
    """
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    _choice(phi, "phi", ACTIVATIONS)
    _choice(network, "network", NETWORKS)
    return _qstar(sigma_w2, sigma_b2, phi, network)


def _qstar(sw, sb, phi, network):
    if phi == "linear":
        if sw >= 1.0:
            if sw == 1.0 and sb == 0.0:
                return 0.0
            raise ValueError(f"a linear network has no finite fixed point q* for "
                             f"sigma_w2 = {sw} >= 1 (with sigma_b2 = {sb})")
        return sb / (1.0 - sw)
    if sw == 0.0:
        return sb
    slope0 = sw * _phi(phi)[1](0.0) ** 2  # d qmap / dq at q = 0
    if sb == 0.0:
        if slope0 <= 1.0:
            return 0.0
        # non-zero root of qmap(q)/q - 1: positive at q -> 0+, negative at q = sw
        def g(q):
            return _qmap(q, sw, 0.0, phi, network) / q - 1.0
        lo = 1e-12
        return brentq(g, lo, sw, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=200)
    hi = sw + sb
    return brentq(lambda q: _qmap(q, sw, sb, phi, network) - q, 0.0, hi,
                  xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=200)


def _chi_at(q, sw, phi, network):
    f, df, _ = _phi(phi)
    if network == "real":
        return sw * _e1(lambda x: df(x) ** 2, q)
    # real-linear derivative of f(|h|) h/|h|: radial gain f'(r), tangential gain f(r)/r;
    # a circular perturbation splits its power equally between the two directions
    fr = (f, df, None)
    return sw * _ginn_radial(q, lambda r: 0.5 * (df(r) ** 2 + _f_over_r(fr, r) ** 2))


def chi1(sigma_w2, sigma_b2, phi="tanh", *, network="real"):
    """Slope ``chi_1 = sigma_w^2 E[phi'(h)^2]`` of the correlation map at ``c = 1``, h ~ N(0, q*).

    The mean squared growth per layer of an infinitesimal perturbation of the input
    (Poole et al. 2016, eq. 7; Schoenholz et al. 2017, eq. 5): ``chi_1 < 1`` ordered,
    ``chi_1 > 1`` chaotic.  For ``network="ginn"`` the real-linear derivative of
    ``f(|h|) h/|h|`` gives ``chi_1 = sigma_w^2 E[(f'(|h|)^2 + (f(|h|)/|h|)^2)/2]``, h ~ CN(0, q*).

    Returns
    -------
    float
        ``chi_1`` (dimensionless); the per-layer Lyapunov exponent is ``ln(chi_1)/2``.
    """
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    _choice(phi, "phi", ACTIVATIONS)
    _choice(network, "network", NETWORKS)
    q = _qstar(sigma_w2, sigma_b2, phi, network)
    return _chi_at(q, sigma_w2, phi, network)


def critical_sigma_w2(sigma_b2, phi="tanh", *, network="real", sigma_w2_max=100.0):
    """The order-chaos line: the ``sigma_w^2`` at which ``chi_1 = 1`` for given ``sigma_b^2``.

    Solved by :func:`scipy.optimize.brentq` on ``ln chi_1(sigma_w2) = 0``; ``chi_1``
    increases with ``sigma_w2`` along the line for ``tanh``/``erf``.  At
    ``sigma_b2 = 0`` the answer is ``1/phi'(0)^2`` (1 for tanh, pi/4 for erf).

    Returns
    -------
    float
        The critical ``sigma_w2``.

    Raises
    ------
    ValueError
        If no crossing lies in ``(0, sigma_w2_max]`` (e.g. ``phi="linear"`` with
        ``sigma_b2 > 0``, which has no chaotic phase).
    """
    sigma_b2 = _real(sigma_b2, "sigma_b2", 0.0)
    _choice(phi, "phi", ACTIVATIONS)
    _choice(network, "network", NETWORKS)
    hi = _real(sigma_w2_max, "sigma_w2_max", 0.0, lo_open=True)
    d0 = _phi(phi)[1](0.0) ** 2
    if sigma_b2 == 0.0:
        return 1.0 / d0
    if phi == "linear":
        raise ValueError("a linear network with sigma_b2 > 0 has no order-chaos transition")

    def g(sw):
        return np.log(_chi_at(_qstar(sw, sigma_b2, phi, network), sw, phi, network))

    lo = 1.0 / d0  # chi_1 <= sigma_w2 phi'(0)^2 (|phi'| is largest at 0): ordered below
    if g(hi) <= 0:
        raise ValueError(f"chi_1 < 1 for all sigma_w2 <= sigma_w2_max = {hi} at "
                         f"sigma_b2 = {sigma_b2}; raise sigma_w2_max")
    return brentq(g, lo, hi, xtol=1e-13, rtol=4 * np.finfo(float).eps, maxiter=200)


# -- the double copy ------------------------------------------------------------------------

def _default_nquad(n_quad, network):
    if n_quad is None:
        return 28
    return _check_int(n_quad, "n_quad", 4)


def _pair_distance(q, d, sw, phi, network, n):
    """sigma_w^2 E|phi(u1) - phi(u2)|^2 for two replicas with variances q and E|u1-u2|^2 = d.

    ``u1,2 = a z +- b w`` with ``a^2 = q - d/4``, ``b^2 = d/4`` and z, w independent
    (real N(0,1): the trapezoid rule of ``_rule``; or CN(0,1) for the GINN: a 4-D
    Gauss-Hermite product rule of ``n^4`` nodes, which would be too large as a trapezoid
    product).  Writing the pair this way keeps the small difference
    ``phi(u1) - phi(u2)`` free of cancellation.
    """
    f = _phi(phi)[0]
    a = np.sqrt(max(q - 0.25 * d, 0.0))
    b = np.sqrt(0.25 * d)
    if network == "real":
        (z, w), (y, v) = _rule(a), _rule(b)
        u = a * z[:, None]
        e = b * y[None, :]
        diff = f(u + e) - f(u - e)
        return sw * float(w @ (diff * diff) @ v)
    z, w = _gauss(n)
    s = np.sqrt(0.5)
    Z = s * (z[:, None] + 1j * z[None, :])           # CN(0, 1) on the 2-D rule
    W2 = np.outer(w, w)
    u = a * Z[:, :, None, None]
    v = b * Z[None, None, :, :]

    def cphi(h):
        r = np.abs(h)
        return _f_over_r((f, _phi(phi)[1], None), r) * h

    diff = np.abs(cphi(u + v) - cphi(u - v)) ** 2
    return sw * float(np.einsum("ij,ijkl,kl->", W2, diff, W2))


def cmap_distance(d, sigma_w2, sigma_b2, phi="tanh", *, network="real", n_quad=None):
    """One layer of the double copy: squared distance ``d -> d'`` of two replicas at ``q*``.

    Two inputs propagated through the *same* weights have pre-activations with
    variances ``q*`` and mean squared distance ``d = 2 q* (1 - c)`` per unit; one
    layer maps it to ``d' = sigma_w^2 E|phi(u_1) - phi(u_2)|^2`` (the correlation map
    of Poole et al. 2016 written for the distance; biases cancel).

    Parameters
    ----------
    d : float in [0, 4 q*]
    sigma_w2, sigma_b2, phi, network, n_quad
        As in :func:`chi1`.  ``n_quad`` is used by the GINN only: Gauss-Hermite nodes
        per dimension of its 4-D rule (``n_quad^4`` nodes; default 28, relative error
        ~1e-6 for ``q* <~ 1.5``, growing with ``q*``).

    Returns
    -------
    float
        ``d'`` per unit.
    """
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    _choice(phi, "phi", ACTIVATIONS)
    _choice(network, "network", NETWORKS)
    n = _default_nquad(n_quad, network)
    q = _qstar(sigma_w2, sigma_b2, phi, network)
    d = _real(d, "d", 0.0, 4.0 * q * (1 + 1e-12))
    return _pair_distance(q, d, sigma_w2, phi, network, n)


@dataclass
class ReplicaResult:
    """Per-layer Lyapunov exponent of a deep random network from two replicas.

    Attributes
    ----------
    lyapunov : float
        ``lim ln(d_{l+1}/d_l) / 2`` as the replicas merge (per layer, natural log).
    chi1 : float
        ``exp(2 lyapunov)``, the double-copy estimate of :func:`chi1`.
    qstar : float
        Fixed point of the length map the replicas sit on.
    distances : array, shape (n_layers + 1,)
        Mean squared distance per unit of two replicas started ``d0`` apart, layer by
        layer under the double-copy map (empty if ``n_layers = 0``).
    dstar : float
        Squared distance of two replicas at the fixed point of the map,
        ``2 q* (1 - c*)`` (0 in the ordered phase): where ``distances`` saturates.
    """

    lyapunov: float
    chi1: float
    qstar: float
    distances: np.ndarray = field(default_factory=lambda: np.empty(0))
    dstar: float = 0.0


def replica_lyapunov(sigma_w2, sigma_b2, phi="tanh", *, network="real", d0=None,
                     n_layers=0, d_lin=1e-7, n_quad=None):
    """Largest per-layer Lyapunov exponent of a wide deep network from the double copy.

    Two replicas of the network share its weights and start from inputs a distance
    ``d`` apart (both at the fixed point ``q*``).  The squared distance obeys the
    one-layer map :func:`cmap_distance`; its growth rate as the replicas merge is the
    largest Lyapunov exponent per layer, ``lambda = ln(d'/d)/2`` at ``d -> 0``
    (evaluated at ``d = d_lin * q*``, error O(d_lin)).  The mean-field theory gives
    ``lambda = ln(chi_1)/2`` (Poole et al. 2016); this computes it from the replicas,
    which is the double-copy computation of the GINN paper (Terin 2025) as read here.

    Parameters
    ----------
    sigma_w2, sigma_b2 : float >= 0
    phi : {"tanh", "erf", "linear"}
    network : {"real", "ginn"}
    d0 : float, optional
        Initial squared distance per unit for the finite-distance iteration.
    n_layers : int >= 0
        Layers to iterate the map from ``d0``.
    d_lin : float
        Relative distance ``d/q*`` at which the linearised growth is read off.
    n_quad : int, optional
        GINN only: nodes per dimension of its 4-D rule (see :func:`cmap_distance`).

    Returns
    -------
    ReplicaResult
    """
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    _choice(phi, "phi", ACTIVATIONS)
    _choice(network, "network", NETWORKS)
    n = _default_nquad(n_quad, network)
    n_layers = _check_int(n_layers, "n_layers", 0)
    d_lin = _real(d_lin, "d_lin", 0.0, 1e-2, lo_open=True)
    q = _qstar(sigma_w2, sigma_b2, phi, network)
    if q == 0.0:
        # replicas collapse onto h = 0, where the network is linear with gain phi'(0)
        lam = 0.5 * np.log(sigma_w2 * _phi(phi)[1](0.0) ** 2) if sigma_w2 > 0 else -np.inf
    else:
        d = d_lin * q
        lam = 0.5 * np.log(_pair_distance(q, d, sigma_w2, phi, network, n) / d)
    dist = np.empty(0)
    dstar = 0.0
    if n_layers:
        if d0 is None:
            raise ValueError("d0 is needed when n_layers > 0")
        d = _real(d0, "d0", 0.0, 4.0 * q * (1 + 1e-12))
        dist = np.empty(n_layers + 1)
        dist[0] = d
        for i in range(n_layers):
            d = _pair_distance(q, d, sigma_w2, phi, network, n) if q > 0 else 0.0
            dist[i + 1] = d
    if q > 0 and lam > 0:
        # stable non-zero fixed point of the distance map (the chaotic c* < 1)
        dstar = brentq(lambda x: _pair_distance(q, x, sigma_w2, phi, network, n) - x,
                       d_lin * q, 4.0 * q * (1 - 1e-12), xtol=1e-13)
    return ReplicaResult(float(lam), float(np.exp(2 * lam)), float(q), dist, float(dstar))


# -- deep networks of finite width ----------------------------------------------------------

def _apply_phi(h, phi, network):
    """phi(h) and the real-linear derivative map v -> D phi(h) v (as a function)."""
    f, df, _ = _phi(phi)
    if network == "real":
        d = df(h)
        return f(h), (lambda v: d * v)
    r = np.abs(h)
    g = _f_over_r((f, df, None), r)           # f(r)/r
    # e^{i arg h}; below 1e-150 (and for subnormal h, where complex division loses its
    # accuracy) the map is isotropic to rounding, D v = f'(0) v, and e is irrelevant
    big = r > 1e-150
    e = np.where(big, h / np.where(big, r, 1.0), 1.0)
    fp = df(r)

    def D(v):
        # split v into radial and tangential parts relative to h
        p = np.conj(e) * v
        return e * (fp * p.real + 1j * g * p.imag)

    return g * h, D


def _gaussian_rows(G, n, rng, complex_):
    """n i.i.d. rows with covariance G (2 x 2, Hermitian p.s.d.), shape (n, 2)."""
    l11 = np.sqrt(max(G[0, 0].real, 0.0))
    l21 = G[1, 0] / l11 if l11 > 0 else 0.0
    l22 = np.sqrt(max(G[1, 1].real - abs(l21) ** 2, 0.0))
    if complex_:
        xi = (rng.standard_normal((n, 2)) + 1j * rng.standard_normal((n, 2))) * np.sqrt(0.5)
    else:
        xi = rng.standard_normal((n, 2))
    out = np.empty((n, 2), dtype=xi.dtype)
    out[:, 0] = l11 * xi[:, 0]
    out[:, 1] = l21 * xi[:, 0] + l22 * xi[:, 1]
    return out


def _layer(A, sw, N, rng, complex_, method):
    """``W @ A.T`` for fresh weights W (N x N, entries of variance sw/N), A of shape (2, N).

    ``method="dense"`` draws W.  ``method="gram"`` draws the product directly: the rows
    of ``W`` are i.i.d. N(0, sw/N I), so the rows of ``W [a1, a2]`` are i.i.d. Gaussian
    with covariance ``sw/N`` times the Gram matrix of ``(a1, a2)``, exactly -- the same
    law at O(N) instead of O(N^2) cost per layer.
    """
    if method == "dense":
        if complex_:
            W = rng.standard_normal((N, N)) + 1j * rng.standard_normal((N, N))
            W *= np.sqrt(0.5 * sw / N)
        else:
            W = rng.standard_normal((N, N)) * np.sqrt(sw / N)
        return W @ A.T
    G = (sw / N) * (A @ A.conj().T)
    return _gaussian_rows(G, N, rng, complex_)


@dataclass
class DeepExponent:
    """Largest per-layer Lyapunov exponent of deep random networks of finite width.

    Attributes
    ----------
    exponent : float
        Mean of ``log_growth`` over layers and chains (per layer, natural log).
    stderr : float
        Standard error of ``exponent``: from the spread of the independent chains
        (``n_chains >= 2``), else by batch means over ``n_blocks`` blocks of layers.
    log_growth : array, shape (n_layers, n_chains)
        ``ln(|v_l| / |v_{l-1}|)`` of the renormalised tangent vector, layer by layer.
    q_mean : float
        Mean of ``|h|^2`` per unit over the measured layers and chains (compare ``q*``).
    diverged : bool
        True if a non-finite value appeared (``exponent`` is then NaN).
    """

    exponent: float
    stderr: float
    log_growth: np.ndarray
    q_mean: float
    diverged: bool = False


def deep_tangent_exponent(sigma_w2, sigma_b2, width, n_layers, *, rng, phi="tanh",
                          network="real", method="gram", n_chains=1, n_transient=20,
                          n_blocks=20):
    """Per-layer Lyapunov exponent of a deep network of finite width, fresh weights per layer.

    The pre-activations ``h_l = W_l phi(h_{l-1}) + b_l`` and a tangent vector
    ``v_l = W_l D phi(h_{l-1}) v_{l-1}`` are propagated through ``n_transient +
    n_layers`` layers with i.i.d. weights (variance ``sigma_w2/width``; complex
    circular for ``network="ginn"``) and biases; ``v`` is renormalised every layer
    (Benettin with ``k = 1``: with one vector the QR step is a normalisation).  For
    a linear network without bias this is a product of i.i.d. Gaussian matrices,
    whose exponent is Newman's ``lambda_1`` exactly
    (:func:`uniqnets.lyapunov.gaussian_product_exponents`).  ``n_chains`` independent
    networks run side by side (vectorised), which also gives an error estimate free
    of autocorrelation assumptions.

    Parameters
    ----------
    sigma_w2, sigma_b2 : float >= 0
    width : int >= 2
    n_layers : int >= 2 * n_blocks
        Measured layers (after ``n_transient`` layers that bring ``h`` to ``q*``).
    rng : numpy.random.Generator or int
    phi, network
        As in :func:`chi1`.
    method : {"gram", "dense"}
        ``"dense"`` draws every weight matrix; ``"gram"`` draws ``W [a, v]`` from its
        exact law given ``(a, v)`` (see ``_layer``), at O(width) cost per layer.
    n_chains : int >= 1
        Independent networks.
    n_transient, n_blocks : int

    Returns
    -------
    DeepExponent
    """
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    N = _check_int(width, "width", 2)
    n_blocks = _check_int(n_blocks, "n_blocks", 2)
    n_layers = _check_int(n_layers, "n_layers", 2 * n_blocks)
    n_transient = _check_int(n_transient, "n_transient", 0)
    M = _check_int(n_chains, "n_chains", 1)
    _choice(phi, "phi", ACTIVATIONS)
    _choice(network, "network", NETWORKS)
    _choice(method, "method", ("gram", "dense"))
    rng = check_rng(rng, allow_seed=True)
    cplx = network == "ginn"
    sb = np.sqrt(sigma_b2)
    sw = np.sqrt(sigma_w2 / N)

    def noise(shape, scale=1.0):
        if cplx:
            return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) * (
                scale * np.sqrt(0.5))
        return rng.standard_normal(shape) * scale

    # (a linear network with sigma_w2 >= 1 has no fixed point; its signal is irrelevant
    # to the tangent exponent and is started at unit variance)
    q0 = _qstar(sigma_w2, sigma_b2, phi, network) if phi != "linear" or sigma_w2 < 1 else 1.0
    h = noise((M, N), np.sqrt(max(q0, 1e-2)))
    v = noise((M, N))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    logs = np.empty((n_layers, M))
    qs = np.empty((n_layers, M))
    diverged = False
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for t in range(n_transient + n_layers):
            a, D = _apply_phi(h, phi, network)
            u = D(v)
            if method == "dense":
                W = noise((M, N, N), sw)
                Wa, Wu = np.einsum("mij,mj->mi", W, a), np.einsum("mij,mj->mi", W, u)
            else:
                # the rows of (W a, W u) are i.i.d. with covariance sw^2 x Gram(a, u): a
                # 2 x 2 Cholesky factor per chain (see _layer)
                g11 = np.sum(np.abs(a) ** 2, axis=1)
                g22 = np.sum(np.abs(u) ** 2, axis=1)
                g21 = np.sum(u * np.conj(a), axis=1)
                l11 = np.sqrt(g11)
                l21 = np.where(l11 > 0, g21 / np.where(l11 > 0, l11, 1.0), 0.0)
                l22 = np.sqrt(np.maximum(g22 - np.abs(l21) ** 2, 0.0))
                x0, x1 = noise((M, N)), noise((M, N))
                Wa = sw * l11[:, None] * x0
                Wu = sw * (l21[:, None] * x0 + l22[:, None] * x1)
            h = Wa + noise((M, N), sb)
            nv = np.linalg.norm(Wu, axis=1)
            if not (np.all(np.isfinite(nv)) and np.all(nv > 0) and np.all(np.isfinite(h))):
                diverged = True
                break
            v = Wu / nv[:, None]
            if t >= n_transient:
                logs[t - n_transient] = np.log(nv)
                qs[t - n_transient] = np.sum(np.abs(h) ** 2, axis=1) / N
    if diverged:
        return DeepExponent(float("nan"), float("nan"), logs[:0], float("nan"), True)
    if M >= 2:
        se = logs.mean(axis=0).std(ddof=1) / np.sqrt(M)
    else:
        m = n_layers // n_blocks
        means = logs[: m * n_blocks, 0].reshape(n_blocks, m).mean(axis=1)
        se = means.std(ddof=1) / np.sqrt(n_blocks)
    return DeepExponent(float(logs.mean()), float(se), logs, float(qs.mean()))


@dataclass
class OneLoop:
    """The O(1/N) correction to the per-layer Lyapunov exponent of a deep random network.

    ``lambda_N = lambda_inf + coefficient / N + O(1/N^2)``, with
    ``coefficient = chi_term + rho_term + q_term`` (see :func:`finite_width_correction`).
    """

    coefficient: float
    chi_term: float
    rho_term: float
    q_term: float


def finite_width_correction(sigma_w2, sigma_b2, phi="tanh"):
    """Leading finite-width correction ``c / N`` to the per-layer exponent (real network).

    With fresh weights per layer the pair (signal, tangent) is a Markov chain whose
    per-layer log-growth is ``ln|W u|`` with ``|W u|^2 = (sigma_w^2 |u|^2 / N) chi^2_N`` and
    ``|u|^2 = sum_i phi'(h_i)^2 v_i^2``.  Expanding ``E ln`` to O(1/N) around the mean
    field (our derivation; the "one-loop" order of the field theory) gives three terms:

    * ``chi_term = -1/2 - (3/4) Var[phi'^2] / E[phi'^2]^2`` -- the fluctuation of the
      empirical ``chi_1`` over the N units and of ``chi^2_N`` (Jensen); for a linear
      network it is Newman's ``-1/(2N)`` exactly;
    * ``rho_term = (N E rho^2 / 2) s^2 E[(phi'^2)''] / E[phi'^2]``, from the overlap
      ``rho`` of signal and tangent vector, whose stationary variance is
      ``N E rho^2 = E[(phi phi')^2] / (E[phi^2] E[phi'^2] (1 - kappa^2))``,
      ``kappa = s E[(phi phi')'] / sqrt(E[phi^2] E[phi'^2])``, ``s^2 = q* - sigma_b2``;
    * ``q_term``, from the fluctuation of the empirical variance ``q_hat`` around
      ``q*`` (an AR(1) process through the length map ``F``): with
      ``m(q) = E[phi'(sqrt(q) z)^2]``, ``N Var = sigma_w^4 Var[phi^2] / (1 - F'^2)``,
      ``N E[q_hat - q*] = F'' N Var / (2 (1 - F'))`` and
      ``q_term = ((ln m)' N E[q_hat - q*] + (ln m)'' N Var / 2) / 2``.

    Derivatives of Gaussian expectations are taken by Stein's lemma,
    ``E[g^(k)(h)] = E[g(h) He_k(h/sqrt(q))] / q^(k/2)``.  Checked against the exact
    ``-1/2`` of linear networks and, in chapter 05, against simulations.

    Parameters
    ----------
    sigma_w2, sigma_b2 : float >= 0
    phi : {"tanh", "erf", "linear"}

    Returns
    -------
    OneLoop
    """
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    _choice(phi, "phi", ACTIVATIONS)
    q = _qstar(sigma_w2, sigma_b2, phi, "real")
    f, df, _ = _phi(phi)
    if q == 0.0:  # the chain collapses onto h = 0, where the network is linear
        return OneLoop(-0.5, -0.5, 0.0, 0.0)
    sq = np.sqrt(q)
    z, w = _rule(sq)
    x = sq * z
    f0, f1 = f(x), df(x)
    He1, He2, He4 = z, z * z - 1.0, z ** 4 - 6.0 * z * z + 3.0

    def E(g):
        return float(g @ w)

    p2 = f1 * f1
    m = E(p2)
    var_p2 = E(p2 * p2) - m * m
    chi_term = -0.5 - 0.75 * var_p2 / (m * m)
    # overlap of signal and tangent
    e_f2 = E(f0 * f0)
    s2 = q - sigma_b2
    kappa = np.sqrt(s2) * E(f0 * f1 * He1) / sq / np.sqrt(e_f2 * m)   # E[(phi phi')'] by Stein
    n_rho2 = E((f0 * f1) ** 2) / (e_f2 * m * (1.0 - kappa ** 2))
    d2_p2 = E(p2 * He2) / q                                             # E[(phi'^2)'']
    rho_term = 0.5 * n_rho2 * s2 * d2_p2 / m
    # fluctuations of the empirical variance
    F1 = sigma_w2 * E(f0 * f0 * He2) / q / 2.0                          # F'(q*)
    F2 = sigma_w2 * E(f0 * f0 * He4) / q ** 2 / 4.0                     # F''(q*)
    var_f2 = E(f0 ** 4) - e_f2 ** 2
    n_var = sigma_w2 ** 2 * var_f2 / (1.0 - F1 ** 2)
    n_mean = 0.5 * F2 * n_var / (1.0 - F1)
    m1 = 0.5 * d2_p2                                                    # m'(q*)
    m2 = 0.25 * E(p2 * He4) / q ** 2                                    # m''(q*)
    q_term = 0.5 * (m1 / m * n_mean + 0.5 * (m2 / m - (m1 / m) ** 2) * n_var)
    return OneLoop(float(chi_term + rho_term + q_term), float(chi_term), float(rho_term),
                   float(q_term))


def deep_pair_distances(sigma_w2, sigma_b2, width, n_layers, d0, *, rng, phi="tanh",
                        network="real", method="dense", n_nets=1):
    """Squared distance per unit of two nearby inputs through deep random networks.

    Two pre-activation vectors at the fixed point ``q*`` (drawn as ``h`` and
    ``h + delta`` with ``|delta|^2 = width * d0``) are propagated through the same
    weights and biases (fresh for every layer) of ``n_nets`` independent networks.
    The mean-field prediction is :func:`replica_lyapunov` with the same ``d0``.

    Parameters
    ----------
    sigma_w2, sigma_b2 : float >= 0
    width : int >= 2
    n_layers : int >= 1
    d0 : float > 0
        Initial squared distance per unit.
    rng : numpy.random.Generator or int
    phi, network, method
        As in :func:`deep_tangent_exponent`.
    n_nets : int >= 1

    Returns
    -------
    array, shape (n_nets, n_layers + 1)
        ``|h^1_l - h^2_l|^2 / width`` for ``l = 0..n_layers`` (NaN after a non-finite
        value).
    """
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    N = _check_int(width, "width", 2)
    n_layers = _check_int(n_layers, "n_layers", 1)
    n_nets = _check_int(n_nets, "n_nets", 1)
    d0 = _real(d0, "d0", 0.0, lo_open=True)
    _choice(phi, "phi", ACTIVATIONS)
    _choice(network, "network", NETWORKS)
    _choice(method, "method", ("gram", "dense"))
    rng = check_rng(rng, allow_seed=True)
    cplx = network == "ginn"
    q = _qstar(sigma_w2, sigma_b2, phi, network)
    out = np.full((n_nets, n_layers + 1), np.nan)

    def noise(scale):
        if cplx:
            return (rng.standard_normal(N) + 1j * rng.standard_normal(N)) * (scale * np.sqrt(0.5))
        return rng.standard_normal(N) * scale

    for k in range(n_nets):
        h1 = noise(np.sqrt(q))
        delta = noise(1.0)
        delta *= np.sqrt(N * d0) / np.linalg.norm(delta)
        h2 = h1 + delta
        out[k, 0] = np.vdot(delta, delta).real / N
        with np.errstate(over="ignore", invalid="ignore"):
            for t in range(n_layers):
                a1 = _apply_phi(h1, phi, network)[0]
                a2 = _apply_phi(h2, phi, network)[0]
                Wa = _layer(np.stack([a1, a2]), sigma_w2, N, rng, cplx, method)
                b = noise(np.sqrt(sigma_b2))
                h1, h2 = Wa[:, 0] + b, Wa[:, 1] + b
                dd = h1 - h2
                val = np.vdot(dd, dd).real / N
                if not np.isfinite(val):
                    break
                out[k, t + 1] = val
    return out


# -- magnitude-phase (gauge-invariant) networks ---------------------------------------------

@dataclass
class GaugeNet:
    """A deep network with complex magnitude-phase weights ``W = m e^{i theta}``.

    Layer ``l = 1..L`` maps ``z_{l-1}`` (``z_0 = x``) to
    ``z_l = phi(W_l z_{l-1} + b_l)`` with ``phi(h) = f(|h|) h/|h|``.  Its observables
    are the moduli ``|z_L|`` (and anything built from them).

    Attributes
    ----------
    magnitudes : list of arrays, shapes (n_l, n_{l-1})
        ``m_l >= 0``.
    phases : list of arrays, shapes (n_l, n_{l-1})
        ``theta_l`` in radians.
    biases : list of complex arrays, shapes (n_l,)
    phi : str
        ``f``, one of :data:`ACTIVATIONS`.
    """

    magnitudes: list
    phases: list
    biases: list
    phi: str = "tanh"

    @property
    def weights(self) -> list:
        """Complex weight matrices ``m e^{i theta}``, one per layer."""
        return [m * np.exp(1j * th) for m, th in zip(self.magnitudes, self.phases, strict=True)]

    @property
    def sizes(self) -> tuple:
        return (self.magnitudes[0].shape[1],) + tuple(m.shape[0] for m in self.magnitudes)


def random_ginn(sizes, sigma_w2, sigma_b2, *, rng, phi="tanh"):
    """A :class:`GaugeNet` with random magnitudes and phases.

    ``m_ij`` is Rayleigh with ``E m^2 = sigma_w2 / n_{l-1}`` and ``theta_ij`` uniform on
    ``[0, 2 pi)``, so ``W_ij`` is circular complex Gaussian; biases are CN(0, sigma_b2).
    Both laws are invariant under the local phase rotations of :func:`gauge_transform`.

    Parameters
    ----------
    sizes : sequence of int
        ``(n_0, n_1, ..., n_L)``, ``L >= 1``.
    sigma_w2, sigma_b2 : float >= 0
    rng : numpy.random.Generator or int
    phi : {"tanh", "erf", "linear"}
    """
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    sizes = _check_sizes(sizes)
    _choice(phi, "phi", ACTIVATIONS)
    rng = check_rng(rng, allow_seed=True)
    mags, phs, bs = [], [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        mags.append(rng.rayleigh(np.sqrt(0.5 * sigma_w2 / n_in), size=(n_out, n_in)))
        phs.append(rng.uniform(0.0, 2 * np.pi, size=(n_out, n_in)))
        bs.append((rng.standard_normal(n_out) + 1j * rng.standard_normal(n_out))
                  * np.sqrt(0.5 * sigma_b2))
    return GaugeNet(mags, phs, bs, phi)


def _check_sizes(sizes):
    try:
        sizes = tuple(sizes)
    except TypeError as err:
        raise TypeError("sizes must be a sequence of integers") from err
    if len(sizes) < 2:
        raise ValueError(f"sizes must have at least two entries (input, output), got {sizes}")
    for s in sizes:
        _check_int(s, "sizes", 1)
    return tuple(int(s) for s in sizes)


def _check_net(net):
    if not isinstance(net, GaugeNet):
        raise TypeError(f"net must be a GaugeNet, got {type(net).__name__}")
    return net


def ginn_forward(net, x, *, activation="modulus"):
    """Propagate inputs through a :class:`GaugeNet`.

    Parameters
    ----------
    net : GaugeNet
    x : array, shape (n_0,) or (n_samples, n_0), real or complex
    activation : {"modulus", "split"}
        ``"modulus"``: ``phi(h) = f(|h|) h/|h|`` (phase-equivariant, the GINN).
        ``"split"``: ``f(Re h) + i f(Im h)``, the common split-complex nonlinearity,
        which is *not* phase-equivariant (a negative control for the invariance).

    Returns
    -------
    list of complex arrays
        ``[z_1, ..., z_L]``, each of shape (n_samples, n_l) (or (n_l,) for a single input).
    """
    net = _check_net(net)
    _choice(activation, "activation", ("modulus", "split"))
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.number):
        raise TypeError("x must be a numeric array")
    single = x.ndim == 1
    X = np.atleast_2d(x).astype(complex)
    if X.ndim != 2 or X.shape[1] != net.sizes[0]:
        raise ValueError(f"x must have shape ({net.sizes[0]},) or (n, {net.sizes[0]}), "
                         f"got {x.shape}")
    f = _phi(net.phi)[0]
    out = []
    z = X
    for W, b in zip(net.weights, net.biases, strict=True):
        h = z @ W.T + b
        if activation == "modulus":
            z = _apply_phi(h, net.phi, "ginn")[0]
        else:
            z = f(h.real) + 1j * f(h.imag)
        out.append(z[0] if single else z)
    return out


def gauge_transform(net, alphas, alpha0=None):
    """Apply a local U(1) gauge transformation to a :class:`GaugeNet`.

    With phases ``alpha_l`` (one per unit of layer ``l``; ``alpha_0`` on the inputs,
    default 0: inputs are fixed data), the parameters transform as

        ``theta_l,ij -> theta_l,ij + alpha_l,i - alpha_{l-1},j``,
        ``b_l,i -> e^{i alpha_l,i} b_l,i``,

    so that every pre-activation and activation rotates, ``z_l -> e^{i alpha_l} z_l``,
    and the moduli ``|z_l|`` are unchanged (the magnitudes ``m`` are gauge invariant).

    Parameters
    ----------
    net : GaugeNet
    alphas : sequence of L arrays, shapes (n_l,)
    alpha0 : array, shape (n_0,), optional

    Returns
    -------
    GaugeNet
        The transformed network (``net`` is not modified).
    """
    net = _check_net(net)
    sizes = net.sizes
    alphas = list(alphas)
    if len(alphas) != len(sizes) - 1:
        raise ValueError(f"alphas must hold {len(sizes) - 1} arrays (one per layer), "
                         f"got {len(alphas)}")
    prev = np.zeros(sizes[0]) if alpha0 is None else np.asarray(alpha0, dtype=float)
    if prev.shape != (sizes[0],):
        raise ValueError(f"alpha0 must have shape ({sizes[0]},), got {prev.shape}")
    phs, bs = [], []
    for l, (a, th, b) in enumerate(zip(alphas, net.phases, net.biases, strict=True), start=1):
        a = np.asarray(a, dtype=float)
        if a.shape != (sizes[l],):
            raise ValueError(f"alphas[{l - 1}] must have shape ({sizes[l]},), got {a.shape}")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"alphas[{l - 1}] must be finite")
        phs.append(th + a[:, None] - prev[None, :])
        bs.append(np.exp(1j * a) * b)
        prev = a
    return GaugeNet([m.copy() for m in net.magnitudes], phs, bs, net.phi)


def ginn_tangent_growth(net, x, v):
    """Per-layer log-growth of a tangent vector through a :class:`GaugeNet` (modulus phi).

    Parameters
    ----------
    net : GaugeNet
    x : array, shape (n_0,)
        Input.
    v : array, shape (n_0,), complex
        Input perturbation.

    Returns
    -------
    array, shape (L,)
        ``ln(|dh_l| / |dh_{l-1}|)`` with ``dh_0 = v``: gauge invariant, since a gauge
        transformation rotates every ``dh_l`` by a diagonal unitary.
    """
    net = _check_net(net)
    x = np.asarray(x, dtype=complex)
    v = np.asarray(v, dtype=complex)
    if x.shape != (net.sizes[0],) or v.shape != x.shape:
        raise ValueError(f"x and v must have shape ({net.sizes[0]},)")
    z, dz = x, v
    prev = np.linalg.norm(v)
    out = []
    for W, b in zip(net.weights, net.biases, strict=True):
        h = W @ z + b
        dh = W @ dz
        n = np.linalg.norm(dh)
        out.append(np.log(n / prev))
        prev = n
        z, D = _apply_phi(h, net.phi, "ginn")
        dz = D(dh)
    return np.array(out)


# -- random recurrent networks --------------------------------------------------------------

def random_couplings(N, g, *, rng):
    """Coupling matrix ``J`` with i.i.d. entries N(0, g^2/N), shape (N, N).

    Drawn as ``g / sqrt(N) * rng.standard_normal((N, N))`` (so a given ``rng`` state
    always gives the same ``J``).
    """
    N = _check_int(N, "N", 1)
    g = _real(g, "g", 0.0)
    rng = check_rng(rng, allow_seed=True)
    return (g / np.sqrt(N)) * rng.standard_normal((N, N))


def _check_J(J):
    J = np.asarray(J)
    if not np.issubdtype(J.dtype, np.number) or np.iscomplexobj(J):
        raise TypeError("J must be a real array")
    J = J.astype(float)
    if J.ndim != 2 or J.shape[0] != J.shape[1] or J.shape[0] < 1:
        raise ValueError(f"J must be a square (N, N) array, got shape {J.shape}")
    if not np.all(np.isfinite(J)):
        raise ValueError("J must be finite")
    return J


def _rnn_field(J, phi):
    f, df, _ = _phi(phi)

    def rhs(x):
        return -x + J @ f(x)

    def jvp(x, V):
        return -V + J @ (df(x)[:, None] * V)

    return rhs, jvp


def simulate_rnn(J, x0, t_total, dt, *, phi="tanh", t_transient=0.0, sample_every=1):
    """Integrate ``dx/dt = -x + J phi(x)`` with fixed-step RK4.

    Uses :func:`uniqnets.lyapunov.rk4_map` (local error O(dt^5)).

    Parameters
    ----------
    J : array, shape (N, N)
    x0 : array, shape (N,)
    t_total : float > 0
        Length of the recorded run (time units, ``tau = 1``).
    dt : float > 0
        RK4 step.
    t_transient : float >= 0
        Time integrated and discarded first.
    sample_every : int >= 1
        Keep every ``sample_every``-th state.

    Returns
    -------
    t : array, shape (n_samples,)
        Times since the end of the transient.
    X : array, shape (n_samples, N)
        The states; rows after a non-finite state are NaN.
    """
    from ..lyapunov import rk4_map

    J = _check_J(J)
    N = J.shape[0]
    x = np.asarray(x0, dtype=float)
    if x.shape != (N,):
        raise ValueError(f"x0 must have shape ({N},), got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x0 must be finite")
    t_total = _real(t_total, "t_total", 0.0, lo_open=True)
    dt = _real(dt, "dt", 0.0, lo_open=True)
    t_transient = _real(t_transient, "t_transient", 0.0)
    every = _check_int(sample_every, "sample_every", 1)
    _choice(phi, "phi", ACTIVATIONS)
    step = rk4_map(_rnn_field(J, phi)[0], dt)
    n = int(round(t_total / dt))
    if n < every:
        raise ValueError(f"t_total/dt = {n} steps is fewer than sample_every = {every}")
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(int(round(t_transient / dt))):
            x = step(x)
        m = n // every
        X = np.full((m, N), np.nan)
        for i in range(m):
            for _ in range(every):
                x = step(x)
            if not np.all(np.isfinite(x)):
                break
            X[i] = x
    return dt * every * np.arange(1, m + 1), X


def population_autocorrelation(X, n_lags):
    """Population-averaged autocorrelation ``(1/N) sum_i <x_i(t) x_i(t + s)>_t``.

    Not mean-subtracted (the DMFT ``Delta(tau)`` includes any mean, which vanishes at
    large N).  Computed with zero-padded FFTs, each lag averaged over the ``n - s``
    available pairs.

    Parameters
    ----------
    X : array, shape (n_samples, N)
        Equally spaced samples.
    n_lags : int >= 1

    Returns
    -------
    array, shape (n_lags,)
        Lags ``0 .. n_lags - 1`` in units of the sampling interval.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n_samples, N), got {X.shape}")
    n = X.shape[0]
    n_lags = _check_int(n_lags, "n_lags", 1)
    if n_lags > n:
        raise ValueError(f"n_lags ({n_lags}) exceeds the number of samples ({n})")
    nfft = 1 << int(np.ceil(np.log2(2 * n)))
    F = np.fft.rfft(X, n=nfft, axis=0)
    ac = np.fft.irfft((F * F.conj()).real.mean(axis=1), n=nfft)[:n_lags]
    return ac / (n - np.arange(n_lags))


@dataclass
class RNNLyapunov:
    """Top of the Lyapunov spectrum of one random recurrent network.

    Attributes
    ----------
    exponents : array, shape (k,)
        Per unit time, decreasing up to statistical error (NaN if the run diverged).
    stderr : array, shape (k,)
        Batch-means standard errors (20 blocks).
    J : array, shape (N, N)
        The coupling matrix used.
    result : uniqnets.lyapunov.LyapunovResult
        The full QR record (running estimates, final frame and state).
    """

    exponents: np.ndarray
    stderr: np.ndarray
    J: np.ndarray
    result: object


def rnn_lyapunov(g, N, t_total, dt, k=1, *, rng, phi="tanh", t_transient=100.0,
                 J=None, renorm_every=1, progress=False):
    """The ``k`` largest Lyapunov exponents of ``dx/dt = -x + J phi(x)``, ``J_ij ~ N(0, g^2/N)``.

    Built on :func:`uniqnets.lyapunov.lyapunov_spectrum_flow` (RK4 for the state and
    the variational equation ``dV/dt = -V + J diag(phi'(x)) V``, QR re-orthonormalisation).
    ``J`` is drawn first from ``rng`` (:func:`random_couplings`), then ``x0 ~ N(0, 1)``
    and the initial frame.  For ``phi="linear"`` the exponents are the real parts of
    the eigenvalues of ``-I + J`` (of the RK4 map: see the tests).

    Parameters
    ----------
    g : float >= 0
        Coupling gain.
    N : int >= 1
    t_total : float > 0
        Measured time (after ``t_transient``), in units of the unit time constant.
    dt : float > 0
        RK4 step.
    k : int in 1..N
    rng : numpy.random.Generator or int
    phi : {"tanh", "erf", "linear"}
    t_transient : float >= 0
    J : array (N, N), optional
        Use these couplings instead of drawing them (``g`` is then only recorded).
    renorm_every : int
        Steps between QR re-orthonormalisations.
    progress : bool
        Show a progress bar.

    Returns
    -------
    RNNLyapunov
    """
    from ..lyapunov import lyapunov_spectrum_flow

    g = _real(g, "g", 0.0)
    N = _check_int(N, "N", 1)
    k = _check_int(k, "k", 1)
    if k > N:
        raise ValueError(f"k must be in 1..N = {N}, got {k}")
    _choice(phi, "phi", ACTIVATIONS)
    rng = check_rng(rng, allow_seed=True)
    if J is None:
        J = random_couplings(N, g, rng=rng)
    else:
        J = _check_J(J)
        if J.shape != (N, N):
            raise ValueError(f"J must have shape ({N}, {N}), got {J.shape}")
    x0 = rng.standard_normal(N)
    f, jvp = _rnn_field(J, phi)
    res = lyapunov_spectrum_flow(f, jvp, x0, t_total, dt, k, t_transient=t_transient,
                                 renorm_every=renorm_every, rng=rng, jac_is_jvp=True,
                                 progress=progress)
    if res.diverged or res.log_r.shape[0] < 40:
        se = np.full(k, np.nan)
    else:
        se = res.stderr(20)
    return RNNLyapunov(np.asarray(res.exponents), se, J, res)


# -- dynamic mean-field theory --------------------------------------------------------------

def _phi3(name):
    """Third derivative of the named nonlinearity (for the Mehler tails of the DMFT)."""
    if name == "tanh":
        def d3(x):
            t = np.tanh(x)
            return -2.0 * (1.0 - t * t) * (1.0 - 3.0 * t * t)
        return d3
    if name == "erf":
        return lambda x: 2.0 / _SQRT_PI * (4.0 * x * x - 2.0) * np.exp(-x * x)
    return lambda x: np.zeros_like(x)


def _pair_expect(fn, delta, delta0):
    """E[fn(x1) fn(x2)] for x1, x2 ~ N(0, delta0) with covariance delta, 0 <= delta <= delta0.

    Written as ``x_{1,2} = sqrt(delta0 - delta) u_{1,2} + sqrt(delta) z`` and nested
    trapezoid rules (``_rule``, each sized for its own scale): ``E_z[(E_u fn(...))^2]``.
    ``delta`` may be an array (m,); returns an array of its shape.
    """
    delta = np.clip(np.asarray(delta, dtype=float), 0.0, delta0)
    out = np.empty(delta.shape)
    for i, d in np.ndenumerate(delta):
        sa, sb = np.sqrt(delta0 - d), np.sqrt(d)
        (u, wu), (z, wz) = _rule(sa), _rule(sb)
        m = wu @ fn(sa * u[:, None] + sb * z[None, :])
        out[i] = (m * m) @ wz
    return out


@dataclass
class DMFTResult:
    """Self-consistent DMFT solution of ``dx/dt = -x + J phi(x)``, ``J_ij ~ N(0, g^2/N)``.

    Attributes
    ----------
    g : float
    phi : str
    delta0 : float
        Variance ``Delta(0)`` of a unit (0 in the quiescent phase ``g <= g_c``).
    tau : array, shape (n_tau,)
        Lags ``0, dtau, 2 dtau, ...`` (time units).
    delta : array, shape (n_tau,)
        Autocorrelation ``Delta(tau) = <x_i(t) x_i(t + tau)>``.
    c_phi : array, shape (n_tau,)
        Rate autocorrelation ``C(tau) = <phi(x_i(t)) phi(x_i(t + tau))>``.
    gamma : float
        Linear-response gain ``<phi'(x)>`` (Bussgang/Stein: the best linear
        predictor of ``phi(x)`` from ``x`` at every lag is ``gamma x``).
    lyapunov : float
        Largest Lyapunov exponent from the DMFT of two replicas,
        ``-1 + sqrt(1 - E_0)`` with ``E_0`` the ground state of
        ``-d^2/dtau^2 + 1 - g^2 <phi'(x(t)) phi'(x(t + tau))>`` (SCS 1988).
    kappa : float
        Decay rate of ``Delta(tau)`` at large ``tau``: ``sqrt(1 - g^2 gamma^2)``.
    """

    g: float
    phi: str
    delta0: float
    tau: np.ndarray
    delta: np.ndarray
    c_phi: np.ndarray
    gamma: float
    lyapunov: float
    kappa: float

    @property
    def residual_autocorrelation(self) -> np.ndarray:
        """Autocorrelation of the residual ``xi = phi(x) - gamma x``, shape (n_tau,)."""
        return self.c_phi - self.gamma ** 2 * self.delta

    def spectrum(self, omega, which="residual"):
        """Power spectrum ``S(omega) = int C(tau) e^{-i omega tau} dtau`` (two-sided).

        ``int S d omega / (2 pi)`` is the variance.  ``which`` is ``"residual"`` (of
        ``xi``, the noise of the linear-equivalent network), ``"rate"`` (of
        ``phi(x)``) or ``"x"``.  Trapezoid rule on the stored even, smooth correlation
        (spectrally accurate for ``|omega| < pi / dtau``).  Beyond that Nyquist
        frequency the trapezoid sum only repeats the spectrum (aliasing), so ``S`` is
        set to 0 there; the true spectrum of these smooth correlations is negligible
        at such frequencies (``Delta`` is analytic near 0).

        Parameters
        ----------
        omega : array_like
            Angular frequencies.

        Returns
        -------
        array, the shape of ``omega``
        """
        _choice(which, "which", ("residual", "rate", "x"))
        C = {"residual": self.residual_autocorrelation, "rate": self.c_phi,
             "x": self.delta}[which]
        om = np.asarray(omega, dtype=float)
        h = self.tau[1] - self.tau[0]
        wts = np.full(self.tau.size, h)
        wts[0] = 0.5 * h
        wts[-1] = 0.5 * h
        flat = om.ravel()
        out = 2.0 * (np.cos(np.multiply.outer(flat, self.tau)) @ (wts * C))
        out[np.abs(flat) > np.pi / h] = 0.0
        return out.reshape(om.shape)


def _ground_state(V, h):
    """Lowest eigenvalue of ``-d^2/dtau^2 + V`` on a uniform grid (Dirichlet ends).

    Three-point finite differences (error O(h^2), removed by Richardson extrapolation
    in :func:`dmft_autocorrelation`); symmetric tridiagonal, solved by
    :func:`scipy.linalg.eigh_tridiagonal`.  Returns ``(E0, psi)``.
    """
    d = 2.0 / h ** 2 + V
    e = np.full(V.size - 1, -1.0 / h ** 2)
    E, psi = eigh_tridiagonal(d, e, select="i", select_range=(0, 0))
    return float(E[0]), psi[:, 0]


def dmft_autocorrelation(g, *, phi="tanh", tau_max=None, dtau=0.05, n_grid=257,
                         rtol=1e-10):
    """Solve the dynamic mean-field theory of the random network ``dx/dt = -x + J phi(x)``.

    The autocorrelation of a unit obeys (Sompolinsky, Crisanti & Sommers 1988)

        ``Delta''(tau) = Delta(tau) - g^2 C_phi(Delta(tau), Delta_0) = -dV/dDelta``,

    with ``C_phi`` the rate correlation of two N(0, Delta_0) variables with covariance
    ``Delta`` and ``V(Delta) = -Delta^2/2 + g^2 E_z[(E_u Phi)^2]`` (``Phi' = phi``).  The
    chaotic solution leaves ``Delta_0`` at rest and creeps to 0 as ``tau -> inf``;
    energy conservation fixes ``Delta_0``:

        ``Delta_0^2 / 2 = g^2 Var[Phi(sqrt(Delta_0) z)]``     (root by brentq).

    ``C_phi`` and ``q`` are tabulated on ``n_grid`` equally spaced values of ``Delta`` in
    ``[0, Delta_0]`` (nested trapezoid rules, exact to rounding) and interpolated by a
    cubic Hermite spline for ``C_phi`` (its derivative is ``q``, by Price's theorem) and
    a cubic spline for ``q``: interpolation error ``~ h^4 max|d^4 C/dDelta^4|/384 < 1e-8`` for
    ``Delta_0 < 12``.  ``Delta(tau)`` is then integrated (``solve_ivp``, DOP853) until it
    is small enough
    to follow its linearisation ``Delta ~ e^{-kappa tau}``, ``kappa^2 = 1 - g^2 gamma^2``,
    which continues it (the separatrix is unstable, so integrating further would
    amplify rounding).  The largest Lyapunov exponent follows from the variational
    equation of two replicas: ``lambda = -1 + sqrt(1 - E_0)``, ``E_0`` the ground state
    of ``-d^2/dtau^2 + 1 - g^2 q(tau)``, ``q(tau) = <phi'(x(t)) phi'(x(t + tau))>``.
    Below the transition (``g |phi'(0)| <= 1``) the solution is ``Delta = 0`` and
    ``lambda = g |phi'(0)| - 1``.

    Parameters
    ----------
    g : float >= 0
    phi : {"tanh", "erf"}
    tau_max : float, optional
        Last lag returned (default: where ``Delta/Delta_0 < 1e-12``, at least 20).
    dtau : float
        Lag spacing of the output.
    n_grid : int
        Points of the ``Delta`` table.
    rtol : float
        Relative tolerance of the ODE solver.

    Returns
    -------
    DMFTResult
    """
    g = _real(g, "g", 0.0)
    _choice(phi, "phi", ("tanh", "erf"))
    dtau = _real(dtau, "dtau", 0.0, 1.0, lo_open=True)
    n_grid = _check_int(n_grid, "n_grid", 9)
    rtol = _real(rtol, "rtol", 0.0, 1e-3, lo_open=True)
    if tau_max is not None:
        tau_max = _real(tau_max, "tau_max", 0.0, lo_open=True)
    f, df, F = _phi(phi)
    d0slope = df(0.0)
    gc = 1.0 / d0slope
    if g <= gc:
        T = 20.0 if tau_max is None else tau_max
        tau = np.arange(0.0, T + 0.5 * dtau, dtau)
        zero = np.zeros_like(tau)
        gam = float(d0slope)
        return DMFTResult(g, phi, 0.0, tau, zero, zero.copy(), gam, float(g * d0slope - 1.0),
                          float(np.sqrt(max(1.0 - (g * gam) ** 2, 0.0))))

    def energy(D0):
        # (V(Delta_0) - V(0)) / Delta_0^2, sign change at the self-consistent Delta_0
        z, w = _rule(np.sqrt(D0))
        P = F(np.sqrt(D0) * z)
        m = P @ w
        var = ((P - m) ** 2) @ w
        return g * g * var / D0 ** 2 - 0.5

    # energy -> (g phi'(0))^2/2 - 1/2 > 0 as Delta_0 -> 0; since |Phi(x)| <= |x|,
    # Var Phi <= Delta_0 and energy < 0 beyond Delta_0 = 2 g^2
    lo, hi = 1e-6, 2.0 * g * g + 1.0
    while energy(lo) <= 0:  # very close to g_c: shrink the lower end of the bracket
        lo *= 1e-2
        if lo < 1e-14:
            raise ValueError(f"g = {g} is too close to the transition g_c = {gc} to solve")
    D0 = brentq(energy, lo, hi, xtol=1e-14 * hi, rtol=4 * np.finfo(float).eps, maxiter=500)

    dgrid = np.linspace(0.0, D0, n_grid)
    qgrid = _pair_expect(df, dgrid, D0)
    C = CubicHermiteSpline(dgrid, _pair_expect(f, dgrid, D0), qgrid)
    Q = CubicSpline(dgrid, qgrid)

    z, w = _rule(np.sqrt(D0))
    gam = float(df(np.sqrt(D0) * z) @ w)
    kappa = float(np.sqrt(max(1.0 - (g * gam) ** 2, 0.0)))
    if not kappa > 0:
        raise ValueError(f"DMFT at g = {g}: no decaying solution (g gamma = {g * gam:.6f})")

    def rhs(t, y):
        return [y[1], y[0] - g * g * float(C(y[0]))]

    stop_frac = 1e-4  # nonlinear terms are O((Delta/Delta_0)^2) ~ 1e-8 relative there

    def small(t, y):
        return y[0] - stop_frac * D0
    small.terminal = True

    def turn(t, y):
        return y[1] if t > 0 else -1.0
    turn.terminal = True
    turn.direction = 1

    horizon = 50.0 + 40.0 / kappa
    sol = solve_ivp(rhs, (0.0, horizon), [D0, 0.0], method="DOP853", rtol=rtol,
                    atol=1e-14 * D0, dense_output=True, events=(small, turn))
    if sol.status < 0:
        raise RuntimeError(f"DMFT integration failed at g = {g}: {sol.message}")
    t_s = float(sol.t[-1])
    d_s = float(sol.y[0, -1])
    # beyond t_s: Delta = d_s exp(-kappa (tau - t_s)) and the Mehler expansions
    # C = gamma^2 D + b3^2 D^3/6, q = gamma^2 + b3^2 D^2/2 (b3 = E[phi''']; the even
    # orders vanish for odd phi), whose next terms are O((D/Delta_0)^2) < 1e-8 relative
    b3 = float(_phi3(phi)(np.sqrt(D0) * z) @ w)

    def delta_at(t):
        t = np.asarray(t, dtype=float)
        out = np.empty_like(t)
        inside = t <= t_s
        if inside.any():  # (the dense output rejects an empty array)
            out[inside] = sol.sol(t[inside])[0]
        out[~inside] = d_s * np.exp(-kappa * (t[~inside] - t_s))
        return out, inside

    def tail_c(d):
        return gam * gam * d + b3 * b3 * d ** 3 / 6.0

    def tail_q(d):
        return gam * gam + 0.5 * b3 * b3 * d * d

    t_end = t_s + np.log(max(d_s, 1e-300) / (1e-12 * D0)) / kappa  # Delta = 1e-12 Delta_0
    if tau_max is None:
        tau_max = max(20.0, t_end)
    tau = np.arange(0.0, tau_max + 0.5 * dtau, dtau)
    delta, inside = delta_at(tau)
    c_phi = np.empty_like(tau)
    c_phi[inside] = C(delta[inside])
    c_phi[~inside] = tail_c(delta[~inside])

    # Schroedinger problem on [-T, T]: q(Delta(tau)) from the table where the ODE holds,
    # from its expansion beyond; independent of tau_max
    E0 = None
    T = 30.0 + 10.0 / kappa
    h = 0.01
    for _ in range(8):
        sgrid = np.arange(-T, T + 0.5 * h, h)
        sa = np.abs(sgrid)
        qs = np.empty_like(sa)
        near = sa <= t_s
        qs[near] = Q(delta_at(sa[near])[0])
        qs[~near] = tail_q(delta_at(sa[~near])[0])
        U = 1.0 - g * g * qs
        E0, psi = _ground_state(U, h)
        # the bound state decays like exp(-sqrt(kappa^2 - E0)|tau|): the box must hold
        # it to 1e-10 of its peak
        if abs(psi[0]) < 1e-10 * np.abs(psi).max():
            # Richardson: the three-point error is c h^2 + O(h^4); combine h and 2h
            E0 = (4.0 * E0 - _ground_state(U[::2], 2 * h)[0]) / 3.0
            break
        T *= 2.0
    else:
        raise RuntimeError(f"DMFT at g = {g}: the Lyapunov bound state did not fit a box "
                           f"of half-width {T}")
    lam = -1.0 + np.sqrt(max(1.0 - E0, 0.0))
    return DMFTResult(g, phi, float(D0), tau, delta, c_phi, gam, float(lam), kappa)


# -- linear equivalence ---------------------------------------------------------------------

def linear_equivalent_covariance(J, dmft=None, *, gamma=None, noise_spectrum=None,
                                 variable="rate", n_omega=1024, omega_scale=1.0):
    """Covariance of the linear network equivalent to ``dx/dt = -x + J phi(x)``.

    Each rate is split into a linear response and a residual, ``phi(x_i) = gamma x_i +
    xi_i``, with ``xi`` independent across units and of spectrum ``S(omega)``.  With
    ``x(omega) = J r(omega) / (1 + i omega)`` this is a linear network with the same
    couplings driven by independent noise:

        ``r(omega) = M(omega) xi(omega)``,  ``M(omega) = (I - gamma J / (1 + i omega))^{-1}``,

    and its equal-time covariance is ``int M S M^H d omega / (2 pi)`` (for ``x``:
    ``M`` replaced by ``J M / (1 + i omega)``).  With ``J = V diag(lambda) V^{-1}``,

        ``C = V (K o (V^{-1} V^{-H})) V^H``,
        ``K_kl = int S(omega) a_k(omega) conj(a_l(omega)) d omega/(2 pi)``,

    and the integral over omega in ``omega = s tan(theta)`` by Gauss-Legendre in theta.
    Reading of Clark, Abbott & Litwin-Kumar (2023) and Clark (2026); ``gamma`` and
    ``S`` from the DMFT (:func:`dmft_autocorrelation`).

    Parameters
    ----------
    J : array, shape (N, N), real
    dmft : DMFTResult, optional
        Supplies ``gamma = dmft.gamma`` and ``S = dmft.spectrum(omega, "residual")``.
    gamma : float, optional
        Linear-response gain (if no ``dmft``).
    noise_spectrum : callable, optional
        ``S(omega)`` (two-sided; ``int S d omega/(2 pi)`` is the variance of each ``xi_i``).
    variable : {"rate", "x"}
        Covariance of the rates ``phi(x)`` or of the states ``x``.
    n_omega : int
        Quadrature nodes in theta.
    omega_scale : float > 0
        ``s`` of the map ``omega = s tan(theta)``.

    Returns
    -------
    array, shape (N, N)
        Symmetric covariance matrix.
    """
    J = _check_J(J)
    _choice(variable, "variable", ("rate", "x"))
    n_omega = _check_int(n_omega, "n_omega", 8)
    s = _real(omega_scale, "omega_scale", 0.0, lo_open=True)
    if dmft is not None:
        if not isinstance(dmft, DMFTResult):
            raise TypeError(f"dmft must be a DMFTResult, got {type(dmft).__name__}")
        if gamma is not None or noise_spectrum is not None:
            raise ValueError("give either dmft or (gamma, noise_spectrum), not both")
        gamma = dmft.gamma

        def noise_spectrum(om):
            return dmft.spectrum(om, "residual")
    else:
        if gamma is None or noise_spectrum is None:
            raise ValueError("gamma and noise_spectrum are needed when dmft is not given")
        gamma = _real(gamma, "gamma")
        if not callable(noise_spectrum):
            raise TypeError("noise_spectrum must be callable S(omega)")
    lam, V = np.linalg.eig(J)
    if np.max(gamma * lam.real) >= 1.0:
        raise ValueError(f"the linear-equivalent network is unstable: max Re(gamma lambda) = "
                         f"{np.max(gamma * lam.real):.4f} >= 1")
    Vinv = np.linalg.inv(V)
    th, wt = np.polynomial.legendre.leggauss(n_omega)
    th = 0.5 * np.pi * th
    om = s * np.tan(th)
    dom = s * 0.5 * np.pi * wt / np.cos(th) ** 2
    S = np.asarray(noise_spectrum(om), dtype=float)
    if S.shape != om.shape or not np.all(np.isfinite(S)):
        raise ValueError("noise_spectrum must return finite values of the shape of omega")
    hw = 1.0 / (1.0 + 1j * om)                              # (n_omega,)
    A = 1.0 / (1.0 - gamma * np.multiply.outer(hw, lam))    # m_k(omega), (n_omega, N)
    if variable == "x":
        A = A * np.multiply.outer(hw, lam)
    wS = dom * S / (2.0 * np.pi)
    K = (A * wS[:, None]).T @ A.conj()
    C = V @ (K * (Vinv @ Vinv.conj().T)) @ V.conj().T
    C = 0.5 * (C + C.conj().T)
    return C.real.copy()


def participation_ratio(C):
    """Participation ratio ``(tr C)^2 / tr(C^2)`` of a covariance matrix: its dimension.

    Parameters
    ----------
    C : array, shape (N, N), symmetric

    Returns
    -------
    float in [1, N]
    """
    C = np.asarray(C, dtype=float)
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise ValueError(f"C must be a square matrix, got shape {C.shape}")
    return float(np.trace(C) ** 2 / np.sum(C * C))
