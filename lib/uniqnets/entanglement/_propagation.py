"""Streaming inputs through a linear chain: directions, log norms and exact angles.

A test input's angle to the training input is tracked as the cotangent of a
two-vector QR frame, so it stays exact far below the rounding level of
``cos theta``; norms are kept as logarithms, so no chain is too long.
:func:`propagate` drives it for any chain; :class:`Propagation` holds the result;
:func:`uncollapsed_fraction_2d` is the closed form of the collapsed share for k = 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .._validate import check_array, check_bool, check_real
from ._common import columns, iterate, layer, vector
from ._geometry import spacetime_cosine


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
    ok : bool
        False if a layer produced a non-finite or zero vector; the arrays are then
        NaN from that layer on and ``message`` says where.
    message : str
        Where the chain failed (empty when ``ok``).

    Notes
    -----
    Made by :func:`propagate`, :meth:`MaxLikelihoodModel.propagate` and the ``track``
    argument of :func:`train_maxlikelihood`; derived quantities (``growth``, ``cos``,
    ``loss`` ...) are properties computed from the stored arrays.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import propagate
    >>> G = np.array([[2.0, 0.0], [0.0, 0.5]])
    >>> P = propagate([G] * 3, [1.0, 0.0], [[1.0], [1.0]])
    >>> np.round(P.growth, 3)
    array([0.693, 0.693, 0.693])
    >>> np.round(P.log_cot[:, 0] / np.log(4), 3)  # cot theta grows 4-fold per layer
    array([0., 1., 2., 3.])
    >>> np.round(P.loss[:, 0], 3)
    array([0.75 , 0.922, 0.98 , 0.995])
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
        """Number of layers L."""
        return self.train_log_norm.shape[0] - 1

    @property
    def growth(self) -> np.ndarray:
        """``log ||w_l|| - log ||w_{l-1}||``, shape (L,): the per-layer growth of the reference."""
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
        """Fraction of test inputs whose Eq. 21 loss is within ``tol`` of 0 or 1.

        Parameters
        ----------
        tol : float in (0, 1/2)
            Distance of the loss to 0 or 1 that counts as collapsed.

        Returns
        -------
        numpy.ndarray, shape (L+1,)
            The fraction after 0, 1, ..., L layers.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.entanglement import propagate
        >>> G = np.array([[2.0, 0.0], [0.0, 0.5]])
        >>> P = propagate([G] * 3, [1.0, 0.0], [[1.0, 1.0], [1.0, 100.0]])
        >>> np.round(P.collapsed_fraction(0.01), 3)
        array([0. , 0. , 0. , 0.5])
        """
        tol = check_real(tol, "tol", 0.0, 0.5, lo_open=True, hi_open=True)
        return np.mean(self.loss_gap <= tol, axis=1)

    def spacetime_cos(self, c: float) -> np.ndarray:
        """Cosine between ``[c l; w_l]`` and ``[c l; w'_l]`` (Eq. 27-30).

        :func:`spacetime_cosine` of the stored log norms and cosines.

        Parameters
        ----------
        c : float > 0
            The paper's "speed of light" that scales the layer index.

        Returns
        -------
        numpy.ndarray, shape (L+1, m)

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.entanglement import propagate
        >>> P = propagate([np.eye(2)] * 2, [1.0, 0.0], [[0.0], [1.0]])
        >>> np.round(P.spacetime_cos(1.0)[:, 0], 3)
        array([0. , 0.5, 0.8])
        """
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
        Show a progress bar (needs ``tqdm``).

    Returns
    -------
    Propagation
        Norms are kept as logarithms and directions as unit vectors, so nothing
        overflows however long the chain; a layer that produces a non-finite or zero
        vector is reported in ``ok``/``message``.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import propagate
    >>> rng = np.random.default_rng(0)
    >>> layers = [rng.standard_normal((3, 3)) for _ in range(40)]
    >>> P = propagate(layers, rng.standard_normal(3), rng.standard_normal((3, 4)))
    >>> P.depth, P.log_cot.shape, P.ok
    (40, (41, 4), True)
    >>> bool(np.all(P.log_misalignment[-1] < -10))  # all test outputs align with +-w_L
    True
    """
    layers = iterate(layers)
    w0 = vector(w0, "w0", nonzero=True)
    k = w0.size
    X = None if X is None else columns(X, k, "X")
    keep_directions = check_bool(keep_directions, "keep_directions")
    progress = check_bool(progress, "progress")
    if reference_path is not None:
        reference_path = check_array(reference_path, "reference_path", shape=(None, k))
        if not np.allclose(reference_path[0], w0 / np.linalg.norm(w0), rtol=0, atol=1e-12):
            raise ValueError("reference_path[0] must be w0 / ||w0||")
    tr = _Tracker(w0, X, keep_directions)
    it = layers
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(layers, desc="layers")
    for i, G in enumerate(it, start=1):
        G = layer(G, i, k)
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
    layers : iterable of arrays (2, 2)
        The chain ``G_1, G_2, ...`` (finite).
    w0 : array (2,)
        The training input (finite, non-zero).
    tol : float in (0, 1/2)
        Distance of the loss to 0 or 1 that counts as collapsed.

    Returns
    -------
    numpy.ndarray, shape (L+1,)
        The fraction after 0, 1, ..., L layers.

    Examples
    --------
    Before any layer the uncollapsed inputs are all but two arcs of ``tol pi`` each:

    >>> import numpy as np
    >>> from uniqnets.entanglement import uncollapsed_fraction_2d
    >>> G = np.array([[2.0, 0.0], [0.0, 0.5]])
    >>> np.round(uncollapsed_fraction_2d([G] * 3, [1.0, 0.0], 0.01), 4)
    array([0.98  , 0.9204, 0.7034, 0.2937])
    """
    layers = iterate(layers)
    w0 = vector(w0, "w0", size=2, nonzero=True)
    tol = check_real(tol, "tol", 0.0, 0.5, lo_open=True, hi_open=True)
    cot_tol = 1.0 / np.tan(np.pi * tol)
    J = np.array([[0.0, -1.0], [1.0, 0.0]])
    u = w0 / np.linalg.norm(w0)
    beta, log_r, sign_r = 0.0, 0.0, 1.0

    def frac(beta, log_r):
        h = np.exp(log_r) * cot_tol
        return np.arctan2(2 * h, 1 + beta * beta - h * h) / np.pi

    out = [frac(beta, log_r)]
    for i, G in enumerate(layers, start=1):
        G = layer(G, i, 2, finite=True)
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


