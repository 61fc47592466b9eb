"""Rebuilding the book re-executes only what changed (execute_notebooks: cache).

A two-notebook book is built with the project's own ``_config.yml``; executions are
counted in the jupyter-cache that Jupyter Book keeps in ``_build/.jupyter_cache``.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from jupyter_cache import get_cache

ROOT = Path(__file__).resolve().parents[1]

NOTEBOOK = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
# Notebook {name}

Some prose.

```{{code-cell}} ipython3
print("{name}", 1 + 1)
```
"""


def build(book: Path):
    jb = Path(sys.executable).parent / "jupyter-book"
    proc = subprocess.run([str(jb), "build", str(book), "-W", "-n", "--keep-going"],
                          cwd=book, capture_output=True, text=True)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    cache = get_cache(book / "_build" / ".jupyter_cache")
    return {Path(r.uri).stem: (r.pk, r.hashkey) for r in cache.list_cache_records()}


@pytest.mark.slow
def test_prose_edits_execute_nothing_and_code_edits_only_their_notebook(tmp_path):
    book = tmp_path / "book"
    (book / "book").mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", book / "_config.yml")
    shutil.copytree(ROOT / "book" / "_ext", book / "book" / "_ext")
    shutil.copy(ROOT / "book" / "references.bib", book / "book" / "references.bib")
    (book / "notebooks").mkdir()
    for name in "ab":
        (book / "notebooks" / f"{name}.md").write_text(NOTEBOOK.format(name=name))
    (book / "intro.md").write_text("# Test book\n\n```{tableofcontents}\n```\n")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n"
                                   "  - file: notebooks/a\n  - file: notebooks/b\n")
    first = build(book)
    assert set(first) == {"a", "b"}

    # a prose-only change: the notebook's code is unchanged, nothing is executed
    a = book / "notebooks" / "a.md"
    a.write_text(a.read_text().replace("Some prose.", "Some other prose."))
    assert build(book) == first

    # a code change in b: b is executed again (a new cache record), a is not
    b = book / "notebooks" / "b.md"
    b.write_text(b.read_text().replace("1 + 1", "2 + 2"))
    third = build(book)
    assert third["a"] == first["a"]
    assert third["b"] != first["b"]
    assert len(third) == 2
