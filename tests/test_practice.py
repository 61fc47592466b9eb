"""uniqnets.practice: the JAX training maps against uniqnets.models and closed forms."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("jax", reason="needs the extra `practice`")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402

from uniqnets import lyapunov, models, practice  # noqa: E402

EPS = np.finfo(np.float64).eps


@pytest.fixture(scope="module")
def small():
    """A tanh MLP on 96 digits, in both libraries, with weight decay (float64)."""
    rng = np.random.default_rng(0)
    train, _ = practice.digits(rng)
    X, Y = train.X[:96], train.Y[:96]
    sizes = (64, 12, 10)
    theta = practice.mlp(sizes).init(np.random.default_rng(1))
    obj = models.Objective(models.MLP(sizes, "tanh"), X, Y, "xent", weight_decay=0.01)
    tm = practice.TrainingMap(practice.mlp(sizes), X, Y,
                              practice.optimizer("sgd", 0.5, weight_decay=0.01))
    return dict(X=X, Y=Y, theta=theta, obj=obj, tm=tm, sizes=sizes)


def test_mlp_reproduces_models_loss_gradient_and_hvp(small):
    obj, tm, th = small["obj"], small["tm"], small["theta"]
    V = np.random.default_rng(2).standard_normal((th.size, 3))
    # the same operations in another order: agreement to a few hundred ulps of the
    # largest entries (sums over ~100 samples and ~60 inputs)
    assert abs(tm.loss(th) - obj.loss(th)) < 100 * EPS * obj.loss(th)
    g_ref = obj.grad(th)
    assert np.max(np.abs(tm.grad(th) - g_ref)) < 1e3 * EPS * np.max(np.abs(g_ref))
    h_ref = obj.hvp(th, V)
    assert np.max(np.abs(tm.hvp(th, V) - h_ref)) < 1e3 * EPS * np.max(np.abs(h_ref))
    logits = models.MLP(small["sizes"], "tanh")(th, small["X"])
    assert np.max(np.abs(tm.predict(th, small["X"]) - logits)) < 100 * EPS * np.abs(logits).max()


def test_mlp_training_trajectory_and_exponents_match_models(small):
    obj, tm, th = small["obj"], small["tm"], small["theta"]
    run = models.train(obj, th, 40, 0.5, save_every=40)
    traj, x = tm.run(th, 40, save_every=40)
    # rounding differences of 1e-16 relative, amplified at most by the run's growth
    # (|J| <= ~1.1 per step at this learning rate): far below 1e-10
    assert np.max(np.abs(x - run.final)) < 1e-10
    assert np.max(np.abs(traj.losses - run.losses)) < 1e-10
    Q0 = np.linalg.qr(np.random.default_rng(3).standard_normal((th.size, 2)))[0]
    ref = lyapunov.training_spectrum(obj, th, 0.5, 100, k=2, n_transient=20, Q0=Q0)
    ours = tm.spectrum(th, 100, k=2, n_transient=20, Q0=Q0)
    # the same QR loop on tangents equal to ~1e-13: log R_ii agree to ~1e-12
    assert np.max(np.abs(ours.log_r - ref.log_r)) < 1e-9
    # and the fused step + tangent call equals lyapunov_spectrum on step and jvp
    plain = lyapunov.lyapunov_spectrum(tm.step, tm.jvp, th, 100, k=2, n_transient=20, Q0=Q0,
                                       time_dependent=True)
    assert np.max(np.abs(ours.log_r - plain.log_r)) < 1e-12


def test_sgd_batches_match_models(small):
    obj, th = small["obj"], small["theta"]
    batches = models.batch_sequence(96, 16, 30, np.random.default_rng(4))
    tm = practice.TrainingMap(practice.mlp(small["sizes"]), small["X"], small["Y"],
                              practice.optimizer("sgd", 0.5, weight_decay=0.01),
                              batches=batches)
    ref = models.train(obj, th, 30, 0.5, method="sgd", batches=batches)
    assert np.max(np.abs(tm.run(th, 30)[1] - ref.final)) < 1e-10


def test_gd_exponents_at_a_strict_minimum_are_log_one_minus_eta_mu():
    rng = np.random.default_rng(5)
    train, _ = practice.digits(rng)
    X, Y = train.X[:40, ::8], train.Y[:40] % 2  # 8 features, two classes
    sizes, lr, wd = (8, 3, 2), 0.5, 0.05
    obj = models.Objective(models.MLP(sizes, "tanh"), X, Y, "xent", weight_decay=wd)
    theta0 = models.MLP(sizes).init(np.random.default_rng(6))
    theta_star, gnorm = lyapunov.critical_point(obj, models.train(obj, theta0, 500, lr).final)
    mu = lyapunov.hessian_spectrum(obj, theta_star)
    assert gnorm < 1e-8 and mu[-1] > 0 and lr * mu[0] < 2  # a strict, stable minimum
    pred = lyapunov.fixed_point_exponents(mu, lr)
    tm = practice.TrainingMap(practice.mlp(sizes), X, Y,
                              practice.optimizer("sgd", lr, weight_decay=wd))
    d, n = theta0.size, 3000
    res = tm.spectrum(theta_star, n, k=d, Q0=np.eye(d))
    # the orbit stays at theta* (gradient < 1e-8), so the Jacobian is I - lr H(theta*)
    # and the full QR spectrum converges like 1/n: the frame's start enters through
    # log|det| of bounded minors, |error| <= ~20 / n for this well-conditioned d = 35
    assert np.max(np.abs(np.sort(res.exponents) - np.sort(pred))) < 20 / n
    # the sum of all exponents is log|det(I - lr H)| at every step, to rounding
    assert abs(res.exponents.sum() - pred.sum()) < 1e-9


def test_heavy_ball_exponents_at_a_quadratic_minimum_are_the_companion_roots():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((30, 4))
    Y = X @ rng.standard_normal((4, 1)) + 0.1 * rng.standard_normal((30, 1))
    lr, beta = 0.1, 0.8
    tm = practice.TrainingMap(practice.mlp((4, 1), "linear"), X, Y,
                              practice.optimizer("momentum", lr, momentum=beta), loss="mse")
    A = np.hstack([X, np.ones((30, 1))])
    mu = np.linalg.eigvalsh(A.T @ A / 30)
    # the joint map (theta, v) -> (theta - lr (H theta' + beta v), H theta' + beta v) has
    # 2 x 2 blocks [[1 - lr mu, -lr beta], [mu, beta]] whose eigenvalues are the roots of
    # z^2 - (1 + beta - lr mu) z + beta
    roots = np.concatenate([np.roots([1.0, -(1 + beta - lr * m), beta]) for m in mu])
    pred = np.sort(np.log(np.abs(roots)))
    n = 4000
    res = tm.spectrum(np.zeros(10), n, k=10, rng=np.random.default_rng(8))
    # complex pairs (|z| = sqrt(beta)) share their growth: each block's pair sum is exact
    # and the split oscillates with an amplitude ~ log(condition) / n
    assert np.max(np.abs(np.sort(res.exponents) - pred)) < 50 / n
    assert abs(res.exponents.sum() - pred.sum()) < 1e-9  # det = beta per block, exactly


def test_adam_and_adamw_steps_are_optax_adam():
    rng = np.random.default_rng(9)
    X, Y = rng.standard_normal((20, 3)), rng.integers(0, 2, 20)
    net = practice.mlp((3, 4, 2))
    th = net.init(rng)
    for wd in (0.0, 0.1):
        opt = practice.optimizer("adam", 1e-2, weight_decay=wd)
        tm = practice.TrainingMap(net, X, Y, opt)
        ref = optax.adamw(1e-2, eps_root=opt.eps_root, weight_decay=wd)
        p, s = jnp.asarray(th), ref.init(jnp.asarray(th))
        x = tm.init_state(th)
        for t in range(5):
            g = tm.grad(np.asarray(p))
            u, s = ref.update(jnp.asarray(g), s, p)
            p = optax.apply_updates(p, u)
            x = tm.step(x, t)
        assert np.max(np.abs(tm.params(x) - np.asarray(p))) < 1e-14


def test_schedules_are_optax_schedules():
    opt = practice.optimizer("sgd", 0.3, schedule="cosine", warmup_steps=5, total_steps=50)
    ref = optax.warmup_cosine_decay_schedule(0.0, 0.3, 5, 50)
    assert all(abs(opt.learning_rate(t) - float(ref(t))) < 1e-7 for t in range(0, 60, 7))
    assert practice.optimizer("adam", 1e-3).stability_threshold() == pytest.approx(38 / 1e-3)


def test_float32_computes_in_float32_and_differs_from_float64(small):
    kw = dict(X=small["X"], Y=small["Y"], optimizer=practice.optimizer("adam", 1e-2))
    net = practice.mlp(small["sizes"])
    tm32 = practice.TrainingMap(net, dtype="float32", **kw)
    tm64 = practice.TrainingMap(net, dtype="float64", **kw)
    x0 = tm64.init_state(small["theta"])
    fn = tm32._fns["step"]
    jaxpr = str(jax.make_jaxpr(fn)(jnp.asarray(x0, np.float32), jnp.asarray(0, jnp.int32),
                                   tm32._X, tm32._Y, None, tm32._lr, tm32._wd,
                                   tm32._hyper))
    # no array is promoted to float64 (optax computes Adam's scalar bias corrections
    # as weakly typed scalars, which do not promote float32 arrays)
    assert not re.search(r"f64\[\d", jaxpr)
    x32, x64 = tm32.step(x0, 0), tm64.step(x0, 0)
    assert x32.dtype == np.float32
    err = np.max(np.abs(x32 - x64))
    # float32 rounding of O(1) numbers: between 1e-9 and 1e-5
    assert 1e-9 < err < 1e-5


@pytest.mark.parametrize("kind", ["cnn", "resnet", "transformer"])
def test_reruns_are_bit_identical_and_tangents_match_differences(kind):
    rng = np.random.default_rng(10)
    train, _ = practice.digits(rng)
    X, Y = train.X[:32], train.Y[:32]
    # smooth activations: a ReLU network with zero biases has exactly-zero
    # pre-activations on blank pixels, where finite differences see the kink
    net = {"cnn": practice.cnn((8, 8, 1), (4, 6), 10, activation="gelu"),
           "resnet": practice.resnet((8, 8, 1), 4, 1, 10, activation="gelu"),
           "transformer": practice.transformer(8, 8, 2, 1, 10, d_in=8)}[kind]
    tm = practice.TrainingMap(net, X, Y, practice.optimizer("momentum", 0.05))
    x0 = tm.init_state(net.init(np.random.default_rng(11)))
    a, b = tm.run(x0, 5)[1], tm.run(x0, 5)[1]
    assert np.array_equal(a, b)
    v = np.random.default_rng(12).standard_normal(tm.state_dim)
    h = 1e-5
    fd = (tm.step(x0 + h * v) - tm.step(x0 - h * v)) / (2 * h)
    jv = tm.jvp(x0, v)
    # central differences: O(h^2) truncation and 1e-16 / h rounding, ~1e-10 relative
    assert np.linalg.norm(fd - jv) < 1e-7 * np.linalg.norm(jv)


def test_token_transformer_on_the_sorting_task_learns_and_has_a_spectrum():
    ds = practice.sequence_task(64, 5, 6, np.random.default_rng(13))
    net = practice.transformer(5, 16, 2, 1, 6, vocab=6, pool=False)
    tm = practice.TrainingMap(net, ds.X, ds.Y, practice.optimizer("adam", 1e-2))
    x0 = tm.init_state(net.init(np.random.default_rng(14)))
    traj, x = tm.run(x0, 60, save_every=60)
    assert traj.losses[-1] < traj.losses[0]
    assert tm.predict(tm.params(x), ds.X).shape == (64, 5, 6)
    res = tm.spectrum(x, 20, k=2, t0=60)
    assert np.all(np.isfinite(res.exponents))


def test_sharpness_against_the_dense_hessian(small):
    tm, th = small["tm"], small["theta"]
    H = tm.hvp(th, np.eye(th.size))
    top = np.linalg.eigvalsh((H + H.T) / 2)[-1]
    assert tm.sharpness(tm.init_state(th)) == pytest.approx(top, rel=1e-6)
    tma = practice.TrainingMap(practice.mlp(small["sizes"]), small["X"], small["Y"],
                               practice.optimizer("adam", 1e-3))
    x = tma.run(tma.init_state(th), 3)[1]
    o = tma.optimizer
    d = th.size
    P = np.sqrt(x[2 * d:] / (1 - o.b2 ** 3) + o.eps_root) + o.eps
    Hp = tma.hvp(x[:d], np.eye(d))
    ref = np.max(np.linalg.eigvals(Hp / P[:, None]).real)
    assert tma.sharpness(x, t=3, preconditioned=True) == pytest.approx(ref, rel=1e-5)


def test_one_ulp_and_shapes():
    y = practice.one_ulp(np.float32([1.0, 2.0]), 0, "float32")
    assert y.dtype == np.float32 and y[0] - 1 == np.finfo(np.float32).eps and y[1] == 2
    assert practice.mlp((64, 72, 72, 10)).n_params > 1e4
    assert practice.cnn((8, 8, 1), (16, 36), 10).n_params > 1e4


def test_a_run_in_another_process_is_the_run_in_this_one(small):
    """A fresh process rebuilds the same map; one pinned to one CPU runs the same steps."""
    tm = practice.TrainingMap(practice.mlp(small["sizes"]), small["X"], small["Y"],
                              practice.optimizer("momentum", 0.1), dtype="float32",
                              batches=models.batch_sequence(96, 16, 6, np.random.default_rng(2)))
    x0 = tm.init_state(small["theta"])
    here = tm.run(x0, 6)[1]
    settings = [{}]
    one_cpu = hasattr(os, "sched_setaffinity")
    if one_cpu:
        settings.append({"cpus": [min(os.sched_getaffinity(0))],
                         "xla_flags": "--xla_cpu_multi_thread_eigen=false"})
    runs = practice.run_in_subprocesses(tm, x0, 6, settings)
    # same code, same settings: bit for bit, in the map's dtype
    assert runs[0].final.dtype == np.float32 and np.array_equal(runs[0].final, here)
    if one_cpu:
        assert runs[0].cpus == tuple(sorted(os.sched_getaffinity(0)))
        assert len(runs[1].cpus) == 1 and runs[1].xla_flags.startswith("--xla_cpu")
        # another thread count may reorder sums: float32 rounding at most, not another run
        assert np.max(np.abs(runs[1].final - here)) < 1e-4


def test_run_in_subprocesses_rejects_bad_settings(small):
    tm, x0 = small["tm"], small["theta"]
    with pytest.raises(TypeError, match="settings"):
        practice.run_in_subprocesses(tm, x0, 2, {"cpus": [0]})
    with pytest.raises(ValueError, match="unknown keys"):
        practice.run_in_subprocesses(tm, x0, 2, [{"threads": 1}])
    with pytest.raises(TypeError, match="xla_flags"):
        practice.run_in_subprocesses(tm, x0, 2, [{"xla_flags": 1}])
    if hasattr(os, "sched_setaffinity"):
        with pytest.raises(ValueError, match="may only run on CPUs"):
            practice.run_in_subprocesses(tm, x0, 2, [{"cpus": [10_000]}])
    with pytest.raises(RuntimeError, match="exit status"):
        practice.run_in_subprocesses(tm, x0, 2, [{"xla_flags": "--no_such_xla_flag=1"}])


def test_import_error_names_the_extra():
    code = ("import sys; sys.modules['jax'] = None\n"
            "try:\n    import uniqnets.practice\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "uniqnets[practice]" in out


# -- the experiments of the page on the scale of practice (small sizes) ----------------------
@pytest.fixture(scope="module")
def tiny():
    """A small tanh MLP on 24 random points in 64 dimensions, with 40 mini-batches of 8."""
    rng = np.random.default_rng(3)
    X, Xt = rng.standard_normal((24, 64)), rng.standard_normal((40, 64))
    net = practice.mlp((64, 6, 10))
    return dict(X=X, Y=np.arange(24) % 10, Xt=Xt, Yt=np.arange(40) % 10, net=net,
                theta=net.init(np.random.default_rng(4)), b=rng.integers(0, 24, (40, 8)))


def test_digits_network_sizes_match_and_scale_with_width():
    n = {a: practice.digits_network(a).n_params for a in practice.ARCHITECTURES}
    # matched sizes: within 15 % of 1.1e4 at width 1
    assert all(abs(v - 1.1e4) < 0.15 * 1.1e4 for v in n.values()), n
    assert practice.digits_network("CNN", 2.0).n_params > 2.5 * n["CNN"]


def test_lr_scan_is_the_training_maps_spectrum(tiny):
    scan = practice.lr_scan({"m": tiny["net"]}, {"m": tiny["theta"]}, tiny["X"], tiny["Y"],
                            tiny["b"], {"sgd": [0.1, 1e9]}, 20, 5, seed=7, dtype="float64")
    tm = practice.TrainingMap(tiny["net"], tiny["X"], tiny["Y"], practice.optimizer("sgd", 0.1),
                              batches=tiny["b"])
    res = tm.spectrum(tiny["theta"], 20, n_transient=5, rng=np.random.default_rng(7))
    run, blown = scan.runs
    # the same computation, bit for bit
    assert run.lam == res.exponents[0] and run.se == res.stderr(10)[0]
    assert np.isfinite(run.edge) and run.edge > 0
    # a learning rate of 1e9 throws the parameters beyond the divergence bound (1e6)
    assert blown.diverged and np.isnan(blown.lam) and blown.sign() == "diverged"
    assert scan.counts()["diverged"] == 1 and sum(scan.counts().values()) == 2
    assert set(scan.table()) == {"m sgd 0.1", "m sgd 1e+09"}
    assert scan.get("m", "sgd", 0.1) is run and scan.get("m", "adam", 0.1) is None


def test_scan_run_sign_reads_three_standard_errors():
    run = practice.ScanRun("a", "sgd", 0.1, 0.3, 0.1, 1.0, False)
    assert run.sign() == "zero" and run.sign(z=2.9) == "positive"
    assert practice.ScanRun("a", "sgd", 0.1, -0.31, 0.1, 1.0, False).sign() == "negative"


def test_architecture_twins_start_one_ulp_apart_and_reuse_a_scan(tiny):
    args = ({"m": tiny["net"]}, {"m": tiny["theta"]}, tiny["X"], tiny["Y"], tiny["b"])
    scan = practice.lr_scan(*args, {"sgd": [0.5]}, 20, 5, seed=1)
    tw = practice.architecture_twins(*args, 0.5, 20, 5, 30, seed=1)
    tw_known = practice.architecture_twins(*args, 0.5, 20, 5, 30, seed=1, known=scan)
    r = tw.runs["m"]
    w0 = np.float32(tiny["theta"][np.argmax(np.abs(tiny["theta"]))])
    assert r.d0 == float(np.nextafter(w0, np.float32(np.inf)) - w0)
    assert r.lam == tw_known.runs["m"].lam and np.array_equal(r.distances,
                                                              tw_known.runs["m"].distances)
    assert tw.exceeds_all("m") is None and tw.below("m", "other") is None


def test_exceeds_all_compares_combined_standard_errors():
    def run(lam, se):
        return practice.TwinRun("x", lam, se, np.ones(2), np.zeros(1), np.zeros(1))

    tw = practice.ArchitectureTwins({"a": run(1.0, 0.1), "b": run(0.5, 0.1)})
    # 0.5 apart, combined s.e. 0.141: 3.5 standard errors
    assert tw.exceeds_all("a") and not tw.exceeds_all("a", z=3.6) and not tw.exceeds_all("b")
    assert tw.below("b", "a") and tw.order() == ["a", "b"]


def test_precision_twins_start_together_and_split_at_the_first_step(tiny):
    pt = practice.precision_twins(tiny["net"], tiny["theta"], tiny["X"], tiny["Y"], tiny["b"],
                                  0.5, 5, threads=False)
    assert pt.bit_identical and pt.thread_same == ()
    assert pt.d_prec[0] == 0 and pt.d_order[0] == 0
    # float32 against float64 differs by rounding after one step: ~1e-8 relative
    assert 0 < pt.d_prec[1] < 1e-5


def test_independent_runs_see_through_a_permutation(tiny):
    mlp_np = models.MLP((64, 6, 10), "tanh")
    perms, signs = models.random_symmetry(mlp_np, np.random.default_rng(5), flip_signs=False)
    th2 = models.permute_hidden(mlp_np, tiny["theta"], perms, signs)
    ir = practice.independent_runs(tiny["net"], [tiny["theta"], th2], tiny["X"], tiny["Y"],
                                   tiny["b"], 0.5, 10, tiny["Xt"], tiny["Yt"], n_checkpoints=5,
                                   dtype="float64")
    # a permuted start trains to the permuted end: the same function, far in parameters,
    # aligned back to rounding (float64 sums in another order)
    assert ir.agreement == 1.0 and ir.dist_raw > 0.1
    assert ir.dist_aligned < 1e-10 and ir.clouds.shape == (2, 6, tiny["net"].n_params)


def test_distribution_test_smallest_p_is_the_exact_one():
    net = practice.mlp((2, 3, 2))
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((16, 2)), np.arange(16) % 2
    dt = practice.distribution_test(net, X, Y, X, Y, 0.5, 3, 4, 8, seed=0)
    # two fully separated samples of 3: exact two-sided p = 2 / C(6, 3) = 0.1
    assert dt.p_min == pytest.approx(0.1) and dt.acc_c.shape == (3,)


def test_closed_form_checks_agree_with_their_exact_spectra():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 3))
    hb = practice.heavy_ball_exponents(X, X @ [[1.0], [0.5], [-1.0]], 0.1, 0.8, 400, rng)
    # QR estimate of a constant Jacobian: error ~ C / n; the sum is exact to rounding
    assert hb.err < 50 / 400 and hb.sum_err < 1e-9
    # each 2x2 block's roots multiply to beta (Vieta)
    assert hb.exact.sum() == pytest.approx(len(hb.mu) * np.log(0.8))


# -- the Fashion-MNIST networks and runs ------------------------------------------------------

def _have_fashion():
    from uniqnets import data

    return all((data.DEBIAN_FOLDER / name).exists() for name, _, _ in data.FILES.values()) \
        or bool(os.environ.get(data.ENV_VAR))


needs_fashion = pytest.mark.skipif(not _have_fashion(),
                                   reason="Fashion-MNIST is not installed (make data)")


@pytest.mark.parametrize("name", ["CNN", "ResNet", "MLP"])
def test_pre_activations_lead_to_the_outputs(name):
    """The last pre-activation, through the nonlinearity and the read-out, gives apply()."""
    net = practice.fashion_network(name)
    params = net.unflatten(jnp.asarray(net.init(np.random.default_rng(0))))
    X = jnp.asarray(np.random.default_rng(1).random((3, 784)))
    z = net.pre_activations(params, X)[-1]
    act = jax.nn.relu if name != "MLP" else jnp.tanh
    W, b = params[-1]
    if name == "CNN":
        out = act(z).reshape(3, -1) @ W + b
    elif name == "ResNet":
        out = act(z).mean(axis=(1, 2)) @ W + b
    else:
        out = act(z) @ W.T + b
    np.testing.assert_allclose(out, net.apply(params, X), rtol=1e-12, atol=1e-12)


def test_resnet_downsampling_halves_the_maps():
    net = practice.resnet((28, 28, 1), 4, 1, 10, downsample=2)
    params = net.unflatten(jnp.asarray(net.init(np.random.default_rng(0))))
    shapes = [z.shape for z in net.pre_activations(params, jnp.zeros((2, 784)))]
    assert shapes == [(2, 14, 14, 4), (2, 7, 7, 4), (2, 7, 7, 4), (2, 7, 7, 4)]


def test_parameter_sketch_estimates_distances():
    from uniqnets.practice._fashion import SKETCH_DIM, parameter_sketch

    # the ratio's law does not depend on the parameter count: a small network (two
    # blocks of columns) keeps the test fast; the Fashion MLP's 10^5 columns took 40 s
    net = practice.mlp((100, 100, 10))
    assert net.n_params > 8192
    rng = np.random.default_rng(0)
    n_pairs = 20
    ratios = []
    for _ in range(n_pairs):
        a, b = rng.standard_normal((2, net.n_params))
        ratios.append(np.linalg.norm(parameter_sketch(net, a) - parameter_sketch(net, b))
                      / np.linalg.norm(a - b))
    # |S x|^2 / |x|^2 is chi^2_m / m: the ratio has sd sqrt(1 / (2 m)) = 0.031 at m = 512
    assert abs(np.mean(ratios) - 1) < 4 * np.sqrt(1 / (2 * SKETCH_DIM)) / np.sqrt(n_pairs)
    assert 0.5 * np.sqrt(1 / (2 * SKETCH_DIM)) < np.std(ratios) < 2 * np.sqrt(1 / (2 * SKETCH_DIM))


@needs_fashion
def test_fashion_run_large_twins_follow_the_tangent_map_of_a_linear_network():
    """Known answer: a deep linear network's step is a polynomial of the parameters, so
    twins whose difference is far above rounding follow the tangent map to first order
    (relative error of order the difference, 1e-4 here); its units flip nothing."""
    run = practice.fashion_run("linear", 0, epochs=2.0, n_train=6400, n_test=500,
                               stages=(0.0, 0.5), window=20, k=1, every=5, n_probe=32)
    for st in run.stages:
        np.testing.assert_allclose(st.d_large / st.d_large[0], st.tangent / st.tangent[0],
                                   rtol=1e-2)
        assert not st.flips32.any() and not st.flips64.any() and not st.flips_large.any()
        # one-ulp twins are not described by it: rounding accumulates step by step
        assert st.d32[-1] / st.d32[0] > 10 * st.tangent[-1] / st.tangent[0]


@needs_fashion
def test_fashion_run_stop_is_a_prefix_of_the_run():
    kw = dict(epochs=2.0, n_train=2560, n_test=200, stages=(), n_probe_loss=256)
    full = practice.fashion_run("MLP", 1, **kw)
    part = practice.fashion_run("MLP", 1, stop=20, **kw)
    assert part.n_steps == 20 and part.eval_steps.tolist() == [0, 10, 20]
    np.testing.assert_array_equal(part.test_accuracy, full.test_accuracy[:3])
    np.testing.assert_array_equal(part.train_loss, full.train_loss[:3])
    assert full.final_accuracy > 0.6  # it learns: ten classes, chance is 0.1


def _stage(tangent, d32, d64, d_large, flips_large=0, lam=0.0):
    from uniqnets.practice import StageMeasurement

    n = len(tangent)
    z = np.zeros(n, int)
    return StageMeasurement(0, 100, 0.05, np.array([lam]), np.array([0.001]), np.arange(n),
                            np.array(d32), np.array(d64), np.array(tangent), z, z, 0,
                            np.array(d_large), np.array([0] * (n - 1) + [flips_large]))


def test_mechanisms_tell_the_three_apart_on_made_up_twins():
    one = [1.0, 1.0]
    exp = _stage([1.0, 8.0], [1.0, 8.0], [1.0, 8.0], [1.0, 7.0])
    rounding = _stage(one, [1.0, 300.0], [1.0, 250.0], [1.0, 1.1])
    flips = _stage(one, [1.0, 300.0], [1.0, 1.0], [1.0, 40.0], flips_large=12)
    quiet = _stage(one, one, one, one)
    assert practice.mechanisms(exp) == {"exponential": True, "flips": False, "rounding": False}
    assert practice.mechanisms(rounding) == {"exponential": False, "flips": False,
                                             "rounding": True}
    assert practice.mechanisms(flips) == {"exponential": False, "flips": True, "rounding": False}
    assert not any(practice.mechanisms(quiet).values())


def _fake_run(name, seed, lam, slope_large, preds, sketch, diagram):
    from uniqnets.practice import FashionRun

    st = _stage([1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [1.0, np.exp(100 * slope_large)], lam=lam)
    return FashionRun(name, seed, 10, 100, 10, np.array([0, 100]), np.array([0.1, 0.9]),
                      np.array([2.3, 0.3]), (st,), "cpu", np.array(preds), np.array(sketch),
                      np.array(diagram))


def test_chaos_test_and_seed_pairs_on_made_up_runs():
    from uniqnets.practice._seeds import t_interval

    rng = np.random.default_rng(0)
    lams = 0.01 + 0.001 * rng.standard_normal(5)
    runs = [_fake_run("A", s, lams[s], 0.01, [0, 1, 2, 3], [3.0, 4.0], [[0, 1.0], [0, 2.0]])
            for s in range(5)]
    runs += [_fake_run("B", s, -lams[s], 0.01, [0, 1, 2, s % 4], [3.0, 4.0 + s],
                       [[0, 1.0], [0, 2.0 + s]]) for s in range(5)]
    a, b = practice.chaos_test(runs, "A", 0), practice.chaos_test(runs, "B", 0)
    m, h = t_interval(lams)
    assert a.chaotic and not b.chaotic and a.lambda1_low == pytest.approx(m - h)
    # Student's t at 4 degrees of freedom: 2.776 standard errors
    assert h == pytest.approx(2.7764451 * lams.std(ddof=1) / np.sqrt(5), rel=1e-6)
    same, other = practice.seed_pairs(runs, "A"), practice.seed_pairs(runs, "B")
    assert same.n_pairs == 10 and not same.churn.any() and not same.distance.any()
    assert not same.diagram_w1.any()
    # seeds s and t of B differ in the last prediction unless s = t mod 4, in one sketch
    # coordinate by |s - t| and in one bar by |s - t|
    assert other.churn.max() == 0.25 and other.distance.min() > 0 and other.diagram_w1.min() > 0
    with pytest.raises(ValueError, match="at least two seeds"):
        practice.seed_pairs(runs[:1], "A")
