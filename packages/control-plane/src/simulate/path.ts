/**
 * Finding the things a simulation names in a registry snapshot: the source workload (a pod, a
 * deployment or an app label value, as `ambit curl --from` takes them), the destination service or
 * workload, and the identity written the short ways users write it.
 */
import { AmbitError } from '@ambit/shared/errors';
import type { MeshSnapshot, ServiceInfo, WorkloadInfo } from '../registry/index';

/** `ns/name` → [ns, name]; a bare name is in `default`. */
export function splitRef(ref: string): [string, string] {
  const slash = ref.indexOf('/');
  return slash === -1 ? ['default', ref] : [ref.slice(0, slash), ref.slice(slash + 1)];
}

export function workloadRef(workload: Pick<WorkloadInfo, 'namespace' | 'name'>): string {
  return `${workload.namespace}/${workload.name}`;
}

export function serviceRef(service: Pick<ServiceInfo, 'namespace' | 'name'>): string {
  return `${service.namespace}/${service.name}`;
}

function byName(a: WorkloadInfo, b: WorkloadInfo): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The workloads `ns/name` names: the pod itself, else the pods of a deployment, else those with `app: name`; healthy first. */
export function findWorkloads(snapshot: MeshSnapshot, ref: string): WorkloadInfo[] {
  const [namespace, name] = splitRef(ref);
  const inNamespace = [...snapshot.workloads.values()].filter((w) => w.namespace === namespace && !w.implementsWaypoint);
  const pod = inNamespace.find((w) => w.name === name);
  if (pod) return [pod];
  let found = inNamespace.filter((w) => w.workloadName === name);
  if (found.length === 0) found = inNamespace.filter((w) => w.labels.app === name);
  return found.sort((a, b) => (a.status === b.status ? byName(a, b) : a.status === 'HEALTHY' ? -1 : 1));
}

export function findWorkload(snapshot: MeshSnapshot, ref: string): WorkloadInfo {
  const [first] = findWorkloads(snapshot, ref);
  if (!first) throw new AmbitError('NotFound', `no workload ${ref}: name a pod, a deployment or an app label value as <namespace>/<name>`);
  return first;
}

/** `ns/name`, or a hostname `name.ns[.svc[.<suffix>]]`. */
export function findService(snapshot: MeshSnapshot, ref: string): ServiceInfo {
  let namespace: string;
  let name: string;
  if (ref.includes('/')) [namespace, name] = splitRef(ref);
  else {
    const labels = ref.split('.');
    name = labels[0] ?? ref;
    namespace = labels[1] ?? 'default';
  }
  for (const service of snapshot.services.values()) {
    if (service.namespace === namespace && service.name === name) return service;
  }
  throw new AmbitError('NotFound', `no service ${namespace}/${name}`);
}

/** `spiffe://td/ns/x/sa/y`, `td/ns/x/sa/y` or `ns/x/sa/y` → `td/ns/x/sa/y`, the form the evaluator matches. */
export function normalizePrincipal(principal: string, trustDomain: string): string {
  const bare = principal.startsWith('spiffe://') ? principal.slice('spiffe://'.length) : principal;
  return bare.startsWith('ns/') ? `${trustDomain}/${bare}` : bare;
}

/** The address a client on `node` dials for the service: its node's VIP, else a cluster-wide one. */
export function serviceAddressFor(service: ServiceInfo, node: string | undefined): string | undefined {
  return (node !== undefined ? service.nodeAddresses[node] : undefined) ?? service.clusterAddresses[0] ?? service.addresses[0];
}

/** The workload's port for a service port: its own mapping, else the service's numeric target port, else the port. */
export function targetPortFor(service: ServiceInfo, servicePort: number, workload: WorkloadInfo): number {
  const mapped = workload.services[service.key]?.find((p) => p.servicePort === servicePort);
  if (mapped?.targetPort) return mapped.targetPort;
  const declared = service.ports.find((p) => p.port === servicePort);
  return typeof declared?.targetPort === 'number' ? declared.targetPort : servicePort;
}

/** Healthy, addressed endpoints of a service, as ztunnel and the waypoint pick among them. */
export function healthyEndpoints(snapshot: MeshSnapshot, service: ServiceInfo): WorkloadInfo[] {
  const out: WorkloadInfo[] = [];
  for (const uid of snapshot.endpoints.get(service.key) ?? []) {
    const w = snapshot.workloads.get(uid);
    if (w && w.status === 'HEALTHY' && w.addresses.length > 0) out.push(w);
  }
  return out;
}
