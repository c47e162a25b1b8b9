import { analyze } from '@ambit/control-plane/analysis';
import { keyOf, STORE_WRITERS } from '@ambit/control-plane/store';
import { AmbitError, type ErrorLocation, type KubeObject, kinds, validateObject } from '@ambit/shared';
import { type ParsedDocument, parseManifestStream } from '@ambit/shared/yaml/codec';
import type { BffControlPlane } from '../context';
import { messagesAbout } from '../mesh/analysis';

/**
 * The editor's check of a manifest, changing nothing: YAML syntax, schema, what the store would do
 * (missing namespace, stale resourceVersion) as a dry run, and analysis — every problem placed on
 * the line and column of the field it names, so the editor can mark that line.
 */

export type ProblemLevel = 'Error' | 'Warning' | 'Info';

export interface EditorProblem {
  level: ProblemLevel;
  /** AmbitError code (`SchemaValidation`, `NamespaceNotFound`, `Conflict`...) or analysis code (`AMB0001`). */
  code: string;
  message: string;
  document: number;
  /** Field path in the object, where the problem has one. */
  path?: string;
  /** 1-based start of the field's key (or of the document when the path cannot be followed). */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface EditorDocument {
  document: number;
  /** The object after schema validation; absent when the document is invalid. */
  object?: KubeObject;
  kind?: string;
  namespace?: string;
  name?: string;
  /** What apply would do with it. */
  action?: 'created' | 'configured' | 'unchanged';
}

export interface ValidationReport {
  /** True when apply would succeed (warnings allowed). */
  valid: boolean;
  documents: EditorDocument[];
  problems: EditorProblem[];
}

function refOf(object: KubeObject, defaultNamespace: string): string {
  const key = keyOf(object, defaultNamespace);
  return `${key.kind}\u0000${key.namespace}\u0000${key.name}`;
}

export async function validateManifest(controlPlane: BffControlPlane, yaml: string, defaultNamespace: string): Promise<ValidationReport> {
  const documents: EditorDocument[] = [];
  const problems: EditorProblem[] = [];
  const objects: { object: KubeObject; location: ErrorLocation; doc: ParsedDocument }[] = [];
  const problem = (doc: ParsedDocument, level: ProblemLevel, code: string, message: string, path?: string) =>
    problems.push({ level, code, message, document: doc.document, ...(path ? { path } : {}), ...doc.spanOf(path) });

  for (const doc of parseManifestStream(yaml)) {
    const { document, syntaxError, value } = doc;
    if (syntaxError) {
      problems.push({ level: 'Error', code: 'InvalidYaml', document, ...syntaxError });
      documents.push({ document });
      continue;
    }
    if (value === null || value === undefined) continue;
    const location: ErrorLocation = { document, line: doc.line };
    try {
      const object = validateObject(value, location);
      const key = keyOf(object, defaultNamespace);
      objects.push({ object, location, doc });
      documents.push({ document, object, kind: key.kind, ...(key.namespace ? { namespace: key.namespace } : {}), name: key.name });
    } catch (error) {
      if (!(error instanceof AmbitError)) throw error;
      documents.push({ document });
      for (const detail of error.details.length > 0 ? error.details : [{ message: error.message }])
        problem(doc, 'Error', error.code, detail.message, detail.path);
    }
  }
  if (objects.length === 0 || problems.length > 0) return { valid: false, documents, problems };

  // The store's own dry run: the same checks (namespace exists, resourceVersion current) as a real apply.
  try {
    // `locations` is the SQLite store's extension of WriteOptions: its errors then name the document.
    const options: { author: string; writer: string; defaultNamespace: string; dryRun: boolean; locations: ErrorLocation[] } = {
      author: 'editor',
      writer: STORE_WRITERS.console,
      defaultNamespace,
      dryRun: true,
      locations: objects.map((o) => o.location),
    };
    const results = await controlPlane.store.applyAsync(
      objects.map((o) => o.object),
      options,
    );
    results.forEach((result, i) => {
      const entry = documents.find((d) => d.document === objects[i]?.doc.document);
      if (entry) entry.action = result.action;
    });
  } catch (error) {
    if (!(error instanceof AmbitError)) throw error;
    for (const detail of error.details.length > 0 ? error.details : [{ message: error.message, document: objects[0]?.doc.document }]) {
      const at = objects.find((o) => o.doc.document === detail.document) ?? objects[0];
      if (at) problem(at.doc, 'Error', error.code, detail.message, detail.path);
    }
  }

  // Analysis findings are shown, not enforced: apply accepts them as warnings.
  const blocking = problems.length;
  const overlay = objects.map(({ object }) => {
    const key = keyOf(object, defaultNamespace);
    return key.namespace ? { ...object, metadata: { ...object.metadata, namespace: key.namespace } } : object;
  });
  const byRef = new Map(objects.map((o) => [refOf(o.object, defaultNamespace), o]));
  // The draft replaces the stored objects it names: their old messages are not the draft's.
  const stored = kinds.flatMap((k) => controlPlane.store.list(k.kind)).filter((o) => !byRef.has(refOf(o, defaultNamespace)));
  const messages = messagesAbout(
    analyze([...stored, ...overlay], { rootNamespace: controlPlane.registry.snapshot().options.rootNamespace }),
    overlay as Parameters<typeof messagesAbout>[1],
  );
  for (const message of messages) {
    const ref = `${message.resource.kind}\u0000${message.resource.namespace ?? ''}\u0000${message.resource.name}`;
    const at = byRef.get(ref);
    if (at) problem(at.doc, message.level, message.code, message.message, message.path || undefined);
  }
  return { valid: blocking === 0, documents, problems };
}
