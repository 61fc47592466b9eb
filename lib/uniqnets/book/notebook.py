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

__all__ = ["PageMetrics", "Parameter", "load", "page_metrics", "parameters", "parameters_cell",
           "rerun_settings"]


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


# -- how a page reads: size, code share, bookkeeping share, largest cell -------------------

#: calls whose lines count as bookkeeping (recording, verdicts, gluing, quoting)
BOOKKEEPING_CALLS = frozenset({"record", "verdict", "glue", "glue_parameters", "rec",
                               "record_verdict"})


@dataclass(frozen=True)
class PageMetrics:
    """How a page reads, measured on its MyST source.

    ``kb``: size of the source in kB (1024 bytes); ``code_share``: characters of the code
    cells' bodies over all non-blank characters (prose and code, stripped lines);
    ``bookkeeping_share``: lines of code spent on comments, asserts and the calls of
    ``BOOKKEEPING_CALLS``, over all non-blank lines of the page; ``max_cell``: non-blank
    lines of the largest code cell; ``cells``: code cells.
    """

    kb: float
    code_share: float
    bookkeeping_share: float
    max_cell: int
    cells: int


def _split_page(text: str) -> tuple[list[str], list[list[str]]]:
    """Prose lines and code-cell bodies (without their metadata) of a MyST page."""
    lines = text.splitlines()
    i = 0
    if lines and lines[0].strip() == "---":
        i = 1
        while i < len(lines) and lines[i].strip() != "---":
            i += 1
        i += 1
    prose, cells, cur, in_code, meta, first = [], [], [], False, False, False
    for line in lines[i:]:
        s = line.strip()
        if not in_code and s.startswith("```{code-cell}"):
            in_code, cur, meta, first = True, [], False, True
            continue
        if in_code:
            if s == "```":
                in_code = False
                cells.append(cur)
                continue
            if first and s == "---":
                meta, first = True, False
                continue
            first = False
            if meta:
                meta = s != "---"
                continue
            if not cur and s.startswith(":"):
                continue  # a `:tags: [...]` line
            cur.append(line)
        elif s:
            prose.append(line)
    return prose, cells


def _bookkeeping_lines(source: str) -> int:
    lines = source.splitlines()
    marked = {k for k, line in enumerate(lines, 1) if line.strip().startswith("#")}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return len(marked)
    for node in ast.walk(tree):
        span = None
        if isinstance(node, ast.Assert):
            span = (node.lineno, node.end_lineno)
        elif isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(
                f, ast.Attribute) else ""
            if name in BOOKKEEPING_CALLS:
                span = (node.lineno, node.end_lineno)
        if span:
            marked.update(range(span[0], span[1] + 1))
    return sum(1 for k in marked if 1 <= k <= len(lines) and lines[k - 1].strip())


def page_metrics(path) -> PageMetrics:
    """Size, code share, bookkeeping share and largest cell of a MyST page.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "p.md"
    >>> _ = path.write_text("Some prose here.\\n\\n```{code-cell} ipython3\\n"
    ...                     "x = 1\\nrecord('x', x)\\n```\\n")
    >>> m = page_metrics(path)
    >>> m.max_cell, m.cells, round(m.bookkeeping_share, 2)
    (2, 1, 0.33)
    """
    text = Path(path).read_text(encoding="utf-8")
    prose, cells = _split_page(text)
    code_lines = [line for c in cells for line in c if line.strip()]
    code_chars = sum(len(line.strip()) for line in code_lines)
    prose_chars = sum(len(line.strip()) for line in prose)
    book = sum(_bookkeeping_lines("\n".join(c)) for c in cells)
    return PageMetrics(
        kb=len(text.encode("utf-8")) / 1024,
        code_share=code_chars / max(code_chars + prose_chars, 1),
        bookkeeping_share=book / max(len(code_lines) + len(prose), 1),
        max_cell=max((sum(1 for line in c if line.strip()) for c in cells), default=0),
        cells=len(cells))
