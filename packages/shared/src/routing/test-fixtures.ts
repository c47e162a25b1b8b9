import type { HttpRoute } from '../resources/gateway';
import type { GrpcRoute } from '../resources/grpc-route';
import type { AttachableRoute } from './attachment';
import { pickBackend } from './backend';
import { compileRouteTable } from './compile';
import { matchRequest, prepareRouteTable, type RouteRequest } from './match';
import { computeRedirect } from './redirect';
import type { BackendResolver, CompiledRouteTable, RouteCompileOptions, RouteParent } from './types';

/** Builders shared by the routing tests: routes, parents, and what a client would see. */

export function httpRoute(name: string, spec: HttpRoute['spec'], metadata: Partial<HttpRoute['metadata']> = {}): HttpRoute {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name, namespace: 'default', ...metadata }, spec };
}

export function grpcRoute(name: string, spec: GrpcRoute['spec'], metadata: Partial<GrpcRoute['metadata']> = {}): GrpcRoute {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute', metadata: { name, namespace: 'default', ...metadata }, spec };
}

export const reviewsService: RouteParent = { kind: 'Service', namespace: 'default', name: 'reviews', port: 9080 };

/** parentRefs entry attaching a route to `reviewsService`. */
export const toReviews = { group: '', kind: 'Service', name: 'reviews', port: 9080 };

/** A backendRef to Service `name` on port 9080. */
export function backend(name: string, weight?: number) {
  return weight === undefined ? { name, port: 9080 } : { name, port: 9080, weight };
}

export const everythingExists: BackendResolver = () => ({ exists: true });

export function compile(
  routes: readonly AttachableRoute[],
  parent: RouteParent = reviewsService,
  resolve: BackendResolver = everythingExists,
  options?: RouteCompileOptions,
): CompiledRouteTable {
  return compileRouteTable(routes, parent, resolve, options);
}

export type Outcome = { status: number; backend?: string; location?: string };

/** What a client sees for a request: the status, and which backend Service served it. */
export function outcome(table: CompiledRouteTable, request: Partial<RouteRequest> & { path: string }, random = () => 0): Outcome {
  const result = matchRequest(prepareRouteTable(table.routes), { method: 'GET', headers: {}, ...request });
  if (!result) return { status: 404 };
  const { action, match } = result.route;
  if (action.type === 'DirectResponse') return { status: action.status };
  const redirect = action.filters.find((f) => f.type === 'RequestRedirect');
  if (redirect) {
    const prefix = match.path.type === 'PathPrefix' ? match.path.value : undefined;
    return computeRedirect({ scheme: 'http', host: request.host ?? 'reviews', path: request.path, port: 9080 }, redirect, prefix);
  }
  const picked = pickBackend(action, random);
  if (!picked) return { status: 500 };
  if (picked.invalid !== undefined) return { status: action.unusableBackendStatus ?? 500 };
  return { status: 200, backend: picked.name };
}
