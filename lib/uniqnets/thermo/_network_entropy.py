"""Entropy production of training a network: Langevin walkers, their long-time regime, SGD noise.

Experiments on a :class:`uniqnets.models.Objective`, each returning a frozen dataclass:

* :func:`langevin_heat` - walkers of full-batch Langevin training from an initial law:
  the medium term (heat over temperature) of every path, the entropy of one step's
  noise (a lower bound on ``H(theta_T)``) and, at a few checkpoints, the per-step lower
  bound ``E ln|det(I - eta H)| + E[medium]`` on the entropy production;
* :func:`langevin_stationary_production` - the part of the entropy production that
  persists near a minimum, ``E[eps] / T`` with ``eps`` the trapezoid defect of the loss
  along the step, with a batch-means standard error;
* :func:`minibatch_transient` - walkers of the Gaussian model of mini-batch noise on top
  of Langevin noise, with the exact state-dependent covariance at every step;
* :func:`init_law_entropy` - the differential entropy of :meth:`MLP.init`'s law.

Units: nats.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .._validate import check_callable, check_int, check_real, check_rng
from ._chain import sample_gaussian_chain
from ._minibatch import MinibatchNoise
from ._path import path_entropy_production

__all__ = ["LangevinHeat", "MinibatchTransient", "StationaryProduction", "init_law_entropy",
           "langevin_heat", "langevin_stationary_production", "minibatch_transient"]


def _objective(objective):
    from ..models import Objective

    if not isinstance(objective, Objective):
        raise TypeError(f"objective must be an Objective, got {type(objective).__name__}")
    return objective


def _rngs(rngs, name: str = "rngs") -> list:
    if isinstance(rngs, np.random.Generator) or not isinstance(rngs, Sequence):
        raise TypeError(f"{name} must be a list of numpy Generators, one per walker")
    if len(rngs) < 2:
        raise ValueError(f"{name} must hold at least two walkers' generators, got {len(rngs)}")
    return [check_rng(r, name) for r in rngs]


def _se(x) -> float:
    x = np.asarray(x, dtype=float)
    return float(np.std(x, ddof=1) / np.sqrt(x.size))


def init_law_entropy(model, bias_std: float = 0.0, gain: float = 1.0) -> float:
    """Differential entropy (nats) of the law of ``model.init(rng, gain, bias_std)``.

    Weights ``N(0, gain^2 / fan_in)`` and biases ``N(0, bias_std^2)``, all independent:
    ``sum_i 0.5 ln(2 pi e var_i)``.

    Parameters
    ----------
    model : MLP
    bias_std, gain : float > 0

    Returns
    -------
    float

    Examples
    --------
    >>> from uniqnets.models import MLP
    >>> print(f"{init_law_entropy(MLP((1, 1), 'linear'), bias_std=1.0):.4f}")  # 2 N(0, 1)
    2.8379
    """
    from ..models._mlp import _check_model

    model = _check_model(model)
    bias_std = check_real(bias_std, "bias_std", lo=0, lo_open=True)
    gain = check_real(gain, "gain", lo=0, lo_open=True)
    var = np.concatenate([np.full(n_out * n_in, gain**2 / n_in) if k == 0
                          else np.full(n_out, bias_std**2)
                          for n_in, n_out in zip(model.sizes[:-1], model.sizes[1:], strict=True)
                          for k in (0, 1)])
    return float(0.5 * np.sum(np.log(2 * np.pi * np.e * var)))


@dataclass(frozen=True)
class LangevinHeat:
    """What :func:`langevin_heat` returns (``W`` walkers, ``n`` steps, ``d`` parameters).

    Attributes
    ----------
    medium : array, shape (W, n)
        Medium term of every step of every path (nats).
    heat : array, shape (W,)
        Its sum along each path, ``Delta S_med`` (about the loss drop over ``T``).
    heat_mean, heat_se : float
        Mean over walkers and its standard error.
    loss_drop : array, shape (W,)
        ``L(theta_0) - L(theta_n)`` of each walker.
    initial : array, shape (W, d)
        The walkers' initial points.
    noise_entropy : float
        ``d/2 ln(4 pi e eta T)``, the entropy of one step's noise: ``H(theta_n) >=`` it.
    checkpoints : int array, shape (k,)
        Steps at which the per-step bound was evaluated (empty without Hessians).
    step_bound, step_bound_se : arrays, shape (k,)
        ``E ln|det(I - eta H(theta_t))| + E[medium_t]``, a lower bound on the step's
        entropy production if the gradient step is injective, and its standard error.
    eta_lam_max : float
        ``eta max |lambda(H)|`` over the checkpoints (NaN without Hessians); the step
        is injective only if it is below 1.
    n_diverged : int
        Walkers that diverged (none of the above includes them).
    """

    medium: np.ndarray
    heat: np.ndarray
    heat_mean: float
    heat_se: float
    loss_drop: np.ndarray
    initial: np.ndarray
    noise_entropy: float
    checkpoints: np.ndarray
    step_bound: np.ndarray
    step_bound_se: np.ndarray
    eta_lam_max: float
    n_diverged: int


def langevin_heat(objective, init: Callable, rngs, n_steps: int, lr: float, temperature: float,
                  *, hessian_checkpoints: int = 0) -> LangevinHeat:
    """Run Langevin walkers ``theta' = theta - eta grad L + sqrt(2 eta T) z`` and measure heat.

    Walker ``w`` draws its initial point as ``init(rngs[w])`` and then its noise from
    the same generator (the same generator may be passed for several walkers: it is
    then used walker after walker).

    Parameters
    ----------
    objective : Objective
    init : callable
        ``init(rng) -> theta0``, shape ``(d,)``.
    rngs : list of numpy.random.Generator, at least two
        One per walker.
    n_steps : int >= 1
    lr : float > 0
        ``eta``.
    temperature : float > 0
        ``T``.
    hessian_checkpoints : int >= 0
        Evaluate the per-step bound at this many evenly spaced steps (exact Hessians).

    Returns
    -------
    LangevinHeat

    References
    ----------
    U. Seifert, "Stochastic thermodynamics, fluctuation theorems and molecular machines",
    Rep. Prog. Phys. 75 (2012) 126001.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, Objective
    >>> net = MLP((1, 2, 1))
    >>> rng = np.random.default_rng(0)
    >>> obj = Objective(net, rng.standard_normal((8, 1)), rng.standard_normal((8, 1)))
    >>> rngs = [np.random.default_rng(w) for w in range(3)]
    >>> res = langevin_heat(obj, lambda r: net.init(r, bias_std=0.5), rngs, 20, 0.05, 1e-3,
    ...                     hessian_checkpoints=2)
    >>> res.heat.shape, res.checkpoints.tolist(), res.n_diverged
    ((3,), [0, 19], 0)
    """
    objective = _objective(objective)
    init = check_callable(init, "init")
    rngs = _rngs(rngs)
    n_steps = check_int(n_steps, "n_steps", lo=1)
    lr = check_real(lr, "lr", lo=0, lo_open=True)
    temperature = check_real(temperature, "temperature", lo=0, lo_open=True)
    hessian_checkpoints = check_int(hessian_checkpoints, "hessian_checkpoints", lo=0)
    from ..models import train

    paths, grads, diverged = [], [], 0
    for r in rngs:
        run = train(objective, init(r), n_steps, lr, method="langevin",
                    temperature=temperature, rng=r)
        if run.diverged:
            diverged += 1
            continue
        paths.append(run.thetas)
        grads.append(np.array([objective.grad(t) for t in run.thetas]))
    if len(paths) < 2:
        raise ValueError("lr: fewer than two walkers stayed finite; lower the learning rate")
    paths, grads = np.array(paths), np.array(grads)
    d = paths.shape[2]
    medium = path_entropy_production(paths, -lr * grads, 2 * lr * temperature).medium
    heat = medium.sum(axis=1)
    checks = (np.unique(np.linspace(0, n_steps - 1, hessian_checkpoints).astype(int))
              if hessian_checkpoints else np.zeros(0, dtype=int))
    logdet, eta_lam = [], np.nan if not hessian_checkpoints else 0.0
    for t in checks:
        row = []
        for p in paths:
            H = objective.hvp(p[t], np.eye(d))
            lam = np.linalg.eigvalsh(0.5 * (H + H.T))
            eta_lam = max(eta_lam, lr * np.abs(lam).max())
            row.append(np.sum(np.log(np.abs(1 - lr * lam))))
        logdet.append(row)
    bound_w = np.array(logdet).reshape(len(checks), len(paths)) + medium[:, checks].T
    return LangevinHeat(
        medium=medium, heat=heat, heat_mean=float(heat.mean()), heat_se=_se(heat),
        loss_drop=np.array([objective.loss(p[0]) - objective.loss(p[-1]) for p in paths]),
        initial=paths[:, 0], noise_entropy=float(0.5 * d * np.log(4 * np.pi * np.e * lr
                                                                   * temperature)),
        checkpoints=checks, step_bound=bound_w.mean(axis=1),
        step_bound_se=(bound_w.std(axis=1, ddof=1) / np.sqrt(len(paths))),
        eta_lam_max=float(eta_lam), n_diverged=diverged)


@dataclass(frozen=True)
class StationaryProduction:
    """What :func:`langevin_stationary_production` returns.

    Attributes
    ----------
    per_step : array, shape (W, n)
        ``eps_t / T`` of every step of every walker (nats per step).
    mean : float
        Their mean, the estimate of the persisting entropy production per step.
    se : float
        Its standard error from batch means over blocks of ``block`` steps.
    n_blocks : int
    """

    per_step: np.ndarray
    mean: float
    se: float
    n_blocks: int


def langevin_stationary_production(objective, theta, rngs, n_steps: int, lr: float,
                                   temperature: float, block: int = 100
                                   ) -> StationaryProduction:
    """Estimate ``E[eps] / T`` along Langevin walkers started at ``theta`` (a minimum).

    ``eps = L(theta') - L(theta) - <theta' - theta, (g(theta) + g(theta')) / 2>`` is the
    trapezoid defect of the loss along a step; it vanishes identically on a quadratic
    loss, so the estimate measures the anharmonicity that makes the long-time regime
    produce entropy.

    Parameters
    ----------
    objective : Objective
    theta : array, shape (d,)
        The walkers' common start.
    rngs : list of numpy.random.Generator, at least two
        One per walker.
    n_steps : int >= block
    lr, temperature : float > 0
    block : int >= 1
        Block length of the batch means (the per-step terms are weakly correlated).

    Returns
    -------
    StationaryProduction

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, Objective
    >>> net = MLP((1, 2, 1))
    >>> rng = np.random.default_rng(0)
    >>> obj = Objective(net, rng.standard_normal((8, 1)), rng.standard_normal((8, 1)))
    >>> rngs = [np.random.default_rng(w) for w in range(2)]
    >>> res = langevin_stationary_production(obj, net.init(rng), rngs, 40, 0.05, 1e-3, block=10)
    >>> res.per_step.shape, res.n_blocks
    ((2, 40), 8)
    """
    objective = _objective(objective)
    from ..models import train
    from ..models._training import _check_state

    theta = _check_state(objective, theta)
    rngs = _rngs(rngs)
    block = check_int(block, "block", lo=1)
    n_steps = check_int(n_steps, "n_steps", lo=block)
    lr = check_real(lr, "lr", lo=0, lo_open=True)
    temperature = check_real(temperature, "temperature", lo=0, lo_open=True)
    est = []
    for r in rngs:
        run = train(objective, theta, n_steps, lr, method="langevin", temperature=temperature,
                    rng=r)
        LG = [objective.loss_and_grad(t) for t in run.thetas]
        Ls = np.array([v for v, _ in LG])
        Gs = np.array([g for _, g in LG])
        dl = np.diff(run.thetas, axis=0)
        est.append((Ls[1:] - Ls[:-1] - 0.5 * np.sum(dl * (Gs[1:] + Gs[:-1]), axis=1))
                   / temperature)
    est = np.array(est)
    blocks = est[:, : (n_steps // block) * block].reshape(-1, block).mean(axis=1)
    return StationaryProduction(per_step=est, mean=float(est.mean()),
                                se=float(blocks.std(ddof=1) / np.sqrt(blocks.size)),
                                n_blocks=int(blocks.size))


@dataclass(frozen=True)
class MinibatchTransient:
    """What :func:`minibatch_transient` returns (``W`` walkers).

    Attributes
    ----------
    heat : array, shape (W,)
        Medium term summed along each path (nats).
    heat_mean, heat_se : float
    noise_entropy : array, shape (W,)
        Entropy of the last step's noise ``N(0, Q(theta_{n-1}))``; ``H(theta_n)`` is at
        least its mean.
    bound_terms : array, shape (W,)
        ``noise_entropy + heat``: their mean minus ``H(theta_0)`` is a lower bound on the
        total entropy production, and their spread gives its standard error.
    n_diverged : int
    """

    heat: np.ndarray
    heat_mean: float
    heat_se: float
    noise_entropy: np.ndarray
    bound_terms: np.ndarray
    n_diverged: int

    def total_bound(self, initial_entropy: float) -> tuple[float, float]:
        """Lower bound on the total entropy production and its standard error.

        Examples
        --------
        >>> z = np.zeros(2)
        >>> MinibatchTransient(z, 0.0, 0.0, z, np.array([1.0, 3.0]), 0).total_bound(0.5)
        (1.5, 1.0)
        """
        return float(self.bound_terms.mean() - initial_entropy), _se(self.bound_terms)


def minibatch_transient(objective, noise: MinibatchNoise, theta0, n_steps: int, lr: float,
                        temperature: float, rng: np.random.Generator) -> MinibatchTransient:
    """Walkers of ``theta' = theta - eta grad L + xi``, ``xi ~ N(0, 2 eta T I + eta^2 Sigma_B)``.

    Stochastic-gradient Langevin dynamics in the Gaussian model of its mini-batch
    noise: the exact mini-batch covariance ``Sigma_B(theta)`` at every state.

    Parameters
    ----------
    objective : Objective
    noise : MinibatchNoise
        Of the same objective.
    theta0 : array, shape (W, d), W >= 2
        The walkers' initial points.
    n_steps : int >= 1
    lr, temperature : float > 0
    rng : numpy.random.Generator

    Returns
    -------
    MinibatchTransient

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, Objective
    >>> from uniqnets.thermo import MinibatchNoise
    >>> net = MLP((1, 2, 1))
    >>> rng = np.random.default_rng(0)
    >>> obj = Objective(net, rng.standard_normal((8, 1)), rng.standard_normal((8, 1)))
    >>> th0 = np.array([net.init(rng) for _ in range(2)])
    >>> res = minibatch_transient(obj, MinibatchNoise(obj, 2), th0, 5, 0.05, 1e-3, rng)
    >>> res.heat.shape, res.n_diverged
    ((2,), 0)
    """
    objective = _objective(objective)
    if not isinstance(noise, MinibatchNoise):
        raise TypeError(f"noise must be a MinibatchNoise, got {type(noise).__name__}")
    from .._validate import check_array

    d = objective.model.n_params
    theta0 = check_array(theta0, "theta0", shape=(None, d))
    if theta0.shape[0] < 2:
        raise ValueError(f"theta0 must hold at least two walkers, got {theta0.shape[0]}")
    n_steps = check_int(n_steps, "n_steps", lo=1)
    lr = check_real(lr, "lr", lo=0, lo_open=True)
    temperature = check_real(temperature, "temperature", lo=0, lo_open=True)
    rng = check_rng(rng)
    eye = np.eye(d)
    chain = sample_gaussian_chain(theta0, lambda t: -lr * objective.grad(t),
                                  lambda t: 2 * lr * temperature * eye + lr**2 * noise(t),
                                  n_steps, rng, batched=False)
    ok = ~chain.diverged
    if ok.sum() < 2:
        raise ValueError("lr: fewer than two walkers stayed finite; lower the learning rate")
    pe = path_entropy_production(chain.path[ok], chain.drift[ok], chain.cov[ok])
    heat = pe.medium.sum(axis=1)
    H_noise = np.array([0.5 * np.linalg.slogdet(2 * np.pi * np.e * c[-2])[1]
                        for c in chain.cov[ok]])
    return MinibatchTransient(heat=heat, heat_mean=float(heat.mean()), heat_se=_se(heat),
                              noise_entropy=H_noise, bound_terms=H_noise + heat,
                              n_diverged=int(chain.diverged.sum()))
