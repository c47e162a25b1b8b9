/**
 * Names of the Envoy resources Ambit serves, chosen so that proxyless gRPC targets read naturally.
 * The canonical names (listenerName, clusterName) live in @ambit/shared/xds, which the waypoint
 * reads them with; the aliases for gRPC clients are the control plane's alone.
 *
 * Listener (LDS) and RouteConfiguration (RDS): `<hostname>:<port>`, the FQDN of a service and
 * one of its ports — grpc-js-xds asks LDS for the path of its target, so
 * `xds:///reviews.demo.svc.cluster.local:9080` finds the listener of Service demo/reviews port
 * 9080. gRPC clients also get aliases for the short forms a Kubernetes client would type:
 * `reviews.demo:9080` and `reviews.demo.svc:9080`, and for a single-port service the same three
 * names without a port (`xds:///reviews.demo`). Aliases are separate Listener resources (LDS
 * names must equal the listener's name) pointing at the same RouteConfiguration.
 *
 * Cluster (CDS) and ClusterLoadAssignment (EDS): Istio's `outbound|<port>||<hostname>`.
 */

/** The short names a gRPC client may use for a service port (see above), canonical name excluded. */
export function listenerAliases(name: string, namespace: string, hostname: string, port: number, onlyPort: boolean): string[] {
  const short = [`${name}.${namespace}`, `${name}.${namespace}.svc`];
  const aliases = short.map((host) => `${host}:${port}`);
  if (onlyPort) aliases.push(hostname, ...short);
  return aliases;
}
