/** Services: hostname, VIPs (cluster-wide and per node), ports and their application protocol. */
import { isIP } from 'node:net';
import type { KubeObject } from '@ambit/shared';
import { GATEWAY_NAME_LABEL, stringMap } from './labels';
import { type AppProtocol, type MeshOptions, type NamespaceInfo, type ServiceInfo, type ServicePortInfo, serviceHostname } from './model';

interface ServiceSpec {
  selector?: Record<string, string>;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: { name?: string; port: number; targetPort?: number | string; protocol?: 'TCP' | 'UDP' | 'SCTP'; appProtocol?: string }[];
}

/** The service without its waypoint binding, which the registry resolves once waypoints are known. */
export function serviceInfo(object: KubeObject, namespace: NamespaceInfo | undefined, options: MeshOptions): ServiceInfo {
  const name = object.metadata.name;
  const ns = object.metadata.namespace ?? 'default';
  const hostname = serviceHostname(name, ns, options.domainSuffix);
  const spec = (object.spec ?? {}) as ServiceSpec;
  const labels = stringMap(object.metadata.labels);
  const clusterAddresses = clusterAddressesOf(spec);
  const nodeAddresses = nodeAddressesOf(object);
  const info: ServiceInfo = {
    key: `${ns}/${hostname}`,
    name,
    namespace: ns,
    hostname,
    labels,
    clusterAddresses,
    nodeAddresses,
    addresses: [...new Set([...clusterAddresses, ...Object.values(nodeAddresses)])].sort(),
    ports: (spec.ports ?? []).map(portInfo),
    ambient: namespace?.ambient ?? false,
  };
  if (spec.selector && Object.keys(spec.selector).length > 0) info.selector = spec.selector;
  const gateway = labels[GATEWAY_NAME_LABEL];
  if (gateway) info.implementsWaypoint = `${ns}/${gateway}`;
  if (object.metadata.creationTimestamp) info.creationTimestamp = object.metadata.creationTimestamp;
  return info;
}

function clusterAddressesOf(spec: ServiceSpec): string[] {
  const all = [...(spec.clusterIPs ?? []), ...(spec.clusterIP ? [spec.clusterIP] : [])];
  return [...new Set(all.filter((ip) => isIP(ip) !== 0))];
}

/**
 * Per-node VIPs, node → address, from `status.nodeAddresses`: the embedded mesh's service address
 * controller writes them there (status, so a user's apply never fights it). Malformed entries are
 * skipped rather than failing the service.
 */
function nodeAddressesOf(service: KubeObject): Readonly<Record<string, string>> {
  const given = plainObject((service.status as { nodeAddresses?: unknown } | undefined)?.nodeAddresses);
  const out: Record<string, string> = {};
  for (const node of Object.keys(given).sort()) {
    const address = given[node];
    if (typeof address === 'string' && isIP(address) !== 0) out[node] = address;
  }
  return out;
}

function plainObject(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function portInfo(port: NonNullable<ServiceSpec['ports']>[number]): ServicePortInfo {
  const info: ServicePortInfo = { port: port.port, targetPort: port.targetPort ?? port.port, protocol: port.protocol ?? 'TCP' };
  if (port.name) info.name = port.name;
  const appProtocol = appProtocolOf(port.appProtocol, port.name);
  if (appProtocol) info.appProtocol = appProtocol;
  return info;
}

/** Istio's protocol selection: `appProtocol`, else the port name's prefix (`http-web`, `grpc`). */
export function appProtocolOf(appProtocol: string | undefined, portName: string | undefined): AppProtocol | undefined {
  const declared = (appProtocol ?? portName?.split('-')[0] ?? '').toLowerCase();
  switch (declared) {
    case 'http':
      return 'HTTP11';
    case 'http2':
    case 'h2c':
    case 'kubernetes.io/h2c':
      return 'HTTP2';
    case 'grpc':
    case 'grpc-web':
      return 'GRPC';
    default:
      return undefined;
  }
}
