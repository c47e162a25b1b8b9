/**
 * buildTopology: the graph from telemetry answers and a registry snapshot, as a pure function.
 *
 * Each telemetry sample takes a route — a chain of node ids: client → service → workload, with
 * the waypoint between them when waypoints are shown — and adds its numbers to every edge of the
 * chain. Routes are decided once per set of peer labels. De-duplication follows Kiali and goes one
 * step further, so that one request is one edge:
 * - L7 comes from the waypoint (`reporter="waypoint"`), which sees client, service and backend.
 * - A direct L4 connection is reported by both ztunnels; the source's report is used, and the
 *   destination's only for pairs the source did not report (clients outside the mesh, or a
 *   source ztunnel that was not scraped).
 * - Through a waypoint the ztunnels report two hops, client → waypoint and waypoint → backend.
 *   They are folded into the client → service and service → backend edges (their bytes and
 *   security join the waypoint's requests), not drawn as edges of their own.
 */
import type { MeshSnapshot } from '../registry/index';
import { parseBucketBound, type SeriesLabels, type VectorSample } from '../telemetry/index';
import { BuiltTopology } from './built-topology';
import type { GraphType, NamespaceBox, TopologyGraph, TopologyNode } from './graph';
import { countEdge, EdgeDraft, type NodeDraft, nodeJson } from './graph-drafts';
import { type HealthConfig, HealthRules, worse } from './health';
import { MeshIndex } from './mesh-index';
import { known, NodeCatalog } from './node-catalog';
import { RouteTable } from './route-table';
import type { TopologyTelemetry } from './telemetry';

export interface TopologyOptions {
  /** Default `workload`. */
  graphType?: GraphType;
  /** Put a service node between a client and the workloads behind the service (Kiali's default); default true. */
  injectServiceNodes?: boolean;
  /** Draw waypoints as nodes on the path (service → waypoint → workload); default false, as in Kiali. */
  showWaypoints?: boolean;
  /** Add a node per Kubernetes node's ztunnel; default false. */
  showZtunnels?: boolean;
  /** Show registry workloads and services without traffic in the window; default true. */
  includeIdle?: boolean;
  /** Only these namespaces (and the nodes they talk to, marked `outside`); default all. */
  namespaces?: readonly string[];
  /** Health rules checked before Kiali's defaults. */
  health?: HealthConfig;
}

type TcpMetric = 'sent' | 'received' | 'opened';
type Hop = 'direct' | 'toWaypoint' | 'fromWaypoint';

/** The node ids a sample's numbers run along. */
interface Route {
  chain: readonly string[];
  /** The chain's edges, once made. */
  edges?: readonly EdgeDraft[];
  /** The chain's first and last nodes, once looked up (samples add identities to them). */
  first?: NodeDraft;
  last?: NodeDraft;
  /** The waypoint the traffic went through. */
  waypoint?: string | undefined;
  /** An L7 route's client|service and service|workload pairs, when hops spread over its edge. */
  pairs?: readonly string[];
  /** A hop's pair: spread over the L7 edges recorded for it, when there are any (else `chain`). */
  spread?: string;
}

/** A ztunnel report's peers, classified once. */
interface TcpPeer {
  reporter: 'source' | 'destination';
  hop: Hop;
  waypoint: string | undefined;
  /** `<ns>/<workload>` of the destination. */
  destination: string;
  /** `<client ns>/<client workload>|<destination>`: the pair, for finding a source report's duplicate. */
  byWorkload: string;
  /** Made when the first non-zero sample arrives. */
  route: Route | null | undefined;
  /** Its pair is in the build's list of pairs the source ztunnel reported. */
  registered: boolean;
}

class GraphBuilder {
  private readonly catalog: NodeCatalog;
  /** In the order they were made. */
  private readonly edges: EdgeDraft[] = [];
  private readonly edgesBySource = new Map<string, Map<string, EdgeDraft>>();
  private readonly graphType: GraphType;
  private readonly inject: boolean;
  private readonly showWaypoints: boolean;
  private readonly routes = new RouteTable<Route>();
  /** By source principal too: an unnamed peer may be a waypoint, known by its identity. */
  private readonly tcpPeers = new RouteTable<TcpPeer>(true);
  /** Upper bounds of the duration buckets seen, ascending: edges index their bucket rates by them. */
  private readonly bounds: number[] = [];
  /**
   * The last edges of the waypoint's requests, with their requests/s: without service nodes the client → workload edges of each
   * `<client>|<service>` and `<service>|<workload>`; in every workload graph the edges into each workload through each waypoint (`viaWaypoint`).
   */
  private readonly spreads = new Map<string, Map<EdgeDraft, number>>();

  constructor(
    private readonly index: MeshIndex,
    readonly options: TopologyOptions,
  ) {
    this.graphType = options.graphType ?? 'workload';
    this.inject = this.graphType !== 'service' && (options.injectServiceNodes ?? true);
    this.showWaypoints = this.graphType !== 'service' && (options.showWaypoints ?? false);
    this.catalog = new NodeCatalog(index, this.graphType);
  }

  // ── routes ───────────────────────────────────────────────────────────────────────────────

  /** client → [service] → [waypoint] → [workload], as the options draw it. */
  private path(client: string, service: string | undefined, waypoint: string | undefined, workload: string | undefined): string[] {
    if (this.graphType === 'service') return [client, service ?? workload ?? this.catalog.unknownDestination()];
    const through = service && (this.inject || !workload) ? service : undefined;
    const via = waypoint && this.showWaypoints ? this.catalog.waypoint(waypoint) : undefined;
    // Made at their length (thousands of routes): a list grown by push reserves room for 16 more.
    if (through === undefined && via === undefined) return [client, workload ?? this.catalog.unknownDestination()];
    if (via === undefined) return workload ? [client, through as string, workload] : [client, through as string];
    if (through === undefined) return workload ? [client, via, workload] : [client, via];
    return workload ? [client, through, via, workload] : [client, through, via];
  }

  /** Without service nodes (and waypoints), the client → workload edges are the only place for the hops' L4 numbers. */
  private get spreadsHops(): boolean {
    return !this.inject && !this.showWaypoints && this.graphType !== 'service';
  }

  /** Where a waypoint's report goes: client → service → workload (as the options draw it). */
  private l7Route(l: SeriesLabels): Route {
    let route = this.routes.get('l7', l);
    if (!route) {
      const client = this.catalog.source(l);
      const service = this.catalog.service(l.destination_service, l.destination_service_namespace);
      const workload = this.catalog.destinationWorkload(l);
      const waypoint = this.catalog.waypointOf(l);
      route = { chain: this.path(client, service, waypoint, workload), waypoint };
      const hops = service && workload && this.spreadsHops ? [`${client}|${service}`, `${service}|${workload}`] : undefined;
      const via = waypoint && workload && this.graphType !== 'service' ? viaWaypoint(waypoint, workload) : undefined;
      if (hops && via !== undefined) hops.push(via);
      const pairs = hops ?? (via === undefined ? undefined : [via]);
      if (pairs) route.pairs = pairs;
      this.routes.set('l7', l, route);
    }
    return route;
  }

  /**
   * Where a ztunnel report goes. A hop to or from a waypoint joins the path of the requests it
   * carried: client → service (→ waypoint), (waypoint →) service → workload; without service
   * nodes it is spread over the client → workload edges of the same client and service (or
   * service and workload), in proportion to their requests (`spread`).
   */
  private l4Route(l: SeriesLabels, peer: TcpPeer): Route | null {
    const catalog = this.catalog;
    const service = catalog.service(l.destination_service, l.destination_service_namespace);
    if (peer.hop === 'direct') return { chain: this.path(catalog.source(l), service, undefined, catalog.destinationWorkload(l)) };
    const waypoint = peer.waypoint as string;
    if (peer.hop === 'toWaypoint') {
      const client = catalog.source(l);
      if (!service) return { chain: [client, catalog.waypoint(waypoint)] };
      if (this.graphType === 'service') return { chain: [client, service] };
      if (this.inject) return { chain: this.showWaypoints ? [client, service, catalog.waypoint(waypoint)] : [client, service] };
      if (this.showWaypoints) return { chain: [client, catalog.waypoint(waypoint)] };
      return { chain: [client, service], spread: `${client}|${service}` };
    }
    if (this.graphType === 'service') return null; // service → service only: the client's hop says it all
    const workload = catalog.destinationWorkload(l);
    if (!workload) return null;
    if (!service) return this.unnamedServiceHop(l, waypoint, workload);
    if (!this.inject && this.showWaypoints) return { chain: [catalog.waypoint(waypoint), workload] };
    if (this.inject) return { chain: this.showWaypoints ? [service, catalog.waypoint(waypoint), workload] : [service, workload] };
    return { chain: [service, workload], spread: `${service}|${workload}` };
  }

  /**
   * A waypoint → workload hop whose service the destination ztunnel could not tell (the waypoint's tunnel does not say):
   * it follows the waypoint's requests into the workload, else the workload's service behind that waypoint.
   */
  private unnamedServiceHop(l: SeriesLabels, waypoint: string, workload: string): Route | null {
    const via = viaWaypoint(waypoint, workload);
    if (this.spreads.has(via)) return { chain: [workload], spread: via };
    const service = this.catalog.serviceBehind(waypoint, l.destination_workload_namespace, l.destination_workload);
    if (!service || (!this.inject && this.showWaypoints)) return { chain: [this.catalog.waypoint(waypoint), workload] };
    if (this.inject) return { chain: this.showWaypoints ? [service, this.catalog.waypoint(waypoint), workload] : [service, workload] };
    return { chain: [service, workload] };
  }

  /** What a ztunnel report is, decided once per reporter and peer labels (no node is made for it). */
  private tcpPeer(l: SeriesLabels): TcpPeer {
    const reporter = l.reporter === 'destination' ? 'destination' : 'source';
    let peer = this.tcpPeers.get(reporter, l);
    if (!peer) {
      const destination = `${l.destination_workload_namespace}/${l.destination_workload}`;
      const catalog = this.catalog;
      const toWaypoint =
        reporter === 'source'
          ? catalog.waypointImplementedBy(l.destination_workload_namespace, l.destination_workload, l.destination_principal)
          : undefined;
      const fromWaypoint =
        reporter === 'destination'
          ? catalog.waypointImplementedBy(l.source_workload_namespace, l.source_workload, l.source_principal)
          : undefined;
      peer = {
        reporter,
        hop: toWaypoint ? 'toWaypoint' : fromWaypoint ? 'fromWaypoint' : 'direct',
        waypoint: toWaypoint ?? fromWaypoint,
        destination,
        byWorkload: `${l.source_workload_namespace}/${l.source_workload}|${destination}`,
        route: undefined,
        registered: false,
      };
      this.tcpPeers.set(reporter, l, peer);
    }
    return peer;
  }

  /** The edges along a route, made on first use and kept on it. */
  private edgesOf(route: Route): readonly EdgeDraft[] {
    if (route.edges) return route.edges;
    const chain = route.chain;
    const out = new Array<EdgeDraft>(chain.length - 1);
    for (let i = 1; i < chain.length; i++) {
      const from = chain[i - 1] as string;
      const to = chain[i] as string;
      // By source, then target id: the edge id string is made once per edge, not once per route.
      let byTarget = this.edgesBySource.get(from);
      if (!byTarget) {
        byTarget = new Map();
        this.edgesBySource.set(from, byTarget);
      }
      let edge = byTarget.get(to);
      if (!edge) {
        edge = new EdgeDraft(`${from}->${to}`, this.catalog.get(from), this.catalog.get(to));
        byTarget.set(to, edge);
        this.edges.push(edge);
      }
      out[i - 1] = edge;
    }
    route.edges = out;
    return out;
  }

  /** Identities telemetry saw, on the route's first and last nodes. */
  private principals(route: Route, l: SeriesLabels, sides: 'source' | 'both'): void {
    if (known(l.source_principal)) {
      route.first ??= this.catalog.get(route.chain[0] as string);
      route.first.principals.add(l.source_principal);
    }
    if (sides === 'both' && known(l.destination_principal) && known(l.destination_workload)) {
      route.last ??= this.catalog.get(route.chain[route.chain.length - 1] as string);
      route.last.principals.add(l.destination_principal);
    }
  }

  // ── samples ──────────────────────────────────────────────────────────────────────────────

  // Sample loops index their arrays: tens of thousands of iterations should allocate nothing, optimized or not.
  addRequests(samples: readonly VectorSample[]): void {
    for (let s = 0; s < samples.length; s++) {
      const { labels: l, value } = samples[s] as VectorSample;
      if (!(value > 0)) continue;
      const route = this.l7Route(l);
      const grpc = l.request_protocol === 'grpc';
      const protocol = grpc ? 'grpc' : 'http';
      const code = grpc && known(l.grpc_response_status) ? l.grpc_response_status : (l.response_code ?? '');
      const failed = isFailure(grpc, code);
      const flags = l.response_flags;
      this.principals(route, l, 'both');
      const edges = this.edgesOf(route);
      if (route.pairs) this.recordSpread(route.pairs, edges[edges.length - 1] as EdgeDraft, value);
      for (let e = 0; e < edges.length; e++) {
        const edge = edges[e] as EdgeDraft;
        edge.requests += value;
        if (grpc) edge.grpcRequests += value;
        if (failed) edge.errors += value;
        edge.addResponse(protocol, code, value);
        if (known(flags) && flags !== '-') edge.addFlags(flags, value);
        edge.addSecurity('l7', l.connection_security_policy, value);
        if (known(l.source_principal)) edge.sourcePrincipals.add(l.source_principal);
        if (known(l.destination_principal)) edge.destinationPrincipals.add(l.destination_principal);
        edge.addReporter('waypoint');
        if (route.waypoint) edge.waypoint = route.waypoint;
      }
    }
  }

  /** Remembers an L7 edge's requests under its pairs, for the hops' numbers to be shared out by. */
  private recordSpread(pairs: readonly string[], edge: EdgeDraft, requests: number): void {
    for (const pair of pairs) {
      let weights = this.spreads.get(pair);
      if (!weights) {
        weights = new Map();
        this.spreads.set(pair, weights);
      }
      weights.set(edge, (weights.get(edge) ?? 0) + requests);
    }
  }

  /**
   * Bucket rates join the edges the requests made (an empty bucket still bounds the ones above
   * it, so zeros count); buckets of peers without requests in the window make no edges.
   */
  addDurationBuckets(samples: readonly VectorSample[]): void {
    // Each distinct bound gets an index in ascending order; edges keep their bucket rates in arrays of that order.
    const byLe = new Map<string, number>();
    for (let s = 0; s < samples.length; s++) {
      const le = (samples[s] as VectorSample).labels.le;
      if (le !== undefined && !byLe.has(le)) byLe.set(le, parseBucketBound(le));
    }
    this.bounds.push(...new Set([...byLe.values()].filter((b) => !Number.isNaN(b))));
    this.bounds.sort((a, b) => a - b);
    const index = new Map<string, number>();
    for (const [le, bound] of byLe) if (!Number.isNaN(bound)) index.set(le, this.bounds.indexOf(bound));
    const size = this.bounds.length;
    // One buffer for every edge's bucket rates (only edges made by requests get any): thousands of small arrays cost more to collect.
    const store = new Float64Array(size * this.edges.length);
    let used = 0;
    for (let s = 0; s < samples.length; s++) {
      const { labels: l, value } = samples[s] as VectorSample;
      if (!(value >= 0)) continue;
      const i = l.le === undefined ? undefined : index.get(l.le);
      if (i === undefined) continue;
      const edges = this.routes.get('l7', l)?.edges;
      if (!edges) continue;
      for (let e = 0; e < edges.length; e++) {
        const edge = edges[e] as EdgeDraft;
        if (!edge.buckets) {
          edge.buckets = store.subarray(used, used + size);
          used += size;
        }
        edge.buckets[i] = (edge.buckets[i] as number) + value;
      }
    }
  }

  addTcp(telemetry: TopologyTelemetry): void {
    // Pairs the source ztunnel reported, by client workload and by client identity: their destination reports are duplicates.
    const byWorkload = new Set<string>();
    const byPrincipal = new Map<string, Set<string>>();
    // Each sample's peer, found once here and used again when its numbers are added.
    const metrics = [telemetry.tcpSent, telemetry.tcpReceived, telemetry.tcpOpened];
    const peers = metrics.map((samples) => new Array<TcpPeer>(samples.length));
    for (let m = 0; m < metrics.length; m++) {
      const samples = metrics[m] as readonly VectorSample[];
      const found = peers[m] as TcpPeer[];
      for (let i = 0; i < samples.length; i++) {
        const l = (samples[i] as VectorSample).labels;
        const peer = this.tcpPeer(l);
        found[i] = peer;
        // A peer's labels include its reporter and source identity: its first sample says all the others would.
        if (l.reporter !== 'source' || peer.registered) continue;
        peer.registered = true;
        byWorkload.add(peer.byWorkload);
        const principal = l.source_principal;
        if (!known(principal)) continue;
        let principals = byPrincipal.get(peer.destination);
        if (!principals) {
          principals = new Set();
          byPrincipal.set(peer.destination, principals);
        }
        principals.add(principal);
      }
    }
    this.addTcpMetric(telemetry.tcpSent, peers[0] as TcpPeer[], 'sent', byWorkload, byPrincipal);
    this.addTcpMetric(telemetry.tcpReceived, peers[1] as TcpPeer[], 'received', byWorkload, byPrincipal);
    this.addTcpMetric(telemetry.tcpOpened, peers[2] as TcpPeer[], 'opened', byWorkload, byPrincipal);
  }

  private addTcpMetric(
    samples: readonly VectorSample[],
    peers: readonly TcpPeer[],
    metric: TcpMetric,
    byWorkload: ReadonlySet<string>,
    byPrincipal: ReadonlyMap<string, ReadonlySet<string>>,
  ): void {
    for (let i = 0; i < samples.length; i++) {
      const { labels: l, value } = samples[i] as VectorSample;
      if (!(value > 0)) continue;
      const peer = peers[i] as TcpPeer;
      if (peer.hop === 'direct' && peer.reporter === 'destination') {
        const duplicate = known(l.source_workload)
          ? byWorkload.has(peer.byWorkload)
          : known(l.source_principal) && byPrincipal.get(peer.destination)?.has(l.source_principal) === true;
        if (duplicate) continue;
      }
      if (peer.route === undefined) peer.route = this.l4Route(l, peer);
      const route = peer.route;
      if (!route) continue;
      const spread = route.spread === undefined ? undefined : this.spreads.get(route.spread);
      if (spread) {
        // Over client → workload edges both hops carry the same bytes: count the client's hop only there.
        const counted = peer.hop !== 'fromWaypoint' || !this.spreadsHops;
        let total = 0;
        for (const weight of spread.values()) total += weight;
        for (const [edge, weight] of spread) this.addTcpTo(edge, l, peer, metric, (value * weight) / total, counted);
      } else {
        if (peer.hop !== 'fromWaypoint') this.principals(route, l, peer.hop === 'toWaypoint' ? 'source' : 'both');
        const edges = this.edgesOf(route);
        for (let e = 0; e < edges.length; e++) this.addTcpTo(edges[e] as EdgeDraft, l, peer, metric, value, true);
      }
    }
  }

  private addTcpTo(edge: EdgeDraft, l: SeriesLabels, peer: TcpPeer, metric: TcpMetric, value: number, counted: boolean): void {
    edge.hasTcp = true;
    if (metric === 'opened') {
      if (counted) edge.opened += value;
    } else {
      if (counted && metric === 'sent') edge.sent += value;
      else if (counted) edge.received += value;
      edge.addSecurity('l4', l.connection_security_policy, value);
    }
    if (peer.hop !== 'fromWaypoint' && known(l.source_principal)) edge.sourcePrincipals.add(l.source_principal);
    if (peer.hop !== 'toWaypoint' && known(l.destination_principal)) edge.destinationPrincipals.add(l.destination_principal);
    edge.addReporter(peer.reporter);
    if (peer.waypoint) edge.waypoint = peer.waypoint;
  }

  // ── the registry's nodes, proxies, output ────────────────────────────────────────────────

  addRegistryNodes(telemetry: TopologyTelemetry): void {
    if (this.options.includeIdle ?? true) this.catalog.addIdle(this.inject || this.graphType === 'service', this.showWaypoints);
    if (this.options.showZtunnels) this.catalog.addZtunnels();
    this.catalog.applyTargets(telemetry.targets);
  }

  finish(telemetry: TopologyTelemetry): BuiltTopology {
    const rules = new HealthRules(this.options.health);
    for (const edge of this.edges) countEdge(edge);
    let nodes = [...this.catalog.nodes.values()];
    let edges = this.edges;
    const selected = this.options.namespaces ? new Set(this.options.namespaces) : undefined;
    const outside = new Set<NodeDraft>();
    if (selected) {
      edges = edges.filter((e) => selected.has(e.source.namespace) || selected.has(e.target.namespace));
      const touching = new Set<NodeDraft>();
      for (const e of edges) {
        touching.add(e.source);
        touching.add(e.target);
      }
      nodes = nodes.filter((n) => selected.has(n.namespace) || touching.has(n));
      for (const n of nodes) if (!selected.has(n.namespace)) outside.add(n);
    }
    const outNodes = nodes.map((n) => nodeJson(n, rules, outside.has(n))).sort(byId);
    return new BuiltTopology({
      timestamp: telemetry.at,
      windowSeconds: telemetry.windowSeconds,
      graphType: this.graphType,
      namespaces: this.namespaceBoxes(outNodes),
      nodes: outNodes,
      edges: edges.sort(byId),
      rules,
      bounds: this.bounds,
    });
  }

  private namespaceBoxes(nodes: readonly TopologyNode[]): NamespaceBox[] {
    const boxes = new Map<string, NamespaceBox>();
    for (const node of nodes) {
      if (node.namespace === '') continue;
      let box = boxes.get(node.namespace);
      if (!box) {
        const ambient = this.index.snapshot.namespaces.get(node.namespace)?.ambient ?? false;
        box = { name: node.namespace, ambient, nodes: 0, health: 'na' };
        boxes.set(node.namespace, box);
      }
      box.nodes++;
      box.health = worse(box.health, node.health);
    }
    return [...boxes.values()].sort(byName);
  }
}

/** The key of the edges into a workload node through a waypoint. */
function viaWaypoint(waypoint: string, workload: string): string {
  return `via ${waypoint}|${workload}`;
}

/** 4xx, 5xx and no response (code 0) fail for HTTP; any status but 0 for gRPC. */
function isFailure(grpc: boolean, code: string): boolean {
  if (grpc && code !== '' && !/^\d{3}$/.test(code)) return code !== '0';
  const status = Number(code);
  return !(status >= 100 && status < 400);
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The topology of `telemetry` over the mesh `snapshot`, settled: its full graph and the canvas's view are made on first
 * ask (pure: same inputs, same JSON).
 */
export function settleTopology(telemetry: TopologyTelemetry, snapshot: MeshSnapshot, options: TopologyOptions = {}): BuiltTopology {
  const builder = new GraphBuilder(new MeshIndex(snapshot), options);
  builder.addRequests(telemetry.requests);
  builder.addDurationBuckets(telemetry.durationBuckets);
  builder.addTcp(telemetry);
  builder.addRegistryNodes(telemetry);
  return builder.finish(telemetry);
}

/** The topology graph of `telemetry` over the mesh `snapshot` (pure: same inputs, same JSON). */
export function buildTopology(telemetry: TopologyTelemetry, snapshot: MeshSnapshot, options: TopologyOptions = {}): TopologyGraph {
  return settleTopology(telemetry, snapshot, options).graph();
}
