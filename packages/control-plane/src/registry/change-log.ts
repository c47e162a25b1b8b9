import type { ModelPart } from './model';

/** What changed since the last time someone took the log: keys per model part. */
export class ChangeLog {
  private keys = new Map<ModelPart, Set<string>>();

  add(part: ModelPart, key: string): void {
    let set = this.keys.get(part);
    if (!set) {
      set = new Set();
      this.keys.set(part, set);
    }
    set.add(key);
  }

  get empty(): boolean {
    return this.keys.size === 0;
  }

  /** The accumulated changes, emptying the log. */
  take(): { kinds: ReadonlySet<ModelPart>; keys: ReadonlyMap<ModelPart, ReadonlySet<string>> } {
    const keys = this.keys;
    this.keys = new Map();
    return { kinds: new Set(keys.keys()), keys };
  }
}
