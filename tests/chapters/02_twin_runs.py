"""Checks of chapter 02 (notebooks/02_twin_runs.md), over its recorded values."""

import numpy as np

from uniqnets.book import chance


def check_small_rate_twins_do_not_diverge(rec):
    """At the small rate the twins' mean growth rate is below 1 % of the chaotic exponent."""
    # two orders of magnitude: the rate may be slightly positive while the run crosses
    # regions of negative curvature, but chaos would give a rate of order lam_chaos
    assert rec["twin_rate_small"] < 0.01 * rec["lam_chaos"]


def check_chaotic_twins_separate_to_parameter_scale(rec):
    """At the chaotic rate the twins separate to a tenth of the parameters' norm."""
    # the attractor's size is the parameters' scale; a tenth is far above delta0 = 1e-10
    assert rec["twin_max_chaos"] > 0.1 * rec["norm_chaos"]


def check_chaotic_twins_stay_apart(rec):
    """Chaotic twins end at least a hundredth of their largest separation apart."""
    # they wander independently over the attractor; reconvergence would need a stable orbit
    assert rec["twin_final_chaos"] > 0.01 * rec["twin_max_chaos"]


def check_chaotic_twins_stay_bounded(rec):
    """The chaotic twins never diverge (the weight decay confines them)."""
    # the proof's ||theta1 - theta2|| -> infinity would contradict the compact set it assumes
    assert not rec["twin_chaos_diverged"]


def check_linearisation_error_is_second_order(rec):
    """The miss of the linearised map scales like the offset (log-log slope 0.8 to 1.2)."""
    # rounding adds ~1e-8 relative at delta = 1e-7 and the third-order term ~1e-2 at 1e-3:
    # together they bend the slope by less than 0.2
    assert 0.8 < rec["lin_slope"] < 1.2


def check_linearisation_is_accurate_at_small_offset(rec):
    """At an offset of 1e-7 the linearised map misses by less than 1e-4 (relative)."""
    # the second-order remainder is ~ |delta| e^(5 lam) ~ 1e-6 over five chaotic steps
    assert rec["lin_err_smallest"] < 1e-4


def check_tangent_predictions_are_finite(rec):
    """The tangent-map prediction of the twin distance is finite wherever it is made."""
    # a non-finite miss would mean an overflowing or vanishing prediction; the edge of
    # stability is tested only where a non-chaotic rate reached it
    assert np.isfinite(rec["chaos_miss_decades"])
    assert not rec["has_eos"] or np.isfinite(rec["eos_miss_decades"])


@chance(4e-6)
def check_gradient_noise_matches_exact_variance(rec):
    """The Monte Carlo of E||Gamma v||^2 agrees with the exact value within 5 standard errors."""
    # a 5-sigma two-sided test fails with probability 5.7e-7 per batch size (independent
    # batches, a mean of n_mc >= 500 terms); six batch sizes: < 4e-6
    assert rec["gam_max_z"] < 5


def check_batch_size_times_noise_falls(rec):
    """B times the exact noise variance falls with B, by the factor (n - B) / (n - 1)."""
    # exact arithmetic of the formula: never grows
    assert np.all(np.diff(rec["gam_b_exact"]) < 0)


def check_independent_batches_separate_at_once(rec):
    """Independent batch sequences separate SGD runs by over 1e4 delta0 in one step."""
    # a noisy step ~ lr |g_B - g_B'| ~ 1e-2, many orders of magnitude above delta0
    assert rec["sgd_kick_small"] > 1e4 * rec["delta0"]


def check_shared_batches_small_rate_stay_close(rec):
    """Shared-batch twins at the small rate stay below a thousandth of one noisy step apart."""
    # sensitivity to the initial offset is negligible next to the noise at this rate
    assert rec["sgd_same_max_small"] < 1e-3 * rec["sgd_kick_small"]


def check_shared_batches_chaotic_rate_separate(rec):
    """Shared-batch twins at the chaotic rate separate to a tenth of the parameters' norm."""
    # as for gradient descent: the attractor's size is the parameters' scale
    assert rec["sgd_same_max_chaos"] > 0.1 * rec["sgd_norm_chaos"]


def check_enough_base_points_for_the_fit(rec):
    """At least three base points had twins that all reached eps (Corollary 14 fit)."""
    # a standard error from the spread of the base points needs a few of them
    assert rec["n_bases"] >= 3, "fewer than three base points whose twins all reached eps"


@chance(1e-4)
def check_divergence_time_exponent_matches_benettin(rec):
    """The exponent from the divergence times agrees with Benettin's within 4 combined errors."""
    # two estimates of one exponent with (approximately normal) errors: a 4-sigma two-sided
    # test fails with probability 6.3e-5
    assert rec["z_cor14"] < 4


def check_small_rate_twins_never_reach_eps(rec):
    """Where the exponent is not positive the twins never reach eps (no divergence time)."""
    # the law predicts no divergence; their largest separation must stay below eps
    assert rec["twin_max_small"] < rec["eps_tol"]
