import {
  type ApplyResult,
  type ObjectKey,
  openSqliteStore,
  type Revision,
  type Store,
  type StoredObject,
} from '@ambit/control-plane/store';
import type { ErrorLocation, KubeObject } from '@ambit/shared';

/**
 * What the CLI needs from Ambit. Today it opens the store in a data directory; the same interface
 * will be served by the BFF's API (`--server`), so commands do not change when that lands.
 */
export interface MeshClient {
  apply(
    objects: readonly KubeObject[],
    options: { locations?: readonly ErrorLocation[]; defaultNamespace: string; dryRun?: boolean },
  ): ApplyResult[];
  get(key: ObjectKey): StoredObject | undefined;
  list(kind: string, namespace?: string): StoredObject[];
  delete(key: ObjectKey, options: { dryRun?: boolean }): StoredObject;
  history(key: ObjectKey): Revision[];
  revert(key: ObjectKey, toRevision: number): ApplyResult;
  close(): void;
}

export class LocalClient implements MeshClient {
  private readonly store: Store;

  constructor(
    dataDir: string,
    private readonly author: string,
  ) {
    this.store = openSqliteStore({ dataDir });
  }

  apply(objects: readonly KubeObject[], options: { locations?: readonly ErrorLocation[]; defaultNamespace: string; dryRun?: boolean }) {
    return this.store.apply(objects, { ...options, author: this.author });
  }
  get(key: ObjectKey) {
    return this.store.get(key);
  }
  list(kind: string, namespace?: string) {
    return this.store.list(kind, namespace);
  }
  delete(key: ObjectKey, options: { dryRun?: boolean }) {
    return this.store.delete(key, { ...options, author: this.author });
  }
  history(key: ObjectKey) {
    return this.store.history(key);
  }
  revert(key: ObjectKey, toRevision: number) {
    return this.store.revert(key, toRevision, { author: this.author });
  }
  close() {
    this.store.close();
  }
}
