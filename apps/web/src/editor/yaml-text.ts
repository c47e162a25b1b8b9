/**
 * Objects as block YAML, for the editor's documents and diffs. The console imports no YAML library:
 * parsing is the BFF's (resources.validate returns the objects it read); writing plain JSON data is this.
 */

const RESERVED =
  /^(?:true|false|yes|no|on|off|y|n|null|~|[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?|0x[\da-f]+|0o[0-7]+|\.inf|\.nan)$/i;
const PLAIN = /^[A-Za-z0-9_./][A-Za-z0-9_./@:*+=-]*(?: [A-Za-z0-9_./@:*+=-]+)*$/;

/** A string as a plain scalar when YAML reads it back as the same string, else double-quoted (JSON's escapes are YAML's). */
function scalarText(value: string): string {
  if (PLAIN.test(value) && !RESERVED.test(value) && !value.includes(': ') && !value.endsWith(':')) return value;
  return JSON.stringify(value);
}

function inline(value: unknown): string | undefined {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return scalarText(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.length === 0) return '[]';
  if (typeof value === 'object' && Object.keys(value).length === 0) return '{}';
  return undefined;
}

function block(value: unknown, indent: string): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      const simple = inline(item);
      if (simple !== undefined) return [`${indent}- ${simple}`];
      const [first = '', ...rest] = block(item, `${indent}  `);
      return [`${indent}- ${first.slice(indent.length + 2)}`, ...rest];
    });
  }
  return Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .flatMap(([key, v]) => {
      const simple = inline(v);
      const name = scalarText(key);
      if (simple !== undefined) return [`${indent}${name}: ${simple}`];
      return [`${indent}${name}:`, ...block(v, Array.isArray(v) ? indent : `${indent}  `)];
    });
}

/** One object as a YAML document (ending in a newline). */
export function toYaml(value: unknown): string {
  const simple = inline(value);
  return `${simple ?? block(value, '').join('\n')}\n`;
}

/** Several objects as a multi-document stream. */
export function toYamlStream(values: readonly unknown[]): string {
  return values.map(toYaml).join('---\n');
}

interface EditableObject {
  metadata?: Record<string, unknown>;
  status?: unknown;
  [field: string]: unknown;
}

/**
 * A stored object as the user edits it: server-owned metadata and status left out, resourceVersion kept so
 * that apply refuses the edit if someone changed the object meanwhile (optimistic concurrency).
 */
export function editableYaml(object: EditableObject): string {
  const { apiVersion, kind, status: _status, metadata = {}, ...rest } = object;
  const { uid: _uid, generation: _generation, creationTimestamp: _created, managedFields: _managed, ...meta } = metadata;
  return toYaml({ apiVersion, kind, metadata: meta, ...rest });
}

/** Like editableYaml but without resourceVersion either: what a diff of two revisions should compare. */
export function revisionYaml(object: EditableObject | undefined): string {
  if (!object) return '';
  const { resourceVersion: _rv, ...meta } = object.metadata ?? {};
  return editableYaml({ ...object, metadata: meta });
}
