// A following student's view of the lesson, drawn by the browser itself from a JSON "view" of the instructor's
// moment (class mode, issue 15): no script run on the server per student and move.
//
//   import { render } from '/app/static/follow_view.js';
//   render(parentElement, view, ctx);  // the first call builds the view in parentElement, later calls update it
//
// view = {progress: safe HTML, title: plain text, side: [{k: "latex"|"caption"|"html"|"info"|"divider", t}],
//         diagram: CHART, grid: [CHART, ...], columns: n, question: QUESTION | null, curve?: CHART}, CHART being
//         live_chart.payload(fig, text) parsed. "Safe HTML" is escaped by the Python that builds the view; it is
//         inserted as HTML here; everything else is text.
// QUESTION = {id, kind: "sign"|"largest", prompt, options: [[value, label], ...], revealed: false} before the
//         reveal, and after it also {correct: value, shown: label, explanation: TeX} (class_view.question_block).
// ctx = {mine: {question id: value}, send: (id, value) => Promise<{ok, why?, offline?}>}: the student's answers
//         and how to send one (the stage's, follow_view.py); without ctx the question is shown, not answerable.
//         ctx.pick(customdata), where given, is called on a click on a point of a clickable gradient chart
//         (held_view.js: a click on a cell chooses that weight).
//
// It looks like the Streamlit page it stands for (backprop/ui/lesson_view.py): the progress line, then two equal
// columns (the diagram; the step's title, equations and notes), stacked on a narrow screen, then the layers'
// gradients in rows. The sizes and colours are the ones Streamlit 1.67 draws with this app's theme, read from
// a Streamlit page (tests/test_browser_follow_view.py compares them). The charts are drawn by live_chart.js's
// own draw(), each in a holder that stays from view to view: a chart is updated in place with Plotly.react,
// and one whose figure did not change (same rev) is not drawn again. The equations are typeset by KaTeX at the
// version st.latex uses in Streamlit 1.67 (its rehype-katex; Streamlit's page-wide style sheet holds that
// version's rules too), vendored in static/ and loaded once per tab.
//
// Mount it in the light DOM (a components v2 component with isolate_styles=False): its style sheet and
// KaTeX's go to document.head, as Plotly's do.

const KATEX = 'katex-0.16.47'; // static/ holds npm's katex at this version (tests/test_follow_view.py checks it)
const KATEX_JS = new URL(`${KATEX}/katex.min.js`, import.meta.url).href;
const KATEX_CSS = new URL(`${KATEX}/katex.min.css`, import.meta.url).href;
const KATEX_OPTIONS = { displayMode: true, throwOnError: false, output: 'htmlAndMathml' }; // MathML: read aloud

// Streamlit 1.67's look with this app's theme (.streamlit/config.toml), as measured on the step-through page:
// 16 px body text at line-height 1.6, strong text at 600; st.columns' gap 1rem, stacked at 640 px and below;
// st.subheader an h3 of 1.75rem/600; st.caption 0.875rem at 60 % opacity; st.info a box of #EDF5FF with text
// #244FB4; st.divider a 1 px line at 20 % of the text colour, 2rem above and below; st.latex KaTeX's own
// display style (1.21em, centred, 1em above and below), scrolling sideways when wider than its column. Each
// block of a column sits 1rem below the one before; Streamlit draws a heading, a paragraph and a formula with
// a bottom margin of 1rem that the element cancels (-1rem), which the rules below copy.
const CSS = `
.bp-follow { display: flex; flex-direction: column; gap: 1rem; font-family: "Source Sans", sans-serif;
  font-size: 1rem; line-height: 1.6; font-weight: 400; text-align: left; }
.bp-follow strong, .bp-follow b { font-weight: 600; }
.bp-follow a { color: rgb(36, 79, 180); text-decoration: underline; }
.bp-follow p { margin: 0 0 1rem 0; }
.bp-follow p:last-child { margin-bottom: 0; }
.bp-fv-cols { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1rem; }
.bp-fv-grid { display: grid; grid-template-columns: repeat(var(--bp-columns, 3), minmax(0, 1fr)); gap: 1rem; }
.bp-fv-grid:empty { display: none; }
.bp-fv-stage { grid-template-columns: minmax(0, 0.45fr) minmax(0, 0.55fr); gap: 2rem; }
@media (max-width: 640px) {
  .bp-fv-cols, .bp-fv-grid { grid-template-columns: minmax(0, 1fr); }
}
.bp-fv-stage .bp-fv-left { display: flex; flex-direction: column; gap: 1rem; }
.bp-fv-equation .katex-display { margin: 0.2em 0; }
.bp-fv-equation .katex { font-size: 1em; }
.bp-fv-right, .bp-fv-side { display: flex; flex-direction: column; gap: 1rem; min-width: 0; }
.bp-fv-left, .bp-fv-chart { min-width: 0; }
.bp-fv-progress { margin: 0; overflow-wrap: break-word; }
.bp-follow .bp-fv-title { font-family: inherit; font-size: 1.75rem; font-weight: 600; line-height: 1.2;
  letter-spacing: -0.005em; color: inherit; margin: 0 0 -1rem 0; padding: 0.75rem 0 1rem 0; }
.bp-fv-title:empty { display: none; }
.bp-fv-latex { overflow-x: hidden; margin-bottom: -1rem; }
.bp-fv-latex .katex-display { overflow-x: auto; overflow-y: hidden; }
.bp-fv-latex .katex { font-weight: 400; }
.bp-fv-caption { font-size: 0.875rem; line-height: 1.6; opacity: 0.6; overflow-wrap: break-word; }
.bp-fv-html { overflow-wrap: break-word; }
.bp-fv-info { padding: 1rem; border-radius: 0.5rem; background-color: rgb(237, 245, 255); color: rgb(36, 79, 180);
  line-height: 1.5; overflow-wrap: break-word; text-align: start; }
.bp-follow .bp-fv-divider { box-sizing: border-box; height: 1px; margin: 2rem 0 1rem 0; padding: 0; border: none;
  border-bottom: 1px solid rgba(17, 19, 24, 0.2); background: transparent; color: inherit; text-align: start; }
.bp-fv-question { border: 1px solid rgba(17, 19, 24, 0.2); border-radius: 0.5rem; padding: calc(1rem - 1px);
  display: flex; flex-direction: column; gap: 1rem; }
.bp-fv-question[hidden] { display: none; }
.bp-fv-question fieldset { border: none; margin: 0; padding: 0; min-width: 0; }
.bp-fv-question legend, .bp-fv-question .bp-fv-label { font-size: 0.875rem; line-height: 1.6; padding: 0;
  margin-bottom: 0.25rem; }
.bp-fv-options { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; }
.bp-fv-options label { display: inline-flex; align-items: center; gap: 0.4rem; cursor: pointer; }
.bp-fv-options input { width: 1rem; height: 1rem; margin: 0; accent-color: #37474f; cursor: pointer; }
.bp-fv-question select { font: inherit; padding: 0.4rem 0.6rem; border-radius: 0.5rem; border: 1px solid
  rgba(17, 19, 24, 0.2); background: rgb(240, 242, 246); color: inherit; max-width: 100%; }
.bp-fv-verdict { padding: 1rem; border-radius: 0.5rem; line-height: 1.5; overflow-wrap: break-word; }
.bp-fv-verdict.right { background-color: rgb(241, 251, 246); color: rgb(12, 90, 68); }
.bp-fv-verdict.wrong { background-color: rgb(255, 241, 242); color: rgb(158, 48, 59); }
.bp-fv-verdict.none { background-color: rgb(237, 245, 255); color: rgb(36, 79, 180); }
.bp-follow .bp-sr-table { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
`;

function addToHead(tag, attributes) {
  const el = document.createElement(tag);
  Object.assign(el, attributes);
  document.head.appendChild(el);
  return el;
}

function styleSheet() {
  if (!document.getElementById('bp-follow-style')) addToHead('style', { id: 'bp-follow-style', textContent: CSS });
}

// KaTeX, once per tab: its script (which defines globalThis.katex) and its style sheet, both loaded.
let katexLoading = null;

function loaded(el) {
  return new Promise((resolve, reject) => {
    el.onload = resolve;
    el.onerror = () => reject(new Error('could not load ' + (el.src || el.href)));
  });
}

function katex() {
  if (katexLoading === null) {
    const css = document.querySelector(`link[href="${KATEX_CSS}"]`) || addToHead('link', { rel: 'stylesheet', href: KATEX_CSS });
    const waits = [css.sheet ? Promise.resolve() : loaded(css)];
    if (!globalThis.katex) waits.push(loaded(addToHead('script', { src: KATEX_JS, async: true })));
    katexLoading = Promise.all(waits).then(() => globalThis.katex);
    katexLoading.catch(() => {
      katexLoading = null; // the next view tries again
    });
  }
  return katexLoading;
}

// The chart code each CHART names (live_chart.js), imported once per tab.
const modules = new Map();

function chartModule(url) {
  const href = new URL(url, document.baseURI).href;
  if (!modules.has(href)) {
    const loading = import(href);
    modules.set(href, loading);
    loading.catch(() => modules.delete(href));
  }
  return modules.get(href);
}

function div(className, parent) {
  const el = document.createElement('div');
  el.className = className;
  if (parent) parent.appendChild(el);
  return el;
}

// The view's parts in parentElement, made on the first call and kept while the layout stays: "page", the
// step-through page's, or "stage", presenter mode's (lesson_view.stage): the diagram over the step's equation
// on the left, the current layer's gradient large over every layer's thumbnail on the right, and the chain
// rule below the screen.
function parts(parentElement, layout) {
  const had = parentElement._bpFollow;
  if (had && had.layout === layout) return had;
  if (had) {
    for (const gd of had.root.querySelectorAll('.js-plotly-plot')) if (globalThis.Plotly) globalThis.Plotly.purge(gd);
    had.root.remove();
  }
  styleSheet();
  const root = div('bp-follow', parentElement);
  const question = div('bp-fv-question', root);
  question.hidden = true;
  const progress = div('bp-fv-progress', root);
  const cols = div('bp-fv-cols', root);
  const left = div('bp-fv-left', cols);
  const right = div('bp-fv-right', cols);
  const diagram = div('bp-fv-chart', left);
  diagram.dataset.key = 'diagram';
  const title = document.createElement('h3');
  title.className = 'bp-fv-title';
  const stage = layout === 'stage';
  let side, grid, large = null, below = null;
  if (stage) {
    cols.classList.add('bp-fv-stage');
    side = div('bp-fv-side bp-fv-equation', left);
    large = div('bp-fv-chart', right);
    large.dataset.key = 'large';
    grid = div('bp-fv-grid bp-fv-thumbs', right);
    below = div('bp-fv-side', root);
  } else {
    right.appendChild(title);
    side = div('bp-fv-side', right);
    grid = div('bp-fv-grid', root);
  }
  // curve: held_view's plot of C against the chosen weight, under the chain rule, made by the first view that
  // has one
  const p = { layout, root, question, progress, title, side, below, curveIn: stage ? root : right, curve: null,
    grid, diagram, large, cells: [], sideBuilds: 0 };
  // A formula wider than its column scrolls sideways; a keyboard can scroll it only if it takes the focus
  // (WCAG 2.1.1, axe's scrollable-region-focusable), so a wide one becomes a focusable, named region (watchWidths).
  parentElement._bpFollow = p;
  return p;
}

function markWide(side) {
  for (const el of side.querySelectorAll('.katex-display')) mark(el);
}

function mark(el) {
  const wide = el.scrollWidth > el.clientWidth + 1;
  if (wide && !el.hasAttribute('tabindex')) {
    el.tabIndex = 0;
    el.setAttribute('role', 'region');
    el.setAttribute('aria-label', 'Equation: scroll sideways to read all of it');
  } else if (!wide && el.hasAttribute('tabindex')) {
    el.removeAttribute('tabindex');
    el.removeAttribute('role');
    el.removeAttribute('aria-label');
  }
}

// Each equation is looked at when the page lays it out (a ResizeObserver's callback comes after the layout, so
// reading its widths costs nothing more): read right after typesetting, the widths made the browser lay out the
// whole page at once, about 35 ms a step on the held page.
let widths = null;
function watchWidths(holder) {
  if (widths === null) widths = new ResizeObserver((entries) => entries.forEach((e) => mark(e.target)));
  for (const el of holder.querySelectorAll('.katex-display')) widths.observe(el);
}

function typeset(el, tex, K) {
  try {
    K.render(String(tex), el, KATEX_OPTIONS);
  } catch (e) {
    el.textContent = String(tex); // only a bug of KaTeX's gets here (throwOnError is false): show the source
  }
}

// A column's blocks (`holder`: the side, or the stage's below), rebuilt whole when they changed (a handful of
// small elements).
function buildSide(p, holder, blocks) {
  const json = JSON.stringify(blocks);
  if (json === holder._bpJson) return Promise.resolve();
  holder._bpJson = json;
  if (holder === p.side) p.sideBuilds += 1;
  const latex = [];
  const els = [];
  for (const b of blocks) {
    const kind = b && b.k;
    let el;
    if (kind === 'latex') {
      el = div('bp-fv-latex');
      latex.push([el, b.t]);
    } else if (kind === 'caption' || kind === 'html' || kind === 'info') {
      el = div('bp-fv-' + kind);
      el.innerHTML = b.t == null ? '' : String(b.t);
    } else if (kind === 'divider') {
      el = document.createElement('hr');
      el.className = 'bp-fv-divider';
    } else {
      console.warn('follow_view: a side block of unknown kind is left out:', b);
      continue;
    }
    els.push(el);
  }
  if (widths !== null) for (const el of holder.querySelectorAll('.katex-display')) widths.unobserve(el);
  holder.replaceChildren(...els);
  if (latex.length === 0) return Promise.resolve();
  const K = globalThis.katex && katexLoading !== null ? globalThis.katex : null;
  const done = (k) => {
    if (holder._bpJson !== json) return; // a newer view has replaced these blocks
    for (const [el, tex] of latex) typeset(el, tex, k);
    watchWidths(holder);
    if (document.fonts && document.fonts.status !== 'loaded') document.fonts.ready.then(() => markWide(holder));
  };
  if (K) {
    done(K);
    return katex().then(() => undefined);
  }
  return katex().then(done, (e) => {
    if (holder._bpJson !== json) return;
    for (const [el, tex] of latex) el.textContent = String(tex); // no KaTeX: the TeX source, readable
    console.error('follow_view: ' + e.message);
  });
}

// One chart in its holder, with live_chart.js's draw(); a newer view's chart wins over one still waiting for
// the module.
function drawChart(holder, chart, pick) {
  holder._bpWant = chart;
  if (holder.hidden !== !chart) holder.hidden = !chart;
  if (!chart) return Promise.resolve();
  return chartModule(chart.module).then(
    (m) => {
      if (holder._bpWant === chart) m.draw({ parentElement: holder, setTriggerValue: pick || (() => {}) }, chart);
    },
    (e) => {
      if (holder._bpWant === chart) holder.textContent = 'This chart could not be drawn (' + e.message + ').';
    },
  );
}

function drawGrid(p, charts, columns, pick) {
  p.grid.style.setProperty('--bp-columns', String(Math.max(1, Math.floor(Number(columns)) || 1)));
  while (p.cells.length > charts.length) {
    const gone = p.cells.pop();
    const gd = gone.querySelector('.js-plotly-plot');
    if (gd && globalThis.Plotly) globalThis.Plotly.purge(gd);
    gone.remove();
  }
  while (p.cells.length < charts.length) {
    const cell = div('bp-fv-chart', p.grid);
    cell.dataset.key = 'grid_' + p.cells.length;
    p.cells.push(cell);
  }
  return charts.map((chart, i) => drawChart(p.cells[i], chart, pick));
}

// The class's question, above the progress line. Its inputs are built once per question and state (asked,
// revealed), so a view that only moves the lesson leaves a choice being made (and the focus) alone.
function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text != null) e.textContent = String(text);
  return e;
}

function bold(parent, before, strong, after) {
  parent.append(before, el('strong', null, strong), after);
  return parent;
}

function labelOf(q, value) {
  const found = (Array.isArray(q.options) ? q.options : []).find((o) => o[0] === value);
  return found ? String(found[1]) : String(value);
}

function askedStatus(p, q, ctx) {
  const status = p.qParts.status;
  const mine = ctx && ctx.mine ? ctx.mine[q.id] : undefined;
  status.replaceChildren();
  if (p.qParts.said === 'closed') status.textContent = 'Too late: the answer has been revealed.';
  else if (p.qParts.said === 'offline') {
    status.textContent = "The class server can't be reached: your answer was not sent. Choose it again.";
  } else if (mine != null) bold(status, 'Your answer: ', labelOf(q, mine), ' — you can change it until the instructor steps.');
  else status.textContent = ctx ? "Answer on your screen; the instructor's Step reveals it." : '';
}

function buildAsked(p, q, ctx) {
  const box = p.question;
  const name = 'bp-fv-q-' + String(q.id);
  const mine = ctx && ctx.mine ? ctx.mine[q.id] : undefined;
  const choose = (value) => {
    const now = p.ctx; // the latest render's: the page's run may have given the stage a new one
    if (!now || typeof now.send !== 'function') return;
    p.qParts.said = null;
    p.qParts.status.textContent = 'Sending your answer…';
    const said = (what) => {
      if (!p.qParts || p.qParts.id !== q.id) return;
      p.qParts.said = what;
      askedStatus(p, q, p.ctx);
    };
    now.send(q.id, value).then(
      (r) => {
        if (r && r.ok && now.mine) now.mine[q.id] = value;
        said(r && r.ok ? null : r && r.offline ? 'offline' : 'closed');
      },
      () => said('offline'),
    );
  };
  const options = Array.isArray(q.options) ? q.options : [];
  let field;
  if (q.kind === 'sign') {
    field = el('fieldset');
    field.append(el('legend', null, q.prompt));
    const row = el('div', 'bp-fv-options');
    for (const [value, label] of options) {
      const option = el('label');
      const input = el('input');
      input.type = 'radio';
      input.name = name;
      input.value = String(value);
      input.checked = mine === value;
      input.disabled = !ctx;
      input.addEventListener('change', () => input.checked && choose(value));
      option.append(input, String(label));
      row.append(option);
    }
    field.append(row);
  } else {
    field = el('label', 'bp-fv-select');
    const select = el('select');
    select.disabled = !ctx;
    const none = el('option', null, 'choose a cell');
    none.value = '';
    none.disabled = true;
    select.append(none);
    for (const [value, label] of options) {
      const option = el('option', null, label);
      option.value = String(value);
      select.append(option);
    }
    select.value = mine != null ? String(mine) : '';
    select.addEventListener('change', () => select.value && choose(select.value));
    field.append(el('div', 'bp-fv-label', q.prompt), select);
  }
  const status = el('div', 'bp-fv-caption');
  status.setAttribute('aria-live', 'polite');
  box.replaceChildren(field, status);
  p.qParts.status = status;
  askedStatus(p, q, ctx);
}

function buildRevealed(p, q, ctx) {
  const mine = ctx && ctx.mine ? ctx.mine[q.id] : undefined;
  let verdict;
  if (mine == null) {
    verdict = bold(el('div', 'bp-fv-verdict none'), 'The answer: ', q.shown, ". (You didn't answer this one.)");
  } else if (mine === q.correct) {
    verdict = bold(el('div', 'bp-fv-verdict right'), 'Right: ', q.shown, '.');
  } else {
    verdict = el('div', 'bp-fv-verdict wrong');
    verdict.append('Not quite: you said ', el('strong', null, labelOf(q, mine)), '; the answer is ', el('strong', null, q.shown), '.');
  }
  verdict.setAttribute('role', 'status');
  const why = el('div', 'bp-fv-latex');
  p.question.replaceChildren(el('div', 'bp-fv-label', q.prompt), verdict, why);
  const tex = q.explanation == null ? '' : String(q.explanation);
  return katex().then(
    (K) => typeset(why, tex, K),
    () => {
      why.textContent = tex;
    },
  );
}

function drawQuestion(p, q, ctx) {
  if (!q || typeof q !== 'object' || q.id == null) {
    p.question.hidden = true;
    p.question.replaceChildren();
    p.qParts = null;
    return Promise.resolve();
  }
  p.question.hidden = false;
  const mine = ctx && ctx.mine ? ctx.mine[q.id] : undefined;
  const state = [q.id, !!q.revealed, q.revealed ? mine : null, JSON.stringify(q.options)].join('|');
  if (p.qParts && p.qParts.state === state) {
    if (!q.revealed) askedStatus(p, q, ctx);
    return Promise.resolve();
  }
  p.qParts = { id: q.id, state, said: null, status: null };
  if (q.revealed) return buildRevealed(p, q, ctx);
  buildAsked(p, q, ctx);
  return Promise.resolve();
}

export function render(parentElement, view, ctx) {
  const v = view && typeof view === 'object' ? view : {};
  const p = parts(parentElement, v.layout === 'stage' ? 'stage' : 'page');
  p.ctx = ctx || null;
  parentElement._bpRenders = (parentElement._bpRenders || 0) + 1; // counts read by the tests
  const progress = v.progress == null ? '' : String(v.progress);
  if (p.progress._bpHtml !== progress) {
    p.progress.innerHTML = progress;
    p.progress._bpHtml = progress;
  }
  const title = v.title == null ? '' : String(v.title);
  if (p.title.textContent !== title) p.title.textContent = title;
  const blocks = (b) => (Array.isArray(b) ? b : []);
  const waits = [buildSide(p, p.side, blocks(v.side)), drawQuestion(p, v.question || null, ctx)];
  if (p.below) waits.push(buildSide(p, p.below, blocks(v.below)));
  parentElement._bpSideBuilds = p.sideBuilds;
  // A click on a clickable chart's point (a gradient cell: its customdata) goes to ctx.pick, where given.
  const pick = ctx && ctx.pick ? (name, value) => ctx.pick(value) : null;
  waits.push(drawChart(p.diagram, v.diagram || null));
  if (p.large) waits.push(drawChart(p.large, v.large || null, pick));
  if (v.curve && !p.curve) {
    p.curve = div('bp-fv-chart', p.curveIn);
    p.curve.dataset.key = 'curve';
  }
  if (p.curve) waits.push(drawChart(p.curve, v.curve || null));
  waits.push(...drawGrid(p, Array.isArray(v.grid) ? v.grid : [], v.columns || 2, pick));
  // Settled when the equations are typeset and every chart is handed to live_chart.js (which then draws it).
  parentElement._bpDone = Promise.all(waits).then(() => parentElement._bpRenders);
}
