/**
 * Reuse of API answers: identical requests in flight share one ClickHouse
 * query, and an answer is served for `ttlMs`. After that it is still served
 * for up to `staleMs` more while ONE background refresh runs, so under
 * steady traffic no request waits for ClickHouse (stale-while-revalidate).
 * A failed refresh drops the answer: the next request asks ClickHouse itself
 * and sees the error (503), so an outage is never hidden for long.
 */

interface Entry {
  value: Promise<unknown>;
  /** When the value resolved; null while it is pending. */
  settledAt: number | null;
  refreshing: boolean;
}

/** A small keyed cache of answer promises. */
export class AnswerCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly staleMs: number = ttlMs * 4,
    private readonly maxEntries = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The answer for `key`, loading it with `load` when there is none that may be served. */
  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      if (entry.settledAt === null) return entry.value as Promise<T>;
      const age = this.now() - entry.settledAt;
      if (age < this.ttlMs) return entry.value as Promise<T>;
      if (age < this.ttlMs + this.staleMs) {
        if (!entry.refreshing) {
          entry.refreshing = true;
          this.start(key, load, true);
        }
        return entry.value as Promise<T>;
      }
    }
    return this.start(key, load, false);
  }

  private start<T>(key: string, load: () => Promise<T>, background: boolean): Promise<T> {
    // Keys come from validated parameters; still, never let the map grow without bound.
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) this.entries.clear();
    const value = load();
    const fresh: Entry = { value, settledAt: null, refreshing: false };
    if (!background) this.entries.set(key, fresh);
    value.then(
      () => {
        fresh.settledAt = this.now();
        this.entries.set(key, fresh);
      },
      () => {
        const current = this.entries.get(key);
        if (current === fresh || background) this.entries.delete(key);
      },
    );
    return value;
  }
}
