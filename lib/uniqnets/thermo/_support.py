"""Where the law of a training chain lives: reversibility of SGD steps, atoms, fixed points.

Three experiments on the support of the law of ``theta_t``, the premise of the
ergodicity lemmas (A.1/A.2) and of a finite entropy production:

* :func:`sgd_reversal_gap` - how close a reversed single-sample SGD step comes back to
  its start (it never does exactly, so reversed paths have probability zero);
* :func:`two_step_endpoints` - distinct endpoints of two-step runs from one point, SGD
  (finitely many atoms) against Langevin (a density);
* :func:`mirror_fixed_points` - a minimum and its mirror image under a hidden unit's sign
  flip are two invariant point masses of gradient descent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_int, check_real, check_rng

__all__ = ["EndpointCount", "MirrorFixedPoints", "mirror_fixed_points", "sgd_reversal_gap",
           "two_step_endpoints"]


def _objective_theta(objective, theta):
    from ..models import Objective
    from ..models._training import _check_state

    if not isinstance(objective, Objective):
        raise TypeError(f"objective must be an Objective, got {type(objective).__name__}")
    return objective, _check_state(objective, theta)


def sgd_reversal_gap(objective, theta, lr: float) -> float:
    """Smallest distance a reversed single-sample SGD step lands from its start.

    For every forward step ``theta_b = theta - eta g_i(theta)`` and every backward step
    ``theta_b - eta g_j(theta_b)``, the distance to ``theta`` relative to the forward
    step's length; the minimum over all ``n x n`` pairs.

    Parameters
    ----------
    objective : Objective
    theta : array, shape (d,)
    lr : float > 0

    Returns
    -------
    float
        In units of the forward step's length; 0 only if some step can be reversed.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, Objective
    >>> net = MLP((1, 2, 1))
    >>> rng = np.random.default_rng(0)
    >>> obj = Objective(net, rng.standard_normal((4, 1)), rng.standard_normal((4, 1)))
    >>> bool(sgd_reversal_gap(obj, net.init(rng), 0.05) > 1e-3)
    True
    """
    objective, theta = _objective_theta(objective, theta)
    lr = check_real(lr, "lr", lo=0, lo_open=True)
    n = objective.n_samples
    G = np.array([objective.subset([i]).grad(theta) for i in range(n)])
    worst = np.inf
    for i in range(n):
        theta_b = theta - lr * G[i]
        G_b = np.array([objective.subset([j]).grad(theta_b) for j in range(n)])
        back = theta_b - lr * G_b
        worst = min(worst, np.min(np.linalg.norm(back - theta, axis=1))
                    / np.linalg.norm(theta_b - theta))
    return float(worst)


@dataclass(frozen=True)
class EndpointCount:
    """What :func:`two_step_endpoints` returns.

    Attributes
    ----------
    n_runs : int
    sgd_distinct : int
        Distinct endpoints (bit for bit) of the two-step SGD runs.
    sgd_atoms : int
        ``n (n - 1)``: the most there can be with single-sample batches without
        replacement.
    sgd_expected : float
        Distinct atoms expected for ``n_runs`` uniform draws from ``sgd_atoms``.
    lang_distinct : int
        Distinct endpoints of as many two-step Langevin runs.
    """

    n_runs: int
    sgd_distinct: int
    sgd_atoms: int
    sgd_expected: float
    lang_distinct: int


def two_step_endpoints(objective, theta, lr: float, temperature: float, n_runs: int,
                       rng: np.random.Generator) -> EndpointCount:
    """Count the distinct endpoints of two-step SGD (``B = 1``) and Langevin runs from ``theta``.

    The SGD runs come first (each with its own shuffle, from ``rng``), then the Langevin
    runs (their noise from ``rng``).

    Parameters
    ----------
    objective : Objective
    theta : array, shape (d,)
    lr, temperature : float > 0
    n_runs : int >= 1
    rng : numpy.random.Generator

    Returns
    -------
    EndpointCount

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, Objective
    >>> net = MLP((1, 2, 1))
    >>> rng = np.random.default_rng(0)
    >>> obj = Objective(net, rng.standard_normal((4, 1)), rng.standard_normal((4, 1)))
    >>> res = two_step_endpoints(obj, net.init(rng), 0.05, 1e-3, 50, rng)
    >>> res.sgd_distinct <= res.sgd_atoms == 12, res.lang_distinct
    (True, 50)
    """
    from ..models import batch_sequence, train

    objective, theta = _objective_theta(objective, theta)
    lr = check_real(lr, "lr", lo=0, lo_open=True)
    temperature = check_real(temperature, "temperature", lo=0, lo_open=True)
    n_runs = check_int(n_runs, "n_runs", lo=1)
    rng = check_rng(rng)
    n = objective.n_samples
    ends_sgd = np.array([train(objective, theta, 2, lr, method="sgd",
                               batches=batch_sequence(n, 1, 2, rng)).final
                         for _ in range(n_runs)])
    ends_lang = np.array([train(objective, theta, 2, lr, method="langevin",
                                temperature=temperature, rng=rng).final
                          for _ in range(n_runs)])
    atoms = n * (n - 1)
    return EndpointCount(n_runs=n_runs, sgd_distinct=len(np.unique(ends_sgd, axis=0)),
                         sgd_atoms=atoms, sgd_expected=atoms * (1 - (1 - 1 / atoms) ** n_runs),
                         lang_distinct=len(np.unique(ends_lang, axis=0)))


@dataclass(frozen=True)
class MirrorFixedPoints:
    """What :func:`mirror_fixed_points` returns.

    Attributes
    ----------
    separation : float
        ``||theta - g theta||`` for the sign flip ``g`` of one hidden unit.
    max_move : float
        The larger distance either point moves under ``n_steps`` of gradient descent.
    loss_diff : float
        ``|L(g theta) - L(theta)|``.
    """

    separation: float
    max_move: float
    loss_diff: float


def mirror_fixed_points(objective, theta, n_steps: int, lr: float, unit: int = 0
                        ) -> MirrorFixedPoints:
    """Run gradient descent from a minimum and from its mirror image (unit ``unit`` negated).

    Parameters
    ----------
    objective : Objective
        Of a network with one hidden layer and an odd activation.
    theta : array, shape (d,)
        A minimum.
    n_steps : int >= 1
    lr : float > 0
    unit : int
        The hidden unit whose incoming weights, bias and outgoing weights are negated.

    Returns
    -------
    MirrorFixedPoints

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, Objective
    >>> net = MLP((1, 2, 1))
    >>> obj = Objective(net, [[0.0], [1.0]], [[0.0], [0.0]])
    >>> res = mirror_fixed_points(obj, np.array([1.0, 2.0, 0, 0, 0, 0, 0]), 10, 0.1)
    >>> res.separation > 0, res.max_move, res.loss_diff
    (True, 0.0, 0.0)
    """
    from ..models import train

    objective, theta = _objective_theta(objective, theta)
    net = objective.model
    if net.depth != 2 or net.activation not in ("tanh", "linear"):
        raise ValueError("objective: the mirror image needs one hidden layer of odd units")
    unit = check_int(unit, "unit", lo=0, hi=net.sizes[1] - 1)
    n_steps = check_int(n_steps, "n_steps", lo=1)
    lr = check_real(lr, "lr", lo=0, lo_open=True)
    layers = [(W.copy(), b.copy()) for W, b in net.unflatten(theta)]
    layers[0][0][unit], layers[0][1][unit] = -layers[0][0][unit], -layers[0][1][unit]
    layers[1][0][:, unit] = -layers[1][0][:, unit]
    mirror = net.flatten(layers)
    moves = [np.linalg.norm(train(objective, t0, n_steps, lr).final - t0)
             for t0 in (theta, mirror)]
    return MirrorFixedPoints(separation=float(np.linalg.norm(theta - mirror)),
                             max_move=float(max(moves)),
                             loss_diff=float(abs(objective.loss(mirror) - objective.loss(theta))))
