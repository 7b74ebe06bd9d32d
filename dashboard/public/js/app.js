// The dashboard page: loads the current state over the JSON API once, then
// follows /api/stream (Server-Sent Events) — the page never polls.
import { appendLine, createCandleChart, createLineChart, setCandles, setLine, upsertCandles } from './charts.js';
import * as fmt from './format.js';

const LINE_MINUTES = 15;
const CANDLE_MINUTES = 60;
const STATS_MINUTES = 5;
const RECENT_ROWS = 25;
const ALERT_ROWS = 20;
/** Stats are recomputed by ClickHouse at most this often while ticks stream in. */
const STATS_REFRESH_MS = 5000;

const $ = (id) => document.getElementById(id);

const state = {
  /** symbol -> { price, ts, dayOpen, dayOpenTs, change, changePct } */
  latest: new Map(),
  selected: null,
  recent: [],
  alerts: [],
  problems: { server: null, clickhouse: null, pipeline: null },
  statsTimer: null,
  lastStatsAt: 0,
  ticksReceived: 0,
};

const lineChart = createLineChart($('line-chart'));
const candleChart = createCandleChart($('candle-chart'));
// For the browser test and for poking around in the console.
window.dashboard = { state, lineChart, candleChart };

/** GET a JSON API route; a 503 names the unavailable service in the banner. */
async function api(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const message = body.message ?? `${path} answered HTTP ${res.status}`;
    if (res.status === 503) setProblem('clickhouse', message);
    throw new Error(message);
  }
  return body;
}

// ---- banner -----------------------------------------------------------------

function setProblem(kind, message) {
  state.problems[kind] = message;
  const { server, clickhouse, pipeline } = state.problems;
  const banner = $('banner');
  const text = server ?? clickhouse ?? pipeline;
  banner.hidden = text === null;
  banner.textContent = text ?? '';
  banner.classList.toggle('warning', server === null && clickhouse === null && pipeline !== null);
}

// ---- price cards --------------------------------------------------------------

function renderCards() {
  const cards = $('cards');
  const symbols = [...state.latest.keys()].sort();
  $('empty').hidden = symbols.length > 0;
  for (const symbol of symbols) {
    let card = cards.querySelector(`[data-symbol="${symbol}"]`);
    if (!card) {
      card = document.createElement('button');
      card.type = 'button';
      card.className = 'card';
      card.dataset.symbol = symbol;
      card.innerHTML = '<span class="symbol"></span><span class="price"></span><span class="change"></span>';
      card.querySelector('.symbol').textContent = symbol;
      card.addEventListener('click', () => select(symbol));
      const after = [...cards.children].find((c) => c.dataset.symbol > symbol);
      cards.insertBefore(card, after ?? null);
    }
    updateCard(card, state.latest.get(symbol));
  }
}

function updateCard(card, quote) {
  card.querySelector('.price').textContent = fmt.price(quote.price);
  card.querySelector('.change').textContent = fmt.change(quote.change, quote.changePct);
  card.classList.toggle('up', quote.change > 0);
  card.classList.toggle('down', quote.change < 0);
  card.setAttribute('aria-pressed', String(card.dataset.symbol === state.selected));
  card.setAttribute(
    'aria-label',
    `${card.dataset.symbol}: ${fmt.price(quote.price)}, ${fmt.change(quote.change, quote.changePct)} today`,
  );
}

function flashCard(symbol) {
  const card = $('cards').querySelector(`[data-symbol="${symbol}"]`);
  if (!card) return;
  card.classList.remove('flash');
  void card.offsetWidth; // restart the animation
  card.classList.add('flash');
}

/** Applies a streamed tick to its symbol's quote (change is against the first tick of the tick's UTC day). */
function applyTick(tick) {
  const quote = state.latest.get(tick.symbol);
  if (quote && tick.ts < quote.ts) return; // late tick: the card already shows a newer price
  const sameDay = quote && quote.dayOpenTs.slice(0, 10) === tick.ts.slice(0, 10);
  const dayOpen = sameDay ? quote.dayOpen : tick.price;
  const change = tick.price - dayOpen;
  state.latest.set(tick.symbol, {
    price: tick.price,
    ts: tick.ts,
    dayOpen,
    dayOpenTs: sameDay ? quote.dayOpenTs : tick.ts,
    change,
    changePct: dayOpen === 0 ? 0 : (change / dayOpen) * 100,
  });
}

// ---- selection and charts -----------------------------------------------------

async function select(symbol) {
  state.selected = symbol;
  if (location.hash !== `#${symbol}`) history.replaceState(null, '', `#${symbol}`);
  $('line-symbol').textContent = symbol ? `· ${symbol}` : '';
  $('candle-symbol').textContent = symbol ? `· ${symbol}` : '';
  for (const card of $('cards').children) card.setAttribute('aria-pressed', String(card.dataset.symbol === symbol));
  if (!symbol) return;
  const [line, candles] = await Promise.all([
    api(`/api/history?symbol=${encodeURIComponent(symbol)}&minutes=${LINE_MINUTES}`),
    api(`/api/candles?symbol=${encodeURIComponent(symbol)}&minutes=${CANDLE_MINUTES}`),
  ]);
  if (state.selected !== symbol) return; // the user clicked on while we loaded
  setLine(
    lineChart,
    line.points.map((p) => ({ x: Date.parse(p.ts), y: p.price })),
  );
  setCandles(candleChart, candles.candles.map(candlePoint));
}

function candlePoint(c) {
  return { x: Date.parse(c.start), o: c.open, h: c.high, l: c.low, c: c.close };
}

// ---- tables -------------------------------------------------------------------

function renderRecent(freshIds = new Set()) {
  const body = $('recent').querySelector('tbody');
  if (state.recent.length === 0) {
    body.innerHTML = '<tr><td colspan="4" class="empty-row">No ticks yet</td></tr>';
    return;
  }
  body.replaceChildren(
    ...state.recent.map((t) => {
      const row = document.createElement('tr');
      if (freshIds.has(t.id)) row.className = 'new';
      row.append(
        cell(fmt.clock(t.ts)),
        cell(t.symbol),
        cell(fmt.price(t.price), 'num'),
        cell(fmt.integer(t.volume), 'num'),
      );
      return row;
    }),
  );
}

function renderStats(stats) {
  const body = $('stats').querySelector('tbody');
  if (stats.symbols.length === 0) {
    body.innerHTML = '<tr><td colspan="7" class="empty-row">No ticks in the window</td></tr>';
    return;
  }
  body.replaceChildren(
    ...stats.symbols.map((s) => {
      const row = document.createElement('tr');
      row.append(
        cell(s.symbol),
        cell(fmt.price(s.min), 'num'),
        cell(fmt.price(s.max), 'num'),
        cell(fmt.price(s.avg), 'num'),
        cell(fmt.price(s.vwap), 'num'),
        cell(fmt.volume(s.volume), 'num'),
        cell(fmt.integer(s.ticks), 'num'),
      );
      return row;
    }),
  );
}

function renderAlerts() {
  const list = $('alerts');
  if (state.alerts.length === 0) {
    list.innerHTML = '<li class="none">No alerts yet</li>';
    return;
  }
  list.replaceChildren(
    ...state.alerts.map((a) => {
      const item = document.createElement('li');
      const up = a.direction === 'up';
      const arrow = document.createElement('span');
      arrow.className = `arrow ${up ? 'up' : 'down'}`;
      arrow.textContent = up ? '▲' : '▼';
      arrow.setAttribute('aria-label', up ? 'up' : 'down');
      const what = document.createElement('span');
      what.textContent = `${a.symbol} ${a.movePct >= 0 ? '+' : '−'}${Math.abs(a.movePct).toFixed(2)}% (${fmt.price(a.open)} → ${fmt.price(a.close)})`;
      const when = document.createElement('span');
      when.className = 'when';
      when.textContent = a.start.slice(11, 16);
      item.append(arrow, what, when);
      return item;
    }),
  );
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

async function refreshStats() {
  state.lastStatsAt = Date.now();
  renderStats(await api(`/api/stats?minutes=${STATS_MINUTES}`));
}

/** Recomputes stats soon after ticks arrive, at most every STATS_REFRESH_MS. */
function scheduleStats() {
  if (state.statsTimer !== null) return;
  const wait = Math.max(0, state.lastStatsAt + STATS_REFRESH_MS - Date.now());
  state.statsTimer = setTimeout(() => {
    state.statsTimer = null;
    refreshStats().catch(() => {});
  }, wait);
}

// ---- pipeline health ------------------------------------------------------------

function setValue(id, text, tone) {
  const el = $(id);
  el.textContent = text;
  el.classList.remove('ok', 'bad', 'warn');
  if (tone) el.classList.add(tone);
}

function renderHealth(h) {
  const latency = h.clickhouse.endToEndLatencyMs;
  setValue('h-latency', fmt.duration(latency), latency === null ? undefined : latency < 5000 ? 'ok' : 'warn');
  setValue('h-rate', h.clickhouse.rowsPerSecond === null ? '–' : h.clickhouse.rowsPerSecond.toFixed(1));
  const job = h.flink.job;
  setValue(
    'h-job',
    h.flink.status === 'down' ? 'unreachable' : (job?.state ?? 'no job'),
    job?.state === 'RUNNING' ? 'ok' : 'bad',
  );
  const age = h.flink.lastCheckpointAgeMs;
  setValue(
    'h-checkpoint',
    age === null ? '–' : `${fmt.duration(age)} ago`,
    age === null ? undefined : age < 60_000 ? 'ok' : 'warn',
  );
  setValue(
    'h-worker',
    h.worker.status === 'down' ? 'unreachable' : h.worker.status,
    h.worker.status === 'SERVING' ? 'ok' : 'bad',
  );

  setProblem('clickhouse', h.clickhouse.status === 'down' ? h.clickhouse.error : null);
  const issues = [];
  if (h.flink.status === 'down') issues.push(h.flink.error);
  else if (job?.state !== 'RUNNING') {
    issues.push(`Flink job of pipeline ${h.pipeline} ${job ? job.state : 'not deployed'} (${h.flink.url})`);
  }
  if (h.worker.status !== 'SERVING') issues.push(h.worker.error ?? `worker ${h.worker.status} (${h.worker.address})`);
  setProblem('pipeline', issues.length > 0 ? `Pipeline degraded — ${issues.join(' · ')}` : null);
}

// ---- loading and streaming ----------------------------------------------------

/** Loads everything the page shows from the JSON API (first load and after a reconnect). */
async function loadAll() {
  const latest = await api('/api/latest');
  state.latest = new Map(latest.symbols.map((s) => [s.symbol, s]));
  $('as-of').textContent = latest.asOf
    ? `Newest tick ${latest.asOf.replace('T', ' ').slice(0, 23)} UTC`
    : 'No data yet';
  const wanted = location.hash.slice(1);
  const symbols = [...state.latest.keys()].sort();
  const selected = state.latest.has(wanted)
    ? wanted
    : state.selected && state.latest.has(state.selected)
      ? state.selected
      : (symbols[0] ?? null);
  renderCards();
  const [recent, alerts] = await Promise.all([
    api(`/api/recent?limit=${RECENT_ROWS}`),
    api(`/api/alerts?limit=${ALERT_ROWS}`),
  ]);
  state.recent = recent.ticks;
  state.alerts = alerts.alerts;
  renderRecent();
  renderAlerts();
  await Promise.all([select(selected), refreshStats()]);
  setProblem('clickhouse', null);
}

function onTicks(ticks) {
  state.ticksReceived += ticks.length;
  for (const t of ticks) applyTick(t);
  renderCards();
  for (const symbol of new Set(ticks.map((t) => t.symbol))) flashCard(symbol);
  if (state.selected === null && state.latest.size > 0) void select([...state.latest.keys()].sort()[0]);
  const mine = ticks.filter((t) => t.symbol === state.selected).map((t) => ({ x: Date.parse(t.ts), y: t.price }));
  if (mine.length > 0) appendLine(lineChart, mine, LINE_MINUTES * 60_000);
  const newestFirst = [...ticks].reverse();
  state.recent = [...newestFirst, ...state.recent].slice(0, RECENT_ROWS);
  renderRecent(new Set(ticks.map((t) => t.id)));
  const newest = ticks.at(-1).ts;
  $('as-of').textContent = `Newest tick ${newest.replace('T', ' ').slice(0, 23)} UTC`;
  scheduleStats();
}

function onCandles(candles) {
  const mine = candles.filter((c) => c.symbol === state.selected).map(candlePoint);
  if (mine.length > 0) upsertCandles(candleChart, mine, CANDLE_MINUTES);
}

function onAlerts(alerts) {
  const key = (a) => `${a.symbol}|${a.start}`;
  const fresh = new Set(alerts.map(key));
  state.alerts = [...[...alerts].reverse(), ...state.alerts.filter((a) => !fresh.has(key(a)))].slice(0, ALERT_ROWS);
  renderAlerts();
}

function connect() {
  const source = new EventSource('/api/stream');
  let readyBefore = false;
  const json = (handler) => (event) => handler(JSON.parse(event.data));
  source.addEventListener('open', () => {
    setProblem('server', null);
    setValue('h-stream', 'live', 'ok');
    $('live-dot').classList.add('on');
  });
  source.addEventListener('ready', () => {
    // After a reconnect, reload so nothing that landed during the gap is missing.
    if (readyBefore) loadAll().catch(() => {});
    readyBefore = true;
  });
  source.addEventListener('ticks', json(onTicks));
  source.addEventListener('candles', json(onCandles));
  source.addEventListener('alerts', json(onAlerts));
  source.addEventListener('health', json(renderHealth));
  source.addEventListener(
    'status',
    json((s) => setProblem('clickhouse', s.clickhouse === 'down' ? s.message : null)),
  );
  source.addEventListener('error', () => {
    setProblem('server', 'Lost the connection to the dashboard server — reconnecting…');
    setValue('h-stream', 'reconnecting', 'bad');
    $('live-dot').classList.remove('on');
  });
}

renderRecent();
renderAlerts();
loadAll().catch((error) => {
  if (state.problems.clickhouse === null) setProblem('server', `Could not load the dashboard: ${error.message}`);
});
connect();
