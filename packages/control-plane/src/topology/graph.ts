/**
 * The topology graph as the console receives it: plain JSON, stable ids, sorted, with enough on
 * each node and edge for a side panel. Node ids read as what they are:
 * `wl:<ns>/<workload>`, `app:<ns>/<app>`, `vapp:<ns>/<app>/<version>`, `svc:<ns>/<name>`,
 * `wp:<ns>/<name>` (waypoint), `zt:<node>` (a node's ztunnel), `ext:<hostname>` (a destination
 * outside the registry), `unknown` (a caller telemetry could not name). Edge ids are
 * `<source>-><target>`: one edge per pair, whatever mix of L7 and L4 telemetry it came from.
 */
import type { Health } from './health';

/** Kiali's graph types: what a workload node stands for. */
export type GraphType = 'workload' | 'versionedApp' | 'app' | 'service';

export type NodeKind = 'workload' | 'app' | 'service' | 'waypoint' | 'ztunnel' | 'unknown' | 'external';

export type EdgeProtocol = 'http' | 'grpc' | 'tcp';

/** `mixed`: part of the traffic was mutual TLS and part was not. */
export type EdgeSecurityPolicy = 'mutual_tls' | 'none' | 'mixed' | 'unknown';

export type Reporter = 'waypoint' | 'source' | 'destination';

export interface TrafficSummary {
  requestsPerSecond: number;
  /** Requests answered 4xx, 5xx, gRPC ≠ 0 or not at all, per second. */
  errorsPerSecond: number;
  /** TCP bytes both ways. */
  bytesPerSecond: number;
}

export interface TopologyNode {
  id: string;
  kind: NodeKind;
  /** '' for `unknown` and external nodes. */
  namespace: string;
  name: string;
  app?: string;
  version?: string;
  /** Workload names the node stands for (workload and app nodes; a waypoint's own deployment). */
  workloads?: string[];
  /** Service FQDN (service and external nodes). */
  hostname?: string;
  /** SPIFFE identities of the workloads behind the node. */
  principals?: string[];
  /** Kubernetes nodes its pods run on. */
  nodes?: string[];
  pods?: { total: number; healthy: number };
  /** Captured by the ambient mesh. */
  inMesh: boolean;
  /** `<ns>/<name>` of the waypoint that serves its traffic. */
  waypoint?: string;
  /** A proxy's scrape target state (waypoint and ztunnel nodes), when known. */
  scrape?: { up: boolean; lastError?: string };
  /** No traffic in or out in the window (shown from the registry). */
  idle: boolean;
  /** Traffic leaves it but none arrives: where requests start. */
  root: boolean;
  /** Outside the namespaces asked for, shown because it talks to them. */
  outside?: boolean;
  health: Health;
  healthReasons: string[];
  traffic: { inbound: TrafficSummary; outbound: TrafficSummary };
}

export interface EdgeSecurity {
  policy: EdgeSecurityPolicy;
  /** Share of the edge's requests (else bytes) that was mutual TLS, 0–1; null when unknown. */
  mtlsShare: number | null;
  /** SPIFFE identities seen on each side (sorted, at most 16). */
  sourcePrincipals: string[];
  destinationPrincipals: string[];
}

export interface ResponseRate {
  protocol: 'http' | 'grpc';
  code: string;
  requestsPerSecond: number;
}

export interface TopologyEdge {
  id: string;
  source: string;
  target: string;
  protocol: EdgeProtocol;
  requestsPerSecond: number;
  /** Failed share of the requests (4xx, 5xx, gRPC ≠ 0, no response), 0–1; null without requests. */
  errorRate: number | null;
  /** Requests per second by response code (HTTP status; gRPC status for gRPC), sorted by protocol and code. */
  responses: ResponseRate[];
  /** Requests per second by Envoy response flags (other than `-`). */
  flags?: Record<string, number>;
  /** From the waypoint's request duration histogram, ms. */
  latencyMs?: { p50: number; p95: number; p99: number };
  /** From ztunnel TCP counters: bytes the client sent (received) and the server sent back (sent), per second. */
  tcp?: { sentBytesPerSecond: number; receivedBytesPerSecond: number; connectionsPerSecond: number };
  bytesPerSecond: number;
  security: EdgeSecurity;
  /** `<ns>/<name>` of the waypoint the traffic went through. */
  waypoint?: string;
  reporters: Reporter[];
  health: Health;
  healthReasons: string[];
}

export interface NamespaceBox {
  name: string;
  /** Enrolled in ambient. */
  ambient: boolean;
  nodes: number;
  health: Health;
}

export interface TopologyGraph {
  /** Evaluation time of the telemetry (ms since the epoch). */
  timestamp: number;
  window: { seconds: number };
  graphType: GraphType;
  namespaces: NamespaceBox[];
  nodes: TopologyNode[];
  edges: TopologyEdge[];
}
