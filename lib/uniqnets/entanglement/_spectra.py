"""The Lyapunov spectrum of the product trained by Algorithm 1 (random-matrix theory).

In the frame that follows the training vector a selected layer is block upper
triangular: its top-left entry ``|a_l|`` is the norm of the ``k`` kept projections
(order statistics of ``n`` Gaussians) and its lower block a Ginibre matrix
independent of it.  So one exponent is ``E log |a_l|`` (:func:`training_exponent`,
by quadrature), the other ``k - 1`` are Newman's
(:func:`uniqnets.lyapunov.gaussian_product_exponents`), and the misalignment of
test outputs decays at their gap (:func:`alignment_rate`).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import integrate, special, stats

from .._validate import check_int, check_rng, check_size
from ..lyapunov import gaussian_product_exponents
from ._algorithm import select_rows
from ._common import check_k_n, check_selection


def _selection_threshold_nodes(k, n, selection, n_nodes):
    """Quadrature over the threshold of the selection: nodes t_j, log weights, tail mass.

    The kept values are, given the (k+1)-th most extreme draw ``T``, i.i.d. from
    the law of ``Y`` (``|X|`` or ``X``, X ~ N(0, 1)) conditioned beyond ``T``.  The
    probability ``q`` of that conditioning event is Beta(k+1, n-k) distributed
    (order statistics of uniforms); Gauss-Legendre nodes in the quantile variable
    ``p`` of ``q`` integrate over it.
    """
    x, w = np.polynomial.legendre.leggauss(n_nodes)
    p = 0.5 * (x + 1.0)
    logw = np.log(0.5 * w)
    q = stats.beta.ppf(p, k + 1, n - k)
    if selection == "abs":
        t = -special.ndtri(0.5 * q)  # P(|X| > t) = q
    elif selection == "signed":
        t = -special.ndtri(q)  # P(X > t) = q
    else:  # min: P(|X| < t) = q
        t = np.sqrt(2.0) * special.erfinv(q)
    return t, logw


def _log_cond_laplace(s, t, selection):
    """``log E[exp(-s X^2) | kept]`` for arrays ``s`` (S,) and thresholds ``t`` (P,) -> (S, P).

    ``E[exp(-s X^2) | X > t] = Q(t sqrt(1+2s)) / (sqrt(1+2s) Q(t))`` for any real t
    (Q the normal tail), the same for ``|X| > t``, and
    ``erf(t sqrt(1+2s)/sqrt 2) / (sqrt(1+2s) erf(t/sqrt 2))`` for ``|X| < t``.
    """
    g = np.sqrt(1.0 + 2.0 * s)[:, None]
    tt = t[None, :]
    if selection == "min":
        return (np.log(special.erf(tt * g / np.sqrt(2.0))) - np.log(special.erf(tt / np.sqrt(2.0)))
                - np.log(g))
    return special.log_ndtr(-tt * g) - special.log_ndtr(-tt) - np.log(g)


def _cond_second_moment(t, selection):
    """``E[X^2 | kept]`` for thresholds ``t`` (truncated-normal formulas)."""
    if selection == "min":
        return 1.0 - 2.0 * t * stats.norm.pdf(t) / special.erf(t / np.sqrt(2.0))
    # 1 + t phi(t) / Q(t), with the ratio from logs (Q(t) underflows for large t)
    return 1.0 + t * np.exp(stats.norm.logpdf(t) - special.log_ndtr(-t))


def training_exponent(k: int, n: int, selection: str = "abs", *, n_nodes: int = 256) -> float:
    """Growth exponent of the training vector under Algorithm 1: ``E log ||a_l|| = E log S / 2``.

    ``S`` is the sum of squares of the ``k`` values kept from ``n`` i.i.d. N(0, 1)
    projections (:func:`select_rows`).  Computed by quadrature, without sampling:
    ``E log S = log m + int_0^inf (e^{-s} - E e^{-s S / m}) ds / s`` (Frullani), with
    ``m = E S`` and the Laplace transform ``E e^{-sS}`` an integral over the
    Beta-distributed threshold of a k-th power of a truncated-normal transform.
    For ``n = k`` or ``selection="none"`` it is Newman's
    ``lambda_1 = (ln 2 + psi(k/2)) / 2`` exactly.

    Parameters
    ----------
    k : int >= 1
        Rows kept per layer (the layer width).
    n : int >= k
        Rows drawn per layer.
    selection : {"abs", "signed", "none", "min"}
        Reading of the dropout step, see ``SELECTIONS``.
    n_nodes : int >= 1
        Gauss-Legendre nodes over the selection threshold.

    Returns
    -------
    float
        Natural log per layer.  Accuracy about 1e-6 or better (checked against
        ``2 n_nodes`` nodes; adaptive quadrature in ``log s``).

    References
    ----------
    C. M. Newman, Commun. Math. Phys. 103 (1986) 121-126 (the case without selection).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import training_exponent
    >>> print(f"{training_exponent(2, 2):.6f}")  # Newman: (ln 2 + psi(1)) / 2
    0.057966
    >>> print(f"{training_exponent(2, 12):.4f}")
    0.8850
    """
    k, n = check_k_n(k, n)
    check_selection(selection)
    n_nodes = check_int(n_nodes, "n_nodes", 1)
    check_size(n_nodes * n_nodes, "n_nodes")  # leggauss solves an n_nodes x n_nodes problem
    if n == k or selection == "none":
        return float(gaussian_product_exponents(k)[0])
    t, logw = _selection_threshold_nodes(k, n, selection, n_nodes)
    m = k * np.exp(special.logsumexp(logw + np.log(_cond_second_moment(t, selection))))

    def integrand(x):
        s = np.exp(x)
        logM = special.logsumexp(k * _log_cond_laplace(np.atleast_1d(s / m), t, selection)
                                 + logw[None, :], axis=1)[0]
        return np.exp(-s) - np.exp(logM)

    # in x = log s the integrand decays like e^{2x} to the left and at least like
    # e^{-x/2} to the right; the mass sits around x = 0 after scaling by m
    # quad warns ("roundoff error is detected") when the 1e-10 relative tolerance is
    # below what double precision allows for an integrand that is a difference of two
    # nearly equal terms; the value is then at the rounding floor. That warning is
    # silenced, and only an error estimate beyond 1e-8 (far above that floor) is reported.
    parts, errors = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        for a, b in [(-60.0, -5.0), (-5.0, 5.0), (5.0, 80.0)]:
            value, error = integrate.quad(integrand, a, b, limit=200, epsabs=1e-12,
                                          epsrel=1e-10)
            parts.append(value)
            errors.append(error)
    if sum(errors) > 1e-8:
        warnings.warn(f"training_exponent(k={k}, n={n}, selection={selection!r}): the "
                      f"quadrature error estimate is {sum(errors):.1e}",
                      RuntimeWarning, stacklevel=2)
    return 0.5 * (np.log(m) + sum(parts))


def selected_exponents(k: int, n: int, selection: str = "abs") -> np.ndarray:
    """Predicted Lyapunov spectrum of the product trained by Algorithm 1.

    The selected layer is block triangular in the frame of the training vector:
    one exponent is :func:`training_exponent`, the other ``k - 1`` are those of a
    (k-1) x (k-1) Ginibre product, which are Newman's ``lambda_2..lambda_k`` for
    size k.  Selection moves only the top exponent.

    Parameters
    ----------
    k : int >= 1
        Layer width.
    n : int >= k
        Rows drawn per layer.
    selection : {"abs", "signed", "none", "min"}
        Reading of the dropout step.

    Returns
    -------
    numpy.ndarray, shape (k,)
        The exponents in decreasing order, natural log per layer.

    References
    ----------
    C. M. Newman, Commun. Math. Phys. 103 (1986) 121-126.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import selected_exponents
    >>> np.round(selected_exponents(3, 30), 3)
    array([ 1.239,  0.058, -0.635])
    """
    k, n = check_k_n(k, n)
    check_selection(selection)
    check_size(k, "k")
    lam = gaussian_product_exponents(k).copy()
    lam[0] = training_exponent(k, n, selection)
    return np.sort(lam)[::-1]


def alignment_rate(k: int, n: int, selection: str = "abs") -> float:
    """Predicted decay rate of the misalignment: ``Delta = lambda_train - lambda_2(k)``.

    ``tan theta_L`` between a test output and the training output decays like
    ``exp(-Delta L)``, so ``1 - |cos theta_L|`` like ``exp(-2 Delta L)``.  A
    negative value means the training direction is *not* the top Oseledets
    direction (``selection="min"``): test outputs then do not approach ``+-w_L``.

    Parameters
    ----------
    k : int >= 2
        Layer width (an angle between outputs needs two dimensions).
    n : int >= k
        Rows drawn per layer.
    selection : {"abs", "signed", "none", "min"}
        Reading of the dropout step.

    Returns
    -------
    float
        Natural log per layer.  Without selection (``n = k``, k = 2) it is ``ln 2``.

    References
    ----------
    V. I. Oseledets, Trans. Moscow Math. Soc. 19 (1968) 197-231.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import alignment_rate
    >>> print(f"{alignment_rate(2, 2):.6f}  {np.log(2):.6f}")
    0.693147  0.693147
    >>> print(f"{alignment_rate(2, 102, 'min'):.3f}")
    -3.214
    """
    k, n = check_k_n(k, n)
    if k < 2:
        raise ValueError("k must be >= 2 for an angle between outputs to exist")
    check_selection(selection)
    check_size(k, "k")
    return training_exponent(k, n, selection) - float(gaussian_product_exponents(k)[1])


def sample_training_growth(k: int, n: int, selection: str, rng: np.random.Generator,
                           size: int) -> np.ndarray:
    """Monte-Carlo draws of ``log ||a|| = log S / 2`` (the check of :func:`training_exponent`).

    Draws ``size`` independent layers' projections ``z ~ N(0, I_n)``
    (``rng.standard_normal(n)`` each) and applies :func:`select_rows`.

    Parameters
    ----------
    k : int >= 1
        Rows kept.
    n : int >= k
        Rows drawn.
    selection : {"abs", "signed", "none", "min"}
        Reading of the dropout step.
    rng : numpy.random.Generator
        The only source of randomness.
    size : int >= 1
        Number of draws.

    Returns
    -------
    numpy.ndarray, shape (size,)
        Natural log of the growth of one layer, one draw each.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import sample_training_growth, training_exponent
    >>> draws = sample_training_growth(2, 12, "abs", np.random.default_rng(0), 4000)
    >>> se = draws.std(ddof=1) / np.sqrt(draws.size)
    >>> bool(abs(draws.mean() - training_exponent(2, 12)) < 5 * se)
    True
    """
    k, n = check_k_n(k, n)
    check_selection(selection)
    rng = check_rng(rng)
    size = check_int(size, "size", 1)
    check_size(size, "size")
    check_size(n, "n")
    out = np.empty(size)
    for i in range(size):
        z = rng.standard_normal(n)
        out[i] = 0.5 * np.log(np.sum(z[select_rows(z, k, selection)] ** 2))
    return out
