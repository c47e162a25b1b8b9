/**
 * The live registry: lists the store once, then follows its watch. Events are applied as they
 * arrive; the snapshot is rebuilt once per burst (a microtask after the first event) and
 * listeners hear which parts and keys changed, so the xDS layer pushes only affected types.
 */
import type { KubeObject } from '@ambit/shared';
import type { Store, WatchEvent } from '../store/types';
import { MeshState, REGISTRY_KINDS } from './mesh-state';
import { DEFAULT_MESH_OPTIONS, type MeshOptions, type MeshSnapshot, type RegistryChange } from './model';

export interface Registry {
  /** The current snapshot, including every change the store has delivered so far. */
  snapshot(): MeshSnapshot;
  /** Called after each burst of changes with the new snapshot and what changed. Returns an unsubscribe. */
  onChange(listener: (change: RegistryChange) => void): () => void;
  /** Applies delivered changes and notifies listeners now instead of in a microtask. */
  flush(): void;
  /** Stops watching the store. */
  close(): void;
}

/** Builds a snapshot from objects at once (tests, `ambit analyze` on files, previews). */
export function buildSnapshot(objects: Iterable<KubeObject>, options: Partial<MeshOptions> = {}): MeshSnapshot {
  const state = new MeshState({ ...DEFAULT_MESH_OPTIONS, ...options });
  for (const object of objects) state.accept(object, false);
  return state.commit();
}

export function createRegistry(store: Store, options: Partial<MeshOptions> = {}): Registry {
  const state = new MeshState({ ...DEFAULT_MESH_OPTIONS, ...options });
  const listeners = new Set<(change: RegistryChange) => void>();
  let scheduled = false;
  let closed = false;

  const from = store.currentResourceVersion();
  for (const kind of REGISTRY_KINDS) for (const object of store.list(kind)) state.accept(object, false);
  state.commit();
  state.takeChanges();

  const flush = (): void => {
    scheduled = false;
    if (closed) return;
    const snapshot = state.commit();
    const changes = state.takeChanges();
    if (!changes) return;
    const change: RegistryChange = { snapshot, ...changes };
    for (const listener of listeners) {
      try {
        listener(change);
      } catch {
        // One failing listener must not keep the others from hearing of the change.
      }
    }
  };

  const stopWatch = store.watch(from, (event: WatchEvent) => {
    if (!(REGISTRY_KINDS as readonly string[]).includes(event.object.kind)) return;
    state.accept(event.object, event.type === 'DELETED', event.resourceVersion);
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(flush);
    }
  });

  return {
    snapshot: () => state.commit(),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    flush,
    close() {
      closed = true;
      stopWatch();
      listeners.clear();
    },
  };
}
