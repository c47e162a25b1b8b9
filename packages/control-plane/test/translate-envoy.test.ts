// Snapshot → Envoy resources for waypoints and proxyless gRPC, decoded back with protobufjs and
// checked field by field.
import type { KubeObject } from '@ambit/shared';
import type { CompiledBackend, CompiledFilter, CompiledRouteTable } from '@ambit/shared/routing';
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../src/registry/index';
import { bookinfoObjects } from '../src/registry/test-fixtures';
import { simulate } from '../src/simulate/index';
import { bookinfoSnapshot } from '../src/topology/test-fixtures';
import {
  type FaultResolver,
  routeConfiguration,
  routeTables,
  toClusters,
  toListeners,
  toLoadAssignments,
  toRouteConfigurations,
} from '../src/translate/index';
import { type Any, envoySchemas, structToJson, TypeUrl } from '../src/xds/index';

// biome-ignore lint/suspicious/noExplicitAny: decoded protobuf JSON is walked freely in assertions
type Json = Record<string, any>;

/** google.protobuf.Duration as protobufjs decodes it. */
function ms(value: number): Json {
  return { seconds: Math.floor(value / 1000), nanos: (value % 1000) * 1_000_000 };
}

/** Decodes an Any the way a client would, nested Anys included (as `@type` objects). */
function decode(any: Any | undefined): Json {
  if (!any) throw new Error('resource missing');
  const type = envoySchemas().lookupType(any.typeUrl.slice(any.typeUrl.lastIndexOf('/') + 1));
  return type.toObject(type.decode(any.value), { enums: String, longs: Number, json: true }) as Json;
}

const productpageRules: KubeObject = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'productpage-rules', namespace: 'demo', creationTimestamp: '2024-01-01T00:00:00Z' },
  spec: {
    parentRefs: [{ kind: 'Service', group: '', name: 'productpage', port: 9080 }],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: '/api/v1' }, headers: [{ name: 'X-Canary', value: 'yes' }], method: 'GET' }],
        filters: [
          {
            type: 'RequestHeaderModifier',
            requestHeaderModifier: {
              set: [{ name: 'x-route', value: 'canary' }],
              add: [{ name: 'x-trace', value: '1' }],
              remove: ['x-debug'],
            },
          },
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
        filters: [{ type: 'ExtensionRef', extensionRef: { group: 'ambit.dev', kind: 'FaultInjection', name: 'slow' } }],
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
          { name: 'reviews-v1', port: 9080, weight: 0 },
        ],
      },
    ],
  },
};

const fault: FaultResolver = {
  kinds: [{ group: 'ambit.dev', kind: 'FaultInjection' }],
  resolve: (ref, namespace) =>
    ref.name === 'slow' && namespace === 'demo'
      ? { delay: { fixedDelayMs: 500, percent: 50 }, abort: { httpStatus: 503, percent: 12.5 } }
      : undefined,
};

const snapshot = buildSnapshot([...bookinfoObjects(['route-reviews-90-10.yaml']), productpageRules]);

/** A ClusterWeight's or Route's fault filter config answering every request with 500. */
const abort500 = {
  'envoy.filters.http.fault': {
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
    abort: { httpStatus: 500, percentage: { numerator: 1000000, denominator: 'MILLION' } },
  },
};

describe('RouteConfiguration', () => {
  const routes = toRouteConfigurations(snapshot, { fault });

  it('is named like the listener, one per service port, with Envoy’s type URL', () => {
    expect([...routes.keys()]).toEqual([
      'details.demo.svc.cluster.local:9080',
      'productpage.demo.svc.cluster.local:9080',
      'ratings.demo.svc.cluster.local:9080',
      'reviews-v1.demo.svc.cluster.local:9080',
      'reviews-v2.demo.svc.cluster.local:9080',
      'reviews-v3.demo.svc.cluster.local:9080',
      'reviews.demo.svc.cluster.local:9080',
    ]);
    expect(routes.get('reviews.demo.svc.cluster.local:9080')?.typeUrl).toBe(TypeUrl.routeConfiguration);
  });

  it('splits reviews 90/10 with weighted clusters (route-reviews-90-10.yaml)', () => {
    const config = decode(routes.get('reviews.demo.svc.cluster.local:9080'));
    expect(config.virtualHosts).toHaveLength(1);
    expect(config.virtualHosts[0].domains).toEqual(['*']);
    const [route] = config.virtualHosts[0].routes;
    expect(route.match).toEqual({ prefix: '/' });
    expect(route.route.weightedClusters).toEqual({
      clusters: [
        { name: 'outbound|9080||reviews-v1.demo.svc.cluster.local', weight: { value: 90 } },
        { name: 'outbound|9080||reviews-v2.demo.svc.cluster.local', weight: { value: 10 } },
      ],
      totalWeight: { value: 100 },
    });
    expect(structToJson(route.metadata.filterMetadata['ambit.dev/route'])).toEqual({
      route: 'demo/reviews',
      ruleIndex: 0,
      matchIndex: 0,
      path: { type: 'PathPrefix', value: '/' },
      // Every backendRef and the timeouts as written, so the waypoint decodes exactly this rule.
      backends: [
        { group: '', kind: 'Service', name: 'reviews-v1', namespace: 'demo', port: 9080, weight: 90 },
        { group: '', kind: 'Service', name: 'reviews-v2', namespace: 'demo', port: 9080, weight: 10 },
      ],
      timeouts: {},
    });
  });

  it('sends a service without routes to itself, with no timeout', () => {
    const config = decode(routes.get('ratings.demo.svc.cluster.local:9080'));
    expect(config.virtualHosts[0].routes).toEqual([
      { name: 'default', match: { prefix: '/' }, route: { cluster: 'outbound|9080||ratings.demo.svc.cluster.local', timeout: ms(0) } },
    ]);
  });

  const productpage = decode(routes.get('productpage.demo.svc.cluster.local:9080')).virtualHosts[0].routes as Json[];
  const byName = (name: string) => productpage.find((r) => r.name === name) as Json;

  it('orders routes by Gateway API precedence', () => {
    expect(productpage.map((r) => r.name)).toEqual([
      'demo/productpage-rules/1/0', // Exact /old
      'demo/productpage-rules/3/0', // PathPrefix /missing (8)
      'demo/productpage-rules/0/0', // PathPrefix /api/v1 (7)
      'demo/productpage-rules/4/0', // PathPrefix /split (6), query match
      'demo/productpage-rules/2/0', // PathPrefix /fault (6)
    ]);
  });

  it('matches prefixes segment-wise, headers, methods and query parameters', () => {
    const api = byName('demo/productpage-rules/0/0');
    expect(api.match).toEqual({
      safeRegex: { regex: '/api/v1(/.*)?' },
      headers: [
        { name: 'x-canary', stringMatch: { exact: 'yes' } },
        { name: ':method', stringMatch: { exact: 'GET' } },
      ],
    });
    expect(byName('demo/productpage-rules/1/0').match).toEqual({ path: '/old' });
    expect(byName('demo/productpage-rules/4/0').match).toEqual({
      safeRegex: { regex: '/split(/.*)?' },
      queryParameters: [{ name: 'v', stringMatch: { safeRegex: { regex: '[23]' } } }],
    });
  });

  it('carries retries, timeouts, header changes, rewrites and mirrors', () => {
    const api = byName('demo/productpage-rules/0/0');
    expect(api.requestHeadersToAdd).toEqual([
      { header: { key: 'x-route', value: 'canary' }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      { header: { key: 'x-trace', value: '1' }, appendAction: 'APPEND_IF_EXISTS_OR_ADD' },
    ]);
    expect(api.requestHeadersToRemove).toEqual(['x-debug']);
    expect(api.route).toEqual({
      cluster: 'outbound|9080||productpage.demo.svc.cluster.local',
      timeout: ms(10_000),
      regexRewrite: { pattern: { regex: '/api/v1(/.*)?' }, substitution: '/v1\\1' },
      requestMirrorPolicies: [
        {
          cluster: 'outbound|9080||reviews-v3.demo.svc.cluster.local',
          runtimeFraction: { defaultValue: { numerator: 250000, denominator: 'MILLION' } },
        },
      ],
      retryPolicy: {
        retryOn: 'connect-failure,refused-stream,reset,retriable-status-codes,unavailable,deadline-exceeded',
        numRetries: { value: 3 },
        retriableStatusCodes: [503, 504],
        perTryTimeout: ms(2_000),
        retryBackOff: { baseInterval: ms(100) },
      },
    });
  });

  it('redirects without a backend', () => {
    expect(byName('demo/productpage-rules/1/0').redirect).toEqual({ pathRedirect: '/new', responseCode: 'MOVED_PERMANENTLY' });
    expect(byName('demo/productpage-rules/1/0').route).toBeUndefined();
  });

  it('injects faults from an ExtensionRef through the resolver', () => {
    const faulty = byName('demo/productpage-rules/2/0');
    expect(faulty.typedPerFilterConfig['envoy.filters.http.fault']).toEqual({
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
      delay: { fixedDelay: ms(500), percentage: { numerator: 500000, denominator: 'MILLION' } },
      abort: { httpStatus: 503, percentage: { numerator: 125000, denominator: 'MILLION' } },
    });
    expect(faulty.route.timeout).toEqual(ms(1_500));
  });

  it('fails requests with 500 for a missing backend, and for an ExtensionRef nobody resolves', () => {
    const missing = byName('demo/productpage-rules/3/0');
    // A fault abort on the service's own cluster: Envoy answers 500, gRPC accepts it (no direct_response).
    expect(missing.route).toEqual({ cluster: 'outbound|9080||productpage.demo.svc.cluster.local', timeout: ms(0) });
    expect(missing.typedPerFilterConfig).toEqual(abort500);
    expect(structToJson(missing.metadata.filterMetadata['ambit.dev/route']).directResponse).toEqual({
      status: 500,
      reason: 'Service demo/nowhere: BackendNotFound',
    });
    const unresolved = decode(toRouteConfigurations(snapshot).get('productpage.demo.svc.cluster.local:9080')).virtualHosts[0].routes.find(
      (r: Json) => r.name === 'demo/productpage-rules/2/0',
    );
    expect(unresolved.typedPerFilterConfig).toEqual(abort500);
  });

  it('answers 500 for the share of a weighted backend that does not exist', () => {
    const withMissing: KubeObject = {
      ...productpageRules,
      metadata: { name: 'half-missing', namespace: 'demo' },
      spec: {
        parentRefs: [{ kind: 'Service', name: 'details', port: 9080 }],
        rules: [
          {
            backendRefs: [
              { name: 'details', port: 9080, weight: 1 },
              { name: 'gone', port: 9080, weight: 1 },
            ],
          },
        ],
      },
    };
    const config = decode(
      toRouteConfigurations(buildSnapshot([...bookinfoObjects(), withMissing])).get('details.demo.svc.cluster.local:9080'),
    );
    expect(config.virtualHosts[0].routes[0].route.weightedClusters.clusters).toEqual([
      { name: 'outbound|9080||details.demo.svc.cluster.local', weight: { value: 1 } },
      { name: 'outbound|9080||details.demo.svc.cluster.local', weight: { value: 1 }, typedPerFilterConfig: abort500 },
    ]);
  });

  it('splits by weight with per-backend response headers, leaving out weight 0', () => {
    expect(byName('demo/productpage-rules/4/0').route.weightedClusters).toEqual({
      clusters: [
        { name: 'outbound|9080||reviews-v2.demo.svc.cluster.local', weight: { value: 1 } },
        {
          name: 'outbound|9080||reviews-v3.demo.svc.cluster.local',
          weight: { value: 3 },
          responseHeadersToAdd: [{ header: { key: 'x-version', value: 'v3' }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
        },
      ],
      totalWeight: { value: 4 },
    });
  });
});

describe('filters on a backendRef', () => {
  const reviewsFilters: KubeObject = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'reviews-filters', namespace: 'demo', creationTimestamp: '2024-01-01T00:00:00Z' },
    spec: {
      parentRefs: [{ kind: 'Service', group: '', name: 'reviews', port: 9080 }],
      rules: [
        {
          backendRefs: [
            {
              name: 'reviews-v1',
              port: 9080,
              weight: 2,
              filters: [
                {
                  type: 'RequestHeaderModifier',
                  requestHeaderModifier: {
                    set: [
                      { name: 'Host', value: 'reviews.internal' },
                      { name: 'x-env', value: 'prod' },
                    ],
                  },
                },
              ],
            },
            {
              name: 'reviews-v2',
              port: 9080,
              weight: 1,
              filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/v2' } } }],
            },
            {
              name: 'reviews-v3',
              port: 9080,
              weight: 1,
              filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'ratings', port: 9080 } } }],
            },
          ],
        },
      ],
    },
  };
  const mesh = bookinfoSnapshot({ waypoint: true, extra: [reviewsFilters] });
  const envoyRoute = decode(toRouteConfigurations(mesh).get('reviews.demo.svc.cluster.local:9080')).virtualHosts[0].routes[0] as Json;
  const clusters = envoyRoute.route.weightedClusters.clusters as Json[];

  it('rewrites the Host on the backend’s ClusterWeight (host_rewrite_literal), beside its header changes', () => {
    expect(clusters[0]).toEqual({
      name: 'outbound|9080||reviews-v1.demo.svc.cluster.local',
      weight: { value: 2 },
      requestHeadersToAdd: [{ header: { key: 'x-env', value: 'prod' }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
      hostRewriteLiteral: 'reviews.internal',
    });
  });

  it('answers 500 for the share of a backend whose URLRewrite path or RequestMirror Envoy cannot apply per backend, and says why', () => {
    expect(clusters.slice(1)).toEqual([
      { name: 'outbound|9080||reviews.demo.svc.cluster.local', weight: { value: 1 }, typedPerFilterConfig: abort500 },
      { name: 'outbound|9080||reviews.demo.svc.cluster.local', weight: { value: 1 }, typedPerFilterConfig: abort500 },
    ]);
    // Nothing moved to the route, where it would apply to every backend.
    expect(envoyRoute.route.regexRewrite).toBeUndefined();
    expect(envoyRoute.route.requestMirrorPolicies).toBeUndefined();
    const backends = structToJson(envoyRoute.metadata.filterMetadata['ambit.dev/route']).backends as Json[];
    expect(backends.map((b) => [b.name, b.invalid])).toEqual([
      ['reviews-v1', undefined],
      ['reviews-v2', expect.stringContaining('a URLRewrite path cannot apply to one backendRef')],
      ['reviews-v3', expect.stringContaining('RequestMirror cannot apply to one backendRef')],
    ]);
  });

  /** What a ClusterWeight does to the requests it carries, in the compiled table's terms (null: answers 500). */
  function clusterEffect(cluster: Json): { host?: string; pathRewrite: boolean; mirrors: number } | null {
    if (cluster.typedPerFilterConfig?.['envoy.filters.http.fault']?.abort?.httpStatus === 500) return null;
    // A ClusterWeight has no path rewrite or mirror field: those only exist on the RouteAction.
    return { host: cluster.hostRewriteLiteral, pathRewrite: false, mirrors: 0 };
  }

  function compiledEffect(backend: CompiledBackend): { host?: string; pathRewrite: boolean; mirrors: number } | null {
    if (backend.invalid !== undefined) return null;
    const rewrite = backend.filters.find((f): f is Extract<CompiledFilter, { type: 'URLRewrite' }> => f.type === 'URLRewrite');
    return {
      host: rewrite?.hostname,
      pathRewrite: rewrite?.path !== undefined,
      mirrors: backend.filters.filter((f) => f.type === 'RequestMirror').length,
    };
  }

  it('means the same in the simulator as in the waypoint’s RouteConfiguration, backend by backend', () => {
    const simulated = simulate(mesh, {
      source: { workload: 'demo/productpage' },
      destination: { service: 'demo/reviews' },
      port: 9080,
      path: '/reviews/1',
    }).route;
    expect(simulated).toMatchObject({ route: 'demo/reviews-filters', action: 'Forward' });
    const total = envoyRoute.route.weightedClusters.totalWeight.value as number;
    expect(simulated?.backends.map((b) => [b.service, b.share, b.invalid === undefined])).toEqual(
      clusters.map((c, i) => [`demo/reviews-v${i + 1}`, c.weight.value / total, clusterEffect(c) !== null]),
    );
    // The table the simulator evaluates, and what each ClusterWeight does to the requests it sends.
    const table = routeTables(mesh).find((t) => t.service.hostname === 'reviews.demo.svc.cluster.local')?.table;
    const action = table?.routes[0]?.action;
    if (action?.type !== 'Forward') throw new Error('the reviews route does not forward');
    expect(action.backends.map(compiledEffect)).toEqual(clusters.map(clusterEffect));
  });

  it('never drops a per-route-only filter silently, even one the compiler let through', () => {
    // A hand-made table (no compiler): the translator answers that backend's share with 500 and says why.
    const mirror: CompiledFilter = {
      type: 'RequestMirror',
      backend: { group: '', kind: 'Service', name: 'ratings', namespace: 'demo', port: 9080 },
      percent: 100,
    };
    const table: CompiledRouteTable = {
      routes: [
        {
          match: { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] },
          source: { route: 'demo/hand-made', ruleIndex: 0, matchIndex: 0 },
          action: {
            type: 'Forward',
            filters: [],
            timeouts: {},
            backends: [{ group: '', kind: 'Service', name: 'reviews-v1', namespace: 'demo', port: 9080, weight: 1, filters: [mirror] }],
          },
        },
      ],
      notes: [],
      attached: ['demo/hand-made'],
    };
    const reviews = routeTables(mesh).find((t) => t.service.hostname === 'reviews.demo.svc.cluster.local');
    if (!reviews) throw new Error('reviews:9080 has no route table');
    const config = routeConfiguration(mesh, { ...reviews, table }) as Json;
    const route = config.virtualHosts[0].routes[0];
    expect(route.route.requestMirrorPolicies).toBeUndefined();
    expect(route.route.weightedClusters.clusters[0]).toMatchObject({ name: 'outbound|9080||reviews.demo.svc.cluster.local' });
    expect(route.route.weightedClusters.clusters[0].typedPerFilterConfig['envoy.filters.http.fault']).toBeDefined();
    expect(structToJson(route.metadata.filterMetadata['ambit.dev/route']).backends).toEqual([
      expect.objectContaining({
        name: 'reviews-v1',
        invalid: 'a RequestMirror cannot apply to one backendRef, only to a whole rule',
        filters: [mirror],
      }),
    ]);
  });
});

describe('Listener', () => {
  it('is an api_listener whose connection manager takes routes from ADS, router filter last', () => {
    const listeners = toListeners(snapshot);
    expect(listeners.size).toBe(7);
    const listener = decode(listeners.get('reviews.demo.svc.cluster.local:9080'));
    expect(listener.name).toBe('reviews.demo.svc.cluster.local:9080');
    const hcm = listener.apiListener.apiListener;
    expect(hcm['@type']).toBe('type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager');
    expect(hcm.rds).toEqual({
      configSource: { ads: {}, resourceApiVersion: 'V3' },
      routeConfigName: 'reviews.demo.svc.cluster.local:9080',
    });
    expect(hcm.httpFilters.map((f: Json) => f.name)).toEqual(['envoy.filters.http.fault', 'envoy.filters.http.router']);
    expect(structToJson(listener.metadata.filterMetadata['ambit.dev/service'])).toEqual({
      namespace: 'demo',
      name: 'reviews',
      hostname: 'reviews.demo.svc.cluster.local',
      port: 9080,
      portName: 'http',
      appProtocol: 'HTTP11',
      addresses: ['127.11.128.3', '127.12.128.3'],
    });
  });

  it('adds the short names gRPC clients may dial, all pointing at the same routes', () => {
    const listeners = toListeners(snapshot, { aliases: true });
    const names = [...listeners.keys()].filter((n) => n.startsWith('reviews.'));
    expect(names).toEqual([
      'reviews.demo',
      'reviews.demo.svc',
      'reviews.demo.svc.cluster.local',
      'reviews.demo.svc.cluster.local:9080',
      'reviews.demo.svc:9080',
      'reviews.demo:9080',
    ]);
    const alias = decode(listeners.get('reviews.demo:9080'));
    expect(alias.name).toBe('reviews.demo:9080');
    expect(alias.apiListener.apiListener.rds.routeConfigName).toBe('reviews.demo.svc.cluster.local:9080');
  });
});

describe('Cluster and ClusterLoadAssignment', () => {
  it('defines one EDS cluster per service port, fed by ADS, round robin', () => {
    const clusters = toClusters(snapshot);
    expect([...clusters.keys()]).toContain('outbound|9080||reviews-v1.demo.svc.cluster.local');
    expect(clusters.size).toBe(7);
    const cluster = decode(clusters.get('outbound|9080||reviews-v1.demo.svc.cluster.local'));
    expect(cluster).toMatchObject({
      name: 'outbound|9080||reviews-v1.demo.svc.cluster.local',
      type: 'EDS',
      edsClusterConfig: {
        edsConfig: { ads: {}, resourceApiVersion: 'V3' },
        serviceName: 'outbound|9080||reviews-v1.demo.svc.cluster.local',
      },
      lbPolicy: 'ROUND_ROBIN',
      connectTimeout: ms(10_000),
    });
  });

  it('groups endpoints by locality, every locality weighted', () => {
    const assignment = decode(toLoadAssignments(snapshot).get('outbound|9080||reviews.demo.svc.cluster.local'));
    expect(assignment.clusterName).toBe('outbound|9080||reviews.demo.svc.cluster.local');
    const localities = assignment.endpoints as Json[];
    expect(localities.map((l) => [l.locality, l.loadBalancingWeight])).toEqual([
      [{ region: 'local', zone: 'zone-a', subZone: '' }, { value: 2 }],
      [{ region: 'local', zone: 'zone-b', subZone: '' }, { value: 1 }],
    ]);
    expect(localities[0]?.lbEndpoints.map((e: Json) => [e.endpoint.address.socketAddress, e.healthStatus])).toEqual([
      [{ address: '127.11.1.3', portValue: 9080 }, 'HEALTHY'],
      [{ address: '127.11.1.5', portValue: 9080 }, 'HEALTHY'],
    ]);
    expect(structToJson(localities[1]?.lbEndpoints[0].metadata.filterMetadata['ambit.dev/workload'])).toEqual({
      uid: 'Kubernetes//Pod/demo/reviews-v2-5d8c9b7f6c-0',
      namespace: 'demo',
      name: 'reviews-v2-5d8c9b7f6c-0',
      identity: 'spiffe://cluster.local/ns/demo/sa/bookinfo-reviews',
      node: 'node-2',
    });
  });

  it('translates deterministically: the same snapshot gives byte-identical resources', () => {
    const again = buildSnapshot([...bookinfoObjects(['route-reviews-90-10.yaml']), productpageRules]);
    for (const translate of [toClusters, toLoadAssignments, toListeners, (s: typeof snapshot) => toRouteConfigurations(s, { fault })]) {
      const a = translate(snapshot);
      const b = translate(again);
      expect([...b.keys()]).toEqual([...a.keys()]);
      for (const [name, resource] of a) expect(Buffer.from(b.get(name)?.value ?? []).equals(Buffer.from(resource.value))).toBe(true);
    }
  });
});
