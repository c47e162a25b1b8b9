/**
 * Gateway API HTTPRoute semantics, in one place: compiling routes into a precedence-ordered
 * table (control plane translator, simulator, analyzers) and matching requests against it,
 * picking backends and applying filters (waypoint, per request).
 */

export { type AttachableRoute, routeId, routeKindOf } from './attachment';
export { pickBackend, WeightedSequence } from './backend';
export { compileRouteTable, DEFAULT_RETRY_ATTEMPTS } from './compile';
export { defaultServiceRoute } from './default-route';
export { parseGatewayDuration } from './duration';
export { grpcMethodPath } from './grpc-method';
export { applyRequestHeaderModifier, applyResponseHeaderModifier, type HeaderModifierSpec } from './headers';
export { bindHostnames, hostnameCovers, hostWithoutPort, intersectHostname } from './hostname';
export {
  type HeaderRecord,
  matchRequest,
  type PreparedRouteTable,
  parseQueryParams,
  prepareRouteTable,
  type RouteMatchResult,
  type RouteRequest,
} from './match';
export { modifyPath, replacePathPrefix } from './path-modifier';
export { comparePrecedence, type PrecedenceKey } from './precedence';
export { computeRedirect, type RedirectRequest, rewriteUrl } from './redirect';
export { compileFullMatchRegex, regexProblem } from './regex';
export { isRejectedRequestPath, normalizeRequestPath } from './request-path';
export { matchCovers } from './shadowing';
export type * from './types';
export { unusableRouteAnswer, unusableRouteStatus } from './unusable';
