// How a proxy introduces itself on an ADS stream: the Node of its first request. The control
// plane reads node.id and the Ambit metadata keys below (see control-plane xds/proxy-info.ts).
import type { NodeMessage } from '@ambit/shared/xds/discovery-messages';
import { jsonToStruct } from '@ambit/shared/xds/struct';

export type DataplaneProxyKind = 'ztunnel' | 'waypoint';

/** Node metadata keys the control plane reads. */
export const NODE_METADATA = {
  kind: 'AMBIT_PROXY_KIND',
  nodeName: 'NODE_NAME',
  waypoint: 'WAYPOINT',
} as const;

export interface ProxyNodeOptions {
  /** node.id, unique per proxy: any name, or Istio's `ztunnel~<ip>~<pod>.<ns>~<ns>.svc.cluster.local`. */
  id: string;
  kind: DataplaneProxyKind;
  /** The node a ztunnel serves (its view of service addresses depends on it), or the node a waypoint runs on. */
  nodeName?: string;
  /** `<namespace>/<name>` of the waypoint Gateway this proxy implements. */
  waypoint?: string;
  cluster?: string;
  locality?: { region?: string; zone?: string; subZone?: string };
  /** More metadata, e.g. Istio's NAMESPACE, NAME, CLUSTER_ID, INSTANCE_IPS. */
  metadata?: Readonly<Record<string, unknown>>;
}

export function proxyNode(options: ProxyNodeOptions): NodeMessage {
  const metadata: Record<string, unknown> = { ...options.metadata, [NODE_METADATA.kind]: options.kind };
  if (options.nodeName) metadata[NODE_METADATA.nodeName] = options.nodeName;
  if (options.waypoint) metadata[NODE_METADATA.waypoint] = options.waypoint;
  const node: NodeMessage = { id: options.id, metadata: jsonToStruct(metadata), userAgentName: `ambit-${options.kind}` };
  if (options.cluster) node.cluster = options.cluster;
  if (options.locality) node.locality = options.locality;
  return node;
}
