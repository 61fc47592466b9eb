"""Bottleneck and Wasserstein distances between persistence diagrams (private)."""

from __future__ import annotations

import numpy as np

from .._validate import check_choice, check_real
from ._checks import diagram, essential, n_essential

__all__ = ["WASSERSTEIN_BACKENDS", "bottleneck", "wasserstein"]

#: the values of ``backend`` that :func:`wasserstein` accepts
WASSERSTEIN_BACKENDS = ("scipy", "hera", "pot")


def bottleneck(d1, d2, e: float = 0.0) -> float:
    """Bottleneck distance W_inf between two persistence diagrams.

    ``W_inf(D1, D2) = inf_M max_{(p, q) in M} ||p - q||_inf`` over partial matchings
    ``M`` in which unmatched points go to the diagonal (cost half their persistence).
    Backend: :func:`gudhi.bottleneck_distance`.  With ``e = 0`` (default) the exact
    distance, found the fast way when it can be certified: gudhi's default mode
    (``e=None``), which is several times faster than its exact mode but may get the
    last two or three bits of the mantissa wrong, gives ``v``; the exact distance is
    one of the finitely many candidate costs (the L_inf distance of a pair of points,
    or the L_inf distance of one point to the diagonal), so when exactly one candidate lies within
    ``2**-40 v`` of ``v`` (far wider than the error of the last bits), that candidate
    is the distance (essential classes are matched apart, by sorted births).  Otherwise
    (ties of distinct candidates in that window, more than ``4e6`` point pairs) gudhi's
    exact mode (``e=0``) is called.
    Either way identical diagrams give exactly 0 (gudhi's default alone returns the
    smallest double instead).

    Parameters
    ----------
    d1, d2 : array_like, shape (m, 2)
        (birth, death) pairs; death may be ``inf`` (essential classes); empty allowed.
    e : float
        Additive error allowed, ``>= 0``; 0 for the exact distance.

    Returns
    -------
    float
        In the units of the diagrams; ``inf`` when the numbers of essential classes
        differ.

    References
    ----------
    D. Cohen-Steiner, H. Edelsbrunner, J. Harer, "Stability of persistence diagrams",
    Discrete Comput. Geom. 37 (2007) 103-120.

    Examples
    --------
    >>> from uniqnets.topology import bottleneck
    >>> print(bottleneck([[0.0, 2.0]], [[0.0, 2.5]]), bottleneck([[0.0, 2.0]], []))
    0.5 1.0
    """
    import gudhi

    a, b = diagram(d1, "d1"), diagram(d2, "d2")
    e = check_real(e, "e", lo=0.0)
    n_ess = n_essential(a)
    if n_ess != n_essential(b):
        return np.inf
    if len(a) == 0 and len(b) == 0:
        return 0.0
    if e > 0:
        return float(gudhi.bottleneck_distance(a, b, e))
    if len(a) * len(b) <= _MAX_CERTIFIED_PAIRS:
        # essential classes can only be matched among themselves: in one dimension the
        # sorted matching of their births minimises the largest cost, independently of
        # the finite points
        fa, ea = essential(a) if n_ess else (a, a[:0, 0])
        fb, eb = essential(b) if n_ess else (b, b[:0, 0])
        ess = float(np.max(np.abs(ea - eb))) if n_ess else 0.0
        if len(fa) == 0 and len(fb) == 0:
            return ess
        value = _certified_bottleneck(fa, fb, float(gudhi.bottleneck_distance(fa, fb)))
        if value is not None:
            return max(value, ess)
    return float(gudhi.bottleneck_distance(a, b, 0.0))


#: the largest number of point pairs whose candidate costs are computed (32 MB)
_MAX_CERTIFIED_PAIRS = 4_000_000


def _certified_bottleneck(a, b, approx: float):
    """The exact bottleneck distance of finite diagrams near ``approx``, or None.

    The optimal matching's largest cost is one of the candidates ``max(|b_i - b'_j|,
    |d_i - d'_j|)`` or a point's distance to the diagonal (half its persistence),
    computed here as gudhi computes them.  gudhi's
    default mode is exact but for its last bits; the candidates within a window much
    wider than that are collected, and a single distinct one is the distance.  Written
    here because gudhi offers the fast approximate and the slow exact mode but not
    this certification of the first by the candidate set.
    """
    from scipy.spatial.distance import cdist

    tol = 2.0 ** -40 * approx + 1e-300  # the default mode may return the smallest double
    lo, hi = approx - tol, approx + tol
    cand = cdist(a, b, "chebyshev").ravel()
    found = cand[(cand >= lo) & (cand <= hi)]
    # to the diagonal: the L_inf distance to the projection ((b + d)/2, (b + d)/2), in
    # gudhi's rounding (it is not always the rounding of (d - b)/2)
    pts = np.concatenate([a, b])
    mid = (pts[:, 0] + pts[:, 1]) / 2.0
    half = np.maximum(np.abs(pts[:, 0] - mid), np.abs(pts[:, 1] - mid))
    found = np.unique(np.concatenate([found, half[(half >= lo) & (half <= hi)]]))
    return float(found[0]) if len(found) == 1 else None


def _power(x, q, scale=1.0, cap=np.inf):
    """``min((x / scale) ** q, cap)``; ``x ** q`` itself when there is nothing to scale."""
    if scale == 1.0 and np.isinf(cap):
        return x if q == 1.0 else x ** q
    with np.errstate(over="ignore", under="ignore"):
        return np.minimum((x / scale) ** q, cap)


def _wasserstein_transport(fa, ea, fb, eb, order, internal_p, scale=1.0, cap=np.inf):
    """Exact W_q by POT's network simplex (:func:`ot.emd2`) on the diagonal-augmented problem.

    ``fa``, ``fb``: the finite parts of the diagrams, shape (n, 2) and (m, 2); ``ea``,
    ``eb``: the sorted births of their essential classes, of equal lengths
    (:func:`._checks.essential`). With ``scale`` the costs are ``(c / scale) ** q``,
    capped at ``cap``, and the result is ``scale * total ** (1 / q)`` (see
    :func:`wasserstein`).

    The transport problem of gudhi's POT path, with one diagonal node of mass ``m`` on
    the first side and ``n`` on the second (cost matrix ``(n + 1) x (m + 1)``, the
    diagonal-to-diagonal cost 0); written here rather than called through
    :func:`gudhi.wasserstein.wasserstein_distance` because that wrapper makes three
    copies of the cost matrix (``** order``, ``hstack``, ``vstack``) where one suffices,
    and checks marginals that balance by construction.  Essential classes (death inf)
    are matched in sorted order of birth, which is optimal in one dimension for q >= 1.
    """
    import ot
    from scipy.spatial.distance import cdist

    q = float(order)
    n, m = len(fa), len(fb)
    # distance of (b, d) to the diagonal in the L^p norm: ((d - b) / 2) * 2^(1/p)
    to_diag = 1.0 if np.isinf(internal_p) else 2.0 ** (1.0 / internal_p)
    cost = np.empty((n + 1, m + 1))
    if n and m:
        ground = (cdist(fa, fb, "chebyshev") if np.isinf(internal_p)
                  else cdist(fa, fb, "minkowski", p=float(internal_p)))
        cost[:n, :m] = _power(ground, q, scale, cap)
    cost[:n, m] = _power(0.5 * (fa[:, 1] - fa[:, 0]) * to_diag, q, scale, cap)
    cost[n, :m] = _power(0.5 * (fb[:, 1] - fb[:, 0]) * to_diag, q, scale, cap)
    cost[n, m] = 0.0
    wa = np.ones(n + 1)
    wa[n] = m
    wb = np.ones(m + 1)
    wb[m] = n
    # the marginals balance by construction (n + m on each side): no check needed
    total = float(ot.emd2(wa, wb, cost, numItermax=max(2_000_000, 50 * (n + 1) * (m + 1)),
                          check_marginals=False))
    total += float(np.sum(_power(np.abs(ea - eb), q, scale)))
    return scale * total ** (1.0 / q)


def _wasserstein_assignment(fa, ea, fb, eb, order, internal_p, scale=1.0, cap=np.inf):
    """Exact W_q by a linear assignment on the usual augmented cost matrix.

    Arguments as for :func:`_wasserstein_transport`.

    Written here (on :func:`scipy.optimize.linear_sum_assignment`) as the exact method
    without POT: hera's auction can fail to return on diagrams that differ by rounding
    errors.  Finite points: ``x_i`` may go to ``y_j`` (cost ``||x_i - y_j||^q``) or to
    a diagonal slot (cost ``dist(x_i, diagonal)^q``), and diagonal slots match each
    other at no cost; essential classes (death inf) are matched in sorted order of
    birth, which is optimal in one dimension for q >= 1.
    """
    from scipy.optimize import linear_sum_assignment

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
        cost[:n, :m] = _power(ground, q, scale, cap)
    cost[:n, m:] = _power(da, q, scale, cap)[:, None]
    cost[n:, :m] = _power(db, q, scale, cap)[None, :]
    rows, cols = linear_sum_assignment(cost)
    total = float(np.sum(np.sort(cost[rows, cols])))  # sorted: a fixed summation order
    total += float(np.sum(_power(np.abs(ea - eb), q, scale)))
    return scale * total ** (1.0 / q)


#: the q-th powers of costs are scaled when they would leave this many decades around 1:
#: float64 reaches 308, and POT's network simplex loses its optimum well before that
#: (costs of 1e-180 give a total off by a factor 2), so the bound is set far inside
_DECADES = 30.0


def _scaling(a, b, fa, fb, q, internal_p):
    """``(scale, cap)`` for :func:`_power` when ``c ** q`` may leave float64's range, else None.

    The plain sum of ``c ** q`` underflows when the matched costs are small (q = 1000 and
    costs 0.2 give 1e-699) and overflows when they are large. Scaled by the bottleneck
    distance ``B`` (in the sup norm), the optimal matching's largest cost is at least
    ``B`` in any ground norm ``>= 1``, so the scaled total is at least 1: terms that
    underflow are below 1e-308 of it, far below its rounding. No optimal matching uses
    a cost above ``N^(1/q) 2^(1/p) B`` (matching every point as the bottleneck does
    costs at most ``N`` scaled), so larger costs are capped without changing the
    optimum; capped, no scaled cost overflows.
    """
    if q == 1.0:
        return None
    B = bottleneck(a, b)
    coords = np.abs(np.concatenate([fa.ravel(), fb.ravel()]))
    span = 2.0 * (coords.max() if coords.size else 0.0) + B
    if B == 0.0:
        return (0.0, 0.0)  # the diagrams coincide: W_q = 0 for every q
    if q * np.log10(B) > -_DECADES and q * np.log10(max(span * 2.0, 1e-300)) < _DECADES:
        return None
    n_points = len(fa) + len(fb) + 2
    log_cap = np.log10(n_points) + (0.0 if np.isinf(internal_p) else q / internal_p
                                    * np.log10(2.0))
    if log_cap > 300:
        raise ValueError(f"order / internal_p = {q / internal_p:g} is beyond what float64 can "
                         "compute exactly (at most about 900)")
    return (B, 10.0 ** log_cap * (1 + 1e-9))


def wasserstein(d1, d2, order: float = 1, internal_p: float = np.inf,
                backend: str = "pot", delta: float = 0.01) -> float:
    """q-Wasserstein distance W_q (q = ``order``) between two persistence diagrams.

    ``W_q(D1, D2) = ( inf_M sum_{(x, y) in M} ||x - y||_internal_p^q )^(1/q)`` over
    partial matchings ``M`` whose unmatched points go to the diagonal; essential
    classes are matched among themselves (distance ``inf`` when their numbers differ).

    Parameters
    ----------
    d1, d2 : array_like, shape (m, 2)
        (birth, death) pairs; death may be ``inf``; empty allowed.
    order : float
        ``q >= 1``.
    internal_p : float
        Ground norm on the plane, ``>= 1`` or ``inf`` (the norm of the bottleneck
        distance).
    backend : {"pot", "scipy", "hera"}
        The solver (see Notes).
    delta : float
        Relative error of hera, ``> 0`` (ignored by the exact backends).

    Returns
    -------
    float
        In the units of the diagrams.

    Notes
    -----
    ``"pot"`` (default): exact, the transport linear program on the diagonal-augmented
    cost matrix (one diagonal node per side, as in
    :func:`gudhi.wasserstein.wasserstein_distance`) solved by the network simplex of
    Python Optimal Transport (:func:`ot.emd2`); deterministic, exactly 0 for identical
    diagrams, and a rounding-sized number for diagrams that differ by rounding.  It
    takes the time of gudhi's POT path or less (``benchmarks/bench_topology.py``), 2 to
    5 times less than ``"scipy"`` on diagrams of 100 to 1000 points.

    ``"scipy"``: exact, an optimal assignment on the ``(n + m) x (m + n)`` augmented cost
    matrix (:func:`scipy.optimize.linear_sum_assignment`), cubic in the number of
    points; deterministic, and exactly 0 for identical diagrams.  It agrees with
    ``"pot"`` to rounding (the two sum the same optimal costs in another order).

    Large orders are computed exactly too: where the ``q``-th powers of the costs would
    leave 30 decades around 1 (``q = 1000`` and costs of 0.2 underflow to 0 in float64;
    POT's simplex already goes wrong on costs of 1e-180), the costs
    are divided by the bottleneck distance ``B`` before the power, which leaves the
    optimal matching unchanged and keeps its total at least 1, and costs no optimal
    matching can use are capped; ``W_q`` tends to ``B`` as ``q`` grows. The ratio
    ``order / internal_p`` is refused above about 900 (``2^(q/p)`` leaves float64).

    ``"hera"``: :func:`gudhi.hera.wasserstein_distance`, the auction algorithm of
    Kerber-Morozov-Nigmetov, with relative error at most ``delta`` (its result ``w``
    satisfies ``W <= w <= (1 + delta) W``); fast on large diagrams.  It is *not* the
    default because the auction can fail to terminate when ``delta * W`` is below the
    rounding error of the coordinates: with gudhi 3.13 it does not return on two
    diagrams of values ~1 that differ by ~1e-16 (``delta = 0.01``) or by ~1e-12
    (``delta = 1e-6``), which is exactly the comparison of a run with its symmetric
    copy or with a 1e-12 perturbation. Such inputs are refused before the auction starts
    (``delta * B`` below a thousand rounding units of the largest coordinate, ``B`` the
    bottleneck distance, a lower bound of ``W``), and so are orders whose powers leave
    float64 (hera has no scaled path): use ``"pot"`` for them.


    References
    ----------
    D. Cohen-Steiner, H. Edelsbrunner, J. Harer, Y. Mileyko, "Lipschitz functions have
    Lp-stable persistence", Found. Comput. Math. 10 (2010) 127-139; M. Kerber,
    D. Morozov, A. Nigmetov, ACM J. Exp. Algorithmics 22 (2017).

    Examples
    --------
    >>> from uniqnets.topology import wasserstein
    >>> d1, d2 = [[0.0, 2.0], [1.0, 1.5]], [[0.0, 2.5]]
    >>> print(wasserstein(d1, d2), f"{wasserstein(d1, d2, order=2):.4f}")
    0.75 0.5590
    """
    a, b = diagram(d1, "d1"), diagram(d2, "d2")
    order = check_real(order, "order", lo=1.0)
    internal_p = check_real(internal_p, "internal_p", lo=1.0, allow_inf=True)
    backend = check_choice(backend, "backend", WASSERSTEIN_BACKENDS)
    delta = check_real(delta, "delta", lo=0.0, lo_open=True)
    fa, ea = essential(a)
    fb, eb = essential(b)
    if len(ea) != len(eb):
        return np.inf  # checked here so that POT does not warn
    if len(a) == 0 and len(b) == 0:
        return 0.0
    scaled = _scaling(a, b, fa, fb, float(order), internal_p)
    if scaled is not None and scaled[0] == 0.0:
        return 0.0
    if backend == "pot":
        return _wasserstein_transport(fa, ea, fb, eb, order, internal_p, *(scaled or ()))
    if backend == "scipy":
        return _wasserstein_assignment(fa, ea, fb, eb, order, internal_p, *(scaled or ()))
    if scaled is not None:
        raise ValueError(f"order = {order:g}: the costs' powers leave float64's range, and "
                         "hera has no scaled path; use backend='pot'")
    finite = np.abs(np.concatenate([fa.ravel(), fb.ravel(), ea, eb]))
    B = bottleneck(a, b)
    if B > 0 and delta * B < 1e3 * np.finfo(float).eps * (finite.max() if finite.size else 1.0):
        raise ValueError(f"delta = {delta:g}: hera's auction does not finish when delta times "
                         f"the distance ({B:.1e} or more) is below the rounding of the "
                         "coordinates; use backend='pot'")
    from gudhi.hera import wasserstein_distance

    return float(wasserstein_distance(a, b, order=float(order),
                                      internal_p=float(internal_p), delta=float(delta)))
