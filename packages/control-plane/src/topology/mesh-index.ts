/**
 * The registry snapshot indexed the way telemetry names things: workloads by namespace and
 * workload name (a Deployment's pods are one workload), apps by canonical service (and
 * revision), services by hostname, and which workloads are waypoints.
 */
import type { MeshSnapshot, ServiceInfo, WorkloadInfo } from '../registry/index';

export interface WorkloadGroup {
  namespace: string;
  /** The workload name telemetry reports (the owning Deployment's, else the pod's). */
  name: string;
  app: string;
  version: string;
  pods: WorkloadInfo[];
  /** Any pod captured by the ambient mesh. */
  ambient: boolean;
  /** `<ns>/<name>` of the waypoint that serves this workload's traffic (its own or its services'). */
  waypoint?: string;
  /** `<ns>/<name>` of the waypoint these pods implement. */
  implementsWaypoint?: string;
}

export class MeshIndex {
  readonly workloads = new Map<string, WorkloadGroup>();
  /** namespace → workload name → group, for lookups that build no key string. */
  private readonly byNamespace = new Map<string, Map<string, WorkloadGroup>>();
  readonly apps = new Map<string, WorkloadGroup[]>();
  readonly versionedApps = new Map<string, WorkloadGroup[]>();
  private readonly servicesByHostname = new Map<string, ServiceInfo>();
  /** SPIFFE identity → the waypoint whose pods alone use it; null when other pods share it. */
  private readonly waypointIdentities = new Map<string, string | null>();

  constructor(readonly snapshot: MeshSnapshot) {
    for (const service of snapshot.services.values()) this.servicesByHostname.set(service.hostname, service);
    for (const pod of snapshot.workloads.values()) {
      const key = `${pod.namespace}/${pod.workloadName}`;
      let group = this.workloads.get(key);
      if (!group) {
        group = {
          namespace: pod.namespace,
          name: pod.workloadName,
          app: pod.canonicalName,
          version: pod.canonicalRevision,
          pods: [],
          ambient: false,
        };
        this.workloads.set(key, group);
        let names = this.byNamespace.get(pod.namespace);
        if (!names) {
          names = new Map();
          this.byNamespace.set(pod.namespace, names);
        }
        names.set(pod.workloadName, group);
        push(this.apps, `${pod.namespace}/${pod.canonicalName}`, group);
        push(this.versionedApps, `${pod.namespace}/${pod.canonicalName}/${pod.canonicalRevision}`, group);
      }
      group.pods.push(pod);
      group.ambient ||= pod.ambient;
      if (pod.implementsWaypoint) group.implementsWaypoint = pod.implementsWaypoint;
      const waypoint = pod.waypoint?.key ?? this.serviceWaypointOf(pod);
      if (waypoint) group.waypoint = waypoint;
      const seen = this.waypointIdentities.get(pod.identity);
      const implemented = pod.implementsWaypoint ?? null;
      this.waypointIdentities.set(pod.identity, seen === undefined || seen === implemented ? implemented : null);
    }
  }

  /** The waypoint whose pods hold this identity, if no other pod holds it (how a ztunnel that cannot name a peer still knows it). */
  waypointWithIdentity(principal: string): string | undefined {
    return this.waypointIdentities.get(principal) ?? undefined;
  }

  workload(namespace: string, name: string): WorkloadGroup | undefined {
    return this.byNamespace.get(namespace)?.get(name);
  }

  service(hostname: string): ServiceInfo | undefined {
    return this.servicesByHostname.get(hostname);
  }

  /**
   * The service that stands for a workload in the service graph: of the services it is an
   * endpoint of, the one with the most endpoints (`reviews` rather than `reviews-v1`), then by key;
   * with `waypoint`, only services behind that waypoint.
   */
  serviceOf(group: WorkloadGroup, waypoint?: string): ServiceInfo | undefined {
    let best: string | undefined;
    let bestSize = -1;
    for (const pod of group.pods) {
      for (const key of Object.keys(pod.services)) {
        if (waypoint !== undefined && this.snapshot.services.get(key)?.waypoint?.key !== waypoint) continue;
        const size = this.snapshot.endpoints.get(key)?.length ?? 0;
        if (size > bestSize || (size === bestSize && best !== undefined && key < best)) {
          best = key;
          bestSize = size;
        }
      }
    }
    return best === undefined ? undefined : this.snapshot.services.get(best);
  }

  private serviceWaypointOf(pod: WorkloadInfo): string | undefined {
    for (const key of Object.keys(pod.services)) {
      const waypoint = this.snapshot.services.get(key)?.waypoint?.key;
      if (waypoint) return waypoint;
    }
    return undefined;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
