// Who is on the other end of an ADS stream, read from the Node of its first request.
//
// Two ways to say who you are, the explicit one winning:
//  1. Ambit metadata (node.metadata, a Struct):
//       AMBIT_PROXY_KIND  "ztunnel" | "waypoint" | "grpc"
//       NODE_NAME         node the proxy serves (ztunnels) or runs on
//       WAYPOINT          "<namespace>/<name>" of the waypoint Gateway this proxy implements
//     plus Istio's own keys when present: NAMESPACE, NAME, CLUSTER_ID, INSTANCE_IPS, GENERATOR.
//  2. Istio's node id `<type>~<ip>~<pod>.<namespace>~<namespace>.svc.<domain>`, where type is
//     `ztunnel`, `router` (waypoints and gateways) or `sidecar`. A client whose user agent is gRPC
//     (grpc-js-xds sends "gRPC Node Pure JS") or whose GENERATOR is "grpc" is a proxyless gRPC client.
import { type NodeMessage, structToJson } from '@ambit/shared/xds';

export type ProxyKind = 'ztunnel' | 'waypoint' | 'grpc' | 'sidecar' | 'unknown';

export interface ProxyLocality {
  readonly region: string;
  readonly zone: string;
  readonly subZone: string;
}

export interface ProxyInfo {
  /** node.id exactly as sent; the key ResourceChange.proxies refers to. */
  readonly id: string;
  readonly kind: ProxyKind;
  /** node.cluster, else metadata CLUSTER_ID, else "". */
  readonly cluster: string;
  readonly ip?: string;
  /** Pod (or instance) name. */
  readonly name?: string;
  readonly namespace?: string;
  /** DNS domain from an Istio id, e.g. `default.svc.cluster.local`. */
  readonly dnsDomain?: string;
  /** metadata NODE_NAME. */
  readonly nodeName?: string;
  /** metadata WAYPOINT, `<namespace>/<name>`. */
  readonly waypoint?: string;
  readonly locality?: ProxyLocality;
  readonly userAgent?: string;
  /** node.metadata as plain JSON. */
  readonly metadata: Readonly<Record<string, unknown>>;
}

const EXPLICIT_KINDS: ReadonlySet<string> = new Set(['ztunnel', 'waypoint', 'grpc']);

const ISTIO_NODE_TYPES: Readonly<Record<string, ProxyKind>> = {
  ztunnel: 'ztunnel',
  router: 'waypoint',
  waypoint: 'waypoint',
  sidecar: 'sidecar',
};

/** Reads a proxy's identity from its Node; `undefined` when there is no node id to key it by. */
export function parseProxyInfo(node: NodeMessage | null | undefined): ProxyInfo | undefined {
  const id = node?.id;
  if (!node || !id) return undefined;
  const metadata = structToJson(node.metadata);
  const text = (key: string): string | undefined => {
    const value = metadata[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };

  const parts = id.split('~');
  const istio = parts.length === 4 ? parts : undefined;
  const podAndNamespace = istio?.[2] ?? '';
  const dot = podAndNamespace.indexOf('.');

  const declaredKind = text('AMBIT_PROXY_KIND');
  let kind: ProxyKind = 'unknown';
  if (declaredKind && EXPLICIT_KINDS.has(declaredKind)) kind = declaredKind as ProxyKind;
  else if (istio) kind = ISTIO_NODE_TYPES[istio[0] ?? ''] ?? 'unknown';
  if ((kind === 'unknown' || kind === 'sidecar') && (text('GENERATOR') === 'grpc' || node.userAgentName?.startsWith('gRPC'))) {
    kind = 'grpc';
  }

  const locality = node.locality
    ? { region: node.locality.region ?? '', zone: node.locality.zone ?? '', subZone: node.locality.subZone ?? '' }
    : undefined;
  const userAgent = node.userAgentName ? `${node.userAgentName}${node.userAgentVersion ? `/${node.userAgentVersion}` : ''}` : undefined;

  return {
    id,
    kind,
    cluster: node.cluster || text('CLUSTER_ID') || '',
    ip: (istio?.[1] || undefined) ?? text('INSTANCE_IPS')?.split(',')[0],
    name: text('NAME') ?? (dot > 0 ? podAndNamespace.slice(0, dot) : undefined),
    namespace: text('NAMESPACE') ?? (dot > 0 ? podAndNamespace.slice(dot + 1) : undefined),
    dnsDomain: istio?.[3] || undefined,
    nodeName: text('NODE_NAME'),
    waypoint: text('WAYPOINT'),
    locality,
    userAgent,
    metadata,
  };
}
