// Number and time formatting for the page (en-US, UTC times).

const priceFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const volumeFormat = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const integerFormat = new Intl.NumberFormat('en-US');

/** A price with two decimals, or an en dash. */
export function price(value) {
  return typeof value === 'number' && Number.isFinite(value) ? priceFormat.format(value) : '–';
}

/** A volume, compact (12.3K). */
export function volume(value) {
  return typeof value === 'number' ? volumeFormat.format(value) : '–';
}

/** An integer with separators. */
export function integer(value) {
  return typeof value === 'number' ? integerFormat.format(value) : '–';
}

/** A signed change and percent: "+1.25 (+0.84%)". */
export function change(abs, pct) {
  const sign = abs > 0 ? '+' : abs < 0 ? '−' : '±';
  return `${sign}${priceFormat.format(Math.abs(abs))} (${sign}${Math.abs(pct).toFixed(2)}%)`;
}

/** HH:MM:SS.mmm of an ISO time, in UTC. */
export function clock(iso) {
  return typeof iso === 'string' ? iso.slice(11, 23) : '–';
}

/** A duration in ms as "850 ms", "12.3 s", "4 min", "3 h", "2 d". */
export function duration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '–';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (abs < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (abs < 86_400_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}
