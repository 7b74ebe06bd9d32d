/** Starting the dashboard against a test database, a TCP relay to simulate outages, and an SSE reader. */
import net from 'node:net';
import { createLogger } from '@ticker/common';
import { buildServer, type DashboardServer, type ServerOptions } from '../src/server';
import type { TestDatabase } from './fixtures';

/** A dashboard server reading `db` as the read-only dashboard user. */
export async function dashboardFor(
  db: TestDatabase,
  overrides: Partial<ServerOptions> & { clickhouseUrl?: string } = {},
): Promise<DashboardServer> {
  const { clickhouse } = db.config;
  return buildServer({
    clickhouse: {
      url: overrides.clickhouseUrl ?? clickhouse.url,
      user: clickhouse.dashboardUser,
      password: clickhouse.dashboardPassword,
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
