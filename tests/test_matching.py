"""uniqnets.practice: hidden-unit permutations, weight matching and linear-path barriers."""

from __future__ import annotations

from itertools import permutations

import numpy as np
import pytest

pytest.importorskip("jax", reason="needs the extra `practice`")

from uniqnets import models, practice  # noqa: E402

EPS = np.finfo(np.float64).eps

NETS = {
    "mlp": practice.mlp((20, 16, 12, 5)),
    "cnn": practice.cnn((8, 8, 1), (4, 6), 3),
    "resnet": practice.resnet((8, 8, 1), 4, 2, 3, downsample=2),
}


def widths(net):
    """The permuted layers of each kind, as the module docstring of _matching lists them."""
    if net.kind == "mlp":
        return list(net.cfg["sizes"][1:-1])
    if net.kind == "cnn":
        return list(net.cfg["channels"])
    # stem and one stride-2 convolution (downsample=2), then one inner set per block
    return [net.cfg["channels"]] * (2 + net.cfg["n_blocks"])


def params(net, seed):
    """Random parameters with nonzero biases (init leaves CNN and ResNet biases at zero,
    which would hide a bias that is not permuted)."""
    rng = np.random.default_rng(seed)
    return net.init(rng) + 0.1 * rng.standard_normal(net.n_params)


def outputs(net, theta, X):
    return np.asarray(net.apply(net.unflatten(theta), X))


def random_perms(net, rng):
    return [rng.permutation(w) for w in widths(net)]


# -- permute ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", list(NETS))
def test_permute_preserves_the_function_and_its_inverse_restores_theta(kind):
    net = NETS[kind]
    rng = np.random.default_rng(0)
    theta = params(net, 1)
    perms = random_perms(net, rng)
    moved = practice.permute(net, theta, perms)
    assert not np.array_equal(moved, theta)  # the permutation moved entries
    assert np.array_equal(np.sort(moved), np.sort(theta))  # and only moved them
    X = rng.standard_normal((9, net.n_in))
    fa, fb = outputs(net, theta, X), outputs(net, moved, X)
    # the same sums in another order: a few ulps of the largest output
    assert np.max(np.abs(fa - fb)) < 100 * EPS * np.abs(fa).max()
    back = practice.permute(net, moved, [np.argsort(p) for p in perms])
    assert np.array_equal(back, theta)


@pytest.mark.parametrize("kind", list(NETS))
def test_permuting_one_layer_alone_breaks_the_function(kind):
    # a permutation of one layer's units that forgets the next layer's inputs is not a
    # symmetry: the function test above would not see a permute() that did only half
    net = NETS[kind]
    rng = np.random.default_rng(3)
    theta = params(net, 2)
    perms = [np.arange(w) for w in widths(net)]
    perms[0] = np.roll(np.arange(widths(net)[0]), 1)
    moved = practice.permute(net, theta, perms)
    parts = net.unflatten(theta)
    if kind == "mlp":
        (W0, b0), *rest = parts
        half = net.flatten(((W0[perms[0]], b0[perms[0]]), *rest))
    else:
        stem, *rest = parts
        if kind == "cnn":
            (Wc, bc), *more = stem
            half = net.flatten((((Wc[..., perms[0]], bc[perms[0]]), *more), *rest))
        else:
            Wc, bc = stem
            half = net.flatten(((Wc[..., perms[0]], bc[perms[0]]), *rest))
    X = rng.standard_normal((9, net.n_in))
    f = outputs(net, theta, X)
    assert np.max(np.abs(outputs(net, moved, X) - f)) < 100 * EPS * np.abs(f).max()
    assert np.max(np.abs(outputs(net, half, X) - f)) > 1e-3 * np.abs(f).max()


def test_permute_of_an_mlp_is_the_permutation_of_uniqnets_models():
    # the two libraries share the flat layout of an MLP, and the meaning of a permutation
    sizes = NETS["mlp"].cfg["sizes"]
    theta = params(NETS["mlp"], 4)
    perms = random_perms(NETS["mlp"], np.random.default_rng(5))
    ref = models.permute_hidden(models.MLP(sizes, "tanh"), theta, perms)
    assert np.array_equal(practice.permute(NETS["mlp"], theta, perms), ref)


def test_permute_keeps_float32():
    net = NETS["cnn"]
    theta = params(net, 0).astype(np.float32)
    out = practice.permute(net, theta, random_perms(net, np.random.default_rng(0)))
    assert out.dtype == np.float32


# -- weight matching -------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "seed"), [("mlp", 0), ("mlp", 1), ("mlp", 2), ("cnn", 0),
                                            ("cnn", 1), ("resnet", 0)])
def test_weight_matching_undoes_a_permutation_exactly(kind, seed):
    net = NETS[kind]
    rng = np.random.default_rng(seed)
    a = params(net, 10 + seed)
    q = random_perms(net, rng)
    b = practice.permute(net, a, q)
    m = practice.weight_matching(net, a, b, rng=np.random.default_rng(seed))
    # new unit j of b is unit q[j] of a, so b's unit p[j] is a's unit j when p = q^-1
    for p, qq in zip(m.perms, q, strict=True):
        assert np.array_equal(p, np.argsort(qq))
    assert np.array_equal(m.theta, a)
    assert m.converged and m.n_sweeps >= 2  # one sweep that changed, one that did not
    assert m.objective == pytest.approx(float(a @ a), rel=1e-14)
    assert m.objective_identity == pytest.approx(float(a @ b), rel=1e-14)
    assert m.objective > m.objective_identity


def test_weight_matching_of_float32_networks_returns_float32_and_recovers_exactly():
    net = NETS["cnn"]
    a = params(net, 7).astype(np.float32)
    q = random_perms(net, np.random.default_rng(8))
    m = practice.weight_matching(net, a, practice.permute(net, a, q))
    assert m.theta.dtype == np.float32 and np.array_equal(m.theta, a)


def test_weight_matching_is_reproducible_by_default():
    net = NETS["mlp"]
    a, b = params(net, 0), params(net, 1)
    m1, m2 = (practice.weight_matching(net, a, b) for _ in range(2))
    assert all(np.array_equal(p1, p2) for p1, p2 in zip(m1.perms, m2.perms, strict=True))
    assert m1.objective == m2.objective


@pytest.mark.parametrize("kind", list(NETS))
def test_matching_never_lowers_the_objective(kind):
    net = NETS[kind]
    for seed in range(4):
        a, b = params(net, 2 * seed), params(net, 2 * seed + 1)
        m = practice.weight_matching(net, a, b, rng=np.random.default_rng(seed))
        assert m.objective >= m.objective_identity
        # the objective is the inner product of a with the permuted b
        assert m.objective == pytest.approx(float(a @ m.theta), rel=1e-14)
        assert np.array_equal(m.theta, practice.permute(net, b, m.perms))
        # and no random permutation does better
        rng = np.random.default_rng(seed)
        best_random = max(float(a @ practice.permute(net, b, random_perms(net, rng)))
                          for _ in range(50))
        assert m.objective >= best_random


def test_one_hidden_layer_matching_is_the_exact_optimum():
    # one hidden layer: one assignment problem, so coordinate ascent is exact; all
    # 6! = 720 permutations are tried by brute force
    net = practice.mlp((3, 6, 2))
    for seed in range(3):
        a, b = params(net, seed), params(net, seed + 10)
        m = practice.weight_matching(net, a, b)
        best = max(float(a @ practice.permute(net, b, [np.array(p)]))
                   for p in permutations(range(6)))
        assert m.objective == pytest.approx(best, rel=1e-13)


def test_a_network_without_hidden_units_has_nothing_to_match():
    net = practice.mlp((3, 2))
    a, b = params(net, 0), params(net, 1)
    m = practice.weight_matching(net, a, b)
    assert m.perms == [] and m.n_sweeps == 0 and np.array_equal(m.theta, b)
    assert m.objective == m.objective_identity


# -- barriers --------------------------------------------------------------------------------

def test_barrier_on_curves_with_known_heights():
    a = np.linspace(0, 1, 11)
    bump = a * (1 - a)  # top 1/4 at alpha = 1/2, zero at both ends
    assert practice.barrier(bump, a) == pytest.approx(0.25, abs=1e-15)
    assert practice.barrier(bump, a, reference="mean") == pytest.approx(0.25, abs=1e-15)
    line = 2 + 3 * a
    assert practice.barrier(line, a) == pytest.approx(0.0, abs=1e-14)
    # the mean of the ends lies (f(1) - f(0)) / 2 below the higher end
    assert practice.barrier(line, a, reference="mean") == pytest.approx(1.5, abs=1e-14)
    convex = np.exp(a)
    # below its chord inside, on it at the ends: the maximum is the ends' exact zero
    assert practice.barrier(convex, a) == 0.0
    assert practice.barrier(convex, a, reference="mean") == \
        pytest.approx((np.e - 1) / 2, rel=1e-14)
    # a bump on a slope: above the chord by 1/4, above the mean of the ends by 1/4 + ...
    tilted = bump + 2 * a
    assert practice.barrier(tilted, a) == pytest.approx(0.25, abs=1e-14)
    assert practice.barrier(tilted, a, reference="mean") == pytest.approx(
        np.max(tilted) - 1.0, abs=1e-14)
    # alphas default to equal spacing; unequal spacing moves the chord
    assert practice.barrier(bump) == practice.barrier(bump, a)
    b = np.array([0, 0.1, 1.0])
    assert practice.barrier(np.array([0.0, 1.0, 1.0]), b) == pytest.approx(0.9)


def teacher(net, theta, n, seed):
    """Inputs and the labels the network itself gives them (its error is zero)."""
    X = np.random.default_rng(seed).standard_normal((n, net.n_in))
    return X, outputs(net, theta, X).argmax(axis=1)


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_the_barrier_to_a_permuted_copy_vanishes_after_matching(kind):
    net = NETS[kind]
    a = params(net, 20)
    b = practice.permute(net, a, random_perms(net, np.random.default_rng(21)))
    X, Y = teacher(net, a, 300, 22)
    before = practice.interpolation_path(net, a, b, X, Y)
    m = practice.weight_matching(net, a, b)
    after = practice.interpolation_path(net, a, m.theta, X, Y)
    # the end points are the same function: the same labels, the same loss to rounding
    assert before.error[0] == before.error[-1] == 0.0
    assert before.loss[-1] == pytest.approx(before.loss[0], rel=1e-12)
    # between them the averaged weights are another network
    assert before.error_barrier > 0.05
    assert before.loss_barrier > 0.05
    # after matching every point of the path is the network a, up to the rounding of
    # (1 - alpha) a + alpha a
    assert np.all(after.error == 0.0)
    assert abs(after.loss_barrier) < 1e-12
    assert np.max(np.abs(after.loss - after.loss[0])) < 1e-12


def test_path_end_points_are_the_training_maps_loss_and_accuracy():
    net = practice.mlp((10, 8, 4))
    a, b = params(net, 0), params(net, 1)
    X, Y = teacher(net, b, 123, 2)
    tm = practice.TrainingMap(net, X, Y, practice.optimizer("sgd", 0.1))
    path = practice.interpolation_path(net, a, b, X, Y, alphas=[0, 0.3, 1], batch_size=50)
    for k, theta in ((0, a), (-1, b)):
        assert path.loss[k] == pytest.approx(tm.loss(theta), rel=1e-13)
        assert path.error[k] == pytest.approx(1 - tm.accuracy(theta, X, Y), abs=1e-15)
    mid = 0.7 * a + 0.3 * b
    assert path.loss[1] == pytest.approx(tm.loss(mid), rel=1e-12)
    # batching changes only the order of the sums
    whole = practice.interpolation_path(net, a, b, X, Y, alphas=[0, 0.3, 1])
    assert np.allclose(whole.loss, path.loss, rtol=1e-13, atol=0)
    assert np.array_equal(whole.error, path.error)
    assert path.barrier("loss") == practice.barrier(path.loss, path.alphas)
    assert path.error_barrier == practice.barrier(path.error, path.alphas, "mean")


def test_path_in_float32_computes_in_float32():
    net = NETS["cnn"]
    a, b = params(net, 0), params(net, 1)
    X, Y = teacher(net, a, 64, 3)
    p64 = practice.interpolation_path(net, a, b, X, Y, alphas=[0, 0.5, 1])
    p32 = practice.interpolation_path(net, a.astype(np.float32), b.astype(np.float32), X, Y,
                                      alphas=[0, 0.5, 1])
    assert (p64.dtype, p32.dtype) == ("float64", "float32")
    diff = np.max(np.abs(p32.loss - p64.loss))
    # float32 rounding: far above float64's, far below the loss itself
    assert 1e-12 < diff < 1e-4 * p64.loss.max()


# -- distances -------------------------------------------------------------------------------

def test_churn_and_function_distance_of_copies_and_of_independent_networks():
    net = NETS["mlp"]
    a, b = params(net, 0), params(net, 1)
    X = np.random.default_rng(2).standard_normal((257, net.n_in))
    copy = practice.permute(net, a, random_perms(net, np.random.default_rng(3)))
    assert practice.prediction_churn(net, a, copy, X) == 0.0
    assert practice.function_distance(net, a, copy, X) < 1e-14
    fa, fb = outputs(net, a, X), outputs(net, b, X)
    churn = practice.prediction_churn(net, a, b, X, batch_size=100)
    assert churn == np.mean(fa.argmax(1) != fb.argmax(1))
    assert churn > 0.3  # five classes, unrelated networks
    pa = np.exp(fa - fa.max(1, keepdims=True))
    pa /= pa.sum(1, keepdims=True)
    pb = np.exp(fb - fb.max(1, keepdims=True))
    pb /= pb.sum(1, keepdims=True)
    tv = practice.function_distance(net, a, b, X, batch_size=100)
    assert tv == pytest.approx(np.mean(0.5 * np.abs(pa - pb).sum(1)), rel=1e-12)
    assert tv == practice.function_distance(net, b, a, X, batch_size=100)
    assert 0 < tv < 1


def test_function_distance_of_certain_disagreement_is_one():
    # a linear "network" of the biases alone: class 0 for a, class 1 for b, certainly
    net = practice.mlp((2, 2), "linear")
    a = np.array([0, 0, 0, 0, 40.0, -40.0])
    X = np.random.default_rng(0).standard_normal((5, 2))
    assert practice.function_distance(net, a, -a, X) == pytest.approx(1.0, abs=1e-15)
    assert practice.prediction_churn(net, a, -a, X) == 1.0


def test_parameter_distance_before_and_after_matching():
    net = NETS["cnn"]
    a = params(net, 0)
    copy = practice.permute(net, a, random_perms(net, np.random.default_rng(1)))
    d = practice.parameter_distance(net, a, copy)
    assert d.aligned == 0.0
    assert d.raw == pytest.approx(np.linalg.norm(a - copy) / np.linalg.norm(a), rel=1e-14)
    b = params(net, 2)
    d = practice.parameter_distance(net, a, 3 * b)
    scale = practice.parameter_distance(net, 2 * a, 6 * b)  # relative: scale-free
    assert scale.raw == pytest.approx(d.raw, rel=1e-13)
    assert scale.aligned == pytest.approx(d.aligned, rel=1e-13)
    assert d.aligned <= d.raw
    assert d.aligned == pytest.approx(
        np.linalg.norm(a - d.matching.theta) / np.sqrt(np.linalg.norm(a) *
                                                       np.linalg.norm(3 * b)), rel=1e-14)
    raw = practice.parameter_distance(net, a, 3 * b, modulo_permutations=False)
    assert raw.raw == d.raw and raw.aligned is None and raw.matching is None


# -- bad input (beyond tests/bad_input/practice.py, which checks names and types) -----------

def test_unsupported_networks_are_refused_with_the_reason():
    net = practice.transformer(4, 8, 2, 1, 3, d_in=2)
    theta = net.init(np.random.default_rng(0))
    for call in (lambda: practice.permute(net, theta, []),
                 lambda: practice.weight_matching(net, theta, theta),
                 lambda: practice.parameter_distance(net, theta, theta)):
        with pytest.raises(NotImplementedError, match="transformer"):
            call()
    # a transformer's path needs no permutation
    X = np.random.default_rng(1).standard_normal((6, net.n_in))
    path = practice.interpolation_path(net, theta, 2 * theta, X, np.arange(6) % 3)
    assert path.loss.shape == (11,)
    assert practice.parameter_distance(net, theta, 2 * theta, False).raw == \
        pytest.approx(1 / np.sqrt(2), rel=1e-14)


def test_bad_permutations_and_shapes_are_refused():
    net = NETS["mlp"]
    theta = params(net, 0)
    good = [np.arange(16), np.arange(12)]
    for perms, error, text in [
        (good[:1], ValueError, "one permutation per permuted layer"),
        ([np.arange(16), np.arange(11)], ValueError, r"perms\[1\] must be a permutation"),
        ([np.arange(16), np.zeros(12, int)], ValueError, r"perms\[1\] must be a permutation"),
        ([np.arange(16.0), np.arange(12)], TypeError, r"perms\[0\] must be an array of int"),
        (np.arange(16), TypeError, "perms must be a list"),
    ]:
        with pytest.raises(error, match=text):
            practice.permute(net, theta, perms)
    with pytest.raises(ValueError, match="theta must have shape"):
        practice.permute(net, theta[:-1], good)
    with pytest.raises(ValueError, match="theta_b must have shape"):
        practice.weight_matching(net, theta, theta[:-1])
    with pytest.raises(ValueError, match="max_iter"):
        practice.weight_matching(net, theta, theta, max_iter=0)
    X, Y = teacher(net, theta, 10, 0)
    with pytest.raises(ValueError, match="X must have shape"):
        practice.interpolation_path(net, theta, theta, X[:, :5], Y)
    with pytest.raises(ValueError, match="Y labels"):
        practice.interpolation_path(net, theta, theta, X, Y + 5)
    with pytest.raises(ValueError, match="Y must have shape"):
        practice.interpolation_path(net, theta, theta, X, Y[:4])
    with pytest.raises(ValueError, match="theta_a must not be zero"):
        practice.parameter_distance(net, 0 * theta, theta)


@pytest.mark.parametrize(("alphas", "text"), [([0.1, 0.5, 1.0], "start at 0"),
                                               ([0.0, 0.5, 0.9], "end at 1"),
                                               ([0.0, 0.6, 0.4, 1.0], "increase"),
                                               ([0.0, 0.5, 0.5, 1.0], "increase"),
                                               ([0.0], "at least 2")])
def test_bad_alphas_are_refused(alphas, text):
    values = np.zeros(len(alphas))
    with pytest.raises(ValueError, match=text):
        practice.barrier(values, alphas)
    net = practice.mlp((2, 2))
    theta = params(net, 0)
    with pytest.raises(ValueError, match=text):
        practice.interpolation_path(net, theta, theta, np.zeros((3, 2)), np.zeros(3, int),
                                    alphas=alphas)


def test_barrier_needs_one_alpha_per_value():
    with pytest.raises(ValueError, match="one entry per value"):
        practice.barrier(np.zeros(3), [0.0, 1.0])
    with pytest.raises(ValueError, match="reference"):
        practice.barrier(np.zeros(3), reference="max")
