"""Adversarial examples (Sec. VII of Lai, Dong and Jin): hide an image under an output direction.

``y = alpha w / ||w|| + m`` buries the image ``m`` under a large multiple of the
training output; anyone whose output is aligned with ``+-w`` removes it again
(:func:`recover`).  The quality of the recovery is fixed by the misalignment alone
(:func:`predicted_psnr`), which falls exponentially with depth.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_array, check_choice, check_int, check_real
from ._common import unit_vector


def adversarial_example(image, w, alpha: float) -> np.ndarray:
    """Sec. VII: ``y = alpha w / ||w|| + m`` for an image ``m``.

    Parameters
    ----------
    image : array, any shape with k pixels
        The image ``m`` (finite).
    w : array, k entries
        The direction that hides it (finite, non-zero; flattened).
    alpha : float
        Strength of the mask (finite).

    Returns
    -------
    numpy.ndarray, shape of ``image``

    References
    ----------
    Lai, Dong and Jin, Sec. VII.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import adversarial_example
    >>> np.round(adversarial_example([[0.5, 0.5]], [3.0, 4.0], 10.0), 3)
    array([[6.5, 8.5]])
    """
    m = check_array(image, "image")
    u = unit_vector(w, "w", ravel=True)
    if u.size != m.size:
        raise ValueError(f"image has {m.size} pixels but w has {u.size} entries")
    alpha = check_real(alpha, "alpha")
    return m + alpha * u.reshape(m.shape)


def recover(y, w_prime, alpha: float, sign="auto") -> np.ndarray:
    """Remove ``alpha w'/||w'||`` from the adversarial example ``y``.

    ``sign=+1`` is the paper's subtraction; since ``w'_L`` aligns with ``+-w_L``
    the sign is unknown, and ``sign="auto"`` takes it from the data:
    ``s = sign(y . w')``, which is right when ``alpha`` dominates the image's own
    projection.

    Parameters
    ----------
    y : array, any shape with k entries
        The adversarial example (finite).
    w_prime : array, k entries
        The receiver's output (finite, non-zero; flattened).
    alpha : float
        Strength of the mask (finite).
    sign : {"auto", 1, -1}
        Sign ``s`` of the subtracted direction.

    Returns
    -------
    numpy.ndarray, shape of ``y``
        ``y - s alpha w'/||w'||``.

    References
    ----------
    Lai, Dong and Jin, Sec. VII.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import adversarial_example, recover
    >>> y = adversarial_example([[0.5, 0.5]], [3.0, 4.0], 10.0)
    >>> np.round(recover(y, [-3.0, -4.0], 10.0), 3)  # the sign is found from the data
    array([[0.5, 0.5]])
    >>> np.round(recover(y, [-3.0, -4.0], 10.0, sign=1), 3)
    array([[12.5, 16.5]])
    """
    y = check_array(y, "y")
    u = unit_vector(w_prime, "w_prime", ravel=True)
    if u.size != y.size:
        raise ValueError(f"y has {y.size} entries but w_prime has {u.size}")
    alpha = check_real(alpha, "alpha")
    if isinstance(sign, str):
        check_choice(sign, "sign", ("auto",))
        s = 1.0 if float(np.ravel(y) @ u) >= 0 else -1.0
    else:
        s = check_int(sign, "sign")
        if s not in (1, -1):
            raise ValueError(f"sign must be 'auto', 1 or -1, got {sign!r}")
        s = float(s)
    return y - s * alpha * u.reshape(y.shape)


def psnr(reference, estimate, peak: float = 1.0) -> float:
    """Peak signal-to-noise ratio ``10 log10(peak^2 / MSE)`` in dB (inf if identical).

    Parameters
    ----------
    reference, estimate : arrays of one shape
        The image and its reconstruction (finite).
    peak : float > 0
        Largest possible pixel value.

    Returns
    -------
    float
        In decibels.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import psnr
    >>> print(f"{psnr([0.0, 1.0], [0.1, 0.9]):.1f}")
    20.0
    >>> psnr([0.0, 1.0], [0.0, 1.0])
    inf
    """
    a = check_array(reference, "reference")
    b = check_array(estimate, "estimate")
    peak = check_real(peak, "peak", lo=0.0, lo_open=True)
    if a.shape != b.shape:
        raise ValueError(f"reference and estimate must have the same shape, got {a.shape}, "
                         f"{b.shape}")
    mse = float(np.mean((a - b) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(peak * peak / mse)


def predicted_psnr(alpha, log_misalignment, k: int, peak: float = 1.0):
    """PSNR of :func:`recover` (right sign) from the alignment alone.

    The residual is ``alpha (u - s u')`` with ``||u - s u'||^2 = 2 (1 - |cos theta|)``, so::

        PSNR = 10 log10(peak^2 k / (2 alpha^2)) - 10 log10(e) log(1 - |cos theta|).

    With ``1 - |cos theta_L| ~ exp(-2 Delta L)`` the PSNR grows by
    ``20 Delta / ln 10`` dB per layer.

    Parameters
    ----------
    alpha : float or array
        Strength of the mask (finite, non-zero).
    log_misalignment : float or array
        ``log(1 - |cos theta|) <= 0`` (:attr:`Propagation.log_misalignment`);
        ``-inf`` (exactly aligned) gives an infinite PSNR.
    k : int >= 1
        Number of pixels.
    peak : float > 0
        Largest possible pixel value.

    Returns
    -------
    float or numpy.ndarray
        In decibels, broadcast over ``alpha`` and ``log_misalignment``.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import predicted_psnr
    >>> print(f"{predicted_psnr(10.0, np.log(1e-6), 2500):.1f}")
    71.0
    """
    alpha = check_array(alpha, "alpha")
    if np.any(alpha == 0):
        raise ValueError("alpha must be non-zero")
    lm = check_array(log_misalignment, "log_misalignment", finite=False)
    if np.any(np.isnan(lm)) or np.any(lm > 0):
        raise ValueError("log_misalignment must be <= 0 and not NaN (it is log(1 - |cos|))")
    k = check_int(k, "k", 1)
    peak = check_real(peak, "peak", lo=0.0, lo_open=True)
    return 10 * np.log10(peak * peak * k / (2 * alpha * alpha)) - 10 * np.log10(np.e) * lm
