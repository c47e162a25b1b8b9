/**
 * Which compiled policies each enforcement point runs, read from a snapshot exactly as the
 * translators hand them to the proxies: a workload's ztunnel gets the policies listed for it; a
 * waypoint gets the targetRefs policies for itself and its services and matches them per request
 * against the same targets the waypoint uses.
 */
import { type CompiledPolicy, selectTargetedPolicies, waypointPolicyTargets } from '@ambit/shared/authz';
import type { MeshSnapshot, ServiceInfo, WaypointInfo, WorkloadInfo } from '../registry/index';
import { toWaypointPolicies } from '../translate/waypoint-policies';

/** The policies the destination ztunnel enforces for `workload` (mesh-wide, namespace, selector; STRICT conversions). */
export function ztunnelPoliciesOf(snapshot: MeshSnapshot, workload: Pick<WorkloadInfo, 'uid'>): CompiledPolicy[] {
  const out: CompiledPolicy[] = [];
  for (const key of snapshot.policies.workloadPolicies.get(workload.uid) ?? []) {
    const policy = snapshot.policies.ztunnel.get(key);
    if (policy) out.push(policy);
  }
  return out;
}

/** The policies `waypoint` enforces for requests to `service`. */
export function waypointPoliciesOf(
  snapshot: MeshSnapshot,
  waypoint: Pick<WaypointInfo, 'key' | 'namespace' | 'name'>,
  service: Pick<ServiceInfo, 'namespace' | 'name'>,
): CompiledPolicy[] {
  const candidates = [...toWaypointPolicies(snapshot, waypoint.key).values()];
  if (candidates.length === 0) return [];
  return selectTargetedPolicies(candidates, waypointPolicyTargets(waypoint, service), { rootNamespace: snapshot.options.rootNamespace });
}
