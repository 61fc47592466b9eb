"""Families of training runs and every distance between their clouds and diagrams (private).

Theorem 12 of the uniqueness preprint compares the trajectories of independent training
runs. :func:`trajectory_study` trains, for each optimiser, a reference run and its
variants (the same seed again, a tiny perturbation, independent seeds, another batch
order, two symmetric copies), turns each into a cloud of checkpoints with its Rips
diagrams, and compares the reference with each variant and the independent runs with
one another (:func:`compare_clouds`). :func:`alignment_study` aligns the independent
runs to the reference by weight matching; :func:`sampling_study` compares two samplings
of one run with two runs on one schedule; :func:`convex_contraction` trains two runs of a
strongly convex problem, whose distance must decay at the rate the Hessian predicts.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from scipy.spatial.distance import pdist

from .. import data, models, stats
from .._validate import check_int, check_real
from ._checks import cloud
from ._cloud import trajectory_cloud
from ._diagram_distance import bottleneck, wasserstein
from ._persistence import rips_diagrams
from ._polyline import polyline_distance
from ._set_distance import hausdorff, set_distance, step_lengths

__all__ = ["CloudComparison", "TrajectoryStudy", "AlignmentStudy", "SamplingStudy",
           "ConvexContraction", "compare_clouds", "pair_table", "trajectory_study",
           "alignment_study",
           "sampling_study", "convex_contraction"]

_EPS = np.finfo(float).eps
_VARIANTS = ("repeat", "perturbed", "mirror", "symmetric", "reshuffled")


@dataclass(frozen=True)
class CloudComparison:
    """Every distance between two clouds and between their H0 and H1 Rips diagrams.

    Distances in the units of the points. ``hausdorff``, ``set_distance`` (closest
    points), ``curve_distance`` (closest points of the polygonal curves), ``max_step``
    (largest step between consecutive checkpoints of either cloud), and per homology
    dimension k = 0, 1 the bottleneck distance ``bottleneck[k]``, the 1-Wasserstein
    distance ``w1[k]`` and the numbers of bars ``n_bars[k]`` of the two diagrams.
    """

    hausdorff: float
    set_distance: float
    curve_distance: float
    max_step: float
    bottleneck: tuple
    w1: tuple
    n_bars: tuple

    def row(self) -> list:
        """The eight distances in the order of :func:`pair_table`'s columns."""
        return [self.hausdorff, self.set_distance, self.curve_distance, self.max_step,
                *self.bottleneck, *self.w1]


def compare_clouds(S1, S2, D1=None, D2=None) -> CloudComparison:
    """Compare two clouds of checkpoints and their Rips diagrams.

    Parameters
    ----------
    S1, S2 : array_like, shapes (n1, d) and (n2, d)
        Clouds, rows in trajectory order (the polygonal curves join consecutive rows).
    D1, D2 : list of diagrams, optional
        ``[H0, H1]`` Rips diagrams of the clouds (computed when not given).

    Returns
    -------
    CloudComparison

    References
    ----------
    D. Cohen-Steiner, H. Edelsbrunner, J. Harer, "Stability of persistence diagrams",
    Discrete Comput. Geom. 37 (2007) 103-120.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.topology import compare_clouds
    >>> S = np.c_[np.arange(4.0), np.zeros(4)]
    >>> c = compare_clouds(S, S + [0.0, 2.0])
    >>> c.hausdorff, c.curve_distance, c.bottleneck
    (2.0, 2.0, (0.0, 0.0))
    """
    S1 = cloud(S1, "S1")
    S2 = cloud(S2, "S2", dim=S1.shape[1])
    D1 = rips_diagrams(S1) if D1 is None else D1
    D2 = rips_diagrams(S2) if D2 is None else D2
    return CloudComparison(
        hausdorff=hausdorff(S1, S2), set_distance=set_distance(S1, S2),
        curve_distance=polyline_distance(S1, S2),
        max_step=float(max(step_lengths(S1).max(), step_lengths(S2).max())),
        bottleneck=tuple(bottleneck(D1[k], D2[k]) for k in (0, 1)),
        w1=tuple(wasserstein(D1[k], D2[k]) for k in (0, 1)),
        n_bars=tuple((len(D1[k]), len(D2[k])) for k in (0, 1)))


@dataclass(frozen=True)
class TrajectoryStudy:
    """The runs of :func:`trajectory_study`, their clouds, diagrams and comparisons.

    Keys are ``(optimizer, name)`` with names ``"ref"``, ``"repeat"``, ``"perturbed"``,
    ``"indep-j"`` (j = 2, ..., n_seeds), ``"reshuffled"`` (SGD only), ``"mirror"``,
    ``"symmetric"``; ``pairs`` is keyed by ``(optimizer, variant)`` and
    ``(optimizer, "a vs b")`` for the independent pairs.
    """

    model: models.MLP
    dataset: data.Dataset
    save_every: int
    perturbation: float
    thetas: dict          # every iterate, shape (n_steps + 1, d)
    clouds: dict          # every save_every-th iterate
    diagrams: dict        # [H0, H1] of each cloud
    pairs: dict           # CloudComparison of each pair
    final_loss: dict      # optimizer -> full-data loss of "ref" at the last step
    diverged: tuple       # keys of runs that diverged (stopped early)
    symmetry: dict = field(repr=False)  # flips, perms, signs of the symmetric copies

    @property
    def optimizers(self) -> list:
        """The optimisers studied, in order."""
        return list(self.final_loss)

    def independent(self, opt: str | None = None) -> dict:
        """The comparisons of independent runs (of one optimiser, or of all)."""
        return {k: p for k, p in self.pairs.items()
                if " vs " in k[1] and (opt is None or k[0] == opt)}

    def summary(self) -> dict:
        """The numbers the book records: stability ratios, pairs (a)-(d), loops, symmetry."""
        opts, pairs, ind = self.optimizers, self.pairs, self.independent()
        ratios = [max(p.bottleneck) / (2 * p.hausdorff) for p in pairs.values()
                  if p.hausdorff > 0]
        pert = [pairs[o, "perturbed"] for o in opts]
        winf0 = np.array([p.bottleneck[0] for p in ind.values()])
        sep = np.array([p.curve_distance / p.max_step for p in ind.values()])
        loops = {o: [len(self.diagrams[k][1]) for k in self.diagrams if k[0] == o] for o in opts}
        out = {
            "n_params": self.model.n_params, "final_loss": self.final_loss,
            "n_diverged": len(self.diverged),
            "stability_ratio_max_training": max(ratios),
            "stability_ratio_median_training": float(np.median(ratios)),
            "n_pairs_checked": len(pairs),
            "repeat_identical": all(np.array_equal(self.thetas[o, "ref"], self.thetas[o, "repeat"])
                                    for o in opts),
            "repeat_distance_max": max(max(p.hausdorff, *p.bottleneck, *p.w1)
                                       for p in (pairs[o, "repeat"] for o in opts)),
            "perturbed_dH_max": max(p.hausdorff for p in pert),
            "perturbed_growth_max": max(p.hausdorff for p in pert) / self.perturbation,
            "perturbed_winf0_min": min(p.bottleneck[0] for p in pert),
            "perturbed_w1_0_max": max(p.w1[0] for p in pert),
            "winf_h0_indep_median": float(np.median(winf0)), "winf_h0_indep_min": winf0.min(),
            "hausdorff_indep_median": float(np.median([p.hausdorff for p in ind.values()])),
            "dist_curve_indep_min": min(p.curve_distance for p in ind.values()),
            "separation_over_spacing_min": sep.min(), "n_indep_pairs": len(ind),
            "n_indep_pairs_equal_h1": sum(p.bottleneck[1] == 0.0 for p in ind.values()),
            "h1_bars_max": {o: max(c) for o, c in loops.items()},
        }
        if "gd" in opts:
            out["gd_h1_bars_total"] = sum(loops["gd"])
        if "sgd" in opts:
            keys = [k for k in self.clouds if k[0] == "sgd"]
            longest = max(_persistence(self.diagrams[k][1]).max(initial=0.0) for k in keys)
            spacing = min(step_lengths(self.clouds[k]).max() for k in keys)
            resh = pairs["sgd", "reshuffled"]
            out.update({"sgd_h1_longest": longest, "sgd_h1_over_spacing": longest / spacing,
                        "sgd_h1_bars_min": min(loops["sgd"]), "sgd_h1_bars_max": max(loops["sgd"]),
                        "reshuffled_dist_S": resh.set_distance,
                        "reshuffled_dist_curve": resh.curve_distance,
                        "reshuffled_dH": resh.hausdorff, "reshuffled_winf0": resh.bottleneck[0],
                        "reshuffled_winf1": resh.bottleneck[1]})
        out.update(self._symmetric_copies())
        return out

    def _symmetric_copies(self) -> dict:
        """The mirror run against phi(ref) bit for bit, the symmetric run within rounding."""
        sym, d = self.symmetry, self.model.n_params
        exact, winf_mir, w1_mir, dh_mir, curve_mir, fn, slack, winf_s, tol_s = (
            [] for _ in range(9))
        for o in self.optimizers:
            ref = self.clouds[o, "ref"]
            mirrored = np.array([models.permute_hidden(self.model, t, sym["identity"],
                                                       sym["flips"]) for t in ref])
            exact.append(np.array_equal(mirrored, self.clouds[o, "mirror"]))
            mir, s = self.pairs[o, "mirror"], self.pairs[o, "symmetric"]
            winf_mir.append(max(mir.bottleneck))
            w1_mir.append(max(mir.w1))
            dh_mir.append(mir.hausdorff)
            curve_mir.append(mir.curve_distance)
            fn.append(models.function_distance(self.model, self.thetas[o, "ref"][-1],
                                               self.thetas[o, "mirror"][-1], self.dataset.X))
            moved = np.array([models.permute_hidden(self.model, t, sym["perms"], sym["signs"])
                              for t in ref])
            gap = np.linalg.norm(moved - self.clouds[o, "symmetric"], axis=1).max()
            # by the stability theorem the diagrams move by at most twice the equivariance
            # gap, plus the rounding of the distances themselves, ~(d + 2) eps of the diameter
            tol = 2 * gap + 2 * (d + 2) * _EPS * pdist(ref).max()
            winf_s.append(max(s.bottleneck))
            tol_s.append(tol)
            slack.append(max(s.bottleneck) / tol)
        return {"mirror_exact": all(exact), "mirror_winf_max": max(winf_mir),
                "mirror_w1_max": max(w1_mir), "mirror_dH_min": min(dh_mir),
                "mirror_dist_curve_min": min(curve_mir), "mirror_function_distance_max": max(fn),
                "symmetric_winf_max": max(winf_s), "symmetric_tol_min": min(tol_s),
                "symmetric_over_tol_max": max(slack)}


def _persistence(dgm) -> np.ndarray:
    """Persistence (death - birth) of the finite bars of a diagram."""
    finite = np.isfinite(dgm[:, 1])
    return dgm[finite, 1] - dgm[finite, 0]


def trajectory_study(seed: int, optimizers=("gd", "sgd"), *, n_samples: int = 200,
                     hidden: int = 16, lr: float = 0.5, n_steps: int = 2000,
                     save_every: int = 10, batch_size: int = 20, n_seeds: int = 5,
                     perturbation: float = 1e-12) -> TrajectoryStudy:
    """Train a 2-hidden-2 tanh network's run families and compare every pair of runs.

    The data are ``n_samples`` two-moons points (softmax cross-entropy). For each
    optimiser ("gd": full-batch gradient descent, "sgd": mini-batches of ``batch_size``)
    the runs are: ``ref`` from initialisation stream 1; ``repeat``, the same again;
    ``perturbed``, from ``theta0`` plus a random vector of norm ``perturbation`` (same
    batches); ``indep-j`` from stream j = 2..n_seeds (SGD: its own batches too);
    ``reshuffled`` (SGD only), ``theta0`` with another batch sequence; ``mirror``, from
    ``theta0`` with the signs of random hidden units flipped; ``symmetric``, from a random
    signed permutation of ``theta0``. Every stream is derived from ``seed`` by
    :func:`uniqnets.stats.rng_stream`, so the result is bit-for-bit reproducible.

    Parameters
    ----------
    seed : int >= 0
    optimizers : sequence of {"gd", "sgd"}, non-empty
    n_samples, hidden, n_steps, batch_size : int >= 1
    lr : float > 0
        Learning rate (both optimisers).
    save_every : int >= 1, dividing ``n_steps``
        A cloud keeps every ``save_every``-th iterate: ``n_steps / save_every + 1`` points.
    n_seeds : int >= 2
        Independent initialisations per optimiser (``ref`` and ``indep-2..n_seeds``).
    perturbation : float > 0
        Norm of the initial perturbation of ``perturbed``.

    Returns
    -------
    TrajectoryStudy
        A diverged run is reported in ``diverged`` (its trajectory stops early).

    References
    ----------
    H. Edelsbrunner, J. Harer, *Computational Topology: An Introduction*, AMS 2010.

    Examples
    --------
    >>> from uniqnets.topology import trajectory_study
    >>> st = trajectory_study(0, ["gd"], n_samples=20, hidden=3, n_steps=20, save_every=5,
    ...                       n_seeds=2)
    >>> st.clouds["gd", "ref"].shape, st.pairs["gd", "repeat"].hausdorff
    ((5, 17), 0.0)
    """
    seed = check_int(seed, "seed", lo=0)
    if isinstance(optimizers, str) or not optimizers or not set(optimizers) <= {"gd", "sgd"}:
        raise ValueError(f"optimizers must be a non-empty list of 'gd' and 'sgd', "
                         f"got {optimizers!r}")
    n_samples = check_int(n_samples, "n_samples", lo=2)
    hidden = check_int(hidden, "hidden", lo=1)
    lr = check_real(lr, "lr", lo=0.0, lo_open=True)
    n_steps = check_int(n_steps, "n_steps", lo=1)
    save_every = check_int(save_every, "save_every", lo=1)
    if n_steps % save_every:
        raise ValueError(f"save_every must divide n_steps ({n_steps}), got {save_every}")
    batch_size = check_int(batch_size, "batch_size", lo=1, hi=n_samples)
    n_seeds = check_int(n_seeds, "n_seeds", lo=2)
    perturbation = check_real(perturbation, "perturbation", lo=0.0, lo_open=True)

    ds = data.two_moons(n_samples, np.random.default_rng(seed), noise=0.1)
    model = models.MLP((2, hidden, 2), "tanh")
    objective = models.Objective(model, ds.X, ds.Y, loss="xent")
    u = stats.rng_stream(seed, 20_000).standard_normal(model.n_params)
    delta0 = perturbation * u / np.linalg.norm(u)
    flips = [np.where(stats.rng_stream(seed, 30_000).random(hidden) < 0.5, -1.0, 1.0)]
    identity = [np.arange(hidden)]
    perms, signs = models.random_symmetry(model, stats.rng_stream(seed, 40_000))

    def init(k):
        return model.init(stats.rng_stream(seed, k))

    def train(opt, theta0, batch_seed=0):
        kw = {}
        if opt == "sgd":
            kw = {"method": "sgd", "batches": models.batch_sequence(
                n_samples, batch_size, n_steps, stats.rng_stream(seed, 10_000 + batch_seed))}
        return models.train(objective, theta0, n_steps, lr, save_every=1, **kw)

    runs = {}
    for opt in optimizers:
        th = init(1)
        runs[opt, "ref"] = train(opt, th)
        runs[opt, "repeat"] = train(opt, init(1))
        runs[opt, "perturbed"] = train(opt, th + delta0)
        for j in range(2, n_seeds + 1):
            runs[opt, f"indep-{j}"] = train(opt, init(j), batch_seed=j)
        if opt == "sgd":
            runs[opt, "reshuffled"] = train(opt, th, batch_seed=1)
        runs[opt, "mirror"] = train(opt, models.permute_hidden(model, th, identity, flips))
        runs[opt, "symmetric"] = train(opt, models.permute_hidden(model, th, perms, signs))

    clouds = {k: trajectory_cloud(r.thetas[::save_every]) for k, r in runs.items()}
    dgms = {k: rips_diagrams(c) for k, c in clouds.items()}
    pairs = {}
    for opt in optimizers:
        for other in _VARIANTS:
            if (opt, other) in runs:
                pairs[opt, other] = compare_clouds(clouds[opt, "ref"], clouds[opt, other],
                                                   dgms[opt, "ref"], dgms[opt, other])
        indep = ["ref"] + [f"indep-{j}" for j in range(2, n_seeds + 1)]
        for a, b in itertools.combinations(indep, 2):
            pairs[opt, f"{a} vs {b}"] = compare_clouds(clouds[opt, a], clouds[opt, b],
                                                       dgms[opt, a], dgms[opt, b])
    return TrajectoryStudy(
        model=model, dataset=ds, save_every=save_every, perturbation=perturbation,
        thetas={k: r.thetas for k, r in runs.items()}, clouds=clouds, diagrams=dgms,
        pairs=pairs, final_loss={o: float(runs[o, "ref"].losses[-1]) for o in optimizers},
        diverged=tuple(k for k, r in runs.items() if r.diverged),
        symmetry={"flips": flips, "identity": identity, "perms": perms, "signs": signs})


def pair_table(study: TrajectoryStudy) -> str:
    """Every pair of a :class:`TrajectoryStudy` as a Markdown table of its distances.

    Examples
    --------
    >>> from uniqnets.topology import pair_table, trajectory_study
    >>> st = trajectory_study(0, ["gd"], n_samples=20, hidden=3, n_steps=20, save_every=5,
    ...                       n_seeds=2)
    >>> pair_table(st).splitlines()[2].startswith("| gd | repeat | 0 | 0 | ")
    True
    """
    if not isinstance(study, TrajectoryStudy):
        raise TypeError(f"study must be a TrajectoryStudy, got {type(study).__name__}")
    lines = ["| optimiser | pair | $d_H$ | dist($S$) | dist($\\gamma$) | max step "
             "| $W_\\infty(H_0)$ | $W_\\infty(H_1)$ | $W_1(H_0)$ | $W_1(H_1)$ |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for (opt, name), p in study.pairs.items():
        cells = ("0" if x == 0 else f"{x:.2e}" for x in p.row())
        lines.append(f"| {opt} | {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


@dataclass(frozen=True)
class AlignmentStudy:
    """Independent runs before and after weight matching to the reference.

    Rows of ``table`` (one per independent run, all optimisers): Hausdorff distance to
    the reference before and after, distance of the final points before and after,
    distance of the curves before and after, and the bottleneck change of the run's own
    diagrams (H0 and H1, the larger) that the alignment causes, over its rounding bound.
    """

    table: np.ndarray

    def summary(self) -> dict:
        """Medians of the distances, the largest diagram change and final-point growth."""
        t = self.table
        return {"align_dH_before": float(np.median(t[:, 0])),
                "align_dH_after": float(np.median(t[:, 1])),
                "align_final_before": float(np.median(t[:, 2])),
                "align_final_after": float(np.median(t[:, 3])),
                "align_curve_before": float(np.median(t[:, 4])),
                "align_curve_after": float(np.median(t[:, 5])),
                "align_diagram_change": float(t[:, 6].max()),
                "align_change_over_rounding_max": float(t[:, 7].max()),
                "align_final_growth_max": float(np.max(t[:, 3] / t[:, 2]))}


def alignment_study(study: TrajectoryStudy) -> AlignmentStudy:
    """Align every independent run to the reference and measure again.

    One signed permutation per run, found by weight matching on the final points
    (:func:`uniqnets.models.align`), is applied to the whole trajectory. It is an isometry
    of parameter space, so the run's diagrams may change only by the rounding of the
    distances, bounded by ``2 (d + 2) eps`` times the cloud's diameter.

    Parameters
    ----------
    study : TrajectoryStudy

    Returns
    -------
    AlignmentStudy

    References
    ----------
    S. Ainsworth, J. Hayase, S. Srinivasa, "Git Re-Basin: merging models modulo
    permutation symmetries", ICLR 2023.

    Examples
    --------
    >>> from uniqnets.topology import alignment_study, trajectory_study
    >>> st = trajectory_study(0, ["gd"], n_samples=20, hidden=3, n_steps=20, save_every=5,
    ...                       n_seeds=2)
    >>> alignment_study(st).table.shape
    (1, 8)
    """
    if not isinstance(study, TrajectoryStudy):
        raise TypeError(f"study must be a TrajectoryStudy, got {type(study).__name__}")
    model, d, rows = study.model, study.model.n_params, []
    for opt, name in study.clouds:
        if not name.startswith("indep-"):
            continue
        S_ref, S_raw = study.clouds[opt, "ref"], study.clouds[opt, name]
        _, perms, signs = models.align(model, study.thetas[opt, "ref"][-1],
                                       study.thetas[opt, name][-1])
        S_al = np.array([models.permute_hidden(model, t, perms, signs) for t in S_raw])
        dg_al = rips_diagrams(S_al)
        change = max(bottleneck(dg_al[k], study.diagrams[opt, name][k]) for k in (0, 1))
        rounding = 2 * (d + 2) * _EPS * pdist(S_raw).max()
        rows.append([hausdorff(S_ref, S_raw), hausdorff(S_ref, S_al),
                     np.linalg.norm(S_ref[-1] - S_raw[-1]), np.linalg.norm(S_ref[-1] - S_al[-1]),
                     polyline_distance(S_ref, S_raw), polyline_distance(S_ref, S_al), change,
                     change / rounding])
    return AlignmentStudy(table=np.array(rows))


@dataclass(frozen=True)
class SamplingStudy:
    """H0 distances between two samplings of one run and between two runs.

    Rows of ``density`` (one per number of checkpoints at the full horizon) and of
    ``horizon`` (one per horizon at the study's checkpoint interval): number of
    checkpoints N; for run A on two schedules (every s steps from 0, and from s/2)
    W_inf, W_1 and the Hausdorff distance; for runs A and B on one schedule the same three.
    ``horizons`` are the horizons (steps); ``indep_winf`` the W_inf(H0) of every
    independent pair of the optimiser at the study's schedule.
    """

    density: np.ndarray
    horizon: np.ndarray
    horizons: np.ndarray
    indep_winf: np.ndarray
    first_step_over_median: float

    def summary(self) -> dict:
        """The numbers the book records about sampling."""
        dn, same = self.density, self.horizon[-1, 1]
        return {"sampling_N": dn[:, 0].astype(int), "sampling_N_first": int(dn[0, 0]),
                "sampling_N_last": int(dn[-1, 0]), "sampling_w1_same_first": dn[0, 2],
                "sampling_w1_same_last": dn[-1, 2], "sampling_w1_indep_first": dn[0, 5],
                "sampling_w1_indep_last": dn[-1, 5], "sampling_winf_same_curve": dn[:, 1],
                "sampling_winf_indep": dn[:, 4], "sampling_w1_same_curve": dn[:, 2],
                "sampling_w1_indep": dn[:, 5], "horizon_w1_indep": self.horizon[:, 5],
                "horizon_w1_same_curve": self.horizon[:, 2], "same_run_winf": same,
                "same_run_over_indep_median": same / np.median(self.indep_winf),
                "n_indep_closer_than_same_run": int(np.sum(self.indep_winf < same)),
                "n_indep_pairs_opt": len(self.indep_winf),
                "first_step_over_median": self.first_step_over_median,
                "sampling_stability_ratio_max": float(np.max(dn[:, 1] / (2 * dn[:, 3]))),
                "sampling_winf_same_curve_min": float(dn[:, 1].min())}


def _schedules(thetas, step, horizon):
    on = thetas[:horizon + 1:step]
    shifted = np.vstack([thetas[:1], thetas[step // 2:horizon + 1:step]])[:len(on)]
    return on, shifted


def _sampling_row(A, B, step, horizon):
    a_on, a_shift = _schedules(A, step, horizon)
    b_on, _ = _schedules(B, step, horizon)
    da, ds_, db = (rips_diagrams(x, max_dim=0)[0] for x in (a_on, a_shift, b_on))
    return [len(a_on), bottleneck(da, ds_), wasserstein(da, ds_), hausdorff(a_on, a_shift),
            bottleneck(da, db), wasserstein(da, db), hausdorff(a_on, b_on)]


def sampling_study(study: TrajectoryStudy, checkpoint_counts, optimizer: str | None = None
                   ) -> SamplingStudy:
    """Two samplings of one run against two runs on one schedule, in H0.

    Runs ``ref`` (A) and ``indep-2`` (B) of ``optimizer`` (default: the first studied).
    Density study: for each N in ``checkpoint_counts``, interval ``s = max(2, n_steps // N)``
    over the whole run. Horizon study: the study's interval over the first quarter, half
    and all of the run.

    Parameters
    ----------
    study : TrajectoryStudy
    checkpoint_counts : sequence of int >= 2
    optimizer : str, optional

    Returns
    -------
    SamplingStudy

    References
    ----------
    F. Chazal, V. de Silva, S. Oudot, "Persistence stability for geometric complexes",
    Geom. Dedicata 173 (2014) 193-214.

    Examples
    --------
    >>> from uniqnets.topology import sampling_study, trajectory_study
    >>> st = trajectory_study(0, ["gd"], n_samples=20, hidden=3, n_steps=40, save_every=4,
    ...                       n_seeds=2)
    >>> sampling_study(st, [5, 10]).density[:, 0].tolist()
    [6.0, 11.0]
    """
    if not isinstance(study, TrajectoryStudy):
        raise TypeError(f"study must be a TrajectoryStudy, got {type(study).__name__}")
    counts = [check_int(n, "checkpoint_counts", lo=2) for n in np.atleast_1d(checkpoint_counts)]
    opt = study.optimizers[0] if optimizer is None else optimizer
    if opt not in study.optimizers:
        raise ValueError(f"optimizer must be one of {study.optimizers}, got {optimizer!r}")
    A, B = study.thetas[opt, "ref"], study.thetas[opt, "indep-2"]
    n_steps, every = len(A) - 1, study.save_every
    density = np.array([_sampling_row(A, B, max(2, n_steps // N), n_steps) for N in counts])
    horizons = np.array([n_steps // 4, n_steps // 2, n_steps])
    length = np.array([_sampling_row(A, B, every, h) for h in horizons])
    indep = np.array([p.bottleneck[0] for p in study.independent(opt).values()])
    ratio = np.linalg.norm(A[every] - A[0]) / np.median(step_lengths(A[::every]))
    return SamplingStudy(density=density, horizon=length, horizons=horizons,
                         indep_winf=indep, first_step_over_median=float(ratio))


@dataclass(frozen=True)
class ConvexContraction:
    """Two gradient-descent runs of a strongly convex problem approaching each other.

    ``rate_predicted`` = ``max_i abs(1 - lr lambda_i)`` from the Hessian at the end point,
    ``rate_measured`` from a log-linear fit of the distance between the runs (per step),
    ``final_gap`` the distance of the last iterates, ``curve_distance`` that of the curves.
    """

    rate_predicted: float
    rate_measured: float
    final_gap: float
    curve_distance: float

    def summary(self) -> dict:
        """The four numbers under the book's names."""
        return {"convex_rate_predicted": self.rate_predicted,
                "convex_rate_measured": self.rate_measured,
                "convex_final_gap": self.final_gap, "convex_curve_distance": self.curve_distance}


def convex_contraction(seed: int, *, n_samples: int = 200, n_steps: int = 2000,
                       lr: float = 1.0, weight_decay: float = 0.1) -> ConvexContraction:
    """Logistic regression with weight decay on two moons: two runs from two seeds.

    Gradient descent contracts towards the unique minimiser at the per-step rate
    ``max_i |1 - lr lambda_i|`` (Hessian eigenvalues at the minimiser). The measured rate
    is fitted after step 20 and above the rounding floor (1000 eps times the norm).

    Parameters
    ----------
    seed : int >= 0
        Data from ``default_rng(seed)``, initialisations from streams 50001 and 50002.
    n_samples, n_steps : int >= 1
    lr, weight_decay : float > 0

    Returns
    -------
    ConvexContraction

    References
    ----------
    Y. Nesterov, *Lectures on Convex Optimization*, Springer 2018, Thm 2.1.15.

    Examples
    --------
    >>> from uniqnets.topology import convex_contraction
    >>> c = convex_contraction(0, n_samples=50, n_steps=300)
    >>> abs(c.rate_measured - c.rate_predicted) < 5e-3
    True
    """
    seed = check_int(seed, "seed", lo=0)
    n_samples = check_int(n_samples, "n_samples", lo=2)
    n_steps = check_int(n_steps, "n_steps", lo=30)
    lr = check_real(lr, "lr", lo=0.0, lo_open=True)
    weight_decay = check_real(weight_decay, "weight_decay", lo=0.0, lo_open=True)
    ds = data.two_moons(n_samples, np.random.default_rng(seed), noise=0.1)
    lin = models.MLP((2, 2), "linear")
    obj = models.Objective(lin, ds.X, ds.Y, loss="xent", weight_decay=weight_decay)
    r1 = models.train(obj, lin.init(stats.rng_stream(seed, 50_001)), n_steps, lr)
    r2 = models.train(obj, lin.init(stats.rng_stream(seed, 50_002)), n_steps, lr)
    H = obj.hvp(r1.final, np.eye(lin.n_params))
    lam = np.linalg.eigvalsh(0.5 * (H + H.T))
    gap = np.linalg.norm(r1.thetas - r2.thetas, axis=1)
    ok = (np.arange(len(gap)) > 20) & (gap > 1e3 * _EPS * np.linalg.norm(r1.final))
    rate = np.exp(np.polyfit(np.flatnonzero(ok), np.log(gap[ok]), 1)[0])
    return ConvexContraction(rate_predicted=float(np.max(np.abs(1 - lr * lam))),
                             rate_measured=float(rate), final_gap=float(gap[-1]),
                             curve_distance=polyline_distance(r1.thetas, r2.thetas))
