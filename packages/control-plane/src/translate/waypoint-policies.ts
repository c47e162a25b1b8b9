/**
 * Snapshot → Ambit's own `ambit.mesh.v1.WaypointPolicy` resources for one waypoint, keyed
 * `<ns>/<name>`: the AuthorizationPolicies attached with targetRefs to the waypoint (its Gateway or
 * GatewayClass) or to a Service it serves, compiled for the waypoint by the registry. The waypoint
 * enforces them with the shared evaluator; see proto/ambit/mesh/v1/waypoint_policy.proto.
 */
import type { CompiledPolicyWithTarget } from '@ambit/shared/authz';
import type { MeshSnapshot } from '../registry/index';

/** The policies `waypoint` (`<ns>/<name>` of its Gateway) enforces, sorted by key; without a waypoint, every targeted policy. */
export function toWaypointPolicies(snapshot: MeshSnapshot, waypoint?: string): ReadonlyMap<string, CompiledPolicyWithTarget> {
  const { policies } = snapshot;
  const keys = new Set<string>(waypoint === undefined ? policies.waypoint.keys() : policies.waypointPolicies.get(waypoint));
  if (waypoint !== undefined) {
    for (const [service, names] of policies.servicePolicies) {
      if (snapshot.services.get(service)?.waypoint?.key === waypoint) for (const name of names) keys.add(name);
    }
  }
  const out: [string, CompiledPolicyWithTarget][] = [];
  for (const key of keys) {
    const policy = policies.waypoint.get(key);
    if (policy) out.push([key, policy]);
  }
  return new Map(out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}
