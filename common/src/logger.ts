/** Structured logging (pino). Quiet by default: info and above, JSON on stderr. */
import { type Logger, pino } from 'pino';

/** A logger for one component, at LOG_LEVEL (default info). */
export function createLogger(component: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name: component, level, base: { component } }, pino.destination(2));
}

export type { Logger };
