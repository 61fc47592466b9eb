"""Checks of notebooks/16_entanglement_lyapunov.md (the Lyapunov gap, the readings of the
selection step, norm controls, spacetime delay), over its recorded values."""

from uniqnets.book import chance


def check_some_rate_cells_reach_four_efolds(rec):
    """At least one (k, n) cell covers four e-folds of the predicted decay."""
    # the rate comparisons below are over these cells; none would make them vacuous
    assert rec["rate_worst_z_cells"] >= 1


def check_tracked_decay_rate_matches_gap(rec):
    """The decay rate of log cot theta of the test outputs equals Delta in every cell."""
    # batch-means se over >= 100 layers x models; 4 se per cell over ~12 cells: a
    # family-wise false-alarm rate ~1e-3 (batch means are only asymptotically normal,
    # so not marked as a computed chance); the quadrature's own error is ~1e-6
    assert rec["rate_worst_z_tracked"] < 4, rec["rate_worst_z_tracked"]


def check_qr_gap_matches_gap(rec):
    """The gap of the top two QR exponents of the trained product equals Delta."""
    # as above: batch means over the second half of the run, 4 se per cell
    assert rec["rate_worst_z_qr"] < 4, rec["rate_worst_z_qr"]


def check_training_growth_matches_quadrature(rec):
    """The growth rate of the training vector equals lambda_train of the quadrature."""
    # as above: 4 batch-means se per cell
    assert rec["rate_worst_z_growth"] < 4, rec["rate_worst_z_growth"]


@chance(2e-6)
def check_signed_quadrature_matches_draws(rec):
    """The signed lambda_train by quadrature agrees with sorted Monte-Carlo draws."""
    # a mean of i.i.d. draws, 5 se two-sided, 3 cells: P <= 3 x 5.7e-7
    z = [v for name, v in rec.items() if name.startswith("signed_quad_z_")]
    assert len(z) == 3 and max(z) < 5, z


@chance(6e-7)
def check_signed_rate_negative_from_draws(rec):
    """From the draws alone, the signed rate is negative at (100, 110) and (2500, 3500)."""
    # the quadrature says about -0.2 and -0.05: 5 se above the draws' mean is still below 0
    # unless the mean is off by 5 se (one-sided 2.9e-7 per cell)
    for cell in ("k100_n110", "k2500_n3500"):
        assert rec[f"mc_signed_rate_{cell}"] + 5 * rec[f"mc_signed_rate_se_{cell}"] < 0, cell


def check_signed_and_abs_drift_as_predicted(rec):
    """Tracked runs at k = 100, n = 110 drift at max(Delta, 0) under both readings."""
    # batch-means se over the second half of the run; 5 se (two comparisons)
    for sel in ("abs", "signed"):
        d = rec[f"signed_demo_{sel}_rate"] - rec[f"signed_demo_{sel}_predicted"]
        assert abs(d) < 5 * rec[f"signed_demo_{sel}_rate_se"], (sel, d)


def check_rescaling_changes_no_angle(rec):
    """Dividing each layer by its growth changes no angle and removes the norm growth."""
    # the recursion differs by rounding of the scaled entries only (~1e-16 per layer)
    assert rec["rescaled_max_diff"] < 1e-9, rec["rescaled_max_diff"]
    for k in (2, 10):
        assert abs(rec[f"causal_k{k}_resc_growth"]) < 1e-12


def check_orthogonal_layers_preserve_losses(rec):
    """Orthogonal layers keep every loss and grow the norm like the trained model."""
    # exact up to rounding; the growth is exp(lambda_train) per layer by construction
    assert rec["orthogonal_max_change"] < 1e-10, rec["orthogonal_max_change"]
    for k in (2, 10):
        assert rec[f"causal_k{k}_orth_growth"] > 0.5 * rec[f"causal_k{k}_sel_growth"]


def check_selected_collapses_minimised_does_not(rec):
    """The trained chain collapses fully; the norm-minimising chain does not."""
    # Delta ~ 1 per layer over 20 layers vs Delta < 0: far from either threshold
    for k in (2, 10):
        assert rec[f"causal_k{k}_sel_collapsed"] > 0.99
        assert rec[f"causal_k{k}_min_collapsed"] < 0.5


def check_unselected_k10_slower_than_selected(rec):
    """At k = 10, unselected layers of the same growth collapse less than half, selected
    more than half."""
    # Newman's gap 0.06 per layer against 0.85: 1.2 against 17 e-folds over 20 layers
    assert rec["causal_k10_plain_collapsed"] < 0.5 < rec["causal_k10_sel_collapsed"]


def check_minimised_k2_outputs_collapse_onto_each_other(rec):
    """Under norm minimisation at k = 2, test outputs collapse onto each other."""
    # the 1 x 1 lower block of Eq. (eq-block) sends every test input to one direction
    assert rec["causal_k2_min_test_test"] > 0.99, rec["causal_k2_min_test_test"]


def check_spacetime_delay_follows_delay_equation(rec):
    """The measured onset delay at the largest c equals the delay equation's."""
    # onsets are whole layers: +-1 layer of discreteness, plus 4 se of the mean over models
    assert rec["onsets_finite"]
    d = abs(rec["delay_cmax_measured"] - rec["delay_cmax_predicted"])
    assert d <= 1 + 4 * rec["delay_cmax_se"], d
