"""Small tables of computed numbers, shown as Markdown in a chapter.

A chapter shows a table of a few numbers (measured against exact, a median per
distance) without pandas: :func:`markdown_table` formats the rows and returns an
object that Jupyter and the book render as a Markdown table.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["MarkdownTable", "markdown_table"]


class MarkdownTable(str):
    """A Markdown table as text, shown as Markdown by Jupyter (``_repr_markdown_``)."""

    def _repr_markdown_(self) -> str:
        return str(self)


def _cell(value, fmt: str) -> str:
    if isinstance(value, str):
        return value.replace("|", "\\|")
    return format(value, fmt)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence], fmt: str = ".3g"
                   ) -> MarkdownTable:
    """Format ``rows`` under ``header`` as a Markdown table.

    Parameters
    ----------
    header : sequence of str
        Column titles.
    rows : sequence of sequences
        One entry per column in each row: strings are shown as they are, numbers
        formatted with ``fmt``.
    fmt : str or sequence of str
        A format spec for every number, or one per column.

    Returns
    -------
    MarkdownTable
        A ``str`` that notebooks render as a table.

    Examples
    --------
    >>> print(markdown_table(["quantity", "value"], [["a", 0.123456], ["b", 2]]))
    | quantity | value |
    |---|---|
    | a | 0.123 |
    | b | 2 |
    """
    header = [str(h) for h in header]
    fmts = [fmt] * len(header) if isinstance(fmt, str) else list(fmt)
    if len(fmts) != len(header):
        raise ValueError(f"fmt must give one format per column ({len(header)}), got {len(fmts)}")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"rows must have {len(header)} entries each, got {len(row)}")
        lines.append("| " + " | ".join(_cell(v, f) for v, f in zip(row, fmts, strict=True))
                     + " |")
    return MarkdownTable("\n".join(lines))
