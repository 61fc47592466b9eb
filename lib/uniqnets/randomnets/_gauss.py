"""Nonlinearities and Gaussian quadrature shared by the theories of random networks (private).

The nonlinearities ``phi`` (:data:`ACTIVATIONS`), their derivatives and
antiderivatives, the phase-equivariant map ``f(|h|) h/|h|`` of the magnitude-phase
network, and the quadrature rules for expectations over real N(0, q) and circular
complex CN(0, q) variables that the signal-propagation, double-copy and DMFT modules
evaluate.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy import special

from .._validate import check_real, check_size

#: nonlinearities known to this module (for the GINN, ``f`` in ``f(|h|) h/|h|``)
ACTIVATIONS = ("tanh", "erf", "linear")
#: ``"real"``: real Gaussian weights; ``"ginn"``: complex magnitude-phase weights
NETWORKS = ("real", "ginn")

_SQRT_PI = np.sqrt(np.pi)


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


def _check_quadrature(q, name, dims=1):
    """Refuse a variance ``q`` whose ``dims``-dimensional rule of ``_rule`` would not fit.

    The number of trapezoid nodes grows like ``sqrt(q)``; an absurd ``q`` (or weight
    variance, which sets ``q*``) is refused here, naming ``name``, before any node is
    allocated.
    """
    h = min(0.5, 0.2 / max(float(np.sqrt(q)), 1e-300))
    n = 2.0 * np.ceil(_TAIL / h) + 1.0
    check_size(min(n ** dims, 1e30), name)


@lru_cache(maxsize=16)
def _gauss_hermite(n):
    """Nodes and weights of the n-point Gauss-Hermite rule for E[g(z)], z ~ N(0, 1)."""
    z, w = hermegauss(n)
    return z, w / np.sqrt(2.0 * np.pi)


def _e1(fn, q):
    """E[fn(sqrt(q) z)] for z ~ N(0, 1), q >= 0 a scalar."""
    z, w = _rule(np.sqrt(q))
    return float(fn(np.sqrt(q) * z) @ w)


def _check_sigmas(sigma_w2, sigma_b2):
    return check_real(sigma_w2, "sigma_w2", 0.0), check_real(sigma_b2, "sigma_b2", 0.0)


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
