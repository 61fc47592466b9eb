"""Exponents of practical networks against the learning rate, and their one-ulp twins.

The experiments of the book's chapter on the scale of practice, as functions: the
matched-size networks on the digits (:func:`digits_network`), the scan of the top
exponent of the joint training map over optimizers and learning rates with the
sharpness at the end of each run (:func:`lr_scan`), the sharpness along a run
(:func:`sharpness_along`), whether the runs that separate are those past the edge of
stability (:func:`edge_and_chaos`) and twin runs one float32 ulp apart, per architecture
(:func:`architecture_twins`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .._validate import check_array, check_bool, check_choice, check_int, check_real
from ._models import Network, cnn, mlp, resnet, transformer
from ._optim import OPTIMIZERS, optimizer
from ._tangent import DTYPES, TrainingMap, one_ulp

__all__ = ["ARCHITECTURES", "ArchitectureTwins", "DigitsSetup", "LRScan", "ScanRun", "TwinRun",
           "architecture_twins", "digits_network", "digits_setup", "edge_and_chaos", "lr_scan",
           "sharpness_along"]

ARCHITECTURES = ("linear", "MLP", "CNN", "ResNet", "transformer")


def digits_network(name: str, width: float = 1.0) -> Network:
    """One of the five matched-size networks of the digits, hidden widths scaled by ``width``.

    At ``width`` 1 each has about 1.1e4 parameters: a deep linear network and a tanh
    MLP (widths 64-72-72-10), a CNN (3x3 convolutions of 16 and 36 channels, ReLU), a
    ResNet without normalisation (a stem and two residual blocks of 17 channels) and a
    pre-LN transformer reading the 8 rows of an image as tokens (embedding 20, 4 heads,
    2 blocks). ``width`` scales the hidden widths, channels and embedding (kept a
    multiple of the 4 heads), each rounded and at least 1.

    Parameters
    ----------
    name : {"linear", "MLP", "CNN", "ResNet", "transformer"}
    width : float > 0

    Returns
    -------
    Network

    References
    ----------
    K. He et al., "Deep residual learning for image recognition", CVPR 2016;
    A. Vaswani et al., "Attention is all you need", NeurIPS 2017.

    Examples
    --------
    >>> from uniqnets.practice import digits_network
    >>> [digits_network(n).n_params for n in ("linear", "CNN")]
    [10666, 11150]
    """
    name = check_choice(name, "name", ARCHITECTURES)
    w = check_real(width, "width", lo=0, lo_open=True)

    def n(base):
        return max(1, round(base * w))

    if name in ("linear", "MLP"):
        return mlp((64, n(72), n(72), 10), "linear" if name == "linear" else "tanh")
    if name == "CNN":
        return cnn((8, 8, 1), (n(16), n(36)), 10)
    if name == "ResNet":
        return resnet((8, 8, 1), n(17), 2, 10)
    return transformer(8, 4 * n(5), 4, 2, 10, d_in=8)


@dataclass(frozen=True)
class DigitsSetup:
    """The data, networks, initial parameters and mini-batches of :func:`digits_setup`.

    ``nets`` and ``thetas0``: the five networks of ``ARCHITECTURES`` at width 1 and
    their initial parameters; ``scan_nets`` and ``scan_thetas0``: the scanned ones at
    the given width; ``batches``: int array (n_total, batch_size).
    """

    train: object
    test: object
    nets: dict
    thetas0: dict
    scan_nets: dict
    scan_thetas0: dict
    batches: np.ndarray

    def n_params(self, scan: bool = False) -> dict:
        """Parameter counts of the networks (of the scanned ones with ``scan``)."""
        return {n: net.n_params for n, net in (self.scan_nets if scan else self.nets).items()}

    def summary(self) -> dict:
        """Sizes of the data and the networks, and whether the scan starts as the twins."""
        n = self.n_params()
        return {"n_train": len(self.train), "n_test": len(self.test), "n_params": n,
                "n_params_scan": self.n_params(scan=True), "n_params_min": min(n.values()),
                "n_params_max": max(n.values()),
                "scan_starts_as_twins": all(np.array_equal(t, self.thetas0[k])
                                            for k, t in self.scan_thetas0.items())}


def digits_setup(seed: int, batch_size: int, n_total: int, scan_architectures=("CNN",),
                 width: float = 1.0) -> DigitsSetup:
    """The digits split, the matched networks, their initial parameters and the batches.

    The split is drawn from ``default_rng(seed)``, the batches from ``seed + 7``, and the
    parameters of every network from its own ``default_rng(seed + 8)`` (so a scanned
    network at width 1 starts where its twin does).

    Parameters
    ----------
    seed : int >= 0
    batch_size : int >= 1
    n_total : int >= 1
        Number of mini-batches (steps) drawn.
    scan_architectures : sequence of names of ``ARCHITECTURES``
    width : float > 0
        Width factor of the scanned networks (:func:`digits_network`).

    Returns
    -------
    DigitsSetup

    Examples
    --------
    >>> from uniqnets.practice import digits_setup
    >>> s = digits_setup(0, 32, 10)
    >>> s.batches.shape, s.summary()["scan_starts_as_twins"], s.n_params(scan=True)
    ((10, 32), True, {'CNN': 11150})
    """
    from ..models import batch_sequence
    from ._data import digits

    seed = check_int(seed, "seed", lo=0)
    batch_size = check_int(batch_size, "batch_size", lo=1)
    n_total = check_int(n_total, "n_total", lo=1)
    if isinstance(scan_architectures, str):
        raise TypeError("scan_architectures must be a sequence of names, not one string")
    names = [check_choice(a, "scan_architectures", ARCHITECTURES) for a in scan_architectures]
    width = check_real(width, "width", lo=0, lo_open=True)
    train, test = digits(np.random.default_rng(seed))
    nets = {a: digits_network(a) for a in ARCHITECTURES}
    scan_nets = {a: digits_network(a, width) for a in names}

    def init(net):
        return net.init(np.random.default_rng(seed + 8))

    return DigitsSetup(train, test, nets, {a: init(n) for a, n in nets.items()}, scan_nets,
                       {a: init(n) for a, n in scan_nets.items()},
                       batch_sequence(len(train), batch_size, n_total,
                                      np.random.default_rng(seed + 7)))


def _check_lrs(lrs) -> dict:
    if not isinstance(lrs, Mapping) or not lrs:
        raise TypeError("lrs must be a non-empty mapping from optimizer names to learning rates")
    out = {}
    for name, values in lrs.items():
        if name not in OPTIMIZERS:
            raise ValueError(f"lrs: unknown optimizer {name!r} (one of {OPTIMIZERS})")
        arr = check_array(values, f"lrs[{name!r}]", ndim=1)
        if arr.size == 0 or np.any(arr <= 0):
            raise ValueError(f"lrs[{name!r}] must hold positive learning rates")
        out[name] = [float(v) for v in arr]
    return out


def _check_dtype(dtype):
    return check_choice(dtype, "dtype", DTYPES)


@dataclass(frozen=True)
class ScanRun:
    """One run of :func:`lr_scan`: the top exponent per step, its standard error and edge.

    ``edge`` is the sharpness at the end of the run over the optimizer's stability
    threshold (1: the edge of stability); ``se`` and ``edge`` are NaN for a run that
    diverged, and so is ``lam``.
    """

    architecture: str
    optimizer: str
    lr: float
    lam: float
    se: float
    edge: float
    diverged: bool

    @property
    def key(self) -> str:
        """``"CNN sgd 0.3"``: the run's name in :meth:`LRScan.table`."""
        return f"{self.architecture} {self.optimizer} {self.lr:g}"

    def sign(self, z: float = 3.0) -> str:
        """``"positive"``, ``"negative"`` or ``"zero"`` (within ``z`` standard errors), or
        ``"diverged"``."""
        if self.diverged:
            return "diverged"
        return ("positive" if _above_zero(self.lam, self.se, z)
                else "negative" if _above_zero(-self.lam, self.se, z) else "zero")


@dataclass(frozen=True)
class LRScan:
    """The runs of :func:`lr_scan`, in the order architecture, optimizer, learning rate."""

    runs: tuple
    n_steps: int
    n_transient: int

    def counts(self, z: float = 3.0) -> dict:
        """How many runs are positive, negative, zero (within ``z`` standard errors) or
        diverged."""
        signs = [r.sign(z) for r in self.runs]
        return {s: signs.count(s) for s in ("positive", "negative", "zero", "diverged")}

    def get(self, architecture: str, optimizer: str, lr: float):
        """The run of that architecture, optimizer and learning rate, or None."""
        return next((r for r in self.runs if (r.architecture, r.optimizer, r.lr)
                     == (architecture, optimizer, float(lr))), None)

    def table(self) -> dict:
        """``{"CNN sgd 0.3": [lam, se, edge], ...}``: the scan as a recordable mapping."""
        return {r.key: [r.lam, r.se, r.edge] for r in self.runs}

    def top(self):
        """The run with the largest exponent among those that did not diverge, or None."""
        ok = [r for r in self.runs if not r.diverged]
        return max(ok, key=lambda r: r.lam) if ok else None

    def summary(self) -> dict:
        """The scan's table, its counts by sign (three standard errors) and its maxima."""
        c, top = self.counts(), self.top()
        return {"scan_table": self.table(), "n_runs_scan": len(self.runs),
                "n_chaotic": c["positive"], "n_contracting": c["negative"],
                "n_marginal": c["zero"], "n_diverged_scan": c["diverged"],
                "lam_scan_max": np.nan if top is None else top.lam,
                "se_at_max": np.nan if top is None else top.se,
                "edge_at_max": np.nan if top is None else top.edge,
                "top_run": "none" if top is None else top.key,
                "edge_max": max((r.edge for r in self.runs if np.isfinite(r.edge)),
                                default=np.nan)}

    def markdown(self) -> str:
        """The scan as a Markdown table: exponent ± standard error, edge ratio, sign."""
        rows = ["| network | optimizer | η | λ₁ per step | edge ratio | sign |",
                "|---|---|---:|---:|---:|---|"]
        for r in self.runs:
            lam = "–" if r.diverged else f"{r.lam:.4f} ± {r.se:.4f}"
            edge = "–" if r.diverged else f"{r.edge:.2f}"
            rows.append(f"| {r.architecture} | {r.optimizer} | {r.lr:g} | {lam} | {edge} | "
                        f"{r.sign()} |")
        return "\n".join(rows)


def _above_zero(lam, se, z):
    """The rule for a chaotic run: an exponent more than ``z`` standard errors above 0."""
    return lam - z * se > 0


def scan_points(tables, z: float = 3.0) -> dict:
    """The finite runs of learning-rate scans, each with its exponent, edge ratio and sign.

    Parameters
    ----------
    tables : iterable of mappings ``{"CNN sgd 0.3": [lam, se, edge], ...}``
        Scans as :meth:`LRScan.table` gives them (several seeds or widths); runs with a
        non-finite entry (diverged) are left out.
    z : float > 0
        A run is chaotic when its exponent is more than ``z`` standard errors above zero
        (as in :meth:`ScanRun.sign`).

    Returns
    -------
    dict of arrays, each of shape (n_runs,)
        ``lam`` (top exponent, per step), ``se`` (its standard error), ``edge``
        (sharpness over the stability threshold) and ``chaotic`` (bool).

    Examples
    --------
    >>> from uniqnets.practice import scan_points
    >>> p = scan_points([{"a": [0.1, 0.01, 2.0], "b": [0.0, 0.01, 0.3],
    ...                   "c": [float("nan"), 0.0, 0.0]}])
    >>> p["chaotic"].tolist(), p["edge"].tolist()
    ([True, False], [2.0, 0.3])
    """
    z = check_real(z, "z", lo=0.0, lo_open=True)
    if isinstance(tables, Mapping) or not hasattr(tables, "__iter__"):
        raise TypeError("tables must be an iterable of mappings (one scan table each), got "
                        f"{type(tables).__name__}")
    rows = []
    for i, table in enumerate(tables):
        if not isinstance(table, Mapping):
            raise TypeError(f"tables[{i}] must be a mapping of run name -> [lam, se, edge]")
        rows += [check_array(v, f"tables[{i}][{k!r}]", shape=(3,), finite=False)
                 for k, v in table.items()]
    rows = np.array([r for r in rows if np.all(np.isfinite(r))]).reshape(-1, 3)
    lam, se, edge = rows.T
    return {"lam": lam, "se": se, "edge": edge, "chaotic": _above_zero(lam, se, z)}


def edge_and_chaos(tables, z: float = 3.0) -> dict:
    """Are the runs whose nearby trajectories separate those of high curvature?

    On a quadratic loss of positive curvature a training map expands a direction only
    past the optimizer's stability threshold (for gradient descent ``|1 - eta h| > 1``
    needs ``eta h > 2``): there, a positive exponent and an edge ratio of at least 1 go
    together.  This counts how often they do in the runs of learning-rate scans.

    Parameters
    ----------
    tables, z
        The scans' runs and the rule for a chaotic one, as in :func:`scan_points` (at
        least three finite runs).

    Returns
    -------
    dict
        ``n_runs``, ``n_chaotic``, ``n_past_edge`` (edge ratio >= 1),
        ``n_chaotic_past_edge``, ``n_chaotic_below_edge``, ``edge_median_chaotic`` (the
        median edge ratio of the chaotic runs) and ``rho``, ``p`` (Spearman's rank
        correlation of edge ratio and exponent over all runs, and its p-value).

    References
    ----------
    J. Cohen et al., "Gradient descent on neural networks typically occurs at the edge
    of stability", ICLR 2021.

    Examples
    --------
    >>> from uniqnets.practice import edge_and_chaos
    >>> t = {"a": [0.1, 0.01, 2.0], "b": [0.05, 0.01, 0.3], "c": [0.0, 0.01, 0.1]}
    >>> r = edge_and_chaos([t])
    >>> r["n_chaotic"], r["n_chaotic_past_edge"], r["n_chaotic_below_edge"]
    (2, 1, 1)
    """
    from scipy import stats

    points = scan_points(tables, z)
    lam, edge, chaotic = points["lam"], points["edge"], points["chaotic"]
    if len(lam) < 3:
        raise ValueError(f"tables hold {len(lam)} finite runs; a rank correlation needs 3")
    past = edge >= 1.0
    rho, p = stats.spearmanr(edge, lam)
    return {"n_runs": len(lam), "n_chaotic": int(chaotic.sum()), "n_past_edge": int(past.sum()),
            "n_chaotic_past_edge": int((chaotic & past).sum()),
            "n_chaotic_below_edge": int((chaotic & ~past).sum()),
            "edge_median_chaotic": float(np.median(edge[chaotic])) if chaotic.any()
            else float("nan"), "rho": float(rho), "p": float(p)}


def lr_scan(networks: Mapping, thetas0: Mapping, X, Y, batches, lrs: Mapping, n_steps: int,
            n_transient: int, *, seed: int, dtype: str = "float32", n_blocks: int = 10,
            n_sharp: int = 256, with_edge: bool = True) -> LRScan:
    """Top Lyapunov exponent of the joint training map over optimizers and learning rates.

    For each network, optimizer and learning rate: the top exponent of the joint map
    (parameters and optimizer state) over ``n_steps`` steps after ``n_transient``
    (:meth:`TrainingMap.spectrum`, the initial tangent drawn from ``seed``), its
    batch-means standard error over ``n_blocks`` blocks, and the sharpness at the end
    (the top Hessian eigenvalue on the first ``n_sharp`` training samples; for Adam of
    the preconditioned Hessian) over the optimizer's stability threshold.

    Parameters
    ----------
    networks : mapping name -> Network
    thetas0 : mapping name -> array, shape (network.n_params,)
        Initial parameters of each network.
    X, Y : arrays
        Training data (see :class:`TrainingMap`).
    batches : int array, shape (n_transient + n_steps or more, batch_size)
    lrs : mapping optimizer name -> sequence of float > 0
    n_steps : int >= 2 * n_blocks
    n_transient : int >= 0
    seed : int
        Seed of the initial tangent direction of every run.
    dtype : {"float32", "float64"}
    n_blocks : int >= 2
        Blocks of the batch-means standard error.
    n_sharp : int >= 1
    with_edge : bool
        Measure the sharpness at the end of each run (``edge`` NaN otherwise).

    Returns
    -------
    LRScan

    References
    ----------
    J. Cohen et al., "Gradient descent on neural networks typically occurs at the edge
    of stability", ICLR 2021; J. Cohen et al., "Adaptive gradient methods at the edge
    of stability", arXiv:2207.14484 (2022).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import lr_scan, mlp
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.standard_normal((16, 2)), np.arange(16) % 2
    >>> net = mlp((2, 4, 2))
    >>> b = rng.integers(0, 16, (30, 8))
    >>> scan = lr_scan({"MLP": net}, {"MLP": net.init(rng)}, X, Y, b, {"sgd": [0.1, 1.0]},
    ...                20, 10, seed=1)
    >>> sorted(scan.table()), sum(scan.counts().values())
    (['MLP sgd 0.1', 'MLP sgd 1'], 2)
    """
    lrs = _check_lrs(lrs)
    n_blocks = check_int(n_blocks, "n_blocks", lo=2)
    n_steps = check_int(n_steps, "n_steps", lo=2 * n_blocks)
    n_transient = check_int(n_transient, "n_transient", lo=0)
    seed = check_int(seed, "seed")
    n_sharp = check_int(n_sharp, "n_sharp", lo=1)
    dtype = _check_dtype(dtype)
    with_edge = check_bool(with_edge, "with_edge")
    if not isinstance(networks, Mapping) or not networks:
        raise TypeError("networks must be a non-empty mapping from names to Networks")
    if not isinstance(thetas0, Mapping) or not set(networks) <= set(thetas0):
        raise ValueError("thetas0 must be a mapping with an entry for every network")
    sub = slice(0, n_sharp)
    runs = []
    for name, net in networks.items():
        for oname, values in lrs.items():
            for lr in values:
                opt = optimizer(oname, lr)
                tm = TrainingMap(net, X, Y, opt, batches=batches, dtype=dtype)
                res = tm.spectrum(tm.init_state(thetas0[name]), n_steps, k=1,
                                  n_transient=n_transient, rng=np.random.default_rng(seed))
                se = edge = np.nan
                if not res.diverged:
                    se = float(res.stderr(n_blocks)[0])
                if not res.diverged and with_edge:
                    tm_s = TrainingMap(net, tm.X[sub], tm.Y[sub], opt, dtype=dtype)
                    t_end = n_transient + n_steps
                    sharp = tm_s.sharpness(res.x, t=t_end, preconditioned=oname == "adam")
                    edge = float(sharp / opt.stability_threshold(t_end))
                runs.append(ScanRun(name, oname, lr, float(res.exponents[0]), se, edge,
                                    bool(res.diverged)))
    return LRScan(tuple(runs), n_steps, n_transient)


def sharpness_along(network: Network, theta0, X, Y, batches, optimizer_name: str, lr: float,
                    checkpoints, *, dtype: str = "float32", n_sharp: int = 256) -> np.ndarray:
    """The sharpness over its stability threshold at checkpoints of one training run.

    Parameters
    ----------
    network : Network
    theta0 : array, shape (network.n_params,)
    X, Y, batches : the training data and mini-batches (see :class:`TrainingMap`)
    optimizer_name : {"sgd", "momentum", "adam"}
    lr : float > 0
    checkpoints : increasing int array, each >= 1 (Adam's bias correction needs t >= 1)
        Steps at which the ratio is measured.
    dtype : {"float32", "float64"}
    n_sharp : int >= 1
        The sharpness is measured on the first ``n_sharp`` training samples.

    Returns
    -------
    numpy array, shape (m,)
        The ratio at the first ``m`` checkpoints; shorter than ``checkpoints`` if the run
        diverged before the next one.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import mlp, sharpness_along
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.standard_normal((16, 2)), np.arange(16) % 2
    >>> net = mlp((2, 4, 2))
    >>> r = sharpness_along(net, net.init(rng), X, Y, rng.integers(0, 16, (20, 8)), "sgd",
    ...                     0.1, [1, 10, 20])
    >>> r.shape, bool(np.all(r > 0))
    ((3,), True)
    """
    checkpoints = check_array(checkpoints, "checkpoints", ndim=1)
    if (checkpoints[0] < 1 or np.any(np.diff(checkpoints) <= 0)
            or np.any(checkpoints != np.round(checkpoints))):
        raise ValueError("checkpoints must be increasing integer steps >= 1")
    checkpoints = checkpoints.astype(int)
    n_sharp = check_int(n_sharp, "n_sharp", lo=1)
    optimizer_name = check_choice(optimizer_name, "optimizer_name", OPTIMIZERS)
    opt = optimizer(optimizer_name, lr)
    dtype = _check_dtype(dtype)
    tm = TrainingMap(network, X, Y, opt, batches=batches, dtype=dtype)
    tm_s = TrainingMap(network, tm.X[:n_sharp], tm.Y[:n_sharp], opt, dtype=dtype)
    x, t, ratios = tm.init_state(theta0), 0, []
    for t_next in checkpoints:
        x = tm.run(x, int(t_next - t), t0=t, save_every=int(t_next - t))[1]
        if not np.all(np.isfinite(x)):
            break
        t = int(t_next)
        ratios.append(tm_s.sharpness(x, t=t, preconditioned=optimizer_name == "adam")
                      / opt.stability_threshold(t))
    return np.array(ratios, dtype=float)


@dataclass(frozen=True)
class TwinRun:
    """Twins one ulp apart in one weight: the top exponent of the run and their distance.

    ``distances`` has length ``n_twin_steps + 1``; ``rate`` is ``ln(d_T / d_0) / T``;
    ``agreement`` the fraction of held-out inputs on which the two final networks predict
    the same class (NaN when none were given).
    """

    architecture: str
    lam: float
    se: float
    distances: np.ndarray
    final: np.ndarray
    final_twin: np.ndarray
    agreement: float = np.nan

    @property
    def d0(self) -> float:
        return float(self.distances[0])

    @property
    def d_end(self) -> float:
        return float(self.distances[-1])

    @property
    def rate(self) -> float:
        return float(np.log(max(self.d_end, 1e-300) / self.d0) / (len(self.distances) - 1))


@dataclass(frozen=True)
class ArchitectureTwins:
    """The twin runs of :func:`architecture_twins`, one per architecture."""

    runs: dict

    def order(self) -> list:
        """Architecture names by decreasing top exponent."""
        return sorted(self.runs, key=lambda n: -self.runs[n].lam)

    def exceeds_all(self, name: str, z: float = 3.0):
        """Whether ``name``'s exponent exceeds every other's by more than ``z`` combined
        standard errors; None if ``name`` or every other architecture was not run."""
        others = [n for n in self.runs if n != name]
        if name not in self.runs or not others:
            return None
        a = self.runs[name]
        return all(a.lam - self.runs[n].lam > z * np.hypot(a.se, self.runs[n].se)
                   for n in others)

    def below(self, name: str, other: str):
        """Whether ``name``'s exponent is below ``other``'s; None if either was not run."""
        if name not in self.runs or other not in self.runs:
            return None
        return bool(self.runs[name].lam < self.runs[other].lam)

    def corollary(self, z: float = 3.0) -> dict:
        """The three parts of the architecture corollary, each True, False or None (not run).

        The deep linear network's exponent is not ``z`` standard errors above zero; the
        ResNet's exponent is below the MLP's; the transformer's exceeds every other by
        more than ``z`` combined standard errors.
        """
        lin = self.runs.get("linear")
        return {"linear": None if lin is None else bool(lin.lam - z * lin.se <= 0),
                "resnet": self.below("ResNet", "MLP"),
                "transformer": self.exceeds_all("transformer", z)}

    def corollary_markdown(self, z: float = 3.0) -> str:
        """:meth:`corollary` as a Markdown table, in words."""
        words = {"linear": "the deep linear network is not significantly chaotic",
                 "resnet": "the ResNet's exponent is below the MLP's",
                 "transformer": f"the transformer exceeds every other by {z:g} combined s.e."}
        rows = ["| part of the corollary | measured |", "|---|---|"]
        for key, v in self.corollary(z).items():
            rows.append(f"| {words[key]} | {'not run' if v is None else 'yes' if v else 'no'} |")
        return "\n".join(rows)

    def summary(self) -> dict:
        """Per network its exponent, standard error, final distance, rate and agreement;
        the order; how many twins separated, how many stayed exactly one ulp apart (the
        changed weight received no gradient) and how many grew at their top exponent."""
        runs = self.runs.values()
        return {"arch": {n: {"lam": r.lam, "se": r.se, "d_end": r.d_end, "rate": r.rate,
                             "agree": r.agreement} for n, r in self.runs.items()},
                "arch_order": ", ".join(self.order()),
                "twin_d0": next(iter(runs)).d0,
                "n_separated": sum(r.d_end > r.d0 for r in runs),
                "n_unmoved": sum(r.d_end == r.d0 for r in runs),
                "n_track": sum(abs(r.rate - r.lam) < 3 * r.se for r in runs)}

    def markdown(self) -> str:
        """A Markdown table: exponent ± standard error, twin distances, growth rate."""
        rows = ["| network | λ₁ per step | d₀ | d_T | ln(d_T/d₀)/T | same predictions |",
                "|---|---:|---:|---:|---:|---:|"]
        for n, r in self.runs.items():
            rows.append(f"| {n} | {r.lam:.4f} ± {r.se:.4f} | {r.d0:.1e} | {r.d_end:.1e} | "
                        f"{r.rate:.3f} | {r.agreement:.2f} |")
        return "\n".join(rows)


def architecture_twins(networks: Mapping, thetas0: Mapping, X, Y, batches, lr: float,
                       n_steps: int, n_transient: int, n_twin_steps: int, *, seed: int,
                       dtype: str = "float32", n_blocks: int = 10,
                       known: LRScan | None = None, X_test=None) -> ArchitectureTwins:
    """Per network: the top exponent under SGD and twins one ulp apart in the largest weight.

    The twin starts at the next ``dtype`` number of the largest initial weight (blank
    pixels of the digits get no gradient, so a weight that matters is moved); both runs
    use the same batches (:meth:`TrainingMap.twins`).  The exponent is measured as in
    :func:`lr_scan` (same ``seed``), or read from ``known`` when it holds the same run.

    Parameters
    ----------
    networks, thetas0 : mappings name -> Network, initial parameters
    X, Y, batches : the training data and mini-batches
    lr : float > 0
        SGD learning rate.
    n_steps, n_transient : int
        Of the exponent (see :func:`lr_scan`).
    n_twin_steps : int >= 1
    seed : int
    dtype : {"float32", "float64"}
    n_blocks : int >= 2
    known : LRScan, optional
        A scan of the same networks, initial parameters, batches, steps and seed.
    X_test : array, optional
        Held-out inputs: the twins' final predictions are compared on them.

    Returns
    -------
    ArchitectureTwins

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import architecture_twins, mlp
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.standard_normal((16, 2)), np.arange(16) % 2
    >>> net = mlp((2, 4, 2))
    >>> tw = architecture_twins({"MLP": net}, {"MLP": net.init(rng)}, X, Y,
    ...                         rng.integers(0, 16, (40, 8)), 0.5, 20, 10, 30, seed=1)
    >>> tw.order(), len(tw.runs["MLP"].distances), tw.exceeds_all("MLP")
    (['MLP'], 31, None)
    """
    lr = check_real(lr, "lr", lo=0, lo_open=True)
    n_twin_steps = check_int(n_twin_steps, "n_twin_steps", lo=1)
    dtype = _check_dtype(dtype)
    if not isinstance(networks, Mapping) or not networks:
        raise TypeError("networks must be a non-empty mapping from names to Networks")
    if not isinstance(thetas0, Mapping) or not set(networks) <= set(thetas0):
        raise ValueError("thetas0 must be a mapping with an entry for every network")
    if known is not None and not isinstance(known, LRScan):
        raise TypeError(f"known must be an LRScan or None, got {type(known).__name__}")
    runs = {}
    for name, net in networks.items():
        run = known.get(name, "sgd", lr) if known is not None else None
        if run is None:
            run = lr_scan({name: net}, {name: thetas0[name]}, X, Y, batches, {"sgd": [lr]},
                          n_steps, n_transient, seed=seed, dtype=dtype,
                          n_blocks=n_blocks, with_edge=False).runs[0]
        tm = TrainingMap(net, X, Y, optimizer("sgd", lr), batches=batches, dtype=dtype)
        x0 = tm.init_state(thetas0[name])
        x1 = one_ulp(x0, int(np.argmax(np.abs(thetas0[name]))), dtype)
        tw = tm.twins(x0, x1, n_twin_steps)
        agree = np.nan
        if X_test is not None:
            pred = [tm.predict(tm.params(x), X_test).argmax(1) for x in (tw.x, tw.y)]
            agree = float(np.mean(pred[0] == pred[1]))
        runs[name] = TwinRun(name, run.lam, run.se, np.asarray(tw.distances, dtype=float),
                             np.asarray(tw.x), np.asarray(tw.y), agree)
    return ArchitectureTwins(runs)
