import type { AuthorizationPolicy } from '../resources/security';
import type { CompiledPolicy } from './types';

/**
 * Which policies apply where. Kept apart from CompiledPolicy (which mirrors the workload API)
 * so the registry can index policies by what they select without compiling them.
 */

/** Istio's PolicyTargetReference. */
export interface PolicyTargetRef {
  group?: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface PolicyTarget {
  namespace: string;
  name: string;
  /** `spec.selector.matchLabels`; an empty map selects every workload in scope. */
  selector?: Readonly<Record<string, string>>;
  /** `spec.targetRef` and `spec.targetRefs`; when set, the policy is enforced where they point, not at ztunnel. */
  targetRefs?: readonly PolicyTargetRef[];
}

export interface CompiledPolicyWithTarget {
  policy: CompiledPolicy;
  target: PolicyTarget;
}

export interface WorkloadIdentity {
  namespace: string;
  labels: Readonly<Record<string, string>>;
}

export interface SelectOptions {
  rootNamespace: string;
}

export function policyTargetOf(policy: AuthorizationPolicy): PolicyTarget {
  const target: PolicyTarget = { namespace: policy.metadata.namespace ?? 'default', name: policy.metadata.name };
  if (policy.spec.selector) target.selector = policy.spec.selector.matchLabels;
  const refs = [...(policy.spec.targetRef ? [policy.spec.targetRef] : []), ...(policy.spec.targetRefs ?? [])];
  if (refs.length > 0) target.targetRefs = refs;
  return target;
}

/** `matchLabels` semantics: every listed label present with the same value. */
export function selectorMatches(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  for (const key in selector) {
    if (labels[key] !== selector[key]) return false;
  }
  return true;
}

/**
 * The policies ztunnel enforces for `workload`: those in the root namespace (mesh-wide) and in
 * the workload's namespace, narrowed by `selector` where set; a root-namespace selector matches
 * workloads in every namespace. Policies attached with targetRefs belong to waypoints and are left out.
 */
export function selectPolicies(
  policies: readonly CompiledPolicyWithTarget[],
  workload: WorkloadIdentity,
  options: SelectOptions,
): CompiledPolicy[] {
  const out: CompiledPolicy[] = [];
  for (const { policy, target } of policies) {
    if (target.targetRefs && target.targetRefs.length > 0) continue;
    if (target.namespace !== workload.namespace && target.namespace !== options.rootNamespace) continue;
    if (target.selector && !selectorMatches(target.selector, workload.labels)) continue;
    out.push(policy);
  }
  return out;
}

const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** The GatewayClass every waypoint belongs to; root-namespace policies may target it. */
export const WAYPOINT_GATEWAY_CLASS = 'istio-waypoint';

/**
 * What a waypoint matches targetRefs against for a request to `service`: its own Gateway, the
 * waypoint GatewayClass and the Service. The waypoint and the simulator both ask this.
 */
export function waypointPolicyTargets(
  gateway: { namespace: string; name: string },
  service: { namespace: string; name: string },
): PolicyTargetRef[] {
  return [
    { group: GATEWAY_API_GROUP, kind: 'Gateway', namespace: gateway.namespace, name: gateway.name },
    { group: GATEWAY_API_GROUP, kind: 'GatewayClass', name: WAYPOINT_GATEWAY_CLASS },
    { group: '', kind: 'Service', namespace: service.namespace, name: service.name },
  ];
}

/** The group a reference means when it leaves `group` out. */
function groupOf(ref: PolicyTargetRef): string {
  if (ref.group !== undefined) return ref.group;
  if (ref.kind === 'Gateway' || ref.kind === 'GatewayClass') return GATEWAY_API_GROUP;
  if (ref.kind === 'ServiceEntry') return 'networking.istio.io';
  return '';
}

/**
 * The policies a waypoint enforces for one of `targets` (its Gateway, its GatewayClass, or a
 * Service it serves; each with its namespace). A reference points into the policy's own
 * namespace (Istio forbids others); a GatewayClass is cluster-scoped and only policies in the
 * root namespace may target it.
 */
export function selectTargetedPolicies(
  policies: readonly CompiledPolicyWithTarget[],
  targets: readonly PolicyTargetRef[],
  options: SelectOptions,
): CompiledPolicy[] {
  const out: CompiledPolicy[] = [];
  for (const { policy, target } of policies) {
    const refs = target.targetRefs ?? [];
    const hit = refs.some((ref) =>
      targets.some((t) => {
        if (ref.kind !== t.kind || ref.name !== t.name || groupOf(ref) !== groupOf(t)) return false;
        if (ref.kind === 'GatewayClass') return target.namespace === options.rootNamespace;
        return (ref.namespace ?? target.namespace) === target.namespace && t.namespace === target.namespace;
      }),
    );
    if (hit) out.push(policy);
  }
  return out;
}
