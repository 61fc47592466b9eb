"""Reading the book's notebooks: the MyST source, its parameters cell, its rerun settings.

A chapter is a jupytext MyST file ``notebooks/NN_topic.md``.  Its first code cell
is tagged ``parameters`` (the papermill convention) and assigns every knob a
literal default; its front matter may carry a ``uniqnets`` block with the
parameters of a fast rerun (``rerun``) and the names of recorded values that
must change with the seed (``seed_dependent``).  Tests, sweeps and the book's
parameter index all read notebooks through these functions.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Parameter", "load", "parameters", "parameters_cell", "rerun_settings"]


def load(path):
    """The notebook at ``path`` (MyST ``.md`` via jupytext, or ``.ipynb``) as an nbformat node.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "demo.md"
    >>> _ = path.write_text("```{code-cell} ipython3\\nx = 1\\n```\\n")
    >>> load(path).cells[0].source
    'x = 1'
    """
    import jupytext

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no notebook at {path}")
    return jupytext.read(path)


def parameters_cell(nb):
    """Index and cell of the code cell tagged ``parameters``.

    Raises ``ValueError`` if there is none, or if it is not the first code cell.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_code_cell("seed = 0  # the seed\\nn_steps = 100",
    ...                                       metadata={"tags": ["parameters"]})]
    >>> parameters_cell(nb)[0]
    0
    """
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    tagged = [(i, c) for i, c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not tagged:
        raise ValueError("the notebook has no code cell tagged 'parameters'")
    if tagged[0][0] != code[0][0]:
        raise ValueError("the cell tagged 'parameters' must be the first code cell")
    return tagged[0]


@dataclass(frozen=True)
class Parameter:
    """One knob of a notebook: its name, default value and the comment beside it."""

    name: str
    default: object
    comment: str = ""
    type: type = field(init=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "type", type(self.default))


def parameters(nb) -> dict[str, Parameter]:
    """The parameters a notebook declares, in order, with their literal defaults.

    Every statement of the parameters cell must be ``name = <literal>`` (numbers,
    strings, booleans, None, lists, tuples, dicts of literals), so that a rerun can
    replace it; anything else raises ``ValueError`` naming the line.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_code_cell("seed = 0  # the seed\\nn_steps = 100",
    ...                                       metadata={"tags": ["parameters"]})]
    >>> p = parameters(nb)
    >>> p["seed"].default, p["seed"].comment, p["n_steps"].type.__name__
    (0, 'the seed', 'int')
    """
    _, cell = parameters_cell(nb)
    source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
    lines = source.splitlines()
    out: dict[str, Parameter] = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            raise ValueError(f"parameters cell, line {node.lineno}: only `name = literal` "
                             "assignments are allowed")
        name = node.targets[0].id
        try:
            value = ast.literal_eval(node.value)
        except ValueError as err:
            raise ValueError(f"parameters cell, line {node.lineno}: the default of {name!r} "
                             "is not a literal") from err
        rest = lines[node.end_lineno - 1][node.end_col_offset:]
        comment = rest.split("#", 1)[1].strip() if "#" in rest else ""
        out[name] = Parameter(name, value, comment)
    return out


def rerun_settings(nb) -> tuple[dict, list[str]]:
    """``(rerun_parameters, seed_dependent_names)`` from the front matter's ``uniqnets`` block.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.metadata["uniqnets"] = {"rerun": {"n_steps": 10}, "seed_dependent": ["loss"]}
    >>> rerun_settings(nb)
    ({'n_steps': 10}, ['loss'])
    """
    meta = nb.metadata.get("uniqnets", {}) or {}
    rerun = dict(meta.get("rerun", {}) or {})
    seed_dependent = list(meta.get("seed_dependent", []) or [])
    return rerun, seed_dependent
