"""uniqnets: the numerical library behind the uniq-nets book.

Modules and subpackages by subject (import them directly, e.g.
``from uniqnets import models``); each subpackage re-exports its public names from
small private modules, one idea per file:

models        tiny MLPs on a flat parameter vector; exact gradients and Hessian-vector
              products; GD / SGD / Langevin training; hidden-unit symmetries
data          small synthetic data sets from a seed
lyapunov      the QR (Benettin) loop, Lyapunov spectra of maps, flows and training
              runs, twin trajectories, reference systems with known exponents
thermo        entropy production of Gaussian-kernel chains: closed forms, path-wise
              and binned estimators, fluctuation theorems
topology      Rips persistence of trajectory clouds (gudhi), diagram and set distances
entanglement  MaxLikelihood linear chains (Lai et al.), their Lyapunov gap,
              reconciliation and adversarial-example experiments
randomnets    deep signal propagation and the double copy, gauge-invariant
              magnitude-phase networks, random RNNs and DMFT, linear equivalence
stats         independent random streams from a seed, batch-means standard errors
practice      training maps of CNNs, ResNets and transformers in JAX (SGD, momentum,
              Adam) for the QR loop of ``lyapunov``; needs the ``practice`` extra

The numerical library needs numpy, scipy, matplotlib, gudhi, POT and tqdm only
(``practice`` adds JAX, optax and scikit-learn). The book's tooling (gluing results,
reading notebooks, sweeps, figure style) is the separate subpackage
:mod:`uniqnets.book`, installed with the ``book`` extra.
"""

__version__ = "0.1.0"
