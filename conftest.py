"""pytest set-up for the whole repository.

The MyST sources in ``notebooks/`` are the notebooks' single source; nbval runs
their ``.ipynb`` twins in ``ipynb/`` (the folder ``jupytext.toml`` pairs them
with). The twins are generated when this file is loaded: pytest resolves its
``testpaths`` before any configure hook runs, and silently skips a test path that
does not exist yet, so generating them later would drop every notebook test on a
fresh clone. A full run also checks that every chapter was collected.
"""

from pathlib import Path

import jupytext
import pytest

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


def pytest_collection_modifyitems(session, config, items):
    if config.option.file_or_dir:  # a selection of tests: nothing to check
        return
    executed = {Path(str(item.fspath)).stem for item in items
                if str(item.fspath).endswith(".ipynb")}
    missing = sorted(set(SOURCES) - executed)
    if missing:
        raise pytest.UsageError(f"nbval collected no cells of {missing}: the notebook "
                                "execution tests would not run")
