"""The multilayer perceptron on a flat parameter vector: layout, initialisation, forward pass."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from .._validate import (
    check_array,
    check_bool,
    check_choice,
    check_int,
    check_real,
    check_rng,
    check_size,
)

__all__ = ["ACTIVATIONS", "MLP"]

#: Nonlinearities of the hidden layers.
ACTIVATIONS = ("tanh", "relu", "linear")


def _act(name, z):
    """phi(z), phi'(z), phi''(z) for the named activation."""
    if name == "tanh":
        t = np.tanh(z)
        d1 = 1.0 - t * t
        return t, d1, -2.0 * t * d1
    if name == "relu":
        pos = z > 0
        return np.where(pos, z, 0.0).astype(z.dtype), pos.astype(z.dtype), np.zeros_like(z)
    # linear
    return z, np.ones_like(z), np.zeros_like(z)


def _float_array(value, name: str, **kwargs) -> np.ndarray:
    """``value`` as a real floating array, keeping a floating dtype (float32 stays float32).

    Integer arrays become float64; booleans, complex numbers and text are refused.
    """
    arr = check_array(value, name, dtype=None, **kwargs)
    if arr.dtype.kind in "iu":
        return arr.astype(np.float64)
    if arr.dtype.kind != "f":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    return arr


def _float_dtype(dtype, name: str = "dtype") -> np.dtype:
    """A numpy floating dtype (float32, float64, ...)."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name} must be a numpy floating dtype, got {dtype!r}") from None
    if dt.kind != "f":
        raise TypeError(f"{name} must be a numpy floating dtype, got {dt}")
    return dt


def _check_model(model, name: str = "model") -> MLP:
    if not isinstance(model, MLP):
        raise TypeError(f"{name} must be an MLP, got {type(model).__name__}")
    return model


@dataclass(frozen=True)
class MLP:
    """A fully connected network on a flat parameter vector.

    A network with layer sizes ``(n_0, n_1, ..., n_L)`` has parameters ``theta`` in
    ``R^d``, packed layer by layer: for ``l = 1..L`` the weight matrix ``W_l`` of shape
    ``(n_l, n_{l-1})`` in row-major order, then the bias ``b_l`` of shape ``(n_l,)``.
    The forward pass is ``a_0 = X``, ``z_l = a_{l-1} W_l^T + b_l``,
    ``a_l = phi(z_l)`` for ``l < L`` and ``f = z_L`` (the last layer is linear).

    Parameters
    ----------
    sizes : sequence of int
        Layer widths ``(n_0, n_1, ..., n_L)``: input dimension, hidden widths,
        output dimension, each ``>= 1``.  Depth is ``L = len(sizes) - 1 >= 1``.
    activation : {"tanh", "relu", "linear"}
        Nonlinearity of the hidden layers; the output layer is linear.
    residual : bool
        Add identity skip connections around every hidden-to-hidden layer,
        ``a_l = a_{l-1} + phi(z_l)`` (a residual MLP, as in ResNets); needs equal
        hidden widths.  The first hidden layer and the linear output layer have none.

    Raises
    ------
    TypeError
        If a width is not an integer (``2.7``, ``True``), or ``residual`` is not a bool.
    ValueError
        If a width is below 1, there are fewer than two widths, the activation is
        unknown, or the parameter vector would not fit in memory.

    References
    ----------
    K. He, X. Zhang, S. Ren, J. Sun, "Deep residual learning for image recognition",
    CVPR 2016 (the skip connections of ``residual=True``).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP
    >>> net = MLP((2, 3, 1), "tanh")
    >>> net.depth, net.n_params
    (2, 13)
    >>> theta = net.init(np.random.default_rng(0))
    >>> net(theta, np.zeros((4, 2))).shape
    (4, 1)
    """

    sizes: tuple[int, ...]
    activation: str = "tanh"
    residual: bool = False
    _slices: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if isinstance(self.sizes, (str, bytes)) or not isinstance(self.sizes,
                                                                  (Sequence, np.ndarray)):
            raise TypeError(f"sizes must be a sequence of integers, got "
                            f"{type(self.sizes).__name__}")
        sizes = tuple(check_int(s, f"sizes[{i}]", lo=1) for i, s in enumerate(self.sizes))
        if len(sizes) < 2:
            raise ValueError(f"sizes must list at least an input and an output width, got {sizes}")
        check_size(sum(n_out * (n_in + 1) for n_in, n_out in pairwise(sizes)), "sizes")
        check_choice(self.activation, "activation", ACTIVATIONS)
        check_bool(self.residual, "residual")
        if self.residual and len(set(sizes[1:-1])) > 1:
            raise ValueError(f"residual: hidden widths must be equal, got {sizes[1:-1]}")
        object.__setattr__(self, "sizes", sizes)
        object.__setattr__(self, "residual", bool(self.residual))
        slices, start = [], 0
        for n_in, n_out in pairwise(sizes):
            w = slice(start, start + n_out * n_in)
            start += n_out * n_in
            b = slice(start, start + n_out)
            start += n_out
            slices.append((w, b, (n_out, n_in)))
        object.__setattr__(self, "_slices", tuple(slices))

    # -- layout -------------------------------------------------------------------------
    @property
    def depth(self) -> int:
        """Number of weight layers ``L``.

        Examples
        --------
        >>> from uniqnets.models import MLP
        >>> MLP((3, 5, 5, 2)).depth
        3
        """
        return len(self.sizes) - 1

    def _skip(self, l: int) -> bool:
        return self.residual and 0 < l < self.depth - 1

    def skip(self, l: int) -> bool:
        """Whether weight layer ``l`` (0-based) has an identity skip connection.

        Parameters
        ----------
        l : int
            Index of a weight layer, ``0 <= l < depth``.

        Returns
        -------
        bool

        Examples
        --------
        >>> from uniqnets.models import MLP
        >>> net = MLP((2, 3, 3, 1), residual=True)
        >>> [net.skip(l) for l in range(net.depth)]
        [False, True, False]
        """
        return self._skip(check_int(l, "l", lo=0, hi=self.depth - 1))

    @property
    def n_params(self) -> int:
        """Dimension ``d`` of the parameter vector, ``sum_l n_l (n_{l-1} + 1)``.

        Examples
        --------
        >>> from uniqnets.models import MLP
        >>> MLP((2, 3, 1)).n_params
        13
        """
        return sum(n_out * (n_in + 1) for n_in, n_out in pairwise(self.sizes))

    def unflatten(self, theta):
        """Views ``[(W_1, b_1), ..., (W_L, b_L)]`` into ``theta`` (no copy).

        Parameters
        ----------
        theta : array, shape (d,) or (d, k)
            One parameter vector, or a block of ``k`` of them as columns.

        Returns
        -------
        list of (W, b)
            For a vector, ``W_l`` of shape ``(n_l, n_{l-1})`` and ``b_l`` of shape
            ``(n_l,)``; for a block, ``W_l`` of shape ``(k, n_l, n_{l-1})`` and ``b_l``
            of shape ``(k, n_l)``.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.models import MLP
        >>> net = MLP((2, 3, 1))
        >>> [(W.shape, b.shape) for W, b in net.unflatten(np.arange(13.0))]
        [((3, 2), (3,)), ((1, 3), (1,))]
        """
        theta = _float_array(theta, "theta", ndim=(1, 2), finite=False, min_size=0) \
            if not isinstance(theta, np.ndarray) else theta
        if theta.ndim not in (1, 2) or theta.shape[0] != self.n_params:
            raise ValueError(
                f"theta must have shape ({self.n_params},) or ({self.n_params}, k), "
                f"got {theta.shape}"
            )
        if theta.ndim == 1:
            return [(theta[w].reshape(shape), theta[b]) for w, b, shape in self._slices]
        k = theta.shape[1]
        return [
            (theta[w].T.reshape((k, *shape)), theta[b].T) for w, b, shape in self._slices
        ]

    def flatten(self, layers) -> np.ndarray:
        """Inverse of :meth:`unflatten` for a single parameter vector.

        Parameters
        ----------
        layers : sequence of (W, b)
            One pair per weight layer, ``W_l`` of shape ``(n_l, n_{l-1})`` and ``b_l``
            of shape ``(n_l,)``.

        Returns
        -------
        array, shape (d,)

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.models import MLP
        >>> net = MLP((2, 3, 1))
        >>> theta = np.arange(13.0)
        >>> bool(np.array_equal(net.flatten(net.unflatten(theta)), theta))
        True
        """
        if isinstance(layers, (str, bytes)) or not isinstance(layers, Sequence):
            raise TypeError(f"layers must be a sequence of (W, b) pairs, got "
                            f"{type(layers).__name__}")
        if len(layers) != self.depth:
            raise ValueError(f"layers must have one (W, b) pair per weight layer "
                             f"({self.depth}), got {len(layers)}")
        for l, ((_, _, shape), pair) in enumerate(zip(self._slices, layers, strict=True)):
            if isinstance(pair, (str, bytes)) or not isinstance(pair, Sequence) or len(pair) != 2:
                raise TypeError(f"layers[{l}] must be a pair (W, b)")
            check_array(pair[0], f"layers[{l}][0]", shape=shape, dtype=None, finite=False)
            check_array(pair[1], f"layers[{l}][1]", shape=(shape[0],), dtype=None,
                        finite=False)
        return self._flatten(layers)

    @staticmethod
    def _flatten(layers) -> np.ndarray:
        return np.concatenate([np.concatenate([W.ravel(), b.ravel()]) for W, b in layers])

    def init(self, rng: np.random.Generator, gain: float = 1.0, bias_std: float = 0.0,
             dtype=np.float64) -> np.ndarray:
        """Draw ``theta`` with ``W_l ~ N(0, gain^2 / n_{l-1})`` and ``b_l ~ N(0, bias_std^2)``.

        This is LeCun / Xavier-style fan-in scaling; ``gain > 1`` pushes tanh
        networks towards the chaotic phase of signal propagation.

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of the draws (layer by layer: weights, then biases).
        gain : float >= 0
            Standard deviation of the weights times ``sqrt(fan_in)``.
        bias_std : float >= 0
            Standard deviation of the biases.
        dtype : numpy floating dtype
            Dtype of the result (the draws are made in float64).

        Returns
        -------
        array, shape (d,)

        References
        ----------
        Y. LeCun, L. Bottou, G. B. Orr, K.-R. Mueller, "Efficient backprop", in
        Neural Networks: Tricks of the Trade, Springer 1998.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.models import MLP
        >>> theta = MLP((10_000, 1)).init(np.random.default_rng(0), gain=2.0)
        >>> print(f"{theta[:-1].std() * 100:.1f}")  # gain / sqrt(fan_in), times sqrt(fan_in)
        2.0
        """
        rng = check_rng(rng)
        check_real(gain, "gain", lo=0.0)
        check_real(bias_std, "bias_std", lo=0.0)
        dtype = _float_dtype(dtype)
        parts = []
        for n_in, n_out in pairwise(self.sizes):
            parts.append(rng.standard_normal(n_out * n_in) * (gain / np.sqrt(n_in)))
            parts.append(rng.standard_normal(n_out) * bias_std)
        return np.concatenate(parts).astype(dtype)

    # -- evaluation ---------------------------------------------------------------------
    def _check_theta(self, theta, name: str = "theta"):
        """``theta`` as a finite floating vector of shape ``(d,)`` (dtype kept)."""
        theta = _float_array(theta, name, min_size=0)
        if theta.shape != (self.n_params,):
            raise ValueError(f"{name} must have shape ({self.n_params},), got {theta.shape}")
        return theta

    def _check_X(self, X, dtype, name: str = "X"):
        """``X`` as a finite array of ``dtype`` and shape ``(n_samples, n_0)``."""
        X = check_array(X, name, shape=(None, self.sizes[0]), dtype=dtype)
        # the widest layer's activations are the largest array of a forward pass
        check_size(X.shape[0] * max(self.sizes), name)
        return X

    def forward(self, theta, X) -> np.ndarray:
        """Network outputs ``f_theta(X)``.

        Parameters
        ----------
        theta : array, shape (d,)
            Parameters; their dtype is the dtype of the computation.
        X : array, shape (n_samples, n_0)
            Inputs, one per row.

        Returns
        -------
        array, shape (n_samples, n_L)

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.models import MLP
        >>> net = MLP((1, 1), "linear")  # f(x) = w x + b
        >>> net.forward(np.array([2.0, 0.5]), np.array([[1.0], [3.0]])).ravel().tolist()
        [2.5, 6.5]
        """
        theta = self._check_theta(theta)
        return self._apply(theta, self._check_X(X, theta.dtype))

    def _apply(self, theta, a) -> np.ndarray:
        """:meth:`forward` on arguments already checked."""
        layers = self.unflatten(theta)
        for l, (W, b) in enumerate(layers):
            z = a @ W.T + b
            if l == self.depth - 1:
                a = z
            else:
                a = _act(self.activation, z)[0] + (a if self._skip(l) else 0)
        return a

    __call__ = forward
