/**
 * Compiled route tables → envoy.config.route.v3.RouteConfiguration, one per service port, named
 * like its listener (`<hostname>:<port>`). Encodings are chosen so grpc-js-xds accepts them too:
 *  - PathPrefix `/x` (segment-wise) is `safe_regex` `/x(/.*)?` — gRPC knows no
 *    path_separated_prefix; `/` stays `prefix`. Route metadata keeps the original match.
 *  - Route metadata (`ambit.dev/route`, RouteMetadata) also keeps what Envoy's form drops: every
 *    backendRef (weight 0 and unusable ones too), the timeouts as written, and the ExtensionRef
 *    filters whose faults travel as fault filter config — so the waypoint decodes the very route
 *    that was compiled.
 *  - A rule (or a weighted backend) that must answer 500 — no usable backend, a filter that
 *    cannot be honoured — goes to the service's own cluster with the fault filter aborting 100 %
 *    of requests with 500. direct_response would make gRPC reject the whole RouteConfiguration, and
 *    a cluster that does not exist stalls gRPC's resolution on its does-not-exist timer. Route
 *    metadata says what happened (`directResponse: {status, reason}`).
 *  - A backendRef's filters go on its ClusterWeight (headers, faults, host_rewrite_literal); those
 *    Envoy has only per route (redirect, path rewrite, mirror) the shared compiler refuses already.
 *    Envoy applies a ClusterWeight's header modifiers before its route's, so a rule's win over
 *    its backend's for the same name (the waypoint applies them in that order too).
 *  - Without retries the route timeout is the shorter of request/backendRequest; with retries,
 *    `timeout` is the request timeout and `per_try_timeout` the backend one. No timeout: 0 (none), as Istio.
 * Routes with a hostname (Gateway parents) go to a virtual host per hostname that also carries
 * the less specific routes covering it, in table order; hostless routes go to `*`.
 */
import {
  type BackendTarget,
  type CompiledBackend,
  type CompiledFilter,
  type CompiledMatch,
  type CompiledRoute,
  type ForwardAction,
  type HeaderModifier,
  hostnameCovers,
  type PathModifier,
  type RouteRetry,
  type RouteTimeouts,
} from '@ambit/shared/routing';
import type { MeshSnapshot } from '../registry/index';
import { serviceHostname } from '../registry/index';
import {
  type Any,
  type BackendMetadata,
  clusterName,
  type ExtensionRefMetadata,
  FAULT_FILTER,
  listenerName,
  packEnvoyResource,
  ROUTE_METADATA,
  type RouteFault,
  type RouteMetadata,
} from '../xds/index';
import { duration, type EnvoyObject, fractionalPercent, metadata } from './envoy-messages';
import { httpFault } from './fault';
import { faultResolverFor, type RouteTranslationOptions, routeTables, type ServicePortRoutes } from './route-tables';

const ROUTE_CONFIGURATION = 'envoy.config.route.v3.RouteConfiguration';

// Retried without being listed (GEP-1731: connection errors are always retriable).
const CONNECTION_RETRY_ON = ['connect-failure', 'refused-stream', 'reset'];
// gRPC clients read gRPC status names: the HTTP codes' counterparts, so proxyless clients retry too.
const GRPC_RETRY_ON: ReadonlyMap<number, string> = new Map([
  [429, 'resource-exhausted'],
  [500, 'internal'],
  [503, 'unavailable'],
  [504, 'deadline-exceeded'],
]);

/** Every RouteConfiguration, keyed by name, sorted. */
export function toRouteConfigurations(snapshot: MeshSnapshot, options: RouteTranslationOptions = {}): ReadonlyMap<string, Any> {
  const out = new Map<string, Any>();
  for (const routes of routeTables(snapshot, options)) {
    const config = routeConfiguration(snapshot, routes, options);
    out.set(config.name as string, packEnvoyResource(ROUTE_CONFIGURATION, config));
  }
  return out;
}

/** One service port's RouteConfiguration as a plain object (before packing). */
export function routeConfiguration(snapshot: MeshSnapshot, routes: ServicePortRoutes, options: RouteTranslationOptions = {}): EnvoyObject {
  const { service, port, table } = routes;
  const name = listenerName(service.hostname, port.port);
  const selfCluster = clusterName(service.hostname, port.port);
  const compiled = table.routes;
  let virtualHosts: EnvoyObject[];
  if (routes.attachedTo === 'none') {
    virtualHosts = [
      {
        name,
        domains: ['*'],
        routes: [{ name: 'default', match: { prefix: '/' }, route: { cluster: selfCluster, timeout: duration(0) } }],
      },
    ];
  } else {
    virtualHosts = virtualHostsFor(name, compiled).map(({ vhostName, domains, members }) => ({
      name: vhostName,
      domains,
      routes: members.map((route) => envoyRoute(route, { snapshot, options, selfCluster, routeNamespace: namespaceOfRoute(route) })),
    }));
  }
  return { name, virtualHosts };
}

interface RouteContext {
  snapshot: MeshSnapshot;
  options: RouteTranslationOptions;
  /** The cluster of the service port being routed: always defined, so failing routes can point at it. */
  selfCluster: string;
  /** Namespace of the HTTPRoute being translated: ExtensionRefs are local references. */
  routeNamespace: string;
}

function namespaceOfRoute(route: CompiledRoute): string {
  return route.source.route.slice(0, route.source.route.indexOf('/'));
}

function virtualHostsFor(
  name: string,
  routes: readonly CompiledRoute[],
): { vhostName: string; domains: string[]; members: CompiledRoute[] }[] {
  const hostnames = [...new Set(routes.flatMap((r) => (r.match.hostname === undefined ? [] : [r.match.hostname])))];
  const hosts = hostnames.map((hostname) => ({
    vhostName: `${name}/${hostname}`,
    domains: hostname.startsWith('*') ? [hostname] : [hostname, `${hostname}:*`],
    members: routes.filter((r) => r.match.hostname === undefined || hostnameCovers(r.match.hostname, hostname)),
  }));
  const hostless = routes.filter((r) => r.match.hostname === undefined);
  if (hostless.length > 0 || hosts.length === 0) hosts.push({ vhostName: name, domains: ['*'], members: hostless });
  return hosts;
}

function envoyRoute(route: CompiledRoute, context: RouteContext): EnvoyObject {
  const { source } = route;
  const described: RouteMetadata = {
    route: source.route,
    ruleIndex: source.ruleIndex,
    matchIndex: source.matchIndex,
    path: { type: route.match.path.type, value: route.match.path.value },
  };
  if (source.ruleName !== undefined) described.ruleName = source.ruleName;
  const out: EnvoyObject = { name: `${source.route}/${source.ruleIndex}/${source.matchIndex}`, match: envoyMatch(route.match) };
  const action = route.action;
  if (action.type === 'DirectResponse') {
    described.directResponse = { status: action.status, reason: action.reason };
    failWith(out, action.status, context.selfCluster);
  } else {
    forward(out, action, route.match, context, described);
  }
  out.metadata = metadata(ROUTE_METADATA, described as unknown as Record<string, unknown>);
  return out;
}

/** Makes a Route answer `status` to every request it matches (see the module comment). */
function failWith(route: EnvoyObject, status: number, selfCluster: string): void {
  route.route = { cluster: selfCluster, timeout: duration(0) };
  abortAll(route, status);
}

/** Adds a fault abort of every request to a Route's or ClusterWeight's per-filter config. */
function abortAll(target: EnvoyObject, status: number): void {
  target.typedPerFilterConfig = { ...(target.typedPerFilterConfig as EnvoyObject | undefined), [FAULT_FILTER]: abortEvery(status) };
}

const aborts = new Map<number, Any>();

function abortEvery(status: number): Any {
  let fault = aborts.get(status);
  if (!fault) {
    fault = httpFault({ abort: { httpStatus: status, percent: 100 } });
    aborts.set(status, fault);
  }
  return fault;
}

function envoyMatch(match: CompiledMatch): EnvoyObject {
  const out: EnvoyObject = {};
  const { type, value } = match.path;
  if (type === 'Exact') out.path = value;
  else if (type === 'RegularExpression') out.safeRegex = { regex: value };
  else if (value === '/') out.prefix = '/';
  else out.safeRegex = { regex: `${escapeRegex(value)}(/.*)?` };
  const headers: EnvoyObject[] = match.headers.map((h) => ({ name: h.name, stringMatch: valueMatch(h.type, h.value) }));
  if (match.method) headers.push({ name: ':method', stringMatch: { exact: match.method } });
  if (headers.length > 0) out.headers = headers;
  if (match.queryParams.length > 0) {
    out.queryParameters = match.queryParams.map((q) => ({ name: q.name, stringMatch: valueMatch(q.type, q.value) }));
  }
  return out;
}

function valueMatch(type: 'Exact' | 'RegularExpression', value: string): EnvoyObject {
  return type === 'Exact' ? { exact: value } : { safeRegex: { regex: value } };
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

function forward(out: EnvoyObject, action: ForwardAction, match: CompiledMatch, context: RouteContext, described: RouteMetadata): void {
  described.timeouts = { ...action.timeouts };
  const extensionRefs = extensionRefsOf(action.filters);
  if (extensionRefs.length > 0) described.extensionRefs = extensionRefs;
  const filters = applyFilters(out, action.filters, match, context);
  if (filters.redirect) {
    out.redirect = filters.redirect;
    return;
  }
  if (filters.failure) {
    described.directResponse = { status: 500, reason: filters.failure };
    failWith(out, 500, context.selfCluster);
    return;
  }
  const route: EnvoyObject = { ...filters.routeFields };
  const weighted = action.backends.filter((b) => b.weight > 0);
  const only = weighted.length === 1 ? weighted[0] : undefined;
  if (only && only.invalid === undefined && only.filters.length === 0 && only.port !== undefined) {
    route.cluster = clusterName(backendHostname(only, context.snapshot), only.port);
    described.backends = action.backends.map((backend) => (backend === only ? carriedBackend(backend) : uncarriedBackend(backend)));
  } else {
    const clusters: EnvoyObject[] = [];
    described.backends = action.backends.map((backend) => {
      if (backend.weight <= 0) return uncarriedBackend(backend);
      const weight = clusterWeight(backend, match, context, action.unusableBackendStatus ?? 500);
      clusters.push(weight.cluster);
      return weight.failure === undefined ? carriedBackend(backend) : uncarriedBackend(backend, weight.failure);
    });
    route.weightedClusters = { clusters, totalWeight: { value: weighted.reduce((sum, b) => sum + b.weight, 0) } };
  }
  Object.assign(route, timeoutsAndRetries(action.timeouts, action.retry));
  out.route = route;
}

/** The ExtensionRef filters of a list, with their positions: Envoy's form carries only the faults they resolve to. */
function extensionRefsOf(filters: readonly CompiledFilter[]): ExtensionRefMetadata[] {
  const out: ExtensionRefMetadata[] = [];
  filters.forEach((filter, at) => {
    if (filter.type === 'ExtensionRef') out.push({ at, group: filter.group, kind: filter.kind, name: filter.name });
  });
  return out;
}

function backendTarget(backend: CompiledBackend): BackendMetadata {
  const out: BackendMetadata = {
    group: backend.group,
    kind: backend.kind,
    name: backend.name,
    namespace: backend.namespace,
    weight: backend.weight,
  };
  if (backend.port !== undefined) out.port = backend.port;
  return out;
}

/** A backend a route's cluster or a ClusterWeight carries: Envoy's form has its filters, save ExtensionRefs. */
function carriedBackend(backend: CompiledBackend): BackendMetadata {
  const out = backendTarget(backend);
  const refs = extensionRefsOf(backend.filters);
  if (refs.length > 0) out.extensionRefs = refs;
  return out;
}

/** A backend no ClusterWeight carries (weight 0, or answered with 500): all of it is in the metadata. */
function uncarriedBackend(backend: CompiledBackend, failure?: string): BackendMetadata {
  const out = backendTarget(backend);
  const invalid = backend.invalid ?? failure;
  if (invalid !== undefined) out.invalid = invalid;
  if (backend.filters.length > 0) out.filters = backend.filters;
  return out;
}

function backendHostname(backend: BackendTarget, snapshot: MeshSnapshot): string {
  return serviceHostname(backend.name, backend.namespace, snapshot.options.domainSuffix);
}

/** A weighted backend; one that cannot be used answers its share of requests with `unusableStatus` (500; GRPCRoute 503), and says why. */
function clusterWeight(
  backend: CompiledBackend,
  match: CompiledMatch,
  context: RouteContext,
  unusableStatus: number,
): { cluster: EnvoyObject; failure?: string } {
  const weight = { value: backend.weight };
  const failing = (failure: string) => {
    const cluster: EnvoyObject = { name: context.selfCluster, weight };
    abortAll(cluster, unusableStatus);
    return { cluster, failure };
  };
  if (backend.invalid !== undefined) return failing(backend.invalid);
  if (backend.port === undefined) return failing('the backendRef has no port');
  const cluster: EnvoyObject = { name: clusterName(backendHostname(backend, context.snapshot), backend.port), weight };
  if (backend.filters.length === 0) return { cluster };
  const filters = applyFilters(cluster, backend.filters, match, context);
  if (filters.failure) return failing(filters.failure);
  // A ClusterWeight has header modifiers, per-filter config and host_rewrite_literal; compileFilters
  // refuses per-backend redirects, path rewrites and mirrors, so a host rewrite is all that can be left.
  const { hostRewriteLiteral, ...perRouteOnly } = filters.routeFields;
  const unexpressed = [...(filters.redirect ? ['redirect'] : []), ...Object.keys(perRouteOnly)].map(
    (field) => FILTER_OF_ROUTE_FIELD[field] ?? field,
  );
  // Unreachable while compileFilters refuses these per backend; if it ever is reached, the backend fails loudly.
  if (unexpressed.length > 0) return failing(`${unexpressed.join(', ')} cannot apply to one backendRef, only to a whole rule`);
  if (hostRewriteLiteral !== undefined) cluster.hostRewriteLiteral = hostRewriteLiteral;
  return { cluster };
}

/** The HTTPRoute filter behind each RouteAction field a filter sets: what a user reads in a failure. */
const FILTER_OF_ROUTE_FIELD: Readonly<Record<string, string>> = {
  redirect: 'a RequestRedirect',
  regexRewrite: 'a URLRewrite path',
  requestMirrorPolicies: 'a RequestMirror',
};

interface AppliedFilters {
  /** RouteAction fields (host and path rewrites, mirrors); of these a ClusterWeight has only the host rewrite. */
  routeFields: EnvoyObject;
  redirect?: EnvoyObject;
  failure?: string;
}

/**
 * Applies filters to `target` (a Route or a ClusterWeight: both carry header modifiers and
 * typed_per_filter_config) and returns the RouteAction fields they need.
 */
function applyFilters(
  target: EnvoyObject,
  filters: readonly CompiledFilter[],
  match: CompiledMatch,
  context: RouteContext,
): AppliedFilters {
  const applied: AppliedFilters = { routeFields: {} };
  const mirrors: EnvoyObject[] = [];
  for (const filter of filters) {
    switch (filter.type) {
      case 'RequestHeaderModifier':
        addHeaderModifier(target, 'request', filter);
        break;
      case 'ResponseHeaderModifier':
        addHeaderModifier(target, 'response', filter);
        break;
      case 'URLRewrite':
        if (filter.hostname) applied.routeFields.hostRewriteLiteral = filter.hostname;
        if (filter.path) applied.routeFields.regexRewrite = pathRewrite(filter.path, match);
        break;
      case 'RequestRedirect':
        applied.redirect = redirect(filter, match);
        break;
      case 'RequestMirror': {
        const mirror: EnvoyObject = { cluster: clusterName(backendHostname(filter.backend, context.snapshot), filter.backend.port ?? 0) };
        if (filter.percent < 100) mirror.runtimeFraction = { defaultValue: fractionalPercent(filter.percent) };
        mirrors.push(mirror);
        break;
      }
      case 'ExtensionRef': {
        const fault: RouteFault | undefined = faultResolverFor(context.snapshot, context.options).resolve(filter, context.routeNamespace);
        if (!fault) {
          applied.failure ??= `ExtensionRef ${filter.kind} ${filter.name} not found`;
          break;
        }
        target.typedPerFilterConfig = { ...(target.typedPerFilterConfig as EnvoyObject | undefined), [FAULT_FILTER]: httpFault(fault) };
        break;
      }
    }
  }
  if (mirrors.length > 0) applied.routeFields.requestMirrorPolicies = mirrors;
  return applied;
}

function addHeaderModifier(target: EnvoyObject, direction: 'request' | 'response', modifier: HeaderModifier): void {
  const add = `${direction}HeadersToAdd`;
  const remove = `${direction}HeadersToRemove`;
  const options = [
    ...modifier.set.map((h) => ({ header: { key: h.name, value: h.value }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' })),
    ...modifier.add.map((h) => ({ header: { key: h.name, value: h.value }, appendAction: 'APPEND_IF_EXISTS_OR_ADD' })),
  ];
  if (options.length > 0) target[add] = [...((target[add] as EnvoyObject[] | undefined) ?? []), ...options];
  if (modifier.remove.length > 0) target[remove] = [...((target[remove] as string[] | undefined) ?? []), ...modifier.remove];
}

/** The path a PathPrefix match matched, without trailing slash ('' for `/`). */
function matchedPrefix(match: CompiledMatch): string {
  return match.path.type === 'PathPrefix' && match.path.value !== '/' ? match.path.value : '';
}

/**
 * URLRewrite/RequestRedirect path as a regex substitution, with the shared replacePathPrefix
 * semantics: `/foo` + `/xyz` turns `/foo/bar` into `/xyz/bar`; an empty or `/` replacement
 * turns `/foo/bar` into `/bar` and `/foo` into `/`.
 */
function pathRewrite(path: PathModifier, match: CompiledMatch): EnvoyObject {
  if (path.type === 'ReplaceFullPath') return { pattern: { regex: '.*' }, substitution: path.value };
  const prefix = escapeRegex(matchedPrefix(match));
  const replacement = path.value.replace(/\/+$/, '');
  if (replacement === '') return { pattern: { regex: `${prefix}/?(.*)` }, substitution: '/\\1' };
  return { pattern: { regex: `${prefix}(/.*)?` }, substitution: `${replacement}\\1` };
}

const REDIRECT_CODES: Readonly<Record<number, string>> = {
  301: 'MOVED_PERMANENTLY',
  302: 'FOUND',
  303: 'SEE_OTHER',
  307: 'TEMPORARY_REDIRECT',
  308: 'PERMANENT_REDIRECT',
};

function redirect(filter: Extract<CompiledFilter, { type: 'RequestRedirect' }>, match: CompiledMatch): EnvoyObject {
  const out: EnvoyObject = { responseCode: REDIRECT_CODES[filter.statusCode] ?? 'FOUND' };
  if (filter.scheme) out.schemeRedirect = filter.scheme;
  if (filter.hostname) out.hostRedirect = filter.hostname;
  if (filter.port !== undefined) out.portRedirect = filter.port;
  if (filter.path?.type === 'ReplaceFullPath') out.pathRedirect = filter.path.value;
  else if (filter.path) out.regexRewrite = pathRewrite(filter.path, match);
  return out;
}

function timeoutsAndRetries(timeouts: RouteTimeouts, retry: RouteRetry | undefined): EnvoyObject {
  const out: EnvoyObject = {};
  if (!retry || retry.attempts <= 0) {
    const limits = [timeouts.requestMs, timeouts.backendRequestMs].filter((ms): ms is number => ms !== undefined && ms > 0);
    out.timeout = duration(limits.length > 0 ? Math.min(...limits) : 0);
    return out;
  }
  out.timeout = duration(timeouts.requestMs ?? 0);
  const retryOn = [...CONNECTION_RETRY_ON];
  if (retry.codes.length > 0) retryOn.push('retriable-status-codes');
  for (const code of retry.codes) {
    const grpc = GRPC_RETRY_ON.get(code);
    if (grpc && !retryOn.includes(grpc)) retryOn.push(grpc);
  }
  const policy: EnvoyObject = { retryOn: retryOn.join(','), numRetries: { value: retry.attempts } };
  if (retry.codes.length > 0) policy.retriableStatusCodes = [...retry.codes];
  if (timeouts.backendRequestMs !== undefined && timeouts.backendRequestMs > 0) policy.perTryTimeout = duration(timeouts.backendRequestMs);
  if (retry.backoffMs !== undefined && retry.backoffMs > 0) policy.retryBackOff = { baseInterval: duration(retry.backoffMs) };
  out.retryPolicy = policy;
  return out;
}
