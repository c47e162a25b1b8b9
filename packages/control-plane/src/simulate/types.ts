/**
 * What the simulator answers: the path a request takes through the mesh (source ztunnel,
 * waypoint, destination ztunnel), the decision at each enforcement point with the policy and
 * rule that made it, and the HTTPRoute rule and backends the waypoint would choose.
 * Plain data: the BFF returns it as is and `ambit authz check -o json` prints it.
 */
import type { AuthorizationAction } from '@ambit/shared';

/** Who sends: a workload of the mesh (`ns/name`: pod, deployment or app label value), or a bare identity / address. */
export type SimulationSource =
  | { workload: string }
  /** `spiffe://td/ns/x/sa/y` or `td/ns/x/sa/y` (or `ns/x/sa/y`: the mesh trust domain); without one, plaintext from `ip`. */
  | { principal?: string; ip?: string };

/** Where to: a Service (`ns/name` or its hostname) or one workload (`ns/name`, addressed by its pod IP). */
export type SimulationDestination = { service: string } | { workload: string };

export interface SimulationInput {
  source: SimulationSource;
  destination: SimulationDestination;
  /** The service port (for a service), or the workload port. */
  port: number;
  /** HTTP attributes; when all are absent the request is plain TCP (a waypoint still parses it as HTTP: GET /). */
  method?: string;
  path?: string;
  host?: string;
  /** Header names are matched case-insensitively. */
  headers?: Readonly<Record<string, string>>;
}

export type HopPoint = 'source-ztunnel' | 'waypoint' | 'destination-ztunnel';

/** `allow`/`deny`: an authorization decision; `pass`: the hop forwards without one (the source ztunnel never enforces). */
export type HopDecision = 'allow' | 'deny' | 'pass';

/** What the enforcement point saw: the destination ztunnel behind a waypoint sees the waypoint, not the client. */
export interface SeenRequest {
  principal?: string;
  sourceIp: string;
  destinationIp: string;
  destinationPort: number;
  method?: string;
  path?: string;
  host?: string;
}

export interface DecidingRule {
  /** `namespace/name`. */
  policy: string;
  action: AuthorizationAction;
  /** Index in `spec.rules`; absent for CUSTOM (fails closed) and for the converted PeerAuthentication policies. */
  ruleIndex?: number;
}

export interface SimulationHop {
  point: HopPoint;
  /** `ztunnel/<node>` or `waypoint/<ns>/<name>`. */
  proxy: string;
  /** The workload this hop delivers to (destination ztunnel) or is (waypoint), `ns/name`. */
  workload?: string;
  decision: HopDecision;
  /** The policy and rule that decided, when one did (a DENY that matched, the ALLOW that matched). */
  decidedBy?: DecidingRule;
  /** Why, in a sentence a user understands. */
  reason: string;
  /** `namespace/name` of every policy this point evaluated. */
  policies: string[];
  seen: SeenRequest;
  /** Dry-run policies apply here: what they would have decided. */
  dryRun?: { decision: 'allow' | 'deny'; decidedBy?: DecidingRule; reason: string };
  /** AUDIT policies that matched. */
  audited?: DecidingRule[];
}

export interface RouteBackendChoice {
  /** `ns/name` of the backend Service. */
  service: string;
  port?: number;
  weight: number;
  /** Fraction of the traffic, 0..1. */
  share: number;
  /** Why this backend fails its share (missing Service...). */
  invalid?: string;
  /** With `invalid`: what its share is answered with — 500, or 503 (gRPC UNAVAILABLE) for a GRPCRoute. */
  failStatus?: number;
  /** Endpoints (`ns/name` of workloads) that can serve it. */
  endpoints: string[];
}

export interface RouteChoice {
  /** `ns/name` of the HTTPRoute, or `default` when no route governs the port (everything to the service). */
  route: string;
  ruleIndex: number;
  matchIndex: number;
  /** Forward, Redirect (3xx), DirectResponse (500 for a rule with no usable backend; a GRPCRoute's 503), NoMatch (404). */
  action: 'Forward' | 'Redirect' | 'DirectResponse' | 'NoMatch';
  status?: number;
  /** Redirect: the Location the waypoint answers with. */
  location?: string;
  backends: RouteBackendChoice[];
  reason: string;
}

export type SimulationOutcome = 'allow' | 'deny' | 'mixed' | 'unreachable';

export interface SimulationResult {
  /** `allow`: every path allowed; `deny`: every path denied; `mixed`: some endpoints allow and some deny; `unreachable`: no path. */
  outcome: SimulationOutcome;
  /** What the client sees, e.g. `200`, `403 RBAC: access denied` (waypoint), `connection reset (401 at ztunnel)`. */
  summary: string;
  source: { workload?: string; principal?: string; ip: string; namespace?: string };
  destination: { service?: string; workload?: string; address: string; port: number };
  /** In path order: source ztunnel, then the waypoint if one serves the destination, then one destination-ztunnel hop per endpoint. */
  hops: SimulationHop[];
  /** Present when a waypoint routes the request. */
  route?: RouteChoice;
  /** Things worth knowing (L7 attributes ignored at ztunnel, a waypoint that is missing...). */
  notes: string[];
}
