/**
 * A map that snapshots cheaply: reads see the latest writes, and `freeze()` hands out the current
 * contents as an immutable map. The first write after a freeze copies once; later writes in the
 * same batch mutate that copy, so a batch of changes costs one copy, not one per change.
 */
export class CopyOnWriteMap<V> {
  private base: ReadonlyMap<string, V>;
  private working: Map<string, V> | undefined;

  constructor(base: ReadonlyMap<string, V> = new Map()) {
    this.base = base;
  }

  get(key: string): V | undefined {
    return (this.working ?? this.base).get(key);
  }

  has(key: string): boolean {
    return (this.working ?? this.base).has(key);
  }

  get size(): number {
    return (this.working ?? this.base).size;
  }

  keys(): IterableIterator<string> {
    return (this.working ?? this.base).keys();
  }

  values(): IterableIterator<V> {
    return (this.working ?? this.base).values();
  }

  set(key: string, value: V): void {
    this.writable().set(key, value);
  }

  delete(key: string): boolean {
    if (!this.has(key)) return false;
    return this.writable().delete(key);
  }

  /** The current contents; never mutated afterwards. */
  freeze(): ReadonlyMap<string, V> {
    if (this.working) {
      this.base = this.working;
      this.working = undefined;
    }
    return this.base;
  }

  private writable(): Map<string, V> {
    this.working ??= new Map(this.base);
    return this.working;
  }
}

const NO_KEYS: ReadonlySet<string> = new Set();

/** Group → keys, for "which pods are in this namespace" style lookups. */
export class KeyIndex {
  private readonly groups = new Map<string, Set<string>>();

  get(group: string): ReadonlySet<string> {
    return this.groups.get(group) ?? NO_KEYS;
  }

  groupNames(): IterableIterator<string> {
    return this.groups.keys();
  }

  add(group: string, key: string): void {
    let keys = this.groups.get(group);
    if (!keys) {
      keys = new Set();
      this.groups.set(group, keys);
    }
    keys.add(key);
  }

  remove(group: string, key: string): void {
    const keys = this.groups.get(group);
    if (!keys?.delete(key)) return;
    if (keys.size === 0) this.groups.delete(group);
  }

  /** Moves `key` from one group to another (either may be undefined). */
  move(key: string, from: string | undefined, to: string | undefined): void {
    if (from === to) return;
    if (from !== undefined) this.remove(from, key);
    if (to !== undefined) this.add(to, key);
  }
}
