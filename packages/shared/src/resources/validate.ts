import type { z } from 'zod';
import { AmbitError, type ErrorDetail, type ErrorLocation } from '../errors';
import { lookupKind, preferredApiVersion } from './kinds';
import type { KubeObject } from './meta';

/** Most details reported for one object; past this the rest are summarised in one line. */
const MAX_DETAILS = 20;

/** `['spec', 'rules', 0, 'to']` → `spec.rules[0].to`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = String(segment);
      if (/^[A-Za-z_$][\w$-]*$/.test(key)) out += out ? `.${key}` : key;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue): { path: string; message: string }[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'unknown field' }));
  }
  let message = issue.message.replace(/^Invalid input: /, '');
  if (issue.code === 'invalid_type' && /received undefined$/.test(message)) message = 'required field is missing';
  return [{ path: formatPath(issue.path), message }];
}

function objectLabel(value: Record<string, unknown>): string | undefined {
  const kind = typeof value.kind === 'string' ? value.kind : undefined;
  const meta = value.metadata as { name?: unknown; namespace?: unknown } | undefined;
  const name = typeof meta?.name === 'string' ? meta.name : undefined;
  if (!kind) return undefined;
  if (!name) return kind;
  return typeof meta?.namespace === 'string' ? `${kind}/${meta.namespace}/${name}` : `${kind}/${name}`;
}

/**
 * Checks one decoded document against the schema of its kind. Returns the object with its
 * apiVersion normalised to the stored version; throws an AmbitError naming every bad field.
 */
export function validateObject(value: unknown, where: ErrorLocation = {}): KubeObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AmbitError('InvalidDocument', 'a document must be a mapping with apiVersion, kind and metadata', [
      { ...where, message: `expected a mapping, got ${Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value}` },
    ]);
  }
  const record = value as Record<string, unknown>;
  const located: ErrorLocation = { ...where, object: objectLabel(record) ?? where.object };
  for (const field of ['apiVersion', 'kind'] as const) {
    if (typeof record[field] !== 'string' || record[field] === '') {
      throw new AmbitError('InvalidDocument', `${field} is required`, [{ ...located, path: field, message: 'required field is missing' }]);
    }
  }
  const found = lookupKind(record.apiVersion as string, record.kind as string);
  if ('error' in found) {
    throw new AmbitError('UnknownKind', found.error, [{ ...located, path: 'kind', message: found.error }]);
  }
  const parsed = found.info.schema.safeParse(record);
  if (!parsed.success) {
    const details: ErrorDetail[] = parsed.error.issues.flatMap(describeIssue).map((d) => ({ ...located, ...d }));
    const shown = details.slice(0, MAX_DETAILS);
    if (details.length > MAX_DETAILS) shown.push({ ...located, message: `and ${details.length - MAX_DETAILS} more problems` });
    throw new AmbitError('SchemaValidation', `${located.object ?? found.info.kind} is invalid`, shown);
  }
  const object = parsed.data;
  object.apiVersion = preferredApiVersion(found.info);
  const meta = object.metadata;
  if (!found.info.namespaced && meta.namespace !== undefined) {
    throw new AmbitError('SchemaValidation', `${found.info.kind} is cluster-scoped`, [
      { ...located, path: 'metadata.namespace', message: `${found.info.kind} is cluster-scoped and takes no namespace` },
    ]);
  }
  return object;
}
