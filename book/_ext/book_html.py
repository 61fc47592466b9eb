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

7. Verdicts at a glance. The book's stylesheet (``book/_static/uniqnets.css``) colours a
verdict box by its status (the box's class, :func:`uniqnets.book._verdict.status_class`).
Every page that shows verdict boxes opens with a two-line digest of them, made here when
the page is read (``doctree-read``) from the boxes themselves: how many claims hold, hold
under conditions, fail or are not claims about numbers, then each claim as a coloured
link to its box. A page added later gets its digest without anything typed on it. The
landing page's ``verdict-overview`` directive counts the ledger's verdicts per source and
groups them by theorem, linking each claim to its row of the ledger (``ledger-u1``).

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

import posixpath
import re
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


def add_static(app):
    static = str(Path(__file__).resolve().parent.parent / "_static")
    if static not in app.config.html_static_path:
        app.config.html_static_path.append(static)


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


def print_button(app, pagename, templatename, context, doctree):
    """The theme's download menu offers ".pdf", which opens the browser's print dialog:
    no PDF of the book is built (one needs TeX or a headless browser beyond what the
    package registries provide), so the entry says what it does, "print"."""
    for group in context.get("header_buttons") or []:
        for button in group.get("buttons") or []:
            if button.get("label") == "download-pdf-button":
                button["text"] = "print"
                button["tooltip"] = "Print this page (the browser's print dialog)"
                button["icon"] = "fas fa-print"


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
    #: the ledger page whose rows are read (default: the page itself)
    optional_arguments = 1

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
            page = getattr(self, "page", self.env.docname)
            doc = posixpath.normpath(posixpath.join(posixpath.dirname(page), row.doc))
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

    def ledger_rows(self):
        """The rows of this page's ledger, or of the ledger page given as argument."""
        from uniqnets.book._verdict import ledger_rows

        self.page = self.env.docname
        if self.arguments:
            self.page = posixpath.normpath(posixpath.join(
                posixpath.dirname(self.env.docname), posixpath.splitext(self.arguments[0])[0]))
        path = Path(self.env.doc2path(self.page))
        self.env.note_dependency(str(path))
        return ledger_rows(path.read_text(encoding="utf-8"))

    def status(self, row, rec):
        return rec["status"] if rec else (row.status or "not recorded")

    def parse(self, text):
        container = nodes.container()
        self.state.nested_parse(StringList(text.splitlines(), source=self.env.docname),
                                self.content_offset, container)
        return container.children


def ledger_label(claim: str) -> str:
    """The target of a claim's row in the ledger: ``ledger-u1``."""
    return "ledger-" + claim.lower()


class Ledger(_LedgerBase):
    """A ledger table: claims typed, verdicts pasted from the chapters.

    Each row has the evidence folded in a sixth cell, which the book's stylesheet lays out
    at full width below the row; each row is a target, ``ledger-<id>``.
    """

    def run(self):
        from uniqnets.book._record import numbers_in_text
        from uniqnets.book._verdict import BADGES, evidence_text, label, ledger_rows

        rows = ledger_rows("```{ledger}\n" + "\n".join(self.content) + "\n```")
        lines = ["```{list-table}", ":header-rows: 1", ":class: ledger", "",
                 "* - id", "  - claim", "  - source", "  - chapter", "  - verdict",
                 "  - evidence"]
        resolved = self.resolve(rows)
        for row, rec in resolved:
            status = self.status(row, rec)
            badge = f"{{bdg-{BADGES.get(status, 'dark')}}}`{status}`"
            if rec:
                chapter = f"{{doc}}`{_cell(row.chapter)} <{row.doc}>`"
                body = [_cell(numbers_in_text(rec["because"]))]
                if rec.get("evidence"):
                    body += ["", "Evidence: " + evidence_text(rec["evidence"])]
                links = [f"{{ref}}`the verdict <{label(row.id)}>`"]
                if rec.get("where"):
                    links.append(f"{{ref}}`where it is settled <{rec['where']}>`")
                body += ["", "In the chapter: " + ", ".join(links) + "."]
            else:
                chapter = _cell(row.chapter)
                body = [_cell(row.evidence), "", "*(not yet recorded by its chapter)*"]
            lines += [f"* - {row.id}", f"  - {_cell(row.claim)}", f"  - {_cell(row.source)}",
                      f"  - {chapter}", f"  - {badge}", "  - :::{dropdown} why, and the evidence",
                      *(f"    {b}" if b else "" for b in body), "    :::"]
        lines.append("```")
        out = self.parse("\n".join(lines))
        # each body row a target, so that other pages link to a claim's row
        std = self.env.get_domain("std")
        body_rows = [r for table in out for tb in table.findall(nodes.tbody)
                     for r in tb.children]
        for (row, _), tr in zip(resolved, body_rows, strict=True):
            name = ledger_label(row.id)
            tr["ids"].append(name)
            std.note_hyperlink_target(name, self.env.docname, name, f"{row.id} in the ledger")
        return out


class LedgerSummary(_LedgerBase):
    """Counts of the verdicts of this page's ledger rows, per source (computed)."""

    has_content = False

    def run(self):
        from uniqnets.book._verdict import BADGES, SOURCES, STATUSES

        counts, typed = Counter(), Counter()
        for row, rec in self.resolve(self.ledger_rows()):
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
        if sum(n):
            lines.append("| *not yet recorded by their chapter* | " + " | ".join(map(str, n))
                         + f" | {sum(n)} |")
        lines += ["", "Sources: " + "; ".join(f"**{k}** {v}" for k, v in SOURCES.items())
                  + "."]
        return self.parse("\n".join(lines))


class VerdictOverview(_LedgerBase):
    """The landing page's verdicts: counts per source, then the claims grouped by theorem.

    The argument is the ledger page (relative to this page); each line of the content is
    ``Group name: NN, NN`` (the ledger's chapter numbers in that group). Every claim of the
    ledger is shown once, in the group of its chapter (or under *Other pages*), as a badge
    coloured by its verdict and linked to its row of the ledger; the pages link to the
    chapters.
    """

    required_arguments = 1
    optional_arguments = 0

    def run(self):
        from uniqnets.book._verdict import BADGES, STATUSES

        rows = self.resolve(self.ledger_rows())
        groups = []
        for line in self.content:
            if line.strip():
                name, _, pages = line.partition(":")
                groups.append((name.strip(), [p.strip() for p in pages.split(",") if p.strip()]))
        placed = {p for _, pages in groups for p in pages}
        rest = sorted({row.chapter for row, _ in rows} - placed)
        if rest:
            groups.append(("Other pages", rest))
        docs = {row.chapter: rec["doc"] for row, rec in rows if rec}
        lines = ["```{list-table}", ":header-rows: 1", ":class: verdict-overview", "",
                 "* - theorem or subject", "  - pages", "  - claims (each links to its ledger row)"]
        for name, pages in groups:
            claims = []
            for row, rec in rows:
                if row.chapter in pages:
                    status = self.status(row, rec)
                    claims.append(f"{{bdg-ref-{BADGES.get(status, 'dark')}}}"
                                  f"`{row.id} <{ledger_label(row.id)}>`")
            links = [f"{{doc}}`{p} </{docs[p]}>`" if p in docs else p for p in pages]
            lines += [f"* - {name}", f"  - {', '.join(links)}", f"  - {' '.join(claims)}"]
        lines.append("```")
        legend = " ".join(f"{{bdg-{BADGES[s]}}}`{s}`" for s in STATUSES)
        lines += ["", f"Colours: {legend}."]
        return self.parse("\n".join(lines))


_TITLE = re.compile(r"^Verdict on ([UEGR]\d+): (.+)$")
#: how a count of verdicts of each status reads (singular, plural)
_COUNT_WORDS = {"holds": ("holds", "hold"),
                "holds under conditions": ("holds under conditions", "hold under conditions"),
                "fails": ("fails", "fail"),
                "not a claim about numbers": ("is not a claim about numbers",
                                              "are not claims about numbers")}


def page_verdicts(doctree) -> list[tuple[str, str, str]]:
    """``(claim, status, target id)`` of each verdict box on a page, in order."""
    out = []
    for node in doctree.findall(nodes.admonition):
        if "verdict" not in node["classes"]:
            continue
        title = node.next_node(nodes.title)
        m = _TITLE.match(title.astext().strip()) if title is not None else None
        if m:
            target = next((i for i in node["ids"] if i.startswith("verdict-")), None)
            out.append((m[1], m[2], target or (node["ids"] or [""])[0]))
    return out


def verdict_digest(app, doctree):
    """Open a page that shows verdict boxes with two lines: the counts, then each claim."""
    from uniqnets.book._verdict import STATUSES, status_class

    found = page_verdicts(doctree)
    section = doctree.next_node(nodes.section)
    if not found or section is None or not isinstance(section[0], nodes.title):
        return
    counts = Counter(status for _, status, _ in found)
    parts = [f"{counts[s]} {_COUNT_WORDS[s][counts[s] != 1]}" for s in STATUSES if counts[s]]
    n = len(found)
    first = nodes.paragraph()
    first += nodes.strong(text=f"Verdicts on this page: {n} claim{'s' * (n != 1)}")
    first += nodes.Text(": " + ", ".join(parts) + ".")
    second = nodes.paragraph()
    for i, (claim, status, target) in enumerate(found):
        if i:
            second += nodes.Text(" ")
        ref = nodes.reference("", "", internal=True, refid=target,
                              classes=["verdict-link", status_class(status)],
                              reftitle=f"Verdict on {claim}: {status}")
        ref += nodes.Text(f"{claim} {status}")
        second += ref
    box = nodes.container(classes=["verdict-digest"])
    box += [first, second]
    section.insert(1, box)


# the expression an ``{eval}`` role may hold, parsed as the notebooks' filler parses it
from uniqnets.book.inline import REC, parse_rec  # noqa: E402,F401


def flag_text(text) -> str:
    """``"a Boolean"``, ``"None"`` or ``"not a number"`` for such a glued text, else ``""``."""
    import ast as _ast

    from uniqnets.book._record import flag_kind
    try:
        value = _ast.literal_eval(text if isinstance(text, str) else "".join(text))
    except (ValueError, SyntaxError):
        value = text
    return flag_kind(value)


_NUMBER = re.compile(r"^[-+−]?(\d[\d,]*\.?\d*|\.\d+)"
                     r"([eE][-+]?\d+|\xa0×\xa010[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?\s?%?$")


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
            # the book's way of writing a number in scientific notation (2 × 10⁻¹⁰, as
            # rec() gives it in JupyterLab); a number is never broken across lines
            from uniqnets.book._record import numbers_in_text

            text = numbers_in_text(text)
            number = _NUMBER.match(text.strip()) is not None
            node = nodes.inline(text, text, classes=["pasted-text"] + ["pasted-number"] * number)
            self.set_source_info(node)
            return [node], []

    return RecRole()


def setup(app):
    if not (mathjax_root() / "tex-mml-chtml.js").is_file():
        raise RuntimeError("MathJax is not installed: pip install django-static-mathjax")
    app.connect("build-finished", copy_mathjax)
    app.connect("html-page-context", dedupe_scripts)
    # after the theme has made its header buttons (sphinx-book-theme: priority 501)
    app.connect("html-page-context", print_button, priority=502)
    app.add_config_value("always_rebuild", [], "env")
    app.connect("env-get-outdated", always_outdated)
    # the pages that paste the chapters' verdicts: read after the chapters, every build
    app.add_config_value("read_last", ["book/intro", "book/claims", "book/robustness"], "env")
    app.connect("env-before-read-docs", read_last)
    # the data files a page reads: a newer file makes the page outdated
    app.add_config_value("page_data", {}, "env")
    app.connect("source-read", note_page_data)
    app.add_directive("ledger", Ledger)
    app.add_directive("ledger-summary", LedgerSummary)
    app.add_directive("verdict-overview", VerdictOverview)
    app.connect("doctree-read", verdict_digest)
    # the stylesheet: verdict boxes by status, the digest, the ledger's layout
    app.connect("builder-inited", add_static)
    app.add_css_file("uniqnets.css")
    # after myst-nb's own `eval` role (registered when myst_nb was set up): this one wins
    app.add_role("eval", _rec_role(), override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
