"""Checks of notebooks/95_validating_entanglement.md (the entanglement instruments on
known answers), over its recorded values."""

from uniqnets.book import chance


def check_kept_rows_are_the_largest(rec):
    """In every layer Algorithm 1 keeps exactly the k largest |z_i|."""
    # a positive margin between the smallest kept and the largest dropped projection;
    # continuous Gaussians give no ties
    assert rec["demo_min_kept_margin"] > 0, rec["demo_min_kept_margin"]


def check_model_reproduces_training_output(rec):
    """H w0 recomputed from the stored layers is w_L to rounding."""
    # products of audit_depth 2 x 2 matrices: relative rounding ~1e-15 per layer
    assert rec["demo_reproduces_rel_err"] < 1e-12, rec["demo_reproduces_rel_err"]


def check_qr_matches_newman(rec):
    """QR exponents of Gaussian products equal Newman's, at every size."""
    # batch means (40 blocks) are only approximately normal: 5 se per exponent, not a
    # computed chance rate
    z = [v for name, v in rec.items() if name.startswith("newman_qr_worst_z_")]
    assert z and max(z) < 5, z


@chance(2e-6)
def check_quadrature_matches_draws(rec):
    """lambda_train by quadrature equals the mean of sorted Monte-Carlo draws."""
    # a mean of i.i.d. draws, 5 se two-sided per cell, two cells: P <= 2 x 5.7e-7
    z = [v for name, v in rec.items() if name.startswith("quad_z_")]
    assert z and max(z) < 5, z
