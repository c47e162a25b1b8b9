/**
 * RDS → the shared compiled route table: the inverse of the control plane's translator
 * (control-plane/src/translate/envoy-routes.ts). The input is an
 * envoy.config.route.v3.RouteConfiguration as protobufjs' `toObject` gives it (camelCase, enums
 * as names, longs as numbers, nested Any as `{ '@type', ...fields }`). Ambit's route metadata
 * (`ambit.dev/route`) restores what Envoy cannot say: where a route came from, PathPrefix versus
 * regex, why a rule answers 500, every backendRef (weight 0 and unusable ones too), the timeouts
 * as written and the ExtensionRef filters — so an Ambit RouteConfiguration decodes to exactly the
 * route that was compiled. Fault filters become `faults`, keyed by route or backend.
 *
 * Without that metadata (another control plane) what the Envoy form cannot carry comes back in its
 * canonical form, with the same behaviour: weight-0 backends are absent, a single backend has
 * weight 1, a backend that cannot be used has a generic `invalid` reason, and without retries only
 * the shorter timeout survives (as `requestMs`). Filters come in the order request headers,
 * response headers, redirect, rewrite, mirrors (ExtensionRefs where the metadata puts them).
 * An encoding the waypoint cannot honour exactly throws an AmbitError naming the field, so the
 * xDS client rejects the resource instead of routing differently from the control plane's intent.
 */
import { AmbitError } from '@ambit/shared/errors';
import type {
  CompiledBackend,
  CompiledFilter,
  CompiledMatch,
  CompiledRoute,
  CompiledValueMatch,
  ForwardAction,
  HeaderModifier,
  PathModifier,
  RouteAction,
  RouteRetry,
  RouteSource,
  RouteTimeouts,
} from '@ambit/shared/routing';
import {
  clusterName,
  FAULT_FILTER,
  parseClusterName,
  ROUTE_METADATA,
  type RouteFault,
  type StructMessage,
  structToJson,
} from '@ambit/shared/xds';
import type { FaultScope } from './fault';
import { mergeVirtualHosts, type VirtualHost } from './virtual-hosts';

/** One service port's routes as the waypoint runs them. */
export interface WaypointRouteTable {
  /** `<hostname>:<port>`, the listener and RouteConfiguration name. */
  name: string;
  /** In precedence order: the first route whose match fits a request handles it. */
  routes: CompiledRoute[];
  /** Fault injection by route, or by weighted backend (which then takes precedence). */
  faults: ReadonlyMap<FaultScope, RouteFault>;
  /** No HTTPRoute governs the port: requests go to the service itself, as addressed. */
  unrouted: boolean;
}

type Json = Record<string, unknown>;

const EMPTY: Json = Object.freeze({});
const NO_ITEMS: readonly unknown[] = Object.freeze([]);

function object(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : EMPTY;
}

function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : NO_ITEMS;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function integer(value: unknown): number | undefined {
  return typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : undefined;
}

function unsupported(path: string, message: string): AmbitError {
  return new AmbitError('InvalidArgument', `RouteConfiguration: ${message}`, [{ path, message }]);
}

/** google.protobuf.Duration → milliseconds; undefined when absent. */
function durationMs(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const d = object(value);
  return (integer(d.seconds) ?? 0) * 1000 + Math.round((integer(d.nanos) ?? 0) / 1e6);
}

const DENOMINATORS: Readonly<Record<string, number>> = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 };

/** envoy.type.v3.FractionalPercent → percent (0-100). */
function percentOf(value: unknown): number {
  const p = object(value);
  const denominator = DENOMINATORS[text(p.denominator) ?? 'HUNDRED'] ?? 100;
  return (integer(p.numerator) ?? 0) / (denominator / 100);
}

function wrappedNumber(value: unknown): number | undefined {
  return value === undefined ? undefined : (integer(object(value).value) ?? 0);
}

/** `outbound|<port>||<hostname>` → the Service it names (`<name>.<namespace>.svc...`). */
function clusterTarget(name: string, path: string): { name: string; namespace: string; port: number; hostname: string } {
  const parsed = parseClusterName(name);
  const labels = parsed?.hostname.split('.') ?? [];
  if (!parsed || labels.length < 2) throw unsupported(path, `cluster "${name}" is not an outbound|<port>||<service hostname> cluster`);
  return { name: labels[0] as string, namespace: labels[1] as string, port: parsed.port, hostname: parsed.hostname };
}

/** `<hostname>:<port>` → the cluster of that service port, which failing routes point at. */
function selfClusterOf(configName: string): string | undefined {
  const colon = configName.lastIndexOf(':');
  if (colon <= 0) return undefined;
  return clusterName(configName.slice(0, colon), Number(configName.slice(colon + 1)));
}

function escapeRegex(value: string): string {
  return value.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

function routeMetadata(route: Json): Json | undefined {
  const filterMetadata = object(object(route.metadata).filterMetadata);
  const struct = filterMetadata[ROUTE_METADATA];
  return struct === undefined ? undefined : structToJson(struct as StructMessage);
}

function valueMatch(name: string, matcher: Json, path: string): CompiledValueMatch {
  const exact = text(matcher.exact);
  if (exact !== undefined && Object.keys(matcher).length === 1) return { name, type: 'Exact', value: exact };
  const regex = text(object(matcher.safeRegex).regex);
  if (regex !== undefined && Object.keys(matcher).length === 1) return { name, type: 'RegularExpression', value: regex };
  throw unsupported(path, `only exact and safe_regex string matches are supported (got ${JSON.stringify(matcher)})`);
}

function decodeMatch(match: Json, metadata: Json | undefined, path: string): CompiledMatch {
  if (match.caseSensitive === false) throw unsupported(`${path}.caseSensitive`, 'case-insensitive path matching is not supported');
  const described = object(metadata?.path);
  let compiledPath: CompiledMatch['path'];
  const regex = text(object(match.safeRegex).regex);
  if (typeof match.path === 'string') compiledPath = { type: 'Exact', value: match.path };
  else if (match.prefix === '/') compiledPath = { type: 'PathPrefix', value: '/' };
  else if (typeof match.pathSeparatedPrefix === 'string') compiledPath = { type: 'PathPrefix', value: match.pathSeparatedPrefix };
  else if (regex !== undefined) {
    // The translator writes a segment-wise prefix `/x` as `/x(/.*)?` and says so in the metadata.
    const prefix = described.type === 'PathPrefix' ? text(described.value) : undefined;
    compiledPath =
      prefix !== undefined && regex === `${escapeRegex(prefix)}(/.*)?`
        ? { type: 'PathPrefix', value: prefix }
        : { type: 'RegularExpression', value: regex };
  } else {
    throw unsupported(`${path}`, 'only path, prefix "/", path_separated_prefix and safe_regex path matches are supported');
  }
  const out: CompiledMatch = { path: compiledPath, headers: [], queryParams: [] };
  list(match.headers).forEach((raw, i) => {
    const header = object(raw);
    const name = (text(header.name) ?? '').toLowerCase();
    const at = `${path}.headers[${i}]`;
    const matcher = object(header.stringMatch);
    if (header.stringMatch === undefined || header.invertMatch === true)
      throw unsupported(at, 'only string_match header matches are supported');
    if (name === ':method') {
      const method = valueMatch(name, matcher, at);
      if (method.type !== 'Exact') throw unsupported(at, 'a :method match must be exact');
      out.method = method.value as CompiledMatch['method'];
      return;
    }
    out.headers.push(valueMatch(name, matcher, at));
  });
  list(match.queryParameters).forEach((raw, i) => {
    const query = object(raw);
    const at = `${path}.queryParameters[${i}]`;
    if (query.stringMatch === undefined) throw unsupported(at, 'only string_match query parameter matches are supported');
    out.queryParams.push(valueMatch(text(query.name) ?? '', object(query.stringMatch), at));
  });
  return out;
}

/** `{request,response}_headers_to_{add,remove}` of a Route or ClusterWeight as a header modifier. */
function headerModifier(target: Json, direction: 'request' | 'response', path: string): HeaderModifier | undefined {
  const add = list(target[`${direction}HeadersToAdd`]);
  const remove = list(target[`${direction}HeadersToRemove`]);
  if (add.length === 0 && remove.length === 0) return undefined;
  const modifier: HeaderModifier = { set: [], add: [], remove: remove.map((name) => String(name).toLowerCase()) };
  add.forEach((raw, i) => {
    const option = object(raw);
    const header = object(option.header);
    const entry = { name: (text(header.key) ?? '').toLowerCase(), value: text(header.value) ?? '' };
    const append = text(option.appendAction) ?? 'APPEND_IF_EXISTS_OR_ADD';
    if (append === 'OVERWRITE_IF_EXISTS_OR_ADD') modifier.set.push(entry);
    else if (append === 'APPEND_IF_EXISTS_OR_ADD') modifier.add.push(entry);
    else throw unsupported(`${path}.${direction}HeadersToAdd[${i}].appendAction`, `append action ${append} is not supported`);
  });
  return modifier;
}

function headerFilters(target: Json, path: string): CompiledFilter[] {
  const filters: CompiledFilter[] = [];
  const request = headerModifier(target, 'request', path);
  if (request) filters.push({ type: 'RequestHeaderModifier', ...request });
  const response = headerModifier(target, 'response', path);
  if (response) filters.push({ type: 'ResponseHeaderModifier', ...response });
  return filters;
}

/** What a ClusterWeight does to its backend's requests: header modifiers, then its host_rewrite_literal. */
function clusterWeightFilters(carrier: Json, path: string): CompiledFilter[] {
  const filters = headerFilters(carrier, path);
  const host = text(carrier.hostRewriteLiteral);
  if (host) filters.push({ type: 'URLRewrite', hostname: host });
  return filters;
}

/** The PathPrefix a route matched, without trailing slash ('' for `/`): what a prefix rewrite replaces. */
function matchedPrefix(match: CompiledMatch): string {
  return match.path.type === 'PathPrefix' && match.path.value !== '/' ? match.path.value : '';
}

/** The translator's regex_rewrite forms back into a path modifier. */
function pathModifier(rewrite: Json, match: CompiledMatch, path: string): PathModifier {
  const pattern = text(object(rewrite.pattern).regex);
  const substitution = text(rewrite.substitution) ?? '';
  if (pattern === '.*') return { type: 'ReplaceFullPath', value: substitution };
  const prefix = escapeRegex(matchedPrefix(match));
  if (pattern === `${prefix}/?(.*)` && substitution === '/\\1') return { type: 'ReplacePrefixMatch', value: '/' };
  if (pattern === `${prefix}(/.*)?` && substitution.endsWith('\\1')) {
    return { type: 'ReplacePrefixMatch', value: substitution.slice(0, -2) };
  }
  throw unsupported(path, `regex_rewrite ${JSON.stringify(rewrite)} is not a path rewrite this waypoint understands`);
}

const REDIRECT_STATUS: Readonly<Record<string, number>> = {
  MOVED_PERMANENTLY: 301,
  FOUND: 302,
  SEE_OTHER: 303,
  TEMPORARY_REDIRECT: 307,
  PERMANENT_REDIRECT: 308,
};

function redirectFilter(redirect: Json, match: CompiledMatch, path: string): CompiledFilter {
  if (redirect.prefixRewrite !== undefined) throw unsupported(`${path}.prefixRewrite`, 'prefix_rewrite redirects are not supported');
  // RedirectResponseCode's zero value is MOVED_PERMANENTLY, left out of encodings that skip defaults.
  const filter: Extract<CompiledFilter, { type: 'RequestRedirect' }> = {
    type: 'RequestRedirect',
    statusCode: REDIRECT_STATUS[text(redirect.responseCode) ?? 'MOVED_PERMANENTLY'] ?? 301,
  };
  const scheme = redirect.httpsRedirect === true ? 'https' : text(redirect.schemeRedirect);
  if (scheme === 'http' || scheme === 'https') filter.scheme = scheme;
  const hostname = text(redirect.hostRedirect);
  if (hostname) filter.hostname = hostname;
  const port = integer(redirect.portRedirect);
  if (port) filter.port = port;
  const fullPath = text(redirect.pathRedirect);
  if (fullPath !== undefined) filter.path = { type: 'ReplaceFullPath', value: fullPath };
  else if (redirect.regexRewrite !== undefined) filter.path = pathModifier(object(redirect.regexRewrite), match, `${path}.regexRewrite`);
  return filter;
}

/** The HTTPFault in a typed_per_filter_config, if any. */
function faultOf(target: Json, path: string): RouteFault | undefined {
  const config = object(target.typedPerFilterConfig)[FAULT_FILTER];
  if (config === undefined) return undefined;
  const fault = object(config);
  const out: RouteFault = {};
  if (fault.delay !== undefined) {
    const delay = object(fault.delay);
    if (delay.fixedDelay === undefined) throw unsupported(`${path}.delay`, 'only fixed delays are supported');
    out.delay = { fixedDelayMs: durationMs(delay.fixedDelay) ?? 0, percent: percentOf(delay.percentage) };
  }
  if (fault.abort !== undefined) {
    const abort = object(fault.abort);
    const grpcStatus = integer(abort.grpcStatus);
    out.abort = grpcStatus !== undefined ? { grpcStatus, percent: percentOf(abort.percentage) } : { percent: percentOf(abort.percentage) };
    const httpStatus = integer(abort.httpStatus);
    if (grpcStatus === undefined) out.abort.httpStatus = httpStatus ?? 503;
  }
  return out;
}

/** The translator's "answer 500" (503 for a GRPCRoute's unusable backend): a fault aborting every request with it and nothing else. */
function abortsEverythingWith(fault: RouteFault | undefined): 500 | 503 | undefined {
  if (fault?.delay !== undefined || fault?.abort === undefined || fault.abort.percent < 100) return undefined;
  const status = fault.abort.httpStatus;
  return status === 500 || status === 503 ? status : undefined;
}

interface DecodeContext {
  selfCluster: string | undefined;
}

interface DecodedBackends {
  backends: CompiledBackend[];
  /** The status the unusable backends' clusters abort with; absent when there are none. */
  unusableStatus?: 500 | 503;
  faults: [CompiledBackend, RouteFault][];
}

/** Puts ExtensionRef filters (`{at, group, kind, name}` from the metadata) back where they stood. */
function withExtensionRefs(filters: CompiledFilter[], refs: unknown): CompiledFilter[] {
  for (const raw of list(refs)) {
    const ref = object(raw);
    const filter: CompiledFilter = {
      type: 'ExtensionRef',
      group: text(ref.group) ?? '',
      kind: text(ref.kind) ?? '',
      name: text(ref.name) ?? '',
    };
    filters.splice(Math.min(integer(ref.at) ?? filters.length, filters.length), 0, filter);
  }
  return filters;
}

/**
 * Backends as the route metadata lists them, each checked against the Envoy cluster that carries
 * it: every backend with a weight takes the next ClusterWeight (or the route's single cluster) in
 * order, a usable one its own cluster, an unusable one the service's own cluster aborting with 500.
 */
function describedBackends(route: Json, described: readonly unknown[], ctx: DecodeContext, path: string): DecodedBackends {
  const single = text(route.cluster);
  const weighted = single === undefined;
  if (weighted && route.weightedClusters === undefined) throw unsupported(path, 'a route action needs cluster or weighted_clusters');
  const carriers = weighted ? list(object(route.weightedClusters).clusters).map(object) : [{ name: single }];
  const out: DecodedBackends = { backends: [], faults: [] };
  let next = 0;
  described.forEach((raw, i) => {
    const entry = object(raw);
    const backend: CompiledBackend = {
      group: text(entry.group) ?? '',
      kind: text(entry.kind) ?? 'Service',
      name: text(entry.name) ?? '',
      namespace: text(entry.namespace) ?? '',
      weight: integer(entry.weight) ?? 0,
      filters: list(entry.filters).map((filter) => object(filter) as unknown as CompiledFilter),
    };
    const port = integer(entry.port);
    if (port !== undefined) backend.port = port;
    const invalid = text(entry.invalid);
    if (invalid !== undefined) backend.invalid = invalid;
    out.backends.push(backend);
    if (backend.weight <= 0) return;
    const at = weighted ? `${path}.weightedClusters.clusters[${next}]` : `${path}.cluster`;
    const carrier = carriers[next++];
    if (!carrier) throw unsupported(path, `the route metadata lists backend ${i} (${backend.name}), which no cluster carries`);
    const name = text(carrier.name) ?? '';
    const fault = faultOf(carrier, at);
    if (weighted && wrappedNumber(carrier.weight) !== backend.weight) {
      throw unsupported(`${at}.weight`, `weight ${wrappedNumber(carrier.weight)} differs from backend ${backend.name}'s ${backend.weight}`);
    }
    if (invalid !== undefined) {
      const status = name === ctx.selfCluster ? abortsEverythingWith(fault) : undefined;
      if (status === undefined || (out.unusableStatus !== undefined && out.unusableStatus !== status))
        throw unsupported(
          at,
          `unusable backend ${backend.name} must answer 500 (503 for a GRPCRoute), as the route's other unusable backends`,
        );
      out.unusableStatus = status;
      return;
    }
    const target = clusterTarget(name, `${at}.name`);
    if (target.name !== backend.name || target.namespace !== backend.namespace || target.port !== backend.port) {
      throw unsupported(`${at}.name`, `cluster "${name}" is not backend ${backend.namespace}/${backend.name}:${backend.port}`);
    }
    backend.filters = withExtensionRefs(clusterWeightFilters(carrier, at), entry.extensionRefs);
    if (fault) out.faults.push([backend, fault]);
  });
  if (next !== carriers.length) throw unsupported(path, `${carriers.length - next} cluster(s) match no backend in the route metadata`);
  return out;
}

function decodeBackends(route: Json, ctx: DecodeContext, path: string): DecodedBackends {
  const single = text(route.cluster);
  if (single !== undefined) {
    const target = clusterTarget(single, `${path}.cluster`);
    return {
      backends: [{ group: '', kind: 'Service', name: target.name, namespace: target.namespace, port: target.port, weight: 1, filters: [] }],
      faults: [],
    };
  }
  if (route.weightedClusters === undefined) throw unsupported(path, 'a route action needs cluster or weighted_clusters');
  const backends: CompiledBackend[] = [];
  const faults: [CompiledBackend, RouteFault][] = [];
  let unusableStatus: 500 | 503 | undefined;
  list(object(route.weightedClusters).clusters).forEach((raw, i) => {
    const entry = object(raw);
    const at = `${path}.weightedClusters.clusters[${i}]`;
    const name = text(entry.name) ?? '';
    const target = clusterTarget(name, `${at}.name`);
    const fault = faultOf(entry, at);
    const backend: CompiledBackend = {
      group: '',
      kind: 'Service',
      name: target.name,
      namespace: target.namespace,
      port: target.port,
      weight: wrappedNumber(entry.weight) ?? 0,
      filters: clusterWeightFilters(entry, at),
    };
    const unusable = name === ctx.selfCluster ? abortsEverythingWith(fault) : undefined;
    if (unusable !== undefined && (unusableStatus === undefined || unusableStatus === unusable)) {
      unusableStatus = unusable;
      backend.invalid = `the control plane could not use this backendRef; its share of requests gets ${unusable}`;
    } else if (fault) {
      faults.push([backend, fault]);
    }
    backends.push(backend);
  });
  return unusableStatus === undefined ? { backends, faults } : { backends, faults, unusableStatus };
}

function decodeRetry(policy: Json): RouteRetry {
  const retry: RouteRetry = {
    // Envoy retries once when num_retries is left out.
    attempts: wrappedNumber(policy.numRetries) ?? 1,
    codes: list(policy.retriableStatusCodes).map((code) => Number(code)),
  };
  const backoffMs = durationMs(object(policy.retryBackOff).baseInterval);
  if (backoffMs) retry.backoffMs = backoffMs;
  return retry;
}

// Envoy's route timeout when a route leaves it out.
const ENVOY_DEFAULT_TIMEOUT_MS = 15_000;

/** The rule's timeouts as the metadata gives them. */
function describedTimeouts(value: unknown): RouteTimeouts {
  const described = object(value);
  const timeouts: RouteTimeouts = {};
  const requestMs = integer(described.requestMs);
  if (requestMs !== undefined) timeouts.requestMs = requestMs;
  const backendRequestMs = integer(described.backendRequestMs);
  if (backendRequestMs !== undefined) timeouts.backendRequestMs = backendRequestMs;
  return timeouts;
}

function decodeForward(
  route: Json,
  match: CompiledMatch,
  metadata: Json | undefined,
  ctx: DecodeContext,
  path: string,
  faults: [FaultScope | 'route', RouteFault][],
): ForwardAction {
  const filters = headerFilters(route, path);
  const fault = faultOf(route, path);
  if (fault) faults.push(['route', fault]);
  if (route.redirect !== undefined) {
    filters.push(redirectFilter(object(route.redirect), match, `${path}.redirect`));
    const timeouts = metadata?.timeouts === undefined ? {} : describedTimeouts(metadata.timeouts);
    return { type: 'Forward', backends: [], filters: withExtensionRefs(filters, metadata?.extensionRefs), timeouts };
  }
  if (route.route === undefined) throw unsupported(path, 'only route and redirect actions are supported');
  const action = object(route.route);
  const at = `${path}.route`;
  const rewrite: Extract<CompiledFilter, { type: 'URLRewrite' }> = { type: 'URLRewrite' };
  const host = text(action.hostRewriteLiteral);
  if (host) rewrite.hostname = host;
  if (action.regexRewrite !== undefined) rewrite.path = pathModifier(object(action.regexRewrite), match, `${at}.regexRewrite`);
  if (rewrite.hostname !== undefined || rewrite.path !== undefined) filters.push(rewrite);
  list(action.requestMirrorPolicies).forEach((raw, i) => {
    const mirror = object(raw);
    const target = clusterTarget(text(mirror.cluster) ?? '', `${at}.requestMirrorPolicies[${i}].cluster`);
    const fraction = object(mirror.runtimeFraction).defaultValue;
    filters.push({
      type: 'RequestMirror',
      backend: { group: '', kind: 'Service', name: target.name, namespace: target.namespace, port: target.port },
      percent: fraction === undefined ? 100 : percentOf(fraction),
    });
  });
  withExtensionRefs(filters, metadata?.extensionRefs);
  const decoded = Array.isArray(metadata?.backends)
    ? describedBackends(action, metadata.backends, ctx, at)
    : decodeBackends(action, ctx, at);
  faults.push(...decoded.faults);
  const described = metadata?.timeouts !== undefined;
  const timeouts: RouteTimeouts = described ? describedTimeouts(metadata.timeouts) : {};
  const timeoutMs = durationMs(action.timeout) ?? ENVOY_DEFAULT_TIMEOUT_MS;
  if (!described && timeoutMs > 0) timeouts.requestMs = timeoutMs;
  const forward: ForwardAction = { type: 'Forward', backends: decoded.backends, filters, timeouts };
  if (decoded.unusableStatus !== undefined && decoded.unusableStatus !== 500) forward.unusableBackendStatus = decoded.unusableStatus;
  if (action.retryPolicy !== undefined) {
    const policy = object(action.retryPolicy);
    forward.retry = decodeRetry(policy);
    const perTryMs = durationMs(policy.perTryTimeout);
    if (!described && perTryMs) timeouts.backendRequestMs = perTryMs;
  }
  return forward;
}

function decodeSource(route: Json, metadata: Json | undefined): RouteSource {
  const name = text(route.name) ?? '';
  if (metadata && typeof metadata.route === 'string') {
    const source: RouteSource = {
      route: metadata.route,
      ruleIndex: integer(metadata.ruleIndex) ?? 0,
      matchIndex: integer(metadata.matchIndex) ?? 0,
    };
    if (typeof metadata.ruleName === 'string') source.ruleName = metadata.ruleName;
    return source;
  }
  // Foreign routes: Ambit names routes `<ns>/<route>/<rule>/<match>`; anything else is kept whole.
  const parts = name.split('/');
  if (parts.length === 4) return { route: `${parts[0]}/${parts[1]}`, ruleIndex: Number(parts[2]) || 0, matchIndex: Number(parts[3]) || 0 };
  return { route: name, ruleIndex: 0, matchIndex: 0 };
}

/** @internal One Envoy route decoded, before its hostnames are known (see virtual-hosts.ts). */
export interface DecodedEnvoyRoute {
  /** Envoy route name: several compiled routes share one when a route has several hostnames. */
  name: string;
  match: CompiledMatch;
  source: RouteSource;
  action: RouteAction;
  /** Faults of the route itself ('route') and of its weighted backends. */
  faults: [FaultScope | 'route', RouteFault][];
}

function decodeRoute(route: Json, ctx: DecodeContext, path: string): DecodedEnvoyRoute {
  const metadata = routeMetadata(route);
  const match = decodeMatch(object(route.match), metadata, `${path}.match`);
  const source = decodeSource(route, metadata);
  const direct = metadata ? object(metadata.directResponse) : EMPTY;
  const faults: DecodedEnvoyRoute['faults'] = [];
  const action: RouteAction =
    direct !== EMPTY
      ? { type: 'DirectResponse', status: integer(direct.status) ?? 500, reason: text(direct.reason) ?? 'no usable backend' }
      : decodeForward(route, match, metadata, ctx, path, faults);
  return { name: text(route.name) ?? '', match, source, action, faults };
}

/**
 * Decodes a RouteConfiguration into the table the waypoint matches requests against. Throws an
 * AmbitError (with the field path) for encodings it cannot honour exactly.
 */
export function decodeRouteConfiguration(config: Json): WaypointRouteTable {
  const name = text(config.name) ?? '';
  const ctx: DecodeContext = { selfCluster: selfClusterOf(name) };
  const virtualHosts = list(config.virtualHosts).map(object);
  if (virtualHosts.length === 1 && isDefaultRoute(list(virtualHosts[0]?.routes), ctx.selfCluster)) {
    return { name, routes: [], faults: new Map(), unrouted: true };
  }
  const hosts: VirtualHost[] = virtualHosts.map((vhost, v) => {
    const domains = list(vhost.domains).map(String);
    const routes = list(vhost.routes).map((route, r) => decodeRoute(object(route), ctx, `virtualHosts[${v}].routes[${r}]`));
    return { hostname: domains.includes('*') ? undefined : domains[0]?.toLowerCase(), routes };
  });
  const merged = mergeVirtualHosts(hosts);
  const faults = new Map<FaultScope, RouteFault>();
  for (const { route, faults: found } of merged) for (const [scope, fault] of found) faults.set(scope === 'route' ? route : scope, fault);
  return { name, routes: merged.map((r) => r.route), faults, unrouted: false };
}

/** The translator's only route for a port no HTTPRoute governs: everything to the service itself. */
function isDefaultRoute(routes: readonly unknown[], selfCluster: string | undefined): boolean {
  if (routes.length !== 1) return false;
  const route = object(routes[0]);
  return (
    route.name === 'default' &&
    routeMetadata(route) === undefined &&
    object(route.match).prefix === '/' &&
    object(route.route).cluster === selfCluster
  );
}
