"""Linear paths between two networks, their barriers, and how far apart two networks are.

Two networks are *linearly mode connected* when the loss (or the test error) along the
straight line ``theta(alpha) = (1 - alpha) theta_a + alpha theta_b`` between them rises
nowhere above its end points: the height of the rise is the *barrier*.  Frankle et al.
(2020) measure the error barrier against the mean of the end points; Entezari et al.
(2022) the loss barrier against the chord between them.  This module computes:

- :func:`interpolation_path`: the mean cross-entropy and the classification error along
  the line (a :class:`Path`), and :func:`barrier` of any such curve;
- :func:`prediction_churn` and :func:`function_distance`: how differently two networks
  classify the same inputs (their arg-max labels, their softmax outputs);
- :func:`parameter_distance`: how far apart their parameters are, before and after
  weight matching (:func:`weight_matching`) removes the hidden-unit permutations.

References
----------
J. Frankle, G. K. Dziugaite, D. M. Roy, M. Carbin, "Linear mode connectivity and the
lottery ticket hypothesis", ICML 2020.
R. Entezari, H. Sedghi, O. Saukh, B. Neyshabur, "The role of permutation invariance in
linear mode connectivity of neural networks", ICLR 2022.
C. Summers, M. J. Dinneen, "Nondeterminism and instability in neural network
optimization", ICML 2021.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import check_array, check_bool, check_choice, check_int, check_size
from ._matching import Matching, _check_network, _float_vector, weight_matching
from ._models import Network

__all__ = ["REFERENCES", "ParameterDistance", "Path", "barrier", "function_distance",
           "interpolation_path", "parameter_distance", "prediction_churn"]

#: what a barrier is measured against: the chord between the end points (Entezari et al.)
#: or their mean (Frankle et al.)
REFERENCES = ("linear", "mean")

_CACHE: dict = {}  # compiled functions by network


def _compiled(network):
    """Batch sums of the cross-entropy and the errors, and the softmax outputs (jitted)."""
    if network in _CACHE:
        return _CACHE[network]

    def sums(theta, X, Y, mask):
        f = network.apply(network.unflatten(theta), X)
        logp = jax.nn.log_softmax(f, axis=-1)
        nll = -jnp.take_along_axis(logp, Y[..., None], axis=-1)[..., 0]
        m = mask.reshape(mask.shape + (1,) * (nll.ndim - 1))
        wrong = jnp.argmax(f, axis=-1) != Y
        return jnp.sum(jnp.where(m, nll, 0)), jnp.sum(jnp.where(m, wrong, False))

    def outputs(theta, X):
        f = network.apply(network.unflatten(theta), X)
        return jax.nn.softmax(f, axis=-1), jnp.argmax(f, axis=-1)

    fns = dict(sums=jax.jit(sums), outputs=jax.jit(outputs))
    _CACHE[network] = fns
    return fns


def _network(network) -> Network:
    if not isinstance(network, Network):
        raise TypeError(f"network must be a Network, got {type(network).__name__}")
    return network


def _thetas(network, theta_a, theta_b):
    """Both parameter vectors, checked, in their common floating dtype."""
    out = []
    for name, theta in (("theta_a", theta_a), ("theta_b", theta_b)):
        theta = _float_vector(theta, name)
        if theta.shape != (network.n_params,):
            raise ValueError(f"{name} must have shape ({network.n_params},), got "
                             f"{theta.shape}")
        out.append(theta)
    dtype = np.result_type(*out)
    return out[0].astype(dtype, copy=False), out[1].astype(dtype, copy=False), dtype


def _tokens(network):
    return network.kind == "transformer" and bool(network.cfg["vocab"])


def _inputs(network, X, dtype):
    X = check_array(X, "X", ndim=2, dtype=np.int64 if _tokens(network) else dtype)
    if X.shape[1] != network.n_in:
        raise ValueError(f"X must have shape (n_samples, {network.n_in}), got {X.shape}")
    check_size(X.size, "X")
    return X


def _labels(network, Y, n):
    Y = check_array(Y, "Y", dtype=None)
    if Y.dtype.kind not in "iu":
        raise TypeError(f"Y must hold integer class labels, got dtype {Y.dtype}")
    per_token = network.kind == "transformer" and not network.cfg["pool"]
    shape = (n, network.cfg["seq_len"]) if per_token else (n,)
    if Y.shape != shape:
        raise ValueError(f"Y must have shape {shape}, got {Y.shape}")
    n_out = network.cfg["sizes"][-1] if network.kind == "mlp" else network.cfg["n_out"]
    if Y.min() < 0 or Y.max() >= n_out:
        raise ValueError(f"Y labels must lie in 0..{n_out - 1}")
    return Y.astype(np.int64)


def _batches(n, batch_size):
    """Start indices and the padded length: every batch has ``batch_size`` rows, so the
    compiled functions see one shape."""
    size = min(batch_size, n)
    return range(0, n, size), size


def _pad(A, start, size):
    part = A[start:start + size]
    if part.shape[0] == size:
        return part, np.ones(size, bool)
    pad = np.zeros((size - part.shape[0], *A.shape[1:]), A.dtype)
    mask = np.arange(size) < part.shape[0]
    return np.concatenate([part, pad]), mask


def _check_alphas(alphas, n=None, name="alphas"):
    alphas = check_array(alphas, name, ndim=1, dtype=np.float64, min_size=2)
    if n is not None and alphas.shape != (n,):
        raise ValueError(f"{name} must have one entry per value ({n}), got shape "
                         f"{alphas.shape}")
    if alphas[0] != 0.0 or alphas[-1] != 1.0:
        raise ValueError(f"{name} must start at 0 and end at 1, got {alphas[0]!r} .. "
                         f"{alphas[-1]!r}")
    if np.any(np.diff(alphas) <= 0):
        raise ValueError(f"{name} must increase strictly")
    return alphas


def barrier(values, alphas=None, reference: str = "linear") -> float:
    """The height of a curve ``f(alpha)`` on ``[0, 1]`` above a reference from its ends.

    - ``reference="linear"`` (Entezari et al. 2022): ``max_alpha [f(alpha) -
      ((1 - alpha) f(0) + alpha f(1))]``, the rise above the chord;
    - ``reference="mean"`` (Frankle et al. 2020, the *instability* of their error
      curves): ``max_alpha f(alpha) - (f(0) + f(1)) / 2``.

    The maximum runs over the sampled ``alphas``, end points included, so both are
    ``>= 0`` (exactly 0 for ``"linear"`` when the curve lies on or below its chord, as
    a convex curve does); a barrier of a sampled curve is a lower bound of the true one.

    Parameters
    ----------
    values : array, shape (n_alphas,)
        ``f`` at ``alphas``, finite (a loss, an error, ...).
    alphas : array, shape (n_alphas,), optional
        Strictly increasing from 0 to 1; ``numpy.linspace(0, 1, n_alphas)`` by default.
    reference : {"linear", "mean"}

    Returns
    -------
    float, in the units of ``values``

    References
    ----------
    R. Entezari, H. Sedghi, O. Saukh, B. Neyshabur, "The role of permutation invariance
    in linear mode connectivity of neural networks", ICLR 2022, Eq. (1).
    J. Frankle, G. K. Dziugaite, D. M. Roy, M. Carbin, "Linear mode connectivity and the
    lottery ticket hypothesis", ICML 2020, Sec. 2.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import barrier
    >>> a = np.linspace(0, 1, 5)
    >>> barrier(a * (1 - a), a), barrier(a * (1 - a), a, reference="mean")
    (0.25, 0.25)
    >>> barrier(1 + a, a), barrier(1 + a, a, reference="mean")
    (0.0, 0.5)
    """
    values = check_array(values, "values", ndim=1, min_size=2)
    n = values.shape[0]
    alphas = np.linspace(0.0, 1.0, n) if alphas is None else _check_alphas(alphas, n)
    check_choice(reference, "reference", REFERENCES)
    if reference == "linear":
        ref = (1 - alphas) * values[0] + alphas * values[-1]
    else:
        ref = np.full(n, (values[0] + values[-1]) / 2)
    return float(np.max(values - ref))


@dataclass(frozen=True)
class Path:
    """Loss and error along the line between two networks (:func:`interpolation_path`).

    Attributes
    ----------
    alphas : numpy array, shape (n_alphas,)
        Points ``alpha`` of ``theta(alpha) = (1 - alpha) theta_a + alpha theta_b``.
    loss : numpy array, shape (n_alphas,)
        Mean cross-entropy (nats) on the data at each point.
    error : numpy array, shape (n_alphas,)
        Fraction of misclassified samples at each point.
    dtype : str
        The floating dtype the networks were evaluated in.
    """

    alphas: np.ndarray
    loss: np.ndarray
    error: np.ndarray
    dtype: str

    def barrier(self, quantity: str = "loss", reference: str = "linear") -> float:
        """:func:`barrier` of the loss or the error along the path.

        Parameters
        ----------
        quantity : {"loss", "error"}
        reference : {"linear", "mean"}

        Returns
        -------
        float

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.practice import Path
        >>> p = Path(np.array([0, 0.5, 1]), np.array([1.0, 2.0, 1.0]),
        ...          np.array([0.1, 0.5, 0.2]), "float64")
        >>> p.barrier("loss"), p.barrier("error", "mean")
        (1.0, 0.35)
        """
        check_choice(quantity, "quantity", ("loss", "error"))
        return barrier(getattr(self, quantity), self.alphas, reference)

    @property
    def loss_barrier(self) -> float:
        """The loss barrier above the chord (Entezari et al. 2022), nats."""
        return self.barrier("loss", "linear")

    @property
    def error_barrier(self) -> float:
        """The error barrier above the mean of the end points (Frankle et al. 2020)."""
        return self.barrier("error", "mean")


def interpolation_path(network: Network, theta_a, theta_b, X, Y, alphas=None,
                       batch_size: int = 1000) -> Path:
    """Mean cross-entropy and classification error along the line from ``theta_a`` to ``theta_b``.

    At each ``alpha``, ``theta = (1 - alpha) theta_a + alpha theta_b`` (so the end
    points are the two networks exactly) and the data loss of the training maps
    (:class:`TrainingMap` with ``loss="xent"``: the mean over samples of ``-log
    softmax(f(x))_y``, no weight decay) and the fraction of arg-max labels that differ
    from ``Y``, in float32 when both parameter vectors are float32 and in float64
    otherwise, ``batch_size`` samples at a time.  The network's function is
    compiled once and reused for every ``alpha`` and batch.

    Parameters
    ----------
    network : Network
    theta_a, theta_b : array, shape (n_params,)
        Evaluated in float32 when both are float32, in float64 otherwise.
    X : array, shape (n_samples, n_in)
    Y : int array, shape (n_samples,)
        Class labels (``(n_samples, seq_len)`` for a transformer without pooling).
    alphas : array, shape (n_alphas,), optional
        Strictly increasing from 0 to 1; by default the 11 points ``0, 0.1, ..., 1``.
    batch_size : int >= 1

    Returns
    -------
    Path
        Its :attr:`Path.loss_barrier` and :attr:`Path.error_barrier` are the barriers of
        Entezari et al. and of Frankle et al.

    References
    ----------
    J. Frankle, G. K. Dziugaite, D. M. Roy, M. Carbin, "Linear mode connectivity and the
    lottery ticket hypothesis", ICML 2020.
    I. J. Goodfellow, O. Vinyals, A. M. Saxe, "Qualitatively characterizing neural
    network optimization problems", ICLR 2015 (the linear path between two networks).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import interpolation_path, mlp
    >>> net = mlp((4, 8, 3))
    >>> a, b = (net.init(np.random.default_rng(s)) for s in (0, 1))
    >>> X = np.random.default_rng(2).standard_normal((50, 4))
    >>> Y = np.asarray(net.apply(net.unflatten(a), X)).argmax(axis=1)  # a's own labels
    >>> path = interpolation_path(net, a, b, X, Y)
    >>> path.loss.shape, float(path.error[0]), path.error_barrier > 0
    ((11,), 0.0, True)
    """
    network = _network(network)
    theta_a, theta_b, dtype = _thetas(network, theta_a, theta_b)
    X = _inputs(network, X, dtype)
    Y = _labels(network, Y, X.shape[0])
    alphas = _check_alphas(np.linspace(0.0, 1.0, 11) if alphas is None else alphas)
    batch_size = check_int(batch_size, "batch_size", lo=1)
    fns = _compiled(network)
    starts, size = _batches(X.shape[0], batch_size)
    batches = [(*_pad(X, s, size), _pad(Y, s, size)[0]) for s in starts]
    n_labels = Y.size
    loss, error = np.empty(alphas.size), np.empty(alphas.size)
    for k, alpha in enumerate(alphas):
        # in the parameters' dtype; alpha = 0 and 1 give theta_a and theta_b exactly
        theta = jnp.asarray(dtype.type(1 - alpha) * theta_a + dtype.type(alpha) * theta_b)
        total, wrong = 0.0, 0
        for Xb, mask, Yb in batches:
            s, w = fns["sums"](theta, jnp.asarray(Xb), jnp.asarray(Yb), jnp.asarray(mask))
            total += float(s)
            wrong += int(w)
        loss[k], error[k] = total / n_labels, wrong / n_labels
    return Path(alphas=alphas, loss=loss, error=error, dtype=dtype.name)


def _outputs(network, theta_a, theta_b, X, batch_size):
    network = _network(network)
    theta_a, theta_b, dtype = _thetas(network, theta_a, theta_b)
    X = _inputs(network, X, dtype)
    batch_size = check_int(batch_size, "batch_size", lo=1)
    fns = _compiled(network)
    starts, size = _batches(X.shape[0], batch_size)
    out = []
    for theta in (theta_a, theta_b):
        th = jnp.asarray(theta)
        probs, labels = [], []
        for s in starts:
            Xb, mask = _pad(X, s, size)
            p, lab = fns["outputs"](th, jnp.asarray(Xb))
            probs.append(np.asarray(p, np.float64)[mask])
            labels.append(np.asarray(lab)[mask])
        out.append((np.concatenate(probs), np.concatenate(labels)))
    return out


def prediction_churn(network: Network, theta_a, theta_b, X, batch_size: int = 1000) -> float:
    """Fraction of inputs on which two networks' arg-max labels differ (*churn*).

    Parameters
    ----------
    network : Network
    theta_a, theta_b : array, shape (n_params,)
        Evaluated in float32 when both are float32, in float64 otherwise.
    X : array, shape (n_samples, n_in)
    batch_size : int >= 1

    Returns
    -------
    float in [0, 1]
        (Over samples and tokens, for a transformer without pooling.)

    References
    ----------
    C. Summers, M. J. Dinneen, "Nondeterminism and instability in neural network
    optimization", ICML 2021 (their "disagreement" between runs).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import mlp, permute, prediction_churn
    >>> net = mlp((4, 8, 3))
    >>> a, b = (net.init(np.random.default_rng(s)) for s in (0, 1))
    >>> X = np.random.default_rng(2).standard_normal((200, 4))
    >>> prediction_churn(net, a, permute(net, a, [np.arange(8)[::-1]]), X)
    0.0
    >>> 0.2 < prediction_churn(net, a, b, X) < 1
    True
    """
    (_, la), (_, lb) = _outputs(network, theta_a, theta_b, X, batch_size)
    return float(np.mean(la != lb))


def function_distance(network: Network, theta_a, theta_b, X, batch_size: int = 1000) -> float:
    """Mean total-variation distance between two networks' softmax outputs.

    ``(1/n) sum_i (1/2) sum_k |p_a(k | x_i) - p_b(k | x_i)|``: 0 for networks that give
    every input the same class probabilities, 1 for networks that put all their weight
    on different classes everywhere.  Unlike :func:`prediction_churn` it also sees
    changes of confidence that leave the arg-max label alone.  Summers and Dinneen
    (2021) compare runs by such differences of their predictions, because two runs with
    the same accuracy can still classify different inputs differently.

    Parameters
    ----------
    network : Network
    theta_a, theta_b : array, shape (n_params,)
        Evaluated in float32 when both are float32, in float64 otherwise.
    X : array, shape (n_samples, n_in)
    batch_size : int >= 1

    Returns
    -------
    float in [0, 1]

    References
    ----------
    C. Summers, M. J. Dinneen, "Nondeterminism and instability in neural network
    optimization", ICML 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import function_distance, mlp
    >>> net = mlp((4, 2), "linear")
    >>> a = np.array([0, 0, 0, 0, 0, 0, 0, 0, 0.0, 0.0])  # uniform outputs
    >>> b = np.array([0, 0, 0, 0, 0, 0, 0, 0, 50.0, -50.0])  # class 0, certainly
    >>> round(function_distance(net, a, b, np.zeros((3, 4))), 12)
    0.5
    """
    (pa, _), (pb, _) = _outputs(network, theta_a, theta_b, X, batch_size)
    return float(np.mean(0.5 * np.abs(pa - pb).sum(axis=-1)))


@dataclass(frozen=True)
class ParameterDistance:
    """Relative distance between two parameter vectors (:func:`parameter_distance`).

    Attributes
    ----------
    raw : float
        ``||theta_a - theta_b|| / sqrt(||theta_a|| ||theta_b||)``.
    aligned : float or None
        The same after :func:`weight_matching` aligned ``theta_b`` to ``theta_a``
        (``None`` when not asked for).
    matching : Matching or None
        The matching used.
    """

    raw: float
    aligned: float | None
    matching: Matching | None


def _relative(a, b):
    return float(np.linalg.norm(a - b) / np.sqrt(np.linalg.norm(a) * np.linalg.norm(b)))


def parameter_distance(network: Network, theta_a, theta_b, modulo_permutations: bool = True,
                       rng: np.random.Generator | None = None) -> ParameterDistance:
    """How far apart two networks' parameters are, with and without hidden-unit permutations.

    ``||theta_a - theta_b|| / sqrt(||theta_a|| ||theta_b||)``: 0 for equal vectors,
    about ``sqrt(2)`` for independent random vectors of equal norm, and unchanged when
    both are scaled by the same factor.  Two networks that differ by a permutation of
    hidden units compute the same function but are far apart in this raw distance; with
    ``modulo_permutations``, ``theta_b`` is first aligned to ``theta_a`` by
    :func:`weight_matching`, and the distance after alignment is reported too.  Weight
    matching maximises ``<theta_a, pi(theta_b)>``, so the aligned distance is never
    larger than the raw one.

    Parameters
    ----------
    network : Network
        An :func:`mlp`, :func:`cnn` or :func:`resnet` when ``modulo_permutations``.
    theta_a, theta_b : array, shape (n_params,), not zero
    modulo_permutations : bool
    rng : numpy.random.Generator, optional
        Passed on to :func:`weight_matching`.

    Returns
    -------
    ParameterDistance

    References
    ----------
    S. K. Ainsworth, J. Hayase, S. Srinivasa, "Git Re-Basin: merging models modulo
    permutation symmetries", ICLR 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import mlp, parameter_distance, permute
    >>> net = mlp((4, 8, 3))
    >>> a = net.init(np.random.default_rng(0))
    >>> d = parameter_distance(net, a, permute(net, a, [np.arange(8)[::-1]]))
    >>> d.raw > 0.5, d.aligned
    (True, 0.0)
    """
    network = _network(network)
    theta_a, theta_b, _ = _thetas(network, theta_a, theta_b)
    modulo_permutations = check_bool(modulo_permutations, "modulo_permutations")
    for name, theta in (("theta_a", theta_a), ("theta_b", theta_b)):
        if not np.any(theta):
            raise ValueError(f"{name} must not be zero: the distance is relative to its norm")
    a, b = theta_a.astype(np.float64), theta_b.astype(np.float64)
    if not modulo_permutations:
        return ParameterDistance(raw=_relative(a, b), aligned=None, matching=None)
    _check_network(network)
    m = weight_matching(network, a, b, rng=rng)
    return ParameterDistance(raw=_relative(a, b), aligned=_relative(a, m.theta), matching=m)
