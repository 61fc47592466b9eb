"""Checks of notebooks/18_entanglement_applications.md, over its recorded values.

Sec. VI and VII of the computational-entanglement paper: key errors against their
prediction from the angle, the eavesdroppers, and the recovery of a hidden image.
"""

import math

import numpy as np


def check_chains_ran(rec):
    """Every trained chain ran to its full depth without overflow."""
    assert rec["chains_ok"] and rec["chain_signed_ok"], "a chain produced a non-finite vector"


def check_literal_threshold_leaves_the_message(rec):
    """With sgn's threshold 1/2 every key bit is 0: the ciphertext is the message."""
    # entries of a unit vector of length k are O(1/sqrt(k)); none reaches 1/2 for k >= 16
    assert rec["max_abs_entry"] < 0.5
    assert rec["literal_cipher_equals_message"]


def check_bit_errors_follow_the_angle(rec):
    """Measured bit errors are within 5 binomial sd + 2/k of the angle's prediction."""
    # the flips of one key are k Bernoulli draws with the predicted probabilities (5 sd),
    # plus 2/k for the Gaussian approximation of one coordinate of the complement
    assert rec["ber_worst_ratio"] < 1, f"worst deviation {rec['ber_worst_ratio']:.2f} of the bound"
    assert rec["ber_signed_worst_ratio"] < 1, \
        f"signed reading: worst deviation {rec['ber_signed_worst_ratio']:.2f} of the bound"


def check_half_the_bobs_decrypt_within_the_depth(rec):
    """At least half of the Bobs decrypt every message without error within the depth."""
    assert rec["L_decrypt_median"] <= rec["depth"], \
        f"median error-free depth {rec['L_decrypt_median']} beyond depth {rec['depth']}"


def check_independent_model_is_at_chance(rec):
    """An independent model's key agrees with Alice's by chance only."""
    # its key is independent of Alice's: BER ~ Binomial(k, 1/2) / k, folded at 1/2;
    # 5 sd of 1/2 is 2.5 / sqrt(k)
    ber = rec["eavesdropping"]["other_model"]
    assert abs(ber - 0.5) < 5 * 0.5 / math.sqrt(rec["k"]), f"bit error rate {ber}"


def check_pad_is_reused(rec):
    """Eve with the model, two ciphertexts, or a known message read as well as Bob does."""
    # each is the same key comparison Bob makes at the full depth, up to 2 bits
    eve = rec["eavesdropping"]
    worst = max(eve["same_model"], eve["two_time_pad"], eve["known_plaintext"])
    k = rec["k"]
    assert worst <= max(rec["ber_bob_Lmax_max"], 2 / k) + 2 / k, f"worst {worst}"


def check_psnr_identity_with_the_right_sign(rec):
    """With the right sign the PSNR of the recovery is Eq. eq-psnr exactly (to rounding)."""
    r = rec["recovery"]
    psnr, pred = np.array(r["psnr"])[1:], np.array(r["psnr_predicted"])[1:]
    ok = np.array(r["sign_right"])[1:]
    # an identity evaluated two ways: rounding only while the PSNR is below ~250 dB
    assert np.all(np.abs(psnr[ok] - pred[ok]) < 1e-6), np.abs(psnr[ok] - pred[ok]).max()


def check_psnr_of_the_adversarial_example(rec):
    """The adversarial example's own PSNR is 10 log10(k / alpha^2) exactly."""
    r = rec["recovery"]
    exact = 10 * np.log10(rec["k"] / np.array(r["alphas"]) ** 2)
    # the noise is alpha u with |u| = 1 exactly; rounding only
    assert np.allclose(r["psnr_adversarial"], exact, rtol=0, atol=1e-9)


def check_gain_identity_with_the_right_sign(rec):
    """The gain of recovery over none is -10 log10(2 (1 - |cos theta_L|)) with the right sign."""
    r = rec["recovery"]
    gain = np.array(r["psnr_known_sign"]) - np.array(r["psnr_adversarial"])[:, None]
    miss = np.array(rec["misalignment_gibbon"], dtype=float)
    pred = -10 * np.log10(2) - 10 * np.log10(np.e) * miss
    fin = np.isfinite(pred) & (pred < 200)
    # an identity; rounding only where the gain is below 200 dB
    assert np.all(np.abs(gain[:, fin] - pred[fin]) < 1e-6)


def check_alignment_rate_matches_the_gap(rec):
    """The measured decay rate of the misalignment is the predicted Lyapunov gap."""
    # mean of independent per-layer increments: 4 standard errors (a chance failure at a
    # rate of 6e-5, negligible), plus 1e-4 for the
    # finite-size bias of the rate formula at these widths
    err = abs(rec["rate_measured"] - rec["rate_predicted"])
    assert err < 4 * rec["rate_measured_se"] + 1e-4, \
        f"{rec['rate_measured']:.4f} +- {rec['rate_measured_se']:.4f} " \
        f"vs {rec['rate_predicted']:.4f}"
