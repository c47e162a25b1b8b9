// A ResourceSource holding one set of resources per type that every proxy sees: static
// configuration, demos and tests. The registry's source is the one that tailors views per proxy.
import type { ProxyInfo } from './proxy-info';
import { type Any, contentVersion, type ResourceChange, type ResourceSource, type VersionedResource } from './resource-source';

const EMPTY: ReadonlyMap<string, VersionedResource> = new Map();

export class MemoryResourceSource implements ResourceSource {
  // Each type's map is replaced, never mutated, so views handed out stay valid snapshots.
  private readonly byType = new Map<string, ReadonlyMap<string, VersionedResource>>();
  private readonly listeners = new Set<(change: ResourceChange) => void>();

  resources(_proxy: ProxyInfo, typeUrl: string): ReadonlyMap<string, VersionedResource> {
    return this.byType.get(typeUrl) ?? EMPTY;
  }

  viewKey(): string {
    return 'shared';
  }

  onChange(listener: (change: ResourceChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(typeUrl: string, name: string): VersionedResource | undefined {
    return this.byType.get(typeUrl)?.get(name);
  }

  /** Adds or replaces one resource; the version defaults to a hash of its content. */
  set(name: string, resource: Any, version = contentVersion(resource)): void {
    const next = new Map(this.byType.get(resource.typeUrl));
    next.set(name, { version, resource });
    this.commit(resource.typeUrl, next);
  }

  /** Removes one resource; returns whether it existed. */
  delete(typeUrl: string, name: string): boolean {
    const current = this.byType.get(typeUrl);
    if (!current?.has(name)) return false;
    const next = new Map(current);
    next.delete(name);
    this.commit(typeUrl, next);
    return true;
  }

  /** Replaces every resource of a type at once (one change event). */
  replace(typeUrl: string, resources: Iterable<readonly [name: string, resource: Any]>): void {
    const next = new Map<string, VersionedResource>();
    for (const [name, resource] of resources) next.set(name, { version: contentVersion(resource), resource });
    this.commit(typeUrl, next);
  }

  private commit(typeUrl: string, next: ReadonlyMap<string, VersionedResource>): void {
    this.byType.set(typeUrl, next);
    const change: ResourceChange = { typeUrls: new Set([typeUrl]) };
    for (const listener of this.listeners) listener(change);
  }
}
