import type { CompiledPolicy, PreparedPolicy } from '@ambit/shared/authz';
import { policyKey, selectWorkloadPolicies } from './policy';
import { type Service, type ServiceInput, servicePort, toService } from './service';
import { toWorkload, type Workload, type WorkloadInput } from './workload';

/**
 * What a ztunnel knows about the mesh: workloads, services, authorization policies and the nodes
 * whose ztunnels terminate HBONE. xDS writes into it; the proxies only read it. Lookups on the
 * connection path (by IP, by VIP and port, by uid) are single map reads; derived views (endpoints
 * of a service, policies of a workload) are built on first use after a change.
 */

export interface NodeInfo {
  name: string;
  /** The address the node's ztunnel accepts HBONE on. */
  address: string;
  hbonePort: number;
}

export interface StateSnapshot {
  nodes: NodeInfo[];
  workloads: Workload[];
  services: Service[];
  policies: CompiledPolicy[];
}

export type StateListener = () => void;

const NO_WORKLOADS: readonly Workload[] = Object.freeze([]);

export class ProxyState {
  private readonly workloads = new Map<string, Workload>();
  private readonly workloadsByIp = new Map<string, Workload>();
  private readonly services = new Map<string, Service>();
  private readonly servicesByAddress = new Map<string, Service>();
  private readonly servicesByHostname = new Map<string, Service>();
  private readonly policies = new Map<string, CompiledPolicy>();
  private readonly nodes = new Map<string, NodeInfo>();
  private endpoints: Map<string, Workload[]> | undefined;
  private readonly workloadPolicies = new Map<string, readonly PreparedPolicy[]>();
  private readonly listeners = new Set<StateListener>();
  private batchDepth = 0;
  private changedInBatch = false;
  private authzRevision = 0;

  /**
   * Grows on every change of what an authorization decision depends on (policies, and workloads'
   * identities, labels and addresses), not on service or node changes: open connections need a
   * re-check only when it moved.
   */
  get authorizationRevision(): number {
    return this.authzRevision;
  }

  upsertWorkload(input: WorkloadInput): Workload {
    const workload = toWorkload(input);
    const previous = this.workloads.get(workload.uid);
    if (previous) this.unindexWorkload(previous);
    this.workloads.set(workload.uid, workload);
    for (const ip of workload.addresses) this.workloadsByIp.set(ip, workload);
    this.authzRevision++;
    this.changed();
    return workload;
  }

  removeWorkload(uid: string): boolean {
    const previous = this.workloads.get(uid);
    if (!previous) return false;
    this.unindexWorkload(previous);
    this.workloads.delete(uid);
    this.authzRevision++;
    this.changed();
    return true;
  }

  upsertService(input: ServiceInput): Service {
    const service = toService(input);
    const previous = this.services.get(service.key);
    if (previous) this.unindexService(previous);
    this.services.set(service.key, service);
    for (const a of service.addresses) this.servicesByAddress.set(a.address, service);
    this.servicesByHostname.set(service.hostname, service);
    this.changed();
    return service;
  }

  removeService(key: string): boolean {
    const previous = this.services.get(key);
    if (!previous) return false;
    this.unindexService(previous);
    this.services.delete(key);
    this.changed();
    return true;
  }

  upsertPolicy(policy: CompiledPolicy): void {
    this.policies.set(policyKey(policy), policy);
    this.authzRevision++;
    this.changed();
  }

  removePolicy(key: string): boolean {
    const removed = this.policies.delete(key);
    if (removed) {
      this.authzRevision++;
      this.changed();
    }
    return removed;
  }

  upsertNode(node: NodeInfo): void {
    this.nodes.set(node.name, { ...node });
    this.changed();
  }

  removeNode(name: string): boolean {
    const removed = this.nodes.delete(name);
    if (removed) this.changed();
    return removed;
  }

  /** Applies several changes and tells listeners once, as an xDS response does. */
  batch(apply: () => void): void {
    this.batchDepth++;
    try {
      apply();
    } finally {
      this.batchDepth--;
      if (this.batchDepth === 0 && this.changedInBatch) {
        this.changedInBatch = false;
        this.notify();
      }
    }
  }

  /** Called after every change (or batch); returns the unsubscribe function. */
  onChange(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  workloadByUid(uid: string): Workload | undefined {
    return this.workloads.get(uid);
  }

  workloadByIp(ip: string): Workload | undefined {
    return this.workloadsByIp.get(ip);
  }

  serviceByKey(key: string): Service | undefined {
    return this.services.get(key);
  }

  serviceByHostname(hostname: string): Service | undefined {
    return this.servicesByHostname.get(hostname);
  }

  /** The service reached at `ip:port`, if `ip` is one of its addresses and `port` one of its ports. */
  serviceByVip(ip: string, port: number): Service | undefined {
    const service = this.servicesByAddress.get(ip);
    return service && servicePort(service, port) ? service : undefined;
  }

  node(name: string): NodeInfo | undefined {
    return this.nodes.get(name);
  }

  /** Workloads that are endpoints of the service (any health; callers pick). */
  endpointsOf(key: string): readonly Workload[] {
    if (!this.endpoints) {
      const index = new Map<string, Workload[]>();
      for (const w of this.workloads.values()) {
        for (const serviceKey in w.services) {
          const list = index.get(serviceKey);
          if (list) list.push(w);
          else index.set(serviceKey, [w]);
        }
      }
      for (const list of index.values()) list.sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
      this.endpoints = index;
    }
    return this.endpoints.get(key) ?? NO_WORKLOADS;
  }

  /** The prepared authorization policies ztunnel enforces for traffic to `workload`. */
  policiesFor(workload: Workload): readonly PreparedPolicy[] {
    let list = this.workloadPolicies.get(workload.uid);
    if (!list) {
      list = selectWorkloadPolicies(this.policies, workload);
      this.workloadPolicies.set(workload.uid, list);
    }
    return list;
  }

  workloadsOnNode(node: string): Workload[] {
    const out: Workload[] = [];
    for (const w of this.workloads.values()) if (w.node === node) out.push(w);
    return out;
  }

  /** Service addresses that the ztunnel of `node` owns, with the service each belongs to. */
  serviceAddressesOfNode(node: string): { address: string; service: Service }[] {
    const out: { address: string; service: Service }[] = [];
    for (const service of this.services.values()) {
      for (const a of service.addresses) if (a.node === node) out.push({ address: a.address, service });
    }
    return out;
  }

  snapshot(): StateSnapshot {
    return {
      nodes: [...this.nodes.values()],
      workloads: [...this.workloads.values()],
      services: [...this.services.values()],
      policies: [...this.policies.values()],
    };
  }

  private unindexWorkload(w: Workload): void {
    for (const ip of w.addresses) if (this.workloadsByIp.get(ip) === w) this.workloadsByIp.delete(ip);
  }

  private unindexService(s: Service): void {
    for (const a of s.addresses) if (this.servicesByAddress.get(a.address) === s) this.servicesByAddress.delete(a.address);
    if (this.servicesByHostname.get(s.hostname) === s) this.servicesByHostname.delete(s.hostname);
  }

  private changed(): void {
    this.endpoints = undefined;
    this.workloadPolicies.clear();
    if (this.batchDepth > 0) this.changedInBatch = true;
    else this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
