"""Computational entanglement: MaxLikelihood linear chains, their Lyapunov spectrum, applications.

Lai, Dong and Jin train a deep *linear* network without labels or gradients
(their Algorithm 1, "MaxLikelihood"): for each layer ``l = 1..L`` draw
``G*_l`` in R^{n x k} with i.i.d. N(0, 1) entries and keep the ``k`` rows that
maximise ``||G_l w_{l-1}||`` (a "dropout" step), ``w_l = G_l w_{l-1}``.  The
trained model is ``H = G_L ... G_1``.  They observe that for an unseen input
``w'`` the per-sample loss ``1 - arccos(cos(w_L, H w'))/pi`` collapses to 0 or 1
("computational entanglement").

This subpackage implements the algorithm and the theory that explains it: ``H`` is a
product of random matrices, and by Oseledets' theorem the direction of ``H x``
forgets ``x`` at the rate of the gap between the two largest Lyapunov exponents.
In the frame that follows the training vector the selected layer is block
upper-triangular::

    G_l [u_{l-1}, U_perp] = [u_l, U'_perp] [[|a_l|, *], [0, C_l]],

where ``a_l`` holds the ``k`` selected projections ``v_i . u_{l-1}`` (order
statistics of ``n`` Gaussians) and ``C_l`` is a (k-1) x (k-1) Ginibre matrix
independent of ``a_l`` (the row selection only looks at the component along
``u_{l-1}``).  Hence the spectrum of the selected product is::

    lambda_train = E log |a_l|             (training_exponent),
    lambda_j     = Newman's lambda_j(k),   j = 2..k,

and the misalignment of any test output with the training output decays as
``tan theta_L ~ exp(-(lambda_train - lambda_2) L)``, i.e.
``1 - |cos theta_L| ~ exp(-2 (lambda_train - lambda_2) L)``
(:func:`alignment_rate`).  Selection only raises the top exponent; without it
(``n = k``) the gap is Newman's ``lambda_1 - lambda_2 > 0``, which for k = 2 is
``ln 2``.

The subpackage holds one subject per file (all names are re-exported here):

* ``_algorithm``: Algorithm 1, :func:`select_rows`, :func:`train_maxlikelihood`,
  :class:`MaxLikelihoodModel`;
* ``_propagation``: inputs streamed through a chain, :func:`propagate`,
  :class:`Propagation`, :func:`uncollapsed_fraction_2d`;
* ``_spectra``: the random-matrix theory, :func:`training_exponent`,
  :func:`selected_exponents`, :func:`alignment_rate`, :func:`sample_training_growth`
  (Newman's exponents are :func:`uniqnets.lyapunov.gaussian_product_exponents`, the
  QR spectrum of a model :func:`uniqnets.lyapunov.qr_exponents` of its
  :meth:`MaxLikelihoodModel.iter_layers`);
* ``_geometry``: losses and angles, :func:`angular_loss` (Eq. 21), :func:`chord_loss`
  (Eq. 32), :func:`spacetime_cosine` (Eq. 27-30), :func:`cone_fraction`;
* ``_gradient``: Algorithm 2, :func:`gradient_descent`,
  :func:`gradient_descent_closed_form`, :class:`GDResult`;
* ``_reconciliation``: Sec. VI, :func:`binarize`, :func:`encrypt`, :func:`decrypt`,
  :func:`bit_error_rate`, :func:`predicted_bit_error_rate`;
* ``_adversarial``: Sec. VII, :func:`adversarial_example`, :func:`recover`,
  :func:`psnr`, :func:`predicted_psnr`;
* ``_images``: :func:`binary_messages`, :func:`sample_image`;
* ``_convergence``: the convergence test (Fig. 3), :func:`convergence_test`,
  :func:`norm_growth_fit`;
* ``_rates``: the gap measured, :func:`rate_scan`, :func:`half_collapse_depth`,
  :func:`selection_readings`, :func:`spectrum_validation`;
* ``_controls``: :func:`spacetime_delay` (Fig. 5), :func:`norm_controls`;
* ``_gdscan``: Algorithm 2 scanned (Fig. 7), :func:`gd_collapse_scan`;
* ``_likelihood``: Eqs. 7 and 10-12, :func:`hyperplane_test`, :func:`eq7_sides`;
* ``_audit``: :func:`audit_training`, Algorithm 1 checked layer by layer;
* ``_applications``: Sec. VI and VII measured at every depth, :func:`key_errors`,
  :func:`eavesdrop`, :func:`recovery_scan`, :func:`measured_alignment_rate`,
  :func:`first_depth_from`.

References
----------
Y. Lai, X. Dong, Z. Jin, "On the computational entanglement of distant features
in adversarial machine learning" (2023-24 preprint).
C. M. Newman, "The distribution of Lyapunov exponents: exact results for random
matrices", Commun. Math. Phys. 103 (1986) 121-126.
V. I. Oseledets, "A multiplicative ergodic theorem", Trans. Moscow Math. Soc. 19
(1968) 197-231.
M. S. Charikar, "Similarity estimation techniques from rounding algorithms",
STOC 2002.
"""

from ._adversarial import adversarial_example, predicted_psnr, psnr, recover
from ._algorithm import MaxLikelihoodModel, select_rows, train_maxlikelihood
from ._applications import (
    Eavesdropping,
    KeyErrors,
    Recovery,
    eavesdrop,
    first_depth_from,
    key_errors,
    measured_alignment_rate,
    recovery_scan,
)
from ._audit import TrainingAudit, audit_training
from ._common import SELECTIONS
from ._controls import CHAINS, NormControls, SpacetimeDelay, norm_controls, spacetime_delay
from ._convergence import (
    ConvergenceTest,
    NormGrowthFit,
    convergence_test,
    mean_se,
    norm_growth_fit,
)
from ._gdscan import GDScan, gd_collapse_scan
from ._geometry import angular_loss, chord_loss, cone_fraction, spacetime_cosine
from ._gradient import GDResult, gradient_descent, gradient_descent_closed_form
from ._images import binary_messages, sample_image
from ._likelihood import HyperplaneTest, eq7_sides, hyperplane_test
from ._propagation import Propagation, propagate, uncollapsed_fraction_2d
from ._rates import (
    RateScan,
    SelectionReadings,
    SpectrumValidation,
    half_collapse_depth,
    rate_scan,
    selection_readings,
    spectrum_validation,
)
from ._reconciliation import binarize, bit_error_rate, decrypt, encrypt, predicted_bit_error_rate
from ._spectra import alignment_rate, sample_training_growth, selected_exponents, training_exponent

__all__ = [
    "CHAINS",
    "TrainingAudit",
    "audit_training",
    "ConvergenceTest",
    "GDScan",
    "HyperplaneTest",
    "NormControls",
    "NormGrowthFit",
    "RateScan",
    "SelectionReadings",
    "SpacetimeDelay",
    "SpectrumValidation",
    "convergence_test",
    "eq7_sides",
    "gd_collapse_scan",
    "half_collapse_depth",
    "hyperplane_test",
    "mean_se",
    "norm_controls",
    "norm_growth_fit",
    "rate_scan",
    "selection_readings",
    "spacetime_delay",
    "spectrum_validation",
    "SELECTIONS",
    "Eavesdropping",
    "GDResult",
    "KeyErrors",
    "MaxLikelihoodModel",
    "Propagation",
    "Recovery",
    "adversarial_example",
    "alignment_rate",
    "angular_loss",
    "binarize",
    "binary_messages",
    "bit_error_rate",
    "chord_loss",
    "cone_fraction",
    "decrypt",
    "eavesdrop",
    "encrypt",
    "first_depth_from",
    "gradient_descent",
    "gradient_descent_closed_form",
    "key_errors",
    "measured_alignment_rate",
    "predicted_bit_error_rate",
    "predicted_psnr",
    "propagate",
    "psnr",
    "recover",
    "recovery_scan",
    "sample_image",
    "sample_training_growth",
    "select_rows",
    "selected_exponents",
    "spacetime_cosine",
    "train_maxlikelihood",
    "training_exponent",
    "uncollapsed_fraction_2d",
]
