import type { ErrorLocation, KubeObject, ObjectMeta } from '@ambit/shared';

/** Identifies one object. Cluster-scoped kinds have namespace ''. */
export interface ObjectKey {
  kind: string;
  namespace: string;
  name: string;
}

/** An object as stored: the server-owned metadata is always set. */
export interface StoredObject extends KubeObject {
  metadata: ObjectMeta & { uid: string; resourceVersion: string; generation: number; creationTimestamp: string };
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  type: WatchEventType;
  /** The object after the change; for DELETED, the object as it was. */
  object: StoredObject;
  resourceVersion: number;
  /** 'status' when only the status subresource changed. */
  subresource: '' | 'status';
}

export type ChangeOperation = 'create' | 'update' | 'delete' | 'revert';

/** One entry of an object's history: a change to its spec or metadata (status changes are not history). */
export interface Revision {
  /** 1-based, per object key, counting every create/update/delete/revert. */
  revision: number;
  resourceVersion: number;
  key: ObjectKey;
  operation: ChangeOperation;
  author: string;
  time: string;
  before?: StoredObject;
  after?: StoredObject;
  /** Fields that differ between before and after. */
  changedPaths: string[];
  message?: string;
}

export type ApplyAction = 'created' | 'configured' | 'unchanged';

export interface ApplyResult {
  key: ObjectKey;
  action: ApplyAction;
  object: StoredObject;
}

export interface WriteOptions {
  /** Who made the change, recorded in history and the audit log. */
  author: string;
  /** Namespace for namespaced objects that name none. */
  defaultNamespace?: string;
  /** Validate and compute the outcome, write nothing. */
  dryRun?: boolean;
  /** Where each applied object came from (document, line): errors about it name that place. */
  locations?: readonly ErrorLocation[];
  /**
   * Kubernetes mode: take over fields another field manager owns (server-side apply `force`), as
   * the API docs advise controllers to do for the objects they own. The SQLite store has no owners.
   */
  force?: boolean;
  /**
   * Which component writes (STORE_WRITERS): Kubernetes mode applies with it as the field manager;
   * default DEFAULT_WRITER. The SQLite store ignores it (history records `author`).
   */
  writer?: string;
}

/** A write of the status subresource. */
export interface StatusWriteOptions {
  /** Must match the stored one, else Conflict. */
  resourceVersion?: string;
  /** As WriteOptions.writer. */
  writer?: string;
}

export interface Store {
  get(key: ObjectKey): StoredObject | undefined;
  list(kind: string, namespace?: string): StoredObject[];
  /**
   * Creates or updates each object, all or nothing: if one fails (conflict, missing namespace),
   * nothing is written. Objects equal to what is stored are left alone (no new revision).
   */
  apply(objects: readonly KubeObject[], options: WriteOptions): ApplyResult[];
  /** Deletes; a resourceVersion, if given, must match. Returns the deleted object. */
  delete(key: ObjectKey, options: WriteOptions & { resourceVersion?: string }): StoredObject;
  /** Writes the status subresource: bumps resourceVersion, not generation; not part of history. */
  updateStatus(key: ObjectKey, status: unknown, options?: StatusWriteOptions): StoredObject;
  /** False when the back end keeps no revisions (Kubernetes mode): history() is empty and revert refuses. */
  readonly keepsHistory: boolean;
  history(key: ObjectKey): Revision[];
  /** Restores the object to what revision N left; recorded as a new revision. */
  revert(key: ObjectKey, toRevision: number, options: WriteOptions): ApplyResult;
  /**
   * The writes as promises: what every caller that may run in Kubernetes mode uses (there a write is
   * an HTTP request; the synchronous methods above throw). They resolve once the store's own reads
   * (get, list) show the change, so a caller may read its write back at once.
   */
  applyAsync(objects: readonly KubeObject[], options: WriteOptions): Promise<ApplyResult[]>;
  deleteAsync(key: ObjectKey, options: WriteOptions & { resourceVersion?: string }): Promise<StoredObject>;
  updateStatusAsync(key: ObjectKey, status: unknown, options?: StatusWriteOptions): Promise<StoredObject>;
  /** Rejects with InvalidArgument, saying so, when the store keeps no history. */
  revertAsync(key: ObjectKey, toRevision: number, options: WriteOptions): Promise<ApplyResult>;
  /** Newest resourceVersion in the store. */
  currentResourceVersion(): number;
  /**
   * Delivers every change after `fromResourceVersion` in order, then each new one as it commits.
   * Changes by other processes arrive when `pollChanges()` runs (the store polls on an interval
   * when opened with `pollIntervalMs`). Returns a function that stops the watch.
   */
  watch(fromResourceVersion: number, listener: (event: WatchEvent) => void): () => void;
  /** Picks up changes committed by other processes and delivers them to watchers. */
  pollChanges(): void;
  close(): void;
}
