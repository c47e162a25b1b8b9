/**
 * The registry's working state. Objects from the store go in one at a time (`accept`), marking
 * what they affect; `commit` then recomputes only that, in dependency order — namespaces and
 * nodes, waypoints, services, workloads, waypoint bindings, endpoints, policies — and freezes a
 * new MeshSnapshot that shares every unchanged map with the previous one.
 *
 * What depends on what:
 *   Pod        → its workload (identity, addresses, services it is in, binding), endpoints of those
 *                services, its policy list; a waypoint's pod list.
 *   Service    → the service, its membership on the namespace's workloads, its endpoints; the
 *                waypoint it implements.
 *   Namespace  → every service and workload in it (ambient enrollment, use-waypoint label).
 *   Node       → the locality of the workloads on it.
 *   Gateway    → the waypoint; when its address or traffic type changes, every binding.
 *   AuthorizationPolicy / PeerAuthentication → compiled policies and the policy lists of the
 *                workloads in its namespace (all workloads for the root namespace); never addresses.
 *   HTTPRoute, GRPCRoute → the routes maps only (translators compile routes).
 *   FaultInjection → the faults map; counted as a route change (route configs embed faults).
 *   ReferenceGrant → the grants map; counted as a route change (a backend it permits or revokes
 *                answers 500 or not).
 */
import type { AuthorizationPolicy, FaultInjection, HttpRoute, KubeObject, PeerAuthentication, ReferenceGrant } from '@ambit/shared';
import {
  type CompiledPolicy,
  type CompiledPolicyWithTarget,
  type CompileNote,
  compilePeerAuthentication,
  type PolicyTargetRef,
  selectTargetedPolicies,
} from '@ambit/shared/authz';
import type { GrpcRoute } from '@ambit/shared/resources/grpc-route';
import { ChangeLog } from './change-log';
import { CopyOnWriteMap, KeyIndex } from './copy-on-write';
import { GATEWAY_NAME_LABEL } from './labels';
import type {
  MeshOptions,
  MeshSnapshot,
  ModelPart,
  NamespaceInfo,
  NodeInfo,
  ServiceInfo,
  WaypointInfo,
  WorkloadInfo,
  WorkloadPort,
} from './model';
import { serviceKeyOf, workloadUid } from './model';
import { namespaceInfo, nodeInfo } from './namespaces';
import {
  compileForMesh,
  convertedPeerAuthentication,
  levelPolicies,
  STATIC_STRICT_POLICY_NAME,
  staticStrictPolicy,
  type ZtunnelPolicyInputs,
  ztunnelPoliciesFor,
} from './policies';
import { sameData } from './same-data';
import { serviceInfo } from './services';
import {
  isWaypointGateway,
  resolveWaypointForService,
  resolveWaypointForWorkload,
  type WaypointResolution,
  waypointInfo,
} from './waypoints';
import { isTerminated, servicePortsFor, workloadInfo } from './workloads';

/** The kinds the registry reads from the store. */
export const REGISTRY_KINDS = [
  'Namespace',
  'Node',
  'Service',
  'Pod',
  'Gateway',
  'HTTPRoute',
  'GRPCRoute',
  'FaultInjection',
  'ReferenceGrant',
  'AuthorizationPolicy',
  'PeerAuthentication',
] as const;

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const EMPTY_LIST: readonly string[] = Object.freeze([]);

function namespaceOf(object: KubeObject): string {
  return object.metadata.namespace ?? 'default';
}

function objectKey(object: KubeObject): string {
  return `${namespaceOf(object)}/${object.metadata.name}`;
}

/** The namespace part of `<ns>/<rest>` keys. */
function namespaceOfKey(key: string): string {
  return key.slice(0, key.indexOf('/'));
}

function resourceVersionOf(object: KubeObject | undefined): number {
  return Number(object?.metadata.resourceVersion ?? 0);
}

/** `<ns>/<name>` of the waypoint a gateway-name label value names, if any. */
function waypointKey(namespace: string, gatewayName: string | undefined): string | undefined {
  return gatewayName ? `${namespace}/${gatewayName}` : undefined;
}

function sortedRecord<V>(record: Record<string, V>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key] as V;
  return out;
}

function withWaypoint<T extends ServiceInfo | WorkloadInfo>(info: T, resolution: WaypointResolution): T {
  const { waypoint: _w, waypointProblem: _p, ...rest } = info;
  const next = rest as T;
  if (resolution.binding) next.waypoint = resolution.binding;
  if (resolution.problem) next.waypointProblem = resolution.problem;
  return next;
}

function sameBinding(info: ServiceInfo | WorkloadInfo, resolution: WaypointResolution): boolean {
  return sameData(info.waypoint, resolution.binding) && info.waypointProblem === resolution.problem;
}

export class MeshState {
  readonly options: MeshOptions;
  private revision = 0;

  // Objects as stored.
  private readonly namespaceObjects = new Map<string, KubeObject>();
  private readonly nodeObjects = new Map<string, KubeObject>();
  private readonly serviceObjects = new Map<string, KubeObject>();
  private readonly podObjects = new Map<string, KubeObject>();
  private readonly gatewayObjects = new Map<string, KubeObject>();

  // Indexes over the stored objects.
  private readonly servicesByNamespace = new KeyIndex();
  private readonly podsByNamespace = new KeyIndex();
  private readonly podsByNode = new KeyIndex();
  private readonly waypointServices = new KeyIndex();
  private readonly waypointPods = new KeyIndex();
  private readonly endpointSets = new KeyIndex();
  private readonly peerAuthenticationsByNamespace = new KeyIndex();
  private readonly ztunnelPoliciesByNamespace = new KeyIndex();
  private readonly convertedByNamespace = new KeyIndex();
  private readonly ztunnelTargets = new Map<string, CompiledPolicyWithTarget>();

  // The model, shared with the snapshots handed out.
  private readonly namespaces = new CopyOnWriteMap<NamespaceInfo>();
  private readonly nodes = new CopyOnWriteMap<NodeInfo>();
  private readonly services = new CopyOnWriteMap<ServiceInfo>();
  private readonly workloads = new CopyOnWriteMap<WorkloadInfo>();
  private readonly waypoints = new CopyOnWriteMap<WaypointInfo>();
  private readonly endpoints = new CopyOnWriteMap<readonly string[]>();
  private readonly routes = new CopyOnWriteMap<HttpRoute>();
  private readonly grpcRoutes = new CopyOnWriteMap<GrpcRoute>();
  private readonly faults = new CopyOnWriteMap<FaultInjection>();
  private readonly referenceGrants = new CopyOnWriteMap<ReferenceGrant>();
  private readonly authorizationPolicies = new CopyOnWriteMap<AuthorizationPolicy>();
  private readonly peerAuthentications = new CopyOnWriteMap<PeerAuthentication>();
  private readonly ztunnelPolicies = new CopyOnWriteMap<CompiledPolicy>();
  private readonly waypointCompiled = new CopyOnWriteMap<CompiledPolicyWithTarget>();
  private readonly notes = new CopyOnWriteMap<readonly CompileNote[]>();
  private readonly workloadPolicies = new CopyOnWriteMap<readonly string[]>();
  private readonly waypointPolicies = new CopyOnWriteMap<readonly string[]>();
  private readonly servicePolicies = new CopyOnWriteMap<readonly string[]>();

  // What the next commit must recompute.
  private readonly dirtyNamespaces = new Set<string>();
  private readonly dirtyNodes = new Set<string>();
  private readonly dirtyServices = new Set<string>();
  private readonly dirtyPods = new Set<string>();
  private readonly dirtyWaypoints = new Set<string>();
  private readonly dirtyMembership = new Set<string>();
  private readonly dirtyEndpoints = new Set<string>();
  private readonly dirtyAuthorizationPolicies = new Set<string>();
  private readonly dirtyPeerAuthenticationNamespaces = new Set<string>();
  private readonly dirtyPolicyNamespaces = new Set<string>();
  private readonly dirtyPolicyWorkloads = new Set<string>();
  private readonly dirtyTargetedServices = new Set<string>();
  private bindingsDirty = false;
  private targetedDirty = false;
  private pending = false;

  private readonly log = new ChangeLog();
  private current: MeshSnapshot | undefined;

  constructor(options: MeshOptions) {
    this.options = options;
  }

  /** Records an object's new state (or its deletion). Older states than the one known are ignored. */
  accept(object: KubeObject, deleted: boolean, resourceVersion = resourceVersionOf(object)): void {
    this.revision = Math.max(this.revision, resourceVersion);
    switch (object.kind) {
      case 'Namespace':
        if (this.update(this.namespaceObjects, object.metadata.name, object, deleted)) this.dirtyNamespaces.add(object.metadata.name);
        return;
      case 'Node':
        if (this.update(this.nodeObjects, object.metadata.name, object, deleted)) this.dirtyNodes.add(object.metadata.name);
        return;
      case 'Service':
        this.acceptService(object, deleted);
        return;
      case 'Pod':
        this.acceptPod(object, deleted);
        return;
      case 'Gateway':
        if (this.update(this.gatewayObjects, objectKey(object), object, deleted)) this.dirtyWaypoints.add(objectKey(object));
        return;
      case 'HTTPRoute':
        if (this.update(this.routes, objectKey(object), object as HttpRoute, deleted)) this.log.add('routes', objectKey(object));
        return;
      case 'GRPCRoute':
        if (this.update(this.grpcRoutes, objectKey(object), object as GrpcRoute, deleted)) this.log.add('routes', objectKey(object));
        return;
      case 'FaultInjection':
        if (this.update(this.faults, objectKey(object), object as FaultInjection, deleted)) this.log.add('routes', objectKey(object));
        return;
      case 'ReferenceGrant':
        if (this.update(this.referenceGrants, objectKey(object), object as ReferenceGrant, deleted)) {
          this.log.add('routes', objectKey(object));
        }
        return;
      case 'AuthorizationPolicy':
        if (this.update(this.authorizationPolicies, objectKey(object), object as AuthorizationPolicy, deleted)) {
          this.dirtyAuthorizationPolicies.add(objectKey(object));
        }
        return;
      case 'PeerAuthentication': {
        const key = objectKey(object);
        if (!this.update(this.peerAuthentications, key, object as PeerAuthentication, deleted)) return;
        if (deleted) this.peerAuthenticationsByNamespace.remove(namespaceOf(object), key);
        else this.peerAuthenticationsByNamespace.add(namespaceOf(object), key);
        this.dirtyPeerAuthenticationNamespaces.add(namespaceOf(object));
        return;
      }
      default:
    }
  }

  /** Applies what was accepted since the last commit; returns the current snapshot. */
  commit(): MeshSnapshot {
    if (this.current && !this.pending) return this.current;
    this.pending = false;
    this.commitNamespaces();
    this.commitNodes();
    this.commitWaypoints();
    this.commitServices();
    this.commitWorkloads();
    this.commitBindings();
    this.commitEndpoints();
    this.commitAuthorizationPolicies();
    this.commitPeerAuthentications();
    this.commitWorkloadPolicies();
    this.commitTargetedPolicies();
    this.current = {
      revision: this.revision,
      options: this.options,
      namespaces: this.namespaces.freeze(),
      nodes: this.nodes.freeze(),
      services: this.services.freeze(),
      workloads: this.workloads.freeze(),
      waypoints: this.waypoints.freeze(),
      endpoints: this.endpoints.freeze(),
      routes: this.routes.freeze(),
      grpcRoutes: this.grpcRoutes.freeze(),
      faults: this.faults.freeze(),
      referenceGrants: this.referenceGrants.freeze(),
      policies: {
        authorizationPolicies: this.authorizationPolicies.freeze(),
        peerAuthentications: this.peerAuthentications.freeze(),
        ztunnel: this.ztunnelPolicies.freeze(),
        waypoint: this.waypointCompiled.freeze(),
        notes: this.notes.freeze(),
        workloadPolicies: this.workloadPolicies.freeze(),
        waypointPolicies: this.waypointPolicies.freeze(),
        servicePolicies: this.servicePolicies.freeze(),
      },
    };
    return this.current;
  }

  /** Changes committed since the last call. */
  takeChanges(): { kinds: ReadonlySet<ModelPart>; keys: ReadonlyMap<ModelPart, ReadonlySet<string>> } | undefined {
    return this.log.empty ? undefined : this.log.take();
  }

  // ---- accepting objects ----

  /** Stores or deletes; false when the event is older than what is known (a replayed watch event). */
  private update<T extends KubeObject>(objects: Map<string, T> | CopyOnWriteMap<T>, key: string, object: T, deleted: boolean): boolean {
    const known = objects.get(key);
    if (deleted) {
      if (!known || resourceVersionOf(known) > resourceVersionOf(object)) return false;
      objects.delete(key);
    } else {
      if (known && resourceVersionOf(known) >= resourceVersionOf(object) && resourceVersionOf(object) > 0) return false;
      objects.set(key, object);
    }
    this.pending = true;
    return true;
  }

  private acceptService(object: KubeObject, deleted: boolean): void {
    const namespace = namespaceOf(object);
    const key = serviceKeyOf(object.metadata.name, namespace, this.options.domainSuffix);
    const before = this.serviceObjects.get(key);
    if (!this.update(this.serviceObjects, key, object, deleted)) return;
    if (deleted) this.servicesByNamespace.remove(namespace, key);
    else this.servicesByNamespace.add(namespace, key);
    const waypointBefore = before?.metadata.labels?.[GATEWAY_NAME_LABEL];
    const waypointAfter = deleted ? undefined : object.metadata.labels?.[GATEWAY_NAME_LABEL];
    this.waypointServices.move(key, waypointKey(namespace, waypointBefore), waypointKey(namespace, waypointAfter));
    for (const waypoint of [waypointKey(namespace, waypointBefore), waypointKey(namespace, waypointAfter)]) {
      if (waypoint) this.dirtyWaypoints.add(waypoint);
    }
    this.dirtyServices.add(key);
  }

  private acceptPod(object: KubeObject, deleted: boolean): void {
    const namespace = namespaceOf(object);
    const uid = workloadUid(namespace, object.metadata.name);
    const before = this.podObjects.get(uid);
    if (!this.update(this.podObjects, uid, object, deleted)) return;
    if (deleted) this.podsByNamespace.remove(namespace, uid);
    else this.podsByNamespace.add(namespace, uid);
    const nodeOf = (pod: KubeObject | undefined) => (pod?.spec as { nodeName?: string } | undefined)?.nodeName;
    this.podsByNode.move(uid, nodeOf(before), deleted ? undefined : nodeOf(object));
    const waypointBefore = before?.metadata.labels?.[GATEWAY_NAME_LABEL];
    const waypointAfter = deleted ? undefined : object.metadata.labels?.[GATEWAY_NAME_LABEL];
    this.waypointPods.move(uid, waypointKey(namespace, waypointBefore), waypointKey(namespace, waypointAfter));
    if (waypointBefore !== waypointAfter || deleted || !before) {
      for (const waypoint of [waypointKey(namespace, waypointBefore), waypointKey(namespace, waypointAfter)]) {
        if (waypoint) this.dirtyWaypoints.add(waypoint);
      }
    }
    this.dirtyPods.add(uid);
  }

  // ---- committing, in dependency order ----

  private commitNamespaces(): void {
    for (const name of this.dirtyNamespaces) {
      const object = this.namespaceObjects.get(name);
      if (!this.replace(this.namespaces, 'namespaces', name, object && namespaceInfo(object))) continue;
      for (const uid of this.podsByNamespace.get(name)) this.dirtyPods.add(uid);
      for (const key of this.servicesByNamespace.get(name)) this.dirtyServices.add(key);
    }
    this.dirtyNamespaces.clear();
  }

  private commitNodes(): void {
    for (const name of this.dirtyNodes) {
      const object = this.nodeObjects.get(name);
      const before = this.nodes.get(name);
      const after = object && nodeInfo(object);
      if (!this.replace(this.nodes, 'nodes', name, after)) continue;
      if (!sameData(before?.locality, after?.locality)) for (const uid of this.podsByNode.get(name)) this.dirtyPods.add(uid);
    }
    this.dirtyNodes.clear();
  }

  private commitWaypoints(): void {
    for (const key of this.dirtyWaypoints) {
      const gateway = this.gatewayObjects.get(key);
      const serviceKey = [...this.waypointServices.get(key)].sort()[0];
      const serviceName = serviceKey && this.serviceObjects.get(serviceKey)?.metadata.name;
      const after =
        gateway && isWaypointGateway(gateway)
          ? waypointInfo(gateway, serviceName, [...this.waypointPods.get(key)], this.options)
          : undefined;
      const before = this.waypoints.get(key);
      if (!this.replace(this.waypoints, 'waypoints', key, after)) continue;
      this.targetedDirty = true;
      if (!sameData(before?.address, after?.address) || before?.trafficType !== after?.trafficType) this.bindingsDirty = true;
    }
    this.dirtyWaypoints.clear();
  }

  private commitServices(): void {
    const waypoints = this.waypoints.freeze();
    for (const key of this.dirtyServices) {
      const object = this.serviceObjects.get(key);
      let after: ServiceInfo | undefined;
      if (object) {
        const namespace = this.namespaces.get(namespaceOf(object));
        const core = serviceInfo(object, namespace, this.options);
        after = withWaypoint(core, resolveWaypointForService(core, namespace, waypoints));
      }
      const before = this.services.get(key);
      if (!this.replace(this.services, 'services', key, after)) continue;
      this.dirtyEndpoints.add(key);
      this.dirtyTargetedServices.add(key);
      if (!before || !after || !sameData(before.selector, after.selector) || !sameData(before.ports, after.ports)) {
        this.dirtyMembership.add(key);
      }
    }
    this.dirtyServices.clear();
  }

  private commitWorkloads(): void {
    const waypoints = this.waypoints.freeze();
    for (const uid of this.dirtyPods) {
      const pod = this.podObjects.get(uid);
      let after: WorkloadInfo | undefined;
      if (pod) {
        const namespace = this.namespaces.get(namespaceOf(pod));
        const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
        const core = workloadInfo(pod, namespace, nodeName ? this.nodes.get(nodeName) : undefined, this.options);
        if (!isTerminated(pod)) core.services = this.membershipOf(core);
        after = withWaypoint(core, resolveWaypointForWorkload(core, namespace, waypoints));
      }
      this.replaceWorkload(uid, after);
    }
    // A service whose selector or ports changed: update its entry on the namespace's other workloads.
    for (const key of this.dirtyMembership) {
      const service = this.services.get(key);
      for (const uid of this.podsByNamespace.get(namespaceOfKey(key))) {
        if (this.dirtyPods.has(uid)) continue;
        const before = this.workloads.get(uid);
        const pod = this.podObjects.get(uid);
        if (!before || !pod) continue;
        const ports = service && !isTerminated(pod) ? servicePortsFor(service, before) : undefined;
        if (sameData(before.services[key], ports)) continue;
        const services: Record<string, readonly WorkloadPort[]> = { ...before.services };
        if (ports) services[key] = ports;
        else delete services[key];
        this.replaceWorkload(uid, { ...before, services: sortedRecord(services) });
      }
    }
    this.dirtyPods.clear();
    this.dirtyMembership.clear();
  }

  private membershipOf(workload: WorkloadInfo): Record<string, readonly WorkloadPort[]> {
    const out: Record<string, readonly WorkloadPort[]> = {};
    for (const key of this.servicesByNamespace.get(workload.namespace)) {
      const service = this.services.get(key);
      const ports = service && servicePortsFor(service, workload);
      if (ports) out[key] = ports;
    }
    return sortedRecord(out);
  }

  private replaceWorkload(uid: string, after: WorkloadInfo | undefined): void {
    const before = this.workloads.get(uid);
    if (!this.replace(this.workloads, 'workloads', uid, after)) return;
    for (const key of Object.keys(before?.services ?? {})) {
      this.dirtyEndpoints.add(key);
      if (!after?.services[key]) this.endpointSets.remove(key, uid);
    }
    for (const key of Object.keys(after?.services ?? {})) {
      this.dirtyEndpoints.add(key);
      this.endpointSets.add(key, uid);
    }
    if (!before || !after || before.namespace !== after.namespace || !sameData(before.labels, after.labels)) {
      this.dirtyPolicyWorkloads.add(uid);
    }
  }

  /** Re-resolves every binding after a waypoint appeared, went, or changed address or traffic type. */
  private commitBindings(): void {
    if (!this.bindingsDirty) return;
    this.bindingsDirty = false;
    const waypoints = this.waypoints.freeze();
    for (const service of [...this.services.values()]) {
      const resolution = resolveWaypointForService(service, this.namespaces.get(service.namespace), waypoints);
      if (sameBinding(service, resolution)) continue;
      this.replace(this.services, 'services', service.key, withWaypoint(service, resolution));
      this.dirtyTargetedServices.add(service.key);
    }
    for (const workload of [...this.workloads.values()]) {
      const resolution = resolveWaypointForWorkload(workload, this.namespaces.get(workload.namespace), waypoints);
      if (sameBinding(workload, resolution)) continue;
      this.replace(this.workloads, 'workloads', workload.uid, withWaypoint(workload, resolution));
    }
  }

  private commitEndpoints(): void {
    for (const key of this.dirtyEndpoints) {
      const members = this.endpointSets.get(key);
      const after = members.size > 0 ? [...members].sort() : undefined;
      const before = this.endpoints.get(key);
      if (!sameData(before, after)) {
        if (after) this.endpoints.set(key, after);
        else this.endpoints.delete(key);
      }
      // Workload data behind unchanged membership (addresses, health) changes endpoints too.
      this.log.add('endpoints', key);
    }
    this.dirtyEndpoints.clear();
  }

  private commitAuthorizationPolicies(): void {
    for (const key of this.dirtyAuthorizationPolicies) {
      const namespace = namespaceOfKey(key);
      const policy = this.authorizationPolicies.get(key);
      const compiled = policy ? compileForMesh(policy, this.options) : { notes: [] };
      const hadZtunnel = this.ztunnelTargets.has(key);
      if (compiled.ztunnel) {
        this.ztunnelTargets.set(key, compiled.ztunnel);
        this.ztunnelPoliciesByNamespace.add(namespace, key);
        this.ztunnelPolicies.set(key, compiled.ztunnel.policy);
      } else {
        this.ztunnelTargets.delete(key);
        this.ztunnelPoliciesByNamespace.remove(namespace, key);
        this.ztunnelPolicies.delete(key);
      }
      if (hadZtunnel || compiled.ztunnel) this.dirtyPolicyNamespaces.add(namespace);
      const hadWaypoint = this.waypointCompiled.has(key);
      if (compiled.waypoint) this.waypointCompiled.set(key, compiled.waypoint);
      else this.waypointCompiled.delete(key);
      if (hadWaypoint || compiled.waypoint) this.targetedDirty = true;
      this.setNotes(`AuthorizationPolicy/${key}`, compiled.notes);
      this.log.add('policies', key);
    }
    this.dirtyAuthorizationPolicies.clear();
  }

  private commitPeerAuthentications(): void {
    if (this.dirtyPeerAuthenticationNamespaces.size === 0) return;
    const root = this.options.rootNamespace;
    const namespaces = new Set(this.dirtyPeerAuthenticationNamespaces);
    if (namespaces.has(root)) {
      // Mesh-level modes are inherited everywhere: every namespace's converted policies may change.
      for (const ns of this.peerAuthenticationsByNamespace.groupNames()) namespaces.add(ns);
      for (const ns of this.convertedByNamespace.groupNames()) namespaces.add(ns);
    }
    const meshLevel = levelPolicies(this.peerAuthenticationsIn(root));
    for (const ns of namespaces) {
      this.convertPeerAuthentications(ns, meshLevel);
      this.dirtyPolicyNamespaces.add(ns);
    }
    for (const ns of this.dirtyPeerAuthenticationNamespaces) {
      for (const key of this.peerAuthenticationsByNamespace.get(ns)) {
        const pa = this.peerAuthentications.get(key);
        if (pa) this.setNotes(`PeerAuthentication/${key}`, compilePeerAuthentication(pa, root).notes);
      }
    }
    // Notes of deleted PeerAuthentications go with them.
    for (const key of [...this.notes.keys()]) {
      if (key.startsWith('PeerAuthentication/') && !this.peerAuthentications.has(key.slice('PeerAuthentication/'.length))) {
        this.setNotes(key, []);
      }
    }
    const staticKey = `${root}/${STATIC_STRICT_POLICY_NAME}`;
    const wanted = this.peerAuthentications.size > 0;
    if (wanted !== this.ztunnelPolicies.has(staticKey)) {
      if (wanted) this.ztunnelPolicies.set(staticKey, staticStrictPolicy(root));
      else this.ztunnelPolicies.delete(staticKey);
      this.log.add('policies', staticKey);
    }
    this.dirtyPeerAuthenticationNamespaces.clear();
  }

  private peerAuthenticationsIn(namespace: string): PeerAuthentication[] {
    const out: PeerAuthentication[] = [];
    for (const key of this.peerAuthenticationsByNamespace.get(namespace)) {
      const pa = this.peerAuthentications.get(key);
      if (pa) out.push(pa);
    }
    return out;
  }

  private convertPeerAuthentications(namespace: string, meshLevel: readonly PeerAuthentication[]): void {
    const pas = this.peerAuthenticationsIn(namespace);
    const namespaceLevel = levelPolicies(pas);
    const keep = new Set<string>();
    for (const pa of pas) {
      const converted = convertedPeerAuthentication(pa, namespaceLevel, meshLevel, this.options.rootNamespace);
      if (!converted) continue;
      const key = `${namespace}/${converted.name}`;
      keep.add(key);
      if (sameData(this.ztunnelPolicies.get(key), converted)) continue;
      this.ztunnelPolicies.set(key, converted);
      this.convertedByNamespace.add(namespace, key);
      this.log.add('policies', key);
    }
    for (const key of [...this.convertedByNamespace.get(namespace)]) {
      if (keep.has(key)) continue;
      this.ztunnelPolicies.delete(key);
      this.convertedByNamespace.remove(namespace, key);
      this.log.add('policies', key);
    }
  }

  private commitWorkloadPolicies(): void {
    const root = this.options.rootNamespace;
    const uids = new Set(this.dirtyPolicyWorkloads);
    if (this.dirtyPolicyNamespaces.has(root)) for (const uid of this.workloads.keys()) uids.add(uid);
    else for (const ns of this.dirtyPolicyNamespaces) for (const uid of this.podsByNamespace.get(ns)) uids.add(uid);
    const inputsByNamespace = new Map<string, ZtunnelPolicyInputs>();
    for (const uid of uids) {
      const workload = this.workloads.get(uid);
      let after: readonly string[] | undefined;
      if (workload) {
        let inputs = inputsByNamespace.get(workload.namespace);
        if (!inputs) {
          inputs = this.policyInputs(workload.namespace);
          inputsByNamespace.set(workload.namespace, inputs);
        }
        const names = ztunnelPoliciesFor(workload, inputs, root);
        if (names.length > 0) after = names;
      }
      this.replace(this.workloadPolicies, 'workloadPolicies', uid, after);
    }
    this.dirtyPolicyNamespaces.clear();
    this.dirtyPolicyWorkloads.clear();
  }

  private policyInputs(namespace: string): ZtunnelPolicyInputs {
    const root = this.options.rootNamespace;
    const groups = namespace === root ? [root] : [namespace, root];
    const authorizationPolicies: CompiledPolicyWithTarget[] = [];
    const peerAuthentications: PeerAuthentication[] = [];
    for (const ns of groups) {
      for (const key of this.ztunnelPoliciesByNamespace.get(ns)) {
        const target = this.ztunnelTargets.get(key);
        if (target) authorizationPolicies.push(target);
      }
      peerAuthentications.push(...this.peerAuthenticationsIn(ns));
    }
    return { authorizationPolicies, peerAuthentications, converted: this.convertedByNamespace.get(namespace) };
  }

  /** targetRef policies per waypoint and per waypoint-bound service. */
  private commitTargetedPolicies(): void {
    const all = [...this.waypointCompiled.values()];
    const options = { rootNamespace: this.options.rootNamespace };
    const serviceKeys = this.targetedDirty ? [...this.services.keys(), ...this.servicePolicies.keys()] : [...this.dirtyTargetedServices];
    if (this.targetedDirty) {
      for (const key of new Set([...this.waypoints.keys(), ...this.waypointPolicies.keys()])) {
        const waypoint = this.waypoints.get(key);
        const targets: PolicyTargetRef[] = waypoint
          ? [
              { group: GATEWAY_GROUP, kind: 'Gateway', name: waypoint.name, namespace: waypoint.namespace },
              { group: GATEWAY_GROUP, kind: 'GatewayClass', name: waypoint.gatewayClassName, namespace: '' },
            ]
          : [];
        this.replaceList(this.waypointPolicies, key, all.length > 0 ? selectTargetedPolicies(all, targets, options) : []);
      }
    }
    for (const key of new Set(serviceKeys)) {
      const service = this.services.get(key);
      const selected =
        service?.waypoint && all.length > 0
          ? selectTargetedPolicies(all, [{ group: '', kind: 'Service', name: service.name, namespace: service.namespace }], options)
          : [];
      this.replaceList(this.servicePolicies, key, selected);
    }
    this.targetedDirty = false;
    this.dirtyTargetedServices.clear();
  }

  private replaceList(map: CopyOnWriteMap<readonly string[]>, key: string, policies: readonly CompiledPolicy[]): void {
    const names = policies.map((p) => `${p.namespace}/${p.name}`).sort();
    const before = map.get(key);
    if (sameData(before ?? EMPTY_LIST, names)) return;
    if (names.length > 0) map.set(key, names);
    else map.delete(key);
    this.log.add('targetedPolicies', key);
  }

  private setNotes(key: string, notes: readonly CompileNote[]): void {
    if (notes.length > 0) this.notes.set(key, notes);
    else this.notes.delete(key);
  }

  /** Sets or deletes one entry, logging the change; false when nothing changed. */
  private replace<V>(map: CopyOnWriteMap<V>, part: ModelPart, key: string, after: V | undefined): boolean {
    const before = map.get(key);
    if (sameData(before, after)) return false;
    if (after === undefined) map.delete(key);
    else map.set(key, after);
    this.log.add(part, key);
    return true;
  }
}
