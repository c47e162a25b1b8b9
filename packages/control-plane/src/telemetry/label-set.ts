/**
 * A stored series' labels, compactly: the names live once in a LabelSchema shared by every series
 * spelled with the same names in the same order (all of a proxy's Istio series are), and each
 * series keeps only its values. Objects are built only for query results.
 */
import type { SeriesLabels } from './source';

export class LabelSchema {
  private readonly index = new Map<string, number>();

  constructor(readonly names: readonly string[]) {
    for (let i = 0; i < names.length; i++) this.index.set(names[i] as string, i);
  }

  indexOf(name: string): number | undefined {
    return this.index.get(name);
  }
}

export class LabelSet {
  constructor(
    readonly schema: LabelSchema,
    readonly values: readonly string[],
  ) {}

  get size(): number {
    return this.values.length;
  }

  /** The value, or undefined when the series has no such label. */
  get(name: string): string | undefined {
    const i = this.schema.indexOf(name);
    return i === undefined ? undefined : this.values[i];
  }

  /** A plain-data object (null prototype: any label name is just a key). */
  toRecord(): SeriesLabels {
    const out: Record<string, string> = Object.create(null);
    const names = this.schema.names;
    for (let i = 0; i < names.length; i++) out[names[i] as string] = this.values[i] as string;
    return out;
  }

  /** Same names and values, in any order. */
  equals(other: LabelSet): boolean {
    if (other.size !== this.size) return false;
    const names = this.schema.names;
    for (let i = 0; i < names.length; i++) if (other.get(names[i] as string) !== this.values[i]) return false;
    return true;
  }

  /** A hash of name and labels that does not depend on label order (for finding a series spelled differently). */
  hashWith(metric: string): number {
    let h = hashString(metric, 0x811c9dc5);
    let sum = 0;
    const names = this.schema.names;
    for (let i = 0; i < names.length; i++) {
      // Order-independent: add up per-label hashes.
      sum = (sum + hashString(this.values[i] as string, hashString(names[i] as string, 0x9e3779b9))) >>> 0;
    }
    h = Math.imul(h ^ sum, 0x01000193) >>> 0;
    return h;
  }
}

/** Shares schemas between series with the same label names. */
export class LabelSchemas {
  private readonly schemas = new Map<string, LabelSchema>();

  of(names: readonly string[]): LabelSchema {
    const key = names.join('\u0000');
    let schema = this.schemas.get(key);
    if (!schema) {
      schema = new LabelSchema(names);
      // Proxies use a handful of label sets; a flood of made-up names only loses the sharing.
      if (this.schemas.size >= 10_000) this.schemas.clear();
      this.schemas.set(key, schema);
    }
    return schema;
  }
}

/** A LabelSet of a plain object's entries (tests, the scraper's own series). */
export function labelSetOf(record: Readonly<Record<string, string>>, schemas: LabelSchemas = new LabelSchemas()): LabelSet {
  const names = Object.keys(record);
  return new LabelSet(
    schemas.of(names),
    names.map((n) => record[n] as string),
  );
}

function hashString(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
