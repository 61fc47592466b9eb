"""The training step as a map of the joint state, and its tangent map by jax.jvp."""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import optax

from .. import lyapunov
from .._validate import (
    check_array,
    check_choice,
    check_int,
    check_max_norm,
    check_rng,
    check_size,
    diverged,
)
from ..models import Trajectory
from ._models import Network
from ._optim import Optimizer, _check_optimizer

__all__ = ["DTYPES", "TrainingMap", "one_ulp"]

#: Floating dtypes of the computation (float64 for validation, float32 as in practice).
DTYPES = ("float64", "float32")
LOSSES = ("xent", "mse")

_CACHE: dict = {}  # compiled functions by (network, loss, schedule structure, batching)
_SLOTS = {"sgd": 0, "momentum": 1, "adam": 2}  # optimizer state vectors of length d
OPTIMIZER_INDEX = {"sgd": 0, "momentum": 1, "adam": 2}  # branches of _update


def _data_loss(network, loss, params, X, Y):
    f = network.apply(params, X)
    if loss == "xent":
        logp = jax.nn.log_softmax(f, axis=-1)
        return -jnp.mean(jnp.take_along_axis(logp, Y[..., None], axis=-1))
    r = f - Y
    return 0.5 * jnp.sum(r * r) / X.shape[0]


def _hyper(opt) -> tuple:
    """The optimizer's kind and hyperparameters as arguments of the compiled maps."""
    # Python floats: jit traces them as weakly typed scalars, so they take the dtype of
    # the state they multiply, exactly as the same constants would, and a new value does
    # not recompile
    return (OPTIMIZER_INDEX[opt.name], float(opt.momentum), float(opt.b1), float(opt.b2),
            float(opt.eps), float(opt.eps_root))


def _update(kind, g, theta, m, v, t, hp):
    """Optax's update of SGD, momentum or Adam, chosen by the traced index ``kind``.

    Every optimizer's state is held in two slots ``m`` and ``v`` of length ``d`` (SGD
    uses none, momentum ``m``, Adam both); unused slots pass through unchanged. One
    compiled program so serves all three optimizers (:func:`jax.lax.switch`).
    """
    momentum, b1, b2, eps, eps_root = hp
    txs = (optax.identity(), optax.trace(decay=momentum),
           optax.scale_by_adam(b1=b1, b2=b2, eps=eps, eps_root=eps_root))

    def branch(tx):
        def apply(operands):
            g, theta, m, v, t = operands
            leaves, treedef = jax.tree_util.tree_flatten(tx.init(theta))
            slots, out = iter((m, v)), []
            for leaf in leaves:
                if jnp.issubdtype(leaf.dtype, jnp.floating):
                    out.append(next(slots))
                else:  # Adam's step count: the map's time, not a state variable
                    out.append(jnp.asarray(t, leaf.dtype))
            u, state = tx.update(g, jax.tree_util.tree_unflatten(treedef, out), theta)
            new = [leaf for leaf in jax.tree_util.tree_leaves(state)
                   if jnp.issubdtype(leaf.dtype, jnp.floating)]
            new += [m, v][len(new):]
            return u, new[0], new[1]
        return apply

    return jax.lax.switch(kind, [branch(tx) for tx in txs], (g, theta, m, v, t))


def _compiled(network, loss, opt, n_chunks):
    """The compiled step and tangent step of a network, for every optimizer.

    The optimizer enters as arguments (its kind, learning rate, weight decay and
    hyperparameters) and the state as ``[theta, m, v]`` padded to ``3 d``, so that one
    compilation, the expensive part of a run, serves SGD, momentum and Adam at every
    learning rate; only the schedule's structure, the loss and the batching are static.
    """
    key = (network, loss, opt.schedule, opt.warmup_steps, opt.total_steps, n_chunks)
    if key in _CACHE:
        return _CACHE[key]
    d = network.n_params
    sched = Optimizer("sgd", 1.0, schedule=opt.schedule, warmup_steps=opt.warmup_steps,
                      total_steps=opt.total_steps)

    def data_loss_flat(theta, X, Y):
        return _data_loss(network, loss, network.unflatten(theta), X, Y)

    grad_flat = jax.grad(data_loss_flat)

    def grad_chunks(theta, X, Y):
        if n_chunks == 1:
            return grad_flat(theta, X, Y)
        # gradient accumulation over equal micro-batches: the same mean, summed in
        # another order (a source of last-bit differences)
        m = X.shape[0] // n_chunks
        gs = [grad_flat(theta, X[i * m:(i + 1) * m], Y[i * m:(i + 1) * m])
              for i in range(n_chunks)]
        return sum(gs[1:], gs[0]) / n_chunks

    def step(x, t, X, Y, idx, lr, wd, hyper):
        if idx is not None:
            X, Y = X[idx], Y[idx]
        kind, hp = hyper[0], hyper[1:]
        theta, m, v = x[:d], x[d:2 * d], x[2 * d:]
        g = grad_chunks(theta, X, Y)
        # weight decay: coupled (L2) for SGD and momentum, decoupled (AdamW) for Adam
        adam = kind == OPTIMIZER_INDEX["adam"]
        g = jnp.where(adam, g, g + wd * theta)
        u, m, v = _update(kind, g, theta, m, v, t, hp)
        u = jnp.where(adam, u + wd * theta, u)
        lr_t = lr * jnp.asarray(sched.schedule_factor(t), x.dtype)
        return jnp.concatenate([theta - lr_t * u, m, v])

    def advance(x, V, t, X, Y, idx, lr, wd, hyper):
        # the next state and k tangent directions at once: forward mode through the
        # step (which contains a reverse-mode gradient), linearised once and applied
        # to the columns of V under vmap; one compiled call per step
        y, lin = jax.linearize(partial(step, t=t, X=X, Y=Y, idx=idx, lr=lr, wd=wd,
                                       hyper=hyper), x)
        return y, jax.vmap(lin, in_axes=1, out_axes=1)(V)

    def steps(x, ts, X, Y, batches, lr, wd, hyper):
        # the steps ts[0], ts[1], ... in one compiled loop: no return to Python in between
        def body(x, t):
            return step(x, t, X, Y, None if batches is None else batches[t], lr, wd,
                        hyper), None

        return jax.lax.scan(body, x, ts)[0]

    fns = dict(step=jax.jit(step), advance=jax.jit(advance), steps=jax.jit(steps),
               **_compiled_objective(network, loss))
    _CACHE[key] = fns
    return fns


def _compiled_objective(network, loss):
    """Loss, gradient, Hessian-vector product and logits, compiled once per network.

    The L2 term's coefficient is an argument (zero for Adam's decoupled decay).
    """
    key = (network, loss)
    if key in _CACHE:
        return _CACHE[key]

    def objective(theta, X, Y, wd):
        val = _data_loss(network, loss, network.unflatten(theta), X, Y)
        return val + 0.5 * wd * jnp.dot(theta, theta)

    def hvp(theta, V, X, Y, wd):
        g = partial(jax.grad(objective), X=X, Y=Y, wd=wd)
        return jax.vmap(lambda v: jax.jvp(g, (theta,), (v,))[1], in_axes=1, out_axes=1)(V)

    def logits(theta, X):
        return network.apply(network.unflatten(theta), X)

    fns = dict(hvp=jax.jit(hvp), loss=jax.jit(objective), grad=jax.jit(jax.grad(objective)),
               logits=jax.jit(logits))
    _CACHE[key] = fns
    return fns


class TrainingMap:
    """One training step as a map of the joint state, with its tangent map.

    The state ``x`` is the flat vector ``[theta, optimizer state]``: the parameters,
    then the float leaves of optax's state (momentum's trace; Adam's first and second
    moments), each of length ``d = network.n_params``; Adam's step count is the map's
    time ``t``.  So the Lyapunov exponents are those of the joint map, in which Adam's
    moments are dynamical variables.  ``step(x, t)`` applies step ``t`` (the mini-batch
    ``batches[t]``, the learning rate ``lr * s(t)``); ``jvp(x, V, t)`` applies its
    Jacobian to the ``k`` columns of ``V`` at once by :func:`jax.jvp` under
    :func:`jax.vmap`, compiled by :func:`jax.jit` once per network, loss, schedule
    structure, batching and dtype: the optimizer's kind, learning rate, weight decay and
    hyperparameters are arguments, so one compilation serves SGD, momentum and Adam at
    every learning rate.

    Parameters
    ----------
    network : Network
    X : array, shape (n_samples, network.n_in)
        Training inputs (integer tokens for a token transformer).
    Y : array
        Integer labels of shape ``(n_samples,)`` (or ``(n_samples, seq_len)``) for
        ``"xent"``; targets of shape ``(n_samples, n_out)`` for ``"mse"``.
    optimizer : Optimizer
    loss : {"xent", "mse"}
        Softmax cross-entropy (mean over samples and positions) or
        ``sum ||f - y||^2 / (2 n)`` (the losses of :class:`uniqnets.models.Objective`).
    batches : int array, shape (n_steps, batch_size), optional
        Mini-batch indices of each step (see :func:`uniqnets.models.batch_sequence`);
        full batch when None.
    n_chunks : int >= 1
        Compute each gradient as the mean of ``n_chunks`` equal micro-batches
        (gradient accumulation): the same number, summed in another order.
    dtype : {"float64", "float32"}
        Dtype of every operation of the step (see the subpackage's note on
        ``jax_enable_x64``).

    References
    ----------
    G. Benettin, L. Galgani, A. Giorgilli, J.-M. Strelcyn, "Lyapunov characteristic
    exponents for smooth dynamical systems", Meccanica 15 (1980) 9-20;
    B. A. Pearlmutter, "Fast exact multiplication by the Hessian", Neural Computation
    6 (1994) 147-160 (forward-over-reverse).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import TrainingMap, mlp, optimizer
    >>> net = mlp((2, 3, 2))
    >>> X, Y = np.random.default_rng(0).standard_normal((8, 2)), np.arange(8) % 2
    >>> tm = TrainingMap(net, X, Y, optimizer("adam", 1e-2))
    >>> x0 = tm.init_state(net.init(np.random.default_rng(1)))
    >>> x0.shape  # theta, Adam's m and v
    (51,)
    >>> tm.jvp(x0, np.eye(51)[:, :2]).shape
    (51, 2)
    """

    def __init__(self, network: Network, X, Y, optimizer, *, loss: str = "xent",
                 batches=None, n_chunks: int = 1, dtype: str = "float64"):
        if not isinstance(network, Network):
            raise TypeError(f"network must be a Network, got {type(network).__name__}")
        self.network = network
        self.optimizer = _check_optimizer(optimizer)
        self.loss_kind = check_choice(loss, "loss", LOSSES)
        self.dtype = np.dtype(check_choice(dtype, "dtype", DTYPES))
        self.n_chunks = check_int(n_chunks, "n_chunks", lo=1)
        tokens = network.kind == "transformer" and network.cfg["vocab"]
        Xa = check_array(X, "X", ndim=2, dtype=np.int64 if tokens else self.dtype)
        if Xa.shape[1] != network.n_in:
            raise ValueError(f"X must have shape (n_samples, {network.n_in}), got {Xa.shape}")
        n = Xa.shape[0]
        check_size(n * network.n_in, "X")
        if loss == "xent":
            Ya = check_array(Y, "Y", dtype=None)
            if Ya.dtype.kind not in "iu":
                raise TypeError(f"Y must hold integer class labels for loss='xent', got dtype "
                                f"{Ya.dtype}")
            if Ya.ndim not in (1, 2) or Ya.shape[0] != n:
                raise ValueError(f"Y must have shape ({n},) or ({n}, seq_len), got {Ya.shape}")
            n_out = network.cfg["sizes"][-1] if network.kind == "mlp" else network.cfg["n_out"]
            if Ya.min() < 0 or Ya.max() >= n_out:
                raise ValueError(f"Y labels must lie in 0..{n_out - 1}")
        else:
            Ya = check_array(Y, "Y", ndim=2, dtype=self.dtype)
            if Ya.shape[0] != n:
                raise ValueError(f"Y must have {n} rows, got shape {Ya.shape}")
        if batches is not None:
            b = check_array(batches, "batches", ndim=2, dtype=None)
            if b.dtype.kind not in "iu":
                raise TypeError(f"batches must hold integer sample indices, got {b.dtype}")
            if b.min() < 0 or b.max() >= n:
                raise ValueError(f"batches must hold sample indices in 0..{n - 1}")
            batches = b.astype(np.int64)
        bsize = n if batches is None else batches.shape[1]
        if bsize % self.n_chunks:
            raise ValueError(f"n_chunks ({self.n_chunks}) must divide the batch size ({bsize})")
        self.X, self.Y, self.batches = Xa, Ya, batches
        self._X, self._Y = jnp.asarray(Xa), jnp.asarray(Ya)
        self._fns = _compiled(network, self.loss_kind, self.optimizer, self.n_chunks)
        self._lr = jnp.asarray(self.optimizer.lr, self.dtype)
        self._wd = jnp.asarray(self.optimizer.weight_decay, self.dtype)
        # the loss's L2 coefficient: Adam's decay is decoupled, not a term of the loss
        self._wd_loss = jnp.asarray(0.0 if self.optimizer.name == "adam"
                                    else self.optimizer.weight_decay, self.dtype)
        self._hyper = _hyper(self.optimizer)
        self.n_params = network.n_params
        self.state_dim = self.n_params * (1 + _SLOTS[self.optimizer.name])
        self._pad = 3 * self.n_params - self.state_dim

    # -- arguments ---------------------------------------------------------------------------
    def _x(self, x, name="x"):
        x = check_array(x, name, shape=(self.state_dim,))
        return jnp.asarray(x, self.dtype)

    def _theta(self, theta, name="theta"):
        theta = check_array(theta, name, shape=(self.n_params,))
        return jnp.asarray(theta, self.dtype)

    def _t(self, t):
        t = check_int(t, "t", lo=0)
        if self.batches is not None and t >= self.batches.shape[0]:
            raise ValueError(f"t must be below the number of batches ({self.batches.shape[0]}),"
                             f" got {t}")
        return t

    def _idx(self, t):
        return None if self.batches is None else jnp.asarray(self.batches[t])

    def _data(self, X, Y):
        if X is None and Y is None:
            return self._X, self._Y
        other = TrainingMap.__new__(TrainingMap)
        other.__dict__.update(self.__dict__)
        TrainingMap.__init__(other, self.network, X, Y, self.optimizer, loss=self.loss_kind,
                             dtype=self.dtype.name)
        return other._X, other._Y

    # -- the map -------------------------------------------------------------------------------
    def init_state(self, theta) -> np.ndarray:
        """The joint state ``[theta, 0, ...]`` at step 0 (optimizer state zero).

        Parameters
        ----------
        theta : array, shape (n_params,)

        Returns
        -------
        numpy array, shape (state_dim,), in the map's dtype

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.practice import TrainingMap, mlp, optimizer
        >>> tm = TrainingMap(mlp((2, 2)), np.zeros((4, 2)), np.arange(4) % 2,
        ...                  optimizer("momentum", 0.1))
        >>> tm.init_state(np.ones(6)).tolist()
        [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
        """
        theta = np.asarray(self._theta(theta))
        return np.concatenate([theta, np.zeros(self.state_dim - self.n_params, self.dtype)])

    def params(self, x) -> np.ndarray:
        """The parameters ``theta``: the first ``n_params`` entries of a state.

        Parameters
        ----------
        x : array, shape (state_dim,)

        Returns
        -------
        numpy array, shape (n_params,)

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.practice import TrainingMap, mlp, optimizer
        >>> tm = TrainingMap(mlp((2, 2)), np.zeros((4, 2)), np.arange(4) % 2,
        ...                  optimizer("adam", 0.1))
        >>> tm.params(np.arange(18.0)).tolist()
        [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
        """
        # a floating array keeps its dtype (a float32 state gives float32 parameters)
        floating = isinstance(x, np.ndarray) and x.dtype.kind == "f"
        x = check_array(x, "x", shape=(self.state_dim,), dtype=x.dtype if floating else float)
        return x[:self.n_params]

    def step(self, x, t: int = 0) -> np.ndarray:
        """Step ``t`` of training: the next joint state.

        Parameters
        ----------
        x : array, shape (state_dim,)
            The state before step ``t`` (cast to the map's dtype).
        t : int >= 0
            Step index (the mini-batch, the schedule and Adam's bias correction).

        Returns
        -------
        numpy array, shape (state_dim,), in the map's dtype

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets import models
        >>> from uniqnets.practice import TrainingMap, mlp, optimizer
        >>> X, Y = [[1.0], [2.0]], [[0.0], [0.0]]
        >>> tm = TrainingMap(mlp((1, 1)), X, Y, optimizer("sgd", 0.1), loss="mse")
        >>> print(tm.step([1.0, 0.0]))  # models.gd_step gives the same
        [ 0.75 -0.15]
        """
        t = self._t(t)
        out = self._fns["step"](self._padded(self._x(x)), jnp.asarray(t, jnp.int32), self._X,
                                self._Y, self._idx(t), self._lr, self._wd, self._hyper)
        return np.asarray(out)[:self.state_dim]

    def steps(self, x, t0: int, t1: int, chunk: int = 256, progress=None) -> np.ndarray:
        """Steps ``t0, ..., t1 - 1`` of training in compiled loops: the state after them.

        The loop over steps runs inside XLA (:func:`jax.lax.scan`, ``chunk`` steps per
        call), about twice as fast as calling :meth:`step` from Python for a small
        network.  It is the same map, but XLA compiles the loop's body on its own, so
        the result agrees with repeated :meth:`step` to rounding, not bit for bit.
        Convolutional networks (CNN, ResNet) are stepped one call at a time instead,
        bit for bit as :meth:`step`: XLA's convolutions are slower inside its loops.

        Parameters
        ----------
        x : array, shape (state_dim,)
        t0, t1 : int, 0 <= t0 <= t1
            The first step and the step after the last.
        chunk : int >= 1
            Steps per compiled call (a second compilation serves the last, shorter call).
        progress : tqdm-like, optional
            Its ``update(n)`` is called after each chunk of ``n`` steps.

        Returns
        -------
        numpy array, shape (state_dim,), in the map's dtype

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.practice import TrainingMap, mlp, optimizer
        >>> X, Y = [[1.0], [2.0]], [[0.0], [0.0]]
        >>> tm = TrainingMap(mlp((1, 1)), X, Y, optimizer("sgd", 0.1), loss="mse")
        >>> x = np.array([1.0, 0.0])
        >>> bool(np.allclose(tm.steps(x, 0, 3), tm.step(tm.step(tm.step(x)))))
        True
        """
        t0 = check_int(t0, "t0", lo=0)
        t1 = check_int(t1, "t1", lo=t0)
        chunk = check_int(chunk, "chunk", lo=1)
        if self.batches is not None and t1 > self.batches.shape[0]:
            raise ValueError(f"t1 ({t1}) exceeds the number of batches "
                             f"({self.batches.shape[0]})")
        xp = self._padded(self._x(x))
        batches = None if self.batches is None else jnp.asarray(self.batches)
        # XLA's CPU convolutions run several times slower inside a compiled loop than
        # called one step at a time (256 steps of the Fashion-MNIST CNN: 95 s in lax.scan,
        # 28 s step by step, jax 0.10): convolutional networks step from Python, on the
        # device's arrays
        looped = self.network.kind not in ("cnn", "resnet")
        for a in range(t0, t1, chunk):
            b = min(a + chunk, t1)
            if looped:
                xp = self._fns["steps"](xp, jnp.arange(a, b, dtype=jnp.int32), self._X,
                                        self._Y, batches, self._lr, self._wd, self._hyper)
            else:
                for t in range(a, b):
                    xp = self._fns["step"](xp, jnp.asarray(t, jnp.int32), self._X, self._Y,
                                           self._idx(t), self._lr, self._wd, self._hyper)
            if progress is not None:
                progress.update(b - a)
        return np.asarray(xp)[:self.state_dim]

    def jvp(self, x, V, t: int = 0) -> np.ndarray:
        """The Jacobian of step ``t`` at ``x`` applied to the columns of ``V``.

        Parameters
        ----------
        x : array, shape (state_dim,)
        V : array, shape (state_dim, k) or (state_dim,)
            Tangent directions (cast to the map's dtype).
        t : int >= 0

        Returns
        -------
        numpy array, the shape of ``V``, in the map's dtype

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.practice import TrainingMap, mlp, optimizer
        >>> X, Y = [[1.0], [2.0]], [[0.0], [0.0]]
        >>> tm = TrainingMap(mlp((1, 1)), X, Y, optimizer("sgd", 0.1), loss="mse")
        >>> print(tm.jvp(np.zeros(2), np.eye(2)))  # I - 0.1 H
        [[ 0.75 -0.15]
         [-0.15  0.9 ]]
        """
        t = self._t(t)
        V = check_array(V, "V", ndim=(1, 2))
        if V.shape[0] != self.state_dim:
            raise ValueError(f"V must have shape ({self.state_dim}, k), got {V.shape}")
        single = V.ndim == 1
        Vj = jnp.asarray(V[:, None] if single else V, self.dtype)
        out = np.asarray(self._advance(self._x(x), Vj, t)[1])
        return out[:, 0] if single else out

    def _advance(self, x, V, t):
        y, JV = self._fns["advance"](self._padded(x), self._padded(V), jnp.asarray(t, jnp.int32),
                                     self._X, self._Y, self._idx(t), self._lr, self._wd,
                                     self._hyper)
        return y[:self.state_dim], JV[:self.state_dim]

    def _padded(self, a):
        # the compiled maps take the state padded to [theta, m, v] (see _compiled); the
        # padding is zero and does not feed back into the first state_dim entries
        if not self._pad:
            return a
        return jnp.concatenate([a, jnp.zeros((self._pad, *a.shape[1:]), a.dtype)])

    # -- the objective -------------------------------------------------------------------------
    def loss(self, theta, X=None, Y=None) -> float:
        """The loss: data loss, plus ``weight_decay / 2 ||theta||^2`` for SGD and momentum.

        It is the function whose gradient the step follows (the L2 term is coupled for
        SGD and momentum; Adam's decoupled decay is not a term of a loss).

        Parameters
        ----------
        theta : array, shape (n_params,)
        X, Y : arrays, optional
            Other data (default: the training data, all of it).

        Returns
        -------
        float

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.practice import TrainingMap, mlp, optimizer
        >>> tm = TrainingMap(mlp((1, 1)), [[1.0], [2.0]], [[0.0], [0.0]], optimizer("sgd", 0.1),
        ...                  loss="mse")
        >>> print(f"{tm.loss([1.0, 0.0]):.3f}")
        1.250
        """
        X, Y = self._data(X, Y)
        return float(self._fns["loss"](self._theta(theta), X, Y, self._wd_loss))

    def grad(self, theta) -> np.ndarray:
        """Gradient of :meth:`loss` on the training data, shape ``(n_params,)``.

        Parameters
        ----------
        theta : array, shape (n_params,)

        Returns
        -------
        numpy array, shape (n_params,)

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.practice import TrainingMap, mlp, optimizer
        >>> tm = TrainingMap(mlp((1, 1)), [[1.0], [2.0]], [[0.0], [0.0]], optimizer("sgd", 0.1),
        ...                  loss="mse")
        >>> print(tm.grad([1.0, 0.0]))
        [2.5 1.5]
        """
        return np.asarray(self._fns["grad"](self._theta(theta), self._X, self._Y, self._wd_loss))

    def hvp(self, theta, V) -> np.ndarray:
        """Hessian of :meth:`loss` (all training data) times the columns of ``V``.

        Parameters
        ----------
        theta : array, shape (n_params,)
        V : array, shape (n_params, k) or (n_params,)

        Returns
        -------
        numpy array, the shape of ``V``

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.practice import TrainingMap, mlp, optimizer
        >>> tm = TrainingMap(mlp((1, 1)), [[1.0], [2.0]], [[0.0], [0.0]], optimizer("sgd", 0.1),
        ...                  loss="mse")
        >>> print(tm.hvp([1.0, 0.0], np.eye(2)))
        [[2.5 1.5]
         [1.5 1. ]]
        """
        V = check_array(V, "V", ndim=(1, 2))
        if V.shape[0] != self.n_params:
            raise ValueError(f"V must have shape ({self.n_params}, k), got {V.shape}")
        single = V.ndim == 1
        Vj = jnp.asarray(V[:, None] if single else V, self.dtype)
        out = np.asarray(self._fns["hvp"](self._theta(theta), Vj, self._X, self._Y,
                                          self._wd_loss))
        return out[:, 0] if single else out

    def predict(self, theta, X) -> np.ndarray:
        """The network's outputs (logits) on ``X``.

        Parameters
        ----------
        theta : array, shape (n_params,)
        X : array, shape (n_samples, n_in)

        Returns
        -------
        numpy array, shape (n_samples, n_out) (or with a token axis)

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.practice import TrainingMap, mlp, optimizer
        >>> tm = TrainingMap(mlp((1, 1)), [[1.0]], [[0.0]], optimizer("sgd", 0.1), loss="mse")
        >>> print(tm.predict([2.0, 0.5], [[1.0], [3.0]]).ravel())
        [2.5 6.5]
        """
        tokens = self.network.kind == "transformer" and self.network.cfg["vocab"]
        X = check_array(X, "X", ndim=2, dtype=np.int64 if tokens else self.dtype)
        if X.shape[1] != self.network.n_in:
            raise ValueError(f"X must have shape (n_samples, {self.network.n_in}), "
                             f"got {X.shape}")
        return np.asarray(self._fns["logits"](self._theta(theta), jnp.asarray(X)))

    def accuracy(self, theta, X, Y) -> float:
        """Fraction of correct arg-max predictions on ``X`` against labels ``Y``.

        Parameters
        ----------
        theta : array, shape (n_params,)
        X : array, shape (n_samples, n_in)
        Y : int array, shape (n_samples,) (or with a token axis)

        Returns
        -------
        float

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.practice import TrainingMap, mlp, optimizer
        >>> tm = TrainingMap(mlp((1, 2)), [[1.0]], [0], optimizer("sgd", 0.1))
        >>> tm.accuracy([1.0, -1.0, 0.0, 0.0], [[1.0], [-1.0]], [0, 1])
        1.0
        """
        pred = self.predict(theta, X).argmax(axis=-1)
        Y = check_array(Y, "Y", dtype=None)
        if Y.shape != pred.shape:
            raise ValueError(f"Y must have shape {pred.shape}, got {Y.shape}")
        return float(np.mean(pred == Y))

    def sharpness(self, x, t: int = 0, preconditioned: bool = False) -> float:
        """Top eigenvalue of the Hessian of :meth:`loss` (all training data) at a state.

        With ``preconditioned`` (Adam), the top eigenvalue of ``P^{-1} H`` with Adam's
        preconditioner ``P = diag(sqrt(v_hat + eps_root) + eps)`` of the state's second
        moment ``v`` (bias-corrected for step ``t``), computed as that of the symmetric
        ``P^{-1/2} H P^{-1/2}``.  Compare with
        :meth:`Optimizer.stability_threshold`.  Lanczos iteration
        (:func:`scipy.sparse.linalg.eigsh`) on Hessian-vector products, from a fixed
        start vector (deterministic).

        Parameters
        ----------
        x : array, shape (state_dim,)
        t : int >= 0
            Steps taken to reach ``x`` (Adam's bias correction).
        preconditioned : bool

        Returns
        -------
        float

        References
        ----------
        J. M. Cohen et al., "Adaptive gradient methods at the edge of stability",
        arXiv:2207.14484 (2022).

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.practice import TrainingMap, mlp, optimizer
        >>> tm = TrainingMap(mlp((1, 1)), [[1.0], [2.0]], [[0.0], [0.0]], optimizer("sgd", 0.1),
        ...                  loss="mse")
        >>> print(f"{tm.sharpness([1.0, 0.0]):.4f}")  # (3.5 + sqrt(11.25)) / 2
        3.4271
        """
        from scipy.sparse.linalg import LinearOperator, eigsh

        from .._validate import check_bool

        x = np.asarray(self._x(x), dtype=np.float64)
        t = check_int(t, "t", lo=0)
        preconditioned = check_bool(preconditioned, "preconditioned")
        d = self.n_params
        theta = x[:d]
        if preconditioned:
            if self.optimizer.name != "adam":
                raise ValueError("preconditioned: only Adam has a preconditioner")
            o = self.optimizer
            v_hat = x[2 * d:3 * d] / (1.0 - o.b2 ** max(t, 1))
            s = 1.0 / np.sqrt(np.sqrt(v_hat + o.eps_root) + o.eps)
        else:
            s = np.ones(d)

        def mv(v):
            return s * self.hvp(theta, s * np.ravel(v))

        if d == 1:
            return float(mv(np.ones(1))[0])
        op = LinearOperator((d, d), matvec=mv, dtype=np.float64)
        v0 = np.random.default_rng(0).standard_normal(d)
        return float(eigsh(op, k=1, which="LA", v0=v0, tol=1e-6,
                           return_eigenvectors=False)[0])

    # -- runs ----------------------------------------------------------------------------------
    def run(self, x0, n_steps: int, t0: int = 0, save_every: int = 1,
            max_norm: float | None = 1e6):
        """Iterate the map ``n_steps`` times from ``x0`` (step ``t0`` first).

        Parameters
        ----------
        x0 : array, shape (state_dim,)
        n_steps : int >= 1
        t0 : int >= 0
            Index of the first step.
        save_every : int >= 1
            Save the parameters every this many steps (and at the last).
        max_norm : float > 0 or inf, optional
            A run whose state norm exceeds this, or stops being finite, is stopped
            and reported as diverged.

        Returns
        -------
        trajectory : :class:`uniqnets.models.Trajectory`
            Saved parameters (not the optimizer state) and training losses.
        x : numpy array, shape (state_dim,)
            The final joint state (the last good one if the run diverged).

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.practice import TrainingMap, mlp, optimizer
        >>> tm = TrainingMap(mlp((1, 1)), [[1.0], [2.0]], [[1.0], [2.0]], optimizer("sgd", 0.5),
        ...                  loss="mse")
        >>> traj, x = tm.run(np.zeros(2), 200, save_every=100)
        >>> traj.steps.tolist(), np.round(x, 3).tolist()
        ([0, 100, 200], [1.0, 0.0])
        """
        x = np.asarray(self._x(x0, "x0"))
        n_steps = check_int(n_steps, "n_steps", lo=1)
        t0 = check_int(t0, "t0", lo=0)
        save_every = check_int(save_every, "save_every", lo=1)
        max_norm = check_max_norm(max_norm)
        if self.batches is not None and t0 + n_steps > self.batches.shape[0]:
            raise ValueError(f"n_steps: t0 + n_steps ({t0 + n_steps}) exceeds the number of "
                             f"batches ({self.batches.shape[0]})")
        check_size((n_steps // save_every + 2) * self.n_params, "n_steps")
        thetas, steps, losses = [x[:self.n_params].copy()], [0], [self.loss(x[:self.n_params])]
        bad_step = None
        for i in range(1, n_steps + 1):
            xn = self.step(x, t0 + i - 1)
            if diverged(xn, max_norm):
                bad_step = i
                break
            x = xn
            if i % save_every == 0 or i == n_steps:
                thetas.append(x[:self.n_params].copy())
                steps.append(i)
                losses.append(self.loss(x[:self.n_params]))
        traj = Trajectory(np.array(thetas), np.array(steps), np.array(losses),
                          bad_step is not None, bad_step)
        return traj, x

    def spectrum(self, x0, n_steps: int, k: int = 1, n_transient: int = 0, t0: int = 0,
                 rng: np.random.Generator | None = None, Q0=None,
                 max_norm: float | None = 1e6):
        """Top-``k`` Lyapunov exponents of the joint map, by the QR loop of ``lyapunov``.

        The factors ``Q -> DF_t(x_t) Q`` are fed to
        :func:`uniqnets.lyapunov.qr_exponents`, each computing the next state and the
        tangent frame in one compiled call; the result is that of
        :func:`uniqnets.lyapunov.lyapunov_spectrum` with ``step``, ``jvp`` and
        ``time_dependent=True`` (step ``t0 + t`` at the ``t``-th call: the map is
        non-autonomous through its batches, its schedule and Adam's bias correction),
        which evaluates the step twice per step.

        Parameters
        ----------
        x0 : array, shape (state_dim,)
        n_steps : int >= 1
            Measured steps (after the transient).
        k : int in 1..state_dim
        n_transient : int >= 0
            Steps discarded first (the frame is evolved meanwhile).
        t0 : int >= 0
            Index of the first step.
        rng : numpy.random.Generator, optional
            Draws the initial frame (default: the first ``k`` unit vectors).
        Q0 : array (state_dim, k), optional
            The initial frame itself (orthonormalised).
        max_norm : float > 0 or inf, optional
            A state beyond this norm, or a non-finite state or frame, ends the run as
            diverged (exponents NaN).

        Returns
        -------
        :class:`uniqnets.lyapunov.LyapunovResult`
            Exponents per step (natural log); ``x`` the final state (float64).

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.practice import TrainingMap, mlp, optimizer
        >>> tm = TrainingMap(mlp((1, 1)), [[1.0], [2.0]], [[0.0], [0.0]], optimizer("sgd", 0.1),
        ...                  loss="mse")
        >>> res = tm.spectrum(np.zeros(2), 2000, k=2, n_transient=100)
        >>> mu = np.linalg.eigvalsh([[2.5, 1.5], [1.5, 1.0]])
        >>> print(np.round(res.exponents, 4), np.round(np.sort(np.log(1 - 0.1 * mu))[::-1], 4))
        [-0.0073 -0.4196] [-0.0073 -0.4196]
        """
        t0 = check_int(t0, "t0", lo=0)
        n_steps = check_int(n_steps, "n_steps", lo=1)
        n_transient = check_int(n_transient, "n_transient", lo=0)
        D = self.state_dim
        k = check_int(k, "k", lo=1, hi=D)
        max_norm = check_max_norm(max_norm)
        if self.batches is not None and t0 + n_transient + n_steps > self.batches.shape[0]:
            raise ValueError("n_steps: t0 + n_transient + n_steps exceeds the number of "
                             f"batches ({self.batches.shape[0]})")
        x = self._x(x0, "x0")
        if Q0 is not None:
            Q = check_array(Q0, "Q0", shape=(D, k))
        elif rng is not None:
            Q = np.linalg.qr(check_rng(rng).standard_normal((D, k)))[0]
        else:
            Q = np.eye(D, k)
        run = {"x": x, "t": t0, "bad": None}

        def factors(n):
            for _ in range(n):
                if run["bad"] is not None:
                    return

                def factor(Q):
                    y, JQ = self._advance(run["x"], jnp.asarray(Q, self.dtype), run["t"])
                    JQ = np.asarray(JQ, dtype=np.float64)
                    run["t"] += 1
                    if diverged(np.asarray(y), max_norm) or not np.all(np.isfinite(JQ)):
                        run["bad"] = run["t"] - t0
                        return Q  # placeholder; its row is dropped below
                    run["x"] = y
                    return JQ

                yield factor

        def result(exps, log_r, Q):
            return lyapunov.LyapunovResult(exps, log_r, Q, dt=1.0,
                                           x=np.asarray(run["x"], dtype=np.float64),
                                           diverged=run["bad"] is not None,
                                           diverged_step=run["bad"])

        nan = np.full(k, np.nan)
        if n_transient:
            Q = lyapunov.qr_exponents(factors(n_transient), Q0=Q).Q
            if run["bad"] is not None:
                return result(nan, np.empty((0, k)), Q)
        res = lyapunov.qr_exponents(factors(n_steps), Q0=Q)
        if run["bad"] is not None:
            return result(nan, res.log_r[:-1], res.Q)
        return result(res.exponents, res.log_r, res.Q)

    def twins(self, x0, x0_twin, n_steps: int, t0: int = 0, other: TrainingMap | None = None,
              max_norm: float | None = 1e6):
        """Two runs from ``x0`` and ``x0_twin``, by :func:`uniqnets.lyapunov.twin_divergence`.

        Parameters
        ----------
        x0, x0_twin : arrays, shape (state_dim,)
        n_steps : int >= 1
        t0 : int >= 0
        other : TrainingMap, optional
            Map of the twin (default this one): e.g. the same training with another
            reduction order (``n_chunks``) or other batches.
        max_norm : float > 0 or inf, optional

        Returns
        -------
        :class:`uniqnets.lyapunov.TwinResult`
            ``distances`` between the two runs' *parameters* at every step.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.practice import TrainingMap, mlp, optimizer
        >>> tm = TrainingMap(mlp((1, 1)), [[1.0], [2.0]], [[0.0], [0.0]], optimizer("sgd", 0.1),
        ...                  loss="mse")
        >>> tw = tm.twins(np.zeros(2), [1e-8, 0.0], 100)
        >>> bool(tw.distances[-1] < tw.distances[0])  # a contraction
        True
        """
        t0 = check_int(t0, "t0", lo=0)
        other = self if other is None else other
        if not isinstance(other, TrainingMap) or other.state_dim != self.state_dim:
            raise TypeError("other must be a TrainingMap with the same state dimension")
        x0 = np.asarray(self._x(x0, "x0"), dtype=np.float64)
        x1 = np.asarray(self._x(x0_twin, "x0_twin"), dtype=np.float64)
        d = self.n_params
        return lyapunov.twin_divergence(
            lambda x, t: self.step(x, t0 + t), x0, x1 - x0, n_steps,
            step_twin=lambda x, t: other.step(x, t0 + t), time_dependent=True,
            norm=lambda a, b: float(np.linalg.norm(a[:d] - b[:d])),
            max_norm=check_max_norm(max_norm))


def one_ulp(x, index: int, dtype: str = "float64") -> np.ndarray:
    """A copy of ``x`` with entry ``index`` moved to the next number of ``dtype``.

    The smallest change of one weight that the arithmetic can represent: the twin of
    a run in the sense of a last-bit difference (:func:`numpy.nextafter`).

    Parameters
    ----------
    x : array, shape (n,)
    index : int, 0 <= index < n
    dtype : {"float64", "float32"}

    Returns
    -------
    numpy array, shape (n,), of ``dtype``

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import one_ulp
    >>> y = one_ulp(np.ones(3), 1)
    >>> bool(y[1] - 1.0 == np.finfo(np.float64).eps)
    True
    """
    dt = np.dtype(check_choice(dtype, "dtype", DTYPES))
    x = check_array(x, "x", ndim=1, dtype=dt, copy=True)
    index = check_int(index, "index", lo=0, hi=x.size - 1)
    x[index] = np.nextafter(x[index], dt.type(np.inf), dtype=dt)
    return x
