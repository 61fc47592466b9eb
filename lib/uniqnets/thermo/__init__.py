from ._path import *  # noqa: F403
from ._path import __all__, __doc__  # noqa: F401
