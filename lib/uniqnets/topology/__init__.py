"""Persistent homology of training trajectories, and distances between point clouds.

A training run saves checkpoints ``theta_0, ..., theta_{N-1}`` in R^d; stacked, they
are a *trajectory cloud* ``S`` of shape ``(N, d)`` (:func:`trajectory_cloud`).  This
subpackage computes what Theorem 12 of the uniqueness preprint talks about (one subject
per private module):

* the Vietoris-Rips persistence diagrams of ``S`` (:func:`rips_diagrams`, with gudhi;
  ``_persistence``);
* bottleneck and Wasserstein distances between diagrams (:func:`bottleneck`,
  :func:`wasserstein`: gudhi's exact bottleneck; POT's exact transport solver by
  default, or an exact assignment with scipy, or hera's auction; ``_diagram_distance``);
* the Hausdorff distance and the minimum distance between two clouds
  (:func:`hausdorff`, :func:`set_distance`, with :func:`step_lengths`; ``_set_distance``)
  and between the polygonal curves through them (:func:`polyline_distance`;
  ``_polyline``), which decide whether two trajectories lie in disjoint tubes;
* a test of whether two Rips complexes at one scale are isomorphic as simplicial
  complexes (:func:`rips_isomorphism`; ``_isomorphism``);
* the clouds themselves: :func:`trajectory_cloud` and a shared projection
  :func:`pca_basis` (``_cloud``);
* the experiments of the book on trajectories: families of training runs and every
  distance between them (:func:`trajectory_study`, :func:`compare_clouds`,
  :func:`pair_table`, :func:`alignment_study`, :func:`sampling_study`,
  :func:`convex_contraction`; ``_run_pairs``), complexes across scales and projections
  (:func:`isomorphism_scan`, :func:`scan_summary`, :func:`projection_study`;
  ``_scale_scan``), random curves
  (:func:`random_polyline`, :func:`random_curve_study`, :func:`near_miss_refinement`;
  ``_random_curves``), and clouds with known answers (:func:`evenly_spaced_circle`,
  :func:`circle_h1_bar`, :func:`noisy_circle`, :func:`stability_validation`;
  ``_known_answers``).

.. rubric:: Filtration convention

gudhi's Rips filtration value of a simplex is the **length of its longest edge**
(not half of it): the complex at scale ``r`` holds every simplex whose vertices are
pairwise at distance ``<= r``.  With this convention the stability theorem reads

.. code-block:: text

    d_B(Dgm_k(Rips S1), Dgm_k(Rips S2)) <= 2 d_GH(S1, S2) <= 2 d_H(S1, S2),

(Chazal, de Silva, Oudot 2014, Thm 5.2), and the constant 2 is attained: two points
at distance ``a`` moved apart by ``delta`` each change the death of their H0 bar from
``a`` to ``a + 2 delta``.  Under the half-length ("radius") convention the constant
would be 1.  Diagrams are arrays of shape ``(m, 2)`` of (birth, death) pairs in the
units of the points; an essential class (never dies) has death ``+inf``.

References
----------
H. Edelsbrunner, J. Harer, *Computational Topology: An Introduction*, AMS 2010.
D. Cohen-Steiner, H. Edelsbrunner, J. Harer, "Stability of persistence diagrams",
Discrete Comput. Geom. 37 (2007) 103-120.
F. Chazal, V. de Silva, S. Oudot, "Persistence stability for geometric complexes",
Geom. Dedicata 173 (2014) 193-214.
J.-D. Boissonnat, S. Pritam, "Edge collapse and persistence of flag complexes",
SoCG 2020 (the edge collapse used by :func:`rips_diagrams`).
M. Kerber, D. Morozov, A. Nigmetov, "Geometry helps to compare persistence
diagrams", ACM J. Exp. Algorithmics 22 (2017) (hera).
"""

from ._cloud import pca_basis, trajectory_cloud
from ._diagram_distance import WASSERSTEIN_BACKENDS, bottleneck, wasserstein  # noqa: F401 (a constant)
from ._isomorphism import ISOMORPHIC, NOT_ISOMORPHIC, UNDECIDED, rips_isomorphism
from ._known_answers import (
                             NoisyCircle,
                             StabilityValidation,
                             circle_h1_bar,
                             evenly_spaced_circle,
                             noisy_circle,
                             stability_validation,
)
from ._persistence import rips_diagrams
from ._polyline import polyline_distance
from ._random_curves import (
                             CurveStudy,
                             NearMisses,
                             near_miss_refinement,
                             random_curve_study,
                             random_polyline,
)
from ._run_pairs import (
                             AlignmentStudy,
                             CloudComparison,
                             ConvexContraction,
                             SamplingStudy,
                             TrajectoryStudy,
                             alignment_study,
                             compare_clouds,
                             convex_contraction,
                             pair_table,
                             sampling_study,
                             trajectory_study,
)
from ._scale_scan import (
                             IsomorphismScan,
                             ProjectionStudy,
                             isomorphism_scan,
                             projection_study,
                             scan_summary,
)
from ._set_distance import hausdorff, set_distance, step_lengths

__all__ = [
    "ISOMORPHIC",
    "NOT_ISOMORPHIC",
    "UNDECIDED",
    "bottleneck",
    "hausdorff",
    "pca_basis",
    "polyline_distance",
    "rips_diagrams",
    "rips_isomorphism",
    "set_distance",
    "step_lengths",
    "trajectory_cloud",
    "wasserstein",
    "AlignmentStudy",
    "CloudComparison",
    "ConvexContraction",
    "CurveStudy",
    "IsomorphismScan",
    "NearMisses",
    "NoisyCircle",
    "ProjectionStudy",
    "SamplingStudy",
    "StabilityValidation",
    "TrajectoryStudy",
    "alignment_study",
    "circle_h1_bar",
    "compare_clouds",
    "convex_contraction",
    "evenly_spaced_circle",
    "isomorphism_scan",
    "near_miss_refinement",
    "noisy_circle",
    "pair_table",
    "projection_study",
    "random_curve_study",
    "random_polyline",
    "sampling_study",
    "scan_summary",
    "stability_validation",
    "trajectory_study",
]
