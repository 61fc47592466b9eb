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
