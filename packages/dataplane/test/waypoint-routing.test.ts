// HTTPRoute semantics at a running waypoint, through real requests: client → ztunnel → waypoint →
// ztunnel → echo backends, with route tables built by the shared compiler.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sample, sumOf } from './fixtures/net';
import { waitFor } from './fixtures/wait';
import { backend, httpRoute, startWaypointMesh, type WaypointMesh } from './fixtures/waypoint-mesh';

let mesh: WaypointMesh;
beforeAll(async () => {
  mesh = await startWaypointMesh({ net: 41 });
});
afterAll(() => mesh?.stop());
beforeEach(() => {
  mesh.config.removeRouteTable('reviews.shop.svc.cluster.local:9080');
});

async function backendOf(path: string, options?: Parameters<WaypointMesh['request']>[1]): Promise<string> {
  const reply = await mesh.request(path, options);
  return reply.echo?.backend ?? String(reply.status);
}

describe('route matching', () => {
  it('follows Gateway API precedence across rules and routes: exact, longest prefix, method, headers, query, age', async () => {
    mesh.setRoutes([
      httpRoute(
        'precedence',
        {
          rules: [
            { matches: [{ path: { type: 'PathPrefix', value: '/reviews' } }], backendRefs: [backend('v2')] },
            { matches: [{ path: { type: 'Exact', value: '/reviews/exact' } }], backendRefs: [backend('v1')] },
            { matches: [{ path: { type: 'PathPrefix', value: '/reviews/deep/' } }], backendRefs: [backend('v3')] },
            { matches: [{ path: { type: 'PathPrefix', value: '/reviews' }, method: 'POST' }], backendRefs: [backend('v1')] },
            {
              matches: [{ path: { type: 'PathPrefix', value: '/reviews' }, headers: [{ name: 'X-Canary', value: 'yes' }] }],
              backendRefs: [backend('v3')],
            },
            {
              matches: [
                {
                  path: { type: 'PathPrefix', value: '/reviews' },
                  headers: [
                    { name: 'x-canary', value: 'yes' },
                    { name: 'x-user', type: 'RegularExpression', value: 'j.*' },
                  ],
                },
              ],
              backendRefs: [backend('v1')],
            },
            {
              matches: [{ path: { type: 'PathPrefix', value: '/reviews' }, queryParams: [{ name: 'v', value: '1' }] }],
              backendRefs: [backend('v1')],
            },
            { matches: [{ path: { type: 'RegularExpression', value: '/items/[0-9]+' } }], backendRefs: [backend('v3')] },
          ],
        },
        '2024-01-01T00:00:00Z',
      ),
      // Same match as the first rule above, but newer: the older route wins.
      httpRoute(
        'newer',
        { rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/reviews' } }], backendRefs: [backend('v3')] }] },
        '2025-01-01T00:00:00Z',
      ),
    ]);

    expect(await backendOf('/reviews')).toBe('reviews-v2');
    expect(await backendOf('/reviews/')).toBe('reviews-v2');
    expect(await backendOf('/reviews/1')).toBe('reviews-v2');
    expect(await backendOf('/reviews/exact')).toBe('reviews-v1');
    expect(await backendOf('/reviews/exact/more')).toBe('reviews-v2');
    expect(await backendOf('/reviews/deep')).toBe('reviews-v3');
    expect(await backendOf('/reviews/deeper')).toBe('reviews-v2');
    expect(await backendOf('/reviews/1', { method: 'POST', body: 'x' })).toBe('reviews-v1');
    expect(await backendOf('/reviews/1', { headers: { 'x-canary': 'yes' } })).toBe('reviews-v3');
    expect(await backendOf('/reviews/1', { headers: { 'x-canary': 'yes', 'x-user': 'jason' } })).toBe('reviews-v1');
    expect(await backendOf('/reviews/1', { headers: { 'x-canary': 'yes', 'x-user': 'mike' } })).toBe('reviews-v3');
    expect(await backendOf('/reviews/1?v=1')).toBe('reviews-v1');
    expect(await backendOf('/reviews/1?v=2')).toBe('reviews-v2');
    expect(await backendOf('/reviews/1?v=1', { headers: { 'x-canary': 'yes' } })).toBe('reviews-v3');
    expect(await backendOf('/items/42')).toBe('reviews-v3');
    expect(await backendOf('/items/4x2')).toBe('404');
    expect(await backendOf('/reviewsx')).toBe('404');
  });

  it('answers 404 (NR) when nothing matches and 500 for a rule without a usable backend', async () => {
    mesh.setRoutes([
      httpRoute('failures', {
        rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/ok' } }], backendRefs: [backend('v1')] },
          { matches: [{ path: { type: 'PathPrefix', value: '/no-backends' } }] },
          { matches: [{ path: { type: 'PathPrefix', value: '/all-zero' } }], backendRefs: [backend('v1', 0), backend('v2', 0)] },
          { matches: [{ path: { type: 'PathPrefix', value: '/no-port' } }], backendRefs: [{ name: 'reviews-v1' }] },
          { matches: [{ path: { type: 'PathPrefix', value: '/no-endpoints' } }], backendRefs: [{ name: 'ratings', port: 9080 }] },
        ],
      }),
    ]);
    const before = await mesh.metrics();
    const notFound = await mesh.request('/missing');
    expect([notFound.status, notFound.body]).toEqual([404, 'no route matched']);
    expect((await mesh.request('/no-backends')).status).toBe(500);
    expect((await mesh.request('/all-zero')).status).toBe(500);
    expect((await mesh.request('/no-port')).status).toBe(500);
    expect((await mesh.request('/ok')).status).toBe(200);
    const unavailable = await mesh.request('/no-endpoints');
    expect([unavailable.status, unavailable.body]).toEqual([503, 'no healthy upstream']);

    const added = (after: Sample[], labels: Record<string, string>) =>
      sumOf(after, 'istio_requests_total', labels) - sumOf(before, 'istio_requests_total', labels);
    const after = await waitFor(async () => {
      const s = await mesh.metrics();
      return added(s, {}) === 6 ? s : undefined;
    }, 'six more requests in the metrics');
    expect(added(after, { reporter: 'waypoint', response_code: '404', response_flags: 'NR' })).toBe(1);
    expect(added(after, { response_code: '500', response_flags: '-' })).toBe(3);
    expect(added(after, { response_code: '503', response_flags: 'UH' })).toBe(1);
    expect(added(after, { response_code: '200', response_flags: '-' })).toBe(1);
  });

  it('sends a service with no HTTPRoute to itself, round robin over its endpoints', async () => {
    const before = { ...mesh.hits };
    for (let i = 0; i < 6; i++) expect((await mesh.request('/anything')).status).toBe(200);
    expect([mesh.hits.v1 - before.v1, mesh.hits.v2 - before.v2, mesh.hits.v3 - before.v3]).toEqual([2, 2, 2]);
  });
});

describe('configuration over xDS', () => {
  it('routes by a RouteConfiguration and balances over a ClusterLoadAssignment, as the control plane sends them', async () => {
    const reviews = 'outbound|9080||reviews.shop.svc.cluster.local';
    const v3 = mesh.state.workloadByUid('Kubernetes//Pod/shop/reviews-v3-1');
    const v3Port = v3?.services['shop/reviews.shop.svc.cluster.local']?.[0]?.targetPort;
    const struct = (value: Record<string, string | number>) => ({
      fields: Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? { stringValue: v } : { numberValue: v }]),
      ),
    });
    mesh.config.applyRouteConfiguration({
      name: 'reviews.shop.svc.cluster.local:9080',
      virtualHosts: [
        {
          name: 'reviews.shop.svc.cluster.local:9080',
          domains: ['*'],
          routes: [
            {
              name: 'shop/from-xds/0/0',
              match: { safeRegex: { regex: '/xds(/.*)?' } },
              route: { cluster: reviews, timeout: { seconds: 5 } },
              responseHeadersToAdd: [{ header: { key: 'x-from', value: 'rds' }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
              metadata: {
                filterMetadata: { 'ambit.dev/route': struct({ route: 'shop/from-xds', ruleIndex: 0, matchIndex: 0 }) },
              },
            },
          ],
        },
      ],
    });
    mesh.config.applyClusterLoadAssignment({
      clusterName: reviews,
      endpoints: [
        {
          locality: { region: 'local', zone: 'zone-b' },
          loadBalancingWeight: { value: 1 },
          lbEndpoints: [
            {
              endpoint: { address: { socketAddress: { address: v3?.addresses[0], portValue: v3Port } } },
              healthStatus: 'HEALTHY',
              metadata: {
                filterMetadata: { 'ambit.dev/workload': struct({ uid: v3?.uid ?? '', identity: v3?.identity ?? '', node: 'node-b' }) },
              },
            },
          ],
        },
      ],
    });
    const replies = await Promise.all([1, 2, 3, 4].map(() => mesh.request('/xds/1')));
    expect(replies.map((r) => [r.echo?.backend, r.headers['x-from']])).toEqual(Array(4).fill(['reviews-v3', 'rds']));
    expect((await mesh.request('/elsewhere')).status).toBe(404);

    mesh.config.removeLoadAssignment(reviews);
    const spread = new Set<string | undefined>();
    for (let i = 0; i < 3; i++) spread.add((await mesh.request('/xds/2')).echo?.backend);
    expect([...spread].sort()).toEqual(['reviews-v1', 'reviews-v2', 'reviews-v3']);
  });
});

describe('filters', () => {
  it('changes request headers for the backend and response headers for the client, per rule and per backend (the rule last, as Envoy applies a ClusterWeight before its route)', async () => {
    mesh.setRoutes([
      httpRoute('headers', {
        rules: [
          {
            filters: [
              {
                type: 'RequestHeaderModifier',
                requestHeaderModifier: {
                  set: [{ name: 'X-Route', value: 'headers' }],
                  add: [{ name: 'x-trace', value: 'waypoint' }],
                  remove: ['x-secret'],
                },
              },
              {
                type: 'ResponseHeaderModifier',
                responseHeaderModifier: { set: [{ name: 'x-served-by', value: 'waypoint' }], remove: ['x-backend'] },
              },
            ],
            backendRefs: [
              {
                ...backend('v2'),
                filters: [
                  {
                    type: 'RequestHeaderModifier',
                    requestHeaderModifier: {
                      set: [
                        { name: 'x-backend-filter', value: 'v2' },
                        { name: 'X-Route', value: 'backend' },
                      ],
                    },
                  },
                  { type: 'ResponseHeaderModifier', responseHeaderModifier: { set: [{ name: 'x-served-by', value: 'backend' }] } },
                ],
              },
            ],
          },
        ],
      }),
    ]);
    const reply = await mesh.request('/h', { headers: { 'x-route': 'client', 'x-trace': 'client', 'x-secret': 'hunter2' } });
    expect(reply.status).toBe(200);
    const seen = reply.echo?.headers ?? {};
    expect(seen['x-route']).toBe('headers');
    expect(seen['x-trace']).toBe('client, waypoint');
    expect(seen['x-secret']).toBeUndefined();
    expect(seen['x-backend-filter']).toBe('v2');
    expect(reply.headers['x-served-by']).toBe('waypoint');
    expect(reply.headers['x-backend']).toBeUndefined();
  });

  it('rewrites the path and host, and redirects without reaching a backend', async () => {
    mesh.setRoutes([
      httpRoute('rewrites', {
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/api/v1' } }],
            filters: [
              {
                type: 'URLRewrite',
                urlRewrite: { hostname: 'reviews.internal', path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v1' } },
              },
            ],
            backendRefs: [backend('v1')],
          },
          {
            matches: [{ path: { type: 'Exact', value: '/old' } }],
            filters: [
              {
                type: 'RequestRedirect',
                requestRedirect: {
                  scheme: 'https',
                  hostname: 'reviews.example',
                  path: { type: 'ReplaceFullPath', replaceFullPath: '/new' },
                  statusCode: 301,
                },
              },
            ],
          },
        ],
      }),
    ]);
    const before = { ...mesh.hits };
    const rewritten = await mesh.request('/api/v1/books/7?x=1');
    expect(rewritten.echo?.path).toBe('/v1/books/7?x=1');
    expect(rewritten.echo?.headers.host).toBe('reviews.internal');
    const redirected = await mesh.request('/old');
    expect([redirected.status, redirected.headers.location]).toEqual([301, 'https://reviews.example/new']);
    expect(mesh.hits.v1 - before.v1).toBe(1);
  });

  it('mirrors requests to another backend, Host suffixed -shadow, answering from the primary', async () => {
    mesh.setRoutes([
      httpRoute('mirror', {
        rules: [
          {
            filters: [{ type: 'RequestMirror', requestMirror: { backendRef: backend('v3') } }],
            backendRefs: [backend('v1')],
          },
        ],
      }),
    ]);
    const before = { ...mesh.hits };
    for (let i = 0; i < 3; i++)
      expect((await mesh.request('/mirrored', { method: 'POST', body: 'payload' })).echo?.backend).toBe('reviews-v1');
    await waitFor(() => mesh.hits.v3 - before.v3 === 3, 'three mirrored requests at reviews-v3');
    expect(mesh.hits.v1 - before.v1).toBe(3);
  });
});

describe('protocols', () => {
  it('serves h2c and gRPC inside the tunnel, trailers and gRPC status included', async () => {
    const ok = await mesh.grpc('Say', 'ambit');
    expect(ok).toEqual({ status: 200, grpcStatus: '0', message: 'hello ambit', version: 'v1' });
    const failed = await mesh.grpc('Fail', 'ambit');
    expect(failed.grpcStatus).toBe('5');
    const samples = await waitFor(async () => {
      const s = await mesh.metrics();
      return sumOf(s, 'istio_requests_total', { request_protocol: 'grpc' }) >= 2 ? s : undefined;
    }, 'two gRPC requests in the metrics');
    const greeter = { request_protocol: 'grpc', destination_service_name: 'greeter', response_code: '200' };
    expect(sumOf(samples, 'istio_requests_total', { ...greeter, grpc_response_status: '0' })).toBe(1);
    expect(sumOf(samples, 'istio_requests_total', { ...greeter, grpc_response_status: '5' })).toBe(1);
  });
});
