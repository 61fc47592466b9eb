"""Checks of chapter 00 (notebooks/00_same_network.md), over its recorded values."""

import numpy as np

EPS64 = np.finfo(float).eps


def check_no_run_diverges(rec):
    """No training run of the page diverges (the seed's twins, seed + 1, the n_seeds runs)."""
    # exact count: a divergence is a stopped run, whatever the seed
    assert rec["n_diverged"] == 0, f"{rec['n_diverged']} runs diverged; lower lr"


def check_same_seed_is_bit_identical(rec):
    """The same seed twice gives bit-identical runs (one machine, one BLAS thread)."""
    # exact: the same operations on the same numbers, no tolerance
    assert rec["bit_identical"], "two runs from the same seed differ"


def check_two_seeds_differ_by_order_one(rec):
    """Two seeds give trained parameters at least a tenth of the parameter norm apart."""
    # independent draws from a density differ almost surely; a tenth of the norm is an
    # order of magnitude below the typical O(1) relative distance
    assert rec["dist_two_seeds"] > 0.1 * rec["scale"]


def check_symmetry_moves_parameters(rec):
    """A random signed permutation moves the parameters by more than a tenth of their norm."""
    # a random element of a group of order 10^k (k ~ 30 here) is the identity with
    # probability 10^-k; a non-trivial one moves O(1) of the norm
    assert rec["param_shift"] > 0.1 * rec["scale"]


def check_symmetry_preserves_function(rec):
    """The permuted network's outputs agree with the original's within the rounding bound."""
    # first-order forward error bound of both passes (Higham 2002, Sec. 3.1), input by input
    excess = rec["fn_excess_max"]
    assert excess <= 0, f"outputs differ by {excess:.2e} more than the bound"


def check_alignment_undoes_symmetry(rec):
    """Weight matching applied to a permuted copy returns the original bit for bit."""
    # exact: a permutation with sign flips only moves numbers
    assert rec["alignment_exact"]


def check_training_is_equivariant(rec):
    """One gradient step from g theta_0 matches g applied to the step from theta_0, to rounding."""
    # each gradient entry sums ~ n_train * width ~ 10^3 products, each summation order
    # contributing at most ~1 ulp per term: at most ~10^3 ulps of ||theta|| after one
    # step; a broken equivariance would give gaps of O(lr)
    assert rec["equivariance_gap_first"] < 1e3 * EPS64 * rec["scale"]


def check_relu_rescaling_preserves_function(rec):
    """A rescaled ReLU network computes the same function to rounding."""
    # both passes' forward bounds plus 4 eps max|f| for the two roundings of c w and w / c
    assert rec["relu_rescale_fn_diff"] <= rec["relu_rescale_fn_tolerance"]


def check_alignment_cannot_undo_rescaling(rec):
    """Signed permutations leave most of the ReLU rescaling's distance in place."""
    # the scales exp(U(-1, 1)) change every unit's norm by O(1); a permutation cannot
    # undo that, so more than a tenth of the shift must remain
    assert rec["relu_rescale_aligned_shift"] > 0.1 * rec["relu_rescale_shift"]


def check_quotient_distance_is_shorter(rec):
    """Aligned distances never exceed raw ones (the identity is in G)."""
    # weight matching starts from the identity and only accepts improvements;
    # 1e-12 allows for the rounding of the two norms
    assert rec["aligned_minus_raw_max"] <= 1e-12


def check_trained_networks_not_related_by_symmetry(rec):
    """The median aligned distance of independent runs exceeds a tenth of the parameter norm."""
    # a tenth of the norm: an order of magnitude below the O(1) distances measured,
    # and ~10^14 times the rounding level a true symmetry would leave
    assert rec["median_aligned_distance"] > 0.1 * rec["scale"]


def check_functions_agree(rec):
    """Independently trained functions differ by under a quarter of the RMS signal."""
    # the fit leaves the label noise (0.05) and small extrapolation differences; a
    # quarter of the signal would mean the runs learned visibly different functions
    assert rec["median_function_distance"] < 0.25 * rec["test_rms_y"]


def check_training_barely_changes_quotient_distance(rec):
    """Training changes the median quotient distance by less than a factor 2."""
    # the prose says training neither brings the networks together nor pushes them
    # apart by much; a factor 2 either way is what "by much" means there
    assert 0.5 < rec["trained_over_init_aligned"] < 2
