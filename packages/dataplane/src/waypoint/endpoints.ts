/**
 * Where a backend's requests go: the endpoints of a service port, from EDS when the control plane
 * sent an assignment for its cluster and from the workload API otherwise, each with the identity
 * it must present and the node ztunnel that terminates its HBONE. Round robin over healthy
 * endpoints, with outlier ejection (consecutive 5xx or connect failures eject an endpoint for a
 * while, as Envoy's outlier detection does) and a cap on requests in flight per endpoint.
 */
import { clusterName } from '@ambit/shared/xds';
import { formatAuthority } from '../hbone/headers';
import type { ProxyState } from '../state/proxy-state';
import type { Workload } from '../state/workload';
import type { HboneDestination } from '../ztunnel/pool';
import { targetPortOf } from '../ztunnel/route';
import type { WaypointConfig } from './config';

export interface OutlierDetection {
  /** Consecutive 5xx answers (or connect failures) that eject an endpoint; Envoy's default 5. */
  consecutive5xx: number;
  /** Ejection time, multiplied by how often the endpoint has been ejected; Envoy's default 30 s. */
  baseEjectionMs: number;
  /** Share of a cluster that may be ejected at once (at least one endpoint); Envoy's default 10 %. */
  maxEjectionPercent: number;
}

export const DEFAULT_OUTLIER_DETECTION: OutlierDetection = Object.freeze({
  consecutive5xx: 5,
  baseEjectionMs: 30_000,
  maxEjectionPercent: 10,
});

export class Endpoint {
  /** Requests being served now. */
  inFlight = 0;
  consecutiveFailures = 0;
  ejectedUntil = 0;
  ejections = 0;

  constructor(
    readonly cluster: string,
    /** `ip:port`, which is also the HBONE `:authority`. */
    readonly authority: string,
    readonly address: string,
    readonly port: number,
    /** The endpoint's SPIFFE identity, which its node's ztunnel presents for it. */
    readonly identity: string | undefined,
    /** The node ztunnel to tunnel to; undefined for a workload outside the mesh (plain TCP). */
    readonly gateway: HboneDestination | undefined,
    readonly workload: Workload | undefined,
  ) {}

  sameAs(other: Endpoint): boolean {
    return (
      other.identity === this.identity &&
      other.workload === this.workload &&
      other.gateway?.address === this.gateway?.address &&
      other.gateway?.port === this.gateway?.port
    );
  }
}

/** Why no endpoint was picked: none healthy (Envoy's UH) or all at their request limit (UO). */
export type NoEndpoint = 'no_healthy_upstream' | 'overflow';

class EndpointSet {
  cursor = 0;
  constructor(readonly endpoints: readonly Endpoint[]) {}
}

export interface EndpointDirectoryOptions {
  outlier: OutlierDetection;
  /** Requests in flight per endpoint before it is skipped; when all are full the request gets 503. */
  maxRequestsPerEndpoint: number;
}

export class EndpointDirectory {
  private readonly sets = new Map<string, EndpointSet>();
  /** The same sets by hostname and port (filled and cleared with `sets`): a pick builds no cluster name string. */
  private readonly byHost = new Map<string, Map<number, EndpointSet>>();
  /** Endpoints by `<cluster> <authority>`, kept across rebuilds so outlier state survives config changes. */
  private readonly known = new Map<string, Endpoint>();

  constructor(
    private readonly state: ProxyState,
    private readonly config: WaypointConfig,
    private readonly options: EndpointDirectoryOptions,
  ) {}

  /** Recomputes endpoint lists on next use; call on any config or state change. */
  invalidate(): void {
    this.sets.clear();
    this.byHost.clear();
  }

  /** The next endpoint of a service port (round robin), counted as in flight until `release`. */
  pick(hostname: string, port: number, now: number): Endpoint | NoEndpoint {
    let ports = this.byHost.get(hostname);
    if (!ports) {
      ports = new Map();
      this.byHost.set(hostname, ports);
    }
    let set = ports.get(port);
    if (!set) {
      const cluster = clusterName(hostname, port);
      set = new EndpointSet(this.build(cluster, hostname, port));
      this.sets.set(cluster, set);
      ports.set(port, set);
    }
    const list = set.endpoints;
    const n = list.length;
    if (n === 0) return 'no_healthy_upstream';
    const limit = this.options.maxRequestsPerEndpoint;
    let full = 0;
    let ejected: Endpoint | undefined;
    for (let i = 0; i < n; i++) {
      const at = (set.cursor + i) % n;
      const e = list[at] as Endpoint;
      if (e.inFlight >= limit) {
        full++;
        continue;
      }
      if (e.ejectedUntil > now) {
        ejected ??= e;
        continue;
      }
      set.cursor = (at + 1) % n;
      e.inFlight++;
      return e;
    }
    if (full === n) return 'overflow';
    // Every endpoint with room is ejected: serve anyway rather than fail everything (Envoy's panic mode).
    const e = ejected as Endpoint;
    e.inFlight++;
    return e;
  }

  /** Ends a request to `endpoint`; `failed` is a 5xx answer, a timeout or a connect failure. */
  release(endpoint: Endpoint, failed: boolean, now: number): void {
    endpoint.inFlight--;
    if (!failed) {
      endpoint.consecutiveFailures = 0;
      return;
    }
    const outlier = this.options.outlier;
    if (++endpoint.consecutiveFailures < outlier.consecutive5xx || endpoint.ejectedUntil > now) return;
    const list = this.sets.get(endpoint.cluster)?.endpoints ?? [];
    let ejected = 0;
    for (const e of list) if (e.ejectedUntil > now) ejected++;
    if (ejected >= Math.max(1, Math.floor((list.length * outlier.maxEjectionPercent) / 100))) return;
    endpoint.ejections++;
    endpoint.ejectedUntil = now + outlier.baseEjectionMs * endpoint.ejections;
    endpoint.consecutiveFailures = 0;
  }

  /** Endpoints currently ejected, for the admin view and tests. */
  ejected(now: number): Endpoint[] {
    const out: Endpoint[] = [];
    for (const e of this.known.values()) if (e.ejectedUntil > now) out.push(e);
    return out;
  }

  private build(cluster: string, hostname: string, port: number): Endpoint[] {
    const built: Endpoint[] = [];
    const assignment = this.config.loadAssignment(cluster);
    if (assignment) {
      for (const a of assignment.endpoints) {
        if (!a.healthy) continue;
        const workload = this.state.workloadByIp(a.address);
        built.push(this.endpoint(cluster, a.address, a.port, workload, a.identity ?? workload?.identity, a.node ?? workload?.node));
      }
    } else {
      const service = this.state.serviceByHostname(hostname);
      if (service) {
        for (const w of this.state.endpointsOf(service.key)) {
          if (w.status !== 'HEALTHY' || w.addresses.length === 0) continue;
          built.push(this.endpoint(cluster, w.addresses[0] as string, targetPortOf(service, port, w), w, w.identity, w.node));
        }
      }
    }
    const out: Endpoint[] = [];
    for (const e of built) {
      if (!e.gateway && e.workload?.tunnelProtocol !== 'NONE') continue;
      const key = `${cluster} ${e.authority}`;
      const previous = this.known.get(key);
      if (previous?.sameAs(e)) out.push(previous);
      else {
        this.known.set(key, e);
        out.push(e);
      }
    }
    for (const [key, e] of this.known) if (e.cluster === cluster && !out.includes(e)) this.known.delete(key);
    return out;
  }

  private endpoint(
    cluster: string,
    address: string,
    port: number,
    workload: Workload | undefined,
    identity: string | undefined,
    nodeName: string | undefined,
  ): Endpoint {
    const node = nodeName === undefined ? undefined : this.state.node(nodeName);
    const viaHbone = workload?.tunnelProtocol !== 'NONE' && identity !== undefined && node !== undefined;
    const gateway = viaHbone ? { address: node.address, port: node.hbonePort, identity } : undefined;
    return new Endpoint(cluster, formatAuthority(address, port), address, port, identity, gateway, workload);
  }
}
