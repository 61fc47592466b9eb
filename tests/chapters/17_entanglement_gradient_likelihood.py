"""Checks of notebooks/17_entanglement_gradient_likelihood.md (Algorithm 2 and the
likelihood derivation), over its recorded values."""

import math

from uniqnets.book import chance


def check_iteration_matches_closed_form(rec):
    """Algorithm 2 with one matrix equals its closed form (Eq. eq-gd)."""
    # five 2 x 2 updates: the two differ by rounding only
    assert rec["gd_closed_form_rel_err"] < 1e-12, rec["gd_closed_form_rel_err"]


def check_monte_carlo_matches_cone_fraction(rec):
    """Reading (a)'s Monte-Carlo fractions agree with the exact cone fractions."""
    # binomial sd over models x inputs, plus one input of discreteness; 5 sd over the
    # lambdas (the fractions of one model set are correlated across lambda)
    assert rec["gd_mc_vs_exact_worst_z"] < 5, rec["gd_mc_vs_exact_worst_z"]


def check_collapse_grows_with_lambda_and_eta(rec):
    """Reading (a): collapsed fraction below 0.9 at the smallest lambda and above it at the
    largest; larger at the largest learning rate than at the smallest."""
    # exact cone fractions: 0.02 and 0.999 at seed 0, far from 0.9 on either side
    frac, eta = rec["gd_frac_a_exact"], rec["gd_frac_eta"]
    assert frac[-1] > 0.9 > frac[0], (frac[0], frac[-1])
    assert eta[-1] > eta[0], (eta[0], eta[-1])


def check_divergence_counts_are_consistent(rec):
    """Every run whose unstopped product is not finite is also stopped by the library."""
    # a non-finite product implies an overflowing error on the way (certain)
    assert rec["gd_n_nonfinite"] <= rec["gd_n_stop"] <= rec["gd_n_runs_b"]


@chance(3e-6)
def check_hyperplane_mean_is_theta_over_pi(rec):
    """Eq. 10: the separated fraction has mean theta/pi at every angle."""
    # a mean of n_hash x n_rep Bernoulli draws; 5 binomial sd two-sided, 5 angles:
    # P <= 5 x 5.7e-7
    assert max(rec["lsh_z_mean"]) < 5, rec["lsh_z_mean"]


@chance(3e-6)
def check_hyperplane_count_is_binomial(rec):
    """Eq. 11: the count has binomial variance at every angle."""
    # the sample variance of n_rep draws has relative se sqrt(2/(n_rep-1)); 5 se, 5 angles
    for v in rec["lsh_var_ratio"]:
        assert abs(v - 1) < 5 * rec["lsh_var_ratio_se"], v


@chance(3e-6)
def check_kept_rows_separate_by_side(rec):
    """Eq. 12 fails: kept rows separate far less than theta/pi below pi/2, far more above."""
    # the mean over n_rep repetitions, 5 se one-sided per angle, 4 angles off pi/2
    for t, p, se in zip(rec["lsh_theta0"], rec["lsh_p_kept"], rec["lsh_p_kept_se"],
                        strict=True):
        if t < 0.5:
            assert p + 5 * se < t, (t, p, se)
        elif t > 0.5:
            assert p - 5 * se > t, (t, p, se)


def check_eq7_identity_only_at_k_equal_n_theta(rec):
    """Eq. 7's second equality holds at k = n theta0 and not at k = 50."""
    # exact arithmetic up to rounding
    assert math.isclose(*rec["eq7_k30"], abs_tol=1e-9)
    assert abs(rec["eq7_lhs_k50"] - rec["eq7_rhs"]) > 1
