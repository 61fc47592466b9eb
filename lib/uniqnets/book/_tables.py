"""Small tables of computed numbers for the pages, as Markdown (private module)."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["markdown_table"]


def _cell(value, fmt: str) -> str:
    if isinstance(value, str):
        return value
    if value != value:  # NaN: no number to show
        return "—"
    return format(value, fmt)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence], fmt: str = ".3g"):
    """Show ``rows`` under ``header`` as a Markdown table (strings as they are, numbers by ``fmt``).

    A NaN shows as a dash: a table never prints ``nan``.

    Returns the :class:`IPython.display.Markdown` object (a page's cell shows it), or the
    text when IPython is not installed.

    Parameters
    ----------
    header : sequence of str
    rows : sequence of sequences, each as long as ``header``
    fmt : str or sequence of str
        A format spec for the numbers, or one per column.

    Examples
    --------
    >>> print(markdown_table(["system", "measured", "exact"], [["logistic", 0.69315, 0.693147]],
    ...                      fmt=["s", ".4f", ".4f"]).data)
    | system | measured | exact |
    |---|---|---|
    | logistic | 0.6931 | 0.6931 |
    """
    fmts = [fmt] * len(header) if isinstance(fmt, str) else list(fmt)
    if len(fmts) != len(header):
        raise ValueError(f"fmt must be one spec or {len(header)} specs, got {len(fmts)}")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"every row must have {len(header)} cells, got {len(row)}")
        lines.append("| " + " | ".join(_cell(v, f) for v, f in zip(row, fmts, strict=True)) + " |")
    text = "\n".join(lines)
    try:
        from IPython.display import Markdown
    except ImportError:  # pragma: no cover - IPython comes with the book extra
        return text
    return Markdown(text)
