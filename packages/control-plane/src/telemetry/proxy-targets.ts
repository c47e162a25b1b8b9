import type { MeshSnapshot } from '../registry/model';
import type { ScrapeTarget } from './embedded-telemetry';

/** Istio's metrics port on every proxy. */
export const PROXY_METRICS_PORT = 15020;

/**
 * What the embedded scraper reads: every node's ztunnel (at the node's address) and every
 * waypoint pod, labelled so the topology can show each proxy's scrape health.
 */
export function proxyScrapeTargets(snapshot: MeshSnapshot): ScrapeTarget[] {
  const targets: ScrapeTarget[] = [];
  for (const node of snapshot.nodes.values()) {
    const address = node.addresses[0];
    if (address)
      targets.push({
        name: `ztunnel/${node.name}`,
        url: `http://${address}:${PROXY_METRICS_PORT}/metrics`,
        labels: { proxy: 'ztunnel', node: node.name },
      });
  }
  for (const workload of snapshot.workloads.values()) {
    const address = workload.addresses[0];
    if (!workload.implementsWaypoint || !address || workload.status !== 'HEALTHY') continue;
    targets.push({
      name: `waypoint/${workload.namespace}/${workload.name}`,
      url: `http://${address}:${PROXY_METRICS_PORT}/metrics`,
      labels: { proxy: 'waypoint', waypoint: workload.implementsWaypoint },
    });
  }
  return targets.sort((a, b) => a.name.localeCompare(b.name));
}
