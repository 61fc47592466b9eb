"""A strict local minimum of an objective: gradient descent, then Newton's method."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from .._validate import check_int, check_real
from ._training import _check_objective, _check_state, train

__all__ = ["Minimum", "find_minimum"]


@dataclass(frozen=True)
class Minimum:
    """What :func:`find_minimum` returns.

    Attributes
    ----------
    theta : array, shape (d,)
        The minimiser.
    loss : float
        The objective there.
    grad_norm : float
        ``||grad L(theta)||``.
    hessian : array, shape (d, d)
        The exact Hessian there, symmetrised.
    eigenvalues : array, shape (d,)
        Its eigenvalues, ascending; all positive at a strict local minimum.
    """

    theta: np.ndarray
    loss: float
    grad_norm: float
    hessian: np.ndarray
    eigenvalues: np.ndarray


def find_minimum(objective, theta0, gd_steps: int = 3000, gd_lr: float = 0.1,
                 gtol: float = 1e-12) -> Minimum:
    """Run gradient descent from ``theta0``, then a trust-region Newton method to ``gtol``.

    Parameters
    ----------
    objective : Objective
    theta0 : array, shape (d,)
    gd_steps : int >= 1
        Steps of full-batch gradient descent before Newton's method.
    gd_lr : float > 0
        Their learning rate.
    gtol : float > 0
        Newton's method stops when the gradient norm is below this.

    Returns
    -------
    Minimum

    References
    ----------
    J. Nocedal, S. J. Wright, Numerical Optimization, 2nd ed., Springer 2006, ch. 4
    (``scipy.optimize.minimize(method="trust-exact")``).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, Objective, find_minimum
    >>> obj = Objective(MLP((1, 1), "linear"), [[1.0], [2.0]], [[1.0], [3.0]])
    >>> m = find_minimum(obj, np.zeros(2), gd_steps=10)
    >>> np.round(m.theta, 6).tolist(), bool(m.eigenvalues[0] > 0)
    ([2.0, -1.0], True)
    """
    objective = _check_objective(objective)
    theta0 = _check_state(objective, theta0, "theta0")
    gd_steps = check_int(gd_steps, "gd_steps", lo=1)
    gd_lr = check_real(gd_lr, "gd_lr", lo=0, lo_open=True)
    gtol = check_real(gtol, "gtol", lo=0, lo_open=True)
    d = theta0.size
    gd = train(objective, theta0, gd_steps, gd_lr, save_every=gd_steps)
    opt = minimize(objective.loss_and_grad, gd.final, jac=True, method="trust-exact",
                   hess=lambda t: objective.hvp(t, np.eye(d)), options={"gtol": gtol})
    H = objective.hvp(opt.x, np.eye(d))
    H = 0.5 * (H + H.T)
    return Minimum(theta=opt.x, loss=float(objective.loss(opt.x)),
                   grad_norm=float(np.linalg.norm(objective.grad(opt.x))), hessian=H,
                   eigenvalues=np.linalg.eigvalsh(H))
