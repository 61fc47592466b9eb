"""Checks of notebooks/03_thermodynamic_irreversibility.md, over its recorded values."""

import numpy as np

from uniqnets.book import chance

# A two-sided 4-sigma z-test fails by chance with probability 2 (1 - Phi(4)) = 6.3e-5.
P4 = 6.4e-5


@chance(0.06)
def check_fluctuation_theorem(rec):
    """The sample mean of exp(-sigma) is one within 4 standard errors, with ESS > 10 %."""
    # exp(-sigma) is heavy-tailed, so its z is not Gaussian and its ESS scatters widely: the
    # rate is measured, not derived. Over 2000 seeds at 1500 paths the check failed at 5.2 %
    # (ESS < 10 %: 4.8 %, |z| > 4: 0.45 %); over 500 seeds at 6000 paths at 5.4 % +- 1 %
    assert abs(rec["ft_ift"] - 1) < 4 * rec["ft_ift_se"], (rec["ft_ift"], rec["ft_ift_se"])
    assert rec["ft_ess_frac"] > 0.1, rec["ft_ess_frac"]


@chance(P4)
def check_mean_sigma_is_n_times_stationary_rate(rec):
    """The mean of sigma over a path matches n Sigma_st within 4 standard errors."""
    # independent paths: a 4-sigma z-test
    expected = rec["ft_n_steps"] * rec["ft_sigma_step"]
    assert abs(rec["ft_mean_sigma"] - expected) < 4 * rec["ft_mean_sigma_se"]


def check_some_paths_are_reversed(rec):
    """Between 5 % and 50 % of stationary paths have sigma < 0."""
    # the fraction is 30-36 % over 2000 seeds at 1500 paths, whose binomial standard error
    # is 1.2 %: both bounds are more than 10 standard errors away
    assert 0.05 < rec["ft_frac_negative"] < 0.5, rec["ft_frac_negative"]


def check_preprint_formula_is_half_the_limit(rec):
    """Model 2's formula gives exactly half the small-step limit of Definition 7."""
    # closed forms: only rounding separates the ratio from 1/2
    assert abs(rec["euler_preprint_ratio"] - 0.5) < 1e-12, rec["euler_preprint_ratio"]


def check_stationary_entropy_production_is_positive(rec):
    """The double well produces entropy at every step size of the scan."""
    # exact grid values (grid error 1e-6 relative, checked on the appendix page)
    assert min(rec["scan_sigma"]) > 0


def check_stationary_entropy_production_vanishes_like_eta_cubed(rec):
    """The fitted slope of Sigma_st against eta over the three smallest steps is 3 +- 0.15."""
    # exact values; the O(eta^4) correction moves the fitted slope by < 0.1 at these steps
    assert abs(rec["scan_slope"] - 3) < 0.15, rec["scan_slope"]


def check_local_slopes_fall_towards_three(rec):
    """The local slopes decrease with eta and stay above 3 (the law is asymptotic)."""
    # deterministic, exact up to the grid error of 1e-6
    local = np.asarray(rec["scan_local_slopes"])
    assert np.all(np.diff(local) < 0) and np.all(local > 3), local


def check_transient_produces_entropy_and_narrows(rec):
    """Every step of the transient produces entropy, and the system entropy falls."""
    # exact grid propagation
    assert min(rec["tr_sigma"]) > 0 and rec["tr_entropy_drop"] > 0


def check_transient_budget_balances(rec):
    """Total entropy production = Delta H + medium term, to 1e-9 relative."""
    # an identity of the exact grid computation: only rounding separates the two sides
    assert rec["tr_budget_error"] < 1e-9, rec["tr_budget_error"]


def check_boltzmann_residual_positive_and_linear_in_eta(rec):
    """The Boltzmann residual is positive at every step and falls like eta (slope 1 +- 0.15)."""
    # relative residual O(eta) at beta = 1/T (see the page); exact grid values
    assert min(rec["scan_db_residual"]) > 0 and abs(rec["scan_db_slope"] - 1) < 0.15


def check_best_beta_tends_to_inverse_temperature(rec):
    """At the smallest step the best beta is 1/T within 5 %."""
    # beta T - 1 is O(eta): 0.0125 * a coefficient of order 1
    assert abs(rec["db_beta_T_smallest"] - 1) < 0.05, rec["db_beta_T_smallest"]


def check_quadratic_loss_is_reversible(rec):
    """Langevin steps on the quadratic loss produce no entropy (closed form, to rounding)."""
    # closed form of a reversible chain: rounding only
    assert abs(rec["quadratic_sigma"]) < 1e-14, rec["quadratic_sigma"]


def check_quadratic_loss_violates_boltzmann_balance(rec):
    """On the quadratic loss the Boltzmann residual is far from zero."""
    # r_beta is a deterministic function of the pair: if balance held it would be exactly 0;
    # the measured residual is ~ 0.07 with a sampling error of ~ 1 % at 20000 steps
    assert rec["quadratic_residual"] > 0.01, rec["quadratic_residual"]


def check_symmetric_split_obeys_boltzmann_ratio(rec):
    """Split at the barrier, the two-bin rate ratio equals Boltzmann's to 1e-9."""
    # symmetry of the grid and of the loss: equality up to rounding
    assert rec["cg_sym_dev"] < 1e-9, rec["cg_sym_dev"]


def check_off_centre_split_deviates_like_eta(rec):
    """Split at 1/2, the deviation from Boltzmann's ratio falls like eta (slope 1 +- 0.15)."""
    # exact grid values; the O(eta^2) correction moves the slope by < 0.1
    assert abs(rec["scan_cut_slope"] - 1) < 0.15, rec["scan_cut_slope"]


def check_mixing_time_grows_as_temperature_falls(rec):
    """The mixing time increases at every step down in temperature."""
    # exact eigenvalues of the grid chain
    assert np.all(np.diff(rec["mix_tau"]) > 0), rec["mix_tau"]


def check_arrhenius_barrier(rec):
    """The fitted slope of ln tau against 1/T is the barrier 1/4 within 10 %."""
    # Kramers' prefactor has O(T) and O(eta) corrections, a few per cent at these T
    assert abs(rec["mix_barrier_fit"] / 0.25 - 1) < 0.1, rec["mix_barrier_fit"]


def check_kramers_law(rec):
    """The mixing time is within 20 % of Kramers' law at every temperature."""
    # the same O(T) and O(eta) corrections, largest at the warmest T
    ratio = np.asarray(rec["mix_tau"]) / np.asarray(rec["mix_tau_kramers"])
    assert np.all(np.abs(ratio - 1) < 0.2), ratio

