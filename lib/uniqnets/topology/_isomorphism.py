"""Are two Rips complexes at one scale isomorphic simplicial complexes? (private)"""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import pdist, squareform

from .._validate import check_array, check_size
from ._checks import cloud

__all__ = ["ISOMORPHIC", "NOT_ISOMORPHIC", "UNDECIDED", "rips_isomorphism"]

#: codes returned by :func:`rips_isomorphism`
ISOMORPHIC, NOT_ISOMORPHIC, UNDECIDED = 1, 0, -1


def rips_isomorphism(S1, S2, scales) -> np.ndarray:
    """Are the Rips complexes of two clouds at each scale isomorphic simplicial complexes?

    The Vietoris-Rips complex at scale ``r`` (edges of length ``<= r``, gudhi's
    convention) is the flag complex of its 1-skeleton, so two Rips complexes are
    isomorphic exactly when their 1-skeleton graphs are.  For each scale the answer
    is certified, or left open:

    * ``NOT_ISOMORPHIC`` (0): the numbers of vertices, the numbers of edges, the sorted
      degree sequences or the numbers of triangles differ (graph invariants);
    * ``ISOMORPHIC`` (1): the two graphs are equal under the map ``i -> i`` (checkpoint
      ``i`` of one run to checkpoint ``i`` of the other), an explicit isomorphism;
      this covers the empty graph (``r`` below both minimum distances) and the
      complete graph (``r`` at or above both diameters);
    * ``UNDECIDED`` (-1): the invariants agree but the index map is not an isomorphism
      (a full graph-isomorphism search is not attempted).

    Parameters
    ----------
    S1 : array_like, shape (n1, d)
        First cloud.
    S2 : array_like, shape (n2, d2)
        Second cloud (its dimension may differ).
    scales : float or array_like, shape (m,)
        Scales ``r >= 0``, in the units of the points.

    Returns
    -------
    ndarray of int8, shape (m,)
        The codes above, one per scale.

    References
    ----------
    H. Edelsbrunner, J. Harer, *Computational Topology: An Introduction*, AMS 2010,
    Sec. III.2 (flag complexes).

    Examples
    --------
    A square against a rhombus with the same side:

    >>> import numpy as np
    >>> from uniqnets.topology import rips_isomorphism
    >>> square = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    >>> rhombus = np.array([[0.0, 0.0], [1.0, 0.0], [1.5, 0.8], [0.5, 0.8]])
    >>> print(rips_isomorphism(square, rhombus, [0.5, 1.0, 1.2, 2.0]))
    [1 0 0 1]
    """
    A = cloud(S1, "S1")
    B = cloud(S2, "S2")
    r = np.atleast_1d(check_array(scales, "scales", ndim=(0, 1)))
    if np.any(r < 0):
        raise ValueError("scales must be a 1-D array of finite numbers >= 0")
    check_size(4 * max(len(A), len(B)) ** 2, "S1, S2")  # distances and graphs of both
    out = np.full(r.shape, UNDECIDED, dtype=np.int8)
    if A.shape[0] != B.shape[0]:
        out[:] = NOT_ISOMORPHIC
        return out
    DA = squareform(pdist(A)) if len(A) > 1 else np.zeros((1, 1))
    DB = squareform(pdist(B)) if len(B) > 1 else np.zeros((1, 1))
    off = ~np.eye(len(A), dtype=bool)
    for k, rk in enumerate(r):
        GA = (DA <= rk) & off
        GB = (DB <= rk) & off
        if np.array_equal(GA, GB):
            out[k] = ISOMORPHIC
            continue
        degA, degB = GA.sum(axis=1), GB.sum(axis=1)
        if degA.sum() != degB.sum() or not np.array_equal(np.sort(degA), np.sort(degB)):
            out[k] = NOT_ISOMORPHIC
            continue
        fa, fb = GA.astype(np.float64), GB.astype(np.float64)
        # trace(G^3) = 6 * number of triangles; exact in float64 for n < 2^17
        if np.einsum("ij,ji->", fa @ fa, fa) != np.einsum("ij,ji->", fb @ fb, fb):
            out[k] = NOT_ISOMORPHIC
    return out
