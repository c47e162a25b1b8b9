// What an Ambit route carries besides Envoy's own fields: the `ambit.dev/route` metadata, which
// lets the waypoint decode a RouteConfiguration back into exactly the compiled route the control
// plane translated, and the fault shape of Envoy's HTTP fault filter as both sides read it.
import type { CompiledFilter, PathMatchType, RouteTimeouts } from '../routing/types';

/** An ExtensionRef filter that Envoy's form replaces with what it stands for, and where it stood in its filter list. */
export interface ExtensionRefMetadata {
  /** Index in the compiled filter list. */
  at: number;
  group: string;
  kind: string;
  name: string;
}

/** One backendRef of a rule as compiled. */
export interface BackendMetadata {
  group: string;
  kind: string;
  name: string;
  namespace: string;
  port?: number;
  weight: number;
  /** Why its share of requests is answered with 500 (it cannot be used, or one of its filters cannot be honoured). */
  invalid?: string;
  /** The backend's ExtensionRef filters, when a ClusterWeight carries it. */
  extensionRefs?: ExtensionRefMetadata[];
  /** Every filter, when no ClusterWeight carries the backend (weight 0, or answered with 500). */
  filters?: CompiledFilter[];
}

/** `filter_metadata["ambit.dev/route"]` of every Envoy route Ambit translates. */
export interface RouteMetadata {
  /** `namespace/name` of the HTTPRoute, and where in it the match is. */
  route: string;
  ruleIndex: number;
  matchIndex: number;
  ruleName?: string;
  /** The path match as written: a segment-wise PathPrefix is sent as a regex gRPC clients understand. */
  path: { type: PathMatchType; value: string };
  /** The rule answers this instead of forwarding (no usable backend, a filter that cannot be honoured). */
  directResponse?: { status: number; reason: string };
  /** Every backendRef in order, weight 0 and unusable ones included (Envoy lists only those that get traffic). */
  backends?: BackendMetadata[];
  /** The rule's timeouts as written (Envoy keeps only the shorter one when there are no retries). */
  timeouts?: RouteTimeouts;
  /** The rule's ExtensionRef filters (their faults travel as fault filter config). */
  extensionRefs?: ExtensionRefMetadata[];
}

/** Envoy's `envoy.filters.http.fault` config as Ambit uses it: a fixed delay and an abort, each for a share of requests. */
export interface RouteFault {
  /** Delay this share of requests (percent, 0-100) by `fixedDelayMs`. */
  delay?: { fixedDelayMs: number; percent: number };
  /** Answer this share of requests with an HTTP status (or, for gRPC, a gRPC status) without forwarding. */
  abort?: { httpStatus?: number; grpcStatus?: number; percent: number };
}
