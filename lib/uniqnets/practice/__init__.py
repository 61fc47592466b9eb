"""Training maps of practical networks in JAX: CNN, ResNet, transformer; SGD, momentum, Adam.

The uniqueness preprint excludes "extremely shallow or small networks" and "trivial or
synthetic data"; :mod:`uniqnets.models` has only tiny MLPs.  This subpackage gives the
networks, data and optimizers people use, as maps of a flat state vector whose tangent
map feeds the one QR loop of :mod:`uniqnets.lyapunov`:

- networks (``_models``): :func:`mlp` (the same flat layout as
  :class:`uniqnets.models.MLP`, the cross-check), :func:`cnn`, :func:`resnet` and
  :func:`transformer` (embedding, multi-head self-attention, MLP blocks, layer norm),
  pure JAX functions on pytrees with :meth:`Network.flatten` and
  :meth:`Network.unflatten` to flat vectors;
- data (``_data``): :func:`digits`, scikit-learn's 8x8 handwritten digits (shipped
  inside scikit-learn, nothing is downloaded), and :func:`sequence_task`, a sorting
  task made from a seed;
- the real benchmark (``_fashion``): the Fashion-MNIST networks
  (:func:`fashion_network`), their float32 training with momentum, weight decay and a
  cosine schedule (:func:`fashion_setup`), and one run trained to the end of its
  schedule with its exponents, one-ulp twins in float32 and float64 and activation
  flips at stages of training (:func:`fashion_run`); across seeds (``_seeds``): the
  exponents with intervals (:func:`stage_table`), the mechanism that separates twins
  (:func:`mechanisms`), the chaos test (:func:`chaos_test`), what independent seeds
  differ in (:func:`seed_pairs`) and chaos beside accuracy (:func:`chaos_and_accuracy`);
- optimizers (``_optim``): :func:`optimizer` builds SGD, heavy-ball momentum or Adam
  from optax's transformations, with weight decay, linear warm-up and cosine decay;
- the training map (``_tangent``): :class:`TrainingMap`, one step of the joint state
  (parameters and optimizer state: Adam's moments are dynamical variables) and its
  Jacobian applied to ``k`` directions at once (``jax.jvp`` under ``jax.vmap``,
  compiled by ``jax.jit``), with :meth:`TrainingMap.spectrum` and
  :meth:`TrainingMap.twins` calling :func:`uniqnets.lyapunov.lyapunov_spectrum` and
  :func:`uniqnets.lyapunov.twin_divergence`;
- experiments (``_scan``, ``_reproduce``, ``_validation``): the matched-size networks of
  the digits (:func:`digits_network`, :func:`digits_setup`), the exponent against the learning rate
  (:func:`lr_scan`), the sharpness along a run (:func:`sharpness_along`), whether
  separating runs are past the edge of stability (:func:`edge_and_chaos`, on the runs
  of :func:`scan_points`), twins one ulp
  apart per architecture (:func:`architecture_twins`), precision and reduction-order
  twins (:func:`precision_twins`), two independent initialisations
  (:func:`independent_runs`), a test over batches of seeds (:func:`distribution_test`),
  and the checks of the map against :mod:`uniqnets.models` and closed forms
  (:func:`cross_check`, :func:`minimum_exponents`, :func:`heavy_ball_exponents`);
- permutation symmetry (``_matching``): :func:`permute` permutes the hidden units of an
  MLP, CNN or ResNet without changing its function, and :func:`weight_matching` finds
  the permutation that brings one network closest to another (Ainsworth et al.'s weight
  matching, a :class:`Matching`);
- linear paths (``_connectivity``): the loss and error along the line between two
  networks (:func:`interpolation_path`, a :class:`Path`) and the :func:`barrier` of such
  a curve (Frankle et al.'s and Entezari et al.'s), and how far apart two networks are:
  :func:`prediction_churn`, :func:`function_distance` (softmax outputs) and
  :func:`parameter_distance` (before and after weight matching);
- the field's instruments on Fashion-MNIST: children spawned from one parent and
  trained on with other data orders (``_spawn``, :func:`spawn_instability`, Frankle et
  al.'s instability analysis), two independent networks before and after weight
  matching (``_pairs``, :func:`matched_pair`), and runs that differ in one source of
  variability only (``_sources``, :func:`variability`, after Summers and Dinneen),
  with what they share in ``_stability``; their tables across units
  (:func:`spawn_table`, :func:`width_table`, :func:`source_table`,
  :func:`stability_summary`) and the known-answer check :func:`permutation_check`;
- continuous symmetries (``_symmetries``): :func:`symmetry_dimension` counts the
  parameter directions that leave a network's outputs unchanged (the null space of its
  Jacobian on inputs, a :class:`SymmetryDimension`), :func:`expected_symmetry_dimension`
  gives the closed forms where they are known (rescalings of ReLU units, the affine maps
  of linear networks, a transformer's attention, layer norms and residual stream), and
  :func:`symmetry_table` tabulates both for networks such as ``SYMMETRY_NETWORKS``;
- other processes (``_process``): :func:`run_in_subprocesses` repeats a run in fresh
  processes with other CPU thread settings (XLA fixes its thread pools when a process
  starts), to see whether the thread count changes its arithmetic.

Precision.  JAX computes in float32 unless its global flag ``jax_enable_x64`` is set.
Importing this subpackage sets it, once, for the whole process (it cannot be set per
computation): every :class:`TrainingMap` then computes in the dtype it is given,
float64 by default (the validation against :mod:`uniqnets.models` is to rounding in
float64) or float32 (what practice uses), and nothing is silently promoted.  Other JAX
code in the same process sees the flag too: its default dtype becomes float64.

Needs the extra ``practice`` (``pip install 'uniqnets[practice]'``): JAX, optax and
scikit-learn.

References
----------
J. Bradbury et al., "JAX: composable transformations of Python+NumPy programs" (2018),
http://github.com/jax-ml/jax.
DeepMind et al., "The DeepMind JAX Ecosystem" (optax), http://github.com/google-deepmind.
D. P. Kingma, J. Ba, "Adam: a method for stochastic optimization", ICLR 2015.
"""

try:
    import jax as _jax
    import optax as _optax  # noqa: F401
    import sklearn as _sklearn  # noqa: F401
except ImportError as _err:  # pragma: no cover - exercised by .ci/import_core.py
    raise ImportError(
        "uniqnets.practice needs JAX, optax and scikit-learn, the extra `practice`: "
        "pip install 'uniqnets[practice]'"
    ) from _err

# a global JAX flag, set once for the process (see the module docstring)
_jax.config.update("jax_enable_x64", True)

from ._connectivity import (  # noqa: E402
    REFERENCES,
    ParameterDistance,
    Path,
    barrier,
    function_distance,
    interpolation_path,
    parameter_distance,
    prediction_churn,
)
from ._data import digits, sequence_task  # noqa: E402
from ._fashion import (  # noqa: E402
    FASHION_ARCHITECTURES,
    LEARNING_RATES,
    FashionRun,
    FashionSetup,
    StageMeasurement,
    fashion_network,
    fashion_run,
    fashion_setup,
)
from ._matching import Matching, permute, weight_matching  # noqa: E402
from ._models import ACTIVATIONS, Network, cnn, mlp, resnet, transformer  # noqa: E402
from ._optim import OPTIMIZERS, SCHEDULES, Optimizer, optimizer  # noqa: E402
from ._pairs import MatchedPair, matched_pair, permutation_check, width_table  # noqa: E402
from ._process import ProcessRun, run_in_subprocesses  # noqa: E402
from ._reproduce import (  # noqa: E402
    DistributionTest,
    IndependentRuns,
    PrecisionTwins,
    distribution_test,
    independent_runs,
    precision_twins,
)
from ._scan import (  # noqa: E402
    ARCHITECTURES,
    ArchitectureTwins,
    DigitsSetup,
    LRScan,
    ScanRun,
    TwinRun,
    architecture_twins,
    digits_network,
    digits_setup,
    edge_and_chaos,
    lr_scan,
    scan_points,
    sharpness_along,
)
from ._seeds import (  # noqa: E402
    MECHANISMS,
    ChaosTest,
    SeedPairs,
    benchmark_summary,
    chaos_and_accuracy,
    chaos_test,
    mechanisms,
    seed_pairs,
    stage_table,
)
from ._sources import SOURCES, Variability, source_table, variability  # noqa: E402
from ._spawn import Spawn, spawn_instability, spawn_table  # noqa: E402
from ._stability import STABLE, stability_summary  # noqa: E402
from ._symmetries import (  # noqa: E402
    SYMMETRY_NETWORKS,
    SymmetryDimension,
    expected_symmetry_dimension,
    symmetry_dimension,
    symmetry_table,
)
from ._tangent import DTYPES, TrainingMap, one_ulp  # noqa: E402
from ._validation import (  # noqa: E402
    ClosedForm,
    CrossCheck,
    cross_check,
    heavy_ball_exponents,
    minimum_exponents,
)

__all__ = [
    "FASHION_ARCHITECTURES",
    "LEARNING_RATES",
    "FashionRun",
    "FashionSetup",
    "StageMeasurement",
    "fashion_network",
    "fashion_run",
    "fashion_setup",
    "MECHANISMS",
    "ChaosTest",
    "SeedPairs",
    "benchmark_summary",
    "chaos_and_accuracy",
    "chaos_test",
    "mechanisms",
    "seed_pairs",
    "stage_table",
    "REFERENCES",
    "ParameterDistance",
    "Path",
    "barrier",
    "function_distance",
    "interpolation_path",
    "parameter_distance",
    "prediction_churn",
    "Matching",
    "permute",
    "weight_matching",
    "SOURCES",
    "STABLE",
    "MatchedPair",
    "Spawn",
    "Variability",
    "matched_pair",
    "permutation_check",
    "source_table",
    "spawn_instability",
    "spawn_table",
    "stability_summary",
    "variability",
    "width_table",
    "SYMMETRY_NETWORKS",
    "SymmetryDimension",
    "expected_symmetry_dimension",
    "symmetry_dimension",
    "symmetry_table",
    "ACTIVATIONS",
    "ARCHITECTURES",
    "ArchitectureTwins",
    "ClosedForm",
    "CrossCheck",
    "DigitsSetup",
    "DistributionTest",
    "IndependentRuns",
    "LRScan",
    "PrecisionTwins",
    "ScanRun",
    "TwinRun",
    "architecture_twins",
    "cross_check",
    "digits_network",
    "digits_setup",
    "edge_and_chaos",
    "distribution_test",
    "heavy_ball_exponents",
    "independent_runs",
    "lr_scan",
    "minimum_exponents",
    "precision_twins",
    "scan_points",
    "sharpness_along",
    "DTYPES",
    "Network",
    "OPTIMIZERS",
    "Optimizer",
    "ProcessRun",
    "SCHEDULES",
    "TrainingMap",
    "cnn",
    "digits",
    "mlp",
    "one_ulp",
    "optimizer",
    "resnet",
    "run_in_subprocesses",
    "sequence_task",
    "transformer",
]
