"""Small tables of numbers for a page: Markdown for the book, HTML for JupyterLab.

A paragraph quotes a few numbers; more go into a table. :func:`table` turns columns of
numbers into one, formatted by a format spec per column, and shows it in a notebook
(``text/markdown``, which the book renders, and ``text/html``, which JupyterLab shows).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

__all__ = ["table"]


def _cell(value, fmt: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueError(f"a table cell holds {value!r}: write what it means in words")
    if isinstance(value, float) and math.isnan(value):
        return "–"
    text = format(value, fmt)
    if "e" in text and not text.startswith(("inf", "-inf")):
        mant, exp = text.split("e")  # 2.0e-05 -> 2.0e-5
        text = f"{mant}e{int(exp)}"
    return text.replace("-", "\u2212")  # a minus sign, not a hyphen


def table(columns: Mapping[str, Sequence], fmt: Mapping[str, str] | str = "",
          show: bool = True) -> str:
    """A table of named columns, as Markdown; shown in a notebook when ``show``.

    Parameters
    ----------
    columns : mapping of str to sequence
        Header -> the column's values (numbers or text), all of one length.
    fmt : str or mapping of str to str
        A format spec for every numeric column, or per header (``".3f"``, ``".2e"``);
        text cells are shown as they are, NaN as a dash. Booleans and None are refused.
    show : bool
        Display the table (as Markdown and as HTML) in a running kernel.

    Returns
    -------
    str
        The Markdown table.

    Examples
    --------
    >>> print(table({"depth": [1, 10], "error": [0.25, 0.0]}, {"error": ".2f"}, show=False))
    | depth | error |
    |---:|---:|
    | 1 | 0.25 |
    | 10 | 0.00 |
    """
    if not isinstance(columns, Mapping) or not columns:
        raise TypeError("columns must be a non-empty mapping of headers to values")
    cols = {str(k): list(v) for k, v in columns.items()}
    lengths = {len(v) for v in cols.values()}
    if len(lengths) != 1:
        raise ValueError(f"columns must have one length, got {sorted(lengths)}")
    specs = {h: (fmt.get(h, "") if isinstance(fmt, Mapping) else fmt) for h in cols}
    body = [[_cell(v, specs[h]) for h, v in zip(cols, row, strict=True)]
            for row in zip(*cols.values(), strict=True)]
    align = ["---" if all(isinstance(v, str) for v in col) else "---:"
             for col in cols.values()]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in body]
    text = "\n".join(lines)
    if show:
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:  # pragma: no cover
            return text
        if get_ipython() is not None:
            head = "".join(f"<th>{html.escape(h)}</th>" for h in cols)
            rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row)
                           + "</tr>" for row in body)
            display({"text/markdown": text, "text/plain": text,
                     "text/html": f"<table><thead><tr>{head}</tr></thead>"
                                  f"<tbody>{rows}</tbody></table>"}, raw=True)
    return text
