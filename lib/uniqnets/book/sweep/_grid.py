"""Grids of a sweep: parsing values, checking them against the parameters cell, naming runs.

Nothing here executes a notebook: :func:`plan_sweep` reads the notebook's parameters
cell (parsed, not run) and lists the runs a sweep would execute.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from uniqnets.book import notebook as nbnotebook
from uniqnets.book._record import to_builtin

_NAME_SAFE = re.compile(r"^[A-Za-z0-9._+\-]+$")
_MAX_SLUG = 40
_MAX_NAME = 150


class SweepError(RuntimeError):
    """A sweep could not run, or some of its runs failed.

    Raised by :func:`run_sweep` after every run has finished and the table has been
    written; ``results`` then holds the table (failed runs included, with their error)
    and ``failures`` the failed rows.  Also raised before anything runs when another
    sweep holds the output folder; ``results`` is then None and ``failures`` empty.
    """

    def __init__(self, message: str, results=None, failures: list[dict] | None = None):
        super().__init__(message)
        self.results = results
        self.failures = [] if failures is None else failures


# ---------------------------------------------------------------------------------
# Values: YAML plus the A:B range rule
# ---------------------------------------------------------------------------------

_RANGE_TAG = "tag:uniqnets,2025:range"
_RANGE = r"^(-?[0-9]+):(-?[0-9]+)(?::(-?[0-9]+))?$"


class _ValueLoader(yaml.SafeLoader):
    """YAML's safe loader with the plain scalars a command line expects.

    The implicit types are those of JSON (YAML 1.2's core schema), not YAML 1.1's:
    ``1e-3`` is a float (YAML 1.1 wants ``1.0e-3``), ``010`` and ``2024-01-01`` stay
    strings, ``yes``/``on`` stay strings (only ``true``/``false`` are booleans), and
    ``1:30`` is not the sexagesimal integer 90.  A plain ``A:B`` or ``A:B:STEP`` of
    integers is a range (tag ``_RANGE_TAG``); quoted, it is a string.
    """

    # a table of our own, so that SafeLoader's (YAML 1.1) resolvers do not apply
    yaml_implicit_resolvers: dict = {}


for _tag, _pattern, _first in [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (_RANGE_TAG, _RANGE, "-0123456789"),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$"
     r"|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$", "-+0123456789."),
]:
    _ValueLoader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


def _construct_range(loader, node) -> range:
    text = loader.construct_scalar(node)
    a, b, step = re.match(_RANGE, text).groups()
    step = int(step or 1)
    if step == 0:
        raise ValueError(f"range {text!r} has step 0")
    values = range(int(a), int(b), step)
    if len(values) == 0:
        raise ValueError(f"range {text!r} is empty (A:B runs from A up to B, B excluded)")
    return values


_ValueLoader.add_constructor(_RANGE_TAG, _construct_range)


def _expand(value):
    """Ranges spliced into the lists that hold them (a range alone becomes a list)."""
    if isinstance(value, range):
        return list(value)
    if isinstance(value, list):
        out = []
        for v in value:
            out.extend(v) if isinstance(v, range) else out.append(_expand(v))
        return out
    if isinstance(value, dict):
        return {k: _expand(v) for k, v in value.items()}
    return value


def _refuse_duplicate_keys(node, what: str) -> None:
    """A mapping that names a key twice is refused (YAML would keep the last silently)."""
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key, value in node.value:
            name = getattr(key, "value", None)
            if name in seen:
                raise ValueError(f"{what} names {name!r} twice (line {key.start_mark.line + 1})")
            seen.add(name)
            _refuse_duplicate_keys(value, what)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _refuse_duplicate_keys(item, what)


def _load_yaml(text: str, what: str):
    """The value of YAML ``text`` (ranges expanded) and its node tree."""
    loader = _ValueLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ValueError(f"{what} is empty (or holds only comments): nothing to sweep")
        _refuse_duplicate_keys(node, what)
        return _expand(loader.construct_document(node)), node
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        if "found ','" in problem:
            problem = "empty value (two commas in a row?)"
        raise ValueError(f"{what} is not valid YAML: {problem}") from None
    finally:
        loader.dispose()


def parse_values(text: str) -> list:
    """The values of one ``-p NAME=...`` option.

    ``text`` is read as the items of a YAML flow sequence (as if written in
    ``[...]``), so items are separated by commas outside brackets, braces and
    quotes, and each item is a number, ``true``/``false``, ``null``, a
    ``[list]``, a ``{mapping: 1}``, a quoted string or a plain string.  Implicit
    types follow JSON (``1e-3`` is a float; ``yes``, ``010`` and dates stay
    strings).  A plain item ``A:B`` or ``A:B:STEP`` of integers stands for the
    integers of Python's ``range(A, B, STEP)`` (``B`` excluded); quoted, it is a
    string.

    Parameters
    ----------
    text : str
        What follows ``NAME=`` on the command line.

    Returns
    -------
    list
        The values, in order (ranges expanded).

    Raises
    ------
    ValueError
        For text that is not YAML, an empty item, or an empty range or one of step 0.

    Examples
    --------
    >>> from uniqnets.book.sweep import parse_values
    >>> parse_values("0.01,0.02")
    [0.01, 0.02]
    >>> parse_values("[8,8],[16,16]")
    [[8, 8], [16, 16]]
    >>> parse_values("0:4")
    [0, 1, 2, 3]
    >>> parse_values("0:10:4, 42, tanh, '1:2', true, 1e-3")
    [0, 4, 8, 42, 'tanh', '1:2', True, 0.001]
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    if not text.strip():
        raise ValueError(f"empty value in {text!r}")
    source = f"[{text}\n]"
    values, node = _load_yaml(source, f"values {text!r}")
    if not values:
        raise ValueError(f"empty value in {text!r}")
    # YAML ends a line at " #" (a comment): refuse rather than drop the values after it
    tail = source[node.value[-1].end_mark.index:-2]
    if tail.strip(" \t,"):
        raise ValueError(f"values {text!r}: ' #' starts a YAML comment, which would drop "
                         f"{tail.strip(' ,')!r}; quote the value that holds it")
    return values


def _parse_option(option: str) -> tuple[str, list]:
    name, sep, text = option.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise ValueError(f"-p {option!r}: expected NAME=V1,V2,... with NAME a Python name")
    try:
        return name, parse_values(text)
    except ValueError as exc:
        raise ValueError(f"-p {option!r}: {exc}") from None


# ---------------------------------------------------------------------------------
# Runs and the notebook's parameters cell
# ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    """One point of a sweep: its name and the parameters injected into the notebook.

    Built by :func:`plan_sweep`; ``name`` names the run's files and its row of the
    table, the same in every rerun.
    """

    name: str
    parameters: dict = field(hash=False)


def _read(notebook):
    """The notebook as an nbformat node: a path goes through :func:`uniqnets.book.notebook.load`."""
    import nbformat

    if isinstance(notebook, nbformat.NotebookNode):
        return notebook
    if not isinstance(notebook, (str, os.PathLike)):
        raise TypeError(f"notebook must be a path or an nbformat notebook, "
                        f"got {type(notebook).__name__}")
    return nbnotebook.load(notebook)


def _label(notebook) -> str:
    return str(notebook) if isinstance(notebook, (str, os.PathLike)) else "<notebook>"


def _defaults(nb, where: str) -> dict[str, object]:
    """Parameter name -> default value, from the parameters cell (parsed, not run)."""
    try:
        return {name: p.default for name, p in nbnotebook.parameters(nb).items()}
    except (ValueError, SyntaxError) as exc:
        raise ValueError(f"{where}: {exc}") from exc


def load_grid(path) -> dict:
    """Read a YAML grid file: a mapping from parameter name to a value or a list of values.

    The file is read with the rules of :func:`parse_values` (JSON's implicit types;
    a plain ``A:B`` is a range, spliced into a list that holds it)::

        lr: [1e-2, 0.1]       # an axis of the sweep
        seed: 0:4             # an axis: 0, 1, 2, 3
        n_steps: 200          # a fixed value
        sizes: [[8, 8]]       # a fixed list-valued parameter: a list of one list

    Parameters
    ----------
    path : str or path
        The YAML file.

    Returns
    -------
    dict
        Parameter name -> value or list of values, in the file's order.

    Examples
    --------
    >>> import os, tempfile
    >>> from uniqnets.book.sweep import load_grid
    >>> path = os.path.join(tempfile.mkdtemp(), "grid.yml")
    >>> _ = open(path, "w").write("lr: [1e-2, 0.1]\\nseed: 0:3\\nsizes: [[8, 8]]\\n")
    >>> load_grid(path)
    {'lr': [0.01, 0.1], 'seed': [0, 1, 2], 'sizes': [[8, 8]]}
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"grid file {str(path)!r} does not exist")
    grid, _ = _load_yaml(path.read_text(encoding="utf-8"), f"grid file {str(path)!r}")
    if not isinstance(grid, Mapping):
        raise ValueError(f"grid file {str(path)!r} must hold a mapping NAME: VALUES, "
                         f"got {type(grid).__name__}")
    return dict(grid)


def _axis(name, values) -> list:
    if isinstance(values, range):
        values = list(values)
    elif isinstance(values, tuple):
        values = list(values)
    elif not isinstance(values, list):
        values = [values]
    if not values:
        raise ValueError(f"parameter {name!r} has no values")
    return values


def _plain(name, value):
    """``value`` as a JSON type papermill can inject (:func:`to_builtin`), naming ``name``."""
    try:
        return to_builtin(value)
    except TypeError as exc:
        raise TypeError(f"parameter {name!r}: {value!r} cannot be passed to a notebook ({exc}); "
                        "use numbers, strings, booleans, null and lists or mappings of them"
                        ) from None


_TYPE_NAMES = {bool: "a boolean (true/false)", int: "an integer", float: "a number",
               str: "a string", list: "a list", dict: "a mapping"}


def _check_type(name, value, default):
    """``value`` converted to the type of ``default`` where that is lossless, else TypeError."""
    if default is None:  # "not set": any value
        return value
    if isinstance(default, tuple):  # papermill injects lists; a tuple default takes one
        default = list(default)
    kind = type(default)
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok:
            value = float(value)  # lr=1 means lr=1.0: inject and tabulate the float
    else:  # str, list, dict
        ok = isinstance(value, kind)
    if not ok:
        hint = ""
        if isinstance(default, list) and not isinstance(value, list):
            hint = ("; a list-valued parameter is fixed with a list of one list, "
                    "e.g. [[8, 8]], or swept with -p NAME=[8,8],[16,16]")
        elif isinstance(default, bool) and isinstance(value, str):
            hint = "; write booleans as true/false"
        what = _TYPE_NAMES.get(kind, kind.__name__)
        raise TypeError(f"parameter {name!r} expects {what} like its default {default!r}, "
                        f"got {value!r} ({type(value).__name__}){hint}")
    return value


def _canonical(obj) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def _digest(obj, n=8) -> str:
    return hashlib.sha256(_canonical(obj).encode()).hexdigest()[:n]


def _slug(value) -> str:
    """A file-name-safe text for one value: readable where possible, else a hash.

    Numbers and booleans as JSON (``0.001``, ``true``), strings as they are, lists of
    numbers joined by ``_`` (``[16, 16]`` -> ``16_16``).  Names avoid the characters
    that glob patterns, shells and URLs treat specially (``[``, ``]``, ``*``, ``?``,
    spaces, ``/``): a value that would need one, a string that reads as another type
    (``"1"``), or a long value is named by a hash of its JSON instead.
    """
    if isinstance(value, str):
        try:  # a string that reads as JSON ("1", "true") would look like a number
            json.loads(value)
            text = None
        except ValueError:
            text = value
    elif isinstance(value, list) and value and all(
            isinstance(v, (int, float)) for v in value):
        text = "_".join(_canonical(v) for v in value)
    elif isinstance(value, (list, dict)):
        text = None
    else:
        text = _canonical(value)
    if text and len(text) <= _MAX_SLUG and _NAME_SAFE.match(text) and text not in (".", ".."):
        return text
    return "~" + _digest(value)


def _run_name(params: Mapping) -> str:
    if not params:
        return "defaults"
    name = ",".join(f"{k}={_slug(v)}" for k, v in params.items())
    if len(name) > _MAX_NAME:
        name = name[:_MAX_NAME - 10] + "~" + _digest(params)
    return name


def plan_sweep(notebook, grid) -> list[Run]:
    """Validate ``grid`` against ``notebook``'s parameters cell and list the runs.

    Every name of the grid must be assigned in the parameters cell (``ValueError``
    otherwise) and every value must have the type of its default (``TypeError``):
    a boolean for a boolean, an integer for an integer, a number for a float (an
    integer is converted), a string, list or mapping for those (a list for a tuple);
    any value for a default of ``None``.  The parameters cell is read with
    :func:`uniqnets.book.notebook.parameters` (parsed, not executed).  Nothing runs.

    Parameters
    ----------
    notebook : str, path or nbformat.NotebookNode
        The notebook (a MyST Markdown source or anything jupytext reads).
    grid : mapping or path to a YAML file
        Parameter name -> list of values (an axis) or a single value (fixed).

    Returns
    -------
    list of Run
        The runs in grid order (the last axis varies fastest), each with its name
        (from its parameter values) and the parameters to inject.

    Examples
    --------
    >>> import nbformat
    >>> from uniqnets.book.sweep import plan_sweep
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_code_cell("lr = 0.1\\nseed = 0",
    ...                                       metadata={"tags": ["parameters"]})]
    >>> [run.name for run in plan_sweep(nb, {"lr": [0.01, 0.1], "seed": range(2)})]
    ['lr=0.01,seed=0', 'lr=0.01,seed=1', 'lr=0.1,seed=0', 'lr=0.1,seed=1']
    >>> plan_sweep(nb, {"seed": 1.5})
    Traceback (most recent call last):
    ...
    TypeError: parameter 'seed' expects an integer like its default 0, got 1.5 (float)
    """
    return _plan(_read(notebook), grid, _label(notebook))


def _plan(nb, grid, where: str) -> list[Run]:
    if isinstance(grid, (str, os.PathLike)):
        grid = load_grid(grid)
    if not isinstance(grid, Mapping):
        raise TypeError(f"grid must be a mapping NAME -> values or a YAML file, "
                        f"got {type(grid).__name__}")
    defaults = _defaults(nb, where)
    unknown = [k for k in grid if k not in defaults]
    if unknown:
        known = ", ".join(defaults) or "none"
        raise ValueError(f"unknown parameter{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(map(repr, unknown))}: not assigned in the parameters "
                         f"cell of {str(where)!r} (its parameters: {known})")
    axes = {}
    for name, values in grid.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"parameter name {name!r} is not a Python name")
        vals = [_check_type(name, _plain(name, v), defaults[name]) for v in _axis(name, values)]
        axes[name] = vals
    runs = []
    for combo in itertools.product(*axes.values()):
        params = dict(zip(axes, combo, strict=True))
        runs.append(Run(_run_name(params), params))
    seen: dict[str, Run] = {}
    for run in runs:
        if run.name in seen:
            raise ValueError(f"runs {seen[run.name].parameters} and {run.parameters} get the "
                             f"same name {run.name!r}; are some values repeated?")
        seen[run.name] = run
    return runs


# ---------------------------------------------------------------------------------
