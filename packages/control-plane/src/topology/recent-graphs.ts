/**
 * Graphs built in the last moment, shared: the console's graph and its side panel ask for the same graph at once, and
 * every viewer of the page asks again each refresh. A graph is reused only for the same request over the very same
 * registry snapshot (the registry makes a new one on every change) and only for `lifetimeMs` after its build began, so
 * a live view is never staler than that; a build in flight is shared too, and a failed one is forgotten at once.
 */
export interface RecentGraphsOptions {
  /** How long a build's result is reused, from when the build began. */
  lifetimeMs: number;
  /** At most this many requests kept (distinct windows, graph types, replay times). */
  maxEntries: number;
  now?: () => number;
}

interface Entry<T> {
  snapshot: object;
  madeAt: number;
  value: Promise<T>;
}

export class RecentGraphs<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly now: () => number;

  constructor(private readonly options: RecentGraphsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The graph for `key` over `snapshot`: one built less than the lifetime ago, else `build()`'s, kept for the next ask. */
  get(key: string, snapshot: object, build: () => Promise<T>): Promise<T> {
    const now = this.now();
    const kept = this.entries.get(key);
    if (kept && kept.snapshot === snapshot && now - kept.madeAt < this.options.lifetimeMs) return kept.value;
    this.forgetExpired(now);
    const value = build();
    const entry: Entry<T> = { snapshot, madeAt: now, value };
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  /** How many graphs are kept (for tests). */
  get size(): number {
    return this.entries.size;
  }

  private forgetExpired(now: number): void {
    for (const [key, entry] of this.entries) if (now - entry.madeAt >= this.options.lifetimeMs) this.entries.delete(key);
  }
}
