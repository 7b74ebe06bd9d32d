/**
 * The dashboard's ClickHouse connection (as the read-only user) and the
 * translation of its failures into HTTP answers: ClickHouse unreachable, or
 * the database/tables missing, is 503 naming ClickHouse and its URL.
 */
import { type ClickHouseClient, ClickHouseError, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { ZodError } from 'zod';

export interface ClickHouseOptions {
  url: string;
  user: string;
  password: string;
  database: string;
  /** Per-request timeout; a hung server becomes a 503 instead of a hung request. */
  requestTimeoutMs?: number;
}

/** A client for the dashboard's database. Sends no settings: the read-only profile refuses them on 18.16. */
export function createDashboardClient(options: ClickHouseOptions): ClickHouseClient {
  return createClient({
    url: options.url,
    username: options.user,
    password: options.password,
    // `database` becomes ?database= (18.16 ignores the X-ClickHouse-Database header).
    database: options.database,
    request_timeout: options.requestTimeoutMs ?? 10_000,
    compression: { request: false, response: false },
    keep_alive: { enabled: true },
    max_open_connections: 16,
    // Failures are classified and logged by the server (one line, naming ClickHouse); the client's own logs would repeat them.
    log: { level: ClickHouseLogLevel.OFF },
  });
}

/** ClickHouse error codes that mean "not there yet" (service or schema), not a bug in a query. */
const unavailableCodes = new Set([
  '81', // UNKNOWN_DATABASE
  '60', // UNKNOWN_TABLE
  '192', // UNKNOWN_USER
  '193', // WRONG_PASSWORD
  '194', // REQUIRED_PASSWORD
  '516', // AUTHENTICATION_FAILED
  '159', // TIMEOUT_EXCEEDED
  '202', // TOO_MANY_SIMULTANEOUS_QUERIES
  '241', // MEMORY_LIMIT_EXCEEDED
]);

/** The failure of a ClickHouse call, ready to be sent as an HTTP answer naming ClickHouse at `url`. */
export class ClickHouseUnavailableError extends Error {
  override readonly name = 'ClickHouseUnavailableError';
  readonly statusCode = 503;
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(message);
  }
}

/**
 * The server's error code and message, if `error` is an answer from ClickHouse.
 * The client parses only the current error text ("... (TYPE)"); 18.16 answers
 * "Code: 81, e.displayText() = DB::Exception: ..., e.what() = DB::Exception".
 */
function serverError(error: unknown): { code: string; message: string } | undefined {
  if (error instanceof ClickHouseError) return { code: error.code, message: error.message };
  if (!(error instanceof Error)) return undefined;
  const old = /^Code: (\d+), e\.displayText\(\) = (?:DB::Exception: )?(.*?)(?:, e\.what\(\) = .*)?$/s.exec(
    error.message,
  );
  return old ? { code: old[1] as string, message: (old[2] as string).trim() } : undefined;
}

/** Classifies an error from the ClickHouse client: 503 for unavailability, the error itself otherwise. */
export function classifyClickHouseError(error: unknown, url: string, database: string): Error {
  if (error instanceof ClickHouseUnavailableError) return error;
  const server = serverError(error);
  if (server !== undefined) {
    if (unavailableCodes.has(server.code)) {
      const hint = server.code === '81' || server.code === '60' ? ' (run `npm run db:migrate`)' : '';
      return new ClickHouseUnavailableError(
        `ClickHouse at ${url} (database ${database}) cannot answer${hint}: ${firstLine(server.message)}`,
        url,
      );
    }
    return error as Error;
  }
  // A row that does not match its schema is our bug, not an outage.
  if (error instanceof ZodError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ClickHouseUnavailableError(
    `ClickHouse at ${url} is unreachable: ${firstLine(message) || 'no answer'}`,
    url,
  );
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}
