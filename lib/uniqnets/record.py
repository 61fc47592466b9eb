"""Record a notebook's key results: for the prose and for sweeps, in one call.

``record(name, value)`` does two things with one value:

* it *glues* it (the myst-nb mechanism), so the prose can quote it with
  ``{glue:text}`name:.3f``` and no number in the text is typed by hand;
* it stores a JSON copy next to the glued text, so that
  :func:`read_records` gets the exact value back from an executed notebook
  (a papermill output, a book build), which is how sweeps collect results.

Values are converted to plain Python first (numpy scalars to ``float``/``int``/
``bool``, arrays to nested lists), so the glued text of a float is its ``repr``
and not ``np.float64(...)``.

The recorded values of the running kernel are also kept in :data:`RECORDED`,
and :func:`dump` writes them to a JSON file for anyone who prefers a file.
"""

from __future__ import annotations

import ast
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

__all__ = ["RECORDED", "dump", "read_records", "record", "to_builtin"]

GLUE_PREFIX = "application/papermill.record/"  # myst-nb's prefix for hidden glue outputs
# the exact value, as JSON text (nbformat only allows strings under a non-JSON mime key)
JSON_MIME = "text/x-uniqnets-json"

#: values recorded in this kernel, in order, by name
RECORDED: dict[str, object] = {}


def to_builtin(value):
    """``value`` as plain Python (JSON-ready): numpy scalars, arrays, tuples, dicts.

    Non-finite floats stay floats (``nan``, ``inf``); JSON files get them as the
    common extension ``NaN``/``Infinity``, which :func:`json.loads` reads back.
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


def record(name: str, value, fmt: str | None = None, display: bool = False) -> None:
    """Glue ``value`` under ``name`` and keep it for :func:`read_records` and :func:`dump`.

    Parameters
    ----------
    name : str
        Key of the value, unique within the notebook (myst-nb warns on duplicates).
    value : number, str, bool, array or list/dict of them
    fmt : str, optional
        A format spec (``".3f"``, ``".2e"``) applied to the *glued text*; without it
        the text is ``repr(value)`` and the prose can format it with
        ``{glue:text}`name:.3f```.  The stored JSON value is never rounded.
    display : bool
        Also show the value in the cell's output.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    py = to_builtin(value)
    text = format(py, fmt) if fmt else repr(py)
    RECORDED[name] = py
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


def read_records(notebook) -> dict[str, object]:
    """All recorded (glued) values of an executed notebook, by name.

    ``notebook`` is a path to an ``.ipynb`` file or an ``nbformat`` notebook.  Values
    recorded with :func:`record` come back exactly; values glued with plain
    ``myst_nb.glue`` come back from their text (``ast.literal_eval``) when that
    parses, else as the text itself.
    """
    if isinstance(notebook, (str, os.PathLike)):
        import nbformat

        notebook = nbformat.read(Path(notebook), as_version=4)
    out: dict[str, object] = {}
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get("scrapbook")
            if not meta:
                continue
            prefix = meta.get("mime_prefix", "")
            data = output.get("data", {})
            if prefix + JSON_MIME in data:
                raw = data[prefix + JSON_MIME]
                out[meta["name"]] = json.loads("".join(raw) if isinstance(raw, list) else raw)
                continue
            text = data.get(prefix + "text/plain")
            if isinstance(text, list):
                text = "".join(text)
            try:
                out[meta["name"]] = ast.literal_eval(text)
            except (ValueError, SyntaxError, TypeError):
                out[meta["name"]] = text
    return out


def dump(path, values: Mapping | None = None) -> Path:
    """Write ``values`` (default: everything recorded in this kernel) to a JSON file.

    The write is atomic (a temporary file in the same folder, then a rename), so a
    reader never sees half a file.  Returns the path.
    """
    path = Path(path)
    values = RECORDED if values is None else values
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(to_builtin(dict(values)), fh, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
