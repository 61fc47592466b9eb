"""Optimizers from optax's transformations: SGD, heavy-ball momentum, Adam; schedules."""

from __future__ import annotations

from dataclasses import dataclass

from .._validate import check_choice, check_int, check_real

__all__ = ["OPTIMIZERS", "SCHEDULES", "Optimizer", "optimizer"]

#: Optimizers: plain (stochastic) gradient descent, heavy-ball momentum, Adam.
OPTIMIZERS = ("sgd", "momentum", "adam")
#: Learning-rate schedules (each with an optional linear warm-up).
SCHEDULES = ("constant", "cosine")


@dataclass(frozen=True)
class Optimizer:
    """An optimizer's settings; build one with :func:`optimizer`.

    The update of step ``t`` is ``theta <- theta - lr * s(t) * u_t`` with ``s`` the
    schedule (:meth:`schedule_factor`) and ``u_t`` the direction of optax's
    transformation (:meth:`transform`): the gradient (``"sgd"``), its heavy-ball trace
    ``u_t = g_t + momentum * u_{t-1}`` (``"momentum"``, :func:`optax.trace`), or Adam's
    bias-corrected ``m_t / (sqrt(v_t + eps_root) + eps)`` (:func:`optax.scale_by_adam`).
    Weight decay is coupled for SGD and momentum (``g + weight_decay * theta``: the
    gradient of the L2 penalty ``weight_decay / 2 ||theta||^2``, as in
    :class:`uniqnets.models.Objective`) and decoupled for Adam (AdamW:
    ``u_t + weight_decay * theta``).

    Attributes
    ----------
    name : {"sgd", "momentum", "adam"}
    lr : float
        Peak learning rate ``eta``.
    momentum, b1, b2, eps, eps_root : float
        Momentum (``"momentum"``); Adam's decay rates and the constants outside and
        inside its square root.
    weight_decay : float
    schedule : {"constant", "cosine"}
    warmup_steps, total_steps : int
        Linear warm-up from 0 over ``warmup_steps``; cosine decay to 0 at
        ``total_steps``.

    Examples
    --------
    >>> from uniqnets.practice import optimizer
    >>> opt = optimizer("momentum", 0.1, momentum=0.9)
    >>> opt.name, opt.lr, opt.momentum
    ('momentum', 0.1, 0.9)
    """

    name: str
    lr: float
    momentum: float = 0.9
    b1: float = 0.9
    b2: float = 0.999
    eps: float = 1e-8
    eps_root: float = 1e-16
    weight_decay: float = 0.0
    schedule: str = "constant"
    warmup_steps: int = 0
    total_steps: int = 0

    @property
    def structure(self) -> tuple:
        """Everything but the learning rate and the weight decay.

        Two optimizers with the same structure differ only in ``lr`` and
        ``weight_decay``.  (The compiled training maps of :class:`TrainingMap` take
        these, and the optimizer's kind and other hyperparameters too, as arguments:
        only the schedule's structure is compiled in.)

        Examples
        --------
        >>> from uniqnets.practice import optimizer
        >>> optimizer("adam", 1e-3).structure == optimizer("adam", 3e-3).structure
        True
        """
        return (self.name, self.momentum, self.b1, self.b2, self.eps, self.eps_root,
                self.schedule, self.warmup_steps, self.total_steps)

    def transform(self):
        """The optax transformation that turns gradients into update directions.

        Returns
        -------
        optax.GradientTransformation
            :func:`optax.identity`, :func:`optax.trace` or :func:`optax.scale_by_adam`.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.practice import optimizer
        >>> tx = optimizer("momentum", 0.1, momentum=0.5).transform()
        >>> state = tx.init(np.zeros(2))
        >>> u, state = tx.update(np.ones(2), state)
        >>> u, state = tx.update(np.ones(2), state)
        >>> print(np.asarray(u))  # 1 + 0.5 * 1
        [1.5 1.5]
        """
        import optax

        if self.name == "sgd":
            return optax.identity()
        if self.name == "momentum":
            return optax.trace(decay=self.momentum)
        return optax.scale_by_adam(b1=self.b1, b2=self.b2, eps=self.eps, eps_root=self.eps_root)

    def schedule_factor(self, t):
        """The schedule ``s(t)`` (peak 1) at step ``t``, from optax's schedules.

        ``"constant"`` with warm-up is :func:`optax.warmup_constant_schedule`,
        ``"cosine"`` is :func:`optax.warmup_cosine_decay_schedule` (from 0 through 1
        at ``warmup_steps`` to 0 at ``total_steps``).  Traceable under ``jit``.

        Parameters
        ----------
        t : int or integer array
            Step index, counted from 0.

        Returns
        -------
        float or array

        Examples
        --------
        >>> from uniqnets.practice import optimizer
        >>> opt = optimizer("sgd", 0.1, schedule="cosine", warmup_steps=10, total_steps=110)
        >>> [round(float(opt.schedule_factor(t)), 3) for t in (0, 5, 10, 60, 110)]
        [0.0, 0.5, 1.0, 0.5, 0.0]
        """
        import optax

        if self.schedule == "constant":
            if not self.warmup_steps:
                return 1.0
            return optax.warmup_constant_schedule(0.0, 1.0, self.warmup_steps)(t)
        return optax.warmup_cosine_decay_schedule(0.0, 1.0, self.warmup_steps,
                                                  self.total_steps)(t)

    def learning_rate(self, t: int = 0) -> float:
        """The learning rate ``lr * s(t)`` of step ``t``.

        Parameters
        ----------
        t : int >= 0

        Returns
        -------
        float

        Examples
        --------
        >>> from uniqnets.practice import optimizer
        >>> optimizer("sgd", 0.5, warmup_steps=4).learning_rate(2)
        0.25
        """
        t = check_int(t, "t", lo=0)
        return float(self.lr * float(self.schedule_factor(t)))

    def stability_threshold(self, t: int = 0) -> float:
        """The sharpness at which the optimizer's quadratic dynamics lose stability.

        On a quadratic with curvature ``mu`` along an eigenvector, gradient descent
        is stable for ``eta mu < 2``, heavy-ball momentum ``beta`` for
        ``eta mu < 2 + 2 beta`` (the roots of ``z^2 - (1 + beta - eta mu) z + beta``),
        and Adam with a frozen preconditioner for a *preconditioned* sharpness
        ``eta mu_P < (2 + 2 b1) / (1 - b1)`` (Cohen et al. 2022).  Returns that bound
        on ``mu`` (or ``mu_P``) at the learning rate of step ``t``.

        Parameters
        ----------
        t : int >= 0

        Returns
        -------
        float
            ``inf`` where the learning rate is 0.

        References
        ----------
        J. M. Cohen, S. Kaur, Y. Li, J. Z. Kolter, A. Talwalkar, "Gradient descent on
        neural networks typically occurs at the edge of stability", ICLR 2021;
        J. M. Cohen et al., "Adaptive gradient methods at the edge of stability",
        arXiv:2207.14484 (2022).

        Examples
        --------
        >>> from uniqnets.practice import optimizer
        >>> optimizer("sgd", 0.5).stability_threshold()
        4.0
        >>> optimizer("momentum", 0.5).stability_threshold()
        7.6
        """
        lr = self.learning_rate(t)
        if lr == 0:
            return float("inf")
        if self.name == "sgd":
            return 2.0 / lr
        if self.name == "momentum":
            return (2.0 + 2.0 * self.momentum) / lr
        return (2.0 + 2.0 * self.b1) / ((1.0 - self.b1) * lr)


def optimizer(name: str, lr: float, *, momentum: float = 0.9, b1: float = 0.9,
              b2: float = 0.999, eps: float = 1e-8, eps_root: float = 1e-16,
              weight_decay: float = 0.0, schedule: str = "constant", warmup_steps: int = 0,
              total_steps: int | None = None) -> Optimizer:
    """SGD, heavy-ball momentum or Adam, with weight decay and a learning-rate schedule.

    Parameters
    ----------
    name : {"sgd", "momentum", "adam"}
        Full-batch or mini-batch gradient descent (the batches are the training
        map's), heavy-ball momentum, or Adam.
    lr : float > 0
        Peak learning rate ``eta``.
    momentum : float in [0, 1)
    b1, b2 : float in [0, 1)
        Adam's decay rates of the first and second moments.
    eps : float > 0
        Adam's constant outside the square root.
    eps_root : float >= 0
        Adam's constant inside the square root.  The default ``1e-16`` keeps the
        tangent map finite where a gradient component is exactly zero (a dead ReLU:
        the derivative of ``sqrt(v)`` at ``v = 0`` is infinite); it changes the update
        only where ``v < 1e-14``.
    weight_decay : float >= 0
        Coupled (L2) for SGD and momentum, decoupled (AdamW) for Adam.
    schedule : {"constant", "cosine"}
    warmup_steps : int >= 0
        Steps of linear warm-up.
    total_steps : int > warmup_steps, optional
        End of the cosine decay (needed for ``"cosine"``).

    Returns
    -------
    Optimizer

    References
    ----------
    B. T. Polyak, "Some methods of speeding up the convergence of iteration methods",
    USSR Comput. Math. Math. Phys. 4 (1964) 1-17; D. P. Kingma, J. Ba, "Adam: a
    method for stochastic optimization", ICLR 2015; I. Loshchilov, F. Hutter,
    "Decoupled weight decay regularization", ICLR 2019 (AdamW); I. Loshchilov,
    F. Hutter, "SGDR: stochastic gradient descent with warm restarts", ICLR 2017
    (cosine schedule).

    Examples
    --------
    >>> from uniqnets.practice import optimizer
    >>> opt = optimizer("adam", 1e-3, weight_decay=1e-4, schedule="cosine", total_steps=100)
    >>> opt.learning_rate(50)
    0.0005
    """
    check_choice(name, "name", OPTIMIZERS)
    lr = check_real(lr, "lr", lo=0.0, lo_open=True)
    momentum = check_real(momentum, "momentum", lo=0.0, hi=1.0, hi_open=True)
    b1 = check_real(b1, "b1", lo=0.0, hi=1.0, hi_open=True)
    b2 = check_real(b2, "b2", lo=0.0, hi=1.0, hi_open=True)
    eps = check_real(eps, "eps", lo=0.0, lo_open=True)
    eps_root = check_real(eps_root, "eps_root", lo=0.0)
    weight_decay = check_real(weight_decay, "weight_decay", lo=0.0)
    check_choice(schedule, "schedule", SCHEDULES)
    warmup_steps = check_int(warmup_steps, "warmup_steps", lo=0)
    if schedule == "cosine":
        if total_steps is None:
            raise ValueError("total_steps is needed for schedule='cosine'")
        total_steps = check_int(total_steps, "total_steps", lo=warmup_steps + 1)
    else:
        total_steps = 0 if total_steps is None else check_int(total_steps, "total_steps", lo=0)
    return Optimizer(name, lr, momentum, b1, b2, eps, eps_root, weight_decay, schedule,
                     warmup_steps, total_steps)


def _check_optimizer(opt, name="optimizer") -> Optimizer:
    if not isinstance(opt, Optimizer):
        raise TypeError(f"{name} must be an Optimizer (see optimizer()), got "
                        f"{type(opt).__name__}")
    return opt

