"""pytest set-up for the whole repository.

The MyST sources in ``notebooks/`` are the notebooks' single source; nbval runs
their ``.ipynb`` twins, which this hook generates into ``ipynb/`` (the folder
``jupytext.toml`` pairs them with) before pytest collects its test paths.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent


def pytest_configure(config):
    import jupytext

    out = ROOT / "ipynb"
    out.mkdir(exist_ok=True)
    sources = {md.stem: md for md in (ROOT / "notebooks").glob("*.md")}
    for stale in out.glob("*.ipynb"):  # twins whose source is gone would still be run
        if stale.stem not in sources:
            stale.unlink()
    for stem, md in sources.items():
        twin = out / f"{stem}.ipynb"
        if not twin.exists() or twin.stat().st_mtime < md.stat().st_mtime:
            jupytext.write(jupytext.read(md), twin)
