/**
 * The graph while it is being built — nodes and edges that add up what samples bring — and how a
 * finished draft becomes the JSON the console gets (rounded numbers, sorted lists, health).
 * Edges keep only what they were given: no maps for traffic they never carried.
 */
import { sortedBucketQuantile } from '../telemetry/index';
import type {
  EdgeProtocol,
  EdgeSecurityPolicy,
  NodeKind,
  Reporter,
  ResponseRate,
  TopologyEdge,
  TopologyNode,
  TrafficSummary,
} from './graph';
import type { GraphViewEdge } from './graph-view';
import { type Health, type HealthKind, type HealthRules, type HealthVerdict, ResponseTally, worse } from './health';
import type { WorkloadGroup } from './mesh-index';

const PRINCIPALS_SHOWN = 16;

/** A few distinct strings: one needs no Set, more get one. */
export class DistinctStrings {
  private one: string | undefined;
  private many: Set<string> | undefined;

  add(value: string): void {
    if (this.one === undefined) this.one = value;
    else if (value !== this.one) {
      this.many ??= new Set([this.one]);
      this.many.add(value);
    }
  }

  get size(): number {
    return this.many?.size ?? (this.one === undefined ? 0 : 1);
  }

  /** Sorted, at most `limit`. */
  list(limit = PRINCIPALS_SHOWN): string[] {
    if (this.many) return sortStrings([...this.many]).slice(0, limit);
    return this.one === undefined ? [] : [this.one];
  }
}

/** Sorts a short list of strings in place (Array#sort allocates a work array per call: too much for thousands of tiny lists). */
export function sortStrings(list: string[]): string[] {
  for (let i = 1; i < list.length; i++) {
    const v = list[i] as string;
    let j = i - 1;
    while (j >= 0 && (list[j] as string) > v) {
      list[j + 1] = list[j] as string;
      j--;
    }
    list[j + 1] = v;
  }
  return list;
}

export class NodeDraft {
  readonly groups = new Set<WorkloadGroup>();
  readonly principals = new DistinctStrings();
  readonly inbound = new ResponseTally();
  readonly outbound = new ResponseTally();
  readonly inTraffic: TrafficSummary = { requestsPerSecond: 0, errorsPerSecond: 0, bytesPerSecond: 0 };
  readonly outTraffic: TrafficSummary = { requestsPerSecond: 0, errorsPerSecond: 0, bytesPerSecond: 0 };
  edgesIn = 0;
  edgesOut = 0;
  app: string | undefined;
  version: string | undefined;
  hostname: string | undefined;
  inMesh = false;
  waypoint: string | undefined;
  scrape: { up: boolean; lastError?: string } | undefined;

  constructor(
    readonly id: string,
    readonly kind: NodeKind,
    readonly namespace: string,
    readonly name: string,
    /** How Kiali's health rules name this kind; none for proxies and peers. */
    readonly healthKind: HealthKind | undefined,
  ) {}
}

const REPORTER_BITS: Record<Reporter, number> = { destination: 1, source: 2, waypoint: 4 };
const REPORTERS: readonly Reporter[] = ['destination', 'source', 'waypoint'];

export class EdgeDraft {
  tally: ResponseTally | undefined;
  flags: Map<string, number> | undefined;
  /** Duration bucket rates, indexed like the builder's list of bounds (a slice of the builder's one buffer). */
  buckets: Float64Array | undefined;
  readonly sourcePrincipals = new DistinctStrings();
  readonly destinationPrincipals = new DistinctStrings();
  private reporterBits = 0;
  requests = 0;
  grpcRequests = 0;
  errors = 0;
  sent = 0;
  received = 0;
  opened = 0;
  hasTcp = false;
  /** Security weights: requests (L7) and bytes (L4) by policy. */
  l7Mtls = 0;
  l7Plain = 0;
  l7Unknown = 0;
  l4Mtls = 0;
  l4Plain = 0;
  l4Unknown = 0;
  waypoint: string | undefined;
  /** Protocol, security and latency, once the numbers are all in (health is judged per output: the view needs no reasons). */
  settled: SettledEdge | undefined;

  constructor(
    readonly id: string,
    readonly source: NodeDraft,
    readonly target: NodeDraft,
  ) {}

  addReporter(reporter: Reporter): void {
    this.reporterBits |= REPORTER_BITS[reporter];
  }

  get reporters(): Reporter[] {
    const out: Reporter[] = [];
    for (const r of REPORTERS) if ((this.reporterBits & REPORTER_BITS[r]) !== 0) out.push(r);
    return out;
  }

  addResponse(protocol: string, code: string, value: number): void {
    this.tally ??= new ResponseTally();
    this.tally.add(protocol, code, value);
  }

  addFlags(flags: string, value: number): void {
    this.flags ??= new Map();
    this.flags.set(flags, (this.flags.get(flags) ?? 0) + value);
  }

  addSecurity(layer: 'l7' | 'l4', policy: string | undefined, weight: number): void {
    if (layer === 'l7') {
      if (policy === 'mutual_tls') this.l7Mtls += weight;
      else if (policy === 'none') this.l7Plain += weight;
      else this.l7Unknown += weight;
    } else if (policy === 'mutual_tls') this.l4Mtls += weight;
    else if (policy === 'none') this.l4Plain += weight;
    else this.l4Unknown += weight;
  }
}

export const round = (v: number): number => Math.round(v * 1000) / 1000;

function rounded(t: TrafficSummary): TrafficSummary {
  return {
    requestsPerSecond: round(t.requestsPerSecond),
    errorsPerSecond: round(t.errorsPerSecond),
    bytesPerSecond: round(t.bytesPerSecond),
  };
}

/** Adds the edge's traffic to its nodes' in and out totals. */
export function countEdge(edge: EdgeDraft): void {
  const bytes = edge.sent + edge.received;
  edge.source.edgesOut++;
  edge.target.edgesIn++;
  if (edge.tally) {
    edge.source.outbound.addAll(edge.tally);
    edge.target.inbound.addAll(edge.tally);
  }
  addTraffic(edge.source.outTraffic, edge, bytes);
  addTraffic(edge.target.inTraffic, edge, bytes);
}

function addTraffic(traffic: TrafficSummary, edge: EdgeDraft, bytes: number): void {
  traffic.requestsPerSecond += edge.requests;
  traffic.errorsPerSecond += edge.errors;
  traffic.bytesPerSecond += bytes;
}

export function nodeJson(n: NodeDraft, rules: HealthRules, outside: boolean): TopologyNode {
  const reasons: string[] = [];
  let health: Health = 'na';
  if (n.healthKind) {
    const inbound = rules.evaluate(n.inbound, 'inbound', n.namespace, n.healthKind, n.name);
    health = worse(health, inbound.health);
    reasons.push(...inbound.reasons);
    if (n.healthKind !== 'service') {
      const outbound = rules.evaluate(n.outbound, 'outbound', n.namespace, n.healthKind, n.name);
      health = worse(health, outbound.health);
      reasons.push(...outbound.reasons);
    }
  }
  const pods = { total: 0, healthy: 0 };
  const workloads = new Set<string>();
  const hosts = new Set<string>();
  for (const group of n.groups) {
    workloads.add(group.name);
    if (group.ambient) n.inMesh = true;
    if (group.waypoint && n.kind !== 'service' && n.kind !== 'waypoint') n.waypoint ??= group.waypoint;
    for (const pod of group.pods) {
      pods.total++;
      if (pod.status === 'HEALTHY') pods.healthy++;
      n.principals.add(pod.identity);
      if (pod.node) hosts.add(pod.node);
    }
  }
  // Kiali's workload health: no ready pod fails, some not ready degrades.
  if (pods.total > 0 && n.kind !== 'service') {
    if (pods.healthy === 0) {
      health = 'failure';
      reasons.push(`no ready pod of ${pods.total}`);
    } else if (pods.healthy < pods.total) {
      health = worse(health, 'degraded');
      reasons.push(`${pods.healthy} of ${pods.total} pods ready`);
    } else health = worse(health, 'healthy');
  }
  if (n.scrape) {
    health = worse(health, n.scrape.up ? 'healthy' : 'failure');
    if (!n.scrape.up) reasons.push(`metrics scrape failing${n.scrape.lastError ? `: ${n.scrape.lastError}` : ''}`);
  }
  const node: TopologyNode = {
    id: n.id,
    kind: n.kind,
    namespace: n.namespace,
    name: n.name,
    inMesh: n.inMesh,
    idle: n.edgesIn === 0 && n.edgesOut === 0,
    root: n.edgesIn === 0 && n.edgesOut > 0,
    health,
    healthReasons: reasons,
    traffic: { inbound: rounded(n.inTraffic), outbound: rounded(n.outTraffic) },
  };
  if (n.app !== undefined) node.app = n.app;
  if (n.version !== undefined) node.version = n.version;
  if (workloads.size > 0) node.workloads = sortStrings([...workloads]);
  if (n.hostname !== undefined) node.hostname = n.hostname;
  if (n.principals.size > 0) node.principals = n.principals.list();
  if (hosts.size > 0) node.nodes = sortStrings([...hosts]);
  if (pods.total > 0) node.pods = pods;
  if (n.waypoint !== undefined) node.waypoint = n.waypoint;
  if (n.scrape !== undefined) node.scrape = n.scrape;
  if (outside) node.outside = true;
  return node;
}

function securityPolicy(mtls: number, plain: number, unknown: number): EdgeSecurityPolicy | undefined {
  if (mtls + plain + unknown === 0) return undefined;
  if (mtls > 0 && plain > 0) return 'mixed';
  if (mtls > 0) return 'mutual_tls';
  if (plain > 0) return 'none';
  return 'unknown';
}

function responseRates(tally: ResponseTally | undefined): ResponseRate[] {
  const out: ResponseRate[] = [];
  if (!tally) return out;
  for (const protocol of ['grpc', 'http'] as const) {
    const start = out.length;
    for (let e = tally.first; e !== undefined; e = e.next) {
      if (e.protocol === protocol) out.push({ protocol, code: e.code, requestsPerSecond: round(e.rate) });
    }
    sortByCode(out, start);
  }
  return out;
}

/** Sorts `list[start..]` by code in place (a few entries: insertion sort, as `sortStrings`). */
function sortByCode(list: ResponseRate[], start: number): void {
  for (let i = start + 1; i < list.length; i++) {
    const v = list[i] as ResponseRate;
    let j = i - 1;
    while (j >= start && (list[j] as ResponseRate).code > v.code) {
      list[j + 1] = list[j] as ResponseRate;
      j--;
    }
    list[j + 1] = v;
  }
}

const NO_TRAFFIC = new ResponseTally();

/** What the canvas's view and the full edge share, worked out once per edge whichever is asked for first. */
interface SettledEdge {
  protocol: EdgeProtocol;
  policy: EdgeSecurityPolicy;
  mtlsShare: number | null;
  latencyMs: TopologyEdge['latencyMs'];
}

/** `bounds`: the duration buckets' upper bounds, ascending, as `EdgeDraft.buckets` indexes them. */
function settle(e: EdgeDraft, bounds: readonly number[]): SettledEdge {
  if (e.settled) return e.settled;
  const l7 = e.requests > 0;
  const protocol: EdgeProtocol = !l7 ? 'tcp' : e.grpcRequests * 2 > e.requests ? 'grpc' : 'http';
  const l4 = securityPolicy(e.l4Mtls, e.l4Plain, e.l4Unknown);
  const policy = (l7 ? securityPolicy(e.l7Mtls, e.l7Plain, e.l7Unknown) : undefined) ?? l4 ?? 'unknown';
  const mtlsWeight = l7 ? e.l7Mtls : e.l4Mtls;
  const totalWeight = l7 ? e.l7Mtls + e.l7Plain + e.l7Unknown : e.l4Mtls + e.l4Plain + e.l4Unknown;
  let latencyMs: TopologyEdge['latencyMs'];
  if (e.buckets) {
    const p50 = sortedBucketQuantile(0.5, bounds, e.buckets);
    if (!Number.isNaN(p50)) {
      latencyMs = {
        p50: round(p50),
        p95: round(sortedBucketQuantile(0.95, bounds, e.buckets)),
        p99: round(sortedBucketQuantile(0.99, bounds, e.buckets)),
      };
    }
  }
  e.settled = {
    protocol,
    // Under a waypoint the hops' L4 policy counts too: plaintext on any hop is not mutual TLS end to end.
    policy: l7 && l4 && l4 !== policy && l4 !== 'unknown' ? 'mixed' : policy,
    mtlsShare: totalWeight > 0 ? round(mtlsWeight / totalWeight) : null,
    latencyMs,
  };
  return e.settled;
}

// As in Kiali, an edge is judged by the rules of the node it leads to, as that node's inbound traffic.

/** The edge's health and why (the full graph's side panel). */
function edgeVerdict(e: EdgeDraft, rules: HealthRules): HealthVerdict {
  const target = e.target;
  return rules.evaluate(e.tally ?? NO_TRAFFIC, 'inbound', target.namespace, target.healthKind ?? 'workload', target.name);
}

/** The edge's health alone (the view does without the reasons' text). */
function edgeHealth(e: EdgeDraft, rules: HealthRules): Health {
  const target = e.target;
  return rules.health(e.tally ?? NO_TRAFFIC, 'inbound', target.namespace, target.healthKind ?? 'workload', target.name);
}

/** The view's security of an edge is its policy alone: one shared object per policy rather than one per edge. */
const VIEW_SECURITY: Readonly<Record<EdgeSecurityPolicy, GraphViewEdge['security']>> = {
  mutual_tls: Object.freeze({ policy: 'mutual_tls' }),
  none: Object.freeze({ policy: 'none' }),
  mixed: Object.freeze({ policy: 'mixed' }),
  unknown: Object.freeze({ policy: 'unknown' }),
};

/** The fields the view and the full edge begin with, in their order (the answers' bytes depend on it). */
function edgeHead(e: EdgeDraft, settled: SettledEdge) {
  return {
    id: e.id,
    source: e.source.id,
    target: e.target.id,
    protocol: settled.protocol,
    requestsPerSecond: round(e.requests),
    errorRate: e.requests > 0 ? round(e.errors / e.requests) : null,
  };
}

/** The edge as the console's canvas draws it (`GraphViewEdge`), without building the full edge first. */
export function edgeViewJson(e: EdgeDraft, rules: HealthRules, bounds: readonly number[]): GraphViewEdge {
  const settled = settle(e, bounds);
  const edge: GraphViewEdge = {
    ...edgeHead(e, settled),
    bytesPerSecond: round(e.sent + e.received),
    security: VIEW_SECURITY[settled.policy],
    health: edgeHealth(e, rules),
  };
  if (settled.latencyMs) edge.latencyMs = settled.latencyMs;
  return edge;
}

/** `bounds`: the duration buckets' upper bounds, ascending, as `EdgeDraft.buckets` indexes them. */
export function edgeJson(e: EdgeDraft, rules: HealthRules, bounds: readonly number[]): TopologyEdge {
  const settled = settle(e, bounds);
  const verdict = edgeVerdict(e, rules);
  const edge: TopologyEdge = {
    ...edgeHead(e, settled),
    responses: responseRates(e.tally),
    bytesPerSecond: round(e.sent + e.received),
    security: {
      policy: settled.policy,
      mtlsShare: settled.mtlsShare,
      sourcePrincipals: e.sourcePrincipals.list(),
      destinationPrincipals: e.destinationPrincipals.list(),
    },
    reporters: e.reporters,
    health: verdict.health,
    healthReasons: verdict.reasons.length > 0 ? verdict.reasons : [],
  };
  if (e.flags) {
    const flags = e.flags;
    edge.flags = {};
    for (const key of sortStrings([...flags.keys()])) edge.flags[key] = round(flags.get(key) as number);
  }
  if (settled.latencyMs) edge.latencyMs = settled.latencyMs;
  if (e.hasTcp) {
    edge.tcp = { sentBytesPerSecond: round(e.sent), receivedBytesPerSecond: round(e.received), connectionsPerSecond: round(e.opened) };
  }
  if (e.waypoint !== undefined) edge.waypoint = e.waypoint;
  return edge;
}
