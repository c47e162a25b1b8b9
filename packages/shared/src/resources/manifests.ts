import { AmbitError, type ErrorDetail, type ErrorLocation } from '../errors';
import { decodeManifests } from '../yaml/codec';
import type { KubeObject } from './meta';
import { validateObject } from './validate';

export interface ManifestObject {
  object: KubeObject;
  location: ErrorLocation;
}

/**
 * Decodes and validates a manifest stream. Every document is checked before any error is
 * thrown, so the user sees all problems of a file at once; nothing is returned unless all pass.
 */
export function readManifests(text: string, source?: string): ManifestObject[] {
  const out: ManifestObject[] = [];
  const problems: ErrorDetail[] = [];
  let firstCode: AmbitError['code'] | undefined;
  for (const doc of decodeManifests(text)) {
    const location: ErrorLocation = { document: doc.document, line: doc.line };
    try {
      out.push({ object: validateObject(doc.value, location), location });
    } catch (e) {
      if (!(e instanceof AmbitError)) throw e;
      firstCode ??= e.code;
      if (e.details.length === 0) problems.push({ ...location, message: e.message });
      // A detail that names a field is placed on that field's line.
      for (const detail of e.details) problems.push(detail.path ? { ...detail, line: doc.spanOf(detail.path).line } : detail);
    }
  }
  if (problems.length > 0) {
    const where = source ? ` in ${source}` : '';
    const count = problems.length === 1 ? 'a problem' : `${problems.length} problems`;
    throw new AmbitError(firstCode ?? 'SchemaValidation', `${count}${where}; nothing was applied`, problems);
  }
  return out;
}
