"""Bad input for uniqnets.models (see ``tests/bad_input/__init__.py``)."""

from __future__ import annotations

import math

import numpy as np

from uniqnets import models

from . import (
    ABSURD,
    ARRAY,
    BOOLEAN,
    CHOICE,
    NONNEG_INT,
    NONNEG_REAL,
    POS_INT,
    POS_REAL,
    RNG,
    SIZE,
    Case,
)

NET = models.MLP((2, 3, 1), "tanh")  # d = 13
D = NET.n_params
THETA = NET.init(np.random.default_rng(0), bias_std=0.1)
X = np.random.default_rng(1).standard_normal((5, 2))
Y = np.random.default_rng(2).standard_normal((5, 1))
OBJ = models.Objective(NET, X, Y)
RELU = models.MLP((2, 3, 1), "relu")
RELU_THETA = RELU.init(np.random.default_rng(3), bias_std=0.1)
MODEL = [(object(), TypeError), ("mlp", TypeError), (None, TypeError)]
OBJECTIVE = [(NET, TypeError), (None, TypeError)]
#: a parameter vector of NET: finite, of shape (13,)
THETA_BAD = ARRAY + [(np.zeros(4), ValueError), (np.zeros((13, 2)), ValueError),
                     (np.full(D, np.nan), ValueError), (np.full(D, np.inf), ValueError),
                     ([], ValueError)]
#: inputs of NET: finite, of shape (n, 2)
X_BAD = ARRAY + [(np.zeros((5, 3)), ValueError), (np.zeros(5), ValueError),
                 (np.zeros((0, 2)), ValueError), ([[np.nan, 0.0]], ValueError)]
#: sample indices into the 5 samples of OBJ
BATCH_BAD = [("abc", TypeError), (None, TypeError), ([0.5, 1.5], TypeError), ([], ValueError),
             ([[0, 1]], ValueError), ([0, 5], ValueError), ([-1], ValueError)]
OPT_BOOL = [(1, TypeError), ("yes", TypeError)]  # True/False or None


def _mlp(sizes, activation, residual, rng, gain, bias_std, dtype, theta, X, layers, l):
    net = models.MLP(sizes, activation, residual)
    net.init(rng, gain, bias_std, dtype)
    net.forward(theta, X)
    net.unflatten(theta)
    net.flatten(layers)
    net.skip(l)


def _objective(model, X, Y, loss, weight_decay, dtype, theta, V, idx):
    obj = models.Objective(model, X, Y, loss, weight_decay, dtype)
    obj.loss(theta)
    obj.loss_and_grad(theta)
    obj.grad(theta)
    obj.per_sample_grads(theta)
    obj.hvp(theta, V)
    obj.subset(idx)


CASES = [
    Case("ACTIVATIONS", exempt="a constant tuple of names"),
    Case("Trajectory", exempt="a result container that train builds"),
    Case(
        "MLP", _mlp,
        valid=dict(sizes=(2, 3, 1), activation="tanh", residual=False,
                   rng=np.random.default_rng(0), gain=1.0, bias_std=0.0, dtype=np.float64,
                   theta=THETA, X=X, layers=NET.unflatten(THETA), l=1),
        bad=dict(
            sizes=[(3, TypeError), ("abc", TypeError), (None, TypeError), ((3,), ValueError),
                   ((), ValueError), ((1, 2.7, 1), TypeError), ((1, True, 1), TypeError),
                   ((2, "3", 1), TypeError), ((2, 0, 1), ValueError), ((2, -3, 1), ValueError),
                   ((2, math.nan, 1), TypeError), ((1, 10**7, 10**7, 1), ValueError),
                   ((1, 10**13), ValueError)],
            activation=CHOICE + [("sigmoid", ValueError)],
            residual=BOOLEAN,
            rng=RNG,
            gain=NONNEG_REAL,
            bias_std=NONNEG_REAL,
            dtype=[(np.int64, TypeError), ("abc", TypeError), (complex, TypeError)],
            theta=THETA_BAD,
            X=X_BAD,
            layers=[(None, TypeError), ("abc", TypeError), ([], ValueError),
                    (NET.unflatten(THETA)[:1], ValueError),
                    ([(np.zeros((3, 2)), np.zeros(3)), (np.zeros((1, 2)), np.zeros(1))],
                     ValueError),
                    ([(np.zeros((3, 2)), np.zeros(3)), 5], TypeError)],
            l=NONNEG_INT + [(2, ValueError)],
        ),
    ),
    Case(
        "Objective", _objective,
        valid=dict(model=NET, X=X, Y=Y, loss="mse", weight_decay=0.0, dtype=np.float64,
                   theta=THETA, V=np.eye(D)[:, :2], idx=[0, 2]),
        bad=dict(
            model=MODEL,
            X=X_BAD,
            Y=ARRAY + [(np.zeros((4, 1)), ValueError), (np.zeros((5, 2)), ValueError),
                       (np.full((5, 1), np.nan), ValueError),
                       (np.full((5, 1), np.inf), ValueError)],
            loss=CHOICE + [("l1", ValueError)],
            weight_decay=NONNEG_REAL,
            dtype=[(np.int64, TypeError), ("abc", TypeError)],
            theta=THETA_BAD,
            V=ARRAY + [(np.zeros(4), ValueError), (np.zeros((4, 2)), ValueError),
                       (np.zeros((D, 2, 2)), ValueError), (np.full(D, np.nan), ValueError),
                       (np.zeros((D, 0)), ValueError)],
            idx=BATCH_BAD,
        ),
    ),
    Case(
        "gd_step", models.gd_step,
        valid=dict(objective=OBJ, theta=THETA, lr=0.1),
        bad=dict(objective=OBJECTIVE, theta=THETA_BAD, lr=POS_REAL),
    ),
    Case(
        "sgd_step", models.sgd_step,
        valid=dict(objective=OBJ, theta=THETA, lr=0.1, batch=[0, 3]),
        bad=dict(objective=OBJECTIVE, theta=THETA_BAD, lr=POS_REAL, batch=BATCH_BAD),
    ),
    Case(
        "langevin_step", models.langevin_step,
        valid=dict(objective=OBJ, theta=THETA, lr=0.1, temperature=0.01,
                   rng=np.random.default_rng(0)),
        bad=dict(objective=OBJECTIVE, theta=THETA_BAD, lr=POS_REAL, temperature=NONNEG_REAL,
                 rng=RNG),
    ),
    Case(
        "training_jvp", models.training_jvp,
        valid=dict(objective=OBJ, theta=THETA, V=np.eye(D)[:, :2], lr=0.1, batch=[1, 2]),
        bad=dict(objective=OBJECTIVE, theta=THETA_BAD, lr=POS_REAL,
                 batch=[b for b in BATCH_BAD if b[0] is not None],  # None: the full batch
                 V=ARRAY + [(np.zeros(4), ValueError), (np.full(D, np.nan), ValueError)]),
    ),
    Case(
        "batch_sequence", models.batch_sequence,
        valid=dict(n_samples=10, batch_size=3, n_steps=7, rng=np.random.default_rng(0)),
        bad=dict(n_samples=POS_INT + ABSURD, batch_size=POS_INT + [(11, ValueError)],
                 n_steps=NONNEG_INT + ABSURD, rng=RNG),
    ),
    Case(
        "train", models.train,
        valid=dict(objective=OBJ, theta0=THETA, n_steps=3, lr=0.1, method="sgd", batches=None,
                   batch_size=2, rng=np.random.default_rng(0), temperature=0.0, save_every=1,
                   clip_norm=1.0, max_norm=1e6),
        bad=dict(
            objective=OBJECTIVE,
            theta0=THETA_BAD,
            n_steps=SIZE,
            lr=POS_REAL + [("0.1", TypeError)],
            method=CHOICE + [("adam", ValueError)],
            batches=[("abc", TypeError), (np.zeros((3, 2)), TypeError),
                     (np.zeros((2, 2), dtype=int), ValueError),
                     (np.zeros(3, dtype=int), ValueError),
                     (np.full((3, 2), 7), ValueError)],
            batch_size=POS_INT + [(6, ValueError)],
            rng=RNG[:2],
            temperature=NONNEG_REAL,
            save_every=POS_INT,
            clip_norm=POS_REAL,
            max_norm=[(True, TypeError), ("1", TypeError), (object(), TypeError),
                      (math.nan, ValueError), (-1, ValueError), (0, ValueError)],
        ),
    ),
    Case(
        "permute_hidden", models.permute_hidden,
        valid=dict(model=NET, theta=THETA, perms=[np.array([2, 0, 1])],
                   signs=[np.array([1.0, -1.0, 1.0])]),
        bad=dict(
            model=MODEL,
            theta=THETA_BAD,
            perms=[(None, TypeError), (5, TypeError), ("abc", TypeError), ([], ValueError),
                   ([np.arange(3), np.arange(3)], ValueError), ([np.array([0, 0, 1])], ValueError),
                   ([np.arange(4)], ValueError), ([np.array([0.0, 1.0, 2.0])], TypeError),
                   (["abc"], TypeError)],
            signs=[(5, TypeError), ([], ValueError), ([np.array([1.0, 2.0, 1.0])], ValueError),
                   ([np.ones(2)], ValueError), ([np.array([1.0, np.nan, 1.0])], ValueError),
                   (["abc"], TypeError)],
        ),
    ),
    Case(
        "random_symmetry", models.random_symmetry,
        valid=dict(model=NET, rng=np.random.default_rng(0), flip_signs=True),
        bad=dict(model=MODEL, rng=RNG, flip_signs=OPT_BOOL),
    ),
    Case(
        "align", models.align,
        valid=dict(model=NET, theta_ref=THETA, theta=THETA[::-1].copy(), flip_signs=None,
                   max_sweeps=5),
        bad=dict(model=MODEL, theta_ref=THETA_BAD, theta=THETA_BAD, flip_signs=OPT_BOOL,
                 max_sweeps=POS_INT),
    ),
    Case(
        "forward_error_bound", models.forward_error_bound,
        valid=dict(model=NET, theta=THETA, X=X),
        bad=dict(model=MODEL, theta=THETA_BAD, X=X_BAD),
    ),
    Case(
        "function_distance", models.function_distance,
        valid=dict(model=NET, theta1=THETA, theta2=THETA[::-1].copy(), X=X),
        bad=dict(model=MODEL, theta1=THETA_BAD, theta2=THETA_BAD, X=X_BAD),
    ),
    Case(
        "symmetry_check", models.symmetry_check,
        valid=dict(model=NET, theta=THETA, X=X, rng=np.random.default_rng(0)),
        bad=dict(model=MODEL, theta=THETA_BAD, X=X_BAD, rng=RNG),
    ),
    Case("SymmetryCheck", exempt="a result container built by symmetry_check"),
    Case(
        "equivariance_gap", models.equivariance_gap,
        valid=dict(objective=OBJ, theta0=THETA, n_steps=2, lr=0.1, perms=[np.arange(3)],
                   signs=None),
        bad=dict(objective=OBJECTIVE, theta0=THETA_BAD, n_steps=POS_INT, lr=POS_REAL,
                 perms=[("abc", TypeError), ([np.arange(3)] * 2, ValueError)]),
    ),
    Case("EquivarianceGap", exempt="a result container built by equivariance_gap"),
    Case(
        "rescaling_check", models.rescaling_check,
        valid=dict(model=RELU, theta=RELU_THETA, X=X, scales=[0.5, 1.0, 2.0]),
        bad=dict(model=MODEL + [(NET, ValueError)], theta=THETA_BAD, X=X_BAD,
                 scales=ARRAY + [([1.0, 2.0], ValueError), ([1.0, -1.0, 1.0], ValueError),
                                 ([1.0, np.nan, 1.0], ValueError)]),
    ),
    Case("RescalingCheck", exempt="a result container built by rescaling_check"),
    Case(
        "pair_distances", models.pair_distances,
        valid=dict(model=NET, initial=np.array([THETA, -THETA]),
                   final=np.array([THETA, THETA[::-1]]), X=X),
        bad=dict(model=MODEL, initial=ARRAY + [(THETA[None], ValueError),
                                               (np.zeros((2, 4)), ValueError)],
                 final=ARRAY + [(np.zeros((3, 13)), ValueError),
                                (np.full((2, 13), np.nan), ValueError)], X=X_BAD),
    ),
    Case("PairDistances", exempt="a result container built by pair_distances"),
    Case(
        "find_minimum", models.find_minimum,
        valid=dict(objective=OBJ, theta0=THETA, gd_steps=2, gd_lr=0.1, gtol=1e-6),
        bad=dict(objective=OBJECTIVE, theta0=THETA_BAD, gd_steps=POS_INT, gd_lr=POS_REAL,
                 gtol=POS_REAL),
    ),
    Case("Minimum", exempt="a result container built by find_minimum"),
]
CASES += [
    Case("BatchComparison", exempt="a result container that batch_comparison builds"),
    Case(
        "batch_comparison", models.batch_comparison,
        valid=dict(objective=OBJ, test_objective=OBJ, seeds_a=[0, 1], seeds_b=[2, 3],
                   seeds_c=[4, 5], n_steps=2, n_steps_changed=1, lr=0.1),
        bad=dict(objective=OBJECTIVE, test_objective=OBJECTIVE,
                 seeds_a=ARRAY + [([0], ValueError), ([-1, 2], ValueError)],
                 seeds_b=ARRAY + [([0], ValueError)], seeds_c=ARRAY + [([-1, 2], ValueError)],
                 n_steps=POS_INT, n_steps_changed=POS_INT, lr=POS_REAL),
    ),
]
Y1 = Y[:, 0]  # targets of shape (5,)
SEED_RNG = RNG + [(-1, ValueError)]  # a Generator or a seed >= 0
CASES += [
    Case(
        "teacher_network", models.teacher_network,
        valid=dict(d_in=2, width=3, scale=1.5, seed=0, n_draws=4),
        bad=dict(d_in=POS_INT, width=POS_INT, scale=POS_REAL, seed=NONNEG_INT,
                 n_draws=POS_INT + ABSURD),
    ),
    Case(
        "teacher_data", models.teacher_data,
        valid=dict(model=NET, theta=THETA, n=5, sigma=0.1, rng=0),
        bad=dict(model=MODEL + [(models.MLP((2, 3, 2)), ValueError)], theta=THETA_BAD,
                 n=SIZE, sigma=NONNEG_REAL, rng=SEED_RNG),
    ),
    Case(
        "posterior_modes", models.posterior_modes,
        valid=dict(model=NET, X=X, y=Y1, sigma=0.1, prior_scale=2.0, n_starts=1, rng=0,
                   starts=None, gd_steps=2, gtol=1e-6, progress=False),
        bad=dict(
            model=MODEL + [(models.MLP((2, 3, 3, 1)), ValueError),
                           (models.MLP((2, 3, 2)), ValueError)],
            X=X_BAD,
            y=ARRAY + [(np.zeros(4), ValueError), (np.zeros((5, 1)), ValueError),
                       (np.full(5, np.nan), ValueError)],
            sigma=POS_REAL,
            prior_scale=POS_REAL,
            n_starts=NONNEG_INT + [(0, ValueError)] + ABSURD,  # 0 with no starts given
            rng=SEED_RNG,
            starts=[c for c in ARRAY if c[0] is not None]  # None: random starts only
            + [(np.zeros((2, 4)), ValueError), (THETA, ValueError),
               (np.full((1, D), np.nan), ValueError)],
            gd_steps=POS_INT,
            gtol=POS_REAL,
            progress=BOOLEAN,
        ),
    ),
    Case("PosteriorModes", exempt="a result container built by posterior_modes"),
    Case(
        "concentration", models.concentration,
        valid=dict(d_in=1, width=1, extra_units=1, sigma=0.1, prior_scale=2.0, n_grid=(4, 6),
                   n_starts=1, seed=0, fit_from=4, teacher_scale=1.5, gd_steps=2, gtol=1e-6,
                   progress=False),
        bad=dict(
            d_in=POS_INT, width=POS_INT, extra_units=POS_INT, sigma=POS_REAL,
            prior_scale=POS_REAL,
            n_grid=ARRAY + [([30], ValueError), ([100, 30], ValueError), ([30, 30], ValueError),
                            ([0, 30], ValueError), ([30.5, 60], TypeError),
                            ([[30, 60]], ValueError), ([30, 10**13], ValueError),
                            ([30, np.nan], ValueError)],
            n_starts=POS_INT + ABSURD, seed=NONNEG_INT, fit_from=POS_INT,
            teacher_scale=POS_REAL, gd_steps=POS_INT, gtol=POS_REAL, progress=BOOLEAN,
        ),
    ),
    Case("Concentration", exempt="a result container built by concentration"),
]
