import { type KubeObject, kinds } from '@ambit/shared';
import { type CodeInfo, documentationFor } from './codes';
import type { AnalysisMessage, ResourceRef } from './types';

/** Building messages about stored objects. */

/** Namespaced objects without a namespace land in `default`, as kubectl applies them. */
export function namespaceOf(object: KubeObject): string {
  return object.metadata.namespace ?? 'default';
}

const CLUSTER_SCOPED: ReadonlySet<string> = new Set(kinds.filter((k) => !k.namespaced).map((k) => k.kind));

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

export function resourceOf(object: KubeObject): ResourceRef {
  // Inputs that failed the schema may lack a name; their messages still need a resource.
  const name = String(object.metadata?.name ?? '');
  if (CLUSTER_SCOPED.has(object.kind)) return { kind: String(object.kind), name };
  return { kind: String(object.kind), namespace: String(object.metadata?.namespace ?? 'default'), name };
}

export function messageFor(info: CodeInfo, object: KubeObject, path: string, message: string): AnalysisMessage {
  return { code: info.code, level: info.level, resource: resourceOf(object), path, message, documentation: documentationFor(info.code) };
}
