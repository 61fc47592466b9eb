"""Networks as pure JAX functions on pytrees: MLP, CNN, ResNet, transformer."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree

from .._validate import (
    check_array,
    check_bool,
    check_choice,
    check_int,
    check_real,
    check_rng,
    check_size,
)

__all__ = ["ACTIVATIONS", "Network", "cnn", "mlp", "resnet", "transformer"]

#: Nonlinearities of the hidden layers.
ACTIVATIONS = ("tanh", "relu", "gelu", "linear")

_ACT = {"tanh": jnp.tanh, "relu": jax.nn.relu, "linear": lambda z: z,
        # the tanh form of GELU, as in GPT-2 and BERT
        "gelu": lambda z: jax.nn.gelu(z, approximate=True)}


def _sizes(value, name, lo=1, min_len=1):
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list, np.ndarray)):
        raise TypeError(f"{name} must be a sequence of integers, got {type(value).__name__}")
    out = tuple(check_int(v, f"{name}[{i}]", lo=lo) for i, v in enumerate(value))
    if len(out) < min_len:
        raise ValueError(f"{name} must have at least {min_len} entries, got {out}")
    return out


# -- parameter templates: nested tuples of ("w", shape, fan_in) / ("b", shape) / ("1", shape) --

def _template_mlp(cfg):
    return tuple((("w", (n_out, n_in), n_in), ("b", (n_out,)))
                 for n_in, n_out in pairwise(cfg["sizes"]))


def _conv(cin, cout, k):
    return (("w", (k, k, cin, cout), k * k * cin), ("b", (cout,)))


def _template_cnn(cfg):
    h, w, c = cfg["image_shape"]
    layers, cin = [], c
    for cout in cfg["channels"]:
        layers.append(_conv(cin, cout, cfg["kernel"]))
        cin = cout
    n_flat = _cnn_side(h, len(cfg["channels"])) * _cnn_side(w, len(cfg["channels"])) * cin
    return (tuple(layers), (("w", (n_flat, cfg["n_out"]), n_flat), ("b", (cfg["n_out"],))))


def _cnn_side(n, n_layers):
    # the first convolution keeps the size, each further one halves it (stride 2, SAME)
    for _ in range(n_layers - 1):
        n = -(-n // 2)
    return n


def _template_resnet(cfg):
    c, k = cfg["channels"], cfg["kernel"]
    blocks = tuple((_conv(c, c, k), _conv(c, c, k)) for _ in range(cfg["n_blocks"]))
    down = tuple(_conv(c, c, k) for _ in range(max(cfg["downsample"] - 1, 0)))
    return (_conv(cfg["image_shape"][2], c, k), down, blocks,
            (("w", (c, cfg["n_out"]), c), ("b", (cfg["n_out"],))))


def _template_transformer(cfg):
    D, L = cfg["d_model"], cfg["seq_len"]
    if cfg["vocab"]:
        embed = (("e", (cfg["vocab"], D), 1),)
    else:
        embed = (("w", (cfg["d_in"], D), cfg["d_in"]), ("b", (D,)))
    ln = (("1", (D,)), ("b", (D,)))
    blocks = tuple((ln, tuple(("w", (D, D), D) for _ in range(4)), ln,
                    (("w", (D, cfg["mlp_ratio"] * D), D), ("b", (cfg["mlp_ratio"] * D,)),
                     ("w", (cfg["mlp_ratio"] * D, D), cfg["mlp_ratio"] * D), ("b", (D,))))
                   for _ in range(cfg["n_layers"]))
    return (embed, (("e", (L, D), 1),), blocks, ln,
            (("w", (D, cfg["n_out"]), D), ("b", (cfg["n_out"],))))


_TEMPLATES = {"mlp": _template_mlp, "cnn": _template_cnn, "resnet": _template_resnet,
              "transformer": _template_transformer}


def _is_leaf(x):
    return isinstance(x, tuple) and len(x) >= 2 and isinstance(x[0], str)


# -- forward passes (pure functions of the parameter pytree) --------------------------------

def _apply_mlp(cfg, params, X):
    act = _ACT[cfg["activation"]]
    a = X
    for l, (W, b) in enumerate(params):
        z = a @ W.T + b
        a = z if l == len(params) - 1 else act(z)
    return a


def _conv2d(x, Wb, stride=1):
    W, b = Wb
    y = jax.lax.conv_general_dilated(x, W, (stride, stride), "SAME",
                                     dimension_numbers=("NHWC", "HWIO", "NHWC"))
    return y + b


def _images(cfg, X):
    return X.reshape((X.shape[0], *cfg["image_shape"]))


def _apply_cnn(cfg, params, X):
    act = _ACT[cfg["activation"]]
    convs, (W, b) = params
    h = _images(cfg, X)
    for i, Wb in enumerate(convs):
        h = act(_conv2d(h, Wb, 1 if i == 0 else 2))
    return h.reshape((h.shape[0], -1)) @ W + b


def _apply_resnet(cfg, params, X):
    act = _ACT[cfg["activation"]]
    stem, down, blocks, (W, b) = params
    h = act(_conv2d(_images(cfg, X), stem, 2 if cfg["downsample"] else 1))
    for Wb in down:
        h = act(_conv2d(h, Wb, 2))
    for c1, c2 in blocks:
        h = act(h + _conv2d(act(_conv2d(h, c1)), c2))
    return h.mean(axis=(1, 2)) @ W + b


def _pre_mlp(cfg, params, X):
    act, a, out = _ACT[cfg["activation"]], X, []
    for W, b in params[:-1]:
        out.append(a @ W.T + b)
        a = act(out[-1])
    return out


def _pre_cnn(cfg, params, X):
    act, h, out = _ACT[cfg["activation"]], _images(cfg, X), []
    for i, Wb in enumerate(params[0]):
        out.append(_conv2d(h, Wb, 1 if i == 0 else 2))
        h = act(out[-1])
    return out


def _pre_resnet(cfg, params, X):
    act = _ACT[cfg["activation"]]
    stem, down, blocks, _ = params
    out = [_conv2d(_images(cfg, X), stem, 2 if cfg["downsample"] else 1)]
    h = act(out[-1])
    for Wb in down:
        out.append(_conv2d(h, Wb, 2))
        h = act(out[-1])
    for c1, c2 in blocks:
        out.append(_conv2d(h, c1))
        out.append(h + _conv2d(act(out[-1]), c2))
        h = act(out[-1])
    return out


def _layer_norm(h, gb, eps=1e-5):
    g, b = gb
    mu = h.mean(-1, keepdims=True)
    var = ((h - mu) ** 2).mean(-1, keepdims=True)
    return (h - mu) / jnp.sqrt(var + eps) * g + b


def _attention(cfg, h, Ws):
    Wq, Wk, Wv, Wo = Ws
    n, L, D = h.shape
    H = cfg["n_heads"]

    def heads(x):
        return x.reshape(n, L, H, D // H).transpose(0, 2, 1, 3)

    q, k, v = heads(h @ Wq), heads(h @ Wk), heads(h @ Wv)
    att = jax.nn.softmax(q @ k.transpose(0, 1, 3, 2) / math.sqrt(D // H), axis=-1)
    return (att @ v).transpose(0, 2, 1, 3).reshape(n, L, D) @ Wo


def _apply_transformer(cfg, params, X):
    embed, (pos,), blocks, ln_f, (W, b) = params
    if cfg["vocab"]:
        h = embed[0][X]
    else:
        h = X.reshape((X.shape[0], cfg["seq_len"], cfg["d_in"])) @ embed[0] + embed[1]
    h = h + pos
    for ln1, att, ln2, (W1, b1, W2, b2) in blocks:
        h = h + _attention(cfg, _layer_norm(h, ln1), att)
        h = h + _ACT[cfg["activation"]](_layer_norm(h, ln2) @ W1 + b1) @ W2 + b2
    h = _layer_norm(h, ln_f)
    if cfg["pool"]:
        h = h.mean(axis=1)
    return h @ W + b


_APPLY = {"mlp": _apply_mlp, "cnn": _apply_cnn, "resnet": _apply_resnet,
          "transformer": _apply_transformer}
_PRE = {"mlp": _pre_mlp, "cnn": _pre_cnn, "resnet": _pre_resnet}


@dataclass(frozen=True)
class Network:
    """A network as a pure JAX function of a parameter pytree, with a flat-vector view.

    Build one with :func:`mlp`, :func:`cnn`, :func:`resnet` or :func:`transformer`.
    Parameters are a pytree of arrays (nested tuples); :meth:`flatten` and
    :meth:`unflatten` convert to and from a flat vector ``theta`` of shape
    ``(n_params,)`` (:func:`jax.flatten_util.ravel_pytree` order, which for
    :func:`mlp` is the layout of :class:`uniqnets.models.MLP`).  A network is
    hashable: the compiled training maps of :class:`TrainingMap` are cached by it.

    Attributes
    ----------
    kind : str
        ``"mlp"``, ``"cnn"``, ``"resnet"`` or ``"transformer"``.
    config : tuple of (str, value)
        The architecture's settings (what the constructor was given).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import mlp
    >>> net = mlp((3, 4, 2))
    >>> net.n_params
    26
    >>> theta = net.init(np.random.default_rng(0))
    >>> net.apply(net.unflatten(theta), np.zeros((5, 3))).shape
    (5, 2)
    """

    kind: str
    config: tuple

    @property
    def cfg(self) -> dict:
        """The settings as a dict.

        Examples
        --------
        >>> from uniqnets.practice import mlp
        >>> mlp((3, 2)).cfg["sizes"]
        (3, 2)
        """
        return dict(self.config)

    def _template(self):
        return _TEMPLATES[self.kind](self.cfg)

    def _leaves(self):
        return jax.tree_util.tree_leaves(self._template(), is_leaf=_is_leaf)

    @property
    def n_params(self) -> int:
        """Number of parameters ``d``.

        Examples
        --------
        >>> from uniqnets.practice import cnn
        >>> cnn((8, 8, 1), (4,), 10).n_params  # 3x3x1x4 + 4, then 256 x 10 + 10
        2610
        """
        return int(sum(math.prod(leaf[1]) for leaf in self._leaves()))

    @property
    def n_in(self) -> int:
        """Number of input features per sample (the width of ``X``).

        Examples
        --------
        >>> from uniqnets.practice import resnet
        >>> resnet((8, 8, 1), 4, 1, 10).n_in
        64
        """
        cfg = self.cfg
        if self.kind == "mlp":
            return cfg["sizes"][0]
        if self.kind == "transformer":
            return cfg["seq_len"] * (1 if cfg["vocab"] else cfg["d_in"])
        return math.prod(cfg["image_shape"])

    def init(self, rng: np.random.Generator, gain: float = 1.0, dtype=np.float64) -> np.ndarray:
        """Random parameters ``theta``, flat, drawn from ``rng``.

        Weights ``N(0, gain^2 / fan_in)``, embeddings ``N(0, 1)`` times ``gain``,
        biases zero, layer-norm scales one.  Draws are made leaf by leaf in the flat
        order; for :func:`mlp` they are the draws of
        :meth:`uniqnets.models.MLP.init` (``bias_std=0``), so the same generator
        state gives the same network.

        Parameters
        ----------
        rng : numpy.random.Generator
        gain : float >= 0
        dtype : numpy floating dtype

        Returns
        -------
        numpy array, shape (n_params,)

        References
        ----------
        Y. LeCun, L. Bottou, G. B. Orr, K.-R. Mueller, "Efficient backprop", in
        Neural Networks: Tricks of the Trade, Springer 1998.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets import models
        >>> from uniqnets.practice import mlp
        >>> a = mlp((2, 3, 1)).init(np.random.default_rng(0))
        >>> b = models.MLP((2, 3, 1)).init(np.random.default_rng(0))
        >>> bool(np.array_equal(a, b))
        True
        """
        rng = check_rng(rng)
        gain = check_real(gain, "gain", lo=0.0)
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"dtype must be a numpy floating dtype, got {dtype}")
        parts = []
        for leaf in self._leaves():
            kind, shape = leaf[0], leaf[1]
            n = math.prod(shape)
            if kind == "w":
                parts.append(rng.standard_normal(n) * (gain / np.sqrt(leaf[2])))
            elif kind == "e":
                parts.append(rng.standard_normal(n) * gain)
            elif kind == "b":
                parts.append(rng.standard_normal(n) * 0.0 if self.kind == "mlp" else np.zeros(n))
            else:
                parts.append(np.ones(n))
        return np.concatenate(parts).astype(dtype)

    def unflatten(self, theta):
        """The parameter pytree of a flat vector (JAX arrays; traceable under ``jit``).

        Parameters
        ----------
        theta : array, shape (n_params,)

        Returns
        -------
        pytree of arrays
            Nested tuples; for :func:`mlp` the pairs ``(W_l, b_l)`` with ``W_l`` of
            shape ``(n_l, n_{l-1})``.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.practice import mlp
        >>> [(W.shape, b.shape) for W, b in mlp((2, 3, 1)).unflatten(np.arange(13.0))]
        [((3, 2), (3,)), ((1, 3), (1,))]
        """
        if not isinstance(theta, jax.Array):
            theta = check_array(theta, "theta", ndim=1)
        if theta.shape != (self.n_params,):
            raise ValueError(f"theta must have shape ({self.n_params},), got {theta.shape}")
        leaves, treedef = jax.tree_util.tree_flatten(self._template(), is_leaf=_is_leaf)
        out, start = [], 0
        for leaf in leaves:
            n = math.prod(leaf[1])
            out.append(jnp.reshape(theta[start:start + n], leaf[1]))
            start += n
        return jax.tree_util.tree_unflatten(treedef, out)

    def flatten(self, params) -> np.ndarray:
        """The flat vector of a parameter pytree (inverse of :meth:`unflatten`).

        Parameters
        ----------
        params : pytree of arrays
            As returned by :meth:`unflatten`.

        Returns
        -------
        numpy array, shape (n_params,)

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.practice import mlp
        >>> net = mlp((2, 3, 1))
        >>> bool(np.array_equal(net.flatten(net.unflatten(np.arange(13.0))), np.arange(13.0)))
        True
        """
        flat = ravel_pytree(params)[0]
        if flat.shape != (self.n_params,):
            raise ValueError(f"params must hold {self.n_params} numbers, got {flat.shape[0]}")
        return np.asarray(flat)

    def apply(self, params, X):
        """The network's outputs (logits) on inputs ``X``; a pure JAX function.

        Parameters
        ----------
        params : pytree of arrays
            From :meth:`unflatten`.
        X : array, shape (n_samples, n_in)
            Flat inputs (images row by row; for a token transformer, integer tokens
            of shape ``(n_samples, seq_len)``).

        Returns
        -------
        JAX array, shape (n_samples, n_out), or (n_samples, seq_len, n_out) for a
        transformer without pooling.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.practice import transformer
        >>> net = transformer(4, 8, 2, 1, 3, d_in=2)
        >>> theta = net.init(np.random.default_rng(0))
        >>> net.apply(net.unflatten(theta), np.zeros((5, 8))).shape
        (5, 3)
        """
        return _APPLY[self.kind](self.cfg, params, X)

    def pre_activations(self, params, X) -> list:
        """The inputs of every hidden nonlinearity, layer by layer (MLP, CNN, ResNet).

        Two networks whose ReLU units see pre-activations of different sign on the
        same input compute with different linear pieces: counting such pairs (the
        *activation flips*) tells where a tangent map, which sees one piece only,
        stops describing the difference of two runs.

        Parameters
        ----------
        params : pytree of arrays
        X : array, shape (n_samples, n_in)

        Returns
        -------
        list of JAX arrays, each of shape ``(n_samples, ...)``

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.practice import cnn
        >>> net = cnn((8, 8, 1), (4, 6), 10)
        >>> z = net.pre_activations(net.unflatten(net.init(np.random.default_rng(0))),
        ...                         np.zeros((3, 64)))
        >>> [a.shape for a in z]
        [(3, 8, 8, 4), (3, 4, 4, 6)]
        """
        if self.kind not in _PRE:
            raise ValueError(f"pre_activations is defined for {sorted(_PRE)}, not {self.kind!r}")
        return _PRE[self.kind](self.cfg, params, X)


#: the most blocks or layers a network may have: far more than this machine can train
#: (a deeper network is refused before its parameters are counted, which loops over them)
MAX_DEPTH = 10_000


def _network(kind, size_name, **cfg):
    net = Network(kind, tuple(cfg.items()))
    check_size(net.n_params, size_name)
    return net


def mlp(sizes, activation: str = "tanh") -> Network:
    """A fully connected network ``(n_0, n_1, ..., n_L)``, linear last layer.

    The forward pass and the flat layout are those of :class:`uniqnets.models.MLP`
    (``z_l = a_{l-1} W_l^T + b_l``, weights row-major then biases, layer by layer), so
    the two compute the same function of the same vector ``theta``.

    Parameters
    ----------
    sizes : sequence of int >= 1, at least two
    activation : {"tanh", "relu", "gelu", "linear"}
        ``"linear"`` gives a deep linear network.

    Returns
    -------
    Network

    Examples
    --------
    >>> from uniqnets.practice import mlp
    >>> mlp((64, 72, 72, 10)).n_params
    10666
    """
    sizes = _sizes(sizes, "sizes", min_len=2)
    check_choice(activation, "activation", ACTIVATIONS)
    return _network("mlp", "sizes", sizes=sizes, activation=activation)


def cnn(image_shape, channels, n_out: int, kernel: int = 3, activation: str = "relu") -> Network:
    """A small convolutional network: convolutions, then a dense read-out.

    The first ``kernel x kernel`` convolution keeps the image size, each further one
    has stride 2 (SAME padding); the last feature map is flattened into a dense layer.

    Parameters
    ----------
    image_shape : (height, width, channels) of int >= 1
        Shape of one input image; inputs ``X`` are flat rows of that many numbers.
    channels : sequence of int >= 1
        Output channels of the convolutions.
    n_out : int >= 1
        Number of outputs (classes).
    kernel : int >= 1
    activation : {"tanh", "relu", "gelu", "linear"}

    Returns
    -------
    Network

    References
    ----------
    Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, "Gradient-based learning applied to
    document recognition", Proc. IEEE 86 (1998) 2278-2324.

    Examples
    --------
    >>> from uniqnets.practice import cnn
    >>> cnn((8, 8, 1), (16, 36), 10).n_params
    11150
    """
    image_shape = _sizes(image_shape, "image_shape")
    if len(image_shape) != 3:
        raise ValueError(f"image_shape must be (height, width, channels), got {image_shape}")
    channels = _sizes(channels, "channels")
    n_out = check_size(check_int(n_out, "n_out", lo=1), "n_out")
    kernel = check_int(kernel, "kernel", lo=1)
    check_choice(activation, "activation", ACTIVATIONS)
    return _network("cnn", "channels", image_shape=image_shape, channels=channels, n_out=n_out,
                    kernel=kernel, activation=activation)


def resnet(image_shape, channels: int, n_blocks: int, n_out: int, kernel: int = 3,
           activation: str = "relu", downsample: int = 0) -> Network:
    """A residual convolutional network (no normalisation layers).

    A stem convolution to ``channels`` maps, ``downsample - 1`` further convolutions,
    each of these ``downsample`` with stride 2 (SAME padding: the image side halves,
    rounding up), ``n_blocks`` residual blocks ``h <- phi(h + conv(phi(conv(h))))`` at
    constant size, global average pooling and a dense read-out.  Downsampling puts the
    blocks on a smaller image: their cost per parameter falls by 4 per halving.

    Parameters
    ----------
    image_shape : (height, width, channels) of int >= 1
    channels : int >= 1
    n_blocks : int >= 0
    n_out : int >= 1
    kernel : int >= 1
    activation : {"tanh", "relu", "gelu", "linear"}
    downsample : int >= 0
        Number of stride-2 convolutions before the blocks (the stem is the first).

    Returns
    -------
    Network

    References
    ----------
    K. He, X. Zhang, S. Ren, J. Sun, "Deep residual learning for image recognition",
    CVPR 2016.

    Examples
    --------
    >>> from uniqnets.practice import resnet
    >>> resnet((8, 8, 1), 17, 2, 10).n_params
    10822
    >>> resnet((28, 28, 1), 48, 2, 10, downsample=2).n_params  # blocks on 7x7 maps
    104890
    """
    image_shape = _sizes(image_shape, "image_shape")
    if len(image_shape) != 3:
        raise ValueError(f"image_shape must be (height, width, channels), got {image_shape}")
    channels = check_int(channels, "channels", lo=1)
    n_blocks = check_int(n_blocks, "n_blocks", lo=0, hi=MAX_DEPTH)
    n_out = check_size(check_int(n_out, "n_out", lo=1), "n_out")
    kernel = check_int(kernel, "kernel", lo=1)
    check_choice(activation, "activation", ACTIVATIONS)
    downsample = check_int(downsample, "downsample", lo=0, hi=MAX_DEPTH)
    return _network("resnet", "channels", image_shape=image_shape, channels=channels,
                    n_blocks=n_blocks, n_out=n_out, kernel=kernel, activation=activation,
                    downsample=downsample)


def transformer(seq_len: int, d_model: int, n_heads: int, n_layers: int, n_out: int, *,
                d_in: int | None = None, vocab: int | None = None, pool: bool = True,
                mlp_ratio: int = 4, activation: str = "gelu") -> Network:
    """A small pre-LN transformer encoder.

    Tokens are embedded (a linear map of ``d_in`` features, or a table of ``vocab``
    token embeddings), a learned position embedding is added, and ``n_layers`` blocks
    ``h <- h + MHA(LN(h))``, ``h <- h + MLP(LN(h))`` follow (multi-head self-attention
    with ``n_heads`` heads, an MLP of width ``mlp_ratio * d_model``); a final layer norm,
    mean pooling over tokens (``pool``) and a linear read-out give the logits.

    Parameters
    ----------
    seq_len : int >= 1
        Tokens per sample.
    d_model : int >= 1, a multiple of ``n_heads``
    n_heads : int >= 1
    n_layers : int >= 0
    n_out : int >= 1
        Outputs per sample (``pool``) or per token.
    d_in : int >= 1, optional
        Features per token for continuous inputs (``X`` of shape
        ``(n, seq_len * d_in)``, e.g. the rows of an image).
    vocab : int >= 1, optional
        Vocabulary size for integer tokens (``X`` of shape ``(n, seq_len)``).
        Exactly one of ``d_in`` and ``vocab`` is given.
    pool : bool
        Average over tokens before the read-out (one output per sample); without it
        one output per token.
    mlp_ratio : int >= 1
    activation : {"tanh", "relu", "gelu", "linear"}
        Nonlinearity of the MLP blocks.

    Returns
    -------
    Network

    References
    ----------
    A. Vaswani et al., "Attention is all you need", NeurIPS 2017; R. Xiong et al.,
    "On layer normalization in the transformer architecture", ICML 2020 (pre-LN).

    Examples
    --------
    >>> from uniqnets.practice import transformer
    >>> transformer(8, 20, 4, 2, 10, d_in=8).n_params
    10550
    """
    seq_len = check_size(check_int(seq_len, "seq_len", lo=1), "seq_len")
    d_model = check_int(d_model, "d_model", lo=1)
    n_heads = check_int(n_heads, "n_heads", lo=1)
    if d_model % n_heads:
        raise ValueError(f"d_model ({d_model}) must be a multiple of n_heads ({n_heads})")
    n_layers = check_int(n_layers, "n_layers", lo=0, hi=MAX_DEPTH)
    n_out = check_size(check_int(n_out, "n_out", lo=1), "n_out")
    if (d_in is None) == (vocab is None):
        raise ValueError("give exactly one of d_in (continuous tokens) and vocab (integer "
                         "tokens)")
    d_in = None if d_in is None else check_int(d_in, "d_in", lo=1)
    vocab = None if vocab is None else check_int(vocab, "vocab", lo=1)
    pool = check_bool(pool, "pool")
    mlp_ratio = check_int(mlp_ratio, "mlp_ratio", lo=1)
    check_choice(activation, "activation", ACTIVATIONS)
    return _network("transformer", "d_model", seq_len=seq_len, d_model=d_model, n_heads=n_heads,
                    n_layers=n_layers, n_out=n_out, d_in=d_in, vocab=vocab, pool=pool,
                    mlp_ratio=mlp_ratio, activation=activation)
