import type { RouteKind } from './types';

/**
 * What a request gets when its rule, or the backend picked for it, cannot be used: 500 for an
 * HTTPRoute; for a GRPCRoute the spec asks for gRPC UNAVAILABLE, which is what gRPC clients (and
 * Envoy's local replies) make of HTTP 503.
 */
export function unusableRouteStatus(kind: RouteKind): 500 | 503 {
  return kind === 'GRPCRoute' ? 503 : 500;
}

/** The same, as notes and analysis messages say it. */
export function unusableRouteAnswer(kind: RouteKind): string {
  return kind === 'GRPCRoute' ? '503 (gRPC UNAVAILABLE)' : '500';
}
