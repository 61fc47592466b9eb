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

4. Recorded numbers quoted with ``{eval}`rec("name", ".3f")```. The prose of a chapter
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
"""

from __future__ import annotations

import ast
import shutil
from importlib.resources import files
from pathlib import Path

from docutils import nodes

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
    return [doc for doc in app.config.always_rebuild if doc in env.found_docs]


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
    # after myst-nb's own `eval` role (registered when myst_nb was set up): this one wins
    app.add_role("eval", _rec_role(), override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
