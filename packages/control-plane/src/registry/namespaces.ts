/** Namespaces and nodes as the mesh sees them: enrollment and topology. */
import type { KubeObject } from '@ambit/shared';
import { DATAPLANE_MODE_LABEL, REGION_LABEL, SUBZONE_LABEL, stringMap, ZONE_LABEL } from './labels';
import type { Locality, NamespaceInfo, NodeInfo } from './model';

export function namespaceInfo(object: KubeObject): NamespaceInfo {
  const labels = stringMap(object.metadata.labels);
  return { name: object.metadata.name, labels, ambient: labels[DATAPLANE_MODE_LABEL] === 'ambient' };
}

interface NodeStatus {
  addresses?: { type: string; address: string }[];
}

// InternalIP is what workloads and proxies on other nodes dial; the rest follow in their order.
const ADDRESS_ORDER = ['InternalIP', 'ExternalIP'];

export function nodeInfo(object: KubeObject): NodeInfo {
  const labels = stringMap(object.metadata.labels);
  const status = (object.status ?? {}) as NodeStatus;
  const rank = (type: string) => {
    const index = ADDRESS_ORDER.indexOf(type);
    return index < 0 ? ADDRESS_ORDER.length : index;
  };
  const addresses = (status.addresses ?? [])
    .filter((a) => a.type !== 'Hostname' && a.type !== 'InternalDNS' && a.type !== 'ExternalDNS')
    .map((a, index) => ({ ...a, index }))
    .sort((a, b) => rank(a.type) - rank(b.type) || a.index - b.index)
    .map((a) => a.address);
  const info: NodeInfo = { name: object.metadata.name, labels, addresses: [...new Set(addresses)] };
  const locality = localityOf(labels);
  if (locality) info.locality = locality;
  return info;
}

function localityOf(labels: Readonly<Record<string, string>>): Locality | undefined {
  const region = labels[REGION_LABEL] ?? '';
  const zone = labels[ZONE_LABEL] ?? '';
  const subzone = labels[SUBZONE_LABEL] ?? '';
  return region || zone || subzone ? { region, zone, subzone } : undefined;
}
