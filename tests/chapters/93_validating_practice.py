"""Checks of page 93 (notebooks/93_validating_practice.md), over its recorded values."""

import numpy as np

EPS = np.finfo(np.float64).eps


def check_loss_matches_the_numpy_library(rec):
    """The JAX loss equals uniqnets.models' to rounding."""
    # the same operations in another order: a hundred ulps of the loss
    assert rec["err_loss"] < 100 * EPS * rec["scale_loss"], rec["err_loss"]


def check_gradient_and_hvp_match_the_numpy_library(rec):
    """The JAX gradient and Hessian-vector products equal uniqnets.models' to rounding."""
    # sums over 96 samples and ~800 parameters in another order: a thousand ulps of the
    # largest entry
    assert rec["err_grad"] < 1e3 * EPS * rec["scale_grad"], rec["err_grad"]
    assert rec["err_hvp"] < 1e3 * EPS * rec["scale_hvp"], rec["err_hvp"]


def check_trajectory_and_exponents_match_the_numpy_library(rec):
    """A 50-step trajectory and the top two exponents equal uniqnets.models' to rounding."""
    # 1e-16 differences grown by at most ~1.1 per step over 50 steps
    assert rec["err_traj"] < 1e-10, rec["err_traj"]
    # the same QR loop on tangents equal to ~1e-13
    assert rec["err_lam"] < 1e-9, rec["err_lam"]


def check_the_minimum_is_strict_and_stable(rec):
    """The polished point is a critical point, a strict minimum, and stable for GD."""
    # Newton's method converges quadratically: 1e-8 is far above its floor
    assert rec["grad_norm_star"] < 1e-8, rec["grad_norm_star"]
    assert rec["mu_min_star"] > 0 and rec["lr_min"] * rec["mu_max_star"] < 2


def check_spectra_match_their_closed_forms(rec):
    """The full spectra at the minimum and of heavy-ball momentum match their closed forms."""
    # the QR spectrum of a constant Jacobian converges like 1/n, with a constant set by
    # log|det| of minors of the start frame: 20 / n at the minimum, 50 / n for the
    # non-normal momentum blocks, whose complex pairs oscillate
    assert rec["err_star"] < 20 / rec["n_validate"], rec["err_star"]
    assert rec["err_hb"] < 50 / rec["n_validate"], rec["err_hb"]


def check_heavy_ball_volume_rate_is_exact(rec):
    """The sum of the heavy-ball exponents equals the exact volume contraction rate."""
    # the sum of QR log-diagonals is log|det J| per step exactly, up to rounding
    assert rec["sum_err_hb"] < 1e-9, rec["sum_err_hb"]
