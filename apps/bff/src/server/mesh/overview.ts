import type { MeshSnapshot } from '@ambit/control-plane/registry';
import type { ProxySyncSummary } from '@ambit/control-plane/xds';

/** The overview page's numbers: what the mesh holds, how much of it is ambient, and the proxies' sync state. */
export interface MeshOverview {
  /** Store resourceVersion the registry snapshot reflects. */
  revision: number;
  namespaces: { total: number; ambient: number };
  nodes: number;
  services: { total: number; ambient: number; withWaypoint: number };
  workloads: { total: number; ambient: number; healthy: number };
  waypoints: number;
  /** Share of workloads captured by the mesh, 0..1; null without workloads. */
  ambientCoverage: number | null;
  proxies: { connected: number; byKind: Record<string, number>; synced: number; stale: number; nack: number };
}

export function meshOverview(snapshot: MeshSnapshot, proxies: readonly ProxySyncSummary[]): MeshOverview {
  let ambientNamespaces = 0;
  for (const ns of snapshot.namespaces.values()) if (ns.ambient) ambientNamespaces++;
  let ambientServices = 0;
  let servicesWithWaypoint = 0;
  for (const service of snapshot.services.values()) {
    if (service.ambient) ambientServices++;
    if (service.waypoint) servicesWithWaypoint++;
  }
  let ambientWorkloads = 0;
  let healthy = 0;
  for (const workload of snapshot.workloads.values()) {
    if (workload.ambient) ambientWorkloads++;
    if (workload.status === 'HEALTHY') healthy++;
  }
  const byKind: Record<string, number> = {};
  let synced = 0;
  let stale = 0;
  let nack = 0;
  for (const proxy of proxies) {
    byKind[proxy.kind] = (byKind[proxy.kind] ?? 0) + 1;
    // A proxy counts once, by its worst resource type.
    if (proxy.types.some((t) => t.state === 'NACK')) nack++;
    else if (proxy.types.some((t) => t.state === 'STALE')) stale++;
    else synced++;
  }
  const totalWorkloads = snapshot.workloads.size;
  return {
    revision: snapshot.revision,
    namespaces: { total: snapshot.namespaces.size, ambient: ambientNamespaces },
    nodes: snapshot.nodes.size,
    services: { total: snapshot.services.size, ambient: ambientServices, withWaypoint: servicesWithWaypoint },
    workloads: { total: totalWorkloads, ambient: ambientWorkloads, healthy },
    waypoints: snapshot.waypoints.size,
    ambientCoverage: totalWorkloads === 0 ? null : ambientWorkloads / totalWorkloads,
    proxies: { connected: proxies.length, byKind, synced, stale, nack },
  };
}
