// A header the client sends several times (`x-multi: a`, then `x-multi: b`), at a running waypoint:
// routing and L7 authorization must see it as the shared matcher and evaluator define it (and as
// Envoy does), the values joined by "," — over HTTP/1.1 and over HTTP/2 (gRPC) alike — so the
// waypoint does what the simulator predicts for a match on "a,b".
import type { AuthorizationPolicy } from '@ambit/shared/resources/security';
import { compileRouteTable, matchRequest, prepareRouteTable } from '@ambit/shared/routing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { headerRecordOf, responseHeaderRecordOf } from '../src/waypoint/http-headers';
import {
  backend,
  GREETER_PORT,
  greeterBackend,
  grpcRoute,
  httpRoute,
  NAMESPACE,
  REVIEWS_PORT,
  startWaypointMesh,
  type WaypointMesh,
} from './fixtures/waypoint-mesh';

let mesh: WaypointMesh;
beforeAll(async () => {
  mesh = await startWaypointMesh({ net: 47 });
});
afterAll(() => mesh?.stop());
afterEach(() => {
  mesh.config.removeRouteTable(`reviews.shop.svc.cluster.local:${REVIEWS_PORT}`);
  mesh.config.removeRouteTable(`greeter.shop.svc.cluster.local:${GREETER_PORT}`);
  mesh.setPolicies([]);
});

const TWICE = { 'x-multi': ['a', 'b'] };

function denyMulti(service: 'reviews' | 'greeter'): AuthorizationPolicy {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: `deny-multi-${service}`, namespace: NAMESPACE },
    spec: {
      targetRefs: [{ group: '', kind: 'Service', name: service }],
      action: 'DENY',
      rules: [{ when: [{ key: 'request.headers[x-multi]', values: ['a,b'] }] }],
    },
  };
}

describe('the HTTP/1.1 request reader', () => {
  it('builds the record the shared matcher routes: repeated values joined by ",", cookie and single-valued ones as before', () => {
    const routes = compileRouteTable(
      [httpRoute('multi', { rules: [{ matches: [{ headers: [{ name: 'x-multi', value: 'a,b' }] }], backendRefs: [backend('v2')] }] })],
      { kind: 'Service', namespace: NAMESPACE, name: 'reviews', port: REVIEWS_PORT },
      () => ({ exists: true }),
    ).routes;
    const raw = ['Host', 'h', 'X-Multi', 'a', 'X-Multi', 'b', 'Cookie', 'x=1', 'Cookie', 'y=2', 'Host', 'other'];
    const headers = headerRecordOf(raw);
    expect(headers).toEqual({ host: 'h', 'x-multi': 'a,b', cookie: 'x=1; y=2' });
    expect(matchRequest(prepareRouteTable(routes), { method: 'GET', path: '/', headers })).toBeDefined();
    // Responses (and trailers) the waypoint relays keep Node's ", ".
    expect(responseHeaderRecordOf(['X-Multi', 'a', 'X-Multi', 'b', 'Set-Cookie', 's=1', 'Set-Cookie', 's=2'])).toEqual({
      'x-multi': 'a, b',
      'set-cookie': ['s=1', 's=2'],
    });
  });
});

describe('a header sent twice, through the real path', () => {
  it('HTTP/1.1: a route matching "a,b" is taken (not 404), and the backend receives one "a,b" line', async () => {
    mesh.setRoutes([
      httpRoute('multi', { rules: [{ matches: [{ headers: [{ name: 'x-multi', value: 'a,b' }] }], backendRefs: [backend('v2')] }] }),
    ]);
    const reply = await mesh.request('/multi', { headers: TWICE });
    expect(reply.status).toBe(200);
    expect(reply.echo?.backend).toBe('reviews-v2');
    expect(reply.echo?.headers['x-multi']).toBe('a,b');
    expect((await mesh.request('/multi', { headers: { 'x-multi': 'a' } })).status).toBe(404);
  });

  it('HTTP/1.1: an L7 DENY on request.headers[x-multi] = "a,b" denies it', async () => {
    mesh.setPolicies([denyMulti('reviews')]);
    expect((await mesh.request('/multi', { headers: TWICE })).status).toBe(403);
    expect((await mesh.request('/multi', { headers: { 'x-multi': 'a' } })).status).toBe(200);
  });

  it('HTTP/2 (gRPC): a GRPCRoute header match on "a,b" is taken', async () => {
    mesh.setGrpcRoutes([
      grpcRoute('multi', {
        rules: [
          { backendRefs: [greeterBackend('greeter-v1')] },
          { matches: [{ headers: [{ name: 'x-multi', value: 'a,b' }] }], backendRefs: [greeterBackend('greeter-v2')] },
        ],
      }),
    ]);
    expect((await mesh.grpc('Say', 'twice', TWICE)).version).toBe('v2');
    expect((await mesh.grpc('Say', 'once', { 'x-multi': 'a' })).version).toBe('v1');
  });

  it('HTTP/2 (gRPC): an L7 DENY on request.headers[x-multi] = "a,b" denies it (gRPC PERMISSION_DENIED)', async () => {
    mesh.setPolicies([denyMulti('greeter')]);
    expect((await mesh.grpc('Say', 'twice', TWICE)).grpcStatus).toBe('7');
    expect((await mesh.grpc('Say', 'once', { 'x-multi': 'a' })).grpcStatus).toBe('0');
  });
});
