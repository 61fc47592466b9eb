"""Import every numerical module of an installed ``uniqnets`` without the book's tooling.

Run by ``make test-core`` in a fresh virtual environment where ``pip install .``
(no extras) installed the package: the numerical library must work with its core
dependencies alone (numpy, scipy, matplotlib, gudhi, POT, tqdm).
"""

import importlib
import importlib.util
import sys

BOOK_ONLY = ["jupyter_book", "myst_nb", "papermill", "jupytext", "nbval", "nbformat",
             "IPython", "ipykernel", "yaml"]
NUMERICAL = ["models", "data", "lyapunov", "thermo", "topology", "entanglement",
             "randomnets", "stats"]

present = [m for m in BOOK_ONLY if importlib.util.find_spec(m) is not None]
if present:
    sys.exit(f"the core install pulled in the book's tooling: {present}")
for name in NUMERICAL:
    module = importlib.import_module(f"uniqnets.{name}")
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    if missing:
        sys.exit(f"uniqnets.{name} lacks names of its __all__: {missing}")
    print(f"uniqnets.{name}: {len(module.__all__)} public names")
# uniqnets.practice needs the extra `practice` (JAX, optax, scikit-learn); without it the
# import must fail with an ImportError that names the extra to install
if importlib.util.find_spec("jax") is None:
    try:
        importlib.import_module("uniqnets.practice")
    except ImportError as err:
        if "uniqnets[practice]" not in str(err):
            sys.exit(f"uniqnets.practice fails without jax, but does not name the extra: {err}")
        print("uniqnets.practice: refused without the `practice` extra, as it should be")
    else:
        sys.exit("uniqnets.practice imported although jax is not installed")
loaded = [m for m in BOOK_ONLY if m in sys.modules]
if loaded:
    sys.exit(f"importing the numerical modules loaded {loaded}")
print("the numerical library imports without the book's tooling")
