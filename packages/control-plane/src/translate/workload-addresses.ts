/**
 * Snapshot → Istio workload API `Address` resources for ztunnels, keyed as ztunnel expects:
 * workload uid, or `<ns>/<hostname>` for a service. Only what the ambient mesh captures is sent:
 * workloads enrolled in ambient (plus waypoint pods, which speak HBONE themselves) and services
 * in ambient namespaces (plus waypoint services).
 */
import type { GatewayAddressInfo, MeshSnapshot, ServiceInfo, WorkloadInfo } from '../registry/index';
import { type Address, type GatewayAddress, ipToBytes, type Port, type Service, type Workload } from '../xds/index';

export interface AddressViewOptions {
  /**
   * The node whose ztunnel receives the view. Its services list the cluster-wide VIPs plus only
   * this node's own per-node VIP — the one its ztunnel listens on. Without a node: every VIP.
   */
  node?: string;
}

/** Every Address resource, sorted by key. */
export function toWorkloadAddresses(snapshot: MeshSnapshot, options: AddressViewOptions = {}): ReadonlyMap<string, Address> {
  const out: [string, Address][] = [];
  for (const workload of snapshot.workloads.values()) {
    const address = workloadAddress(snapshot, workload);
    if (address) out.push([workload.uid, address]);
  }
  for (const service of snapshot.services.values()) {
    const address = serviceAddress(service, options);
    if (address) out.push([service.key, address]);
  }
  return new Map(out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

/** The resource for one key (a workload uid or a service key) — how incremental updates translate only what changed. */
export function addressFor(snapshot: MeshSnapshot, key: string, options: AddressViewOptions = {}): Address | undefined {
  const workload = snapshot.workloads.get(key);
  if (workload) return workloadAddress(snapshot, workload);
  const service = snapshot.services.get(key);
  return service && serviceAddress(service, options);
}

export function workloadAddress(snapshot: MeshSnapshot, workload: WorkloadInfo): Address | undefined {
  if ((!workload.ambient && !workload.implementsWaypoint) || workload.addresses.length === 0) return undefined;
  const message: Workload = {
    uid: workload.uid,
    name: workload.name,
    namespace: workload.namespace,
    addresses: workload.addresses.map(ipToBytes),
    tunnelProtocol: 'HBONE',
    trustDomain: workload.trustDomain,
    serviceAccount: workload.serviceAccount,
    canonicalName: workload.canonicalName,
    canonicalRevision: workload.canonicalRevision,
    workloadType: workload.workloadType,
    workloadName: workload.workloadName,
    status: workload.status,
    clusterId: snapshot.options.clusterId,
  };
  if (workload.node) message.node = workload.node;
  if (workload.waypoint) message.waypoint = gatewayAddress(workload.waypoint.address);
  const services = Object.entries(workload.services);
  if (services.length > 0) {
    message.services = Object.fromEntries(services.map(([key, ports]) => [key, { ports: ports.map((p) => ({ ...p })) }]));
  }
  const policies = selectorPolicies(snapshot, workload.uid);
  if (policies.length > 0) message.authorizationPolicies = policies;
  if (workload.locality) {
    const { region, zone, subzone } = workload.locality;
    message.locality = { ...(region && { region }), ...(zone && { zone }), ...(subzone && { subzone }) };
  }
  return { workload: message };
}

/**
 * The policies ztunnel must be told apply to this workload: the WORKLOAD_SELECTOR ones. Namespace
 * and mesh-wide policies reach ztunnel as Authorization resources and apply by their scope.
 */
function selectorPolicies(snapshot: MeshSnapshot, uid: string): string[] {
  const names = snapshot.policies.workloadPolicies.get(uid) ?? [];
  return names.filter((name) => snapshot.policies.ztunnel.get(name)?.scope === 'WORKLOAD_SELECTOR');
}

export function serviceAddress(service: ServiceInfo, options: AddressViewOptions = {}): Address | undefined {
  if (!service.ambient && !service.implementsWaypoint) return undefined;
  const nodeAddress = options.node === undefined ? undefined : service.nodeAddresses[options.node];
  const vips =
    options.node === undefined
      ? service.addresses
      : [...new Set([...service.clusterAddresses, ...(nodeAddress ? [nodeAddress] : [])])].sort();
  const message: Service = {
    name: service.name,
    namespace: service.namespace,
    hostname: service.hostname,
    addresses: vips.map((ip) => ({ address: ipToBytes(ip) })),
    ports: service.ports.filter((p) => p.protocol === 'TCP').map(servicePort),
  };
  if (service.waypoint) message.waypoint = gatewayAddress(service.waypoint.address);
  return { service: message };
}

function servicePort(port: ServiceInfo['ports'][number]): Port {
  // A named target port differs per workload: the workload's own port list carries it resolved.
  const out: Port = { servicePort: port.port };
  if (typeof port.targetPort === 'number') out.targetPort = port.targetPort;
  if (port.appProtocol) out.appProtocol = port.appProtocol;
  return out;
}

function gatewayAddress(address: GatewayAddressInfo): GatewayAddress {
  if (address.hostname) return { hostname: { ...address.hostname }, hboneMtlsPort: address.hboneMtlsPort };
  return { address: { address: ipToBytes(address.address ?? '') }, hboneMtlsPort: address.hboneMtlsPort };
}
