"""Networks trained on Fashion-MNIST as in practice, and their exponents along training.

The experiment of the book's chapter on the real benchmark, as functions:
:func:`fashion_network` builds the networks, :func:`fashion_setup` the data and the
training map (heavy-ball momentum with coupled weight decay, as Theorem 1 assumes,
linear warm-up and cosine decay, float32), and :func:`fashion_run` trains one network
to the end of its schedule and measures, at stages of training, the top tangent
exponents of the joint training map beside the growth of twins started one ulp apart
in float32 and in float64 and, for ReLU networks, the activation flips between twins.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validate import check_bool, check_choice, check_int, check_real
from ..stats import batch_means, rng_stream
from ._models import Network, cnn, mlp, resnet
from ._optim import optimizer
from ._tangent import TrainingMap, one_ulp

__all__ = ["FASHION_ARCHITECTURES", "LEARNING_RATES", "FashionRun", "FashionSetup",
           "StageMeasurement", "fashion_network", "fashion_run", "fashion_setup"]

#: the networks of the benchmark chapter
FASHION_ARCHITECTURES = ("CNN", "ResNet", "MLP", "linear")

#: peak learning rates of the recipe (heavy-ball momentum 0.9), chosen once so that each
#: network trains without diverging; the linear network's loss is the steepest
LEARNING_RATES = {"CNN": 0.05, "ResNet": 0.05, "MLP": 0.05, "linear": 0.01}

#: dimension of the random sketch of a run's final parameters (FashionRun.sketch)
SKETCH_DIM = 512

#: relative change of one weight that starts the "large" twins (see StageMeasurement)
LARGE_CHANGE = 1e-4

# Fashion-MNIST's pixel mean and standard deviation over the 60,000 training images
# (scaled to [0, 1]): inputs are standardised with them, the usual preprocessing
_PIXEL_MEAN, _PIXEL_STD = 0.2860, 0.3530


def fashion_network(name: str, hidden=None) -> Network:
    """One of the benchmark's networks (10 classes of 28x28 grey images).

    ``"CNN"``: two 3x3 convolutions of 16 and 32 channels (the second with stride 2),
    ReLU, a dense read-out: 67,530 parameters, in the class "2 Conv <100K parameters"
    of the data set's benchmark table.  ``"ResNet"``: a stem and one more convolution,
    both of stride 2, then three residual blocks of 40 channels on 7x7 maps, ReLU,
    global average pooling: 101,890 parameters, no normalisation layer.  ``"MLP"``:
    784-128-64-10, tanh (109,386).  ``"linear"``: the same MLP without nonlinearity,
    a deep linear network, the negative control of the chaos tests.

    The layers are written in JAX on a flat parameter vector (:class:`Network`), not
    taken from Flax or Equinox: the training map and its tangent map act on one flat
    state vector of parameters and optimizer state in float32 or float64, which those
    libraries' module state would have to be flattened into at every step.

    Parameters
    ----------
    name : {"CNN", "ResNet", "MLP", "linear"}
    hidden : sequence of int, optional
        Hidden widths of the MLP or the linear network (default ``(128, 64)``): the same
        network at other widths.

    Returns
    -------
    Network

    Examples
    --------
    >>> from uniqnets.practice import fashion_network
    >>> [fashion_network(n).n_params for n in ("CNN", "ResNet", "linear")]
    [67530, 101890, 109386]
    >>> fashion_network("MLP", hidden=(512, 256)).n_params
    535818
    """
    name = check_choice(name, "name", FASHION_ARCHITECTURES)
    if hidden is not None and name not in ("MLP", "linear"):
        raise ValueError(f"hidden sets the widths of the MLP and the linear network, not of "
                         f"the {name}")
    if name == "CNN":
        return cnn((28, 28, 1), (16, 32), 10)
    if name == "ResNet":
        return resnet((28, 28, 1), 40, 3, 10, downsample=2)
    if hidden is None:
        hidden = (128, 64)
    elif isinstance(hidden, (str, bytes)) or not hasattr(hidden, "__len__") or not hidden:
        raise TypeError(f"hidden must be a non-empty sequence of widths, got {hidden!r}")
    hidden = tuple(check_int(h, f"hidden[{i}]", lo=1, hi=1 << 16) for i, h in enumerate(hidden))
    return mlp((784, *hidden, 10), "tanh" if name == "MLP" else "linear")


@dataclass(frozen=True)
class FashionSetup:
    """The data and the training map of one run (see :func:`fashion_setup`).

    Attributes
    ----------
    network : Network
    train_map : TrainingMap
        float32, the batches of the whole schedule.
    X_test, Y_test : numpy arrays, shapes (n_test, 784) and (n_test,)
    theta0 : numpy array, shape (n_params,)
        The initial parameters (float32).
    steps_per_epoch, n_steps : int
    """

    network: Network
    train_map: TrainingMap
    X_test: np.ndarray
    Y_test: np.ndarray
    theta0: np.ndarray
    steps_per_epoch: int
    n_steps: int

    def map_in(self, dtype: str) -> TrainingMap:
        """The same training map (data, batches, optimizer) computing in ``dtype``."""
        tm = self.train_map
        return TrainingMap(self.network, tm.X, tm.Y, tm.optimizer, batches=tm.batches,
                           n_chunks=tm.n_chunks, dtype=dtype)


def fashion_setup(name: str, seed: int, *, epochs: float = 8.0, batch_size: int = 128,
                  lr: float | None = None, weight_decay: float = 5e-4, n_train: int | None = None,
                  n_test: int | None = None, folder=None, data_seed: int | None = None,
                  hidden=None, n_chunks: int = 1, dtype: str = "float32") -> FashionSetup:
    """Fashion-MNIST, a network and its float32 training map, for seed ``seed``.

    The recipe: heavy-ball momentum 0.9 with coupled weight decay, a linear warm-up over
    the first 2 % of the steps, then cosine decay to zero at the end; mini-batches of
    ``batch_size`` drawn epoch by epoch without replacement.  The seed sets the
    initialisation (He/LeCun, :meth:`Network.init`) and the batch order, from
    independent streams; ``data_seed`` sets the batch order apart from the seed.

    Parameters
    ----------
    name : {"CNN", "ResNet", "MLP", "linear"}
    seed : int >= 0
    epochs : float > 0
        Length of the schedule in passes over the training images.
    batch_size : int >= 1
    lr : float > 0, optional
        Peak learning rate; default the network's entry of ``LEARNING_RATES``.
    weight_decay : float >= 0
    n_train, n_test : int, optional
        Use the first images only (default all 60,000 and 10,000).
    folder : path, optional
        Where the IDX files are (see :func:`uniqnets.data.fashion_mnist`).
    data_seed : int >= 0, optional
        Seed of the batch order (default ``seed``): runs that differ in their data order
        only.
    hidden : sequence of int, optional
        Hidden widths of the MLP or the linear network (see :func:`fashion_network`).
    n_chunks : int >= 1
        Gradients as the mean of this many micro-batches (the same sum in another
        order; see :class:`TrainingMap`).
    dtype : {"float32", "float64"}
        Precision of the training map; ``theta0`` is the float32 initialisation cast
        to it, so runs in the two precisions start from the same numbers.

    Returns
    -------
    FashionSetup

    Examples
    --------
    >>> from uniqnets.practice import fashion_setup
    >>> s = fashion_setup("CNN", 0, epochs=1, n_train=256, n_test=64)  # doctest: +SKIP
    >>> s.n_steps, s.train_map.dtype.name                              # doctest: +SKIP
    (2, 'float32')
    """
    from ..data import fashion_mnist
    from ..models import batch_sequence

    network = fashion_network(name, hidden)
    seed = check_int(seed, "seed", lo=0)
    data_seed = seed if data_seed is None else check_int(data_seed, "data_seed", lo=0)
    epochs = check_real(epochs, "epochs", lo=0.0, lo_open=True, hi=1e4)
    batch_size = check_int(batch_size, "batch_size", lo=1)
    lr = LEARNING_RATES[name] if lr is None else check_real(lr, "lr", lo=0.0, lo_open=True)
    weight_decay = check_real(weight_decay, "weight_decay", lo=0.0)
    train, test = fashion_mnist(folder, n_train=n_train, n_test=n_test)
    n = train.X.shape[0]
    if batch_size > n:
        raise ValueError(f"batch_size ({batch_size}) exceeds the training images ({n})")
    steps_per_epoch = n // batch_size
    n_steps = max(int(round(epochs * steps_per_epoch)), 1)
    warmup = int(0.02 * n_steps)
    opt = optimizer("momentum", lr, momentum=0.9, weight_decay=weight_decay,
                    schedule="cosine", warmup_steps=warmup, total_steps=n_steps)
    key = FASHION_ARCHITECTURES.index(name)
    batches = batch_sequence(n, batch_size, n_steps, rng_stream(data_seed, 12, key, 1))
    theta0 = network.init(rng_stream(seed, 12, key, 0), dtype=np.float32)

    def standardise(X):
        return ((X - np.float32(_PIXEL_MEAN)) / np.float32(_PIXEL_STD)).astype(np.float32)

    tm = TrainingMap(network, standardise(train.X), train.Y, opt, batches=batches,
                     n_chunks=n_chunks, dtype=dtype)
    theta0 = theta0.astype(tm.dtype)
    return FashionSetup(network, tm, standardise(test.X), test.Y, theta0, steps_per_epoch,
                        n_steps)


@dataclass(frozen=True)
class StageMeasurement:
    """Exponents and twins over a window of ``window`` steps from step ``step``.

    Attributes
    ----------
    step, window : int
    lr : float
        The learning rate at ``step``.
    exponents, stderr : numpy arrays, shape (k,)
        Top ``k`` tangent exponents of the joint float32 map over the last three
        quarters of the window (the first aligns the frame; per step, natural log) and
        their batch-means errors.
    steps : numpy array of int, shape (n_points,)
        Steps from ``step`` at which the twins were compared.
    d32, d64 : numpy arrays, shape (n_points,)
        Parameter distance of the float32 twins (one float32 ulp of weight ``index``
        apart at the start) and of the float64 twins (one float64 ulp apart).
    d_large : numpy array, shape (n_points,)
        The same for float32 twins whose weight ``index`` differs by a relative
        ``LARGE_CHANGE`` (about 800 float32 ulps): far above the rounding of a step, so
        that rounding cannot be what makes them grow.
    tangent : numpy array, shape (n_points,)
        The float32 twins' initial difference pushed through the tangent map along the
        run, ``|DF^t e| * d32[0]``: what the linearisation predicts for both twins.
    flips32, flips64, flips_large : numpy arrays of int, shape (n_points,)
        Pre-activations of different sign between the twins on the probe images (ReLU
        networks; zeros otherwise).
    index : int
        The weight changed.
    """

    step: int
    window: int
    lr: float
    exponents: np.ndarray
    stderr: np.ndarray
    steps: np.ndarray
    d32: np.ndarray
    d64: np.ndarray
    tangent: np.ndarray
    flips32: np.ndarray
    flips64: np.ndarray
    index: int
    d_large: np.ndarray
    flips_large: np.ndarray

    def slope(self, which: str) -> float:
        """Finite-size exponent ``ln(d(W) / d(0)) / W`` of ``"d32"``, ``"d64"``,
        ``"d_large"`` or ``"tangent"`` (per step); ``-inf`` when the twins merged (their
        difference rounded to zero, after which they are the same run)."""
        d = getattr(self, check_choice(which, "which", ("d32", "d64", "d_large", "tangent")))
        if d[-1] == 0:
            return float("-inf")
        return float(np.log(d[-1] / d[0]) / self.window)


@dataclass(frozen=True)
class FashionRun:
    """One network trained on Fashion-MNIST, and its measurements (see :func:`fashion_run`).

    Attributes
    ----------
    name : str
    seed, n_params, n_steps, steps_per_epoch : int
    eval_steps : numpy array of int
        Steps at which the test accuracy and the training loss were evaluated.
    test_accuracy, train_loss : numpy arrays, like ``eval_steps``
        Test accuracy on the test images; loss on the first ``n_probe_loss`` training
        images.
    stages : tuple of StageMeasurement
    device : str
        JAX's device that computed the run (``"cpu"``, ``"gpu"``).
    predictions : numpy array of int, shape (n_test,)
        The trained network's class for each test image.
    sketch : numpy array, shape (SKETCH_DIM,)
        ``S theta / sqrt(SKETCH_DIM)`` for the final parameters, ``S`` a Gaussian matrix
        fixed per network: distances between sketches of two runs estimate the distance
        between their parameters to a relative error of about ``sqrt(2 / SKETCH_DIM)``
        (Johnson-Lindenstrauss), without storing 10^5 numbers per run.
    diagram : numpy array, shape (m, 2)
        The finite part of the H0 Rips persistence diagram of the run's checkpoints
        (``checkpoints_per_epoch`` per epoch and the last), see
        :func:`uniqnets.topology.rips_diagrams`.
    """

    name: str
    seed: int
    n_params: int
    n_steps: int
    steps_per_epoch: int
    eval_steps: np.ndarray
    test_accuracy: np.ndarray
    train_loss: np.ndarray
    stages: tuple = field(default_factory=tuple)
    device: str = "cpu"
    predictions: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    sketch: np.ndarray = field(default_factory=lambda: np.zeros(0))
    diagram: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))

    @property
    def final_accuracy(self) -> float:
        """Test accuracy at the end of the schedule."""
        return float(self.test_accuracy[-1])

    def summary(self) -> list[dict]:
        """One row per stage: step, learning rate, exponents and twin slopes."""
        rows = []
        for st in self.stages:
            rows.append({"network": self.name, "seed": self.seed, "step": st.step,
                         "lr": st.lr, "lambda1": float(st.exponents[0]),
                         "lambda1_se": float(st.stderr[0]),
                         "slope32": st.slope("d32"), "slope64": st.slope("d64"),
                         "slope_large": st.slope("d_large"),
                         "slope_tangent": st.slope("tangent"),
                         "flips32": int(st.flips32[-1]), "flips64": int(st.flips64[-1]),
                         "flips_large": int(st.flips_large[-1])})
        return rows


def parameter_sketch(network: Network, theta) -> np.ndarray:
    """``S theta / sqrt(SKETCH_DIM)``, ``S`` a standard Gaussian matrix drawn for ``network``.

    The same network always gets the same ``S`` (drawn, a block of columns at a time,
    from a stream keyed by its parameter count), so sketches of two runs of one network
    are comparable: ``|sketch(a) - sketch(b)|`` estimates ``|a - b|`` to a relative error
    of about ``sqrt(2 / SKETCH_DIM)`` (6 %).

    References
    ----------
    W. B. Johnson, J. Lindenstrauss, Contemp. Math. 26 (1984) 189-206.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import mlp
    >>> from uniqnets.practice._fashion import parameter_sketch
    >>> net = mlp((50, 40, 10))
    >>> a, b = (net.init(np.random.default_rng(i)) for i in (0, 1))
    >>> est = np.linalg.norm(parameter_sketch(net, a) - parameter_sketch(net, b))
    >>> bool(abs(est / np.linalg.norm(a - b) - 1) < 0.2)
    True
    """
    theta = np.asarray(theta, np.float64)
    rng = rng_stream(network.n_params, 12, 3)
    out = np.zeros(SKETCH_DIM)
    for lo in range(0, theta.size, 8192):
        block = theta[lo:lo + 8192]
        out += rng.standard_normal((SKETCH_DIM, block.size)) @ block
    return out / np.sqrt(SKETCH_DIM)


def _flips(network, tm, x_a, x_b, X_probe):
    import jax.numpy as jnp

    if network.kind == "mlp" and network.cfg["activation"] != "relu" or network.kind not in (
            "mlp", "cnn", "resnet"):
        return 0
    d = network.n_params
    Xp = jnp.asarray(X_probe, tm.dtype)
    za = network.pre_activations(network.unflatten(jnp.asarray(x_a[:d], tm.dtype)), Xp)
    zb = network.pre_activations(network.unflatten(jnp.asarray(x_b[:d], tm.dtype)), Xp)
    return int(sum(int(jnp.sum((a > 0) != (b > 0))) for a, b in zip(za, zb, strict=True)))


def _stage(setup, tm64, x, step, window, k, every, index, X_probe, rng):
    """Tangent exponents, float32/float64 twins and flips over ``window`` steps from ``x``."""
    tm, net, d = setup.train_map, setup.network, setup.network.n_params
    # the first quarter of the window aligns the random frame: a frame with half its
    # weight on the momentum, which decays by the factor 0.9 a step, would bias the
    # window's mean by ln(1/sqrt(2)) / window (-0.0035 per step over 100 steps)
    n_tr = window // 4
    res = tm.spectrum(x, window - n_tr, k=k, t0=step, n_transient=n_tr, rng=rng)
    se = np.array([batch_means(res.log_r[:, j], n_blocks=10)[1] for j in range(k)])
    # The twins are stepped here rather than by TrainingMap.twins, which returns only
    # distances: the flips need both twins' parameters along the window.  Both twins of
    # a pair go through the same compiled step (the primal of the compiled jvp may round
    # differently), and the tangent prediction is a separate jvp along the first twin.
    a32 = np.asarray(x, np.float32)
    b32 = one_ulp(a32, index, "float32")
    a64 = a32.astype(np.float64)
    b64 = one_ulp(a64, index, "float64")
    c32 = a32.copy()
    c32[index] *= np.float32(1 + LARGE_CHANGE)
    v = np.zeros((tm.state_dim, 1), np.float32)
    v[index, 0] = 1.0
    log_v = 0.0
    d0 = float(np.linalg.norm(b32[:d].astype(np.float64) - a32[:d]))
    steps, d32, d64, dl, tangent, f32, f64, fl = [], [], [], [], [], [], [], []

    def record(i):
        steps.append(i)
        d32.append(float(np.linalg.norm(b32[:d].astype(np.float64) - a32[:d])))
        d64.append(float(np.linalg.norm(b64[:d] - a64[:d])))
        dl.append(float(np.linalg.norm(c32[:d].astype(np.float64) - a32[:d])))
        tangent.append(d0 * float(np.exp(log_v) * np.linalg.norm(v[:d, 0])))
        f32.append(_flips(net, tm, a32, b32, X_probe))
        f64.append(_flips(net, tm64, a64, b64, X_probe))
        fl.append(_flips(net, tm, a32, c32, X_probe))

    record(0)
    for i in range(1, window + 1):
        t = step + i - 1
        Jv = np.asarray(tm.jvp(a32, v, t), np.float64)
        a32 = np.asarray(tm.step(a32, t), np.float32)
        nrm = float(np.linalg.norm(Jv))
        log_v += np.log(nrm)
        v = (Jv / nrm).astype(np.float32)
        b32 = np.asarray(tm.step(b32, t), np.float32)
        c32 = np.asarray(tm.step(c32, t), np.float32)
        a64 = np.asarray(tm64.step(a64, t))
        b64 = np.asarray(tm64.step(b64, t))
        if i % every == 0 or i == window:
            record(i)
    return StageMeasurement(step, window, float(tm.optimizer.learning_rate(step)),
                            res.exponents, se, np.array(steps), np.array(d32), np.array(d64),
                            np.array(tangent), np.array(f32), np.array(f64), index,
                            np.array(dl), np.array(fl))


def fashion_run(name: str, seed: int, *, epochs: float = 8.0, stages=(0.02, 0.5, 0.9),
                window: int = 100, k: int = 3, every: int = 5, evals_per_epoch: int = 2,
                n_probe: int = 256, n_probe_loss: int = 5000, checkpoints_per_epoch: int = 4,
                batch_size: int = 128,
                lr: float | None = None, weight_decay: float = 5e-4,
                n_train: int | None = None, n_test: int | None = None, folder=None,
                stop: int | None = None, progress: bool = False) -> FashionRun:
    """Train one network on Fashion-MNIST and measure its exponents at stages of training.

    The run follows :func:`fashion_setup`'s recipe to the end of the schedule in
    float32.  At each stage (a fraction of the schedule) it measures, over the next
    ``window`` steps of the same schedule and batches:

    - the top ``k`` Lyapunov exponents of the joint map (parameters and momentum) from
      a random frame, with batch-means errors;
    - twins one ulp of one weight apart (drawn among the weights at least as large as
      the median), in float32 and,
      from the same state cast to float64, in float64: their parameter distance every
      ``every`` steps, beside the tangent map's prediction for the float32 pair, and
      twins whose weight differs by a relative ``LARGE_CHANGE``, far above rounding;
    - the activation flips between the twins on ``n_probe`` test images.

    Parameters
    ----------
    name : {"CNN", "ResNet", "MLP", "linear"}
    seed : int >= 0
    epochs : float > 0
    stages : sequence of float in [0, 1)
        Where the windows start, as fractions of the schedule; a window that would pass
        the end of the schedule starts ``window`` steps before it.
    window : int >= 10
    k : int >= 1
    every : int >= 1
    evals_per_epoch : int >= 1
        Evaluations of the test accuracy and training loss per epoch (and at the end).
    n_probe, n_probe_loss : int >= 1
    checkpoints_per_epoch : int >= 1
        Parameters kept for the persistence diagram of the run.
    batch_size, lr, weight_decay, n_train, n_test, folder
        As in :func:`fashion_setup`.
    stop : int >= 1, optional
        Stop after this many steps of the schedule (the start of a run, to check it
        against a longer one); stages after it are not measured.
    progress : bool
        Show a progress bar (tqdm) over the training steps.

    Returns
    -------
    FashionRun

    References
    ----------
    H. Xiao, K. Rasul, R. Vollgraf, "Fashion-MNIST", arXiv:1708.07747 (2017);
    G. Benettin et al., Meccanica 15 (1980) 9-20 (the QR method of the exponents).

    Examples
    --------
    >>> from uniqnets.practice import fashion_run
    >>> run = fashion_run("CNN", 0, epochs=0.1, n_train=2560, n_test=100, window=10, k=1,
    ...                   stages=(0.0,))                                  # doctest: +SKIP
    >>> run.stages[0].exponents.shape                                     # doctest: +SKIP
    (1,)
    """
    import jax

    window = check_int(window, "window", lo=10)
    k = check_int(k, "k", lo=1)
    every = check_int(every, "every", lo=1)
    evals_per_epoch = check_int(evals_per_epoch, "evals_per_epoch", lo=1)
    n_probe = check_int(n_probe, "n_probe", lo=1)
    n_probe_loss = check_int(n_probe_loss, "n_probe_loss", lo=1)
    checkpoints_per_epoch = check_int(checkpoints_per_epoch, "checkpoints_per_epoch", lo=1)
    progress = check_bool(progress, "progress")
    if isinstance(stages, (str, bytes)) or not hasattr(stages, "__len__"):  # () is allowed
        raise TypeError(f"stages must be a sequence of fractions, got {type(stages).__name__}")
    fractions = [check_real(f, f"stages[{i}]", lo=0.0, hi=1.0, hi_open=True)
                 for i, f in enumerate(stages)]
    setup = fashion_setup(name, seed, epochs=epochs, batch_size=batch_size, lr=lr,
                          weight_decay=weight_decay, n_train=n_train, n_test=n_test,
                          folder=folder)
    tm, T = setup.train_map, setup.n_steps
    if fractions and window > T:
        raise ValueError(f"window ({window}) exceeds the schedule's {T} steps")
    starts = sorted({min(int(f * T), T - window) for f in fractions})
    if stop is not None:
        stop = check_int(stop, "stop", lo=1, hi=T)
        starts = [s for s in starts if s + window <= stop]
        T_run = stop
    else:
        T_run = T
    every_eval = max(setup.steps_per_epoch // evals_per_epoch, 1)
    X_loss, Y_loss = tm.X[:n_probe_loss], tm.Y[:n_probe_loss]
    X_probe = setup.X_test[:n_probe]

    x = tm.init_state(setup.theta0)
    saved, eval_steps, acc, loss = {}, [], [], []
    every_checkpoint = max(setup.steps_per_epoch // checkpoints_per_epoch, 1)
    checkpoints = [np.array(tm.params(x), np.float32)]

    def evaluate(t, x):
        theta = tm.params(x)
        eval_steps.append(t)
        acc.append(tm.accuracy(theta, setup.X_test, setup.Y_test))
        loss.append(tm.loss(theta, X_loss, Y_loss))

    steps = range(T_run)
    if progress:
        from tqdm.auto import tqdm
        steps = tqdm(steps, desc=f"{name} seed {seed}", unit="step")
    evaluate(0, x)
    for t in steps:
        if t in starts:
            saved[t] = np.array(x, copy=True)
        x = tm.step(x, t)
        if not np.all(np.isfinite(x)):
            raise FloatingPointError(f"{name} seed {seed} diverged at step {t + 1}; "
                                     "lower lr")
        if (t + 1) % every_eval == 0 or t + 1 == T_run:
            evaluate(t + 1, x)
        if (t + 1) % every_checkpoint == 0 or t + 1 == T_run:
            checkpoints.append(np.array(tm.params(x), np.float32))
    tm64 = setup.map_in("float64") if starts else None
    measured = []
    for s in starts:
        rng = rng_stream(seed, 12, FASHION_ARCHITECTURES.index(name), 2, s)
        # a weight drawn among those at least as large as the median: a one-ulp change of
        # a weight at zero (a bias at initialisation) would be a subnormal number
        theta = np.abs(saved[s][:setup.network.n_params])
        index = int(rng.choice(np.flatnonzero(theta >= np.median(theta))))
        measured.append(_stage(setup, tm64, saved[s], s, window, k, every, index, X_probe,
                               rng))
    from ..topology import rips_diagrams

    theta = tm.params(x)
    predictions = np.asarray(tm.predict(theta, setup.X_test)).argmax(axis=1)
    h0 = rips_diagrams(np.array(checkpoints, np.float64), max_dim=0)[0]
    return FashionRun(name, seed, setup.network.n_params, T_run, setup.steps_per_epoch,
                      np.array(eval_steps), np.array(acc), np.array(loss), tuple(measured),
                      jax.devices()[0].platform, predictions.astype(np.int64),
                      parameter_sketch(setup.network, theta), h0[np.isfinite(h0[:, 1])])
