import type { Store, WatchEvent, WatchEventType } from '@ambit/control-plane/store';

/** One change as the console hears of it: enough to know what to refetch, not the object itself. */
export interface ChangeEvent {
  type: WatchEventType;
  kind: string;
  namespace: string;
  name: string;
  resourceVersion: number;
  /** 'status' when only the status subresource changed. */
  subresource: '' | 'status';
}

export interface ChangeFilter {
  kinds?: ReadonlySet<string>;
  namespace?: string;
}

/** A subscriber that falls this far behind is re-read from the store's change log instead of buffered further. */
const MAX_BUFFERED = 1_000;

function toChange(event: WatchEvent): ChangeEvent {
  return {
    type: event.type,
    kind: event.object.kind,
    namespace: event.object.metadata.namespace ?? '',
    name: event.object.metadata.name,
    resourceVersion: event.resourceVersion,
    subresource: event.subresource,
  };
}

function matches(filter: ChangeFilter, change: ChangeEvent): boolean {
  if (filter.kinds && !filter.kinds.has(change.kind)) return false;
  // A Namespace is in itself, as the analysis and kubectl treat it.
  if (filter.namespace !== undefined && (change.kind === 'Namespace' ? change.name : change.namespace) !== filter.namespace) return false;
  return true;
}

/**
 * The store's changes after `fromResourceVersion` that pass the filter, in order, then each new
 * one as it commits, until `signal` aborts. Memory per subscriber is bounded: past MAX_BUFFERED
 * pending events the watch is dropped and reopened from the last event taken, which the store
 * replays from its change log.
 */
export async function* watchChanges(
  store: Store,
  fromResourceVersion: number,
  filter: ChangeFilter,
  signal: AbortSignal,
): AsyncGenerator<ChangeEvent> {
  /** The last resourceVersion taken: buffered, or filtered out. */
  let taken = fromResourceVersion;
  let pending: ChangeEvent[] = [];
  let overflowed = false;
  let wake: (() => void) | undefined;
  const wakeUp = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const listener = (event: WatchEvent) => {
    if (overflowed) return;
    const change = toChange(event);
    if (matches(filter, change)) {
      if (pending.length >= MAX_BUFFERED) {
        overflowed = true;
        wakeUp();
        return;
      }
      pending.push(change);
    }
    taken = event.resourceVersion;
    wakeUp();
  };
  let stop = store.watch(taken, listener);
  signal.addEventListener('abort', wakeUp, { once: true });
  try {
    while (!signal.aborted) {
      if (pending.length > 0) {
        const batch = pending;
        pending = [];
        for (const change of batch) yield change;
      } else if (overflowed) {
        stop();
        overflowed = false;
        stop = store.watch(taken, listener);
      } else {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    }
  } finally {
    stop();
    signal.removeEventListener('abort', wakeUp);
  }
}
