/**
 * Service endpoints → envoy.config.endpoint.v3.ClusterLoadAssignment per cluster: the workloads a
 * service selects, at their resolved target port, grouped by locality (from their node's
 * topology labels). Every locality carries load_balancing_weight — gRPC drops localities
 * without one ("priority policy has empty priority list") — equal to its endpoint count, so
 * traffic spreads evenly over endpoints. Unhealthy endpoints stay listed, marked UNHEALTHY.
 */
import type { Locality, MeshSnapshot, ServiceInfo, WorkloadInfo } from '../registry/index';
import { type Any, clusterName, packEnvoyResource, WORKLOAD_METADATA } from '../xds/index';
import { type EnvoyObject, metadata, sortedByName } from './envoy-messages';
import { tcpPorts } from './route-tables';

const CLUSTER_LOAD_ASSIGNMENT = 'envoy.config.endpoint.v3.ClusterLoadAssignment';
const NO_LOCALITY: Locality = { region: '', zone: '', subzone: '' };

/** Every ClusterLoadAssignment, keyed by cluster name, sorted. */
export function toLoadAssignments(snapshot: MeshSnapshot): ReadonlyMap<string, Any> {
  const out: [string, Any][] = [];
  for (const service of snapshot.services.values()) out.push(...serviceLoadAssignments(snapshot, service));
  return sortedByName(out);
}

/** The packed ClusterLoadAssignments of one service, with their cluster names. */
export function serviceLoadAssignments(snapshot: MeshSnapshot, service: ServiceInfo): [string, Any][] {
  return loadAssignments(snapshot, service).map((assignment) => [
    assignment.clusterName as string,
    packEnvoyResource(CLUSTER_LOAD_ASSIGNMENT, assignment),
  ]);
}

/** One ClusterLoadAssignment per TCP port of the service, as plain objects. */
export function loadAssignments(snapshot: MeshSnapshot, service: ServiceInfo): EnvoyObject[] {
  const members: WorkloadInfo[] = [];
  for (const uid of snapshot.endpoints.get(service.key) ?? []) {
    const workload = snapshot.workloads.get(uid);
    if (workload && workload.addresses.length > 0) members.push(workload);
  }
  return tcpPorts(service).map((port) => {
    const byLocality = new Map<string, { locality: Locality; endpoints: EnvoyObject[] }>();
    for (const workload of members) {
      const target = workload.services[service.key]?.find((p) => p.servicePort === port.port)?.targetPort;
      if (target === undefined) continue;
      const locality = workload.locality ?? NO_LOCALITY;
      const key = `${locality.region}/${locality.zone}/${locality.subzone}`;
      let group = byLocality.get(key);
      if (!group) {
        group = { locality, endpoints: [] };
        byLocality.set(key, group);
      }
      group.endpoints.push(lbEndpoint(workload, target));
    }
    const localities = [...byLocality.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([, group]) => ({
        locality: { region: group.locality.region, zone: group.locality.zone, subZone: group.locality.subzone },
        lbEndpoints: group.endpoints,
        loadBalancingWeight: { value: group.endpoints.length },
        priority: 0,
      }));
    return { clusterName: clusterName(service.hostname, port.port), endpoints: localities };
  });
}

function lbEndpoint(workload: WorkloadInfo, port: number): EnvoyObject {
  return {
    endpoint: { address: { socketAddress: { address: workload.addresses[0], portValue: port } } },
    healthStatus: workload.status === 'HEALTHY' ? 'HEALTHY' : 'UNHEALTHY',
    loadBalancingWeight: { value: 1 },
    metadata: metadata(WORKLOAD_METADATA, {
      uid: workload.uid,
      namespace: workload.namespace,
      name: workload.name,
      identity: workload.identity,
      ...(workload.node && { node: workload.node }),
    }),
  };
}
