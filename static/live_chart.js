// A Plotly chart that stays in the page and is updated in place: the browser half of backprop/ui/live_chart.py.
//
// Streamlit calls the component's function on every run that draws the chart, with the same parentElement while
// the element stays in the page; that function imports this module (once per tab) and calls draw(). Plotly.js
// is loaded once per tab too, from the app's static files.

// The look st.plotly_chart gave these figures: Streamlit's theme for Plotly, as its light theme with this app's
// colours (.streamlit/config.toml) works it out, read from a chart it drew. It replaces the figure's own
// template, as st.plotly_chart's did (the figures set their own fonts and colours where they matter) and fills
// in the rest: grey tick labels, faint ticks and grid, margins that grow to fit the labels, the title's font.
const GREY = '#808495';
const FAINT = '#e6eaf1';
const SANS = '"Source Sans", sans-serif';
const AXIS = {
  automargin: true,
  gridcolor: FAINT,
  zerolinecolor: FAINT,
  tickcolor: FAINT,
  tickfont: { color: GREY, size: 12 },
};
const AXIS_TITLE = { font: { color: GREY, size: 14 } };
export const THEME = {
  layout: {
    font: { color: GREY, family: SANS, size: 12, weight: 400 },
    title: { font: { family: SANS, size: 16, color: '#111318' }, pad: { l: 4 }, xanchor: 'left', x: 0 },
    legend: { bordercolor: 'transparent', borderwidth: 0, font: { size: 12, color: '#262730' } },
    paper_bgcolor: '#FFFFFF',
    plot_bgcolor: '#FFFFFF',
    xaxis: { ...AXIS, showgrid: false, zeroline: false, title: { ...AXIS_TITLE, standoff: 20 } },
    yaxis: { ...AXIS, ticklabelposition: 'outside', title: { ...AXIS_TITLE, standoff: 24 } },
    margin: { pad: 8, r: 0, l: 0 },
    hoverlabel: { bgcolor: '#FFFFFF', bordercolor: 'rgba(17, 19, 24, 0.2)', font: { color: GREY, family: SANS, size: 12 } },
  },
};

let loading = null; // the one promise of Plotly per tab

function plotly(url) {
  if (globalThis.Plotly) return Promise.resolve(globalThis.Plotly);
  if (loading === null) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = url;
      script.async = true;
      script.onload = () => resolve(globalThis.Plotly);
      script.onerror = () => {
        loading = null;
        reject(new Error('could not load ' + url));
      };
      document.head.appendChild(script);
    });
  }
  return loading;
}

// The chart in parentElement, made on the first call: a div for Plotly, then the chart's numbers as a table that
// is not drawn but read aloud (bp-sr-table; the app's own HTML, its texts escaped).
function parts(parentElement) {
  let gd = parentElement.querySelector(':scope > .bp-live-chart');
  let table = parentElement.querySelector(':scope > .bp-sr-table');
  if (!gd) {
    gd = document.createElement('div');
    gd.className = 'bp-live-chart';
    gd.style.width = '100%';
    parentElement.appendChild(gd);
    // Follow the column's width (the sidebar opened or closed); a chart not displayed has no size to take.
    new ResizeObserver(() => {
      if (gd._bpDrawn && globalThis.Plotly && gd.offsetParent !== null) {
        globalThis.Plotly.Plots.resize(gd).catch(() => {});
      }
    }).observe(gd);
  }
  if (!table) {
    table = document.createElement('div');
    table.className = 'bp-sr-table';
    parentElement.appendChild(table);
  }
  return [gd, table];
}

// The charts' figures are drawn one chart per task, page-wide, at background priority (scheduler.postTask,
// else a timer), in the order they came. A run that changes five charts used to draw them all in one stretch of
// the main thread (Plotly.react's promises chain in microtasks): on the Train page, every second of a run, up to
// a quarter of a second in which a click on Pause waited before Streamlit could even send it. Between two
// charts now, the click is handled and sent first.
const waiting = []; // the charts with a figure to draw
let pumping = false;

function later(task) {
  const s = globalThis.scheduler;
  if (s && s.postTask) s.postTask(task, { priority: 'background' });
  else setTimeout(task, 0);
}

function pump() {
  const gd = waiting.shift();
  if (!gd) {
    pumping = false;
    return;
  }
  drawNext(gd).then(() => {
    gd._bpBusy = gd._bpQueued;
    later(pump);
  });
}

function enqueue(gd) {
  gd._bpBusy = true; // read by the tests: a figure is waiting or being drawn
  if (gd._bpQueued) return; // its newest figure (gd._bpNext) is drawn when its turn comes
  gd._bpQueued = true;
  waiting.push(gd);
  if (!pumping) {
    pumping = true;
    later(pump);
  }
}

function drawNext(gd) {
  gd._bpQueued = false; // a figure that arrives while this one is drawn queues the chart again
  const n = gd._bpNext;
  gd._bpNext = null;
  // The figure it shows, at the same height: nothing to draw. Streamlit hands the chart its data again when any
  // of it changed (the text alternative, say), and Plotly.react lays out a whole figure before it finds that
  // nothing did (tens of ms).
  if (n === null || (gd._bpDrawn && n.rev === gd._bpRev && n.height === gd._bpHeight)) return Promise.resolve();
  return plotly(n.plotly)
    .then((P) => {
      const layout = n.figure.layout || {};
      layout.template = THEME;
      delete layout.width; // the column's width, as st.plotly_chart(width="stretch")
      layout.autosize = true;
      layout.height = n.height;
      return P.react(gd, n.figure.data || [], layout, n.config);
    })
    .then(() => {
      gd._bpDrawn = true;
      gd._bpRev = n.rev;
      gd._bpHeight = n.height;
      gd._bpDraws = (gd._bpDraws || 0) + 1;
      if (n.clickable && !gd._bpClicks) {
        gd._bpClicks = true;
        gd.on('plotly_click', (ev) => {
          const p = ev && ev.points && ev.points[0];
          if (p && p.customdata !== undefined) gd._bpTrigger('click', p.customdata);
        });
      }
    })
    .catch((e) => {
      gd.textContent = 'This chart could not be drawn (' + e.message + '); its numbers are in the table after it.';
    });
}

export function draw({ parentElement, setTriggerValue }, d) {
  const [gd, table] = parts(parentElement);
  // (each only when it changed: a write of the same value is a change to the page all the same, for its
  // observers, and a view drawn again with the same figures changes nothing)
  if (gd.getAttribute('role') !== 'figure') gd.setAttribute('role', 'figure');
  if (gd.getAttribute('aria-label') !== d.alt) gd.setAttribute('aria-label', d.alt);
  if (table._bpHtml !== d.table) {
    table.innerHTML = d.table;
    table._bpHtml = d.table;
  }
  if (gd.style.height !== d.height + 'px') gd.style.height = d.height + 'px';
  gd._bpCalls = (gd._bpCalls || 0) + 1; // counts read by the tests: runs that handed the chart a figure,
  if (d.rev !== gd._bpGot) gd._bpChanges = (gd._bpChanges || 0) + 1; // how often it was a new one,
  gd._bpGot = d.rev; // and (drawNext, _bpDraws) how often it was drawn
  gd._bpNext = d; // the newest figure wins: a run that arrives before the chart's turn replaces the one waiting,
  gd._bpTrigger = setTriggerValue; // and a stale one is never drawn after it
  enqueue(gd);
}
