/**
 * Renders a kustomization without the kustomize binary, for the manifests' checks. It supports
 * the fields Ambit's kustomizations use and refuses any other:
 * - `resources`: YAML files beside the kustomization (no directories, no URLs);
 * - `namespace`: set on every namespaced object that names none or another (cluster-scoped
 *   kinds and Namespace objects are left alone, as kustomize does);
 * - `labels`: entries of `pairs` with `includeSelectors: false` (added to metadata.labels only).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
  /** Where it came from, for messages. */
  source: string;
}

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
]);

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'labels']);

interface Kustomization {
  resources?: string[];
  namespace?: string;
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }[];
}

export function readYamlDocuments(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
    return doc.toJS();
  });
}

export function renderKustomization(dir: string): RenderedObject[] {
  const file = join(dir, 'kustomization.yaml');
  const k = readYamlDocuments(file)[0] as Kustomization & Record<string, unknown>;
  for (const field of Object.keys(k)) {
    if (!SUPPORTED.has(field)) throw new Error(`${file}: field "${field}" is not supported by render.ts (see its header)`);
  }
  for (const entry of k.labels ?? []) {
    if (entry.includeSelectors || entry.includeTemplates)
      throw new Error(`${file}: labels with includeSelectors/includeTemplates are not supported`);
  }
  const out: RenderedObject[] = [];
  for (const resource of k.resources ?? []) {
    if (!/\.ya?ml$/.test(resource) || resource.includes('://')) throw new Error(`${file}: resource "${resource}" must be a YAML file`);
    const path = join(dirname(file), resource);
    for (const doc of readYamlDocuments(path)) {
      if (doc === null || doc === undefined) continue;
      const object = structuredClone(doc) as RenderedObject;
      object.source = `${resource}: ${object.kind}/${object.metadata?.name}`;
      if (k.namespace && !CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace = k.namespace;
      for (const entry of k.labels ?? []) object.metadata.labels = { ...object.metadata.labels, ...entry.pairs };
      out.push(object);
    }
  }
  return out;
}
