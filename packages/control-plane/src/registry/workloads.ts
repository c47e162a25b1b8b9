/** Workloads from Pods: identity, telemetry names, health, and the services that select them. */
import type { KubeObject } from '@ambit/shared';
import { selectorMatches } from '@ambit/shared/authz';
import { spiffeUri } from '@ambit/shared/spiffe';
import {
  CANONICAL_NAME_LABELS,
  CANONICAL_REVISION_LABELS,
  DATAPLANE_MODE_LABEL,
  DEFAULT_CANONICAL_REVISION,
  DEPLOYMENT_LABEL,
  firstLabel,
  GATEWAY_NAME_LABEL,
  POD_TEMPLATE_HASH_LABEL,
  stringMap,
} from './labels';
import {
  type Labels,
  type MeshOptions,
  type NamespaceInfo,
  type NodeInfo,
  type ServiceInfo,
  type WorkloadInfo,
  type WorkloadPort,
  type WorkloadType,
  workloadUid,
} from './model';

interface PodSpec {
  serviceAccountName?: string;
  serviceAccount?: string;
  nodeName?: string;
  containers?: { ports?: { name?: string; containerPort: number; protocol?: string }[] }[];
}

interface PodStatus {
  phase?: string;
  podIP?: string;
  podIPs?: { ip: string }[];
  conditions?: { type?: string; status?: string }[];
  containerStatuses?: { ready?: boolean }[];
}

interface OwnerReference {
  kind?: string;
  name?: string;
  controller?: boolean;
}

/** The workload without services, waypoint and policies, which depend on other objects. */
export function workloadInfo(pod: KubeObject, namespace: NamespaceInfo | undefined, node: NodeInfo | undefined, options: MeshOptions) {
  const name = pod.metadata.name;
  const ns = pod.metadata.namespace ?? 'default';
  const spec = (pod.spec ?? {}) as PodSpec;
  const status = (pod.status ?? {}) as PodStatus;
  const labels = stringMap(pod.metadata.labels);
  const serviceAccount = spec.serviceAccountName || spec.serviceAccount || 'default';
  const owner = workloadOwner(pod, labels);
  const info: WorkloadInfo = {
    uid: workloadUid(ns, name),
    name,
    namespace: ns,
    addresses: addressesOf(status),
    serviceAccount,
    trustDomain: options.trustDomain,
    identity: spiffeUri({ trustDomain: options.trustDomain, namespace: ns, serviceAccount }),
    labels,
    canonicalName: firstLabel(labels, CANONICAL_NAME_LABELS) ?? owner.name,
    canonicalRevision: firstLabel(labels, CANONICAL_REVISION_LABELS) ?? DEFAULT_CANONICAL_REVISION,
    workloadName: owner.name,
    workloadType: owner.type,
    status: isHealthy(pod, status) ? 'HEALTHY' : 'UNHEALTHY',
    namedPorts: namedPortsOf(spec),
    services: {},
    ambient: isAmbient(labels, namespace),
  };
  if (spec.nodeName) info.node = spec.nodeName;
  if (node?.locality) info.locality = node.locality;
  const gateway = labels[GATEWAY_NAME_LABEL];
  if (gateway) info.implementsWaypoint = `${ns}/${gateway}`;
  return info;
}

function addressesOf(status: PodStatus): string[] {
  const ips = status.podIPs?.map((p) => p.ip).filter(Boolean) ?? [];
  if (ips.length === 0 && status.podIP) ips.push(status.podIP);
  return [...new Set(ips)];
}

/**
 * Running and ready: the Ready condition when there is one, else every container status ready
 * (what the embedded kubelet writes), else running is enough. Terminating pods are unhealthy.
 */
function isHealthy(pod: KubeObject, status: PodStatus): boolean {
  if (status.phase !== 'Running' || pod.metadata.deletionTimestamp) return false;
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  if (ready) return ready.status === 'True';
  const containers = status.containerStatuses ?? [];
  return containers.every((c) => c.ready === true);
}

/** Finished pods (Succeeded/Failed) serve nothing: no service selects them, as Kubernetes' endpoints do. */
export function isTerminated(pod: KubeObject): boolean {
  const phase = (pod.status as PodStatus | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function isAmbient(labels: Labels, namespace: NamespaceInfo | undefined): boolean {
  const mode = labels[DATAPLANE_MODE_LABEL];
  if (mode === 'none') return false;
  return mode === 'ambient' || (namespace?.ambient ?? false);
}

function namedPortsOf(spec: PodSpec): Readonly<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const container of spec.containers ?? []) {
    for (const port of container.ports ?? []) {
      if (port.name && out[port.name] === undefined) out[port.name] = port.containerPort;
    }
  }
  return out;
}

// Names the Deployment controller generates use this alphabet (no vowels, no 0/1/3).
const POD_HASH_SUFFIX = /^(.+)-[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/;

/**
 * The workload a pod belongs to, as Istio names it for telemetry: the supervisor's
 * `ambit.dev/deployment`, else the controller owner (a ReplicaSet `<deployment>-<hash>` gives the
 * Deployment, a Job `<cronjob>-<n>` its CronJob), else the Deployment pod-name pattern, else the pod.
 */
export function workloadOwner(pod: KubeObject, labels: Labels): { name: string; type: WorkloadType } {
  const declared = labels[DEPLOYMENT_LABEL] ?? pod.metadata.annotations?.[DEPLOYMENT_LABEL];
  if (declared) return { name: declared, type: 'DEPLOYMENT' };
  const owners = (pod.metadata.ownerReferences ?? []) as OwnerReference[];
  const owner = owners.find((o) => o.controller) ?? owners[0];
  if (owner?.name) {
    switch (owner.kind) {
      case 'ReplicaSet': {
        const hash = labels[POD_TEMPLATE_HASH_LABEL];
        if (hash && owner.name.endsWith(`-${hash}`)) return { name: owner.name.slice(0, -hash.length - 1), type: 'DEPLOYMENT' };
        return { name: owner.name, type: 'POD' };
      }
      case 'Deployment':
        return { name: owner.name, type: 'DEPLOYMENT' };
      case 'Job': {
        const cron = /^(.+)-\d+$/.exec(owner.name);
        return cron?.[1] ? { name: cron[1], type: 'CRONJOB' } : { name: owner.name, type: 'JOB' };
      }
      default:
        return { name: owner.name, type: 'POD' };
    }
  }
  const hash = labels[POD_TEMPLATE_HASH_LABEL];
  const name = pod.metadata.name;
  if (hash) {
    const marker = name.lastIndexOf(`-${hash}-`);
    if (marker > 0) return { name: name.slice(0, marker), type: 'DEPLOYMENT' };
  }
  const generated = POD_HASH_SUFFIX.exec(name);
  if (generated?.[1]) return { name: generated[1], type: 'DEPLOYMENT' };
  return { name, type: 'POD' };
}

/**
 * The ports `service` reaches `workload` on, or undefined when the service does not select it.
 * A named target port resolves against the workload's container ports; a name it lacks drops that port.
 */
export function servicePortsFor(service: ServiceInfo, workload: WorkloadInfo): WorkloadPort[] | undefined {
  if (!service.selector || service.namespace !== workload.namespace || !selectorMatches(service.selector, workload.labels))
    return undefined;
  const ports: WorkloadPort[] = [];
  for (const port of service.ports) {
    if (port.protocol !== 'TCP') continue;
    const target = typeof port.targetPort === 'number' ? port.targetPort : workload.namedPorts[port.targetPort];
    if (target === undefined) continue;
    const resolved: WorkloadPort = { servicePort: port.port, targetPort: target };
    if (port.appProtocol) resolved.appProtocol = port.appProtocol;
    ports.push(resolved);
  }
  return ports;
}
