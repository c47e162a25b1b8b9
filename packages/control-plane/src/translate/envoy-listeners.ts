/**
 * Services → envoy.config.listener.v3.Listener, one per TCP service port: an `api_listener`
 * holding an HttpConnectionManager that takes its routes from ADS (RDS `<hostname>:<port>`), with
 * the fault filter and the router last — the shape grpc-js-xds requires and a waypoint reads. The
 * listener's metadata names the service and its VIPs, so a waypoint can map a `VIP:port` it is
 * asked for (HBONE `:authority`) to its listener.
 */
import type { MeshSnapshot, ServiceInfo, ServicePortInfo } from '../registry/index';
import { type Any, FAULT_FILTER, HTTP_FAULT, listenerName, packEnvoyResource, SERVICE_METADATA } from '../xds/index';
import { ADS_CONFIG_SOURCE, type EnvoyObject, metadata, sortedByName } from './envoy-messages';
import { listenerAliases } from './envoy-names';
import { tcpPorts } from './route-tables';

const LISTENER = 'envoy.config.listener.v3.Listener';
const HTTP_CONNECTION_MANAGER = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

let httpFilters: EnvoyObject[] | undefined;

/** The fault filter (per-route faults), then the router: the same for every listener, packed once. */
function filterChain(): EnvoyObject[] {
  httpFilters ??= [
    { name: FAULT_FILTER, typedConfig: packEnvoyResource(HTTP_FAULT, {}) },
    { name: 'envoy.filters.http.router', typedConfig: packEnvoyResource('envoy.extensions.filters.http.router.v3.Router', {}) },
  ];
  return httpFilters;
}

export interface ListenerOptions {
  /** Add the short-name aliases gRPC clients may dial (see envoy-names.ts). */
  aliases?: boolean;
}

/** Every Listener, keyed by name, sorted. */
export function toListeners(snapshot: MeshSnapshot, options: ListenerOptions = {}): ReadonlyMap<string, Any> {
  const out: [string, Any][] = [];
  for (const service of snapshot.services.values()) out.push(...serviceListeners(service, options));
  return sortedByName(out);
}

/** The packed Listeners of one service: one per TCP port, plus aliases when asked. */
export function serviceListeners(service: ServiceInfo, options: ListenerOptions = {}): [string, Any][] {
  const out: [string, Any][] = [];
  const ports = tcpPorts(service);
  for (const port of ports) {
    const canonical = listenerName(service.hostname, port.port);
    const manager = packEnvoyResource(HTTP_CONNECTION_MANAGER, {
      statPrefix: canonical,
      rds: { configSource: ADS_CONFIG_SOURCE, routeConfigName: canonical },
      httpFilters: filterChain(),
    });
    const names = [canonical];
    if (options.aliases) names.push(...listenerAliases(service.name, service.namespace, service.hostname, port.port, ports.length === 1));
    for (const name of names) out.push([name, packEnvoyResource(LISTENER, listener(name, manager, service, port))]);
  }
  return out;
}

/** A Listener named `name` around a packed HttpConnectionManager. */
export function listener(name: string, manager: Any, service: ServiceInfo, port: ServicePortInfo): EnvoyObject {
  return {
    name,
    apiListener: { apiListener: manager },
    metadata: metadata(SERVICE_METADATA, {
      namespace: service.namespace,
      name: service.name,
      hostname: service.hostname,
      port: port.port,
      ...(port.name && { portName: port.name }),
      ...(port.appProtocol && { appProtocol: port.appProtocol }),
      addresses: [...service.addresses],
      ...(service.waypoint && { waypoint: service.waypoint.key }),
    }),
  };
}
