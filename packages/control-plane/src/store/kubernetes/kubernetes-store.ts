/**
 * The store over a Kubernetes API server: reads come from list+watch caches (one Reflector per
 * kind), writes are server-side apply with the writer's own field manager (STORE_WRITERS: the
 * console, the rollout controller, the waypoint controller; `ambit` when a write names none), status
 * goes through the status subresource.
 *
 * What maps from the SQLite store: objects, metadata.resourceVersion (the API server's, opaque),
 * optimistic concurrency (a document's resourceVersion is sent as a precondition), watch (the
 * informers' events, in the order they arrive, numbered by this process: `watch()` positions and
 * `currentResourceVersion()` are that local sequence, not API resourceVersions, because those
 * may not be compared across kinds). What does not map: history and revert (Kubernetes keeps no
 * revisions; `history()` is empty, `revert()` refuses), and all-or-nothing batches (Kubernetes has
 * no transactions: a batch is first dry-run on the server in full, then applied object by object).
 *
 * Writes are asynchronous (`applyAsync`, `deleteAsync`, `updateStatusAsync`); the synchronous
 * Store methods that write throw, so no caller can mistake a pending HTTP request for a commit.
 */
import { AmbitError, type KubeObject, validateObject } from '@ambit/shared';
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { describeKey, keyOf } from '../sqlite-store';
import type { ApplyResult, ObjectKey, Revision, StatusWriteOptions, Store, StoredObject, WatchEvent, WriteOptions } from '../types';
import { DEFAULT_WRITER } from '../writers';
import { apiResource, objectPath, WATCHED_KINDS } from './api-resources';
import { type ApiStatus, KubeApi, statusError } from './kube-api';
import { type ReflectedEvent, Reflector, type ReflectorOptions } from './reflector';

export interface KubernetesStoreOptions extends ReflectorOptions {
  /** Default: in-cluster service account when running in a pod, else ~/.kube/config (KUBECONFIG). */
  kubeConfig?: KubeConfig;
  /** Kinds to list and watch; default WATCHED_KINDS. */
  kinds?: readonly string[];
  /** Field manager of writes that name no writer; default DEFAULT_WRITER (`ambit`). */
  fieldManager?: string;
  /** Pointing at a cluster Ambit is not in charge of (an existing Istio): every write is refused. */
  readOnly?: boolean;
  /** Watch events kept for `watch(from)` replays; default 10,000. */
  eventLogSize?: number;
  logger?: Logger;
}

export interface KubernetesWriteOptions extends WriteOptions {
  /** Take over fields another field manager owns (server-side apply `force=true`). */
  force?: boolean;
}

/** kubeconfig from the environment: in a pod its service account, else KUBECONFIG or ~/.kube/config. */
export function loadKubeConfig(kubeconfigPath?: string): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else kc.loadFromDefault();
  return kc;
}

/** What changed between two states of an object: `status` when nothing but status and server fields did. */
function subresourceOf(previous: KubeObject | undefined, next: KubeObject): '' | 'status' {
  if (!previous) return '';
  const { status: _a, metadata: m1, ...rest1 } = previous;
  const { status: _b, metadata: m2, ...rest2 } = next;
  const meta = (m: KubeObject['metadata']) => {
    const { resourceVersion: _rv, managedFields: _mf, ...kept } = m as Record<string, unknown>;
    return kept;
  };
  return JSON.stringify([rest1, meta(m1)]) === JSON.stringify([rest2, meta(m2)]) ? 'status' : '';
}

export class KubernetesStore implements Store {
  readonly api: KubeApi;
  private readonly reflectors = new Map<string, Reflector>();
  private readonly log: WatchEvent[] = [];
  private sequence = 0;
  private readonly watchers = new Set<(event: WatchEvent) => void>();
  /** Writes waiting for the caches to show them, by `kind/namespace/name`. */
  private readonly catchingUp = new Map<string, Set<(closing?: boolean) => void>>();
  private readonly fieldManager: string;
  private readonly logSize: number;

  private constructor(private readonly options: KubernetesStoreOptions) {
    this.api = new KubeApi(options.kubeConfig ?? loadKubeConfig());
    this.fieldManager = options.fieldManager ?? DEFAULT_WRITER;
    this.logSize = options.eventLogSize ?? 10_000;
  }

  /** Connects, lists every kind and starts the watches; resolves when the caches hold the first lists. */
  static async open(options: KubernetesStoreOptions = {}): Promise<KubernetesStore> {
    const store = new KubernetesStore(options);
    try {
      await Promise.all((options.kinds ?? WATCHED_KINDS).map((kind) => store.startReflector(kind)));
    } catch (error) {
      store.close();
      throw error;
    }
    return store;
  }

  private async startReflector(kind: string): Promise<void> {
    const reflector = new Reflector(this.api, apiResource(kind), (event) => this.record(event), this.options);
    this.reflectors.set(kind, reflector);
    await reflector.start();
  }

  /** The reflector of a kind (tests and /debug: lists, watches, resourceVersion). */
  reflector(kind: string): Reflector | undefined {
    return this.reflectors.get(kind);
  }

  private record(event: ReflectedEvent): void {
    const watchEvent: WatchEvent = {
      type: event.type,
      object: event.object as StoredObject,
      resourceVersion: ++this.sequence,
      subresource: event.type === 'MODIFIED' ? subresourceOf(event.previous, event.object) : '',
    };
    this.log.push(watchEvent);
    const waiting = this.catchingUp.get(cacheKey(event.object));
    if (waiting) for (const check of [...waiting]) check();
    if (this.log.length > this.logSize) this.log.splice(0, this.log.length - this.logSize);
    for (const listener of this.watchers) {
      try {
        listener(watchEvent);
      } catch {
        // A failing listener must not stop delivery to the others; the listener owns its errors.
      }
    }
  }

  get(key: ObjectKey): StoredObject | undefined {
    return this.reflectors.get(key.kind)?.objects.get(`${key.namespace}/${key.name}`) as StoredObject | undefined;
  }

  list(kind: string, namespace?: string): StoredObject[] {
    const reflector = this.reflectors.get(kind);
    if (!reflector) return [];
    const all = [...reflector.objects.values()] as StoredObject[];
    const picked = namespace === undefined ? all : all.filter((o) => (o.metadata.namespace ?? '') === namespace);
    return picked.sort(
      (a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name),
    );
  }

  currentResourceVersion(): number {
    return this.sequence;
  }

  watch(fromResourceVersion: number, listener: (event: WatchEvent) => void): () => void {
    const oldest = this.log[0]?.resourceVersion ?? this.sequence + 1;
    if (fromResourceVersion < this.sequence && fromResourceVersion + 1 < oldest) {
      throw new AmbitError(
        'Expired',
        `watch position ${fromResourceVersion} is older than the ${this.log.length} events kept (from ${oldest}); list again`,
      );
    }
    for (const event of this.log) if (event.resourceVersion > fromResourceVersion) listener(event);
    this.watchers.add(listener);
    return () => {
      this.watchers.delete(listener);
    };
  }

  /** Watch events arrive on their own; nothing to poll. */
  pollChanges(): void {}

  readonly keepsHistory = false;

  history(_key: ObjectKey): Revision[] {
    return [];
  }

  revert(key: ObjectKey): ApplyResult {
    throw noHistory(key);
  }

  async revertAsync(key: ObjectKey): Promise<ApplyResult> {
    throw noHistory(key);
  }

  apply(): ApplyResult[] {
    throw asyncOnly('apply');
  }

  delete(): StoredObject {
    throw asyncOnly('delete');
  }

  updateStatus(): StoredObject {
    throw asyncOnly('updateStatus');
  }

  /**
   * Server-side apply of each object with the writer's field manager. Every object is checked against
   * Ambit's schemas, then the whole batch is dry-run on the server, so a conflict or an invalid
   * object in it writes nothing (objects in a namespace the batch creates skip the dry run).
   */
  async applyAsync(input: readonly KubeObject[], options: KubernetesWriteOptions): Promise<ApplyResult[]> {
    this.refuseIfReadOnly('apply');
    const objects = input.map((object, document) => validateObject(object, options.locations?.[document] ?? { document }));
    const previews: ApplyResult[] = [];
    const newNamespaces = new Set<string>();
    for (const object of objects) {
      const key = keyOf(object, options.defaultNamespace);
      // An object in a namespace this batch creates cannot be dry-run before the namespace exists.
      if (key.namespace && newNamespaces.has(key.namespace)) continue;
      const preview = await this.applyOne(object, options, true);
      if (key.kind === 'Namespace' && preview.action === 'created') newNamespaces.add(key.name);
      previews.push(preview);
    }
    if (options.dryRun) return previews;
    const results: ApplyResult[] = [];
    for (const object of objects) results.push(await this.applyOne(object, options, false));
    await Promise.all(
      results.map((r) => this.caughtUp(r.key, (cached) => cached?.metadata.resourceVersion === r.object.metadata.resourceVersion)),
    );
    return results;
  }

  private async applyOne(object: KubeObject, options: KubernetesWriteOptions, dryRun: boolean): Promise<ApplyResult> {
    const key = keyOf(object, options.defaultNamespace);
    const resource = apiResource(key.kind);
    const { status: _status, ...body } = object;
    const metadata: Record<string, unknown> = { ...object.metadata, ...(key.namespace ? { namespace: key.namespace } : {}) };
    for (const field of ['uid', 'generation', 'creationTimestamp', 'managedFields', 'selfLink']) delete metadata[field];
    const before = this.get(key);
    const fieldManager = options.writer ?? this.fieldManager;
    const send = (force: boolean) =>
      this.api.send('PATCH', objectPath(resource, key.namespace, key.name), {
        query: { fieldManager, force: force ? 'true' : 'false', ...(dryRun ? { dryRun: 'All' } : {}) },
        // JSON is YAML: the apply content type takes either.
        contentType: 'application/apply-patch+yaml',
        body: { ...body, apiVersion: resource.apiVersion, metadata },
      });
    let response = await send(options.force === true);
    // Before each writer had its own field manager, every Ambit write applied as DEFAULT_WRITER: fields it
    // owns are Ambit's own, so taking them over is what the write meant then (as client-go's csaupgrade does).
    if (response.status === 409 && fieldManager !== DEFAULT_WRITER && onlyConflictsWith(response.body as ApiStatus, DEFAULT_WRITER)) {
      response = await send(true);
    }
    if (response.status < 200 || response.status >= 300) {
      const error = statusError(response.status, response.body as never, `apply ${describeKey(key)}`);
      throw new AmbitError(
        error.code,
        error.message,
        error.details.map((d) => ({ object: describeKey(key), ...d })),
      );
    }
    const stored = response.body as StoredObject;
    const action =
      response.status === 201
        ? 'created'
        : before?.metadata.resourceVersion === stored.metadata.resourceVersion
          ? 'unchanged'
          : 'configured';
    return { key, action, object: stored };
  }

  /** DELETE with the resourceVersion, if given, as a precondition; returns the object as it was deleted. */
  async deleteAsync(key: ObjectKey, options: WriteOptions & { resourceVersion?: string }): Promise<StoredObject> {
    this.refuseIfReadOnly('delete');
    const deleted = await this.api.call<StoredObject>(
      'DELETE',
      objectPath(apiResource(key.kind), key.namespace, key.name),
      {
        ...(options.dryRun ? { query: { dryRun: 'All' } } : {}),
        body: {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          propagationPolicy: 'Background',
          ...(options.resourceVersion !== undefined ? { preconditions: { resourceVersion: options.resourceVersion } } : {}),
        },
      },
      `delete ${describeKey(key)}`,
    );
    // Gone, or (a namespace, an object with finalizers) marked for deletion.
    if (!options.dryRun) await this.caughtUp(key, (cached) => !cached || cached.metadata.deletionTimestamp !== undefined);
    return deleted;
  }

  /** PUT to the status subresource; a resourceVersion, if given, must match (else 409 Conflict). */
  async updateStatusAsync(key: ObjectKey, status: unknown, options: StatusWriteOptions = {}): Promise<StoredObject> {
    this.refuseIfReadOnly('update the status of');
    const existing = this.get(key);
    if (!existing) throw new AmbitError('NotFound', `${describeKey(key)} not found`);
    const body = {
      ...existing,
      metadata: { ...existing.metadata, resourceVersion: options.resourceVersion ?? existing.metadata.resourceVersion },
      status,
    };
    const updated = await this.api.call<StoredObject>(
      'PUT',
      objectPath(apiResource(key.kind), key.namespace, key.name, 'status'),
      { query: { fieldManager: options.writer ?? this.fieldManager }, body },
      `update status of ${describeKey(key)}`,
    );
    await this.caughtUp(key, (cached) => cached?.metadata.resourceVersion === updated.metadata.resourceVersion);
    return updated;
  }

  /**
   * Resolves once the watch brought a write into the cache (so the caller reads its own write), or
   * after `timeoutMs` when another change overtook it or the watch lags: the write itself succeeded.
   */
  private caughtUp(key: ObjectKey, shows: (cached: StoredObject | undefined) => boolean, timeoutMs = 5_000): Promise<void> {
    if (shows(this.get(key))) return Promise.resolve();
    const id = `${key.kind}/${key.namespace}/${key.name}`;
    return new Promise<void>((resolve) => {
      let waiting = this.catchingUp.get(id);
      if (!waiting) {
        waiting = new Set();
        this.catchingUp.set(id, waiting);
      }
      const set = waiting;
      const done = () => {
        clearTimeout(timer);
        set.delete(check);
        if (set.size === 0) this.catchingUp.delete(id);
        resolve();
      };
      const check = (closing?: boolean) => {
        if (closing || shows(this.get(key))) done();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      set.add(check);
    });
  }

  close(): void {
    for (const reflector of this.reflectors.values()) reflector.stop();
    this.watchers.clear();
    for (const waiting of [...this.catchingUp.values()]) for (const check of [...waiting]) check(true);
  }

  private refuseIfReadOnly(verb: string): void {
    if (this.options.readOnly) {
      throw new AmbitError(
        'PermissionDenied',
        `read-only mode: Ambit is not in charge of this cluster and does not ${verb} objects; change them with the tools that own them`,
      );
    }
  }
}

function noHistory(key: ObjectKey): AmbitError {
  return new AmbitError(
    'InvalidArgument',
    `cannot revert ${describeKey(key)}: Kubernetes mode keeps no history (the API server keeps no revisions); reapply an earlier version from your own source (git)`,
  );
}

function cacheKey(object: KubeObject): string {
  return `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

function asyncOnly(method: string): AmbitError {
  return new AmbitError('Internal', `KubernetesStore.${method} is asynchronous in Kubernetes mode: call ${method}Async`);
}

/** Whether every cause of an apply conflict names `manager` (`conflict with "ambit"`) and there is at least one. */
function onlyConflictsWith(status: ApiStatus | undefined, manager: string): boolean {
  const causes = status?.details?.causes ?? [];
  const owner = `conflict with "${manager}"`;
  return causes.length > 0 && causes.every((cause) => cause.type === 'FieldManagerConflict' && cause.message?.startsWith(owner) === true);
}
