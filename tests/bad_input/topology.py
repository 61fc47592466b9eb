"""Bad input for ``uniqnets.topology`` (see ``tests/bad_input/__init__.py``)."""

from __future__ import annotations

import math

import numpy as np

from uniqnets import topology as tp

from . import (
    ARRAY,
    BOOL,
    BOOLEAN,
    CHOICE,
    FLOAT_FOR_INT,
    NONNEG_INT,
    NONNEG_REAL,
    POS_INT,
    POS_REAL,
    RNG,
    STRING_NUMBER,
    Case,
)

NAN, INF = math.nan, math.inf
X = np.random.default_rng(0).standard_normal((12, 2))
Y = X + 0.01

#: a finite cloud of shape (n, 2)
CLOUD = ARRAY + [(np.zeros((0, 2)), ValueError), (np.zeros((3, 0)), ValueError),
                 ([1.0, 2.0, 3.0], ValueError), (np.zeros((2, 2, 2)), ValueError),
                 ([[0.0, NAN]], ValueError), ([[0.0, INF]], ValueError),
                 ([[1j, 0.0]], TypeError)]
#: a second cloud that must have the dimension of the first
CLOUD2 = CLOUD + [(np.zeros((3, 3)), ValueError)]
#: a persistence diagram of shape (m, 2) (empty is valid)
DIAGRAM = [("abc", TypeError), ([[1.0, "x"]], TypeError), (None, TypeError),
           (1.0, TypeError), ([[0.0, NAN]], ValueError), ([[2.0, 1.0]], ValueError),
           (np.zeros((3, 3)), ValueError), ([[INF, INF]], ValueError), ([0.0, 1.0], ValueError)]
#: real >= 1 (inf refused)
AT_LEAST_ONE = BOOL + STRING_NUMBER + [(object(), TypeError), (NAN, ValueError),
                                       (INF, ValueError), (0.5, ValueError), (-1, ValueError),
                                       (0, ValueError)]
#: points with an absurd number of pairs: the distance matrix is refused before it is built
MANY_POINTS = [(np.broadcast_to(np.float64(0.0), (2_000_000, 1)), ValueError)]

D1 = np.array([[0.0, 1.0], [0.2, 0.5], [0.0, INF]])
D2 = np.array([[0.0, 1.1], [0.0, INF]])

CASES = [
    Case("ISOMORPHIC", exempt="an integer code returned by rips_isomorphism"),
    Case("NOT_ISOMORPHIC", exempt="an integer code returned by rips_isomorphism"),
    Case("UNDECIDED", exempt="an integer code returned by rips_isomorphism"),
    Case("rips_diagrams", tp.rips_diagrams,
         {"points": X, "max_dim": 1, "max_edge": 2.0, "collapse": True, "coeff_field": 3},
         {"points": CLOUD + MANY_POINTS, "max_dim": NONNEG_INT,
          "max_edge": BOOL + STRING_NUMBER + [(object(), TypeError), (NAN, ValueError),
                                              (-1, ValueError), (0, ValueError)],
          "collapse": BOOLEAN,
          "coeff_field": POS_INT + [(4, ValueError), (1, ValueError)]}),
    Case("bottleneck", tp.bottleneck, {"d1": D1, "d2": D2, "e": 0.0},
         {"d1": DIAGRAM, "d2": DIAGRAM, "e": NONNEG_REAL}),
    Case("wasserstein", tp.wasserstein,
         {"d1": D1, "d2": D2, "order": 2, "internal_p": 2.0, "backend": "scipy",
          "delta": 0.01},
         {"d1": DIAGRAM, "d2": DIAGRAM, "order": AT_LEAST_ONE,
          "internal_p": BOOL + STRING_NUMBER + [(object(), TypeError), (NAN, ValueError),
                                                (0.5, ValueError), (-INF, ValueError)],
          "backend": CHOICE + [("sinkhorn", ValueError)], "delta": POS_REAL}),
    Case("hausdorff", tp.hausdorff, {"S1": X, "S2": Y}, {"S1": CLOUD, "S2": CLOUD2}),
    Case("set_distance", tp.set_distance, {"S1": X, "S2": Y}, {"S1": CLOUD, "S2": CLOUD2}),
    Case("step_lengths", tp.step_lengths, {"S": X}, {"S": CLOUD}),
    Case("polyline_distance", tp.polyline_distance,
         {"P": X, "Q": Y, "return_location": True},
         {"P": CLOUD, "Q": CLOUD2, "return_location": BOOLEAN}),
    Case("trajectory_cloud", tp.trajectory_cloud, {"checkpoints": X, "project": np.eye(2)},
         {"checkpoints": CLOUD,
          "project": [("abc", TypeError), ([[1.0, "x"]], TypeError),
                      (np.zeros((3, 2)), ValueError), (np.zeros(2), ValueError),
                      (np.full((2, 2), NAN), ValueError), (lambda S: S[:2], ValueError),
                      (lambda S: "abc", TypeError), (lambda S: S[:, :0], ValueError)]}),
    Case("pca_basis", lambda clouds, k: tp.pca_basis(*clouds, k=k),
         {"clouds": [X, Y], "k": 1},
         {"clouds": [([], ValueError), (["abc"], TypeError), ([np.zeros((0, 2))], ValueError),
                     ([X, np.zeros((3, 3))], ValueError), ([[[NAN, 0.0]]], ValueError)],
          "k": POS_INT + FLOAT_FOR_INT + [(3, ValueError)]}),
    Case("rips_isomorphism", tp.rips_isomorphism, {"S1": X, "S2": Y, "scales": [0.5, 1.0]},
         {"S1": CLOUD, "S2": CLOUD,
          "scales": ARRAY + [([-1.0], ValueError), ([NAN], ValueError), ([INF], ValueError),
                             (np.zeros((2, 2)), ValueError), ([], ValueError)]}),
]

#: a small run family, built once, for the functions that take a TrajectoryStudy
STUDY = tp.trajectory_study(0, ["gd"], n_samples=20, hidden=3, n_steps=20, save_every=5,
                            n_seeds=2)
STUDY_ARG = [(None, TypeError), ("study", TypeError), (X, TypeError)]
GEN = np.random.default_rng(0)
SMALL_INT_2 = POS_INT + [(1, ValueError)]
OPTIMIZERS = [("gd", ValueError), ([], ValueError), (["adam"], ValueError), (None, ValueError)]
DIMS = [([0], ValueError), (["a"], TypeError), ([2.5], TypeError)]

CASES += [
    Case("CloudComparison", exempt="a result container built by compare_clouds"),
    Case("TrajectoryStudy", exempt="a result container built by trajectory_study"),
    Case("AlignmentStudy", exempt="a result container built by alignment_study"),
    Case("SamplingStudy", exempt="a result container built by sampling_study"),
    Case("ConvexContraction", exempt="a result container built by convex_contraction"),
    Case("IsomorphismScan", exempt="a result container built by isomorphism_scan"),
    Case("ProjectionStudy", exempt="a result container built by projection_study"),
    Case("CurveStudy", exempt="a result container built by random_curve_study"),
    Case("NearMisses", exempt="a result container built by near_miss_refinement"),
    Case("NoisyCircle", exempt="a result container built by noisy_circle"),
    Case("StabilityValidation", exempt="a result container built by stability_validation"),
    Case("compare_clouds", tp.compare_clouds, {"S1": X, "S2": Y},
         {"S1": CLOUD, "S2": CLOUD2}),
    Case("trajectory_study", tp.trajectory_study,
         {"seed": 0, "optimizers": ["gd"], "n_samples": 20, "hidden": 3, "lr": 0.5,
          "n_steps": 20, "save_every": 5, "batch_size": 5, "n_seeds": 2, "perturbation": 1e-12},
         {"seed": NONNEG_INT, "optimizers": OPTIMIZERS, "n_samples": SMALL_INT_2,
          "hidden": POS_INT, "lr": POS_REAL, "n_steps": POS_INT,
          "save_every": POS_INT + [(3, ValueError)], "batch_size": POS_INT + [(21, ValueError)],
          "n_seeds": SMALL_INT_2, "perturbation": POS_REAL}),
    Case("pair_table", tp.pair_table, {"study": STUDY}, {"study": STUDY_ARG}),
    Case("alignment_study", tp.alignment_study, {"study": STUDY}, {"study": STUDY_ARG}),
    Case("sampling_study", tp.sampling_study,
         {"study": STUDY, "checkpoint_counts": [5], "optimizer": "gd"},
         {"study": STUDY_ARG, "checkpoint_counts": [([1], ValueError), (["a"], TypeError)],
          "optimizer": [("sgd", ValueError)]}),
    Case("convex_contraction", tp.convex_contraction,
         {"seed": 0, "n_samples": 20, "n_steps": 40, "lr": 1.0, "weight_decay": 0.1},
         {"seed": NONNEG_INT, "n_samples": SMALL_INT_2, "n_steps": POS_INT + [(10, ValueError)],
          "lr": POS_REAL, "weight_decay": POS_REAL}),
    Case("isomorphism_scan", tp.isomorphism_scan, {"S1": X, "S2": Y, "n_scales": 10},
         {"S1": CLOUD, "S2": CLOUD2 + [([[0.0, 0.0]], ValueError)],
          "n_scales": SMALL_INT_2}),
    Case("scan_summary", tp.scan_summary,
         {"scans": {"a": tp.isomorphism_scan(X, Y, n_scales=10)}},
         {"scans": [({}, TypeError), ([X], TypeError), (None, TypeError)]}),
    Case("projection_study", tp.projection_study, {"S1": X, "S2": Y, "dims": [1]},
         {"S1": CLOUD, "S2": CLOUD2, "dims": DIMS}),
    Case("random_polyline", tp.random_polyline,
         {"dim": 2, "n_segments": 5, "rng": GEN, "extent": 2.0},
         {"dim": POS_INT, "n_segments": POS_INT, "rng": RNG, "extent": POS_REAL}),
    Case("random_curve_study", tp.random_curve_study,
         {"dims": [2], "n_pairs": 2, "n_segments": 3, "rng": GEN},
         {"dims": DIMS, "n_pairs": SMALL_INT_2, "n_segments": POS_INT, "rng": RNG}),
    Case("near_miss_refinement", tp.near_miss_refinement,
         {"dims": [3], "n_segments": [3], "n_pairs": 2, "rng": GEN, "extent": 5.0,
          "threshold": 0.1},
         {"dims": DIMS, "n_segments": [([0], ValueError), (["a"], TypeError)],
          "n_pairs": SMALL_INT_2, "rng": RNG, "extent": POS_REAL, "threshold": POS_REAL}),
    Case("evenly_spaced_circle", tp.evenly_spaced_circle,
         {"n": 5, "radius": 1.0, "center": (0.0, 0.0)},
         {"n": POS_INT, "radius": POS_REAL,
          "center": ARRAY + [((0.0,), ValueError), ((NAN, 0.0), ValueError)]}),
    Case("circle_h1_bar", tp.circle_h1_bar, {"n": 6, "radius": 1.0},
         {"n": POS_INT + [(3, ValueError)], "radius": POS_REAL}),
    Case("noisy_circle", tp.noisy_circle,
         {"rng": GEN, "n_points": 20, "noise": 0.01, "n_dense": 20},
         {"rng": RNG, "n_points": POS_INT + [(3, ValueError)], "noise": NONNEG_REAL,
          "n_dense": POS_INT + [(3, ValueError)]}),
    Case("stability_validation", tp.stability_validation,
         {"rng": GEN, "n_clouds": 1, "n_points": 6, "dim": 2, "n_kept": 5},
         {"rng": RNG, "n_clouds": POS_INT, "n_points": SMALL_INT_2, "dim": POS_INT,
          "n_kept": POS_INT + [(7, ValueError)]}),
]
