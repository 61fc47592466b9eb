"""The continuous symmetries of a network, counted: the rank of its Jacobian on inputs.

The symmetry group ``G`` of an architecture is the set of transformations of the
parameters that leave the network function unchanged.  Its discrete part (permutations
of hidden units, sign flips) has dimension zero; its continuous part (rescalings,
general linear maps inside attention, ...) moves a parameter vector ``theta`` along an
orbit whose tangent directions ``v`` leave the outputs unchanged to first order:
``J v = 0`` with ``J = d f(X; theta) / d theta`` the Jacobian of all outputs on inputs
``X``.  The *symmetry dimension* ``n_params - rank J`` (Grigsby et al.'s batch
functional dimension, subtracted from the parameter count) is the dimension of that
tangent space once ``X`` holds enough generic inputs; on too few inputs it can only be
larger (the test is that doubling ``X`` leaves it unchanged).

- :func:`symmetry_dimension`: ``J`` in float64 (``jax.jacrev`` per sample), its singular
  values, the numerical rank and the gap between kept and dropped singular values (a
  :class:`SymmetryDimension`);
- :func:`expected_symmetry_dimension`: the closed forms where they are known, with their
  parts (derived in its docstring, the transformer's included);
- :func:`symmetry_table`: both for a set of networks at random parameters, and
  ``SYMMETRY_NETWORKS``, small networks of about a thousand parameters on 6x6 images.

References
----------
J. E. Grigsby, K. Lindsey, R. Meyerhoff, C. Wu, "Functional dimension of feedforward
ReLU neural networks", arXiv:2209.04036 (2022).
H. J. Sussmann, "Uniqueness of the weights for minimal feedforward nets with a given
input-output map", Neural Networks 5 (1992) 589-593.
L. Dinh, R. Pascanu, S. Bengio, Y. Bengio, "Sharp minima can generalize for deep nets",
ICML 2017.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
import scipy.linalg

from .._validate import check_array, check_int, check_real, check_rng, check_size
from ._matching import _check_theta
from ._models import Network, cnn, mlp, transformer

__all__ = ["SYMMETRY_NETWORKS", "SymmetryDimension", "expected_symmetry_dimension",
           "symmetry_dimension", "symmetry_table"]

#: Small networks on 6x6 images with 10 outputs, about a thousand parameters each, for a
#: table of symmetry dimensions: three MLPs of one architecture (tanh, ReLU, linear), a
#: ReLU CNN and a pre-LN transformer reading the image's rows as tokens (GELU MLP blocks).
SYMMETRY_NETWORKS = {
    "tanh MLP": mlp((36, 24, 10), "tanh"),
    "ReLU MLP": mlp((36, 24, 10), "relu"),
    "linear MLP": mlp((36, 24, 10), "linear"),
    "ReLU CNN": cnn((6, 6, 1), (4, 8), 10),
    "transformer": transformer(6, 8, 2, 1, 10, d_in=6),
}

_EPS = np.finfo(np.float64).eps
_CACHE: dict = {}  # compiled Jacobians by network


@dataclass(frozen=True)
class SymmetryDimension:
    """The rank of a network's Jacobian on a set of inputs (:func:`symmetry_dimension`).

    Attributes
    ----------
    n_params : int
        Number of parameters (columns of ``J``).
    n_rows : int
        Rows of ``J``: samples times outputs per sample.
    rank : int or None
        Singular values above ``threshold``; None when ``J`` is not finite.
    dimension : int or None
        ``n_params - rank``: parameter directions that leave every output on the inputs
        unchanged to first order.
    singular_values : numpy array, shape (n_params,)
        Of ``J``, decreasing (NaN when ``J`` is not finite); in the units of the outputs
        per unit of parameter.
    gap : float
        ``s_rank / s_{rank+1}``, the drop at the cut: large (many orders of magnitude)
        when the null space is clean; ``inf`` when nothing is cut (``dimension == 0``),
        NaN when ``J`` is zero or not finite.
    threshold : float
        The cut, ``rtol * s_max``.
    rtol : float
    finite : bool
        Whether ``J`` was finite (an overflow is reported here, not raised).
    """

    n_params: int
    n_rows: int
    rank: int | None
    dimension: int | None
    singular_values: np.ndarray
    gap: float
    threshold: float
    rtol: float
    finite: bool

    @property
    def per_parameter(self) -> float:
        """``dimension / n_params`` (NaN when ``J`` is not finite).

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.practice import SymmetryDimension
        >>> SymmetryDimension(4, 8, 3, 1, np.array([3.0, 2, 1, 0]), np.inf, 0.0, 1e-12,
        ...                   True).per_parameter
        0.25
        """
        return math.nan if self.dimension is None else self.dimension / self.n_params


def _check_network(network) -> Network:
    if not isinstance(network, Network):
        raise TypeError(f"network must be a Network, got {type(network).__name__}")
    return network


def _tokens(network) -> bool:
    return network.kind == "transformer" and bool(network.cfg["vocab"])


def _outputs_per_sample(network) -> int:
    cfg = network.cfg
    if network.kind == "mlp":
        return cfg["sizes"][-1]
    if network.kind == "transformer" and not cfg["pool"]:
        return cfg["n_out"] * cfg["seq_len"]
    return cfg["n_out"]


def _inputs(network, X):
    if _tokens(network):
        X = check_array(X, "X", ndim=2, dtype=None)
        if X.dtype.kind not in "iu":
            raise TypeError(f"X must hold integer tokens for this transformer, got dtype "
                            f"{X.dtype}")
        vocab = network.cfg["vocab"]
        if X.size and (X.min() < 0 or X.max() >= vocab):
            raise ValueError(f"X tokens must lie in 0..{vocab - 1}")
        X = X.astype(np.int64)
    else:
        X = check_array(X, "X", ndim=2, dtype=np.float64)
    if X.shape[1] != network.n_in:
        raise ValueError(f"X must have shape (n_samples, {network.n_in}), got {X.shape}")
    return X


def _jacobian_fn(network):
    """``theta, X -> J`` of shape (n_samples, outputs per sample, n_params), compiled."""
    if network not in _CACHE:
        def per_sample(theta, x):
            return network.apply(network.unflatten(theta), x[None]).reshape(-1)

        # reverse mode per sample costs one backward pass per output: fewer than the
        # parameters, which forward mode would need one pass each for
        jac = jax.jacrev if _outputs_per_sample(network) <= network.n_params else jax.jacfwd
        _CACHE[network] = jax.jit(jax.vmap(jac(per_sample), in_axes=(None, 0)))
    return _CACHE[network]


def _jacobian(network, theta, X) -> np.ndarray:
    """The Jacobian of all outputs on ``X``, shape (n_samples * n_out, n_params), float64."""
    J = _jacobian_fn(network)(jnp.asarray(theta, jnp.float64), jnp.asarray(X))
    return np.asarray(J).reshape(-1, network.n_params)


def symmetry_dimension(network, theta, X, rtol: float | None = None) -> SymmetryDimension:
    """The dimension of the parameter directions that leave a network's outputs unchanged.

    ``J`` is the Jacobian of every output of every sample of ``X`` (flattened in that
    order, one row each) with respect to the flat parameters, computed exactly by
    automatic differentiation in float64; its numerical rank counts the singular values
    above ``rtol * s_max``, and ``dimension = n_params - rank``.  The null space of ``J``
    contains the tangent space of the symmetry orbit through ``theta``; it equals it when
    ``X`` has enough generic inputs, which a second call on more inputs checks (the
    dimension must not change).  At a special ``theta`` (zero biases, unit layer-norm
    gains, a dead ReLU unit) it can exceed the generic orbit's dimension.

    Parameters
    ----------
    network : Network
    theta : array, shape (n_params,)
        Finite parameters; converted to float64.
    X : array, shape (n_samples, n_in)
        Inputs (integer tokens for a transformer with a vocabulary), with
        ``n_samples * outputs per sample >= n_params``: fewer rows than columns would
        leave a null space whatever the symmetries.
    rtol : float in (0, 1), optional
        Relative cut; by default ``max(n_rows, n_params) * eps`` (float64).

    Returns
    -------
    SymmetryDimension

    References
    ----------
    J. E. Grigsby, K. Lindsey, R. Meyerhoff, C. Wu, "Functional dimension of feedforward
    ReLU neural networks", arXiv:2209.04036 (2022): the rank of ``J`` on a batch.
    G. H. Golub, C. F. Van Loan, "Matrix computations", 4th ed., Johns Hopkins 2013,
    Sec. 5.4.1 (numerical rank).

    Examples
    --------
    A ReLU network's function is unchanged when a hidden unit's weights and bias are
    scaled by ``c > 0`` and its outgoing weights by ``1 / c``: one direction per unit.

    >>> import numpy as np
    >>> from uniqnets.practice import mlp, symmetry_dimension
    >>> net = mlp((5, 6, 4, 3), "relu")
    >>> rng = np.random.default_rng(0)
    >>> theta = net.init(rng) + 0.1 * rng.standard_normal(net.n_params)
    >>> s = symmetry_dimension(net, theta, rng.standard_normal((400, 5)))
    >>> s.n_params, s.rank, s.dimension, bool(s.gap > 1e8)
    (79, 69, 10, True)
    """
    network = _check_network(network)
    theta = _check_theta(network, theta, "theta").astype(np.float64)
    X = _inputs(network, X)
    n_rows = X.shape[0] * _outputs_per_sample(network)
    if n_rows < network.n_params:
        raise ValueError(f"X gives {n_rows} outputs ({X.shape[0]} samples), fewer than the "
                         f"{network.n_params} parameters: the rank could not tell the "
                         "symmetries from the missing rows")
    check_size(n_rows * network.n_params, "X")
    if rtol is not None:
        rtol = check_real(rtol, "rtol", lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    else:
        # J is exact up to rounding: each entry carries a few eps of relative error, and
        # the SVD is backward stable, so a null direction shows a singular value of about
        # ||E||_2 <= sqrt(n_rows n_params) eps max|J_ij| <= max(n_rows, n_params) eps s_max
        # (numpy.linalg.matrix_rank's default); measured: 1e-16 s_max, while the
        # smallest kept ones are 1e-8 s_max (a transformer: layer norm's eps) and above
        rtol = max(n_rows, network.n_params) * _EPS
    J = _jacobian(network, theta, X)
    if not np.all(np.isfinite(J)):
        return SymmetryDimension(network.n_params, n_rows, None, None,
                                 np.full(network.n_params, np.nan), math.nan, math.nan,
                                 rtol, False)
    s = scipy.linalg.svdvals(J, check_finite=False)
    threshold = rtol * s[0]
    rank = int(np.count_nonzero(s > threshold))
    if rank == 0:
        gap = math.nan
    elif rank == s.size:
        gap = math.inf
    else:
        gap = float(s[rank - 1] / s[rank]) if s[rank] > 0 else math.inf
    return SymmetryDimension(network.n_params, n_rows, rank, network.n_params - rank, s,
                             gap, float(threshold), rtol, True)


def _transformer_parts(cfg) -> dict | None:
    D, L, H, N = cfg["d_model"], cfg["seq_len"], cfg["n_heads"], cfg["n_layers"]
    r, act = cfg["mlp_ratio"], cfg["activation"]
    # the vectors the first layer's layer norm reads span the embedding's rows and the
    # positions; if they leave part of the D - 1 centred directions unseen, the first
    # layer's reads are free there (more symmetries, no closed form here)
    inputs = cfg["d_in"] + L if cfg["d_in"] else cfg["vocab"] + L - 1
    if act == "linear" or N < 1 or L < 2 or D < 4 or inputs < D - 1:
        return None
    parts = {
        "embedding bias into the positions": D,
        "positions along the ones vector": L,
        ("embedding along the ones vector" if cfg["d_in"] else
         "token embeddings along the ones vector"): cfg["d_in"] or cfg["vocab"] - 1,
        "rotations of the residual stream, O(D - 1)": (D - 1) * (D - 2) // 2,
        "attention layer norm: gain and bias": 2 * D * N,
        "GL(d_h) of queries and keys, per head": D * D // H * N,
        "key shifts (softmax ignores them)": D * N,
        "GL(d_h) of values and outputs, per head": D * D // H * N,
        "attention output along the ones vector": D * N,
        "MLP layer norm: gain, bias, first layer along 1/gain": (2 * D + r * D) * N,
        "MLP output along the ones vector": (r * D + 1) * N,
        "final layer norm: gain, bias, read-out along 1/gain": 2 * D + cfg["n_out"],
    }
    if H > 1:
        parts["value shift that writes along the ones vector"] = N
    if act == "relu":
        parts["rescalings of the MLP's ReLU units"] = r * D * N
    return parts


def expected_symmetry_dimension(network, parts: bool = False):
    """The closed-form dimension of a network's continuous symmetries, where it is known.

    Generic parameters, inputs that determine the function; each count is the dimension
    of a group acting on the parameters without changing the function, and the tests
    check that nothing else does (:func:`symmetry_dimension` equals it).

    - **tanh MLP: 0.**  Only permutations and sign flips of hidden units (Sussmann 1992
      for one hidden layer, Fefferman 1994 for several).
    - **ReLU MLP: the sum of the hidden widths.**  ``relu(c z) = c relu(z)`` for
      ``c > 0``: a hidden unit's incoming weights and bias times ``c``, its outgoing
      weights over ``c`` (Dinh et al. 2017).  Some parameters have more, "hidden"
      symmetries (Grigsby et al. 2023), and a unit dead on every input frees all its
      weights; neither is generic for the networks tested.
    - **linear MLP ``(n_0, ..., n_L)``: ``n_params - r (n_0 + n_L - r) - n_L``** with
      ``r = min(n_l)``.  The function is ``x -> M x + c`` with ``M`` any matrix of rank
      ``<= r`` (dimension ``r (n_0 + n_L - r)``, Trager et al. 2020) and ``c`` free; every
      other direction is a symmetry.  One hidden layer of width ``h <= n_0, n_L``:
      ``h^2 + h``, the affine group of the hidden layer (``GL(h)`` on ``(W_1, b_1)`` and
      ``W_2``, and ``b_1 -> b_1 + d``, ``b_2 -> b_2 - W_2 d``).
    - **ReLU CNN of** :func:`cnn` **: the sum of the channels.**  Every convolution has a
      bias and is followed by ReLU (the last by the dense read-out of the flattened map,
      no pooling): a channel's kernel slice and bias times ``c > 0``, the next layer's
      weights reading that channel (at every position) over ``c``.
    - **transformer of** :func:`transformer` (pre-LN, attention without biases, mean
      pooling or not), with ``D = d_model``, ``H`` heads of width ``d_h = D / H``, ``N``
      layers, MLP width ``r D``, ``L`` tokens of ``d_in`` features, ``n_out`` outputs:

      ``d_in + D + L + (D - 1)(D - 2)/2 + 2 D + n_out
      + N [2 D^2/H + 6 D + 2 r D + 1 + (H > 1) (+ r D for ReLU)]``.

      Every read of the residual stream goes through a layer norm, which sees only the
      centred token ``n = (h - mean h) / std h``, orthogonal to the ones vector ``1``:

      * writes along ``1`` are invisible: ``W_e`` (``d_in``), each position (``L``),
        ``W_o`` (``D``), ``W_2`` (``r D``) and ``b_2`` (1) plus ``a 1^T``; the embedding
        bias only adds to the positions (``D``);
      * a rotation ``R`` of the stream that fixes ``1`` keeps every centred token's norm:
        writes ``W -> W R``, reads ``diag(g) W -> R^T diag(g) W`` (the gains move into the
        next linear maps), ``O(D - 1)``: ``(D - 1)(D - 2)/2`` (Ashkboos et al. 2024);
      * a layer norm's gain ``g`` and bias ``b`` are absorbed by the linear maps that
        read it: ``u W = n diag(g) W + b W``; ``diag(g) W`` only matters modulo
        ``(1/g) a^T``, which shifts ``u W`` by ``(b . 1/g) a``: ``2 D`` per layer norm,
        plus one direction per output of the map when it has a bias to absorb the
        shift (``r D`` for ``W_1``, ``n_out`` for the read-out; attention has none, so
        its layer norm's ``2 D`` are all);
      * per head, ``q k^T`` is unchanged by ``(W_q, W_k) -> (W_q A, W_k A^-T)`` and
        ``v W_o`` by ``(W_v, W_o) -> (W_v B, B^-1 W_o)``, ``A, B`` in ``GL(d_h)``:
        ``2 H d_h^2 = 2 D^2/H`` per layer (Tran et al. 2025);
      * softmax ignores a shift of every key by the same vector (``H d_h = D``): the
        centred tokens give ``u (1/g) = b . 1/g`` for every token, so
        ``W_k -> W_k + (1/g) s^T`` does it;
      * a shift of every value by ``s`` adds ``s W_o`` to every token; with ``H > 1`` one
        such ``s`` makes it a multiple of ``1`` (with ``H = 1`` it is in ``GL(D)``);
      * ReLU MLP blocks add one rescaling per hidden unit (``r D``); GELU and tanh none.

      Claimed for ``N >= 1``, ``L >= 2``, ``D >= 4`` and ``d_in + L >= D - 1`` (or
      ``vocab + L - 1``, a vocabulary replacing ``d_in`` by ``vocab - 1``): the first
      layer then sees every centred direction.  Elsewhere (a single token, inputs too
      narrow, no layers) the measured dimension is larger; this count is a lower bound.

    Layer-norm scale invariance ``h -> c h`` is not exact (the ``eps`` in the variance)
    and is not counted: it gives the smallest kept singular value of a transformer's
    Jacobian, ``1e-8`` to ``1e-6`` of ``s_max``, still far above the cut.

    Parameters
    ----------
    network : Network
    parts : bool
        Return the parts, ``{what: count}``, rather than their sum.

    Returns
    -------
    int, dict of str to int, or None
        None where no closed form is known here (GELU MLPs and CNNs, tanh and linear
        CNNs, ResNets, linear transformers, the degenerate transformers above).

    References
    ----------
    H. J. Sussmann, Neural Networks 5 (1992) 589-593; C. Fefferman, "Reconstructing a
    neural net from its output", Rev. Mat. Iberoam. 10 (1994) 507-555.
    L. Dinh, R. Pascanu, S. Bengio, Y. Bengio, "Sharp minima can generalize for deep
    nets", ICML 2017.
    J. E. Grigsby, K. Lindsey, D. Rolnick, "Hidden symmetries of ReLU networks",
    ICML 2023.
    M. Trager, K. Kohn, J. Bruna, "Pure and spurious critical points: a geometric study
    of linear networks", ICLR 2020.
    S. Ashkboos et al., "SliceGPT: compress large language models by deleting rows and
    columns", ICLR 2024 (computational invariance).
    V.-H. Tran et al., "Equivariant neural functional networks for transformers",
    ICLR 2025.

    Examples
    --------
    >>> from uniqnets.practice import expected_symmetry_dimension, mlp, transformer
    >>> expected_symmetry_dimension(mlp((6, 4, 5), "linear"))  # 4^2 + 4
    20
    >>> net = transformer(4, 8, 2, 1, 3, d_in=3)
    >>> expected_symmetry_dimension(net), net.n_params
    (233, 947)
    >>> expected_symmetry_dimension(net, parts=True)["GL(d_h) of queries and keys, per head"]
    32
    """
    network = _check_network(network)
    if not isinstance(parts, (bool, np.bool_)):
        raise TypeError(f"parts must be True or False, got {type(parts).__name__}")
    cfg, act = network.cfg, network.cfg["activation"]
    out = None
    if network.kind == "mlp":
        sizes = cfg["sizes"]
        if act == "tanh":
            out = {}
        elif act == "relu":
            out = {"rescalings of the hidden units": sum(sizes[1:-1])}
        elif act == "linear":
            r = min(sizes)
            out = {"parameters beyond the affine maps of rank <= r":
                   network.n_params - r * (sizes[0] + sizes[-1] - r) - sizes[-1]}
    elif network.kind == "cnn" and act == "relu":
        out = {"rescalings of the channels": sum(cfg["channels"])}
    elif network.kind == "transformer":
        out = _transformer_parts(cfg)
    if out is None or parts:
        return out
    return int(sum(out.values()))


def _draw_inputs(network, rng, n):
    if _tokens(network):
        return rng.integers(0, network.cfg["vocab"], (n, network.cfg["seq_len"]))
    return rng.standard_normal((n, network.n_in))


def symmetry_table(networks, rng, n_samples: int | None = None,
                   jitter: float = 0.1) -> list[dict]:
    """Measured and closed-form symmetry dimensions of several networks, one row each.

    Each network gets random parameters (:meth:`Network.init`, then Gaussian noise of
    standard deviation ``jitter`` on every parameter) and standard Gaussian inputs
    (uniform tokens for a vocabulary), drawn from ``rng`` in that order, network by
    network; :func:`symmetry_dimension` measures, :func:`expected_symmetry_dimension`
    gives the closed form.

    Parameters
    ----------
    networks : dict of str to Network
    rng : numpy.random.Generator
    n_samples : int >= 1, optional
        Inputs per network; by default enough for four times as many outputs as
        parameters: with twice as many, a ReLU unit active on few inputs can look like a
        symmetry (the ReLU CNN of ``SYMMETRY_NETWORKS`` did at 2 of 10 seeds).
    jitter : float >= 0
        :meth:`Network.init` leaves biases at zero and layer-norm gains at one, a special
        point where more directions are null (a transformer's layer norms then lose
        their bias directions); the noise moves to a generic point nearby.

    Returns
    -------
    list of dict
        Per network: ``name``, ``n_params``, ``n_samples``, ``dimension`` (measured),
        ``per_parameter`` (``dimension / n_params``), ``closed_form`` (None if unknown)
        and ``gap`` (:class:`SymmetryDimension`).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import cnn, mlp, symmetry_table
    >>> rows = symmetry_table({"tanh": mlp((4, 5, 3)), "CNN": cnn((4, 4, 1), (2,), 3)},
    ...                       np.random.default_rng(0))
    >>> [(r["name"], r["n_params"], r["dimension"], r["closed_form"]) for r in rows]
    [('tanh', 43, 0, 0), ('CNN', 119, 2, 2)]
    """
    if not isinstance(networks, dict):
        raise TypeError(f"networks must be a dict of name to Network, got "
                        f"{type(networks).__name__}")
    if not networks:
        raise ValueError("networks must hold at least one network")
    for name, net in networks.items():
        if not isinstance(net, Network):
            raise TypeError(f"networks[{name!r}] must be a Network, got "
                            f"{type(net).__name__}")
    rng = check_rng(rng)
    if n_samples is not None:
        n_samples = check_int(n_samples, "n_samples", lo=1)
    jitter = check_real(jitter, "jitter", lo=0.0)
    rows = []
    for name, net in networks.items():
        per = _outputs_per_sample(net)
        n = n_samples if n_samples is not None else -(-4 * net.n_params // per)
        check_size(n * max(per * net.n_params, net.n_in), "n_samples")
        if n * per < net.n_params:
            raise ValueError(f"n_samples ({n}) gives {n * per} outputs for {name!r}, fewer "
                             f"than its {net.n_params} parameters")
        theta = net.init(rng)
        theta = theta + jitter * rng.standard_normal(net.n_params)
        s = symmetry_dimension(net, theta, _draw_inputs(net, rng, n))
        rows.append({"name": str(name), "n_params": net.n_params, "n_samples": n,
                     "dimension": s.dimension, "per_parameter": s.per_parameter,
                     "closed_form": expected_symmetry_dimension(net), "gap": s.gap})
    return rows
