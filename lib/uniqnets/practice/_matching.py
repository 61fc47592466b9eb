"""Permutation symmetry of hidden units: apply a permutation, and find one by weight matching.

Permuting the hidden units of a layer (the rows of its weights and biases, the matching
columns of the next layer's weights) leaves the function a network computes unchanged,
whatever the elementwise nonlinearity.  Two networks trained from independent seeds are
therefore compared *modulo* these permutations: :func:`permute` applies one,
:func:`weight_matching` finds the one that brings a second network closest to a first
(Ainsworth, Hayase and Srinivasa's weight matching: coordinate ascent over layers, each
layer's permutation an exact linear assignment problem given the others).

Layouts (``perms`` lists one permutation per permuted set of units, in this order):

- :func:`mlp` ``(n_0, ..., n_L)``: one per hidden layer, of lengths ``n_1 .. n_{L-1}``;
- :func:`cnn`: one per convolution (its output channels); the last one also permutes the
  rows of the dense read-out in its flattened ``(H, W, C)`` layout;
- :func:`resnet`: one per convolution before the blocks (the stem, then the ``downsample
  - 1`` stride-2 convolutions), the last of which is the *residual stream*: every block's
  second convolution writes into it, so one permutation is shared by all of them and by
  the read-out; then one per block, for its inner channels (the first convolution's
  outputs);
- transformers are not supported (attention heads and layer norms need their own rules).

A permutation ``p`` says which old unit becomes each new one: new unit ``j`` is old unit
``p[j]``, as in :func:`uniqnets.models.permute_hidden`.

References
----------
S. K. Ainsworth, J. Hayase, S. Srinivasa, "Git Re-Basin: merging models modulo
permutation symmetries", ICLR 2023 (weight matching, their Algorithm 1).
R. Entezari, H. Sedghi, O. Saukh, B. Neyshabur, "The role of permutation invariance in
linear mode connectivity of neural networks", ICLR 2022.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from .._validate import check_array, check_int, check_rng
from ._models import Network, _cnn_side

__all__ = ["Matching", "permute", "weight_matching"]

#: network kinds whose hidden-unit permutations are supported
MATCHABLE = ("mlp", "cnn", "resnet")


def _check_network(network) -> Network:
    if not isinstance(network, Network):
        raise TypeError(f"network must be a Network, got {type(network).__name__}")
    if network.kind not in MATCHABLE:
        raise NotImplementedError(
            f"network: hidden-unit permutations of a {network.kind} are not implemented "
            f"(supported: {', '.join(MATCHABLE)}); attention heads, layer norms and the "
            "residual stream of every block would need their own rules")
    return network


def _spec(network):
    """Per leaf of the flat layout: its shape, the shape it is permuted in, and per axis of
    that view the index of the permutation acting on it (or None); plus the perm sizes."""
    cfg = network.cfg
    leaves = [leaf[1] for leaf in network._leaves()]
    if network.kind == "mlp":
        sizes = cfg["sizes"]
        n_hidden = len(sizes) - 2
        axes = []
        for l in range(len(sizes) - 1):
            out = l if l < n_hidden else None
            inp = l - 1 if l >= 1 else None
            axes += [(out, inp), (out,)]
        views = leaves
        widths = list(sizes[1:-1])
    elif network.kind == "cnn":
        chans = cfg["channels"]
        n = len(chans)
        axes = []
        for l in range(n):
            axes += [(None, None, l - 1 if l else None, l), (l,)]
        h, w = (_cnn_side(s, n) for s in cfg["image_shape"][:2])
        axes += [(None, None, n - 1, None), (None,)]
        views = leaves[:-2] + [(h, w, chans[-1], cfg["n_out"]), leaves[-1]]
        widths = list(chans)
    else:  # resnet
        n_pre = 1 + max(cfg["downsample"] - 1, 0)
        stream = n_pre - 1
        axes = []
        for l in range(n_pre):
            axes += [(None, None, l - 1 if l else None, l), (l,)]
        for j in range(cfg["n_blocks"]):
            inner = n_pre + j
            axes += [(None, None, stream, inner), (inner,), (None, None, inner, stream),
                     (stream,)]
        axes += [(stream, None), (None,)]
        views = leaves
        widths = [cfg["channels"]] * (n_pre + cfg["n_blocks"])
    return list(zip(leaves, views, axes, strict=True)), widths


def _split(network, theta):
    out, start = [], 0
    for shape, view, _ in _spec(network)[0]:
        n = math.prod(shape)
        out.append(theta[start:start + n].reshape(view))
        start += n
    return out


def _permuted(spec, parts, perms, skip=None):
    """The leaves with every permutation applied, except the one numbered ``skip``."""
    out = []
    for (_, _, axes), w in zip(spec, parts, strict=True):
        for axis, p in enumerate(axes):
            if p is not None and p != skip:
                w = np.take(w, perms[p], axis=axis)
        out.append(w)
    return out


def _float_vector(theta, name):
    """``theta`` as a 1-d array of float32 (kept) or float64 (anything else numeric)."""
    dtype = getattr(theta, "dtype", None)
    return check_array(theta, name, ndim=1,
                       dtype=dtype if dtype in (np.float32, np.float64) else np.float64)


def _check_theta(network, theta, name):
    theta = _float_vector(theta, name)
    if theta.shape != (network.n_params,):
        raise ValueError(f"{name} must have shape ({network.n_params},), got {theta.shape}")
    return theta


def _check_perms(perms, widths):
    if isinstance(perms, (str, bytes)) or not isinstance(perms, (list, tuple)):
        raise TypeError(f"perms must be a list of integer arrays, one per permuted layer, got "
                        f"{type(perms).__name__}")
    if len(perms) != len(widths):
        raise ValueError(f"perms must have one permutation per permuted layer ({len(widths)}),"
                         f" got {len(perms)}")
    out = []
    for l, (p, width) in enumerate(zip(perms, widths, strict=True)):
        p = check_array(p, f"perms[{l}]", dtype=None, finite=False, min_size=0)
        if p.dtype.kind not in "iu":
            raise TypeError(f"perms[{l}] must be an array of integers, got dtype {p.dtype}")
        if p.shape != (width,) or not np.array_equal(np.sort(p), np.arange(width)):
            raise ValueError(f"perms[{l}] must be a permutation of 0..{width - 1}, got shape "
                             f"{p.shape}")
        out.append(p.astype(np.intp))
    return out


def permute(network: Network, theta, perms) -> np.ndarray:
    """The parameters of the same network with its hidden units permuted.

    The permuted network computes the same function (to rounding: the sums inside a
    layer run in another order).  Entries are only moved, never recomputed, so
    permuting back with the inverse permutations gives ``theta`` bit for bit.

    Parameters
    ----------
    network : Network
        An :func:`mlp`, :func:`cnn` or :func:`resnet` (see the module docstring for
        which units each permutation acts on).
    theta : array, shape (n_params,)
        float32 stays float32; anything else is converted to float64.
    perms : list of int arrays
        One permutation per permuted set of units, in the order of the module
        docstring; new unit ``j`` is old unit ``perms[l][j]``.

    Returns
    -------
    numpy array, shape (n_params,), in the dtype of ``theta``

    Raises
    ------
    NotImplementedError
        For a transformer.

    References
    ----------
    R. Hecht-Nielsen, "On the algebraic structure of feedforward network weight spaces",
    in Advanced Neural Computers, Elsevier 1990 (the permutation symmetry).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import mlp, permute
    >>> net = mlp((3, 4, 2))
    >>> theta = net.init(np.random.default_rng(0))
    >>> swapped = permute(net, theta, [np.array([2, 0, 3, 1])])
    >>> X = np.random.default_rng(1).standard_normal((5, 3))
    >>> fa, fb = (net.apply(net.unflatten(t), X) for t in (theta, swapped))
    >>> bool(np.allclose(fa, fb, rtol=0, atol=1e-14)), bool(np.array_equal(theta, swapped))
    (True, False)
    """
    network = _check_network(network)
    theta = _check_theta(network, theta, "theta")
    spec, widths = _spec(network)
    perms = _check_perms(perms, widths)
    parts = _permuted(spec, _split(network, theta), perms)
    return np.concatenate([w.ravel() for w in parts]).astype(theta.dtype, copy=False)


@dataclass(frozen=True)
class Matching:
    """Weight matching of a network ``b`` to a reference ``a`` (:func:`weight_matching`).

    Attributes
    ----------
    perms : list of int arrays
        The permutations found (the layout of :func:`permute`): ``theta`` is
        ``permute(network, theta_b, perms)``.
    theta : numpy array, shape (n_params,)
        ``theta_b`` permuted, aligned to ``theta_a``.
    n_sweeps : int
        Sweeps over all layers made, the last one (if ``converged``) improving nothing.
    converged : bool
        Whether a sweep improved nothing before ``max_iter`` sweeps.
    objective : float
        ``<theta_a, theta>``, the inner product reached (weights and biases).
    objective_identity : float
        ``<theta_a, theta_b>``, before matching.
    """

    perms: list
    theta: np.ndarray
    n_sweeps: int
    converged: bool
    objective: float
    objective_identity: float


def weight_matching(network: Network, theta_a, theta_b, *, max_iter: int = 100,
                    rng: np.random.Generator | None = None) -> Matching:
    """The hidden-unit permutation of ``theta_b`` that brings it closest to ``theta_a``.

    Weight matching (Ainsworth et al. 2023, Algorithm 1) maximises the inner product
    ``sum_l <W_l^a, P_l W_l^b P_{l-1}^T> + <b_l^a, P_l b_l^b>`` over the permutations
    ``P_l``: as ``||theta_a - pi(theta_b)||^2 = ||theta_a||^2 + ||theta_b||^2 -
    2 <theta_a, pi(theta_b)>``, this minimises the distance.  Coordinate ascent: a sweep
    visits the permutations in a random order, and each, given all the others, is an
    exact linear assignment problem on ``A = sum_w W^a_(p) W^b_(p)^T`` (the arrays it
    acts on, with its axis moved first and the other permutations applied), solved by
    :func:`scipy.optimize.linear_sum_assignment`.  A new permutation is kept only when it
    raises that layer's term by more than rounding, so the objective never falls; the
    loop stops after a sweep that kept none.

    Parameters
    ----------
    network : Network
        An :func:`mlp`, :func:`cnn` or :func:`resnet`.
    theta_a : array, shape (n_params,)
        The reference.
    theta_b : array, shape (n_params,)
        The network to permute.
    max_iter : int >= 1
        Most sweeps.
    rng : numpy.random.Generator, optional
        Source of the order of the layers in each sweep; ``numpy.random.default_rng(0)``
        when not given, so that a call is reproducible.

    Returns
    -------
    Matching

    Raises
    ------
    NotImplementedError
        For a transformer.

    References
    ----------
    S. K. Ainsworth, J. Hayase, S. Srinivasa, "Git Re-Basin: merging models modulo
    permutation symmetries", ICLR 2023.

    Examples
    --------
    A network matched to its own permuted copy: the permutation is undone exactly.

    >>> import numpy as np
    >>> from uniqnets.practice import mlp, permute, weight_matching
    >>> net = mlp((4, 6, 5, 2))
    >>> rng = np.random.default_rng(0)
    >>> a = net.init(rng)
    >>> b = permute(net, a, [rng.permutation(6), rng.permutation(5)])
    >>> m = weight_matching(net, a, b)
    >>> bool(np.array_equal(m.theta, a)), m.objective >= m.objective_identity
    (True, True)
    """
    network = _check_network(network)
    theta_a = _check_theta(network, theta_a, "theta_a")
    theta_b = _check_theta(network, theta_b, "theta_b")
    max_iter = check_int(max_iter, "max_iter", lo=1)
    rng = np.random.default_rng(0) if rng is None else check_rng(rng)
    spec, widths = _spec(network)
    # the assignment problems are set up in float64 whatever the dtype of the networks
    A_parts = _split(network, theta_a.astype(np.float64))
    B_parts = _split(network, theta_b.astype(np.float64))
    perms = [np.arange(w) for w in widths]
    # the arrays each permutation acts on: (leaf index, axis)
    acts = [[(i, axis) for i, (_, _, axes) in enumerate(spec)
             for axis, q in enumerate(axes) if q == p] for p in range(len(widths))]
    eps = np.finfo(np.float64).eps
    # the loop over layers is written here: the project has no library with it (scipy
    # solves each layer's assignment problem)
    n_sweeps, converged = 0, not widths
    while not converged and n_sweeps < max_iter:
        n_sweeps += 1
        progress = False
        for p in rng.permutation(len(widths)):
            n = widths[p]
            Bp = _permuted(spec, B_parts, perms, skip=p)
            A = np.zeros((n, n))
            for i, axis in acts[p]:
                wa = np.moveaxis(A_parts[i], axis, 0).reshape(n, -1)
                wb = np.moveaxis(Bp[i], axis, 0).reshape(n, -1)
                A += wa @ wb.T
            rows, cols = linear_sum_assignment(A, maximize=True)
            new = A[rows, cols].sum()
            old = A[np.arange(n), perms[p]].sum()
            # two sums of n entries of A in different orders: they may differ by about
            # n eps sum|A_ij| without either being better
            if new > old + 2 * n * eps * np.abs(A[rows, cols]).sum():
                perms[p] = cols[np.argsort(rows)]
                progress = True
        converged = not progress
    theta = permute(network, theta_b, perms)
    return Matching(perms=perms, theta=theta, n_sweeps=n_sweeps, converged=converged,
                    objective=float(theta_a.astype(np.float64) @ theta.astype(np.float64)),
                    objective_identity=float(theta_a.astype(np.float64)
                                             @ theta_b.astype(np.float64)))
