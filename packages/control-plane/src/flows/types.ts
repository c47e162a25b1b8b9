/**
 * What the control plane makes of the flows the proxies recorded: the window it keeps, the
 * flows a draft policy would decide differently, and least-privilege policies drafted from them.
 */
import type { AuthorizationPolicy } from '@ambit/shared';
import type { FlowRecord } from '@ambit/shared/authz';

export type { FlowRecord };

/** A proxy the collector reads, and how the last read went. */
export interface FlowSourceStatus {
  /** `ztunnel/<node>` or `waypoint/<ns>/<name>`. */
  name: string;
  url: string;
  ok: boolean;
  /** Milliseconds since the epoch of the last successful read. */
  lastRead?: number;
  error?: string;
  /** Times the proxy was seen to start over (a new boot id, or its sequence numbers went back). */
  restarts?: number;
  /** Records the proxy overwrote in its ring before a read reached them. */
  missed?: number;
}

export interface FlowDecisionSummary {
  allowed: boolean;
  /** `ns/name` of the deciding policy. */
  policy?: string;
  ruleIndex?: number;
  reason: string;
}

/** Flows that look alike (same enforcement point, peers, port, method, path) and change the same way. */
export interface ChangedFlowGroup {
  reporter: 'ztunnel' | 'waypoint';
  proxy: string;
  sourcePrincipal?: string;
  sourceWorkload?: string;
  /** `ns/name` of the destination workload (ztunnel) or hostname of the service (waypoint). */
  destination: string;
  destinationPort: number;
  method?: string;
  path?: string;
  count: number;
  /** Milliseconds since the epoch. */
  lastSeen: number;
  before: FlowDecisionSummary;
  after: FlowDecisionSummary;
}

export interface ImpactReport {
  /** The draft's policies, `Kind/ns/name`. */
  draft: string[];
  /** Flows replayed. */
  flows: number;
  window: { from: number; to: number };
  allowToDeny: ChangedFlowGroup[];
  denyToAllow: ChangedFlowGroup[];
  totals: { allowToDeny: number; denyToAllow: number; unchanged: number; unreplayable: number };
  /** Caveats: headers are not recorded, flows whose destination left the mesh... */
  notes: string[];
}

export interface GeneratedPolicies {
  namespace: string;
  /** ALLOW policies: one per destination workload selector (ztunnel), one per waypoint-served Service (targetRefs). */
  policies: AuthorizationPolicy[];
  /** The same as multi-document YAML, ready to edit and apply. */
  yaml: string;
  /** Flows the policies were drawn from. */
  flows: number;
  notes: string[];
}
