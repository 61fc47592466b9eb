"""Tiny multilayer perceptrons on a flat parameter vector.

A network with layer sizes ``(n_0, n_1, ..., n_L)`` has parameters
``theta`` in R^d, packed layer by layer: for l = 1..L the weight matrix
``W_l`` of shape ``(n_l, n_{l-1})`` in row-major order, then the bias
``b_l`` of shape ``(n_l,)``.  Inputs ``X`` have shape ``(n_samples, n_0)``,
outputs ``(n_samples, n_L)``; the last layer is linear::

    a_0 = X,  z_l = a_{l-1} W_l^T + b_l,  a_l = phi(z_l) (l < L),  f = z_L.

Everything here is exact: the gradient by back-propagation and the
Hessian-vector product by Pearlmutter's R-operator (forward-over-reverse),
which costs a small multiple of a gradient and takes a block of directions
at once.  The training maps (gradient descent, mini-batch SGD, Langevin) take
their randomness as an explicit :class:`numpy.random.Generator`.

The isometric symmetries of an MLP (Definition 1 of the uniqueness preprint)
are the permutations of hidden units and, for odd activations, their sign
flips; :func:`permute_hidden` applies them and :func:`align` finds the one
that brings a network closest to a reference (weight matching).

The subjects live in private modules: ``_mlp`` (:class:`MLP`), ``_objective``
(:class:`Objective`: loss, gradient, per-sample gradients, Hessian-vector
product), ``_training`` (the training maps, :func:`train`, :class:`Trajectory`)
``_symmetry`` (permutations, alignment, rounding-error bounds), ``_comparison``
(experiments on when two networks are the same: :func:`symmetry_check`,
:func:`equivariance_gap`, :func:`rescaling_check`, :func:`pair_distances`),
``_minimum`` (:func:`find_minimum`: gradient descent, then Newton's method),
``_reproducibility`` (batches of runs compared by a two-sample test) and ``_posterior``
(the Bayesian posterior of a teacher-student regression: :func:`teacher_network`,
:func:`teacher_data`, :func:`posterior_modes` with their Laplace approximations modulo
the symmetries, :func:`concentration` over a grid of sample sizes).

References
----------
B. A. Pearlmutter, "Fast exact multiplication by the Hessian", Neural
Computation 6 (1994) 147-160.
S. K. Ainsworth, J. Hayase, S. Srinivasa, "Git Re-Basin: merging models
modulo permutation symmetries", ICLR 2023.
"""

from ._comparison import (
    EquivarianceGap,
    PairDistances,
    RescalingCheck,
    SymmetryCheck,
    equivariance_gap,
    pair_distances,
    rescaling_check,
    symmetry_check,
)
from ._minimum import Minimum, find_minimum
from ._mlp import ACTIVATIONS, MLP
from ._objective import LOSSES as LOSSES  # public constants outside __all__, as before
from ._objective import Objective
from ._posterior import (
    Concentration,
    PosteriorModes,
    concentration,
    posterior_modes,
    teacher_data,
    teacher_network,
)
from ._reproducibility import BatchComparison, batch_comparison
from ._symmetry import (
    align,
    forward_error_bound,
    function_distance,
    permute_hidden,
    random_symmetry,
)
from ._training import METHODS as METHODS
from ._training import (
    Trajectory,
    batch_sequence,
    gd_step,
    langevin_step,
    sgd_step,
    train,
    training_jvp,
)

__all__ = [
    "BatchComparison",
    "batch_comparison",
    "ACTIVATIONS",
    "Concentration",
    "EquivarianceGap",
    "MLP",
    "Minimum",
    "Objective",
    "PairDistances",
    "PosteriorModes",
    "RescalingCheck",
    "SymmetryCheck",
    "Trajectory",
    "align",
    "batch_sequence",
    "concentration",
    "equivariance_gap",
    "find_minimum",
    "forward_error_bound",
    "function_distance",
    "gd_step",
    "langevin_step",
    "pair_distances",
    "permute_hidden",
    "posterior_modes",
    "random_symmetry",
    "rescaling_check",
    "sgd_step",
    "symmetry_check",
    "teacher_data",
    "teacher_network",
    "train",
    "training_jvp",
]
