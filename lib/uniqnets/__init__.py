"""uniqnets: the numerical library behind the uniq-nets book.

Modules by subject (import them directly, e.g. ``from uniqnets import models``):

models    tiny MLPs on a flat parameter vector; exact gradients and Hessian-vector
          products; GD / SGD / Langevin training; hidden-unit symmetries
data      small synthetic data sets from a seed
lyapunov  QR (Benettin) Lyapunov spectra of maps and flows, twin trajectories,
          reference systems with known exponents
topology  Rips persistence of trajectory clouds (gudhi), diagram and Hausdorff distances
entanglement  MaxLikelihood linear chains (Lai et al.), their Lyapunov gap, reconciliation
          and adversarial-example experiments
thermo    entropy production of Gaussian-kernel chains: path-wise, closed forms, binned
randomnets random RNNs (DMFT, Lyapunov spectra), deep signal propagation and the
          double copy, gauge-invariant magnitude-phase networks, linear equivalence
record    glue a result for the prose and keep it for sweeps, in one call
notebook  read a chapter's MyST source: parameters cell, rerun settings
plotting  the book's figure style
sweep     rerun a notebook over a parameter grid (python -m uniqnets.sweep)
"""

__version__ = "0.1.0"
