import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments, stringify } from 'yaml';
import { AmbitError } from '../errors';
import { parseFieldPath } from '../resources/field-path';

/** The largest object Ambit stores, as Kubernetes (etcd) allows: 1.5 MiB. */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;
/** The largest manifest stream read at once. */
export const MAX_INPUT_BYTES = 32 * 1024 * 1024;

/** A stretch of the source text: 1-based line and column of its start and its end. */
export interface SourceSpan {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** One document of a stream as parsed, with a way back from its fields to the source. */
export interface ParsedDocument {
  /** 0-based index of the document in its stream. */
  document: number;
  /** 1-based line where the document's content starts. */
  line: number;
  /** The first syntax error, placed; such a document has no value. */
  syntaxError?: SourceSpan & { message: string };
  /** The document as plain data; undefined when it is empty or not valid YAML. */
  value: unknown;
  /** UTF-8 size of the document's text. */
  bytes: number;
  /**
   * Where the field at `path` (`spec.rules[0].to`, as errors and analysis name fields) is: its key,
   * or its item in a list; as deep as the document goes, the whole document when no path is given.
   */
  spanOf(path?: string): SourceSpan;
}

export interface DecodedDocument {
  /** 0-based index of the document in its stream. */
  document: number;
  /** 1-based line where the document starts. */
  line: number;
  value: unknown;
  /** Where the field at `path` of `value` is in the source (see ParsedDocument.spanOf). */
  spanOf(path?: string): SourceSpan;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The node of the key (or list item) that `path` names, as deep as the document allows. */
function nodeAt(doc: Document, path: string | undefined): Node | null | undefined {
  let target: Node | null | undefined = doc.contents;
  let node: unknown = doc.contents;
  for (const segment of (path ? parseFieldPath(path) : undefined) ?? []) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value === segment : p.key === segment));
      if (!pair) break;
      target = isScalar(pair.key) ? pair.key : target;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (!item) break;
      target = item as Node;
      node = item;
    } else break;
  }
  return target;
}

function spanBetween(counter: LineCounter, start: number, end: number): SourceSpan {
  const from = counter.linePos(start);
  const to = counter.linePos(Math.max(start, end));
  return { line: from.line, column: from.col, endLine: to.line, endColumn: to.col };
}

/**
 * Parses a multi-document YAML (or JSON) stream once, into every document (empty and invalid ones
 * included, so an editor can mark each) with the line of any field. Duplicate keys are errors.
 */
export function parseManifestStream(text: string): ParsedDocument[] {
  const counter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  return (Array.isArray(docs) ? docs : [docs]).map((doc, document) => {
    const problem = doc.errors[0];
    const parsed: ParsedDocument = {
      document,
      line: counter.linePos(doc.contents?.range[0] ?? doc.range[0]).line,
      value: problem ? undefined : doc.toJS({ maxAliasCount: 100 }),
      bytes: Buffer.byteLength(text.slice(doc.range[0], doc.range[2])),
      spanOf(path) {
        const [start, end] = nodeAt(doc, path)?.range ?? doc.range;
        return spanBetween(counter, start, end);
      },
    };
    if (problem) {
      parsed.syntaxError = {
        message: problem.message.split('\n')[0] ?? problem.message,
        ...spanBetween(counter, problem.pos[0], problem.pos[1]),
      };
    }
    return parsed;
  });
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
  const out: DecodedDocument[] = [];
  for (const doc of parseManifestStream(text)) {
    const { document, line, value, syntaxError } = doc;
    if (syntaxError) {
      throw new AmbitError('InvalidYaml', `document ${document} is not valid YAML`, [
        { document, line: syntaxError.line, message: syntaxError.message },
      ]);
    }
    if (doc.bytes > MAX_OBJECT_BYTES) {
      throw new AmbitError('DocumentTooLarge', `document ${document} is too large`, [
        { document, line, message: `document is ${mib(doc.bytes)}; the limit for one object is ${mib(MAX_OBJECT_BYTES)}` },
      ]);
    }
    if (value === null || value === undefined) continue;
    if (isList(value)) {
      value.items.forEach((item, index) => {
        out.push({
          document,
          line,
          value: item,
          spanOf: (path) => doc.spanOf(path ? `items[${index}]${path.startsWith('[') ? '' : '.'}${path}` : `items[${index}]`),
        });
      });
      continue;
    }
    out.push({ document, line, value, spanOf: doc.spanOf });
  }
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
