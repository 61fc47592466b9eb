from ._persistence import *  # noqa: F403
from ._persistence import WASSERSTEIN_BACKENDS, __all__, __doc__  # noqa: F401
