// Merges bursts of resource changes into one push: a push starts after `quietMs` without new
// changes, or `maxDelayMs` after the first change of the burst, whichever comes first.
import type { ResourceChange } from './resource-source';

export interface DebounceOptions {
  /** Quiet period that ends a burst. Default 100 ms. */
  quietMs: number;
  /** Longest a change waits for its push. Default 1 s. */
  maxDelayMs: number;
}

export const DEFAULT_DEBOUNCE: DebounceOptions = { quietMs: 100, maxDelayMs: 1000 };

/** One merged batch of changes. */
export interface PendingPush {
  /** Per type URL: every proxy, or only the proxies with these node ids. */
  readonly scopes: ReadonlyMap<string, 'all' | ReadonlySet<string>>;
  /** Date.now() of the burst's first change; convergence is measured from here. */
  readonly firstChangeAt: number;
}

export class PushDebouncer {
  private scopes = new Map<string, 'all' | Set<string>>();
  private firstChangeAt = 0;
  private quietTimer: NodeJS.Timeout | undefined;
  private maxTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: DebounceOptions,
    private readonly onPush: (push: PendingPush) => void,
  ) {}

  add(change: ResourceChange): void {
    if (change.typeUrls.size === 0) return;
    if (this.scopes.size === 0) {
      this.firstChangeAt = Date.now();
      this.maxTimer = setTimeout(() => this.flush(), this.options.maxDelayMs);
      this.maxTimer.unref();
    }
    const proxies = change.proxies ?? 'all';
    for (const typeUrl of change.typeUrls) {
      const scope = this.scopes.get(typeUrl);
      if (scope === 'all') continue;
      if (proxies === 'all') this.scopes.set(typeUrl, 'all');
      else if (scope) for (const id of proxies) scope.add(id);
      else this.scopes.set(typeUrl, new Set(proxies));
    }
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.flush(), this.options.quietMs);
    this.quietTimer.unref();
  }

  /** Pushes whatever is pending now. */
  flush(): void {
    this.clearTimers();
    if (this.scopes.size === 0) return;
    const push: PendingPush = { scopes: this.scopes, firstChangeAt: this.firstChangeAt };
    this.scopes = new Map();
    this.onPush(push);
  }

  /** Drops pending changes and timers. */
  close(): void {
    this.clearTimers();
    this.scopes = new Map();
  }

  private clearTimers(): void {
    clearTimeout(this.quietTimer);
    clearTimeout(this.maxTimer);
    this.quietTimer = undefined;
    this.maxTimer = undefined;
  }
}
