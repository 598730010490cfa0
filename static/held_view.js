// The step-through lesson stepped by the browser (backprop/ui/held_view.py): the page holds the views of every
// step of the iteration and shows a step the moment its button is pressed, before the press reaches the server.
//
//   mount(args, d)  // from the held_stage: d = {token, complete, narrow, follow, views: [VIEW], hashes, ...REPORT}
//   window.__bpHeld.sync(REPORT)  // from the held_sync component, on every run of the step row
//   window.__bpHeld.nudged(NUDGES)  // from held_nudges: {from, index, items: [{value, token, hash, view}]} or null
//   window.__bpHeld.serverToken(token)  // from held_token, on every run of the What if? box
//
// REPORT = {index, it, moves, sid}: the session's step and iteration, after `moves` presses, in session `sid`.
// VIEW is follow_view.build's, drawn by static/follow_view.js's render as a following student's page is (null
// for a step whose numbers overflow: not drawn here; false for one not built yet, when d.complete is false: an
// edit's views, see mount). Four boxes take turns: one shown; one spare, in which the step the next press will
// most likely ask for is drawn out of sight, in the browser's idle time; two for the What if? slider's nudges
// (below). A press that asks for a step a box has drawn swaps the two (no drawing at all), any other press
// draws its step in the shown box. The boxes sit in one grid cell, so a swap changes what is painted and not the
// page's layout (moving the shown box first in the page, as this did before, laid out both boxes anew: ~30 ms a
// press); the spares are hidden from sight (opacity 0, each box in a compositing layer of its own, which the
// browser paints ahead: a swap is then the compositor's alone; with visibility: hidden, a swap painted the box,
// a task of 50-90 ms that held up the next run's drawing), from the pointer, from assistive technology and from
// find-in-page in Chrome and Firefox (inert, aria-hidden), and the cell is as tall as the tallest.
//
// The What if? slider, nudged by an arrow key (while it has the focus): the server sends (held_nudges, asked for
// with its `want` trigger) the view of the step shown for each value one key moves the slider to; they are drawn
// out of sight in two more spare boxes, and a key that moves the slider to one shows it at once. The server, told
// the move by Streamlit, finds the same network among the ones it sent and runs the What if? box alone; its
// held_token then names the views the server holds, and a page that shows others (the key came before the
// nudges did) asks for them. A box is known by the view it has drawn (the server's hash of it), so a view drawn
// once, in any box, is not drawn again: after a key, the box shown before holds the value one key back.
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
const FILL_MS = 1000; // views of an edit hold the step shown alone: the rest are asked for once the slider rests,
const FILL_FOCUSED_MS = 3000; // or, while it has the focus (nudged by keys: that run would hold up the next key),
// this long after the last move, or when it loses the focus
const SLIDER = '.st-key-edit_W_slider';
const SLIDER_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown']);
const AWAIT_MS = 5000; // a key's answer is waited for this long (a run cut short by the next may never answer;
// 1 s was too short for a loaded machine: a request sent sooner carried the field's old value)
const WANT_MS = 150; // the nudges are asked for this long after the slider gets the focus or new views come

// pressed: presses this page sent; base: presses the server said it had taken, at step `at` of iteration `atIt`;
// sid: the session that said so (a new session, after the server restarted, counts from 0 again).
// keyAt, answeredAt: when an arrow key last moved the What if? slider, and when the server's What if? box last ran.
const held = window.__bpHeld ||
  (window.__bpHeld = { pressed: 0, base: 0, at: 0, atIt: 0, sid: null, keyAt: 0, answeredAt: 0 });

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
    const boxes = [0, 1, 2, 3].map(() => document.createElement('div')); // shown, the step's spare, two nudges'
    wrap.append(...boxes);
    parentElement.append(region, wrap);
    reveal(boxes[0]);
    boxes.slice(1).forEach(hide);
  }
  return wrap;
}

function hide(box) {
  box.className = SPARE;
  box.style.cssText = 'grid-area:1/1;opacity:0;will-change:opacity;pointer-events:none;';
  box.inert = true;
  box.setAttribute('aria-hidden', 'true');
}

function reveal(box) {
  box.className = SHOWN;
  box.style.cssText = 'grid-area:1/1;will-change:opacity;';
  box.inert = false;
  box.removeAttribute('aria-hidden');
}

function view(i) {
  return fit(held.views[i]);
}

function fit(v) {
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

// Draw view `i` in `box`, which then holds it (by the server's hash of it).
function draw(box, i) {
  follow.render(box, view(i), held.ctx);
  box._bpHolds = held.hashes[i];
}

function show(i) {
  held.i = i;
  held.shownToken = held.token;
  const has = held.hashes[i];
  const ready = [held.spare, ...held.nbox].find((b) => b._bpHolds === has && drawn(b));
  if (held.shown._bpHolds === has) {
    // drawn in the box shown already
  } else if (ready) {
    const old = held.shown;
    reveal(ready);
    hide(old);
    held.shown = ready;
    if (held.spare === ready) held.spare = old;
    else held.nbox[held.nbox.indexOf(ready)] = old;
    name(old, false);
  } else {
    draw(held.shown, i);
  }
  name(held.spare, false);
  name(held.shown, true);
  const line = held.views[i].progress || '';
  if (held.line && held.line.isConnected && held.line.innerHTML !== line) held.line.innerHTML = line;
  const said = held.views[i].announce || '';
  if (held.region.textContent !== said) held.region.textContent = said;
  held.wrap._bpShown = i; // read by the tests: the step the stage shows
  prepare(held.pressed > held.base ? WAIT_MS : PREPARE_MS); // a press: after its run (sync), the page is quiet
}

// Draw, out of sight, the step the next press most likely asks for: the one after (before, after a Back).
function prepare(ms) {
  const want = held.i + (held.back ? -1 : 1);
  const token = held.token;
  if (want < 0 || want >= held.views.length || !held.views[want]) return;
  const has = held.hashes[want];
  if ([held.shown, held.spare, ...held.nbox].some((b) => b._bpHolds === has)) return; // drawn already
  const at = ++held.preparing;
  later(() => {
    if (at !== held.preparing || held.token !== token || !held.spare.isConnected) return;
    draw(held.spare, want);
  }, ms);
}

// The nudges the server sent (held_nudges): drawn out of sight in the nudge boxes, unless a box holds them.
function nudged(n) {
  held.wanted = null; // answered (null: the server's step is another, or a run of the whole page)
  if (!n || !held.wrap || !held.hashes || n.from !== held.hashes[n.index] || n.index !== held.i) return;
  held.nudges = n;
  const holding = new Set([held.shown, held.spare, ...held.nbox].map((b) => b._bpHolds));
  const free = held.nbox.filter((b) => !n.items.some((it) => it.hash === b._bpHolds));
  for (const it of n.items.filter((it) => !holding.has(it.hash))) {
    const box = free.shift();
    if (!box) break;
    box._bpHolds = null;
    later(() => {
      if (held.nudges !== n || !box.isConnected || !follow) return;
      follow.render(box, fit(it.view), held.ctx);
      box._bpHolds = it.hash;
    }, 0);
  }
}

// A key moved the slider to `value`: if it is a nudge the page holds, the step's view of that network is shown
// now, and the page holds that view alone (the rest come once the slider rests; a press meanwhile goes to the
// server), under the token the server gives the same views when it takes the move (held_view.edited).
function slid(value) {
  const n = held.nudges;
  if (!n || !follow || !held.wrap.isConnected || n.from !== held.hashes[held.i] || n.index !== held.i) return;
  if (held.wrap._bpShown !== held.i) return;
  const it = n.items.find((x) => Math.abs(x.value - value) < 1e-9);
  if (!it) return;
  const i = held.i;
  held.views = held.views.map((v, k) => (k === i ? it.view : false));
  held.hashes = held.views.map((v, k) => (k === i ? it.hash : null));
  held.token = it.token;
  held.nudges = null;
  held.slid = (held.slid || 0) + 1; // read by the tests: the moves shown before the server answered
  show(i);
  fillLater(it.token);
}

// Ask for the nudges of the views shown, `ms` from now, if the slider has the focus and the page has none.
function wantNudges(ms) {
  clearTimeout(held.wantTimer);
  held.wantTimer = setTimeout(() => {
    const slider = document.activeElement && document.activeElement.closest(SLIDER);
    const key = held.hashes[held.i];
    if (!slider || !window.__bpHeldWant || !held.wrap || !held.wrap.isConnected || !held.views[held.i]) return;
    if (busy()) return wantNudges(WANT_MS); // asked once the move is answered
    if (held.wanted === key || (held.nudges && held.nudges.from === key && held.nudges.index === held.i)) return;
    held.wanted = key;
    window.__bpHeldWant({ token: held.token, index: held.i });
  }, ms);
}

// Views of an edit hold the step shown alone: the rest are asked for once the slider has rested.
function fillLater(token) {
  clearTimeout(held.fill);
  const focused = document.activeElement && document.activeElement.closest(SLIDER);
  held.fill = setTimeout(() => fillNow(token), focused ? FILL_FOCUSED_MS : FILL_MS);
}

function fillNow(token) {
  clearTimeout(held.fill);
  if (held.token !== token || !held.wrap.isConnected || held.views.every(Boolean)) return;
  if (busy()) held.fill = setTimeout(() => fillNow(token), WANT_MS);
  else held.askFill(token);
}

// Whether a trigger sent now could carry a widget value older than the server's. Streamlit sends every widget's
// value with each request, and the What if? box's number field is set by the server to the slider's value: a
// request that leaves while a move's run is on its way carries the field's old value, which the server then takes
// for a change of the field, back to the old value. So the page sends its own requests (the nudges, the rest of
// the views) only once the server has answered the last key (its held_token: a run of the What if? box after the
// key, holding the slider's value) and no run is going on; a key not answered within AWAIT_MS (its run cut short
// by the next request's) is waited for no longer. (The script's state alone does not say it: it changes when the
// server's first message of the run arrives, not when the key's request leaves.)
function busy() {
  const app = document.querySelector('[data-testid=stApp]');
  const slider = document.querySelector(SLIDER + ' input');
  const unanswered = held.keyAt > held.answeredAt || (slider !== null && parseFloat(slider.value) !== held.serverValue);
  const awaiting = unanswered && Date.now() - held.keyAt < AWAIT_MS;
  return awaiting || (app !== null && app.getAttribute('data-test-script-state') === 'running');
}

function key(e) {
  const input = e.target && e.target.closest && e.target.closest(SLIDER) ? e.target : null;
  if (!input || !SLIDER_KEYS.has(e.key) || input.value === undefined) return;
  const before = input.value;
  setTimeout(() => {
    // after the slider's own handler, which sets its value; shown after the next frame's paint, once Streamlit has
    // sent the move (shown in this task or in that frame, it came first, and the move left 40-75 ms after the key
    // instead of 15-20 ms)
    const value = input.value;
    if (value === before) return;
    held.keyAt = Date.now();
    requestAnimationFrame(() => setTimeout(() => slid(parseFloat(value)), 0));
  }, 0);
}

function focused(e) {
  if (e.target && e.target.closest && e.target.closest(SLIDER)) wantNudges(WANT_MS);
}

function blurred(e) {
  if (e.target && e.target.closest && e.target.closest(SLIDER) && held.wrap) fillNow(held.token);
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

// The step drawn ahead (prepare's), once its charts are drawn too: a press that asks for it is shown by a swap
// (-1: not yet).
held.ready = () => {
  const want = held.i + (held.back ? -1 : 1);
  const has = held.hashes && held.views[want] ? held.hashes[want] : undefined;
  return has !== undefined && held.spare._bpHolds === has && drawn(held.spare) ? want : -1;
};
// Whether every nudge the page holds is drawn, in a box of its own (read by the tests).
held.nudgesReady = () =>
  !!held.nudges &&
  held.nudges.items.every((it) => [held.shown, held.spare, ...held.nbox].some((b) => b._bpHolds === it.hash && drawn(b)));
// Whether every chart of the step shown is drawn with its figure (read by the tests and the benchmark).
held.drawn = () => !!held.shown && drawn(held.shown);

const drawable = (i) => i >= 0 && i < held.views.length && !!held.views[i];

export function mount({ parentElement, setTriggerValue }, d) {
  const wrap = boxes(parentElement);
  if (held.wrap !== wrap) {
    held.shown = wrap.querySelector(':scope > .' + SHOWN);
    [held.spare, ...held.nbox] = wrap.querySelectorAll(':scope > .' + SPARE);
    held.preparing = 0;
  }
  held.token = d.token;
  held.wrap = wrap;
  held.region = parentElement.querySelector(':scope > .bp-held-said');
  held.views = d.views;
  held.hashes = d.hashes;
  held.it = d.it;
  held.narrow = d.narrow;
  // one ctx for every box's drawing: a box's view is shown again without drawing it again (show)
  held.pickNow = (value) => setTriggerValue('pick', value);
  held.ctx = held.ctx || { pick: (value) => held.pickNow(value) };
  held.askFill = (token) => setTriggerValue('fill', token);
  held.sync = sync;
  held.nudged = nudged;
  held.serverToken = serverToken;
  if (!held.listening) {
    held.listening = true;
    document.addEventListener('click', press, true);
    document.addEventListener('keydown', key, true);
    document.addEventListener('focusin', focused, true);
    document.addEventListener('focusout', blurred, true);
  }
  learn(d);
  // read by the tests: how many views each of the last stages held, and how many stages came
  held.built = [...(held.built || []).slice(-9), d.views.filter(Boolean).length];
  held.mounts = (held.mounts || 0) + 1;
  // An edit's run built the step shown only (a slider being dragged): the others, once it rests; a press
  // meanwhile to a step not held goes to the server, whose run then builds them all.
  if (!d.complete) fillLater(d.token);
  wantNudges(WANT_MS);
  const waiting = window.__bpHeldSync; // a sync that came before the first stage
  window.__bpHeldSync = undefined;
  if (waiting) learn(waiting);
  const token = window.__bpHeldToken; // the What if? box's, if it came before the first stage
  window.__bpHeldToken = undefined;
  if (token) serverToken(token.token, token.value);
  return import(new URL(d.follow, document.baseURI).href).then((m) => {
    follow = m;
    settle();
  });
}

// The What if? box's run: the token of the views the server holds. Views it holds and the page does not (the
// server took a nudge the page did not show: the key came before the nudges) are asked for at once.
function serverToken(token, value) {
  held.serverValue = value; // the chosen weight's value the server holds: the page waits for it (busy)
  held.answeredAt = Date.now();
  setTimeout(() => {
    if (!token || !held.wrap || !held.wrap.isConnected) return;
    if (token !== held.token) {
      if (held.askFill && !busy()) held.askFill(token);
      else setTimeout(() => serverToken(token, value), WANT_MS);
    } else {
      wantNudges(0); // after a nudge the server took: the next ones (asked for now, not at the key: first)
    }
  }, 0);
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
