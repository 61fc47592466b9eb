"""Experiments on magnitude-phase (gauge-invariant) networks (private).

:func:`gauge_invariance_check` applies a random local U(1) transformation to one random
network and measures what changes; :func:`ginn_exponent_study` compares the mean-field
exponent of the network with its double copy and with simulations at two widths.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .._validate import check_int, check_rng
from ._deep_study import _widths
from ._double_copy import deep_tangent_exponent, replica_lyapunov
from ._gauss import _check_sigmas
from ._ginn import _check_sizes, gauge_transform, ginn_forward, ginn_tangent_growth, random_ginn
from ._signal import chi1
from ._summary import Summary


@dataclass(frozen=True)
class GaugeCheck(Summary):
    """What a random local gauge transformation changes in one magnitude-phase network.

    Attributes
    ----------
    output_err : float
        Largest change of an output modulus (modulus nonlinearity).
    growth_err : float
        Largest change of the per-layer growth of a perturbation.
    split_err : float
        Largest change of an output modulus with the split-complex tanh, which is not
        phase-equivariant (a negative control: it must be large).
    """

    output_err: float
    growth_err: float
    split_err: float


def gauge_invariance_check(sizes, sigma_w2, sigma_b2, *, rng, n_inputs=16):
    """Apply a random local U(1) gauge transformation to a random GINN and compare.

    Draws, in this order from ``rng``: the network (:func:`random_ginn`), ``n_inputs``
    real inputs, one phase per unit of every layer after the input, and a complex
    perturbation of the first input.

    Parameters
    ----------
    sizes : sequence of int >= 1
        Layer sizes, input first.
    sigma_w2, sigma_b2 : float >= 0
        Weight variance times fan-in, bias variance.
    rng : numpy.random.Generator or int
        Source of every draw.
    n_inputs : int >= 1
        Inputs propagated.

    Returns
    -------
    GaugeCheck

    References
    ----------
    R. C. Terin, "The GINN framework", arXiv:2508.18948 (2025) (magnitude-phase weights).

    Examples
    --------
    >>> from uniqnets.randomnets import gauge_invariance_check
    >>> c = gauge_invariance_check((4, 8, 8), 2.0, 0.05, rng=0, n_inputs=3)
    >>> c.output_err < 1e-12, c.split_err > 1e-3
    (True, True)
    """
    sizes = _check_sizes(sizes)
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    n_inputs = check_int(n_inputs, "n_inputs", 1)
    rng = check_rng(rng, allow_seed=True)
    net = random_ginn(sizes, sigma_w2, sigma_b2, rng=rng)
    x = rng.standard_normal((n_inputs, sizes[0]))
    alphas = [rng.uniform(-np.pi, np.pi, n) for n in net.sizes[1:]]
    net_g = gauge_transform(net, alphas)
    out, out_g = ginn_forward(net, x)[-1], ginn_forward(net_g, x)[-1]
    v = rng.standard_normal(sizes[0]) + 1j * rng.standard_normal(sizes[0])
    growth = np.abs(ginn_tangent_growth(net, x[0], v) - ginn_tangent_growth(net_g, x[0], v))
    split = (np.abs(ginn_forward(net, x, activation="split")[-1])
             - np.abs(ginn_forward(net_g, x, activation="split")[-1]))
    return GaugeCheck(float(np.max(np.abs(np.abs(out) - np.abs(out_g)))),
                      float(np.max(growth)), float(np.max(np.abs(split))))


@dataclass(frozen=True)
class GinnExponents(Summary):
    """The per-layer exponent of magnitude-phase networks: mean field, double copy, simulation.

    Attributes
    ----------
    chi1 : float
        Mean-field slope ``chi_1`` of the GINN (:func:`chi1` with ``network="ginn"``).
    lam_mf : float
        ``ln(chi_1)/2``.
    replica_rel : float
        Double-copy ``chi_1`` (4-D quadrature) over ``chi1``, minus 1.
    rule_diff : float
        Relative change of the double copy from a coarser rule (``n_quad_check`` nodes):
        the quadrature's own error estimate.
    widths, exponents, stderr : array, shape (2,)
        Simulated exponents and standard errors at the smallest and largest width.
    lam_inf, lam_inf_se : float
        Their extrapolation, linear in ``1/N`` through both, and its standard error.
    """

    chi1: float
    lam_mf: float
    replica_rel: float
    rule_diff: float
    widths: np.ndarray
    exponents: np.ndarray
    stderr: np.ndarray
    lam_inf: float
    lam_inf_se: float
    _extra: ClassVar[tuple] = ("z",)

    @property
    def z(self) -> float:
        """Extrapolated minus mean-field exponent, in standard errors."""
        return (self.lam_inf - self.lam_mf) / self.lam_inf_se


def ginn_exponent_study(sigma_w2, sigma_b2, widths, n_layers, *, rng, n_chains=64,
                        n_quad_check=20):
    """Mean field, double copy and simulations of the GINN's per-layer exponent.

    Parameters
    ----------
    sigma_w2, sigma_b2 : float >= 0
        Weight variance times fan-in, bias variance.
    widths : sequence of int >= 2
        Simulated widths; the first and the last are used for the extrapolation.
    n_layers : int >= 40
        Measured layers per network.
    rng : numpy.random.Generator or int
        Source of the networks.
    n_chains : int >= 2
        Independent networks per width.
    n_quad_check : int >= 4
        Nodes per axis of the coarser double-copy rule (the default rule has 28).

    Returns
    -------
    GinnExponents

    References
    ----------
    R. C. Terin, "The GINN framework", arXiv:2508.18948 (2025).

    Examples
    --------
    >>> from uniqnets.randomnets import ginn_exponent_study
    >>> s = ginn_exponent_study(2.0, 0.05, [16, 32], 40, rng=0, n_chains=2, n_quad_check=8)
    >>> s.exponents.shape, abs(s.replica_rel) < 1e-3
    ((2,), True)
    """
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    widths = _widths(widths)
    if len(widths) < 2 or widths[0] == widths[-1]:
        raise ValueError("widths must hold two different widths for the extrapolation")
    n_layers = check_int(n_layers, "n_layers", 40)
    n_chains = check_int(n_chains, "n_chains", 2)
    n_quad_check = check_int(n_quad_check, "n_quad_check", 4, 60)
    rng = check_rng(rng, allow_seed=True)
    chi_g = chi1(sigma_w2, sigma_b2, network="ginn")
    rep = replica_lyapunov(sigma_w2, sigma_b2, network="ginn")
    sims = [deep_tangent_exponent(sigma_w2, sigma_b2, N, n_layers, rng=rng, network="ginn",
                                  n_chains=n_chains) for N in widths]
    lg = np.array([s.exponent for s in sims])
    sg = np.array([s.stderr for s in sims])
    n1, n2 = widths[0], widths[-1]
    coarse = replica_lyapunov(sigma_w2, sigma_b2, network="ginn", n_quad=n_quad_check).chi1
    return GinnExponents(
        chi1=float(chi_g), lam_mf=float(0.5 * np.log(chi_g)),
        replica_rel=float(rep.chi1 / chi_g - 1),
        rule_diff=float(abs(rep.chi1 - coarse) / chi_g),
        widths=np.array([n1, n2], dtype=float), exponents=lg[[0, -1]], stderr=sg[[0, -1]],
        lam_inf=float((n2 * lg[-1] - n1 * lg[0]) / (n2 - n1)),
        lam_inf_se=float(np.hypot(n2 * sg[-1], n1 * sg[0]) / (n2 - n1)))
