/**
 * Services → envoy.config.cluster.v3.Cluster, one per TCP service port (`outbound|<port>||<hostname>`):
 * EDS from ADS, round robin — what grpc-js-xds accepts and a waypoint balances over.
 */
import type { MeshSnapshot, ServiceInfo } from '../registry/index';
import { type Any, clusterName, packEnvoyResource, SERVICE_METADATA } from '../xds/index';
import { ADS_CONFIG_SOURCE, duration, type EnvoyObject, metadata, sortedByName } from './envoy-messages';
import { tcpPorts } from './route-tables';

const CLUSTER = 'envoy.config.cluster.v3.Cluster';
/** Istio's default connect timeout. */
const CONNECT_TIMEOUT_MS = 10_000;

/** Every Cluster, keyed by name, sorted. */
export function toClusters(snapshot: MeshSnapshot): ReadonlyMap<string, Any> {
  const out: [string, Any][] = [];
  for (const service of snapshot.services.values()) out.push(...serviceClusters(service));
  return sortedByName(out);
}

/** The packed Clusters of one service, one per TCP port. */
export function serviceClusters(service: ServiceInfo): [string, Any][] {
  return tcpPorts(service).map((port) => {
    const name = clusterName(service.hostname, port.port);
    const cluster: EnvoyObject = {
      name,
      type: 'EDS',
      edsClusterConfig: { edsConfig: ADS_CONFIG_SOURCE, serviceName: name },
      lbPolicy: 'ROUND_ROBIN',
      connectTimeout: duration(CONNECT_TIMEOUT_MS),
      metadata: metadata(SERVICE_METADATA, {
        namespace: service.namespace,
        name: service.name,
        hostname: service.hostname,
        port: port.port,
      }),
    };
    return [name, packEnvoyResource(CLUSTER, cluster)];
  });
}
