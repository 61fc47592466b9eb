"""Argument checks shared by the entanglement modules, built on :mod:`uniqnets._validate`.

Vectors, column blocks and unit directions come up in every file of the subpackage;
these helpers state their shape rules once (private).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .._validate import check_array, check_choice, check_int

#: Readings of the "dropout" step of Algorithm 1.
#: ``"abs"``: keep the k rows with the largest ``|v_i . w|`` (maximises ``||G w||``;
#: the book's reading); ``"signed"``: the k largest signed ``v_i . w``;
#: ``"none"``: the first k rows (no selection, a plain Gaussian layer);
#: ``"min"``: the k smallest ``|v_i . w|`` (norm *minimisation*, a control).
SELECTIONS = ("abs", "signed", "none", "min")


def check_selection(selection) -> str:
    """``selection`` if it is one of ``SELECTIONS``."""
    return check_choice(selection, "selection", SELECTIONS)


def check_k_n(k, n) -> tuple[int, int]:
    """Layer width ``k >= 1`` and candidate rows ``n >= k``."""
    k = check_int(k, "k", 1)
    n = check_int(n, "n", 1, hi=2**62)  # the quadrature's Beta quantiles take int64
    if n < k:
        raise ValueError(f"n must be >= k (the layer keeps k of n rows), got n={n} < k={k}")
    return k, n


def vector(w, name: str, *, nonzero: bool = False, size: int | None = None) -> np.ndarray:
    """``w`` as a finite float vector of shape (k,), k >= 1 (or ``(size,)``)."""
    w = check_array(w, name, shape=(size,))
    if nonzero and not np.any(w):
        raise ValueError(f"{name} must not be the zero vector")
    return w


def columns(X, k: int, name: str, *, finite: bool = True, of: str = "len(w0)") -> np.ndarray:
    """``X`` of shape (k,) or (k, m) as a finite (k, m) block with non-zero columns.

    ``of`` says where ``k`` comes from, for the message.
    """
    X = check_array(X, name, ndim=(1, 2), min_size=0, finite=finite)
    if X.ndim == 1:
        X = X[:, None]
    if X.shape[0] != k:
        raise ValueError(f"{name} must have shape ({k},) or ({k}, m) ({of} = {k}), got "
                         f"{X.shape}")
    if np.any(np.linalg.norm(X, axis=0) == 0):
        raise ValueError(f"{name} has a zero column; directions need non-zero inputs")
    return X


def unit_columns(W, name: str, *, ravel: bool = False) -> np.ndarray:
    """Columns of ``W`` ((k,) or (k, m); any shape, flattened, with ``ravel``) scaled to unit norm.

    Returns an array (k, m) (m = 1 for a vector).
    """
    if ravel:
        W = np.ravel(check_array(W, name))
    else:
        W = check_array(W, name, ndim=(1, 2))
    if W.ndim == 1:
        W = W[:, None]
    n = np.linalg.norm(W, axis=0)
    if np.any(n == 0):
        raise ValueError(f"{name} must have finite non-zero columns")
    return W / n


def unit_vector(w, name: str, *, ravel: bool = False) -> np.ndarray:
    """``w / ||w||`` for a finite non-zero vector (any shape, flattened, with ``ravel``)."""
    if not ravel:
        check_array(w, name, ndim=1)
    return unit_columns(w, name, ravel=ravel)[:, 0]


def iterate(layers, name: str = "layers") -> Iterable:
    """``iter(layers)``, or a ``TypeError`` naming the argument."""
    if isinstance(layers, (str, bytes)):
        raise TypeError(f"{name} must be an iterable of matrices, got {type(layers).__name__}")
    try:
        return iter(layers)
    except TypeError:
        raise TypeError(f"{name} must be an iterable of matrices, got "
                        f"{type(layers).__name__}") from None


def layer(G, i: int, k: int, *, finite: bool = False, name: str = "layers") -> np.ndarray:
    """Layer ``i`` (1-based) of a chain as a (k, k) float array."""
    G = check_array(G, f"{name} (layer {i})", ndim=None, finite=finite, min_size=0)
    if G.shape != (k, k):
        raise ValueError(f"{name} must be ({k}, {k}) matrices, layer {i} has shape {G.shape}")
    return G

