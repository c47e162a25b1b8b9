// How Ambit names and annotates the Envoy resources it serves, written once for the control
// plane's translators and the waypoint's decoders: resource names, the fault filter, and the
// metadata namespaces that carry what Envoy's own fields cannot (see route-metadata.ts).

/** Envoy's HTTP fault filter: per-route (and per weighted cluster) config under this name. */
export const FAULT_FILTER = 'envoy.filters.http.fault';
/** The message the fault filter's config is. */
export const HTTP_FAULT = 'envoy.extensions.filters.http.fault.v3.HTTPFault';

/** Metadata namespaces: where config dumps, the waypoint and the console find the source of a resource. */
export const SERVICE_METADATA = 'ambit.dev/service';
export const ROUTE_METADATA = 'ambit.dev/route';
export const WORKLOAD_METADATA = 'ambit.dev/workload';

/** Listener and RouteConfiguration of a service port: `<hostname>:<port>`, so `xds:///<hostname>:<port>` finds it. */
export function listenerName(hostname: string, port: number): string {
  return `${hostname}:${port}`;
}

/** Cluster (and ClusterLoadAssignment) of a service port, as Istio names it: `outbound|<port>||<hostname>`. */
export function clusterName(hostname: string, port: number): string {
  return `outbound|${port}||${hostname}`;
}

/** The service port an `outbound|<port>||<hostname>` cluster stands for; undefined for any other name. */
export function parseClusterName(name: string): { hostname: string; port: number } | undefined {
  const parts = name.split('|');
  const port = Number(parts[1]);
  const hostname = parts[3] ?? '';
  if (parts.length !== 4 || parts[0] !== 'outbound' || parts[2] !== '' || !Number.isInteger(port) || port <= 0 || hostname === '') {
    return undefined;
  }
  return { hostname, port };
}
