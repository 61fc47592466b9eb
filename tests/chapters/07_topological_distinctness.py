"""Checks of the page on trajectories' diagrams (notebooks/07_topological_distinctness.md).

Distances are exact algorithms (gudhi's exact bottleneck, an optimal assignment, exact
Hausdorff and curve distances), so a bound can be exceeded only by rounding: a relative
1e-12 covers the few ulps of O(1) distances.
"""


def check_no_run_diverged(rec):
    """No training run diverged (the learning rate suits the network)."""
    # a diverged run stops early and its cloud would not be comparable
    assert rec["n_diverged"] == 0, f"{rec['n_diverged']} runs diverged; lower lr"


def check_stability_bound_on_training_pairs(rec):
    """W_inf <= 2 d_H in H0 and H1 on every pair of training runs."""
    # exact distances: only rounding (1e-12 relative) can push the ratio over 1
    assert rec["stability_ratio_max_training"] <= 1 + 1e-12, rec["stability_ratio_max_training"]


def check_same_seed_gives_identical_trajectories(rec):
    """The same seed twice: bit-identical iterates, every distance exactly zero."""
    # a run is a deterministic function of its seed: zero, not merely small
    assert rec["repeat_identical"], "two runs from the same seed differ"
    assert rec["repeat_distance_max"] == 0.0, rec["repeat_distance_max"]


def check_perturbed_diagrams_differ(rec):
    """A 1e-12 perturbation of the initial point already changes the H0 diagram."""
    # any metric change of the cloud moves some merge height; zero would mean no change at all
    assert rec["perturbed_winf0_min"] > 0, rec["perturbed_winf0_min"]


def check_perturbed_runs_agree_to_six_digits(rec):
    """The perturbed runs stay within 1e-6 of the reference (Hausdorff)."""
    # 1e-12 amplified at most 1e6-fold: "the same run for every practical purpose"
    assert rec["perturbed_dH_max"] < 1e-6, rec["perturbed_dH_max"]


def check_independent_h0_diagrams_differ(rec):
    """Every pair of independent runs has distinct H0 diagrams (part 2 with k = 0)."""
    # equal diagrams of independent runs have probability zero (Lemma 20)
    assert rec["winf_h0_indep_min"] > 0, rec["winf_h0_indep_min"]


def check_independent_curves_separated_beyond_spacing(rec):
    """Independent curves are farther apart than the largest step between checkpoints."""
    # part 3 at the sample's own resolution: a ratio above 1 is resolved by the sampling
    assert rec["separation_over_spacing_min"] > 1, rec["separation_over_spacing_min"]


def check_reshuffled_curves_meet(rec):
    """Same initial point, other batch order: clouds and curves at distance exactly zero."""
    if "reshuffled_dist_S" not in rec:  # SGD not studied: no reshuffled run
        return
    # both runs start at the same bit-identical point
    assert rec["reshuffled_dist_S"] == 0.0 and rec["reshuffled_dist_curve"] == 0.0


def check_reshuffled_diagrams_differ(rec):
    """Same initial point, other batch order: different H0 diagrams."""
    if "reshuffled_winf0" not in rec:  # SGD not studied: no reshuffled run
        return
    # another batch sequence moves every later checkpoint
    assert rec["reshuffled_winf0"] > 0, rec["reshuffled_winf0"]


def check_mirror_run_is_exact_image(rec):
    """The mirror run is the sign-flipped reference, bit for bit, at every checkpoint."""
    # negation is exact in floating point and tanh is odd: no tolerance
    assert rec["mirror_exact"], "the mirror run differs from phi(ref)"


def check_mirror_diagrams_identical(rec):
    """The mirror run's diagrams equal the reference's: every W_inf and W_1 is zero."""
    # the clouds are isometric exactly (sign flips of coordinates): no rounding at all
    assert rec["mirror_winf_max"] == 0.0 and rec["mirror_w1_max"] == 0.0


def check_symmetric_diagrams_within_rounding_bound(rec):
    """The signed-permutation run's diagrams differ by at most the stability bound of its gap."""
    # 2 x equivariance gap + 2 (d + 2) eps x diameter, per optimiser (derived on the page)
    assert rec["symmetric_over_tol_max"] <= 1, rec["symmetric_over_tol_max"]


def check_mirror_same_function_at_positive_distance(rec):
    """The mirror network computes exactly the same outputs, from a curve at positive distance."""
    # exact symmetry: zero output difference; the flip moves the parameters
    assert rec["mirror_function_distance_max"] == 0.0, rec["mirror_function_distance_max"]
    assert rec["mirror_dist_curve_min"] > 0, rec["mirror_dist_curve_min"]


def check_alignment_leaves_diagrams_unchanged(rec):
    """Aligning a run by a signed permutation moves its diagrams only by rounding."""
    # bound 2 (d + 2) eps x diameter for the rounding of the pairwise distances
    assert rec["align_change_over_rounding_max"] <= 1, rec["align_change_over_rounding_max"]


def check_alignment_never_moves_final_points_apart(rec):
    """Weight matching never increases the distance between the final points."""
    # it starts from the identity and only improves <theta_ref, g theta> (norms preserved)
    assert rec["align_final_growth_max"] <= 1 + 1e-12, rec["align_final_growth_max"]


def check_stability_bound_on_two_schedules(rec):
    """W_inf <= 2 d_H also for two checkpoint schedules of one run."""
    # exact distances: rounding only
    assert rec["sampling_stability_ratio_max"] <= 1 + 1e-12, rec["sampling_stability_ratio_max"]


def check_two_schedules_give_different_diagrams(rec):
    """One curve sampled on two schedules has different H0 diagrams at every density."""
    # the shifted schedule moves every checkpoint but the first
    assert rec["sampling_winf_same_curve_min"] > 0, rec["sampling_winf_same_curve_min"]


def check_sampling_distance_comparable_to_independent(rec):
    """Sampling alone gives W_inf at least a tenth of the median over independent pairs."""
    # the prose says "the same order of magnitude"; robustness over 10 seeds shows 0.27 to 4.2
    assert rec["same_run_over_indep_median"] > 0.1, rec["same_run_over_indep_median"]


def check_convex_rate_matches_hessian(rec):
    """Two convex runs contract at the Hessian's rate max |1 - eta lambda|."""
    # a log-linear fit over hundreds of steps recovers the per-step factor to a few 1e-3
    assert abs(rec["convex_rate_measured"] - rec["convex_rate_predicted"]) < 5e-3
