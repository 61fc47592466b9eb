"""The double copy: two replicas of a deep random network, mean field and finite width (private).

Two inputs propagated through the same random weights: the one-layer map of their
squared distance (:func:`cmap_distance`) and the per-layer Lyapunov exponent it
gives as the replicas merge (:func:`replica_lyapunov`); simulations of networks of
finite width, of a tangent vector (:func:`deep_tangent_exponent`) and of a pair of
inputs (:func:`deep_pair_distances`); and the O(1/N) correction to the exponent
(:func:`finite_width_correction`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

from .._validate import check_choice, check_int, check_real, check_rng, check_size, check_steps
from ._gauss import (
    ACTIVATIONS,
    NETWORKS,
    _apply_phi,
    _check_sigmas,
    _f_over_r,
    _gauss_hermite,
    _phi,
    _rule,
)
from ._signal import _qstar

# -- the double copy ------------------------------------------------------------------------

def _default_nquad(n_quad, network):
    if n_quad is None:
        return 28
    n = check_int(n_quad, "n_quad", 4)
    if network == "ginn":  # a few complex arrays of n^4 nodes (see _pair_distance)
        check_size(6 * n ** 4, "n_quad", itemsize=16)
    return n


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
    z, w = _gauss_hermite(n)
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
        Squared distance per unit of the two replicas' pre-activations.
    sigma_w2, sigma_b2, phi, network, n_quad
        As in :func:`chi1`.  ``n_quad`` is used by the GINN only: Gauss-Hermite nodes
        per dimension of its 4-D rule (``n_quad^4`` nodes; default 28, relative error
        ~1e-6 for ``q* <~ 1.5``, growing with ``q*``).

    Returns
    -------
    float
        ``d'`` per unit.

    References
    ----------
    B. Poole et al., NeurIPS 2016, eq. (5); R. C. Terin, arXiv:2508.18948 (2025).

    Examples
    --------
    >>> from uniqnets.randomnets import cmap_distance
    >>> d = 1e-3
    >>> print(f"{cmap_distance(d, 2.0, 0.05) / d:.4f}")  # the growth of a small distance
    1.0475
    """
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    check_choice(phi, "phi", ACTIVATIONS)
    check_choice(network, "network", NETWORKS)
    n = _default_nquad(n_quad, network)
    q = _qstar(sigma_w2, sigma_b2, phi, network)
    d = check_real(d, "d", 0.0, 4.0 * q * (1 + 1e-12))
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

    Examples
    --------
    >>> from uniqnets.randomnets import replica_lyapunov
    >>> res = replica_lyapunov(2.0, 0.05, d0=1e-3, n_layers=3)
    >>> print(f"{res.lyapunov:.4f} {res.chi1:.4f}", res.distances.shape)
    0.0233 1.0477 (4,)
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
        Weight variance times fan-in, bias variance.
    phi : {"tanh", "erf", "linear"}
        The nonlinearity.
    network : {"real", "ginn"}
        Real Gaussian weights or complex magnitude-phase weights.
    d0 : float, optional
        Initial squared distance per unit for the finite-distance iteration.
    n_layers : int >= 0
        Layers to iterate the map from ``d0``.
    d_lin : float in (0, 0.01]
        Relative distance ``d/q*`` at which the linearised growth is read off.
    n_quad : int, optional
        GINN only: nodes per dimension of its 4-D rule (see :func:`cmap_distance`).

    Returns
    -------
    ReplicaResult

    References
    ----------
    B. Poole et al., NeurIPS 2016; R. C. Terin, "The GINN framework", arXiv:2508.18948
    (2025).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.randomnets import chi1, replica_lyapunov
    >>> res = replica_lyapunov(2.0, 0.05)
    >>> print(f"{res.lyapunov:.4f}", f"{0.5 * np.log(chi1(2.0, 0.05)):.4f}")
    0.0233 0.0233
    >>> res = replica_lyapunov(2.0, 0.05, d0=1e-3, n_layers=3)
    >>> print(np.round(res.distances, 5), f"{res.dstar:.4f}")
    [0.001   0.00105 0.0011  0.00115] 0.3694
    """
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    check_choice(phi, "phi", ACTIVATIONS)
    check_choice(network, "network", NETWORKS)
    n = _default_nquad(n_quad, network)
    n_layers = check_steps(n_layers, "n_layers", 0)
    check_size(n_layers + 1, "n_layers")
    d_lin = check_real(d_lin, "d_lin", 0.0, 1e-2, lo_open=True)
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
        d = check_real(d0, "d0", 0.0, 4.0 * q * (1 + 1e-12))
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

    Examples
    --------
    >>> from uniqnets.randomnets import deep_tangent_exponent
    >>> res = deep_tangent_exponent(2.0, 0.05, 64, 40, rng=0, n_chains=4)
    >>> print(res.log_growth.shape, res.diverged)
    (40, 4) False
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
        Weight variance times fan-in, bias variance.
    width : int >= 2
        Units per layer ``N``.
    n_layers : int >= 2 * n_blocks
        Measured layers (after ``n_transient`` layers that bring ``h`` to ``q*``).
    rng : numpy.random.Generator or int
        Source of the weights, biases and initial vectors (an integer is a seed).
    phi, network
        As in :func:`chi1`.
    method : {"gram", "dense"}
        ``"dense"`` draws every weight matrix; ``"gram"`` draws ``W [a, v]`` from its
        exact law given ``(a, v)`` (see ``_layer``), at O(width) cost per layer.
    n_chains : int >= 1
        Independent networks.
    n_transient : int >= 0
        Layers run before measuring.
    n_blocks : int >= 2
        Blocks of layers for the batch-means error (``n_chains = 1``).

    Returns
    -------
    DeepExponent

    References
    ----------
    C. M. Newman, "The distribution of Lyapunov exponents: exact results for random
    matrices", Commun. Math. Phys. 103 (1986) 121-126; B. Poole et al., NeurIPS 2016.

    Examples
    --------
    >>> from uniqnets.randomnets import deep_tangent_exponent
    >>> res = deep_tangent_exponent(2.0, 0.05, 64, 40, rng=0, n_chains=4)
    >>> print(f"{res.exponent:.3f} +- {res.stderr:.3f}", f"q = {res.q_mean:.2f}")
    0.004 +- 0.009 q = 0.73
    """
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    N = check_int(width, "width", 2)
    n_blocks = check_int(n_blocks, "n_blocks", 2)
    n_layers = check_steps(n_layers, "n_layers", 2 * n_blocks)
    n_transient = check_steps(n_transient, "n_transient", 0)
    M = check_int(n_chains, "n_chains", 1)
    check_choice(phi, "phi", ACTIVATIONS)
    check_choice(network, "network", NETWORKS)
    check_choice(method, "method", ("gram", "dense"))
    rng = check_rng(rng, allow_seed=True)
    cplx = network == "ginn"
    check_size(2 * n_layers * M, "n_layers and n_chains")
    if method == "dense":  # M weight matrices per layer (complex: drawn from two reals)
        check_size(M * N * N, "width and n_chains", itemsize=32 if cplx else 8)
    else:
        check_size(8 * M * N, "width and n_chains", itemsize=16 if cplx else 8)
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

    Attributes
    ----------
    coefficient : float
        ``c`` in ``lambda_N = lambda_inf + c / N`` (per layer, natural log).
    chi_term, rho_term, q_term : float
        Its three parts.

    Examples
    --------
    >>> from uniqnets.randomnets import finite_width_correction
    >>> one = finite_width_correction(0.7, 0.2, "linear")
    >>> print(f"{one.coefficient:.3f}")
    -0.500
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
        Weight variance times fan-in, bias variance.
    phi : {"tanh", "erf", "linear"}
        The nonlinearity.

    Returns
    -------
    OneLoop

    References
    ----------
    C. M. Newman, Commun. Math. Phys. 103 (1986) 121-126 (the linear case); the rest is
    derived here and checked in chapter 05.

    Examples
    --------
    >>> from uniqnets.randomnets import finite_width_correction
    >>> one = finite_width_correction(2.0, 0.05)
    >>> print(f"{one.coefficient:.3f} = {one.chi_term:.3f} + {one.rho_term:.3f} + "
    ...       f"{one.q_term:.3f}")
    -0.903 = -0.824 + -0.191 + 0.112
    """
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    check_choice(phi, "phi", ACTIVATIONS)
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
        Weight variance times fan-in, bias variance.
    width : int >= 2
        Units per layer.
    n_layers : int >= 1
        Layers.
    d0 : float > 0
        Initial squared distance per unit.
    rng : numpy.random.Generator or int
        Source of the weights, biases and inputs (an integer is a seed).
    phi, network, method
        As in :func:`deep_tangent_exponent`.
    n_nets : int >= 1
        Independent networks.

    Returns
    -------
    array, shape (n_nets, n_layers + 1)
        ``|h^1_l - h^2_l|^2 / width`` for ``l = 0..n_layers`` (NaN after a non-finite
        value).

    References
    ----------
    B. Poole et al., NeurIPS 2016.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.randomnets import deep_pair_distances
    >>> d = deep_pair_distances(2.0, 0.05, 200, 3, 1e-3, rng=1, n_nets=2)
    >>> print(d.shape, np.round(d.mean(axis=0), 4))
    (2, 4) [0.001  0.0012 0.0011 0.0011]
    """
    sigma_w2, sigma_b2 = _check_sigmas(sigma_w2, sigma_b2)
    N = check_int(width, "width", 2)
    n_layers = check_steps(n_layers, "n_layers", 1)
    n_nets = check_int(n_nets, "n_nets", 1)
    d0 = check_real(d0, "d0", 0.0, lo_open=True)
    check_choice(phi, "phi", ACTIVATIONS)
    check_choice(network, "network", NETWORKS)
    check_choice(method, "method", ("gram", "dense"))
    rng = check_rng(rng, allow_seed=True)
    cplx = network == "ginn"
    check_size(n_nets * (n_layers + 1), "n_nets and n_layers")
    check_size(N * N if method == "dense" else 8 * N, "width", itemsize=32 if cplx else 8)
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

