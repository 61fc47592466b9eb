"""Unit tests of uniqnets.models: exact derivatives, training maps, symmetries."""

import numpy as np
import pytest

from uniqnets import models

EPS = np.finfo(float).eps
CASES = [(act, loss, res) for act in models.ACTIVATIONS for loss in ("mse", "xent")
         for res in (False, True)]


def make(act, loss, wd=0.0, seed=0, sizes=(3, 6, 5, 2), residual=False):
    rng = np.random.default_rng(seed)
    if residual:
        sizes = (sizes[0], 6, 6, 6, sizes[-1])
    model = models.MLP(sizes, act, residual=residual)
    theta = model.init(rng, gain=1.5, bias_std=0.3)
    X = rng.standard_normal((11, sizes[0]))
    Y = rng.standard_normal((11, sizes[-1])) if loss == "mse" else rng.integers(0, sizes[-1], 11)
    return model, models.Objective(model, X, Y, loss, weight_decay=wd), theta, rng


def central_difference_tol(h, scale):
    # central difference: truncation h^2/6 |f'''| plus rounding ~ eps |f| / h; the third
    # derivatives of these small networks are O(10), so 10 h^2 + 10 eps/h per unit scale
    return scale * (10 * h**2 + 10 * EPS / h)


@pytest.mark.parametrize("act,loss,residual", CASES)
def test_gradient_matches_central_differences(act, loss, residual):
    model, obj, theta, rng = make(act, loss, wd=0.01, residual=residual)
    h = 1e-5
    for _ in range(3):
        v = rng.standard_normal(model.n_params)
        v /= np.linalg.norm(v)
        fd = (obj.loss(theta + h * v) - obj.loss(theta - h * v)) / (2 * h)
        assert abs(fd - obj.grad(theta) @ v) < central_difference_tol(h, 1 + abs(obj.loss(theta)))


@pytest.mark.parametrize("act,loss,residual", CASES)
def test_hvp_matches_central_differences_of_the_gradient(act, loss, residual):
    model, obj, theta, rng = make(act, loss, wd=0.01, residual=residual)
    h = 1e-5
    V = rng.standard_normal((model.n_params, 3))
    V /= np.linalg.norm(V, axis=0)
    HV = obj.hvp(theta, V)
    assert HV.shape == V.shape
    for j in range(3):
        fd = (obj.grad(theta + h * V[:, j]) - obj.grad(theta - h * V[:, j])) / (2 * h)
        scale = 1 + np.abs(obj.grad(theta)).max()
        np.testing.assert_array_less(np.abs(fd - HV[:, j]), central_difference_tol(h, scale))
        # a block of directions gives the same columns as one direction at a time
        np.testing.assert_allclose(obj.hvp(theta, V[:, j]), HV[:, j], rtol=0, atol=1e-13)


@pytest.mark.parametrize("act,loss,residual", CASES)
def test_per_sample_grads_are_the_one_sample_gradients(act, loss, residual):
    model, obj, theta, _ = make(act, loss, wd=0.01, residual=residual)
    G = obj.per_sample_grads(theta)
    assert G.shape == (obj.n_samples, model.n_params)
    for i in range(obj.n_samples):
        np.testing.assert_allclose(G[i], obj.subset([i]).grad(theta), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(G.mean(axis=0), obj.grad(theta), rtol=1e-12, atol=1e-14)


def test_hessian_is_symmetric():
    model, obj, theta, rng = make("tanh", "xent")
    H = obj.hvp(theta, np.eye(model.n_params))
    np.testing.assert_allclose(H, H.T, rtol=0, atol=1e-12 * np.abs(H).max())


def test_linear_network_hessian_matches_closed_form():
    # one linear layer with mse: L = |X W^T + b - Y|^2 / (2n). Output o depends on
    # (W[o, :], b[o]) only, with Hessian A^T A / n, A = [X, 1]; outputs do not couple.
    rng = np.random.default_rng(3)
    n, n_in, n_out = 9, 4, 2
    model = models.MLP((n_in, n_out), "linear")
    X, Y = rng.standard_normal((n, n_in)), rng.standard_normal((n, n_out))
    obj = models.Objective(model, X, Y)
    A = np.hstack([X, np.ones((n, 1))])
    H = np.zeros((model.n_params, model.n_params))
    for o in range(n_out):
        # flat layout: W row-major (W[o, f] at o * n_in + f), then b (b[o] at n_out * n_in + o)
        idx = [o * n_in + f for f in range(n_in)] + [n_out * n_in + o]
        H[np.ix_(idx, idx)] = A.T @ A / n
    np.testing.assert_allclose(obj.hvp(np.zeros(model.n_params), np.eye(model.n_params)), H,
                               rtol=1e-13, atol=1e-14)


def test_training_jvp_is_one_minus_eta_h():
    model, obj, theta, rng = make("tanh", "mse")
    V = rng.standard_normal((model.n_params, 2))
    np.testing.assert_allclose(models.training_jvp(obj, theta, V, 0.1),
                               V - 0.1 * obj.hvp(theta, V), rtol=0, atol=0)


def test_residual_forward_adds_the_skip_connection():
    model = models.MLP((2, 3, 3, 1), "tanh", residual=True)
    theta = model.init(np.random.default_rng(0), bias_std=0.2)
    (W1, b1), (W2, b2), (W3, b3) = model.unflatten(theta)
    x = np.array([[0.3, -0.7]])
    a1 = np.tanh(x @ W1.T + b1)
    a2 = a1 + np.tanh(a1 @ W2.T + b2)
    np.testing.assert_allclose(model(theta, x), a2 @ W3.T + b3, rtol=1e-15, atol=1e-15)
    assert [model.skip(l) for l in range(3)] == [False, True, False]


@pytest.mark.parametrize("residual", [False, True])
def test_permutation_leaves_the_function_unchanged(residual):
    for act in models.ACTIVATIONS:
        model, obj, theta, rng = make(act, "mse", sizes=(3, 7, 6, 2), residual=residual)
        perms, signs = models.random_symmetry(model, rng)
        theta_g = models.permute_hidden(model, theta, perms, signs)
        assert np.linalg.norm(theta_g - theta) > 0.1 * np.linalg.norm(theta)
        X = rng.standard_normal((20, 3))
        bound = (models.forward_error_bound(model, theta, X)
                 + models.forward_error_bound(model, theta_g, X))
        assert np.all(np.abs(model(theta, X) - model(theta_g, X)) <= bound)
        assert obj.loss(theta_g) == pytest.approx(obj.loss(theta), rel=1e-13)


def test_alignment_inverts_a_random_symmetry_exactly():
    for act in models.ACTIVATIONS:
        model, _, theta, rng = make(act, "mse", sizes=(3, 9, 8, 7, 2), seed=5)
        for _ in range(3):
            perms, signs = models.random_symmetry(model, rng)
            theta_g = models.permute_hidden(model, theta, perms, signs)
            back, p, s = models.align(model, theta, theta_g)
            assert np.array_equal(back, theta)


def test_alignment_never_increases_the_distance():
    model = models.MLP((2, 10, 10, 1), "tanh")
    rng = np.random.default_rng(9)
    for _ in range(5):
        a, b = model.init(rng), model.init(rng)
        aligned, _, _ = models.align(model, a, b)
        assert np.linalg.norm(a - aligned) <= np.linalg.norm(a - b) + 1e-12
        X = rng.standard_normal((30, 2))
        np.testing.assert_allclose(model(aligned, X), model(b, X), rtol=0, atol=1e-12)


def test_training_is_bit_reproducible_and_reports_divergence():
    model, obj, theta, rng = make("tanh", "mse")
    a = models.train(obj, theta, 50, 0.1, save_every=10)
    b = models.train(obj, theta, 50, 0.1, save_every=10)
    assert np.array_equal(a.thetas, b.thetas)
    assert list(a.steps) == [0, 10, 20, 30, 40, 50]
    assert a.losses[-1] < a.losses[0]
    bad = models.train(obj, theta, 200, 1e4)
    assert bad.diverged and bad.diverged_step is not None
    assert np.all(np.isfinite(bad.thetas))


def test_sgd_and_langevin_use_their_randomness_explicitly():
    model, obj, theta, _ = make("tanh", "mse")
    batches = models.batch_sequence(obj.n_samples, 4, 30, np.random.default_rng(0))
    assert batches.shape == (30, 4)
    s1 = models.train(obj, theta, 30, 0.05, method="sgd", batches=batches)
    s2 = models.train(obj, theta, 30, 0.05, method="sgd", batches=batches)
    assert np.array_equal(s1.final, s2.final)
    l1 = models.train(obj, theta, 30, 0.05, method="langevin", temperature=1e-3,
                      rng=np.random.default_rng(1))
    l2 = models.train(obj, theta, 30, 0.05, method="langevin", temperature=1e-3,
                      rng=np.random.default_rng(2))
    assert not np.array_equal(l1.final, l2.final)
    # each epoch visits every sample at most once
    for epoch in models.batch_sequence(10, 3, 9, np.random.default_rng(4)).reshape(3, 9):
        assert len(set(epoch)) == 9


def test_float32_objective_keeps_its_dtype():
    model, _, theta, rng = make("tanh", "mse")
    obj = models.Objective(model, rng.standard_normal((5, 3)), rng.standard_normal((5, 2)),
                           dtype=np.float32)
    run = models.train(obj, theta.astype(np.float32), 5, 0.1)
    assert run.thetas.dtype == np.float32


@pytest.mark.parametrize("call,match", [
    (lambda: models.MLP((3,)), "sizes"),
    (lambda: models.MLP((3, 0, 1)), "sizes"),
    (lambda: models.MLP((3, 1), "sigmoid"), "activation"),
    (lambda: models.MLP((3, 1)).forward(np.zeros(3), np.zeros((2, 3))), "theta"),
    (lambda: models.MLP((3, 1)).forward(np.zeros(4), np.zeros((2, 2))), "X"),
    (lambda: models.Objective(models.MLP((3, 1)), np.zeros((2, 3)), np.zeros((2, 1)),
                              loss="l1"), "loss"),
    (lambda: models.Objective(models.MLP((3, 2)), np.zeros((2, 3)), np.zeros(2),
                              loss="xent"), "Y"),
    (lambda: models.Objective(models.MLP((3, 1)), np.zeros((2, 3)), np.zeros((2, 1)),
                              weight_decay=-1), "weight_decay"),
    (lambda: models.train(models.Objective(models.MLP((3, 1)), np.zeros((2, 3)),
                                           np.zeros((2, 1))), np.zeros(4), 0, 0.1), "n_steps"),
    (lambda: models.train(models.Objective(models.MLP((3, 1)), np.zeros((2, 3)),
                                           np.zeros((2, 1))), np.zeros(4), 5, -1.0), "lr"),
    (lambda: models.train(models.Objective(models.MLP((3, 1)), np.zeros((2, 3)),
                                           np.zeros((2, 1))), np.full(4, np.nan), 5, 0.1),
     "theta0"),
    (lambda: models.batch_sequence(5, 6, 3, np.random.default_rng()), "batch_size"),
    (lambda: models.permute_hidden(models.MLP((2, 3, 1), "relu"), np.zeros(13),
                                   [np.arange(3)], [np.ones(3)]), "signs"),
    (lambda: models.permute_hidden(models.MLP((2, 3, 1)), np.zeros(13), [np.array([0, 0, 1])]),
     "perms"),
    (lambda: models.MLP((2, 3, 4, 1), residual=True), "residual"),
    (lambda: models.permute_hidden(models.MLP((2, 3, 3, 1), residual=True), np.zeros(25),
                                   [np.arange(3), np.array([1, 0, 2])]), "perms"),
])
def test_bad_arguments_raise_value_errors_naming_them(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_rng_must_be_a_generator():
    with pytest.raises(TypeError, match="rng"):
        models.MLP((2, 1)).init(0)


def _small_objective():
    return models.Objective(models.MLP((3, 1)), np.ones((2, 3)), np.zeros((2, 1)))


@pytest.mark.parametrize("kw,error,match", [
    (dict(clip_norm=-1.0), ValueError, "clip_norm"),      # ran gradient ascent before
    (dict(clip_norm=0.0), ValueError, "clip_norm"),
    (dict(clip_norm=np.nan), ValueError, "clip_norm"),    # switched clipping off before
    (dict(max_norm=np.nan), ValueError, "max_norm"),      # switched divergence off before
    (dict(max_norm=-1.0), ValueError, "max_norm"),        # reported a false divergence before
    (dict(max_norm="1e6"), TypeError, "max_norm"),
    (dict(lr="0.1"), TypeError, "lr"),
    (dict(temperature=-1.0), ValueError, "temperature"),
    (dict(method="sgd", batches=np.array([[0], [5], [1]])), ValueError, "batches"),
    (dict(n_steps=10**13), ValueError, "n_steps"),        # refused before allocating
])
def test_train_refuses_bad_controls(kw, error, match):
    args = dict(objective=_small_objective(), theta0=np.zeros(4), n_steps=3, lr=0.1) | kw
    with pytest.raises(error, match=match):
        models.train(**args)


def test_max_norm_none_and_inf_only_test_finiteness():
    model, obj, theta, _ = make("tanh", "mse")
    ok = models.train(obj, theta, 20, 0.1, max_norm=None)
    assert not ok.diverged and np.array_equal(ok.thetas, models.train(obj, theta, 20, 0.1).thetas)
    assert not models.train(obj, theta, 20, 0.1, max_norm=np.inf).diverged
    # a threshold below ||theta_1|| stops the run at step 1, keeping only the start
    tight = models.train(obj, theta, 20, 0.1, max_norm=0.5 * np.linalg.norm(theta))
    assert tight.diverged and tight.diverged_step == 1 and list(tight.steps) == [0]


@pytest.mark.parametrize("call,error,match", [
    (lambda: models.MLP((1, 2.7, 1)), TypeError, "sizes"),
    (lambda: models.MLP((1, True, 1)), TypeError, "sizes"),
    (lambda: models.MLP((1, 10**7, 10**7, 1)), ValueError, "sizes"),
    (lambda: models.MLP((2, 1), residual=1), TypeError, "residual"),
    (lambda: models.MLP((2, 1)).init(np.random.default_rng(), gain="a"), TypeError, "gain"),
    (lambda: models.MLP((2, 1)).init(np.random.default_rng(), bias_std=-1), ValueError,
     "bias_std"),
    (lambda: models.Objective(models.MLP((3, 1)), np.ones((2, 3)), np.zeros((2, 1)),
                              weight_decay="0.1"), TypeError, "weight_decay"),
    (lambda: models.Objective(models.MLP((3, 1)), np.ones((2, 3)), [[0.0], [np.nan]]),
     ValueError, "Y"),
    (lambda: models.Objective(models.MLP((3, 1)), [[0, 0, np.inf]], [[0.0]]), ValueError, "X"),
    (lambda: models.sgd_step(_small_objective(), np.zeros(4), 0.1, []), ValueError, "batch"),
    (lambda: models.sgd_step(_small_objective(), np.zeros(4), 0.1, [2]), ValueError, "batch"),
    (lambda: models.langevin_step(_small_objective(), np.zeros(4), 0.1, -1.0,
                                  np.random.default_rng()), ValueError, "temperature"),
    (lambda: models.gd_step(_small_objective(), np.zeros(4), 0.0), ValueError, "lr"),
    (lambda: models.batch_sequence(10, 2, 10**13, np.random.default_rng()), ValueError,
     "n_steps"),
    (lambda: models.random_symmetry(models.MLP((2, 3, 1), "relu"), np.random.default_rng(),
                                    flip_signs=True), ValueError, "flip_signs"),
    (lambda: models.align(models.MLP((2, 3, 1)), np.zeros(13), np.zeros(13), max_sweeps=0),
     ValueError, "max_sweeps"),
])
def test_new_refusals_name_their_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_public_namespace_survives_the_split():
    for name in set(models.__all__) - {"ACTIVATIONS"}:
        assert getattr(models, name).__module__.startswith("uniqnets.models.")
    assert models.ACTIVATIONS == ("tanh", "relu", "linear")
    assert models.LOSSES == ("mse", "xent") and models.METHODS == ("gd", "sgd", "langevin")
    from uniqnets.models import MLP, Objective, train, training_jvp  # noqa: F401


# --- experiments on when two networks are the same (_comparison) and find_minimum


def _sine_objective(act="tanh"):
    rng = np.random.default_rng(0)
    net = models.MLP((1, 4, 4, 1), act)
    X = rng.uniform(-3, 3, (16, 1))
    return net, models.Objective(net, X, np.sin(X)), rng


def test_symmetry_check_keeps_the_function_and_alignment_undoes_it():
    net, obj, rng = _sine_objective()
    res = models.symmetry_check(net, net.init(rng), rng.uniform(-3, 3, (8, 1)), rng)
    assert res.alignment_exact and res.fn_excess_max <= 0 and res.param_shift > 0
    # (2^4 4!)^2 signed permutations
    assert res.log10_group_order == pytest.approx(2 * np.log10(16 * 24))
    relu = models.MLP((1, 4, 1), "relu")
    assert models.symmetry_check(relu, relu.init(rng), np.ones((2, 1)), rng).signs is None


def test_equivariance_gap_stays_at_rounding_level():
    net, obj, rng = _sine_objective()
    theta0 = net.init(rng)
    perms, signs = models.random_symmetry(net, rng)
    res = models.equivariance_gap(obj, theta0, 30, 0.05, perms, signs)
    assert res.gap.shape == (31,) and res.gap[0] == 0 and not res.diverged
    # one step: each gradient entry sums 16 * 4 products, each summation order off by an
    # ulp or so per term
    assert res.first_step_gap < 1e3 * EPS * res.scale and res.gap.max() < 1e-10


def test_rescaling_check_same_function_not_removable_by_alignment():
    rng = np.random.default_rng(1)
    relu = models.MLP((1, 5, 1), "relu")
    res = models.rescaling_check(relu, relu.init(rng, bias_std=0.1), rng.standard_normal((6, 1)),
                                 np.exp(rng.uniform(-1, 1, 5)))
    assert res.fn_diff <= res.fn_tolerance and res.aligned_shift > 0.1 * res.shift
    with pytest.raises(ValueError, match="relu"):
        models.rescaling_check(models.MLP((1, 5, 1)), np.zeros(16), np.ones((1, 1)), np.ones(5))
    with pytest.raises(ValueError, match="scales"):
        models.rescaling_check(relu, np.zeros(16), np.ones((1, 1)), -np.ones(5))


def test_pair_distances_of_permuted_copies_are_zero_in_the_quotient():
    net, obj, rng = _sine_objective()
    theta = net.init(rng)
    copies = np.array([theta, models.permute_hidden(net, theta, *models.random_symmetry(net, rng))])
    res = models.pair_distances(net, copies, copies, rng.uniform(-3, 3, (8, 1)))
    assert res.raw[0] > 0.1 and res.aligned[0] == 0 and res.function[0] < 1e-12
    assert res.medians()["aligned_minus_raw_max"] <= 0


def test_find_minimum_reaches_a_strict_minimum():
    net, obj, rng = _sine_objective()
    m = models.find_minimum(models.Objective(net, obj.X, obj.Y, weight_decay=1e-2),
                            net.init(rng), gd_steps=200)
    assert m.grad_norm < 1e-8 and m.eigenvalues[0] > 0
    np.testing.assert_allclose(m.hessian, m.hessian.T)
def test_batch_comparison_identical_batches_and_a_real_change():
    X = np.random.default_rng(0).standard_normal((10, 2))
    obj = models.Objective(models.MLP((2, 2), "linear"), X, np.arange(10) % 2, "xent")
    r = models.batch_comparison(obj, obj, [0, 1, 2, 3], [0, 1, 2, 3], [4, 5, 6, 7], 100, 1, 0.5)
    # the same seeds give the same losses: KS distance 0, p = 1 exactly
    assert r.p_same == 1.0 and np.array_equal(r.losses_a, r.losses_b)
    # one step against a hundred on a convex loss: complete separation, p = 2 / C(8, 4)
    assert r.p_changed == pytest.approx(2 / 70)
