/** Per-symbol market parameters for the price model. */

/** How one symbol's price moves: geometric Brownian motion with annualised drift and volatility. */
export interface SymbolSpec {
  symbol: string;
  /** Price of the first tick, in dollars. */
  initialPrice: number;
  /** Annualised drift (mu), e.g. 0.08 = +8% a year in expectation. */
  drift: number;
  /** Annualised volatility (sigma), e.g. 0.25. */
  volatility: number;
}

/** Defaults loosely shaped on real large caps (prices rounded, parameters plausible, not advice). */
export const DEFAULT_SYMBOL_SPECS: readonly SymbolSpec[] = [
  { symbol: 'AAPL', initialPrice: 190, drift: 0.08, volatility: 0.25 },
  { symbol: 'MSFT', initialPrice: 420, drift: 0.1, volatility: 0.22 },
  { symbol: 'GOOG', initialPrice: 170, drift: 0.09, volatility: 0.28 },
  { symbol: 'AMZN', initialPrice: 185, drift: 0.11, volatility: 0.3 },
  { symbol: 'TSLA', initialPrice: 250, drift: 0.05, volatility: 0.6 },
  { symbol: 'NVDA', initialPrice: 120, drift: 0.25, volatility: 0.5 },
  { symbol: 'META', initialPrice: 500, drift: 0.12, volatility: 0.35 },
];

/** The default symbol list, in order. */
export const DEFAULT_SYMBOLS: readonly string[] = DEFAULT_SYMBOL_SPECS.map((s) => s.symbol);

/**
 * The spec for a symbol: the built-in one if known, otherwise a stable
 * made-up one (initial price 20..519 from a hash of the name) so any ticker works.
 */
export function specFor(symbol: string): SymbolSpec {
  const known = DEFAULT_SYMBOL_SPECS.find((s) => s.symbol === symbol);
  if (known) return { ...known };
  let hash = 2166136261;
  for (let i = 0; i < symbol.length; i++) {
    hash = Math.imul(hash ^ symbol.charCodeAt(i), 16777619) >>> 0;
  }
  return { symbol, initialPrice: 20 + (hash % 500), drift: 0.07, volatility: 0.3 };
}
