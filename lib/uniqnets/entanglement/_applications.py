"""Sec. VI and VII of Lai, Dong and Jin measured over depth: key errors, eavesdroppers, recovery.

The paper's applications use the outputs of one trained chain at a single depth. These
functions measure them at every depth ``L = 0..L_max`` of a :class:`Propagation` (a chain
with tracked inputs), so that a chapter can say from which depth each works and compare
the measurements with the predictions from the angle alone
(:func:`predicted_bit_error_rate`, :func:`predicted_psnr`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._validate import check_array, check_int, check_real
from ._adversarial import adversarial_example, predicted_psnr, psnr, recover
from ._propagation import Propagation
from ._reconciliation import (
    _bits,
    binarize,
    bit_error_rate,
    decrypt,
    encrypt,
    predicted_bit_error_rate,
)

__all__ = ["Eavesdropping", "KeyErrors", "Recovery", "eavesdrop", "first_depth_from",
           "key_errors", "measured_alignment_rate", "recovery_scan"]


def first_depth_from(good) -> int:
    """The first depth from which ``good`` holds at every later depth; -1 if not at the last.

    Parameters
    ----------
    good : array of bool (L_max + 1,)
        A condition at depths ``0..L_max``.

    Examples
    --------
    >>> first_depth_from([False, True, False, True, True]), first_depth_from([True, False])
    (3, -1)
    """
    good = _bits(good, "good")
    if good.size == 0:
        raise ValueError("good must hold at least one depth")
    bad = np.flatnonzero(~good)
    return int(bad[-1] + 1) if bad.size and bad[-1] + 1 < good.size else (
        -1 if bad.size else 0)


def _check_tracked(tracked, name="tracked", directions=True) -> Propagation:
    if not isinstance(tracked, Propagation):
        raise TypeError(f"{name} must be a Propagation (the tracked inputs of a chain), "
                        f"got {type(tracked).__name__}")
    if not tracked.ok:
        raise ValueError(f"{name} holds a failed chain: {tracked.message}")
    if directions and tracked.directions is None:
        raise ValueError(f"{name} has no directions: track the inputs with their directions")
    return tracked


@dataclass(frozen=True)
class KeyErrors:
    """Bit errors of receivers decrypting with their own outputs, at every depth (Sec. VI).

    Attributes
    ----------
    ber : array (L_max + 1, m)
        Measured bit error rate of receiver ``j`` at depth ``L`` (mean over the messages,
        a complemented message counted as correct).
    ber_predicted : array (L_max + 1, m)
        :func:`predicted_bit_error_rate` from the angle of each receiver's output.
    k : int
        Bits per key.
    """

    ber: np.ndarray
    ber_predicted: np.ndarray
    k: int

    @property
    def sd(self) -> np.ndarray:
        """Binomial standard deviation of a key's error rate at the predicted rate."""
        p = np.clip(self.ber_predicted, 0, 1)
        return np.sqrt(p * (1 - p) / self.k)

    @property
    def worst_ratio(self) -> float:
        """max abs(measured - predicted) / (5 sd + 2/k): below 1 when the prediction holds.

        The flips of one key are ``k`` Bernoulli draws with the predicted probabilities
        (5 standard deviations), plus ``2/k`` for the Gaussian approximation of one
        coordinate of the complement direction.
        """
        return float(np.max(np.abs(self.ber - self.ber_predicted) / (5 * self.sd + 2 / self.k)))

    @property
    def first_error_free(self) -> np.ndarray:
        """Per receiver, the first depth from which no bit is wrong (-1: not within L_max)."""
        return np.array([first_depth_from(~(col * self.k >= 0.5)) for col in self.ber.T])

    @property
    def first_error_free_predicted(self) -> np.ndarray:
        """The same from the prediction: fewer than 1/2 expected wrong bits from there on."""
        return np.array([first_depth_from(~(col * self.k >= 0.5))
                         for col in self.ber_predicted.T])


def key_errors(tracked, messages: Sequence, n_receivers: int) -> KeyErrors:
    """Eq. 33-34 at every depth: the key of the training output against each receiver's.

    Parameters
    ----------
    tracked : Propagation
        A chain with tracked inputs; its first ``n_receivers`` inputs are the receivers.
    messages : sequence of arrays of bits, each with k entries
        The messages encrypted with the training output's key.
    n_receivers : int
        How many tracked inputs are receivers.

    Returns
    -------
    KeyErrors

    References
    ----------
    Lai, Dong and Jin, Sec. VI, Eqs. 33-34.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import key_errors, train_maxlikelihood
    >>> rng = np.random.default_rng(0)
    >>> P = train_maxlikelihood(rng.standard_normal(16), 64, 12, rng,
    ...                         track=rng.standard_normal((16, 2))).tracked
    >>> out = key_errors(P, [np.arange(16) % 2], 2)
    >>> out.ber.shape, bool(out.ber[-1].max() <= out.ber[0].max())
    ((13, 2), True)
    """
    tracked = _check_tracked(tracked)
    m = check_int(n_receivers, "n_receivers", lo=1, hi=tracked.log_cot.shape[1])
    if not isinstance(messages, Sequence) or isinstance(messages, (str, bytes)) \
            or not messages:
        raise TypeError("messages must be a non-empty sequence of bit arrays")
    k = tracked.train_directions.shape[1]
    msgs = [_bits(msg, f"messages[{i}]") for i, msg in enumerate(messages)]
    for i, msg in enumerate(msgs):
        if msg.size != k:
            raise ValueError(f"messages[{i}] has {msg.size} bits, the keys have {k}")
    depth = tracked.train_directions.shape[0] - 1
    ber = np.zeros((depth + 1, m))
    ber_pred = np.zeros((depth + 1, m))
    for L in range(depth + 1):
        key = binarize(tracked.train_directions[L])
        for j in range(m):
            ber[L, j] = np.mean([bit_error_rate(decrypt(key ^ msg,
                                                        tracked.directions[L][:, j]),
                                                msg, up_to_complement=True) for msg in msgs])
        ber_pred[L] = predicted_bit_error_rate(tracked.train_directions[L],
                                               tracked.log_cot[L, :m])
    return KeyErrors(ber, ber_pred, k)


@dataclass(frozen=True)
class Eavesdropping:
    """Bit error rates of four eavesdroppers at the full depth (Sec. VI-A).

    ``same_model``: Eve's own input through Alice's model; ``other_model``: the training
    output of an independent model; ``other_model_cross``: an input through the
    independent model; ``two_time_pad``: the XOR of two ciphertexts against the XOR of
    the messages; ``known_plaintext``: the second message read with the key recovered
    from the first; ``key_change``: how much Alice's key changes with a new input of
    hers (each up to a complement).
    """

    same_model: float
    other_model: float
    other_model_cross: float
    two_time_pad: float
    known_plaintext: float
    key_change: float


def eavesdrop(tracked, other, m1, m2, eve: int, second_input: int) -> Eavesdropping:
    """The four eavesdroppers of Sec. VI-A at the full depth of ``tracked``.

    Parameters
    ----------
    tracked : Propagation
        Alice's model with tracked inputs, among them Eve's (column ``eve``) and Alice's
        second input (column ``second_input``).
    other : Propagation
        An independent model of the same kind (its training output, and its first
        tracked input).
    m1, m2 : arrays of bits (k,)
        Two messages; ``m1`` is encrypted with the training output, ``m2`` with the
        output of Alice's second input.
    eve, second_input : int
        Columns of the tracked inputs.

    Returns
    -------
    Eavesdropping

    References
    ----------
    Lai, Dong and Jin, Sec. VI-A.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import eavesdrop, train_maxlikelihood
    >>> rng = np.random.default_rng(1)
    >>> P = train_maxlikelihood(rng.standard_normal(16), 64, 20, rng,
    ...                         track=rng.standard_normal((16, 2))).tracked
    >>> Q = train_maxlikelihood(rng.standard_normal(16), 64, 20, rng,
    ...                         track=rng.standard_normal((16, 1))).tracked
    >>> m = np.arange(16) % 2
    >>> eavesdrop(P, Q, m, 1 - m, 0, 1).two_time_pad
    0.0
    """
    tracked = _check_tracked(tracked)
    other = _check_tracked(other, "other")
    n_cols = tracked.log_cot.shape[1]
    eve = check_int(eve, "eve", lo=0, hi=n_cols - 1)
    second_input = check_int(second_input, "second_input", lo=0, hi=n_cols - 1)
    depth = tracked.train_directions.shape[0] - 1
    if other.train_directions.shape != tracked.train_directions.shape:
        raise ValueError("other must be a chain of the same depth and width as tracked")
    k = tracked.train_directions.shape[1]
    m1, m2 = _bits(m1, "m1"), _bits(m2, "m2")
    for name, m in (("m1", m1), ("m2", m2)):
        if m.size != k:
            raise ValueError(f"{name} has {m.size} bits, the keys have {k}")
    y1 = encrypt(m1, tracked.train_directions[depth])
    y2 = encrypt(m2, tracked.directions[depth][:, second_input])
    key_guess = y1 ^ m1
    return Eavesdropping(
        same_model=bit_error_rate(decrypt(y1, tracked.directions[depth][:, eve]), m1, True),
        other_model=bit_error_rate(decrypt(y1, other.train_directions[depth]), m1, True),
        other_model_cross=bit_error_rate(decrypt(y1, other.directions[depth][:, 0]), m1, True),
        two_time_pad=bit_error_rate(y1 ^ y2, m1 ^ m2, True),
        known_plaintext=bit_error_rate(y2 ^ key_guess, m2, True),
        key_change=bit_error_rate(binarize(tracked.train_directions[depth]),
                                  binarize(tracked.directions[depth][:, second_input]), True))


@dataclass(frozen=True)
class Recovery:
    """An image hidden under ``alpha`` times the training output, recovered at every depth.

    Attributes
    ----------
    alphas : array (A,)
        Noise factors.
    psnr : array (A, L_max + 1)
        PSNR (dB) of the image recovered with the sign read off the data.
    psnr_known_sign : array (A, L_max + 1)
        The same with the right sign (the branch of the unrelated input's output).
    psnr_literal : array (A, L_max + 1)
        The paper's plain subtraction (sign +1).
    psnr_predicted : array (A, L_max + 1)
        :func:`predicted_psnr` at the measured angle.
    psnr_adversarial : array (A,)
        PSNR of the adversarial example itself (no recovery).
    sign_right : array of bool (A, L_max + 1)
        Whether the sign read off the data is the right one.
    """

    alphas: np.ndarray
    psnr: np.ndarray
    psnr_known_sign: np.ndarray
    psnr_literal: np.ndarray
    psnr_predicted: np.ndarray
    psnr_adversarial: np.ndarray
    sign_right: np.ndarray

    @property
    def gain(self) -> np.ndarray:
        """PSNR of recovery over no recovery (dB), sign read off the data, (A, L_max + 1)."""
        return self.psnr - self.psnr_adversarial[:, None]

    @property
    def gain_known_sign(self) -> np.ndarray:
        """The same with the right sign."""
        return self.psnr_known_sign - self.psnr_adversarial[:, None]

    @property
    def break_even(self) -> np.ndarray:
        """Per alpha, the first depth from which recovery with the right sign beats none."""
        return np.array([first_depth_from(g > 0) for g in self.gain_known_sign])

    @property
    def break_even_from_data(self) -> np.ndarray:
        """The same with the sign read off the data."""
        return np.array([first_depth_from(g > 0) for g in self.gain])

    def first_recognisable(self, target: float) -> np.ndarray:
        """Per alpha, the first depth at which the PSNR reaches ``target`` dB (-1: never)."""
        target = check_real(target, "target")
        out = []
        for row in self.psnr:
            good = np.flatnonzero(row >= target)
            out.append(int(good[0]) if good.size else -1)
        return np.array(out)


def recovery_scan(image, tracked, unrelated: int, alphas) -> Recovery:
    """Sec. VII at every depth: hide ``image`` under ``alpha u_L``, subtract the unrelated output.

    Parameters
    ----------
    image : array, k pixels in [0, 1]
        The hidden image.
    tracked : Propagation
        A chain whose tracked input ``unrelated`` is the unrelated image.
    unrelated : int
        Its column.
    alphas : sequence of float (A,)
        Noise factors (finite, positive).

    Returns
    -------
    Recovery

    References
    ----------
    Lai, Dong and Jin, Sec. VII, Fig. 9.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import recovery_scan, train_maxlikelihood
    >>> rng = np.random.default_rng(2)
    >>> img = rng.uniform(size=16)
    >>> P = train_maxlikelihood(rng.standard_normal(16), 64, 30, rng,
    ...                         track=img[:, None]).tracked
    >>> r = recovery_scan(img, P, 0, [10.0])
    >>> bool(r.psnr[0, -1] > r.psnr[0, 1] + 20)
    True
    """
    tracked = _check_tracked(tracked)
    col = check_int(unrelated, "unrelated", lo=0, hi=tracked.log_cot.shape[1] - 1)
    alphas = check_array(alphas, "alphas", ndim=1)
    if np.any(alphas <= 0):
        raise ValueError("alphas must be positive")
    image = check_array(image, "image", finite=True)
    k = tracked.train_directions.shape[1]
    if image.size != k:
        raise ValueError(f"image has {image.size} pixels, the chain's width is {k}")
    depth = tracked.train_directions.shape[0] - 1
    shape = (alphas.size, depth + 1)
    out = {name: np.zeros(shape) for name in ("psnr", "known", "literal", "pred")}
    sign_right = np.zeros(shape, dtype=bool)
    adversarial = np.zeros(alphas.size)
    u_other = tracked.directions[:, :, col]
    for a, alpha in enumerate(alphas):
        for L in range(depth + 1):
            y = adversarial_example(image, tracked.train_directions[L], alpha)
            if L == 0:
                adversarial[a] = psnr(image, y)
            s = 1 if float(y.ravel() @ u_other[L]) >= 0 else -1
            sign_right[a, L] = s == tracked.cos_sign[L, col]
            out["psnr"][a, L] = psnr(image, recover(y, u_other[L], alpha, sign="auto"))
            out["known"][a, L] = psnr(image, recover(y, u_other[L], alpha,
                                                     sign=int(tracked.cos_sign[L, col])))
            out["literal"][a, L] = psnr(image, recover(y, u_other[L], alpha, sign=1))
            out["pred"][a, L] = predicted_psnr(alpha, tracked.log_misalignment[L, col], k)
    return Recovery(alphas, out["psnr"], out["known"], out["literal"], out["pred"],
                    adversarial, sign_right)


def measured_alignment_rate(tracked, start: int) -> tuple[float, float]:
    """The decay rate of ``log cot theta`` per layer from depth ``start`` on, with its error.

    The mean over layers of the per-layer increment, averaged over the tracked inputs;
    the layers are independent, so the increments' spread gives the standard error.

    Returns
    -------
    (rate, standard error) : floats, per layer (natural log)

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import alignment_rate, measured_alignment_rate
    >>> from uniqnets.entanglement import train_maxlikelihood
    >>> rng = np.random.default_rng(3)
    >>> P = train_maxlikelihood(rng.standard_normal(8), 32, 400, rng,
    ...                         track=rng.standard_normal((8, 4))).tracked
    >>> rate, se = measured_alignment_rate(P, 100)
    >>> bool(abs(rate - alignment_rate(8, 32)) < 4 * se)
    True
    """
    tracked = _check_tracked(tracked, directions=False)
    depth = tracked.log_cot.shape[0] - 1
    start = check_int(start, "start", lo=0, hi=depth - 2)
    inc = np.diff(tracked.log_cot[start:], axis=0).mean(axis=1)
    return float(inc.mean()), float(inc.std(ddof=1) / np.sqrt(inc.size))
