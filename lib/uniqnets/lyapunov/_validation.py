"""Validations of the exponent estimators on systems with known answers (private module)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import models
from .._validate import check_int, check_real, check_rng
from ._maps import lyapunov_spectrum, lyapunov_spectrum_flow
from ._qr import gaussian_product_exponents, qr_exponents
from ._reference import henon, logistic, lorenz
from ._training import _check_objective, _check_theta

__all__ = ["ReferenceValidation", "tangent_map_error", "validate_reference_systems"]


@dataclass(frozen=True)
class ReferenceValidation:
    """Exponents of four reference systems against their known values.

    Built by :func:`validate_reference_systems`. Exponents of maps are per step, of
    the Lorenz flow per unit time; every ``*_se`` is a batch-means standard error.

    Attributes
    ----------
    n_steps : int
        Steps of the map runs (and factors of the Gaussian product).
    t_lorenz : float
        Time units of the Lorenz run.
    logistic_error : float
        Estimate minus ``ln 2`` for the logistic map at ``r = 4``.
    henon, henon_se, henon_exact, henon_ref_error : numpy.ndarray, shape (2,)
        Hénon estimates, their standard errors, literature values and their uncertainty.
    henon_sum_error : float
        ``lambda_1 + lambda_2 - ln b``, exact up to rounding.
    lorenz, lorenz_se, lorenz_exact, lorenz_ref_error : numpy.ndarray, shape (3,)
        The same for Lorenz 63.
    lorenz_sum_error : float
        Sum of the exponents minus the divergence ``-(sigma + 1 + beta)``.
    gauss, gauss_se, gauss_exact : numpy.ndarray, shape (4,)
        Products of independent 4 x 4 Gaussian matrices against Newman's formula.
    runs : tuple
        The four results (logistic, Hénon, Lorenz, Gaussian), for the running estimates.
    """

    n_steps: int
    t_lorenz: float
    logistic_error: float
    henon: np.ndarray
    henon_se: np.ndarray
    henon_exact: np.ndarray
    henon_ref_error: np.ndarray
    henon_sum_error: float
    lorenz: np.ndarray
    lorenz_se: np.ndarray
    lorenz_exact: np.ndarray
    lorenz_ref_error: np.ndarray
    lorenz_sum_error: float
    gauss: np.ndarray
    gauss_se: np.ndarray
    gauss_exact: np.ndarray
    runs: tuple = field(repr=False, default=())

    def table_rows(self) -> list:
        """Rows ``[exponent, measured, standard error, exact]`` for a table, one per exponent.

        Examples
        --------
        >>> v = validate_reference_systems(200, 5.0, np.random.default_rng(0))
        >>> print(v.table_rows()[1][0], len(v.table_rows()))
        Hénon $\\lambda_1$ 10
        """
        rows = [["logistic $\\lambda_1$", np.log(2.0) + self.logistic_error, np.nan, np.log(2.0)]]
        for name, est, se, exact in (("Hénon", self.henon, self.henon_se, self.henon_exact),
                                     ("Lorenz", self.lorenz, self.lorenz_se, self.lorenz_exact),
                                     ("Gaussian", self.gauss, self.gauss_se, self.gauss_exact)):
            rows += [[f"{name} $\\lambda_{i + 1}$", m, s, e]
                     for i, (m, s, e) in enumerate(zip(est, se, exact, strict=True))]
        return rows

    def summary(self) -> dict:
        """The numbers, by name, ready for :func:`uniqnets.book.record`.

        Examples
        --------
        >>> v = validate_reference_systems(200, 5.0, np.random.default_rng(0))
        >>> sorted(v.summary())[:3]
        ['gau_max_z', 'hen_l1', 'hen_l2']
        """
        return {"log_err": self.logistic_error, "hen_l1": self.henon[0], "hen_l2": self.henon[1],
                "hen_se": self.henon_se[0], "hen_z_max": float(np.max(
                    np.abs(self.henon - self.henon_exact) / self.henon_se)),
                "hen_ref_err": self.henon_ref_error,
                "hen_miss": np.abs(self.henon - self.henon_exact),
                "hen_se_all": self.henon_se, "hen_sum_err": self.henon_sum_error,
                "lor_l1": self.lorenz[0], "lor_l2": self.lorenz[1], "lor_l3": self.lorenz[2],
                "lor_se1": self.lorenz_se[0], "lor_se_all": self.lorenz_se,
                "lor_miss": np.abs(self.lorenz - self.lorenz_exact),
                "lor_ref_err": self.lorenz_ref_error, "lor_sum_err": self.lorenz_sum_error,
                "gau_max_z": float(np.max(np.abs(self.gauss - self.gauss_exact) / self.gauss_se))}


def validate_reference_systems(n_steps: int, t_lorenz: float,
                               rng: np.random.Generator) -> ReferenceValidation:
    """Benettin-QR exponents of the logistic, Hénon, Lorenz and Gaussian-product systems.

    The logistic map at ``r = 4`` has exponent ``ln 2``; the Hénon map's two exponents
    sum to ``ln b`` exactly (``det DF = -b``); the Lorenz flow's three sum to its
    divergence; products of independent Gaussian matrices have Newman's spectrum.

    Parameters
    ----------
    n_steps : int >= 40
        Steps of the logistic and Hénon runs (after 100 and 1000 transient steps), and
        Gaussian factors.
    t_lorenz : float >= 2
        Time of the Lorenz run (RK4, step 0.01, after 10 transient time units); its
        standard errors use 10 blocks.
    rng : numpy.random.Generator
        Draws the Gaussian factors.

    Returns
    -------
    ReferenceValidation

    References
    ----------
    G. Benettin et al., Meccanica 15 (1980) 9-20; C. M. Newman, Commun. Math. Phys. 103
    (1986) 121-126; J. C. Sprott, *Chaos and Time-Series Analysis* (2003), App. A.

    Examples
    --------
    >>> v = validate_reference_systems(2000, 10.0, np.random.default_rng(0))
    >>> abs(v.logistic_error) < 25 / 2000, abs(v.henon_sum_error) < 1e-12
    (True, True)
    """
    n_steps = check_int(n_steps, "n_steps", lo=40, hi=10**8)
    t_lorenz = check_real(t_lorenz, "t_lorenz", lo=2.0, hi=1e6)
    rng = check_rng(rng)
    m_log, m_hen, fl = logistic(), henon(), lorenz()
    res_log = lyapunov_spectrum(m_log.step, m_log.jvp, m_log.x0, n_steps, n_transient=100)
    res_hen = lyapunov_spectrum(m_hen.step, m_hen.jvp, m_hen.x0, n_steps, k=2, n_transient=1000)
    res_lor = lyapunov_spectrum_flow(fl.f, fl.jac, fl.x0, t_lorenz, 0.01, k=3, t_transient=10.0)
    k_gauss = 4
    res_gau = qr_exponents(rng.standard_normal((k_gauss, k_gauss)) for _ in range(n_steps))
    return ReferenceValidation(
        n_steps=n_steps, t_lorenz=t_lorenz,
        logistic_error=float(res_log.exponents[0] - np.log(2.0)),
        henon=res_hen.exponents, henon_se=res_hen.stderr(), henon_exact=m_hen.exponents,
        henon_ref_error=np.broadcast_to(m_hen.exponents_error, (2,)).astype(float),
        henon_sum_error=float(res_hen.exponents.sum() - np.log(0.3)),
        lorenz=res_lor.exponents, lorenz_se=res_lor.stderr(10), lorenz_exact=fl.exponents,
        lorenz_ref_error=np.broadcast_to(fl.exponents_error, (3,)).astype(float),
        lorenz_sum_error=float(res_lor.exponents.sum() - fl.exponent_sum),
        gauss=res_gau.exponents, gauss_se=res_gau.stderr(),
        gauss_exact=gaussian_product_exponents(k_gauss),
        runs=(res_log, res_hen, res_lor, res_gau))


def tangent_map_error(objective, theta, lr: float, rng: np.random.Generator,
                      n_directions: int = 3, h: float = 1e-5) -> float:
    """Relative error of the exact tangent map of a gradient step against central differences.

    Compares ``models.training_jvp(objective, theta, V, lr)`` (``V - lr H V`` by exact
    Hessian-vector products) with ``(F(theta + h v) - F(theta - h v)) / (2 h)`` for
    ``n_directions`` Gaussian directions ``v``, relative to the ``lr H V`` part.

    Parameters
    ----------
    objective : uniqnets.models.Objective
    theta : array, shape (d,), finite
    lr : float > 0
    rng : numpy.random.Generator
        Draws the directions, shape (d, n_directions).
    n_directions : int >= 1
    h : float > 0
        Step of the differences; truncation error O(h^2), rounding O(1e-16 / h).

    Returns
    -------
    float
        ``||J V - FD|| / ||J V - V||`` (Frobenius norms).

    Examples
    --------
    >>> from uniqnets import models
    >>> X = np.random.default_rng(0).standard_normal((8, 2))
    >>> obj = models.Objective(models.MLP((2, 3, 1), "tanh"), X, X[:, :1], "mse")
    >>> theta = obj.model.init(np.random.default_rng(1))
    >>> bool(tangent_map_error(obj, theta, 0.1, np.random.default_rng(2)) < 1e-6)
    True
    """
    objective = _check_objective(objective)
    theta = _check_theta(objective, theta, "theta")
    lr = check_real(lr, "lr", lo=0.0, lo_open=True)
    rng = check_rng(rng)
    n_directions = check_int(n_directions, "n_directions", lo=1, hi=10**4)
    h = check_real(h, "h", lo=0.0, lo_open=True)
    V = rng.standard_normal((objective.model.n_params, n_directions))
    fd = np.stack([(models.gd_step(objective, theta + h * v, lr)
                    - models.gd_step(objective, theta - h * v, lr)) / (2 * h) for v in V.T], 1)
    jv = models.training_jvp(objective, theta, V, lr)
    return float(np.linalg.norm(jv - fd) / np.linalg.norm(jv - V))
