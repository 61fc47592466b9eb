"""Record a notebook's key results: for the prose and for sweeps, in one call.

``record(name, value)`` does two things with one value:

* it *glues* it (the myst-nb mechanism), so the prose can quote it with
  ``{eval}`rec("name", ".3f")``` and no number in the text is typed by hand
  (see :func:`rec`: the same role shows the number in the HTML book and in
  JupyterLab);
* it stores a JSON copy next to the glued text, so that
  :func:`read_records` gets the exact value back from an executed notebook
  (a papermill output, a book build), which is how sweeps collect results.

Values are converted to plain Python first (numpy scalars to ``float``/``int``/
``bool``, arrays to nested lists), so the glued text of a float is its ``repr``
and not ``np.float64(...)``.

The recorded values of the running kernel are also kept in ``RECORDED``,
and :func:`dump` writes them to a JSON file for anyone who prefers a file.
"""

from __future__ import annotations

import ast
import json
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

__all__ = ["RECORDED", "Quoted", "check_injected", "dump", "format_glued", "glue_parameters",
           "number_text", "numbers_in_text",
           "read_records", "rec", "record", "to_builtin"]

GLUE_PREFIX = "application/papermill.record/"  # myst-nb's prefix for hidden glue outputs
# the exact value, as JSON text (nbformat only allows strings under a non-JSON mime key)
JSON_MIME = "text/x-uniqnets-json"

#: values recorded in this kernel, in order, by name
RECORDED: dict[str, object] = {}
# the glued text/plain of each recorded value (what {glue:text} and rec() format)
_GLUED_TEXT: dict[str, str] = {}
# the names glue_parameters glued: a result that records one again with the same value is
# not glued twice (the book warns on a name glued twice in one page)
_PARAMETERS: set[str] = set()


def to_builtin(value):
    """``value`` as plain Python (JSON-ready): numpy scalars, arrays, tuples, dicts.

    Non-finite floats stay floats (``nan``, ``inf``); JSON files get them as the
    common extension ``NaN``/``Infinity``, which :func:`json.loads` reads back.

    Examples
    --------
    >>> to_builtin({"lam": np.float64(0.5), "steps": np.arange(3)})
    {'lam': 0.5, 'steps': [0, 1, 2]}
    """
    if isinstance(value, np.ndarray):
        return to_builtin(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return {str(k): to_builtin(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_builtin(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"value of type {type(value).__name__} cannot be recorded; "
                    "record numbers, strings, booleans, arrays or lists/dicts of them")


_MISSING = object()


def record(name, value=_MISSING, fmt: str | None = None, display: bool = False) -> None:
    """Glue ``value`` under ``name`` and keep it for :func:`read_records` and :func:`dump`.

    ``record(mapping)`` records every item of a mapping, in order, with the same
    ``fmt`` and ``display``: ``record({"lam": lam, "se": se})``.

    Parameters
    ----------
    name : str or mapping
        Key of the value, unique within the notebook (myst-nb warns on duplicates);
        or a mapping from keys to values.
    value : number, str, bool, array or list/dict of them
        Not given when ``name`` is a mapping.
    fmt : str, optional
        A format spec (``".3f"``, ``".2e"``) applied to the *glued text*; without it
        the text is ``repr(value)`` and the prose can format it with
        ``{glue:text}`name:.3f```.  The stored JSON value is never rounded.
    display : bool
        Also show the value in the cell's output.

    Examples
    --------
    Outside a kernel the value is only kept (in ``RECORDED``):

    >>> record("lam_max", np.float64(0.25))
    >>> record({"se": 0.01, "n_steps": 100})
    >>> RECORDED["lam_max"], RECORDED["n_steps"]
    (0.25, 100)
    """
    if isinstance(name, Mapping):
        if value is not _MISSING:
            raise TypeError("record(mapping) takes no value: the mapping holds the values")
        for key, val in name.items():
            record(key, val, fmt=fmt, display=display)
        return
    if value is _MISSING:
        raise TypeError("record(name, value) needs a value (or one mapping of names to values)")
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    py = to_builtin(value)
    text = format(py, fmt) if fmt else repr(py)
    if name in _PARAMETERS and RECORDED.get(name) == py and not display:
        return  # a parameter a result repeats (equal values): glued once, by glue_parameters
    RECORDED[name] = py
    _GLUED_TEXT[name] = text
    try:
        from IPython import get_ipython
        from IPython.display import display as ipy_display
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return
    if get_ipython() is None:  # plain Python: keep the value, nothing to glue into
        return
    prefix = "" if display else GLUE_PREFIX
    bundle = {prefix + "text/plain": text, prefix + JSON_MIME: json.dumps(py)}
    ipy_display(bundle, raw=True, metadata={"scrapbook": {"name": name, "mime_prefix": prefix}})


class Quoted(str):
    """Text that shows as itself: its ``repr`` (a kernel's ``text/plain``) has no quotes.

    :func:`rec` returns one, so that JupyterLab shows an inline ``{eval}`` role as
    the bare number, exactly as the HTML book does. It is a ``str`` in every
    other respect.

    Examples
    --------
    >>> Quoted("0.25")
    0.25
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return str.__str__(self)

    def _repr_pretty_(self, p, cycle) -> None:  # IPython's text/plain
        p.text(str.__str__(self))


def format_glued(text: str, fmt: str = "s") -> str:
    """Format a glued ``text/plain`` with a format spec, as ``{glue:text}`name:fmt``` does.

    The text is read back with ``ast.literal_eval`` (a string loses its quotes), then
    converted by the spec's type character (``d``, ``x``, ... to ``int``; ``f``,
    ``e``, ``g``, ``%`` ... to ``float``; ``s`` to ``str``) and formatted. This is
    myst-nb's ``format_plain_text`` (``myst_nb.core.variables``), copied so that a
    kernel can format without importing Sphinx; a test checks that the two agree.

    Examples
    --------
    >>> format_glued("0.123456", ".3f"), format_glued("12", ""), format_glued("'a'")
    ('0.123', '12', 'a')
    """
    try:
        value = ast.literal_eval(text)
    except (SyntaxError, ValueError):
        value = text
    if fmt == "":
        return str(value)
    kind = fmt[-1]
    if kind == "s":
        value = str(value)
    elif kind in ("b", "c", "d", "o", "x", "X"):
        value = int(value)
    elif kind in ("e", "E", "f", "F", "g", "G", "n", "%"):
        value = float(value)
    return format(value, fmt)


_SCIENTIFIC = re.compile(r"^([-+]?)(\d+(?:\.\d+)?)[eE]([-+]?\d+)$")
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
#: no-break space: a number is never split across lines
NBSP = "\u00a0"


def number_text(text: str) -> str:
    """The book's one way of writing a number in scientific notation: ``2 × 10⁻¹⁰``.

    A number formatted with an ``e`` spec (``"2e-10"``, ``"3.0e-01"``) becomes its
    mantissa times a power of ten with a superscript exponent, joined by no-break spaces so
    that it never breaks across lines; a zero (``"0e+00"``) becomes ``"0"``, an exponent of
    zero leaves the mantissa alone, and a minus sign is the typographic one. Any other text
    is returned unchanged.

    Examples
    --------
    >>> number_text("2e-10"), number_text("-3.0e-01"), number_text("0e+00")
    ('2\xa0×\xa010⁻¹⁰', '−3.0\xa0×\xa010⁻¹', '0')
    >>> number_text("1.5e+00"), number_text("0.25"), number_text("seed 7")
    ('1.5', '0.25', 'seed 7')
    """
    m = _SCIENTIFIC.match(text.strip())
    if m is None:
        return text
    sign, mantissa, exponent = m.group(1), m.group(2), int(m.group(3))
    if float(mantissa) == 0:
        return "0"
    sign = "−" if sign == "-" else ""
    if exponent == 0:
        return sign + mantissa
    return f"{sign}{mantissa}{NBSP}×{NBSP}10" + str(exponent).translate(_SUPERSCRIPT)


_SCIENTIFIC_TOKEN = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?[eE][-+]?\d+(?![\w.])")
_NOT_PROSE = re.compile(r"(\$\$.*?\$\$|\$[^$]*\$|`[^`]*`)", re.S)


def numbers_in_text(text: str) -> str:
    """A sentence with each number in scientific notation written as :func:`number_text`.

    Math (``$...$``) and code (`` `...` ``) are left as they are.

    Examples
    --------
    >>> numbers_in_text("λ = 1.2e-03 per step, $x = 1e-3$, `2e-5`")
    'λ = 1.2\xa0×\xa010⁻³ per step, $x = 1e-3$, `2e-5`'
    """
    parts = _NOT_PROSE.split(text)
    return "".join(p if i % 2 else _SCIENTIFIC_TOKEN.sub(lambda m: number_text(m.group(0)), p)
                   for i, p in enumerate(parts))


def flag_kind(value) -> str:
    """What makes ``value`` unfit for a sentence: a Boolean, None or NaN ("" if nothing).

    Examples
    --------
    >>> flag_kind(True), flag_kind(float("nan")), flag_kind("nan"), flag_kind(0.5)
    ('a Boolean', 'not a number', 'not a number', '')
    """
    if isinstance(value, bool):
        return "a Boolean"
    if value is None or value == "None":
        return "None"
    if (isinstance(value, float) and value != value) or (
            isinstance(value, str) and value.strip().lower() == "nan"):
        return "not a number"
    return ""


def rec(name: str, fmt: str = "s") -> Quoted:
    """A recorded value as the prose quotes it: ``{eval}`rec("lam_max", ".3f")```.

    One role for both readers of a chapter. JupyterLab (with jupyterlab-myst)
    evaluates the expression in the kernel when the Markdown cell runs and shows
    the returned text; the HTML book (the ``eval`` role of ``book/_ext/book_html.py``)
    parses the same expression, without a kernel, and shows the glued value of
    ``name`` formatted by ``fmt``. Both give the text ``{glue:text}`name:fmt```
    gives.

    Parameters
    ----------
    name : str
        A name given to :func:`record` (or :func:`glue_parameters`) earlier in
        this kernel.
    fmt : str
        A format spec (``".3f"``, ``".1e"``, ``".0%"``, ``"g"``); default ``"s"``:
        the value's text as recorded.

    Returns
    -------
    Quoted
        The formatted text (a ``str`` whose ``repr`` has no quotes).

    Examples
    --------
    >>> record("lam_max", 0.123456)
    >>> rec("lam_max", ".3f")
    0.123
    >>> rec("lam_max")
    0.123456
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    if not isinstance(fmt, str):
        raise TypeError(f"fmt must be a format spec string, got {type(fmt).__name__}")
    if name not in _GLUED_TEXT:
        raise KeyError(f"name {name!r} has not been recorded in this kernel: run the cell "
                       "that records it first")
    flag = flag_kind(RECORDED.get(name))
    if flag:
        raise ValueError(f"{name!r} is {flag}, which never renders in a sentence: record the "
                         "sentence the value picks, and quote that")
    return Quoted(numbers_in_text(format_glued(_GLUED_TEXT[name], fmt)))


def read_records(notebook) -> dict[str, object]:
    """All recorded (glued) values of an executed notebook, by name.

    ``notebook`` is a path to an ``.ipynb`` file or an ``nbformat`` notebook.  Values
    recorded with :func:`record` come back exactly; values glued with plain
    ``myst_nb.glue`` come back from their text (``ast.literal_eval``) when that
    parses, else as the text itself.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> out = nbformat.v4.new_output("display_data", data={
    ...     GLUE_PREFIX + "text/plain": "0.5", GLUE_PREFIX + JSON_MIME: "0.5"},
    ...     metadata={"scrapbook": {"name": "lam", "mime_prefix": GLUE_PREFIX}})
    >>> nb.cells = [nbformat.v4.new_code_cell("record('lam', 0.5)", outputs=[out])]
    >>> read_records(nb)
    {'lam': 0.5}
    """
    if isinstance(notebook, (str, os.PathLike)):
        import nbformat

        notebook = nbformat.read(Path(notebook), as_version=4)
    out: dict[str, object] = {}
    for name, prefix, data in glued_outputs(notebook):
        if prefix + JSON_MIME in data:
            raw = data[prefix + JSON_MIME]
            out[name] = json.loads("".join(raw) if isinstance(raw, list) else raw)
            continue
        text = data.get(prefix + "text/plain")
        if isinstance(text, list):
            text = "".join(text)
        try:
            out[name] = ast.literal_eval(text)
        except (ValueError, SyntaxError, TypeError):
            out[name] = text
    return out


def glued_outputs(notebook):
    """``(name, mime prefix, data)`` of every glued output of an executed notebook, in order."""
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get("scrapbook")
            if meta:
                yield meta["name"], meta.get("mime_prefix", ""), output.get("data", {})


def _umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    # os.umask can only be read by setting it; /proc (Linux) shows it without that race
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` atomically, with the permissions of a new file.

    The text (UTF-8) or bytes go to a temporary file in the same folder, which is
    flushed to disk and renamed over ``path``: a reader sees the old file or the
    new one, never half of one, and an interrupted write leaves no temporary file.
    The file gets mode ``0o666`` minus the umask (``0644`` usually), as
    :func:`open` would create it; :func:`tempfile.mkstemp` alone would leave it
    ``0600``.

    Parameters
    ----------
    path : str or path
        The file to write; its folder must exist.
    data : str or bytes
        The new content.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import os, stat, tempfile
    >>> from uniqnets.book._record import atomic_write
    >>> folder = tempfile.mkdtemp()
    >>> p = atomic_write(os.path.join(folder, "a.txt"), "hello")
    >>> p.read_text()
    'hello'
    >>> mask = os.umask(0o022); _ = os.umask(mask)
    >>> stat.S_IMODE(p.stat().st_mode) == 0o666 & ~mask
    True
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="." + path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def dump(path, values: Mapping | None = None) -> Path:
    """Write ``values`` (default: everything recorded in this kernel) to a JSON file.

    The write is atomic (``atomic_write``: a temporary file in the same folder,
    then a rename), so a reader never sees half a file.  Values are converted with
    :func:`to_builtin`; keys are sorted.

    Parameters
    ----------
    path : str or path
        The JSON file; its folder is created if needed.
    values : mapping, optional
        What to write (default: ``RECORDED``).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import json, os, tempfile
    >>> import numpy as np
    >>> from uniqnets.book import dump
    >>> p = dump(os.path.join(tempfile.mkdtemp(), "r.json"), {"lam": np.float64(0.5)})
    >>> json.loads(p.read_text())
    {'lam': 0.5}
    """
    path = Path(path)
    values = RECORDED if values is None else values
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write(path, json.dumps(to_builtin(dict(values)), indent=1, sort_keys=True))


# papermill's translator starts the cell it injects with this comment
_PAPERMILL_HEADER = "# Parameters"


def _literal_assignments(source: str) -> list[str] | None:
    """The names a cell assigns if it holds only ``name = literal`` lines, else None."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return None
    names = []
    for node in body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            return None
        try:
            ast.literal_eval(node.value)
        except ValueError:
            return None
        names.append(node.targets[0].id)
    return names or None


def _literal_values(source: str) -> dict:
    """``name -> value`` of a cell of ``name = literal`` lines (other lines skipped)."""
    out = {}
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return out
    for node in body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return out


def check_injected(parameters_source: str, injected_source: str) -> None:
    """Refuse injected parameters the notebook does not have, or of the wrong type.

    papermill injects ``-p NAME VALUE`` as a cell after the parameters cell, and only
    warns about a name the notebook does not know: a misspelled ``-p seedd 7`` would run
    the chapter at its default seed. :func:`glue_parameters` calls this first, before any
    computation: an unknown name is a ``ValueError`` naming it, a value whose type differs
    from the default's a ``TypeError`` naming it (an integer passes for a float), and a
    negative ``seed`` a ``ValueError``.

    Examples
    --------
    >>> check_injected("seed = 0\\nlr = 0.1", "# Parameters\\nlr = 1\\n")
    >>> check_injected("seed = 0\\nlr = 0.1", "# Parameters\\nseedd = 7\\n")
    Traceback (most recent call last):
    ...
    ValueError: parameter 'seedd' is not a parameter of this notebook (its parameters: seed, lr)
    """
    from uniqnets.book.sweep._grid import _check_type

    defaults = _literal_values(parameters_source)
    for name, value in _literal_values(injected_source).items():
        if name not in defaults:
            raise ValueError(f"parameter {name!r} is not a parameter of this notebook (its "
                             f"parameters: {', '.join(defaults)})")
        _check_type(name, value, defaults[name])
        if name == "seed" and value < 0:
            raise ValueError(f"parameter 'seed' must be a non-negative integer, got {value}")


class _Glued(list):
    """The names :func:`glue_parameters` glued: a list that a notebook does not show.

    ``glue_parameters()`` ends a chapter's import cell, so its result would be that cell's
    output: the parameters' names as monospace text on the page (IPython shows nothing
    for an object whose ``_ipython_display_`` shows nothing).
    """

    def _ipython_display_(self):
        pass


def glue_parameters(namespace: Mapping | None = None, names=None) -> list[str]:
    """Record every parameter of the running notebook under its own name.

    The prose then quotes a parameter as it quotes any result,
    ``{eval}`rec("n_steps")```, without a second ``record`` by hand. The parameters
    are the names of the notebook's parameters cell: the latest executed cell
    that holds only ``name = literal`` lines and assigns ``results_path`` (the
    book's convention; papermill's injected cell, which starts with
    ``# Parameters``, is skipped); their values are read from the kernel's
    namespace, so a value papermill injected is the one glued. ``results_path`` itself is not
    glued (it names a file of the machine that ran the notebook). Values papermill
    injected are checked first (``check_injected``): a name the notebook does not
    have, or a value of another type than the default's, stops the notebook here,
    before any computation, with an error that names the parameter.

    Parameters
    ----------
    namespace : mapping, optional
        Where to read the values (default: the IPython user namespace).
    names : list of str, optional
        The parameters to glue (default: found from the cell history as above).

    Returns
    -------
    list of str
        The names glued, in order (a list a notebook does not display as the cell's
        result, so the chapter's import cell shows no output).

    Examples
    --------
    With an explicit namespace (in a notebook, call it without arguments):

    >>> ns = {"In": ["seed = 0\\nn_steps = 10\\nresults_path = ''"], "seed": 3,
    ...       "n_steps": 10, "results_path": ""}
    >>> glue_parameters(ns)
    ['seed', 'n_steps']
    """
    shell = None
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        pass
    if namespace is None:
        if shell is None:
            raise RuntimeError("glue_parameters() without a namespace needs a running kernel")
        namespace = shell.user_ns
    if names is None:
        history = list(namespace.get("In", []) or [])
        names = None
        injected = []
        for source in reversed(history):
            if (source or "").lstrip().startswith(_PAPERMILL_HEADER):
                injected.append(source)  # the cell papermill injects after the parameters cell
                continue
            found = _literal_assignments(source or "")
            if found and "results_path" in found:
                names = found
                for cell in injected:
                    check_injected(source, cell)
                break
        if names is None:
            raise RuntimeError("no parameters cell (only `name = literal` lines, assigning "
                               "results_path) was executed before glue_parameters()")
    glued = []
    for name in names:
        if name == "results_path":
            continue
        if name not in namespace:
            raise KeyError(f"parameter {name!r} is not defined in the namespace")
        _PARAMETERS.discard(name)
        record(name, namespace[name])
        _PARAMETERS.add(name)
        glued.append(name)
    return _Glued(glued)

