"""Bad input for ``uniqnets.entanglement`` (see ``tests/bad_input/__init__.py``)."""

from __future__ import annotations

import math

import numpy as np

from uniqnets import entanglement as E

from . import (
    ABSURD,
    ARRAY,
    BITS_ARRAY,
    BOOLEAN,
    CHOICE,
    NONFINITE,
    NONNEG_INT,
    POS_INT,
    POS_REAL,
    REAL,
    RNG,
    SIZE,
    ZERO,
    Case,
)

NAN = math.nan
INF = math.inf


def _vector(k, zero=True):
    """Bad values for a finite vector of shape (k,) (non-zero if ``zero``)."""
    bad = ARRAY + [(np.ones((k, 2)), ValueError), (np.ones(k + 1), ValueError),
                   ([], ValueError), ([NAN] * k, ValueError), ([INF] * k, ValueError)]
    return bad + ([(np.zeros(k), ValueError)] if zero else [])


def _columns(k, optional=False):
    """Bad values for test inputs of shape (k,) or (k, m) (``None`` allowed if optional)."""
    bad = ARRAY[:1] + ARRAY[2:] + ([] if optional else ARRAY[1:2])
    return bad + [(np.ones((k + 1, 3)), ValueError), (np.ones((k, 2, 2)), ValueError),
                  (np.full((k, 2), NAN), ValueError), (np.zeros((k, 2)), ValueError)]


def _k(lo=1):
    return POS_INT + ([(1, ValueError)] if lo == 2 else [])


SELECTION = CHOICE + [("max", ValueError)]
TOL = REAL + [(0.0, ValueError), (0.5, ValueError), (-0.1, ValueError)]
BITS = BITS_ARRAY + [([0.5, 1.0, 0.0, 1.0], ValueError), ([2, 0, 1, 1], ValueError),
                ([], ValueError)]
K_N = {"k": POS_INT + [(4, ValueError)], "n": POS_INT + [(1, ValueError)]}  # n >= k

W4 = np.array([0.5, -0.2, 0.1, -0.9])
X4 = np.random.default_rng(1).standard_normal((4, 3))
LAYERS4 = [np.random.default_rng(2).standard_normal((4, 4)) for _ in range(3)]
M2 = np.array([[5.0, 0.3], [4.0, 1.0]])
_R = np.random.default_rng(4)
TRACKED = E.train_maxlikelihood(_R.standard_normal(4), 8, 4, _R,
                                track=_R.standard_normal((4, 3))).tracked
OTHER = E.train_maxlikelihood(_R.standard_normal(4), 8, 4, _R,
                              track=_R.standard_normal((4, 1))).tracked
NOT_TRACKED = [(None, TypeError), (np.ones((4, 4)), TypeError), ("P", TypeError)]


def _train(**kw):
    return E.train_maxlikelihood(**kw)


def _model_methods(l=1, depth=2, X=X4, keep_directions=True):
    """Every method of a trained model that takes an argument."""
    model = E.train_maxlikelihood(W4, 6, 3, np.random.default_rng(0))
    model.layer(l)
    model.candidates(l)
    list(model.iter_layers(depth))
    model.product(depth)
    model.apply(X, depth)
    model.propagate(X, depth, keep_directions=keep_directions)


def _propagation_methods(tol=0.01, c=1.0):
    P = E.propagate(LAYERS4, W4, X4)
    P.collapsed_fraction(tol)
    P.spacetime_cos(c)


CASES = [
    Case("SELECTIONS", exempt="a constant tuple of strings, not a function"),
    Case("KeyErrors", exempt="result container built by key_errors"),
    Case("Eavesdropping", exempt="result container built by eavesdrop"),
    Case("Recovery", exempt="result container built by recovery_scan"),
    Case("first_depth_from", E.first_depth_from, valid={"good": [False, True, True]},
         bad={"good": BITS_ARRAY + [([], ValueError)]}),
    Case("key_errors", E.key_errors,
         valid={"tracked": TRACKED, "messages": [np.array([1, 0, 1, 0])], "n_receivers": 2},
         bad={"tracked": NOT_TRACKED,
              "messages": [(None, TypeError), ("1010", TypeError), ([], TypeError),
                           ([np.ones(5)], ValueError)],
              "n_receivers": POS_INT + [(4, ValueError)]}),
    Case("eavesdrop", E.eavesdrop,
         valid={"tracked": TRACKED, "other": OTHER, "m1": [1, 0, 1, 0], "m2": [0, 0, 1, 1],
                "eve": 0, "second_input": 1},
         bad={"tracked": NOT_TRACKED, "other": NOT_TRACKED,
              "m1": BITS[:3] + [(np.ones(5), ValueError)],
              "m2": BITS[:3] + [(np.ones(5), ValueError)],
              "eve": NONNEG_INT + [(3, ValueError)],
              "second_input": NONNEG_INT + [(3, ValueError)]}),
    Case("recovery_scan", E.recovery_scan,
         valid={"image": np.full(4, 0.5), "tracked": TRACKED, "unrelated": 2, "alphas": [3.0]},
         bad={"image": ARRAY + [(np.ones(5), ValueError), (np.full(4, NAN), ValueError)],
              "tracked": NOT_TRACKED, "unrelated": NONNEG_INT + [(3, ValueError)],
              "alphas": ARRAY + [([], ValueError), ([0.0], ValueError), ([INF], ValueError)]}),
    Case("measured_alignment_rate", E.measured_alignment_rate,
         valid={"tracked": TRACKED, "start": 1},
         bad={"tracked": NOT_TRACKED, "start": NONNEG_INT + [(3, ValueError)]}),
    Case("GDResult", exempt="result container built by gradient_descent"),
    Case("MaxLikelihoodModel", _model_methods,
         valid={"l": 1, "depth": 2, "X": X4, "keep_directions": True},
         bad={"l": POS_INT + [(4, ValueError)],
              "depth": NONNEG_INT + [(4, ValueError)],
              "X": _columns(4, optional=True),
              "keep_directions": BOOLEAN}),
    Case("Propagation", _propagation_methods, valid={"tol": 0.01, "c": 1.0},
         bad={"tol": TOL, "c": POS_REAL}),
    Case("select_rows", E.select_rows,
         valid={"z": [0.3, -2.0, 1.0, 0.1], "k": 2, "selection": "abs"},
         bad={"z": ARRAY + [([], ValueError), ([[1.0, 2.0]], ValueError),
                            ([NAN, 1.0, 2.0, 3.0], ValueError)],
              "k": POS_INT + [(5, ValueError)],
              "selection": SELECTION}),
    Case("train_maxlikelihood", _train,
         valid={"w0": W4, "n": 6, "L": 3, "rng": np.random.default_rng(0), "selection": "abs",
                "track": X4, "keep_directions": True, "keep_layers": None, "progress": False},
         bad={"w0": _vector(4),
              "n": SIZE + [(3, ValueError)],
              "L": SIZE,
              "rng": RNG,
              "selection": SELECTION,
              "track": _columns(4, optional=True),
              "keep_directions": BOOLEAN,
              "keep_layers": [(1, TypeError), ("yes", TypeError)],
              "progress": BOOLEAN}),
    Case("propagate", E.propagate,
         valid={"layers": LAYERS4, "w0": W4, "X": X4, "keep_directions": True,
                "reference_path": None, "progress": False},
         bad={"layers": [(1, TypeError), ("abc", TypeError), (None, TypeError),
                         ([np.eye(3)], ValueError), (["a"], TypeError)],
              "w0": _vector(4),
              "X": _columns(4, optional=True),
              "keep_directions": BOOLEAN,
              "reference_path": _columns(4, optional=True)[:2] + [(np.ones((4, 3)), ValueError),
                                         (np.ones((4, 4)), ValueError),
                                         (np.full((4, 4), NAN), ValueError)],
              "progress": BOOLEAN}),
    Case("uncollapsed_fraction_2d", E.uncollapsed_fraction_2d,
         valid={"layers": [M2, M2], "w0": [1.0, 0.5], "tol": 0.01},
         bad={"layers": [(1, TypeError), (None, TypeError), ([np.eye(3)], ValueError),
                         ([np.full((2, 2), NAN)], ValueError)],
              "w0": _vector(2),
              "tol": TOL}),
    Case("training_exponent", E.training_exponent,
         valid={"k": 2, "n": 4, "selection": "abs", "n_nodes": 16},
         bad={"k": POS_INT + [(5, ValueError)],
              "n": POS_INT + [(1, ValueError), (2**70, ValueError)],
              "selection": SELECTION, "n_nodes": POS_INT + ABSURD}),
    Case("selected_exponents", E.selected_exponents,
         valid={"k": 2, "n": 4, "selection": "abs"},
         bad={"k": POS_INT + [(5, ValueError)], "n": POS_INT + [(1, ValueError)],
              "selection": SELECTION}),
    Case("alignment_rate", E.alignment_rate,
         valid={"k": 2, "n": 4, "selection": "abs"},
         bad={"k": _k(2) + [(5, ValueError)], "n": POS_INT + [(1, ValueError)],
              "selection": SELECTION}),
    Case("sample_training_growth", E.sample_training_growth,
         valid={"k": 2, "n": 4, "selection": "abs", "rng": np.random.default_rng(0), "size": 3},
         bad={"k": POS_INT + [(5, ValueError)], "n": SIZE + [(1, ValueError)],
              "selection": SELECTION, "rng": RNG, "size": SIZE}),
    Case("angular_loss", E.angular_loss, valid={"w": W4, "W": X4},
         bad={"w": _vector(4), "W": _columns(4)}),
    Case("chord_loss", E.chord_loss, valid={"w": W4, "W": X4},
         bad={"w": _vector(4), "W": _columns(4)}),
    Case("spacetime_cosine", E.spacetime_cosine,
         valid={"c": 0.5, "log_norm_w": np.zeros(3), "log_norms_W": np.zeros((3, 2)),
                "cos": np.full((3, 2), 0.5)},
         bad={"c": POS_REAL,
              "log_norm_w": ARRAY + [([], ValueError), (np.zeros((3, 1)), ValueError),
                                     ([NAN, 0.0, 0.0], ValueError)],
              "log_norms_W": ARRAY + [(np.zeros((4, 2)), ValueError), (np.zeros(3), ValueError),
                                      (np.full((3, 2), NAN), ValueError)],
              "cos": ARRAY + [(np.zeros((3, 3)), ValueError), (np.full((3, 2), NAN), ValueError)]}),
    Case("cone_fraction", E.cone_fraction,
         valid={"M": M2, "direction": [1.0, 1.0], "half_angle": 0.1},
         bad={"M": ARRAY + [(np.eye(3), ValueError), (np.zeros((2, 2)), ValueError),
                            (np.full((2, 2), NAN), ValueError)],
              "direction": _vector(2),
              "half_angle": POS_REAL + [(math.pi / 2, ValueError), (2.0, ValueError)]}),
    Case("gradient_descent", E.gradient_descent,
         valid={"w0": [0.1, 0.1], "target": [2.0, 2.0], "eta": 1e-2, "T": 3,
                "factors0": [np.eye(2), np.eye(2)]},
         bad={"w0": _vector(2, zero=False),
              "target": _vector(2, zero=False),
              "eta": POS_REAL,
              "T": NONNEG_INT + ABSURD,
              "factors0": [(1, TypeError), ("abc", TypeError), (None, TypeError),
                           ([], ValueError), ([np.eye(3)], ValueError),
                           ([np.ones(2)], ValueError), ([np.full((2, 2), NAN)], ValueError),
                           ([[["a", "b"]]], TypeError)]}),
    Case("gradient_descent_closed_form", E.gradient_descent_closed_form,
         valid={"G0": np.eye(2), "w0": [0.1, 0.1], "target": [2.0, 2.0], "eta": 1e-2, "T": 3},
         bad={"G0": ARRAY + [(np.eye(3), ValueError), (np.full((2, 2), INF), ValueError)],
              "w0": _vector(2),
              "target": _vector(2, zero=False),
              "eta": POS_REAL,
              "T": NONNEG_INT}),
    Case("binarize", E.binarize, valid={"v": W4, "threshold": 0.0},
         bad={"v": ARRAY + [([], ValueError), ([NAN, 1.0], ValueError)],
              "threshold": REAL}),
    Case("encrypt", E.encrypt, valid={"message": [1, 1, 0, 0], "w": W4, "threshold": 0.0},
         bad={"message": BITS + [([1, 0, 1], ValueError)],
              "w": _vector(4)[:3] + [([], ValueError), ([NAN] * 4, ValueError),
                                     (np.zeros(4), ValueError), (np.ones(5), ValueError)],
              "threshold": REAL}),
    Case("decrypt", E.decrypt, valid={"cipher": [True, False, True, False], "w": W4,
                                      "threshold": 0.0},
         bad={"cipher": BITS + [([1, 0, 1], ValueError)],
              "w": _vector(4)[:3] + [([], ValueError), ([NAN] * 4, ValueError),
                                     (np.zeros(4), ValueError), (np.ones(5), ValueError)],
              "threshold": REAL}),
    Case("bit_error_rate", E.bit_error_rate,
         valid={"a": [1, 0, 0, 1], "b": [0, 1, 1, 1], "up_to_complement": False},
         bad={"a": BITS, "b": BITS + [([1, 0], ValueError)], "up_to_complement": BOOLEAN}),
    Case("predicted_bit_error_rate", E.predicted_bit_error_rate,
         valid={"u": W4, "log_cot": [0.1, 2.0, INF]},
         bad={"u": _vector(4)[:4] + [([], ValueError), ([NAN] * 4, ValueError),
                                     (np.zeros(4), ValueError)],
              "log_cot": ARRAY + [([], ValueError), ([NAN], ValueError)]}),
    Case("adversarial_example", E.adversarial_example,
         valid={"image": np.full((2, 2), 0.5), "w": W4, "alpha": 3.0},
         bad={"image": ARRAY + [(np.ones(5), ValueError), (np.full((2, 2), NAN), ValueError)],
              "w": ARRAY + [(np.ones(5), ValueError), ([NAN] * 4, ValueError),
                            (np.zeros(4), ValueError)],
              "alpha": REAL}),
    Case("recover", E.recover,
         valid={"y": np.full((2, 2), 3.0), "w_prime": W4, "alpha": 3.0, "sign": "auto"},
         bad={"y": ARRAY + [(np.ones(5), ValueError), (np.full((2, 2), INF), ValueError)],
              "w_prime": ARRAY + [(np.ones(5), ValueError), (np.zeros(4), ValueError)],
              "alpha": REAL,
              "sign": [("plus", ValueError), (True, TypeError), (2, ValueError), (0, ValueError),
                       (0.5, TypeError), (None, TypeError)]}),
    Case("psnr", E.psnr, valid={"reference": [0.0, 1.0], "estimate": [0.1, 0.9], "peak": 1.0},
         bad={"reference": ARRAY + [([NAN, 1.0], ValueError)],
              "estimate": ARRAY + [([0.1, 0.9, 0.0], ValueError), ([INF, 1.0], ValueError)],
              "peak": POS_REAL}),
    Case("predicted_psnr", E.predicted_psnr,
         valid={"alpha": 10.0, "log_misalignment": -3.0, "k": 4, "peak": 1.0},
         bad={"alpha": ARRAY + NONFINITE + ZERO,
              "log_misalignment": ARRAY + [(NAN, ValueError), (INF, ValueError),
                                           (1.0, ValueError)],
              "k": POS_INT,
              "peak": POS_REAL}),
    Case("binary_messages", E.binary_messages, valid={"size": 8},
         bad={"size": SIZE + [(7, ValueError), (2**16, ValueError)]}),
    Case("sample_image", E.sample_image, valid={"name": "mri", "size": 8},
         bad={"name": CHOICE + [("panda", ValueError)],
              "size": SIZE + [(1, ValueError), (10**6, ValueError)]}),
]


# -- the experiments of the entanglement pages ----------------------------------------------
INT_LIST = [("abc", TypeError), (None, TypeError), ([], ValueError), ([2.5], TypeError),
            ([-1], ValueError)]
CELLS = [("abc", TypeError), (None, TypeError), ([(2,)], ValueError), ([(3, 2)], ValueError),
         ([(2.5, 3)], TypeError)]
POSITIVE_LIST = ARRAY + [([-1.0], ValueError), ([[1.0]], ValueError), ([NAN], ValueError)]
SEED = NONNEG_INT
for _name in ("CHAINS",):
    CASES.append(Case(_name, exempt="a constant tuple of names"))
for _name, _by in [("ConvergenceTest", "convergence_test"), ("NormGrowthFit", "norm_growth_fit"),
                   ("RateScan", "rate_scan"), ("SelectionReadings", "selection_readings"),
                   ("SpectrumValidation", "spectrum_validation"),
                   ("SpacetimeDelay", "spacetime_delay"), ("NormControls", "norm_controls"),
                   ("GDScan", "gd_collapse_scan"), ("HyperplaneTest", "hyperplane_test"),
                   ("TrainingAudit", "audit_training")]:
    CASES.append(Case(_name, exempt=f"a frozen result built by {_by}"))

CASES += [
    Case("mean_se", E.mean_se, valid={"values": [1.0, 2.0], "axis": 0},
         bad={"values": ARRAY + [([], ValueError)],
              "axis": [(True, TypeError), (2.5, TypeError), ("0", TypeError), (3, ValueError)]}),
    Case("convergence_test", E.convergence_test,
         valid={"k": 2, "widths": [2, 4], "depth": 2, "n_models": 1, "n_test": 3, "seed": 0,
                "tol": 0.01, "stream": (3,)},
         bad={"k": POS_INT + [(1, ValueError)], "widths": INT_LIST + [([1], ValueError)],
              "depth": POS_INT, "n_models": POS_INT, "n_test": POS_INT, "seed": SEED,
              "tol": TOL, "stream": INT_LIST}),
    Case("norm_growth_fit", E.norm_growth_fit,
         valid={"result": E.convergence_test(2, [4], 3, 2, 2, 0)},
         bad={"result": [(1, TypeError), (None, TypeError), ("abc", TypeError)]}),
    Case("half_collapse_depth", E.half_collapse_depth, valid={"k": 2, "n": 3, "tol": 0.01},
         bad={"k": POS_INT + [(1, ValueError)], "n": POS_INT + [(1, ValueError)], "tol": TOL}),
    Case("rate_scan", E.rate_scan,
         valid={"ks": [2], "offsets": [0], "seed": 0, "rate_decay": 24.0, "min_depth": 80,
                "max_depth": 80, "n_models": 1, "n_test": 2, "tol": 0.01},
         bad={"ks": INT_LIST + [([1], ValueError)], "offsets": INT_LIST, "seed": SEED,
              "rate_decay": POS_REAL, "min_depth": POS_INT,
              "max_depth": POS_INT + [(10, ValueError)],
              "n_models": POS_INT, "n_test": POS_INT, "tol": TOL}),
    Case("selection_readings", E.selection_readings,
         valid={"cells": [(2, 3)], "mc_cells": [], "seed": 0, "n_draws": 10, "demo_k": 2,
                "demo_n": 3, "depth": 80, "n_test": 2, "tol": 0.01},
         bad={"cells": CELLS, "mc_cells": CELLS, "seed": SEED, "n_draws": POS_INT,
              "demo_k": POS_INT, "demo_n": POS_INT + [(1, ValueError)], "depth": POS_INT,
              "n_test": POS_INT, "tol": TOL}),
    Case("spectrum_validation", E.spectrum_validation,
         valid={"ks": [2], "cells": [], "seed": 0, "n_factors": 80, "n_draws": 10},
         bad={"ks": INT_LIST, "cells": CELLS, "seed": SEED,
              "n_factors": POS_INT + [(10, ValueError)], "n_draws": POS_INT}),
    Case("spacetime_delay", E.spacetime_delay,
         valid={"c_values": [1.0, 10.0], "seed": 0, "k": 2, "n": 102, "depth": 20,
                "n_models": 2, "n_test": 50, "tol": 0.01},
         bad={"c_values": POSITIVE_LIST + [([10.0, 1.0], ValueError)], "seed": SEED,
              "k": POS_INT + [(1, ValueError)], "n": POS_INT + [(1, ValueError)],
              "depth": POS_INT, "n_models": POS_INT + [(1, ValueError)], "n_test": POS_INT,
              "tol": TOL}),
    Case("norm_controls", E.norm_controls,
         valid={"ks": [2], "seed": 0, "offset": 2, "depth": 3, "n_models": 2, "n_test": 3,
                "tol": 0.01},
         bad={"ks": INT_LIST + [([1], ValueError)], "seed": SEED, "offset": NONNEG_INT,
              "depth": POS_INT, "n_models": POS_INT + [(1, ValueError)],
              "n_test": POS_INT + [(1, ValueError)], "tol": TOL}),
    Case("gd_collapse_scan", E.gd_collapse_scan,
         valid={"w0": [0.1, 0.1], "lambdas": [1.0], "seed": 0, "eta": 0.1, "T": 2,
                "etas_factors": [0.1], "etas": [0.1], "lambda_fixed": 1.0, "n_models": 2,
                "n_test": 3, "tol": 0.01},
         bad={"w0": _vector(2), "lambdas": POSITIVE_LIST, "seed": SEED, "eta": POS_REAL,
              "T": POS_INT, "etas_factors": POSITIVE_LIST, "etas": POSITIVE_LIST,
              "lambda_fixed": POS_REAL, "n_models": POS_INT + [(1, ValueError)],
              "n_test": POS_INT, "tol": TOL}),
    Case("hyperplane_test", E.hyperplane_test,
         valid={"theta0": [0.3], "seed": 0, "n_hash": 10, "n_rep": 3, "k_keep": 2},
         bad={"theta0": ARRAY + [([0.0], ValueError), ([1.5], ValueError), ([NAN], ValueError)],
              "seed": SEED, "n_hash": POS_INT + [(1, ValueError)],
              "n_rep": POS_INT + [(1, ValueError)], "k_keep": POS_INT + [(11, ValueError)]}),
    Case("eq7_sides", E.eq7_sides, valid={"k": 3, "n": 10, "theta0": 0.3},
         bad={"k": NONNEG_INT, "n": POS_INT + [(2, ValueError)],
              "theta0": REAL + [(0.0, ValueError), (1.0, ValueError)]}),
    Case("audit_training", E.audit_training,
         valid={"w0": [1.0, 0.5], "n": 4, "L": 2, "rng": np.random.default_rng(0)},
         bad={"w0": [v for v in _vector(2) if np.shape(v[0]) != (3,)],
              "n": POS_INT + [(1, ValueError)], "L": POS_INT, "rng": RNG}),
]
