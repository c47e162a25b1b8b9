import { hostWithoutPort } from './hostname';
import { compileFullMatchRegex } from './regex';
import type { CompiledRoute, CompiledValueMatch } from './types';

/** Request headers with lowercase names, as Node's `IncomingMessage.headers` has them. */
export type HeaderRecord = Record<string, string | string[] | undefined>;

export interface RouteRequest {
  method: string;
  /** Path as received, possibly with `?query`; normalising it (dot segments, `//`) is the caller's job. */
  path: string;
  headers: HeaderRecord;
  /** Host or :authority; read from the headers when absent. */
  host?: string;
}

export interface RouteMatchResult {
  route: CompiledRoute;
  /** The request's query parameters (first value of each, percent-decoded), if matching needed them. */
  queryParams: ReadonlyMap<string, string> | undefined;
}

const EXACT = 0;
const PREFIX = 1;
const REGEX = 2;

interface PreparedValueMatch {
  readonly name: string;
  readonly exact: string | undefined;
  readonly regex: RegExp | undefined;
}

interface PreparedRoute {
  readonly route: CompiledRoute;
  readonly pathKind: number;
  /** Exact path, or a prefix without trailing slash (`/` becomes ''). */
  readonly pathValue: string;
  readonly pathRegex: RegExp | undefined;
  readonly hostExact: string | undefined;
  /** `.example.com` for `*.example.com`. */
  readonly hostSuffix: string | undefined;
  readonly method: string | undefined;
  readonly headers: readonly PreparedValueMatch[];
  readonly queryParams: readonly PreparedValueMatch[];
}

/** A route table made ready for per-request matching: regexes compiled once, nothing per request. */
export interface PreparedRouteTable {
  readonly routes: readonly PreparedRoute[];
  readonly usesHost: boolean;
}

function prepareValueMatch(m: CompiledValueMatch): PreparedValueMatch {
  return m.type === 'Exact'
    ? { name: m.name, exact: m.value, regex: undefined }
    : { name: m.name, exact: undefined, regex: compileFullMatchRegex(m.value) };
}

function prepareRoute(route: CompiledRoute): PreparedRoute {
  const { path, hostname, method } = route.match;
  const pathKind = path.type === 'Exact' ? EXACT : path.type === 'PathPrefix' ? PREFIX : REGEX;
  const wildcard = hostname?.startsWith('*.') === true;
  return {
    route,
    pathKind,
    pathValue: pathKind === PREFIX && path.value === '/' ? '' : path.value,
    pathRegex: pathKind === REGEX ? compileFullMatchRegex(path.value) : undefined,
    hostExact: hostname !== undefined && !wildcard ? hostname.toLowerCase() : undefined,
    hostSuffix: hostname !== undefined && wildcard ? hostname.slice(1).toLowerCase() : undefined,
    method,
    headers: route.match.headers.map(prepareValueMatch),
    queryParams: route.match.queryParams.map(prepareValueMatch),
  };
}

/** Compiles a table's regexes once. Throws AmbitError for a pattern that cannot be used. */
export function prepareRouteTable(routes: readonly CompiledRoute[]): PreparedRouteTable {
  const prepared = routes.map(prepareRoute);
  return { routes: prepared, usesHost: routes.some((r) => r.match.hostname !== undefined) };
}

function pathMatches(route: PreparedRoute, path: string): boolean {
  if (route.pathKind === EXACT) return path === route.pathValue;
  if (route.pathKind === PREFIX) {
    const prefix = route.pathValue;
    // Element-wise: `/v2` matches `/v2` and `/v2/x`, never `/v2x`.
    return path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === 47);
  }
  return (route.pathRegex as RegExp).test(path);
}

function valueMatches(m: PreparedValueMatch, value: string): boolean {
  return m.exact !== undefined ? value === m.exact : (m.regex as RegExp).test(value);
}

function headersMatch(matches: readonly PreparedValueMatch[], headers: HeaderRecord): boolean {
  for (const m of matches) {
    const value = headers[m.name];
    if (value === undefined) return false;
    // A repeated header is matched as one comma-separated value (RFC 9110 §5.3).
    if (!valueMatches(m, typeof value === 'string' ? value : value.join(','))) return false;
  }
  return true;
}

function queryMatches(matches: readonly PreparedValueMatch[], query: ReadonlyMap<string, string>): boolean {
  for (const m of matches) {
    const value = query.get(m.name);
    if (value === undefined || !valueMatches(m, value)) return false;
  }
  return true;
}

function decode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Query parameters of a path (after `?`, before `#`); the first value of a repeated name wins. */
export function parseQueryParams(pathWithQuery: string): Map<string, string> {
  const params = new Map<string, string>();
  const start = pathWithQuery.indexOf('?');
  if (start < 0) return params;
  const hash = pathWithQuery.indexOf('#', start);
  const query = pathWithQuery.slice(start + 1, hash < 0 ? undefined : hash);
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    if (!params.has(name)) params.set(name, eq < 0 ? '' : decode(pair.slice(eq + 1)));
  }
  return params;
}

function requestHost(request: RouteRequest): string | undefined {
  const authority = request.host ?? request.headers[':authority'] ?? request.headers.host;
  return typeof authority === 'string' ? hostWithoutPort(authority) : undefined;
}

function hostMatches(route: PreparedRoute, host: string | undefined): boolean {
  if (route.hostExact !== undefined) return host === route.hostExact;
  if (route.hostSuffix !== undefined) return host !== undefined && host.length > route.hostSuffix.length && host.endsWith(route.hostSuffix);
  return true;
}

/**
 * The route that handles a request: the first in precedence order whose conditions all hold.
 * Undefined means no route matches, which the proxy answers with 404. (A parent with no
 * attached routes at all keeps its default behaviour, such as forwarding to the Service as
 * addressed; that is the caller's choice, made from `CompiledRouteTable.attached`.)
 */
export function matchRequest(table: PreparedRouteTable, request: RouteRequest): RouteMatchResult | undefined {
  const raw = request.path;
  let end = raw.indexOf('?');
  if (end < 0) end = raw.indexOf('#');
  const path = end < 0 ? raw : raw.slice(0, end);
  const host = table.usesHost ? requestHost(request) : undefined;
  let query: Map<string, string> | undefined;
  for (const route of table.routes) {
    if (!hostMatches(route, host)) continue;
    if (route.method !== undefined && route.method !== request.method) continue;
    if (!pathMatches(route, path)) continue;
    if (route.headers.length > 0 && !headersMatch(route.headers, request.headers)) continue;
    if (route.queryParams.length > 0) {
      query ??= parseQueryParams(raw);
      if (!queryMatches(route.queryParams, query)) continue;
    }
    return { route: route.route, queryParams: query };
  }
  return undefined;
}
