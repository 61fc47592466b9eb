"""pytest set-up for the whole repository.

The MyST sources in ``notebooks/`` are the notebooks' single source; nbval runs
their ``.ipynb`` twins in ``ipynb/`` (the folder ``jupytext.toml`` pairs them
with). The twins are generated when this file is loaded: pytest resolves its
``testpaths`` before any configure hook runs, and silently skips a test path that
does not exist yet, so generating them later would drop every notebook test on a
fresh clone. A full run also checks that every chapter was collected.

Each chapter is executed once per ``make test`` at its default parameters: by nbval,
which proves that every cell runs without an error.  The plugin
``uniqnets.book._execute`` (loaded below) starts nbval's kernels on Unix sockets
(ipc) rather than TCP ports, so that two pytest-xdist workers cannot race for a
port, and, once every cell of a twin has passed, stores the notebook with the
outputs nbval received in the book's jupyter-cache (``_build/.jupyter_cache``,
matched on the code cells and the kernelspec, as Jupyter Book matches).  The strict
book build of ``tests/test_book.py`` then finds every chapter cached and executes
nothing; the checks of what nbval executed stay with nbval, the book only renders
it.  ``make test`` runs the build in a second pytest invocation after the parallel
one (``-n 2 --dist loadfile``: all cells of a notebook on one worker, in order);
under xdist the tests marked ``book`` are skipped, since a worker could start the
build before the other worker's chapters are cached.  Run serially (plain
``pytest``), ``ipynb`` comes first in ``testpaths``, so the same holds.
"""

from pathlib import Path

import jupytext
import pytest

# nbval's kernels on ipc, and the executed twins into the book's cache (see above)
pytest_plugins = ["uniqnets.book._execute"]

ROOT = Path(__file__).resolve().parent
SOURCES = {md.stem: md for md in (ROOT / "notebooks").glob("*.md")}


def _generate_twins():
    out = ROOT / "ipynb"
    out.mkdir(exist_ok=True)
    for stale in out.glob("*.ipynb"):  # twins whose source is gone would still be run
        if stale.stem not in SOURCES:
            stale.unlink()
    for stem, md in SOURCES.items():
        twin = out / f"{stem}.ipynb"
        if not twin.exists() or twin.stat().st_mtime < md.stat().st_mtime:
            jupytext.write(jupytext.read(md), twin)


_generate_twins()


def _under_xdist(config) -> bool:
    return bool(getattr(config.option, "numprocesses", None)) or hasattr(config, "workerinput")


def pytest_collection_modifyitems(session, config, items):
    if _under_xdist(config):
        later = pytest.mark.skip(reason="the book build runs after the notebooks: `make test` "
                                 "runs tests/test_book.py in a second, serial invocation")
        for item in items:
            if item.get_closest_marker("book"):
                item.add_marker(later)
    if config.option.file_or_dir:  # a selection of tests: nothing to check
        return
    executed = {Path(str(item.fspath)).stem for item in items
                if str(item.fspath).endswith(".ipynb")}
    missing = sorted(set(SOURCES) - executed)
    if missing:
        raise pytest.UsageError(f"nbval collected no cells of {missing}: the notebook "
                                "execution tests would not run")
