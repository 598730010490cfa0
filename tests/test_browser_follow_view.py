"""static/follow_view.js in headless Chromium: a following student's browser draws the instructor's moment from a
JSON view (class mode, issue 15), through the test app tests/app_follow_view.py.

What is checked: the view draws (the diagram and each layer's gradient as Plotly charts with their names and
tables, each formula typeset by KaTeX with its TeX in the MathML); a new view updates the page in place (the
same chart elements, a chart whose figure did not change not drawn again); the layout at 1280×720 (two columns)
and 390×844 (one, nothing wider than the screen); that it looks like Streamlit's own elements drawing the same
view (the app's ?native=1: sizes, colours and positions compared one by one); axe-core finds no WCAG 2.1 AA
violation; no console errors. Screenshots of both at steps 4 and 5: artifacts/screenshots/follow_view_step*.png.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest
from app_follow_view import lesson_at, view
from browser_helpers import IDLE, TIMEOUT_MS, AppPage, Server
from test_browser_a11y import axe_source, violations  # noqa: F401 — axe_source is a fixture

pytestmark = pytest.mark.browser

TESTS = Path(__file__).resolve().parent
SELECTED = (1, 0, 0)  # the app's default chosen weight, W¹₁₁
COLUMNS = 3  # the page's gradients per row (lesson_view.COLUMNS), the app's default
WIDE, PHONE = {"width": 1280, "height": 720}, {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def follow_app(chromium, tmp_path_factory):
    """The test app on a free loopback port, run from a folder that links it with static/ and .streamlit/."""
    folder = tmp_path_factory.mktemp("follow_view")
    os.symlink(TESTS / "app_follow_view.py", folder / "app_follow_view.py")
    os.symlink(TESTS.parent / "static", folder / "static")
    os.symlink(TESTS.parent / ".streamlit", folder / ".streamlit")
    server = Server(timeout=90, script="app_follow_view.py", cwd=folder)
    try:
        yield server.url
    finally:
        server.stop()


def expected(step: int) -> dict:
    """The view the app sends at `step` of the 2-2-2 worked example, built here by the same builders."""
    return view(dataclasses.replace(lesson_at({}), index=step), SELECTED, COLUMNS)[0]


# JS: what the view shows, read from the page.
SHOWN = """() => {
  const host = document.querySelector('.bp-follow').parentElement;
  const gd = (key) => document.querySelector(`.bp-fv-chart[data-key="${key}"] .bp-live-chart`);
  const keys = Array.from(document.querySelectorAll('.bp-fv-chart')).map((c) => c.dataset.key);
  const chart = (k) => { const g = gd(k); return g && {
      plotly: g.classList.contains('js-plotly-plot'), alt: g.getAttribute('aria-label'), draws: g._bpDraws || 0,
      calls: g._bpCalls || 0, mark: g.__testMark || null,
      table: !!g.parentElement.querySelector('.bp-sr-table table')}; };
  return {
    progress: document.querySelector('.bp-fv-progress').innerText.trim(),
    title: document.querySelector('.bp-fv-title').innerText.trim(),
    blocks: Array.from(document.querySelector('.bp-fv-side').children).map((e) => e.className),
    tex: Array.from(document.querySelectorAll('.bp-fv-latex')).map(
      (e) => (e.querySelector('.katex-mathml math annotation') || {}).textContent),
    katexErrors: document.querySelectorAll('.bp-follow .katex-error').length,
    info: (document.querySelector('.bp-fv-info') || {}).innerText || null,
    charts: Object.fromEntries(keys.map((k) => [k, chart(k)])),
    renders: host._bpRenders, sideBuilds: host._bpSideBuilds,
    roots: document.querySelectorAll('.bp-follow').length,
    katexScripts: document.querySelectorAll('script[src*="katex.min.js"]').length,
    katexSheets: document.querySelectorAll('link[href*="katex.min.css"]').length,
    styles: document.querySelectorAll('#bp-follow-style').length,
  };
}"""

# JS: every chart drawn with the figure it was last handed, and `n` formulas typeset.
SETTLED = """([charts, formulas]) => {
  const gds = Array.from(document.querySelectorAll('.bp-fv-chart .bp-live-chart'));
  return gds.length === charts && gds.every((g) => g._bpDrawn && !g._bpBusy && g._bpRev === g._bpGot)
    && document.querySelectorAll('.bp-fv-latex .katex-display').length === formulas;
}"""


def n_latex(v: dict) -> int:
    return sum(b["k"] == "latex" for b in v["side"])


class FollowPage(AppPage):
    """A tab on the test app, with the KaTeX fonts it fetched: (file, status, content type)."""

    def __init__(self, page, base_url: str):
        super().__init__(page, base_url)
        self.fonts: list[tuple[str, int, str | None]] = []
        page.on("response", self._font)

    def _font(self, r) -> None:
        if "/fonts/KaTeX_" in r.url:
            self.fonts.append((r.url.rsplit("/", 1)[-1], r.status, r.headers.get("content-type")))


def close_to(mine, theirs, tol: float = 2) -> bool:
    """Boxes (lists of numbers, nested) equal to `tol` px."""
    if isinstance(mine, list):
        return len(mine) == len(theirs) and all(close_to(a, b, tol) for a, b in zip(mine, theirs, strict=True))
    return abs(mine - theirs) <= tol


def open_view(browser, url: str, viewport: dict, query: str = "", step: int = 4) -> FollowPage:
    """A new tab on the test app, waited for until the view of `step` is drawn."""
    page = browser.new_context(viewport=viewport).new_page()
    app = FollowPage(page, url)
    page.goto(f"{url}/?{query}")
    page.wait_for_selector(IDLE, state="attached", timeout=TIMEOUT_MS)
    v = expected(step)
    if "native=1" in query:
        page.wait_for_function(
            "(n) => document.querySelectorAll('.js-plotly-plot').length === n"
            " && document.querySelectorAll('.katex-display').length >= 1",
            arg=1 + len(v["grid"]),
        )
        page.wait_for_timeout(500)  # Plotly's last resize
    else:
        page.wait_for_function(SETTLED, arg=[1 + len(v["grid"]), n_latex(v)])
        page.evaluate("() => document.fonts.ready")
    return app


def close(app: AppPage) -> None:
    app.page.context.close()


def assert_no_errors(app: AppPage) -> None:
    assert app.page_errors == [], f"JS page errors: {app.page_errors}"
    assert app.console_errors == [], f"console errors: {app.console_errors}"


def assert_shows(shown: dict, v: dict) -> None:
    """The page shows view `v`: its progress line, title, blocks in order, every formula and chart."""
    assert shown["progress"] == v["progress"].replace("<strong>", "").replace("</strong>", "")
    assert shown["title"] == v["title"]
    assert shown["blocks"] == ["bp-fv-" + b["k"] for b in v["side"]]
    assert shown["tex"] == [b["t"] for b in v["side"] if b["k"] == "latex"]  # KaTeX's MathML keeps the TeX
    assert shown["katexErrors"] == 0
    charts = {"diagram": v["diagram"], **{f"grid_{i}": c for i, c in enumerate(v["grid"])}}
    assert set(shown["charts"]) == set(charts)
    for key, chart in charts.items():
        got = shown["charts"][key]
        assert got["plotly"] and got["table"] and got["alt"] == chart["alt"], key


def test_the_view_draws(browser, follow_app):
    app = open_view(browser, follow_app, WIDE)
    try:
        v = expected(4)
        shown = app.page.evaluate(SHOWN)
        assert_shows(shown, v)
        assert shown["info"].startswith("Its gradient is computed when the backward pass reaches layer 1")
        # The MathML a screen reader reads is there for each formula, and the picture of it is hidden from it.
        assert app.page.locator(".bp-fv-latex .katex-mathml math").count() == n_latex(v)
        assert app.page.locator(".bp-fv-latex .katex-html[aria-hidden=true]").count() == n_latex(v)
        assert (shown["roots"], shown["katexScripts"], shown["katexSheets"], shown["styles"]) == (1, 1, 1, 1)
        # KaTeX's fonts came, as woff2 from static/: the formulas are not drawn in a fallback serif. (Streamlit's
        # own style sheet names KaTeX's fonts too, from its files; the vendored sheet, later, is the one used.)
        assert {f for f, status, kind in app.fonts if status == 200 and kind == "font/woff2"} >= {
            "KaTeX_Main-Regular.woff2",
            "KaTeX_Math-Italic.woff2",
        }, app.fonts
        assert all(status == 200 for _, status, _ in app.fonts)
        assert app.page.evaluate("() => document.fonts.check('16px \"Source Sans\"')")
        assert_no_errors(app)
    finally:
        close(app)


def test_a_new_view_updates_the_page_in_place(browser, follow_app):
    """Step 4 → 5 → 4: the same chart elements throughout; the diagram and layer 1's gradient change and are
    drawn again, layer 2's figure is the same (same rev) and is handed over but not drawn again."""
    four, five = expected(4), expected(5)
    assert four["grid"][1]["rev"] == five["grid"][1]["rev"]  # what makes layer 2 a chart not to redraw
    assert four["grid"][0]["rev"] != five["grid"][0]["rev"] and four["diagram"]["rev"] != five["diagram"]["rev"]
    app = open_view(browser, follow_app, WIDE)
    page = app.page
    try:
        page.evaluate("""() => document.querySelectorAll('.bp-fv-chart .bp-live-chart')
                                .forEach((g) => { g.__testMark = g.closest('.bp-fv-chart').dataset.key; })""")
        before = page.evaluate(SHOWN)
        for v, step in ((five, 5), (four, 4)):
            page.locator(".st-key-switch button").click()
            page.wait_for_function(
                "(p) => document.querySelector('.bp-fv-progress').innerText.startsWith(p)", arg=f"Step {step} of 6"
            )
            page.wait_for_function(SETTLED, arg=[1 + len(v["grid"]), n_latex(v)])
            shown = page.evaluate(SHOWN)
            assert_shows(shown, v)
        after = shown["charts"]
        for key in ("diagram", "grid_0", "grid_1"):
            assert after[key]["mark"] == key, f"{key}: a new chart element, not the one updated in place"
            assert after[key]["calls"] == before["charts"][key]["calls"] + 2, key  # handed each new view
        assert after["diagram"]["draws"] == before["charts"]["diagram"]["draws"] + 2
        assert after["grid_0"]["draws"] == before["charts"]["grid_0"]["draws"] + 2
        assert after["grid_1"]["draws"] == before["charts"]["grid_1"]["draws"], "an unchanged figure was redrawn"
        assert shown["sideBuilds"] == before["sideBuilds"] + 2
        assert shown["renders"] >= before["renders"] + 2
        assert (shown["roots"], shown["katexScripts"], shown["katexSheets"], shown["styles"]) == (1, 1, 1, 1)
        assert_no_errors(app)
    finally:
        close(app)


# JS: the boxes of the view's parts (left, top, width, height, right, bottom), and the page's widest extent.
BOXES = """() => {
  const box = (e) => { const r = e.getBoundingClientRect();
    return {x: r.left, y: r.top, w: r.width, h: r.height, right: r.right, bottom: r.bottom}; };
  const all = (s) => Array.from(document.querySelectorAll(s)).map(box);
  return { left: box(document.querySelector('.bp-fv-left')), right: box(document.querySelector('.bp-fv-right')),
           cells: all('.bp-fv-grid > .bp-fv-chart'), charts: all('.bp-fv-chart .js-plotly-plot'),
           parts: all('.bp-fv-progress, .bp-fv-title, .bp-fv-side > *, .bp-fv-chart, .bp-fv-chart .main-svg'),
           grid: box(document.querySelector('.bp-fv-grid')), inner: window.innerWidth,
           scroll: document.documentElement.scrollWidth };
}"""


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280x720", "390x844"])
def test_the_layout(browser, follow_app, viewport):
    app = open_view(browser, follow_app, viewport)
    try:
        b = app.page.evaluate(BOXES)
        left, right, cells = b["left"], b["right"], b["cells"]
        assert len(cells) == 2
        if viewport is WIDE:  # side by side, equal, st.columns' gap of 1rem; the gradients 3 to a row
            assert abs(left["y"] - right["y"]) < 1 and abs(left["w"] - right["w"]) < 1
            assert abs(right["x"] - left["right"] - 16) < 1
            assert abs(cells[0]["y"] - cells[1]["y"]) < 1
            assert abs(cells[0]["w"] - (b["grid"]["w"] - 2 * 16) / 3) < 1
        else:  # stacked, each the full width
            assert right["y"] >= left["bottom"] + 15 and abs(left["w"] - right["w"]) < 1
            assert cells[1]["y"] >= cells[0]["bottom"] + 15 and abs(cells[0]["w"] - b["grid"]["w"]) < 1
        assert all(abs(c["w"] - cells[0]["w"]) < 1 for c in cells)
        assert b["scroll"] <= b["inner"], f"the page scrolls sideways: {b['scroll']} px wide at {b['inner']}"
        wide = [p for p in b["parts"] if p["right"] > b["inner"] + 0.5 or p["x"] < -0.5]
        assert not wide, f"parts wider than the screen: {wide}"
        assert_no_errors(app)
    finally:
        close(app)


# JS: the look of each part, in the follow view (native false) or drawn by Streamlit (native true): computed
# styles, and positions relative to the progress line (the columns) and to the title (the right column's
# blocks) or the grid (its cells).
LOOK = """(native) => {
  const q = (s) => document.querySelector(s);
  const props = ['font-family', 'font-size', 'font-weight', 'line-height', 'letter-spacing', 'color', 'opacity',
    'background-color', 'border-radius', 'padding-top', 'padding-left', 'border-bottom', 'text-align'];
  // (Streamlit names its font twice over, "Source Sans", sans-serif, "Source Sans", sans-serif: the same font.)
  const family = (f) => [...new Set(f.split(',').map((n) => n.trim()))].join(', ');
  const style = (e) => { const s = getComputedStyle(e);
    return Object.fromEntries(props.map((p) => [p, p === 'font-family' ? family(s[p]) : s[p]])); };
  // A formula's box is what KaTeX drew (Streamlit's .katex-display is as wide as the formula, centred in the
  // column; the module's is as wide as the column, the formula centred in it).
  // A caption's is its paragraph's (Streamlit's caption element holds the paragraph's bottom margin as well).
  const rect = (e) => { if (!e.classList.contains('katex-display'))
      return (e.querySelector(':scope > p') || e).getBoundingClientRect();
    const rs = Array.from(e.querySelectorAll('.katex-html > .base')).map((x) => x.getBoundingClientRect());
    const r = e.getBoundingClientRect(), left = Math.min(...rs.map((x) => x.left));
    return {left, top: r.top, width: Math.max(...rs.map((x) => x.right)) - left, height: r.height}; };
  const box = (e, o) => { const r = rect(e), b = o.getBoundingClientRect();
    return [Math.round(r.left), Math.round(r.top - b.top), Math.round(r.width), Math.round(r.height)]; };
  let progress, strong, title, cols, blocks, cells;
  if (native) {
    progress = q('[data-testid=stMarkdown] p'); strong = progress.querySelector('strong');
    title = q('[data-testid=stHeading] h3');
    cols = Array.from(q('[data-testid=stHorizontalBlock]').children);
    const column = title.closest('[data-testid=stColumn]');
    blocks = Array.from(column.querySelector('[data-testid=stVerticalBlock]').children).slice(1).map((c) =>
      c.querySelector('.katex-display, [data-testid=stCaptionContainer], hr, [data-testid=stAlertContainer]')
      || c.querySelector('[data-testid=stMarkdownContainer] p'));
    cells = Array.from(document.querySelectorAll('[data-testid=stHorizontalBlock]'))
      .slice(1).flatMap((r) => Array.from(r.children));
  } else {
    progress = q('.bp-fv-progress'); strong = progress.querySelector('strong'); title = q('.bp-fv-title');
    cols = [q('.bp-fv-left'), q('.bp-fv-right')];
    blocks = Array.from(q('.bp-fv-side').children).map((c) => c.querySelector('.katex-display') || c);
    cells = Array.from(document.querySelectorAll('.bp-fv-grid > .bp-fv-chart'));
  }
  const grid = cells[0].parentElement;
  const katex = blocks.find((e) => e.classList.contains('katex-display'));
  return {
    progress: style(progress), strong: style(strong), title: [style(title), box(title, progress)],
    cols: cols.map((c) => box(c, progress)),
    blocks: blocks.map((e) => [e.tagName === 'HR' ? 'hr' : e.className.split(' ')[0], style(e), box(e, title)]),
    katex: style(katex.querySelector('.katex')),
    cells: cells.slice(0, 2).map((c) => box(c, grid)),
  };
}"""


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280x720", "390x844"])
@pytest.mark.parametrize("step", [4, 5])
def test_it_looks_like_streamlits_own_elements(browser, follow_app, viewport, step):
    """The same view drawn by follow_view.js and by st.subheader, st.latex, st.caption, st.divider, st.markdown,
    st.info in st.columns: every part with the same computed style, in the same place to a pixel."""
    query = "" if step == 4 else "step=5&other=4"
    mine = open_view(browser, follow_app, viewport, query, step)
    theirs = open_view(browser, follow_app, viewport, query + "&native=1", step)
    try:
        a, b = mine.page.evaluate(LOOK, False), theirs.page.evaluate(LOOK, True)
        for part in ("progress", "strong", "katex"):
            assert a[part] == b[part], f"{part}: mine {a[part]}, Streamlit's {b[part]}"
        assert a["title"][0] == b["title"][0], f"title: mine {a['title'][0]}, Streamlit's {b['title'][0]}"
        assert close_to(a["title"][1], b["title"][1]), f"title at {a['title'][1]}, Streamlit's at {b['title'][1]}"
        assert close_to(a["cols"], b["cols"]), f"columns at {a['cols']}, Streamlit's at {b['cols']}"
        assert len(a["blocks"]) == len(b["blocks"]) == len(expected(step)["side"])
        for (name, style, where), (_, their_style, their_where) in zip(a["blocks"], b["blocks"], strict=True):
            differ = {p: (v, their_style[p]) for p, v in style.items() if v != their_style[p]}
            assert not differ, f"{name}: mine, Streamlit's: {json.dumps(differ)}"
            assert close_to(where, their_where), f"{name} at {where}, Streamlit's at {their_where}"
        assert close_to(a["cells"], b["cells"]), f"gradients at {a['cells']}, Streamlit's at {b['cells']}"
        size = f"{viewport['width']}x{viewport['height']}"
        mine.screenshot(f"follow_view_step{step}_{size}")
        theirs.screenshot(f"follow_view_step{step}_{size}_streamlit")
        assert_no_errors(mine)
    finally:
        close(mine)
        close(theirs)


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280x720", "390x844"])
def test_no_wcag_violations(browser, follow_app, axe_source, viewport):  # noqa: F811 — the fixture
    app = open_view(browser, follow_app, viewport)
    try:
        found = violations(app.page, axe_source)
        assert not found, json.dumps(found, indent=1, ensure_ascii=False)
        # axe had the view to check: the charts with their tables, the formulas' MathML.
        assert app.page.locator(".bp-fv-chart .bp-sr-table table").count() == 3
        assert app.page.locator(".bp-fv-latex .katex-mathml math").count() == n_latex(expected(4))
        assert_no_errors(app)
    finally:
        close(app)


# JS: render views straight into a new element of the page, as the lead's component will: `views` in turn, then
# what the element shows.
RENDER = """async ([module, views]) => {
  const m = await import(new URL(module, document.baseURI).href);
  const host = document.createElement('div');
  document.querySelector('[data-testid=stMain]').appendChild(host);
  const seen = [];
  for (const v of views) {
    m.render(host, v);
    await host._bpDone;
    const keys = () => Array.from(host.querySelectorAll('.bp-fv-chart')).filter((c) => !c.hidden)
      .map((c) => c.dataset.key);
    await new Promise((r) => { const t = () => (host.querySelectorAll('.bp-fv-grid .js-plotly-plot').length
        === host.querySelectorAll('.bp-fv-grid > .bp-fv-chart').length ? r() : setTimeout(t, 50)); t(); });
    const first = host.querySelector('[data-key=grid_0] .bp-live-chart');
    if (first && !first.__testMark) first.__testMark = seen.length + 1;
    seen.push({keys: keys(), first: first ? first.__testMark : null,
               errors: host.querySelectorAll('.katex-error').length,
               blocks: Array.from(host.querySelectorAll('.bp-fv-side > *')).map((e) => e.className),
               title: host.querySelector('.bp-fv-title').textContent,
               columns: host.querySelector('.bp-fv-grid').style.getPropertyValue('--bp-columns')});
  }
  return seen;
}"""


def test_views_of_other_networks_and_bad_views(browser, follow_app):
    """The grid follows the network (3 layers, then 2, then 3 again: the first chart's element kept throughout);
    a view with a formula KaTeX cannot read, a block of an unknown kind, no grid or no view at all draws what it
    can, and throws nothing."""
    deep = view(dataclasses.replace(lesson_at({"sizes": "2,3,3,2"}), index=7), (3, 0, 0), 2)[0]
    small = expected(4)
    bad = {
        "title": "<b>plain</b>",
        "side": [{"k": "latex", "t": "\\frac{1}{"}, {"k": "nonsense"}, {"k": "divider"}],
        "grid": "not a list",
        "columns": "x",
    }
    app = open_view(browser, follow_app, WIDE)
    try:
        module = small["diagram"]["module"].replace("live_chart.js", "follow_view.js")
        seen = app.page.evaluate(RENDER, [module, [deep, small, deep, bad, None]])
        grids = [s["keys"] for s in seen]
        assert grids[0] == ["diagram", "grid_0", "grid_1", "grid_2"] == grids[2]
        assert grids[1] == ["diagram", "grid_0", "grid_1"]
        assert [s["first"] for s in seen[:3]] == [1, 1, 1], "the first gradient's chart was made anew"
        assert [s["columns"] for s in seen[:3]] == ["2", "3", "2"]
        assert seen[3]["keys"] == [] and seen[3]["errors"] == 1  # KaTeX shows the unreadable formula, in red
        assert seen[3]["blocks"] == ["bp-fv-latex", "bp-fv-divider"] and seen[3]["title"] == "<b>plain</b>"
        assert seen[4]["keys"] == [] and seen[4]["blocks"] == [] and seen[4]["title"] == ""
        assert_no_errors(app)
    finally:
        close(app)


# JS: render `view` with a question into a new element, with a ctx whose send() records its calls and answers
# as the class feed would (`reply`); the element is window.__qHost.
QUESTION = """async ([module, view, mine, reply]) => {
  const m = await import(new URL(module, document.baseURI).href);
  let host = window.__qHost;
  if (!host) {
    host = window.__qHost = document.createElement('div');
    document.querySelector('[data-testid=stMainBlockContainer]').prepend(host);
  }
  window.__sent = window.__sent || [];
  const ctx = { mine, send: async (id, value) => { window.__sent.push([id, value]); return reply; } };
  m.render(host, view, ctx);
  await host._bpDone;
  return host.querySelector('.bp-fv-question').innerText;
}"""


def test_the_classs_question_is_answered_and_judged_in_the_stage_and_passes_axe(
    browser,
    follow_app,
    axe_source,  # noqa: F811 — the fixture
):
    """The stage's question (class mode): a sign as radio buttons, a cell as a select box, each with its prompt
    as the accessible name; a choice is sent and said; after the reveal, the verdict and the deciding equation.
    axe-core finds no WCAG 2.1 AA violation at each stage."""
    from backprop.lesson import quiz
    from backprop.ui import class_view

    lesson = dataclasses.replace(lesson_at({}), index=4)  # before the step back through layer 1: a sign question
    asked = {"id": "7", "it": "1", "l": "1", "revealed": "0"}
    sign = class_view.question_block(asked, lesson)
    right = quiz.question(lesson.trace, 1, 1).answer  # Mazur's δ¹₁: positive
    revealed = class_view.question_block({**asked, "revealed": "1", "correct": right}, lesson)
    cell = class_view.question_block({**asked, "id": "8", "l": "2"}, lesson)
    assert sign["kind"] == "sign" and cell["kind"] == "largest" and right == "positive"
    app = open_view(browser, follow_app, WIDE)
    try:
        module = expected(4)["diagram"]["module"].replace("live_chart.js", "follow_view.js")
        text = app.page.evaluate(QUESTION, [module, {**expected(4), "question": sign}, {}, {"ok": True}])
        assert "will δ¹₁ be positive, negative or zero?" in text and "Answer on your screen" in text
        group = app.page.get_by_role("group", name=sign["prompt"])
        assert group.get_by_role("radio").count() == 3
        assert not violations(app.page, axe_source)
        group.get_by_role("radio", name="negative").check()
        app.page.wait_for_selector(".bp-fv-question :text('Your answer: negative')")
        assert app.page.evaluate("() => window.__sent") == [["7", "negative"]]
        # a view that only moves the lesson keeps the choice (and the radio's focus) as it is
        app.page.evaluate(QUESTION, [module, {**expected(5), "question": sign}, {"7": "negative"}, {"ok": True}])
        assert group.get_by_role("radio", name="negative").is_checked()
        assert app.page.evaluate("() => document.activeElement.value") == "negative"
        # refused (revealed meanwhile) and unreachable: said where the answer is
        app.page.evaluate(QUESTION, [module, {**expected(4), "question": sign}, {}, {"ok": False, "why": "closed"}])
        group.get_by_role("radio", name="zero").check()
        app.page.wait_for_selector(".bp-fv-question :text('Too late: the answer has been revealed.')")
        app.page.evaluate(QUESTION, [module, {**expected(4), "question": sign}, {}, {"ok": False, "offline": True}])
        group.get_by_role("radio", name="positive").check()
        app.page.wait_for_selector('.bp-fv-question :text("The class server can\'t be reached")')
        # revealed: the verdict against the answer given, and the deciding equation typeset
        text = app.page.evaluate(QUESTION, [module, {**expected(5), "question": revealed}, {"7": "negative"}, {}])
        assert "Not quite: you said negative; the answer is positive." in text
        assert app.page.locator(".bp-fv-question .katex-mathml annotation").first.text_content().count("BP2") == 1
        assert not violations(app.page, axe_source)
        text = app.page.evaluate(QUESTION, [module, {**expected(5), "question": revealed}, {"7": "positive"}, {}])
        assert "Right: positive." in text
        text = app.page.evaluate(QUESTION, [module, {**expected(5), "question": revealed}, {}, {}])
        assert "The answer: positive. (You didn't answer this one.)" in text
        # the largest cell of ∂C/∂W²: a select box of the 2 × 2 cells, none chosen
        app.page.evaluate(QUESTION, [module, {**expected(3), "question": cell}, {}, {"ok": True}])
        box = app.page.get_by_role("combobox", name=cell["prompt"])
        assert box.locator("option").all_text_contents() == [
            "choose a cell",
            "k = 1, j = 1",
            "k = 1, j = 2",
            "k = 2, j = 1",
            "k = 2, j = 2",
        ]
        box.select_option("1,0")
        app.page.wait_for_selector(".bp-fv-question :text('Your answer: k = 2, j = 1')")
        assert app.page.evaluate("() => window.__sent").pop() == ["8", "1,0"]
        assert not violations(app.page, axe_source)
        app.screenshot("follow_view_question")
        assert_no_errors(app)
    finally:
        close(app)
