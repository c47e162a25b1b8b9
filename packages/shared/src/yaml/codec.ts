import { LineCounter, parseAllDocuments, stringify } from 'yaml';
import { AmbitError } from '../errors';

/** The largest object Ambit stores, as Kubernetes (etcd) allows: 1.5 MiB. */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;
/** The largest manifest stream read at once. */
export const MAX_INPUT_BYTES = 32 * 1024 * 1024;

export interface DecodedDocument {
  /** 0-based index of the document in its stream. */
  document: number;
  /** 1-based line where the document starts. */
  line: number;
  value: unknown;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Decodes a multi-document YAML (or JSON) stream. Empty documents are skipped; a `kind: List`
 * is expanded into its items, as kubectl does. Syntax errors and oversized documents are
 * reported with the document index and line.
 */
export function decodeManifests(text: string): DecodedDocument[] {
  const inputBytes = Buffer.byteLength(text);
  if (inputBytes > MAX_INPUT_BYTES) {
    throw new AmbitError('DocumentTooLarge', `input is ${mib(inputBytes)}; the limit is ${mib(MAX_INPUT_BYTES)}`);
  }
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const parsed = Array.isArray(docs) ? docs : [docs];
  const out: DecodedDocument[] = [];
  parsed.forEach((doc, index) => {
    const start = doc.range[0];
    const line = lineCounter.linePos(doc.contents?.range[0] ?? start).line;
    const problem = doc.errors[0];
    if (problem) {
      throw new AmbitError('InvalidYaml', `document ${index} is not valid YAML`, [
        { document: index, line: lineCounter.linePos(problem.pos[0]).line, message: problem.message.split('\n')[0] ?? problem.message },
      ]);
    }
    const bytes = Buffer.byteLength(text.slice(start, doc.range[2]));
    if (bytes > MAX_OBJECT_BYTES) {
      throw new AmbitError('DocumentTooLarge', `document ${index} is too large`, [
        { document: index, line, message: `document is ${mib(bytes)}; the limit for one object is ${mib(MAX_OBJECT_BYTES)}` },
      ]);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    if (isList(value)) {
      for (const item of value.items) out.push({ document: index, line, value: item });
      return;
    }
    out.push({ document: index, line, value });
  });
  return out;
}

function isList(value: unknown): value is { items: unknown[] } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { kind?: unknown; items?: unknown };
  return typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items);
}

/** Encodes objects as a multi-document YAML stream that decodes back to the same objects. */
export function encodeManifests(objects: readonly unknown[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
