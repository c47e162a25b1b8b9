import type { PathMatchType } from './types';

/**
 * Gateway API match precedence, highest first:
 *  1. path: Exact, then PathPrefix with the most characters, then RegularExpression (the spec
 *     leaves regex precedence to implementations; like Istio, longer patterns first);
 *  2. a method match; 3. most header matches; 4. most query parameter matches;
 *  5. the route hostname: most characters in a non-wildcard hostname, then in any hostname;
 *  6. the oldest route (creationTimestamp); 7. route `namespace/name` alphabetically;
 *  8. rule order, then match order within the route.
 * Hostnames only choose between equally specific matches: a request for `example.com` may be
 * served by a longer path of a `*.com` route rather than `/` of an `example.com` route
 * (conformance test HTTPRouteMatchingAcrossRoutes). Only routes whose hostname matches the
 * request compete at all, which is what Envoy's virtual host selection gives.
 *
 * GRPCRoute rules follow their own order (GRPCRouteRule.matches): hostname (non-wildcard, then
 * any), then characters of the service, then of the method, then header matches, then age and
 * `namespace/name`, then rule order. The two kinds never compete for a request (the compiler keeps
 * only one of an HTTPRoute and a GRPCRoute sharing a hostname), so HTTPRoute keys simply sort first.
 */
export interface PrecedenceKey {
  kind: 'HTTPRoute' | 'GRPCRoute';
  /** GRPCRoute: characters of the method match's service and method (0 when absent). */
  serviceChars: number;
  methodChars: number;
  pathType: PathMatchType;
  /** Characters of the path value as written (`/v2/` counts 4). */
  pathChars: number;
  hasMethod: boolean;
  headerCount: number;
  queryCount: number;
  /** Of the route's own hostname (not the listener intersection), as the spec recommends. */
  hostnameExactChars: number;
  hostnameChars: number;
  /** Milliseconds since the epoch; a route without a timestamp counts as the newest. */
  createdAt: number;
  routeId: string;
  ruleIndex: number;
  matchIndex: number;
  hostnameIndex: number;
}

const PATH_RANK: Record<PathMatchType, number> = { Exact: 3, PathPrefix: 2, RegularExpression: 1 };

export function creationTime(timestamp: string | undefined): number {
  const ms = timestamp === undefined ? Number.NaN : Date.parse(timestamp);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

/**
 * Gateway API's tie-break between two routes: the older (creation time, ms), then the first by
 * `namespace/name`. Negative when `a` wins.
 */
export function compareAgeThenName(aCreated: number, aName: string, bCreated: number, bName: string): number {
  return compareTime(aCreated, bCreated) || (aName < bName ? -1 : aName > bName ? 1 : 0);
}

/** Negative when `a` takes precedence over `b`. */
export function comparePrecedence(a: PrecedenceKey, b: PrecedenceKey): number {
  if (a.kind !== b.kind) return a.kind === 'HTTPRoute' ? -1 : 1;
  const specificity = a.kind === 'GRPCRoute' ? compareGrpcSpecificity(a, b) : compareHttpSpecificity(a, b);
  return (
    specificity ||
    compareAgeThenName(a.createdAt, a.routeId, b.createdAt, b.routeId) ||
    a.ruleIndex - b.ruleIndex ||
    a.matchIndex - b.matchIndex ||
    a.hostnameIndex - b.hostnameIndex
  );
}

function compareHttpSpecificity(a: PrecedenceKey, b: PrecedenceKey): number {
  return (
    PATH_RANK[b.pathType] - PATH_RANK[a.pathType] ||
    b.pathChars - a.pathChars ||
    Number(b.hasMethod) - Number(a.hasMethod) ||
    b.headerCount - a.headerCount ||
    b.queryCount - a.queryCount ||
    b.hostnameExactChars - a.hostnameExactChars ||
    b.hostnameChars - a.hostnameChars
  );
}

function compareGrpcSpecificity(a: PrecedenceKey, b: PrecedenceKey): number {
  return (
    b.hostnameExactChars - a.hostnameExactChars ||
    b.hostnameChars - a.hostnameChars ||
    b.serviceChars - a.serviceChars ||
    b.methodChars - a.methodChars ||
    b.headerCount - a.headerCount
  );
}

// Infinity - Infinity is NaN, which a comparator must never return.
function compareTime(a: number, b: number): number {
  return a === b ? 0 : a < b ? -1 : 1;
}
