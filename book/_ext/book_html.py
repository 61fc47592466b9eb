"""HTML additions of the uniq-nets book (a local Sphinx extension).

1. Serve MathJax from the built book itself, so equations render without a network.

Sphinx loads MathJax from a CDN by default; a reader offline (or a test machine
without internet) then sees raw TeX. MathJax 3 is packaged on PyPI as static files
(``django-static-mathjax``: the ``mathjax`` package, with no Django dependency);
this extension copies the parts that the ``tex-mml-chtml`` bundle loads into
``_static/mathjax`` of the HTML build. ``_config.yml`` points ``mathjax_path`` at
``mathjax/tex-mml-chtml.js``, which Sphinx resolves inside ``_static``.

2. Load each page script once. sphinx-thebe (which Jupyter Book always loads)
registers an inline script that Sphinx 7 then emits twice, under the file names
``None`` and ``""``; the second copy throws "Identifier 'THEBE_JS_URL' has already
been declared" on every page. The page context's script list is deduplicated here.

3. Rebuild the pages that summarise other files on every build. The parameter index
reads the chapters and the performance page reads the benchmark results; Sphinx
would re-read them only when their own source changes, so they are listed in
``always_rebuild`` (``_config.yml``) and marked outdated each time (they also set
``execution_mode: force``, so their cells run again; a second each).

4. The claims ledger pastes the chapters' verdicts. A chapter records each verdict
with ``uniqnets.book.verdict`` (glued as ``verdict.ID``); myst-nb writes a chapter's
glued values to ``DOC.glue.json`` in its output folder when it executes the chapter.
The ``ledger`` directive takes a Markdown table (``id | claim | source | chapter |
verdict | evidence``) whose verdict cell is ``{verdict}`DOC::ID``` (the chapter's path
relative to the page) and renders it as a table with the verdict as a coloured badge
and the evidence folded under it, read from that file at the time the page is read;
``ledger-summary`` counts the verdicts of the page's ledger rows per source.
myst-nb's own cross-document glue (``{glue:text}`DOC::KEY```) pastes plain text only,
after all transforms have run, so a badge, MyST markup or a count could not come
through it. Here the ledger is read after the chapters instead: the pages in
``read_last`` (``_config.yml``) are moved to the end of the reading order, are re-read
on every build (like ``always_rebuild``) and depend on the chapters' glue files.

5. Recorded numbers quoted with ``{eval}`rec("name", ".3f")```. The prose of a chapter
quotes each recorded value (``uniqnets.book.record``) with one role that both of its
readers understand. JupyterLab's MyST renderer (jupyterlab-myst) evaluates an
``{eval}`` expression in the kernel when the Markdown cell runs, and ``rec`` there
returns the recorded value as text; jupyterlab-myst does not know myst-nb's
``{glue:text}``. myst-nb evaluates ``{eval}`` only in its "inline" execution mode,
and the book executes through jupyter-cache. So the ``eval`` role is replaced here
by one that parses the expression (``ast``; only ``rec("name")`` and
``rec("name", "fmt")`` with literal strings are allowed, anything else is a build
warning) and renders the glued value of ``name`` exactly as ``{glue:text}`name:fmt```
does: the same formatting (``format_plain_text``) and the same node
(``<span class="pasted-text">``). This keeps one source for both readers without a
second copy of the numbers.

6. Pages that read a data file. A page that shows a committed data file (the page
``book/sweep_practice.md`` reads ``book/_data/sweep_practice.json``, which ``make
sweep-practice`` writes)
lists it in ``page_data`` (``_config.yml``: page -> files relative to the book's root).
The file becomes a Sphinx dependency of the page, so the page is read again when the
file is newer than the page's last reading; the page sets ``execution_mode: force``, so
its cells then run again (the execution cache matches code only and would hand back
the outputs made from the old file).
"""

from __future__ import annotations

import ast
import posixpath
import shutil
from collections import Counter
from importlib.resources import files
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

LOGGER = logging.getLogger(__name__)

# the combined bundle, plus what it loads on demand (TeX extensions, CHTML fonts,
# the context menu and its accessibility tools); the speech-rule maps and the
# other bundles (SVG output, MathML-only, ...) are left out
PARTS = ["tex-mml-chtml.js", "input/tex", "output/chtml", "ui", "a11y", "adaptors", "sre/sre.js"]


def mathjax_root() -> Path:
    return Path(str(files("mathjax"))) / "static" / "mathjax" / "es5"


def copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    src, dst = mathjax_root(), Path(app.outdir) / "_static" / "mathjax"
    if (dst / "tex-mml-chtml.js").is_file():
        return
    for part in PARTS:
        s, d = src / part, dst / part
        if s.is_dir():
            shutil.copytree(s, d, dirs_exist_ok=True)
        elif s.is_file():
            d.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(s, d)


def dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        key = (getattr(js, "filename", js) or "", tuple(sorted(
            (k, str(v)) for k, v in getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    context["script_files"] = unique


def always_outdated(app, env, added, changed, removed):
    docs = dict.fromkeys([*app.config.always_rebuild, *app.config.read_last])
    return [doc for doc in docs if doc in env.found_docs]


def note_page_data(app, docname, source):
    for path in app.config.page_data.get(docname, []):
        app.env.note_dependency(str(Path(app.srcdir) / path))


def read_last(app, env, docnames):
    last = [d for d in app.config.read_last if d in docnames]
    for doc in last:
        docnames.remove(doc)
    docnames.extend(last)


def _cell(text: str) -> str:
    """Text for one line of a list-table item (no line breaks)."""
    return " ".join(str(text).split())


class _LedgerBase(SphinxDirective):
    has_content = True

    def resolve(self, rows):
        """(row, recorded verdict or None) for each row, warning where a paste fails."""
        from uniqnets.book._verdict import read_glued_verdicts

        out_dir = Path(self.env.mystnb_config.output_folder)
        cache: dict[str, dict] = {}
        resolved = []
        for row in rows:
            if not row.pasted:
                resolved.append((row, None))
                continue
            doc = posixpath.normpath(posixpath.join(posixpath.dirname(self.env.docname),
                                                    row.doc))
            if doc not in cache:
                path = out_dir / f"{doc}.glue.json"
                self.env.note_dependency(str(path))
                cache[doc] = read_glued_verdicts(path) if path.is_file() else {}
            rec = cache[doc].get(row.id)
            if rec is None:
                LOGGER.warning(f"ledger: no verdict on {row.id} recorded by {doc} "
                               "(is the chapter in the book, and does it call "
                               f"verdict({row.id!r}, ...)?)", location=self.get_location())
            resolved.append((row, dict(rec, doc=doc) if rec else None))
        return resolved

    def status(self, row, rec):
        return rec["status"] if rec else (row.status or "not recorded")

    def parse(self, text):
        container = nodes.container()
        self.state.nested_parse(StringList(text.splitlines(), source=self.env.docname),
                                self.content_offset, container)
        return container.children


class Ledger(_LedgerBase):
    """A ledger table: claims typed, verdicts pasted from the chapters."""

    def run(self):
        from uniqnets.book._verdict import BADGES, _fmt, label, ledger_rows

        rows = ledger_rows("```{ledger}\n" + "\n".join(self.content) + "\n```")
        lines = ["```{list-table}", ":header-rows: 1", ":widths: 5 40 13 6 36",
                 ":class: ledger", "",
                 "* - id", "  - claim", "  - source", "  - chapter", "  - verdict"]
        for row, rec in self.resolve(rows):
            status = self.status(row, rec)
            badge = f"{{bdg-{BADGES.get(status, 'dark')}}}`{status}`"
            if rec:
                chapter = f"{{doc}}`{_cell(row.chapter)} <{row.doc}>`"
                body = [_cell(rec["because"])]
                if rec.get("evidence"):
                    body += ["", "Evidence: " + " · ".join(
                        f"`{k}` = {_fmt(v)}" for k, v in rec["evidence"].items())]
                links = [f"{{ref}}`the verdict <{label(row.id)}>`"]
                if rec.get("where"):
                    links.append(f"{{ref}}`where it is settled <{rec['where']}>`")
                body += ["", "In the chapter: " + ", ".join(links) + "."]
            else:
                chapter = _cell(row.chapter)
                body = [_cell(row.evidence), "", "*(typed in the ledger: the chapter does "
                        "not record its verdicts yet)*"]
            lines += [f"* - {row.id}", f"  - {_cell(row.claim)}", f"  - {_cell(row.source)}",
                      f"  - {chapter}", f"  - {badge}", "", "    :::{dropdown} evidence",
                      *(f"    {b}" if b else "" for b in body), "    :::"]
        lines.append("```")
        return self.parse("\n".join(lines))


class LedgerSummary(_LedgerBase):
    """Counts of the verdicts of this page's ledger rows, per source (computed)."""

    has_content = False

    def run(self):
        from uniqnets.book._verdict import BADGES, SOURCES, STATUSES, ledger_rows

        text = Path(self.env.doc2path(self.env.docname)).read_text(encoding="utf-8")
        counts, typed = Counter(), Counter()
        for row, rec in self.resolve(ledger_rows(text)):
            counts[row.id[0], self.status(row, rec)] += 1
            typed[row.id[0]] += not row.pasted
        statuses = list(dict.fromkeys([*STATUSES, *(s for _, s in sorted(counts))]))
        lines = ["| verdict | " + " | ".join(f"**{k}**" for k in SOURCES) + " | all |",
                 "|---|" + "---:|" * (len(SOURCES) + 1)]
        for status in statuses:
            n = [counts[k, status] for k in SOURCES]
            lines.append(f"| {{bdg-{BADGES.get(status, 'dark')}}}`{status}` | "
                         + " | ".join(map(str, n)) + f" | {sum(n)} |")
        n = [sum(counts[k, s] for s in statuses) for k in SOURCES]
        lines.append("| claims | " + " | ".join(map(str, n)) + f" | {sum(n)} |")
        n = [typed[k] for k in SOURCES]
        lines.append("| *of which still typed in the ledger* | " + " | ".join(map(str, n))
                     + f" | {sum(n)} |")
        lines += ["", "Sources: " + "; ".join(f"**{k}** {v}" for k, v in SOURCES.items())
                  + "."]
        return self.parse("\n".join(lines))


#: the one function an ``{eval}`` role of the prose may call (``uniqnets.book.rec``)
REC = "rec"


def parse_rec(expression: str) -> tuple[str, str]:
    """``(name, fmt)`` of ``rec("name")`` / ``rec("name", "fmt")`` / ``rec("name", fmt="fmt")``.

    Raises ``ValueError`` for any other expression.
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


def flag_text(text) -> str:
    """``"a Boolean"``, ``"None"`` or ``"not a number"`` for such a glued text, else ``""``."""
    import ast as _ast

    from uniqnets.book._record import flag_kind
    try:
        value = _ast.literal_eval(text if isinstance(text, str) else "".join(text))
    except (ValueError, SyntaxError):
        value = text
    return flag_kind(value)


def _rec_role():
    # imported here: myst-nb is loaded by Jupyter Book before the local extensions
    from myst_nb.core.variables import RetrievalError, create_warning, format_plain_text
    from myst_nb.ext.glue.utils import glue_warning, retrieve_glue_data
    from myst_nb.ext.utils import RoleBase

    class RecRole(RoleBase):
        """``{eval}`rec("name", "fmt")```: the glued value, as ``{glue:text}`name:fmt```."""

        def run(self):
            try:
                name, fmt = parse_rec(self.text)
            except ValueError as exc:
                return [], [create_warning(f"{{eval}}`{self.text}`: {exc}", self.document,
                                           self.line, subtype="eval")]
            try:
                result = retrieve_glue_data(self.document, name)
            except RetrievalError as exc:
                return [], [glue_warning(str(exc), self.document, self.line)]
            if "text/plain" not in result.data:
                return [], [glue_warning(f"No text/plain found in {name!r} data",
                                         self.document, self.line)]
            flag = flag_text(result.data["text/plain"])
            if flag:
                return [], [create_warning(
                    f"{{eval}}`{self.text}`: {name!r} is {flag}, which never renders in a "
                    "sentence: record the sentence the value picks, and quote that",
                    self.document, self.line, subtype="eval")]
            try:
                text = format_plain_text(result.data["text/plain"], fmt)
            except Exception as exc:  # the message glue:text gives, for any failure
                return [], [glue_warning(f"Failed to format text/plain data: {exc}",
                                         self.document, self.line)]
            node = nodes.inline(text, text, classes=["pasted-text"])
            self.set_source_info(node)
            return [node], []

    return RecRole()


def setup(app):
    if not (mathjax_root() / "tex-mml-chtml.js").is_file():
        raise RuntimeError("MathJax is not installed: pip install django-static-mathjax")
    app.connect("build-finished", copy_mathjax)
    app.connect("html-page-context", dedupe_scripts)
    app.add_config_value("always_rebuild", [], "env")
    app.connect("env-get-outdated", always_outdated)
    # the pages that paste the chapters' verdicts: read after the chapters, every build
    app.add_config_value("read_last", ["book/claims", "book/robustness"], "env")
    app.connect("env-before-read-docs", read_last)
    # the data files a page reads: a newer file makes the page outdated
    app.add_config_value("page_data", {}, "env")
    app.connect("source-read", note_page_data)
    app.add_directive("ledger", Ledger)
    app.add_directive("ledger-summary", LedgerSummary)
    # after myst-nb's own `eval` role (registered when myst_nb was set up): this one wins
    app.add_role("eval", _rec_role(), override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
