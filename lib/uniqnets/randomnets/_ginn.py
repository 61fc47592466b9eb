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

from .._validate import check_array, check_choice, check_int, check_rng, check_size
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
        ``b_l``.
    phi : str
        ``f``, one of ``ACTIVATIONS``.

    Raises
    ------
    TypeError, ValueError
        If the layers are not arrays of matching shapes, a magnitude is negative, or
        an entry is not finite (checked on construction).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.randomnets import GaugeNet
    >>> net = GaugeNet([np.ones((3, 2))], [np.zeros((3, 2))], [np.zeros(3, complex)])
    >>> net.sizes
    (2, 3)
    >>> print(np.round(net.weights[0][0], 3))
    [1.+0.j 1.+0.j]
    """

    magnitudes: list
    phases: list
    biases: list
    phi: str = "tanh"

    def __post_init__(self):
        check_choice(self.phi, "phi", ACTIVATIONS)
        layers = []
        for name in ("magnitudes", "phases", "biases"):
            value = getattr(self, name)
            if isinstance(value, (str, bytes, np.ndarray)) or not hasattr(value, "__len__"):
                raise TypeError(f"{name} must be a list of arrays, one per layer, "
                                f"got {type(value).__name__}")
            layers.append(len(value))
        if layers[0] < 1 or len(set(layers)) > 1:
            raise ValueError(f"magnitudes, phases and biases must hold the same number "
                             f"(>= 1) of layers, got {layers}")
        mags, phs, bs = [], [], []
        n_in = None
        for i, (m, th, b) in enumerate(zip(self.magnitudes, self.phases, self.biases,
                                           strict=True)):
            m = check_array(m, f"magnitudes[{i}]", ndim=2)
            if n_in is not None and m.shape[1] != n_in:
                raise ValueError(f"magnitudes[{i}] must have {n_in} columns (the units of "
                                 f"the layer below), got shape {m.shape}")
            if np.any(m < 0):
                raise ValueError(f"magnitudes[{i}] must be >= 0")
            mags.append(m)
            phs.append(check_array(th, f"phases[{i}]", shape=m.shape))
            bs.append(check_array(b, f"biases[{i}]", shape=(m.shape[0],), dtype=complex))
            n_in = m.shape[0]
        # the checked arrays are the given ones when they already have the right dtype
        self.magnitudes, self.phases, self.biases = mags, phs, bs

    @property
    def weights(self) -> list:
        """Complex weight matrices ``m e^{i theta}``, one per layer.

        Examples
        --------
        >>> from uniqnets.randomnets import random_ginn
        >>> [W.shape for W in random_ginn((2, 4, 3), 1.0, 0.0, rng=0).weights]
        [(4, 2), (3, 4)]
        """
        return [m * np.exp(1j * th) for m, th in zip(self.magnitudes, self.phases, strict=True)]

    @property
    def sizes(self) -> tuple:
        """Units per layer ``(n_0, n_1, ..., n_L)``, input first.

        Examples
        --------
        >>> from uniqnets.randomnets import random_ginn
        >>> random_ginn((2, 4, 3), 1.0, 0.0, rng=0).sizes
        (2, 4, 3)
        """
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
        Weight variance times fan-in, bias variance.
    rng : numpy.random.Generator or int
        Source of the parameters (an integer is a seed).
    phi : {"tanh", "erf", "linear"}
        ``f`` of the nonlinearity ``f(|h|) h/|h|``.

    Returns
    -------
    GaugeNet

    References
    ----------
    R. C. Terin, "The GINN framework: a stochastic QED correspondence for stability and
    chaos in deep neural networks", arXiv:2508.18948 (2025).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.randomnets import random_ginn
    >>> net = random_ginn((3, 50, 2), 2.0, 0.1, rng=0)
    >>> net.sizes, net.phi
    ((3, 50, 2), 'tanh')
    >>> print(f"{np.mean(net.magnitudes[0] ** 2) * 3:.2f}")  # E m^2 = sigma_w2 / n_0
    2.21
    """
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    sizes = _check_sizes(sizes)
    check_choice(phi, "phi", ACTIVATIONS)
    rng = check_rng(rng, allow_seed=True)
    check_size(sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True)), "sizes",
               itemsize=32)  # magnitudes, phases and, later, the complex weights
    mags, phs, bs = [], [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        mags.append(rng.rayleigh(np.sqrt(0.5 * sigma_w2 / n_in), size=(n_out, n_in)))
        phs.append(rng.uniform(0.0, 2 * np.pi, size=(n_out, n_in)))
        bs.append((rng.standard_normal(n_out) + 1j * rng.standard_normal(n_out))
                  * np.sqrt(0.5 * sigma_b2))
    return GaugeNet(mags, phs, bs, phi)


def _check_sizes(sizes):
    if isinstance(sizes, (str, bytes)):
        raise TypeError("sizes must be a sequence of integers, got str")
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
        The network.
    x : array, shape (n_0,) or (n_samples, n_0), real or complex
        Inputs (finite).
    activation : {"modulus", "split"}
        ``"modulus"``: ``phi(h) = f(|h|) h/|h|`` (phase-equivariant, the GINN).
        ``"split"``: ``f(Re h) + i f(Im h)``, the common split-complex nonlinearity,
        which is *not* phase-equivariant (a negative control for the invariance).

    Returns
    -------
    list of complex arrays
        ``[z_1, ..., z_L]``, each of shape (n_samples, n_l) (or (n_l,) for a single input).

    References
    ----------
    R. C. Terin, arXiv:2508.18948 (2025).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.randomnets import ginn_forward, random_ginn
    >>> net = random_ginn((3, 8, 2), 2.0, 0.1, rng=0)
    >>> z = ginn_forward(net, np.ones((5, 3)))
    >>> [a.shape for a in z]
    [(5, 8), (5, 2)]
    >>> bool(np.all(np.abs(z[-1]) < 1))  # |tanh| < 1
    True
    """
    net = _check_net(net)
    check_choice(activation, "activation", ("modulus", "split"))
    x = check_array(x, "x", ndim=(1, 2), dtype=complex)
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
        The network.
    alphas : sequence of L arrays, shapes (n_l,)
        Phases (radians) of the units of layers ``1..L``, finite.
    alpha0 : array, shape (n_0,), optional
        Phases of the inputs.

    Returns
    -------
    GaugeNet
        The transformed network (``net`` is not modified).

    References
    ----------
    R. C. Terin, arXiv:2508.18948 (2025).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.randomnets import gauge_transform, ginn_forward, random_ginn
    >>> net = random_ginn((3, 8, 2), 2.0, 0.1, rng=0)
    >>> alphas = [np.full(8, 0.3), np.full(2, -1.0)]
    >>> x = np.ones(3)
    >>> z, z2 = ginn_forward(net, x)[-1], ginn_forward(gauge_transform(net, alphas), x)[-1]
    >>> bool(np.max(np.abs(np.abs(z2) - np.abs(z))) < 1e-14)  # moduli unchanged
    True
    """
    net = _check_net(net)
    sizes = net.sizes
    if isinstance(alphas, (str, bytes)) or not hasattr(alphas, "__iter__"):
        raise TypeError(f"alphas must be a sequence of arrays, one per layer, "
                        f"got {type(alphas).__name__}")
    alphas = list(alphas)
    if len(alphas) != len(sizes) - 1:
        raise ValueError(f"alphas must hold {len(sizes) - 1} arrays (one per layer), "
                         f"got {len(alphas)}")
    prev = (np.zeros(sizes[0]) if alpha0 is None
            else check_array(alpha0, "alpha0", shape=(sizes[0],)))
    phs, bs = [], []
    for l, (a, th, b) in enumerate(zip(alphas, net.phases, net.biases, strict=True), start=1):
        a = check_array(a, f"alphas[{l - 1}]", shape=(sizes[l],))
        phs.append(th + a[:, None] - prev[None, :])
        bs.append(np.exp(1j * a) * b)
        prev = a
    return GaugeNet([m.copy() for m in net.magnitudes], phs, bs, net.phi)


def ginn_tangent_growth(net, x, v):
    """Per-layer log-growth of a tangent vector through a :class:`GaugeNet` (modulus phi).

    Parameters
    ----------
    net : GaugeNet
        The network.
    x : array, shape (n_0,)
        Input (finite).
    v : array, shape (n_0,), complex
        Input perturbation (finite, non-zero).

    Returns
    -------
    array, shape (L,)
        ``ln(|dh_l| / |dh_{l-1}|)`` with ``dh_0 = v``: gauge invariant, since a gauge
        transformation rotates every ``dh_l`` by a diagonal unitary.

    References
    ----------
    R. C. Terin, arXiv:2508.18948 (2025).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.randomnets import ginn_tangent_growth, random_ginn
    >>> net = random_ginn((3, 8, 2), 2.0, 0.1, rng=0)
    >>> ginn_tangent_growth(net, np.ones(3), np.array([1.0, 1j, 0.0])).shape
    (2,)
    """
    net = _check_net(net)
    x = check_array(x, "x", shape=(net.sizes[0],), dtype=complex)
    v = check_array(v, "v", shape=(net.sizes[0],), dtype=complex)
    if not np.any(v):
        raise ValueError("v must be a non-zero perturbation")
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

