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
"""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

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


def setup(app):
    if not (mathjax_root() / "tex-mml-chtml.js").is_file():
        raise RuntimeError("MathJax is not installed: pip install django-static-mathjax")
    app.connect("build-finished", copy_mathjax)
    app.connect("html-page-context", dedupe_scripts)
    app.add_config_value("always_rebuild", [], "env")
    app.connect("env-get-outdated", always_outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
