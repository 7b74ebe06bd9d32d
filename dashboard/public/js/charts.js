// The two charts: a live price line and 1-minute candles, for one symbol at a time.
// Chart.js, its date-fns adapter and the financial charts are loaded as classic
// scripts (window.Chart) before this module runs.

const { Chart } = window;

const grid = { color: 'rgba(139, 152, 168, 0.15)' };
const ticks = { color: '#8b98a8', maxRotation: 0, autoSkipPadding: 16 };
Chart.defaults.color = '#8b98a8';
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

function timeScale() {
  return {
    type: 'time',
    time: { tooltipFormat: 'HH:mm:ss.SSS', displayFormats: { second: 'HH:mm:ss', minute: 'HH:mm', hour: 'HH:mm' } },
    grid,
    ticks,
  };
}

/** The line chart of every tick's price. */
export function createLineChart(canvas) {
  return new Chart(canvas, {
    type: 'line',
    data: {
      datasets: [
        {
          label: 'price',
          data: [],
          borderColor: '#4ea1ff',
          backgroundColor: 'rgba(78, 161, 255, 0.12)',
          fill: true,
          borderWidth: 1.5,
          pointRadius: 0,
          tension: 0,
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      plugins: { legend: { display: false } },
      scales: { x: timeScale(), y: { grid, ticks } },
    },
  });
}

/** The candlestick chart (chartjs-chart-financial). */
export function createCandleChart(canvas) {
  return new Chart(canvas, {
    type: 'candlestick',
    data: {
      datasets: [
        {
          label: '1m',
          data: [],
          backgroundColors: { up: '#2fbf71', down: '#f0524f', unchanged: '#8b98a8' },
          borderColors: { up: '#2fbf71', down: '#f0524f', unchanged: '#8b98a8' },
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { x: { ...timeScale(), offset: true }, y: { grid, ticks } },
    },
  });
}

/** Replaces the line's points ({x: ms, y: price}). */
export function setLine(chart, points) {
  chart.data.datasets[0].data = points;
  chart.update('none');
}

/** Appends points, drops those older than `windowMs` before the newest, redraws. */
export function appendLine(chart, points, windowMs) {
  const data = chart.data.datasets[0].data;
  for (const p of points) data.push(p);
  data.sort((a, b) => a.x - b.x);
  const horizon = (data.at(-1)?.x ?? 0) - windowMs;
  let drop = 0;
  while (drop < data.length && data[drop].x < horizon) drop += 1;
  if (drop > 0) data.splice(0, drop);
  chart.update('none');
}

/** Replaces the candles ({x: ms, o, h, l, c}). */
export function setCandles(chart, candles) {
  chart.data.datasets[0].data = candles;
  chart.update('none');
}

/** Inserts or replaces candles by start time, keeps `max` newest, redraws. */
export function upsertCandles(chart, candles, max) {
  const data = chart.data.datasets[0].data;
  for (const c of candles) {
    const i = data.findIndex((d) => d.x === c.x);
    if (i >= 0) data[i] = c;
    else data.push(c);
  }
  data.sort((a, b) => a.x - b.x);
  if (data.length > max) data.splice(0, data.length - max);
  chart.update('none');
}
