import type { KubeObject } from '@ambit/shared';
import { type CompiledRoute, matchRequest, prepareRouteTable } from '@ambit/shared/routing';
import { packEnvoyResource, unpackEnvoyResource } from '@ambit/shared/xds';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatMessages } from '../src/analysis';
import { buildSnapshot, type MeshSnapshot, type ServiceInfo } from '../src/registry/index';
import { chooseRoute } from '../src/simulate/index';
import { apiResource, collectionPath, WATCHED_KINDS } from '../src/store/kubernetes/api-resources';
import { bookinfoSnapshot } from '../src/topology/test-fixtures';
import { routeConfiguration, routeTables, type ServicePortRoutes } from '../src/translate/index';
import { ambientMesh, namespace, only, pod, run, service, toService } from './analysis-fixtures';

// The waypoint's RDS decoder, loaded at run time: the control plane must not import the dataplane,
// so it stays out of this package's TypeScript project (as the dataplane's own round-trip test does).
const WAYPOINT_DECODER = '../../dataplane/src/waypoint/route-config';

interface WaypointRouteTable {
  routes: CompiledRoute[];
  unrouted: boolean;
}

let decodeRouteConfiguration: (config: unknown) => WaypointRouteTable;
beforeAll(async () => {
  ({ decodeRouteConfiguration } = (await import(/* @vite-ignore */ WAYPOINT_DECODER)) as {
    decodeRouteConfiguration: typeof decodeRouteConfiguration;
  });
});

function grpcRoute(name: string, spec: Record<string, unknown>, createdAt = '2024-01-01T00:00:00Z', ns = 'demo'): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GRPCRoute',
    metadata: { name, namespace: ns, creationTimestamp: createdAt },
    spec,
  };
}

const backend = (name: string, weight?: number) => (weight === undefined ? { name, port: 9080 } : { name, port: 9080, weight });

const echoServices = [
  service('echo', { app: 'echo' }),
  service('echo-v1', { app: 'echo', version: 'v1' }),
  service('echo-v2', { app: 'echo', version: 'v2' }),
  pod('echo-v1-0', { app: 'echo', version: 'v1' }),
  pod('echo-v2-0', { app: 'echo', version: 'v2' }),
];

const echoRoute = grpcRoute('echo', {
  parentRefs: [toService('echo')],
  rules: [
    { matches: [{ method: { service: 'echo.Echo', method: 'Say' } }], backendRefs: [backend('echo-v2')] },
    {
      matches: [{ method: { service: 'echo.Echo' }, headers: [{ name: 'x-version', value: 'v2' }] }],
      filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-routed', value: 'grpc' }] } }],
      backendRefs: [backend('echo-v2')],
    },
    { matches: [{ method: { service: 'echo.Echo' } }], backendRefs: [backend('echo-v1', 90), backend('echo-v2', 10)] },
    { matches: [{ method: { method: 'Check' } }], backendRefs: [backend('echo-v1')] },
    { matches: [{ method: { type: 'RegularExpression', service: 'admin\\..+', method: 'Get.*' } }], backendRefs: [backend('echo-v2')] },
    { matches: [{ method: { service: 'echo.Broken' } }] },
    { matches: [{ method: { service: 'echo.Missing' } }], backendRefs: [backend('echo-v9')] },
  ],
});

/** gRPC calls: every kind of method match, a header match, a rule without backends, and a miss. */
const CALLS: { path: string; headers?: Record<string, string> }[] = [
  { path: '/echo.Echo/Say' },
  { path: '/echo.Echo/Shout', headers: { 'x-version': 'v2' } },
  { path: '/echo.Echo/Shout' },
  { path: '/grpc.health.v1.Health/Check' },
  { path: '/admin.Users/GetUser' },
  { path: '/admin.Users/DeleteUser' },
  { path: '/echo.Broken/Any' },
  { path: '/echo.Missing/Any' },
];

function echoTable(snapshot: MeshSnapshot): ServicePortRoutes {
  const routes = routeTables(snapshot).find((r) => r.service.name === 'echo' && r.port.port === 9080);
  if (!routes) throw new Error('no route table for demo/echo:9080');
  return routes;
}

describe('GRPCRoutes through the registry, translator, waypoint decoder and simulator', () => {
  const snapshot = buildSnapshot([...ambientMesh(), ...echoServices, echoRoute]);
  const routes = echoTable(snapshot);
  const echo = snapshot.services.get('demo/echo.demo.svc.cluster.local') as ServiceInfo;

  it('reads GRPCRoutes into the snapshot and compiles them for the Service they name', () => {
    expect([...snapshot.grpcRoutes.keys()]).toEqual(['demo/echo']);
    expect(routes.attachedTo).toBe('Service');
    expect(routes.table.attached).toEqual(['GRPCRoute/demo/echo']);
    expect(routes.table.routes.map((r) => r.match.path)).toContainEqual({ type: 'Exact', value: '/echo.Echo/Say' });
  });

  it('round-trips through Envoy RDS into the very routes the waypoint runs', () => {
    const config = routeConfiguration(snapshot, routes);
    const decoded = decodeRouteConfiguration(unpackEnvoyResource(packEnvoyResource('envoy.config.route.v3.RouteConfiguration', config)));
    expect(decoded.unrouted).toBe(false);
    expect(decoded.routes).toEqual(routes.table.routes);
  });

  it('makes the waypoint and the simulator pick the same rule, backends and status for gRPC calls', () => {
    const config = routeConfiguration(snapshot, routes);
    const decoded = decodeRouteConfiguration(unpackEnvoyResource(packEnvoyResource('envoy.config.route.v3.RouteConfiguration', config)));
    const waypoint = prepareRouteTable(decoded.routes);
    const seen = CALLS.map(({ path, headers = {} }) => {
      const host = 'echo.demo.svc.cluster.local:9080';
      const request = { method: 'POST', path, headers: { ...headers, host, 'content-type': 'application/grpc' }, host };
      const hit = matchRequest(waypoint, request);
      const simulated = chooseRoute(snapshot, echo, 9080, { method: 'POST', path, host, headers: request.headers });
      const action = hit?.route.action;
      const atWaypoint = hit
        ? {
            rule: hit.route.source.ruleIndex,
            status: action?.type === 'DirectResponse' ? action.status : undefined,
            backends: action?.type === 'Forward' ? action.backends.map((b) => `${b.namespace}/${b.name}:${b.weight}`) : [],
          }
        : { rule: -1, status: 404, backends: [] };
      expect({
        rule: simulated.ruleIndex,
        status: simulated.status,
        backends: simulated.backends.map((b) => `${b.service}:${b.weight}`),
      }).toEqual(atWaypoint);
      return [path, atWaypoint.rule, atWaypoint.status ?? 'forward'];
    });
    expect(seen).toEqual([
      ['/echo.Echo/Say', 0, 'forward'],
      ['/echo.Echo/Shout', 1, 'forward'],
      ['/echo.Echo/Shout', 2, 'forward'],
      ['/grpc.health.v1.Health/Check', 3, 'forward'],
      ['/admin.Users/GetUser', 4, 'forward'],
      ['/admin.Users/DeleteUser', -1, 404],
      ['/echo.Broken/Any', 5, 503],
      ['/echo.Missing/Any', 6, 503],
    ]);
  });

  it('shows in the simulator what an invalid backend share answers: 503 (gRPC UNAVAILABLE) for a GRPCRoute, 500 for an HTTPRoute', () => {
    const rules = [{ backendRefs: [backend('echo-v1', 50), backend('echo-v9', 50)] }];
    const grpc = grpcRoute('split', { parentRefs: [toService('echo')], rules });
    const http: KubeObject = { ...grpc, apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' };
    const failing = (route: KubeObject) => {
      const snap = buildSnapshot([...ambientMesh(), ...echoServices, route]);
      const service = snap.services.get('demo/echo.demo.svc.cluster.local') as ServiceInfo;
      const choice = chooseRoute(snap, service, 9080, { method: 'POST', path: '/echo.Echo/Say', host: 'echo', headers: {} });
      return choice.backends.map((b) => [b.service, b.failStatus]);
    };
    expect(failing(grpc)).toEqual([
      ['demo/echo-v1', undefined],
      ['demo/echo-v9', 503],
    ]);
    expect(failing(http)).toEqual([
      ['demo/echo-v1', undefined],
      ['demo/echo-v9', 500],
    ]);
  });

  it('keeps an older HTTPRoute on the Service and leaves a newer GRPCRoute out', () => {
    const http: KubeObject = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'echo-http', namespace: 'demo', creationTimestamp: '2023-01-01T00:00:00Z' },
      spec: { parentRefs: [toService('echo')], rules: [{ backendRefs: [backend('echo-v1')] }] },
    };
    const both = echoTable(buildSnapshot([...ambientMesh(), ...echoServices, echoRoute, http]));
    expect(both.table.attached).toEqual(['demo/echo-http']);
    expect(both.table.notes.map((n) => n.code)).toContain('RouteKindConflict');
  });
});

describe('GRPCRoutes on a waypoint Gateway and ReferenceGrants', () => {
  const remote: KubeObject[] = [
    namespace('other'),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'echo-remote', namespace: 'other' },
      spec: { selector: { app: 'remote' }, ports: [{ name: 'grpc', port: 9080 }] },
    },
  ];
  const route = grpcRoute('details-grpc', {
    parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }],
    rules: [
      {
        backendRefs: [
          { name: 'details', port: 9080 },
          { name: 'echo-remote', namespace: 'other', port: 9080 },
        ],
      },
    ],
  });
  const grant = (kind: string): KubeObject => ({
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { name: `from-${kind.toLowerCase()}`, namespace: 'other' },
    spec: { from: [{ group: 'gateway.networking.k8s.io', kind, namespace: 'demo' }], to: [{ group: '', kind: 'Service' }] },
  });
  /** Whether the remote backend of the route on details' waypoint can be used. */
  const remoteBackend = (extra: KubeObject[]) => {
    const snapshot = bookinfoSnapshot({ waypoint: true, extra: [...remote, route, ...extra] });
    const table = routeTables(snapshot).find((t) => t.service.name === 'details' && t.port.port === 9080);
    expect(table?.attachedTo).toBe('Gateway');
    const action = table?.table.routes[0]?.action;
    if (action?.type !== 'Forward') throw new Error(`expected a forward, got ${JSON.stringify(action)}`);
    return action.backends[1]?.invalid ?? 'usable';
  };

  it('needs a grant from GRPCRoute, not from HTTPRoute, to use another namespace’s Service', () => {
    expect(remoteBackend([grant('GRPCRoute')])).toBe('usable');
    expect(remoteBackend([grant('HTTPRoute')])).toBe('Service other/echo-remote: RefNotPermitted');
  });

  it('keeps one of an HTTPRoute and a GRPCRoute whose hostnames intersect on the waypoint: same age, first by namespace/name', () => {
    const toWaypoint = [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }];
    const at = '2024-06-01T00:00:00Z';
    const web: KubeObject = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'b-web', namespace: 'demo', creationTimestamp: at },
      spec: { parentRefs: toWaypoint, hostnames: ['*.example.com'], rules: [{ backendRefs: [{ name: 'details', port: 9080 }] }] },
    };
    const rpc = grpcRoute(
      'a-rpc',
      { parentRefs: toWaypoint, hostnames: ['api.example.com'], rules: [{ backendRefs: [backend('details')] }] },
      at,
    );
    const table = routeTables(bookinfoSnapshot({ waypoint: true, extra: [web, rpc] })).find(
      (t) => t.service.name === 'details' && t.port.port === 9080,
    );
    expect(table?.attachedTo).toBe('Gateway');
    expect(table?.table.attached).toEqual(['GRPCRoute/demo/a-rpc']);
    expect(table?.table.notes.filter((n) => n.code === 'RouteKindConflict').map((n) => n.route)).toEqual(['demo/b-web']);
  });
});

describe('analysis: GRPCRoutes get the checks HTTPRoutes get', () => {
  it('reports a backend Service that does not exist, in istioctl form', () => {
    const route = grpcRoute('echo', {
      parentRefs: [toService('echo')],
      rules: [{ matches: [{ method: { service: 'echo.Echo' } }], backendRefs: [backend('echo-v1', 90), backend('echo-v4', 10)] }],
    });
    expect(formatMessages(only(run([...ambientMesh(), ...echoServices, route]), 'IST0101'))).toBe(
      'Error [IST0101] (GRPCRoute demo/echo) spec.rules[0].backendRefs[1]: Referenced Service demo/echo-v4 not found; its share of requests gets 503 (gRPC UNAVAILABLE)',
    );
  });

  it('pins the conflict on the route left out when an HTTPRoute and a GRPCRoute share a name (the Service name)', () => {
    const grpc = grpcRoute(
      'echo',
      { parentRefs: [toService('echo')], rules: [{ backendRefs: [backend('echo-v1')] }] },
      '2023-01-01T00:00:00Z',
    );
    const http: KubeObject = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'echo', namespace: 'demo', creationTimestamp: '2024-01-01T00:00:00Z' },
      spec: { parentRefs: [toService('echo')], rules: [{ backendRefs: [backend('echo-v1')] }] },
    };
    const conflicts = only(run([...ambientMesh(), ...echoServices, grpc, http]), 'AMB0014');
    expect(conflicts.map((m) => `${m.resource.kind} ${m.resource.namespace}/${m.resource.name}: ${m.message}`)).toEqual([
      'HTTPRoute demo/echo: GRPCRoute demo/echo is attached to the same parent with a common hostname and is older (or first by name); Gateway API accepts only one of an HTTPRoute and a GRPCRoute there, so this HTTPRoute is not used',
    ]);
  });

  it('reports a parentRef to a Service that does not exist, and one to a port the Service lacks', () => {
    const route = grpcRoute('echo', {
      parentRefs: [toService('nowhere'), { group: '', kind: 'Service', name: 'echo', port: 7070 }],
      rules: [{ backendRefs: [backend('echo-v1')] }],
    });
    const messages = only(run([...ambientMesh(), ...echoServices, route]), 'IST0101', 'AMB0014');
    expect(messages.map((m) => `${m.code} ${m.resource.kind} ${m.path}`)).toEqual([
      'IST0101 GRPCRoute spec.parentRefs[0]',
      'AMB0014 GRPCRoute spec.parentRefs[1]',
    ]);
  });

  it('reports a rule that earlier rules always win over, and a rule without backends', () => {
    const route = grpcRoute('echo', {
      parentRefs: [toService('echo')],
      rules: [
        { matches: [{ method: { service: 'echo.Echo' } }], backendRefs: [backend('echo-v1')] },
        { matches: [{ method: { service: 'echo.Echo' } }], backendRefs: [backend('echo-v2')] },
        { matches: [{ method: { service: 'echo.Other' } }] },
      ],
    });
    const messages = only(run([...ambientMesh(), ...echoServices, route]), 'IST0130', 'AMB0018');
    expect(messages.map((m) => `${m.code} ${m.path}`)).toEqual(['AMB0018 spec.rules[2]', 'IST0130 spec.rules[1]']);
    expect(messages[0]?.message).toBe('rule has no backendRefs; matching requests get 503 (gRPC UNAVAILABLE)');
  });

  it('reports the GRPCRoute an older HTTPRoute keeps off the same Service', () => {
    const http: KubeObject = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'echo-http', namespace: 'demo', creationTimestamp: '2023-01-01T00:00:00Z' },
      spec: { parentRefs: [toService('echo')], rules: [{ backendRefs: [backend('echo-v1')] }] },
    };
    const route = grpcRoute('echo', { parentRefs: [toService('echo')], rules: [{ backendRefs: [backend('echo-v2')] }] });
    const messages = only(run([...ambientMesh(), ...echoServices, http, route]), 'AMB0014');
    expect(messages.map((m) => `${m.resource.kind} ${m.resource.name} ${m.path}`)).toEqual(['GRPCRoute echo spec.parentRefs']);
    expect(messages[0]?.message).toMatch(/^HTTPRoute demo\/echo-http is attached to the same parent/);
  });
});

describe('GRPCRoutes in Kubernetes mode', () => {
  it('are listed and watched at gateway.networking.k8s.io/v1', () => {
    expect(WATCHED_KINDS).toContain('GRPCRoute');
    expect(collectionPath(apiResource('GRPCRoute'))).toBe('/apis/gateway.networking.k8s.io/v1/grpcroutes');
  });
});
