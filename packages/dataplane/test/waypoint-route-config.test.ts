// RDS round trip: HTTPRoutes → the shared compiler's table → the control plane's translator →
// protobuf bytes → protobufjs toObject → the waypoint's decoder → the same table again.
import { AMBIT_NETWORKING_GROUP, type HttpRoute } from '@ambit/shared';
import { AmbitError } from '@ambit/shared/errors';
import type { GrpcRoute } from '@ambit/shared/resources/grpc-route';
import {
  type BackendResolver,
  type CompiledRoute,
  type CompiledRouteTable,
  compileRouteTable,
  matchRequest,
  pickBackend,
  prepareRouteTable,
  type RouteParent,
} from '@ambit/shared/routing';
import type { RouteFault } from '@ambit/shared/xds';
import { packEnvoyResource, unpackEnvoyResource } from '@ambit/shared/xds';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeRouteConfiguration, type WaypointRouteTable } from '../src/waypoint/route-config';

// This is the only dataplane file that touches control-plane code, and only to check that the
// decoder inverts the real translator. The packages must not import each other, so it is loaded
// at run time (vitest resolves it) and stays out of the dataplane's TypeScript project.
const TRANSLATOR = '../../control-plane/src/translate/index';

interface FaultResolver {
  kinds: readonly { group: string; kind: string }[];
  resolve(ref: { group: string; kind: string; name: string }, namespace: string): RouteFault | undefined;
}

interface Translator {
  routeConfiguration(
    snapshot: unknown,
    routes: {
      service: { hostname: string };
      port: { port: number };
      table: CompiledRouteTable;
      attachedTo: 'Service' | 'Gateway' | 'none';
    },
    options?: { fault?: FaultResolver },
  ): Record<string, unknown>;
}

let translator: Translator;
beforeAll(async () => {
  translator = (await import(/* @vite-ignore */ TRANSLATOR)) as Translator;
});

const SNAPSHOT = { options: { domainSuffix: 'cluster.local' } };
const FAULT_KIND = { group: AMBIT_NETWORKING_GROUP, kind: 'FaultInjection' };
const SLOW: RouteFault = { delay: { fixedDelayMs: 500, percent: 50 }, abort: { httpStatus: 503, percent: 12.5 } };
const fault: FaultResolver = { kinds: [FAULT_KIND], resolve: (ref) => (ref.name === 'slow' ? SLOW : undefined) };
const exists: BackendResolver = (ref) => (ref.name === 'nowhere' ? { exists: false, reason: 'BackendNotFound' } : { exists: true });

function route(name: string, spec: HttpRoute['spec'], creationTimestamp = '2024-01-01T00:00:00Z'): HttpRoute {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name, namespace: 'demo', creationTimestamp }, spec };
}

const toProductpage = [{ group: '', kind: 'Service', name: 'productpage', port: 9080 }];
const productpage: RouteParent = { kind: 'Service', namespace: 'demo', name: 'productpage', port: 9080 };

type Attachment = 'Service' | 'Gateway' | 'none';

/** The wire trip a waypoint sees: translate, encode, decode as protobufjs' toObject does, then our decoder. */
function roundTrip(table: CompiledRouteTable, hostname: string, port: number, attachedTo: Attachment = 'Service', foreign = false) {
  const config = translator.routeConfiguration(SNAPSHOT, { service: { hostname }, port: { port }, table, attachedTo }, { fault });
  // Another control plane: the same Envoy resource without Ambit's route metadata.
  if (foreign)
    for (const vhost of config.virtualHosts as { routes: Record<string, unknown>[] }[]) for (const r of vhost.routes) delete r.metadata;
  const wire = packEnvoyResource('envoy.config.route.v3.RouteConfiguration', config);
  return decodeRouteConfiguration(unpackEnvoyResource(wire));
}

describe('decodeRouteConfiguration inverts the translator', () => {
  const rules = route('productpage-rules', {
    parentRefs: toProductpage,
    rules: [
      {
        name: 'api',
        matches: [{ path: { type: 'PathPrefix', value: '/api/v1' }, headers: [{ name: 'X-Canary', value: 'yes' }], method: 'GET' }],
        filters: [
          {
            type: 'RequestHeaderModifier',
            requestHeaderModifier: {
              set: [{ name: 'x-route', value: 'canary' }],
              add: [{ name: 'X-Trace', value: '1' }],
              remove: ['x-debug'],
            },
          },
          { type: 'ResponseHeaderModifier', responseHeaderModifier: { set: [{ name: 'x-served-by', value: 'waypoint' }] } },
          { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v1' } } },
          { type: 'RequestMirror', requestMirror: { backendRef: { name: 'reviews-v3', port: 9080 }, percent: 25 } },
        ],
        backendRefs: [{ name: 'productpage', port: 9080 }],
        timeouts: { request: '10s', backendRequest: '2s' },
        retry: { attempts: 3, codes: [503, 504], backoff: '100ms' },
      },
      {
        matches: [{ path: { type: 'Exact', value: '/old' } }],
        filters: [
          { type: 'RequestRedirect', requestRedirect: { path: { type: 'ReplaceFullPath', replaceFullPath: '/new' }, statusCode: 301 } },
        ],
      },
      {
        matches: [{ path: { type: 'PathPrefix', value: '/fault' } }],
        filters: [{ type: 'ExtensionRef', extensionRef: { ...FAULT_KIND, name: 'slow' } }],
        backendRefs: [{ name: 'productpage', port: 9080 }],
        timeouts: { request: '1500ms' },
      },
      { matches: [{ path: { type: 'PathPrefix', value: '/missing' } }], backendRefs: [{ name: 'nowhere', port: 9080 }] },
      {
        matches: [
          { path: { type: 'PathPrefix', value: '/split' }, queryParams: [{ name: 'v', type: 'RegularExpression', value: '[23]' }] },
        ],
        backendRefs: [
          { name: 'reviews-v2', port: 9080, weight: 1 },
          {
            name: 'reviews-v3',
            port: 9080,
            weight: 3,
            filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: { set: [{ name: 'x-version', value: 'v3' }] } }],
          },
        ],
      },
      {
        matches: [
          {
            path: { type: 'RegularExpression', value: '/items/[0-9]+' },
            method: 'POST',
            headers: [{ name: 'x-tenant', type: 'RegularExpression', value: 'a|b' }],
          },
        ],
        backendRefs: [{ name: 'reviews-v1', port: 9080 }],
      },
      {
        matches: [{ path: { type: 'PathPrefix', value: '/host' } }],
        filters: [
          { type: 'URLRewrite', urlRewrite: { hostname: 'internal.example', path: { type: 'ReplaceFullPath', replaceFullPath: '/' } } },
        ],
        backendRefs: [{ name: 'details', port: 9080 }],
      },
      {
        matches: [{ path: { type: 'PathPrefix', value: '/strip' } }],
        filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }],
        backendRefs: [{ name: 'details', port: 9080 }],
      },
      { matches: [{ path: { type: 'PathPrefix', value: '/empty' } }] },
      {
        matches: [{ path: { type: 'PathPrefix', value: '/moved' } }],
        filters: [
          {
            type: 'RequestRedirect',
            requestRedirect: {
              scheme: 'https',
              hostname: 'moved.example',
              port: 8443,
              path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' },
              statusCode: 302,
            },
          },
        ],
      },
      {
        matches: [{ path: { type: 'PathPrefix', value: '/shadowed' } }],
        filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'ratings', port: 9080 } } }],
        backendRefs: [
          { name: 'details', port: 9080, weight: 2 },
          { name: 'ratings', port: 9080, weight: 1 },
        ],
        retry: { attempts: 1 },
        timeouts: { request: '3s' },
      },
    ],
  });
  const ab = route(
    'reviews-ab',
    {
      parentRefs: toProductpage,
      rules: [{ matches: [{ headers: [{ name: 'end-user', value: 'jason' }] }], backendRefs: [{ name: 'reviews-v2', port: 9080 }] }],
    },
    '2023-06-01T00:00:00Z',
  );
  const compiled = compileRouteTable([rules, ab], productpage, exists, { extensionKinds: [FAULT_KIND] });
  let decoded: WaypointRouteTable;
  beforeAll(() => {
    decoded = roundTrip(compiled, 'productpage.demo.svc.cluster.local', 9080);
  });

  it('gives back the compiled table, route for route, for a Service parent', () => {
    expect(compiled.notes.filter((n) => n.level === 'error')).toEqual([]);
    expect(decoded.name).toBe('productpage.demo.svc.cluster.local:9080');
    expect(decoded.unrouted).toBe(false);
    expect(decoded.routes).toHaveLength(12);
    expect(decoded.routes).toEqual(compiled.routes);
  });

  it('turns the ExtensionRef fault into the fault of that route, and of no other', () => {
    const faulty = decoded.routes.find((r) => r.source.ruleIndex === 2 && r.source.route === 'demo/productpage-rules') as CompiledRoute;
    expect(decoded.faults.get(faulty)).toEqual(SLOW);
    expect(decoded.faults.size).toBe(1);
  });

  it('orders hostname-bound routes of a Gateway parent as the compiler does', () => {
    const waypoint: RouteParent = { kind: 'Gateway', namespace: 'demo', name: 'waypoint', port: 15008, sectionName: 'mesh' };
    const toWaypoint = [{ name: 'waypoint', sectionName: 'mesh' }];
    const backend = (name: string) => [{ name, port: 9080 }];
    const routes = [
      route('a-wild', {
        parentRefs: toWaypoint,
        hostnames: ['*.example.com', 'foo.example.com'],
        rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/a' } }], backendRefs: backend('svc-a') },
          { matches: [{ path: { type: 'Exact', value: '/x' } }], backendRefs: backend('svc-x') },
        ],
      }),
      route('b-foo', { parentRefs: toWaypoint, hostnames: ['foo.example.com'], rules: [{ backendRefs: backend('svc-b') }] }),
      route('c-any', {
        parentRefs: toWaypoint,
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/b' } }], backendRefs: backend('svc-c') }],
      }),
      route('d-mixed', {
        parentRefs: toWaypoint,
        hostnames: ['bar.example.com', '*.other.com'],
        rules: [{ matches: [{ path: { type: 'Exact', value: '/a' } }], backendRefs: backend('svc-d') }],
      }),
      route('e-deep', { parentRefs: toWaypoint, hostnames: ['*.a.example.com'], rules: [{ backendRefs: backend('svc-e') }] }),
    ];
    const table = compileRouteTable(routes, waypoint, exists);
    expect(table.routes.length).toBe(9);
    const back = roundTrip(table, 'productpage.demo.svc.cluster.local', 9080, 'Gateway');
    expect(back.routes).toEqual(table.routes);
  });

  it('brings back from the route metadata what Envoy alone cannot carry: weight-0 and unusable backends, timeouts, ExtensionRefs', () => {
    const lossy = route('lossy', {
      parentRefs: toProductpage,
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/weighted/' } }],
          filters: [
            { type: 'ExtensionRef', extensionRef: { ...FAULT_KIND, name: 'slow' } },
            { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-a', value: '1' }] } },
          ],
          backendRefs: [
            { name: 'details', port: 9080, weight: 5 },
            {
              name: 'ratings',
              port: 9080,
              weight: 0,
              filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { remove: ['x-a'] } }],
            },
          ],
          timeouts: { request: '10s', backendRequest: '2s' },
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/half' } }],
          backendRefs: [
            { name: 'details', port: 9080, weight: 1, filters: [{ type: 'ExtensionRef', extensionRef: { ...FAULT_KIND, name: 'slow' } }] },
            { name: 'nowhere', port: 9080, weight: 1 },
            { name: 'reviews', port: 9080, weight: 2, filters: [{ type: 'ExtensionRef', extensionRef: { ...FAULT_KIND, name: 'gone' } }] },
          ],
        },
      ],
    });
    const table = compileRouteTable([lossy], productpage, exists, { extensionKinds: [FAULT_KIND] });
    const back = roundTrip(table, 'productpage.demo.svc.cluster.local', 9080);
    const [weighted, half] = back.routes as [CompiledRoute, CompiledRoute];
    // The reviews backend's fault does not exist: the control plane answers its share with 500, and says why.
    const expected = structuredClone(table.routes);
    const backendsOf = (route: CompiledRoute | undefined) =>
      (route?.action as { backends: { invalid?: string }[] } | undefined)?.backends ?? [];
    (backendsOf(expected[1])[2] as { invalid?: string }).invalid = 'ExtensionRef FaultInjection gone not found';
    expect(back.routes).toEqual(expected);
    expect(back.faults.get(weighted)).toEqual(SLOW);
    expect(back.faults.get(backendsOf(half)[0] as never)).toEqual(SLOW);
    expect(back.faults.size).toBe(2);
  });

  it('gives back a backendRef’s Host rewrite from its ClusterWeight, and a filter Envoy has only per route as that backend’s 500', () => {
    const perBackend = route('per-backend', {
      parentRefs: toProductpage,
      rules: [
        {
          backendRefs: [
            {
              name: 'details',
              port: 9080,
              weight: 2,
              filters: [
                {
                  type: 'RequestHeaderModifier',
                  requestHeaderModifier: {
                    set: [
                      { name: 'x-env', value: 'prod' },
                      { name: 'Host', value: 'details.internal' },
                    ],
                  },
                },
              ],
            },
            { name: 'ratings', port: 9080, weight: 1, filters: [{ type: 'URLRewrite', urlRewrite: { hostname: 'ratings.internal' } }] },
            {
              name: 'reviews-v1',
              port: 9080,
              weight: 1,
              filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/v1' } } }],
            },
            {
              name: 'reviews-v2',
              port: 9080,
              weight: 1,
              filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'reviews-v3', port: 9080 } } }],
            },
          ],
        },
      ],
    });
    const table = compileRouteTable([perBackend], productpage, exists);
    const back = roundTrip(table, 'productpage.demo.svc.cluster.local', 9080);
    // What the simulator evaluates is what the waypoint runs, backend filters included.
    expect(back.routes).toEqual(table.routes);
    const action = back.routes[0]?.action;
    if (action?.type !== 'Forward') throw new Error('the route does not forward');
    expect(action.backends.map((b) => [b.filters, b.invalid !== undefined])).toEqual([
      [
        [
          { type: 'RequestHeaderModifier', set: [{ name: 'x-env', value: 'prod' }], add: [], remove: [] },
          { type: 'URLRewrite', hostname: 'details.internal' },
        ],
        false,
      ],
      [[{ type: 'URLRewrite', hostname: 'ratings.internal' }], false],
      [[], true],
      [[], true],
    ]);
  });

  it('without Ambit’s route metadata (another control plane) decodes the canonical form, routing every request the same way', () => {
    const lossy = route('lossy', {
      parentRefs: toProductpage,
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/weighted/' } }],
          backendRefs: [
            { name: 'details', port: 9080, weight: 5 },
            { name: 'ratings', port: 9080, weight: 0 },
          ],
          timeouts: { request: '10s', backendRequest: '2s' },
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/half' } }],
          backendRefs: [
            { name: 'details', port: 9080, weight: 1 },
            { name: 'nowhere', port: 9080, weight: 1 },
          ],
        },
      ],
    });
    const table = compileRouteTable([lossy], productpage, exists);
    const back = roundTrip(table, 'productpage.demo.svc.cluster.local', 9080, 'Service', true);
    const [weighted, half] = back.routes;
    expect(weighted?.action).toMatchObject({ backends: [{ name: 'details', weight: 1 }], timeouts: { requestMs: 2000 } });
    expect(half?.action).toMatchObject({
      backends: [
        { name: 'details', weight: 1 },
        { weight: 1, invalid: expect.any(String) },
      ],
    });

    const original = prepareRouteTable(table.routes);
    const decodedTable = prepareRouteTable(back.routes);
    for (const path of ['/weighted', '/weighted/x', '/half', '/half/y', '/other']) {
      for (const roll of [0, 0.25, 0.49, 0.5, 0.75, 0.99]) {
        const outcome = (t: typeof original) => {
          const hit = matchRequest(t, { method: 'GET', path, headers: {} });
          if (!hit) return 404;
          if (hit.route.action.type !== 'Forward') return hit.route.action.status;
          const backend = pickBackend(hit.route.action, () => roll);
          return backend?.invalid === undefined ? backend?.name : 500;
        };
        expect(outcome(decodedTable), `${path} at ${roll}`).toEqual(outcome(original));
      }
    }
  });

  it('says when no HTTPRoute governs the port: requests go to the service as addressed', () => {
    const none = compileRouteTable([], productpage, exists);
    const back = roundTrip(none, 'ratings.demo.svc.cluster.local', 9080, 'none');
    expect(back).toMatchObject({ name: 'ratings.demo.svc.cluster.local:9080', routes: [], unrouted: true });
  });

  it('refuses encodings it cannot honour exactly, naming the field', () => {
    const config = {
      name: 'x.demo.svc.cluster.local:80',
      virtualHosts: [
        {
          name: 'x',
          domains: ['*'],
          routes: [{ name: 'r', match: { prefix: '/api' }, route: { cluster: 'outbound|80||x.demo.svc.cluster.local' } }],
        },
      ],
    };
    expect(() => decodeRouteConfiguration(config)).toThrow(AmbitError);
    try {
      decodeRouteConfiguration(config);
    } catch (error) {
      expect((error as AmbitError).details[0]?.path).toBe('virtualHosts[0].routes[0].match');
    }
    const append = structuredClone(config) as { virtualHosts: { routes: Record<string, unknown>[] }[] };
    const r = append.virtualHosts[0]?.routes[0] as Record<string, unknown>;
    r.match = { prefix: '/' };
    r.requestHeadersToAdd = [{ header: { key: 'a', value: 'b' }, appendAction: 'ADD_IF_ABSENT' }];
    expect(() => decodeRouteConfiguration(append)).toThrow(/append action ADD_IF_ABSENT/);
  });
});

describe("a GRPCRoute's invalid backendRef share", () => {
  const grpc: GrpcRoute = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GRPCRoute',
    metadata: { name: 'greeter', namespace: 'demo', creationTimestamp: '2024-01-01T00:00:00Z' },
    spec: {
      parentRefs: toProductpage,
      rules: [
        {
          backendRefs: [
            { name: 'reviews-v2', port: 9080, weight: 1 },
            { name: 'nowhere', port: 9080, weight: 1 },
          ],
        },
      ],
    },
  };
  const compiled = compileRouteTable([grpc], productpage, exists);

  it('is answered 503 (gRPC UNAVAILABLE) in the compiled table, in Envoy RDS and in the table the waypoint decodes', () => {
    expect(compiled.routes[0]?.action).toMatchObject({ type: 'Forward', unusableBackendStatus: 503 });
    const decoded = roundTrip(compiled, 'productpage.demo.svc.cluster.local', 9080);
    expect(decoded.routes).toEqual(compiled.routes);
    // Without Ambit's route metadata only Envoy's form is left: the share's ClusterWeight aborts with 503.
    const foreign = roundTrip(compiled, 'productpage.demo.svc.cluster.local', 9080, 'Service', true);
    expect(foreign.routes[0]?.action).toMatchObject({ type: 'Forward', unusableBackendStatus: 503 });
  });

  it('stays 500 for the same backendRefs in an HTTPRoute', () => {
    const http = route('web', { parentRefs: toProductpage, rules: grpc.spec.rules as HttpRoute['spec']['rules'] });
    const table = compileRouteTable([http], productpage, exists);
    const decoded = roundTrip(table, 'productpage.demo.svc.cluster.local', 9080);
    expect(decoded.routes).toEqual(table.routes);
    expect(decoded.routes[0]?.action.type === 'Forward' && decoded.routes[0].action.unusableBackendStatus).toBeUndefined();
  });
});
