/**
 * Which node stands for a peer that telemetry names, under the graph type asked for: a workload
 * (`wl:`), its app (`app:`) or app version (`vapp:`), its service in the service graph (`svc:`),
 * a waypoint's pods as the waypoint (`wp:`), a service outside the registry (`ext:<hostname>`),
 * an unnamed caller (`unknown`). Nodes are made once, with what the registry knows about them.
 */
import type { SeriesLabels, TargetStatus } from '../telemetry/index';
import type { GraphType } from './graph';
import { NodeDraft } from './graph-drafts';
import type { MeshIndex, WorkloadGroup } from './mesh-index';

/**
 * Labels on scrape targets that say which proxy a target is (the embedded mesh sets them):
 * `proxy="ztunnel", node="<node>"` or `proxy="waypoint", waypoint="<ns>/<name>"`.
 */
export const PROXY_TARGET_LABELS = { proxy: 'proxy', node: 'node', waypoint: 'waypoint' } as const;

const UNKNOWN_ID = 'unknown';
const UNKNOWN_DESTINATION_ID = 'ext:unknown';

/** A label value that names something: Istio writes `unknown` (or nothing) when a proxy cannot tell. */
export function known(v: string | undefined): v is string {
  return v !== undefined && v !== '' && v !== 'unknown';
}

export class NodeCatalog {
  readonly nodes = new Map<string, NodeDraft>();
  /** Node ids already decided, by registry workload and by service hostname: routes ask thousands of times, ids are built once. */
  private readonly workloadIds = new Map<WorkloadGroup, string>();
  private readonly serviceIds = new Map<string, string>();

  constructor(
    readonly index: MeshIndex,
    readonly graphType: GraphType,
  ) {}

  /**
   * The key of the waypoint a peer is, if it is one's: by workload name, else by identity — a
   * destination ztunnel reached by a waypoint knows only its identity (`source_workload="unknown"`).
   */
  waypointImplementedBy(namespace: string | undefined, workload: string | undefined, principal: string | undefined): string | undefined {
    const group = known(namespace) && known(workload) ? this.index.workload(namespace, workload) : undefined;
    if (group) return group.implementsWaypoint;
    return known(principal) ? this.index.waypointWithIdentity(principal) : undefined;
  }

  get(id: string): NodeDraft {
    return this.nodes.get(id) as NodeDraft;
  }

  private add(draft: NodeDraft): string {
    this.nodes.set(draft.id, draft);
    return draft.id;
  }

  unknown(): string {
    if (this.nodes.has(UNKNOWN_ID)) return UNKNOWN_ID;
    return this.add(new NodeDraft(UNKNOWN_ID, 'unknown', '', 'unknown', undefined));
  }

  unknownDestination(): string {
    if (this.nodes.has(UNKNOWN_DESTINATION_ID)) return UNKNOWN_DESTINATION_ID;
    return this.add(new NodeDraft(UNKNOWN_DESTINATION_ID, 'external', '', 'unknown destination', undefined));
  }

  waypoint(key: string): string {
    const id = `wp:${key}`;
    if (this.nodes.has(id)) return id;
    const [namespace = '', name = key] = key.split('/');
    const draft = new NodeDraft(id, 'waypoint', namespace, name, undefined);
    draft.inMesh = true;
    for (const group of this.index.workloads.values()) if (group.implementsWaypoint === key) draft.groups.add(group);
    return this.add(draft);
  }

  ztunnel(nodeName: string): string {
    const id = `zt:${nodeName}`;
    if (this.nodes.has(id)) return id;
    const draft = new NodeDraft(id, 'ztunnel', '', nodeName, undefined);
    draft.inMesh = true;
    return this.add(draft);
  }

  /** The node of a service hostname: the registry's service, a waypoint's own service, or an external one. */
  service(hostname: string | undefined, namespaceHint: string | undefined): string | undefined {
    if (!known(hostname)) return undefined;
    const decided = this.serviceIds.get(hostname);
    if (decided !== undefined) return decided;
    const id = this.serviceNode(hostname, namespaceHint);
    this.serviceIds.set(hostname, id);
    return id;
  }

  private serviceNode(hostname: string, namespaceHint: string | undefined): string {
    const service = this.index.service(hostname);
    if (service?.implementsWaypoint) return this.waypoint(service.implementsWaypoint);
    if (!service) {
      const id = `ext:${hostname}`;
      if (this.nodes.has(id)) return id;
      const draft = new NodeDraft(id, 'external', known(namespaceHint) ? namespaceHint : '', hostname, undefined);
      draft.hostname = hostname;
      return this.add(draft);
    }
    const id = `svc:${service.namespace}/${service.name}`;
    if (this.nodes.has(id)) return id;
    const draft = new NodeDraft(id, 'service', service.namespace, service.name, 'service');
    draft.hostname = service.hostname;
    draft.inMesh = service.ambient;
    draft.waypoint = service.waypoint?.key;
    for (const uid of this.index.snapshot.endpoints.get(service.key) ?? []) {
      const pod = this.index.snapshot.workloads.get(uid);
      const group = pod && this.index.workload(pod.namespace, pod.workloadName);
      if (group) draft.groups.add(group);
    }
    return this.add(draft);
  }

  /** A workload as the graph type shows it; undefined when telemetry could not name it. */
  workload(
    namespace: string | undefined,
    workload: string | undefined,
    app: string | undefined,
    version: string | undefined,
  ): string | undefined {
    if (!known(namespace) || !known(workload)) return undefined;
    const group = this.index.workload(namespace, workload);
    if (!group) return this.workloadNode(namespace, workload, app, version, undefined);
    // A registry workload's node depends on the workload alone (the registry's app and version win over the labels').
    let id = this.workloadIds.get(group);
    if (id === undefined) {
      id = this.workloadNode(namespace, workload, app, version, group);
      if (id !== undefined) this.workloadIds.set(group, id);
    }
    return id;
  }

  private workloadNode(
    namespace: string,
    workload: string,
    app: string | undefined,
    version: string | undefined,
    group: WorkloadGroup | undefined,
  ): string | undefined {
    if (group?.implementsWaypoint) return this.waypoint(group.implementsWaypoint);
    const appName = group?.app ?? app;
    const appVersion = group?.version ?? version;
    if (this.graphType === 'service' && group) {
      const service = this.index.serviceOf(group);
      if (service) return this.service(service.hostname, service.namespace);
    }
    if ((this.graphType === 'app' || this.graphType === 'versionedApp') && known(appName)) {
      const versioned = this.graphType === 'versionedApp' && known(appVersion);
      const id = versioned ? `vapp:${namespace}/${appName}/${appVersion}` : `app:${namespace}/${appName}`;
      if (this.nodes.has(id)) return id;
      const draft = new NodeDraft(id, 'app', namespace, appName, 'app');
      draft.app = appName;
      if (versioned) draft.version = appVersion;
      const groups = versioned
        ? this.index.versionedApps.get(`${namespace}/${appName}/${appVersion}`)
        : this.index.apps.get(`${namespace}/${appName}`);
      for (const g of groups ?? []) draft.groups.add(g);
      return this.add(draft);
    }
    const id = `wl:${namespace}/${workload}`;
    if (this.nodes.has(id)) return id;
    const draft = new NodeDraft(id, 'workload', namespace, workload, 'workload');
    if (known(appName)) draft.app = appName;
    if (known(appVersion)) draft.version = appVersion;
    if (group) draft.groups.add(group);
    return this.add(draft);
  }

  /** The client of a report: its workload, else `unknown`. */
  source(l: SeriesLabels): string {
    return (
      this.workload(l.source_workload_namespace, l.source_workload, l.source_canonical_service, l.source_canonical_revision) ??
      this.unknown()
    );
  }

  destinationWorkload(l: SeriesLabels): string | undefined {
    return this.workload(
      l.destination_workload_namespace,
      l.destination_workload,
      l.destination_canonical_service,
      l.destination_canonical_revision,
    );
  }

  /** The node of the service a workload serves behind `waypoint` (the one with the most endpoints), if any. */
  serviceBehind(waypoint: string, namespace: string | undefined, workload: string | undefined): string | undefined {
    const group = known(namespace) && known(workload) ? this.index.workload(namespace, workload) : undefined;
    const service = group && this.index.serviceOf(group, waypoint);
    return service ? this.service(service.hostname, service.namespace) : undefined;
  }

  /** The waypoint serving a request's service (or, for traffic to a workload address, the workload). */
  waypointOf(l: SeriesLabels): string | undefined {
    const hostname = l.destination_service;
    if (known(hostname)) {
      const waypoint = this.index.service(hostname)?.waypoint?.key;
      if (waypoint) return waypoint;
    }
    const ns = l.destination_workload_namespace;
    const wl = l.destination_workload;
    return known(ns) && known(wl) ? this.index.workload(ns, wl)?.waypoint : undefined;
  }

  /** Registry workloads and services that telemetry did not mention, as idle nodes. */
  addIdle(services: boolean, waypoints: boolean): void {
    for (const group of this.index.workloads.values()) {
      if (!group.implementsWaypoint) this.workload(group.namespace, group.name, group.app, group.version);
    }
    if (services) {
      for (const service of this.index.snapshot.services.values()) {
        if (!service.implementsWaypoint) this.service(service.hostname, service.namespace);
      }
    }
    if (waypoints) for (const key of this.index.snapshot.waypoints.keys()) this.waypoint(key);
  }

  addZtunnels(): void {
    for (const name of this.index.snapshot.nodes.keys()) this.ztunnel(name);
  }

  /** Marks proxies' nodes with their scrape state. */
  applyTargets(targets: readonly TargetStatus[]): void {
    for (const target of targets) {
      const proxy = target.labels[PROXY_TARGET_LABELS.proxy];
      const key = proxy === 'waypoint' ? target.labels[PROXY_TARGET_LABELS.waypoint] : target.labels[PROXY_TARGET_LABELS.node];
      const id = !key ? undefined : proxy === 'waypoint' ? `wp:${key}` : proxy === 'ztunnel' ? `zt:${key}` : undefined;
      const draft = id ? this.nodes.get(id) : undefined;
      if (!draft || target.health === 'unknown') continue;
      const up = target.health === 'up';
      draft.scrape = up || target.lastError === undefined ? { up } : { up, lastError: target.lastError };
    }
  }
}
