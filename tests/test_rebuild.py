"""Rebuilding the book re-executes only what changed (execute_notebooks: cache).

A two-notebook book is built with the project's own ``_config.yml``; executions are
counted in the jupyter-cache that Jupyter Book keeps in ``_build/.jupyter_cache``.
The nbval pass of ``make test`` fills that cache (``uniqnets.book._execute``), so the
build after it executes nothing; and a chapter's outputs are the same executed
alone, two at a time, or by nbval.
"""

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest
from jupyter_cache import get_cache

from uniqnets.book._execute import cached_pages, fill_cache, longest_first

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


# a chapter in small: a seeded draw, a recorded value, a figure
SEEDED = NOTEBOOK.replace('print("{name}", 1 + 1)', """import matplotlib.pyplot as plt
import numpy as np

from uniqnets.book import record

x = np.random.default_rng({seed}).standard_normal(50).cumsum()
record("{name}_last", float(x[-1]))
print("{name}", np.round(x[:3], 6))""") + """
```{{code-cell}} ipython3
fig, ax = plt.subplots(figsize=(3, 2), dpi=60)
ax.plot(x)
plt.show()
```
"""


def build(book: Path, log: list | None = None):
    jb = Path(sys.executable).parent / "jupyter-book"
    proc = subprocess.run([str(jb), "build", str(book), "-W", "-n", "--keep-going"],
                          cwd=book, capture_output=True, text=True)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    if log is not None:
        log.append(proc.stdout + proc.stderr)
    return records(book)


def records(book: Path):
    cache = get_cache(book / "_build" / ".jupyter_cache")
    return {Path(r.uri).stem: (r.pk, r.hashkey) for r in cache.list_cache_records()}


def make_book(book: Path, template=NOTEBOOK, names="ab"):
    (book / "book").mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", book / "_config.yml")
    shutil.copytree(ROOT / "book" / "_ext", book / "book" / "_ext")
    shutil.copy(ROOT / "book" / "references.bib", book / "book" / "references.bib")
    (book / "notebooks").mkdir()
    for seed, name in enumerate(names):
        (book / "notebooks" / f"{name}.md").write_text(template.format(name=name, seed=seed))
    (book / "intro.md").write_text("# Test book\n\n```{tableofcontents}\n```\n")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n" + "".join(
        f"  - file: notebooks/{name}\n" for name in names))
    return book


def executed_outputs(book: Path, name: str):
    """The outputs the book's cache holds for notebook ``name``: text, and image bytes."""
    cache = get_cache(book / "_build" / ".jupyter_cache")
    (record,) = [r for r in cache.list_cache_records() if Path(r.uri).stem == name]
    nb = cache.get_cache_bundle(record.pk).nb
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o["output_type"] == "stream":
                out.append(("stream", o["name"], o["text"]))
            elif o["output_type"] in ("display_data", "execute_result"):
                data = dict(o["data"])
                if "image/png" in data:
                    data["image/png"] = base64.b64decode(data["image/png"])
                out.append((o["output_type"], sorted(data.items())))
    return out


@pytest.mark.slow
def test_prose_edits_execute_nothing_and_code_edits_only_their_notebook(tmp_path):
    book = make_book(tmp_path / "book")
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


@pytest.mark.slow
def test_nbval_pass_fills_the_cache_and_the_build_executes_nothing(tmp_path):
    pytest.importorskip("xdist")
    book = make_book(tmp_path / "book", SEEDED)
    (book / "ipynb").mkdir()
    for md in (book / "notebooks").glob("*.md"):
        jupytext.write(jupytext.read(md), book / "ipynb" / f"{md.stem}.ipynb")
    (book / "pytest.ini").write_text("[pytest]\n")
    # nbval on two workers, with the project's plugin (conftest.py loads it in the repo)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "lib"), *filter(None, [os.environ.get("PYTHONPATH")])])}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-p", "uniqnets.book._execute", "--nbval-lax", "-n", "2",
                           "--dist", "loadfile", "ipynb"],
                          cwd=book, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    assert "4 passed" in proc.stdout, proc.stdout[-2000:]
    cached = records(book)
    assert set(cached) == {"a", "b"}, "the nbval pass did not cache both notebooks"

    log = []
    assert build(book, log) == cached  # no new record: nothing was executed
    assert log[0].count("Using cached notebook") == 2, log[0][-4000:]
    assert "Executing notebook" not in log[0], log[0][-4000:]
    html = (book / "_build" / "html" / "notebooks" / "a.html").read_text()
    assert "a [" in html and "<img" in html  # the printed draw and the figure are shown

    # bit for bit: the same notebooks executed one at a time and two at a time (the
    # book's cache filler) give nbval's outputs, text and image bytes
    for jobs in (1, 2):
        other = make_book(tmp_path / f"jobs{jobs}", SEEDED)
        done = fill_cache(other, sorted((other / "notebooks").glob("*.md")), jobs=jobs)
        assert len(done) == 2
        for name in "ab":
            assert executed_outputs(other, name) == executed_outputs(book, name), (jobs, name)
    assert executed_outputs(book, "a") != executed_outputs(book, "b")  # the seeds differ


def test_longest_chapters_are_executed_first(tmp_path):
    # the order of `make book`'s workers: by the times the benchmark last measured,
    # longest first; chapters it never timed before them; no timings: sorted order
    names = ["a", "b", "c", "d"]
    mds = [tmp_path / "notebooks" / f"{n}.md" for n in names]
    assert [p.stem for p in longest_first(tmp_path, reversed(mds))] == names
    results = tmp_path / "benchmarks" / "results"
    results.mkdir(parents=True)
    (results / "bench_book.json").write_text(
        json.dumps({"notebook_seconds": {"a": 1.0, "b": 30.0, "d": 5.0}}))
    assert [p.stem for p in longest_first(tmp_path, mds)] == ["c", "b", "d", "a"]


def test_pages_taken_from_the_cache_are_the_chapters_and_the_sweeps_page():
    pages = {p.relative_to(ROOT).as_posix() for p in cached_pages(ROOT)}
    chapters = {p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*.md")}
    # the summaries that read other files run on every build (execution_mode: force)
    assert pages == chapters | {"book/sweeps.md"}


# a page executed on every read that prints a value of the data file beside it
DATA_PAGE = NOTEBOOK.replace(
    "---\n# Notebook", "mystnb:\n  execution_mode: force\n---\n# Notebook").replace(
    'print("{name}", 1 + 1)',
    'import json\nprint("value", json.load(open("../data.json"))["value"])')


@pytest.mark.slow
def test_a_page_is_read_again_when_its_data_file_changes(tmp_path):
    """``page_data`` (book/_ext/book_html.py): a newer data file makes its page outdated."""
    import yaml

    book = make_book(tmp_path / "book", DATA_PAGE, names="ab")
    conf = yaml.safe_load((book / "_config.yml").read_text())
    conf["sphinx"]["config"]["page_data"] = {"notebooks/a": ["data.json"]}
    (book / "_config.yml").write_text(yaml.safe_dump(conf))
    data = book / "data.json"
    data.write_text('{"value": 1}')
    build(book)
    html = book / "_build" / "html" / "notebooks"
    assert "value 1" in (html / "a.html").read_text()

    data.write_text('{"value": 2}')
    # newer than the pages' last reading, whatever the file system's time resolution
    os.utime(data, ns=(data.stat().st_atime_ns, data.stat().st_mtime_ns + 10**9))
    log = []
    build(book, log)
    # a, which lists the file, was read and executed again; b, which reads the same file
    # without listing it, was not: it still shows the old value
    assert "value 2" in (html / "a.html").read_text(), log[0][-3000:]
    assert "value 1" in (html / "b.html").read_text(), log[0][-3000:]


@pytest.mark.slow
def test_a_library_change_executes_again_and_a_prose_change_does_not(tmp_path, monkeypatch):
    """The book's cache keys on the library's code as well as the chapter's."""
    from uniqnets.book import _execute
    from uniqnets.book.sweep import _store

    lib = tmp_path / "lib" / "uniqnets"
    lib.mkdir(parents=True)
    (lib / "core.py").write_text("X = 1\n")
    monkeypatch.setattr(_store, "_package_root", lambda: lib)
    book = make_book(tmp_path / "book")
    mds = sorted((book / "notebooks").glob("*.md"))
    assert set(map(str, fill_cache(book, mds, jobs=1))) == {str(md.resolve()) for md in mds}
    first = records(book)
    # a prose-only change: nothing is executed
    a = book / "notebooks" / "a.md"
    a.write_text(a.read_text().replace("Some prose.", "Other prose."))
    assert not any(_execute.needs_execution(book, md) for md in mds)
    assert fill_cache(book, mds, jobs=1) == {} and records(book) == first
    # a change of the library's code: every chapter is executed again
    (lib / "core.py").write_text("X = 2\n")
    assert all(_execute.needs_execution(book, md) for md in mds)
    assert len(fill_cache(book, mds, jobs=1)) == 2
    assert not any(_execute.needs_execution(book, md) for md in mds)
    # so is a change of a dependency's version
    real = _execute.library_digest()
    monkeypatch.setattr(_execute, "library_digest", lambda: real + "-numpy-upgraded")
    assert all(_execute.needs_execution(book, md) for md in mds)


def test_a_chapter_that_reads_a_data_file_is_stale_when_the_file_changes(tmp_path):
    from uniqnets.book._execute import data_digest

    (tmp_path / "_config.yml").write_text(
        "sphinx:\n  config:\n    page_data:\n      notebooks/a: [book/_data/a.json]\n")
    (tmp_path / "book" / "_data").mkdir(parents=True)
    md = tmp_path / "notebooks" / "a.md"
    other = tmp_path / "notebooks" / "b.md"
    first = data_digest(tmp_path, md)
    (tmp_path / "book" / "_data" / "a.json").write_text("{}")
    second = data_digest(tmp_path, md)
    (tmp_path / "book" / "_data" / "a.json").write_text('{"runs": []}')
    third = data_digest(tmp_path, md)
    assert len({first, second, third}) == 3 and data_digest(tmp_path, other) == ""
