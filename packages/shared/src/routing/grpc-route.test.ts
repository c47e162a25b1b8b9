import { describe, expect, it } from 'vitest';
import type { GrpcRoute } from '../resources/grpc-route';
import { backend, compile, everythingExists, grpcRoute, httpRoute, outcome, reviewsService, toReviews } from './test-fixtures';
import type { RouteParent } from './types';

/** A gRPC call as the waypoint sees it: POST to `/<service>/<method>`. */
function call(path: string, headers: Record<string, string> = {}, host?: string) {
  return host === undefined ? { method: 'POST', path, headers } : { method: 'POST', path, headers, host };
}

function route(name: string, rules: GrpcRoute['spec']['rules'], metadata: Partial<GrpcRoute['metadata']> = {}): GrpcRoute {
  return grpcRoute(name, { parentRefs: [toReviews], rules }, metadata);
}

describe('GRPCRoute method matches compile to path matches', () => {
  const table = compile([
    route('methods', [
      { matches: [{ method: { service: 'helloworld.Greeter', method: 'SayHello' } }], backendRefs: [backend('exact')] },
      { matches: [{ method: { service: 'store.Catalog' } }], backendRefs: [backend('service-only')] },
      { matches: [{ method: { method: 'Login' } }], backendRefs: [backend('method-only')] },
      { matches: [{ method: { type: 'RegularExpression', service: 'admin\\..*', method: 'Get.*' } }], backendRefs: [backend('regex')] },
    ]),
  ]);

  it('routes an exact service and method', () => {
    expect(table.routes[0]?.match.path).toEqual({ type: 'Exact', value: '/helloworld.Greeter/SayHello' });
    expect(outcome(table, call('/helloworld.Greeter/SayHello')).backend).toBe('exact');
    expect(outcome(table, call('/helloworld.Greeter/SayGoodbye')).status).toBe(404);
  });

  it('routes every method of a service given alone, and no other service', () => {
    expect(outcome(table, call('/store.Catalog/List')).backend).toBe('service-only');
    expect(outcome(table, call('/store.CatalogV2/List')).status).toBe(404);
  });

  it('routes a method given alone on any service', () => {
    expect(outcome(table, call('/auth.Users/Login')).backend).toBe('method-only');
    expect(outcome(table, call('/auth.Users/Logout')).status).toBe(404);
  });

  it('routes by regular expressions over service and method', () => {
    expect(outcome(table, call('/admin.Accounts/GetAccount')).backend).toBe('regex');
    expect(outcome(table, call('/admin.Accounts/DeleteAccount')).status).toBe(404);
    expect(outcome(table, call('/adminX/GetAccount')).status).toBe(404);
  });

  it('takes anchors and a leading (?i) written in a regular expression part as RE2 would, not as a pattern that never matches', () => {
    const anchored = compile([
      route('anchored', [
        { matches: [{ method: { type: 'RegularExpression', method: '^Get.*$' } }], backendRefs: [backend('anchored')] },
        { matches: [{ method: { type: 'RegularExpression', service: '(?i)admin\\..*' } }], backendRefs: [backend('any-case')] },
      ]),
    ]);
    expect(anchored.notes).toEqual([]);
    expect(anchored.routes.map((r) => r.match.path.value)).toEqual(['(?i)/(?:admin\\..*)/[^/]+', '/[^/]+/(?:Get.*)']);
    expect(outcome(anchored, call('/users.Users/GetUser')).backend).toBe('anchored');
    expect(outcome(anchored, call('/users.Users/ListUsers')).status).toBe(404);
    expect(outcome(anchored, call('/ADMIN.Users/Delete')).backend).toBe('any-case');
  });

  it('reports a regular expression it cannot use and skips only that match', () => {
    const bad = compile([
      route('bad', [{ matches: [{ method: { type: 'RegularExpression', method: '(?<=a)b' } }], backendRefs: [backend('x')] }]),
    ]);
    expect(bad.notes.map((n) => [n.code, n.path])).toEqual([['InvalidRegex', 'spec.rules[0].matches[0].method']]);
    expect(bad.routes).toEqual([]);
  });

  it('matches headers, names case-insensitively, exact and regex', () => {
    const headers = compile([
      route('headers', [
        {
          matches: [
            {
              method: { service: 'echo.Echo' },
              headers: [
                { name: 'Version', value: '2' },
                { name: 'tenant', type: 'RegularExpression', value: 'acme-[0-9]+' },
              ],
            },
          ],
          backendRefs: [backend('v2')],
        },
        { backendRefs: [backend('v1')] },
      ]),
    ]);
    expect(outcome(headers, call('/echo.Echo/Say', { version: '2', tenant: 'acme-7' })).backend).toBe('v2');
    expect(outcome(headers, call('/echo.Echo/Say', { version: '2', tenant: 'other' })).backend).toBe('v1');
    expect(outcome(headers, call('/echo.Echo/Say')).backend).toBe('v1');
  });
});

describe('GRPCRoute precedence', () => {
  it('prefers more service characters, then more method characters, then more headers, whatever the rule order', () => {
    const table = compile([
      route('order', [
        { backendRefs: [backend('everything')] },
        { matches: [{ method: { method: 'Login' } }], backendRefs: [backend('method-only')] },
        { matches: [{ method: { service: 'auth.Users' } }], backendRefs: [backend('service-only')] },
        { matches: [{ method: { service: 'auth.Users', method: 'Login' } }], backendRefs: [backend('both')] },
        {
          matches: [{ method: { service: 'auth.Users', method: 'Login' }, headers: [{ name: 'canary', value: 'yes' }] }],
          backendRefs: [backend('both-canary')],
        },
      ]),
    ]);
    expect(outcome(table, call('/auth.Users/Login', { canary: 'yes' })).backend).toBe('both-canary');
    expect(outcome(table, call('/auth.Users/Login')).backend).toBe('both');
    expect(outcome(table, call('/auth.Users/Logout')).backend).toBe('service-only');
    expect(outcome(table, call('/other.Svc/Login')).backend).toBe('method-only');
    expect(outcome(table, call('/other.Svc/Other')).backend).toBe('everything');
  });

  it('breaks ties across routes by age, then by namespace/name', () => {
    const same = [{ matches: [{ method: { service: 'a.B' } }], backendRefs: [backend('x')] }];
    const older = route('zz-older', [{ ...same[0], backendRefs: [backend('older')] }], { creationTimestamp: '2024-01-01T00:00:00Z' });
    const newer = route('aa-newer', [{ ...same[0], backendRefs: [backend('newer')] }], { creationTimestamp: '2025-01-01T00:00:00Z' });
    expect(outcome(compile([newer, older]), call('/a.B/C')).backend).toBe('older');
    const tsA = { creationTimestamp: '2024-01-01T00:00:00Z' };
    const first = route('aa', [{ ...same[0], backendRefs: [backend('aa')] }], tsA);
    const second = route('bb', [{ ...same[0], backendRefs: [backend('bb')] }], tsA);
    expect(outcome(compile([second, first]), call('/a.B/C')).backend).toBe('aa');
  });

  it('puts the hostname first on a Gateway listener (unlike HTTPRoute, where the path comes first)', () => {
    const gateway: RouteParent = { kind: 'Gateway', namespace: 'default', name: 'waypoint', port: 15008, sectionName: 'mesh' };
    const toGateway = [{ name: 'waypoint' }];
    const wildcard = grpcRoute('wildcard', {
      parentRefs: toGateway,
      hostnames: ['*.example.com'],
      rules: [{ matches: [{ method: { service: 'a.B', method: 'C' } }], backendRefs: [backend('wildcard')] }],
    });
    const exact = grpcRoute('exact', {
      parentRefs: toGateway,
      hostnames: ['foo.example.com'],
      rules: [{ backendRefs: [backend('exact')] }],
    });
    const table = compile([wildcard, exact], gateway);
    expect(outcome(table, call('/a.B/C', {}, 'foo.example.com')).backend).toBe('exact');
    expect(outcome(table, call('/a.B/C', {}, 'bar.example.com')).backend).toBe('wildcard');
  });

  it('notes a rule that an earlier one always wins over', () => {
    const table = compile([
      route('shadow', [
        { matches: [{ method: { service: 'a.B' } }], backendRefs: [backend('first')] },
        { matches: [{ method: { service: 'a.B' } }], backendRefs: [backend('second')] },
      ]),
    ]);
    expect(table.notes.map((n) => [n.code, n.path])).toEqual([['UnreachableMatch', 'spec.rules[1].matches[0]']]);
  });
});

describe('GRPCRoute actions', () => {
  it('splits by weight and applies rule and backend filters', () => {
    const table = compile([
      route('split', [
        {
          filters: [
            { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-Route', value: 'grpc' }] } },
            { type: 'RequestMirror', requestMirror: { backendRef: { name: 'shadow', port: 9080 } } },
          ],
          backendRefs: [
            {
              ...backend('v1', 3),
              filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'X-B', value: 'v1' }] } }],
            },
            backend('v2', 1),
          ],
        },
      ]),
    ]);
    expect(outcome(table, call('/a.B/C'), () => 0.5).backend).toBe('v1');
    expect(outcome(table, call('/a.B/C'), () => 0.8).backend).toBe('v2');
    const action = table.routes[0]?.action;
    if (action?.type !== 'Forward') throw new Error('expected a forward action');
    expect(action.filters.map((f) => f.type)).toEqual(['RequestHeaderModifier', 'RequestMirror']);
    expect(action.backends[0]?.filters).toEqual([
      { type: 'ResponseHeaderModifier', set: [], add: [{ name: 'x-b', value: 'v1' }], remove: [] },
    ]);
  });

  it('answers 503 (gRPC UNAVAILABLE) when a rule has no backend, or only weight-0 ones', () => {
    const table = compile([
      route('none', [
        { matches: [{ method: { service: 'a.None' } }] },
        { matches: [{ method: { service: 'a.Zero' } }], backendRefs: [backend('v1', 0)] },
      ]),
    ]);
    expect(outcome(table, call('/a.None/C')).status).toBe(503);
    expect(outcome(table, call('/a.Zero/C')).status).toBe(503);
    expect(table.notes.map((n) => n.message)).toContain('rule has no backendRefs; matching requests get 503 (gRPC UNAVAILABLE)');
  });

  it('answers 503 (gRPC UNAVAILABLE) when every backend is missing, and for a missing one’s share among valid ones', () => {
    const missing = (ref: { name: string }) =>
      ref.name.startsWith('gone') ? { exists: false, reason: 'BackendNotFound' } : { exists: true };
    const table = compile(
      [
        route('missing', [
          { matches: [{ method: { service: 'a.All' } }], backendRefs: [backend('gone')] },
          { matches: [{ method: { service: 'a.Half' } }], backendRefs: [backend('gone-too', 1), backend('ok', 1)] },
        ]),
      ],
      reviewsService,
      missing,
    );
    expect(outcome(table, call('/a.All/C')).status).toBe(503);
    expect(outcome(table, call('/a.Half/C'), () => 0).status).toBe(503);
    expect(outcome(table, call('/a.Half/C'), () => 0.9).backend).toBe('ok');
    const half = table.routes.find((r) => r.match.path.value === '/a.Half');
    expect(half?.action).toMatchObject({ type: 'Forward', unusableBackendStatus: 503 });
    // The same backendRefs in an HTTPRoute: the missing share gets 500, as HTTPRoute asks.
    const web = compile(
      [httpRoute('web', { parentRefs: [toReviews], rules: [{ backendRefs: [backend('gone-too', 1), backend('ok', 1)] }] })],
      reviewsService,
      missing,
    );
    expect(web.routes[0]?.action.type === 'Forward' && web.routes[0].action.unusableBackendStatus).toBeUndefined();
    expect(outcome(web, { path: '/' }, () => 0).status).toBe(500);
  });
});

describe('HTTPRoutes and GRPCRoutes on one parent', () => {
  const http = httpRoute(
    'web',
    { parentRefs: [toReviews], rules: [{ backendRefs: [backend('http')] }] },
    { creationTimestamp: '2024-01-01T00:00:00Z' },
  );
  const grpc = route('rpc', [{ backendRefs: [backend('grpc')] }], { creationTimestamp: '2025-01-01T00:00:00Z' });

  it('accepts only the older of the two on a Service, and says why the other is not used', () => {
    const table = compile([grpc, http]);
    expect(table.attached).toEqual(['default/web']);
    expect(outcome(table, call('/a.B/C')).backend).toBe('http');
    expect(table.notes.map((n) => [n.code, n.route, n.path])).toEqual([['RouteKindConflict', 'GRPCRoute/default/rpc', 'spec.parentRefs']]);
    const older = route('rpc', [{ backendRefs: [backend('grpc')] }], { creationTimestamp: '2023-01-01T00:00:00Z' });
    expect(compile([http, older], reviewsService, everythingExists).attached).toEqual(['GRPCRoute/default/rpc']);
  });

  it('breaks a tie of age by namespace/name, whatever the kind', () => {
    const at = { creationTimestamp: '2024-01-01T00:00:00Z' };
    const aWeb = httpRoute('a-web', { parentRefs: [toReviews], rules: [{ backendRefs: [backend('http')] }] }, at);
    const bRpc = route('b-rpc', [{ backendRefs: [backend('grpc')] }], at);
    expect(compile([bRpc, aWeb]).attached).toEqual(['default/a-web']);
    const zWeb = httpRoute('z-web', { parentRefs: [toReviews], rules: [{ backendRefs: [backend('http')] }] }, at);
    expect(compile([zWeb, bRpc]).attached).toEqual(['GRPCRoute/default/b-rpc']);
  });

  it('keeps both on a Gateway listener when their hostnames do not intersect', () => {
    const gateway: RouteParent = { kind: 'Gateway', namespace: 'default', name: 'waypoint', port: 15008 };
    const web = httpRoute('web', {
      parentRefs: [{ name: 'waypoint' }],
      hostnames: ['web.example.com'],
      rules: [{ backendRefs: [backend('http')] }],
    });
    const rpc = grpcRoute('rpc', {
      parentRefs: [{ name: 'waypoint' }],
      hostnames: ['rpc.example.com'],
      rules: [{ backendRefs: [backend('grpc')] }],
    });
    const table = compile([web, rpc], gateway);
    expect(table.attached.sort()).toEqual(['GRPCRoute/default/rpc', 'default/web']);
    expect(outcome(table, call('/a.B/C', {}, 'rpc.example.com')).backend).toBe('grpc');
    expect(outcome(table, { method: 'GET', path: '/', headers: {}, host: 'web.example.com' }).backend).toBe('http');
  });
});
