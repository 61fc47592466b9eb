"""Lyapunov exponents: QR (Benettin) spectra of products of matrices, maps and flows.

The core is :func:`qr_exponents`: given the tangent matrices ``J_1, J_2, ...``
of a dynamical system (or simply a sequence of random matrices), it keeps an
orthonormal frame ``Q`` of ``k`` directions, re-orthonormalises
``J_t Q = Q' R`` by a QR decomposition and accumulates ``log |R_ii|``.  By
Oseledets' multiplicative ergodic theorem the averages converge to the ``k``
largest Lyapunov exponents (Benettin et al. 1980).

Everything else is built on that one loop:

* :func:`lyapunov_spectrum` for maps ``x_{t+1} = F(x_t)`` (or ``F_t(x_t)``, a
  time-dependent map such as SGD with a fixed batch sequence), given the map and
  its Jacobian-vector product;
* :func:`lyapunov_spectrum_flow` for flows ``dx/dt = f(x)``, integrating the
  state and the variational equation ``dV/dt = Df(x) V`` together with the RK4
  stages of :func:`rk4_map`;
* :func:`twin_divergence`, the distance between two trajectories started a small
  ``delta0`` apart, and :func:`finite_time_exponents`, exponents over windows;
* reference systems with known exponents (:func:`logistic`, :func:`henon`,
  :func:`lorenz`) and :func:`gaussian_product_exponents`, the exact spectrum of
  products of independent Gaussian matrices (Newman 1986), the known answers
  every estimate here is checked against;
* training dynamics of :mod:`uniqnets.models` networks:
  :func:`training_spectrum` (the spectrum of gradient descent / SGD / Langevin
  along a run of :func:`uniqnets.models.train`, tangent map ``I - eta H`` by exact
  Hessian-vector products), :func:`sharpness` and :func:`hessian_spectrum`
  (Hessian eigenvalues), :func:`critical_point` (a Newton polish of the end of a
  run) and :func:`fixed_point_exponents` (the exponents ``ln|1 - eta mu_i|`` of
  gradient descent at a critical point).

Units: exponents of maps are per step (natural log); of flows, per unit time.

Experiments built on these, each returning a frozen result: :func:`learning_rate_scan`,
:func:`stable_minimum`, :func:`twin_scan`, :func:`linearisation_test`,
:func:`tangent_prediction`, :func:`divergence_time_fit`, :func:`sgd_twins`,
:func:`gradient_noise`; and the validations :func:`validate_reference_systems` and
:func:`tangent_map_error`.

The private modules, by subject: ``_qr`` (the QR loop, :class:`QRResult`),
``_maps`` (maps, flows, RK4), ``_twins`` (twin trajectories), ``_reference``
(reference systems), ``_training`` (training runs and Hessians), ``_collisions``
(where independent runs end, modulo symmetries) and ``_edge`` (rounding, step size
and the edge of stability).

References
----------
V. I. Oseledets, "A multiplicative ergodic theorem", Trans. Moscow Math. Soc. 19
(1968) 197-231.
G. Benettin, L. Galgani, A. Giorgilli, J.-M. Strelcyn, "Lyapunov characteristic
exponents for smooth dynamical systems ...; a method for computing all of them",
Meccanica 15 (1980) 9-20.
C. M. Newman, "The distribution of Lyapunov exponents: exact results for random
matrices", Commun. Math. Phys. 103 (1986) 121-126.
J. C. Sprott, *Chaos and Time-Series Analysis*, Oxford University Press (2003),
Appendix A (reference exponents of the Hénon map and the Lorenz system).
J. Cohen, S. Kaur, Y. Li, J. Z. Kolter, A. Talwalkar, "Gradient descent on neural
networks typically occurs at the edge of stability", ICLR 2021 (sharpness vs 2/eta).
"""

from ._collisions import (
    Collisions,
    Contraction,
    converged_collisions,
    jacobian_margin,
    pair_contraction,
)
from ._divergence import (
    DivergenceTimeFit,
    Linearisation,
    TwinScan,
    divergence_time_fit,
    linearisation_test,
    tangent_miss,
    tangent_prediction,
    twin_scan,
)
from ._edge import (
    AmplificationScan,
    CatapultRun,
    DepthExponents,
    PerturbedReruns,
    amplification_scan,
    catapult_run,
    depth_exponents,
    perturbed_reruns,
)
from ._maps import LyapunovResult, lyapunov_spectrum, lyapunov_spectrum_flow, rk4_map
from ._minimum import StableMinimum, stable_minimum
from ._qr import QRResult, finite_time_exponents, gaussian_product_exponents, qr_exponents
from ._reference import ReferenceFlow, ReferenceMap, henon, logistic, lorenz
from ._scan import LearningRateScan, learning_rate_scan
from ._sgd import GradientNoise, SGDTwins, gradient_noise, sgd_twins
from ._testbed import TanhTestBed, tanh_two_moons
from ._training import (
    TrainingSpectrum,
    _training_tangent,  # noqa: F401  (imported by the tests)
    critical_point,
    fixed_point_exponents,
    hessian_spectrum,
    sharpness,
    training_spectrum,
)
from ._twins import TwinResult, predicted_divergence_time, twin_divergence
from ._validation import ReferenceValidation, tangent_map_error, validate_reference_systems

__all__ = [
    "AmplificationScan",
    "CatapultRun",
    "Collisions",
    "Contraction",
    "DepthExponents",
    "PerturbedReruns",
    "amplification_scan",
    "catapult_run",
    "converged_collisions",
    "depth_exponents",
    "jacobian_margin",
    "pair_contraction",
    "perturbed_reruns",
    "LyapunovResult",
    "QRResult",
    "ReferenceFlow",
    "ReferenceMap",
    "TwinResult",
    "TrainingSpectrum",
    "critical_point",
    "finite_time_exponents",
    "fixed_point_exponents",
    "gaussian_product_exponents",
    "henon",
    "hessian_spectrum",
    "logistic",
    "lorenz",
    "lyapunov_spectrum",
    "lyapunov_spectrum_flow",
    "predicted_divergence_time",
    "qr_exponents",
    "rk4_map",
    "sharpness",
    "training_spectrum",
    "twin_divergence",
    # experiments of the chaotic-divergence pages and checks of the instruments
    "DivergenceTimeFit",
    "GradientNoise",
    "LearningRateScan",
    "Linearisation",
    "ReferenceValidation",
    "SGDTwins",
    "StableMinimum",
    "TanhTestBed",
    "TwinScan",
    "divergence_time_fit",
    "gradient_noise",
    "learning_rate_scan",
    "linearisation_test",
    "sgd_twins",
    "stable_minimum",
    "tangent_map_error",
    "tangent_miss",
    "tangent_prediction",
    "tanh_two_moons",
    "twin_scan",
    "validate_reference_systems",
]
