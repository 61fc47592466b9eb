"""Check a built book in a real browser: headless Chromium driven by Playwright.

Serves an HTML build on a loopback port and visits every page. A page passes if

- the console shows no JavaScript error (and no uncaught exception),
- MathJax has typeset every equation (each ``.math`` element holds an
  ``mjx-container``; no raw ``$$``, ``\\(`` or ``\\[`` is left in the text),
- every ``<img>`` has loaded (``naturalWidth > 0``), and those of the page's
  content have alt text,
- every internal link points to a page (and anchor) that exists in the build,
- recorded numbers appear in the prose: one non-empty ``.pasted-text`` element for
  each ``{glue:text}`` or ``{eval}`rec(...)``` role of the page's source.

No browser is downloaded: Playwright is pointed at the system's Chromium
(Debian's ``chromium`` package).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

SKIP = {"genindex.html", "search.html"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def find_chromium() -> str | None:
    """Path of a Chromium binary: ``$CHROMIUM``, or ``chromium`` / ``chromium-browser`` on PATH."""
    env = os.environ.get("CHROMIUM")
    if env and Path(env).is_file():
        return env
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def pages(html_dir: Path) -> list[Path]:
    """The book's pages in a build (not Sphinx's index/search pages or static files)."""
    out = []
    for p in sorted(html_dir.rglob("*.html")):
        rel = p.relative_to(html_dir)
        if rel.parts[0].startswith("_") or rel.name in SKIP or rel.as_posix() == "index.html":
            continue
        out.append(p)
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(html_dir: Path):
    """Serve ``html_dir`` on 127.0.0.1 at a free port; yields the base URL."""
    handler = functools.partial(_Quiet, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


_ID = re.compile(r'\sid="([^"]+)"')


@functools.cache
def _ids(path: Path) -> frozenset:
    return frozenset(_ID.findall(path.read_text(errors="replace")))


def _link_problem(html_dir: Path, base: str, href: str) -> str | None:
    parts = urlsplit(href)
    if not href.startswith(base):
        return None  # external (or mailto:, javascript:): not checked, no network here
    rel = unquote(parts.path[len(urlsplit(base).path):])
    target = html_dir / rel
    if rel == "" or rel.endswith("/"):
        target = target / "index.html"
    if not target.is_file():
        return f"broken link to {rel or '/'}"
    if parts.fragment and target.suffix == ".html" and parts.fragment not in _ids(target):
        return f"broken anchor {rel}#{parts.fragment}"
    return None


_PAGE_SCRIPT = r"""
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await Promise.all(Array.from(document.images).map(img => img.complete ? null :
      new Promise(r => { img.onload = img.onerror = r; })));
  const article = document.querySelector('article') || document.body;
  const clone = article.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, mjx-container, .highlight')
       .forEach(e => e.remove());
  const text = clone.textContent;
  return {
    math: document.querySelectorAll('.math').length,
    untypeset: Array.from(document.querySelectorAll('.math'))
                    .filter(e => !e.querySelector('mjx-container')).length,
    raw_tex: (text.match(/\$\$|\\\(|\\\[/g) || []).length,
    images: Array.from(document.images)
                 .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
    no_alt: Array.from(article.querySelectorAll('img'))
                 .filter(i => !(i.getAttribute('alt') || '').trim()).map(i => i.src),
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
    glued: Array.from(document.querySelectorAll('.pasted-text'))
                .map(e => e.textContent.trim()),
  };
}
"""


def expected_glue(html_dir: Path, page: Path, source_root: Path | None) -> int | None:
    """Number of ``{glue:text}`` and ``{eval}`` roles in the page's MyST source, if found."""
    if source_root is None:
        return None
    src = source_root / page.relative_to(html_dir).with_suffix(".md")
    if not src.is_file():
        return None
    text = re.sub(r"``.+?``", "", src.read_text())  # roles quoted as code (how-to pages)
    return len(re.findall(r"\{(?:glue:text|eval)\}`", text))


def check_site(html_dir, source_root=None, screenshots=None, shots=()) -> dict[str, list[str]]:
    """Visit every page of the build at ``html_dir``; return the problems found per page.

    ``source_root``: the book's source folder, to count each page's glue roles.
    ``screenshots``: folder for full-page screenshots of the pages named in ``shots``
    (paths relative to ``html_dir``).
    """
    from playwright.sync_api import sync_playwright

    html_dir = Path(html_dir)
    chromium = find_chromium()
    if chromium is None:
        raise RuntimeError("no Chromium found (apt-get install chromium, or set $CHROMIUM)")
    problems: dict[str, list[str]] = {}
    with serve(html_dir) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for page_path in pages(html_dir):
                rel = page_path.relative_to(html_dir).as_posix()
                found: list[str] = []
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                # a failed resource shows as a console error without its address; the
                # response and request events give the address instead
                page.on("console", lambda m, f=found: f.append(f"console {m.type}: {m.text}")
                        if m.type == "error" and not m.text.startswith("Failed to load resource")
                        else None)
                page.on("pageerror", lambda e, f=found: f.append(f"uncaught exception: {e}"))
                page.on("response", lambda r, f=found: f.append(f"HTTP {r.status}: {r.url}")
                        if r.status >= 400 else None)
                page.on("requestfailed", lambda r, f=found: f.append(
                    f"request failed: {r.url} ({r.failure})"))
                page.goto(base + rel, wait_until="load")
                info = page.evaluate(_PAGE_SCRIPT)
                if info["untypeset"] or info["raw_tex"]:
                    found.append(f"untypeset math: {info['untypeset']} of {info['math']} "
                                 f"equations, {info['raw_tex']} raw TeX delimiters in the text")
                found += [f"image not loaded: {src}" for src in info["images"]]
                found += [f"image without alt text: {src}" for src in info["no_alt"]]
                for href in sorted(set(info["links"])):
                    bad = _link_problem(html_dir, base, href)
                    if bad:
                        found.append(bad)
                want = expected_glue(html_dir, page_path, source_root)
                got = [g for g in info["glued"] if g]
                if want is not None and len(got) < want:
                    found.append(f"glued numbers: {len(got)} shown, {want} in the source")
                if screenshots is not None and rel in shots:
                    Path(screenshots).mkdir(parents=True, exist_ok=True)
                    name = rel.replace("/", "_").replace(".html", ".png")
                    page.screenshot(path=str(Path(screenshots) / name), full_page=True)
                page.close()
                if found:
                    problems[rel] = found
        finally:
            browser.close()
    return problems
