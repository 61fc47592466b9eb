"""JupyterLab as a reader uses it: a real server, a real browser, a chapter run from the menu.

The test starts JupyterLab on a loopback port (a token, fresh settings, workspace,
runtime and configuration folders, the project's settings overrides from
``jupyterlab-settings.json``, kernels on local Unix sockets), on a temporary copy of
``notebooks/`` and ``jupytext.toml`` (saving must not touch the working tree). In
headless Chromium it double-clicks ``notebooks/00_same_network.md`` in the file
browser, and checks that

- it opens as a notebook (jupytext's notebook view, not the text editor);
- Run > Run All Cells runs every code cell, and none shows an error;
- a figure appears (an output image that has loaded);
- a verdict admonition is rendered as one (jupyterlab-myst's admonition element,
  with no raw ``:::`` fence left in the text);
- no raw ``{glue`` or ``{eval`` role, and no unevaluated ``rec(...)`` expression or
  expression error, is visible in the prose once the cells have run;
- no verdict box shows a reference's bare label (the book's Lab extension, which
  ``make lab`` loads, shows what the label reads as in the book);
- File > Save (Ctrl+S) keeps the ``.md`` source's cells as they were (the jupytext
  round trip) and writes no ``.ipynb`` into ``notebooks/``.

A chapter with citations and references to another page (not run) shows each as the
book does: author and year, equation number and page, and no key that jupyterlab-myst
marks as not found; its link to another page opens that page's notebook. With
jupyterlab-myst alone the same check fails.

The checks are shown to fail, once each, on deliberately broken copies: without the
project's settings (the chapter opens as text), with a cell that raises, and with a
number quoted as a raw glue role.

No browser is downloaded: Playwright drives the system's Chromium (Debian's
``chromium`` package, which ``.ci/run`` installs); without Chromium, Playwright or
JupyterLab the tests skip with a message.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import jupytext
import pytest
from browser import CHROMIUM_ARGS, find_chromium

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "00_same_network.md"
# a loaded 2-core machine runs the chapter in 30-60 s; the bound leaves room for a
# machine shared with other jobs without letting a hung kernel stall the suite
RUN_TIMEOUT = 480
START_TIMEOUT = 120
# test-only Lab settings on top of the project's: every cell stays in the page (no
# windowing, so that the checks see the whole notebook) and nothing asks for news
TEST_SETTINGS = {
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                     "checkForUpdates": False},
}


def _missing() -> str | None:
    if find_chromium() is None:
        return "no Chromium (apt-get install chromium, or set $CHROMIUM)"
    for module, what in (("playwright", "playwright (the dev extra)"),
                         ("jupyterlab", "jupyterlab (the lab extra)")):
        try:
            __import__(module)
        except ImportError:
            return f"{what} is not installed"
    return None


pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(_missing() is not None,
                                 reason=f"JupyterLab test skipped: {_missing()}")]


def project_settings() -> dict:
    return json.loads((ROOT / "jupyterlab-settings.json").read_text())


def copy_book(dest: Path) -> Path:
    """``notebooks/`` and ``jupytext.toml`` copied into ``dest`` (what Lab is started on)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "notebooks", dest / "notebooks")
    shutil.copy2(ROOT / "jupytext.toml", dest / "jupytext.toml")
    return dest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_references_extension(out: Path) -> None:
    """The book's JupyterLab extension for citations and cross-references, as ``make lab``
    writes it (``book/_lab/references.py``), from this checkout's sources into ``out``."""
    subprocess.run([sys.executable, str(ROOT / "book" / "_lab" / "references.py"), str(ROOT),
                    "--out", str(out)], check=True, capture_output=True, text=True)


@contextmanager
def lab_server(root: Path, overrides: dict, references: bool = True):
    """JupyterLab on ``root``; yields ``(base_url, token)``. Stopped (and cleaned) after.

    ``references``: load the book's extension for citations and cross-references, as
    ``make lab`` does (``False``: jupyterlab-myst alone).
    """
    # short folder names: a Unix socket path must stay under ~100 characters
    work = Path(tempfile.mkdtemp(prefix="lab-"))
    dirs = {d: work / d for d in ("app-settings", "user-settings", "workspaces", "runtime",
                                  "config", "labextensions")}
    for d in dirs.values():
        d.mkdir()
    (dirs["app-settings"] / "overrides.json").write_text(json.dumps(overrides, indent=1))
    if references:
        write_references_extension(dirs["labextensions"])
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
               JUPYTER_CONFIG_DIR=str(dirs["config"]), OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONHASHSEED="0",
               PYDEVD_DISABLE_FILE_VALIDATION="1",
               # the kernels import this checkout's library
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "lib"),
                                                        os.environ.get("PYTHONPATH")])))
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           f"--LabApp.app_settings_dir={dirs['app-settings']}",
           f"--LabApp.user_settings_dir={dirs['user-settings']}",
           f"--LabApp.workspaces_dir={dirs['workspaces']}",
           f"--LabApp.extra_labextensions_path={dirs['labextensions']}",
           # no news, no extension manager querying a package index (no network here)
           "--LabApp.news_url=", "--LabApp.extension_manager=readonly",
           # the page's `window.jupyterapp`, through which the test reads the notebook
           "--LabApp.expose_app_in_browser=True",
           # kernels on Unix sockets beside the runtime folder: no TCP port to race for
           "--KernelManager.transport=ipc", f"--KernelManager.ip={work / 'k'}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI runs as root
        cmd.append("--allow-root")
    log = (work / "lab.log").open("w")
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited ({proc.returncode}):\n"
                                   + (work / "lab.log").read_text()[-3000:])
            try:
                with urllib.request.urlopen(f"{base}api/status?token={token}", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start in time:\n"
                                       + (work / "lab.log").read_text()[-3000:]) from None
                time.sleep(0.5)
        yield base, token
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the server and the kernels it started
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
        shutil.rmtree(work, ignore_errors=True)


# --- what the page shows ----------------------------------------------------------------

_STATE = r"""
() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!w || !w.content || !w.content.model) return null;
  const cells = [];
  const model = w.content.model;
  for (let i = 0; i < model.cells.length; i++) {
    const c = model.cells.get(i);
    const info = {type: c.type};
    if (c.type === 'code') {
      info.count = c.executionCount;
      info.errors = c.outputs.toJSON().filter(o => o.output_type === 'error')
                     .map(o => `${o.ename}: ${o.evalue}`);
    }
    cells.push(info);
  }
  const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
  const prompts = Array.from(w.node.querySelectorAll('.jp-CodeCell .jp-InputPrompt'))
                       .map(p => p.textContent.trim());
  return {cells, kernel: kernel ? kernel.status : null, dirty: w.context.model.dirty,
          busy: prompts.filter(p => p.includes('*')).length};
}
"""

# per Markdown cell: its source and what jupyterlab-myst rendered (the `.myst` widget)
_SHOWN = r"""
() => {
  const w = window.jupyterapp.shell.currentWidget;
  const model = w.content.model;
  const markdown = [];
  w.content.widgets.forEach((cell, i) => {
    if (cell.model.type !== 'markdown') return;
    const out = cell.node.querySelector('.myst');
    markdown.push({index: i, source: cell.model.sharedModel.getSource(),
                   shown: out ? out.innerText : null});
  });
  return {
    markdown,
    admonitions: Array.from(w.node.querySelectorAll(
        '.jp-MarkdownCell aside.myst-admonition .myst-admonition-header-text, '
        + '.jp-OutputArea-output aside.uniqnets-verdict .uniqnets-verdict-title'))
        .map(a => a.innerText.trim()),
    exprErrors: Array.from(w.node.querySelectorAll(
        '.jp-MarkdownCell [data-mime-type="application/vnd.jupyter.stderr"]'))
        .map(e => e.innerText.trim()),
    verdicts: Array.from(w.node.querySelectorAll('.jp-OutputArea-output aside.uniqnets-verdict'))
        .map(a => a.innerText),
    images: Array.from(w.node.querySelectorAll('.jp-OutputArea-output img'))
        .filter(i => i.complete && i.naturalWidth > 0).length,
  };
}
"""

# raw MyST in rendered text: a role's braces, an unevaluated `rec(...)` (jupyterlab-myst
# shows an inline expression without a result as its code), a directive fence
RAW_TEXT = re.compile(r"\{(glue|eval)[:\w]*\}|\brec\(\s*['\"]|^\s*:::", re.M)
# a role jupyterlab-myst does not know is shown as its bare content ("n_params:.2f")
GLUE_ROLE = re.compile(r"\{glue[:\w]*\}(`+)(.+?)\1")


def raw_myst(markdown: list[dict]) -> list[str]:
    """What of the Markdown cells' source shows raw in their rendering."""
    found = []
    for cell in markdown:
        shown = cell["shown"]
        if shown is None:
            found.append(f"cell {cell['index']}: Markdown not rendered by jupyterlab-myst")
            continue
        found += [f"cell {cell['index']}: {m.group(0).strip()!r}"
                  for m in RAW_TEXT.finditer(shown)]
        found += [f"cell {cell['index']}: {m.group(0)} shows as {m.group(2)!r}"
                  for m in GLUE_ROLE.finditer(cell["source"]) if m.group(2) in shown]
    return found


def _menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{menu}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(rf"^{re.escape(item)}$")).click()


def open_and_run(page, base: str, token: str, chapter: str, problems: list[str]) -> bool:
    """Double-click ``notebooks/<chapter>`` in Lab's file browser, then Run > Run All Cells.

    False (with the problem noted) when the chapter opened as text, not as a notebook.
    """
    page.goto(f"{base}lab/tree/notebooks?token={token}", wait_until="load")
    item = page.locator(".jp-DirListing-item", has_text=chapter)
    item.wait_for(timeout=START_TIMEOUT * 1000)
    item.dblclick()
    # what opened: jupytext's notebook view, or the text editor
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell, .jp-FileEditor .cm-content",
                           timeout=START_TIMEOUT * 1000)
    if page.locator(".jp-NotebookPanel .jp-Cell").count() == 0:
        problems.append(f"{chapter} opened as a text file, not as a notebook")
        return False
    page.wait_for_function("() => { const s = (" + _STATE + ")();"
                           " return s && s.kernel === 'idle'; }",
                           timeout=START_TIMEOUT * 1000)
    _menu(page, "Run", "Run All Cells")
    # done: the kernel idle and no cell running or queued, twice in a row
    deadline, calm = time.monotonic() + RUN_TIMEOUT, 0
    while calm < 2:
        if time.monotonic() > deadline:
            problems.append(f"Run All Cells did not finish in {RUN_TIMEOUT} s")
            break
        time.sleep(1)
        state = page.evaluate(_STATE)
        calm = calm + 1 if state["kernel"] == "idle" and not state["busy"] else 0
    return True


def check_chapter_in_lab(root: Path, chapter: str, overrides: dict, screenshot=None
                         ) -> list[str]:
    """Open ``notebooks/<chapter>`` in Lab on ``root``, run it, save it: the problems seen."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    source = root / "notebooks" / chapter
    before = jupytext.read(source)
    problems: list[str] = []
    with lab_server(root, overrides) as (base, token), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("pageerror", lambda e: problems.append(f"uncaught exception: {e}"))
            if not open_and_run(page, base, token, chapter, problems):
                return problems
            time.sleep(2)  # the Markdown cells' inline expressions come back
            state, shown = page.evaluate(_STATE), page.evaluate(_SHOWN)
            if screenshot is not None:
                page.screenshot(path=str(screenshot), full_page=True)
            for i, cell in enumerate(state["cells"]):
                if cell["type"] != "code":
                    continue
                if cell["errors"]:
                    problems.append(f"cell {i} shows an error: {'; '.join(cell['errors'])}")
                elif cell["count"] is None:
                    problems.append(f"cell {i} did not run")
            if not shown["images"]:
                problems.append("no figure image appeared")
            if not any(a.startswith("Verdict") for a in shown["admonitions"]):
                problems.append("no verdict admonition rendered as an admonition")
            raw = raw_myst(shown["markdown"])
            if raw:
                problems.append("raw MyST visible in the prose: " + "; ".join(raw[:5]))
            labels = _load_references().references(ROOT)["labels"]
            bare = sorted({w for text in shown["verdicts"]
                           for w in re.findall(r"[\w.:-]*\w", text) if w in labels})
            if bare:
                problems.append(f"a verdict shows a reference's bare label: {bare}")
            if shown["exprErrors"]:
                problems.append(f"inline expressions failed: {shown['exprErrors'][:3]}")
            # save from the keyboard, in command mode, and wait for the file
            mtime = source.stat().st_mtime_ns
            page.keyboard.press("Escape")
            page.keyboard.press("Control+s")
            try:
                page.wait_for_function("() => { const s = (" + _STATE + ")();"
                                       " return s && !s.dirty; }", timeout=60_000)
            except PlaywrightTimeout:
                problems.append("saving did not finish")
            deadline = time.monotonic() + 30
            while source.stat().st_mtime_ns == mtime and time.monotonic() < deadline:
                time.sleep(0.5)
            if source.stat().st_mtime_ns == mtime:
                problems.append("Save did not write the .md source")
        finally:
            browser.close()
    after = jupytext.read(source)
    if [(c.cell_type, c.source) for c in after.cells] != \
            [(c.cell_type, c.source) for c in before.cells]:
        problems.append("saving changed the cells of the .md source")
    if after.metadata.get("uniqnets") != before.metadata.get("uniqnets"):
        problems.append("saving dropped the chapter's `uniqnets` front matter")
    if "user_expressions" in source.read_text():
        problems.append("saving wrote the inline expressions' results into the .md source")
    stray = sorted(p.name for p in (root / "notebooks").glob("*.ipynb"))
    if stray:
        problems.append(f".ipynb files appeared in notebooks/: {stray}")
    return problems


def test_chapter_runs_and_renders_in_jupyterlab(tmp_path):
    root = copy_book(tmp_path / "book")
    problems = check_chapter_in_lab(root, CHAPTER, {**project_settings(), **TEST_SETTINGS},
                                    screenshot=tmp_path / "lab.png")
    assert not problems, "\n".join(problems)
    # the pairing wrote the executed twin where jupytext.toml says
    assert (root / "ipynb" / CHAPTER.replace(".md", ".ipynb")).is_file()


# --- a reader who only looks changes nothing --------------------------------------------

#: autosave every few seconds in the test (Lab's default is two minutes), so that waiting
#: past it is quick; the project's own settings decide what a save writes
AUTOSAVE_SECONDS = 5


def _with_autosave(overrides: dict, seconds: int) -> dict:
    key = "@jupyterlab/docmanager-extension:plugin"
    return {**overrides, key: {**overrides.get(key, {}), "autosaveInterval": seconds}}


def _git(root: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org")
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True,
                          text=True).stdout


def lab_leaves_files_alone(root: Path, chapter: str, overrides: dict) -> list[str]:
    """Open a chapter in Lab on a git checkout ``root``, run it, wait past autosave:
    what ``git status`` then shows, as problems."""
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with lab_server(root, _with_autosave(overrides, AUTOSAVE_SECONDS)) as (base, token), \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            if open_and_run(page, base, token, chapter, problems):
                time.sleep(3 * AUTOSAVE_SECONDS)
        finally:
            browser.close()
    status = _git(root, "status", "--porcelain", "--untracked-files=all").strip()
    if status:
        problems.append("git status after opening, running and autosave:\n" + status + "\n"
                        + _git(root, "diff")[:3000])
    return problems


def _checkout(dest: Path) -> Path:
    """The chapters, jupytext.toml and .gitignore in a fresh git repository, committed;
    the chapter at its fast-rerun sizes (committed as such)."""
    root = copy_book(dest)
    shutil.copy2(ROOT / ".gitignore", root / ".gitignore")
    source = root / "notebooks" / CHAPTER
    source.write_text(_fast(source.read_text()))
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "chapters")
    return root


def test_lab_leaves_the_chapter_alone(tmp_path):
    root = _checkout(tmp_path / "book")
    problems = lab_leaves_files_alone(root, CHAPTER, {**project_settings(), **TEST_SETTINGS})
    assert not problems, "\n".join(problems)


# --- the checks fail when they should -----------------------------------------------------

def _fast(text: str) -> str:
    """The chapter at its fast-rerun sizes (front matter `uniqnets.rerun`)."""
    nb = jupytext.reads(text, fmt="md:myst")
    for name, value in nb.metadata["uniqnets"]["rerun"].items():
        text = re.sub(rf"^{name} = \S+", f"{name} = {value!r}", text, count=1, flags=re.M)
    return text


def _raising(text: str) -> str:
    return text.replace("run_a, run_b = run(seed), run(seed)",
                        "raise RuntimeError('deliberately broken')\n"
                        "run_a, run_b = run(seed), run(seed)", 1)


def _raw_role(text: str) -> str:
    return text.replace('{eval}`rec("n_params")`', "{glue:text}`n_params`", 1)


BROKEN = {
    # without the project's settings, JupyterLab opens a .md as a text file
    "opens-as-text": (None, {**TEST_SETTINGS}, "opened as a text file"),
    "cell-errors": (_raising, None, "shows an error: RuntimeError: deliberately broken"),
    "raw-role": (_raw_role, None, "{glue:text}`n_params` shows as 'n_params'"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_lab_check_fails_on_a_broken_copy(case, tmp_path):
    edit, overrides, expected = BROKEN[case]
    root = copy_book(tmp_path / "book")
    source = root / "notebooks" / CHAPTER
    text = _fast(source.read_text())
    if edit is not None:
        changed = edit(text)
        assert changed != text, f"the {case} edit no longer applies to {CHAPTER}"
        text = changed
    source.write_text(text)
    problems = check_chapter_in_lab(root, CHAPTER, overrides or {**project_settings(),
                                                                 **TEST_SETTINGS})
    assert any(expected in p for p in problems), problems


# --- citations and cross-references read as in the book -----------------------------------

#: a page with citations, an equation of another page and links to another page
REFERENCES_CHAPTER = "08_complexes_and_dimension.md"

# what jupyterlab-myst marks as unresolved, and the text of the Markdown cells
_REFERENCES = r"""
() => {
  const w = window.jupyterapp.shell.currentWidget;
  const cells = Array.from(w.node.querySelectorAll('.jp-MarkdownCell .myst'));
  return {
    rendered: cells.length,
    unresolved: cells.flatMap(c => Array.from(c.querySelectorAll(
        'span[title="Citation Not Found"], span[title="Cross Reference Not Found"]'))
        .map(s => `${s.title}: ${s.textContent.trim()}`)),
    text: cells.map(c => c.innerText).join('\n'),
  };
}
"""


def _load_references():
    import importlib.util

    spec = importlib.util.spec_from_file_location("lab_references",
                                                  ROOT / "book" / "_lab" / "references.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def references_in_lab(root: Path, chapter: str, overrides: dict, references: bool = True,
                      screenshot=None) -> list[str]:
    """Open ``notebooks/<chapter>`` in Lab (without running it): the citations and
    cross-references of its prose that do not read as the book's text, as problems."""
    from playwright.sync_api import sync_playwright

    source = (root / "notebooks" / chapter).read_text()
    data = _load_references().references(ROOT)
    page = Path(chapter).stem
    expected = {}
    for key in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", source):
        for k in key.split(","):
            expected[f"citation {k.strip()}"] = data["cite"][k.strip()]["text"]
    for label in re.findall(r"\{(?:eq|numref|ref)\}`([\w.:-]+)`", source):
        target = data["labels"][label]
        expected[f"reference {label}"] = (target["text"] if target["page"] == page
                                          else target["elsewhere"])
    problems: list[str] = []
    with lab_server(root, overrides, references=references) as (base, token), \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 1000})
            tab.goto(f"{base}lab/tree/notebooks/{chapter}?token={token}", wait_until="load")
            tab.wait_for_selector(".jp-NotebookPanel .jp-MarkdownCell .myst",
                                  timeout=START_TIMEOUT * 1000)
            time.sleep(5)  # every Markdown cell rendered, the references filled in
            shown = tab.evaluate(_REFERENCES)
            if screenshot is not None:
                tab.screenshot(path=str(screenshot))
            # a link to another page opens that page's notebook
            linked = re.search(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`", source)
            if linked:
                stem = Path(linked.group(1)).name
                name = data["docs"][stem]["text"] if references else stem
                tab.locator(".jp-MarkdownCell .myst a", has_text=name).first.click()
                try:
                    tab.locator(".lm-TabBar-tabLabel", has_text=f"{stem}.md").wait_for(
                        timeout=30_000)
                except Exception:
                    problems.append(f"the link to {stem} did not open its notebook")
        finally:
            browser.close()
    problems += [f"shown raw: {u}" for u in shown["unresolved"]]
    problems += [f"{what} does not read {text!r}" for what, text in expected.items()
                 if " ".join(text.split()) not in " ".join(shown["text"].split())]
    return problems


def test_citations_and_references_read_as_in_the_book(tmp_path):
    root = copy_book(tmp_path / "book")
    problems = references_in_lab(root, REFERENCES_CHAPTER,
                                 {**project_settings(), **TEST_SETTINGS})
    assert not problems, "\n".join(problems)


def test_reference_check_fails_with_jupyterlab_myst_alone(tmp_path):
    root = copy_book(tmp_path / "book")
    problems = references_in_lab(root, REFERENCES_CHAPTER,
                                 {**project_settings(), **TEST_SETTINGS}, references=False)
    assert any("Citation Not Found" in p for p in problems), problems
    assert any("Cross Reference Not Found: eq-cech-ends" in p for p in problems), problems
