"""Signal propagation through wide deep random networks (private).

The length map ``q -> q'`` of the pre-activation variance (:func:`qmap`), its fixed
point (:func:`meanfield_qstar`), the slope ``chi_1`` of the correlation map at
``c = 1`` (:func:`chi1`) and the order-chaos line ``chi_1 = 1``
(:func:`critical_sigma_w2`), for real Gaussian and complex magnitude-phase weights
(Poole et al. 2016, Schoenholz et al. 2017).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from .._validate import check_choice, check_real
from ._gauss import (
    ACTIVATIONS,
    NETWORKS,
    _check_quadrature,
    _check_sigmas,
    _e1,
    _f_over_r,
    _ginn_radial,
    _phi,
)

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
        The nonlinearity (for the GINN, ``f`` in ``f(|h|) h/|h|``).
    network : {"real", "ginn"}
        Real Gaussian weights or complex magnitude-phase weights.

    Returns
    -------
    float
        Variance of the pre-activations of the next layer (Gaussian expectations by a
        trapezoid rule exact to rounding, see the comment above ``_rule``).

    References
    ----------
    B. Poole et al., "Exponential expressivity in deep neural networks through transient
    chaos", NeurIPS 2016, eq. (3).

    Examples
    --------
    >>> from uniqnets.randomnets import qmap
    >>> print(f"{qmap(1.0, 2.0, 0.05):.4f}")
    0.8386
    >>> print(f"{qmap(1.0, 2.0, 0.05, network='ginn'):.4f}")
    0.9777
    """
    q = check_real(q, "q", 0.0)
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    check_choice(phi, "phi", ACTIVATIONS)
    check_choice(network, "network", NETWORKS)
    _check_quadrature(q, "q", 1 if network == "real" else 2)
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

    Parameters
    ----------
    sigma_w2, sigma_b2 : float >= 0
        Weight variance times fan-in, bias variance.
    phi : {"tanh", "erf", "linear"}
        The nonlinearity.
    network : {"real", "ginn"}
        Real Gaussian weights or complex magnitude-phase weights.

    Returns
    -------
    float
        ``q*`` (per-unit variance of the pre-activations), ``>= 0``.

    Raises
    ------
    ValueError
        For ``phi="linear"`` without a finite fixed point (``sigma_w2 >= 1``).

    References
    ----------
    B. Poole et al., NeurIPS 2016, eq. (4).

    Examples
    --------
    >>> from uniqnets.randomnets import meanfield_qstar
    >>> print(f"{meanfield_qstar(2.0, 0.05):.4f}")
    0.7218
    >>> print(f"{meanfield_qstar(0.5, 0.2, 'linear'):.4f}")  # sigma_b2 / (1 - sigma_w2)
    0.4000
    """
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    check_choice(phi, "phi", ACTIVATIONS)
    check_choice(network, "network", NETWORKS)
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
    # q* <= sw + sb (|phi| <= 1): the largest variance the root finder evaluates
    _check_quadrature(sw + sb, "sigma_w2 and sigma_b2", 1 if network == "real" else 2)
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
    ``f(|h|) h/|h|`` gives ``chi_1 = sigma_w^2 E[(f'(|h|)^2 + (f(|h|)/|h|)^2)/2]``,
    h ~ CN(0, q*).

    Parameters
    ----------
    sigma_w2, sigma_b2 : float >= 0
        Weight variance times fan-in, bias variance.
    phi : {"tanh", "erf", "linear"}
        The nonlinearity.
    network : {"real", "ginn"}
        Real Gaussian weights or complex magnitude-phase weights.

    Returns
    -------
    float
        ``chi_1`` (dimensionless); the per-layer Lyapunov exponent is ``ln(chi_1)/2``.

    References
    ----------
    B. Poole et al., NeurIPS 2016, eq. (7); S. S. Schoenholz et al., "Deep information
    propagation", ICLR 2017, eq. (5).

    Examples
    --------
    >>> from uniqnets.randomnets import chi1
    >>> print(f"{chi1(2.0, 0.05):.4f}")  # > 1: chaotic
    1.0477
    >>> print(f"{chi1(1.0, 0.0):.4f}")  # on the critical line
    1.0000
    """
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    check_choice(phi, "phi", ACTIVATIONS)
    check_choice(network, "network", NETWORKS)
    q = _qstar(sigma_w2, sigma_b2, phi, network)
    return _chi_at(q, sigma_w2, phi, network)


def critical_sigma_w2(sigma_b2, phi="tanh", *, network="real", sigma_w2_max=100.0):
    """The order-chaos line: the ``sigma_w^2`` at which ``chi_1 = 1`` for given ``sigma_b^2``.

    Solved by :func:`scipy.optimize.brentq` on ``ln chi_1(sigma_w2) = 0``; ``chi_1``
    increases with ``sigma_w2`` along the line for ``tanh``/``erf``.  At
    ``sigma_b2 = 0`` the answer is ``1/phi'(0)^2`` (1 for tanh, pi/4 for erf).

    Parameters
    ----------
    sigma_b2 : float >= 0
        Bias variance.
    phi : {"tanh", "erf", "linear"}
        The nonlinearity.
    network : {"real", "ginn"}
        Real Gaussian weights or complex magnitude-phase weights.
    sigma_w2_max : float > 0
        Upper end of the search bracket.

    Returns
    -------
    float
        The critical ``sigma_w2``.

    Raises
    ------
    ValueError
        If no crossing lies in ``(0, sigma_w2_max]`` (e.g. ``phi="linear"`` with
        ``sigma_b2 > 0``, which has no chaotic phase).

    References
    ----------
    B. Poole et al., NeurIPS 2016, Fig. 2; S. S. Schoenholz et al., ICLR 2017.

    Examples
    --------
    >>> from uniqnets.randomnets import critical_sigma_w2
    >>> print(f"{critical_sigma_w2(0.0):.4f}", f"{critical_sigma_w2(0.0, 'erf'):.4f}")
    1.0000 0.7854
    >>> print(f"{critical_sigma_w2(0.05):.4f}")
    1.7610
    """
    sigma_b2 = check_real(sigma_b2, "sigma_b2", 0.0)
    check_choice(phi, "phi", ACTIVATIONS)
    check_choice(network, "network", NETWORKS)
    hi = check_real(sigma_w2_max, "sigma_w2_max", 0.0, lo_open=True)
    _check_quadrature(hi + sigma_b2, "sigma_w2_max", 1 if network == "real" else 2)
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
