"""The whole book builds, every notebook executed, without a single warning."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_book_builds_without_warnings():
    jb = Path(sys.executable).parent / "jupyter-book"
    # --all re-reads every page, so warnings of unchanged pages are reported too;
    # executed notebooks still come from the cache when their code did not change
    proc = subprocess.run([str(jb), "build", str(ROOT), "--all", "-W", "-n", "--keep-going"],
                          cwd=ROOT, capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-8000:]
    html = ROOT / "_build" / "html"
    assert (html / "index.html").is_file()
    for nb in sorted((ROOT / "notebooks").glob("*.md")):
        page = html / "notebooks" / f"{nb.stem}.html"
        assert page.is_file(), f"{page.name} was not built"
        text = page.read_text()
        assert "Traceback" not in text, f"{page.name} shows a traceback"
