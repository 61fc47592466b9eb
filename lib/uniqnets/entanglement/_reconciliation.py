"""Information reconciliation (Sec. VI of Lai, Dong and Jin): one-time pads from aligned outputs.

Two parties whose chains map different inputs to (anti-)parallel outputs share the
sign pattern of the output, and use it as a one-time pad: Eq. 33 encrypts, Eq. 34
decrypts.  The bit error rate between the two pads follows from the angle alone
(:func:`predicted_bit_error_rate`; Charikar's ``theta / pi`` for isotropic outputs).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from .._validate import check_array, check_bool, check_real
from ._common import unit_vector


def _bits(x, name: str) -> np.ndarray:
    """``x`` as a flat bool array: booleans, or numbers that are all 0 or 1."""
    arr = check_array(x, name, dtype=None)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of bits (bool or 0/1), got dtype {arr.dtype}")
    if arr.dtype.kind != "b" and not np.all((arr == 0) | (arr == 1)):
        raise ValueError(f"{name} must hold bits: booleans or the numbers 0 and 1")
    return np.asarray(arr, dtype=bool).ravel()


def binarize(v, threshold: float = 0.0) -> np.ndarray:
    """The paper's ``sgn``: True where ``v > threshold``, else False.

    The text states the threshold 1/2; applied to a unit vector of length k the
    entries are O(1/sqrt k) and never exceed 1/2, so the book uses 0 (the sign)
    and shows what 1/2 does.

    Parameters
    ----------
    v : array, any shape
        Finite values.
    threshold : float
        The cut.

    Returns
    -------
    numpy.ndarray of bool, shape of ``v``

    References
    ----------
    Lai, Dong and Jin, Sec. VI.

    Examples
    --------
    >>> from uniqnets.entanglement import binarize
    >>> binarize([0.3, -0.1, 0.7]).tolist(), binarize([0.3, -0.1, 0.7], 0.5).tolist()
    ([True, False, True], [False, False, True])
    """
    threshold = check_real(threshold, "threshold")
    return check_array(v, "v") > threshold


def _pad(bits, w, threshold, bits_name):
    m = _bits(bits, bits_name)
    u = unit_vector(w, "w", ravel=True)
    if u.size != m.size:
        raise ValueError(f"{bits_name} has {m.size} bits but w has {u.size} entries")
    return binarize(u, threshold) ^ m


def encrypt(message, w, threshold: float = 0.0) -> np.ndarray:
    """Eq. 33: ``y = sgn(w / ||w||) XOR m``.

    Parameters
    ----------
    message : array of bool (or 0/1), k entries
        The message ``m`` (flattened).
    w : array, k entries
        The output that makes the pad (finite, non-zero; flattened).
    threshold : float
        The cut of :func:`binarize`.

    Returns
    -------
    numpy.ndarray of bool, shape (k,)
        The ciphertext.

    References
    ----------
    Lai, Dong and Jin, Eq. 33.

    Examples
    --------
    >>> from uniqnets.entanglement import encrypt
    >>> encrypt([1, 1, 0, 0], [0.5, -0.2, 0.1, -0.9]).tolist()
    [False, True, True, False]
    """
    threshold = check_real(threshold, "threshold")
    return _pad(message, w, threshold, "message")


def decrypt(cipher, w, threshold: float = 0.0) -> np.ndarray:
    """Eq. 34: ``y XOR sgn(w' / ||w'||)``: the message, or its complement for anti-parallel ``w'``.

    Parameters
    ----------
    cipher : array of bool (or 0/1), k entries
        The ciphertext of :func:`encrypt`.
    w : array, k entries
        The receiver's output (finite, non-zero; flattened).
    threshold : float
        The cut of :func:`binarize`.

    Returns
    -------
    numpy.ndarray of bool, shape (k,)

    References
    ----------
    Lai, Dong and Jin, Eq. 34.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import decrypt, encrypt
    >>> w = np.array([0.5, -0.2, 0.1, -0.9])
    >>> y = encrypt([1, 1, 0, 0], w)
    >>> decrypt(y, 3 * w).astype(int).tolist(), decrypt(y, -w).astype(int).tolist()
    ([1, 1, 0, 0], [0, 0, 1, 1])
    """
    threshold = check_real(threshold, "threshold")
    return _pad(cipher, w, threshold, "cipher")


def bit_error_rate(a, b, up_to_complement: bool = False) -> float:
    """Fraction of differing bits; with ``up_to_complement`` the smaller of BER and 1 - BER.

    Parameters
    ----------
    a, b : arrays of bool (or 0/1), the same number of entries
        Bit strings (flattened).
    up_to_complement : bool
        Count a complemented string as correct (the sign of ``w'`` is unknown).

    Returns
    -------
    float in [0, 1]

    Examples
    --------
    >>> from uniqnets.entanglement import bit_error_rate
    >>> bit_error_rate([1, 0, 0, 1], [0, 1, 1, 1])
    0.75
    >>> bit_error_rate([1, 0, 0, 1], [0, 1, 1, 1], up_to_complement=True)
    0.25
    """
    a = _bits(a, "a")
    b = _bits(b, "b")
    up_to_complement = check_bool(up_to_complement, "up_to_complement")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same size, got {a.size} and {b.size}")
    ber = float(np.mean(a != b))
    return min(ber, 1.0 - ber) if up_to_complement else ber


def predicted_bit_error_rate(u, log_cot) -> np.ndarray:
    """Bit error rate of ``sgn(w'_L)`` against ``sgn(+-u)`` predicted from the angle alone.

    With ``w'_L / ||w'_L|| = cos(theta) u + sin(theta) q`` and ``q`` uniform on the
    unit sphere of ``u``'s orthogonal complement (as it is for the selected product,
    whose complement block is Ginibre), coordinate i flips with probability
    ``Q(|u_i| cot(theta) sqrt((k-1)/(1-u_i^2)))`` (``Q`` the normal tail; a Gaussian
    approximation of one coordinate of ``q``).  For Gaussian ``u`` this averages to
    Charikar's ``theta / pi``; for the selected product ``|u_i|`` is bounded away
    from 0 and the rate falls much faster.

    Parameters
    ----------
    u : array (k,)
        Reference direction (the training output; finite, non-zero, normalised here).
    log_cot : float or array (m,)
        ``log |cot theta|`` of the test outputs (``Propagation.log_cot``);
        ``+inf`` (exactly parallel) is allowed, NaN is not.

    Returns
    -------
    numpy.ndarray of the shape of ``log_cot``

    References
    ----------
    M. S. Charikar, "Similarity estimation techniques from rounding algorithms",
    STOC 2002.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import predicted_bit_error_rate
    >>> u = np.random.default_rng(0).standard_normal(2000)
    >>> theta = 0.2
    >>> ber = predicted_bit_error_rate(u, np.log(1 / np.tan(theta)))
    >>> print(f"{float(ber):.2f} {theta / np.pi:.2f}")  # Charikar's theta / pi
    0.06 0.06
    >>> float(predicted_bit_error_rate(u, np.inf))
    0.0
    """
    u = unit_vector(u, "u")
    k = u.size
    lc = check_array(log_cot, "log_cot", finite=False)
    if np.any(np.isnan(lc)):
        raise ValueError("log_cot must not contain NaN")
    cot = np.exp(np.clip(lc, -745, 700))
    scale = np.abs(u) * np.sqrt((k - 1) / np.maximum(1.0 - u * u, 1e-300))
    z = np.multiply.outer(cot, scale)
    return special.ndtr(-z).mean(axis=-1)
