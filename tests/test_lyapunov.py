"""Unit tests of uniqnets.lyapunov against exact answers."""

import numpy as np
import pytest
from scipy.special import digamma

from uniqnets.lyapunov import (
    LyapunovResult,
    finite_time_exponents,
    gaussian_product_exponents,
    henon,
    logistic,
    lorenz,
    lyapunov_spectrum,
    lyapunov_spectrum_flow,
    predicted_divergence_time,
    qr_exponents,
    rk4_map,
    twin_divergence,
)


def test_newman_formula_small_cases():
    # k = 1: E log|g| for g ~ N(0, 1) is -(gamma + ln 2) / 2
    assert gaussian_product_exponents(1)[0] == pytest.approx(-(np.euler_gamma + np.log(2)) / 2)
    # scaling every factor by sigma shifts every exponent by ln sigma
    np.testing.assert_allclose(gaussian_product_exponents(4, sigma=3.0),
                               gaussian_product_exponents(4) + np.log(3.0), rtol=0, atol=1e-14)
    # the sum is E log|det G| = sum_i (ln 2 + psi((k - i + 1)/2)) / 2
    k = 5
    assert gaussian_product_exponents(k).sum() == pytest.approx(
        0.5 * sum(np.log(2) + digamma(j / 2) for j in range(1, k + 1)))


@pytest.mark.parametrize("k", [2, 3, 6])
def test_qr_on_gaussian_products_matches_newman(k):
    rng = np.random.default_rng(1)
    n = 20_000
    res = qr_exponents(rng.standard_normal((k, k)) for _ in range(n))
    err = res.stderr(n_blocks=40)
    # independent factors: the increments are nearly uncorrelated and the error of the
    # mean is ~ sd(log|R_ii|)/sqrt(n) ~ 0.01; five standard errors bound a true miss
    assert np.all(err < 0.02)
    np.testing.assert_array_less(np.abs(res.exponents - gaussian_product_exponents(k)), 5 * err)


def test_qr_callable_factors_equal_matrix_factors():
    rng = np.random.default_rng(2)
    mats = [rng.standard_normal((4, 4)) for _ in range(50)]
    a = qr_exponents(mats, k=2)
    b = qr_exponents([(lambda Q, M=M: M @ Q) for M in mats], Q0=np.eye(4, 2))
    np.testing.assert_allclose(a.exponents, b.exponents, rtol=0, atol=1e-12)
    assert a.running.shape == (50, 2)


def test_qr_bad_input():
    with pytest.raises(ValueError, match="k"):
        qr_exponents([np.eye(3)], k=4)
    with pytest.raises(ValueError, match="square"):
        qr_exponents([np.ones((2, 3))])
    with pytest.raises(ValueError, match="Q0"):
        qr_exponents([lambda Q: Q])
    with pytest.raises(ValueError, match="at least one"):
        qr_exponents([], k=1, Q0=np.eye(2, 1))
    with pytest.raises(ValueError, match="k"):
        gaussian_product_exponents(0)


# -- maps, flows and twins on systems with known exponents ---------------------------------

def test_logistic_r4_is_ln2():
    m = logistic()
    n = 100_000
    res = lyapunov_spectrum(m.step, m.jvp, m.x0, n, n_transient=100)
    # x = sin^2(pi y / 2) conjugates the map to the tent map (slope 2), so
    # sum_t ln|f'(x_t)| = n ln 2 + ln|h'(y_n)| - ln|h'(y_0)| with h'(y) = (pi/2) sin(pi y):
    # the error is a boundary term / n, and |ln h'| < 25 for any double x in (0, 1)
    # (x >= 1e-16 gives sin(pi y) >= 1e-8): |error| < 25 / n
    assert abs(res.exponents[0] - np.log(2)) < 25 / n
    assert isinstance(res, LyapunovResult) and not res.diverged


def test_henon_both_exponents_and_exact_sum():
    m = henon()
    n = 100_000
    res = lyapunov_spectrum(m.step, m.jvp, m.x0, n, k=2, n_transient=1000)
    se = res.stderr(n_blocks=50)
    # det DF = -b at every step, so sum_i log R_ii = ln b exactly at every step: only
    # rounding remains (1e-16 per step, averaged)
    assert abs(res.exponents.sum() - np.log(0.3)) < 1e-12
    # statistical error of 1e5 steps is ~1e-3 (batch means); 5 standard errors plus the
    # uncertainty of the reference value bound an honest miss; 0.01 is the bar
    tol = 5 * se + m.exponents_error
    assert se[0] < 3e-3
    assert np.all(np.abs(res.exponents - m.exponents) < tol)
    assert np.all(np.abs(res.exponents - m.exponents) < 0.01)


def test_lorenz_spectrum_and_exact_sum():
    fl = lorenz()
    res = lyapunov_spectrum_flow(fl.f, fl.jac, fl.x0, 500.0, 0.01, k=3, t_transient=20.0)
    se = res.stderr(n_blocks=25)
    # exponents per unit time; statistical error of a 500-time-unit run is ~0.02 for
    # lambda_1 (batch means over 25 blocks of 20 time units, longer than the correlation
    # time ~ 1); RK4 bias is O(dt^4) ~ 1e-4, below that
    assert se[0] < 0.05
    tol = 5 * se + fl.exponents_error + 1e-3
    assert np.all(np.abs(res.exponents - fl.exponents) < tol), (res.exponents, tol)
    # the sum is the time-averaged divergence -(sigma + 1 + beta), up to the RK4 error
    # of log det: (h * 22)^5 / 120 / h ~ 4e-4 at most per unit time for h = 0.01
    assert abs(res.exponents.sum() - fl.exponent_sum) < 4e-4


def test_flow_sum_converges_at_fourth_order():
    # the error of the exponent sum is the RK4 error of log det(D step): halving dt must
    # divide it by 2^4 = 16 (tolerance: the next order term, a factor 2 either way)
    fl = lorenz()
    errs = []
    for dt in (0.02, 0.01):
        res = lyapunov_spectrum_flow(fl.f, fl.jac, fl.x0, 20.0, dt, k=3, t_transient=1.0)
        errs.append(abs(res.exponents.sum() - fl.exponent_sum))
    order = np.log2(errs[0] / errs[1])
    assert 3.5 < order < 4.5, order


def test_linear_map_and_flow_exact():
    # x -> A x with a triangular A: exponents are ln|a_ii| (sorted), exactly up to rounding
    A = np.array([[1.5, 0.3, 0.0], [0.0, -0.5, 1.0], [0.0, 0.0, 0.2]])
    res = lyapunov_spectrum(lambda x: A @ x, lambda x, V: A @ V, np.ones(3), 400, k=3,
                            n_transient=100)
    # transients decay like (0.5/1.5)^t; after 100 steps only rounding is left, but the
    # frame's initial misalignment contributes O(1)/n to the mean over 400 steps
    np.testing.assert_allclose(res.exponents, np.log([1.5, 0.5, 0.2]), atol=5e-3)
    # dx/dt = B x: exponents are the real parts of B's eigenvalues; RK4 with h * |mu| <=
    # 0.03 has a relative error (h mu)^4 / 120 ~ 1e-8 in the growth per step
    B = np.array([[0.4, 2.0, 0.0], [-2.0, 0.4, 0.0], [0.0, 0.0, -1.0]])
    fres = lyapunov_spectrum_flow(lambda x: B @ x, lambda x: B, np.ones(3), 50.0, 0.01, k=3)
    # the complex pair (0.4 +- 2i) rotates the 2-frame: both get 0.4 only on average
    # over a rotation period pi, so the bias is O(1/T) ~ 0.01 at T = 50
    np.testing.assert_allclose(np.sort(fres.exponents)[::-1], [0.4, 0.4, -1.0], atol=0.02)
    np.testing.assert_allclose(fres.exponents.sum(), np.trace(B), atol=1e-6)
    # the jvp form gives the same numbers
    gres = lyapunov_spectrum_flow(lambda x: B @ x, lambda x, V: B @ V, np.ones(3), 50.0, 0.01,
                                  k=3, jac_is_jvp=True)
    np.testing.assert_array_equal(gres.exponents, fres.exponents)


def test_renorm_every_does_not_change_the_estimate():
    # QR of J2 J1 Q = J2 Q1 R1 = Q2 (R2 R1): the diagonal of R2 R1 is diag(R2) diag(R1),
    # so re-orthonormalising less often gives the same sums up to rounding
    m = henon()
    a = lyapunov_spectrum(m.step, m.jvp, m.x0, 3000, k=2, n_transient=100)
    b = lyapunov_spectrum(m.step, m.jvp, m.x0, 3000, k=2, n_transient=100, renorm_every=5)
    np.testing.assert_allclose(a.exponents, b.exponents, rtol=0, atol=1e-12)
    assert b.log_r.shape == (600, 2) and b.dt == 5.0
    np.testing.assert_allclose(a.running[4::5], b.running, rtol=0, atol=1e-9)


def test_time_dependent_map_is_a_product_of_random_matrices():
    rng = np.random.default_rng(3)
    k, n = 3, 20_000
    mats = rng.standard_normal((n, k, k))
    # a linear cocycle over a trivial base: the state stays put (it would overflow if it
    # followed the product), the tangent map at step t is the t-th matrix
    res = lyapunov_spectrum(lambda x, t: x, lambda x, V, t: mats[t] @ V,
                            np.ones(k), n, k=k, Q0=np.eye(k), time_dependent=True)
    ref = qr_exponents(mats, k=k)
    # same factors, same frame: the same arithmetic
    np.testing.assert_array_equal(res.exponents, ref.exponents)
    se = res.stderr(40)
    # independent factors; five standard errors (~0.01 each) bound a true miss
    assert np.all(np.abs(res.exponents - gaussian_product_exponents(k)) < 5 * se)


def test_finite_time_exponents():
    m = henon()
    res = lyapunov_spectrum(m.step, m.jvp, m.x0, 2000, k=2, n_transient=100)
    fte = finite_time_exponents(res, 100)
    assert fte.shape == (20, 2)
    np.testing.assert_allclose(fte.mean(axis=0), res.exponents, rtol=0, atol=1e-12)
    # each window still has the exact sum ln b
    np.testing.assert_allclose(fte.sum(axis=1), np.log(0.3), rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="window"):
        finite_time_exponents(res, 5000)


def test_twin_divergence_linear_maps():
    rng = np.random.default_rng(0)
    tw = twin_divergence(lambda x: 2.0 * x, np.ones(4), 1e-10, 30, rng)
    # the offset 1e-10 on top of entries ~1 is only represented to ~1e-16 / 1e-10 = 1e-6
    # relative; doubling is exact in floating point, so the ratios are exact
    assert tw.distances[0] == pytest.approx(1e-10, rel=1e-5)
    np.testing.assert_allclose(tw.distances / tw.distances[0], 2.0 ** np.arange(31), rtol=1e-14)
    np.testing.assert_allclose(tw.local_rates(5), np.log(2), rtol=1e-12)
    assert tw.divergence_time(1e-6) == int(np.ceil(np.log2(1e4)))
    assert tw.divergence_time(1e10) is None
    # a contraction: the twins reconverge
    tc = twin_divergence(lambda x: 0.5 * x, np.ones(4), np.full(4, 1e-3), 20)
    assert tc.distances[-1] == pytest.approx(2e-3 * 0.5 ** 20)
    np.testing.assert_array_equal(tc.perturbation, np.full(4, 1e-3))


def test_twin_divergence_on_henon_follows_lambda1():
    m = henon()
    x0 = lyapunov_spectrum(m.step, m.jvp, m.x0, 1000, k=1).x  # a point on the attractor
    rng = np.random.default_rng(5)
    # average over 200 pairs of ln(d_t / d_0) / t at t = 40 (d_40 ~ 1e-12 e^{16.8} ~ 2e-5,
    # still far below the attractor's size): finite-time exponents of 40 steps have a
    # spread of ~0.1, so the mean over 200 pairs is within ~0.01 of lambda_1 plus an O(1/t)
    # bias from the initial direction (~ln 2 / 40 ~ 0.02)
    rates = []
    y = x0
    for _ in range(200):
        tw = twin_divergence(m.step, y, 1e-12, 40, rng)
        rates.append(np.log(tw.distances[-1] / tw.distances[0]) / 40)
        y = tw.x
    assert abs(np.mean(rates) - m.exponents[0]) < 0.05


def test_twin_independent_maps_and_time_dependence():
    # two different time-dependent maps from the same start, delta0 given as a vector
    a = twin_divergence(lambda x, t: x + t, np.zeros(2), np.zeros(2), 5,
                        step_twin=lambda x, t: x + 2 * t, time_dependent=True)
    # x_5 = 0+1+2+3+4 = 10 per coordinate, y_5 = 20: distance 10 sqrt 2
    assert a.distances[-1] == pytest.approx(10 * np.sqrt(2))
    assert a.distances[0] == 0.0


def test_rk4_map_and_twins_on_lorenz():
    fl = lorenz()
    step = rk4_map(fl.f, 0.01)
    x = fl.x0
    for _ in range(2000):
        x = step(x)
    tw = twin_divergence(step, x, 1e-10, 3000, np.random.default_rng(1))
    # twins separate to the size of the attractor (~20) and stay there: bounded
    assert tw.distances.max() > 1.0
    assert tw.distances.max() < 60.0
    t_hit = tw.divergence_time(1e-3)
    # predicted ln(1e7) / 0.906 / 0.01 ~ 1780 steps; finite-time fluctuations of the
    # rate over ~18 time units are ~30 %, hence the wide bracket
    pred = predicted_divergence_time(0.9056, 1e-10, 1e-3) / 0.01
    assert 0.5 * pred < t_hit < 2.0 * pred


def test_predicted_divergence_time():
    assert predicted_divergence_time(np.log(2), 1e-10, 1e-4) == pytest.approx(np.log2(1e6))
    assert predicted_divergence_time(-0.1, 1e-10, 1e-4) == np.inf
    assert predicted_divergence_time(0.0, 1e-10, 1e-4) == np.inf
    assert predicted_divergence_time(0.5, 1e-3, 1e-4) == 0.0
    with pytest.raises(ValueError, match="delta0"):
        predicted_divergence_time(0.5, 0.0, 1.0)


def test_diverging_map_is_reported_not_crashed():
    # x -> x^2 from 2 overflows after ~10 steps: a diverged run has no spectrum
    res = lyapunov_spectrum(lambda x: x * x, lambda x, V: 2 * x[:, None] * V, [2.0], 100)
    assert res.diverged and np.isnan(res.exponents).all()
    assert res.diverged_step == 10  # 2^(2^10) = 2^1024 overflows float64
    assert np.isfinite(res.x).all() and res.log_r.shape[0] == 9
    # with max_norm the run stops earlier
    res2 = lyapunov_spectrum(lambda x: x * x, lambda x, V: 2 * x[:, None] * V, [2.0], 100,
                             max_norm=1e6)
    assert res2.diverged and res2.diverged_step == 5  # 2^32 > 1e6
    # during the transient
    res3 = lyapunov_spectrum(lambda x: x * x, lambda x, V: 2 * x[:, None] * V, [2.0], 100,
                             n_transient=50)
    assert res3.diverged and res3.diverged_step == 10 and res3.log_r.shape[0] == 0
    tw = twin_divergence(lambda x: x * x, [2.0], 1e-3, 100, np.random.default_rng(0))
    assert tw.diverged and tw.diverged_step == 10 and tw.distances.shape == (10,)


def test_deterministic():
    m = henon()
    a = lyapunov_spectrum(m.step, m.jvp, m.x0, 500, k=2, rng=np.random.default_rng(9))
    b = lyapunov_spectrum(m.step, m.jvp, m.x0, 500, k=2, rng=np.random.default_rng(9))
    np.testing.assert_array_equal(a.log_r, b.log_r)


def test_bad_input():
    m = henon()
    with pytest.raises(ValueError, match="x0"):
        lyapunov_spectrum(m.step, m.jvp, [np.nan, 0.0], 10)
    with pytest.raises(ValueError, match="k"):
        lyapunov_spectrum(m.step, m.jvp, m.x0, 10, k=3)
    with pytest.raises(ValueError, match="n_steps"):
        lyapunov_spectrum(m.step, m.jvp, m.x0, 0)
    with pytest.raises(ValueError, match="n_transient"):
        lyapunov_spectrum(m.step, m.jvp, m.x0, 10, n_transient=-1)
    with pytest.raises(ValueError, match="multiple"):
        lyapunov_spectrum(m.step, m.jvp, m.x0, 10, renorm_every=3)
    with pytest.raises(TypeError, match="step"):
        lyapunov_spectrum(None, m.jvp, m.x0, 10)
    with pytest.raises(ValueError, match="Q0"):
        lyapunov_spectrum(m.step, m.jvp, m.x0, 10, k=2, Q0=np.ones((2, 2)))
    with pytest.raises(TypeError, match="rng"):
        lyapunov_spectrum(m.step, m.jvp, m.x0, 10, rng=0)
    fl = lorenz()
    with pytest.raises(ValueError, match="dt"):
        lyapunov_spectrum_flow(fl.f, fl.jac, fl.x0, 1.0, 0.0)
    with pytest.raises(ValueError, match="t_total"):
        lyapunov_spectrum_flow(fl.f, fl.jac, fl.x0, 0.001, 0.01)
    with pytest.raises(ValueError, match="x0"):
        lyapunov_spectrum_flow(fl.f, fl.jac, [1.0, np.inf, 0.0], 1.0, 0.01)
    with pytest.raises(ValueError, match="delta0"):
        twin_divergence(m.step, m.x0, -1.0, 10, np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng"):
        twin_divergence(m.step, m.x0, 1e-8, 10)
    with pytest.raises(ValueError, match="delta0"):
        twin_divergence(m.step, m.x0, np.ones(3), 10)
    with pytest.raises(ValueError, match="n_steps"):
        twin_divergence(m.step, m.x0, 1e-8, 0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="r"):
        logistic(r=5.0)


# -- training dynamics ----------------------------------------------------------------------

def _moons_objective(weight_decay=0.0, loss="mse", n=32, width=8):
    from uniqnets import data, models

    ds = data.two_moons(n, np.random.default_rng(0), noise=0.1)
    if loss == "mse":
        net = models.MLP((2, width, width, 1), "tanh")
        Y = (2.0 * ds.Y - 1.0)[:, None]
    else:
        net = models.MLP((2, width, width, 2), "tanh")
        Y = ds.Y
    return models.Objective(net, ds.X, Y, loss, weight_decay=weight_decay)


@pytest.mark.parametrize("loss", ["mse", "xent"])
def test_hvp_and_tangent_match_finite_differences(loss):
    from uniqnets import models
    from uniqnets.lyapunov import _training_tangent

    obj = _moons_objective(weight_decay=1e-2, loss=loss)
    rng = np.random.default_rng(1)
    theta = obj.model.init(rng)
    d = theta.size
    V = rng.standard_normal((d, 3))
    h, lr = 1e-5, 0.3
    # central differences: truncation O(h^2 |D^3 L|) ~ 1e-10, rounding ~ 1e-16 |g| / h ~
    # 1e-11; a relative tolerance of 1e-6 leaves room for both and still catches any
    # wrong term of the R-operator (which would be O(1))
    fd_h = np.stack([(obj.grad(theta + h * v) - obj.grad(theta - h * v)) / (2 * h) for v in V.T], 1)
    np.testing.assert_allclose(obj.hvp(theta, V), fd_h, rtol=1e-6, atol=1e-8)
    def step(th):
        return models.gd_step(obj, th, lr)

    fd_j = np.stack([(step(theta + h * v) - step(theta - h * v)) / (2 * h) for v in V.T], 1)
    np.testing.assert_allclose(models.training_jvp(obj, theta, V, lr), fd_j, rtol=1e-6, atol=1e-8)
    # the clipped step theta - lr * c g / |g| (clipping active: c below |g|)
    c = 0.5 * np.linalg.norm(obj.grad(theta))

    def clipped(th):
        g = obj.grad(th)
        return th - lr * g * min(1.0, c / np.linalg.norm(g))

    fd_c = np.stack([(clipped(theta + h * v) - clipped(theta - h * v)) / (2 * h) for v in V.T], 1)
    np.testing.assert_allclose(_training_tangent(obj, theta, V, lr, clip_norm=c), fd_c,
                               rtol=1e-6, atol=1e-8)
    # a mini-batch tangent is the tangent of the batch objective
    b = np.arange(5)
    np.testing.assert_allclose(_training_tangent(obj, theta, V, lr, batch=b),
                               V - lr * obj.subset(b).hvp(theta, V), rtol=1e-14, atol=0)


def test_sharpness_lanczos_matches_dense_hessian():
    from uniqnets.lyapunov import hessian_spectrum, sharpness

    obj = _moons_objective(weight_decay=1e-3)
    theta = obj.model.init(np.random.default_rng(2))
    mu = hessian_spectrum(obj, theta)
    assert mu.shape == (obj.model.n_params,) and np.all(np.diff(mu) <= 0)
    top = sharpness(obj, theta, k=3)
    # ARPACK converges the extreme eigenvalues to machine precision (tol=0)
    np.testing.assert_allclose(top, mu[:3], rtol=1e-9)
    # bit-for-bit rerun: the default start vector is fixed
    np.testing.assert_array_equal(top, sharpness(obj, theta, k=3))


def test_fixed_point_exponents():
    from uniqnets.lyapunov import fixed_point_exponents

    np.testing.assert_allclose(fixed_point_exponents([3.0, 1.0, 0.0, -1.0], 0.5),
                               np.log([1.5, 1.0, 0.5, 0.5]))
    with pytest.raises(ValueError, match="lr"):
        fixed_point_exponents([1.0], 0.0)


def test_training_spectrum_linear_regression_is_exact():
    # a linear model has a constant Hessian X^T X / n (augmented by the bias): gradient
    # descent is a linear map and its exponents are ln|1 - lr mu_i| exactly
    from uniqnets import models
    from uniqnets.lyapunov import fixed_point_exponents, hessian_spectrum, training_spectrum

    rng = np.random.default_rng(4)
    X = rng.standard_normal((50, 3)) * np.array([2.0, 1.0, 0.5])
    Y = X @ np.array([1.0, -2.0, 0.5])[:, None] + 0.1 * rng.standard_normal((50, 1))
    obj = models.Objective(models.MLP((3, 1), "linear"), X, Y, "mse")
    theta0 = np.zeros(4)
    lr = 0.4
    mu = hessian_spectrum(obj, theta0)
    pred = fixed_point_exponents(mu, lr)
    res = training_spectrum(obj, theta0, lr, 400, k=4, n_transient=200,
                            frame_rng=np.random.default_rng(0))
    # the sum is log|det(I - lr H)| at every step, exactly up to rounding
    assert abs(res.exponents.sum() - pred.sum()) < 1e-12
    # after a transient of 200 steps the frame is aligned up to (ratio of neighbouring
    # |1 - lr mu|)^200, tiny here; what is left is rounding
    np.testing.assert_allclose(res.exponents, pred, rtol=0, atol=1e-9)


def test_training_spectrum_at_a_minimum_matches_the_hessian():
    # with weight decay gradient descent converges to a strict minimum, where the tangent
    # map is the constant I - lr H(theta*): exponents = ln|1 - lr mu_i|, all negative
    from uniqnets import models
    from uniqnets.lyapunov import (
        critical_point,
        fixed_point_exponents,
        hessian_spectrum,
        training_spectrum,
    )

    obj = _moons_objective(weight_decay=2e-2)
    lr = 0.15
    theta0 = obj.model.init(np.random.default_rng(3))
    tr = models.train(obj, theta0, 3000, lr, save_every=3000)
    theta_star, gnorm = critical_point(obj, tr.final)
    assert gnorm < 1e-9
    mu = hessian_spectrum(obj, theta_star)
    assert 0 < mu[-1] and mu[0] < 2 / lr  # a strict minimum, linearly stable for this lr
    pred = fixed_point_exponents(mu, lr)
    n_tr, n = 8000, 2000
    res = training_spectrum(obj, theta_star, lr, n, k=1, n_transient=n_tr,
                            frame_rng=np.random.default_rng(0))
    assert res.exponents[0] < 0
    # at the fixed point the frame turns towards the top eigenvector(s) of I - lr H like
    # exp(-t gap), gap = distance to the next distinct exponent; a random start frame has
    # tan^2(angle) of order d, so the misalignment left after the transient adds at most
    # d exp(-2 n_tr gap) / n to the mean; the run stays at theta* up to rounding
    gap = pred[0] - pred[pred < pred[0] - 1e-9][0]  # degenerate copies (dead units) skipped
    tol = obj.model.n_params * np.exp(-2 * n_tr * gap) / n + 1e-9
    assert tol < 1e-2 * abs(pred[0])  # the test resolves the exponent to 1 %
    assert abs(res.exponents[0] - pred[0]) < tol, (res.exponents, pred[:3], tol)


def test_training_spectrum_reports_divergence():
    from uniqnets import models
    from uniqnets.lyapunov import training_spectrum

    obj = _moons_objective()
    theta0 = obj.model.init(np.random.default_rng(3))
    res = training_spectrum(obj, theta0, 50.0, 200, k=2)
    tr = models.train(obj, theta0, 200, 50.0)
    assert tr.diverged and res.diverged
    assert res.diverged_step == tr.diverged_step
    assert np.isnan(res.exponents).all()


def test_training_spectrum_chunks_and_reruns_are_identical():
    from uniqnets import models
    from uniqnets.lyapunov import training_spectrum

    obj = _moons_objective(weight_decay=1e-3)
    theta0 = obj.model.init(np.random.default_rng(3))
    batches = models.batch_sequence(obj.n_samples, 8, 300, np.random.default_rng(1))
    a = training_spectrum(obj, theta0, 0.2, 250, k=2, n_transient=50, method="sgd",
                          batches=batches, chunk=500, save_every=100)
    b = training_spectrum(obj, theta0, 0.2, 250, k=2, n_transient=50, method="sgd",
                          batches=batches, chunk=7, save_every=100)
    np.testing.assert_array_equal(a.log_r, b.log_r)
    np.testing.assert_array_equal(a.losses, b.losses)
    np.testing.assert_array_equal(a.saved_steps, [0, 100, 200, 300])
    np.testing.assert_array_equal(a.saved_thetas, b.saved_thetas)
    assert a.log_r.shape == (250, 2) and a.losses.shape == (301,)
    # the saved parameters are those of models.train with the same batches
    tr = models.train(obj, theta0, 300, 0.2, method="sgd", batches=batches, save_every=100)
    np.testing.assert_array_equal(a.saved_thetas, tr.thetas)
    # Langevin: the same noise stream whatever the chunking
    la = training_spectrum(obj, theta0, 0.1, 60, method="langevin", temperature=1e-4,
                           rng=np.random.default_rng(5), chunk=13)
    lb = training_spectrum(obj, theta0, 0.1, 60, method="langevin", temperature=1e-4,
                           rng=np.random.default_rng(5))
    np.testing.assert_array_equal(la.x, lb.x)


def test_training_spectrum_bad_input():
    from uniqnets.lyapunov import training_spectrum

    obj = _moons_objective()
    theta0 = obj.model.init(np.random.default_rng(3))
    with pytest.raises(TypeError, match="objective"):
        training_spectrum("loss", theta0, 0.1, 10)
    with pytest.raises(ValueError, match="theta0"):
        training_spectrum(obj, theta0[:-1], 0.1, 10)
    with pytest.raises(ValueError, match="theta0"):
        training_spectrum(obj, np.full_like(theta0, np.nan), 0.1, 10)
    with pytest.raises(ValueError, match="lr"):
        training_spectrum(obj, theta0, -0.1, 10)
    with pytest.raises(ValueError, match="n_steps"):
        training_spectrum(obj, theta0, 0.1, 0)
    with pytest.raises(ValueError, match="k"):
        training_spectrum(obj, theta0, 0.1, 10, k=theta0.size + 1)
    with pytest.raises(ValueError, match="batches"):
        training_spectrum(obj, theta0, 0.1, 10, method="sgd")
    from uniqnets.lyapunov import critical_point, sharpness

    with pytest.raises(ValueError, match="gtol"):
        critical_point(obj, theta0, gtol=0.0)
    with pytest.raises(ValueError, match="k"):
        sharpness(obj, theta0, k=theta0.size)
    with pytest.raises(TypeError, match="objective"):
        sharpness(None, theta0)


# -- structural uniqueness: collisions, contraction, edge of stability ----------------------

from uniqnets import lyapunov, models  # noqa: E402  (this block's subjects)


def _quadratic():
    """Least squares on two points with weight decay: H = diag(2 + 2 wd... ) constant."""
    X = np.array([[1.0], [-1.0]])
    return models.Objective(models.MLP((1, 1), "linear"), X, X, weight_decay=0.1)


def test_jacobian_margin_of_a_quadratic_is_exact():
    obj = _quadratic()
    mu = lyapunov.hessian_spectrum(obj, np.zeros(2))
    # a constant Hessian: the margin is min |1 - lr mu| to rounding
    assert lyapunov.jacobian_margin(obj, np.zeros((3, 2)), 0.3) == pytest.approx(
        np.abs(1 - 0.3 * mu).min(), rel=1e-12)


def test_pair_contraction_of_a_quadratic_closes_at_the_linear_rate():
    c = lyapunov.pair_contraction(_quadratic(), np.zeros(2), np.ones(2), 90, 0.1, n_saved=90)
    # on a quadratic the gap contracts by exactly (1 - lr mu) per step along each eigenvector;
    # the slowest one dominates after a few steps: the fitted slope matches to 1e-6
    assert c.closes and c.rate_measured == pytest.approx(c.rate_predicted, rel=1e-6)
    assert c.rate_predicted < 0 and c.relax_steps > 0


def test_convex_objective_every_pair_collides():
    X = np.random.default_rng(0).standard_normal((12, 2))
    obj = models.Objective(models.MLP((2, 2), "linear"), X, np.arange(12) % 2, "xent",
                           weight_decay=0.05)
    th0 = np.random.default_rng(1).standard_normal((3, obj.model.n_params))
    col = lyapunov.converged_collisions(obj, th0, 50, 0.5, X, np.arange(12) % 2)
    # a strictly convex loss has one minimum: every polished pair is within the polish bound
    assert col.fraction == 1.0 and col.function_distance.max() < 1e-6
    assert len(col.pairs) == 3 and col.accuracy.shape == (3,)


def test_perturbed_reruns_rerun_is_exact_and_float32_is_close():
    X = np.random.default_rng(0).standard_normal((8, 2))
    net = models.MLP((2, 3, 2), "tanh")
    obj = models.Objective(net, X, np.arange(8) % 2, "xent", weight_decay=0.01)
    r = lyapunov.perturbed_reruns(obj, net.init(np.random.default_rng(1)), 80, 0.1,
                                  np.arange(8)[::-1])
    # the same operations give the same bits; float32 rounding of ~1e-7 relative, a contracting
    # run keeps it below 1e-4
    assert r.gaps["rerun"].max() == 0 and r.gaps["float32"].max() < 1e-4
    assert 0 < r.gaps["one bit"][0] < 1e-15 and r.lam_se > 0


def test_catapult_run_on_a_quadratic_sits_at_the_fraction():
    c = lyapunov.catapult_run(_quadratic(), np.zeros(2), 0.5, 20, n_saved=5)
    # constant Hessian: eta mu_max = 2 f exactly, and the run converges to the unique minimum
    assert np.allclose(c.edge, 1.0) and not c.passes_edge and c.converged
    assert c.polished_twin < 1e-12


def test_depth_exponents_fraction_sets_the_step_size():
    X = np.random.default_rng(0).standard_normal((10, 2))
    y = np.arange(10) % 2
    r = lyapunov.depth_exponents(X, y, 3, [2, 3], 0.01, 40, 0, fraction=0.4)
    m = models.MLP((2, 3, 2), "tanh")
    obj = models.Objective(m, X, y, "xent", weight_decay=0.01)
    mu0 = lyapunov.sharpness(obj, m.init(np.random.default_rng(0)))[0]
    # eta = f * 2 / mu_max(H_0) exactly, and the run starts at eta mu_max = 0.8 < 2
    assert r.lrs[0] == pytest.approx(0.8 / mu0, rel=1e-10)
    assert r.edge[0] >= 0.8 - 1e-9 and np.all(np.isfinite(r.se))
    with pytest.raises(ValueError, match="exactly one"):
        lyapunov.depth_exponents(X, y, 3, [2], 0.01, 40, 0)


def test_amplification_scan_of_a_convex_model_never_grows():
    X = np.random.default_rng(0).standard_normal((8, 3))
    obj = models.Objective(models.MLP((3, 2), "linear"), X, np.arange(8) % 2, "xent",
                           weight_decay=0.01)
    r = lyapunov.amplification_scan(obj, [0, 1], [0.5, 0.95], 40, [2, 3])
    # convex: every exponent ln|1 - eta mu| < 0 below the edge, and distances never grow
    assert r.lam.shape == (2, 2) and np.all(r.lam < 0) and np.all(r.growth <= 1 + 1e-6)
# -- the experiments of the chaotic-divergence pages, at small sizes -------------------------

def _tiny_classifier():
    from uniqnets import models

    X = np.random.default_rng(0).standard_normal((8, 2))
    obj = models.Objective(models.MLP((2, 3, 2), "tanh"), X, (X[:, 0] * X[:, 1] > 0).astype(int),
                           "xent", weight_decay=0.01)
    return obj, obj.model.init(np.random.default_rng(1))


def test_reference_validation_hits_the_exact_identities():
    from uniqnets.lyapunov import validate_reference_systems

    v = validate_reference_systems(4000, 20.0, np.random.default_rng(0))
    # telescoping logistic sum (< 25 / n) and det DF = -b (rounding) are exact
    assert abs(v.logistic_error) < 25 / 4000 and abs(v.henon_sum_error) < 1e-12
    assert abs(v.lorenz_sum_error) < 4e-4  # RK4 error of log det at dt = 0.01
    assert set(v.summary()) >= {"gau_max_z", "hen_miss", "lor_miss"}


def test_tangent_map_error_detects_a_wrong_rate():
    from uniqnets import models
    from uniqnets.lyapunov import tangent_map_error

    obj, theta = _tiny_classifier()
    assert tangent_map_error(obj, theta, 0.3, np.random.default_rng(0)) < 1e-6
    # a finite-difference step of 1e-1 leaves a truncation error far above rounding
    assert tangent_map_error(obj, theta, 0.3, np.random.default_rng(0), h=0.5) > 1e-6
    assert models.gd_step(obj, theta, 0.3).shape == theta.shape


def test_stable_minimum_matches_dense_linear_algebra():
    from uniqnets.lyapunov import stable_minimum

    obj, theta = _tiny_classifier()
    m = stable_minimum(obj, theta, 0.5, 500, [0.5, 1e3], 50, k=2, n_transient=10)
    assert m.grad_norm < 1e-8 and m.mu[-1] > 0
    assert m.lrs_stable == (0.5,)  # 1e3 * mu_max > 2
    assert m.dense_diff < 1e-8 and np.all(m.measured < 0) and np.all(m.predicted < 0)


def test_learning_rate_scan_doubles_an_unresolved_window():
    from uniqnets.lyapunov import learning_rate_scan

    obj, theta = _tiny_classifier()
    s = learning_rate_scan(obj, theta, [0.1, 16.0], 20, n_transient=50, resolve=[16.0],
                           z_resolve=1e3, max_doublings=2)
    # an impossible z forces both doublings at the resolved rate only
    assert s.n_measured.tolist() == [20, 80]
    assert s.exponents[1, 0] > 0.1 and s.exponents[0, 0] < 0.05
    assert np.all(s.eta_sharpness_max() > 0) and s.index(16.0) == 1


def test_twins_linearisation_and_divergence_time():
    from uniqnets.lyapunov import (
        divergence_time_fit,
        linearisation_test,
        tangent_miss,
        training_spectrum,
        twin_scan,
    )

    obj, theta = _tiny_classifier()
    tw = twin_scan(obj, theta, [0.1, 16.0], 1e-10, 200, 0)
    assert tw.final[0] < 1e-8 < tw.final[1]  # contracting vs chaotic
    miss, pred = tangent_miss(obj, theta, tw.runs[0], 0.1, 50)
    assert miss < 1e-3 and pred.shape == (51,)
    run = training_spectrum(obj, theta, 16.0, 200, n_transient=200, save_every=100)
    lin = linearisation_test(obj, run.x, np.ones(obj.model.n_params), 16.0, 3)
    assert 0.8 < lin.slope < 1.2  # second-order remainder
    fit = divergence_time_fit(obj, 16.0, run.saved_thetas, [1e-10, 1e-8, 1e-6], 1e-2,
                              run.exponents[0], np.random.default_rng(0))
    assert fit.n_stuck + len(fit.times) == 5 and fit.lam_fit > 0


def test_sgd_twins_and_gradient_noise():
    from uniqnets import models
    from uniqnets.lyapunov import gradient_noise, sgd_twins

    obj, theta = _tiny_classifier()
    b = [models.batch_sequence(8, 2, 60, np.random.default_rng(i)) for i in (0, 1)]
    tw = sgd_twins(obj, theta, 0.1, 1e-10, *b, 0, 1)
    assert tw.kick > 1e4 * 1e-10 and tw.same.distances.max() < 1e-6 and tw.window == 30
    same = sgd_twins(obj, theta, 0.1, 1e-10, b[0], b[0], 0, 1)
    assert same.independent.distances[-1] == same.same.distances[-1]  # same batches, same run
    g = gradient_noise(obj, theta, [1, 2, 4, 7], 2, 400, np.random.default_rng(0))
    assert g.exact[-1] < g.exact[0] / 7  # the finite-population factor vanishes at B -> n
    assert np.all(g.z < 5)


def test_tanh_two_moons_is_seeded():
    from uniqnets.lyapunov import tanh_two_moons

    a, b = tanh_two_moons(16, 0.1, [4], 0.01, 3), tanh_two_moons(16, 0.1, [4], 0.01, 3)
    assert np.array_equal(a.theta0, b.theta0) and np.array_equal(a.X, b.X)
    assert a.objective.weight_decay == 0.01 and a.objective_no_decay.weight_decay == 0.0
