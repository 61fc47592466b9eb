"""Entropy production of Markov chains with Gaussian kernels: exact, path-wise, binned.

A training step ``theta' = theta + b(theta) + xi`` with ``xi ~ N(0, Q(theta))``
(full-batch Langevin: ``b = -eta grad L``, ``Q = 2 eta T I``; SGD in its Gaussian
approximation: ``Q = eta^2 Sigma(theta) / B``) is a discrete-time Markov chain with
kernel ``P(theta'|theta) = N(theta'; theta + b(theta), Q(theta))``.  Its entropy
production over one step from the distribution ``p_t`` is the Kullback-Leibler
divergence between the forward and the time-reversed path measures,

.. code-block:: text

    Sigma_t = KL( p_t(theta) P(theta'|theta) || p_{t+1}(theta') P(theta|theta') ),

where the reversed measure runs the *same* kernel backwards (the parameters are even
under time reversal: there are no momenta to flip).  Along one realised path the
integrand is the stochastic entropy production of Seifert (2012),

.. code-block:: text

    sigma_t = [log p_t(theta_t) - log p_{t+1}(theta_{t+1})]          (system)
              + log P(theta_{t+1}|theta_t) / P(theta_t|theta_{t+1})  (medium),

whose mean is ``Sigma_t`` and which satisfies the integral fluctuation theorem
``E[exp(-sum_t sigma_t)] = 1``.

What this subpackage offers (one subject per private module):

* :func:`path_entropy_production` - the medium (and, given densities, system) terms
  along sampled paths, for constant or state-dependent covariances (``_path``);
  :func:`sample_gaussian_chain` samples such paths (``_chain``);
* closed forms for the linear-Gaussian chain ``theta' = M theta + xi``
  (:func:`linear_gaussian_entropy_production`,
  :func:`linear_gaussian_stationary_entropy_production`; :func:`euler_ou_chain` builds
  ``M, Q`` for the Euler step of an Ornstein-Uhlenbeck process; ``_gaussian``) and for the
  continuous-time Ornstein-Uhlenbeck process ``dx = -A x dt + sqrt(2D) dW``
  (:func:`ou_entropy_production`, :func:`ou_stationary_entropy_production`; ``_ou``);
* finite-state chains: :func:`markov_entropy_production` (Schnakenberg's formula) and
  :func:`grid_transition_matrix`, a quadrature (Nystrom) discretisation of a
  one-dimensional Gaussian-kernel chain that gives numerically exact references
  (``_markov``, with :func:`stationary_distribution`);
* :func:`binned_entropy_production` - the coarse-grained estimator (bins, transition
  counts, KL between forward and reversed counts; ``_binned``);
* :func:`fluctuation_theorem_check` - ``E[exp(-sigma)]`` with its standard error
  (``_fluctuation``);
* the experiments of the book's pages on irreversibility, each returning a frozen
  dataclass: chains with known answers (:func:`ou_relaxation`, :func:`ou_fluctuation`,
  :func:`euler_limit`, :func:`finite_chains`, :func:`quadratic_balance`;
  ``_known_answers``), Langevin dynamics on a double well (:func:`double_well_scan`,
  :func:`double_well_transient`, :func:`double_well_path_estimate`,
  :func:`mixing_times`; ``_double_well``), the binned estimator against known values
  (:func:`binned_convergence_ou`, :func:`binned_double_well`; ``_binned_tests``) and the
  entropy budget of Corollary 15 (:func:`entropy_budget_cases`; ``_entropy_budget``);
* :class:`MinibatchNoise` - the exact covariance of the mini-batch gradient of an
  :class:`uniqnets.models.Objective` (``_minibatch``);
* experiments on a network's training chain: :func:`langevin_heat`,
  :func:`langevin_stationary_production`, :func:`minibatch_transient`,
  :func:`init_law_entropy` (``_network_entropy``); :func:`linearised_rate_scan`,
  :func:`linearised_monte_carlo` near a minimum (``_linearised``); the support of the
  chain's law, :func:`sgd_reversal_gap`, :func:`two_step_endpoints`,
  :func:`mirror_fixed_points` (``_support``); :func:`covariance_degeneracy`, where the
  mini-batch covariance is singular (``_degeneracy``).

Units: entropies in nats (``k_B = 1``); ``*_rate`` quantities per unit of the
continuous time ``t``, per-step quantities per step of the chain.

References
----------
U. Seifert, "Stochastic thermodynamics, fluctuation theorems and molecular machines",
Rep. Prog. Phys. 75 (2012) 126001.
J. Schnakenberg, "Network theory of microscopic and macroscopic behavior of master
equation systems", Rev. Mod. Phys. 48 (1976) 571-585.
G. E. Crooks, "Entropy production fluctuation theorem and the nonequilibrium work
relation for free energy differences", Phys. Rev. E 60 (1999) 2721-2726.
C. Godreche, J.-M. Luck, "Characterising the nonequilibrium stationary states of
Ornstein-Uhlenbeck processes", J. Phys. A 52 (2019) 035002.
E. Roldan, J. M. R. Parrondo, "Estimating dissipation from single stationary
trajectories", Phys. Rev. Lett. 105 (2010) 150607.
"""

from ._binned import BinnedEntropy, binned_entropy_production
from ._binned_tests import (
    BinnedConvergence,
    BinnedDoubleWell,
    binned_convergence_ou,
    binned_double_well,
)
from ._chain import GaussianChainPath, sample_gaussian_chain
from ._degeneracy import CovarianceDegeneracy, covariance_degeneracy
from ._double_well import (
    DoubleWellChain,
    DoubleWellScan,
    DoubleWellTransient,
    MixingTimes,
    PathEstimate,
    double_well_chain,
    double_well_path_estimate,
    double_well_scan,
    double_well_transient,
    mixing_times,
)
from ._entropy_budget import EntropyBudgetCases, entropy_budget_cases
from ._fluctuation import FluctuationCheck, fluctuation_theorem_check
from ._gaussian import (
    LinearGaussianEntropy,
    euler_ou_chain,
    gaussian_entropy,
    gaussian_kl,
    linear_gaussian_entropy_production,
    linear_gaussian_stationary_entropy_production,
)
from ._known_answers import (
    EulerLimit,
    FiniteChains,
    OUFluctuation,
    OURelaxation,
    QuadraticBalance,
    euler_limit,
    finite_chains,
    ou_fluctuation,
    ou_relaxation,
    quadratic_balance,
)
from ._linearised import (
    LinearisedCheck,
    RateScan,
    linearised_monte_carlo,
    linearised_rate_scan,
)
from ._markov import (
    MarkovEntropy,
    grid_transition_matrix,
    markov_entropy_production,
    stationary_distribution,
)
from ._minibatch import MinibatchNoise
from ._network_entropy import (
    LangevinHeat,
    MinibatchTransient,
    StationaryProduction,
    init_law_entropy,
    langevin_heat,
    langevin_stationary_production,
    minibatch_transient,
)
from ._ou import OUEntropy, ou_entropy_production, ou_stationary_entropy_production
from ._path import PathEntropy, path_entropy_production
from ._support import (
    EndpointCount,
    MirrorFixedPoints,
    mirror_fixed_points,
    sgd_reversal_gap,
    two_step_endpoints,
)

__all__ = [
    "BinnedEntropy",
    "FluctuationCheck",
    "LinearGaussianEntropy",
    "MarkovEntropy",
    "MinibatchNoise",
    "OUEntropy",
    "PathEntropy",
    "binned_entropy_production",
    "euler_ou_chain",
    "fluctuation_theorem_check",
    "gaussian_entropy",
    "gaussian_kl",
    "grid_transition_matrix",
    "linear_gaussian_entropy_production",
    "linear_gaussian_stationary_entropy_production",
    "markov_entropy_production",
    "ou_entropy_production",
    "ou_stationary_entropy_production",
    "GaussianChainPath",
    "path_entropy_production",
    "sample_gaussian_chain",
    "stationary_distribution",
    "CovarianceDegeneracy",
    "EndpointCount",
    "LangevinHeat",
    "LinearisedCheck",
    "MinibatchTransient",
    "MirrorFixedPoints",
    "RateScan",
    "StationaryProduction",
    "covariance_degeneracy",
    "init_law_entropy",
    "langevin_heat",
    "langevin_stationary_production",
    "linearised_monte_carlo",
    "linearised_rate_scan",
    "minibatch_transient",
    "mirror_fixed_points",
    "sgd_reversal_gap",
    "two_step_endpoints",
    # experiments with known answers, the double well, the binned estimator's tests
    "BinnedConvergence", "BinnedDoubleWell", "DoubleWellChain", "DoubleWellScan",
    "DoubleWellTransient", "EntropyBudgetCases", "EulerLimit", "FiniteChains", "MixingTimes",
    "OUFluctuation", "OURelaxation", "PathEstimate", "QuadraticBalance",
    "binned_convergence_ou", "binned_double_well", "double_well_chain",
    "double_well_path_estimate", "double_well_scan", "double_well_transient",
    "entropy_budget_cases", "euler_limit", "finite_chains", "mixing_times", "ou_fluctuation",
    "ou_relaxation", "quadratic_balance",
]
