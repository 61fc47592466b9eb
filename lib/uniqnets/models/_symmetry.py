"""Isometric symmetries of an MLP: hidden-unit permutations and sign flips, weight matching.

The isometric symmetries of an MLP (Definition 1 of the uniqueness preprint) are the
permutations of hidden units and, for odd activations, their sign flips;
:func:`permute_hidden` applies them and :func:`align` finds the one that brings a
network closest to a reference (weight matching).  :func:`forward_error_bound`
bounds the rounding error of a forward pass, so that two symmetric copies can be
compared to within what floating point allows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

from .._validate import check_array, check_bool, check_int, check_rng
from ._mlp import MLP, _act, _check_model

__all__ = ["align", "forward_error_bound", "function_distance", "permute_hidden",
           "random_symmetry"]


def _odd(model: MLP) -> bool:
    return model.activation in ("tanh", "linear")


def _check_per_layer(value, name: str, n_hidden: int) -> Sequence:
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a list of arrays, one per hidden layer, got "
                        f"{type(value).__name__}")
    if len(value) != n_hidden:
        raise ValueError(f"{name} must have one array per hidden layer ({n_hidden}), "
                         f"got {len(value)}")
    return value


def _check_flip_signs(model: MLP, flip_signs) -> bool:
    if flip_signs is None:
        return _odd(model)
    flip_signs = check_bool(flip_signs, "flip_signs")
    if flip_signs and not _odd(model):
        raise ValueError(f"flip_signs: sign flips are not a symmetry of {model.activation} units")
    return flip_signs


def permute_hidden(model: MLP, theta, perms, signs=None) -> np.ndarray:
    """Apply a hidden-unit permutation (and sign flips) to ``theta``.

    Parameters
    ----------
    model : MLP
    theta : array, shape (d,)
        Finite parameters.
    perms : list of int arrays, one per hidden layer (``model.depth - 1`` of them)
        ``perms[l][j]`` is the old index of the unit that becomes unit ``j``.  A
        residual network's skip connections tie its hidden layers: they all need the
        same permutation (and signs).
    signs : list of arrays of +-1, optional
        Sign flips (new unit ``j`` is multiplied by ``signs[l][j]``); only allowed for
        odd activations (tanh, linear), for which they are symmetries.

    Returns
    -------
    array, shape (d,)
        The parameters of a network computing the identical function (in the dtype
        of ``theta``).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, permute_hidden
    >>> net = MLP((2, 3, 1), "tanh")
    >>> theta = net.init(np.random.default_rng(0))
    >>> swapped = permute_hidden(net, theta, [np.array([2, 0, 1])], [np.array([1., -1., 1.])])
    >>> X = np.random.default_rng(1).standard_normal((5, 2))
    >>> bool(np.allclose(net(theta, X), net(swapped, X), rtol=0, atol=1e-14))
    True
    """
    model = _check_model(model)
    layers = [(W.copy(), b.copy()) for W, b in model.unflatten(model._check_theta(theta))]
    n_hidden = model.depth - 1
    _check_per_layer(perms, "perms", n_hidden)
    if signs is not None:
        if not _odd(model):
            raise ValueError(f"signs: sign flips are not a symmetry of {model.activation} units")
        _check_per_layer(signs, "signs", n_hidden)
    ps, ss = [], []
    for l in range(n_hidden):
        width = model.sizes[l + 1]
        p = check_array(perms[l], f"perms[{l}]", dtype=None, finite=False, min_size=0)
        if p.dtype.kind not in "iu" and p.size:
            raise TypeError(f"perms[{l}] must be an array of integers, got dtype {p.dtype}")
        if p.shape != (width,) or not np.array_equal(np.sort(p), np.arange(width)):
            raise ValueError(f"perms[{l}] must be a permutation of 0..{width - 1}")
        s = np.ones(width) if signs is None else check_array(signs[l], f"signs[{l}]",
                                                             min_size=0)
        if s.shape != (width,) or not np.all(np.abs(s) == 1):
            raise ValueError(f"signs[{l}] must be {width} entries of +1 or -1")
        ps.append(p)
        ss.append(s)
    if model.residual and n_hidden > 1:
        same = all(np.array_equal(ps[l], ps[0]) for l in range(n_hidden)) and (
            signs is None or all(np.array_equal(ss[l], ss[0]) for l in range(n_hidden)))
        if not same:
            raise ValueError("perms: a residual network's skip connections tie its hidden "
                             "layers, so every hidden layer needs the same permutation and signs")
    for l in range(n_hidden):
        p, s = ps[l], ss[l]
        W, b = layers[l]
        W2, b2 = layers[l + 1]
        layers[l] = (s[:, None] * W[p], s * b[p])
        layers[l + 1] = (W2[:, p] * s[None, :], b2)
    return model._flatten(layers).astype(np.asarray(theta).dtype)


def random_symmetry(model: MLP, rng: np.random.Generator, flip_signs: bool | None = None):
    """A uniformly random element ``(perms, signs)`` of the network's isometry group.

    Parameters
    ----------
    model : MLP
    rng : numpy.random.Generator
        Source of the permutations (one per hidden layer), then of the signs.
    flip_signs : bool, optional
        Draw sign flips too; defaults to True for odd activations (tanh, linear), and
        True is refused for relu, whose units have no sign symmetry.

    Returns
    -------
    perms : list of int arrays, one per hidden layer
    signs : list of arrays of +-1, or None without sign flips
        A residual network gets the same permutation (and signs) in every hidden layer.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, random_symmetry
    >>> perms, signs = random_symmetry(MLP((2, 4, 1), "relu"), np.random.default_rng(0))
    >>> sorted(perms[0].tolist()), signs
    ([0, 1, 2, 3], None)
    """
    model = _check_model(model)
    rng = check_rng(rng)
    flip_signs = _check_flip_signs(model, flip_signs)
    perms = [rng.permutation(w) for w in model.sizes[1:-1]]
    signs = [rng.choice([-1.0, 1.0], size=w) for w in model.sizes[1:-1]] if flip_signs else None
    if model.residual:  # skip connections tie all hidden layers to one symmetry
        perms = [perms[0]] * len(perms)
        signs = None if signs is None else [signs[0]] * len(signs)
    return perms, signs


def align(model: MLP, theta_ref, theta, flip_signs: bool | None = None, max_sweeps: int = 50):
    """Bring ``theta`` as close as possible to ``theta_ref`` by hidden-unit symmetries.

    Weight matching (Ainsworth et al. 2023): maximise ``<theta_ref, g.theta>`` over
    signed permutations ``g`` by coordinate ascent, each hidden layer's permutation
    being an exact linear assignment problem (:func:`scipy.optimize.linear_sum_assignment`)
    given the others.  The first sweep matches incoming weights layer by layer, which
    recovers an exact permuted copy; later sweeps use incoming and outgoing weights.

    Parameters
    ----------
    model : MLP
        Not residual with more than one hidden layer (not implemented).
    theta_ref, theta : array, shape (d,)
        Reference and network to move, finite.
    flip_signs : bool, optional
        Allow sign flips (default: True for odd activations; refused for relu).
    max_sweeps : int >= 1
        Most sweeps of coordinate ascent over the layers.

    Returns
    -------
    theta_aligned : array, shape (d,)
    perms, signs : the symmetry applied (``signs`` is None without sign flips)

    References
    ----------
    S. K. Ainsworth, J. Hayase, S. Srinivasa, "Git Re-Basin: merging models modulo
    permutation symmetries", ICLR 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, align, permute_hidden, random_symmetry
    >>> net = MLP((2, 5, 1), "tanh")
    >>> rng = np.random.default_rng(0)
    >>> theta = net.init(rng)
    >>> copy = permute_hidden(net, theta, *random_symmetry(net, rng))
    >>> back, perms, signs = align(net, theta, copy)
    >>> bool(np.array_equal(back, theta))
    True
    """
    model = _check_model(model)
    ref = model._check_theta(theta_ref, "theta_ref")
    th = model._check_theta(theta)
    if model.residual and model.depth > 2:
        raise ValueError("model: alignment of residual networks (one permutation tied across "
                         "layers) is not implemented")
    flip_signs = _check_flip_signs(model, flip_signs)
    max_sweeps = check_int(max_sweeps, "max_sweeps", lo=1)
    n_hidden = model.depth - 1
    widths = model.sizes[1:-1]
    perms = [np.arange(w) for w in widths]
    signs = [np.ones(w) for w in widths]
    if n_hidden == 0:
        return th.copy(), perms, (signs if flip_signs else None)
    R = model.unflatten(ref)

    def similarity(l, cur, use_outgoing):
        # cur: layers of theta with all perms applied except layer l (identity at l)
        W, b = cur[l]
        A = R[l][0] @ W.T + np.outer(R[l][1], b)
        if use_outgoing:
            A = A + R[l + 1][0].T @ cur[l + 1][0]
        return A

    def current(exclude=None):
        ps = [np.arange(w) if i == exclude else perms[i] for i, w in enumerate(widths)]
        ss = [np.ones(w) if i == exclude else signs[i] for i, w in enumerate(widths)]
        return model.unflatten(permute_hidden(model, th, ps, ss if flip_signs else None))

    def solve(A):
        score = np.abs(A) if flip_signs else A
        rows, cols = linear_sum_assignment(score, maximize=True)
        p = cols[np.argsort(rows)]
        s = np.sign(A[np.arange(len(p)), p]) if flip_signs else np.ones(len(p))
        s[s == 0] = 1.0
        return p, s

    for sweep in range(max_sweeps):
        changed = False
        for l in range(n_hidden):
            p, s = solve(similarity(l, current(exclude=l), use_outgoing=sweep > 0))
            if not (np.array_equal(p, perms[l]) and np.array_equal(s, signs[l])):
                perms[l], signs[l] = p, s
                changed = True
        if sweep > 0 and not changed:
            break
    out = permute_hidden(model, th, perms, signs if flip_signs else None)
    return out, perms, (signs if flip_signs else None)


def forward_error_bound(model: MLP, theta, X) -> np.ndarray:
    """First-order bound on the rounding error of ``model.forward(theta, X)``.

    Standard forward error analysis of inner products (Higham 2002, Sec. 3.1):
    ``|fl(W a + b) - (W a + b)| <= gamma_{m+1} (|W| |a| + |b|)`` elementwise, with
    ``gamma_n = n u / (1 - n u)``, ``u`` the unit roundoff of ``theta``'s dtype and
    ``m`` the fan-in.  Errors are propagated through later layers with ``|W_l|``
    (every activation here is 1-Lipschitz) and one more ``u |phi(z)|`` per
    activation for its evaluation.  Second-order terms are dropped.

    Whatever the order in which a BLAS sums, two computations of the same exact
    function differ by at most the sum of their bounds.

    Parameters
    ----------
    model : MLP
    theta : array, shape (d,)
        Finite parameters; their dtype sets the unit roundoff.
    X : array, shape (n_samples, n_0)
        Finite inputs.

    Returns
    -------
    array, shape (n_samples, n_L)
        In the units of the outputs.

    References
    ----------
    N. J. Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., SIAM 2002.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, forward_error_bound
    >>> net = MLP((1, 1), "linear")
    >>> err = forward_error_bound(net, np.array([1.0, 1.0]), np.array([[1.0]]))
    >>> print(f"{err[0, 0] / np.finfo(float).eps:.1f}")  # gamma_2 (|w x| + |b|) = 2 u * 2
    2.0
    """
    model = _check_model(model)
    theta = model._check_theta(theta)
    X = model._check_X(X, theta.dtype)
    u = np.finfo(theta.dtype).eps / 2
    a, err = X, np.zeros_like(X)
    for l, (W, b) in enumerate(model.unflatten(theta)):
        m = W.shape[1] + 1
        gamma = m * u / (1 - m * u)
        z = a @ W.T + b
        err_in = err
        err = err @ np.abs(W).T + gamma * (np.abs(a) @ np.abs(W).T + np.abs(b))
        if l < model.depth - 1:
            phi = _act(model.activation, z)[0]
            if model._skip(l):  # a + phi(z): both errors carry over, plus one rounding
                err_next = err_in + err + u * np.abs(phi) + u * np.abs(a + phi)
                a = a + phi
                err = err_next
            else:
                a = phi
                err = err + u * np.abs(a)
        else:
            a = z
    return err


def function_distance(model: MLP, theta1, theta2, X) -> float:
    """Root-mean-square distance between the outputs of two networks on inputs ``X``.

    ``sqrt( (1/n) sum_i ||f_1(x_i) - f_2(x_i)||^2 )``, in the units of the outputs.

    Parameters
    ----------
    model : MLP
    theta1, theta2 : array, shape (d,)
        Finite parameters of the two networks.
    X : array, shape (n_samples, n_0)
        Finite inputs.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, function_distance
    >>> net = MLP((1, 1), "linear")
    >>> X = np.array([[0.0], [1.0]])
    >>> print(f"{function_distance(net, [1.0, 0.0], [1.0, 0.5], X):.3f}")  # offset 0.5
    0.500
    """
    model = _check_model(model)
    theta1 = model._check_theta(theta1, "theta1")
    theta2 = model._check_theta(theta2, "theta2")
    d = model.forward(theta1, X) - model.forward(theta2, X)
    return float(np.sqrt(np.mean(np.sum(d * d, axis=1))))
