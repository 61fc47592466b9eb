"""Checks of chapter 05 (notebooks/05_thermodynamics_of_training.md), over its recorded values."""

from uniqnets.book import chance


def check_minimum_is_strict(rec):
    """The Hessian at the minimum is positive definite."""
    # exact sign test: the smallest eigenvalue (~1e-3 here) against zero
    assert rec["mlp_H_min"] > 0


def check_minimum_drift_is_negligible(rec):
    """At the minimum the gradient drift is below 1e-6 of the Langevin noise amplitude."""
    # Newton's method stops at gradient 1e-12; 1e-6 leaves six decades for the start of
    # the long-time walkers to count as the minimum
    assert rec["mlp_drift_over_noise"] < 1e-6


def check_walkers_stay_finite(rec):
    """No walker diverges: Langevin transient, mini-batch transient, narrow start."""
    # exact count: a diverged walker is dropped by the library and counted here
    assert rec["n_diverged"] == 0


def check_gradient_step_is_injective(rec):
    """eta max|lambda(Hessian)| stays below 1 at the checkpoints (the per-step bound needs it)."""
    # necessary condition of injectivity of theta - eta grad L, exact comparison
    assert rec["mlp_eta_lam_max"] < 1


def check_every_walker_delivers_heat(rec):
    """Every Langevin walker's medium term is positive (Corollary 15 fails on each path)."""
    # each walker releases ~ its loss drop / T (hundreds of nats), far above the
    # O(sqrt(d)) path-to-path spread of the noise terms
    assert rec["mlp_heat_min"] > 0


def check_heat_is_loss_drop_over_temperature(rec):
    """The mean medium term is the loss drop over T within 20 per cent."""
    # Eq. (eq-medium-langevin): the O(eta) corrections are a few per cent at eta = 0.05
    assert abs(rec["mlp_heat_over_loss_drop"] - 1) < 0.2


def check_long_time_rate_far_below_transient(rec):
    """The long-time rate, at three standard errors, is 100 times below the first step's bound."""
    # three standard errors of the batch means bound |E eps / T|; a factor 100 is the
    # prose's "at least two decades"
    assert rec["mlp_stationary_bound"] < 0.01 * rec["mlp_step_bound_first"]


def check_no_sgd_step_reverses(rec):
    """No reversed single-sample SGD step comes back within 1e-3 step lengths of its start."""
    # an exact reversal would give 0 up to rounding (~1e-16); 1e-3 is a wide margin
    assert rec["sgd_reverse_gap"] > 1e-3


def check_mirror_image_has_the_same_loss(rec):
    """The mirror image of the minimum has its loss to rounding."""
    # tanh is odd: the same function, summed in another order; 1e-12 absolute on a loss ~0.01
    assert rec["gd_mirror_loss_diff"] < 1e-12


def check_gd_fixed_points_do_not_move(rec):
    """Gradient descent moves the minimum and its mirror by under 1e-6 of their separation."""
    # at a fixed point with gradient ~1e-12 the steps move ~lr * 1e-12 * n_steps ~ 1e-11
    assert rec["gd_fixed_move"] < 1e-6 * rec["gd_fixed_separation"]


def check_sgd_endpoints_are_atoms(rec):
    """Two-step single-sample SGD ends on at most n (n - 1) points."""
    # exact: batches without replacement allow n (n - 1) two-step maps
    assert rec["sgd_distinct"] <= rec["sgd_atoms"]


def check_langevin_endpoints_are_distinct(rec):
    """Every two-step Langevin run ends at its own point."""
    # the endpoints have a density: a tie has probability zero
    assert rec["lang_distinct"] == rec["ergo_runs"]


def check_zero_eigenvalues_at_minimum_predicted(rec):
    """At the minimum the zero eigenvalues of the covariance are those degenerate units predict."""
    # exact count; eigenvalues below 1e-12 of the largest (exact zeros come out ~1e-17)
    assert rec["cov_null_star"] == rec["cov_null_star_predicted"]


def check_zero_eigenvalues_on_symmetric_set_predicted(rec):
    """On the symmetric set the covariance has the predicted, positive count of zero eigenvalues."""
    # exact count: a copied unit leaves n_in + 2 = 4 directions without noise
    assert rec["cov_null_sym"] == rec["cov_null_sym_predicted"] > 0


def check_zero_eigenvalues_everywhere_predicted(rec):
    """At every point examined, trainings included, the zero eigenvalues match the prediction."""
    # exact counts at the three points of the small network and the n_trainings minima
    assert rec["null_mismatches"] == 0


def check_wide_covariance_is_singular(rec):
    """With more parameters than samples the covariance has rank at most n - 1 < d."""
    # the covariance of n per-sample gradients about their mean has rank at most n - 1
    assert rec["wide_rank"] <= rec["n_train"] - 1 < rec["wide_d"]


@chance(6.4e-5)
def check_linearised_monte_carlo_matches_closed_form(rec):
    """The Monte-Carlo stationary rate is within 4 standard errors of the closed form."""
    # the mean over lin_walkers independent walkers is Gaussian to a good approximation:
    # P(|Z| > 4) = 2 (1 - Phi(4)) = 6.3e-5 per execution
    assert abs(rec["lin_mc"] - rec["lin_exact"]) < 4 * rec["lin_mc_se"]


def check_linearised_monte_carlo_resolves_the_value(rec):
    """The Monte-Carlo standard error is below a quarter of the closed form."""
    # resolution: the estimate tells a positive rate from zero at 4 standard errors
    assert rec["lin_mc_se"] < 0.25 * rec["lin_exact"]


def check_sgd_noise_rate_positive_and_grows_as_T_falls(rec):
    """The mini-batch rate is positive and grows as the temperature falls, at every step size."""
    # exact closed-form values: signs of the smallest rate and of the smallest increase
    assert rec["sgd_rate_min"] > 0 and rec["sgd_rate_growth_min"] > 0


def check_isotropic_rate_is_zero(rec):
    """Isotropic noise of the same power gives a zero rate to rounding."""
    # per step: the closed form is exactly zero for Q commuting with M; its O(d) terms of
    # order one round to ~1e-15, so 1e-12 is a thousandfold margin
    assert rec["iso_max"] < 1e-12


def check_rate_slope_is_two(rec):
    """The rate per unit time vanishes like eta^2 over the three smallest steps."""
    # the mini-batch part of the noise is O(eta) relative to the isotropic one: slope 2,
    # with O(eta) corrections that leave it within 0.2 at eta <= 0.02
    assert abs(rec["sgd_slope"] - 2) < 0.2


def check_narrow_start_entropy_rises(rec):
    """From the narrow start Delta H is bounded below by more than 10 nats."""
    # exact bound, no sampling: d/2 ln(4 pi e eta T) - d/2 ln(2 pi e s^2)
    assert rec["c15_narrow_dH_bound"] > 10


def check_narrow_walkers_deliver_heat(rec):
    """Every narrow-start walker's medium term is positive."""
    # each walker releases ~ its loss drop / T, hundreds of times the path-to-path spread
    assert rec["c15_narrow_heat_min"] > 0
