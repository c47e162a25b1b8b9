import type { AnalysisContext } from './context';

/** References between objects, as Gateway API, Istio and Flagger write them. */

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

export interface ObjectReference {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
}

/** A Service or Gateway that a reference names. */
export interface ReferencedObject {
  kind: 'Service' | 'Gateway';
  namespace: string;
  name: string;
}

export function isCoreGroup(group: string | undefined): boolean {
  return group === undefined || group === '' || group === 'core';
}

/**
 * What a parentRef (or a Canary gatewayRef) names: a Gateway by default, or a Service (GAMMA);
 * `unsupported` describes any other kind.
 */
export function parentTargetOf(ref: ObjectReference, namespace: string): ReferencedObject | { unsupported: string } {
  const kind = ref.kind ?? 'Gateway';
  const target = { namespace: ref.namespace ?? namespace, name: ref.name };
  if (kind === 'Service' && isCoreGroup(ref.group)) return { kind, ...target };
  if (kind === 'Gateway' && (ref.group === undefined || ref.group === GATEWAY_API_GROUP)) return { kind, ...target };
  return { unsupported: ref.group ? `${kind}.${ref.group}` : kind };
}

/** The kinds an Istio policy's targetRefs may name; undefined for any other. */
export type PolicyTargetKind = 'Gateway' | 'GatewayClass' | 'Service' | 'ServiceEntry';

export function policyTargetKind(ref: ObjectReference): PolicyTargetKind | undefined {
  const gatewayApi = ref.group === undefined || ref.group === GATEWAY_API_GROUP;
  if ((ref.kind === 'Gateway' || ref.kind === 'GatewayClass') && gatewayApi) return ref.kind;
  if (ref.kind === 'Service' && isCoreGroup(ref.group)) return 'Service';
  if (ref.kind === 'ServiceEntry' && (ref.group === undefined || ref.group === 'networking.istio.io')) return 'ServiceEntry';
  return undefined;
}

export function referencedExists(ctx: AnalysisContext, target: ReferencedObject): boolean {
  return ctx.find(target.kind, target.namespace, target.name) !== undefined;
}

/** Istio's wording, plus the reason when the whole namespace is missing. */
export function notFoundMessage(ctx: AnalysisContext, kind: string, namespace: string, name: string): string {
  const why = ctx.namespaceMissing(namespace) ? ` (namespace ${namespace} does not exist)` : '';
  return `Referenced ${kind} ${namespace}/${name} not found${why}`;
}

/** `spec.targetRef` and `spec.targetRefs[i]` of an Istio policy, with their field paths. */
export function policyTargetRefs(spec: { targetRef?: ObjectReference; targetRefs?: readonly ObjectReference[] }): {
  ref: ObjectReference;
  path: string;
}[] {
  const out = spec.targetRef ? [{ ref: spec.targetRef, path: 'spec.targetRef' }] : [];
  (spec.targetRefs ?? []).forEach((ref, i) => {
    out.push({ ref, path: `spec.targetRefs[${i}]` });
  });
  return out;
}
