"""Checks of chapter 01 (notebooks/01_chaotic_divergence.md), over its recorded values."""

import numpy as np


def check_polished_point_is_strict_minimum(rec):
    """The Newton polish found a strict minimum: gradient at rounding level, Hessian > 0."""
    # mu_min is many orders of magnitude above the ~1e-12 accuracy of the eigenvalues
    assert rec["grad_norm_star"] < 1e-8 and rec["mu_min_star"] > 1e-8


def check_run_approaches_minimum(rec):
    """The gradient-descent distance to the minimum falls over the second half of the run."""
    # strictly monotone: inside the contraction ball every step brings the run closer
    dist = np.asarray(rec["dist_path"])
    assert np.all(np.diff(dist[len(dist) // 2:]) < 0) and dist[-1] < dist[0]


def check_some_rate_is_stable(rec):
    """At least one learning rate of the scan lies below 2 / sharpness of the minimum."""
    # no tolerance: a count
    assert len(rec["lrs_stable"]) > 0, "no learning rate of the scan is below 2 / sharpness"


def check_exponents_at_minimum_are_negative(rec):
    """Every stable rate: all measured and asymptotic exponents of the minimum are negative."""
    # each QR increment is at most ln||I - eta H|| < 0, so no tolerance is needed
    assert rec["measured_max"] < 0 and rec["predicted_max"] < 0


def check_diverged_runs_have_no_exponent(rec):
    """A diverged run of the scan carries NaN as its exponent, never a huge number."""
    # exact: the library reports NaN for a run that stopped being finite
    assert rec["diverged_scan"] == rec["nan_scan"]


def check_chaotic_exponent_is_resolved(rec):
    """At the chaotic rate the top exponent is more than five standard errors above zero."""
    # five batch-means standard errors; the window is doubled (at most three times) until
    # it is, so a failure means the exponent is not resolved even over 8 windows
    assert rec["lam_chaos"] - 5 * rec["se_chaos"] > 0


def check_lemma10_premise_holds(rec):
    """The expected Jacobian is expanding somewhere along the small-rate run (gamma > 0)."""
    # no tolerance: a random tanh network's Hessian has negative eigenvalues of order 1e-3
    assert rec["gamma_lemma"] > 0


def check_small_rate_converges_to_contracting_minimum(rec):
    """The small rate is a stable rate of the minimum, whose asymptotic exponent is negative."""
    # exact inequalities of Eq. (fixed point)
    assert rec["eta_mu_small"] < 2 and rec["pred_star_lr_small"] < 0


def check_chaotic_rate_counts_as_chaotic(rec):
    """The chaotic rate is among the rates whose exponent is at least 1 % of the chaotic one."""
    # the definition of "chaotic" used by the scope section; a consistency check
    assert rec["lr_chaos"] in rec["flat_chaotic"]
