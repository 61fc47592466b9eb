"""The JAX training map checked against the numpy library and against closed forms.

Three validations of :class:`TrainingMap`, in float64: the same loss, gradient,
Hessian-vector products, trajectory and top exponents as :mod:`uniqnets.models` and
:mod:`uniqnets.lyapunov` on one parameter vector (:func:`cross_check`); the exponents
``ln|1 - eta mu_i|`` of gradient descent at a strict minimum
(:func:`minimum_exponents`); and those of heavy-ball momentum on a quadratic, from
the roots of ``z^2 - (1 + beta - eta mu) z + beta`` (:func:`heavy_ball_exponents`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import lyapunov, models
from .._validate import check_int, check_real, check_rng
from ._models import mlp
from ._optim import optimizer
from ._tangent import TrainingMap

__all__ = ["ClosedForm", "CrossCheck", "cross_check", "heavy_ball_exponents",
           "minimum_exponents"]


@dataclass(frozen=True)
class CrossCheck:
    """Largest absolute differences between the JAX map and :mod:`uniqnets.models`.

    ``scale_*`` are the sizes of what is compared (the loss, the largest gradient and
    Hessian-vector entries), for relative tolerances; ``loss`` is the JAX loss itself.
    """

    n_params: int
    loss: float
    err_loss: float
    err_grad: float
    err_hvp: float
    err_traj: float
    err_lam: float
    scale_loss: float
    scale_grad: float
    scale_hvp: float


def cross_check(sizes, X, Y, lr: float, weight_decay: float, rng: np.random.Generator, *,
                n_train: int = 50, n_spectrum: int = 100, n_transient: int = 20) -> CrossCheck:
    """The JAX map of a tanh MLP against :mod:`uniqnets.models` on one parameter vector.

    Compares the loss, the gradient, three Hessian-vector products, a gradient-descent
    trajectory of ``n_train`` steps and the top two exponents over ``n_spectrum`` steps
    (after ``n_transient``, the same initial frame), all in float64.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths of the MLP.
    X : array, shape (n, sizes[0])
    Y : int array, shape (n,)
    lr : float > 0
    weight_decay : float >= 0
    rng : numpy.random.Generator
        Draws the parameters, the Hessian-vector directions and the initial frame.
    n_train, n_spectrum : int >= 1
    n_transient : int >= 0

    Returns
    -------
    CrossCheck

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import cross_check
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.standard_normal((12, 3)), np.arange(12) % 2
    >>> cc = cross_check((3, 4, 2), X, Y, 0.5, 0.01, rng, n_spectrum=20)
    >>> bool(cc.err_grad < 1e-12 and cc.err_lam < 1e-9)
    True
    """
    rng = check_rng(rng)
    lr = check_real(lr, "lr", lo=0, lo_open=True)
    weight_decay = check_real(weight_decay, "weight_decay", lo=0)
    n_train = check_int(n_train, "n_train", lo=1)
    n_spectrum = check_int(n_spectrum, "n_spectrum", lo=1)
    n_transient = check_int(n_transient, "n_transient", lo=0)
    theta = mlp(sizes).init(rng)
    obj = models.Objective(models.MLP(tuple(sizes), "tanh"), X, Y, "xent",
                           weight_decay=weight_decay)
    tm = TrainingMap(mlp(sizes), X, Y, optimizer("sgd", lr, weight_decay=weight_decay))
    V = rng.standard_normal((theta.size, 3))
    grad, hvp = obj.grad(theta), obj.hvp(theta, V)
    ref = models.train(obj, theta, n_train, lr, save_every=n_train)
    Q0 = np.linalg.qr(rng.standard_normal((theta.size, 2)))[0]
    spec_ref = lyapunov.training_spectrum(obj, theta, lr, n_spectrum, k=2,
                                          n_transient=n_transient, Q0=Q0)
    spec = tm.spectrum(theta, n_spectrum, k=2, n_transient=n_transient, Q0=Q0)
    return CrossCheck(
        int(theta.size), float(tm.loss(theta)), float(abs(tm.loss(theta) - obj.loss(theta))),
        float(np.max(np.abs(tm.grad(theta) - grad))),
        float(np.max(np.abs(tm.hvp(theta, V) - hvp))),
        float(np.max(np.abs(tm.run(theta, n_train)[1] - ref.final))),
        float(np.max(np.abs(spec.exponents - spec_ref.exponents))),
        float(obj.loss(theta)), float(np.abs(grad).max()), float(np.abs(hvp).max()))


@dataclass(frozen=True)
class ClosedForm:
    """Measured exponents against their closed form, sorted in decreasing order.

    ``grad_norm``: gradient norm at the point the map was linearised at (0 for a
    quadratic); ``mu``: the Hessian eigenvalues; ``roots``: the eigenvalues of the
    Jacobian whose logarithms of moduli are ``exact``.
    """

    measured: np.ndarray
    exact: np.ndarray
    mu: np.ndarray
    roots: np.ndarray
    grad_norm: float

    @property
    def err(self) -> float:
        """Largest difference between the sorted measured and exact exponents."""
        return float(np.max(np.abs(self.measured - self.exact)))

    @property
    def sum_err(self) -> float:
        """Difference of the sums (the volume contraction rate, exact for the QR loop)."""
        return float(abs(self.measured.sum() - self.exact.sum()))

    def summary(self, suffix: str) -> dict:
        """Errors, gradient norm, Hessian range, top exact exponent and number of complex
        roots, each name ending in ``_suffix``."""
        out = {"err": self.err, "sum_err": self.sum_err, "grad_norm": self.grad_norm,
               "mu_min": float(self.mu.min()), "mu_max": float(self.mu.max()),
               "lam_max": float(self.exact[0]),
               "n_complex": int(np.sum(np.abs(np.imag(self.roots)) > 0))}
        return {f"{k}_{suffix}": v for k, v in out.items()}


def minimum_exponents(X, Y, sizes, lr: float, weight_decay: float, n_steps: int,
                      rng: np.random.Generator, *, n_descent: int = 500) -> ClosedForm:
    """Full spectrum of gradient descent at a strict minimum against ``ln|1 - eta mu_i|``.

    A tanh MLP is trained by ``n_descent`` steps of gradient descent from parameters drawn
    by ``rng``, the end point polished to a critical point by Newton's method
    (:func:`uniqnets.lyapunov.critical_point`); the JAX map's full spectrum over
    ``n_steps`` steps from there is compared with
    :func:`uniqnets.lyapunov.fixed_point_exponents` of the Hessian.

    Parameters
    ----------
    X : array, shape (n, sizes[0])
    Y : int array, shape (n,)
    sizes : sequence of int
    lr : float > 0
    weight_decay : float > 0
        Makes the minimum strict.
    n_steps : int >= 1
    rng : numpy.random.Generator
    n_descent : int >= 1

    Returns
    -------
    ClosedForm

    References
    ----------
    Chapter 1 of the book: the exponents of the gradient-descent map at a fixed point.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import minimum_exponents
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.standard_normal((20, 2)), np.arange(20) % 2
    >>> cf = minimum_exponents(X, Y, (2, 2, 2), 0.5, 0.05, 300, rng)
    >>> bool(cf.grad_norm < 1e-8 and cf.err < 20 / 300)
    True
    """
    rng = check_rng(rng)
    lr = check_real(lr, "lr", lo=0, lo_open=True)
    weight_decay = check_real(weight_decay, "weight_decay", lo=0, lo_open=True)
    n_steps = check_int(n_steps, "n_steps", lo=1)
    n_descent = check_int(n_descent, "n_descent", lo=1)
    obj = models.Objective(models.MLP(tuple(sizes), "tanh"), X, Y, "xent",
                           weight_decay=weight_decay)
    th0 = models.MLP(tuple(sizes)).init(rng)
    theta_star, gnorm = lyapunov.critical_point(obj, models.train(obj, th0, n_descent, lr).final)
    mu = lyapunov.hessian_spectrum(obj, theta_star)
    tm = TrainingMap(mlp(sizes), X, Y, optimizer("sgd", lr, weight_decay=weight_decay))
    res = tm.spectrum(theta_star, n_steps, k=th0.size, Q0=np.eye(th0.size))
    exact = lyapunov.fixed_point_exponents(mu, lr)
    return ClosedForm(np.sort(res.exponents)[::-1], np.sort(exact)[::-1], np.asarray(mu),
                      1 - lr * np.asarray(mu), float(gnorm))


def heavy_ball_exponents(X, Y, lr: float, beta: float, n_steps: int,
                         rng: np.random.Generator) -> ClosedForm:
    """Full spectrum of heavy-ball momentum on linear least squares against its roots.

    On a quadratic with Hessian eigenvalues ``mu`` (of ``A^T A / n``, ``A = [X, 1]``) the
    joint map of parameters and velocity splits into 2x2 blocks whose eigenvalues are the
    roots of ``z^2 - (1 + beta - lr mu) z + beta``; the exponents are ``ln|z|``.

    Parameters
    ----------
    X : array, shape (n, d)
    Y : array, shape (n, 1)
    lr : float > 0
    beta : float in [0, 1)
    n_steps : int >= 1
    rng : numpy.random.Generator
        Draws the initial frame.

    Returns
    -------
    ClosedForm

    References
    ----------
    B. T. Polyak, "Some methods of speeding up the convergence of iteration methods",
    USSR Comput. Math. Math. Phys. 4 (1964) 1-17.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import heavy_ball_exponents
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((30, 2))
    >>> cf = heavy_ball_exponents(X, X @ [[1.0], [2.0]], 0.1, 0.8, 500, rng)
    >>> bool(cf.err < 50 / 500 and cf.sum_err < 1e-9)
    True
    """
    rng = check_rng(rng)
    lr = check_real(lr, "lr", lo=0, lo_open=True)
    beta = check_real(beta, "beta", lo=0, hi=1, hi_open=True)
    n_steps = check_int(n_steps, "n_steps", lo=1)
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    tm = TrainingMap(mlp((d, 1), "linear"), X, Y, optimizer("momentum", lr, momentum=beta),
                     loss="mse")
    A = np.hstack([X, np.ones((n, 1))])
    mu = np.linalg.eigvalsh(A.T @ A / n)
    roots = np.concatenate([np.roots([1.0, -(1 + beta - lr * m), beta]) for m in mu])
    res = tm.spectrum(np.zeros(2 * (d + 1)), n_steps, k=2 * (d + 1), rng=rng)
    return ClosedForm(np.sort(res.exponents)[::-1], np.sort(np.log(np.abs(roots)))[::-1], mu,
                      roots, 0.0)
