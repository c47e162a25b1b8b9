import { parseSpiffeId } from '@ambit/shared/spiffe';
import type { Service } from '../state/service';
import type { Workload } from '../state/workload';
import { labelPair } from './registry';

/**
 * Istio's peer labels (`source_*`, `destination_*`, `destination_service*`), rendered once per
 * workload, identity and service and kept, so a connection or a request costs a string join. The
 * ztunnel's TCP metrics and the waypoint's HTTP metrics both label with these.
 */

const UNKNOWN = 'unknown';

export class PeerLabels {
  private readonly sources = new WeakMap<Workload, string>();
  private readonly plaintextSources = new WeakMap<Workload, string>();
  private readonly derivedSources = new Map<string, string>();
  private readonly destinations = new WeakMap<Workload, string>();
  private readonly services = new WeakMap<Service, string>();

  /** `source_*` labels: from the workload when known, else derived from the peer identity alone. */
  source(workload: Workload | undefined, principal: string | undefined): string {
    if (workload && (principal === undefined || principal === workload.identity)) {
      const cache = principal === undefined ? this.plaintextSources : this.sources;
      let labels = cache.get(workload);
      if (labels === undefined) {
        labels = workloadLabels('source', workload, principal ?? UNKNOWN);
        cache.set(workload, labels);
      }
      return labels;
    }
    const key = principal ?? '';
    let labels = this.derivedSources.get(key);
    if (labels === undefined) {
      const id = principal ? parseSpiffeId(principal) : undefined;
      labels =
        labelPair('source_workload', UNKNOWN) +
        labelPair('source_canonical_service', UNKNOWN) +
        labelPair('source_canonical_revision', UNKNOWN) +
        labelPair('source_workload_namespace', id?.namespace ?? UNKNOWN) +
        labelPair('source_principal', principal ?? UNKNOWN) +
        labelPair('source_app', UNKNOWN) +
        labelPair('source_version', UNKNOWN) +
        labelPair('source_cluster', UNKNOWN);
      if (this.derivedSources.size > 10_000) this.derivedSources.clear();
      this.derivedSources.set(key, labels);
    }
    return labels;
  }

  destination(workload: Workload | undefined): string {
    if (!workload) return EMPTY_DESTINATION;
    let labels = this.destinations.get(workload);
    if (labels === undefined) {
      labels = workloadLabels('destination', workload, workload.identity);
      this.destinations.set(workload, labels);
    }
    return labels;
  }

  service(service: Service | undefined): string {
    if (!service) return EMPTY_SERVICE;
    let labels = this.services.get(service);
    if (labels === undefined) {
      labels =
        labelPair('destination_service', service.hostname) +
        labelPair('destination_service_namespace', service.namespace) +
        labelPair('destination_service_name', service.name);
      this.services.set(service, labels);
    }
    return labels;
  }
}

function workloadLabels(side: 'source' | 'destination', w: Workload, principal: string): string {
  return (
    labelPair(`${side}_workload`, w.workloadName) +
    labelPair(`${side}_canonical_service`, w.canonicalName) +
    labelPair(`${side}_canonical_revision`, w.canonicalRevision) +
    labelPair(`${side}_workload_namespace`, w.namespace) +
    labelPair(`${side}_principal`, principal) +
    labelPair(`${side}_app`, w.canonicalName) +
    labelPair(`${side}_version`, w.canonicalRevision) +
    labelPair(`${side}_cluster`, w.clusterId ?? UNKNOWN)
  );
}

const EMPTY_DESTINATION = [
  'destination_workload',
  'destination_canonical_service',
  'destination_canonical_revision',
  'destination_workload_namespace',
  'destination_principal',
  'destination_app',
  'destination_version',
  'destination_cluster',
]
  .map((name) => labelPair(name, UNKNOWN))
  .join('');

const EMPTY_SERVICE = ['destination_service', 'destination_service_namespace', 'destination_service_name']
  .map((name) => labelPair(name, UNKNOWN))
  .join('');
