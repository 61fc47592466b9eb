"""What the book's citations and cross-references say, for JupyterLab (``make lab``).

jupyterlab-myst renders a chapter's Markdown cells on their own: it has no bibliography
(every ``{cite}`` shows its key, marked "Citation Not Found") and it resolves a
cross-reference only to a target in a Markdown cell of the same notebook (an
``{eq}`` to another page or a ``{numref}`` to a figure made by a code cell shows its
label, marked "Cross Reference Not Found"). This script reads the book's sources
(``book/references.bib``, ``notebooks/*.md``, ``book/*.md``) and writes a small
JupyterLab extension, ``uniqnets-references``, whose data say what each key and label
reads as in the book: a citation as author and year, an equation as its number (and its
page when it is on another one), a figure as its number, a section as its title, a
page as its title. The extension's script (``uniqnets-references/static/``) shows that
text in place of the raw key; it changes only what Lab displays, never a file.

Numbers follow the book's Sphinx configuration: labelled display equations and
captioned figures are numbered through the whole book, in the order of ``_toc.yml``
(the table of contents is not numbered, so numbers do not restart on each page).

    python book/_lab/references.py [BOOK] --out DIR   # writes DIR/uniqnets-references/
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXTENSION = "uniqnets-references"

_TARGET = re.compile(r"^\(([\w.:-]+)\)=\s*$", re.M)
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*$", re.M)
_EQ_DOLLAR = re.compile(r"\$\$\s*\(([\w.:-]+)\)")
_MATH_LABEL = re.compile(r"^```\{math\}[^\n]*\n(?::[\w-]+:.*\n)*?:label:\s*([\w.:-]+)", re.M)
_FIG_NAME = re.compile(
    r"^```\{(?:figure|glue:figure)\}[^\n]*\n(?::[\w-]+:.*\n)*?:name:\s*([\w.:-]+)", re.M)
_MARKUP = re.compile(r"\{[\w:-]+\}`([^`<]*?)(?:\s*<[^>]*>)?`|[*_`]")


def _plain(text: str) -> str:
    """A heading's words without MyST roles or emphasis marks."""
    return _MARKUP.sub(lambda m: m.group(1) or "", text).strip()


def page_name(path: Path) -> str:
    """How a page is named in a reference to it: ``page 07`` for ``07_topic.md``."""
    m = re.match(r"(\d+)_", path.name)
    return f"page {m.group(1)}" if m else path.stem


def _cells(path: Path):
    """(kind, source, metadata) of each cell of a MyST page, in order."""
    import jupytext

    nb = jupytext.read(path, fmt="md:myst")
    return [(c.cell_type, c.source, c.metadata) for c in nb.cells]


def toc_pages(book: Path) -> list[Path]:
    """The book's pages in the order of its table of contents (``_toc.yml``)."""
    import yaml

    toc = yaml.safe_load((Path(book) / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts") or [toc]:
        walk(part.get("chapters"))
    pages = [Path(book) / f"{f}.md" for f in files]
    return [p for p in pages if p.is_file()]


def page_targets(path: Path, n_eq: int = 0, n_fig: int = 0) -> tuple[str, dict, int, int]:
    """The page's title, its labels (label -> (kind, number or title)) and the counts of
    numbered equations and figures up to its end, from those before it."""
    title, labels = None, {}
    for kind, source, meta in _cells(path):
        if kind == "code":
            figure = (meta.get("mystnb") or {}).get("figure") or {}
            if figure.get("caption"):
                n_fig += 1
                if figure.get("name"):
                    labels[figure["name"]] = ("figure", n_fig)
            continue
        if kind != "markdown":
            continue
        # targets in the order they appear in the cell
        events = [(m.start(), "eq", m.group(1)) for m in _EQ_DOLLAR.finditer(source)]
        events += [(m.start(), "eq", m.group(1)) for m in _MATH_LABEL.finditer(source)]
        events += [(m.start(), "figure", m.group(1)) for m in _FIG_NAME.finditer(source)]
        events += [(m.start(), "target", m.group(1)) for m in _TARGET.finditer(source)]
        for start, what, name in sorted(events):
            if what == "eq":
                n_eq += 1
                labels[name] = ("equation", n_eq)
            elif what == "figure":
                n_fig += 1
                labels[name] = ("figure", n_fig)
            else:
                heading = _HEADING.search(source, start)
                if heading:
                    labels[name] = ("section", _plain(heading.group(2)))
        if title is None:
            heading = _HEADING.search(source)
            if heading and len(heading.group(1)) == 1:
                title = _plain(heading.group(2))
    return title or path.stem, labels, n_eq, n_fig


def citations(bib: Path) -> dict:
    """Key -> ``{"text": "[Author et al., year]", "title": the entry in one line}``.

    The text is what the book's ``author_year`` citations show (sphinxcontrib-bibtex's
    default brackets and "et al." after two authors).
    """
    from pybtex.database import parse_file
    from pybtex.richtext import Text

    def plain(latex: str) -> str:  # "Erd{\H{o}}s" -> "Erdős"
        return Text.from_latex(latex).render_as("text")

    out = {}
    for key, entry in parse_file(str(bib), bib_format="bibtex").entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [plain(" ".join(p.last_names)) for p in people]
        if len(names) > 2:
            who = f"{names[0]} et al."
        else:
            who = " and ".join(names) or key
        year = entry.fields.get("year", "")
        title = plain(entry.fields.get("title", ""))
        out[key] = {"text": f"[{who}, {year}]" if year else f"[{who}]",
                    "title": f"{', '.join(names)} ({year}). {title}".strip()}
    return out


def references(book: Path) -> dict:
    """What every citation key, label and page of the book reads as (the extension's data)."""
    book = Path(book)
    pages = toc_pages(book)
    labels, docs, n_eq, n_fig = {}, {}, 0, 0
    for path in pages:
        title, targets, n_eq, n_fig = page_targets(path, n_eq, n_fig)
        page = page_name(path)
        docs[path.stem] = {"text": title, "page": page,
                           "path": path.relative_to(book).as_posix()}
        for label, (kind, value) in targets.items():
            if kind == "equation":
                text = f"({value})"
            elif kind == "figure":
                text = f"Fig. {value}"
            else:
                text = value
            labels[label] = {"kind": kind, "text": text, "page": path.stem,
                             "elsewhere": f"{text} on {page}"}
    bib = book / "book" / "references.bib"
    return {"cite": citations(bib) if bib.is_file() else {}, "labels": labels, "docs": docs}


def write_extension(book: Path, out: Path) -> Path:
    """Write the extension ``uniqnets-references`` with the book's data into ``out``."""
    dest = Path(out) / EXTENSION
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(HERE / EXTENSION, dest)
    (dest / "static" / "references.json").write_text(
        json.dumps(references(book), ensure_ascii=False, indent=0), encoding="utf-8")
    return dest


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("book", nargs="?", default=".", help="the book's root (default: .)")
    parser.add_argument("--out", required=True,
                        help="folder to write the extension into (Lab's labextensions path)")
    args = parser.parse_args(argv)
    write_extension(Path(args.book), Path(args.out))


if __name__ == "__main__":
    main()
