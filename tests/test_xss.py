"""Known XSS payloads in every field a person can write: none runs in a real browser.

Each payload tries to call alert(); an init script records any call (and any dialog),
and the test also looks for dangerous URLs and event-handler attributes in the DOM.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, _build, html_pages, page_url, require, serve_site
from tests.conftest import make_site

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    '"><svg onload=alert(3)>',
    "<svg/onload=alert(4)>",
    '<iframe src="javascript:alert(5)"></iframe>',
    '<a href="JaVaScRiPt:alert(6)">x</a>',
    "<body onload=alert(7)>",
    "<details open ontoggle=alert(8)>",
    "</script><script>alert(9)</script>",
    '<a href="&#106;avascript:alert(10)">x</a>',
    "<svg><script>alert(11)</script></svg>",
    '<object data="javascript:alert(12)"></object>',
    '<embed src="javascript:alert(13)">',
    '<form action="javascript:alert(14)"><button>go</button></form>',
    "<input autofocus onfocus=alert(15)>",
    "<video><source onerror=alert(16)></video>",
    "<style>*{background:url(javascript:alert(17))}</style>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(18)">',
    '<base href="javascript:alert(19)//">',
    '<a href="data:text/html,<script>alert(20)</script>">x</a>',
    "<marquee onstart=alert(21)>x</marquee>",
    '<iframe srcdoc="<script>alert(22)</script>"></iframe>',
    "<div onclick=alert(23)>click</div>",
    "[md link](javascript:alert(24))",
    "[vb](vbscript:msgbox(25))",
    "![img](javascript:alert(26))",
    '<a href="java&#x09;script:alert(27)">x</a>',
    "'-alert(28)-'",
    '<noscript><p title="</noscript><img src=x onerror=alert(29)>"></noscript>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(30)>",
    "{{ 7*7 }}{% raw %}<script>alert(31)</script>",
    '<img src="x" onerror="&#97;lert(32)">',
    "<svg><animate onbegin=alert(33) attributeName=x dur=1s>",
]

HOOK = """
window.__xss = [];
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = (...args) => { window.__xss.push(name + ':' + args.join(',')); };
}
"""

DANGER = """
() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const value = attr.value.replace(/[\\s\\x00-\\x1f]/g, '').toLowerCase();
      if (attr.name.startsWith('on')) found.push(el.tagName + ' ' + attr.name);
      if (el.closest('#search form')) continue;
      if (['href', 'src', 'action', 'formaction', 'data', 'srcdoc'].includes(attr.name)
          && /^(javascript|vbscript|data):/.test(value)) found.push(el.tagName + ' ' + attr.name + '=' + value);
    }
  }
  // The theme's own scripts and search form live under the site; nothing else may appear.
  const own = (url) => (url || '').startsWith('/archive/');
  // ... and the search page's own set-up script, with the form Pagefind's interface draws in #search.
  for (const el of document.querySelectorAll('script:not([type="application/ld+json"]):not(#search_setup)'))
    if (!own(el.getAttribute('src'))) found.push('script ' + (el.getAttribute('src') || el.textContent.slice(0, 40)));
  for (const el of document.querySelectorAll('form:not(#search form)'))
    if (!own(el.getAttribute('action'))) found.push('form ' + el.getAttribute('action'));
  for (const el of document.querySelectorAll('iframe, object, embed, base, meta[http-equiv]'))
    found.push('element ' + el.tagName);
  return found;
}
"""


def quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def hostile_project(root: Path) -> Path:
    files: dict[str, str] = {}
    for i, payload in enumerate(PAYLOADS):
        q = quoted(payload)
        files[f"content/articles/a{i:02d}.md"] = (
            f"---\ntitle: {q}\ndate: 2020-01-{i % 28 + 1:02d}\nsummary: {q}\n"
            f"source: {{name: {q}, place: {q}, author: {q}}}\n"
            f"people: [{q}, {{name: {quoted('Person ' + str(i))}, role: {q}}}]\n"
            f"places: [{q}]\ntags: [{q}]\n"
            f"events:\n  - {{date: '1992', title: {q}, place: {q}}}\n"
            f"images:\n  - {{src: /assets/favicon.svg, alt: {q}, caption: {q}, credit: {q}}}\n"
            f"---\n{payload}\n\nText {payload} more.\n"
        )
        files[f"content/people/p{i:02d}.md"] = (
            f"---\nname: {quoted('Person ' + str(i) + ' ' + payload)}\naliases: [{q}]\nrole: {q}\nplace: {q}\n---\n{payload}\n"
        )
    files["content/pages/about.md"] = "---\ntitle: " + quoted(PAYLOADS[0]) + "\n---\n" + "\n\n".join(PAYLOADS) + "\n"
    config = (
        "title: "
        + quoted("Archive " + PAYLOADS[2])
        + "\nbase_url: /archive/\ndescription: "
        + quoted(PAYLOADS[1])
        + "\n"
    )
    return make_site(root, files, config)


@pytest.mark.browser
def test_no_payload_runs(tmp_path: Path) -> None:
    require("chromium")
    from playwright.sync_api import sync_playwright

    site = _build(str(tmp_path / "out"), hostile_project(tmp_path / "project"))
    pages = html_pages(site)
    assert len(pages) > 2 * len(PAYLOADS)
    ran: list[str] = []
    dangerous: dict[str, list[str]] = {}
    with serve_site(site) as origin, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.add_init_script(HOOK)
        page.on("dialog", lambda dialog: (ran.append("dialog " + dialog.message), dialog.dismiss()))
        for rel in pages:
            page.goto(origin + page_url(rel), wait_until="load")
            calls, found = page.evaluate(f"[window.__xss, ({DANGER})()]")
            ran.extend(f"{rel}: {call}" for call in calls)
            if found:
                dangerous[rel] = found
        browser.close()
    assert ran == []
    assert dangerous == {}


def test_payload_text_is_shown_as_text(tmp_path: Path) -> None:
    site = _build(str(tmp_path / "out"), hostile_project(tmp_path / "project"))
    html = (site / "articles/a00/index.html").read_text()
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in html
    assert "{{ 7*7 }}" in (site / "articles/a30/index.html").read_text()
