"""Checks of the appendix page notebooks/90_validating_lyapunov.md, over its recorded values."""

import numpy as np

from uniqnets.book import chance


def check_logistic_exponent_is_ln2(rec):
    """The logistic map at r = 4 gives ln 2 to within 25 / n."""
    # the sum telescopes to n ln 2 plus a boundary term bounded by 25 (see the unit
    # tests), so the error is below 25 / n, not a statistical 1 / sqrt(n)
    assert abs(rec["log_err"]) < 25 / rec["n_validate"]


def check_henon_sum_is_ln_b(rec):
    """The two Hénon exponents sum to ln 0.3 up to rounding."""
    # det DF = -b at every step, so the sum is exact up to rounding of n ~ 1e4 logs
    assert abs(rec["hen_sum_err"]) < 1e-12


@chance(2e-6)
def check_henon_matches_literature(rec):
    """Both Hénon exponents agree with the literature within 5 standard errors plus its error."""
    # a 5-sigma two-sided normal test fails with probability 5.7e-7; two exponents: < 2e-6
    miss, se = np.asarray(rec["hen_miss"]), np.asarray(rec["hen_se_all"])
    assert np.all(miss < 5 * se + np.asarray(rec["hen_ref_err"]))


@chance(2e-6)
def check_lorenz_matches_literature(rec):
    """The Lorenz exponents agree with the literature within 5 standard errors, its error, RK4."""
    # 5 sigma per exponent (5.7e-7 each, three exponents, the middle one at 0 nearly
    # exactly), plus the reference's uncertainty and the O(dt^4) ~ 1e-4 RK4 bias (1e-3)
    miss, se = np.asarray(rec["lor_miss"]), np.asarray(rec["lor_se_all"])
    assert np.all(miss < 5 * se + np.asarray(rec["lor_ref_err"]) + 1e-3)


def check_lorenz_sum_is_divergence(rec):
    """The Lorenz exponents sum to -(sigma + 1 + beta) within the RK4 error of log det."""
    # the RK4 error of log det at dt = 0.01 is (22 dt)^5 / 120 / dt ~ 4e-4
    assert abs(rec["lor_sum_err"]) < 4e-4


@chance(3e-6)
def check_gaussian_products_match_newman(rec):
    """Products of 4 x 4 Gaussian matrices agree with Newman's spectrum within 5 standard errors."""
    # independent factors: a 5-sigma test per exponent fails with probability 5.7e-7;
    # four exponents: < 3e-6
    assert rec["gau_max_z"] < 5


def check_tangent_map_matches_finite_differences(rec):
    """The exact tangent map of a training step agrees with central differences to 1e-6."""
    # truncation O(h^2) ~ 1e-10 and rounding ~ 1e-16 / h ~ 1e-11 relative; a wrong term in
    # the Hessian-vector product would be O(1)
    assert rec["fd_rel_err"] < 1e-6


def check_matrix_free_equals_dense_at_minimum(rec):
    """At the minimum, matrix-free Benettin estimates equal the dense QR loop to 1e-5."""
    # the orbit stays within ~lr |grad| n ~ 1e-6 of theta*, which changes each increment
    # by ~|D^3 L| 1e-6
    assert len(rec["lrs_stable"]) > 0 and rec["dense_diff"] < 1e-5
