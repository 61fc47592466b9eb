"""The whole book builds without a warning, and every page works in a real browser.

The tests of this file run in order: the build first, then the browser checks of
what it built (alone, `make test-browser` checks the book `make book` built).  They
are marked ``book``: never on a pytest-xdist worker (conftest.py skips them there),
`make test` runs them in a second, serial invocation after the parallel one, whose
nbval pass has stored every executed chapter in the book's cache.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import browser
import pytest
from jupyter_cache import get_cache

from uniqnets.book._execute import fill_cache

pytestmark = pytest.mark.book

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"

try:
    import playwright  # noqa: F401
    HAVE_PLAYWRIGHT = True
except ImportError:  # pragma: no cover - it is in the dev extra
    HAVE_PLAYWRIGHT = False
CHROMIUM = browser.find_chromium()
needs_browser = pytest.mark.skipif(
    not (CHROMIUM and HAVE_PLAYWRIGHT),
    reason="browser tests skipped: Chromium is not installed (apt-get install chromium)"
    if HAVE_PLAYWRIGHT else "browser tests skipped: playwright is not installed")


def chapter_records():
    """``{(chapter, record id, code hash)}`` of the chapters in the book's execution cache."""
    cache = get_cache(ROOT / "_build" / ".jupyter_cache")
    chapters = (ROOT / "notebooks").resolve()
    return {(Path(r.uri).stem, r.pk, r.hashkey) for r in cache.list_cache_records()
            if Path(r.uri).parent == chapters}


@pytest.mark.slow
def test_book_builds_without_warnings():
    # chapters the nbval pass did not execute (a run of this file alone, an edited
    # chapter) are executed here two at a time on ipc kernels and cached; the build
    # then executes nothing itself
    chapters = sorted((ROOT / "notebooks").glob("*.md"))
    fill_cache(ROOT, chapters, jobs=2, timeout=300)
    cached = chapter_records()
    assert {stem for stem, _, _ in cached} >= {md.stem for md in chapters}
    jb = Path(sys.executable).parent / "jupyter-book"
    # --all re-reads every page, so warnings of unchanged pages are reported too;
    # executed notebooks still come from the cache when their code did not change
    proc = subprocess.run([str(jb), "build", str(ROOT), "--all", "-W", "-n", "--keep-going"],
                          cwd=ROOT, capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-8000:]
    assert (HTML / "index.html").is_file()
    # no chapter executed by the build: it would have replaced the chapter's record
    assert chapter_records() == cached, "the build executed a chapter the cache held"
    assert log.count("Using cached notebook") >= len(chapters), log[-8000:]
    for nb in sorted((ROOT / "notebooks").glob("*.md")):
        page = HTML / "notebooks" / f"{nb.stem}.html"
        assert page.is_file(), f"{page.name} was not built"
        assert "Traceback" not in page.read_text(), f"{page.name} shows a traceback"


_FLAG = re.compile(r'<span class="[^"]*pasted-text[^"]*">\s*(True|False|nan|NaN|None)\s*</span>')


@pytest.mark.slow
def test_no_flag_renders_in_a_sentence():
    """No computed Boolean, ``nan`` or ``None`` is quoted into the built pages' prose.

    The ``eval`` role already refuses such a value (a warning, so the strict build above
    fails); this reads what the build wrote, every page, to be sure.
    """
    found = []
    for page in sorted(_built().rglob("*.html")):
        found += [f"{page.relative_to(HTML)}: {m}" for m in _FLAG.findall(page.read_text())]
    assert not found, f"computed flags rendered in sentences: {found[:20]}"


def _built():
    if not (HTML / "index.html").is_file():
        pytest.fail("no book in _build/html: run `make book` first")
    return HTML


@pytest.mark.slow
@needs_browser
def test_every_page_in_a_browser():
    html = _built()
    first_chapter = sorted((html / "notebooks").glob("*.html"))[0].relative_to(html).as_posix()
    problems = browser.check_site(html, source_root=ROOT, screenshots=SHOTS,
                                  shots=("book/intro.html", first_chapter))
    assert not problems, "\n".join(f"{page}: {p}" for page, ps in problems.items() for p in ps)
    assert (SHOTS / "book_intro.png").is_file()


@pytest.mark.slow
@needs_browser
def test_browser_check_catches_broken_pages(tmp_path):
    # break a copy of the build three ways and make sure each is reported on its page
    html = tmp_path / "html"
    shutil.copytree(_built(), html)
    chapter = sorted((html / "notebooks").glob("*.html"))[0]
    text = chapter.read_text()
    # 1. an untypeset equation: a page whose MathJax never loads
    text = re.sub(r'<script[^>]*mathjax[^>]*></script>', "", text, flags=re.I)
    # 2. a missing image: delete the first figure the chapter shows
    src = re.search(r'<img[^>]+src="([^"]*_images/[^"]+)"', text).group(1)
    (chapter.parent / src).unlink()
    chapter.write_text(text)
    # 3. a broken internal link, on another page
    intro = html / "book" / "intro.html"
    intro.write_text(intro.read_text().replace('href="how_to_use.html"',
                                               'href="no_such_page.html"'))
    problems = browser.check_site(html)
    rel = chapter.relative_to(html).as_posix()
    assert any(p.startswith("untypeset math") for p in problems.get(rel, [])), problems
    assert any(p.startswith("image not loaded") for p in problems.get(rel, [])), problems
    assert "broken link to book/no_such_page.html" in problems.get("book/intro.html", []), problems
    assert set(problems) == {rel, "book/intro.html"}, problems


# --- JupyterLab's references number as the book does ----------------------------------------

def lab_references():
    """What the book's Lab extension shows for each citation key and label (book/_lab/)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("lab_references",
                                                  ROOT / "book" / "_lab" / "references.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.references(ROOT)


def lab_numbers_unlike_the_book(html_dir: Path, labels: dict) -> list[str]:
    """Equations and figures whose number in JupyterLab differs from the built book's."""
    wrong = []
    for label, target in sorted(labels.items()):
        if target["kind"] not in ("equation", "figure"):
            continue
        pages = [html_dir / d / f"{target['page']}.html" for d in ("notebooks", "book")]
        text = next((p.read_text() for p in pages if p.is_file()), "")
        if target["kind"] == "equation":
            m = re.search(r'<span class="eqno">(\(\d+\))<a class="headerlink" '
                          rf'href="#equation-{re.escape(label)}"', text)
        else:
            m = re.search(rf'id="{re.escape(label)}".*?<span class="caption-number">'
                          r"(Fig\. \d+) </span>", text, re.S)
        shown = m.group(1) if m else "no number"
        if shown != target["text"]:
            wrong.append(f"{label} on {target['page']}: the book shows {shown}, "
                         f"JupyterLab {target['text']}")
    return wrong


@pytest.mark.slow
def test_lab_references_number_as_the_book():
    wrong = lab_numbers_unlike_the_book(_built(), lab_references()["labels"])
    assert not wrong, "\n".join(wrong)


# --- what the header's buttons offer ----------------------------------------------------

_HEADER_BUTTONS = r"""
() => Array.from(document.querySelectorAll('.article-header-buttons .dropdown'))
  .map(d => ({
    group: (d.querySelector('button') || d).getAttribute('aria-label') || '',
    items: Array.from(d.querySelectorAll('.dropdown-menu a, .dropdown-menu button'))
      .map(a => ({text: a.innerText.trim(), title: a.getAttribute('title') || '',
                  href: a.href || '', onclick: a.getAttribute('onclick') || ''})),
  }))
"""


def header_button_problems(html_dir: Path) -> dict[str, list[str]]:
    """Launch and download buttons of every chapter page that promise what they cannot do.

    A launch button must lead to a page of the build itself (no network is assumed: an
    external service such as Binder, for a repository the book cannot reach, fails); a
    download entry that names a PDF must link to a PDF file of the build.
    """
    from playwright.sync_api import sync_playwright

    problems: dict[str, list[str]] = {}
    with browser.serve(html_dir) as base, sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=browser.CHROMIUM_ARGS)
        try:
            page = chromium.new_page(viewport={"width": 1400, "height": 1000})
            for path in sorted((html_dir / "notebooks").glob("*.html")):
                rel = path.relative_to(html_dir).as_posix()
                page.goto(base + rel, wait_until="load")
                found = []
                for group in page.evaluate(_HEADER_BUTTONS):
                    for item in group["items"]:
                        what = f"{group['group']} > {item['text'] or item['title']}"
                        if "launch" in group["group"].lower():
                            bad = (browser._link_problem(html_dir, base, item["href"])
                                   if item["href"].startswith(base) else "outside the book")
                            if bad or not item["href"]:
                                target = item["href"] or item["onclick"]
                                found.append(f"launch button {what} ({target}) cannot be "
                                             f"reached: {bad or 'no link'}")
                        elif "pdf" in (item["text"] + item["title"]).lower():
                            target = item["href"].split("#")[0]
                            if not (target.startswith(base) and target.endswith(".pdf")
                                    and browser._link_problem(html_dir, base, target) is None):
                                found.append(f"{what} ({item['title']}) names a PDF but is "
                                             f"{item['onclick'] or item['href'] or 'no link'}")
                if found:
                    problems[rel] = found
        finally:
            chromium.close()
    return problems


@pytest.mark.slow
@needs_browser
def test_header_buttons_do_what_they_say():
    problems = header_button_problems(_built())
    assert not problems, "\n".join(f"{page}: {p}" for page, ps in problems.items() for p in ps)


# --- tables are tables, and no output is monospace text -------------------------------------

_OUTPUT_PRE = re.compile(r'<div class="output (stream|text_plain)[^"]*">\s*<div class="highlight">'
                         r"<pre>(.*?)</pre>", re.S)


def plain_text_outputs(html_dir: Path) -> dict[str, list[str]]:
    """Cell outputs of the built pages shown as monospace text, per page: a printed table
    (columns the page cuts off on the right), an object's plain-text repr (a list of
    names). Each as its kind and first line."""
    import html as html_lib

    found: dict[str, list[str]] = {}
    for page in sorted(html_dir.rglob("*.html")):
        if page.relative_to(html_dir).parts[0].startswith("_"):
            continue
        for m in _OUTPUT_PRE.finditer(page.read_text(errors="replace")):
            text = html_lib.unescape(re.sub(r"<[^>]+>", "", m.group(2))).strip()
            found.setdefault(page.relative_to(html_dir).as_posix(), []).append(
                f"{m.group(1)} output: {text.splitlines()[0] if text else '(empty)'}")
    return found


@pytest.mark.slow
def test_no_page_shows_monospace_text_output():
    """A table is a table (Markdown in the book, HTML in JupyterLab: uniqnets.book.table),
    a number is quoted in the prose; no cell shows printed or plain-text output."""
    found = plain_text_outputs(_built())
    assert not found, "\n".join(f"{p}: {t}" for p, ts in found.items() for t in ts)


@pytest.mark.slow
def test_monospace_check_catches_a_printed_table(tmp_path):
    # a copy of a built chapter whose first cell output is replaced by what print() of a
    # table of aligned columns gives, in the markup myst-nb writes for a stream output
    chapter = sorted((_built() / "notebooks").glob("*.html"))[0]
    rows = ["  width   exponent   standard error", "      8     -0.012            0.003",
            "     16     -0.004            0.002"]
    printed = ('<div class="output stream highlight-myst-ansi notranslate">'
               '<div class="highlight"><pre><span></span>' + "\n".join(rows)
               + "\n</pre></div>\n</div>")
    text, n = re.subn(r'(<div class="cell_output docutils container">).*?(</div>\s*</div>)',
                      lambda m: m.group(1) + printed + m.group(2), chapter.read_text(),
                      count=1, flags=re.S)
    assert n == 1, "the chapter has no cell output to replace"
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / chapter.name).write_text(text)
    found = plain_text_outputs(tmp_path)
    assert found == {f"notebooks/{chapter.name}": [f"stream output: {rows[0].strip()}"]}, found
