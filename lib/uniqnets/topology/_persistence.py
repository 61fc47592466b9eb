"""Persistent homology of training trajectories, and distances between point clouds.

A training run saves checkpoints ``theta_0, ..., theta_{N-1}`` in R^d; stacked, they
are a *trajectory cloud* ``S`` of shape ``(N, d)`` (:func:`trajectory_cloud`).  This
module computes what Theorem 12 of the uniqueness preprint talks about:

* the Vietoris-Rips persistence diagrams of ``S`` (:func:`rips_diagrams`, with gudhi);
* bottleneck and Wasserstein distances between diagrams (:func:`bottleneck`,
  :func:`wasserstein`: gudhi's exact bottleneck; an exact assignment with scipy,
  or hera's auction, or POT's transport solver);
* the Hausdorff distance and the minimum distance between two clouds
  (:func:`hausdorff`, :func:`set_distance`) and between the polygonal curves through
  them (:func:`polyline_distance`), which decide whether two trajectories lie in
  disjoint tubes;
* a test of whether two Rips complexes at one scale are isomorphic as simplicial
  complexes (:func:`rips_isomorphism`).

Filtration convention
---------------------
gudhi's Rips filtration value of a simplex is the **length of its longest edge**
(not half of it): the complex at scale ``r`` holds every simplex whose vertices are
pairwise at distance ``<= r``.  With this convention the stability theorem reads

    d_B(Dgm_k(Rips S1), Dgm_k(Rips S2)) <= 2 d_GH(S1, S2) <= 2 d_H(S1, S2),

(Chazal, de Silva, Oudot 2014, Thm 5.2), and the constant 2 is attained: two points
at distance ``a`` moved apart by ``delta`` each change the death of their H0 bar from
``a`` to ``a + 2 delta``.  Under the half-length ("radius") convention the constant
would be 1.  Diagrams are arrays of shape ``(m, 2)`` of (birth, death) pairs in the
units of the points; an essential class (never dies) has death ``+inf``.

References
----------
H. Edelsbrunner, J. Harer, *Computational Topology: An Introduction*, AMS 2010.
D. Cohen-Steiner, H. Edelsbrunner, J. Harer, "Stability of persistence diagrams",
Discrete Comput. Geom. 37 (2007) 103-120.
F. Chazal, V. de Silva, S. Oudot, "Persistence stability for geometric complexes",
Geom. Dedicata 173 (2014) 193-214.
J.-D. Boissonnat, S. Pritam, "Edge collapse and persistence of flag complexes",
SoCG 2020 (the edge collapse used by :func:`rips_diagrams`).
M. Kerber, D. Morozov, A. Nigmetov, "Geometry helps to compare persistence
diagrams", ACM J. Exp. Algorithmics 22 (2017) (hera).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist, directed_hausdorff, pdist, squareform

from .._validate import check_int

__all__ = [
    "ISOMORPHIC",
    "NOT_ISOMORPHIC",
    "UNDECIDED",
    "bottleneck",
    "hausdorff",
    "pca_basis",
    "polyline_distance",
    "rips_diagrams",
    "rips_isomorphism",
    "set_distance",
    "step_lengths",
    "trajectory_cloud",
    "wasserstein",
]

#: codes returned by :func:`rips_isomorphism`
ISOMORPHIC, NOT_ISOMORPHIC, UNDECIDED = 1, 0, -1


# -- input checks -----------------------------------------------------------------------

def _cloud(points, name="points", dim=None) -> np.ndarray:
    """``points`` as a finite float64 array of shape (n, d), n >= 1."""
    if isinstance(points, (str, bytes)):
        raise TypeError(f"{name} must be a numeric array of shape (n, d), got a string")
    arr = np.asarray(points)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number)
                                   or arr.dtype == np.bool_):
        raise TypeError(f"{name} must be a numeric array of shape (n, d), got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real, got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (n, d), got shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must hold at least one point of dimension >= 1, "
                         f"got shape {arr.shape}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (found NaN or inf)")
    if dim is not None and arr.shape[1] != dim:
        raise ValueError(f"{name} must have dimension {dim} like the other cloud, "
                         f"got shape {arr.shape}")
    return arr


def _diagram(dgm, name) -> np.ndarray:
    """A persistence diagram as a float64 array of shape (m, 2), checked."""
    if isinstance(dgm, (str, bytes)):
        raise TypeError(f"{name} must be an array of (birth, death) pairs, got a string")
    try:
        arr = np.asarray(dgm, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of (birth, death) pairs of numbers") from exc
    if arr.ndim == 0:
        raise TypeError(f"{name} must be an array of (birth, death) pairs, got a scalar")
    if arr.size == 0:
        return np.zeros((0, 2))
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{name} must have shape (m, 2), got {arr.shape}")
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} must not contain NaN")
    if not np.all(np.isfinite(arr[:, 0])):
        raise ValueError(f"{name}: births must be finite")
    if np.any(arr[:, 1] < arr[:, 0]):
        raise ValueError(f"{name}: every death must be >= its birth")
    return arr


def _essential(dgm):
    ess = np.isinf(dgm[:, 1])
    return dgm[~ess], np.sort(dgm[ess, 0])


# -- persistence --------------------------------------------------------------------------

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
    points : array, shape (n, d)
        n >= 1 finite points in R^d (units: those of the coordinates).
    max_dim : int >= 0
        Highest homology dimension computed (1: components and loops).
    max_edge : float > 0, optional
        Only edges of length ``<= max_edge`` enter; classes still alive at
        ``max_edge`` are reported as essential (death ``inf``).  Default: no limit.
    collapse : bool
        Reduce the 1-skeleton by edge collapses before the expansion (a speed-up
        only; the diagrams are the same).
    coeff_field : prime int
        Homology coefficients (2, as in ripser).

    Returns
    -------
    list of ``max_dim + 1`` arrays of shape (m_k, 2)
        ``[D_0, D_1, ...]``: (birth, death) pairs with death > birth, in edge-length
        units (see the module docstring), sorted by birth then death.  D_0 holds
        ``(0, inf)`` for the one component that never dies.

    Notes
    -----
    Memory and time grow as n^2 for the distances; the expansion to triangles can
    grow as n^3 when ``collapse=False``.  Reference: Edelsbrunner-Harer 2010, VII.
    """
    import gudhi  # imported here so that the rest of the module works without it

    X = _cloud(points)
    max_dim = check_int(max_dim, "max_dim", 0)
    if max_edge is None:
        max_edge = np.inf
    elif (isinstance(max_edge, bool) or not isinstance(max_edge, (int, float, np.number))
          or not max_edge > 0):
        raise ValueError(f"max_edge must be a number > 0 or None, got {max_edge!r}")
    if not isinstance(collapse, (bool, np.bool_)):
        raise TypeError(f"collapse must be a bool, got {type(collapse).__name__}")
    if int(coeff_field) != coeff_field or coeff_field < 2 or any(
            coeff_field % p == 0 for p in range(2, int(coeff_field ** 0.5) + 1)):
        raise ValueError(f"coeff_field must be a prime number, got {coeff_field!r}")

    n = X.shape[0]
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


def bottleneck(d1, d2, e: float = 0.0) -> float:
    """Bottleneck distance W_inf between two persistence diagrams.

    ``W_inf(D1, D2) = inf_M max_{(p, q) in M} ||p - q||_inf`` over partial matchings
    ``M`` in which unmatched points go to the diagonal (cost half their persistence).
    Backend: :func:`gudhi.bottleneck_distance`; with ``e = 0`` (default) gudhi's exact
    algorithm, so identical diagrams give exactly 0 (gudhi's faster default returns
    the smallest double instead).

    Parameters
    ----------
    d1, d2 : arrays of shape (m, 2)
        (birth, death) pairs; death may be ``inf`` (essential classes).
    e : float >= 0
        Additive error allowed; 0 for the exact distance.

    Returns
    -------
    float, in the units of the diagrams; ``inf`` when the numbers of essential classes
    differ.  Reference: Cohen-Steiner, Edelsbrunner, Harer 2007.
    """
    import gudhi

    a, b = _diagram(d1, "d1"), _diagram(d2, "d2")
    if not (np.isfinite(e) and e >= 0):
        raise ValueError(f"e must be a finite number >= 0, got {e!r}")
    if len(_essential(a)[1]) != len(_essential(b)[1]):
        return np.inf
    if len(a) == 0 and len(b) == 0:
        return 0.0
    return float(gudhi.bottleneck_distance(a, b, e))


WASSERSTEIN_BACKENDS = ("scipy", "hera", "pot")


def _wasserstein_assignment(a, b, order, internal_p):
    """Exact W_q by a linear assignment on the usual augmented cost matrix.

    Written here (on :func:`scipy.optimize.linear_sum_assignment`) because hera's
    auction can fail to return on diagrams that differ by rounding errors, and POT is
    an optional dependency.  Finite points: ``x_i`` may go to ``y_j`` (cost
    ``||x_i - y_j||^q``) or to a diagonal slot (cost ``dist(x_i, diagonal)^q``), and
    diagonal slots match each other at no cost; essential classes (death inf) are
    matched in sorted order of birth, which is optimal in one dimension for q >= 1.
    """
    from scipy.optimize import linear_sum_assignment

    fa, ea = _essential(a)
    fb, eb = _essential(b)
    q = float(order)
    # distance of (b, d) to the diagonal in the L^p norm: ((d - b) / 2) * 2^(1/p)
    to_diag = 1.0 if np.isinf(internal_p) else 2.0 ** (1.0 / internal_p)
    da = 0.5 * (fa[:, 1] - fa[:, 0]) * to_diag
    db = 0.5 * (fb[:, 1] - fb[:, 0]) * to_diag
    n, m = len(fa), len(fb)
    cost = np.zeros((n + m, m + n))
    if n and m:
        diff = np.abs(fa[:, None, :] - fb[None, :, :])
        ground = diff.max(axis=2) if np.isinf(internal_p) else np.linalg.norm(
            diff, ord=internal_p, axis=2)
        cost[:n, :m] = ground ** q
    cost[:n, m:] = (da ** q)[:, None]
    cost[n:, :m] = (db ** q)[None, :]
    rows, cols = linear_sum_assignment(cost)
    total = float(np.sum(np.sort(cost[rows, cols])))  # sorted: a fixed summation order
    total += float(np.sum(np.abs(ea - eb) ** q))
    return total ** (1.0 / q)


def wasserstein(d1, d2, order: float = 1, internal_p: float = np.inf,
                backend: str = "scipy", delta: float = 0.01) -> float:
    """q-Wasserstein distance W_q (q = ``order``) between two persistence diagrams.

    ``W_q(D1, D2) = ( inf_M sum_{(x, y) in M} ||x - y||_internal_p^q )^(1/q)`` over
    partial matchings ``M`` whose unmatched points go to the diagonal; essential
    classes are matched among themselves (distance ``inf`` when their numbers differ).

    Backends
    --------
    ``"scipy"`` (default): exact, an optimal assignment on the augmented cost matrix
    (:func:`scipy.optimize.linear_sum_assignment`), cubic in the number of points;
    deterministic, and exactly 0 for identical diagrams.
    ``"hera"``: :func:`gudhi.hera.wasserstein_distance`, the auction algorithm of
    Kerber-Morozov-Nigmetov, with relative error at most ``delta`` (its result ``w``
    satisfies ``W <= w <= (1 + delta) W``); fast on large diagrams.  It is *not* the
    default because the auction can fail to terminate when ``delta * W`` is below the
    rounding error of the coordinates: with gudhi 3.13 it does not return on two
    diagrams of values ~1 that differ by ~1e-16 (``delta = 0.01``) or by ~1e-12
    (``delta = 1e-6``), which is exactly the comparison of a run with its symmetric
    copy or with a 1e-12 perturbation.
    ``"pot"``: :func:`gudhi.wasserstein.wasserstein_distance`, the exact transport
    linear program of Python Optimal Transport (the optional package ``POT``).

    Parameters
    ----------
    d1, d2 : arrays of shape (m, 2)
    order : float >= 1
    internal_p : float >= 1 or inf
        Ground norm on the plane (inf: the one of the bottleneck distance).
    backend : {"scipy", "hera", "pot"}
    delta : float > 0, relative error of hera (ignored by the exact backends).

    Returns
    -------
    float, in the units of the diagrams.  Reference: Cohen-Steiner, Edelsbrunner,
    Harer, Mileyko, "Lipschitz functions have Lp-stable persistence", Found. Comput.
    Math. 10 (2010); Kerber, Morozov, Nigmetov 2017.
    """
    a, b = _diagram(d1, "d1"), _diagram(d2, "d2")
    if not (np.isfinite(order) and order >= 1):
        raise ValueError(f"order must be a finite number >= 1, got {order!r}")
    if not (internal_p >= 1):
        raise ValueError(f"internal_p must be >= 1 or inf, got {internal_p!r}")
    if backend not in WASSERSTEIN_BACKENDS:
        raise ValueError(f"backend must be one of {WASSERSTEIN_BACKENDS}, got {backend!r}")
    if not (np.isfinite(delta) and delta > 0):
        raise ValueError(f"delta must be a finite number > 0, got {delta!r}")
    if len(_essential(a)[1]) != len(_essential(b)[1]):
        return np.inf  # checked here so that POT does not warn
    if len(a) == 0 and len(b) == 0:
        return 0.0
    if backend == "scipy":
        return _wasserstein_assignment(a, b, order, internal_p)
    if backend == "hera":
        from gudhi.hera import wasserstein_distance

        return float(wasserstein_distance(a, b, order=float(order),
                                          internal_p=float(internal_p), delta=float(delta)))
    from gudhi.wasserstein import wasserstein_distance

    return float(wasserstein_distance(a, b, order=float(order), internal_p=float(internal_p)))


# -- point clouds -------------------------------------------------------------------------

def hausdorff(S1, S2) -> float:
    """Hausdorff distance ``d_H(S1, S2) = max(sup_p d(p, S2), sup_q d(q, S1))``.

    Euclidean, exact (:func:`scipy.spatial.distance.directed_hausdorff` in both
    directions; its internal shuffle uses a fixed seed, so the call is deterministic).

    Parameters
    ----------
    S1 : array, shape (n1, d);  S2 : array, shape (n2, d)

    Returns
    -------
    float, in the units of the points.
    """
    A = _cloud(S1, "S1")
    B = _cloud(S2, "S2", dim=A.shape[1])
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

    The quantity of Lemma 19 of the uniqueness preprint.  ``S1``: (n1, d), ``S2``:
    (n2, d); returns a float in the units of the points.
    """
    A = _cloud(S1, "S1")
    B = _cloud(S2, "S2", dim=A.shape[1])
    return _min_pair(A, B)[0]


def step_lengths(S) -> np.ndarray:
    """Distances between consecutive points of a trajectory cloud, shape (n - 1,).

    The sample ``S`` is an ``h/2``-dense sample of the polygonal curve through it,
    with ``h = step_lengths(S).max()``: every point of the curve lies within ``h/2``
    of ``S``.
    """
    X = _cloud(S, "S")
    return np.linalg.norm(np.diff(X, axis=0), axis=1)


def _segment_distances(P0, U, Q0, V):
    """Distances between segments P0 + s U and Q0 + t V, s, t in [0, 1], row by row.

    Written by hand (no library offers segment-segment distances in R^d): the squared
    distance is a convex quadratic on the unit square, so its minimum is at the
    stationary point (if inside) or at the 1-D minimiser on one of the four edges.
    All five candidates are feasible, so their smallest distance, evaluated from the
    vectors themselves (no cancellation in a quadratic form), is the minimum.
    Returns (dist, s, t), arrays of shape (m,).
    """
    W0 = P0 - Q0
    a = np.einsum("ij,ij->i", U, U)
    b = np.einsum("ij,ij->i", U, V)
    c = np.einsum("ij,ij->i", V, V)
    d = np.einsum("ij,ij->i", U, W0)
    e = np.einsum("ij,ij->i", V, W0)
    with np.errstate(divide="ignore", invalid="ignore"):
        safe_a = np.where(a > 0, a, 1.0)
        safe_c = np.where(c > 0, c, 1.0)
        cands = [
            (np.zeros_like(a), np.where(c > 0, np.clip(e / safe_c, 0, 1), 0.0)),
            (np.ones_like(a), np.where(c > 0, np.clip((e + b) / safe_c, 0, 1), 0.0)),
            (np.where(a > 0, np.clip(-d / safe_a, 0, 1), 0.0), np.zeros_like(a)),
            (np.where(a > 0, np.clip((b - d) / safe_a, 0, 1), 0.0), np.ones_like(a)),
        ]
        det = a * c - b * b
        ok = det > 1e-12 * a * c
        safe_det = np.where(ok, det, 1.0)
        s_in = (b * e - c * d) / safe_det
        t_in = (a * e - b * d) / safe_det
        inside = ok & (s_in >= 0) & (s_in <= 1) & (t_in >= 0) & (t_in <= 1)
        cands.append((np.where(inside, s_in, 0.0), np.where(inside, t_in, 0.0)))
    best = np.full(a.shape, np.inf)
    bs, bt = np.zeros_like(a), np.zeros_like(a)
    for s, t in cands:
        dist = np.linalg.norm(W0 + s[:, None] * U - t[:, None] * V, axis=1)
        better = dist < best
        best = np.where(better, dist, best)
        bs, bt = np.where(better, s, bs), np.where(better, t, bt)
    return best, bs, bt


def polyline_distance(P, Q, return_location: bool = False):
    """Minimum distance between the polygonal curves through two trajectory clouds.

    ``dist(gamma_P, gamma_Q) = min_{x in gamma_P, y in gamma_Q} ||x - y||`` where
    ``gamma_P`` is the piecewise-linear curve through ``P[0], P[1], ...``.  Two curves
    lie in disjoint tubes ``N_r1``, ``N_r2`` exactly when ``r1 + r2 <`` this distance
    (Theorem 12, part 3).  Exact up to rounding: every pair of segments whose lower
    bound ``|m_i - m_j| - (l_i + l_j)/2`` (midpoints m, lengths l) does not exceed the
    best vertex-vertex distance is measured exactly by :func:`_segment_distances`.

    Parameters
    ----------
    P : array, shape (n1, d);  Q : array, shape (n2, d)
        A single point is a degenerate curve.
    return_location : bool
        Also return ``(i, s, j, t)``: the closest points are ``P[i] + s (P[i+1] - P[i])``
        and ``Q[j] + t (Q[j+1] - Q[j])``.

    Returns
    -------
    float (units of the points), or ``(float, (i, s, j, t))``.
    """
    A = _cloud(P, "P")
    B = _cloud(Q, "Q", dim=A.shape[1])
    # a single point is a zero-length segment
    A2 = A if len(A) > 1 else np.vstack([A, A])
    B2 = B if len(B) > 1 else np.vstack([B, B])
    upper, _, _ = _min_pair(A, B)
    mA, lA = 0.5 * (A2[1:] + A2[:-1]), np.linalg.norm(np.diff(A2, axis=0), axis=1)
    mB, lB = 0.5 * (B2[1:] + B2[:-1]), np.linalg.norm(np.diff(B2, axis=0), axis=1)
    best, loc = np.inf, (0, 0.0, 0, 0.0)
    chunk = max(1, 2 ** 22 // max(1, len(mB)))
    for s0 in range(0, len(mA), chunk):
        mid = cdist(mA[s0:s0 + chunk], mB)
        half = 0.5 * (lA[s0:s0 + chunk, None] + lB[None, :])
        # keep every pair whose lower bound could beat the best distance; the slack covers
        # the rounding of the bound itself (a difference of two numbers of size mid)
        slack = 64 * np.finfo(float).eps * (mid + half)
        ii, jj = np.nonzero(mid - half <= min(upper, best) + slack)
        if len(ii) == 0:
            continue
        ii = ii + s0
        dist, s, t = _segment_distances(A2[ii], A2[ii + 1] - A2[ii], B2[jj], B2[jj + 1] - B2[jj])
        k = int(np.argmin(dist))
        if dist[k] < best:
            best = float(dist[k])
            loc = (int(ii[k]), float(s[k]), int(jj[k]), float(t[k]))
    return (best, loc) if return_location else best


def trajectory_cloud(checkpoints, project=None) -> np.ndarray:
    """The point cloud of a training trajectory, optionally projected.

    Parameters
    ----------
    checkpoints : :class:`uniqnets.models.Trajectory`, or array of shape (n, d)
        Saved parameter vectors (``Trajectory.thetas``), one per row.
    project : None, array of shape (d, k), or callable
        None keeps the full parameter space; a matrix ``P`` maps the cloud to
        ``S @ P`` (use orthonormal columns, e.g. from :func:`pca_basis`, for an
        orthogonal projection, which can only shrink distances); a callable is
        applied to the (n, d) array and must return an (n, k) array.

    Returns
    -------
    array, shape (n, d) or (n, k), float64 (a copy).  Raises ``ValueError`` if the
    checkpoints are not finite: check ``Trajectory.diverged`` before.
    """
    thetas = getattr(checkpoints, "thetas", checkpoints)
    X = _cloud(thetas, "checkpoints")
    if project is None:
        return X.copy()
    if callable(project):
        Y = _cloud(project(X), "project(checkpoints)")
        if Y.shape[0] != X.shape[0]:
            raise ValueError(f"project must keep the number of points {X.shape[0]}, "
                             f"got {Y.shape[0]}")
        return Y
    P = np.asarray(project)
    if P.ndim != 2 or P.shape[0] != X.shape[1]:
        raise ValueError(f"project must be a callable or a matrix of shape ({X.shape[1]}, k), "
                         f"got shape {P.shape}")
    P = _cloud(P, "project")
    return X @ P


def pca_basis(*clouds, k: int) -> np.ndarray:
    """Orthonormal basis (d, k) of the top-k principal directions of stacked clouds.

    Centre the union of ``clouds`` (each (n_i, d)) and take the first ``k`` right
    singular vectors (:func:`numpy.linalg.svd`); the sign of each vector is fixed so
    that its largest-magnitude entry is positive (a deterministic choice).  Use it to
    project several trajectories into one shared k-dimensional space with
    :func:`trajectory_cloud`.
    """
    if not clouds:
        raise ValueError("clouds: give at least one point cloud")
    arrs = [_cloud(c, f"clouds[{i}]") for i, c in enumerate(clouds)]
    d = arrs[0].shape[1]
    for i, a in enumerate(arrs):
        if a.shape[1] != d:
            raise ValueError(f"clouds[{i}] must have dimension {d}, got {a.shape[1]}")
    if isinstance(k, bool) or int(k) != k or not 1 <= k <= d:
        raise ValueError(f"k must be an integer in 1..{d}, got {k!r}")
    X = np.vstack(arrs)
    X = X - X.mean(axis=0)
    _, _, Vt = np.linalg.svd(X, full_matrices=False)
    V = Vt[: int(k)].T
    if V.shape[1] < k:  # fewer points than k: complete with an orthonormal basis
        Qc, _ = np.linalg.qr(np.hstack([V, np.eye(d)]))
        V = Qc[:, : int(k)]
    flip = np.sign(V[np.argmax(np.abs(V), axis=0), np.arange(V.shape[1])])
    flip[flip == 0] = 1.0
    return V * flip


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
    S1 : array (n1, d);  S2 : array (n2, d2);  scales : array of float >= 0, shape (m,)

    Returns
    -------
    int8 array of shape (m,) with the codes above.
    """
    A = _cloud(S1, "S1")
    B = _cloud(S2, "S2")
    r = np.atleast_1d(np.asarray(scales, dtype=np.float64))
    if r.ndim != 1 or not np.all(np.isfinite(r)) or np.any(r < 0):
        raise ValueError("scales must be a 1-D array of finite numbers >= 0")
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
