"""Executing the chapters side by side, once (private): kernels, the book's cache, nbval.

Three pieces, shared by ``make book``, ``make test`` and the tests:

* :func:`kernel_manager_class`: Jupyter kernel managers on zmq's ``ipc`` transport.
  A kernel on TCP gets its five ports by binding port 0 and releasing it before the
  kernel binds it again; two kernels started side by side (two pytest-xdist workers,
  two notebooks of the book) can be handed the same port in between ("Address already
  in use", the kernel dies before it replies).  Unix sockets in a directory of their
  own cannot collide: ipc socket names are chosen by counting up from 1 until a name
  is free, so each kernel gets a fresh private directory (the socket names are then
  unique whatever else runs).  A socket's path must fit in ``sun_path`` (104 bytes on
  macOS and the BSDs, 108 on Linux): :func:`socket_dir` makes the folder where the
  temporary folder's path leaves room, else in ``/tmp``.  On systems without Unix
  sockets, or with no such folder, TCP is kept.
* :func:`fill_cache`: execute the chapters whose code is not yet in the book's
  jupyter-cache (``_build/.jupyter_cache``, where Jupyter Book looks with
  ``execute_notebooks: cache``), ``jobs`` at a time, each in its own process with an
  ipc kernel, and store them there; the book build then executes nothing.
  jupyter-cache's own ``local-parallel`` executor is not used because it starts its
  kernels on TCP, which is the race above.
* a pytest plugin (this module is one: ``-p uniqnets.book._execute``, and the
  project's ``conftest.py`` loads it): nbval's kernels run on ipc, and when every cell
  of a notebook twin ``<book>/ipynb/<name>.ipynb`` has passed, the notebook with the
  outputs nbval received is stored in the jupyter-cache of ``<book>`` under the hash
  of ``<book>/notebooks/<name>.md``.  nbval still executes every chapter (its test is
  that each cell runs without an error); the book build afterwards reuses that one
  execution instead of running the chapter again.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["cache_executed", "cached_pages", "data_digest", "fill_cache", "kernel_manager_class",
           "library_digest", "longest_first", "needs_execution", "socket_dir"]

#: the book's execution cache, relative to the book's root (Jupyter Book's default)
CACHE = Path("_build") / ".jupyter_cache"


# -- kernels ---------------------------------------------------------------------------------

#: the longest path of a Unix socket on every POSIX system: ``sun_path`` holds 104 bytes on
#: macOS and the BSDs (108 on Linux), the terminating NUL included
SOCKET_PATH_MAX = 103
#: zmq names a kernel's sockets ``<ip>-<n>``, counting n up from 1 (five channels)
_SOCKET_SUFFIX = len("-9999")


def socket_dir(prefix: str = "uniqnets-kernel-", name: str = "kernel") -> str | None:
    """A new private folder for a kernel's Unix sockets, whose paths fit in ``sun_path``.

    The folder is made in the temporary folder (``TMPDIR``) when its path leaves room for
    ``<folder>/<name>-<n>`` within ``SOCKET_PATH_MAX`` bytes, else in ``/tmp`` or
    ``/dev/shm``; ``None`` (use TCP) when none of them can hold one or the system has no
    Unix sockets.  The caller removes the folder.

    Examples
    --------
    >>> import os, shutil
    >>> from uniqnets.book._execute import SOCKET_PATH_MAX, socket_dir
    >>> d = socket_dir()
    >>> d is None or len(os.path.join(d, "kernel-9999")) <= SOCKET_PATH_MAX
    True
    >>> shutil.rmtree(d) if d else None
    """
    if os.name != "posix":
        return None
    for root in dict.fromkeys((tempfile.gettempdir(), "/tmp", "/dev/shm")):
        room = len(os.fsencode(os.path.join(root, prefix + "x" * 8, name))) + _SOCKET_SUFFIX
        if room > SOCKET_PATH_MAX or not os.path.isdir(root):
            continue
        try:
            return tempfile.mkdtemp(prefix=prefix, dir=root)
        except OSError:  # not writable: try the next
            continue
    return None


def _ipc_mixin(base):
    class IpcKernelManager(base):
        """A kernel manager whose kernel listens on Unix sockets in a private directory."""

        def __init__(self, **kw):
            super().__init__(**kw)
            self._ipc_dir = socket_dir()
            if self._ipc_dir:
                self.transport = "ipc"
                self.ip = os.path.join(self._ipc_dir, "kernel")

        # shutdown_kernel awaits this one, in the sync and in the async manager alike
        async def _async_cleanup_resources(self, restart=False):
            await super()._async_cleanup_resources(restart=restart)
            if not restart and self._ipc_dir:
                shutil.rmtree(self._ipc_dir, ignore_errors=True)

    IpcKernelManager.__name__ = IpcKernelManager.__qualname__ = f"Ipc{base.__name__}"
    return IpcKernelManager


def kernel_manager_class(asynchronous: bool = True):
    """The kernel manager class on ipc transport (async for nbclient/papermill, sync for nbval).

    Examples
    --------
    >>> from uniqnets.book._execute import kernel_manager_class
    >>> kernel_manager_class().__name__, kernel_manager_class(False).__name__
    ('IpcAsyncKernelManager', 'IpcKernelManager')
    """
    from jupyter_client import AsyncKernelManager, KernelManager

    return _ipc_mixin(AsyncKernelManager if asynchronous else KernelManager)


# -- the book's execution cache --------------------------------------------------------------

@contextlib.contextmanager
def _cache_lock(book: Path):
    """An exclusive lock on the book's cache: two processes may store at the same time."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no xdist workers sharing a cache are expected there
        yield
        return
    path = Path(book) / CACHE.parent / ".jupyter_cache.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _read_source(md: Path):
    """The chapter as the book reads it (myst-nb's MyST reader), so that the hashes agree."""
    from myst_nb.core.read import read_myst_markdown_notebook

    return read_myst_markdown_notebook(Path(md).read_text(encoding="utf-8"))


#: the packages whose versions make an execution stale, beside the library's own code
DEPENDENCIES = ("numpy", "scipy", "matplotlib", "gudhi", "POT", "jax", "jaxlib", "optax",
                "scikit-learn", "ipykernel")


def library_digest() -> str:
    """Hash of the ``uniqnets`` library's code and of its dependencies' versions.

    The book's cache matches a chapter on its code cells (as Jupyter Book does); a
    chapter executed with another library, or other versions of numpy, scipy, ..., is
    stale all the same. :func:`cache_executed` stores this digest with each execution and
    :func:`needs_execution` compares it, as the sweep does for its runs.
    """
    import hashlib
    from importlib import metadata

    from uniqnets.book.sweep._store import _library_digest

    versions = []
    for name in DEPENDENCIES:
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=-")
    text = _library_digest() + "\n" + "\n".join(versions)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def data_digest(book: Path, md: Path) -> str:
    """Hash of the data files chapter ``md`` reads, as ``_config.yml`` lists them.

    A chapter that reads a data file written by a long run (``page_data`` of the
    Sphinx config: document name -> files relative to the book's root) is stale when
    the file changes, although its code did not.  Empty when it reads none.
    """
    import hashlib

    import yaml

    book = Path(book)
    try:
        config = yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8")) or {}
    except OSError:
        return ""
    pages = (((config.get("sphinx") or {}).get("config") or {}).get("page_data") or {})
    try:
        doc = Path(md).resolve().relative_to(book.resolve()).with_suffix("").as_posix()
    except ValueError:
        return ""
    h = hashlib.sha256()
    for name in pages.get(doc, []):
        path = book / name
        h.update(name.encode() + (path.read_bytes() if path.exists() else b"-"))
    return h.hexdigest()[:16] if pages.get(doc) else ""


def needs_execution(book: Path, md: Path) -> bool:
    """True when the book's cache holds no execution of chapter ``md`` with this library.

    An execution matches on the chapter's code cells (a prose edit executes nothing), on
    :func:`library_digest` (a change of the library's code or of a dependency's version
    executes every chapter again) and on :func:`data_digest` (a chapter that reads a data
    file runs again when the file changes).
    """
    from jupyter_cache import get_cache

    with _cache_lock(book):
        cache = get_cache(Path(book) / CACHE)
        try:
            record = cache.match_cache_notebook(_read_source(md))
        except KeyError:
            return True
    data = record.data or {}
    return data.get("library") != library_digest() or data.get("data", "") != data_digest(book, md)


def cache_executed(book: Path, md: Path, code_outputs, seconds: float | None = None,
                   sources=None):
    """Store chapter ``md`` executed with ``code_outputs`` (one list per code cell) in the cache.

    ``sources``, if given, are the code cells that were executed: nothing is stored
    unless they are the chapter's (the cache matches on them).  Returns the cache
    record's primary key, or None when nothing was stored.
    """
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.cache.main import CacheBundleIn

    nb = _read_source(md)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    if len(code) != len(code_outputs) or (
            sources is not None and list(sources) != [cell.source for cell in code]):
        return None
    for count, (cell, outputs) in enumerate(zip(code, code_outputs, strict=True), start=1):
        cell.outputs = [nbformat.from_dict(dict(out)) for out in outputs]
        cell.execution_count = count
        for out in cell.outputs:
            if out.get("output_type") == "execute_result":
                out["execution_count"] = count
    with _cache_lock(book):
        cache = get_cache(Path(book) / CACHE)
        record = cache.cache_notebook_bundle(
            CacheBundleIn(nb, str(Path(md).resolve()),
                          data={"execution_seconds": seconds, "library": library_digest(),
                                "data": data_digest(book, md)}),
            check_validity=False, overwrite=True)
        return record.pk


def _execute_one(md: str, timeout: int):
    """Execute chapter ``md`` in a fresh ipc kernel (cwd: its folder), as the book would."""
    from nbclient import NotebookClient

    nb = _read_source(Path(md))
    t0 = time.perf_counter()
    client = NotebookClient(nb, timeout=timeout, kernel_name=nb.metadata["kernelspec"]["name"],
                            allow_errors=False,
                            resources={"metadata": {"path": str(Path(md).parent)}},
                            kernel_manager_class=kernel_manager_class())
    client.execute()
    outputs = [cell.outputs for cell in nb.cells if cell.cell_type == "code"]
    return outputs, time.perf_counter() - t0


def fill_cache(book: Path, notebooks, jobs: int = 2, timeout: int = 300) -> dict:
    """Execute the ``notebooks`` (MyST ``.md``) not yet cached, ``jobs`` at a time; cache them.

    Returns ``{path: seconds}`` for the notebooks executed (a cached one is skipped).
    Each notebook is cached as soon as it has run; the first execution error is raised
    once the others have finished (the build would fail on it too).
    """
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    todo = [str(Path(md).resolve()) for md in notebooks if needs_execution(book, Path(md))]
    done, errors = {}, []
    if not todo:
        return done
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(todo))),
                             mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(_execute_one, md, timeout): md for md in todo}
        for fut in as_completed(futures):
            md = futures[fut]
            try:
                outputs, seconds = fut.result()
            except Exception as exc:
                errors.append((md, exc))
                continue
            cache_executed(book, Path(md), outputs, seconds)
            done[md] = seconds
    if errors:
        md, exc = errors[0]
        raise RuntimeError(f"executing {md} failed: {exc}") from exc
    return done


def _timeout_from_config(book: Path) -> int:
    import yaml

    conf = yaml.safe_load((Path(book) / "_config.yml").read_text(encoding="utf-8")) or {}
    return int((conf.get("execute") or {}).get("timeout", 300))


def cached_pages(book: Path) -> list:
    """The pages of the book that its build takes from the execution cache.

    Every chapter (``notebooks/*.md``) and every page under ``book/`` that has code
    (a kernelspec in its front matter) and is not executed on every build
    (``mystnb: execution_mode: force``, the pages that read other files): those are
    executed by the build itself, after this.
    """
    import yaml

    pages = sorted((Path(book) / "notebooks").glob("*.md"))
    for md in sorted((Path(book) / "book").glob("*.md")):
        text = md.read_text(encoding="utf-8")
        if not text.startswith("---"):
            continue
        front = yaml.safe_load(text.split("---", 2)[1]) or {}
        mode = (front.get("mystnb") or {}).get("execution_mode")
        if "kernelspec" in front and mode != "force":
            pages.append(md)
    return pages


def longest_first(book: Path, notebooks) -> list:
    """The ``notebooks`` ordered by their expected execution time, longest first.

    With ``jobs`` workers taking notebooks in turn, starting the long ones first keeps
    one long chapter from running alone at the end (longest-processing-time-first
    scheduling, within 4/3 of the best makespan: R. L. Graham, "Bounds on
    multiprocessing timing anomalies", SIAM J. Appl. Math. 17 (1969) 416-429).  The
    expected times are the ones ``benchmarks/bench_book.py`` last measured
    (``benchmarks/results/bench_book.json`` under ``book``); a chapter it has not
    timed comes first, and without that file the order is the sorted one.
    """
    import json

    path = Path(book) / "benchmarks" / "results" / "bench_book.json"
    try:
        seconds = json.loads(path.read_text(encoding="utf-8")).get("notebook_seconds", {})
    except (OSError, ValueError):
        seconds = {}
    ordered = sorted(notebooks, key=lambda md: str(md))
    return sorted(ordered, key=lambda md: -seconds.get(Path(md).stem, float("inf")))


def main(argv=None):
    """``python -m uniqnets.book._execute [--jobs N] [BOOK]``: fill the book's execution cache."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__.split(":", 1)[1].strip())
    parser.add_argument("book", nargs="?", default=".", help="the book's root (default: .)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at a time")
    args = parser.parse_args(argv)
    book = Path(args.book).resolve()
    notebooks = longest_first(book, cached_pages(book))
    done = fill_cache(book, notebooks, jobs=args.jobs, timeout=_timeout_from_config(book))
    for md, seconds in done.items():
        sys.stderr.write(f"executed {Path(md).name} in {seconds:.1f} s\n")
    sys.stderr.write(f"{len(notebooks) - len(done)} of {len(notebooks)} notebooks were cached\n")


# -- the pytest plugin -----------------------------------------------------------------------

class NbvalCache:
    """Store each notebook twin nbval executed completely in its book's jupyter-cache."""

    def __init__(self):
        self._outputs = {}   # twin path -> {cell index: outputs}
        self._t0 = {}
        #: twin path -> recorded values of its execution, once every cell has passed
        self.records = {}

    @staticmethod
    def _source(twin: Path):
        md = twin.parent.parent / "notebooks" / f"{twin.stem}.md"
        return md if twin.parent.name == "ipynb" and md.is_file() else None

    def pytest_runtest_makereport(self, item, call):
        from nbval.plugin import IPyNbCell

        if not isinstance(item, IPyNbCell) or call.when != "call":
            return
        twin = Path(str(item.parent.fspath))
        self._t0.setdefault(twin, call.start)
        if call.excinfo is not None or self._source(twin) is None:
            self._outputs[twin] = None  # a failed or skipped cell: this run is not cached
            self.records.pop(twin, None)
            return
        seen = self._outputs.setdefault(twin, {})
        if seen is None:
            return
        seen[item.cell_num] = [dict(out) for out in (item.test_outputs or [])]
        n_code = sum(cell.cell_type == "code" for cell in item.parent.nb.cells)
        if len(seen) == n_code:  # every cell ran in this one kernel and passed
            md = self._source(twin)
            outputs = [seen[k] for k in sorted(seen)]
            sources = [cell.source for cell in item.parent.nb.cells if cell.cell_type == "code"]
            cache_executed(md.parent.parent, md, outputs, seconds=call.stop - self._t0[twin],
                           sources=sources)
            self.records[twin] = _records_of(outputs)
            del self._outputs[twin]

    @staticmethod
    def pytest_collection_modifyitems(session, config, items):
        """After the last cell of each chapter twin, one item per check of the chapter."""
        from nbval.plugin import IPyNbCell

        from ._checks import chapter_checks

        out, last = [], {}
        for item in items:
            if isinstance(item, IPyNbCell):
                last[item.parent] = item
        for item in items:
            out.append(item)
            parent = getattr(item, "parent", None)
            if parent is None or last.get(parent) is not item:
                continue
            md = NbvalCache._source(Path(str(parent.fspath)))
            if md is None:
                continue
            for func in chapter_checks(md):
                out.append(ChapterCheck.from_parent(parent, name=f"check::{func.__name__}",
                                                    func=func))
        items[:] = out


def _records_of(code_outputs) -> dict:
    """The recorded values in the outputs of a notebook's code cells."""
    import nbformat

    from ._record import read_records

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("", outputs=[nbformat.from_dict(dict(o))
                                                       for o in outs])
                for outs in code_outputs]
    return read_records(nb)


def _check_item_class():
    import pytest

    class ChapterCheck(pytest.Item):
        """One check of ``tests/chapters/<stem>.py`` on the chapter nbval just executed."""

        def __init__(self, *, func, **kw):
            super().__init__(**kw)
            self.func = func

        def runtest(self):
            from ._checks import run_check

            plugin = self.config.pluginmanager.get_plugin("uniqnets-nbval-cache")
            values = plugin.records.get(Path(str(self.parent.fspath)))
            if values is None:
                pytest.skip("the chapter did not run to its end: its cells' tests say why")
            result = run_check(self.func, values)
            if not result.passed:
                if result.counted:
                    pytest.xfail(f"fails by chance at rate {result.chance:g}: "
                                 f"{result.message}")
                raise AssertionError(result.message)

        def repr_failure(self, excinfo):
            return f"{self.name}: {excinfo.value}"

        def reportinfo(self):
            return self.path, None, self.name

    return ChapterCheck


class _LazyCheck:
    """``ChapterCheck`` is made on first use: pytest is not imported with this module."""

    _cls = None

    def from_parent(self, parent, **kw):
        if _LazyCheck._cls is None:
            _LazyCheck._cls = _check_item_class()
        return _LazyCheck._cls.from_parent(parent, **kw)


ChapterCheck = _LazyCheck()


def _patch_nbval_kernels():
    """nbval's kernels: on ipc transport, and executing cells as a notebook front end does.

    nbval starts its kernels with ``nbval.kernel.KernelManager``: make it the ipc one.
    It also executes every cell with ``store_history=False``, unlike Jupyter, papermill
    and the book's execution (nbclient); then IPython keeps no ``In`` history, which
    :func:`uniqnets.book.glue_parameters` reads to find the parameters cell. Cells are
    executed with history here, as in every other way a chapter is run.
    """
    import nbval.kernel

    nbval.kernel.KernelManager = kernel_manager_class(asynchronous=False)
    running = nbval.kernel.RunningKernel
    if getattr(running.execute_cell_input, "_uniqnets_history", False):
        return

    def execute_cell_input(self, cell_input, allow_stdin=None):
        return self.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin,
                               stop_on_error=False)

    execute_cell_input._uniqnets_history = True
    running.execute_cell_input = execute_cell_input


def pytest_configure(config):
    if not config.pluginmanager.hasplugin("nbval"):
        return
    _patch_nbval_kernels()
    if not config.pluginmanager.has_plugin("uniqnets-nbval-cache"):
        config.pluginmanager.register(NbvalCache(), "uniqnets-nbval-cache")


if __name__ == "__main__":
    main()
