/**
 * Where the xDS client writes for a waypoint: route tables (RDS), endpoint assignments (EDS) and
 * its L7 policies (Ambit's WaypointPolicy) into its WaypointConfig, decoded whole before anything
 * is stored so that one resource the waypoint cannot honour rejects (NACKs) the response and the
 * old configuration stays; the workload API (Address, Authorization, Node) into its ProxyState
 * through the ztunnel's sink. Listeners and clusters carry nothing the waypoint needs beyond their
 * names, so they are accepted as they are.
 */
import type { CompiledPolicyWithTarget } from '@ambit/shared/authz';
import { AmbitError } from '@ambit/shared/errors';
import { TypeUrl } from '@ambit/shared/xds';
import type { EnvoyResource, ResourceUpdate, XdsSink } from '../xds/sink';
import type { WaypointConfig } from './config';
import { decodeClusterLoadAssignment } from './load-assignment';
import { decodeRouteConfiguration } from './route-config';

export class WaypointConfigSink implements XdsSink {
  constructor(
    private readonly config: WaypointConfig,
    /** Takes the workload API types (the ztunnel's WorkloadStateSink over the waypoint's state). */
    private readonly workloads?: XdsSink,
  ) {}

  apply(typeUrl: string, update: ResourceUpdate): void {
    const { upserted, removed } = update as ResourceUpdate<EnvoyResource>;
    switch (typeUrl) {
      case TypeUrl.routeConfiguration: {
        const routes = [...upserted].map(([name, resource]) => named(name, decodeRouteConfiguration(resource)));
        this.config.update({ routes, removedRoutes: removed });
        return;
      }
      case TypeUrl.clusterLoadAssignment: {
        const assignments = [...upserted].map(([name, resource]) => ({ ...decodeClusterLoadAssignment(resource), clusterName: name }));
        this.config.update({ assignments, removedAssignments: removed });
        return;
      }
      case TypeUrl.waypointPolicy: {
        // Decoded and checked by the client already (resource-types.ts); keyed `<ns>/<name>`.
        const policies = [...(upserted as ReadonlyMap<string, unknown> as ReadonlyMap<string, CompiledPolicyWithTarget>)].map(
          ([name, policy]) => {
            const key = `${policy.target.namespace}/${policy.target.name}`;
            if (key !== name) throw new AmbitError('InvalidArgument', `WaypointPolicy ${name} names itself ${key}`);
            return policy;
          },
        );
        this.config.update({ policies, removedPolicies: removed });
        return;
      }
      case TypeUrl.listener:
      case TypeUrl.cluster:
        return;
      default:
        if (this.workloads) this.workloads.apply(typeUrl, update);
        else
          throw new AmbitError(
            'InvalidArgument',
            `the waypoint takes Envoy routes, clusters, endpoints and listeners and Ambit's WaypointPolicy, not ${typeUrl}`,
          );
    }
  }
}

function named<T extends { name: string }>(name: string, decoded: T): T {
  if (decoded.name !== name) {
    throw new AmbitError('InvalidArgument', `RouteConfiguration ${name} names itself ${decoded.name}`, [
      { object: name, path: 'name', message: 'name mismatch' },
    ]);
  }
  return decoded;
}
