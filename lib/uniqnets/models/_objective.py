"""The training loss of an MLP on a data set, with exact gradient and Hessian-vector product."""

from __future__ import annotations

import numpy as np

from .._validate import check_array, check_choice, check_real, check_size
from ._mlp import MLP, _act, _check_model, _float_dtype

__all__ = ["LOSSES", "Objective"]

#: Per-sample losses: squared error, softmax cross-entropy.
LOSSES = ("mse", "xent")


def _check_index(idx, name: str, n: int) -> np.ndarray:
    """``idx`` as a non-empty 1-d integer array of sample indices in ``0..n-1``."""
    arr = check_array(idx, name, ndim=1, dtype=None, finite=False)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an array of integer sample indices, got dtype "
                        f"{arr.dtype}")
    if arr.min() < 0 or arr.max() >= n:
        raise ValueError(f"{name} must hold sample indices in 0..{n - 1}")
    return arr


class Objective:
    """A training loss ``L(theta)`` of an :class:`MLP` on a data set, with exact derivatives.

    ``L(theta) = (1/n) sum_i ell(f_theta(x_i), y_i) + (weight_decay / 2) ||theta||^2``

    with ``ell(f, y) = ||f - y||^2 / 2`` for ``loss="mse"`` (``Y`` of shape
    ``(n, n_L)``) or the softmax cross-entropy ``-log softmax(f)_y`` for
    ``loss="xent"`` (integer labels ``Y`` of shape ``(n,)`` in ``0..n_L-1``).

    The gradient is computed by back-propagation and the Hessian-vector product by
    Pearlmutter's R-operator (forward-over-reverse), which costs a small multiple of
    a gradient and takes a block of directions at once.

    Parameters
    ----------
    model : MLP
    X : array, shape (n_samples, n_0)
        Finite inputs.
    Y : array, shape (n_samples, n_L) for "mse", (n_samples,) of int for "xent"
        Finite targets, or class labels.  For ``n_L = 1`` and "mse" a vector of
        shape ``(n_samples,)`` is accepted too.
    loss : {"mse", "xent"}
    weight_decay : float >= 0
        Coefficient of the L2 penalty.
    dtype : numpy floating dtype
        Dtype of the computation (float64 by default, float32 allowed).

    References
    ----------
    B. A. Pearlmutter, "Fast exact multiplication by the Hessian", Neural
    Computation 6 (1994) 147-160.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, Objective
    >>> net = MLP((1, 1), "linear")
    >>> obj = Objective(net, [[1.0], [2.0]], [[1.0], [2.0]])  # fit y = x
    >>> print(f"{obj.loss([1.0, 0.0]):.3f}")
    0.000
    >>> print(obj.grad([0.0, 0.0]))
    [-2.5 -1.5]
    """

    def __init__(self, model: MLP, X, Y, loss: str = "mse", weight_decay: float = 0.0,
                 dtype=np.float64):
        model = _check_model(model)
        check_choice(loss, "loss", LOSSES)
        check_real(weight_decay, "weight_decay", lo=0.0)
        self.model, self.loss_kind = model, loss
        self.weight_decay = float(weight_decay)
        self.dtype = _float_dtype(dtype)
        self.X = model._check_X(X, self.dtype)
        n = self.X.shape[0]
        if loss == "mse":
            Y = check_array(Y, "Y", ndim=(1, 2), dtype=self.dtype, min_size=0)
            if Y.ndim == 1 and model.sizes[-1] == 1:
                Y = Y[:, None]
            if Y.shape != (n, model.sizes[-1]):
                raise ValueError(f"Y must have shape ({n}, {model.sizes[-1]}), got {Y.shape}")
        else:
            Y = check_array(Y, "Y", dtype=None, finite=False, min_size=0)
            if Y.shape != (n,) or not np.issubdtype(Y.dtype, np.integer):
                raise ValueError(f"Y must be integer labels of shape ({n},), "
                                 f"got {Y.dtype} {Y.shape}")
            if Y.min() < 0 or Y.max() >= model.sizes[-1]:
                raise ValueError(f"Y labels must lie in 0..{model.sizes[-1] - 1}")
        self.Y = Y

    @property
    def n_samples(self) -> int:
        """Number ``n`` of samples in the data set.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.models import MLP, Objective
        >>> Objective(MLP((2, 1)), np.zeros((5, 2)), np.zeros(5)).n_samples
        5
        """
        return self.X.shape[0]

    def subset(self, idx) -> Objective:
        """The same objective restricted to the samples ``idx`` (a mini-batch).

        Parameters
        ----------
        idx : array of int, shape (B,)
            Sample indices in ``0..n_samples-1`` (repeats allowed), ``B >= 1``.

        Returns
        -------
        Objective
            On ``X[idx], Y[idx]``, with the same model, loss, weight decay and dtype.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.models import MLP, Objective
        >>> obj = Objective(MLP((2, 1)), np.zeros((5, 2)), np.zeros(5))
        >>> obj.subset([0, 3]).n_samples
        2
        """
        return self._subset(_check_index(idx, "idx", self.n_samples))

    def _subset(self, idx) -> Objective:
        """:meth:`subset` for an index array already checked (the training loop's path)."""
        sub = object.__new__(Objective)
        sub.model, sub.loss_kind = self.model, self.loss_kind
        sub.weight_decay, sub.dtype = self.weight_decay, self.dtype
        sub.X, sub.Y = self.X[idx], self.Y[idx]
        return sub

    def _theta(self, theta, name: str = "theta"):
        """``theta`` checked (shape ``(d,)``, finite) and in the objective's dtype."""
        theta = self.model._check_theta(theta, name)
        if theta.dtype != self.dtype:
            theta = theta.astype(self.dtype)
        return theta

    # forward pass keeping what back-propagation needs
    def _forward(self, theta):
        """Layers, activations ``a_0..a_L`` (a_L = f), and phi', phi'' at each hidden z_l."""
        model = self.model
        layers = model.unflatten(theta)
        acts, d1s, d2s = [self.X], [], []
        a = self.X
        for l, (W, b) in enumerate(layers):
            z = a @ W.T + b
            if l == model.depth - 1:
                a = z
            else:
                phi, d1, d2 = _act(model.activation, z)
                a = phi + a if model._skip(l) else phi
                d1s.append(d1)
                d2s.append(d2)
            acts.append(a)
        return layers, acts, d1s, d2s

    def _loss_terms(self, f):
        """Data loss, dL/df (n, n_L) and, for xent, the softmax probabilities."""
        n = self.n_samples
        if self.loss_kind == "mse":
            r = f - self.Y
            return 0.5 * np.sum(r * r) / n, r / n, None
        m = f.max(axis=1, keepdims=True)
        e = np.exp(f - m)
        s = e.sum(axis=1, keepdims=True)
        p = e / s
        logp_y = (f - m - np.log(s))[np.arange(n), self.Y]
        g = p.copy()
        g[np.arange(n), self.Y] -= 1.0
        return -logp_y.sum() / n, g / n, p

    def loss(self, theta) -> float:
        """The loss ``L(theta)``.

        Parameters
        ----------
        theta : array, shape (d,)
            Finite parameters (cast to the objective's dtype).

        Returns
        -------
        float

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.models import MLP, Objective
        >>> obj = Objective(MLP((1, 1), "linear"), [[1.0], [2.0]], [[0.0], [0.0]])
        >>> print(f"{obj.loss([1.0, 0.0]):.3f}")  # (1 + 4) / (2 * 2)
        1.250
        """
        theta = self._theta(theta)
        f = self.model._apply(theta, self.X)
        val = self._loss_terms(f)[0]
        return float(val + 0.5 * self.weight_decay * np.dot(theta, theta))

    def loss_and_grad(self, theta):
        """The loss and its gradient by back-propagation, in one pass.

        Parameters
        ----------
        theta : array, shape (d,)
            Finite parameters (cast to the objective's dtype).

        Returns
        -------
        loss : float
            ``L(theta)``.
        grad : array, shape (d,)
            ``grad L(theta)``.

        References
        ----------
        D. E. Rumelhart, G. E. Hinton, R. J. Williams, "Learning representations by
        back-propagating errors", Nature 323 (1986) 533-536.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.models import MLP, Objective
        >>> obj = Objective(MLP((1, 1), "linear"), [[1.0], [2.0]], [[0.0], [0.0]])
        >>> val, g = obj.loss_and_grad([1.0, 0.0])
        >>> print(f"{val:.3f}", g)
        1.250 [2.5 1.5]
        """
        theta = self._theta(theta)
        model = self.model
        layers, acts, d1s, _ = self._forward(theta)
        val, ga, _ = self._loss_terms(acts[-1])  # ga = dL/da_{l+1}, starting at dL/df
        grads = []
        for l in range(model.depth - 1, -1, -1):
            W, _ = layers[l]
            delta = ga if l == model.depth - 1 else ga * d1s[l]  # dL/dz_l
            grads.append((delta.T @ acts[l], delta.sum(axis=0)))
            if l > 0:
                ga = delta @ W + (ga if model._skip(l) else 0)
        g = model._flatten(grads[::-1])
        if self.weight_decay:
            val = val + 0.5 * self.weight_decay * np.dot(theta, theta)
            g = g + self.weight_decay * theta
        return float(val), g

    def grad(self, theta) -> np.ndarray:
        """The gradient ``grad L(theta)``, by back-propagation.

        Parameters
        ----------
        theta : array, shape (d,)
            Finite parameters (cast to the objective's dtype).

        Returns
        -------
        array, shape (d,)

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.models import MLP, Objective
        >>> obj = Objective(MLP((1, 1), "linear"), [[1.0], [2.0]], [[0.0], [0.0]],
        ...                 weight_decay=1.0)
        >>> print(obj.grad([1.0, 0.0]))  # data term [2.5, 1.5] plus weight decay [1, 0]
        [3.5 1.5]
        """
        return self.loss_and_grad(theta)[1]

    def per_sample_grads(self, theta) -> np.ndarray:
        """Gradients of the samples' own losses, shape ``(n_samples, d)``.

        Row ``i`` is ``grad [ell(f_theta(x_i), y_i) + (weight_decay / 2) ||theta||^2]``,
        the gradient of the one-sample objective ``self.subset([i])``; their mean is
        :meth:`grad`.  One vectorised backward pass instead of ``n`` (what the exact
        mini-batch noise covariance needs).

        Parameters
        ----------
        theta : array, shape (d,)
            Finite parameters (cast to the objective's dtype).

        Returns
        -------
        array, shape (n_samples, d)

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.models import MLP, Objective
        >>> obj = Objective(MLP((1, 1), "linear"), [[1.0], [2.0]], [[0.0], [0.0]])
        >>> G = obj.per_sample_grads([1.0, 0.0])
        >>> print(G)
        [[1. 1.]
         [4. 2.]]
        >>> print(G.mean(axis=0))
        [2.5 1.5]
        """
        theta = self._theta(theta)
        check_size(self.n_samples * self.model.n_params, "per_sample_grads (n_samples * d)")
        model = self.model
        layers, acts, d1s, _ = self._forward(theta)
        _, ga, _ = self._loss_terms(acts[-1])
        ga = ga * self.n_samples  # d ell_i / d f_i, without the 1/n of the mean
        blocks = []
        for l in range(model.depth - 1, -1, -1):
            W, _ = layers[l]
            delta = ga if l == model.depth - 1 else ga * d1s[l]
            gW = (delta[:, :, None] * acts[l][:, None, :]).reshape(delta.shape[0], -1)
            blocks.append(np.concatenate([gW, delta], axis=1))
            if l > 0:
                ga = delta @ W + (ga if model._skip(l) else 0)
        G = np.concatenate(blocks[::-1], axis=1)
        if self.weight_decay:
            G = G + self.weight_decay * theta
        return G

    def hvp(self, theta, V) -> np.ndarray:
        """Exact Hessian-vector product ``H(theta) @ V`` by the R-operator.

        Forward-over-reverse differentiation: the R-derivative of the back-propagation
        pass along the directions, exact up to rounding.  Cost: about three gradients
        per direction.

        Parameters
        ----------
        theta : array, shape (d,)
            Finite parameters (cast to the objective's dtype).
        V : array, shape (d,) or (d, k)
            One direction, or ``k`` directions as columns (finite).

        Returns
        -------
        array, the shape of ``V``

        References
        ----------
        B. A. Pearlmutter, "Fast exact multiplication by the Hessian", Neural
        Computation 6 (1994) 147-160.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.models import MLP, Objective
        >>> obj = Objective(MLP((1, 1), "linear"), [[1.0], [2.0]], [[0.0], [0.0]])
        >>> print(obj.hvp([1.0, 0.0], np.eye(2)))  # A^T A / n with A = [x, 1]
        [[2.5 1.5]
         [1.5 1. ]]
        """
        theta = self._theta(theta)
        V = check_array(V, "V", ndim=(1, 2), dtype=self.dtype)
        single = V.ndim == 1
        if single:
            V = V[:, None]
        if V.ndim != 2 or V.shape[0] != self.model.n_params:
            raise ValueError(f"V must have shape ({self.model.n_params},) or "
                             f"({self.model.n_params}, k), got {V.shape}")
        k = V.shape[1]
        model = self.model
        # the R-pass keeps two arrays of shape (k, n, n_l) per layer
        check_size(2 * k * self.n_samples * sum(model.sizes), "V")
        n, L = self.n_samples, model.depth
        layers, acts, d1s, d2s = self._forward(theta)
        dirs = model.unflatten(V)  # W: (k, n_out, n_in), b: (k, n_out)
        # forward R-pass: Rz_l = Ra_l W_l^T + a_l V_l^T + c_l,
        #                 Ra_{l+1} = phi'(z_l) Rz_l (+ Ra_l across a skip connection)
        Ra = np.zeros((k, n, model.sizes[0]), dtype=self.dtype)
        Rzs, Ras = [], [Ra]
        for l, (W, _) in enumerate(layers):
            VW, c = dirs[l]
            Rz = Ra @ W.T + acts[l] @ VW.transpose(0, 2, 1) + c[:, None, :]
            Rzs.append(Rz)
            if l == L - 1:
                Ra = Rz
            else:
                Ra = d1s[l] * Rz + (Ra if model._skip(l) else 0)
            Ras.append(Ra)
        # backward pass for ga = dL/da and its R-derivative Rga, from the loss Hessian
        _, ga, p = self._loss_terms(acts[-1])
        Rf = Rzs[-1]
        if self.loss_kind == "mse":
            Rga = Rf / n
        else:
            Rga = (p * Rf - p * np.sum(p * Rf, axis=-1, keepdims=True)) / n
        out = []
        for l in range(L - 1, -1, -1):
            W, _ = layers[l]
            VW, _ = dirs[l]
            if l == L - 1:
                delta, Rdelta = ga, Rga
            else:
                delta = ga * d1s[l]
                Rdelta = Rga * d1s[l] + ga * d2s[l] * Rzs[l]
            # grad W_l = delta^T a_l  =>  R: Rdelta^T a_l + delta^T Ra_l
            RgW = Rdelta.transpose(0, 2, 1) @ acts[l] + delta.T @ Ras[l]
            out.append((RgW, Rdelta.sum(axis=1)))
            if l > 0:
                skip = model._skip(l)
                ga, Rga = (delta @ W + (ga if skip else 0),
                           Rdelta @ W + delta @ VW + (Rga if skip else 0))
        out = out[::-1]
        H = np.concatenate(
            [np.concatenate([RgW.reshape(k, -1), Rgb], axis=1) for RgW, Rgb in out], axis=1
        ).T
        if self.weight_decay:
            H = H + self.weight_decay * V
        return H[:, 0] if single else H
