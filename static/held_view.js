// The step-through lesson stepped by the browser (backprop/ui/held_view.py): the page holds the views of every
// step of the iteration and shows a step the moment its button is pressed, before the press reaches the server.
//
//   mount(args, d)  // from the held_stage component: d = {token, index, it, moves, narrow, follow, views: [VIEW]}
//   window.__bpHeld.sync({index, it, moves})  // from the held_sync component, on every run of the step row
//
// VIEW is follow_view.build's (null for a step whose numbers overflow: not drawn here) (drawn by static/follow_view.js's render, as a following student's page is). Two
// boxes take turns: one shown, one spare, in which the step the next press will most likely ask for is drawn
// out of sight, in the browser's idle time; a press that asks for it swaps the two (no drawing at all), any
// other press draws its step in the shown box. The spare is hidden from sight and from assistive technology
// (visibility: hidden, inert), and follows the shown box in the page, so the first of each part is the shown
// one's.
//
// A press of Step, Back, Reset or Run to end (a click, or a key of keys.py, which clicks the same button) is
// seen here first (a listener on the document, in the capture phase); the click then goes on to Streamlit,
// which runs the step row. Its sync says where the session is once it has taken every press the page sent
// (`moves` counts them): the page shows that step if it shows another (a step that could not be taken).
// A press that leaves the iteration (Step at the update, Back at step 0) is not drawn here: the page runs again
// with the next iteration's views.

const SPARE = 'bp-held-spare';
const SHOWN = 'bp-held-shown';
const PRESSES = { btn_step: 'step', btn_back: 'back', btn_reset: 'reset', btn_end: 'end' };
const PREPARE_MS = 100; // after the step row's run confirmed the step (or at the latest WAIT_MS after a press),
const WAIT_MS = 2000; // the step after it is drawn in the spare box, at background priority

const held = window.__bpHeld || (window.__bpHeld = { sent: 0, base: 0 });

let follow = null; // static/follow_view.js, once loaded

function later(task, ms) {
  setTimeout(() => {
    if (globalThis.scheduler && scheduler.postTask) scheduler.postTask(task, { priority: 'background' });
    else task();
  }, ms);
}

function boxes(parentElement) {
  let wrap = parentElement.querySelector(':scope > .bp-held');
  if (!wrap) {
    const region = document.createElement('p'); // seen by nobody, read aloud: each step as it is shown
    region.className = 'bp-held-said';
    region.style.cssText = 'position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);';
    region.setAttribute('role', 'status');
    region.setAttribute('aria-live', 'polite');
    wrap = document.createElement('div');
    wrap.className = 'bp-held';
    wrap.style.position = 'relative';
    const a = document.createElement('div');
    const b = document.createElement('div');
    wrap.append(a, b);
    parentElement.append(region, wrap);
    a.className = SHOWN;
    hide(b);
  }
  return wrap;
}

function hide(box) {
  box.className = SPARE;
  box.style.cssText = 'position:absolute;top:0;left:0;right:0;visibility:hidden;pointer-events:none;';
  box.inert = true;
  box.setAttribute('aria-hidden', 'true');
}

function reveal(box) {
  box.className = SHOWN;
  box.style.cssText = '';
  box.inert = false;
  box.removeAttribute('aria-hidden');
}

function view(i) {
  const v = held.views[i];
  if (held.narrow && window.innerWidth <= held.narrow.px && v.diagram) {
    v.diagram.height = Math.min(v.diagram.height, held.narrow.height); // a phone: Step stays in view above it
  }
  return v;
}

// Every chart of `box` drawn with the figure it was last handed (live_chart.js draws them one per task).
function drawn(box) {
  for (const gd of box.querySelectorAll('.js-plotly-plot')) {
    if (gd._bpQueued || gd._bpNext || !gd._bpDrawn || gd._bpRev !== gd._bpGot) return false;
  }
  return true;
}

// The shown box's charts carry the class names of the Streamlit page's: st-key-diagram, st-key-grad_l (the
// page's style and its tests find the diagram and layer l's gradient by them); the spare's carry none.
function name(box, shown) {
  const p = box._bpFollow;
  if (!p) return;
  p.diagram.classList.toggle('st-key-diagram', shown);
  if (p.curve) p.curve.classList.toggle('st-key-edit_curve', shown);
  p.cells.forEach((cell, i) => cell.classList.toggle('st-key-grad_' + (i + 1), shown));
}

function show(i) {
  held.i = i;
  held.shownAt = i;
  const spare = held.spare;
  if (held.spareToken === held.token && held.ready() === i) {
    const old = held.shown;
    reveal(spare);
    hide(old);
    held.wrap.appendChild(old); // the shown box first in the page
    held.shown = spare;
    held.spare = old;
    held.spareAt = -1;
  } else {
    follow.render(held.shown, view(i), held.ctx);
  }
  name(held.spare, false);
  name(held.shown, true);
  held.region.textContent = held.views[i].announce || '';
  held.wrap._bpShown = i; // read by the tests: the step the stage shows
  prepare(held.sent > 0 ? WAIT_MS : PREPARE_MS); // a press: after its run (sync), the page is quiet again
}

// Draw, out of sight, the step the next press most likely asks for: the one after (before, after a Back).
function prepare(ms) {
  const want = held.i + (held.back ? -1 : 1);
  const token = held.token;
  held.spareAt = -1;
  if (want < 0 || want >= held.views.length || !held.views[want]) return;
  const at = ++held.preparing;
  later(() => {
    if (at !== held.preparing || held.token !== token || !held.spare.isConnected) return;
    follow.render(held.spare, view(want), held.ctx);
    held.spareAt = want;
    held.spareToken = token;
  }, ms);
}

function press(e) {
  const holder = e.target && e.target.closest ? e.target.closest('[class*="st-key-btn_"]') : null;
  if (!holder || !held.wrap || !held.wrap.isConnected || !follow) return;
  const key = Array.from(holder.classList).find((c) => c.startsWith('st-key-btn_'));
  const how = key && PRESSES[key.slice('st-key-'.length)];
  const button = holder.querySelector('button');
  if (!how || !button || button.disabled) return;
  held.sent += 1; // Streamlit sends this press: the server counts it too
  held.pressedAt = Date.now();
  const i = held.i;
  const last = held.views.length - 1;
  const to = { step: i + 1, back: i - 1, reset: 0, end: last }[how];
  if (to < 0 || to > last || !held.views[to]) return; // another iteration (the page runs again with its views),
  // or a step whose numbers overflow (the step row says why)
  held.back = how === 'back';
  if (to !== i) show(to);
}

// The step drawn ahead, once its charts are drawn too: the press that asks for it is shown by a swap (-1: none).
held.ready = () => (held.spareAt >= 0 && drawn(held.spare) ? held.spareAt : -1);

export function mount({ parentElement, setTriggerValue }, d) {
  const wrap = boxes(parentElement);
  const fresh = held.wrap !== wrap || held.token !== d.token;
  held.wrap = wrap;
  held.region = parentElement.querySelector(':scope > .bp-held-said');
  held.views = d.views;
  held.narrow = d.narrow;
  held.ctx = { pick: (value) => setTriggerValue('pick', value) };
  if (fresh) {
    held.token = d.token;
    held.shown = wrap.querySelector(':scope > .' + SHOWN);
    held.spare = wrap.querySelector(':scope > .' + SPARE);
    held.spareAt = -1;
    held.preparing = 0;
    held.i = -1;
  }
  held.sync = sync;
  if (!held.listening) {
    held.listening = true;
    document.addEventListener('click', press, true);
  }
  return import(new URL(d.follow, document.baseURI).href).then((m) => {
    follow = m;
    // This run took d.moves presses; any the page sent beyond them are still on their way (a press during a run
    // of the whole page): their sync will bring the step, so the page keeps the one it shows meanwhile, unless
    // these are new views.
    const pending = Math.max(0, held.base + held.sent - d.moves);
    held.base = d.moves;
    held.sent = pending;
    if ((fresh || (pending === 0 && held.i !== d.index)) && held.views[d.index]) show(d.index);
    const waiting = window.__bpHeldSync;
    window.__bpHeldSync = undefined;
    if (waiting) sync(waiting);
  });
}

// The step row's run: the session's step once it has taken every press this page sent.
function sync(s) {
  if (!follow || !held.wrap || !held.wrap.isConnected) {
    window.__bpHeldSync = s;
    return;
  }
  if (s.moves < held.base + held.sent) return; // presses still on their way: the next run says
  held.base = s.moves;
  held.sent = 0;
  if (s.index !== held.i && s.index < held.views.length && held.views[s.index]) show(s.index);
  else prepare(PREPARE_MS);
}
