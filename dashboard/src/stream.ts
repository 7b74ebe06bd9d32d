/**
 * The live feed behind /api/stream: ONE poller per process reads what landed
 * in ClickHouse since its watermarks and fans each batch out to every
 * connected Server-Sent-Events client, so the page never polls and the load
 * on ClickHouse does not grow with the number of viewers.
 *
 * ClickHouse 18.16 has no insertion-time column, so "new" is found by event
 * time: each poll reads ticks from (newest tick seen − lateness) on and drops
 * ids already sent. A tick that lands more than `latenessMs` behind the newest
 * tick already seen is not pushed (it still shows in every REST answer).
 * Candles and alerts are re-read for the last few minutes and pushed when
 * their row changed (a window that fires again with more ticks).
 *
 * The poller runs only while someone is connected. A client first gets
 * `ready` once the feed has primed its watermarks; rows that land after that
 * are pushed to it.
 */
import type { ServerResponse } from 'node:http';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '@ticker/common';
import type { AlertEvent, CandleEvent, PipelineHealth, TickEvent } from './answers';
import {
  type AlertRow,
  alertsSince,
  type CandleRow,
  candlesSince,
  newestCandleMs,
  newestTickMs,
  type TickRow,
  ticksSince,
} from './queries';

export interface LiveFeedOptions {
  clickhouse: ClickHouseClient;
  /** Turns a ClickHouse failure into the message clients see. */
  describeError: (error: unknown) => string;
  /** Produces the pipeline health pushed as `health` events. */
  checkHealth: () => Promise<PipelineHealth>;
  /** Where poll and client failures (and dropped slow clients) are reported. */
  log: Pick<Logger, 'warn'>;
  pollIntervalMs?: number;
  latenessMs?: number;
  heartbeatMs?: number;
  healthIntervalMs?: number;
  /** How many ticks one query reads; a poll reads pages until it has caught up. */
  pageSize?: number;
  /** When a client that does not read is dropped (see SlowClientPolicy). */
  slowClients?: Partial<SlowClientPolicy>;
}

/**
 * A client whose unsent output (what the kernel's socket buffers could not take) is above
 * `maxBufferedBytes` at `strikes` writes in a row is too slow to follow and is disconnected, so one
 * stalled browser costs at most about `maxBufferedBytes` plus a few frames of server memory. A
 * reader that is merely behind for a moment (one large frame) drains below the bound and is kept.
 */
export interface SlowClientPolicy {
  maxBufferedBytes: number;
  strikes: number;
}

export const DEFAULT_SLOW_CLIENT_POLICY: SlowClientPolicy = { maxBufferedBytes: 1024 * 1024, strikes: 3 };

/** A tick row as the API and the stream send it. */
export function tickEvent(row: TickRow): TickEvent {
  return { id: row.id, symbol: row.symbol, price: row.price, volume: row.volume, ts: new Date(row.ms).toISOString() };
}

/** A candle row as the API and the stream send it. */
export function candleEvent(row: CandleRow): CandleEvent {
  return {
    symbol: row.symbol,
    start: new Date(row.start_ms).toISOString(),
    open: row.open,
    high: row.high,
    low: row.low,
    close: row.close,
    volume: row.volume,
    vwap: row.vwap,
    ticks: row.ticks,
  };
}

/** An alert row as the API and the stream send it. */
export function alertEvent(row: AlertRow): AlertEvent {
  return {
    symbol: row.symbol,
    start: new Date(row.start_ms).toISOString(),
    direction: row.direction,
    movePct: row.move_pct,
    open: row.open,
    close: row.close,
    thresholdPct: row.threshold_pct,
  };
}

/** Candles and alerts are re-read for this long before the newest one seen. */
const WINDOW_LOOKBACK_MS = 3 * 60_000;
/** How many pages of ticks one poll reads at most before yielding. */
const MAX_PAGES_PER_POLL = 20;

interface Client {
  res: ServerResponse;
  ready: boolean;
  /** Writes in a row that found the client's unsent output above the bound. */
  strikes: number;
}

/** One process's poller and its SSE clients. */
export class LiveFeed {
  private readonly clients = new Set<Client>();
  private readonly pollIntervalMs: number;
  private readonly latenessMs: number;
  private readonly heartbeatMs: number;
  private readonly healthIntervalMs: number;
  private readonly pageSize: number;
  private readonly slowClients: SlowClientPolicy;
  /** Clients dropped for not reading, since start. */
  private dropped = 0;

  private primed = false;
  private tickWatermarkMs = 0;
  /** Ids sent, with their time, for the lateness window. */
  private readonly sentTicks = new Map<string, number>();
  private candleWatermarkMs = 0;
  private readonly sentCandles = new Map<string, string>();
  private alertWatermarkMs = 0;
  private readonly sentAlerts = new Map<string, string>();

  private pollTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private clickhouseDown: string | null = null;
  private lastHealth: PipelineHealth | null = null;
  private closed = false;

  constructor(private readonly options: LiveFeedOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.latenessMs = options.latenessMs ?? 15_000;
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.healthIntervalMs = options.healthIntervalMs ?? 5000;
    this.pageSize = options.pageSize ?? 5000;
    this.slowClients = { ...DEFAULT_SLOW_CLIENT_POLICY, ...options.slowClients };
  }

  /** Clients disconnected so far for not reading. */
  get droppedClients(): number {
    return this.dropped;
  }

  /** Number of connected clients. */
  get size(): number {
    return this.clients.size;
  }

  /** Takes over an HTTP response as an SSE stream until the client goes away. */
  add(res: ServerResponse): void {
    if (this.closed) {
      res.writeHead(503, { 'Content-Type': 'application/json' }).end('{"error":"Service Unavailable"}');
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    const client: Client = { res, ready: false, strikes: 0 };
    this.clients.add(client);
    res.on('close', () => this.remove(client));
    if (this.clickhouseDown !== null) this.send(client, 'status', { clickhouse: 'down', message: this.clickhouseDown });
    if (this.lastHealth !== null) this.send(client, 'health', this.lastHealth);
    if (this.primed) this.markReady(client);
    if (this.clients.size === 1) this.start();
  }

  /** Ends every stream and stops the poller (server shutdown). */
  close(): void {
    this.closed = true;
    for (const client of this.clients) client.res.end();
    this.clients.clear();
    this.stop();
  }

  private remove(client: Client): void {
    if (!this.clients.delete(client)) return;
    if (this.clients.size === 0) this.stop();
  }

  private start(): void {
    this.heartbeatTimer = setInterval(() => this.broadcastRaw(': ping\n\n'), this.heartbeatMs);
    this.healthTimer = setInterval(() => void this.pushHealth(), this.healthIntervalMs);
    void this.pushHealth();
    this.schedulePoll(0);
  }

  /** Stops polling; the next client starts afresh (watermarks are re-primed). */
  private stop(): void {
    clearTimeout(this.pollTimer);
    clearInterval(this.heartbeatTimer);
    clearInterval(this.healthTimer);
    this.pollTimer = this.heartbeatTimer = this.healthTimer = undefined;
    this.primed = false;
    this.sentTicks.clear();
    this.sentCandles.clear();
    this.sentAlerts.clear();
  }

  private schedulePoll(delayMs: number): void {
    if (this.clients.size === 0 || this.closed) return;
    this.pollTimer = setTimeout(() => void this.poll(), delayMs);
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      if (!this.primed) await this.prime();
      else await Promise.all([this.pollTicks(), this.pollCandles(), this.pollAlerts()]);
      if (this.clickhouseDown !== null) {
        this.clickhouseDown = null;
        this.broadcast('status', { clickhouse: 'up' });
      }
    } catch (error) {
      const message = this.options.describeError(error);
      if (this.clickhouseDown !== message) {
        this.options.log.warn({ err: error }, 'live feed poll failed');
        this.clickhouseDown = message;
        this.broadcast('status', { clickhouse: 'down', message });
      }
    } finally {
      this.polling = false;
      this.schedulePoll(this.pollIntervalMs);
    }
  }

  /** Sets the watermarks to what is already there, so only later rows are pushed. */
  private async prime(): Promise<void> {
    const { clickhouse } = this.options;
    const [newestTick, newestCandle] = await Promise.all([newestTickMs(clickhouse), newestCandleMs(clickhouse)]);
    this.tickWatermarkMs = newestTick ?? 0;
    this.candleWatermarkMs = newestCandle ?? 0;
    this.alertWatermarkMs = newestCandle ?? 0;
    // Everything already stored counts as sent.
    await Promise.all([this.pollTicks(false), this.pollCandles(false), this.pollAlerts(false)]);
    this.primed = true;
    for (const client of this.clients) if (!client.ready) this.markReady(client);
  }

  private markReady(client: Client): void {
    client.ready = true;
    this.send(client, 'ready', {
      newestTickTs: this.tickWatermarkMs > 0 ? new Date(this.tickWatermarkMs).toISOString() : null,
    });
  }

  private async pollTicks(emit = true): Promise<void> {
    let from = Math.max(0, this.tickWatermarkMs - this.latenessMs);
    const fresh: TickRow[] = [];
    for (let page = 0; page < MAX_PAGES_PER_POLL; page += 1) {
      const rows = await ticksSince(this.options.clickhouse, from, this.pageSize);
      for (const row of rows) {
        if (this.sentTicks.has(row.id)) continue;
        this.sentTicks.set(row.id, row.ms);
        fresh.push(row);
        if (row.ms > this.tickWatermarkMs) this.tickWatermarkMs = row.ms;
      }
      const last = rows.at(-1);
      if (rows.length < this.pageSize || last === undefined) break;
      // A full page: continue after it (+1 ms guarantees progress on a page of equal times).
      from = last.ms > from ? last.ms : from + 1;
    }
    const horizon = this.tickWatermarkMs - this.latenessMs;
    for (const [id, ms] of this.sentTicks) if (ms < horizon) this.sentTicks.delete(id);
    if (emit && fresh.length > 0) {
      fresh.sort((a, b) => a.ms - b.ms || (a.id < b.id ? -1 : 1));
      this.broadcast('ticks', fresh.map(tickEvent));
    }
  }

  private async pollCandles(emit = true): Promise<void> {
    const rows = await candlesSince(this.options.clickhouse, Math.max(0, this.candleWatermarkMs - WINDOW_LOOKBACK_MS));
    const changed = this.changedWindows(rows, this.sentCandles, (r) => `${r.ticks}|${r.close}|${r.high}|${r.low}`);
    for (const row of rows) this.candleWatermarkMs = Math.max(this.candleWatermarkMs, row.start_ms);
    prune(this.sentCandles, this.candleWatermarkMs - 2 * WINDOW_LOOKBACK_MS);
    if (emit && changed.length > 0) this.broadcast('candles', changed.map(candleEvent));
  }

  private async pollAlerts(emit = true): Promise<void> {
    const rows = await alertsSince(this.options.clickhouse, Math.max(0, this.alertWatermarkMs - WINDOW_LOOKBACK_MS));
    const changed = this.changedWindows(rows, this.sentAlerts, (r) => `${r.direction}|${r.move_pct}`);
    for (const row of rows) this.alertWatermarkMs = Math.max(this.alertWatermarkMs, row.start_ms);
    prune(this.sentAlerts, this.alertWatermarkMs - 2 * WINDOW_LOOKBACK_MS);
    if (emit && changed.length > 0) this.broadcast('alerts', changed.map(alertEvent));
  }

  /** Rows whose (symbol, window) is new or whose signature changed since last sent. */
  private changedWindows<R extends { symbol: string; start_ms: number }>(
    rows: R[],
    sent: Map<string, string>,
    signature: (row: R) => string,
  ): R[] {
    const changed: R[] = [];
    for (const row of rows) {
      const key = `${row.start_ms}|${row.symbol}`;
      const sig = signature(row);
      if (sent.get(key) === sig) continue;
      sent.set(key, sig);
      changed.push(row);
    }
    return changed;
  }

  private async pushHealth(): Promise<void> {
    try {
      this.lastHealth = await this.options.checkHealth();
      this.broadcast('health', this.lastHealth);
    } catch (error) {
      this.options.log.warn({ err: error }, 'health check failed');
    }
  }

  private broadcast(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    // Encoded once for every client (a frame can be hundreds of KB and go to a thousand clients).
    const frame = Buffer.from(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    // Before `ready` a client only gets status and health, never data it could not place.
    const dataEvent = event === 'ticks' || event === 'candles' || event === 'alerts';
    for (const client of this.clients) if (client.ready || !dataEvent) this.write(client, frame);
  }

  private broadcastRaw(frame: string | Buffer): void {
    for (const client of this.clients) this.write(client, frame);
  }

  private send(client: Client, event: string, data: unknown): void {
    this.write(client, `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private write(client: Client, frame: string | Buffer): void {
    const buffered = client.res.writableLength;
    client.strikes = buffered > this.slowClients.maxBufferedBytes ? client.strikes + 1 : 0;
    if (client.strikes >= this.slowClients.strikes) {
      this.dropped += 1;
      const socket = client.res.socket;
      this.options.log.warn(
        {
          client: socket ? `${socket.remoteAddress}:${socket.remotePort}` : 'unknown',
          bufferedBytes: buffered,
          strikes: client.strikes,
          clientsLeft: this.clients.size - 1,
        },
        'SSE client not reading: disconnected',
      );
      client.res.destroy();
      this.remove(client);
      return;
    }
    client.res.write(frame);
  }
}

function prune(sent: Map<string, string>, beforeMs: number): void {
  for (const key of sent.keys()) if (Number(key.split('|')[0]) < beforeMs) sent.delete(key);
}
