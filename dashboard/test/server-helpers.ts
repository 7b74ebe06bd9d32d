/** Starting the dashboard against a test database, a TCP relay to simulate outages, and an SSE reader. */
import net from 'node:net';
import { createLogger } from '@ticker/common';
import { buildServer, type DashboardServer, type ServerOptions } from '../src/server';
import { TEST_READER, type TestDatabase } from './fixtures';

/** A dashboard server reading `db` as the read-only test reader (the dashboard user may read only `stocks`). */
export async function dashboardFor(
  db: TestDatabase,
  overrides: Partial<ServerOptions> & { clickhouseUrl?: string } = {},
): Promise<DashboardServer> {
  const { clickhouse } = db.config;
  return buildServer({
    clickhouse: {
      url: overrides.clickhouseUrl ?? clickhouse.url,
      user: TEST_READER.user,
      password: TEST_READER.password,
      database: db.name,
      requestTimeoutMs: 5000,
    },
    flinkUrl: db.config.flink.url,
    workerAddress: db.config.worker.address,
    pipelineName: db.config.pipeline.name,
    log: createLogger('dashboard-test', 'silent'),
    stream: { pollIntervalMs: 100, heartbeatMs: 1000, healthIntervalMs: 60_000 },
    // Tests insert and read back at once; the answer cache is tested on its own.
    cacheTtlMs: 0,
    ...overrides,
  });
}

/** A TCP port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP relay to ClickHouse that can be stopped and started on the same port: an outage we control. */
export class Relay {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  async start(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      this.sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export interface SseEvent {
  event: string;
  data: string;
}

/** Reads Server-Sent Events from a URL; `next(name)` waits for the next event of that name. */
export class SseReader {
  private readonly queue: SseEvent[] = [];
  private readonly waiters: (() => void)[] = [];
  private readonly controller = new AbortController();
  readonly comments: string[] = [];
  status = 0;

  static async open(url: string): Promise<SseReader> {
    const reader = new SseReader();
    const res = await fetch(url, { signal: reader.controller.signal, headers: { accept: 'text/event-stream' } });
    reader.status = res.status;
    if (res.body) void reader.pump(res.body);
    return reader;
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          this.parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted by close()
    }
  }

  private parse(frame: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of frame.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length === 0) return;
    this.queue.push({ event, data: data.join('\n') });
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** The next event named `name` (earlier events of other names are skipped), parsed as JSON. */
  async next<T = unknown>(name: string, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.queue.findIndex((e) => e.event === name);
      if (index !== -1) {
        const [found] = this.queue.splice(0, index + 1).slice(-1);
        return JSON.parse((found as SseEvent).data) as T;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no "${name}" event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Events received so far and not yet consumed by next(). */
  pending(): SseEvent[] {
    return [...this.queue];
  }

  close(): void {
    this.controller.abort();
  }
}

const ID_MARK = Buffer.from('{"id":"');
const READY_MARK = Buffer.from('event: ready');

/**
 * A /api/stream client on a raw TCP socket that does not parse JSON (so a test or benchmark can run
 * hundreds of them): it counts the ticks it receives and checks each id against `expectId(n)` for
 * the n-th tick. A stalled client sends the request and never reads a byte.
 */
export class RawStreamClient {
  readonly socket: net.Socket;
  ticks = 0;
  ready = false;
  closed = false;
  /** The first tick whose id differs from the expected one. */
  mismatch: string | undefined;
  private tail = Buffer.alloc(0);

  constructor(
    port: number,
    readonly options: { stalled?: boolean; expectId?: (index: number) => string } = {},
  ) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('connect', () => {
      this.socket.write(`GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`);
      if (options.stalled) this.socket.pause();
    });
    this.socket.on('data', (chunk: Buffer) => this.scan(chunk));
    this.socket.on('close', () => {
      this.closed = true;
    });
    this.socket.on('error', () => {});
  }

  /** The local address the server sees, `127.0.0.1:<port>`. */
  get address(): string {
    return `127.0.0.1:${this.socket.localPort}`;
  }

  private scan(chunk: Buffer): void {
    // A mark or an id can straddle two chunks: the unfinished end of the last one is kept.
    const data = this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk;
    if (!this.ready && data.includes(READY_MARK)) this.ready = true;
    let keepFrom = Math.max(0, data.length - (Math.max(ID_MARK.length, READY_MARK.length) - 1));
    let at = data.indexOf(ID_MARK);
    while (at !== -1) {
      const start = at + ID_MARK.length;
      const end = data.indexOf(0x22, start);
      if (end === -1) {
        keepFrom = at;
        break;
      }
      const id = data.toString('utf8', start, end);
      const expected = this.options.expectId?.(this.ticks);
      if (expected !== undefined && id !== expected && this.mismatch === undefined) {
        this.mismatch = `tick ${this.ticks}: expected ${expected}, got ${id}`;
      }
      this.ticks += 1;
      keepFrom = Math.max(keepFrom, end + 1);
      at = data.indexOf(ID_MARK, end + 1);
    }
    this.tail = Buffer.from(data.subarray(Math.min(keepFrom, data.length)));
  }

  close(): void {
    this.socket.destroy();
  }
}
