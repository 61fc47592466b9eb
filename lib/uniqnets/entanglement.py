"""Computational entanglement: MaxLikelihood linear chains, their Lyapunov spectrum, applications.

Lai, Dong and Jin train a deep *linear* network without labels or gradients
(their Algorithm 1, "MaxLikelihood"): for each layer ``l = 1..L`` draw
``G*_l`` in R^{n x k} with i.i.d. N(0, 1) entries and keep the ``k`` rows that
maximise ``||G_l w_{l-1}||`` (a "dropout" step), ``w_l = G_l w_{l-1}``.  The
trained model is ``H = G_L ... G_1``.  They observe that for an unseen input
``w'`` the per-sample loss ``1 - arccos(cos(w_L, H w'))/pi`` collapses to 0 or 1
("computational entanglement").

This module implements the algorithm and the theory that explains it: ``H`` is a
product of random matrices, and by Oseledets' theorem the direction of ``H x``
forgets ``x`` at the rate of the gap between the two largest Lyapunov exponents.
In the frame that follows the training vector the selected layer is block
upper-triangular,

    G_l [u_{l-1}, U_perp] = [u_l, U'_perp] [[|a_l|, *], [0, C_l]],

where ``a_l`` holds the ``k`` selected projections ``v_i . u_{l-1}`` (order
statistics of ``n`` Gaussians) and ``C_l`` is a (k-1) x (k-1) Ginibre matrix
independent of ``a_l`` (the row selection only looks at the component along
``u_{l-1}``).  Hence the spectrum of the selected product is

    lambda_train = E log |a_l|  (see :func:`training_exponent`),
    lambda_j     = Newman's exponents lambda_j(k) for j = 2..k,

and the misalignment of any test output with the training output decays as
``tan theta_L ~ exp(-(lambda_train - lambda_2) L)``, i.e.
``1 - |cos theta_L| ~ exp(-2 (lambda_train - lambda_2) L)``
(:func:`alignment_rate`).  Selection only raises the top exponent; without it
(``n = k``) the gap is Newman's ``lambda_1 - lambda_2 > 0``, which for k = 2 is
``ln 2``.

Contents
--------
* Algorithm 1 and propagation: :func:`select_rows`, :func:`train_maxlikelihood`,
  :class:`MaxLikelihoodModel`, :func:`propagate`, :class:`Propagation`,
  :func:`uncollapsed_fraction_2d`.
* Spectra: :func:`newman_exponents`, :func:`training_exponent`,
  :func:`selected_exponents`, :func:`alignment_rate`,
  :func:`sample_training_growth`, :func:`lyapunov_spectrum_qr`.
* Losses: :func:`angular_loss` (Eq. 21), :func:`chord_loss` (Eq. 32),
  :func:`spacetime_cosine` (Eq. 27-30).
* Gradient-descent variant (Algorithm 2): :func:`gradient_descent`,
  :func:`gradient_descent_closed_form`, :func:`cone_fraction`.
* Applications: :func:`binarize`, :func:`encrypt`, :func:`decrypt`,
  :func:`bit_error_rate`, :func:`predicted_bit_error_rate`,
  :func:`adversarial_example`, :func:`recover`, :func:`psnr`,
  :func:`predicted_psnr`, and the images :func:`binary_messages`,
  :func:`sample_image`.

References
----------
Y. Lai, X. Dong, Z. Jin, "On the computational entanglement of distant features
in adversarial machine learning" (2023-24 preprint).
C. M. Newman, "The distribution of Lyapunov exponents: exact results for random
matrices", Commun. Math. Phys. 103 (1986) 121-126.
V. I. Oseledets, "A multiplicative ergodic theorem", Trans. Moscow Math. Soc. 19
(1968) 197-231.
M. S. Charikar, "Similarity estimation techniques from rounding algorithms",
STOC 2002.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from scipy import integrate, special, stats

from ._validate import check_int as _check_int
from ._validate import check_rng as _check_rng
from .lyapunov import QRResult, gaussian_product_exponents, qr_exponents

__all__ = [
    "SELECTIONS",
    "GDResult",
    "MaxLikelihoodModel",
    "Propagation",
    "adversarial_example",
    "alignment_rate",
    "angular_loss",
    "binarize",
    "binary_messages",
    "bit_error_rate",
    "chord_loss",
    "cone_fraction",
    "decrypt",
    "encrypt",
    "gradient_descent",
    "gradient_descent_closed_form",
    "lyapunov_spectrum_qr",
    "newman_exponents",
    "predicted_bit_error_rate",
    "predicted_psnr",
    "propagate",
    "psnr",
    "recover",
    "sample_image",
    "sample_training_growth",
    "select_rows",
    "selected_exponents",
    "spacetime_cosine",
    "train_maxlikelihood",
    "training_exponent",
    "uncollapsed_fraction_2d",
]

#: Readings of the "dropout" step of Algorithm 1.
#: ``"abs"``: keep the k rows with the largest ``|v_i . w|`` (maximises ``||G w||``;
#: the book's reading); ``"signed"``: the k largest signed ``v_i . w``;
#: ``"none"``: the first k rows (no selection, a plain Gaussian layer);
#: ``"min"``: the k smallest ``|v_i . w|`` (norm *minimisation*, a control).
SELECTIONS = ("abs", "signed", "none", "min")

#: keep the layer matrices in memory when they take at most this many bytes
_KEEP_LAYERS_BYTES = 64 * 2**20


# --------------------------------------------------------------------------------------
# argument checks
# --------------------------------------------------------------------------------------
def _check_vector(w, name):
    try:
        w = np.asarray(w, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers") from err
    if w.ndim != 1:
        raise ValueError(f"{name} must be a vector of shape (k,), got shape {w.shape}")
    if w.size < 1:
        raise ValueError(f"{name} must have at least one entry (k >= 1)")
    if not np.all(np.isfinite(w)):
        raise ValueError(f"{name} must be finite (it contains NaN or inf)")
    return w


def _check_columns(X, k, name):
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers") from err
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[0] != k:
        raise ValueError(f"{name} must have shape ({k},) or ({k}, m), got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} must be finite (it contains NaN or inf)")
    if np.any(np.linalg.norm(X, axis=0) == 0):
        raise ValueError(f"{name} has a zero column; directions need non-zero inputs")
    return X


def _check_selection(selection):
    if selection not in SELECTIONS:
        raise ValueError(f"selection must be one of {SELECTIONS}, got {selection!r}")
    return selection


def _check_k_n(k, n):
    k = _check_int(k, "k", 1)
    n = _check_int(n, "n", 1)
    if n < k:
        raise ValueError(f"n must be >= k (the layer keeps k of n rows), got n={n} < k={k}")
    return k, n


# --------------------------------------------------------------------------------------
# Algorithm 1
# --------------------------------------------------------------------------------------
def select_rows(z, k: int, selection: str = "abs") -> np.ndarray:
    """Indices of the ``k`` rows kept by the dropout step of Algorithm 1.

    Parameters
    ----------
    z : array, shape (n,)
        The projections ``G* w`` of the layer input on the ``n`` candidate rows.
    k : int
        Number of rows to keep, ``1 <= k <= n``.
    selection : {"abs", "signed", "none", "min"}
        See :data:`SELECTIONS`.

    Returns
    -------
    array of int, shape (k,), increasing (the kept rows keep their order in ``G*``).
    """
    z = np.asarray(z, dtype=float)
    if z.ndim != 1:
        raise ValueError(f"z must be a vector, got shape {z.shape}")
    k = _check_int(k, "k", 1)
    if k > z.size:
        raise ValueError(f"k must be <= len(z) = {z.size}, got {k}")
    _check_selection(selection)
    n = z.size
    if n == k or selection == "none":
        return np.arange(k)
    if not np.all(np.isfinite(z)):
        raise ValueError("z must be finite")
    if selection == "abs":
        key = -np.abs(z)
    elif selection == "signed":
        key = -z
    else:  # "min"
        key = np.abs(z)
    return np.sort(np.argpartition(key, k - 1)[:k])


@dataclass
class Propagation:
    """Inputs pushed through a linear chain, with their misalignment to a reference input.

    For layer ``l = 0..L`` (``l = 0`` is the input) and test input ``j = 0..m-1``:

    Attributes
    ----------
    train_log_norm : array (L+1,)
        ``log ||w_l||`` of the reference (training) input, natural log.
    train_directions : array (L+1, k)
        ``w_l / ||w_l||``.
    log_norms : array (L+1, m)
        ``log ||w'_l||`` of the test inputs.
    directions : array (L+1, k, m) or None
        ``w'_l / ||w'_l||`` (None when not kept).
    log_cot : array (L+1, m)
        ``log |cot theta_l|`` with ``theta_l`` the angle between ``w_l`` and ``w'_l``,
        computed by a two-vector QR recursion that stays accurate far below the
        rounding level of ``cos theta`` (``+inf``: exactly parallel).
    cos_sign : array (L+1, m) of int8
        The sign of ``cos theta_l`` (+1 parallel branch, -1 anti-parallel branch).
    growth : array (L,)
        ``log ||w_l|| - log ||w_{l-1}||``: the per-layer growth of the reference.
    ok : bool
        False if a layer produced a non-finite or zero vector; the arrays are then
        NaN from that layer on and ``message`` says where.
    """

    train_log_norm: np.ndarray
    train_directions: np.ndarray
    log_norms: np.ndarray
    directions: np.ndarray | None
    log_cot: np.ndarray
    cos_sign: np.ndarray
    ok: bool = True
    message: str = ""

    @property
    def depth(self) -> int:
        return self.train_log_norm.shape[0] - 1

    @property
    def growth(self) -> np.ndarray:
        return np.diff(self.train_log_norm)

    @property
    def cos(self) -> np.ndarray:
        """``cos theta_l``, shape (L+1, m)."""
        # |cos| = 1 / sqrt(1 + tan^2) = exp(-log(1 + exp(-2 log|cot|)) / 2)
        return self.cos_sign * np.exp(-0.5 * np.logaddexp(0.0, -2.0 * self.log_cot))

    @property
    def log_misalignment(self) -> np.ndarray:
        """``log(1 - |cos theta_l|)``, shape (L+1, m), accurate when tiny.

        ``1 - |cos| = 1 / (s (s + |cot|))`` with ``s = sqrt(1 + cot^2)``.
        """
        ls = self.log_cot
        log_s = 0.5 * np.logaddexp(0.0, 2.0 * ls)
        return -(log_s + np.logaddexp(log_s, ls))

    @property
    def loss_gap(self) -> np.ndarray:
        """Distance of the Eq. 21 loss to the nearer of 0 and 1: ``min(theta, pi - theta)/pi``."""
        return np.arctan(np.exp(np.clip(-self.log_cot, -745.0, 709.0))) / np.pi

    @property
    def loss(self) -> np.ndarray:
        """The per-sample loss of Eq. 21, ``1 - arccos(cos theta_l)/pi``, shape (L+1, m)."""
        gap = self.loss_gap
        return np.where(self.cos_sign > 0, 1.0 - gap, gap)

    def collapsed_fraction(self, tol: float = 0.01) -> np.ndarray:
        """Fraction of test inputs whose Eq. 21 loss is within ``tol`` of 0 or 1, shape (L+1,)."""
        if not 0 < tol < 0.5:
            raise ValueError(f"tol must be in (0, 0.5), got {tol}")
        return np.mean(self.loss_gap <= tol, axis=1)

    def spacetime_cos(self, c: float) -> np.ndarray:
        """Cosine between ``[c l; w_l]`` and ``[c l; w'_l]`` (Eq. 27-30), shape (L+1, m)."""
        return spacetime_cosine(c, self.train_log_norm, self.log_norms, self.cos)


class _Tracker:
    """Streams a reference vector and test vectors through layers (see :func:`propagate`).

    State: unit reference ``u``; unit test directions ``D`` (k, m); for each test
    vector an orthonormal partner ``Q[:, j]`` of ``u`` with
    ``w'_j = a_j u + b_j Q[:, j]``, ``b_j >= 0``, and ``sigma_j = a_j / b_j`` (the
    cotangent of the angle) kept as ``(sign, log|sigma|)``.  A layer ``G`` acts on
    the frame ``[u, Q_j]`` as the triangular matrix ``[[R11, R12_j], [0, R22_j]]``
    of a QR step, so ``sigma' = (R11 sigma + R12) / R22``: no cancellation, whatever
    the angle.  (Hand-written because ``qr_exponents`` keeps one shared frame, while
    every test vector needs its own two-column frame.)
    """

    def __init__(self, w0, X, keep_directions):
        k = w0.size
        self.k = k
        u = w0 / np.linalg.norm(w0)
        self.u = u
        self.train_log_norm = [np.log(np.linalg.norm(w0))]
        self.train_dirs = [u.copy()]
        m = 0 if X is None else X.shape[1]
        self.m = m
        self.keep = keep_directions
        if m:
            norms = np.linalg.norm(X, axis=0)
            D = X / norms
            a = u @ D
            P = D - np.outer(u, a)
            c = u @ P  # second Gram-Schmidt pass
            P -= np.outer(u, c)
            b = np.linalg.norm(P, axis=0)
            degenerate = b <= 1e-300
            if k == 1:
                Q = np.zeros((1, m))
            else:
                Q = np.where(degenerate, 0.0, P / np.where(degenerate, 1.0, b))
                if np.any(degenerate):
                    Q[:, degenerate] = _perpendicular(u)[:, None]
            self.D, self.Q = D, Q
            sign = np.where(a >= 0, 1, -1).astype(np.int8)
            with np.errstate(divide="ignore"):
                lc = np.where(degenerate | (k == 1), np.inf, np.log(np.abs(a)) - np.log(
                    np.where(degenerate, 1.0, b)))
            self.sign, self.lc = sign, lc
            self.log_norms = [np.log(norms)]
            self.dirs = [D.copy()] if keep_directions else None
            self.log_cots = [lc.copy()]
            self.signs = [sign.copy()]
        self.ok = True
        self.message = ""

    def frame(self) -> np.ndarray:
        """The k x (1 + 2m) block ``[u, D, Q]`` a layer must be applied to."""
        if not self.m:
            return self.u[:, None]
        return np.concatenate([self.u[:, None], self.D, self.Q], axis=1)

    def update(self, GM, layer_index, u_next=None):
        """Advance one layer given ``GM = G @ frame()``.

        ``u_next`` (optional) pins the new reference direction to a stored one (it must
        equal ``G u / |G u|`` up to rounding); see ``reference_path`` of :func:`propagate`.
        """
        if not self.ok:
            self._append_nan()
            return
        v = GM[:, 0]
        r11 = np.linalg.norm(v)
        if not (np.isfinite(r11) and r11 > 0) or not np.all(np.isfinite(GM)):
            self.ok = False
            self.message = f"layer {layer_index} produced a non-finite or zero vector"
            self._append_nan()
            return
        u = v / r11 if u_next is None else u_next
        self.u = u
        self.train_log_norm.append(self.train_log_norm[-1] + np.log(r11))
        self.train_dirs.append(u.copy())
        m = self.m
        if not m:
            return
        Y = GM[:, 1:1 + m]
        ny = np.linalg.norm(Y, axis=0)
        if np.any(ny == 0):
            self.ok = False
            self.message = f"layer {layer_index} mapped a test input to zero"
            self._append_nan()
            return
        self.D = Y / ny
        self.log_norms.append(self.log_norms[-1] + np.log(ny))
        if self.keep:
            self.dirs.append(self.D.copy())
        if self.k == 1:
            self.log_cots.append(np.full(m, np.inf))
            self.sign = np.where(self.D[0] * u[0] >= 0, 1, -1).astype(np.int8)
            self.signs.append(self.sign.copy())
            return
        P = GM[:, 1 + m:]
        r12 = u @ P
        P = P - np.outer(u, r12)
        c = u @ P
        P -= np.outer(u, c)
        r12 = r12 + c
        r22 = np.linalg.norm(P, axis=0)
        self.Q = P / np.where(r22 > 0, r22, 1.0)
        # sigma' = (r11 sigma + r12) / r22 in (sign, log|.|) form, two branches to avoid
        # overflow: |sigma| < 1 directly, |sigma| >= 1 as r11 sigma (1 + r12 / (r11 sigma))
        lc, sg = self.lc, self.sign.astype(float)
        small = lc < 0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            A_small = r11 * sg * np.exp(np.minimum(lc, 0.0)) + r12
            t = (r12 / r11) * sg * np.exp(-np.maximum(lc, 0.0))
            one_t = 1.0 + t
            log_abs = np.where(small, np.log(np.abs(A_small)),
                               np.log(r11) + lc + np.log(np.abs(one_t)))
            new_sign = np.where(small, np.sign(A_small), sg * np.sign(one_t))
            new_lc = log_abs - np.log(r22)
        new_lc = np.where(r22 > 0, new_lc, np.inf)
        self.lc = new_lc
        self.sign = np.where(new_sign >= 0, 1, -1).astype(np.int8)
        self.log_cots.append(new_lc.copy())
        self.signs.append(self.sign.copy())

    def _append_nan(self):
        k, m = self.k, self.m
        self.train_log_norm.append(np.nan)
        self.train_dirs.append(np.full(k, np.nan))
        if m:
            self.log_norms.append(np.full(m, np.nan))
            if self.keep:
                self.dirs.append(np.full((k, m), np.nan))
            self.log_cots.append(np.full(m, np.nan))
            self.signs.append(np.zeros(m, dtype=np.int8))

    def result(self) -> Propagation:
        m = self.m
        L1 = len(self.train_log_norm)
        if m:
            log_norms = np.array(self.log_norms)
            dirs = np.array(self.dirs) if self.keep else None
            log_cot = np.array(self.log_cots)
            signs = np.array(self.signs)
        else:
            log_norms = np.zeros((L1, 0))
            dirs = np.zeros((L1, self.k, 0)) if self.keep else None
            log_cot = np.zeros((L1, 0))
            signs = np.zeros((L1, 0), dtype=np.int8)
        return Propagation(np.array(self.train_log_norm), np.array(self.train_dirs), log_norms,
                           dirs, log_cot, signs, self.ok, self.message)


def _perpendicular(u):
    """A unit vector orthogonal to the unit vector ``u`` (k >= 2)."""
    e = np.zeros_like(u)
    e[np.argmin(np.abs(u))] = 1.0
    p = e - (u @ e) * u
    return p / np.linalg.norm(p)


def propagate(layers: Iterable, w0, X=None, *, keep_directions: bool = True,
              reference_path=None, progress: bool = False) -> Propagation:
    """Push a reference input ``w0`` and test inputs ``X`` through a chain of k x k layers.

    Parameters
    ----------
    layers : iterable of arrays (k, k)
        ``G_1, G_2, ...`` in order of application (any linear chain: a trained
        model's layers, rescaled layers, orthogonal layers ...).
    w0 : array (k,)
        The reference (training) input.
    X : array (k,) or (k, m), optional
        Test inputs as columns.
    keep_directions : bool
        Keep the unit test outputs of every layer (memory ``(L+1) k m`` floats).
    reference_path : array (L+1, k), optional
        Unit directions ``w_l / ||w_l||`` of the reference, used instead of
        recomputing them (the norms are still recomputed).  A trained model passes
        its stored trajectory: when the reference is *not* the top Oseledets
        direction (``selection="min"``) a recomputed reference drifts away from the
        one the selection was made for, at the rate ``lambda_2 - lambda_train``
        times the rounding error.
    progress : bool
        Show a progress bar.

    Returns
    -------
    Propagation
        Norms are kept as logarithms and directions as unit vectors, so nothing
        overflows however long the chain; a layer that produces a non-finite or zero
        vector is reported in ``ok``/``message``.
    """
    w0 = _check_vector(w0, "w0")
    if not np.any(w0):
        raise ValueError("w0 must not be the zero vector")
    k = w0.size
    X = None if X is None else _check_columns(X, k, "X")
    if reference_path is not None:
        reference_path = np.asarray(reference_path, dtype=float)
        if reference_path.ndim != 2 or reference_path.shape[1] != k:
            raise ValueError(f"reference_path must have shape (L+1, {k}), got "
                             f"{reference_path.shape}")
        if not np.allclose(reference_path[0], w0 / np.linalg.norm(w0), rtol=0, atol=1e-12):
            raise ValueError("reference_path[0] must be w0 / ||w0||")
    tr = _Tracker(w0, X, keep_directions)
    it = layers
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(layers, desc="layers")
    for i, G in enumerate(it, start=1):
        G = np.asarray(G, dtype=float)
        if G.shape != (k, k):
            raise ValueError(f"layers must be ({k}, {k}) matrices, layer {i} has shape {G.shape}")
        with np.errstate(over="ignore", invalid="ignore"):
            GM = G @ tr.frame()
        u_next = None
        if reference_path is not None:
            if i >= reference_path.shape[0]:
                raise ValueError(f"reference_path has {reference_path.shape[0]} rows, the "
                                 f"chain has more than {reference_path.shape[0] - 1} layers")
            u_next = reference_path[i]
        tr.update(GM, i, u_next)
    return tr.result()


class MaxLikelihoodModel:
    """A linear chain trained by Algorithm 1 (:func:`train_maxlikelihood` makes it).

    The layers are kept in memory when small; otherwise they are regenerated on
    demand from the random-generator state saved before each draw, so a model with
    k = 2500 and L = 50 (2.5 GB of layers) costs a few MB.

    Attributes
    ----------
    w0 : array (k,)
        The training input.
    n : int
        Candidate rows per layer.
    selection : str
        The reading of the dropout step (:data:`SELECTIONS`).
    rows : array (L, k) of int
        Indices of the rows of ``G*_l`` kept in layer ``l`` (row ``l - 1``).
    train_log_norm : array (L+1,)
        ``log ||w_l||`` along the training trajectory (natural log).
    train_directions : array (L+1, k)
        ``w_l / ||w_l||``.
    tracked : Propagation or None
        Test inputs streamed through the layers while they were drawn (``track=``).
    """

    def __init__(self, w0, n, selection, rows, train_log_norm, train_directions, states,
                 bitgen_type, layers=None, tracked=None):
        self.w0 = w0
        self.n = n
        self.selection = selection
        self.rows = rows
        self.train_log_norm = train_log_norm
        self.train_directions = train_directions
        self._states = states
        self._bitgen_type = bitgen_type
        self._layers = layers
        self.tracked = tracked

    def __repr__(self):
        return (f"MaxLikelihoodModel(k={self.k}, n={self.n}, depth={self.depth}, "
                f"selection={self.selection!r})")

    @property
    def k(self) -> int:
        return self.w0.size

    @property
    def depth(self) -> int:
        """Number of layers L."""
        return self.rows.shape[0]

    @property
    def growth(self) -> np.ndarray:
        """Per-layer log growth of the training vector, ``log ||w_l|| / ||w_{l-1}||``, (L,)."""
        return np.diff(self.train_log_norm)

    @property
    def output(self) -> np.ndarray:
        """``w_L = H w0``, shape (k,) (inf, with a warning, beyond the float64 range)."""
        return _scale_up(self.train_directions[-1], self.train_log_norm[-1], "output")

    def _depth(self, depth):
        if depth is None:
            return self.depth
        d = _check_int(depth, "depth", 0)
        if d > self.depth:
            raise ValueError(f"depth must be <= {self.depth}, got {depth}")
        return d

    def layer(self, l: int) -> np.ndarray:
        """The layer matrix ``G_l`` (k x k) for ``l = 1..L`` (the paper's numbering)."""
        l = _check_int(l, "l", 1)
        if l > self.depth:
            raise ValueError(f"l must be in 1..{self.depth}, got {l}")
        if self._layers is not None:
            return self._layers[l - 1]
        return self._draw(l - 1)[self.rows[l - 1]]

    def candidates(self, l: int) -> np.ndarray:
        """The drawn matrix ``G*_l`` (n x k) before the dropout step, regenerated; l = 1..L."""
        l = _check_int(l, "l", 1)
        if l > self.depth:
            raise ValueError(f"l must be in 1..{self.depth}, got {l}")
        return self._draw(l - 1)

    def _draw(self, i):
        bg = self._bitgen_type(0)
        bg.state = self._states[i]
        return np.random.Generator(bg).standard_normal((self.n, self.k))

    def iter_layers(self, depth: int | None = None) -> Iterator[np.ndarray]:
        """Yield ``G_1, ..., G_depth`` (default all L), regenerating them if not kept."""
        d = self._depth(depth)
        for i in range(d):
            if self._layers is not None:
                yield self._layers[i]
            else:
                yield self._draw(i)[self.rows[i]]

    def product(self, depth: int | None = None) -> np.ndarray:
        """``H = G_depth ... G_1`` (k x k).  Costs ``depth`` k^3 flops: for small k only.

        Entries beyond the float64 range come back as inf with a RuntimeWarning; the
        directions and log norms of :meth:`propagate` never overflow.
        """
        d = self._depth(depth)
        P = np.eye(self.k)
        log_scale = 0.0
        for G in self.iter_layers(d):
            P = G @ P
            s = np.abs(P).max()
            log_scale += np.log(s)
            P /= s
        return _scale_up(P, log_scale, "product")

    def apply(self, X, depth: int | None = None) -> np.ndarray:
        """``H X`` for inputs ``X`` of shape (k,) or (k, m) (columns), streamed layer by layer.

        Returns an array of the shape of ``X``; outputs beyond the float64 range come
        back as inf with a RuntimeWarning (use :meth:`propagate` for directions and
        log norms).
        """
        vec = np.ndim(X) == 1
        Xc = _check_columns(X, self.k, "X")
        d = self._depth(depth)
        Y = Xc.copy()
        log_scale = np.zeros(Y.shape[1])
        for G in self.iter_layers(d):
            Y = G @ Y
            s = np.linalg.norm(Y, axis=0)
            log_scale += np.log(s)
            Y /= s
        out = _scale_up(Y, log_scale, "apply")
        return out[:, 0] if vec else out

    def propagate(self, X=None, depth: int | None = None, *, keep_directions: bool = True,
                  progress: bool = False) -> Propagation:
        """:func:`propagate` of the training input and ``X`` through the first ``depth`` layers.

        The training trajectory is the stored one (``reference_path``), so the result
        equals what ``track=X`` would have given during training.
        """
        d = self._depth(depth)
        return propagate(self.iter_layers(d), self.w0, X, keep_directions=keep_directions,
                         reference_path=self.train_directions[:d + 1], progress=progress)


def _scale_up(U, log_scale, what):
    with np.errstate(over="ignore"):
        out = U * np.exp(log_scale)
    if not np.all(np.isfinite(out)):
        warnings.warn(f"{what}: values exceed the float64 range; use propagate() for unit "
                      "directions and log norms", RuntimeWarning, stacklevel=3)
    return out


def train_maxlikelihood(w0, n: int, L: int, rng: np.random.Generator, selection: str = "abs",
                        *, track=None, keep_directions: bool = True,
                        keep_layers: bool | None = None,
                        progress: bool = False) -> MaxLikelihoodModel:
    """Algorithm 1 (MaxLikelihood) of Lai, Dong and Jin.

    For ``l = 1..L``: draw ``G*_l`` in R^{n x k} with i.i.d. N(0, 1) entries
    (``rng.standard_normal((n, k))``), keep the ``k`` rows chosen by ``selection``
    from ``z = G*_l w_{l-1}`` (:func:`select_rows`) as ``G_l`` and set
    ``w_l = G_l w_{l-1}``.  The model is ``H = G_L ... G_1``.

    Parameters
    ----------
    w0 : array (k,)
        The single training input (finite, non-zero).
    n : int
        Rows drawn per layer, ``n >= k`` (the paper's width).
    L : int
        Depth, ``L >= 1``.
    rng : numpy.random.Generator
        The only source of randomness.
    selection : {"abs", "signed", "none", "min"}
        Reading of the dropout step, see :data:`SELECTIONS`.
    track : array (k,) or (k, m), optional
        Test inputs streamed through each layer as it is drawn (the layers are
        never formed when not kept); the result is in ``model.tracked``.  This is
        how paper sizes (k = 2500, n = 3500, L = 50) run in O(nk) memory.
    keep_directions : bool
        Keep the unit outputs of the tracked inputs at every layer.
    keep_layers : bool, optional
        Keep the k x k layers in memory (default: when they take <= 64 MiB);
        otherwise the model regenerates them from saved generator states.
    progress : bool
        Show a progress bar over the layers.

    Returns
    -------
    MaxLikelihoodModel
        The training trajectory is stored as unit directions and log norms, so it
        never overflows.  A model of depth ``L' < L`` is the prefix of this one
        (``depth=`` arguments of its methods).
    """
    w0 = _check_vector(w0, "w0")
    if not np.any(w0):
        raise ValueError("w0 must not be the zero vector")
    k = w0.size
    k, n = _check_k_n(k, n)
    L = _check_int(L, "L", 1)
    rng = _check_rng(rng)
    _check_selection(selection)
    X = None if track is None else _check_columns(track, k, "track")
    if keep_layers is None:
        keep_layers = L * k * k * 8 <= _KEEP_LAYERS_BYTES
    tr = _Tracker(w0, X, keep_directions)
    rows = np.empty((L, k), dtype=np.intp)
    states = []
    layers = [] if keep_layers else None
    it = range(L)
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(it, desc="MaxLikelihood layers")
    width = 1 + (0 if X is None else 2 * X.shape[1])  # columns of the tracked frame
    # forming G_l costs a k x k copy (counted as 4 flops per entry) and saves (n - k) rows
    # of the product with the frame; with few tracked inputs and n close to k, apply G*
    # to the whole frame and keep the selected rows instead
    form = keep_layers or k * (width + 4) < n * width
    for i in it:
        states.append(rng.bit_generator.state)
        Gs = rng.standard_normal((n, k))
        if form:
            idx = select_rows(Gs @ tr.u, k, selection)
            G = Gs[idx]
            if keep_layers:
                layers.append(G)
            GM = G @ tr.frame()
        else:
            Z = Gs @ tr.frame()
            idx = select_rows(Z[:, 0], k, selection)
            GM = Z[idx]
        del Gs
        rows[i] = idx
        tr.update(GM, i + 1)
    res = tr.result()
    tracked = res if X is not None else None
    return MaxLikelihoodModel(w0.copy(), n, selection, rows, res.train_log_norm,
                              res.train_directions, states, type(rng.bit_generator),
                              layers, tracked)


def uncollapsed_fraction_2d(layers: Iterable, w0, tol: float = 0.01) -> np.ndarray:
    """Exact fraction of isotropic inputs in R^2 whose Eq. 21 loss is *not* within ``tol`` of 0, 1.

    For k = 2 the test direction is uniform on the circle, and in the frame
    ``(u_l, J u_l)`` (``J`` the rotation by 90 degrees) a layer acts on the cotangent
    ``sigma`` of the test angle as ``sigma' = (R11 sigma + R12) / R22``.  After ``l``
    layers ``sigma_l = (A sigma_0 + B) / D``; the test input is collapsed iff
    ``|sigma_l| >= cot(pi tol)``, and the uncollapsed inputs form the arc
    ``|sigma_0 + B/A| < h = |D/A| cot(pi tol)``, of measure
    ``atan2(2h, 1 + (B/A)^2 - h^2) / pi``.  ``B/A`` and ``log|D/A|`` are accumulated
    directly, so the result stays exact when the fraction is far below 1e-16.

    Parameters
    ----------
    layers : iterable of (2, 2) arrays
    w0 : array (2,)
        The training input.
    tol : float in (0, 1/2)

    Returns
    -------
    array (L+1,), the fraction after 0, 1, ..., L layers.
    """
    w0 = _check_vector(w0, "w0")
    if w0.size != 2:
        raise ValueError(f"w0 must have k = 2 entries, got {w0.size}")
    if not 0 < tol < 0.5:
        raise ValueError(f"tol must be in (0, 0.5), got {tol}")
    cot_tol = 1.0 / np.tan(np.pi * tol)
    J = np.array([[0.0, -1.0], [1.0, 0.0]])
    u = w0 / np.linalg.norm(w0)
    beta, log_r, sign_r = 0.0, 0.0, 1.0

    def frac(beta, log_r):
        h = np.exp(log_r) * cot_tol
        return np.arctan2(2 * h, 1 + beta * beta - h * h) / np.pi

    out = [frac(beta, log_r)]
    for i, G in enumerate(layers, start=1):
        G = np.asarray(G, dtype=float)
        if G.shape != (2, 2):
            raise ValueError(f"layers must be (2, 2) matrices, layer {i} has shape {G.shape}")
        v = G @ u
        r11 = np.linalg.norm(v)
        u_new = v / r11
        gq = G @ (J @ u)
        r12 = u_new @ gq
        r22 = (J @ u_new) @ gq
        # beta_l = beta + (R12/R11) (D/A)_{l-1};  (D/A)_l = (D/A)_{l-1} R22/R11
        beta = beta + (r12 / r11) * sign_r * np.exp(log_r)
        log_r = log_r + np.log(abs(r22)) - np.log(r11)
        sign_r = sign_r * np.sign(r22)
        u = u_new
        out.append(frac(beta, log_r))
    return np.array(out)


# --------------------------------------------------------------------------------------
# spectra
# --------------------------------------------------------------------------------------
def newman_exponents(k: int, sigma: float = 1.0) -> np.ndarray:
    """Exact Lyapunov spectrum of products of k x k matrices with i.i.d. N(0, sigma^2) entries.

    ``lambda_i = ln sigma + (ln 2 + psi((k - i + 1)/2)) / 2`` (Newman 1986), natural log
    per layer, decreasing, shape (k,).  A wrapper of
    :func:`uniqnets.lyapunov.gaussian_product_exponents` (the formula lives there).
    """
    return gaussian_product_exponents(k, sigma)


def _selection_threshold_nodes(k, n, selection, n_nodes):
    """Quadrature over the threshold of the selection: nodes t_j, log weights, tail mass.

    The kept values are, given the (k+1)-th most extreme draw ``T``, i.i.d. from
    the law of ``Y`` (``|X|`` or ``X``, X ~ N(0, 1)) conditioned beyond ``T``.  The
    probability ``q`` of that conditioning event is Beta(k+1, n-k) distributed
    (order statistics of uniforms); Gauss-Legendre nodes in the quantile variable
    ``p`` of ``q`` integrate over it.
    """
    x, w = np.polynomial.legendre.leggauss(n_nodes)
    p = 0.5 * (x + 1.0)
    logw = np.log(0.5 * w)
    q = stats.beta.ppf(p, k + 1, n - k)
    if selection == "abs":
        t = -special.ndtri(0.5 * q)  # P(|X| > t) = q
    elif selection == "signed":
        t = -special.ndtri(q)  # P(X > t) = q
    else:  # min: P(|X| < t) = q
        t = np.sqrt(2.0) * special.erfinv(q)
    return t, logw


def _log_cond_laplace(s, t, selection):
    """``log E[exp(-s X^2) | kept]`` for arrays ``s`` (S,) and thresholds ``t`` (P,) -> (S, P).

    ``E[exp(-s X^2) | X > t] = Q(t sqrt(1+2s)) / (sqrt(1+2s) Q(t))`` for any real t
    (Q the normal tail), the same for ``|X| > t``, and
    ``erf(t sqrt(1+2s)/sqrt 2) / (sqrt(1+2s) erf(t/sqrt 2))`` for ``|X| < t``.
    """
    g = np.sqrt(1.0 + 2.0 * s)[:, None]
    tt = t[None, :]
    if selection == "min":
        return (np.log(special.erf(tt * g / np.sqrt(2.0))) - np.log(special.erf(tt / np.sqrt(2.0)))
                - np.log(g))
    return special.log_ndtr(-tt * g) - special.log_ndtr(-tt) - np.log(g)


def _cond_second_moment(t, selection):
    """``E[X^2 | kept]`` for thresholds ``t`` (truncated-normal formulas)."""
    if selection == "min":
        return 1.0 - 2.0 * t * stats.norm.pdf(t) / special.erf(t / np.sqrt(2.0))
    # 1 + t phi(t) / Q(t), with the ratio from logs (Q(t) underflows for large t)
    return 1.0 + t * np.exp(stats.norm.logpdf(t) - special.log_ndtr(-t))


def training_exponent(k: int, n: int, selection: str = "abs", *, n_nodes: int = 256) -> float:
    """Growth exponent of the training vector under Algorithm 1: ``E log ||a_l|| = E log S / 2``.

    ``S`` is the sum of squares of the ``k`` values kept from ``n`` i.i.d. N(0, 1)
    projections (:func:`select_rows`).  Computed by quadrature, without sampling:
    ``E log S = log m + int_0^inf (e^{-s} - E e^{-s S / m}) ds / s`` (Frullani), with
    ``m = E S`` and the Laplace transform ``E e^{-sS}`` an integral over the
    Beta-distributed threshold of a k-th power of a truncated-normal transform
    (see :func:`_log_cond_laplace`).  For ``n = k`` or ``selection="none"`` it is
    Newman's ``lambda_1 = (ln 2 + psi(k/2)) / 2`` exactly.

    Returns
    -------
    float, natural log per layer.  Accuracy about 1e-6 or better (Gauss-Legendre
    with ``n_nodes`` nodes over the threshold, checked against ``2 n_nodes``; adaptive
    quadrature in ``log s``).
    """
    k, n = _check_k_n(k, n)
    _check_selection(selection)
    if n == k or selection == "none":
        return float(newman_exponents(k)[0])
    t, logw = _selection_threshold_nodes(k, n, selection, n_nodes)
    m = k * np.exp(special.logsumexp(logw + np.log(_cond_second_moment(t, selection))))

    def integrand(x):
        s = np.exp(x)
        logM = special.logsumexp(k * _log_cond_laplace(np.atleast_1d(s / m), t, selection)
                                 + logw[None, :], axis=1)[0]
        return np.exp(-s) - np.exp(logM)

    # in x = log s the integrand decays like e^{2x} to the left and at least like
    # e^{-x/2} to the right; the mass sits around x = 0 after scaling by m
    parts = [integrate.quad(integrand, a, b, limit=200, epsabs=1e-12, epsrel=1e-10)[0]
             for a, b in [(-60.0, -5.0), (-5.0, 5.0), (5.0, 80.0)]]
    return 0.5 * (np.log(m) + sum(parts))


def selected_exponents(k: int, n: int, selection: str = "abs") -> np.ndarray:
    """Predicted Lyapunov spectrum of the product trained by Algorithm 1, shape (k,), decreasing.

    The selected layer is block triangular in the frame of the training vector (see
    the module docstring): one exponent is :func:`training_exponent`, the other
    ``k - 1`` are those of a (k-1) x (k-1) Ginibre product, which are Newman's
    ``lambda_2..lambda_k`` for size k.  Selection moves only the top exponent.
    """
    k, n = _check_k_n(k, n)
    _check_selection(selection)
    lam = newman_exponents(k).copy()
    lam[0] = training_exponent(k, n, selection)
    return np.sort(lam)[::-1]


def alignment_rate(k: int, n: int, selection: str = "abs") -> float:
    """Predicted decay rate of the misalignment: ``Delta = lambda_train - lambda_2(k)``.

    ``tan theta_L`` between a test output and the training output decays like
    ``exp(-Delta L)``, so ``1 - |cos theta_L|`` like ``exp(-2 Delta L)`` (natural
    log per layer).  A negative value means the training direction is *not* the
    top Oseledets direction (``selection="min"``): test outputs then do not
    approach ``+-w_L``.
    """
    k, n = _check_k_n(k, n)
    if k < 2:
        raise ValueError("k must be >= 2 for an angle between outputs to exist")
    return training_exponent(k, n, selection) - float(newman_exponents(k)[1])


def sample_training_growth(k: int, n: int, selection: str, rng: np.random.Generator,
                           size: int) -> np.ndarray:
    """Monte-Carlo draws of ``log ||a|| = log S / 2`` (the check of :func:`training_exponent`).

    Draws ``size`` independent layers' projections ``z ~ N(0, I_n)`` and applies
    :func:`select_rows`.  Returns an array of shape (size,).
    """
    k, n = _check_k_n(k, n)
    _check_selection(selection)
    rng = _check_rng(rng)
    size = _check_int(size, "size", 1)
    out = np.empty(size)
    for i in range(size):
        z = rng.standard_normal(n)
        out[i] = 0.5 * np.log(np.sum(z[select_rows(z, k, selection)] ** 2))
    return out


def lyapunov_spectrum_qr(matrices, k: int | None = None, Q0=None) -> QRResult:
    """Lyapunov exponents of a product of matrices by repeated QR (Benettin).

    A wrapper of :func:`uniqnets.lyapunov.qr_exponents` that also accepts a
    :class:`MaxLikelihoodModel` (its layers, regenerated if needed).

    Parameters
    ----------
    matrices : iterable of (d, d) arrays, or MaxLikelihoodModel
    k : int, optional
        Number of exponents (default all).
    Q0 : array (d, k), optional
        Initial frame.

    Returns
    -------
    QRResult
        ``exponents`` (k,) in natural log per factor, ``stderr()`` by batch means.
    """
    if isinstance(matrices, MaxLikelihoodModel):
        matrices = matrices.iter_layers()
    return qr_exponents(matrices, k=k, Q0=Q0)


# --------------------------------------------------------------------------------------
# losses
# --------------------------------------------------------------------------------------
def _unit_columns(W, name):
    W = np.asarray(W, dtype=float)
    if W.ndim == 1:
        W = W[:, None]
    n = np.linalg.norm(W, axis=0)
    if np.any(n == 0) or not np.all(np.isfinite(W)):
        raise ValueError(f"{name} must have finite non-zero columns")
    return W / n


def angular_loss(w, W) -> np.ndarray:
    """Eq. 21 per sample: ``1 - arccos(cos(w, W[:, j])) / pi``, shape (m,).

    ``w`` (k,) the training output, ``W`` (k, m) test outputs as columns.  0 means
    anti-parallel, 1 parallel.  (Rounding limits it to about 1e-8 from 0 or 1; see
    :attr:`Propagation.loss` for the exact value.)
    """
    u = _unit_columns(w, "w")[:, 0]
    c = np.clip(u @ _unit_columns(W, "W"), -1.0, 1.0)
    return 1.0 - np.arccos(c) / np.pi


def chord_loss(w, W) -> np.ndarray:
    """Eq. 32 per sample: ``||w/|w| - W_j/|W_j| || / 2`` in [0, 1], shape (m,)."""
    u = _unit_columns(w, "w")
    return 0.5 * np.linalg.norm(u - _unit_columns(W, "W"), axis=0)


def spacetime_cosine(c: float, log_norm_w, log_norms_W, cos) -> np.ndarray:
    """Cosine between the spacetime vectors ``[c l; w_l]`` and ``[c l; w'_l]`` (Eq. 27-30).

    Parameters
    ----------
    c : float > 0
        The paper's "speed of light" that scales the layer index.
    log_norm_w : array (L+1,)
        ``log ||w_l||``.
    log_norms_W : array (L+1, m)
        ``log ||w'_l||``.
    cos : array (L+1, m)
        Spatial cosines ``cos(w_l, w'_l)``.

    Returns
    -------
    array (L+1, m): ``(a b + cos) / sqrt((1 + a^2)(1 + b^2))`` with
    ``a = c l / ||w_l||``, ``b = c l / ||w'_l||`` (no overflow for huge norms).
    """
    if not (np.isfinite(c) and c > 0):
        raise ValueError(f"c must be a finite number > 0, got {c}")
    log_norm_w = np.asarray(log_norm_w, dtype=float)
    log_norms_W = np.asarray(log_norms_W, dtype=float)
    cos = np.asarray(cos, dtype=float)
    L1 = log_norm_w.shape[0]
    ell = np.arange(L1, dtype=float)
    with np.errstate(divide="ignore"):
        log_ct = np.log(c * ell)
    # clipped so that a * b cannot overflow; beyond e^150 the cosine is 1 to rounding
    a = np.exp(np.clip(log_ct - log_norm_w, -745, 150))[:, None]
    b = np.exp(np.clip(log_ct[:, None] - log_norms_W, -745, 150))
    return (a * b + cos) / (np.hypot(1.0, a) * np.hypot(1.0, b))


# --------------------------------------------------------------------------------------
# Algorithm 2: gradient descent
# --------------------------------------------------------------------------------------
@dataclass
class GDResult:
    """Result of :func:`gradient_descent`.

    Attributes
    ----------
    factors : list of arrays
        The trained factors ``[G_1, ..., G_F]`` (applied in this order).
    losses : array (steps + 1,)
        ``||G_F ... G_1 w0 - target||^2`` before each step and after the last.
    diverged : bool
        True if an update produced a non-finite value; ``factors`` are then the last
        finite ones and ``losses`` stops there.
    """

    factors: list
    losses: np.ndarray
    diverged: bool

    @property
    def product(self) -> np.ndarray:
        """``G_F ... G_1``."""
        P = np.eye(self.factors[0].shape[1])
        for G in self.factors:
            P = G @ P
        return P


def gradient_descent(w0, target, eta: float, T: int, factors0) -> GDResult:
    """Algorithm 2: ``T`` steps of gradient descent on ``||G_F ... G_1 w0 - target||^2``.

    With one factor this is the paper's Algorithm 2 verbatim
    (``G <- G - eta * 2 e w0^T``).  With several factors (the reading
    ``G* = G_3 G_2 G_1`` trained by back-propagation) every factor moves along
    ``2 (G_F..G_{i+1})^T e (G_{i-1}..G_1 w0)^T`` at once.

    Parameters
    ----------
    w0 : array (k,)
    target : array (k_out,)
    eta : float > 0
        Learning rate.
    T : int >= 0
        Number of updates.
    factors0 : list of 2-D arrays
        Initial factors ``[G_1, ..., G_F]`` (copied).

    Returns
    -------
    GDResult (divergence is reported in ``diverged``, not raised).
    """
    w0 = _check_vector(w0, "w0")
    target = _check_vector(target, "target")
    if not (np.isfinite(eta) and eta > 0):
        raise ValueError(f"eta must be a finite number > 0, got {eta}")
    T = _check_int(T, "T", 0)
    if isinstance(factors0, np.ndarray) and factors0.ndim == 2:
        factors0 = [factors0]
    factors = [np.array(G, dtype=float) for G in factors0]
    if not factors:
        raise ValueError("factors0 must hold at least one matrix")
    dim = w0.size
    for i, G in enumerate(factors):
        if G.ndim != 2 or G.shape[1] != dim or not np.all(np.isfinite(G)):
            raise ValueError(f"factors0[{i}] must be a finite matrix with {dim} columns, "
                             f"got shape {G.shape}")
        dim = G.shape[0]
    if dim != target.size:
        raise ValueError(f"target must have {dim} entries, got {target.size}")

    def forward(fs):
        hs = [w0]
        for G in fs:
            hs.append(G @ hs[-1])
        return hs

    losses = []
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(T + 1):
            hs = forward(factors)
            e = hs[-1] - target
            loss = float(e @ e)
            if not np.isfinite(loss):
                diverged = True
                break
            losses.append(loss)
            if len(losses) == T + 1:
                break
            g = 2.0 * e
            new = [None] * len(factors)
            for i in range(len(factors) - 1, -1, -1):
                new[i] = factors[i] - eta * np.outer(g, hs[i])
                g = factors[i].T @ g
            if not all(np.all(np.isfinite(G)) for G in new):
                diverged = True
                break
            factors = new
    return GDResult(factors, np.array(losses), diverged)


def gradient_descent_closed_form(G0, w0, target, eta: float, T: int) -> np.ndarray:
    """Closed form of Algorithm 2 with one factor.

    The error obeys ``e_{t+1} = (1 - 2 eta ||w0||^2) e_t``, so after ``T`` steps

        G_T = G_0 + (1 - (1 - 2 eta ||w0||^2)^T) (target - G_0 w0) w0^T / ||w0||^2,

    a rank-one change of ``G_0``: every input is mapped to
    ``G_0 x + gamma (w0 . x) d`` with the same direction ``d = target - G_0 w0``.
    """
    w0 = _check_vector(w0, "w0")
    target = _check_vector(target, "target")
    G0 = np.asarray(G0, dtype=float)
    if G0.shape != (target.size, w0.size):
        raise ValueError(f"G0 must have shape ({target.size}, {w0.size}), got {G0.shape}")
    T = _check_int(T, "T", 0)
    nn = w0 @ w0
    beta = 1.0 - (1.0 - 2.0 * eta * nn) ** T
    return G0 + beta * np.outer(target - G0 @ w0, w0) / nn


def cone_fraction(M, direction, half_angle: float) -> float:
    """Exact fraction of isotropic x in R^2 with ``M x`` within ``half_angle`` of ``+-direction``.

    The preimage of the double cone of half-angle ``delta < pi/2`` under an
    invertible ``M`` is a double cone spanned by ``M^{-1} r_-`` and ``M^{-1} r_+``
    (``r_+-`` the boundary rays); its share of the circle is the angle between them
    over pi.
    """
    M = np.asarray(M, dtype=float)
    if M.shape != (2, 2):
        raise ValueError(f"M must be 2 x 2, got {M.shape}")
    if not 0 < half_angle < np.pi / 2:
        raise ValueError(f"half_angle must be in (0, pi/2), got {half_angle}")
    d = _unit_columns(direction, "direction")[:, 0]
    if d.size != 2:
        raise ValueError("direction must have 2 entries")
    phi = np.arctan2(d[1], d[0])
    rays = np.array([[np.cos(phi - half_angle), np.cos(phi + half_angle)],
                     [np.sin(phi - half_angle), np.sin(phi + half_angle)]])
    P = np.linalg.solve(M, rays)
    cross = P[0, 0] * P[1, 1] - P[1, 0] * P[0, 1]
    dot = P[:, 0] @ P[:, 1]
    return float(abs(np.arctan2(abs(cross), dot)) / np.pi)


# --------------------------------------------------------------------------------------
# information reconciliation (Sec. VI) and adversarial examples (Sec. VII)
# --------------------------------------------------------------------------------------
def binarize(v, threshold: float = 0.0) -> np.ndarray:
    """The paper's ``sgn``: 1 where ``v > threshold`` else 0 (bool array).

    The text states the threshold 1/2; applied to a unit vector of length k the
    entries are O(1/sqrt k) and never exceed 1/2, so the book uses 0 (the sign)
    and shows what 1/2 does.
    """
    return np.asarray(v, dtype=float) > threshold


def encrypt(message, w, threshold: float = 0.0) -> np.ndarray:
    """Eq. 33: ``y = sgn(w / ||w||) XOR m`` (bool arrays of shape (k,))."""
    m = np.asarray(message, dtype=bool).ravel()
    u = _unit_columns(np.ravel(w), "w")[:, 0]
    if u.size != m.size:
        raise ValueError(f"message has {m.size} bits but w has {u.size} entries")
    return binarize(u, threshold) ^ m


def decrypt(cipher, w, threshold: float = 0.0) -> np.ndarray:
    """Eq. 34: ``y XOR sgn(w' / ||w'||)`` (the message, or its complement)."""
    return encrypt(cipher, w, threshold)


def bit_error_rate(a, b, up_to_complement: bool = False) -> float:
    """Fraction of differing bits; with ``up_to_complement`` the smaller of BER and 1 - BER."""
    a = np.asarray(a, dtype=bool).ravel()
    b = np.asarray(b, dtype=bool).ravel()
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
        Unit reference direction (the training output).
    log_cot : float or array (m,)
        ``log |cot theta|`` of the test outputs (:attr:`Propagation.log_cot`).

    Returns
    -------
    array of the shape of ``log_cot``.
    """
    u = _unit_columns(u, "u")[:, 0]
    k = u.size
    lc = np.asarray(log_cot, dtype=float)
    cot = np.exp(np.clip(lc, -745, 700))
    scale = np.abs(u) * np.sqrt((k - 1) / np.maximum(1.0 - u * u, 1e-300))
    z = np.multiply.outer(cot, scale)
    return special.ndtr(-z).mean(axis=-1)


def adversarial_example(image, w, alpha: float) -> np.ndarray:
    """Sec. VII: ``y = alpha w / ||w|| + m`` for an image ``m`` (any shape with k pixels)."""
    m = np.asarray(image, dtype=float)
    u = _unit_columns(np.ravel(w), "w")[:, 0]
    if u.size != m.size:
        raise ValueError(f"image has {m.size} pixels but w has {u.size} entries")
    if not np.isfinite(alpha):
        raise ValueError("alpha must be finite")
    return m + alpha * u.reshape(m.shape)


def recover(y, w_prime, alpha: float, sign="auto") -> np.ndarray:
    """Remove ``alpha w'/||w'||`` from the adversarial example ``y``.

    ``sign=+1`` is the paper's subtraction; since ``w'_L`` aligns with ``+-w_L``
    the sign is unknown, and ``sign="auto"`` takes it from the data:
    ``s = sign(y . w')``, which is right when ``alpha`` dominates the image's own
    projection.  Returns ``y - s alpha w'/||w'||`` in the shape of ``y``.
    """
    y = np.asarray(y, dtype=float)
    u = _unit_columns(np.ravel(w_prime), "w_prime")[:, 0]
    if u.size != y.size:
        raise ValueError(f"y has {y.size} entries but w_prime has {u.size}")
    if sign == "auto":
        s = 1.0 if float(np.ravel(y) @ u) >= 0 else -1.0
    elif sign in (1, -1):
        s = float(sign)
    else:
        raise ValueError(f"sign must be 'auto', 1 or -1, got {sign!r}")
    return y - s * alpha * u.reshape(y.shape)


def psnr(reference, estimate, peak: float = 1.0) -> float:
    """Peak signal-to-noise ratio ``10 log10(peak^2 / MSE)`` in dB (inf if identical)."""
    a = np.asarray(reference, dtype=float)
    b = np.asarray(estimate, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"reference and estimate must have the same shape, got {a.shape}, "
                         f"{b.shape}")
    mse = float(np.mean((a - b) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(peak * peak / mse)


def predicted_psnr(alpha, log_misalignment, k: int, peak: float = 1.0):
    """PSNR of :func:`recover` (right sign) from the alignment alone.

    The residual is ``alpha (u - s u')`` with ``||u - s u'||^2 = 2 (1 - |cos theta|)``, so

        PSNR = 10 log10(peak^2 k / (2 alpha^2)) - 10 log10(e) log(1 - |cos theta|).

    With ``1 - |cos theta_L| ~ exp(-2 Delta L)`` the PSNR grows by
    ``20 Delta / ln 10`` dB per layer.
    """
    alpha = np.asarray(alpha, dtype=float)
    lm = np.asarray(log_misalignment, dtype=float)
    return 10 * np.log10(peak * peak * k / (2 * alpha * alpha)) - 10 * np.log10(np.e) * lm


# --------------------------------------------------------------------------------------
# images (nothing is downloaded)
# --------------------------------------------------------------------------------------
def _raster(draw, size):
    """Rasterise ``draw(ax)`` on a size x size Agg canvas; True where ink."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1, 1), dpi=size)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    draw(ax)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    return rgba[..., 0] < 128


def binary_messages(size: int = 50) -> dict:
    """Binary size x size messages drawn with matplotlib: cross, fish, airplane, laptop, letter.

    The paper's messages were 50 x 50 black-and-white pictures of dogs, laptops,
    airplanes, crosses and fish; these are drawn procedurally (patches and a glyph
    of the DejaVu font shipped with matplotlib) and rasterised on the Agg canvas.

    Returns
    -------
    dict name -> bool array (size, size), True for ink.
    """
    from matplotlib import patches

    size = _check_int(size, "size", 8)
    ink = {"color": "black", "antialiased": False, "linewidth": 0}

    def cross(ax):
        ax.add_patch(patches.Rectangle((0.40, 0.12), 0.20, 0.76, **ink))
        ax.add_patch(patches.Rectangle((0.12, 0.40), 0.76, 0.20, **ink))

    def fish(ax):
        ax.add_patch(patches.Ellipse((0.45, 0.5), 0.6, 0.36, **ink))
        ax.add_patch(patches.Polygon([(0.70, 0.5), (0.92, 0.72), (0.92, 0.28)], **ink))
        ax.add_patch(patches.Circle((0.28, 0.55), 0.04, color="white", antialiased=False,
                                    linewidth=0))

    def airplane(ax):
        ax.add_patch(patches.Ellipse((0.5, 0.5), 0.14, 0.84, **ink))
        ax.add_patch(patches.Polygon([(0.5, 0.62), (0.06, 0.42), (0.06, 0.36), (0.5, 0.46),
                                      (0.94, 0.36), (0.94, 0.42)], **ink))
        ax.add_patch(patches.Polygon([(0.5, 0.22), (0.30, 0.10), (0.70, 0.10)], **ink))

    def laptop(ax):
        ax.add_patch(patches.Rectangle((0.2, 0.38), 0.6, 0.46, **ink))
        ax.add_patch(patches.Rectangle((0.26, 0.44), 0.48, 0.34, color="white",
                                       antialiased=False, linewidth=0))
        ax.add_patch(patches.Polygon([(0.2, 0.36), (0.8, 0.36), (0.94, 0.18), (0.06, 0.18)],
                                     **ink))

    def letter(ax):
        ax.text(0.5, 0.47, "A", ha="center", va="center", fontsize=0.9 * 72, fontweight="bold",
                family="DejaVu Sans", antialiased=False)

    shapes = {"cross": cross, "fish": fish, "airplane": airplane, "laptop": laptop,
              "letter": letter}
    return {name: _raster(draw, size) for name, draw in shapes.items()}


def sample_image(name: str = "grace_hopper", size: int = 50) -> np.ndarray:
    """A grayscale photograph shipped with matplotlib, cropped square and resized.

    ``name``: ``"grace_hopper"`` (the portrait ``grace_hopper.jpg``) or ``"mri"``
    (the 256 x 256 MRI slice ``s1045.ima.gz``).  Resized with Pillow's Lanczos filter.

    Returns
    -------
    array (size, size) of floats in [0, 1].
    """
    from matplotlib import cbook
    from PIL import Image

    size = _check_int(size, "size", 2)
    if name == "grace_hopper":
        with cbook.get_sample_data("grace_hopper.jpg") as fh:
            img = Image.open(fh).convert("L")
            img.load()
        arr = np.asarray(img, dtype=float) / 255.0
    elif name == "mri":
        with cbook.get_sample_data("s1045.ima.gz") as fh:
            raw = np.frombuffer(fh.read(), np.uint16).reshape(256, 256)
        arr = raw.astype(float) / raw.max()
    else:
        raise ValueError(f"name must be 'grace_hopper' or 'mri', got {name!r}")
    h, w = arr.shape
    s = min(h, w)
    top, left = (h - s) // 2, (w - s) // 2
    arr = arr[top:top + s, left:left + s]
    img = Image.fromarray(arr.astype(np.float32), mode="F").resize((size, size),
                                                                   Image.Resampling.LANCZOS)
    return np.clip(np.asarray(img, dtype=float), 0.0, 1.0)
