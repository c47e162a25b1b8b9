import type { HttpMethod } from '../resources/gateway';

/**
 * The compiled route table: plain, JSON-serialisable data in precedence order (first match wins).
 * The control plane translates it 1:1 into an Envoy RouteConfiguration and the waypoint decodes
 * RDS back into it, so every field here has an Envoy counterpart.
 */

export type PathMatchType = 'Exact' | 'PathPrefix' | 'RegularExpression';
export type ValueMatchType = 'Exact' | 'RegularExpression';

export interface CompiledPathMatch {
  type: PathMatchType;
  /**
   * Exact: the whole path. PathPrefix: matched element by element, stored without a trailing
   * slash (`/v2/` is kept as `/v2`; Envoy's path_separated_prefix). RegularExpression: an RE2
   * pattern that must match the whole path.
   */
  value: string;
}

export interface CompiledValueMatch {
  /** Header names are lowercased; query parameter names are kept as written (case-sensitive). */
  name: string;
  type: ValueMatchType;
  /** Exact value, or an RE2 pattern that must match the whole value. */
  value: string;
}

export interface CompiledMatch {
  /**
   * Host the request must carry, port ignored, case-insensitive; `*.example.com` matches any
   * name below example.com but not example.com itself. Absent: any host.
   */
  hostname?: string;
  path: CompiledPathMatch;
  headers: CompiledValueMatch[];
  queryParams: CompiledValueMatch[];
  method?: HttpMethod;
}

/** Where a compiled route came from, for config dumps, the simulator and analyzer messages. */
export interface RouteSource {
  /** `namespace/name` of the HTTPRoute. */
  route: string;
  ruleIndex: number;
  /** Index in the rule's matches; 0 for a rule without matches (its implicit PathPrefix `/`). */
  matchIndex: number;
  ruleName?: string;
}

export interface HeaderValue {
  name: string;
  value: string;
}

/** RequestHeaderModifier / ResponseHeaderModifier: `set` replaces, `add` appends, `remove` deletes. */
export interface HeaderModifier {
  set: HeaderValue[];
  add: HeaderValue[];
  remove: string[];
}

export interface PathModifier {
  type: 'ReplaceFullPath' | 'ReplacePrefixMatch';
  value: string;
}

export interface RequestRedirect {
  scheme?: 'http' | 'https';
  hostname?: string;
  port?: number;
  path?: PathModifier;
  statusCode: number;
}

export interface UrlRewrite {
  hostname?: string;
  path?: PathModifier;
}

/** A resolved backend reference: group '' and kind 'Service' for a Kubernetes Service. */
export interface BackendTarget {
  group: string;
  kind: string;
  name: string;
  namespace: string;
  port?: number;
}

export type CompiledFilter =
  | ({ type: 'RequestHeaderModifier' } & HeaderModifier)
  | ({ type: 'ResponseHeaderModifier' } & HeaderModifier)
  | ({ type: 'RequestRedirect' } & RequestRedirect)
  | ({ type: 'URLRewrite' } & UrlRewrite)
  | { type: 'RequestMirror'; backend: BackendTarget; percent: number }
  | { type: 'ExtensionRef'; group: string; kind: string; name: string };

export interface CompiledBackend extends BackendTarget {
  /** Share of traffic relative to the rule's other backends; 0 never receives traffic. */
  weight: number;
  /**
   * Filters applied only to requests sent to this backend: header modifiers, a hostname-only
   * URLRewrite and ExtensionRefs, what an Envoy ClusterWeight carries (the compiler refuses the rest).
   */
  filters: CompiledFilter[];
  /** Set when the reference cannot be used: its share of requests is answered with the action's `unusableBackendStatus`. */
  invalid?: string;
}

export interface RouteTimeouts {
  /** Whole request, retries included; 0 disables the timeout. Absent: the proxy's default. */
  requestMs?: number;
  /** Each attempt to a backend; 0 disables the timeout. */
  backendRequestMs?: number;
}

/** GEP-1731 retry. Connection failures are always retriable; `codes` adds response statuses. */
export interface RouteRetry {
  /** Retries after the first attempt; 0 disables retries. */
  attempts: number;
  codes: number[];
  backoffMs?: number;
}

/**
 * Forward the request. Filters run in order; a RequestRedirect filter answers the request
 * before any backend is picked (such a rule has no backends).
 */
export interface ForwardAction {
  type: 'Forward';
  backends: CompiledBackend[];
  filters: CompiledFilter[];
  timeouts: RouteTimeouts;
  retry?: RouteRetry;
  /**
   * What a request picked for an `invalid` backend is answered with: absent means 500 (HTTPRoute);
   * a GRPCRoute's is 503, which gRPC clients read as UNAVAILABLE. Set only when such a backend has a weight.
   */
  unusableBackendStatus?: number;
}

/** Answer without forwarding: the 500 the spec asks for when a rule has no usable backend. */
export interface DirectResponseAction {
  type: 'DirectResponse';
  status: number;
  /** Why, for logs and the simulator. */
  reason: string;
}

export type RouteAction = ForwardAction | DirectResponseAction;

export interface CompiledRoute {
  match: CompiledMatch;
  source: RouteSource;
  action: RouteAction;
}

export type RouteNoteCode =
  | 'UnreachableMatch'
  | 'UnsupportedFilter'
  | 'UnknownExtensionRef'
  | 'IncompatibleFilters'
  | 'InvalidRegex'
  | 'InvalidDuration'
  | 'TimeoutOrder'
  | 'BackendNotFound'
  | 'BackendPortRequired'
  | 'MirrorBackendNotFound'
  | 'RedirectWithBackends'
  | 'NoBackends'
  | 'NoMatchingListenerHostname'
  | 'NotAllowedByListeners'
  | 'RouteKindConflict'
  | 'HostnamesIgnored'
  | 'HeaderEditIgnored';

export interface RouteNote {
  code: RouteNoteCode;
  level: 'error' | 'warning' | 'info';
  /** `namespace/name` of the HTTPRoute. */
  route: string;
  /** Field path in the HTTPRoute, like `spec.rules[0].matches[1].path.value`. */
  path: string;
  message: string;
}

/** The resource whose routes are being compiled: one Service port, or one Gateway listener. */
export interface RouteParent {
  kind: 'Service' | 'Gateway';
  namespace: string;
  name: string;
  /** Service port or listener port served; parentRefs that name another port do not attach. */
  port?: number;
  /** Service port name or listener name; parentRefs that name another section do not attach. */
  sectionName?: string;
  /** Listener hostname (Gateway parents). Service parents ignore hostnames, as GAMMA asks. */
  hostname?: string;
  /** Gateway listener `allowedRoutes.namespaces`: 'Same' (the default), 'All', or a list. */
  allowedRouteNamespaces?: 'Same' | 'All' | readonly string[];
  /**
   * Service parents: namespace of the calling workload. Consumer routes (routes in that
   * namespace attached to a Service of another namespace) then replace the producer routes.
   */
  clientNamespace?: string;
}

/** A backend reference as written in a backendRef or a RequestMirror filter. */
export interface BackendReference {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
}

export interface BackendResolution {
  exists: boolean;
  /** Why it cannot be used (BackendNotFound, RefNotPermitted, InvalidKind …), shown in notes. */
  reason?: string;
}

/** The kind of route a reference is written in: a ReferenceGrant names it. */
export type RouteKind = 'HTTPRoute' | 'GRPCRoute';

/** Says whether a reference resolves; cross-namespace permission (ReferenceGrant, which names the route kind) is its call too. */
export type BackendResolver = (ref: BackendReference, routeNamespace: string, routeKind: RouteKind) => BackendResolution;

export interface RouteCompileOptions {
  /** ExtensionRef filter kinds this implementation understands; others answer 500. */
  extensionKinds?: readonly { group: string; kind: string }[];
}

export interface CompiledRouteTable {
  /** In precedence order: the first route whose match fits a request handles it. */
  routes: CompiledRoute[];
  notes: RouteNote[];
  /** `namespace/name` of every HTTPRoute or GRPCRoute attached to the parent, even one that yields no route. */
  attached: string[];
}
