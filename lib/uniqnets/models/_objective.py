"""Tiny multilayer perceptrons on a flat parameter vector.

A network with layer sizes ``(n_0, n_1, ..., n_L)`` has parameters
``theta`` in R^d, packed layer by layer: for l = 1..L the weight matrix
``W_l`` of shape ``(n_l, n_{l-1})`` in row-major order, then the bias
``b_l`` of shape ``(n_l,)``.  Inputs ``X`` have shape ``(n_samples, n_0)``,
outputs ``(n_samples, n_L)``; the last layer is linear:

    a_0 = X,  z_l = a_{l-1} W_l^T + b_l,  a_l = phi(z_l) (l < L),  f = z_L.

Everything here is exact: the gradient by back-propagation and the
Hessian-vector product by Pearlmutter's R-operator (forward-over-reverse),
which costs a small multiple of a gradient and takes a block of directions
at once.  The training maps (gradient descent, mini-batch SGD, Langevin) take
their randomness as an explicit :class:`numpy.random.Generator`.

The isometric symmetries of an MLP (Definition 1 of the uniqueness preprint)
are the permutations of hidden units and, for odd activations, their sign
flips; :func:`permute_hidden` applies them and :func:`align` finds the one
that brings a network closest to a reference (weight matching).

References
----------
B. A. Pearlmutter, "Fast exact multiplication by the Hessian", Neural
Computation 6 (1994) 147-160.
S. K. Ainsworth, J. Hayase, S. Srinivasa, "Git Re-Basin: merging models
modulo permutation symmetries", ICLR 2023.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from scipy.optimize import linear_sum_assignment

from ._validate import check_int
from ._validate import check_rng as _check_rng

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "Objective",
    "Trajectory",
    "align",
    "batch_sequence",
    "forward_error_bound",
    "function_distance",
    "gd_step",
    "langevin_step",
    "permute_hidden",
    "random_symmetry",
    "sgd_step",
    "train",
    "training_jvp",
]

ACTIVATIONS = ("tanh", "relu", "linear")
LOSSES = ("mse", "xent")
METHODS = ("gd", "sgd", "langevin")


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


@dataclass(frozen=True)
class MLP:
    """A fully connected network on a flat parameter vector.

    Parameters
    ----------
    sizes : tuple of int
        Layer widths ``(n_0, n_1, ..., n_L)``: input dimension, hidden widths,
        output dimension.  Depth is ``L = len(sizes) - 1 >= 1``.
    activation : {"tanh", "relu", "linear"}
        Nonlinearity of the hidden layers; the output layer is linear.
    residual : bool
        Add identity skip connections around every hidden-to-hidden layer,
        ``a_l = a_{l-1} + phi(z_l)`` (a residual MLP, as in ResNets); needs equal
        hidden widths.  The first hidden layer and the linear output layer have none.
    """

    sizes: tuple[int, ...]
    activation: str = "tanh"
    residual: bool = False
    _slices: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        sizes = tuple(int(s) for s in self.sizes)
        if len(sizes) < 2:
            raise ValueError(f"sizes must list at least an input and an output width, got {sizes}")
        if any(s < 1 for s in sizes):
            raise ValueError(f"sizes must be positive integers, got {sizes}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {self.activation!r}")
        if self.residual and len(set(sizes[1:-1])) > 1:
            raise ValueError(f"residual: hidden widths must be equal, got {sizes[1:-1]}")
        object.__setattr__(self, "sizes", sizes)
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
        """Number of weight layers L."""
        return len(self.sizes) - 1

    def skip(self, l: int) -> bool:
        """Whether weight layer ``l`` (0-based) has an identity skip connection."""
        return self.residual and 0 < l < self.depth - 1

    @property
    def n_params(self) -> int:
        """Dimension d of the parameter vector."""
        return sum(n_out * (n_in + 1) for n_in, n_out in pairwise(self.sizes))

    def unflatten(self, theta):
        """Views ``[(W_1, b_1), ..., (W_L, b_L)]`` into ``theta`` (no copy).

        ``theta`` may also be a block of shape ``(d, k)``; then each ``W_l`` has
        shape ``(k, n_l, n_{l-1})`` and each ``b_l`` shape ``(k, n_l)``.
        """
        theta = np.asarray(theta)
        if theta.shape[0] != self.n_params or theta.ndim > 2:
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
        """Inverse of :meth:`unflatten` for a single parameter vector."""
        return np.concatenate([np.concatenate([W.ravel(), b.ravel()]) for W, b in layers])

    def init(self, rng: np.random.Generator, gain: float = 1.0, bias_std: float = 0.0,
             dtype=np.float64) -> np.ndarray:
        """Draw ``theta`` with ``W_l ~ N(0, gain^2 / n_{l-1})`` and ``b_l ~ N(0, bias_std^2)``.

        This is LeCun / Xavier-style fan-in scaling; ``gain > 1`` pushes tanh
        networks towards the chaotic phase of signal propagation.
        """
        rng = _check_rng(rng)
        parts = []
        for n_in, n_out in pairwise(self.sizes):
            parts.append(rng.standard_normal(n_out * n_in) * (gain / np.sqrt(n_in)))
            parts.append(rng.standard_normal(n_out) * bias_std)
        return np.concatenate(parts).astype(dtype)

    # -- evaluation ---------------------------------------------------------------------
    def _check_theta(self, theta):
        theta = np.asarray(theta)
        if theta.shape != (self.n_params,):
            raise ValueError(f"theta must have shape ({self.n_params},), got {theta.shape}")
        return theta

    def _check_X(self, X, dtype):
        X = np.asarray(X, dtype=dtype)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (n_samples, {self.sizes[0]}), got {X.shape}")
        return X

    def forward(self, theta, X) -> np.ndarray:
        """Network outputs ``f_theta(X)``, shape ``(n_samples, n_L)``."""
        theta = self._check_theta(theta)
        a = self._check_X(X, theta.dtype)
        layers = self.unflatten(theta)
        for l, (W, b) in enumerate(layers):
            z = a @ W.T + b
            if l == self.depth - 1:
                a = z
            else:
                a = _act(self.activation, z)[0] + (a if self.skip(l) else 0)
        return a

    __call__ = forward


class Objective:
    """A training loss ``L(theta)`` of an :class:`MLP` on a data set, with exact derivatives.

    ``L(theta) = (1/n) sum_i ell(f_theta(x_i), y_i) + (weight_decay / 2) ||theta||^2``

    with ``ell(f, y) = ||f - y||^2 / 2`` for ``loss="mse"`` (``Y`` of shape
    ``(n, n_L)``) or the softmax cross-entropy ``-log softmax(f)_y`` for
    ``loss="xent"`` (integer labels ``Y`` of shape ``(n,)`` in ``0..n_L-1``).

    Parameters
    ----------
    model : MLP
    X : array, shape (n_samples, n_0)
    Y : array, shape (n_samples, n_L) for "mse", (n_samples,) of int for "xent"
    loss : {"mse", "xent"}
    weight_decay : float >= 0
    dtype : numpy dtype of the computation (float64 by default, float32 allowed)
    """

    def __init__(self, model: MLP, X, Y, loss: str = "mse", weight_decay: float = 0.0,
                 dtype=np.float64):
        if not isinstance(model, MLP):
            raise TypeError(f"model must be an MLP, got {type(model).__name__}")
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
        if not np.isfinite(weight_decay) or weight_decay < 0:
            raise ValueError(f"weight_decay must be a finite number >= 0, got {weight_decay}")
        self.model, self.loss_kind = model, loss
        self.weight_decay = float(weight_decay)
        self.dtype = np.dtype(dtype)
        self.X = model._check_X(X, self.dtype)
        if not np.all(np.isfinite(self.X)):
            raise ValueError("X must be finite")
        n = self.X.shape[0]
        if loss == "mse":
            Y = np.asarray(Y, dtype=self.dtype)
            if Y.ndim == 1 and model.sizes[-1] == 1:
                Y = Y[:, None]
            if Y.shape != (n, model.sizes[-1]):
                raise ValueError(f"Y must have shape ({n}, {model.sizes[-1]}), got {Y.shape}")
        else:
            Y = np.asarray(Y)
            if Y.shape != (n,) or not np.issubdtype(Y.dtype, np.integer):
                raise ValueError(f"Y must be integer labels of shape ({n},), "
                                 f"got {Y.dtype} {Y.shape}")
            if Y.min() < 0 or Y.max() >= model.sizes[-1]:
                raise ValueError(f"Y labels must lie in 0..{model.sizes[-1] - 1}")
        self.Y = Y

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    def subset(self, idx) -> Objective:
        """The same objective restricted to the samples ``idx`` (a mini-batch)."""
        return Objective(self.model, self.X[idx], self.Y[idx], self.loss_kind,
                         self.weight_decay, self.dtype)

    def _theta(self, theta):
        theta = self.model._check_theta(theta)
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
                a = phi + a if model.skip(l) else phi
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
        """L(theta), a float."""
        theta = self._theta(theta)
        f = self.model.forward(theta, self.X)
        val = self._loss_terms(f)[0]
        return float(val + 0.5 * self.weight_decay * np.dot(theta, theta))

    def loss_and_grad(self, theta):
        """``(L(theta), grad L(theta))``; the gradient has shape ``(d,)``."""
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
                ga = delta @ W + (ga if model.skip(l) else 0)
        g = model.flatten(grads[::-1])
        if self.weight_decay:
            val = val + 0.5 * self.weight_decay * np.dot(theta, theta)
            g = g + self.weight_decay * theta
        return float(val), g

    def grad(self, theta) -> np.ndarray:
        """grad L(theta), shape ``(d,)``."""
        return self.loss_and_grad(theta)[1]

    def per_sample_grads(self, theta) -> np.ndarray:
        """Gradients of the samples' own losses, shape ``(n_samples, d)``.

        Row ``i`` is ``grad [ell(f_theta(x_i), y_i) + (weight_decay / 2) ||theta||^2]``,
        the gradient of the one-sample objective ``self.subset([i])``; their mean is
        :meth:`grad`.  One vectorised backward pass instead of ``n`` (what the exact
        mini-batch noise covariance needs).
        """
        theta = self._theta(theta)
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
                ga = delta @ W + (ga if model.skip(l) else 0)
        G = np.concatenate(blocks[::-1], axis=1)
        if self.weight_decay:
            G = G + self.weight_decay * theta
        return G

    def hvp(self, theta, V) -> np.ndarray:
        """Exact Hessian-vector product ``H(theta) @ V`` by the R-operator.

        ``V`` has shape ``(d,)`` or ``(d, k)`` (k directions at once); the result
        has the same shape.  Cost: about three gradients per direction.
        """
        theta = self._theta(theta)
        V = np.asarray(V, dtype=self.dtype)
        single = V.ndim == 1
        if single:
            V = V[:, None]
        if V.ndim != 2 or V.shape[0] != self.model.n_params:
            raise ValueError(f"V must have shape ({self.model.n_params},) or "
                             f"({self.model.n_params}, k), got {V.shape}")
        k = V.shape[1]
        model = self.model
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
                Ra = d1s[l] * Rz + (Ra if model.skip(l) else 0)
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
                skip = model.skip(l)
                ga, Rga = (delta @ W + (ga if skip else 0),
                           Rdelta @ W + delta @ VW + (Rga if skip else 0))
        out = out[::-1]
        H = np.concatenate(
            [np.concatenate([RgW.reshape(k, -1), Rgb], axis=1) for RgW, Rgb in out], axis=1
        ).T
        if self.weight_decay:
            H = H + self.weight_decay * V
        return H[:, 0] if single else H


# -- training maps ------------------------------------------------------------------------

def gd_step(objective: Objective, theta, lr: float) -> np.ndarray:
    """One full-batch gradient-descent step ``theta - lr * grad L(theta)``."""
    return theta - lr * objective.grad(theta)


def sgd_step(objective: Objective, theta, lr: float, batch) -> np.ndarray:
    """One mini-batch SGD step on the samples ``batch`` (an index array)."""
    return theta - lr * objective.subset(batch).grad(theta)


def langevin_step(objective: Objective, theta, lr: float, temperature: float,
                  rng: np.random.Generator) -> np.ndarray:
    """One unadjusted Langevin step ``theta - lr grad L + sqrt(2 lr T) xi``, ``xi ~ N(0, I)``."""
    rng = _check_rng(rng)
    noise = rng.standard_normal(theta.shape[0]).astype(theta.dtype)
    return theta - lr * objective.grad(theta) + np.sqrt(2.0 * lr * temperature) * noise


def training_jvp(objective: Objective, theta, V, lr: float, batch=None) -> np.ndarray:
    """Jacobian of a (mini-batch) gradient step applied to directions ``V``.

    ``D F(theta) V = V - lr * H_batch(theta) V`` with ``H_batch`` the Hessian of the
    loss on ``batch`` (all samples when ``None``).  Additive Langevin noise does not
    change the Jacobian.  ``V`` has shape ``(d,)`` or ``(d, k)``.
    """
    obj = objective if batch is None else objective.subset(batch)
    return V - lr * obj.hvp(theta, V)


def batch_sequence(n_samples: int, batch_size: int, n_steps: int,
                   rng: np.random.Generator) -> np.ndarray:
    """Indices of ``n_steps`` mini-batches, shape ``(n_steps, batch_size)``.

    Epochs of random reshuffles without replacement, the usual data loader; a batch
    never straddles two epochs (the tail ``n_samples % batch_size`` of each shuffle is
    dropped).  Share one sequence between two runs to remove batch noise as a source
    of difference, or draw two to include it.
    """
    rng = _check_rng(rng)
    if not 1 <= batch_size <= n_samples:
        raise ValueError(f"batch_size must be in 1..{n_samples}, got {batch_size}")
    if n_steps < 0:
        raise ValueError(f"n_steps must be >= 0, got {n_steps}")
    per_epoch = n_samples // batch_size
    n_epochs = -(-n_steps // per_epoch) if n_steps else 0
    out = np.empty((n_epochs * per_epoch, batch_size), dtype=np.int64)
    for e in range(n_epochs):
        perm = rng.permutation(n_samples)[: per_epoch * batch_size]
        out[e * per_epoch:(e + 1) * per_epoch] = perm.reshape(per_epoch, batch_size)
    return out[:n_steps]


@dataclass
class Trajectory:
    """Checkpoints of a training run.

    Attributes
    ----------
    thetas : array, shape (n_saved, d)
        Parameters at the saved steps (the initial point is always saved).
    steps : array of int, shape (n_saved,)
    losses : array, shape (n_saved,)
        Full-data loss at the saved steps.
    diverged : bool
        True if the run stopped because the parameters or the loss stopped being finite
        or exceeded ``max_norm``; the trajectory then ends at the last good point.
    diverged_step : int or None
    """

    thetas: np.ndarray
    steps: np.ndarray
    losses: np.ndarray
    diverged: bool = False
    diverged_step: int | None = None

    @property
    def final(self) -> np.ndarray:
        """Parameters at the last saved step."""
        return self.thetas[-1]


def train(objective: Objective, theta0, n_steps: int, lr: float, *, method: str = "gd",
          batches=None, batch_size: int | None = None, rng: np.random.Generator | None = None,
          temperature: float = 0.0, save_every: int = 1, clip_norm: float | None = None,
          max_norm: float = 1e6) -> Trajectory:
    """Run a training map for ``n_steps`` steps and return the saved checkpoints.

    Parameters
    ----------
    objective : Objective
    theta0 : array, shape (d,)
    n_steps : int >= 1
    lr : float > 0, the learning rate eta
    method : {"gd", "sgd", "langevin"}
        Full-batch gradient descent, mini-batch SGD, or full-batch unadjusted
        Langevin dynamics at ``temperature``.
    batches : int array (n_steps, B), optional
        Mini-batch indices for "sgd" (see :func:`batch_sequence`); drawn from ``rng``
        with ``batch_size`` if not given.
    rng : numpy.random.Generator
        Needed for "langevin" and for "sgd" without ``batches``.
    save_every : int
        Save every this many steps (the last step is always saved).
    clip_norm : float, optional
        Rescale the update's gradient to at most this norm (gradient clipping).
    max_norm : float
        A run whose ``||theta||`` exceeds this, or whose loss is not finite, is
        reported as diverged and stopped.

    Returns
    -------
    Trajectory
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    n_steps = check_int(n_steps, "n_steps", 1)
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a finite number > 0, got {lr}")
    save_every = check_int(save_every, "save_every", 1)
    theta = objective._theta(np.array(theta0, dtype=objective.dtype))
    if not np.all(np.isfinite(theta)):
        raise ValueError("theta0 must be finite")
    if method == "sgd":
        if batches is None:
            if batch_size is None or rng is None:
                raise ValueError("method='sgd' needs batches, or batch_size and rng")
            batches = batch_sequence(objective.n_samples, batch_size, n_steps, rng)
        batches = np.asarray(batches)
        if batches.ndim != 2 or batches.shape[0] < n_steps:
            raise ValueError(f"batches must have shape ({n_steps}, batch_size), "
                             f"got {batches.shape}")
    if method == "langevin":
        rng = _check_rng(rng)
        if not (np.isfinite(temperature) and temperature >= 0):
            raise ValueError(f"temperature must be a finite number >= 0, got {temperature}")
    thetas, steps, losses = [theta.copy()], [0], [objective.loss(theta)]
    diverged, diverged_step = False, None
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, n_steps + 1):
            obj = objective.subset(batches[t - 1]) if method == "sgd" else objective
            g = obj.grad(theta)
            if clip_norm is not None:
                gn = np.linalg.norm(g)
                if gn > clip_norm:
                    g = g * (clip_norm / gn)
            theta = theta - lr * g
            if method == "langevin" and temperature > 0:
                noise = rng.standard_normal(theta.shape[0]).astype(theta.dtype)
                theta = theta + np.sqrt(2.0 * lr * temperature) * noise
            bad = not np.all(np.isfinite(theta)) or np.linalg.norm(theta) > max_norm
            if not bad and (t % save_every == 0 or t == n_steps):
                loss = objective.loss(theta)
                bad = not np.isfinite(loss)
                if not bad:
                    thetas.append(theta.copy())
                    steps.append(t)
                    losses.append(loss)
            if bad:
                diverged, diverged_step = True, t
                break
    return Trajectory(np.array(thetas), np.array(steps), np.array(losses), diverged, diverged_step)


# -- symmetries ---------------------------------------------------------------------------

def _odd(model: MLP) -> bool:
    return model.activation in ("tanh", "linear")


def permute_hidden(model: MLP, theta, perms, signs=None) -> np.ndarray:
    """Apply a hidden-unit permutation (and sign flips) to ``theta``.

    Parameters
    ----------
    perms : list of int arrays, one per hidden layer (``model.depth - 1`` of them)
        ``perms[l][j]`` is the old index of the unit that becomes unit ``j``.
    signs : list of arrays of +-1, optional
        Sign flips (new unit ``j`` is multiplied by ``signs[l][j]``); only allowed for
        odd activations (tanh, linear), for which they are symmetries.

    Returns
    -------
    array, shape (d,): the parameters of a network computing the identical function.
    """
    layers = [(W.copy(), b.copy()) for W, b in model.unflatten(model._check_theta(theta))]
    n_hidden = model.depth - 1
    if len(perms) != n_hidden:
        raise ValueError(f"perms must have one permutation per hidden layer ({n_hidden}), "
                         f"got {len(perms)}")
    if signs is not None:
        if not _odd(model):
            raise ValueError(f"signs: sign flips are not a symmetry of {model.activation} units")
        if len(signs) != n_hidden:
            raise ValueError(f"signs must have one array per hidden layer ({n_hidden})")
    if model.residual and n_hidden > 1:
        same = all(np.array_equal(perms[l], perms[0]) for l in range(n_hidden)) and (
            signs is None or all(np.array_equal(signs[l], signs[0]) for l in range(n_hidden)))
        if not same:
            raise ValueError("perms: a residual network's skip connections tie its hidden "
                             "layers, so every hidden layer needs the same permutation and signs")
    for l in range(n_hidden):
        p = np.asarray(perms[l])
        width = model.sizes[l + 1]
        if p.shape != (width,) or not np.array_equal(np.sort(p), np.arange(width)):
            raise ValueError(f"perms[{l}] must be a permutation of 0..{width - 1}")
        s = np.ones(width) if signs is None else np.asarray(signs[l], dtype=float)
        if s.shape != (width,) or not np.all(np.abs(s) == 1):
            raise ValueError(f"signs[{l}] must be {width} entries of +1 or -1")
        W, b = layers[l]
        W2, b2 = layers[l + 1]
        layers[l] = (s[:, None] * W[p], s * b[p])
        layers[l + 1] = (W2[:, p] * s[None, :], b2)
    return model.flatten(layers).astype(np.asarray(theta).dtype)


def random_symmetry(model: MLP, rng: np.random.Generator, flip_signs: bool | None = None):
    """A uniformly random element ``(perms, signs)`` of the network's isometry group.

    ``flip_signs`` defaults to True for odd activations; ``signs`` is None otherwise.
    """
    rng = _check_rng(rng)
    if flip_signs is None:
        flip_signs = _odd(model)
    perms = [rng.permutation(w) for w in model.sizes[1:-1]]
    signs = [rng.choice([-1.0, 1.0], size=w) for w in model.sizes[1:-1]] if flip_signs else None
    if model.residual:  # skip connections tie all hidden layers to one symmetry
        perms = [perms[0]] * len(perms)
        signs = None if signs is None else [signs[0]] * len(signs)
    return perms, signs


def align(model: MLP, theta_ref, theta, flip_signs: bool | None = None, max_sweeps: int = 50):
    """Bring ``theta`` as close as possible to ``theta_ref`` by hidden-unit symmetries.

    Weight matching (Ainsworth et al. 2023): maximise ``<theta_ref, g.theta>`` over
    signed permutations ``g`` by coordinate ascent, each hidden layer's permutation
    being an exact linear assignment problem (:func:`scipy.optimize.linear_sum_assignment`)
    given the others.  The first sweep matches incoming weights layer by layer, which
    recovers an exact permuted copy; later sweeps use incoming and outgoing weights.

    Returns
    -------
    theta_aligned : array, shape (d,)
    perms, signs : the symmetry applied (``signs`` is None without sign flips)
    """
    ref = model._check_theta(theta_ref)
    th = model._check_theta(theta)
    if model.residual and model.depth > 2:
        raise ValueError("model: alignment of residual networks (one permutation tied across "
                         "layers) is not implemented")
    if flip_signs is None:
        flip_signs = _odd(model)
    if flip_signs and not _odd(model):
        raise ValueError(f"flip_signs: sign flips are not a symmetry of {model.activation} units")
    n_hidden = model.depth - 1
    widths = model.sizes[1:-1]
    perms = [np.arange(w) for w in widths]
    signs = [np.ones(w) for w in widths]
    if n_hidden == 0:
        return th.copy(), perms, (signs if flip_signs else None)
    R = model.unflatten(ref)

    def similarity(l, cur, use_outgoing):
        # cur: layers of theta with all perms applied except layer l (identity at l)
        W, b = cur[l]
        A = R[l][0] @ W.T + np.outer(R[l][1], b)
        if use_outgoing:
            A = A + R[l + 1][0].T @ cur[l + 1][0]
        return A

    def current(exclude=None):
        ps = [np.arange(w) if i == exclude else perms[i] for i, w in enumerate(widths)]
        ss = [np.ones(w) if i == exclude else signs[i] for i, w in enumerate(widths)]
        return model.unflatten(permute_hidden(model, th, ps, ss if flip_signs else None))

    def solve(A):
        score = np.abs(A) if flip_signs else A
        rows, cols = linear_sum_assignment(score, maximize=True)
        p = cols[np.argsort(rows)]
        s = np.sign(A[np.arange(len(p)), p]) if flip_signs else np.ones(len(p))
        s[s == 0] = 1.0
        return p, s

    for sweep in range(max_sweeps):
        changed = False
        for l in range(n_hidden):
            p, s = solve(similarity(l, current(exclude=l), use_outgoing=sweep > 0))
            if not (np.array_equal(p, perms[l]) and np.array_equal(s, signs[l])):
                perms[l], signs[l] = p, s
                changed = True
        if sweep > 0 and not changed:
            break
    out = permute_hidden(model, th, perms, signs if flip_signs else None)
    return out, perms, (signs if flip_signs else None)


def forward_error_bound(model: MLP, theta, X) -> np.ndarray:
    """First-order bound on the rounding error of ``model.forward(theta, X)``.

    Standard forward error analysis of inner products (Higham 2002, Sec. 3.1):
    ``|fl(W a + b) - (W a + b)| <= gamma_{m+1} (|W| |a| + |b|)`` elementwise, with
    ``gamma_n = n u / (1 - n u)``, ``u`` the unit roundoff of ``theta``'s dtype and
    ``m`` the fan-in.  Errors are propagated through later layers with ``|W_l|``
    (every activation here is 1-Lipschitz) and one more ``u |phi(z)|`` per
    activation for its evaluation.  Second-order terms are dropped.

    Whatever the order in which a BLAS sums, two computations of the same exact
    function differ by at most the sum of their bounds.

    Returns
    -------
    array, shape (n_samples, n_L), in the units of the outputs.
    """
    theta = model._check_theta(theta)
    X = model._check_X(X, theta.dtype)
    u = np.finfo(theta.dtype).eps / 2
    a, err = X, np.zeros_like(X)
    for l, (W, b) in enumerate(model.unflatten(theta)):
        m = W.shape[1] + 1
        gamma = m * u / (1 - m * u)
        z = a @ W.T + b
        err_in = err
        err = err @ np.abs(W).T + gamma * (np.abs(a) @ np.abs(W).T + np.abs(b))
        if l < model.depth - 1:
            phi = _act(model.activation, z)[0]
            if model.skip(l):  # a + phi(z): both errors carry over, plus one rounding
                err_next = err_in + err + u * np.abs(phi) + u * np.abs(a + phi)
                a = a + phi
                err = err_next
            else:
                a = phi
                err = err + u * np.abs(a)
        else:
            a = z
    return err


def function_distance(model: MLP, theta1, theta2, X) -> float:
    """Root-mean-square distance between the outputs of two networks on inputs ``X``.

    ``sqrt( (1/n) sum_i ||f_1(x_i) - f_2(x_i)||^2 )``, in the units of the outputs.
    """
    d = model.forward(theta1, X) - model.forward(theta2, X)
    return float(np.sqrt(np.mean(np.sum(d * d, axis=1))))
