"""When are two networks the same: symmetric copies, equivariant training, pair distances.

Experiments on Definitions 1-3 and Proposition 4 of the uniqueness preprint, each
returning a small frozen dataclass of numbers:

* :func:`symmetry_check` - a random signed permutation moves the parameters but not
  the function (to the rounding bound), and weight matching undoes it exactly;
* :func:`equivariance_gap` - training from ``g theta_0`` against ``g`` applied to the
  run from ``theta_0`` (Proposition 4 in floating point);
* :func:`rescaling_check` - the ReLU rescaling symmetry, which is not an isometry and
  which alignment by signed permutations cannot undo;
* :func:`pair_distances` - every pair of independently trained networks in three
  distances: raw, modulo the symmetries (weight matching) and as functions.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from math import lgamma, log

import numpy as np

from .._validate import check_array, check_int, check_real, check_rng
from ._mlp import MLP, _check_model
from ._symmetry import (
    _odd,
    align,
    forward_error_bound,
    function_distance,
    permute_hidden,
    random_symmetry,
)
from ._training import _check_objective, _check_state, train

__all__ = ["EquivarianceGap", "PairDistances", "RescalingCheck", "SymmetryCheck",
           "equivariance_gap", "pair_distances", "rescaling_check", "symmetry_check"]


@dataclass(frozen=True)
class SymmetryCheck:
    """What :func:`symmetry_check` returns.

    Attributes
    ----------
    param_shift : float
        ``||g theta - theta||`` (units of ``theta``).
    fn_diff_max : float
        Largest ``|f_theta(x) - f_{g theta}(x)|`` over the inputs (units of the output).
    fn_bound_max : float
        Largest sum of the two forward passes' rounding bounds.
    fn_excess_max : float
        Largest ``|f_theta - f_{g theta}|`` minus its bound, input by input; ``<= 0``
        when the two functions agree to rounding everywhere.
    alignment_exact : bool
        Weight matching returns ``theta`` bit for bit from ``g theta``.
    log10_group_order : float
        ``log10`` of the number of signed permutations of hidden units (permutations
        only for a non-odd activation), Eq. ``prod_l 2^{n_l} n_l!``.
    perms, signs : tuple
        The symmetry ``g`` drawn (``signs`` is None without sign flips).
    """

    param_shift: float
    fn_diff_max: float
    fn_bound_max: float
    fn_excess_max: float
    alignment_exact: bool
    log10_group_order: float
    perms: tuple
    signs: tuple | None


def symmetry_check(model: MLP, theta, X, rng: np.random.Generator) -> SymmetryCheck:
    """Apply a random hidden-unit symmetry to ``theta`` and measure what changes.

    Parameters
    ----------
    model : MLP
    theta : array, shape (d,)
        Finite parameters.
    X : array, shape (n_samples, n_0)
        Inputs on which the two functions are compared.
    rng : numpy.random.Generator
        Source of the symmetry (:func:`random_symmetry`).

    Returns
    -------
    SymmetryCheck

    References
    ----------
    R. Hecht-Nielsen, "On the algebraic structure of feedforward network weight spaces",
    in Advanced Neural Computers, 1990; H. J. Sussmann, "Uniqueness of the weights for
    minimal feedforward nets with a given input-output map", Neural Networks 5 (1992).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, symmetry_check
    >>> net = MLP((1, 4, 1), "tanh")
    >>> rng = np.random.default_rng(0)
    >>> res = symmetry_check(net, net.init(rng), rng.standard_normal((5, 1)), rng)
    >>> res.alignment_exact, res.fn_excess_max <= 0, round(res.log10_group_order, 2)
    (True, True, 2.59)
    """
    model = _check_model(model)
    theta = model._check_theta(theta)
    X = model._check_X(X, theta.dtype)
    rng = check_rng(rng)
    perms, signs = random_symmetry(model, rng)
    theta_g = permute_hidden(model, theta, perms, signs)
    diff = np.abs(model(theta, X) - model(theta_g, X))
    bound = forward_error_bound(model, theta, X) + forward_error_bound(model, theta_g, X)
    back, _, _ = align(model, theta, theta_g)
    odd = _odd(model)
    log10_g = sum((n * log(2) if odd else 0.0) + lgamma(n + 1)
                  for n in model.sizes[1:-1]) / log(10)
    return SymmetryCheck(
        param_shift=float(np.linalg.norm(theta_g - theta)), fn_diff_max=float(diff.max()),
        fn_bound_max=float(bound.max()), fn_excess_max=float((diff - bound).max()),
        alignment_exact=bool(np.array_equal(back, theta)), log10_group_order=float(log10_g),
        perms=tuple(perms), signs=None if signs is None else tuple(signs))


@dataclass(frozen=True)
class EquivarianceGap:
    """What :func:`equivariance_gap` returns.

    Attributes
    ----------
    steps : int array, shape (n_saved,)
    gap : array, shape (n_saved,)
        ``||g theta_t - theta^g_t||`` at the saved steps (units of ``theta``).
    first_step_gap : float
        The gap after one step (``gap[1]``).
    scale : float
        ``||theta_T||`` of the final parameters, the scale the gap is compared with.
    diverged : bool
        Either run diverged.
    """

    steps: np.ndarray
    gap: np.ndarray
    first_step_gap: float
    scale: float
    diverged: bool


def equivariance_gap(objective, theta0, n_steps: int, lr: float, perms, signs=None
                     ) -> EquivarianceGap:
    """Train from ``theta0`` and from ``g theta0`` by gradient descent; compare step by step.

    In exact arithmetic ``F(g theta) = g F(theta)`` for every hidden-unit symmetry
    ``g`` (Proposition 4 of the uniqueness preprint); in floating point the two runs
    sum in different orders and differ by rounding.

    Parameters
    ----------
    objective : Objective
    theta0 : array, shape (d,)
    n_steps : int >= 1
    lr : float > 0
    perms, signs : the symmetry ``g`` (as :func:`random_symmetry` returns it)

    Returns
    -------
    EquivarianceGap

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, Objective, equivariance_gap, random_symmetry
    >>> net = MLP((1, 4, 1), "tanh")
    >>> rng = np.random.default_rng(0)
    >>> obj = Objective(net, rng.standard_normal((8, 1)), rng.standard_normal((8, 1)))
    >>> res = equivariance_gap(obj, net.init(rng), 20, 0.1, *random_symmetry(net, rng))
    >>> res.gap.shape, bool(res.first_step_gap < 1e-14)
    ((21,), True)
    """
    objective = _check_objective(objective)
    theta0 = _check_state(objective, theta0, "theta0")
    n_steps = check_int(n_steps, "n_steps", lo=1)
    lr = check_real(lr, "lr", lo=0, lo_open=True)
    model = objective.model
    run = train(objective, theta0, n_steps, lr)
    run_g = train(objective, permute_hidden(model, theta0, perms, signs), n_steps, lr)
    n = min(len(run.thetas), len(run_g.thetas))
    gap = np.array([np.linalg.norm(permute_hidden(model, t, perms, signs) - tg)
                    for t, tg in zip(run.thetas[:n], run_g.thetas[:n], strict=True)])
    return EquivarianceGap(steps=run.steps[:n], gap=gap, first_step_gap=float(gap[min(1, n - 1)]),
                           scale=float(np.linalg.norm(run.final)),
                           diverged=bool(run.diverged or run_g.diverged))


@dataclass(frozen=True)
class RescalingCheck:
    """What :func:`rescaling_check` returns.

    Attributes
    ----------
    shift : float
        ``||theta_c - theta||``, the rescaled network's distance from the original.
    aligned_shift : float
        The same distance after weight matching by signed permutations.
    fn_diff : float
        Largest ``|f_theta - f_{theta_c}|`` over the inputs.
    fn_tolerance : float
        The two forward passes' rounding bounds plus ``4 eps max|f|`` for the two
        roundings of each rescaled weight (``c w`` and ``w / c``).
    """

    shift: float
    aligned_shift: float
    fn_diff: float
    fn_tolerance: float


def rescaling_check(model: MLP, theta, X, scales) -> RescalingCheck:
    """Rescale the first hidden layer's units of a ReLU network by ``c > 0`` and ``1/c``.

    Incoming weights and bias of unit ``k`` are multiplied by ``scales[k]`` and its
    outgoing weights divided by it; since ``relu(c z) = c relu(z)`` the function does not
    change, but the map is not an isometry, so it is not in the group of Definition 1.

    Parameters
    ----------
    model : MLP
        A relu network with at least one hidden layer.
    theta : array, shape (d,)
    X : array, shape (n_samples, n_0)
    scales : array, shape (n_1,)
        Positive, finite factors, one per unit of the first hidden layer.

    Returns
    -------
    RescalingCheck

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, rescaling_check
    >>> net = MLP((1, 3, 1), "relu")
    >>> rng = np.random.default_rng(0)
    >>> res = rescaling_check(net, net.init(rng, bias_std=0.1), rng.standard_normal((4, 1)),
    ...                       [0.5, 1.0, 2.0])
    >>> res.fn_diff <= res.fn_tolerance, res.aligned_shift > 0
    (True, True)
    """
    model = _check_model(model)
    if model.activation != "relu" or model.depth < 2:
        raise ValueError("model: rescaling is a symmetry of relu networks with a hidden layer")
    theta = model._check_theta(theta)
    X = model._check_X(X, theta.dtype)
    c = check_array(scales, "scales", shape=(model.sizes[1],))
    if np.any(c <= 0):
        raise ValueError("scales must be positive")
    layers = [(W.copy(), b.copy()) for W, b in model.unflatten(theta)]
    layers[0] = (layers[0][0] * c[:, None], layers[0][1] * c)
    layers[1] = (layers[1][0] / c[None, :], layers[1][1])
    theta_c = model.flatten(layers)
    f = model(theta, X)
    bound = forward_error_bound(model, theta, X) + forward_error_bound(model, theta_c, X)
    aligned, _, _ = align(model, theta, theta_c)
    tol = bound.max() + 4 * np.finfo(theta.dtype).eps * np.abs(f).max()
    return RescalingCheck(shift=float(np.linalg.norm(theta_c - theta)),
                          aligned_shift=float(np.linalg.norm(aligned - theta)),
                          fn_diff=float(np.abs(f - model(theta_c, X)).max()),
                          fn_tolerance=float(tol))


@dataclass(frozen=True)
class PairDistances:
    """What :func:`pair_distances` returns; one entry per pair ``i < j`` of networks.

    Attributes
    ----------
    raw : array, shape (n_pairs,)
        ``||theta_i - theta_j||``.
    aligned : array, shape (n_pairs,)
        ``||theta_i - g theta_j||`` after weight matching: an upper bound on the
        distance in the quotient ``Theta / G``.
    function : array, shape (n_pairs,)
        Root-mean-square difference of the two functions on the inputs.
    init_aligned : array, shape (n_pairs,)
        The aligned distance between the two networks' initial parameters.
    """

    raw: np.ndarray
    aligned: np.ndarray
    function: np.ndarray
    init_aligned: np.ndarray

    def medians(self) -> dict:
        """Medians over pairs, and of the ratios aligned/raw and aligned/init_aligned.

        Examples
        --------
        >>> import numpy as np
        >>> a = np.array([1.0, 2.0])
        >>> PairDistances(2 * a, a, a / 10, a).medians()["aligned_over_raw"]
        0.5
        """
        return {"median_raw_distance": float(np.median(self.raw)),
                "median_aligned_distance": float(np.median(self.aligned)),
                "median_function_distance": float(np.median(self.function)),
                "median_init_aligned_distance": float(np.median(self.init_aligned)),
                "aligned_over_raw": float(np.median(self.aligned / self.raw)),
                "trained_over_init_aligned": float(np.median(self.aligned / self.init_aligned)),
                "aligned_minus_raw_max": float(np.max(self.aligned - self.raw))}


def pair_distances(model: MLP, initial, final, X) -> PairDistances:
    """Distances between every pair of trained networks, with and without the symmetry.

    Parameters
    ----------
    model : MLP
    initial, final : arrays, shape (n_networks, d)
        Each network's initial and trained parameters, ``n_networks >= 2``.
    X : array, shape (n_samples, n_0)
        Held-out inputs for the function distance.

    Returns
    -------
    PairDistances

    References
    ----------
    S. K. Ainsworth, J. Hayase, S. Srinivasa, "Git Re-Basin: merging models modulo
    permutation symmetries", ICLR 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, pair_distances
    >>> net = MLP((1, 3, 1), "tanh")
    >>> rng = np.random.default_rng(0)
    >>> thetas = np.array([net.init(rng) for _ in range(3)])
    >>> res = pair_distances(net, thetas, thetas, rng.standard_normal((4, 1)))
    >>> res.raw.shape, bool(np.all(res.aligned <= res.raw + 1e-12))
    ((3,), True)
    """
    model = _check_model(model)
    d = model.n_params
    initial = check_array(initial, "initial", ndim=2)
    final = check_array(final, "final", ndim=2)
    if initial.shape[1] != d or initial.shape[0] < 2:
        raise ValueError(f"initial must have shape (n >= 2, {d}), got {initial.shape}")
    if final.shape != initial.shape:
        raise ValueError(f"final must have the shape of initial {initial.shape}, "
                         f"got {final.shape}")
    X = model._check_X(X, final.dtype)
    rows = []
    for i, j in itertools.combinations(range(len(final)), 2):
        ti, tj, i0, j0 = final[i], final[j], initial[i], initial[j]
        rows.append((np.linalg.norm(ti - tj), np.linalg.norm(ti - align(model, ti, tj)[0]),
                     function_distance(model, ti, tj, X),
                     np.linalg.norm(i0 - align(model, i0, j0)[0])))
    raw, aligned, fdist, init_aligned = map(np.array, zip(*rows, strict=True))
    return PairDistances(raw=raw, aligned=aligned, function=fdist, init_aligned=init_aligned)
