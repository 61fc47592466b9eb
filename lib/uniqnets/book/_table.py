"""Small tables of numbers for a page: Markdown for the book, HTML for JupyterLab.

A paragraph quotes a few numbers; more go into a table. :func:`table` turns columns or
rows of numbers into one, formatted by a format spec per column, and returns a
:class:`Table`: a ``str`` of Markdown that a notebook shows as a table when it is a
cell's last expression (``text/markdown``, which the book renders, and ``text/html``,
which JupyterLab shows), as a pandas DataFrame would be shown.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence

__all__ = ["Table", "table"]


class Table(str):
    """A Markdown table as text; Jupyter shows it as a table (Markdown or HTML)."""

    def _repr_markdown_(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        lines = [ln for ln in str(self).splitlines() if ln.strip()]
        cells = [[c.strip().replace("\\|", "|") for c in _split(ln)] for ln in lines]
        head, body = cells[0], cells[2:]
        th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
        rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                       for row in body)
        return f"<table><thead><tr>{th}</tr></thead><tbody>{rows}</tbody></table>"


def _split(line: str) -> list[str]:
    out, cur, i = [], "", 0
    body = line.strip()[1:-1]
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body) and body[i + 1] == "|":
            cur += "\\|"
            i += 2
            continue
        if body[i] == "|":
            out.append(cur)
            cur = ""
        else:
            cur += body[i]
        i += 1
    return out + [cur]


def _escape(text: str) -> str:
    """Pipes escaped for a Markdown table cell (one already escaped, as ``\\|``, stays)."""
    return re.sub(r"(?<!\\)\|", r"\\|", text)


def _cell(value, fmt: str) -> str:
    if isinstance(value, str):
        return _escape(value)
    if value is None:
        return "–"  # a cell with no value
    if isinstance(value, bool):
        raise ValueError(f"a table cell holds {value!r}: write what it means in words")
    if isinstance(value, float) and math.isnan(value):
        return "–"
    text = format(value, fmt)
    if "e" in text and not text.lstrip("-").startswith("inf"):
        mant, exp = text.split("e")  # 2.0e-05 -> 2.0e-5: no padded exponents
        text = f"{mant}e{int(exp)}"
    return text.replace("-", "\u2212")  # a minus sign, not a hyphen


def table(data, fmt: Mapping[str, str] | Sequence[str] | str = "", default: str = "", *,
          header: Sequence[str] | None = None) -> Table:
    """A table of numbers and text, as Markdown that a notebook shows as a table.

    Parameters
    ----------
    data : mapping, sequence of mappings, or sequence of sequences
        Columns (header -> values, all of one length); or rows as mappings (the keys of
        the first row are the header); or rows as sequences, with ``header``.
    fmt : str, mapping of str to str, or sequence of str
        A format spec (``".3f"``, ``".2e"``) for every numeric cell, or one per header,
        or one per column in order. Text shows as it is; ``None`` and NaN as a dash.
        Booleans are refused: a table says what a flag means in words.
    default : str
        The spec of the columns a mapping ``fmt`` does not name.
    header : sequence of str, optional
        The column titles of rows given as sequences.

    Returns
    -------
    Table
        The Markdown text; shown as a table when it is a cell's last expression.

    Examples
    --------
    >>> print(table({"depth": [1, 10], "error": [0.25, None]}, {"error": ".2f"}))
    | depth | error |
    |---:|---:|
    | 1 | 0.25 |
    | 10 | – |
    >>> print(table([["a", 0.123456], ["b", 2]], ".3g", header=["quantity", "value"]))
    | quantity | value |
    |---|---:|
    | a | 0.123 |
    | b | 2 |
    """
    if isinstance(data, Mapping):
        if header is not None:
            raise TypeError("header is for rows given as sequences; columns carry their own")
        cols = {str(k): list(v) for k, v in data.items()}
    elif isinstance(data, Sequence) and not isinstance(data, str) and data \
            and all(isinstance(r, Mapping) for r in data):
        keys = list(data[0])
        cols = {str(k): [r[k] for r in data] for k in keys}
    elif isinstance(data, Sequence) and not isinstance(data, str):
        if header is None:
            raise TypeError("rows given as sequences need a header")
        rows = [list(r) for r in data]
        for r in rows:
            if len(r) != len(header):
                raise ValueError(f"rows must have {len(header)} entries each, got {len(r)}")
        cols = {str(h): [r[j] for r in rows] for j, h in enumerate(header)}
    else:
        raise TypeError(f"data must be columns (a mapping) or rows (a sequence), got "
                        f"{type(data).__name__}")
    if not cols:
        raise ValueError("a table needs at least one column")
    lengths = {len(v) for v in cols.values()}
    if len(lengths) != 1:
        raise ValueError(f"columns must have one length, got {sorted(lengths)}")
    if isinstance(fmt, str):
        specs = dict.fromkeys(cols, fmt)
    elif isinstance(fmt, Mapping):
        specs = {h: fmt.get(h, default) for h in cols}
    else:
        fmt = list(fmt)
        if len(fmt) != len(cols):
            raise ValueError(f"fmt must give one format per column ({len(cols)}), got "
                             f"{len(fmt)}")
        specs = dict(zip(cols, fmt, strict=True))
    body = [[_cell(v, specs[h]) for h, v in zip(cols, row, strict=True)]
            for row in zip(*cols.values(), strict=True)]
    align = ["---" if all(isinstance(v, str) for v in col) else "---:"
             for col in cols.values()]
    lines = ["| " + " | ".join(_escape(h) for h in cols) + " |",
             "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return Table("\n".join(lines))
