/**
 * Snapshot → Ambit's own `ambit.mesh.v1.Node` resources for ztunnels, keyed by node name: where
 * each node's ztunnel accepts HBONE. Istio's workload API has no such thing because a cluster's
 * network delivers `podIP:15008` to the right node; on one machine each ztunnel has its own address.
 */
import type { MeshSnapshot, NodeInfo } from '../registry/index';
import { ipToBytes, type MeshNode } from '../xds/index';

/** The port every ztunnel terminates HBONE on, as in Istio. */
export const ZTUNNEL_HBONE_PORT = 15008;

/** Every Node resource, sorted by name; nodes without an address are left out (nothing could reach them). */
export function toNodes(snapshot: MeshSnapshot): ReadonlyMap<string, MeshNode> {
  const out: [string, MeshNode][] = [];
  for (const node of snapshot.nodes.values()) {
    const resource = nodeResource(node);
    if (resource) out.push([node.name, resource]);
  }
  return new Map(out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

/** Undefined for a node with no address yet. */
export function nodeResource(node: NodeInfo): MeshNode | undefined {
  if (node.addresses.length === 0) return undefined;
  return { name: node.name, addresses: node.addresses.map(ipToBytes), hbonePort: ZTUNNEL_HBONE_PORT };
}
