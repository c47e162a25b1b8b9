/**
 * Which HTTPRoute (or GRPCRoute) rule a waypoint applies to a request and where it may send it: the route table
 * the translator compiles for the service port, matched by the shared matcher the waypoint runs.
 */
import type { HeaderRecord, RouteParent } from '@ambit/shared/routing';
import { compileRouteTable, computeRedirect, defaultServiceRoute, matchRequest, prepareRouteTable } from '@ambit/shared/routing';
import type { MeshSnapshot, ServiceInfo } from '../registry/index';
import { backendResolver, backendResolvers, indexRoutesByParent, routesForServicePort, snapshotRoutes } from '../translate/route-tables';
import { findService, healthyEndpoints, serviceRef, workloadRef } from './path';
import type { RouteBackendChoice, RouteChoice } from './types';

export interface RoutedRequest {
  method: string;
  path: string;
  host: string;
  headers: HeaderRecord;
}

export function chooseRoute(snapshot: MeshSnapshot, service: ServiceInfo, port: number, request: RoutedRequest): RouteChoice {
  const servicePort = service.ports.find((p) => p.port === port && p.protocol === 'TCP');
  const compiled = servicePort
    ? routesForServicePort(snapshot, service, servicePort, indexRoutesByParent(snapshotRoutes(snapshot)), backendResolvers(snapshot))
    : undefined;
  const routes = compiled && compiled.attachedTo !== 'none' ? compiled.table.routes : [defaultServiceRoute(service, port)];
  const hit = matchRequest(prepareRouteTable(routes), {
    method: request.method,
    path: request.path,
    headers: { ...request.headers, host: request.host },
    host: request.host,
  });
  if (!hit) {
    const attached = compiled?.table.attached.join(', ') ?? '';
    return {
      route: attached,
      ruleIndex: -1,
      matchIndex: -1,
      action: 'NoMatch',
      status: 404,
      backends: [],
      reason: `no rule of ${attached || 'the attached routes'} matches ${request.method} ${request.path}`,
    };
  }
  const { route } = hit;
  const base = { route: route.source.route, ruleIndex: route.source.ruleIndex, matchIndex: route.source.matchIndex };
  const action = route.action;
  if (action.type === 'DirectResponse')
    return { ...base, action: 'DirectResponse', status: action.status, backends: [], reason: action.reason };
  const redirect = action.filters.find((f) => f.type === 'RequestRedirect');
  if (redirect) {
    // As the waypoint answers it: HTTP inside the tunnel, the Service port as the listener port.
    const prefix = route.match.path.type === 'PathPrefix' ? route.match.path.value : undefined;
    const { status, location } = computeRedirect({ scheme: 'http', host: request.host, path: request.path, port }, redirect, prefix);
    return { ...base, action: 'Redirect', status, location, backends: [], reason: `the rule redirects to ${location}` };
  }

  let total = 0;
  for (const b of action.backends) if (b.weight > 0) total += b.weight;
  const backends: RouteBackendChoice[] = action.backends.map((b) => {
    const choice: RouteBackendChoice = {
      service: `${b.namespace}/${b.name}`,
      weight: b.weight,
      share: total > 0 && b.weight > 0 ? b.weight / total : 0,
      endpoints: [],
    };
    if (b.port !== undefined) choice.port = b.port;
    if (b.invalid !== undefined) choice.invalid = b.invalid;
    else {
      try {
        choice.endpoints = healthyEndpoints(snapshot, findService(snapshot, choice.service)).map(workloadRef);
      } catch {
        choice.invalid = `service ${choice.service} does not exist`;
      }
    }
    if (choice.invalid !== undefined) choice.failStatus = action.unusableBackendStatus ?? 500;
    return choice;
  });
  if (total === 0) return { ...base, action: 'DirectResponse', status: 500, backends, reason: 'every backend has weight 0' };
  const where =
    base.route === 'default'
      ? `no HTTPRoute governs ${serviceRef(service)}:${port}; everything goes to the service`
      : `rule ${base.ruleIndex} of ${base.route}`;
  return {
    ...base,
    action: 'Forward',
    backends,
    reason: `${where} → ${backends
      .filter((b) => b.share > 0)
      .map((b) => `${b.service} ${Math.round(b.share * 100)}%`)
      .join(', ')}`,
  };
}

/**
 * GAMMA consumer routes that name this service port for clients of `clientNamespace` (HTTPRoutes in
 * that namespace attached to a Service of another one). The waypoint keeps one route table per
 * service port, the producer's, so these are not applied: the simulator says so instead of guessing.
 */
export function unappliedConsumerRoutes(snapshot: MeshSnapshot, service: ServiceInfo, port: number, clientNamespace: string): string[] {
  if (clientNamespace === service.namespace) return [];
  const servicePort = service.ports.find((p) => p.port === port && p.protocol === 'TCP');
  const candidates = snapshotRoutes(snapshot).filter((r) => (r.metadata.namespace ?? 'default') === clientNamespace);
  if (!servicePort || candidates.length === 0) return [];
  const parent: RouteParent = { kind: 'Service', namespace: service.namespace, name: service.name, port, clientNamespace };
  if (servicePort.name) parent.sectionName = servicePort.name;
  return compileRouteTable(candidates, parent, backendResolver(snapshot)).attached;
}
