"""Unit tests of uniqnets.entanglement against exact answers and independent computations."""

import numpy as np
import pytest
from scipy.special import digamma

from uniqnets import entanglement as E
from uniqnets.lyapunov import gaussian_product_exponents, qr_exponents


# -- spectra ------------------------------------------------------------------------------
def test_newman_exponents_k2_gap_is_ln2():
    # k = 2: the gap is (psi(1) - psi(1/2)) / 2 = ln 2
    lam = gaussian_product_exponents(2)
    assert lam[0] - lam[1] == pytest.approx(np.log(2), abs=1e-14)


@pytest.mark.parametrize("k", [2, 5])
def test_qr_on_plain_gaussian_products_matches_newman(k):
    rng = np.random.default_rng(10)
    res = qr_exponents(rng.standard_normal((k, k)) for _ in range(20_000))
    se = res.stderr(n_blocks=40)
    # independent factors: ~uncorrelated increments with sd < 1, so se ~ 1/sqrt(2e4);
    # five standard errors bound an honest miss
    assert np.all(se < 0.01)
    np.testing.assert_array_less(np.abs(res.exponents - gaussian_product_exponents(k)), 5 * se)


def test_training_exponent_without_selection_is_newman():
    for k in (1, 2, 9):
        assert E.training_exponent(k, k) == pytest.approx(0.5 * (np.log(2) + digamma(k / 2)),
                                                          abs=1e-14)
        assert E.training_exponent(k, 3 * k, "none") == pytest.approx(
            gaussian_product_exponents(k)[0])
    np.testing.assert_allclose(E.selected_exponents(4, 4), gaussian_product_exponents(4),
                               atol=1e-14)


@pytest.mark.parametrize("k, n, selection", [(2, 3, "abs"), (2, 102, "abs"), (2, 102, "signed"),
                                             (2, 30, "min"), (10, 20, "abs"),
                                             (50, 300, "signed"), (1, 6, "abs")])
def test_training_exponent_quadrature_vs_monte_carlo(k, n, selection):
    # independent check: sort actual Gaussian draws; 20000 samples give a standard error
    # of ~1e-3 or less, the quadrature is accurate to ~1e-6, so 5 se bound the difference
    rng = np.random.default_rng(11)
    mc = E.sample_training_growth(k, n, selection, rng, 20_000)
    se = mc.std(ddof=1) / np.sqrt(mc.size)
    assert abs(E.training_exponent(k, n, selection) - mc.mean()) < 5 * se


def test_training_exponent_converged_in_nodes():
    for k, n, sel in [(2, 1002, "abs"), (100, 1100, "abs"), (2, 102, "min")]:
        a = E.training_exponent(k, n, sel)
        b = E.training_exponent(k, n, sel, n_nodes=512)
        assert abs(a - b) < 1e-5


def test_selected_spectrum_vs_qr_along_trained_product():
    # the derivation: one exponent moves to E log|a|, the other k-1 are Newman's
    rng = np.random.default_rng(12)
    k, n, L = 3, 20, 4000
    model = E.train_maxlikelihood(rng.standard_normal(k), n, L, rng)
    res = qr_exponents(model.iter_layers())
    se = res.stderr(n_blocks=40)
    pred = E.selected_exponents(k, n)
    assert np.all(se < 0.03)
    np.testing.assert_array_less(np.abs(res.exponents - pred), 5 * se + 1e-5)
    # the top exponent is the growth of the training vector itself
    assert res.exponents[0] == pytest.approx(model.growth.mean(), abs=5 * se[0])


@pytest.mark.parametrize("k, n, selection", [(2, 12, "abs"), (4, 40, "signed"), (2, 2, "abs")])
def test_misalignment_decays_at_the_predicted_rate(k, n, selection):
    rng = np.random.default_rng(13)
    L = 3000
    model = E.train_maxlikelihood(rng.standard_normal(k), n, L, rng, selection,
                                  track=rng.standard_normal(k), keep_directions=False)
    lc = model.tracked.log_cot[:, 0]
    inc = np.diff(lc)[L // 10:]  # past the transient
    blocks = inc[: (inc.size // 30) * 30].reshape(30, -1).mean(axis=1)
    se = blocks.std(ddof=1) / np.sqrt(blocks.size)
    # the exact recursion keeps resolving the angle where cos theta rounds to 1
    assert np.isfinite(lc[-1]) and lc[-1] > 100
    assert abs(inc.mean() - E.alignment_rate(k, n, selection)) < 5 * se + 1e-5


def test_norm_minimisation_gives_negative_rate():
    assert E.alignment_rate(2, 102, "min") < 0
    assert E.alignment_rate(10, 110, "abs") > E.alignment_rate(10, 10, "abs") > 0


# -- Algorithm 1 ------------------------------------------------------------------------
def test_select_rows_keeps_the_k_largest():
    rng = np.random.default_rng(14)
    z = rng.standard_normal(200)
    k = 17
    for selection, key in [("abs", np.abs(z)), ("signed", z), ("min", -np.abs(z))]:
        idx = E.select_rows(z, k, selection)
        assert idx.shape == (k,) and np.all(np.diff(idx) > 0)
        rest = np.setdiff1d(np.arange(z.size), idx)
        assert key[idx].min() > key[rest].max()
    np.testing.assert_array_equal(E.select_rows(z, k, "none"), np.arange(k))
    np.testing.assert_array_equal(E.select_rows(z[:k], k, "abs"), np.arange(k))


def test_training_selects_from_the_drawn_matrix():
    rng = np.random.default_rng(15)
    k, n, L = 6, 40, 8
    model = E.train_maxlikelihood(rng.standard_normal(k), n, L, rng, keep_layers=False)
    u = model.w0 / np.linalg.norm(model.w0)
    for i in range(L):
        Gs = model.candidates(i + 1)
        z = np.abs(Gs @ u)
        kept = model.rows[i]
        rest = np.setdiff1d(np.arange(n), kept)
        assert z[kept].min() > z[rest].max()
        np.testing.assert_array_equal(model.layer(i + 1), Gs[kept])
        u = Gs[kept] @ u
        u /= np.linalg.norm(u)
        np.testing.assert_allclose(u, model.train_directions[i + 1], atol=1e-12)


def test_model_reproduces_its_training_output():
    for keep in (True, False):
        rng = np.random.default_rng(16)
        w0 = rng.standard_normal(5)
        model = E.train_maxlikelihood(w0, 50, 12, rng, keep_layers=keep)
        np.testing.assert_allclose(model.apply(w0), model.output, rtol=1e-12)
        np.testing.assert_allclose(model.product() @ w0, model.output, rtol=1e-11)
        assert model.depth == 12 and model.k == 5
    # same seed: stored and regenerated layers are identical, bit for bit
    a = E.train_maxlikelihood(w0, 50, 6, np.random.default_rng(1), keep_layers=True)
    b = E.train_maxlikelihood(w0, 50, 6, np.random.default_rng(1), keep_layers=False)
    np.testing.assert_array_equal(a.rows, b.rows)
    for Ga, Gb in zip(a.iter_layers(), b.iter_layers(), strict=True):
        np.testing.assert_array_equal(Ga, Gb)


def test_streamed_tracking_equals_post_hoc_propagation():
    rng = np.random.default_rng(17)
    k = 7
    w0, X = rng.standard_normal(k), rng.standard_normal((k, 9))
    model = E.train_maxlikelihood(w0, 30, 15, rng, track=X, keep_layers=False)
    post = model.propagate(X)
    np.testing.assert_allclose(model.tracked.log_cot, post.log_cot, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(model.tracked.cos_sign, post.cos_sign)
    np.testing.assert_allclose(model.tracked.log_norms, post.log_norms, rtol=1e-12)
    # prefix property: the first 5 layers are the depth-5 model
    np.testing.assert_allclose(model.apply(X, depth=5),
                               np.exp(post.log_norms[5]) * post.directions[5], rtol=1e-12)


def test_post_hoc_propagation_follows_an_unstable_training_path():
    # with norm *minimisation* the training direction is the slow Oseledets direction;
    # recomputing it amplifies rounding by ~exp(lambda_2 - lambda_train) ~ 6 per layer,
    # so after 40 layers only the stored path reproduces what training tracked
    rng = np.random.default_rng(20)
    k = 2
    w0, X = rng.standard_normal(k), rng.standard_normal((k, 50))
    model = E.train_maxlikelihood(w0, 102, 40, rng, selection="min")  # no tracking
    post = model.propagate(X)
    # pinned to the stored path, the recomputed norms are the training norms to rounding
    np.testing.assert_allclose(post.train_log_norm, model.train_log_norm, rtol=0, atol=1e-9)
    # a recomputed path that starts off by one rounding error drifts onto the fast
    # direction: its norm stops shrinking like the training norm
    drifted = E.propagate(model.iter_layers(), w0 + 1e-16 * np.abs(w0).max() * np.array([1, -1]),
                          X)
    assert drifted.train_log_norm[-1] - model.train_log_norm[-1] > 10
    # test outputs stay at random angles to the training output: no collapse
    assert post.collapsed_fraction(0.01)[-1] < 0.2


def test_exact_misalignment_matches_naive_cosine():
    rng = np.random.default_rng(18)
    k = 2
    model = E.train_maxlikelihood(rng.standard_normal(k), 12, 30, rng,
                                  track=rng.standard_normal((k, 200)))
    P = model.tracked
    naive = np.einsum("lk,lkm->lm", P.train_directions, P.directions)
    resolved = 1 - np.abs(naive) > 1e-6  # rounding of naive cos is ~1e-16 absolute
    np.testing.assert_allclose(P.cos[resolved], naive[resolved], atol=1e-12)
    np.testing.assert_allclose(P.loss[resolved],
                               1 - np.arccos(np.clip(naive[resolved], -1, 1)) / np.pi, atol=1e-9)
    # where naive cos has rounded to +-1 the exact value keeps falling
    assert np.all(1 - np.abs(naive[-1]) < 1e-15)
    assert np.all(P.log_misalignment[-1] < -50)
    # Eq. 21 on the outputs agrees with the tracked loss where resolved
    np.testing.assert_allclose(E.angular_loss(P.train_directions[3], P.directions[3]),
                               P.loss[3], atol=1e-7)


def test_uncollapsed_fraction_2d_vs_monte_carlo():
    rng = np.random.default_rng(19)
    w0 = rng.standard_normal(2)
    N = 40_000
    model = E.train_maxlikelihood(w0, 3, 12, rng, track=rng.standard_normal((2, N)),
                                  keep_directions=False)
    exact = 1 - E.uncollapsed_fraction_2d(model.iter_layers(), w0, 0.01)
    mc = model.tracked.collapsed_fraction(0.01)
    # binomial error of a fraction of N samples, 5 sd plus one sample of discreteness
    tol = 5 * np.sqrt(exact * (1 - exact) / N) + 1 / N
    np.testing.assert_array_less(np.abs(mc - exact), tol)
    assert exact[0] == pytest.approx(0.02, abs=1e-12)  # two arcs of 0.01 * pi each


def test_bad_arguments():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="w0"):
        E.train_maxlikelihood(np.array([]), 3, 2, rng)  # k < 1
    with pytest.raises(ValueError, match="n must be >= k"):
        E.train_maxlikelihood(np.ones(4), 3, 2, rng)
    with pytest.raises(ValueError, match="finite"):
        E.train_maxlikelihood(np.array([1.0, np.nan]), 3, 2, rng)
    with pytest.raises(ValueError, match="zero"):
        E.train_maxlikelihood(np.zeros(2), 3, 2, rng)
    with pytest.raises(ValueError, match="L"):
        E.train_maxlikelihood(np.ones(2), 3, 0, rng)
    with pytest.raises(TypeError, match="rng"):
        E.train_maxlikelihood(np.ones(2), 3, 2, 42)
    with pytest.raises(ValueError, match="selection"):
        E.train_maxlikelihood(np.ones(2), 3, 2, rng, selection="max")
    with pytest.raises(ValueError, match="track"):
        E.train_maxlikelihood(np.ones(2), 3, 2, rng, track=np.ones((3, 2)))
    with pytest.raises(ValueError, match="track"):
        E.train_maxlikelihood(np.ones(2), 3, 2, rng, track=np.array([np.inf, 1.0]))
    with pytest.raises(TypeError, match="n"):
        E.train_maxlikelihood(np.ones(2), 3.5, 2, rng)
    with pytest.raises(ValueError, match="k"):
        gaussian_product_exponents(0)
    with pytest.raises(ValueError, match="k"):
        E.selected_exponents(0, 3)
    with pytest.raises(ValueError, match="n must be >= k"):
        E.training_exponent(3, 2)
    with pytest.raises(ValueError, match="k must be >= 2"):
        E.alignment_rate(1, 4)
    with pytest.raises(ValueError, match="depth"):
        E.train_maxlikelihood(np.ones(2), 3, 2, rng).apply(np.ones(2), depth=3)
    with pytest.raises(ValueError, match="layers"):
        E.propagate([np.eye(3)], np.ones(2))


def test_divergence_and_overflow_are_reported():
    P = E.propagate([np.eye(2), np.full((2, 2), np.inf), np.eye(2)], np.ones(2), np.eye(2))
    assert not P.ok and "layer 2" in P.message
    assert np.all(np.isnan(P.train_log_norm[2:]))
    rng = np.random.default_rng(1)
    model = E.train_maxlikelihood(rng.standard_normal(2), 1000, 600, rng)
    # ||w_L|| ~ exp(1.5 L) is beyond float64; the stored trajectory is not
    assert np.isfinite(model.train_log_norm[-1]) and model.train_log_norm[-1] > 710
    with pytest.warns(RuntimeWarning, match="float64 range"):
        out = model.apply(model.w0)
    assert np.all(np.isinf(out))


# -- losses -------------------------------------------------------------------------------
def test_losses_known_values():
    w = np.array([1.0, 0.0])
    W = np.array([[1.0, -2.0, 0.0], [0.0, 0.0, 3.0]])
    np.testing.assert_allclose(E.angular_loss(w, W), [1.0, 0.0, 0.5], atol=1e-15)
    np.testing.assert_allclose(E.chord_loss(w, W), [0.0, 1.0, np.sqrt(2) / 2], atol=1e-15)


def test_spacetime_cosine_direct():
    rng = np.random.default_rng(2)
    w, W = rng.standard_normal((6, 3)), rng.standard_normal((6, 3, 4))
    cos = np.einsum("lk,lkm->lm", w, W) / (np.linalg.norm(w, axis=1)[:, None]
                                          * np.linalg.norm(W, axis=1))
    c = 0.7
    got = E.spacetime_cosine(c, np.log(np.linalg.norm(w, axis=1)),
                             np.log(np.linalg.norm(W, axis=1)), cos)
    ell = np.arange(6)
    for l in range(6):
        a = np.concatenate([[c * l], w[l]])
        for j in range(4):
            b = np.concatenate([[c * l], W[l, :, j]])
            assert got[l, j] == pytest.approx(a @ b / np.linalg.norm(a) / np.linalg.norm(b),
                                              abs=1e-14)
    assert ell.size == 6
    # norms far below c * l (a shrinking chain) or far above it: finite, and the limits
    tiny = E.spacetime_cosine(1.0, np.full(3, -800.0), np.full((3, 2), -800.0),
                              np.array([[-1.0, 0.5]] * 3))
    huge = E.spacetime_cosine(1.0, np.full(3, 800.0), np.full((3, 2), 800.0),
                              np.array([[-1.0, 0.5]] * 3))
    np.testing.assert_allclose(tiny[1:], 1.0, atol=1e-12)
    np.testing.assert_allclose(huge, [[-1.0, 0.5]] * 3, atol=1e-12)


# -- Algorithm 2 --------------------------------------------------------------------------
def test_gradient_descent_single_factor_closed_form():
    rng = np.random.default_rng(3)
    G0 = rng.standard_normal((2, 2))
    w0, target = np.array([0.1, 0.1]), 50.0 * np.ones(2)
    for eta in (0.1, 3.0, 40.0):
        res = E.gradient_descent(w0, target, eta, 5, [G0])
        np.testing.assert_allclose(res.factors[0],
                                   E.gradient_descent_closed_form(G0, w0, target, eta, 5),
                                   rtol=1e-12, atol=1e-12)
        assert not res.diverged and res.losses.shape == (6,)


def test_gradient_descent_factors_follow_the_gradient():
    rng = np.random.default_rng(4)
    fs = [rng.standard_normal((2, 2)) for _ in range(3)]
    w0, target, eta = np.array([0.1, 0.1]), np.array([2.0, 2.0]), 1e-3

    def loss(fs):
        h = w0
        for G in fs:
            h = G @ h
        return float((h - target) @ (h - target))

    res = E.gradient_descent(w0, target, eta, 1, fs)
    h = 1e-6
    for i in range(3):
        num = np.zeros((2, 2))
        for a in range(2):
            for b in range(2):
                fp = [G.copy() for G in fs]
                fm = [G.copy() for G in fs]
                fp[i][a, b] += h
                fm[i][a, b] -= h
                num[a, b] = (loss(fp) - loss(fm)) / (2 * h)
        # central differences: error O(h^2) ~ 1e-12, rounding ~ 1e-10 / h
        np.testing.assert_allclose((fs[i] - res.factors[i]) / eta, num, rtol=1e-6, atol=1e-8)


def test_gradient_descent_divergence_reported():
    rng = np.random.default_rng(5)
    fs = [rng.standard_normal((2, 2)) for _ in range(3)]
    res = E.gradient_descent(np.array([0.1, 0.1]), 1e6 * np.ones(2), 10.0, 8, fs)
    assert res.diverged and len(res.losses) < 9
    assert all(np.all(np.isfinite(G)) for G in res.factors)


def test_cone_fraction():
    d, delta = np.array([1.0, 1.0]), 0.01 * np.pi
    assert E.cone_fraction(np.eye(2), d, delta) == pytest.approx(2 * delta / np.pi, rel=1e-12)
    th = 0.7
    R = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
    assert E.cone_fraction(3 * R, d, delta) == pytest.approx(2 * delta / np.pi, rel=1e-12)
    rng = np.random.default_rng(6)
    M = np.array([[5.0, 0.3], [4.0, 1.0]])
    N = 200_000
    Y = M @ rng.standard_normal((2, N))
    ang = np.arccos(np.clip(np.abs(d @ Y) / np.sqrt(2) / np.linalg.norm(Y, axis=0), 0, 1))
    p = E.cone_fraction(M, d, 0.1)
    assert abs(np.mean(ang <= 0.1) - p) < 5 * np.sqrt(p * (1 - p) / N)


# -- applications -------------------------------------------------------------------------
def test_encrypt_decrypt_roundtrip_and_complement():
    rng = np.random.default_rng(7)
    m = rng.random(100) < 0.3
    w = rng.standard_normal(100)
    y = E.encrypt(m, w)
    np.testing.assert_array_equal(E.decrypt(y, 3 * w), m)
    np.testing.assert_array_equal(E.decrypt(y, -w), ~m)
    assert E.bit_error_rate(E.decrypt(y, -w), m) == 1.0
    assert E.bit_error_rate(E.decrypt(y, -w), m, up_to_complement=True) == 0.0
    # the threshold 1/2 of the text on a unit vector of length 100: no entry exceeds it
    # and the "ciphertext" is the message itself
    np.testing.assert_array_equal(E.encrypt(m, w, threshold=0.5), m)


def test_predicted_bit_error_rate_charikar_limit_and_monte_carlo():
    rng = np.random.default_rng(8)
    k = 2000
    for kind in ("gaussian", "truncated"):
        u = rng.standard_normal(k)
        if kind == "truncated":  # coordinates bounded away from 0, as after selection
            u = np.sign(u) * (0.5 + np.abs(u))
        u /= np.linalg.norm(u)
        theta = 0.2
        Q = rng.standard_normal((k, 300))
        Q -= np.outer(u, u @ Q)
        Q /= np.linalg.norm(Q, axis=0)
        W = np.cos(theta) * u[:, None] + np.sin(theta) * Q
        ber = np.mean((W > 0) != (u[:, None] > 0), axis=0)
        pred = float(E.predicted_bit_error_rate(u, np.log(1 / np.tan(theta))))
        se = ber.std(ddof=1) / np.sqrt(ber.size)
        # the Gaussian approximation of a coordinate of q errs by O(1/k)
        assert abs(ber.mean() - pred) < 5 * se + 2 / k
        if kind == "gaussian":
            assert pred == pytest.approx(theta / np.pi, abs=0.01)
        else:
            assert pred < 0.2 * theta / np.pi


def test_psnr_prediction_is_exact_with_the_right_sign():
    rng = np.random.default_rng(9)
    k = 2
    model = E.train_maxlikelihood(rng.standard_normal(k), 12, 6,
                                  rng, track=rng.standard_normal((k, 3)))
    P = model.tracked
    img = rng.random(k)
    alpha = 7.0
    for l in (2, 4, 6):
        y = E.adversarial_example(img, P.train_directions[l], alpha)
        for j in range(3):
            r = E.recover(y, P.directions[l][:, j], alpha, sign=int(P.cos_sign[l, j]))
            assert E.psnr(img, r) == pytest.approx(
                float(E.predicted_psnr(alpha, P.log_misalignment[l, j], k)), abs=1e-6)
    assert E.psnr(img, img) == np.inf


def test_images():
    msgs = E.binary_messages(50)
    assert len(msgs) == 5
    flat = []
    for name, m in msgs.items():
        assert m.shape == (50, 50) and m.dtype == bool, name
        assert 0.05 < m.mean() < 0.6, name
        flat.append(m.ravel())
    assert len({f.tobytes() for f in flat}) == 5
    for name in ("grace_hopper", "mri"):
        im = E.sample_image(name, 50)
        assert im.shape == (50, 50) and im.min() >= 0 and im.max() <= 1 and im.std() > 0.05
    with pytest.raises(ValueError, match="name"):
        E.sample_image("panda")


# -- Sec. VI and VII measured over depth (entanglement._applications) ------------------------

def _chain(k=16, n=64, depth=30, m=4, seed=0, track=None):
    rng = np.random.default_rng(seed)
    return E.train_maxlikelihood(rng.standard_normal(k), n, depth, rng,
                                 track=rng.standard_normal((k, m)) if track is None
                                 else track).tracked


def test_first_depth_from_counts_from_the_last_failure():
    assert E.first_depth_from([True, True]) == 0
    assert E.first_depth_from([False, False, True]) == 2
    assert E.first_depth_from([True, False]) == -1   # fails at the last depth: never


def test_key_errors_match_a_direct_count_and_the_angle():
    P = _chain()
    msg = np.random.default_rng(1).integers(0, 2, 16)
    out = E.key_errors(P, [msg, 1 - msg], 4)
    # the key comparison does not depend on the message: a direct count of differing bits
    for L in (0, 5, 30):
        key = E.binarize(P.train_directions[L])
        for j in range(4):
            own = E.binarize(P.directions[L][:, j])
            direct = min(np.mean(key != own), np.mean(key == own))
            assert out.ber[L, j] == direct
    # the errors vanish with depth, as the angle predicts: alignment at rate Delta > 0
    assert np.all(out.ber[-1] == 0) and np.all(out.first_error_free >= 0)
    assert out.worst_ratio < 1


def test_eavesdroppers_on_a_reused_pad():
    P = _chain(m=2, seed=3)
    Q = _chain(m=1, seed=4)
    m1 = np.random.default_rng(5).integers(0, 2, 16)
    m2 = 1 - m1
    eve = E.eavesdrop(P, Q, m1, m2, eve=0, second_input=1)
    # at depth 30 of a 16-wide chain every output is +-w_L to many digits: the same key
    assert eve.key_change == 0 and eve.two_time_pad == 0 and eve.known_plaintext == 0
    assert eve.same_model == 0


def test_recovery_scan_is_the_psnr_identity_with_the_right_sign():
    rng = np.random.default_rng(6)
    img = rng.uniform(size=16)
    P = _chain(track=img[:, None], seed=7)
    rs = E.recovery_scan(img, P, 0, [1.0, 100.0])
    assert np.allclose(rs.psnr_adversarial, 10 * np.log10(16 / np.array([1.0, 1e4])),
                       atol=1e-9)
    # with the right sign Eq. (eq-psnr) holds at every depth, to rounding
    assert np.allclose(rs.psnr_known_sign, rs.psnr_predicted, atol=1e-6)
    # gain over no recovery is independent of alpha with the right sign
    assert np.allclose(rs.gain_known_sign[0], rs.gain_known_sign[1], atol=1e-6)
    assert rs.break_even[0] == rs.break_even[1] >= 0
    assert list(rs.first_recognisable(1e6)) == [-1, -1]


def test_measured_alignment_rate_is_the_lyapunov_gap():
    k, n = 8, 32
    P = _chain(k, n, depth=600, m=6, seed=8)
    rate, se = E.measured_alignment_rate(P, 100)
    # independent layers: 4 standard errors (chance failure 6e-5); the rate formula's
    # finite-size bias is far below se here
    assert abs(rate - E.alignment_rate(k, n)) < 4 * se
# -- the experiments of the entanglement pages, at small sizes ------------------------------

def test_convergence_test_is_reproducible_and_consistent():
    a = E.convergence_test(2, [2, 12], 8, 2, 100, seed=3)
    b = E.convergence_test(2, [2, 12], 8, 2, 100, seed=3)
    assert np.array_equal(a.collapsed, b.collapsed)
    assert a.collapsed.shape == (2, 2, 9) and a.example_loss.shape == (2, 9, 100)
    assert np.all((0 <= a.collapsed) & (a.collapsed <= 1))
    assert a.mc_vs_exact_worst_z < 5
    # the averaged loss of a collapsed model is the share at loss 1, about 1/2
    assert abs(a.mean_loss[1, :, -1].mean() - 0.5) < 0.2
    assert "±" in a.fraction_text(2, 1) or "every one" in a.fraction_text(2, 1)
    with pytest.raises(ValueError, match="n must be one of"):
        a.fraction(5)


def test_convergence_test_rank_one_branches():
    res = E.convergence_test(3, [103], 15, 1, 200, seed=1)
    assert res.branch_agreement[0] == 1.0
    assert res.log10_s2_over_s1[0] < -8


def test_norm_growth_fit_prefers_the_exponential_law():
    fit = E.norm_growth_fit(E.convergence_test(2, [102], 20, 3, 5, seed=0))
    assert abs(fit.lam_fit[0] - fit.lam_pred[0]) < 5 * fit.lam_fit_se[0]
    assert fit.miss_prop_log10[0] > fit.miss_exp_log10[0] + 1
    assert "λ_train" in fit.table()


def test_mean_se():
    m, se = E.mean_se([[1.0, 2.0], [3.0, 4.0]])
    assert np.allclose(m, [2.0, 3.0]) and np.allclose(se, [1.0, 1.0])
    assert np.isnan(E.mean_se([1.0])[1])


def test_half_collapse_depth_is_finite_for_positive_rates_only():
    assert 0 < E.half_collapse_depth(2, 1002) < E.half_collapse_depth(2, 2)
    assert E.half_collapse_depth(10, 10) > E.half_collapse_depth(10, 110)


def test_rate_scan_matches_the_gap():
    scan = E.rate_scan([2], [0, 100], 0, min_depth=200, max_depth=200, n_models=2)
    z = scan.worst_z()
    assert z["cells"] == 2 and z["tracked"] < 5 and z["qr"] < 5
    assert scan.cell(2, 102) == 1 and len(scan.rows()) == 2
    with pytest.raises(ValueError, match="not a cell"):
        scan.cell(3, 3)


def test_selection_readings_signs():
    res = E.selection_readings([(10, 11)], [(10, 11)], 0, n_draws=2000, demo_k=10, demo_n=11,
                               depth=80)
    assert res.rates[10, 11]["signed"] < 0 < res.rates[10, 11]["abs"]
    assert abs(res.mc_signed_rate[10, 11] - res.mc_signed_quad[10, 11]) \
        < 5 * res.mc_signed_rate_se[10, 11]
    assert res.demo["abs"]["predicted"] > 0 and res.demo["signed"]["predicted"] == 0


def test_spectrum_validation_on_known_answers():
    v = E.spectrum_validation([2, 3], [(2, 12)], 1, n_factors=4000, n_draws=4000)
    assert max(v.newman_worst_z.values()) < 5
    assert abs(v.quad[2, 12] - v.mc[2, 12]) < 5 * v.mc_se[2, 12]


def test_spacetime_delay_grows_with_c():
    st = E.spacetime_delay([1.0, 100.0, 10000.0], 0, depth=24, n_models=3, n_test=200)
    assert st.delay[0] == 0 and st.delay[1] < st.delay[2]
    assert abs(st.delay[-1] - st.delay_pred[-1]) <= 1 + 4 * st.delay_se[-1]
    assert st.delay_naive[-1] < st.delay_pred[-1]


def test_norm_controls_separate_growth_from_gap():
    nc = E.norm_controls([2], 0, n_models=2, n_test=100)
    assert nc.get(2, "selected")[0] > 0.99 and nc.get(2, "orthogonal")[0] < 0.5
    assert nc.rescaled_max_diff[0] < 1e-9 and nc.orthogonal_max_change[0] < 1e-10
    assert abs(nc.get(2, "rescaled", "growth")[0]) < 1e-12
    assert "norm-minimising" in nc.table()


def test_gd_collapse_scan_divergence_criteria():
    s = E.gd_collapse_scan([0.1, 0.1], [1.0, 1e4], 0, etas_factors=[0.1, 0.001], n_models=3,
                           n_test=200)
    assert s.closed_form_rel_err < 1e-12
    assert s.frac_a_exact[1] > 0.9 > s.frac_a_exact[0]
    assert np.all(s.diverged_nonfinite <= s.diverged_stop)
    assert s.diverged_stop[0, 1] == 3  # lambda eta = 1000: every run overflows
    assert np.isnan(s.frac_b[0, 1])
    assert set(s.window()) == {0.1, 0.001} and "non-finite" in s.table()


def test_hyperplane_test_and_eq7():
    h = E.hyperplane_test([1 / 3, 2 / 3], 0, n_hash=200, n_rep=50, k_keep=5)
    assert np.all(h.z_mean < 5)
    assert h.p_kept[0] < 1 / 3 < 2 / 3 < h.p_kept[1]
    lhs, rhs = E.eq7_sides(30, 100, 0.3)
    assert lhs == pytest.approx(rhs)
    assert abs(np.subtract(*E.eq7_sides(50, 100, 0.3))) > 1


def test_audit_training_on_a_wide_model():
    a = E.audit_training([1.0, -2.0, 0.5], 50, 10, np.random.default_rng(4))
    assert np.all(a.kept_margin > 0) and a.reproduces_rel_err < 1e-12
    assert a.growth_per_layer > 0
