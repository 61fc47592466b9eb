// A JupyterLab 4 extension written as a module-federation container by hand (no build
// step): JupyterLab loads this script, calls init() and get("./extension"), and
// activates the plugin it returns. The plugin reads references.json (written beside
// this file by book/_lab/references.py) and, wherever jupyterlab-myst shows a citation
// key or a cross-reference label it could not resolve ("Citation Not Found", "Cross
// Reference Not Found"), shows what the book shows there instead: author and year, an
// equation or figure number (with its page when it is on another one), a section's
// title. A link to another page ({doc}) shows that page's title and opens its notebook.
// Only the display changes; the notebook is not touched.
var _JUPYTERLAB;
(function () {
  'use strict';
  var NAME = 'uniqnets-references';
  var script = document.currentScript && document.currentScript.src;
  var DATA_URL = script ? script.replace(/remoteEntry\.js(\?.*)?$/, 'references.json') : null;
  var MISSING = 'span[title="Citation Not Found"], span[title="Cross Reference Not Found"]';
  var STYLE = '.uniqnets-reference > svg { display: none; }';

  function notebookPage(node) {
    // the stem of the notebook the node is in (".../notebooks/08_topic.md" -> "08_topic")
    var panel = node.closest('.jp-NotebookPanel');
    var tab = panel && document.querySelector('li.lm-TabBar-tab[data-id="' + panel.id + '"]');
    var label = tab && tab.querySelector('.lm-TabBar-tabLabel');
    var name = label ? label.textContent.trim() : '';
    return name.replace(/\.(md|ipynb)$/, '');
  }

  function labelText(data, key, here) {
    var l = Object.prototype.hasOwnProperty.call(data.labels, key) && data.labels[key];
    return l ? (here === l.page ? l.text : l.elsewhere) : null;
  }

  function textOf(data, span) {
    var key = span.textContent.trim();
    if (span.title === 'Citation Not Found') {
      var c = data.cite[key];
      return c ? [c.text, c.title] : null;
    }
    var l = data.labels[key];
    if (!l) return null;
    var here = notebookPage(span);
    return [here === l.page ? l.text : l.elsewhere, key];
  }

  function fix(data, root) {
    // Markdown cells, and Markdown outputs, which jupyterlab-myst renders as well
    root.querySelectorAll('.myst ' + MISSING.split(', ').join(', .myst '))
      .forEach(function (span) {
        var found = textOf(data, span);
        if (!found) return;
        var texts = Array.prototype.filter.call(span.childNodes, function (n) {
          return n.nodeType === Node.TEXT_NODE;
        });
        if (!texts.length) return;
        texts[texts.length - 1].nodeValue = found[0];
        for (var i = 0; i < texts.length - 1; i++) texts[i].nodeValue = '';
        span.title = found[1];
        span.classList.remove('text-yellow-600');
        span.classList.add('uniqnets-reference');
      });
    // HTML made in the kernel (a verdict box, uniqnets.book.verdict_html; a table,
    // uniqnets.book.table) is not MyST: a role keeps its source there ({eq}`label`), and
    // a verdict box keeps a reference's bare label; both read as in the book
    root.querySelectorAll('.jp-OutputArea-output').forEach(function (out) {
      if (out.querySelector('.myst')) return;
      var here = notebookPage(out);
      var walker = document.createTreeWalker(out, NodeFilter.SHOW_TEXT);
      for (var n = walker.nextNode(); n; n = walker.nextNode()) {
        var verdict = n.parentElement && n.parentElement.closest('aside.uniqnets-verdict');
        var value = n.nodeValue.replace(
          /\{(?:eq|numref|ref)\}`([^`<]*?)\s*(?:<([\w.:-]+)>)?`/g,
          function (role, text, key) {
            return key ? text : (labelText(data, text, here) || role);
          });
        if (verdict) {
          value = value.replace(/[\w.:-]*\w/g, function (word) {
            return labelText(data, word, here) || word;
          });
        }
        if (value !== n.nodeValue) n.nodeValue = value;
      }
    });
    root.querySelectorAll('.myst a.link').forEach(function (a) {
      var doc = data.docs[a.textContent.trim()];
      if (doc && !a.classList.contains('uniqnets-reference')) {
        a.textContent = doc.text;
        a.title = doc.page;
        a.dataset.path = doc.path;
        a.classList.add('uniqnets-reference');
      }
    });
  }

  var plugin = {
    id: NAME + ':plugin',
    description: 'Readable citations and cross-references in MyST Markdown cells',
    autoStart: true,
    activate: function (app) {
      // a link to another page opens that page's notebook (jupyterlab-myst's own link
      // leads to the file's name without its .md, which does not exist)
      document.addEventListener('click', function (event) {
        var a = event.target.closest && event.target.closest('a.uniqnets-reference[data-path]');
        if (!a) return;
        event.preventDefault();
        event.stopPropagation();
        app.commands.execute('docmanager:open', { path: a.dataset.path });
      }, true);
      var style = document.createElement('style');
      style.textContent = STYLE;
      document.head.appendChild(style);
      if (!DATA_URL) return;
      fetch(DATA_URL, { credentials: 'same-origin' })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          var pending = false;
          var run = function () { pending = false; fix(data, document.body); };
          new MutationObserver(function () {
            if (!pending) { pending = true; requestAnimationFrame(run); }
          }).observe(document.body, { childList: true, subtree: true, characterData: true,
                                      attributes: true, attributeFilter: ['title'] });
          run();
        })
        .catch(function (e) { console.warn(NAME + ': no references data', e); });
    }
  };

  var container = {
    init: function () {},
    get: function (module) {
      if (module !== './extension') {
        return Promise.reject(new Error('Module "' + module + '" does not exist in ' + NAME));
      }
      return Promise.resolve(function () { return { __esModule: true, default: [plugin] }; });
    }
  };
  _JUPYTERLAB = window._JUPYTERLAB = window._JUPYTERLAB || {};
  _JUPYTERLAB[NAME] = container;
})();
