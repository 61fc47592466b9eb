"""Independently initialised networks, aligned by their symmetries before they are compared.

Two networks of independent seeds (:func:`matched_pair`) are joined by a straight line
as trained and after the second's hidden units are permuted by weight matching
(Entezari et al. 2022, Ainsworth et al. 2023), and for odd activations also after sign
flips; :func:`width_table` tabulates the barriers across widths, and
:func:`permutation_check` is the known answer: a network and its own permuted copy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_choice, check_int
from ._connectivity import _relative, barrier, interpolation_path, parameter_distance
from ._fashion import fashion_setup
from ._stability import ALPHAS, _bar, _results, _train

__all__ = ["MatchedPair", "matched_pair", "permutation_check", "width_table"]


@dataclass(frozen=True)
class MatchedPair:
    """Two independent runs and the path between them, before and after weight matching.

    Attributes
    ----------
    network : str
    hidden : tuple of int
        Hidden widths.
    n_params : int
    seeds : tuple of two int
    accuracy : array, shape (2,)
    alphas : array, shape (n_alpha,)
    error, loss : arrays, shape (n_alpha,)
        Test error and loss on the straight line between the two end points.
    error_matched, loss_matched : arrays, shape (n_alpha,)
        The same after the second network's hidden units are permuted to match the
        first's (:func:`weight_matching`).
    distance, distance_matched : float
        Relative parameter distance before and after matching
        (:func:`parameter_distance`, which calls :func:`weight_matching`).
    n_sweeps : int
        Sweeps of the matching's coordinate descent.
    error_signed, loss_signed : arrays, shape (n_alpha,), or None
        For an MLP with an odd activation (tanh, linear), whose units may also flip the
        signs of their weights without changing the function: the path after alignment
        by permutations *and* sign flips (:func:`uniqnets.models.align`); None otherwise.
    distance_signed : float or None
        The relative parameter distance after that alignment.
    """

    network: str
    hidden: tuple
    n_params: int
    seeds: tuple
    accuracy: np.ndarray
    alphas: np.ndarray
    error: np.ndarray
    loss: np.ndarray
    error_matched: np.ndarray
    loss_matched: np.ndarray
    distance: float
    distance_matched: float
    n_sweeps: int
    error_signed: np.ndarray | None = None
    loss_signed: np.ndarray | None = None
    distance_signed: float | None = None

    def barriers(self) -> dict:
        """Loss and error barriers (above the line between the ends), before and after
        matching, and after signed alignment (NaN where it does not apply)."""
        a = self.alphas
        out = {"loss": barrier(self.loss, a), "error": barrier(self.error, a),
               "loss matched": barrier(self.loss_matched, a),
               "error matched": barrier(self.error_matched, a)}
        for key in ("loss", "error"):
            v = getattr(self, f"{key}_signed")
            out[f"{key} signed"] = np.nan if v is None else barrier(v, a)
        return out


def _signed_alignment(network, theta_a, theta_b):
    """``theta_b`` aligned to ``theta_a`` by permutations and sign flips, for an MLP of an
    odd activation (:func:`uniqnets.models.align`, on the same flat layout); else None."""
    if network.kind != "mlp" or network.cfg["activation"] not in ("tanh", "linear"):
        return None
    from ..models import MLP, align

    model = MLP(network.cfg["sizes"], network.cfg["activation"])
    a, b = (np.asarray(t, np.float64) for t in (theta_a, theta_b))
    return np.asarray(align(model, a, b, flip_signs=True)[0], np.asarray(theta_b).dtype)


def matched_pair(name: str, pair: int, *, hidden=None, epochs: float = 8.0, alphas=ALPHAS,
                 progress: bool = False, **setup_kw) -> MatchedPair:
    """Two networks of independent seeds ``2 pair`` and ``2 pair + 1``, aligned by matching.

    Each network follows :func:`fashion_setup`'s recipe with its own initialisation and
    data order to the end of the schedule.  The test loss and error along the straight
    line between the two end points are measured before and after the second network's
    hidden units are permuted by weight matching (:func:`weight_matching`), which leaves
    its function unchanged; for an MLP of an odd activation also after alignment by
    permutations and sign flips (:func:`uniqnets.models.align`).

    Parameters
    ----------
    name : {"MLP", "linear", "CNN"}
    pair : int >= 0
    hidden : sequence of int, optional
        Hidden widths of the MLP or linear network.
    epochs : float > 0
    alphas : array
    progress : bool
    **setup_kw
        More arguments of :func:`fashion_setup`.

    Returns
    -------
    MatchedPair

    References
    ----------
    R. Entezari, H. Sedghi, O. Saukh, B. Neyshabur, "The role of permutation invariance
    in linear mode connectivity of neural networks", ICLR 2022, arXiv:2110.06296;
    S. K. Ainsworth, J. Hayase, S. Srinivasa, "Git Re-Basin: merging models modulo
    permutation symmetries", ICLR 2023, arXiv:2209.04836.

    Examples
    --------
    >>> from uniqnets.practice import matched_pair
    >>> m = matched_pair("MLP", 0, hidden=(16, 8), epochs=0.2, n_train=1280,
    ...                  n_test=200)                                   # doctest: +SKIP
    >>> m.n_params                                                     # doctest: +SKIP
    12704
    """
    name = check_choice(name, "name", ("MLP", "linear", "CNN"))
    pair = check_int(pair, "pair", lo=0)
    seeds = (2 * pair, 2 * pair + 1)
    ends, accuracy = [], []
    for s in seeds:
        setup = fashion_setup(name, s, epochs=epochs, hidden=hidden, **setup_kw)
        bar = _bar(setup.n_steps, f"{name} seed {s}", progress)
        tm = setup.train_map
        theta = tm.params(_train(setup, tm.init_state(setup.theta0), 0, setup.n_steps, bar))
        if bar is not None:
            bar.close()
        ends.append(theta)
        accuracy.append(tm.accuracy(theta, setup.X_test, setup.Y_test))
    net, X, Y = setup.network, setup.X_test, setup.Y_test
    before = interpolation_path(net, ends[0], ends[1], X, Y, alphas=alphas)
    dist = parameter_distance(net, ends[0], ends[1])  # matches b to a (weight_matching)
    # the permuted copy in the precision of the run (a permutation is exact in any dtype)
    aligned = np.asarray(dist.matching.theta, dtype=np.asarray(ends[1]).dtype)
    after = interpolation_path(net, ends[0], aligned, X, Y, alphas=alphas)
    widths = tuple(net.cfg["sizes"][1:-1]) if net.kind == "mlp" else tuple(net.cfg["channels"])
    signed = _signed_alignment(net, ends[0], ends[1])
    extra = {}
    if signed is not None:
        path = interpolation_path(net, ends[0], signed, X, Y, alphas=alphas)
        extra = {"error_signed": np.asarray(path.error), "loss_signed": np.asarray(path.loss),
                 "distance_signed": _relative(ends[0], signed)}
    return MatchedPair(name, widths, net.n_params, seeds, np.array(accuracy),
                       np.asarray(before.alphas), np.asarray(before.error),
                       np.asarray(before.loss), np.asarray(after.error),
                       np.asarray(after.loss), float(dist.raw), float(dist.aligned),
                       int(dist.matching.n_sweeps), **extra)


def width_table(pairs) -> list[dict]:
    """Per network and width: loss and error barriers before and after weight matching.

    Parameters
    ----------
    pairs : list of MatchedPair

    Returns
    -------
    list of dict
        One row per (network, hidden widths), by parameter count: ``network``, ``hidden``,
        ``n_params``, ``n_pairs``, ``accuracy`` (mean over both networks of every pair),
        and for each of ``loss``, ``error``, ``loss matched``, ``error matched``,
        ``loss signed``, ``error signed`` (NaN where signed alignment does not apply)
        the mean barrier and its 95 % t-interval (key suffix ``_ci``), and the mean relative
        parameter distance before and after matching (``distance``,
        ``distance_matched``).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import MatchedPair, width_table
    >>> a = np.linspace(0, 1, 3)
    >>> m = MatchedPair("MLP", (4,), 50, (0, 1), np.array([0.8, 0.8]), a,
    ...                 np.array([0.2, 0.5, 0.2]), np.array([0.5, 1.5, 0.5]),
    ...                 np.array([0.2, 0.25, 0.2]), np.array([0.5, 0.6, 0.5]), 1.4, 1.0, 3)
    >>> r = width_table([m, m])[0]
    >>> round(r["loss"], 3), round(r["loss matched"], 3), r["loss_ci"]
    (1.0, 0.1, 0.0)
    """
    from ._seeds import t_interval

    pairs = _results(pairs, "pairs", MatchedPair)
    rows = []
    keys = sorted({(p.network, tuple(p.hidden), p.n_params) for p in pairs},
                  key=lambda k: (k[0], k[2]))
    for name, hidden, n in keys:
        mine = [p for p in pairs if p.network == name and tuple(p.hidden) == hidden]
        row = {"network": name, "hidden": hidden, "n_params": n, "n_pairs": len(mine),
               "accuracy": float(np.mean([p.accuracy for p in mine]))}
        for key in ("loss", "error", "loss matched", "error matched", "loss signed",
                    "error signed"):
            row[key], row[f"{key}_ci"] = t_interval([p.barriers()[key] for p in mine])
        row["distance"] = float(np.mean([p.distance for p in mine]))
        row["distance_matched"] = float(np.mean([p.distance_matched for p in mine]))
        rows.append(row)
    return rows


def permutation_check(network, theta, X, Y, rng) -> dict:
    """Weight matching on a network and a randomly permuted copy of itself.

    The copy computes the same function; matching must recover the permutation and
    the aligned copy must equal ``theta`` bit for bit, so that the loss barrier of the
    straight line between them, positive before matching, vanishes after it.

    Parameters
    ----------
    network : Network
        An MLP or a CNN.
    theta : array, shape (n_params,)
    X, Y : arrays
        Inputs and labels on which the barriers are evaluated.
    rng : numpy.random.Generator
        Draws the permutations.

    Returns
    -------
    dict
        ``recovered`` (every permutation found), ``identical`` (the aligned copy equals
        ``theta``), ``barrier_before`` and ``barrier_after`` (loss barriers, nats).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import mlp, permutation_check
    >>> net = mlp((4, 6, 3))
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.standard_normal((20, 4)), rng.integers(0, 3, 20)
    >>> c = permutation_check(net, net.init(rng), X, Y, rng)
    >>> c["recovered"], c["identical"], c["barrier_after"] == 0.0
    (True, True, True)
    """
    from .._validate import check_rng
    from ._matching import _check_theta, permute, weight_matching
    from ._models import Network

    if not isinstance(network, Network):
        raise TypeError(f"network must be a Network, got {type(network).__name__}")
    if network.kind not in ("mlp", "cnn"):
        raise ValueError(f"network must be an MLP or a CNN, got a {network.kind}")
    theta = _check_theta(network, theta, "theta")
    rng = check_rng(rng)
    widths = (network.cfg["sizes"][1:-1] if network.kind == "mlp"
              else network.cfg["channels"])
    perms = [rng.permutation(w) for w in widths]
    copy = permute(network, theta, perms)
    match = weight_matching(network, theta, copy)
    aligned = np.asarray(match.theta, theta.dtype)
    return {"recovered": all(np.array_equal(p[q], np.arange(len(q)))
                             for p, q in zip(perms, match.perms, strict=True)),
            "identical": bool(np.array_equal(aligned, theta)),
            "barrier_before": interpolation_path(network, theta, copy, X, Y).loss_barrier,
            "barrier_after": interpolation_path(network, theta, aligned, X, Y).loss_barrier}
