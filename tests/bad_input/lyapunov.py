"""Bad input for uniqnets.lyapunov (see tests/bad_input/__init__.py for the format)."""

from __future__ import annotations

import math

import numpy as np

from bad_input import (
    ABSURD,
    ARRAY,
    BOOLEAN,
    CALLABLE,
    CHOICE,
    NONNEG_INT,
    NONNEG_REAL,
    POS_INT,
    POS_REAL,
    REAL,
    RNG,
    SIZE,
    Case,
)
from uniqnets import lyapunov as L
from uniqnets import models

NAN = math.nan

# a tiny network (d = 9 parameters) on 8 points: every call below takes milliseconds
_rng = np.random.default_rng(0)
_X = _rng.standard_normal((8, 2))
OBJ = models.Objective(models.MLP((2, 2, 1), "tanh"), _X, np.tanh(_X[:, :1]), "mse",
                       weight_decay=1e-2)
THETA = OBJ.model.init(np.random.default_rng(1))
D = OBJ.model.n_params
BATCHES = models.batch_sequence(OBJ.n_samples, 2, 3, np.random.default_rng(2))

HENON = L.henon()
LORENZ = L.lorenz()

#: an optional array argument (None is valid, so not in the list)
OPT_ARRAY = [("abc", TypeError), ([[1.0, "x"]], TypeError), (object(), TypeError)]
#: an optional Generator (None is valid)
OPT_RNG = [(0, TypeError), (0.5, TypeError), ("seed", TypeError)]
#: a divergence threshold: > 0 or inf, or None
MAX_NORM = [(True, TypeError), ("abc", TypeError), (NAN, ValueError), (-1.0, ValueError),
            (0.0, ValueError)]
#: an optional callable
OPT_CALLABLE = CALLABLE + [(object(), TypeError)]
#: a required callable
REQ_CALLABLE = OPT_CALLABLE + [(None, TypeError)]
#: a number of exponents k for a state of dimension 2
K2 = POS_INT + [(3, ValueError), (10**13, ValueError)]


def _stderr_of(cls):
    def call(n_blocks):
        return cls(np.zeros(1), np.zeros((10, 1)), np.eye(1)).stderr(n_blocks)
    return call


def _twin_methods(eps, window):
    tw = L.TwinResult(np.array([1.0, 2.0, 4.0, 8.0]), np.ones(1), np.ones(1), np.ones(1))
    return tw.divergence_time(eps), tw.local_rates(window)


STDERR = POS_INT + [(1, ValueError), (6, ValueError)]  # 10 increments: 2..5 blocks
QR10 = L.QRResult(np.zeros(1), np.zeros((10, 1)), np.eye(1))

CASES = [
    # -- _qr ---------------------------------------------------------------------------------
    Case("gaussian_product_exponents", L.gaussian_product_exponents,
         valid={"k": 3, "sigma": 1.0}, bad={"k": SIZE, "sigma": POS_REAL}),
    Case("QRResult", _stderr_of(L.QRResult), valid={"n_blocks": 2},
         bad={"n_blocks": STDERR}),
    Case("qr_exponents", L.qr_exponents,
         valid={"matrices": [np.eye(2)] * 3, "k": 2, "Q0": None},
         bad={"matrices": [("abc", TypeError), (5, TypeError), (None, TypeError),
                           ([], ValueError), ([np.ones((2, 3))], ValueError),
                           ([np.array([[NAN, 0.0], [0.0, 1.0]])], ValueError),
                           ([[["a", "b"], ["c", "d"]]], TypeError),
                           (np.eye(2), ValueError), ([np.eye(2), np.ones(3)], ValueError)],
              "k": K2,
              "Q0": OPT_ARRAY + [(np.ones((2, 2)), ValueError), (np.eye(2, 1), ValueError),
                                 (np.full((2, 2), NAN), ValueError), (np.ones(2), ValueError),
                                 (np.eye(3, 2), ValueError)]}),
    Case("finite_time_exponents", L.finite_time_exponents,
         valid={"result": QR10, "window": 2},
         bad={"result": [(None, TypeError), ("abc", TypeError),
                         (np.zeros((10, 1)), TypeError)],
              "window": POS_INT + [(11, ValueError)]}),
    # -- _maps -------------------------------------------------------------------------------
    Case("LyapunovResult", _stderr_of(L.LyapunovResult), valid={"n_blocks": 2},
         bad={"n_blocks": STDERR}),
    Case("lyapunov_spectrum", L.lyapunov_spectrum,
         valid={"step": HENON.step, "jvp": HENON.jvp, "x0": [0.0, 0.0], "n_steps": 10,
                "k": 1, "n_transient": 0, "renorm_every": 1, "Q0": None, "rng": None,
                "time_dependent": False, "max_norm": None, "progress": False},
         bad={"step": REQ_CALLABLE, "jvp": REQ_CALLABLE,
              "x0": ARRAY + [([NAN, 0.0], ValueError), ([], ValueError),
                             (np.zeros((2, 2)), ValueError)],
              "n_steps": SIZE, "k": K2, "n_transient": NONNEG_INT + ABSURD,
              "renorm_every": POS_INT + [(3, ValueError)],
              "Q0": OPT_ARRAY + [(np.ones((2, 2)), ValueError), (np.zeros((2, 1)), ValueError),
                                 (np.full((2, 1), NAN), ValueError)],
              "rng": OPT_RNG, "time_dependent": BOOLEAN, "max_norm": MAX_NORM,
              "progress": BOOLEAN}),
    Case("lyapunov_spectrum_flow", L.lyapunov_spectrum_flow,
         valid={"f": LORENZ.f, "jac": LORENZ.jac, "x0": LORENZ.x0, "t_total": 0.1,
                "dt": 0.01, "k": 1, "t_transient": 0.0, "renorm_every": 1, "Q0": None,
                "rng": None, "time_dependent": False, "jac_is_jvp": False,
                "max_norm": None, "progress": False},
         bad={"f": REQ_CALLABLE, "jac": REQ_CALLABLE,
              "x0": ARRAY + [([1.0, math.inf, 0.0], ValueError), ([], ValueError)],
              "t_total": POS_REAL + [(0.001, ValueError), (1e13, ValueError),
                                     (1e308, ValueError)],
              "dt": POS_REAL + [(1e-15, ValueError), (5e-324, ValueError)],
              "k": POS_INT + [(4, ValueError), (10**13, ValueError)],
              "t_transient": NONNEG_REAL,
              "renorm_every": POS_INT + [(3, ValueError)],
              "Q0": OPT_ARRAY + [(np.ones((3, 2)), ValueError), (np.zeros((3, 1)), ValueError)],
              "rng": OPT_RNG, "time_dependent": BOOLEAN, "jac_is_jvp": BOOLEAN,
              "max_norm": MAX_NORM, "progress": BOOLEAN}),
    Case("rk4_map", L.rk4_map, valid={"f": LORENZ.f, "dt": 0.01, "time_dependent": False},
         bad={"f": REQ_CALLABLE, "dt": POS_REAL, "time_dependent": BOOLEAN}),
    # -- _twins ------------------------------------------------------------------------------
    Case("TwinResult", _twin_methods, valid={"eps": 1.0, "window": 1},
         bad={"eps": POS_REAL, "window": POS_INT + [(4, ValueError)]}),
    Case("twin_divergence", L.twin_divergence,
         valid={"step": HENON.step, "x0": [0.0, 0.0], "delta0": 1e-8, "n_steps": 5,
                "rng": np.random.default_rng(0), "step_twin": None, "time_dependent": False,
                "norm": None, "max_norm": None},
         bad={"step": REQ_CALLABLE,
              "x0": ARRAY + [([NAN, 0.0], ValueError), ([], ValueError)],
              "delta0": [(True, TypeError), ("abc", TypeError), ("2", TypeError),
                         (None, TypeError), (NAN, ValueError), (math.inf, ValueError),
                         (-1.0, ValueError), (0.0, ValueError), (np.ones(3), ValueError),
                         ([NAN, 0.0], ValueError), ([1.0, "x"], TypeError)],
              "n_steps": SIZE,
              "rng": [(None, TypeError), (0, TypeError), (0.5, TypeError), ("seed", TypeError)],
              "step_twin": OPT_CALLABLE, "time_dependent": BOOLEAN, "norm": OPT_CALLABLE,
              "max_norm": MAX_NORM}),
    Case("predicted_divergence_time", L.predicted_divergence_time,
         valid={"lam": 0.5, "delta0": 1e-10, "eps": 1e-3},
         bad={"lam": REAL, "delta0": POS_REAL, "eps": POS_REAL}),
    # -- _reference --------------------------------------------------------------------------
    Case("ReferenceMap", exempt="a frozen record built by logistic and henon; its one "
                                "property (dim) takes no argument"),
    Case("ReferenceFlow", exempt="a frozen record built by lorenz; its one property (dim) "
                                 "takes no argument"),
    Case("logistic", L.logistic, valid={"r": 4.0, "x0": 0.2},
         bad={"r": POS_REAL + [(5.0, ValueError)],
              "x0": REAL + [(0.0, ValueError), (1.0, ValueError), (-0.1, ValueError)]}),
    Case("henon", L.henon, valid={"a": 1.4, "b": 0.3},
         bad={"a": REAL, "b": REAL + [(0.0, ValueError)]}),
    Case("lorenz", L.lorenz, valid={"sigma": 10.0, "rho": 28.0, "beta": 8.0 / 3.0},
         bad={"sigma": REAL, "rho": REAL, "beta": REAL}),
    # -- _training ---------------------------------------------------------------------------
    Case("TrainingSpectrum", _stderr_of(L.TrainingSpectrum), valid={"n_blocks": 2},
         bad={"n_blocks": STDERR}),
]

OBJECTIVE = [(None, TypeError), ("loss", TypeError), (object(), TypeError)]
THETAS = ARRAY + [(THETA[:-1], ValueError), (np.full(D, NAN), ValueError)]

CASES += [
    Case("sharpness", L.sharpness,
         valid={"objective": OBJ, "theta": THETA, "k": 1, "tol": 0.0, "v0": None},
         bad={"objective": OBJECTIVE, "theta": THETAS,
              "k": POS_INT + [(D, ValueError), (10**13, ValueError)], "tol": NONNEG_REAL,
              "v0": OPT_ARRAY + [(np.ones(D - 1), ValueError), (np.full(D, NAN), ValueError)]}),
    Case("hessian_spectrum", L.hessian_spectrum, valid={"objective": OBJ, "theta": THETA},
         bad={"objective": OBJECTIVE, "theta": THETAS}),
    Case("critical_point", L.critical_point,
         valid={"objective": OBJ, "theta0": THETA, "gtol": 1e-6, "maxiter": 2},
         bad={"objective": OBJECTIVE, "theta0": THETAS, "gtol": POS_REAL, "maxiter": POS_INT}),
    Case("fixed_point_exponents", L.fixed_point_exponents,
         valid={"eigenvalues": [3.0, 1.0], "lr": 0.5},
         bad={"eigenvalues": ARRAY + [([], ValueError), ([NAN], ValueError),
                                      (np.ones((2, 2)), ValueError)],
              "lr": POS_REAL}),
    Case("training_spectrum", L.training_spectrum,
         valid={"objective": OBJ, "theta0": THETA, "lr": 0.1, "n_steps": 3, "k": 1,
                "n_transient": 0, "method": "sgd", "batches": BATCHES, "temperature": 0.0,
                "rng": None, "clip_norm": None, "Q0": None, "frame_rng": None,
                "max_norm": 1e6, "save_every": None, "chunk": 500, "progress": False},
         bad={"objective": OBJECTIVE, "theta0": THETAS, "lr": POS_REAL, "n_steps": SIZE,
              "k": POS_INT + [(D + 1, ValueError), (10**13, ValueError)],
              "n_transient": NONNEG_INT + ABSURD,
              "method": CHOICE + [("adam", ValueError)],
              "batches": [("abc", TypeError), (None, ValueError),
                          (np.zeros((2, 2), dtype=int), ValueError),
                          (np.full((3, 2), 0.5), TypeError), (np.full((3, 2), 99), ValueError),
                          (np.zeros(3, dtype=int), ValueError)],
              "temperature": NONNEG_REAL, "rng": OPT_RNG,
              "clip_norm": [(True, TypeError), ("2", TypeError), (NAN, ValueError),
                            (math.inf, ValueError), (-1.0, ValueError), (0.0, ValueError)],
              "Q0": OPT_ARRAY + [(np.ones((D, 2)), ValueError), (np.zeros((D, 1)), ValueError),
                                 (np.full((D, 1), NAN), ValueError)],
              "frame_rng": OPT_RNG,
              "max_norm": [(None, TypeError)] + MAX_NORM,
              "save_every": POS_INT, "chunk": POS_INT, "progress": BOOLEAN}),
]

# a tiny classifier (d = 12) for the structural-uniqueness experiments
COBJ = models.Objective(models.MLP((2, 2, 2), "tanh"), _X, np.arange(8) % 2, "xent",
                        weight_decay=1e-2)
CTHETA = COBJ.model.init(np.random.default_rng(1))
CTHETAS = [t for t in THETAS if t[1] is TypeError] + [(np.zeros(3), ValueError),
                                                     (np.full(12, NAN), ValueError)]
SEEDS = ARRAY + [([-1], ValueError)]
CASES += [
    Case("Collisions", exempt="a result container that converged_collisions builds"),
    Case("Contraction", exempt="a result container that pair_contraction builds"),
    Case("PerturbedReruns", exempt="a result container that perturbed_reruns builds"),
    Case("CatapultRun", exempt="a result container that catapult_run builds"),
    Case("DepthExponents", exempt="a result container that depth_exponents builds"),
    Case("AmplificationScan", exempt="a result container that amplification_scan builds"),
    Case("jacobian_margin", L.jacobian_margin,
         valid={"objective": OBJ, "thetas": THETA[None], "lr": 0.1},
         bad={"objective": OBJECTIVE, "lr": POS_REAL,
              "thetas": ARRAY + [(np.zeros((2, D - 1)), ValueError),
                                 (np.full((1, D), NAN), ValueError)]}),
    Case("converged_collisions", L.converged_collisions,
         valid={"objective": COBJ, "thetas0": np.array([CTHETA, -CTHETA]), "n_steps": 2,
                "lr": 0.1, "X_test": _X, "y_test": np.arange(8) % 2, "gtol": 1e-6,
                "maxiter": 2},
         bad={"objective": OBJECTIVE, "thetas0": ARRAY + [(CTHETA[None], ValueError)],
              "n_steps": POS_INT, "lr": POS_REAL, "X_test": ARRAY + [(np.zeros((3, 3)),
                                                                      ValueError)],
              "y_test": ARRAY + [(np.zeros(3), ValueError)], "gtol": POS_REAL,
              "maxiter": POS_INT}),
    Case("pair_contraction", L.pair_contraction,
         valid={"objective": COBJ, "theta_a": CTHETA, "theta_b": -CTHETA, "n_steps": 6,
                "lr": 0.1, "gtol": 1e-6, "n_saved": 3},
         bad={"objective": OBJECTIVE, "theta_a": CTHETAS, "theta_b": CTHETAS,
              "n_steps": POS_INT, "lr": POS_REAL, "gtol": POS_REAL, "n_saved": POS_INT}),
    Case("perturbed_reruns", L.perturbed_reruns,
         valid={"objective": COBJ, "theta0": CTHETA, "n_steps": 80, "lr": 0.1,
                "perm": np.arange(8)[::-1], "n_saved": 4},
         bad={"objective": OBJECTIVE, "theta0": CTHETAS, "n_steps": POS_INT, "lr": POS_REAL,
              "perm": ARRAY + [(np.zeros(8), ValueError), (np.arange(7), ValueError)],
              "n_saved": POS_INT}),
    Case("catapult_run", L.catapult_run,
         valid={"objective": COBJ, "theta0": CTHETA, "fraction": 0.5, "n_steps": 4,
                "gtol": 1e-6, "n_saved": 2},
         bad={"objective": OBJECTIVE, "theta0": CTHETAS, "fraction": POS_REAL,
              "n_steps": POS_INT, "gtol": POS_REAL, "n_saved": POS_INT}),
    Case("depth_exponents", L.depth_exponents,
         valid={"X": _X, "y": np.arange(8) % 2, "width": 2, "depths": [2], "weight_decay": 0.01,
                "n_steps": 40, "init_seed": 0, "lr": 0.1, "fraction": None,
                "residual": False, "edge": False},
         bad={"X": ARRAY + [(np.zeros(3), ValueError)],
              "y": ARRAY + [(np.zeros(3), ValueError)], "width": POS_INT,
              "depths": ARRAY + [([1], ValueError)], "weight_decay": NONNEG_REAL,
              "n_steps": POS_INT, "init_seed": NONNEG_INT, "lr": POS_REAL,
              "fraction": [(0.5, ValueError)], "residual": BOOLEAN, "edge": BOOLEAN}),
    Case("amplification_scan", L.amplification_scan,
         valid={"objective": COBJ, "init_seeds": [0], "fractions": [0.5], "n_steps": 3,
                "twin_seeds": [1], "delta0": 1e-10},
         bad={"objective": OBJECTIVE, "init_seeds": SEEDS,
              "fractions": ARRAY + [([0.0], ValueError)], "n_steps": POS_INT,
              "twin_seeds": SEEDS + [([0, 1], ValueError)], "delta0": POS_REAL}),
]

# -- the experiments of the chaotic-divergence pages (_validation, _minimum, _scan,
#    _divergence, _sgd, _testbed) --------------------------------------------------------
RATES = ARRAY + [([], ValueError), ([-0.1], ValueError), (np.ones((2, 2)), ValueError)]
SEED = NONNEG_INT
_XC = _rng.standard_normal((8, 2))
CLS = models.Objective(models.MLP((2, 2, 2), "tanh"), _XC, (_XC[:, 0] > 0).astype(int), "xent",
                       weight_decay=1e-2)
BATCHES40 = models.batch_sequence(OBJ.n_samples, 2, 40, np.random.default_rng(3))
_TW = L.twin_divergence(lambda x: 0.5 * x, np.ones(D), 1e-6, 3, np.random.default_rng(0))
_Z = np.zeros((1, 1))


def _scan_methods(lr):
    return L.LearningRateScan(np.array([0.5]), _Z, _Z, np.zeros(1, bool), np.zeros(1),
                              np.ones(1, int), (np.ones(2),), ()).index(lr)


def _bed_accuracy(theta):
    return L.tanh_two_moons(8, 0.1, [2], 0.01, 0).accuracy(theta)


CASES += [
    Case("ReferenceValidation", exempt="a frozen record built by validate_reference_systems; "
                                       "its one method (summary) takes no argument"),
    Case("validate_reference_systems", L.validate_reference_systems,
         valid={"n_steps": 40, "t_lorenz": 2.0, "rng": np.random.default_rng(0)},
         bad={"n_steps": POS_INT + [(39, ValueError), (10**13, ValueError)],
              "t_lorenz": POS_REAL + [(1.0, ValueError)], "rng": RNG}),
    Case("tangent_map_error", L.tangent_map_error,
         valid={"objective": OBJ, "theta": THETA, "lr": 0.1, "rng": np.random.default_rng(0),
                "n_directions": 1, "h": 1e-5},
         bad={"objective": OBJECTIVE, "theta": THETAS, "lr": POS_REAL, "rng": RNG,
              "n_directions": SIZE, "h": POS_REAL}),
    Case("StableMinimum", exempt="a frozen record built by stable_minimum; its properties "
                                 "take no argument"),
    Case("stable_minimum", L.stable_minimum,
         valid={"objective": OBJ, "theta0": THETA, "lr": 0.5, "n_train_steps": 10, "lrs": [0.5],
                "n_steps": 2, "k": 1, "n_transient": 0, "frame_seed": 0},
         bad={"objective": OBJECTIVE, "theta0": THETAS, "lr": POS_REAL,
              "n_train_steps": POS_INT + [(9, ValueError), (10**13, ValueError)], "lrs": RATES,
              "n_steps": SIZE, "k": POS_INT + [(D + 1, ValueError)],
              "n_transient": NONNEG_INT + ABSURD, "frame_seed": SEED}),
    Case("LearningRateScan", _scan_methods, valid={"lr": 0.5},
         bad={"lr": REAL + [(0.25, ValueError)]}),
    Case("learning_rate_scan", L.learning_rate_scan,
         valid={"objective": OBJ, "theta0": THETA, "lrs": [0.1], "n_steps": 20, "k": 1,
                "n_transient": 0, "frame_seed": 0, "track_sharpness": False, "resolve": [0.1],
                "z_resolve": 5.0, "max_doublings": 0},
         bad={"objective": OBJECTIVE, "theta0": THETAS, "lrs": RATES,
              "n_steps": POS_INT + [(19, ValueError), (10**13, ValueError)],
              "k": POS_INT + [(D + 1, ValueError)], "n_transient": NONNEG_INT + ABSURD,
              "frame_seed": SEED, "track_sharpness": BOOLEAN,
              "resolve": [("abc", TypeError), ([0.3], ValueError)], "z_resolve": POS_REAL,
              "max_doublings": NONNEG_INT + [(21, ValueError)]}),
    Case("TwinScan", exempt="a frozen record built by twin_scan; its properties take no "
                            "argument"),
    Case("twin_scan", L.twin_scan,
         valid={"objective": OBJ, "theta0": THETA, "lrs": [0.1], "delta0": 1e-8, "n_steps": 2,
                "seed": 0, "max_norm": 1e6},
         bad={"objective": OBJECTIVE, "theta0": THETAS, "lrs": RATES, "delta0": POS_REAL,
              "n_steps": SIZE, "seed": SEED, "max_norm": MAX_NORM}),
    Case("tangent_prediction", L.tangent_prediction,
         valid={"objective": OBJ, "theta0": THETA, "v0": THETA, "lr": 0.1, "n_steps": 2},
         bad={"objective": OBJECTIVE, "theta0": THETAS, "v0": THETAS, "lr": POS_REAL,
              "n_steps": NONNEG_INT + ABSURD}),
    Case("tangent_miss", L.tangent_miss,
         valid={"objective": OBJ, "theta0": np.ones(D), "twins": _TW, "lr": 0.1, "n_steps": 2},
         bad={"objective": OBJECTIVE, "theta0": THETAS, "twins": [(None, TypeError)],
              "lr": POS_REAL, "n_steps": NONNEG_INT + [(4, ValueError)]}),
    Case("Linearisation", exempt="a frozen record built by linearisation_test"),
    Case("linearisation_test", L.linearisation_test,
         valid={"objective": OBJ, "theta": THETA, "direction": np.ones(D), "lr": 0.1,
                "n_steps": 2, "sizes": [1e-6, 1e-4]},
         bad={"objective": OBJECTIVE, "theta": THETAS,
              "direction": THETAS + [(np.zeros(D), ValueError)], "lr": POS_REAL,
              "n_steps": POS_INT + ABSURD,
              "sizes": ARRAY + [([1e-6], ValueError), ([0.0, 1e-3], ValueError)]}),
    Case("DivergenceTimeFit", exempt="a frozen record built by divergence_time_fit"),
    Case("divergence_time_fit", L.divergence_time_fit,
         valid={"objective": CLS, "lr": 16.0, "bases": CLS.model.init(
                    np.random.default_rng(1))[None], "delta0s": [1e-6, 1e-4], "eps": 1e-2,
                "lam": 0.5, "rng": np.random.default_rng(0)},
         bad={"objective": OBJECTIVE, "lr": POS_REAL,
              "bases": ARRAY + [(np.ones(CLS.model.n_params), ValueError),
                                (np.ones((1, 3)), ValueError)],
              "delta0s": ARRAY + [([1e-6], ValueError), ([1e-6, 1.0], ValueError)],
              "eps": POS_REAL, "lam": POS_REAL, "rng": RNG}),
    Case("SGDTwins", exempt="a frozen record built by sgd_twins; its kick and summary take "
                            "no argument"),
    Case("sgd_twins", L.sgd_twins,
         valid={"objective": OBJ, "theta0": THETA, "lr": 0.1, "delta0": 1e-8,
                "batches": BATCHES40, "batches_twin": BATCHES40, "seed": 0, "frame_seed": 0,
                "max_norm": 1e6},
         bad={"objective": OBJECTIVE, "theta0": THETAS, "lr": POS_REAL, "delta0": POS_REAL,
              "batches": [(BATCHES40[:10], ValueError), (BATCHES40 + 99, ValueError),
                          (np.full((40, 2), 0.5), ValueError)],
              "batches_twin": [(BATCHES40[:10], ValueError)], "seed": SEED,
              "frame_seed": SEED, "max_norm": MAX_NORM}),
    Case("GradientNoise", exempt="a frozen record built by gradient_noise; its properties take "
                                 "no argument"),
    Case("gradient_noise", L.gradient_noise,
         valid={"objective": OBJ, "theta": THETA, "batch_sizes": [1, 2], "n_directions": 1,
                "n_batches": 2, "rng": np.random.default_rng(0)},
         bad={"objective": OBJECTIVE, "theta": THETAS,
              "batch_sizes": ARRAY + [([], ValueError), ([0], ValueError), ([8], ValueError),
                                      ([1.5], ValueError)],
              "n_directions": SIZE, "n_batches": POS_INT + [(1, ValueError)] + ABSURD,
              "rng": RNG}),
    Case("TanhTestBed", _bed_accuracy, valid={"theta": np.zeros(12)},
         bad={"theta": ARRAY + [(np.zeros(3), ValueError)]}),
    Case("tanh_two_moons", L.tanh_two_moons,
         valid={"n_train": 8, "noise": 0.1, "hidden": [2], "weight_decay": 0.01, "seed": 0},
         bad={"n_train": POS_INT + [(1, ValueError)] + ABSURD, "noise": NONNEG_REAL,
              "hidden": [("abc", TypeError), ([0], ValueError), ([2.5], TypeError)],
              "weight_decay": NONNEG_REAL, "seed": SEED}),
]
