"""Unit tests of uniqnets.topology against exact answers."""

import inspect

import numpy as np
import pytest
from gudhi.wasserstein import wasserstein_distance as gudhi_wasserstein
from scipy.optimize import lsq_linear
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial.distance import cdist, pdist, squareform

from uniqnets import models
from uniqnets import topology as tp
from uniqnets.topology import (
    ISOMORPHIC,
    NOT_ISOMORPHIC,
    UNDECIDED,
    WASSERSTEIN_BACKENDS,
    bottleneck,
    hausdorff,
    pca_basis,
    polyline_distance,
    rips_diagrams,
    rips_isomorphism,
    set_distance,
    step_lengths,
    trajectory_cloud,
    wasserstein,
)

# Distances are computed in float64 from coordinates of size O(1): a few ulps.
ROUND = 1e-12


def circle(n, R=1.0, center=(0.0, 0.0), phase=0.0):
    t = phase + 2 * np.pi * np.arange(n) / n
    return np.c_[center[0] + R * np.cos(t), center[1] + R * np.sin(t)]


def chord(k, n, R=1.0):
    return 2 * R * np.sin(np.pi * k / n)


def betti_at(dgms, r):
    """Persistent Betti numbers: bars with birth <= r < death."""
    return [int(np.sum((d[:, 0] <= r) & (r < d[:, 1]))) for d in dgms]


# -- persistence against known homology -----------------------------------------------------

@pytest.mark.parametrize("n", [60, 61, 62])
def test_evenly_spaced_circle_has_the_exact_bar(n):
    # Adamaszek (2013): the clique complex of the k-th power of the cycle C_n is a
    # circle for k/n < 1/3 and has no H1 from k/n = 1/3 on.  n evenly spaced points on
    # a circle of radius R: the loop is born when consecutive points connect,
    # chord(1), and dies at chord(ceil(n/3)); that is sqrt(3) R when 3 | n.
    R = 2.0
    h0, h1 = rips_diagrams(circle(n, R))
    assert len(h1) == 1
    np.testing.assert_allclose(h1[0], [chord(1, n, R), chord(-(-n // 3), n, R)],
                               rtol=0, atol=ROUND)
    if n % 3 == 0:
        assert h1[0, 1] == pytest.approx(np.sqrt(3) * R, abs=ROUND)
    # H0: one essential class and n - 1 components merging at chord(1)
    assert np.sum(np.isinf(h0[:, 1])) == 1
    np.testing.assert_allclose(h0[np.isfinite(h0[:, 1]), 1], chord(1, n, R), rtol=0, atol=ROUND)


def test_noisy_circle_one_long_bar_within_the_stability_bound():
    # a randomly sampled, noisy circle is within d_H of a dense evenly spaced one, so
    # its longest H1 bar is within 2 d_H of [chord(1), sqrt(3)] in the sup norm
    rng = np.random.default_rng(0)
    t = rng.uniform(0, 2 * np.pi, 300)
    X = np.c_[np.cos(t), np.sin(t)] + 0.03 * rng.standard_normal((300, 2))
    ref = circle(600)
    h1 = rips_diagrams(X)[1]
    pers = h1[:, 1] - h1[:, 0]
    top = h1[np.argmax(pers)]
    bound = 2 * hausdorff(X, ref)
    assert bound < 0.5  # the check below is informative
    assert bottleneck(top[None], [[chord(1, 600), np.sqrt(3)]]) <= bound
    # every other loop is noise: shorter than the bound allows
    assert np.sort(pers)[-2] <= 2 * bound


def test_two_circles_gap_and_two_loops():
    # unit circles centred 5 apart, sampled at angles that include 0 and pi: the
    # components merge at the gap 3, each circle carries a loop [chord(1), sqrt(3)]
    n = 30
    X = np.vstack([circle(n), circle(n, center=(5.0, 0.0))])
    h0, h1 = rips_diagrams(X)
    finite = np.sort(h0[np.isfinite(h0[:, 1]), 1])
    assert finite[-1] == pytest.approx(3.0, abs=ROUND)
    np.testing.assert_allclose(finite[:-1], chord(1, n), rtol=0, atol=ROUND)
    assert len(h1) == 2
    np.testing.assert_allclose(h1, [[chord(1, n), np.sqrt(3)]] * 2, rtol=0, atol=ROUND)


def test_torus_betti_numbers():
    # a 8 x 8 grid on the flat torus S^1 x S^1 in R^4 (tiny noise breaks the ties):
    # at scale 1.2 the Rips complex has the homology of a torus, (1, 2, 1)
    m = 8
    a, b = np.meshgrid(np.arange(m) * 2 * np.pi / m, np.arange(m) * 2 * np.pi / m)
    a, b = a.ravel(), b.ravel()
    X = np.c_[np.cos(a), np.sin(a), np.cos(b), np.sin(b)]
    X = X + 1e-3 * np.random.default_rng(0).standard_normal(X.shape)
    dgms = rips_diagrams(X, max_dim=2)
    assert betti_at(dgms, 1.2) == [1, 2, 1]
    # and the torus classes are the long ones: every other bar is shorter
    for k, n_long in ((1, 2), (2, 1)):
        pers = np.sort(dgms[k][:, 1] - dgms[k][:, 0])[::-1]
        assert pers[n_long] < 0.5 * pers[n_long - 1]


def test_h0_deaths_are_the_minimum_spanning_tree():
    # single-linkage: the finite H0 deaths of a Rips filtration are the MST edge lengths
    rng = np.random.default_rng(1)
    X = rng.standard_normal((80, 7))
    h0 = rips_diagrams(X, max_dim=0)[0]
    mst = minimum_spanning_tree(squareform(pdist(X))).data
    np.testing.assert_allclose(np.sort(h0[np.isfinite(h0[:, 1]), 1]), np.sort(mst),
                               rtol=0, atol=ROUND)
    assert np.all(h0[:, 0] == 0)


def test_collapse_does_not_change_the_diagrams_and_runs_are_identical():
    rng = np.random.default_rng(2)
    X = np.cumsum(rng.standard_normal((70, 5)), axis=0)  # a random walk: has loops
    a = rips_diagrams(X, collapse=True)
    b = rips_diagrams(X, collapse=False)
    c = rips_diagrams(X, collapse=True)
    assert len(a[1]) > 0
    for k in range(2):
        np.testing.assert_allclose(a[k], b[k], rtol=0, atol=ROUND)
        assert np.array_equal(a[k], c[k])  # bit-for-bit on rerun


def test_max_edge_truncates():
    X = np.vstack([circle(30), circle(30, center=(5.0, 0.0))])
    h0, h1 = rips_diagrams(X, max_edge=2.0)
    # the two components never merge below 2, and the loops are still alive at 2
    assert np.sum(np.isinf(h0[:, 1])) == 2
    assert np.sum(np.isinf(h1[:, 1])) == 0 and len(h1) == 2


def test_agrees_with_ripser():
    ripser = pytest.importorskip("ripser")
    rng = np.random.default_rng(3)
    X = np.cumsum(rng.standard_normal((120, 10)), axis=0)
    ours = rips_diagrams(X)
    theirs = ripser.ripser(X, maxdim=1)["dgms"]
    scale = pdist(X).max()
    for k in range(2):
        assert len(ours[k]) == len(theirs[k])
        # ripser stores distances in single precision: relative error ~ 6e-8
        assert bottleneck(ours[k], theirs[k]) <= 1e-6 * scale


def test_single_point_and_complexes_without_top_simplices():
    h0, h1 = rips_diagrams([[1.0, 2.0]])
    assert h0.tolist() == [[0.0, np.inf]] and h1.shape == (0, 2)
    # no edge below max_edge: three essential components
    h0, h1 = rips_diagrams([[0.0], [1.0], [2.5]], max_edge=0.5)
    assert h0.tolist() == [[0.0, np.inf]] * 3 and h1.shape == (0, 2)
    # a graph without triangles: H1 of the top dimension must not be dropped
    square = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]
    h1 = rips_diagrams(square, max_edge=1.2)[1]
    assert h1.tolist() == [[1.0, np.inf]]


# -- diagram distances ----------------------------------------------------------------------

D1 = np.array([[0.0, 4.0], [1.0, 2.0]])
D2 = np.array([[0.0, 5.0], [3.0, 3.5]])


def backends():
    """Every backend: POT is a core dependency, hera ships with gudhi."""
    return list(WASSERSTEIN_BACKENDS)


def test_default_backend_is_pots_exact_solver():
    # the fastest exact method (benchmarks/bench_topology.py) is the default
    assert inspect.signature(wasserstein).parameters["backend"].default == "pot"
    assert set(backends()) == {"scipy", "hera", "pot"}


def test_hand_computed_distances():
    # Optimal matching, by enumeration: (0,4)<->(0,5) costs 1 in the sup norm, (1,2) and
    # (3,3.5) go to the diagonal at half their persistence, 0.5 and 0.25.  The other
    # matchings cost more ((1,2)<->(3,3.5) alone costs 2; (0,4) to the diagonal costs 2).
    assert bottleneck(D1, D2) == 1.0
    for backend in backends():
        assert wasserstein(D1, D2, backend=backend) == pytest.approx(1.75, rel=1e-6)
        assert wasserstein(D1, D2, order=2, backend=backend) == pytest.approx(
            np.sqrt(1 + 0.25 + 0.0625), rel=1e-6)
        # Euclidean ground norm: the distance to the diagonal is persistence / sqrt(2)
        assert wasserstein(D1, D2, internal_p=2, backend=backend) == pytest.approx(
            1 + 1.5 / np.sqrt(2), rel=1e-6)


def test_distance_to_itself_is_exactly_zero():
    rng = np.random.default_rng(4)
    X = np.cumsum(rng.standard_normal((60, 4)), axis=0)
    for d in rips_diagrams(X):
        assert bottleneck(d, d.copy()) == 0.0
        for backend in backends():
            assert wasserstein(d, d.copy(), backend=backend) == 0.0


def test_essential_classes():
    a = [[0.0, np.inf], [0.0, 1.0]]
    b = [[0.5, np.inf]]
    # the essential classes match each other (cost 0.5), (0, 1) goes to the diagonal
    assert bottleneck(a, b) == 0.5
    assert wasserstein(a, b) == pytest.approx(1.0, rel=1e-6)
    assert bottleneck(a, [[0.0, 1.0]]) == np.inf
    for backend in backends():
        assert wasserstein(a, [[0.0, 1.0]], backend=backend) == np.inf
    assert bottleneck([], np.zeros((0, 2))) == 0.0


@pytest.mark.parametrize("internal_p", [1.0, 2.0, np.inf])
def test_backends_agree(internal_p):
    rng = np.random.default_rng(5)
    b = rng.uniform(0, 1, 150)
    A = np.c_[b, b + rng.exponential(0.1, 150)]
    B = A[:120] + rng.normal(0, 0.02, (120, 2))
    B[:, 1] = np.maximum(B[:, 1], B[:, 0])
    A, B = np.r_[A, [[0.0, np.inf]]], np.r_[B, [[0.1, np.inf]]]
    for q in (1, 2):
        exact = wasserstein(A, B, order=q, internal_p=internal_p)
        approx = wasserstein(A, B, order=q, internal_p=internal_p, backend="hera", delta=1e-6)
        # hera guarantees exact <= approx <= (1 + delta) exact; allow summation rounding
        assert exact * (1 - 1e-12) <= approx <= exact * (1 + 1e-6)
        # the two exact solvers sum the same optimal costs in another order
        lsa = wasserstein(A, B, order=q, internal_p=internal_p, backend="scipy")
        assert lsa == pytest.approx(exact, rel=1e-12)
        # and the default agrees with gudhi's own POT path
        peer = gudhi_wasserstein(A, B, order=float(q), internal_p=float(internal_p))
        assert peer == pytest.approx(exact, rel=1e-12)


def test_exact_wasserstein_on_diagrams_that_differ_by_rounding():
    # the comparison of a run with its symmetric copy: the exact backend returns a
    # rounding-sized number (hera's auction does not return on such input)
    rng = np.random.default_rng(10)
    b = rng.uniform(0, 1, 100)
    A = np.c_[b, b + rng.exponential(0.1, 100)]
    B = A * (1 + 1e-15 * rng.standard_normal(A.shape))
    for backend in ("pot", "scipy"):  # the exact backends
        assert 0 < wasserstein(A, B, backend=backend) < 1e-12
        assert wasserstein(A, B, backend=backend) >= bottleneck(A, B)  # W_q >= W_inf always


# -- stability ------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(5))
def test_stability_bound_on_random_perturbations(seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((50, 5))
    Y = X + rng.uniform(0.0, 0.3) * rng.standard_normal((50, 5))
    Y = Y[rng.permutation(50)][:45]  # also drop points: S2 need not match S1
    dh = hausdorff(X, Y)
    dx, dy = rips_diagrams(X), rips_diagrams(Y)
    for k in range(2):
        # Chazal-de Silva-Oudot with gudhi's edge-length filtration: W_inf <= 2 d_H
        assert bottleneck(dx[k], dy[k]) <= 2 * dh * (1 + ROUND)


def test_stability_constant_two_is_sharp():
    # two points a apart, each moved outwards by delta: d_H = delta, the H0 bar dies at
    # a + 2 delta instead of a, so W_inf = 2 delta (a is large, so matching to the
    # diagonal, at cost a/2, is worse)
    a, delta = 10.0, 0.25
    X = np.array([[0.0, 0.0], [a, 0.0]])
    Y = np.array([[-delta, 0.0], [a + delta, 0.0]])
    assert hausdorff(X, Y) == delta
    w = bottleneck(rips_diagrams(X)[0], rips_diagrams(Y)[0])
    assert w == pytest.approx(2 * delta, abs=ROUND)


# -- point-cloud distances ------------------------------------------------------------------

def test_hausdorff_known_values():
    assert hausdorff([[0.0]], [[0.0], [3.0]]) == 3.0
    # concentric circles of radii 1 and 2 sampled at the same angles
    assert hausdorff(circle(40), circle(40, R=2.0)) == pytest.approx(1.0, abs=ROUND)
    rng = np.random.default_rng(6)
    A, B = rng.standard_normal((30, 3)), rng.standard_normal((20, 3))
    D = cdist(A, B)
    assert hausdorff(A, B) == max(D.min(axis=1).max(), D.min(axis=0).max())
    assert set_distance(A, B) == D.min()


def test_polyline_distance_known_cases():
    # crossing segments in the plane: the curves meet although no sample points do
    P = [[-1.0, 0.0], [1.0, 0.0]]
    Q = [[0.0, -1.0], [0.0, 1.0]]
    assert polyline_distance(P, Q) == 0.0
    assert set_distance(P, Q) == pytest.approx(np.sqrt(2))
    # skew lines in R^3, one unit apart
    d, (i, s, j, t) = polyline_distance([[-1, 0, 0], [1, 0, 0]], [[0, -1, 1], [0, 1, 1]],
                                        return_location=True)
    assert d == pytest.approx(1.0, abs=ROUND) and (s, t) == pytest.approx((0.5, 0.5))
    # parallel segments at offset 2, overlapping in projection
    assert polyline_distance([[0, 0], [3, 0]], [[1, 2], [5, 2]]) == pytest.approx(2.0)
    # a point and a segment, and a point and a point
    assert polyline_distance([[0.0, 1.0]], [[-1.0, 0.0], [1.0, 0.0]]) == pytest.approx(1.0)
    assert polyline_distance([[0.0, 0.0]], [[3.0, 4.0]]) == 5.0
    # repeated points (a converged run) are zero-length segments
    assert polyline_distance([[0, 0], [0, 0], [1, 0]], [[2, 1], [2, 1]]) == pytest.approx(
        np.sqrt(2))


def test_polyline_distance_matches_constrained_least_squares():
    # independent reference: for every pair of segments, min ||w + s u - t v|| over the
    # unit square by scipy's bounded least squares (exact for this convex problem)
    rng = np.random.default_rng(7)
    for dim in (2, 3, 10):
        P = np.cumsum(rng.standard_normal((12, dim)), axis=0)
        Q = np.cumsum(rng.standard_normal((9, dim)), axis=0) + 1.0
        ref = np.inf
        for i in range(len(P) - 1):
            for j in range(len(Q) - 1):
                A = np.c_[P[i + 1] - P[i], -(Q[j + 1] - Q[j])]
                res = lsq_linear(A, Q[j] - P[i], bounds=(0, 1), tol=1e-14, method="bvls")
                ref = min(ref, np.linalg.norm(A @ res.x - (Q[j] - P[i])))
        assert polyline_distance(P, Q) == pytest.approx(ref, rel=1e-9, abs=ROUND)
        assert polyline_distance(P, Q) <= set_distance(P, Q)


def test_step_lengths():
    np.testing.assert_allclose(step_lengths([[0, 0], [3, 4], [3, 5]]), [5.0, 1.0])


# -- isomorphism of Rips complexes ----------------------------------------------------------

def test_rips_isomorphism_certificates():
    hexagon = circle(6)  # side 1, second neighbours sqrt(3) apart
    triangles = np.vstack([circle(3, R=1 / np.sqrt(3)),
                           circle(3, R=1 / np.sqrt(3), center=(10.0, 0.0))])
    # at scale 1 both graphs are 2-regular on 6 vertices: only the triangle count
    # (0 for the hexagon's 6-cycle, 2 for two triangles) tells them apart
    codes = rips_isomorphism(hexagon, triangles, [0.5, 1.0 + 1e-9, 100.0])
    assert codes.tolist() == [ISOMORPHIC, NOT_ISOMORPHIC, ISOMORPHIC]
    # a cloud and a relabelled copy: isomorphic, but not by the index map
    rng = np.random.default_rng(8)
    X = rng.standard_normal((15, 3))
    Y = X[rng.permutation(15)]
    dist = np.sort(pdist(X))
    mid = 0.5 * (dist[50] + dist[51])  # between two edge lengths, away from rounding
    assert rips_isomorphism(X, X + 5.0, [mid])[0] == ISOMORPHIC
    assert rips_isomorphism(X, Y, [mid])[0] == UNDECIDED
    # different numbers of vertices are never isomorphic; a scaled copy differs at some scale
    assert np.all(rips_isomorphism(X, X[:-1], [0.0, mid]) == NOT_ISOMORPHIC)
    assert NOT_ISOMORPHIC in rips_isomorphism(X, 1.5 * X, np.linspace(0, 10, 50))


# -- trajectories ---------------------------------------------------------------------------

def test_trajectory_cloud_and_projection():
    m = models.MLP((2, 3, 1))
    rng = np.random.default_rng(9)
    thetas = rng.standard_normal((7, m.n_params))
    traj = models.Trajectory(thetas, np.arange(7), np.zeros(7))
    S = trajectory_cloud(traj)
    assert np.array_equal(S, thetas) and S is not thetas
    # a cloud in a 2-plane of R^d: the PCA basis of that plane preserves all distances
    plane = np.linalg.qr(rng.standard_normal((m.n_params, 2)))[0]
    C = rng.standard_normal((10, 2)) @ plane.T
    V = pca_basis(C, k=2)
    np.testing.assert_allclose(V.T @ V, np.eye(2), atol=ROUND)
    np.testing.assert_allclose(pdist(trajectory_cloud(C, project=V)), pdist(C), atol=ROUND)
    assert trajectory_cloud(C, project=lambda x: x[:, :3]).shape == (10, 3)


# -- bad input ------------------------------------------------------------------------------

def test_bad_input():
    with pytest.raises(ValueError, match="points"):
        rips_diagrams(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="points"):
        rips_diagrams([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="finite"):
        rips_diagrams([[0.0, np.nan], [1.0, 1.0]])
    with pytest.raises(TypeError, match="points"):
        rips_diagrams([["a", "b"]])
    with pytest.raises(ValueError, match="max_dim"):
        rips_diagrams([[0.0]], max_dim=-1)
    with pytest.raises(ValueError, match="max_edge"):
        rips_diagrams([[0.0]], max_edge=0)
    with pytest.raises(ValueError, match="coeff_field"):
        rips_diagrams([[0.0]], coeff_field=4)
    with pytest.raises(ValueError, match="d1"):
        bottleneck([[0.0, np.nan]], D2)
    with pytest.raises(ValueError, match="d2"):
        bottleneck(D1, [[2.0, 1.0]])
    with pytest.raises(ValueError, match="d1"):
        wasserstein(np.zeros((3, 3)), D2)
    with pytest.raises(TypeError, match="d1"):
        wasserstein("abc", D2)
    with pytest.raises(ValueError, match="backend"):
        wasserstein(D1, D2, backend="sinkhorn")
    with pytest.raises(ValueError, match="order"):
        wasserstein(D1, D2, order=0.5)
    with pytest.raises(ValueError, match="S2"):
        hausdorff(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="S1"):
        set_distance(np.zeros((0, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="Q"):
        polyline_distance(np.zeros((2, 3)), np.full((2, 3), np.inf))
    with pytest.raises(ValueError, match="checkpoints"):
        trajectory_cloud(np.full((3, 2), np.nan))
    with pytest.raises(ValueError, match="project"):
        trajectory_cloud(np.zeros((3, 2)), project=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="k"):
        pca_basis(np.zeros((3, 2)), k=3)
    with pytest.raises(ValueError, match="scales"):
        rips_isomorphism(np.zeros((3, 2)), np.zeros((3, 2)), [-1.0])


@pytest.mark.parametrize("kind", ["generic", "h0", "ties", "near-equal", "large", "essential"])
def test_bottleneck_equals_gudhis_exact_mode_to_the_last_bit(kind):
    # the fast path (gudhi's default mode, certified by the candidate costs) and the
    # fallback (ties of candidates) must both give gudhi's exact value, bit for bit
    import gudhi

    from uniqnets.topology import _diagram_distance as dd

    rng = np.random.default_rng(
        ["generic", "h0", "ties", "near-equal", "large", "essential"].index(kind))
    certified = 0
    for _ in range(150):
        n, m = rng.integers(1, 50, 2)

        def make(k):
            births = np.zeros(k) if kind == "h0" else rng.random(k)
            pers = rng.integers(0, 4, k) / 4 if kind == "ties" else rng.random(k)
            return np.c_[births, births + pers] * (1e3 if kind == "large" else 1.0)

        a, b = make(n), make(m)
        if kind == "essential":  # the same number of infinite bars on both sides
            k = int(rng.integers(1, 4))
            a = np.r_[a, np.c_[rng.random(k), np.full(k, np.inf)]]
            b = np.r_[b, np.c_[rng.random(k), np.full(k, np.inf)]]
        if kind == "near-equal":
            b = a + rng.choice([0.0, 1e-15, 1e-9], size=a.shape)
            b[:, 1] = np.maximum(b[:, 1], b[:, 0])
        assert bottleneck(a, b) == float(gudhi.bottleneck_distance(a, b, 0.0))
        fin_a, fin_b = a[np.isfinite(a[:, 1])], b[np.isfinite(b[:, 1])]
        certified += dd._certified_bottleneck(
            fin_a, fin_b, gudhi.bottleneck_distance(fin_a, fin_b)) is not None
    if kind in ("generic", "h0", "large", "essential"):
        assert certified > 100  # the fast path is the usual one on generic diagrams


@pytest.mark.parametrize("backend", ["pot", "scipy"])
def test_wasserstein_of_large_order_tends_to_the_bottleneck(backend):
    from uniqnets import topology

    # the q-th powers of costs ~0.2 underflow for q = 1000 (1e-699): computed unscaled the
    # distance came out 0.0; scaled by the bottleneck distance it is exact
    rng = np.random.default_rng(3)
    a = np.sort(rng.uniform(0, 1, (12, 2)), axis=1)
    b = np.sort(rng.uniform(0, 1, (9, 2)), axis=1)
    B = topology.bottleneck(a, b)
    n = len(a) + len(b)
    for q in (300.0, 1000.0, 1e5):
        w = topology.wasserstein(a, b, order=q, backend=backend)
        # B <= W_q <= N^(1/q) B for diagrams of N points in all (sup ground norm)
        assert B * (1 - 1e-12) <= w <= n ** (1 / q) * B * (1 + 1e-12), (q, w, B)
    # costs of 1e200 overflow when cubed; scaled they do not
    assert topology.wasserstein([[0, 1e200]], [[0, 2e200]], order=3, backend=backend) == 1e200
    with pytest.raises(ValueError, match="internal_p"):
        topology.wasserstein(a, b, order=5000, internal_p=2, backend=backend)


def test_hera_refuses_what_it_cannot_finish():
    from uniqnets import topology

    a = np.array([[0.0, 1.0], [0.3, 0.9]])
    b = a.copy()
    b[0, 1] = np.nextafter(1.0, 2.0)  # one rounding unit apart: the auction never ends
    with pytest.raises(ValueError, match="delta"):
        topology.wasserstein(a, b, backend="hera")
    with pytest.raises(ValueError, match="order"):
        topology.wasserstein([[0.0, 0.3]], [[0.0, 0.5]], order=1000, backend="hera")
    # what it can finish it still computes, within its relative error delta
    w = topology.wasserstein([[0.0, 0.3]], [[0.0, 0.5]], order=2, backend="hera", delta=1e-6)
    assert abs(w - 0.2) <= 0.2e-6
# ---- the experiments of Theorem 12 at small sizes --------------------------------------

@pytest.fixture(scope="module")
def small_study():
    return tp.trajectory_study(3, ["gd", "sgd"], n_samples=30, hidden=4, n_steps=60,
                               save_every=5, batch_size=10, n_seeds=3)


def test_trajectory_study_repeat_is_identical_and_mirror_is_exact(small_study):
    s = small_study.summary()
    # a run is a deterministic function of its seed; sign flips are exact in floating point
    assert s["repeat_identical"] and s["repeat_distance_max"] == 0.0
    assert s["mirror_exact"] and s["mirror_winf_max"] == 0.0 and s["mirror_dH_min"] > 0
    assert s["reshuffled_dist_S"] == 0.0  # one initial point, two batch orders
    assert s["n_indep_pairs"] == 2 * 3  # C(3, 2) pairs per optimiser
    # exact distances: the stability theorem holds up to rounding
    assert s["stability_ratio_max_training"] <= 1 + 1e-12


def test_trajectory_study_is_bit_for_bit_reproducible(small_study):
    again = tp.trajectory_study(3, ["gd", "sgd"], n_samples=30, hidden=4, n_steps=60,
                                save_every=5, batch_size=10, n_seeds=3)
    for key, thetas in small_study.thetas.items():
        assert np.array_equal(thetas, again.thetas[key]), key


def test_compare_clouds_of_a_translate():
    # a translate has equal diagrams (an isometry) and is at Hausdorff distance the shift
    S = np.random.default_rng(1).standard_normal((15, 3))
    c = tp.compare_clouds(S, S + [0.0, 0.0, 100.0])
    # the distances of the shifted cloud are rounded differently: ulps of O(1) values
    assert max(c.bottleneck + c.w1) < 1e-12
    assert abs(c.hausdorff - 100.0) < 1e-12
    # the curves are at least the gap in the third coordinate apart, at most the points' distance
    assert 100.0 - np.ptp(S[:, 2]) <= c.curve_distance <= c.set_distance


def test_alignment_is_an_isometry_that_never_moves_final_points_apart(small_study):
    s = tp.alignment_study(small_study).summary()
    # bound 2 (d + 2) eps x diameter for the rounding of the distances
    assert s["align_change_over_rounding_max"] <= 1
    assert s["align_final_growth_max"] <= 1 + 1e-12


def test_sampling_study_obeys_the_stability_bound(small_study):
    st = tp.sampling_study(small_study, [6, 12])
    s = st.summary()
    assert st.density[:, 0].tolist() == [7.0, 13.0]  # n_steps // N steps: N + 1 points
    assert s["sampling_stability_ratio_max"] <= 1 + 1e-12  # exact distances
    assert s["n_indep_pairs_opt"] == 3


def test_convex_contraction_rate_matches_the_hessian():
    c = tp.convex_contraction(1, n_samples=40, n_steps=400)
    # a log-linear fit over hundreds of steps: a few parts in a thousand
    assert abs(c.rate_measured - c.rate_predicted) < 5e-3
    assert c.final_gap < 1e-6


def test_isomorphism_scan_certifies_both_ends():
    rng = np.random.default_rng(2)
    scan = tp.isomorphism_scan(rng.random((12, 3)), rng.random((12, 3)), n_scales=60)
    s = tp.scan_summary({"x": scan})
    # discrete below both minimum distances, full above both diameters: certified
    assert s["iso_ends_not_certified"] == 0
    # Jung: rho_m < 1 / sqrt(2)
    assert scan.cech_hi < scan.rips_hi / np.sqrt(2) and scan.cech_lo == scan.rips_lo / 2


def test_projection_of_a_planar_pair_loses_nothing_in_two_dimensions():
    # two clouds in a plane of R^5: projecting onto 2 principal axes keeps every distance
    rng = np.random.default_rng(3)
    basis = np.linalg.qr(rng.standard_normal((5, 2)))[0]
    S1 = rng.standard_normal((10, 2)) @ basis.T
    S2 = (rng.standard_normal((10, 2)) + [20.0, 0.0]) @ basis.T  # apart within the plane
    table = tp.projection_study(S1, S2, [1, 2]).table
    assert abs(table[1, 1] - table[-1, 1]) < 1e-9 * table[-1, 1]
    assert tp.projection_study(S1, S2, [1, 2]).monotonicity_violation() <= 1e-9


def test_random_curves_cross_in_the_plane_and_not_in_three_dimensions():
    st = tp.random_curve_study([2, 3], 40, 30, np.random.default_rng(4))
    # in the plane two long walks started ~3 apart cross most of the time (0.6 measured on
    # the book's page); 40 pairs: P(no crossing at all) is astronomically small
    assert st.table[0, 1] > 0.2
    assert st.hits_from(3) == 0  # general position in R^3: probability zero


def test_near_miss_refinement_shapes():
    nm = tp.near_miss_refinement([3, 4], [5, 10], 5, np.random.default_rng(5))
    assert set(nm.share) == {3, 4} and all(len(v) == 2 for v in nm.share.values())
    assert 0 <= nm.se(3) <= 0.5
    assert nm.markdown().count("\n") == 3


def test_known_circles():
    bar = tp.circle_h1_bar(60, radius=2.0)
    h1 = tp.rips_diagrams(tp.evenly_spaced_circle(60, radius=2.0))[1]
    assert len(h1) == 1 and np.abs(h1[0] - bar).max() < 1e-12  # rounding only
    assert abs(tp.circle_h1_bar(6)[1] - np.sqrt(3)) < 1e-15  # 3 | n: ends at sqrt(3) R
    nc = tp.noisy_circle(np.random.default_rng(6), n_points=100)
    assert nc.miss <= nc.bound and nc.second_bar <= 2 * nc.bound  # stability theorem


def test_stability_validation_is_sharp():
    sv = tp.stability_validation(np.random.default_rng(7), n_clouds=3, n_points=20, n_kept=18)
    assert sv.ratios.max() <= 1 + 1e-12 and abs(sv.sharp_ratio - 1) < 1e-12
