"""Checks of chapter 13 (notebooks/13_chaos_in_random_networks.md), over its recorded values.

The 5-standard-error tests are counted, not asserted: with a standard error estimated from
n independent networks the statistic is Student t with n - 1 degrees of freedom, and
P(|t| > 5) = 2 t.sf(5, n - 1) is 1.6e-3 for 8 networks (7 degrees of freedom) and 1.6e-4
for 16 networks (15), the fewest the page or its fast rerun uses.
"""

import numpy as np

from uniqnets.book import chance

Z = 5.0


def check_double_copy_equals_half_log_chi(rec):
    """The two-replica map and ln(chi_1)/2 give the same exponent."""
    # two computations of the same limit, O(d_lin) = 1e-7 apart
    assert abs(rec["pair_replica_minus_chi"]) < 1e-6


def check_exponential_phase_is_long_enough(rec):
    """The growth rate is fitted over at least 10 layers of exponential growth."""
    # a line through fewer layers would not test a rate (lower pair_d0 if this fails)
    assert rec["pair_n_grow"] >= 10, f"{rec['pair_n_grow']} layers; lower pair_d0"


@chance(1.6e-3)
def check_replica_growth_rate_matches_map(rec):
    """Simulated replicas separate at the map's rate plus the finite-width shift."""
    # Z standard errors over pair_nets >= 8 networks: rate 2 t.sf(5, 7) = 1.6e-3
    dev = rec["pair_slope_sim"] - rec["pair_slope_map"] - rec["pair_slope_shift"]
    assert abs(dev) < Z * rec["pair_slope_se"], f"{dev / rec['pair_slope_se']:.1f} se"


@chance(1.6e-3)
def check_replicas_saturate_on_the_map(rec):
    """Late log-distances of the replicas agree with the map's."""
    # Z standard errors over 8 networks (rate 1.6e-3) plus the delay 2|c_1| l_sat / N
    # that the finite-width shift of the rate can cause
    assert abs(rec["pair_late_dev"]) < Z * rec["pair_late_se"] + rec["pair_late_allow"]


@chance(1.6e-4)
def check_one_loop_coefficient_matches_fit(rec):
    """The fitted 1/N coefficient agrees with the one-loop value."""
    # Z standard errors of a fit over widths with n_chains >= 16 networks each: 1.6e-4
    assert abs(rec["deep_c_z"]) < Z, f"{rec['deep_c_z']:.1f} standard errors"


def check_finite_width_correction_is_resolved(rec):
    """The 1/N correction is many standard errors from zero."""
    # at the fast-rerun sizes (16 chains at widths 16 and 32) |c| / se was 9 to 16 over
    # seeds 0-9, at the defaults larger: a failure means the correction is not measured
    assert abs(rec["deep_c_fit"]) > Z * rec["deep_c_se"]


@chance(3.2e-4)
def check_threshold_matches_one_loop(rec):
    """Simulated finite-width thresholds agree with the one-loop ones."""
    # the tolerance is Z standard errors (exponents from >= 16 networks each: 1.6e-4 per
    # width, two widths at the defaults) of the statistical error and the bound on the
    # next order c_2/N^2, plus the interpolation error measured on the one-loop curve
    diff = np.abs(np.subtract(rec["thr_simulated"], rec["thr_one_loop"]))
    assert np.all(diff < np.asarray(rec["thr_tol"])), f"{diff} against {rec['thr_tol']}"


def check_threshold_moves_up_with_finite_width(rec):
    """The one-loop threshold of every width lies above the infinite-width one."""
    # c_1 < 0 (a computation): lambda_inf + c_1/N vanishes at a larger sigma_w2
    assert np.all(np.asarray(rec["thr_one_loop"]) > rec["thr_sigma_c_inf"])


def check_gauge_invariance_to_rounding(rec):
    """A local U(1) transformation leaves output moduli and growth rates unchanged."""
    # rounding: a few ulps per multiply-add over 64-term sums and 4 layers, |z| <= 1
    assert rec["gauge_output_err"] < 1e-12 and rec["gauge_growth_err"] < 1e-12


def check_split_complex_tanh_breaks_invariance(rec):
    """The negative control: the split-complex tanh is not gauge invariant."""
    # a change of order 0.1-1 in moduli <= 1; 1e-2 separates it from rounding by 10 decades
    assert rec["gauge_split_err"] > 1e-2


def check_ginn_double_copy_within_quadrature_error(rec):
    """The GINN's 4-D double copy reproduces its chi_1 within the rule's own error."""
    # Gauss-Hermite converges geometrically in the nodes, so the 28-node rule errs by less
    # than its difference from the 20-node rule (1e-8: the 1-D rule of chi_1 and rounding)
    assert abs(rec["ginn_replica_rel"]) < rec["ginn_rule_diff"] + 1e-8


@chance(1.6e-4)
def check_ginn_exponent_extrapolates_to_mean_field(rec):
    """Simulated complex networks extrapolate in 1/N to the GINN's mean-field exponent."""
    # Z standard errors, each width's exponent from n_chains >= 16 networks: 1.6e-4
    assert abs(rec["ginn_z"]) < Z, f"{rec['ginn_z']:.1f} standard errors"


def check_training_exponents_are_finite(rec):
    """No training run diverged, so every training exponent is a number."""
    # a diverged run gives NaN or inf; eta = 0.05 on this task is far from the edge
    assert np.all(np.isfinite(rec["t1_train"])), rec["t1_train"]
