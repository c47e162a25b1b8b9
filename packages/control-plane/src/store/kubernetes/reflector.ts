/**
 * One kind's list+watch cache, as client-go's reflector keeps it: list (a consistent read), then
 * watch from the list's resourceVersion with bookmarks, so a quiet watch still advances its
 * resourceVersion; when the server says the version is too old (410 Gone, reason Expired — as
 * the HTTP status or as an ERROR event in the stream) list again and diff against the cache;
 * when a watch ends normally (server timeout) watch again from where it was; relist on an
 * interval as a resync. The watch stream uses @kubernetes/client-node's Watch.
 */
import type { KubeObject } from '@ambit/shared';
import { Watch } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { type ApiResource, collectionPath } from './api-resources';
import type { ApiStatus, KubeApi } from './kube-api';

export type ReflectedEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ReflectedEvent {
  type: ReflectedEventType;
  object: KubeObject;
  /** The cached object this one replaces (MODIFIED) or was (DELETED). */
  previous: KubeObject | undefined;
}

export interface ReflectorOptions {
  /** Relist this often even when the watch is healthy; default 10 minutes, 0 = never. */
  resyncIntervalMs?: number;
  /** Wait before watching again after a failed watch; default 1,000 ms. */
  retryMs?: number;
  /** Asked of the server per watch request (it may end the watch sooner); default 300 s. */
  watchTimeoutSeconds?: number;
  logger?: Logger;
}

interface ListBody {
  metadata?: { resourceVersion?: string };
  items?: KubeObject[];
}

function keyOf(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

export class Reflector {
  readonly objects = new Map<string, KubeObject>();
  /** The newest resourceVersion seen (list, event or bookmark): where a new watch starts. */
  resourceVersion = '';
  /** Times the collection was listed (first list, 410s, resyncs). */
  lists = 0;
  /** Watch requests made. */
  watches = 0;
  private readonly watcher: Watch;
  private abort: AbortController | undefined;
  private generation = 0;
  private stopped = false;
  private expired = false;
  private resyncTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly api: KubeApi,
    readonly resource: ApiResource,
    private readonly onEvent: (event: ReflectedEvent) => void,
    private readonly options: ReflectorOptions = {},
  ) {
    this.watcher = new Watch(api.kubeConfig);
  }

  /** Lists, starts watching, and resolves once the cache holds the first list. */
  async start(): Promise<void> {
    await this.list();
    void this.watch();
    const every = this.options.resyncIntervalMs ?? 10 * 60_000;
    if (every > 0) {
      this.resyncTimer = setInterval(() => void this.resync(), every);
      this.resyncTimer.unref();
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.generation++;
    this.abort?.abort();
  }

  /** Relists now and watches again from the new list (what a resync does). */
  async resync(): Promise<void> {
    this.generation++;
    this.abort?.abort();
    try {
      await this.list();
    } catch (error) {
      this.options.logger?.warn({ err: error, kind: this.resource.kind }, 'relist failed; retrying');
    }
    void this.watch();
  }

  private async list(): Promise<void> {
    const body = await this.api.call<ListBody>('GET', collectionPath(this.resource), {}, `list ${this.resource.plural}`);
    this.lists++;
    this.expired = false;
    const seen = new Set<string>();
    for (const item of body.items ?? []) {
      // List items carry no kind or apiVersion; the list's type says what they are.
      const object = { ...item, apiVersion: this.resource.apiVersion, kind: this.resource.kind } as KubeObject;
      const key = keyOf(object);
      seen.add(key);
      this.upsert(key, object);
    }
    for (const [key, object] of this.objects) {
      if (seen.has(key)) continue;
      this.objects.delete(key);
      this.onEvent({ type: 'DELETED', object, previous: object });
    }
    this.resourceVersion = body.metadata?.resourceVersion ?? '';
  }

  private upsert(key: string, object: KubeObject): void {
    const previous = this.objects.get(key);
    if (previous && previous.metadata.resourceVersion === object.metadata.resourceVersion) return;
    this.objects.set(key, object);
    this.onEvent({ type: previous ? 'MODIFIED' : 'ADDED', object, previous });
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    const generation = ++this.generation;
    this.watches++;
    const query = {
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(this.options.watchTimeoutSeconds ?? 300),
    };
    try {
      this.abort = await this.watcher.watch(
        collectionPath(this.resource),
        query,
        (type: string, object: unknown) => {
          if (generation === this.generation) this.handle(type, object);
        },
        (error: unknown) => {
          if (generation === this.generation) void this.watchEnded(error);
        },
      );
      // Stopped (or restarted) while the request waited for its response headers: end it now.
      if (generation !== this.generation) this.abort.abort();
    } catch (error) {
      if (generation === this.generation) void this.watchEnded(error);
    }
  }

  private handle(type: string, raw: unknown): void {
    if (type === 'ERROR') {
      const status = raw as ApiStatus;
      if (status.code === 410) this.expired = true;
      else this.options.logger?.warn({ kind: this.resource.kind, status }, 'watch error event');
      return;
    }
    const object = raw as KubeObject;
    const version = object.metadata?.resourceVersion;
    if (type === 'BOOKMARK') {
      if (version) this.resourceVersion = version;
      return;
    }
    const key = keyOf(object);
    if (type === 'DELETED') {
      const previous = this.objects.get(key);
      this.objects.delete(key);
      this.onEvent({ type: 'DELETED', object, previous });
    } else if (type === 'ADDED' || type === 'MODIFIED') {
      this.upsert(key, object);
    }
    if (version) this.resourceVersion = version;
  }

  private async watchEnded(error: unknown): Promise<void> {
    if (this.stopped) return;
    const status = (error as { statusCode?: number; code?: number } | null)?.statusCode;
    if (this.expired || status === 410) {
      this.options.logger?.info({ kind: this.resource.kind }, 'watch expired (410 Gone); relisting');
      this.generation++;
      try {
        await this.list();
        void this.watch();
      } catch (listError) {
        this.retryLater(listError);
      }
      return;
    }
    if (error) {
      this.retryLater(error);
      return;
    }
    void this.watch();
  }

  private retryLater(error: unknown): void {
    this.options.logger?.warn({ err: error, kind: this.resource.kind }, 'watch failed; retrying');
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      // A failed list left the cache as it was; an empty resourceVersion means: list first.
      if (this.resourceVersion === '' || this.expired) void this.resync();
      else void this.watch();
    }, this.options.retryMs ?? 1_000);
    this.retryTimer.unref();
  }
}
