"""Training maps of an Objective: gradient descent, mini-batch SGD, Langevin, and their runs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import (
    check_array,
    check_choice,
    check_int,
    check_max_norm,
    check_real,
    check_rng,
    check_size,
    check_steps,
    diverged,
)
from ._objective import Objective, _check_index

__all__ = ["METHODS", "Trajectory", "batch_sequence", "gd_step", "langevin_step", "sgd_step",
           "train", "training_jvp"]

#: Training maps of :func:`train`: full-batch GD, mini-batch SGD, unadjusted Langevin.
METHODS = ("gd", "sgd", "langevin")


def _check_objective(objective, name: str = "objective") -> Objective:
    if not isinstance(objective, Objective):
        raise TypeError(f"{name} must be an Objective, got {type(objective).__name__}")
    return objective


def _check_state(objective: Objective, theta, name: str = "theta") -> np.ndarray:
    """``theta`` checked against the objective, in its own dtype (the step's arithmetic
    is then the same as on the caller's array)."""
    objective._theta(theta, name)
    return np.asarray(theta)


def _check_lr(lr, name: str = "lr") -> None:
    # checked only: the caller's value (a Python or numpy scalar) is used in the
    # arithmetic as given, so that the dtype of the result does not change
    check_real(lr, name, lo=0.0, lo_open=True)


def gd_step(objective: Objective, theta, lr: float) -> np.ndarray:
    """One full-batch gradient-descent step ``theta - lr * grad L(theta)``.

    Parameters
    ----------
    objective : Objective
    theta : array, shape (d,)
        Finite parameters.
    lr : float > 0
        Learning rate ``eta``.

    Returns
    -------
    array, shape (d,)

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, Objective, gd_step
    >>> obj = Objective(MLP((1, 1), "linear"), [[1.0], [2.0]], [[0.0], [0.0]])
    >>> print(gd_step(obj, np.array([1.0, 0.0]), 0.1))
    [ 0.75 -0.15]
    """
    objective = _check_objective(objective)
    theta = _check_state(objective, theta)
    _check_lr(lr)
    return theta - lr * objective.grad(theta)


def sgd_step(objective: Objective, theta, lr: float, batch) -> np.ndarray:
    """One mini-batch SGD step ``theta - lr * grad L_B(theta)`` on the samples ``batch``.

    Parameters
    ----------
    objective : Objective
    theta : array, shape (d,)
        Finite parameters.
    lr : float > 0
        Learning rate ``eta``.
    batch : array of int, shape (B,)
        Indices of the samples of the mini-batch (see :func:`batch_sequence`).

    Returns
    -------
    array, shape (d,)

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, Objective, sgd_step
    >>> obj = Objective(MLP((1, 1), "linear"), [[1.0], [2.0]], [[0.0], [0.0]])
    >>> print(sgd_step(obj, np.array([1.0, 0.0]), 0.1, [1]))
    [ 0.6 -0.2]
    """
    objective = _check_objective(objective)
    theta = _check_state(objective, theta)
    _check_lr(lr)
    batch = _check_index(batch, "batch", objective.n_samples)
    return theta - lr * objective._subset(batch).grad(theta)


def langevin_step(objective: Objective, theta, lr: float, temperature: float,
                  rng: np.random.Generator) -> np.ndarray:
    """One unadjusted Langevin step ``theta - lr grad L + sqrt(2 lr T) xi``, ``xi ~ N(0, I)``.

    Parameters
    ----------
    objective : Objective
    theta : array, shape (d,)
        Finite parameters.
    lr : float > 0
        Learning rate (time step) ``eta``.
    temperature : float >= 0
        Temperature ``T`` of the noise, in units of the loss.
    rng : numpy.random.Generator
        Source of ``xi`` (``d`` standard normal draws).

    Returns
    -------
    array, shape (d,)

    References
    ----------
    G. O. Roberts, R. L. Tweedie, "Exponential convergence of Langevin distributions
    and their discrete approximations", Bernoulli 2 (1996) 341-363.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, Objective, langevin_step
    >>> obj = Objective(MLP((1, 1), "linear"), [[1.0], [2.0]], [[0.0], [0.0]])
    >>> theta = np.array([1.0, 0.0])
    >>> print(langevin_step(obj, theta, 0.1, 0.0, np.random.default_rng(0)))  # T = 0: GD
    [ 0.75 -0.15]
    """
    objective = _check_objective(objective)
    theta = _check_state(objective, theta)
    _check_lr(lr)
    check_real(temperature, "temperature", lo=0.0)
    rng = check_rng(rng)
    noise = rng.standard_normal(theta.shape[0]).astype(theta.dtype)
    return theta - lr * objective.grad(theta) + np.sqrt(2.0 * lr * temperature) * noise


def training_jvp(objective: Objective, theta, V, lr: float, batch=None) -> np.ndarray:
    """Jacobian of a (mini-batch) gradient step applied to directions ``V``.

    ``D F(theta) V = V - lr * H_batch(theta) V`` with ``H_batch`` the Hessian of the
    loss on ``batch`` (all samples when ``None``), by exact Hessian-vector products
    (:meth:`Objective.hvp`).  Additive Langevin noise does not change the Jacobian.

    Parameters
    ----------
    objective : Objective
    theta : array, shape (d,)
        Finite parameters.
    V : array, shape (d,) or (d, k)
        Tangent directions.
    lr : float > 0
        Learning rate ``eta``.
    batch : array of int, shape (B,), optional
        Mini-batch of the step (full batch when None).

    Returns
    -------
    array, the shape of ``V``

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, Objective, training_jvp
    >>> obj = Objective(MLP((1, 1), "linear"), [[1.0], [2.0]], [[0.0], [0.0]])
    >>> print(training_jvp(obj, np.zeros(2), np.eye(2), 0.1))  # I - 0.1 H
    [[ 0.75 -0.15]
     [-0.15  0.9 ]]
    """
    objective = _check_objective(objective)
    _check_lr(lr)
    obj = objective if batch is None else objective._subset(
        _check_index(batch, "batch", objective.n_samples))
    return V - lr * obj.hvp(theta, V)


def batch_sequence(n_samples: int, batch_size: int, n_steps: int,
                   rng: np.random.Generator) -> np.ndarray:
    """Indices of ``n_steps`` mini-batches, shape ``(n_steps, batch_size)``.

    Epochs of random reshuffles without replacement, the usual data loader; a batch
    never straddles two epochs (the tail ``n_samples % batch_size`` of each shuffle is
    dropped).  Share one sequence between two runs to remove batch noise as a source
    of difference, or draw two to include it.

    Parameters
    ----------
    n_samples : int >= 1
        Size of the data set.
    batch_size : int, 1 <= batch_size <= n_samples
    n_steps : int >= 0
        Number of mini-batches.
    rng : numpy.random.Generator
        Source of the shuffles (one permutation per epoch).

    Returns
    -------
    array of int64, shape (n_steps, batch_size)

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import batch_sequence
    >>> b = batch_sequence(6, 2, 5, np.random.default_rng(0))
    >>> b.shape
    (5, 2)
    >>> sorted(b[:3].ravel().tolist())  # the first epoch visits every sample once
    [0, 1, 2, 3, 4, 5]
    """
    rng = check_rng(rng)
    n_samples = check_size(check_int(n_samples, "n_samples", lo=1), "n_samples")
    batch_size = check_int(batch_size, "batch_size", lo=1, hi=n_samples)
    n_steps = check_steps(n_steps, "n_steps", lo=0)
    check_size(n_steps * batch_size, "n_steps * batch_size")
    check_size(n_steps * batch_size, "n_steps")
    per_epoch = n_samples // batch_size
    n_epochs = -(-n_steps // per_epoch) if n_steps else 0
    out = np.empty((n_epochs * per_epoch, batch_size), dtype=np.int64)
    for e in range(n_epochs):
        perm = rng.permutation(n_samples)[: per_epoch * batch_size]
        out[e * per_epoch:(e + 1) * per_epoch] = perm.reshape(per_epoch, batch_size)
    return out[:n_steps]


@dataclass
class Trajectory:
    """Checkpoints of a training run (what :func:`train` returns).

    Attributes
    ----------
    thetas : array, shape (n_saved, d)
        Parameters at the saved steps (the initial point is always saved).
    steps : array of int, shape (n_saved,)
    losses : array, shape (n_saved,)
        Full-data loss at the saved steps.
    diverged : bool
        True if the run stopped because the parameters or the loss stopped being finite
        or exceeded ``max_norm``; the trajectory then ends at the last good point.
    diverged_step : int or None
        The step at which the run diverged.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import Trajectory
    >>> tr = Trajectory(np.zeros((2, 3)), np.array([0, 5]), np.array([1.0, 0.5]))
    >>> tr.final.shape, tr.diverged
    ((3,), False)
    """

    thetas: np.ndarray
    steps: np.ndarray
    losses: np.ndarray
    diverged: bool = False
    diverged_step: int | None = None

    @property
    def final(self) -> np.ndarray:
        """Parameters at the last saved step, shape ``(d,)``.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.models import Trajectory
        >>> Trajectory(np.eye(2), np.array([0, 1]), np.zeros(2)).final.tolist()
        [0.0, 1.0]
        """
        return self.thetas[-1]


def train(objective: Objective, theta0, n_steps: int, lr: float, *, method: str = "gd",
          batches=None, batch_size: int | None = None, rng: np.random.Generator | None = None,
          temperature: float = 0.0, save_every: int = 1, clip_norm: float | None = None,
          max_norm: float | None = 1e6) -> Trajectory:
    """Run a training map for ``n_steps`` steps and return the saved checkpoints.

    Parameters
    ----------
    objective : Objective
    theta0 : array, shape (d,)
        Finite initial parameters.
    n_steps : int >= 1
    lr : float > 0
        The learning rate ``eta``.
    method : {"gd", "sgd", "langevin"}
        Full-batch gradient descent, mini-batch SGD, or full-batch unadjusted
        Langevin dynamics at ``temperature``.
    batches : int array (n_steps, B), optional
        Mini-batch indices for "sgd" (see :func:`batch_sequence`); drawn from ``rng``
        with ``batch_size`` if not given.
    batch_size : int, optional
        Mini-batch size for "sgd" without ``batches``.
    rng : numpy.random.Generator
        Needed for "langevin" and for "sgd" without ``batches``.
    temperature : float >= 0
        Temperature of "langevin" (ignored by the other methods).
    save_every : int >= 1
        Save every this many steps (the last step is always saved).
    clip_norm : float > 0, optional
        Rescale the update's gradient to at most this norm (gradient clipping).
    max_norm : float > 0 or inf, optional
        A run whose ``||theta||`` exceeds this, or whose parameters or loss are not
        finite, is reported as diverged and stopped (``None``: finiteness only).

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, Objective, train
    >>> obj = Objective(MLP((1, 1), "linear"), [[1.0], [2.0]], [[1.0], [2.0]])
    >>> run = train(obj, np.zeros(2), 200, 0.5, save_every=100)
    >>> run.steps.tolist(), np.round(run.final, 3).tolist()
    ([0, 100, 200], [1.0, 0.0])
    >>> train(obj, np.zeros(2), 50, 10.0).diverged  # far beyond the stable step size
    True
    """
    objective = _check_objective(objective)
    check_choice(method, "method", METHODS)
    n_steps = check_steps(n_steps, "n_steps", 1)
    _check_lr(lr)
    save_every = check_int(save_every, "save_every", 1)
    check_real(temperature, "temperature", lo=0.0)
    if clip_norm is not None:
        check_real(clip_norm, "clip_norm", lo=0.0, lo_open=True)
    max_norm = check_max_norm(max_norm)
    d = objective.model.n_params
    check_size((n_steps // save_every + 2) * d, "n_steps")
    theta = objective._theta(check_array(theta0, "theta0", dtype=objective.dtype, shape=(d,),
                                         copy=True), "theta0")
    if method == "sgd":
        if batches is None:
            if batch_size is None or rng is None:
                raise ValueError("method='sgd' needs batches, or batch_size and rng")
            batches = batch_sequence(objective.n_samples, batch_size, n_steps, rng)
        batches = check_array(batches, "batches", ndim=2, dtype=None, finite=False)
        if batches.shape[0] < n_steps:
            raise ValueError(f"batches must have shape ({n_steps}, batch_size), "
                             f"got {batches.shape}")
        _check_index(batches[:n_steps].ravel(), "batches", objective.n_samples)
    if method == "langevin":
        rng = check_rng(rng)
    thetas, steps, losses = [theta.copy()], [0], [objective.loss(theta)]
    is_diverged, diverged_step = False, None
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, n_steps + 1):
            obj = objective._subset(batches[t - 1]) if method == "sgd" else objective
            g = obj.grad(theta)
            if clip_norm is not None:
                gn = np.linalg.norm(g)
                if gn > clip_norm:
                    g = g * (clip_norm / gn)
            theta = theta - lr * g
            if method == "langevin" and temperature > 0:
                noise = rng.standard_normal(theta.shape[0]).astype(theta.dtype)
                theta = theta + np.sqrt(2.0 * lr * temperature) * noise
            bad = diverged(theta, max_norm)
            if not bad and (t % save_every == 0 or t == n_steps):
                loss = objective.loss(theta)
                bad = diverged(loss, None)
                if not bad:
                    thetas.append(theta.copy())
                    steps.append(t)
                    losses.append(loss)
            if bad:
                is_diverged, diverged_step = True, t
                break
    return Trajectory(np.array(thetas), np.array(steps), np.array(losses), is_diverged,
                      diverged_step)
