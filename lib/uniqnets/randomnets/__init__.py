"""Chaos in random networks: recurrent networks, deep signal propagation, double copies.

Four pieces of theory, each with the simulation it is checked against:

* **Random recurrent networks** ``dx/dt = -x + J phi(x)``, ``J_ij ~ N(0, g^2/N)``
  (Sompolinsky, Crisanti & Sommers 1988).  :func:`dmft_autocorrelation` solves the
  dynamic mean-field theory (DMFT): the autocorrelation ``Delta(tau)`` of a unit is
  the motion of a particle in a potential, and the largest Lyapunov exponent is the
  ground state of a Schroedinger operator built from it.  :func:`rnn_lyapunov`
  measures the top of the Lyapunov spectrum of one network (RK4 with the variational
  equation, :func:`uniqnets.lyapunov.lyapunov_spectrum_flow`).
* **Deep random networks** ``h^l = W^l phi(h^{l-1}) + b^l``, ``W_ij ~ N(0, sigma_w^2/N)``,
  ``b_i ~ N(0, sigma_b^2)`` (Poole et al. 2016, Schoenholz et al. 2017): the length map
  and its fixed point :func:`meanfield_qstar`, the slope :func:`chi1` of the
  correlation map at ``c = 1``, the order-chaos line :func:`critical_sigma_w2`, and the
  per-layer Lyapunov exponent of two replicas of the network sharing its weights
  (the *double copy*, :func:`replica_lyapunov`).  :func:`deep_tangent_exponent` and
  :func:`deep_pair_distances` simulate networks of finite width.
* **Magnitude-phase (gauge-invariant) networks**: complex weights ``W = m e^{i theta}``
  and the phase-equivariant nonlinearity ``phi(h) = f(|h|) h/|h|``, so that local U(1)
  rotations of the units (:func:`gauge_transform`) leave every modulus, and hence the
  network's observables and its Lyapunov exponents, unchanged.  Pass
  ``network="ginn"`` to the mean-field functions for their complex-field versions.
* **Linear equivalence** (Clark, Abbott & Litwin-Kumar 2023; Clark 2026): at large N
  the covariance of the rates ``phi(x_i)`` of one random network is that of a *linear*
  network with the same couplings, ``r = (I - gamma J/(1 + i omega))^{-1} xi``, driven
  by independent noise ``xi`` whose spectrum comes from the DMFT
  (:func:`linear_equivalent_covariance`).

Units: time in units of the single-unit time constant (``tau = 1``); recurrent
exponents per unit time, deep-network exponents per layer, natural logarithms.
Variances (``q``, ``Delta``) are per unit.  Gaussian expectations use trapezoid rules
sized by the scale of the integrand (Gauss-Hermite, ``numpy.polynomial.hermite_e.hermegauss``,
for the 4-D rule of the magnitude-phase double copy), roots ``scipy.optimize.brentq``.

Modules (private; import from ``uniqnets.randomnets``):

* ``_gauss``: nonlinearities and Gaussian quadrature shared by the others;
* ``_signal``: signal propagation (length map, ``q*``, ``chi_1``, the critical line);
* ``_double_copy``: two replicas, deep networks of finite width, the 1/N correction;
* ``_ginn``: the magnitude-phase (gauge-invariant) network;
* ``_rnn``: random recurrent networks, their simulation and Lyapunov spectra;
* ``_dmft``: the dynamic mean-field theory;
* ``_linear_equivalence``: the linear-equivalent covariance and its dimension;
* ``_streams``: the named random streams of the chapters' experiments;
* ``_deep_study``: replicas against the double copy, the 1/N law, the finite-width threshold;
* ``_ginn_study``: gauge invariance and the exponent of magnitude-phase networks;
* ``_training_study``: forward exponents at initialisation against training exponents;
* ``_rnn_study``: finite recurrent networks against the DMFT (exponent, autocorrelation,
  spectrum);
* ``_covariance_study``: measured covariances against the linear equivalent, its stability.

References
----------
H. Sompolinsky, A. Crisanti, H.-J. Sommers, "Chaos in random neural networks",
Phys. Rev. Lett. 61 (1988) 259-262.
B. Poole, S. Lahiri, M. Raghu, J. Sohl-Dickstein, S. Ganguli, "Exponential
expressivity in deep neural networks through transient chaos", NeurIPS 2016.
S. S. Schoenholz, J. Gilmer, S. Ganguli, J. Sohl-Dickstein, "Deep information
propagation", ICLR 2017.
R. Engelken, F. Wolf, L. F. Abbott, "Lyapunov spectra of chaotic recurrent neural
networks", arXiv:2006.02427 (2020).
C. K. I. Williams, "Computing with infinite networks", NIPS 9 (1997) 295-301.
L. N. Trefethen, J. A. C. Weideman, "The exponentially convergent trapezoidal rule",
SIAM Review 56 (2014) 385-458.
D. G. Clark, L. F. Abbott, A. Litwin-Kumar, "Dimension of activity in random neural
networks", Phys. Rev. Lett. 131 (2023) 118401.
D. G. Clark, "Linear equivalence of nonlinear recurrent neural networks",
arXiv:2604.23489 (2026).
R. C. Terin, "The GINN framework: a stochastic QED correspondence for stability and
chaos in deep neural networks", arXiv:2508.18948 (2025).
"""

from ._covariance_study import (
    CovarianceStudy,
    StabilityCensus,
    covariance_study,
    stability_census,
)
from ._deep_study import (
    DoubleCopyStudy,
    FiniteWidthStudy,
    ThresholdStudy,
    double_copy_study,
    finite_width_study,
    threshold_study,
)
from ._dmft import DMFTResult, dmft_autocorrelation
from ._double_copy import (
    DeepExponent,
    OneLoop,
    ReplicaResult,
    cmap_distance,
    deep_pair_distances,
    deep_tangent_exponent,
    finite_width_correction,
    replica_lyapunov,
)
from ._gauss import ACTIVATIONS, NETWORKS
from ._ginn import GaugeNet, gauge_transform, ginn_forward, ginn_tangent_growth, random_ginn
from ._ginn_study import GaugeCheck, GinnExponents, gauge_invariance_check, ginn_exponent_study
from ._linear_equivalence import linear_equivalent_covariance, participation_ratio
from ._rnn import (
    RNNLyapunov,
    population_autocorrelation,
    random_couplings,
    rnn_lyapunov,
    simulate_rnn,
)
from ._rnn_study import (
    AutocorrelationStudy,
    RNNSizeStudy,
    SpectrumStudy,
    autocorrelation_study,
    rnn_size_study,
    spectrum_size_study,
)
from ._signal import chi1, critical_sigma_w2, meanfield_qstar, qmap
from ._streams import STREAMS, experiment_rng
from ._training_study import TrainingExponents, training_exponents

__all__ = [
    "ACTIVATIONS",
    "NETWORKS",
    "DMFTResult",
    "DeepExponent",
    "GaugeNet",
    "OneLoop",
    "RNNLyapunov",
    "ReplicaResult",
    "chi1",
    "cmap_distance",
    "critical_sigma_w2",
    "deep_pair_distances",
    "deep_tangent_exponent",
    "dmft_autocorrelation",
    "finite_width_correction",
    "gauge_transform",
    "ginn_forward",
    "ginn_tangent_growth",
    "linear_equivalent_covariance",
    "meanfield_qstar",
    "participation_ratio",
    "population_autocorrelation",
    "qmap",
    "random_couplings",
    "random_ginn",
    "replica_lyapunov",
    "rnn_lyapunov",
    "simulate_rnn",
    "AutocorrelationStudy",
    "CovarianceStudy",
    "DoubleCopyStudy",
    "FiniteWidthStudy",
    "GaugeCheck",
    "GinnExponents",
    "RNNSizeStudy",
    "STREAMS",
    "SpectrumStudy",
    "StabilityCensus",
    "ThresholdStudy",
    "TrainingExponents",
    "autocorrelation_study",
    "covariance_study",
    "double_copy_study",
    "experiment_rng",
    "finite_width_study",
    "gauge_invariance_check",
    "ginn_exponent_study",
    "rnn_size_study",
    "spectrum_size_study",
    "stability_census",
    "threshold_study",
    "training_exponents",
]
