import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  AmbitError,
  canonicalJson,
  changedPaths,
  type ErrorLocation,
  type KubeObject,
  kindInfo,
  MAX_OBJECT_BYTES,
  preferredApiVersion,
  validateObject,
} from '@ambit/shared';
import Database from 'better-sqlite3';
import { migrate } from './schema';
import type {
  ApplyResult,
  ChangeOperation,
  ObjectKey,
  Revision,
  StatusWriteOptions,
  Store,
  StoredObject,
  WatchEvent,
  WatchEventType,
  WriteOptions,
} from './types';

export interface SqliteStoreOptions {
  /** Directory holding `store.db`; created if missing. */
  dataDir: string;
  /** Poll for changes written by other processes every N ms (0 = never; call pollChanges yourself). */
  pollIntervalMs?: number;
}

/** Namespaces every store starts with, as a cluster does: `default`, and Istio's root namespace. */
export const BUILT_IN_NAMESPACES = ['default', 'istio-system'] as const;
const SYSTEM_AUTHOR = 'system:ambit';

interface ChangeRow {
  resource_version: number;
  kind: string;
  namespace: string;
  name: string;
  event: WatchEventType;
  subresource: '' | 'status';
  revision: number | null;
  operation: ChangeOperation | null;
  author: string | null;
  time: string;
  message: string | null;
  before: string | null;
  after: string | null;
}

interface Watcher {
  position: number;
  listener: (event: WatchEvent) => void;
}

/** Server-owned metadata: set by the store, ignored when comparing what a user wrote. */
const SERVER_FIELDS = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp'];

export function keyOf(object: KubeObject, defaultNamespace = 'default'): ObjectKey {
  const info = kindInfo(object.kind);
  return {
    kind: object.kind,
    namespace: info.namespaced ? (object.metadata.namespace ?? defaultNamespace) : '',
    name: object.metadata.name,
  };
}

export function describeKey(key: ObjectKey): string {
  return key.namespace ? `${key.kind}/${key.namespace}/${key.name}` : `${key.kind}/${key.name}`;
}

/** What the user controls: the object without server-owned metadata and without status. */
function desiredState(object: KubeObject): KubeObject {
  const { status: _status, ...rest } = object;
  const metadata: Record<string, unknown> = { ...object.metadata };
  for (const field of SERVER_FIELDS) delete metadata[field];
  return { ...rest, metadata: metadata as KubeObject['metadata'] };
}

function specPart(object: KubeObject): unknown {
  const { metadata: _m, status: _s, ...rest } = object;
  return rest;
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly watchers = new Set<Watcher>();
  private lastDelivered: number;
  private readonly pollTimer: NodeJS.Timeout | undefined;
  private readonly statements;

  constructor(options: SqliteStoreOptions) {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    this.db = new Database(join(options.dataDir, 'store.db'));
    this.db.pragma('journal_mode = WAL');
    // FULL: a write acknowledged to the caller survives a crash of the process or the machine.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 10000');
    const { created } = migrate(this.db);
    this.statements = {
      getObject: this.db.prepare<[string, string, string], { body: string }>(
        'SELECT body FROM objects WHERE kind = ? AND namespace = ? AND name = ?',
      ),
      listAll: this.db.prepare<[string], { body: string }>('SELECT body FROM objects WHERE kind = ? ORDER BY namespace, name'),
      listNamespace: this.db.prepare<[string, string], { body: string }>(
        'SELECT body FROM objects WHERE kind = ? AND namespace = ? ORDER BY name',
      ),
      listInNamespace: this.db.prepare<[string], { kind: string; name: string }>('SELECT kind, name FROM objects WHERE namespace = ?'),
      upsertObject: this.db.prepare(
        'INSERT INTO objects (kind, namespace, name, resource_version, body) VALUES (?, ?, ?, ?, ?) ' +
          'ON CONFLICT (kind, namespace, name) DO UPDATE SET resource_version = excluded.resource_version, body = excluded.body',
      ),
      deleteObject: this.db.prepare('DELETE FROM objects WHERE kind = ? AND namespace = ? AND name = ?'),
      nextResourceVersion: this.db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'changes'"),
      lastRevision: this.db.prepare<[string, string, string], { revision: number | null }>(
        "SELECT MAX(revision) AS revision FROM changes WHERE kind = ? AND namespace = ? AND name = ? AND subresource = ''",
      ),
      insertChange: this.db.prepare(
        'INSERT INTO changes (resource_version, kind, namespace, name, event, subresource, revision, operation, author, time, message, before, after) ' +
          'VALUES (@resource_version, @kind, @namespace, @name, @event, @subresource, @revision, @operation, @author, @time, @message, @before, @after)',
      ),
      dropOlderStatusChanges: this.db.prepare(
        "DELETE FROM changes WHERE kind = ? AND namespace = ? AND name = ? AND subresource = 'status' AND resource_version < ?",
      ),
      changesAfter: this.db.prepare<[number], ChangeRow>('SELECT * FROM changes WHERE resource_version > ? ORDER BY resource_version'),
      history: this.db.prepare<[string, string, string], ChangeRow>(
        "SELECT * FROM changes WHERE kind = ? AND namespace = ? AND name = ? AND subresource = '' ORDER BY resource_version",
      ),
      revision: this.db.prepare<[string, string, string, number], ChangeRow>(
        "SELECT * FROM changes WHERE kind = ? AND namespace = ? AND name = ? AND subresource = '' AND revision = ?",
      ),
      maxResourceVersion: this.db.prepare<[], { rv: number | null }>('SELECT MAX(resource_version) AS rv FROM changes'),
    };
    if (created) this.seed();
    this.lastDelivered = this.currentResourceVersion();
    if (options.pollIntervalMs && options.pollIntervalMs > 0) {
      this.pollTimer = setInterval(() => this.pollChanges(), options.pollIntervalMs);
      this.pollTimer.unref();
    }
  }

  private seed(): void {
    const namespaces = BUILT_IN_NAMESPACES.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
    this.apply(namespaces, { author: SYSTEM_AUTHOR });
  }

  get(key: ObjectKey): StoredObject | undefined {
    const row = this.statements.getObject.get(key.kind, key.namespace, key.name);
    return row ? (JSON.parse(row.body) as StoredObject) : undefined;
  }

  list(kind: string, namespace?: string): StoredObject[] {
    const rows = namespace === undefined ? this.statements.listAll.all(kind) : this.statements.listNamespace.all(kind, namespace);
    return rows.map((r) => JSON.parse(r.body) as StoredObject);
  }

  currentResourceVersion(): number {
    return this.statements.maxResourceVersion.get()?.rv ?? 0;
  }

  apply(objects: readonly KubeObject[], options: WriteOptions & { locations?: readonly ErrorLocation[] }): ApplyResult[] {
    return this.write(options.dryRun ?? false, () => {
      const created = new Set<string>();
      return objects.map((object, index) => {
        const location = options.locations?.[index] ?? {};
        const result = this.applyOne(object, options, location, created);
        if (result.key.kind === 'Namespace') created.add(result.key.name);
        return result;
      });
    });
  }

  private applyOne(input: KubeObject, options: WriteOptions, location: ErrorLocation, namespacesInBatch: Set<string>): ApplyResult {
    // Whoever calls, nothing invalid is ever stored.
    const object = validateObject(input, location);
    const key = keyOf(object, options.defaultNamespace);
    const label = describeKey(key);
    const where = { ...location, object: label };
    if (key.namespace && !namespacesInBatch.has(key.namespace) && !this.get({ kind: 'Namespace', namespace: '', name: key.namespace })) {
      throw new AmbitError('NamespaceNotFound', `namespace "${key.namespace}" does not exist`, [
        { ...where, path: 'metadata.namespace', message: `namespace "${key.namespace}" does not exist; create it first (kind: Namespace)` },
      ]);
    }
    const desired = desiredState({ ...object, metadata: { ...object.metadata, ...(key.namespace ? { namespace: key.namespace } : {}) } });
    const existing = this.get(key);
    const givenVersion = object.metadata.resourceVersion;
    if (!existing) {
      if (givenVersion !== undefined) {
        throw new AmbitError('Conflict', `${label} does not exist`, [
          {
            ...where,
            path: 'metadata.resourceVersion',
            message: `the document expects resourceVersion ${givenVersion} but the object no longer exists; remove metadata.resourceVersion to create it`,
          },
        ]);
      }
      return { key, action: 'created', object: this.put(key, desired, undefined, 'create', options.author) };
    }
    if (givenVersion !== undefined && givenVersion !== existing.metadata.resourceVersion) {
      throw new AmbitError('Conflict', `${label} was changed by someone else`, [
        {
          ...where,
          path: 'metadata.resourceVersion',
          message: `the document was read at resourceVersion ${givenVersion}, the object is now at ${existing.metadata.resourceVersion}; fetch it again and reapply your change`,
        },
      ]);
    }
    if (canonicalJson(desiredState(existing)) === canonicalJson(desired)) return { key, action: 'unchanged', object: existing };
    return { key, action: 'configured', object: this.put(key, desired, existing, 'update', options.author) };
  }

  /** Writes a new state of an object's spec/metadata and records the revision. */
  private put(
    key: ObjectKey,
    desired: KubeObject,
    existing: StoredObject | undefined,
    operation: ChangeOperation,
    author: string,
    message?: string,
  ): StoredObject {
    const resourceVersion = this.nextResourceVersion();
    const specChanged = !existing || canonicalJson(specPart(existing)) !== canonicalJson(specPart(desired));
    const stored: StoredObject = {
      ...desired,
      apiVersion: preferredApiVersion(kindInfo(key.kind)),
      metadata: {
        ...desired.metadata,
        uid: existing?.metadata.uid ?? randomUUID(),
        resourceVersion: String(resourceVersion),
        generation: existing ? existing.metadata.generation + (specChanged ? 1 : 0) : 1,
        creationTimestamp: existing?.metadata.creationTimestamp ?? new Date().toISOString(),
      },
      ...(existing?.status !== undefined ? { status: existing.status } : {}),
    };
    const body = JSON.stringify(stored);
    if (Buffer.byteLength(body) > MAX_OBJECT_BYTES) {
      throw new AmbitError('DocumentTooLarge', `${describeKey(key)} is larger than ${MAX_OBJECT_BYTES} bytes when stored`);
    }
    this.statements.upsertObject.run(key.kind, key.namespace, key.name, resourceVersion, body);
    this.recordChange({
      resourceVersion,
      key,
      event: existing ? 'MODIFIED' : 'ADDED',
      subresource: '',
      operation,
      author,
      message,
      before: existing ? JSON.stringify(existing) : null,
      after: body,
    });
    return stored;
  }

  delete(key: ObjectKey, options: WriteOptions & { resourceVersion?: string }): StoredObject {
    return this.write(options.dryRun ?? false, () => {
      const existing = this.get(key);
      if (!existing) throw new AmbitError('NotFound', `${describeKey(key)} not found`);
      if (options.resourceVersion !== undefined && options.resourceVersion !== existing.metadata.resourceVersion) {
        throw new AmbitError(
          'Conflict',
          `${describeKey(key)} is at resourceVersion ${existing.metadata.resourceVersion}, not ${options.resourceVersion}; it was changed since you read it`,
        );
      }
      if (key.kind === 'Namespace') {
        // Like Kubernetes: deleting a namespace deletes everything in it.
        for (const child of this.statements.listInNamespace.all(key.name)) {
          this.remove({ kind: child.kind, namespace: key.name, name: child.name }, options.author);
        }
      }
      this.remove(key, options.author);
      return existing;
    });
  }

  private remove(key: ObjectKey, author: string): void {
    const existing = this.get(key);
    if (!existing) return;
    this.statements.deleteObject.run(key.kind, key.namespace, key.name);
    this.recordChange({
      resourceVersion: this.nextResourceVersion(),
      key,
      event: 'DELETED',
      subresource: '',
      operation: 'delete',
      author,
      before: JSON.stringify(existing),
      after: null,
    });
  }

  updateStatus(key: ObjectKey, status: unknown, options: StatusWriteOptions = {}): StoredObject {
    return this.write(false, () => {
      const existing = this.get(key);
      if (!existing) throw new AmbitError('NotFound', `${describeKey(key)} not found`);
      if (options.resourceVersion !== undefined && options.resourceVersion !== existing.metadata.resourceVersion) {
        throw new AmbitError('Conflict', `${describeKey(key)} changed since resourceVersion ${options.resourceVersion}; reread it`);
      }
      const resourceVersion = this.nextResourceVersion();
      const stored: StoredObject = { ...existing, metadata: { ...existing.metadata, resourceVersion: String(resourceVersion) }, status };
      const body = JSON.stringify(stored);
      this.statements.upsertObject.run(key.kind, key.namespace, key.name, resourceVersion, body);
      this.recordChange({ resourceVersion, key, event: 'MODIFIED', subresource: 'status', before: null, after: body });
      // Status churns (rollouts write it every step): keep only the newest status change per object.
      this.statements.dropOlderStatusChanges.run(key.kind, key.namespace, key.name, resourceVersion);
      return stored;
    });
  }

  readonly keepsHistory = true;

  // The promise forms of the writes: the same synchronous transaction, its error as a rejection.
  async applyAsync(
    objects: readonly KubeObject[],
    options: WriteOptions & { locations?: readonly ErrorLocation[] },
  ): Promise<ApplyResult[]> {
    return this.apply(objects, options);
  }

  async deleteAsync(key: ObjectKey, options: WriteOptions & { resourceVersion?: string }): Promise<StoredObject> {
    return this.delete(key, options);
  }

  async updateStatusAsync(key: ObjectKey, status: unknown, options: StatusWriteOptions = {}): Promise<StoredObject> {
    return this.updateStatus(key, status, options);
  }

  async revertAsync(key: ObjectKey, toRevision: number, options: WriteOptions): Promise<ApplyResult> {
    return this.revert(key, toRevision, options);
  }

  history(key: ObjectKey): Revision[] {
    return this.statements.history.all(key.kind, key.namespace, key.name).map(toRevision);
  }

  revert(key: ObjectKey, toRevision: number, options: WriteOptions): ApplyResult {
    return this.write(options.dryRun ?? false, () => {
      const row = this.statements.revision.get(key.kind, key.namespace, key.name, toRevision);
      if (!row) {
        const last = this.statements.lastRevision.get(key.kind, key.namespace, key.name)?.revision;
        throw new AmbitError(
          'NotFound',
          last ? `${describeKey(key)} has no revision ${toRevision}; its revisions are 1 to ${last}` : `${describeKey(key)} has no history`,
        );
      }
      if (!row.after) {
        throw new AmbitError('InvalidArgument', `revision ${toRevision} of ${describeKey(key)} deleted it; revert to an earlier revision`);
      }
      const target = desiredState(JSON.parse(row.after) as StoredObject);
      if (key.namespace && !this.get({ kind: 'Namespace', namespace: '', name: key.namespace })) {
        throw new AmbitError(
          'NamespaceNotFound',
          `namespace "${key.namespace}" does not exist; recreate it before reverting ${describeKey(key)}`,
        );
      }
      const existing = this.get(key);
      if (existing && canonicalJson(desiredState(existing)) === canonicalJson(target))
        return { key, action: 'unchanged', object: existing };
      const object = this.put(key, target, existing, 'revert', options.author, `reverted to revision ${toRevision}`);
      return { key, action: existing ? 'configured' : 'created', object };
    });
  }

  watch(fromResourceVersion: number, listener: (event: WatchEvent) => void): () => void {
    const watcher: Watcher = { position: fromResourceVersion, listener };
    this.deliver(watcher, this.statements.changesAfter.all(fromResourceVersion));
    this.watchers.add(watcher);
    return () => {
      this.watchers.delete(watcher);
    };
  }

  pollChanges(): void {
    const rows = this.statements.changesAfter.all(this.lastDelivered);
    if (rows.length === 0) return;
    this.lastDelivered = (rows[rows.length - 1] as ChangeRow).resource_version;
    for (const watcher of this.watchers) this.deliver(watcher, rows);
  }

  close(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.watchers.clear();
    this.db.close();
  }

  private deliver(watcher: Watcher, rows: readonly ChangeRow[]): void {
    for (const row of rows) {
      if (row.resource_version <= watcher.position) continue;
      watcher.position = row.resource_version;
      const body = row.after ?? row.before;
      if (!body) continue;
      try {
        watcher.listener({
          type: row.event,
          object: JSON.parse(body) as StoredObject,
          resourceVersion: row.resource_version,
          subresource: row.subresource,
        });
      } catch {
        // A failing listener must not stop delivery to the others; the listener owns its errors.
      }
    }
  }

  /** Runs `work` in one immediate transaction; dry runs roll back. Watchers hear of it after commit. */
  private write<T>(dryRun: boolean, work: () => T): T {
    let result: T | undefined;
    const rollback = new Error('dry run');
    const tx = this.db.transaction(() => {
      result = work();
      if (dryRun) throw rollback;
    });
    try {
      tx.immediate();
    } catch (e) {
      if (e !== rollback) throw e;
    }
    if (!dryRun) this.pollChanges();
    return result as T;
  }

  private nextResourceVersion(): number {
    return (this.statements.nextResourceVersion.get()?.seq ?? 0) + 1;
  }

  private recordChange(change: {
    resourceVersion: number;
    key: ObjectKey;
    event: WatchEventType;
    subresource: '' | 'status';
    operation?: ChangeOperation;
    author?: string;
    message?: string | undefined;
    before: string | null;
    after: string | null;
  }): void {
    const revision =
      change.subresource === ''
        ? (this.statements.lastRevision.get(change.key.kind, change.key.namespace, change.key.name)?.revision ?? 0) + 1
        : null;
    this.statements.insertChange.run({
      resource_version: change.resourceVersion,
      kind: change.key.kind,
      namespace: change.key.namespace,
      name: change.key.name,
      event: change.event,
      subresource: change.subresource,
      revision,
      operation: change.operation ?? null,
      author: change.author ?? null,
      time: new Date().toISOString(),
      message: change.message ?? null,
      before: change.before,
      after: change.after,
    });
  }
}

function toRevision(row: ChangeRow): Revision {
  const before = row.before ? (JSON.parse(row.before) as StoredObject) : undefined;
  const after = row.after ? (JSON.parse(row.after) as StoredObject) : undefined;
  return {
    revision: row.revision ?? 0,
    resourceVersion: row.resource_version,
    key: { kind: row.kind, namespace: row.namespace, name: row.name },
    operation: row.operation ?? 'update',
    author: row.author ?? '',
    time: row.time,
    before,
    after,
    changedPaths: changedPaths(before && desiredState(before), after && desiredState(after)),
    ...(row.message ? { message: row.message } : {}),
  };
}

export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options);
}
