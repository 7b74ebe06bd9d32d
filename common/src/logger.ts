/** Structured logging (pino). Quiet by default: info and above, JSON on stderr. */
import { type DestinationStream, type Logger, pino } from 'pino';

/** A logger for one component, at LOG_LEVEL (default info), writing JSON lines to stderr or `destination` (tests). */
export function createLogger(
  component: string,
  level: string = process.env.LOG_LEVEL ?? 'info',
  destination: DestinationStream = pino.destination(2),
): Logger {
  return pino({ name: component, level, base: { component } }, destination);
}

export type { Logger };
