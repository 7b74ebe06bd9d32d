/**
 * Small SVG line charts of the soak's samples (no plotting dependency: the
 * files are plain text, diff well and render on GitHub).
 */

export interface Series {
  name: string;
  points: { t: number; v: number }[];
}

export interface Chart {
  title: string;
  yLabel: string;
  series: Series[];
  /** End of warm-up, seconds: shaded. */
  warmupSeconds?: number;
  /** Draws values with this divisor (e.g. MiB). */
  scale?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const W = 820;
const H = 320;
const M = { left: 70, right: 250, top: 34, bottom: 44 };

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A "nice" tick step near range / 5. */
function step(range: number): number {
  if (range <= 0) return 1;
  const raw = range / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const n = raw / magnitude;
  return (n < 1.5 ? 1 : n < 3.5 ? 2 : n < 7.5 ? 5 : 10) * magnitude;
}

function label(value: number): string {
  if (Math.abs(value) >= 1000) return value.toLocaleString('en-US', { maximumFractionDigits: 0 });
  return Number(value.toPrecision(3)).toString();
}

/** Renders one chart as an SVG document; time axis in minutes. */
export function lineChart(chart: Chart): string {
  const scale = chart.scale ?? 1;
  const all = chart.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.v));
  const maxT = Math.max(60, ...all.map((p) => p.t));
  const maxV = Math.max(...all.map((p) => p.v / scale), 0);
  const yStep = step(maxV * 1.05 || 1);
  const yMax = Math.ceil((maxV * 1.05 || 1) / yStep) * yStep;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (t: number) => M.left + (t / maxT) * plotW;
  const y = (v: number) => M.top + plotH - (v / yMax) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    // A title element names the picture for screen readers.
    `<title>${xmlText(chart.title)}</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="20" font-size="13" font-weight="bold">${xmlText(chart.title)}</text>`,
  ];
  if (chart.warmupSeconds !== undefined && chart.warmupSeconds > 0) {
    parts.push(
      `<rect x="${x(0)}" y="${M.top}" width="${x(Math.min(chart.warmupSeconds, maxT)) - x(0)}" height="${plotH}" fill="#eeeeee"/>`,
      `<text x="${x(0) + 4}" y="${M.top + 12}" fill="#777">warm-up</text>`,
    );
  }
  for (let v = 0; v <= yMax + yStep / 2; v += yStep) {
    parts.push(
      `<line x1="${M.left}" x2="${M.left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#dddddd"/>`,
      `<text x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end">${label(v)}</text>`,
    );
  }
  const tStep = step(maxT / 60) * 60;
  for (let t = 0; t <= maxT; t += tStep) {
    parts.push(`<text x="${x(t)}" y="${M.top + plotH + 16}" text-anchor="middle">${label(t / 60)}</text>`);
  }
  parts.push(
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + plotH}" stroke="black"/>`,
    `<line x1="${M.left}" x2="${M.left + plotW}" y1="${M.top + plotH}" y2="${M.top + plotH}" stroke="black"/>`,
    `<text x="${M.left + plotW / 2}" y="${H - 8}" text-anchor="middle">minutes</text>`,
    `<text transform="translate(16 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">${xmlText(chart.yLabel)}</text>`,
  );
  chart.series.forEach((series, i) => {
    const color = COLORS[i % COLORS.length] as string;
    const path = series.points
      .filter((p) => Number.isFinite(p.v))
      .map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v / scale).toFixed(1)}`)
      .join(' ');
    if (path !== '') parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
    const ly = M.top + 10 + i * 16;
    parts.push(
      `<line x1="${W - M.right + 12}" x2="${W - M.right + 32}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${W - M.right + 38}" y="${ly + 4}">${xmlText(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
