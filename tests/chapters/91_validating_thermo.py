"""Checks of notebooks/91_validating_thermo.md, over its recorded values."""

import numpy as np

from uniqnets.book import chance

# A two-sided 4-sigma z-test fails by chance with probability 2 (1 - Phi(4)) = 6.3e-5.
P4 = 6.4e-5


def check_closed_form_is_the_kl_of_definition_7(rec):
    """The closed form of a step equals a brute-force KL of the 4-D Gaussian laws."""
    # two evaluations of the same Gaussian integral: rounding only
    assert rec["ou_kl_formula_err"] < 1e-10, rec["ou_kl_formula_err"]


@chance(8 * P4)
def check_path_wise_steps_match_closed_form(rec):
    """Each step's path-wise mean is within 4 standard errors of the closed form."""
    # independent paths, one 4-sigma z-test per step; with ou_steps = 8 steps the chance of
    # any false alarm is at most 8 x 6.4e-5 (a union bound; the steps share paths)
    assert np.all(np.abs(rec["ou_z"]) < 4), rec["ou_z"]


def check_path_wise_estimate_resolves_each_step(rec):
    """Each step's standard error is below 10 % of its exact value."""
    # at 1500 paths the largest relative error is ~ 5 %, at 6000 paths ~ 2.5 %; the standard
    # error itself scatters by ~ 2 % of its value (sqrt(1 / (2 n))), so 10 % cannot be crossed
    assert np.all(np.asarray(rec["ou_mc_se"]) < 0.1 * np.asarray(rec["ou_exact"]))


def check_euler_error_is_first_order(rec):
    """The fitted order of the Euler chain's error in eta is 1 within 0.1."""
    # Euler-Maruyama: error c1 eta + c2 eta^2; over eta <= 0.2 the c2 term moves the slope < 0.1
    assert abs(rec["euler_order"] - 1) < 0.1, rec["euler_order"]


def check_euler_limit_reaches_the_rate(rec):
    """At the smallest step the Euler chain's rate is within 2 % of the continuous one."""
    # first-order error: 0.5 % at eta = 0.00625 for this process (deterministic)
    ratio = rec["euler_per_time"][-1] / rec["euler_rate"]
    assert abs(ratio - 1) < 0.02, ratio


def check_metropolis_chain_produces_nothing(rec):
    """A Metropolis chain produces no entropy (to rounding)."""
    # detailed balance is exact by construction: each term of Schnakenberg's sum is 0
    assert abs(rec["finite_metropolis"]) < 1e-15, rec["finite_metropolis"]


def check_driven_cycle_matches_exact_value(rec):
    """The driven 3-cycle's entropy production is (p - q) ln(p / q)."""
    # closed form: rounding only
    assert abs(rec["finite_cycle"] - rec["finite_cycle_exact"]) < 1e-14


def check_grid_reference_is_converged(rec):
    """A 1.5 times finer grid changes the stationary entropy production by < 1e-6."""
    # trapezoidal rule on a smooth kernel: the error falls faster than any power of the step
    assert rec["dw_grid_rel_change"] < 1e-6, rec["dw_grid_rel_change"]


@chance(P4)
def check_path_wise_stationary_estimate(rec):
    """The path-wise stationary estimate is within 4 standard errors of the grid value."""
    # independent walkers: a 4-sigma z-test
    assert abs(rec["dw_path_z"]) < 4, rec["dw_path_z"]


@chance(P4)
def check_path_wise_transient_medium(rec):
    """The path-wise medium term of the transient is within 4 standard errors of the grid's."""
    # independent walkers: a 4-sigma z-test
    assert abs(rec["tr_z"]) < 4, rec["tr_z"]
