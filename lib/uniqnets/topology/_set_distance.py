"""Distances between finite point clouds: Hausdorff, minimum distance, step lengths (private)."""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist, directed_hausdorff

from ._checks import cloud

__all__ = ["hausdorff", "set_distance", "step_lengths"]


def hausdorff(S1, S2) -> float:
    """Hausdorff distance ``d_H(S1, S2) = max(sup_p d(p, S2), sup_q d(q, S1))``.

    Euclidean, exact (:func:`scipy.spatial.distance.directed_hausdorff` in both
    directions; its internal shuffle uses a fixed seed, so the call is deterministic).

    Parameters
    ----------
    S1 : array_like, shape (n1, d)
        First cloud, finite.
    S2 : array_like, shape (n2, d)
        Second cloud, of the same dimension.

    Returns
    -------
    float
        In the units of the points.

    References
    ----------
    A. A. Taha, A. Hanbury, "An efficient algorithm for calculating the exact
    Hausdorff distance", IEEE TPAMI 37 (2015) 2153-2163.

    Examples
    --------
    >>> from uniqnets.topology import hausdorff
    >>> print(hausdorff([[0.0, 0.0], [1.0, 0.0]], [[0.0, 0.0], [3.0, 0.0]]))
    2.0
    """
    A = cloud(S1, "S1")
    B = cloud(S2, "S2", dim=A.shape[1])
    return float(max(directed_hausdorff(A, B, seed=0)[0], directed_hausdorff(B, A, seed=0)[0]))


def _min_pair(A, B, chunk=2048):
    """min_{i,j} |A_i - B_j| and its indices, in chunks of rows to bound memory."""
    best, bi, bj = np.inf, -1, -1
    for s in range(0, A.shape[0], chunk):
        D = cdist(A[s:s + chunk], B)
        k = int(np.argmin(D))
        i, j = divmod(k, D.shape[1])
        if D[i, j] < best:
            best, bi, bj = float(D[i, j]), s + i, j
    return best, bi, bj


def set_distance(S1, S2) -> float:
    """Minimum distance ``dist(S1, S2) = min_{p in S1, q in S2} ||p - q||`` (Euclidean).

    The quantity of Lemma 19 of the uniqueness preprint, computed in blocks of
    rows so that memory stays bounded.

    Parameters
    ----------
    S1 : array_like, shape (n1, d)
        First cloud, finite.
    S2 : array_like, shape (n2, d)
        Second cloud, of the same dimension.

    Returns
    -------
    float
        In the units of the points.

    References
    ----------
    H. Edelsbrunner, J. Harer, *Computational Topology: An Introduction*, AMS 2010
    (distances between sets, Ch. VIII).

    Examples
    --------
    >>> from uniqnets.topology import set_distance
    >>> print(set_distance([[0.0, 0.0], [1.0, 0.0]], [[0.0, 2.0], [3.0, 0.0]]))
    2.0
    """
    A = cloud(S1, "S1")
    B = cloud(S2, "S2", dim=A.shape[1])
    return _min_pair(A, B)[0]


def step_lengths(S) -> np.ndarray:
    """Distances between consecutive points of a trajectory cloud.

    The sample ``S`` is an ``h/2``-dense sample of the polygonal curve through it,
    with ``h = step_lengths(S).max()``: every point of the curve lies within ``h/2``
    of ``S``.

    Parameters
    ----------
    S : array_like, shape (n, d)
        Points in the order of the trajectory, finite.

    Returns
    -------
    ndarray, shape (n - 1,)
        Euclidean lengths, in the units of the points.

    References
    ----------
    F. Chazal, V. de Silva, S. Oudot, Geom. Dedicata 173 (2014) 193-214 (dense
    samples and the stability of Rips filtrations).

    Examples
    --------
    >>> from uniqnets.topology import step_lengths
    >>> print(step_lengths([[0.0, 0.0], [3.0, 4.0], [3.0, 5.0]]))
    [5. 1.]
    """
    X = cloud(S, "S")
    return np.linalg.norm(np.diff(X, axis=0), axis=1)
