import { createHash } from 'node:crypto';
import type { Store, StoredObject } from '@ambit/control-plane/store';
import { canonicalJson, type Deployment, type KubeObject, type Pod } from '@ambit/shared';
import { AddressAllocator, nodeIndex } from './addresses';

/**
 * The embedded mesh's stand-ins for Kubernetes controllers: the Deployment controller (and
 * scheduler) that keeps each Deployment's pods in the store, and the Service address controller
 * that gives every Service an address on every node. Both are level-triggered: `reconcile()`
 * looks at everything and fixes what differs, so running it twice does nothing new.
 */

export const CONTROLLER_AUTHOR = 'system:embedded-controllers';
const TEMPLATE_HASH_LABEL = 'pod-template-hash';

export function templateHash(deployment: Deployment): string {
  return createHash('sha256').update(canonicalJson(deployment.spec.template)).digest('hex').slice(0, 10);
}

interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
}

function ownerOf(pod: StoredObject): OwnerReference | undefined {
  const owners = (pod.metadata as { ownerReferences?: OwnerReference[] }).ownerReferences;
  return owners?.find((o) => o.controller && o.kind === 'Deployment');
}

/** Keeps `replicas` pods of the current template for every Deployment; places new pods on the least busy node. */
export class DeploymentController {
  constructor(
    private readonly store: Store,
    private readonly nodes: readonly string[],
  ) {}

  reconcile(): void {
    const deployments = this.store.list('Deployment') as unknown as (Deployment & StoredObject)[];
    const pods = this.store.list('Pod');
    const byOwner = new Map<string, StoredObject[]>();
    const load = new Map(this.nodes.map((n) => [n, 0]));
    for (const pod of pods) {
      const node = (pod as unknown as Pod).spec.nodeName;
      if (node) load.set(node, (load.get(node) ?? 0) + 1);
      const owner = ownerOf(pod);
      if (!owner) continue;
      const key = `${pod.metadata.namespace}/${owner.name}/${owner.uid}`;
      byOwner.set(key, [...(byOwner.get(key) ?? []), pod]);
    }
    const owned = new Set<StoredObject>();
    for (const deployment of deployments) {
      const mine = byOwner.get(`${deployment.metadata.namespace}/${deployment.metadata.name}/${deployment.metadata.uid}`) ?? [];
      for (const pod of mine) owned.add(pod);
      this.reconcileDeployment(deployment, mine, load);
    }
    // Pods whose Deployment is gone (or was recreated with a new uid) go too.
    for (const pod of pods) {
      if (ownerOf(pod) && !owned.has(pod)) this.deletePod(pod);
    }
  }

  private reconcileDeployment(deployment: Deployment & StoredObject, pods: StoredObject[], load: Map<string, number>): void {
    const hash = templateHash(deployment);
    const desired = deployment.spec.replicas ?? 1;
    const current = pods.filter((p) => p.metadata.labels?.[TEMPLATE_HASH_LABEL] === hash);
    const outdated = pods.filter((p) => p.metadata.labels?.[TEMPLATE_HASH_LABEL] !== hash);
    const taken = new Set(current.map((p) => p.metadata.name));
    for (let index = 0, missing = desired - current.length; missing > 0; index++) {
      const name = `${deployment.metadata.name}-${hash}-${index}`;
      if (taken.has(name)) continue;
      const node = leastLoaded(load);
      this.store.apply([podFor(deployment, hash, name, node)], { author: CONTROLLER_AUTHOR });
      load.set(node, (load.get(node) ?? 0) + 1);
      missing--;
    }
    const surplus = current.sort((a, b) => b.metadata.name.localeCompare(a.metadata.name)).slice(0, Math.max(0, current.length - desired));
    for (const pod of [...surplus, ...outdated]) this.deletePod(pod);
  }

  private deletePod(pod: StoredObject): void {
    const key = { kind: 'Pod', namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name };
    if (this.store.get(key)) this.store.delete(key, { author: CONTROLLER_AUTHOR });
  }
}

function leastLoaded(load: Map<string, number>): string {
  let best: string | undefined;
  for (const [node, count] of load) if (best === undefined || count < (load.get(best) ?? 0)) best = node;
  if (!best) throw new Error('the embedded mesh has no nodes');
  return best;
}

function podFor(deployment: Deployment & StoredObject, hash: string, name: string, node: string): KubeObject {
  const template = deployment.spec.template;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: deployment.metadata.namespace,
      labels: { ...template.metadata?.labels, [TEMPLATE_HASH_LABEL]: hash },
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name, uid: deployment.metadata.uid, controller: true },
      ],
    },
    spec: { ...template.spec, nodeName: node },
  };
}

/** Service status written by the embedded mesh: the address each node's ztunnel serves the Service on. */
export interface EmbeddedServiceStatus {
  nodeAddresses?: Record<string, string>;
}

export function serviceNodeAddresses(service: KubeObject): Record<string, string> {
  return (service.status as EmbeddedServiceStatus | undefined)?.nodeAddresses ?? {};
}

/** Gives every Service one address per node (in that node's VIP range), kept in the Service's status. */
export class ServiceAddressController {
  constructor(
    private readonly store: Store,
    private readonly nodes: readonly string[],
  ) {}

  reconcile(): void {
    const services = this.store.list('Service');
    const allocator = new AddressAllocator(services.flatMap((s) => Object.values(serviceNodeAddresses(s))));
    for (const service of services) {
      const current = serviceNodeAddresses(service);
      const missing = this.nodes.filter((n) => !current[n]);
      if (missing.length === 0) continue;
      const nodeAddresses = { ...current };
      for (const node of missing) nodeAddresses[node] = allocator.allocate(nodeIndex(node), 'service');
      const status = { ...(service.status as Record<string, unknown> | undefined), nodeAddresses };
      this.store.updateStatus({ kind: 'Service', namespace: service.metadata.namespace ?? 'default', name: service.metadata.name }, status);
    }
  }
}

/** Every replica of the Deployment's current template is running and answers on its port: the rollout controller's readiness. */
export function deploymentReady(store: Store, deployment: StoredObject): boolean {
  const typed = deployment as unknown as Deployment & StoredObject;
  const hash = templateHash(typed);
  const desired = typed.spec.replicas ?? 1;
  let ready = 0;
  for (const pod of store.list('Pod', deployment.metadata.namespace)) {
    if (ownerOf(pod)?.uid !== deployment.metadata.uid) continue;
    // A pod of an older template still running means the rollout has not finished.
    if (pod.metadata.labels?.[TEMPLATE_HASH_LABEL] !== hash) return false;
    const statuses = (pod.status as { containerStatuses?: { ready?: boolean }[] } | undefined)?.containerStatuses ?? [];
    if (statuses.length > 0 && statuses.every((s) => s.ready === true)) ready++;
  }
  return ready >= desired;
}
