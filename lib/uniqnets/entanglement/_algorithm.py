"""Algorithm 1 of Lai, Dong and Jin (MaxLikelihood): a linear chain trained without labels.

For each layer ``l = 1..L`` draw ``G*_l`` in R^{n x k} with i.i.d. N(0, 1) entries and
keep the ``k`` rows that maximise ``||G_l w_{l-1}||`` (a "dropout" step),
``w_l = G_l w_{l-1}``; the model is ``H = G_L ... G_1``.  The layers are kept in
memory when small and otherwise regenerated from saved generator states, so paper
sizes (k = 2500, n = 3500, L = 50) run in O(nk) memory.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np

from .._validate import check_array, check_bool, check_int, check_rng, check_size
from ._common import check_k_n, check_selection, columns, vector
from ._propagation import Propagation, _Tracker, propagate

#: keep the layer matrices in memory when they take at most this many bytes
_KEEP_LAYERS_BYTES = 64 * 2**20


def select_rows(z, k: int, selection: str = "abs") -> np.ndarray:
    """Indices of the ``k`` rows kept by the dropout step of Algorithm 1.

    Parameters
    ----------
    z : array, shape (n,)
        The projections ``G* w`` of the layer input on the ``n`` candidate rows.
    k : int
        Number of rows to keep, ``1 <= k <= n``.
    selection : {"abs", "signed", "none", "min"}
        See ``SELECTIONS``.

    Returns
    -------
    numpy.ndarray of int, shape (k,)
        Increasing indices (the kept rows keep their order in ``G*``).

    References
    ----------
    Lai, Dong and Jin, Algorithm 1.

    Examples
    --------
    >>> from uniqnets.entanglement import select_rows
    >>> z = [0.3, -2.0, 1.0, 0.1]
    >>> select_rows(z, 2).tolist(), select_rows(z, 2, "signed").tolist()
    ([1, 2], [0, 2])
    >>> select_rows(z, 2, "min").tolist(), select_rows(z, 2, "none").tolist()
    ([0, 3], [0, 1])
    """
    z = check_array(z, "z", ndim=1)
    k = check_int(k, "k", 1)
    if k > z.size:
        raise ValueError(f"k must be <= len(z) = {z.size}, got {k}")
    check_selection(selection)
    n = z.size
    if n == k or selection == "none":
        return np.arange(k)
    if selection == "abs":
        key = -np.abs(z)
    elif selection == "signed":
        key = -z
    else:  # "min"
        key = np.abs(z)
    return np.sort(np.argpartition(key, k - 1)[:k])


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
        The reading of the dropout step (``SELECTIONS``).
    rows : array (L, k) of int
        Indices of the rows of ``G*_l`` kept in layer ``l`` (row ``l - 1``).
    train_log_norm : array (L+1,)
        ``log ||w_l||`` along the training trajectory (natural log).
    train_directions : array (L+1, k)
        ``w_l / ||w_l||``.
    tracked : Propagation or None
        Test inputs streamed through the layers while they were drawn (``track=``).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import train_maxlikelihood
    >>> rng = np.random.default_rng(0)
    >>> model = train_maxlikelihood(rng.standard_normal(3), 10, 5, rng)
    >>> model
    MaxLikelihoodModel(k=3, n=10, depth=5, selection='abs')
    >>> model.rows.shape, model.train_directions.shape
    ((5, 3), (6, 3))
    >>> bool(np.allclose(model.apply(model.w0), model.output))
    True
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
        """Layer width (length of the training input)."""
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
        d = check_int(depth, "depth", 0)
        if d > self.depth:
            raise ValueError(f"depth must be <= {self.depth}, got {depth}")
        return d

    def layer(self, l: int) -> np.ndarray:
        """The layer matrix ``G_l`` for ``l = 1..L`` (the paper's numbering).

        Parameters
        ----------
        l : int in 1..L

        Returns
        -------
        numpy.ndarray, shape (k, k)
            The rows ``rows[l - 1]`` of the drawn ``G*_l``.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.entanglement import train_maxlikelihood
        >>> rng = np.random.default_rng(0)
        >>> model = train_maxlikelihood(rng.standard_normal(3), 10, 5, rng)
        >>> G = model.layer(1)
        >>> G.shape, bool(np.array_equal(G, model.candidates(1)[model.rows[0]]))
        ((3, 3), True)
        """
        l = check_int(l, "l", 1)
        if l > self.depth:
            raise ValueError(f"l must be in 1..{self.depth}, got {l}")
        if self._layers is not None:
            return self._layers[l - 1]
        return self._draw(l - 1)[self.rows[l - 1]]

    def candidates(self, l: int) -> np.ndarray:
        """The drawn matrix ``G*_l`` before the dropout step, regenerated from the saved state.

        Parameters
        ----------
        l : int in 1..L

        Returns
        -------
        numpy.ndarray, shape (n, k)

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.entanglement import train_maxlikelihood
        >>> rng = np.random.default_rng(0)
        >>> model = train_maxlikelihood(rng.standard_normal(3), 10, 5, rng)
        >>> z = np.abs(model.candidates(1) @ model.w0)  # the kept rows project the most
        >>> bool(z[model.rows[0]].min() >= np.delete(z, model.rows[0]).max())
        True
        """
        l = check_int(l, "l", 1)
        if l > self.depth:
            raise ValueError(f"l must be in 1..{self.depth}, got {l}")
        return self._draw(l - 1)

    def _draw(self, i):
        bg = self._bitgen_type(0)
        bg.state = self._states[i]
        return np.random.Generator(bg).standard_normal((self.n, self.k))

    def iter_layers(self, depth: int | None = None) -> Iterator[np.ndarray]:
        """Yield ``G_1, ..., G_depth`` (default all L), regenerating them if not kept.

        Parameters
        ----------
        depth : int in 0..L, optional
            Number of layers (default all).

        Yields
        ------
        numpy.ndarray, shape (k, k)

        Examples
        --------
        The layers feed :func:`uniqnets.lyapunov.qr_exponents`, for instance:

        >>> import numpy as np
        >>> from uniqnets.entanglement import train_maxlikelihood
        >>> rng = np.random.default_rng(0)
        >>> model = train_maxlikelihood(rng.standard_normal(3), 10, 5, rng)
        >>> len(list(model.iter_layers(2)))
        2
        """
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

        Parameters
        ----------
        depth : int in 0..L, optional
            Number of layers (default all).

        Returns
        -------
        numpy.ndarray, shape (k, k)

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.entanglement import train_maxlikelihood
        >>> rng = np.random.default_rng(0)
        >>> model = train_maxlikelihood(rng.standard_normal(3), 10, 5, rng)
        >>> H = model.product()
        >>> bool(np.allclose(H @ model.w0, model.output))
        True
        >>> bool(np.array_equal(model.product(0), np.eye(3)))
        True
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

        Parameters
        ----------
        X : array (k,) or (k, m)
            Inputs as columns (finite, non-zero).
        depth : int in 0..L, optional
            Number of layers (default all).

        Returns
        -------
        numpy.ndarray, shape of ``X``

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.entanglement import train_maxlikelihood
        >>> rng = np.random.default_rng(0)
        >>> model = train_maxlikelihood(rng.standard_normal(3), 10, 5, rng)
        >>> X = rng.standard_normal((3, 2))
        >>> bool(np.allclose(model.apply(X, depth=2), model.layer(2) @ model.layer(1) @ X))
        True
        """
        vec = np.ndim(X) == 1
        Xc = columns(X, self.k, "X", of="the model's k")
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

        Parameters
        ----------
        X : array (k,) or (k, m), optional
            Test inputs as columns.
        depth : int in 0..L, optional
            Number of layers (default all).
        keep_directions, progress : bool
            As in :func:`propagate`.

        Returns
        -------
        Propagation

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.entanglement import train_maxlikelihood
        >>> rng = np.random.default_rng(0)
        >>> X = rng.standard_normal((3, 4))
        >>> model = train_maxlikelihood(rng.standard_normal(3), 10, 5, rng, track=X)
        >>> P = model.propagate(X)
        >>> bool(np.allclose(P.log_cot, model.tracked.log_cot))
        True
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
        Reading of the dropout step, see ``SELECTIONS``.
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
        Show a progress bar over the layers (needs ``tqdm``).

    Returns
    -------
    MaxLikelihoodModel
        The training trajectory is stored as unit directions and log norms, so it
        never overflows.  A model of depth ``L' < L`` is the prefix of this one
        (``depth=`` arguments of its methods).

    References
    ----------
    Lai, Dong and Jin, Algorithm 1.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import train_maxlikelihood
    >>> rng = np.random.default_rng(1)
    >>> X = rng.standard_normal((2, 50))
    >>> model = train_maxlikelihood(rng.standard_normal(2), 12, 30, rng, track=X)
    >>> print(f"{model.tracked.collapsed_fraction(0.01)[-1]:.2f}")  # every test loss is 0 or 1
    1.00
    >>> model.tracked.log_cot.shape  # (L+1, m): the exact angle of every test output
    (31, 50)
    """
    w0 = vector(w0, "w0", nonzero=True)
    k = w0.size
    k, n = check_k_n(k, n)
    L = check_int(L, "L", 1)
    rng = check_rng(rng)
    check_selection(selection)
    X = None if track is None else columns(track, k, "track")
    keep_directions = check_bool(keep_directions, "keep_directions")
    progress = check_bool(progress, "progress")
    if keep_layers is not None:
        keep_layers = check_bool(keep_layers, "keep_layers")
    m = 0 if X is None else X.shape[1]
    check_size(n * k, "n")  # one drawn layer G*
    # stored per layer: row indices, directions, a generator state; tracked: log norms,
    # cotangents, signs and (kept) directions of m test inputs
    check_size((L + 1) * (2 * k + 64 + m * (3 + (k if keep_directions else 0))), "L")
    if keep_layers is None:
        keep_layers = L * k * k * 8 <= _KEEP_LAYERS_BYTES
    elif keep_layers:
        check_size(L * k * k, "L and keep_layers")
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


