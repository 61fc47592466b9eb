"""``python -m uniqnets.book.sweep``: the sweep's command line (see ``--help``)."""

import sys

# the functions come from the importable package, not from __main__, so that worker
# processes and Dask workers find them by name
from uniqnets.book.sweep import main

sys.exit(main())
