"""The numbers of a chapter's prose, filled into a notebook executed outside JupyterLab.

The prose quotes each recorded value with ``{eval}`rec("name", ".3f")```. JupyterLab's
MyST renderer (jupyterlab-myst) shows such a role from the result stored in its Markdown
cell's metadata (``user_expressions``), which it asks the kernel for when the cell runs.
papermill runs only the code cells, so a notebook it executed holds no results and shows
the expressions themselves. :func:`fill_inline_results` computes them from the values the
run recorded (its glued outputs, formatted as ``rec`` formats them) and stores them where
jupyterlab-myst reads them; the book's sweep does this for every run, and for a single
papermill run ::

    papermill ipynb/00_same_network.ipynb out.ipynb -p seed 7
    python -m uniqnets.book.inline out.ipynb
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["fill_inline_results", "glued_texts", "main", "parse_rec"]

#: the one function an ``{eval}`` role of the prose may call (``uniqnets.book.rec``)
REC = "rec"
#: cell metadata where jupyterlab-myst keeps the results of a cell's ``{eval}`` roles
METADATA = "user_expressions"
_ROLE = re.compile(r"\{eval\}(`+)(.+?)\1", re.S)


def parse_rec(expression: str) -> tuple[str, str]:
    """``(name, fmt)`` of ``rec("name")`` / ``rec("name", "fmt")`` / ``rec("name", fmt="fmt")``.

    Raises ``ValueError`` for any other expression.

    Examples
    --------
    >>> parse_rec('rec("lam", ".3f")'), parse_rec("rec('n')")
    (('lam', '.3f'), ('n', 's'))
    """
    try:
        call = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"not a Python expression: {exc.msg}") from None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            and call.func.id == REC):
        raise ValueError(f"only {REC}(\"name\") or {REC}(\"name\", \"fmt\") is allowed")
    args = list(call.args)
    for kw in call.keywords:
        if kw.arg != "fmt" or len(args) != 1:
            raise ValueError(f"{REC}() takes a name and a format spec (fmt=) only")
        args.append(kw.value)
    if not 1 <= len(args) <= 2 or not all(
            isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
        raise ValueError(f"{REC}() takes one or two string literals: a name and a format spec")
    name, fmt = args[0].value, (args[1].value if len(args) == 2 else "s")
    return name, fmt


def glued_texts(nb) -> dict[str, str]:
    """Name -> the ``text/plain`` each recorded (glued) value of an executed notebook has.

    ``nb`` is an ``nbformat`` notebook; a name recorded twice keeps its last text.

    Examples
    --------
    >>> import nbformat
    >>> from uniqnets.book._record import GLUE_PREFIX
    >>> out = nbformat.v4.new_output("display_data", data={GLUE_PREFIX + "text/plain": "0.5"},
    ...     metadata={"scrapbook": {"name": "lam", "mime_prefix": GLUE_PREFIX}})
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("", outputs=[out])])
    >>> glued_texts(nb)
    {'lam': '0.5'}
    """
    from ._record import glued_outputs

    out: dict[str, str] = {}
    for name, prefix, data in glued_outputs(nb):
        text = data.get(prefix + "text/plain")
        if text is not None:
            out[name] = "".join(text) if isinstance(text, list) else text
    return out


def _result(expression: str, texts: dict[str, str]) -> dict:
    """What the kernel would answer for ``expression`` (see :func:`uniqnets.book.rec`)."""
    from ._record import flag_kind, format_glued, numbers_in_text

    def error(ename, evalue):
        return {"status": "error", "ename": ename, "evalue": evalue, "traceback": []}

    try:
        name, fmt = parse_rec(expression)
    except ValueError as exc:
        return error("ValueError", str(exc))
    if name not in texts:
        return error("KeyError", f"name {name!r} was not recorded by this run")
    try:
        value = ast.literal_eval(texts[name])
    except (ValueError, SyntaxError):
        value = texts[name]
    flag = flag_kind(value)
    if flag:
        return error("ValueError", f"{name!r} is {flag}, which never renders in a sentence")
    try:
        text = numbers_in_text(format_glued(texts[name], fmt))
    except (ValueError, TypeError) as exc:
        return error(type(exc).__name__, str(exc))
    return {"status": "ok", "data": {"text/plain": text}, "metadata": {}}


def fill_inline_results(nb) -> int:
    """Store the result of every ``{eval}`` role of the prose where jupyterlab-myst reads it.

    For each Markdown cell, its metadata ``user_expressions`` becomes the list of its
    roles' expressions with their results, computed from the notebook's recorded values
    as :func:`uniqnets.book.rec` would compute them in the kernel (an expression that
    cannot be answered gets an error result, as the kernel would give). ``nb`` (an
    executed ``nbformat`` notebook) is changed in place.

    Returns
    -------
    int
        The number of expressions answered with a value.

    Examples
    --------
    >>> import nbformat
    >>> from uniqnets.book._record import GLUE_PREFIX
    >>> out = nbformat.v4.new_output("display_data", data={GLUE_PREFIX + "text/plain": "0.1234"},
    ...     metadata={"scrapbook": {"name": "lam", "mime_prefix": GLUE_PREFIX}})
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("", outputs=[out]),
    ...     nbformat.v4.new_markdown_cell('λ = {eval}`rec("lam", ".2f")`.')])
    >>> fill_inline_results(nb)
    1
    >>> nb.cells[1].metadata["user_expressions"][0]["result"]["data"]
    {'text/plain': '0.12'}
    """
    texts = glued_texts(nb)
    answered = 0
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        found = [m.group(2) for m in _ROLE.finditer(source)]
        if not found:
            cell.get("metadata", {}).pop(METADATA, None)
            continue
        results = [{"expression": e, "result": _result(e, texts)} for e in found]
        answered += sum(r["result"]["status"] == "ok" for r in results)
        cell.setdefault("metadata", {})[METADATA] = results
    return answered


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m uniqnets.book.inline NOTEBOOK.ipynb ...``: fill each notebook in place."""
    import nbformat

    p = argparse.ArgumentParser(
        prog="python -m uniqnets.book.inline",
        description="Store the values of the prose's {eval} roles in notebooks executed by "
                    "papermill, so that JupyterLab shows them.")
    p.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", help="executed .ipynb files")
    args = p.parse_args(argv)
    for path in map(Path, args.notebooks):
        nb = nbformat.read(path, as_version=4)
        n = fill_inline_results(nb)
        nbformat.write(nb, path)
        print(f"{path}: {n} inline values filled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
