/**
 * The registry as the xDS server's ResourceSource: per-proxy views computed by the translators,
 * recomputed only for the types a registry change touches, and pushed as those types.
 *
 * Views:
 *  - ztunnel: Address and Authorization. Every workload, service and policy (a full view; a
 *    later step can trim it to what a node needs), except that services list only the cluster-wide
 *    VIPs and the proxy's own node's VIP (`NODE_NAME`) — the addresses its ztunnel listens on.
 *    Address views update per key: a pod change re-encodes that one workload. Plus Ambit's own
 *    Node resources (where every node's ztunnel accepts HBONE), translated whole: nodes are few.
 *  - waypoint: Listener, RouteConfiguration, Cluster, ClusterLoadAssignment for every service;
 *    Ambit's WaypointPolicy resources for the policies attached to it (`WAYPOINT` metadata) or to a
 *    service it serves; and the workload API (Address with every VIP of every node, since clients
 *    on any node dial it; Authorization; Node), for endpoints, identities and node addresses.
 *  - gRPC (and any other Envoy-style client): the Envoy types, plus listener aliases for short targets.
 * Listener, Cluster and ClusterLoadAssignment update per service; RouteConfiguration,
 * Authorization and WaypointPolicy, which join many objects, are translated whole when they may have changed.
 */
import type { MeshSnapshot, ModelPart, PolicyModel, Registry, RegistryChange, ServiceInfo } from '../registry/index';
import {
  type Any,
  contentVersion,
  type ProxyInfo,
  packAddress,
  packAuthorization,
  packMeshNode,
  packWaypointPolicy,
  type ResourceChange,
  type ResourceSource,
  TypeUrl,
  type VersionedResource,
} from '../xds/index';
import { toAuthorizations } from './authorizations';
import { serviceClusters } from './envoy-clusters';
import { serviceLoadAssignments } from './envoy-endpoints';
import { serviceListeners } from './envoy-listeners';
import { toRouteConfigurations } from './envoy-routes';
import { toNodes } from './mesh-nodes';
import type { RouteTranslationOptions } from './route-tables';
import { toWaypointPolicies } from './waypoint-policies';
import { addressFor } from './workload-addresses';

type Resources = ReadonlyMap<string, VersionedResource>;
type Entries = [name: string, resource: Any][];

const EMPTY: Resources = new Map();
const NO_VIEW = 'none';

interface View {
  resources: Resources;
  /** Per-key types: owner key (workload uid, service key) → names of the resources it produced. */
  owners: Map<string, readonly string[]>;
  /** Keys to re-translate before the view is next read; 'all' rebuilds it. */
  pending: Set<string> | 'all' | undefined;
}

/** A type translated per owner key, so a change re-translates only its keys. */
interface KeyedTranslation {
  keys(snapshot: MeshSnapshot): Iterable<string>;
  translate(snapshot: MeshSnapshot, key: string): Entries;
}

function versioned(resource: Any): VersionedResource {
  return { version: contentVersion(resource), resource };
}

export class RegistryResourceSource implements ResourceSource {
  private snapshot: MeshSnapshot;
  private readonly views = new Map<string, View>();
  private readonly listeners = new Set<(change: ResourceChange) => void>();
  private readonly unsubscribe: () => void;

  constructor(
    registry: Registry,
    private readonly options: RouteTranslationOptions = {},
  ) {
    this.snapshot = registry.snapshot();
    this.unsubscribe = registry.onChange((change) => this.apply(change));
  }

  viewKey(proxy: ProxyInfo, typeUrl: string): string {
    const ztunnel = proxy.kind === 'ztunnel';
    const waypoint = proxy.kind === 'waypoint';
    switch (typeUrl) {
      case TypeUrl.address:
        return ztunnel && proxy.nodeName ? `node:${proxy.nodeName}` : ztunnel || waypoint ? 'all' : NO_VIEW;
      case TypeUrl.authorization:
      case TypeUrl.node:
        return ztunnel || waypoint ? 'all' : NO_VIEW;
      case TypeUrl.waypointPolicy:
        return waypoint ? (proxy.waypoint ? `waypoint:${proxy.waypoint}` : 'all') : NO_VIEW;
      case TypeUrl.listener:
        return ztunnel ? NO_VIEW : proxy.kind === 'waypoint' ? 'canonical' : 'aliases';
      case TypeUrl.routeConfiguration:
      case TypeUrl.cluster:
      case TypeUrl.clusterLoadAssignment:
        return ztunnel ? NO_VIEW : 'all';
      default:
        return NO_VIEW;
    }
  }

  resources(proxy: ProxyInfo, typeUrl: string): Resources {
    const key = this.viewKey(proxy, typeUrl);
    if (key === NO_VIEW) return EMPTY;
    const id = `${typeUrl} ${key}`;
    let view = this.views.get(id);
    if (!view) {
      view = { resources: EMPTY, owners: new Map(), pending: 'all' };
      this.views.set(id, view);
    }
    if (view.pending !== undefined) {
      const keyed = this.keyed(typeUrl, key);
      if (!keyed) view.resources = this.translateAll(typeUrl, key);
      else if (view.pending === 'all') this.rebuild(view, keyed);
      else this.update(view, keyed, view.pending);
      view.pending = undefined;
    }
    return view.resources;
  }

  onChange(listener: (change: ResourceChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.unsubscribe();
    this.listeners.clear();
  }

  private keyed(typeUrl: string, viewKey: string): KeyedTranslation | undefined {
    const services = (snapshot: MeshSnapshot) => snapshot.services.keys();
    const perService = (translate: (snapshot: MeshSnapshot, service: ServiceInfo) => Entries): KeyedTranslation => ({
      keys: services,
      translate: (snapshot, key) => {
        const service = snapshot.services.get(key);
        return service ? translate(snapshot, service) : [];
      },
    });
    switch (typeUrl) {
      case TypeUrl.address: {
        const options = viewKey.startsWith('node:') ? { node: viewKey.slice('node:'.length) } : {};
        return {
          keys: (snapshot) => [...snapshot.workloads.keys(), ...snapshot.services.keys()],
          translate: (snapshot, key) => {
            const address = addressFor(snapshot, key, options);
            return address ? [[key, packAddress(address)]] : [];
          },
        };
      }
      case TypeUrl.listener:
        return perService((_snapshot, service) => serviceListeners(service, { aliases: viewKey === 'aliases' }));
      case TypeUrl.cluster:
        return perService((_snapshot, service) => serviceClusters(service));
      case TypeUrl.clusterLoadAssignment:
        return perService(serviceLoadAssignments);
      default:
        return undefined;
    }
  }

  /** Types whose resources depend on many objects at once: translated whole. */
  private translateAll(typeUrl: string, viewKey: string): Resources {
    const out = new Map<string, VersionedResource>();
    if (typeUrl === TypeUrl.authorization) {
      for (const [name, authorization] of toAuthorizations(this.snapshot)) out.set(name, versioned(packAuthorization(authorization)));
    } else if (typeUrl === TypeUrl.node) {
      for (const [name, node] of toNodes(this.snapshot)) out.set(name, versioned(packMeshNode(node)));
    } else if (typeUrl === TypeUrl.routeConfiguration) {
      for (const [name, resource] of toRouteConfigurations(this.snapshot, this.options)) out.set(name, versioned(resource));
    } else if (typeUrl === TypeUrl.waypointPolicy) {
      const waypoint = viewKey.startsWith('waypoint:') ? viewKey.slice('waypoint:'.length) : undefined;
      for (const [name, policy] of toWaypointPolicies(this.snapshot, waypoint)) out.set(name, versioned(packWaypointPolicy(policy)));
    }
    return out;
  }

  private rebuild(view: View, keyed: KeyedTranslation): void {
    const resources = new Map<string, VersionedResource>();
    view.owners = new Map();
    for (const key of keyed.keys(this.snapshot)) {
      const entries = keyed.translate(this.snapshot, key);
      if (entries.length === 0) continue;
      for (const [name, resource] of entries) resources.set(name, versioned(resource));
      view.owners.set(
        key,
        entries.map(([name]) => name),
      );
    }
    view.resources = resources;
  }

  /** Re-translates only `keys`; the map handed out before stays as it was. */
  private update(view: View, keyed: KeyedTranslation, keys: ReadonlySet<string>): void {
    const resources = new Map(view.resources);
    for (const key of keys) {
      for (const name of view.owners.get(key) ?? []) resources.delete(name);
      const entries = keyed.translate(this.snapshot, key);
      for (const [name, resource] of entries) resources.set(name, versioned(resource));
      if (entries.length > 0)
        view.owners.set(
          key,
          entries.map(([name]) => name),
        );
      else view.owners.delete(key);
    }
    view.resources = resources;
  }

  private apply(change: RegistryChange): void {
    const before = this.snapshot.policies;
    this.snapshot = change.snapshot;
    const keys = (...parts: ModelPart[]) => new Set(parts.flatMap((part) => [...(change.keys.get(part) ?? [])]));
    const changed = new Set<string>();
    this.invalidate(TypeUrl.address, keys('workloads', 'services', 'workloadPolicies'), changed);
    this.invalidate(TypeUrl.listener, keys('services'), changed);
    this.invalidate(TypeUrl.cluster, keys('services'), changed);
    this.invalidate(TypeUrl.clusterLoadAssignment, keys('services', 'endpoints'), changed);
    if (change.kinds.has('policies')) this.invalidate(TypeUrl.authorization, 'all', changed);
    if (change.kinds.has('nodes')) this.invalidate(TypeUrl.node, 'all', changed);
    if (change.kinds.has('services') || change.kinds.has('routes') || change.kinds.has('waypoints')) {
      this.invalidate(TypeUrl.routeConfiguration, 'all', changed);
    }
    if (waypointPoliciesMayHaveChanged(change, before)) this.invalidate(TypeUrl.waypointPolicy, 'all', changed);
    if (changed.size === 0) return;
    const resourceChange: ResourceChange = { typeUrls: changed };
    for (const listener of this.listeners) listener(resourceChange);
  }

  private invalidate(typeUrl: string, keys: ReadonlySet<string> | 'all', changed: Set<string>): void {
    if (keys !== 'all' && keys.size === 0) return;
    changed.add(typeUrl);
    const prefix = `${typeUrl} `;
    for (const [id, view] of this.views) {
      if (!id.startsWith(prefix) || view.pending === 'all') continue;
      if (keys === 'all') view.pending = 'all';
      else {
        view.pending ??= new Set();
        for (const key of keys) view.pending.add(key);
      }
    }
  }
}

/** A targeted policy changed, moved between waypoints, or a service it targets changed waypoint. */
function waypointPoliciesMayHaveChanged(change: RegistryChange, before: PolicyModel): boolean {
  if (change.kinds.has('targetedPolicies')) return true;
  const after = change.snapshot.policies;
  for (const key of change.keys.get('policies') ?? []) if (before.waypoint.has(key) || after.waypoint.has(key)) return true;
  const bindingsMoved = change.kinds.has('services') || change.kinds.has('waypoints');
  return bindingsMoved && (before.servicePolicies.size > 0 || after.servicePolicies.size > 0);
}

export function createRegistryResourceSource(registry: Registry, options: RouteTranslationOptions = {}): RegistryResourceSource {
  return new RegistryResourceSource(registry, options);
}
