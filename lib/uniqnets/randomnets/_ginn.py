"""Magnitude-phase (gauge-invariant) networks (private).

Complex weights ``W = m e^{i theta}`` and the phase-equivariant nonlinearity
``phi(h) = f(|h|) h/|h|`` (:class:`GaugeNet`, :func:`random_ginn`,
:func:`ginn_forward`): local U(1) rotations of the units
(:func:`gauge_transform`) leave every modulus, and hence the observables and the
growth of perturbations (:func:`ginn_tangent_growth`), unchanged (Terin 2025).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_choice, check_int, check_rng
from ._gauss import ACTIVATIONS, _apply_phi, _check_sigmas, _phi

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
    check_choice(phi, "phi", ACTIVATIONS)
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
        check_int(s, "sizes", 1)
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
    check_choice(activation, "activation", ("modulus", "split"))
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

