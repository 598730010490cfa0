// The step-through lesson stepped by the browser (backprop/ui/held_view.py): the page holds the views of every
// step of the iteration and shows a step the moment its button is pressed, before the press reaches the server.
//
//   mount(args, d)  // from the held_stage: d = {token, complete, narrow, follow, views: [VIEW], ...REPORT}
//   window.__bpHeld.sync(REPORT)  // from the held_sync component, on every run of the step row
//
// REPORT = {index, it, moves, sid}: the session's step and iteration, after `moves` presses, in session `sid`.
// VIEW is follow_view.build's, drawn by static/follow_view.js's render as a following student's page is (null
// for a step whose numbers overflow: not drawn here; false for one not built yet, when d.complete is false: an
// edit's views, see mount). Two boxes take turns: one shown, one spare, in which the step the next press will
// most likely ask for is drawn out of sight, in the browser's idle time; a press that asks for it swaps the two
// (no drawing at all), any other press draws its step in the shown box. Both boxes sit in one grid cell, so a
// swap changes what is painted and not the page's layout (moving the shown box first in the page, as this did
// before, laid out both boxes anew: ~30 ms a press); the spare is hidden from sight and from assistive
// technology (visibility: hidden, inert), and the cell is as tall as the taller of the two.
//
// A press of Step, Back, Reset or Run to end (a click, or a key of keys.py, which clicks the same button) is
// seen here first (a listener on the document, in the capture phase); the click then goes on to Streamlit,
// which runs the step row. The server counts the presses it has taken (`moves`), and says so with the step it
// is at: in the step row's sync, and in the stage's own data when the whole page runs. Those reports can reach
// the page in either order (a press made while the whole page runs is taken by a run of the step row after
// it, whose sync may come before the stage of the whole run has mounted), so the page keeps only the newest
// (most presses taken) and, once the server has taken every press the page sent, shows the server's step:
// the one it shows already, or another if a press could not be taken. A press that leaves the iteration
// (Step at the update, Back at step 0) is not drawn here: the page runs again with the next iteration's views.

const SPARE = 'bp-held-spare';
const SHOWN = 'bp-held-shown';
const PRESSES = { btn_step: 'step', btn_back: 'back', btn_reset: 'reset', btn_end: 'end' };
const PREPARE_MS = 100; // after the step row's run confirmed the step (or at the latest WAIT_MS after a press),
const WAIT_MS = 2000; // the step after it is drawn in the spare box, at background priority
const FILL_MS = 1000; // views of an edit hold the step shown alone: the rest are asked for once the slider rests

// pressed: presses this page sent; base: presses the server said it had taken, at step `at` of iteration `atIt`;
// sid: the session that said so (a new session, after the server restarted, counts from 0 again).
const held = window.__bpHeld || (window.__bpHeld = { pressed: 0, base: 0, at: 0, atIt: 0, sid: null });

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
    wrap.className = 'bp-held'; // (its views' progress lines are hidden: the step row's shows the step)
    wrap.style.cssText = 'display:grid;grid-template-columns:minmax(0,1fr);'; // both boxes in one cell
    const a = document.createElement('div');
    const b = document.createElement('div');
    wrap.append(a, b);
    parentElement.append(region, wrap);
    reveal(a);
    hide(b);
  }
  return wrap;
}

function hide(box) {
  box.className = SPARE;
  box.style.cssText = 'grid-area:1/1;visibility:hidden;pointer-events:none;';
  box.inert = true;
  box.setAttribute('aria-hidden', 'true');
}

function reveal(box) {
  box.className = SHOWN;
  box.style.cssText = 'grid-area:1/1;';
  box.inert = false;
  box.removeAttribute('aria-hidden');
}

function view(i) {
  const v = held.views[i];
  if (held.narrow && window.innerWidth <= held.narrow.px && v.diagram && v.layout !== 'stage') {
    v.diagram.height = Math.min(v.diagram.height, held.narrow.height); // a phone: Step stays in view above it
  }
  return v;
}

// Every chart of `box` drawn with the figure it was last handed (live_chart.js draws them one per task; one not
// drawn yet has no Plotly class, so all of live_chart's are looked at).
function drawn(box) {
  for (const gd of box.querySelectorAll('.bp-live-chart')) {
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
  if (p.large) p.large.classList.toggle('st-key-grad_focus', shown); // presenter mode's stage
  if (p.layout === 'stage') p.side.classList.toggle('st-key-stage_equation', shown);
  p.cells.forEach((cell, i) => cell.classList.toggle('st-key-grad_' + (i + 1), shown));
}

function show(i) {
  held.i = i;
  held.shownToken = held.token;
  const spare = held.spare;
  if (held.spareToken === held.token && held.ready() === i) {
    const old = held.shown;
    reveal(spare);
    hide(old);
    held.shown = spare;
    held.spare = old;
    held.spareAt = -1;
  } else {
    follow.render(held.shown, view(i), held.ctx);
  }
  name(held.spare, false);
  name(held.shown, true);
  const line = held.views[i].progress || '';
  if (held.line && held.line.isConnected && held.line.innerHTML !== line) held.line.innerHTML = line;
  held.region.textContent = held.views[i].announce || '';
  held.wrap._bpShown = i; // read by the tests: the step the stage shows
  prepare(held.pressed > held.base ? WAIT_MS : PREPARE_MS); // a press: after its run (sync), the page is quiet
}

// Draw, out of sight, the step the next press most likely asks for: the one after (before, after a Back).
function prepare(ms) {
  const want = held.i + (held.back ? -1 : 1);
  const token = held.token;
  if (held.spareAt === want && held.spareToken === token) return; // drawn already
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
  held.pressed += 1; // Streamlit sends this press: the server counts it too
  held.pressedAt = Date.now();
  const i = held.i;
  const last = held.views.length - 1;
  const to = { step: i + 1, back: i - 1, reset: 0, end: last }[how];
  if (!drawable(to)) return; // another iteration (the page runs again with its views),
  // or a step whose numbers overflow (the step row says why)
  held.back = how === 'back';
  if (to === i) return;
  // Drawn in the next task, once the click has reached Streamlit's own handler and the press is sent: drawn
  // here, the page's layout came first, and the press left about 60 ms later. `held.i` is the step the page
  // shows from now on (a second press before the drawing moves on from it; a sync meanwhile settles it).
  held.i = to;
  requestAnimationFrame(() => {
    if (held.i === to && held.wrap._bpShown !== to) show(to);
  });
}

// The step drawn ahead, once its charts are drawn too: the press that asks for it is shown by a swap (-1: none).
held.ready = () => (held.spareAt >= 0 && drawn(held.spare) ? held.spareAt : -1);
// Whether every chart of the step shown is drawn with its figure (read by the tests and the benchmark).
held.drawn = () => !!held.shown && drawn(held.shown);

const drawable = (i) => i >= 0 && i < held.views.length && !!held.views[i];

export function mount({ parentElement, setTriggerValue }, d) {
  const wrap = boxes(parentElement);
  if (held.wrap !== wrap || held.token !== d.token) {
    held.token = d.token;
    held.shown = wrap.querySelector(':scope > .' + SHOWN);
    held.spare = wrap.querySelector(':scope > .' + SPARE);
    held.spareAt = -1;
    held.preparing = 0;
  }
  held.wrap = wrap;
  held.region = parentElement.querySelector(':scope > .bp-held-said');
  held.views = d.views;
  held.it = d.it;
  held.narrow = d.narrow;
  held.ctx = { pick: (value) => setTriggerValue('pick', value) };
  held.sync = sync;
  if (!held.listening) {
    held.listening = true;
    document.addEventListener('click', press, true);
  }
  learn(d);
  // read by the tests: how many views each of the last stages held
  held.built = [...(held.built || []).slice(-9), d.views.filter(Boolean).length];
  if (!d.complete) {
    // An edit's run built the step shown only (a slider being dragged): the others, once it rests; a press
    // meanwhile to a step not held goes to the server, whose run then builds them all.
    clearTimeout(held.fill);
    held.fill = setTimeout(() => {
      if (held.token === d.token && held.wrap.isConnected) setTriggerValue('fill', d.token);
    }, FILL_MS);
  }
  const waiting = window.__bpHeldSync; // a sync that came before the first stage
  window.__bpHeldSync = undefined;
  if (waiting) learn(waiting);
  return import(new URL(d.follow, document.baseURI).href).then((m) => {
    follow = m;
    settle();
  });
}

// The step row's run: where the session is, and how many presses it has taken.
function sync(s) {
  learn(s);
  settle();
}

// A report of the server's, from the step row's sync or the stage's data: kept if it is the newest.
function learn({ index, it, moves, sid }) {
  if (sid !== held.sid) {
    held.sid = sid;
    held.pressed = held.base = moves;
  }
  if (moves < held.base) return; // older than one the page has (reports may come in either order)
  held.base = moves;
  held.pressed = Math.max(held.pressed, moves);
  held.at = index;
  held.atIt = it;
}

// Show what the page knows: the server's step once it has taken every press (of these views' iteration), else
// the step the presses drew; drawn afresh when the views are new.
function settle() {
  if (!follow || !held.wrap || !held.wrap.isConnected) return;
  const taken = held.pressed === held.base && held.atIt === held.it;
  let want = taken || !drawable(held.i) ? held.at : held.i;
  if (!drawable(want) && held.atIt !== held.it) want = held.i; // the next iteration's views are on their way
  if (!drawable(want)) return;
  if (want !== held.i || held.shownToken !== held.token || held.wrap._bpShown !== want) show(want);
  else if (taken) prepare(PREPARE_MS);
}
