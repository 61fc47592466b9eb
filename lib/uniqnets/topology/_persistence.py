"""Vietoris-Rips persistence diagrams of a point cloud, with gudhi (private)."""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import pdist, squareform

from .._validate import check_bool, check_int, check_real, check_size
from ._checks import cloud

__all__ = ["rips_diagrams"]


def rips_diagrams(points, max_dim: int = 1, max_edge: float | None = None,
                  collapse: bool = True, coeff_field: int = 2) -> list[np.ndarray]:
    """Persistence diagrams of the Vietoris-Rips filtration of a point cloud.

    Euclidean distances (:func:`scipy.spatial.distance.pdist`, float64) give the
    filtration of the 1-skeleton; gudhi builds the flag complex
    (:meth:`gudhi.SimplexTree.create_from_array`), optionally reduces it by edge
    collapses (Boissonnat-Pritam 2020; the persistence diagrams are unchanged and the
    complex is often orders of magnitude smaller: a trajectory, being nearly a path,
    collapses almost to a tree), expands it to dimension ``max_dim + 1`` and computes
    persistent homology over Z/``coeff_field``.

    Parameters
    ----------
    points : array_like, shape (n, d)
        n >= 1 finite points in R^d (units: those of the coordinates).
    max_dim : int
        Highest homology dimension computed, ``>= 0`` (1: components and loops).
    max_edge : float, optional
        Only edges of length ``<= max_edge`` (``> 0``, ``inf`` allowed) enter;
        classes still alive at ``max_edge`` are reported as essential (death
        ``inf``).  Default: no limit.
    collapse : bool
        Reduce the 1-skeleton by edge collapses before the expansion (a speed-up
        only; the diagrams are the same).
    coeff_field : int
        A prime, the homology coefficients (2, as in ripser).

    Returns
    -------
    list of ``max_dim + 1`` ndarrays of shape (m_k, 2)
        ``[D_0, D_1, ...]``: (birth, death) pairs with death > birth, in edge-length
        units (see the subpackage docstring), sorted by birth then death.  D_0 holds
        ``(0, inf)`` for the one component that never dies.

    Notes
    -----
    Memory and time grow as n^2 for the distances; the expansion to triangles can
    grow as n^3 when ``collapse=False``.

    References
    ----------
    H. Edelsbrunner, J. Harer, *Computational Topology: An Introduction*, AMS 2010,
    Ch. VII; J.-D. Boissonnat, S. Pritam, "Edge collapse and persistence of flag
    complexes", SoCG 2020.

    Examples
    --------
    Eight points on a circle of radius 1: one loop, born at the side of the octagon
    (``2 sin(pi/8)``) and dying at the diagonal that spans three sides
    (``2 sin(3 pi/8)``):

    >>> import numpy as np
    >>> from uniqnets.topology import rips_diagrams
    >>> a = 2 * np.pi * np.arange(8) / 8
    >>> h0, h1 = rips_diagrams(np.c_[np.cos(a), np.sin(a)])
    >>> print(len(h0), np.round(h1, 4))
    8 [[0.7654 1.8478]]
    """
    import gudhi  # imported here so that the rest of the subpackage works without it

    X = cloud(points)
    max_dim = check_int(max_dim, "max_dim", lo=0)
    if max_edge is None:
        max_edge = np.inf
    else:
        max_edge = check_real(max_edge, "max_edge", lo=0.0, lo_open=True, allow_inf=True)
    collapse = check_bool(collapse, "collapse")
    coeff_field = check_int(coeff_field, "coeff_field", lo=2)
    if any(coeff_field % p == 0 for p in range(2, int(coeff_field ** 0.5) + 1)):
        raise ValueError(f"coeff_field must be a prime number, got {coeff_field!r}")

    n = X.shape[0]
    check_size(2 * n * n, "points")  # the distance matrix and its condensed form
    D = squareform(pdist(X)) if n > 1 else np.zeros((1, 1))
    st = gudhi.SimplexTree.create_from_array(D, max_filtration=float(max_edge))
    if collapse and max_dim >= 1:
        # one gudhi call is one pass of collapses; repeat until nothing changes
        size = st.num_simplices()
        while True:
            st.collapse_edges(1)
            new = st.num_simplices()
            if new == size:
                break
            size = new
    if max_dim >= 1:
        st.expansion(max_dim + 1)
    # gudhi skips the homology of the complex's top dimension unless told otherwise;
    # that is right for dimension max_dim + 1 (only needed as boundaries) but would drop
    # H_k of a complex with no simplices above k (a single point, a graph without
    # triangles)
    st.compute_persistence(homology_coeff_field=int(coeff_field), min_persistence=0.0,
                           persistence_dim_max=st.dimension() <= max_dim)
    out = []
    for k in range(max_dim + 1):
        dk = np.asarray(st.persistence_intervals_in_dimension(k), dtype=np.float64)
        dk = dk.reshape(-1, 2)
        out.append(dk[np.lexsort((dk[:, 1], dk[:, 0]))])
    return out
