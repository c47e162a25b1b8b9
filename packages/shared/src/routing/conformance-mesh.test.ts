/**
 * The cases of the upstream Gateway API conformance suite (kubernetes-sigs/gateway-api,
 * conformance/tests/mesh/* and the Gateway-profile HTTPRoute tests whose semantics hold for a
 * mesh route), written again as Ambit's own manifests: request → backend, status, Location,
 * forwarded path and headers. Each `describe` is named after the upstream test it mirrors.
 * `send` plays the waypoint's part with the same shared functions it calls (exchange.ts).
 */
import { describe, expect, it } from 'vitest';
import { ambitFailure } from '../../test/support/ambit-failure';
import type { HttpRoute } from '../resources/gateway';
import { validateObject } from '../resources/validate';
import { decodeManifests } from '../yaml/codec';
import { pickBackend, WeightedSequence } from './backend';
import { compileRouteTable } from './compile';
import { applyRequestHeaderModifier, applyResponseHeaderModifier } from './headers';
import { type HeaderRecord, matchRequest, prepareRouteTable } from './match';
import { computeRedirect, rewriteUrl } from './redirect';
import type { BackendResolver, CompiledRouteTable, RouteParent } from './types';

const MESH = 'mesh';

/** Services of the test mesh: `echo`, `echo-v1`, `echo-v2` (ports 80 and 8080) in `mesh`. */
const KNOWN_SERVICES = new Set(['mesh/echo', 'mesh/echo-v1', 'mesh/echo-v2', 'mesh/echo-v3', 'other/echo-v1']);

const meshServices: BackendResolver = (ref, routeNamespace) => {
  if ((ref.kind ?? 'Service') !== 'Service' || (ref.group ?? '') !== '') return { exists: false, reason: 'InvalidKind' };
  const known = KNOWN_SERVICES.has(`${ref.namespace ?? routeNamespace}/${ref.name}`);
  return known ? { exists: true } : { exists: false, reason: 'BackendNotFound' };
};

function routes(yaml: string): HttpRoute[] {
  return decodeManifests(yaml).map((doc) => validateObject(doc.value) as HttpRoute);
}

function service(name: string, port = 80, extra: Partial<RouteParent> = {}): RouteParent {
  return { kind: 'Service', namespace: MESH, name, port, ...extra };
}

function table(yaml: string, parent: RouteParent = service('echo')): CompiledRouteTable {
  return compileRouteTable(routes(yaml), parent, meshServices);
}

interface Request {
  path?: string;
  method?: string;
  /** Lowercase names, as the waypoint's parser gives them. */
  headers?: HeaderRecord;
  host?: string;
  /** The Service port the request was addressed to. */
  port?: number;
}

interface Seen {
  status: number;
  backend?: string;
  location?: string;
  /** What the backend receives. */
  path?: string;
  host?: string;
  headers?: HeaderRecord;
  /** Headers the client gets back, the backend having answered with `backendResponse`. */
  responseHeaders?: HeaderRecord;
}

/** What a client sees, and what the backend receives, for one request through the waypoint. */
function send(compiled: CompiledRouteTable, request: Request, random: () => number = () => 0, backendResponse: HeaderRecord = {}): Seen {
  const host = request.host ?? 'echo';
  const path = request.path ?? '/';
  const headers: HeaderRecord = { ...request.headers, host };
  const hit = matchRequest(prepareRouteTable(compiled.routes), { method: request.method ?? 'GET', path, headers, host });
  if (!hit) return { status: 404 };
  const { action, match } = hit.route;
  if (action.type === 'DirectResponse') return { status: action.status };
  const prefix = match.path.type === 'PathPrefix' ? match.path.value : undefined;
  const redirect = action.filters.find((f) => f.type === 'RequestRedirect');
  if (redirect) return computeRedirect({ scheme: 'http', host, path, port: request.port ?? 80 }, redirect, prefix);
  const backend = pickBackend(action, random);
  if (!backend || backend.invalid !== undefined) return { status: 500 };
  let forwarded = { path, host };
  let upstreamHeaders = headers;
  let responseHeaders = backendResponse;
  // As the waypoint: the backendRef's filters, then the rule's.
  for (const filter of [...backend.filters, ...action.filters]) {
    if (filter.type === 'URLRewrite') forwarded = rewriteUrl(forwarded, filter, prefix);
    else if (filter.type === 'RequestHeaderModifier') upstreamHeaders = applyRequestHeaderModifier(upstreamHeaders, filter);
    else if (filter.type === 'ResponseHeaderModifier') responseHeaders = applyResponseHeaderModifier(responseHeaders, filter);
  }
  return { status: 200, backend: backend.name, ...forwarded, headers: upstreamHeaders, responseHeaders };
}

function backendOf(compiled: CompiledRouteTable, request: Request): string | number {
  const seen = send(compiled, request);
  return seen.backend ?? seen.status;
}

const ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: mesh}
spec:
  parentRefs: [{group: "", kind: Service, name: echo, port: 80}]
`;

describe('MeshHTTPRouteSimpleSameNamespace / MeshBasic', () => {
  it('a route without matches sends everything to its backend', () => {
    const t = table(`${ROUTE}  rules: [{backendRefs: [{name: echo-v1, port: 80}]}]\n`);
    expect(backendOf(t, { path: '/' })).toBe('echo-v1');
    expect(backendOf(t, { path: '/any/thing?x=1' })).toBe('echo-v1');
  });
});

describe('MeshSplit', () => {
  const t = table(`${ROUTE}  rules:
  - matches: [{path: {type: Exact, value: /v1}}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{path: {type: Exact, value: /v2}}]
    backendRefs: [{name: echo-v2, port: 80}]
`);
  it.each([
    ['/v1', 'echo-v1'],
    ['/v2', 'echo-v2'],
    ['/v1/', 404],
    ['/', 404],
  ])('%s → %s', (path, expected) => {
    expect(backendOf(t, { path })).toBe(expected);
  });
});

describe('MeshFrontend / MeshFrontendHostname', () => {
  const yaml = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: frontend, namespace: mesh}
spec:
  parentRefs: [{group: "", kind: Service, name: echo-v2}]
  rules:
  - filters:
    - type: ResponseHeaderModifier
      responseHeaderModifier: {set: [{name: X-Header-Set, value: set}]}
    backendRefs: [{name: echo-v2, port: 80}]
`;

  it('applies to requests addressed to the Service, whatever their Host says', () => {
    const seen = send(table(yaml, service('echo-v2')), { host: 'echo-v1' });
    expect(seen.backend).toBe('echo-v2');
    expect(seen.responseHeaders).toEqual({ 'x-header-set': 'set' });
  });

  it('does not apply to another Service, even with a Host naming the route parent', () => {
    expect(table(yaml, service('echo-v1')).attached).toEqual([]);
  });
});

describe('MeshPorts', () => {
  const yaml = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: v1-on-80, namespace: mesh}
spec:
  parentRefs: [{group: "", kind: Service, name: echo-v1, port: 80}]
  rules:
  - filters: [{type: ResponseHeaderModifier, responseHeaderModifier: {set: [{name: X-Header-Set, value: v1}]}}]
    backendRefs: [{name: echo-v1, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: v2-any-port, namespace: mesh}
spec:
  parentRefs: [{group: "", kind: Service, name: echo-v2}]
  rules:
  - filters: [{type: ResponseHeaderModifier, responseHeaderModifier: {set: [{name: X-Header-Set, value: v2}]}}]
    backendRefs: [{name: echo-v2, port: 80}]
`;

  it('a parentRef with a port governs that port only', () => {
    expect(send(table(yaml, service('echo-v1', 80)), {}).responseHeaders).toEqual({ 'x-header-set': 'v1' });
    // No route attaches on 8080: the waypoint's default route (the Service as addressed) applies there.
    expect(table(yaml, service('echo-v1', 8080)).attached).toEqual([]);
  });

  it('a parentRef without a port governs every port', () => {
    expect(send(table(yaml, service('echo-v2', 80)), {}).responseHeaders).toEqual({ 'x-header-set': 'v2' });
    expect(send(table(yaml, service('echo-v2', 8080)), { port: 8080 }).responseHeaders).toEqual({ 'x-header-set': 'v2' });
  });

  it('a sectionName names the Service port by its name', () => {
    const named = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: v1-http, namespace: mesh}
spec:
  parentRefs: [{group: "", kind: Service, name: echo-v1, sectionName: http}]
  rules: [{backendRefs: [{name: echo-v1, port: 80}]}]
`;
    expect(table(named, service('echo-v1', 80, { sectionName: 'http' })).attached).toEqual(['mesh/v1-http']);
    expect(table(named, service('echo-v1', 8080, { sectionName: 'http-alt' })).attached).toEqual([]);
  });
});

describe('MeshConsumerRoute', () => {
  const yaml = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: consumer, namespace: mesh-consumer}
spec:
  parentRefs: [{group: "", kind: Service, name: echo-v1, namespace: mesh}]
  rules:
  - filters: [{type: ResponseHeaderModifier, responseHeaderModifier: {set: [{name: X-Header-Set, value: set}]}}]
    backendRefs: [{name: echo-v1, namespace: mesh, port: 80}]
`;

  it("applies to clients in the route's namespace", () => {
    const seen = send(table(yaml, service('echo-v1', 80, { clientNamespace: 'mesh-consumer' })), {});
    expect(seen).toMatchObject({ backend: 'echo-v1', responseHeaders: { 'x-header-set': 'set' } });
  });

  it("leaves the producer's clients alone", () => {
    expect(table(yaml, service('echo-v1', 80, { clientNamespace: MESH })).attached).toEqual([]);
  });
});

describe('MeshHTTPRouteMatching / HTTPRouteMatching', () => {
  const t = table(`${ROUTE}  rules:
  - matches: [{path: {type: PathPrefix, value: /}}, {headers: [{name: version, value: one}]}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /v2}}, {headers: [{name: version, value: two}]}]
    backendRefs: [{name: echo-v2, port: 80}]
`);
  it.each([
    [{ path: '/' }, 'echo-v1'],
    [{ path: '/example' }, 'echo-v1'],
    [{ path: '/', headers: { version: 'one' } }, 'echo-v1'],
    [{ path: '/v2' }, 'echo-v2'],
    [{ path: '/v2/example' }, 'echo-v2'],
    [{ path: '/v2/' }, 'echo-v2'],
    [{ path: '/v2example' }, 'echo-v1'],
    [{ path: '/foo/v2/example' }, 'echo-v1'],
    [{ path: '/', headers: { version: 'two' } }, 'echo-v2'],
  ])('%j → %s', (request, expected) => {
    expect(backendOf(t, request)).toBe(expected);
  });
});

describe('HTTPRouteExactPathMatching', () => {
  const t = table(`${ROUTE}  rules:
  - matches: [{path: {type: Exact, value: /one}}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{path: {type: Exact, value: /two}}]
    backendRefs: [{name: echo-v2, port: 80}]
`);
  it.each([
    ['/one', 'echo-v1'],
    ['/two', 'echo-v2'],
    ['/', 404],
    ['/one/example', 404],
    ['/two/', 404],
    ['/One', 404],
  ])('%s → %s', (path, expected) => {
    expect(backendOf(t, { path })).toBe(expected);
  });
});

describe('HTTPRoutePathMatchOrder', () => {
  const rule = (type: string, value: string, backend: string) =>
    `  - matches: [{path: {type: ${type}, value: ${value}}}]\n    backendRefs: [{name: ${backend}, port: 80}]\n`;
  const t = table(
    `${ROUTE}  rules:\n${rule('Exact', '/match', 'echo-v1')}${rule('Exact', '/match/exact', 'echo-v2')}${rule('Exact', '/match/exact/one', 'echo-v3')}${rule('PathPrefix', '/match/', 'echo-v3')}${rule('PathPrefix', '/match/prefix/', 'echo-v1')}${rule('PathPrefix', '/match/prefix/one', 'echo-v2')}`,
  );
  it.each([
    ['/match/exact/one', 'echo-v3'],
    ['/match/exact', 'echo-v2'],
    ['/match', 'echo-v1'],
    ['/match/prefix/one/any', 'echo-v2'],
    ['/match/prefix/any', 'echo-v1'],
    ['/match/any', 'echo-v3'],
  ])('%s → %s', (path, expected) => {
    expect(backendOf(t, { path })).toBe(expected);
  });
});

describe('HTTPRouteHeaderMatching', () => {
  const t = table(`${ROUTE}  rules:
  - matches: [{headers: [{name: version, value: one}]}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{headers: [{name: version, value: two}]}]
    backendRefs: [{name: echo-v2, port: 80}]
  - matches: [{headers: [{name: version, value: two}, {name: color, value: orange}]}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{headers: [{name: color, value: blue}]}, {headers: [{name: color, value: green}]}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{headers: [{name: Color, value: red}]}, {headers: [{name: COLOR, value: yellow}]}]
    backendRefs: [{name: echo-v2, port: 80}]
`);
  it.each([
    [{ version: 'one' }, 'echo-v1'],
    [{ version: 'two' }, 'echo-v2'],
    [{ version: 'two', color: 'orange' }, 'echo-v1'],
    [{ version: 'two', color: 'blue' }, 'echo-v2'],
    [{ color: 'orange' }, 404],
    [{ 'some-other-header': 'one' }, 404],
    [{ color: 'blue' }, 'echo-v1'],
    [{ color: 'green' }, 'echo-v1'],
    [{ color: 'red' }, 'echo-v2'],
    [{ color: 'yellow' }, 'echo-v2'],
    [{ color: 'purple' }, 404],
    [{ version: 'One' }, 404],
  ])('%j → %s', (headers, expected) => {
    expect(backendOf(t, { headers })).toBe(expected);
  });

  it('matches a repeated header as its comma-joined values, and only the first condition of a name counts', () => {
    const repeated = table(`${ROUTE}  rules:
  - matches: [{headers: [{name: x-multi, value: "a,b"}, {name: X-Multi, value: ignored}]}]
    backendRefs: [{name: echo-v1, port: 80}]
`);
    expect(backendOf(repeated, { headers: { 'x-multi': ['a', 'b'] } })).toBe('echo-v1');
    expect(backendOf(repeated, { headers: { 'x-multi': 'a' } })).toBe(404);
  });
});

describe('HTTPRouteMethodMatching', () => {
  const t = table(`${ROUTE}  rules:
  - matches: [{method: POST}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{method: GET}]
    backendRefs: [{name: echo-v2, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /path1}, method: GET}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{headers: [{name: version, value: one}], method: PUT}]
    backendRefs: [{name: echo-v2, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /path2}, headers: [{name: version, value: two}], method: POST}]
    backendRefs: [{name: echo-v3, port: 80}]
  - matches:
    - {path: {type: PathPrefix, value: /path3}, method: PATCH}
    - {path: {type: PathPrefix, value: /path4}, headers: [{name: version, value: three}], method: DELETE}
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /path5}}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{method: PATCH}]
    backendRefs: [{name: echo-v2, port: 80}]
  - matches: [{headers: [{name: version, value: four}]}]
    backendRefs: [{name: echo-v3, port: 80}]
`);
  it.each([
    [{ method: 'POST', path: '/' }, 'echo-v1'],
    [{ method: 'GET', path: '/' }, 'echo-v2'],
    [{ method: 'HEAD', path: '/' }, 404],
    [{ method: 'GET', path: '/path1' }, 'echo-v1'],
    [{ method: 'PUT', path: '/', headers: { version: 'one' } }, 'echo-v2'],
    [{ method: 'POST', path: '/path2', headers: { version: 'two' } }, 'echo-v3'],
    [{ method: 'PATCH', path: '/path3' }, 'echo-v1'],
    [{ method: 'DELETE', path: '/path4', headers: { version: 'three' } }, 'echo-v1'],
    [{ method: 'PUT', path: '/' }, 404],
    [{ method: 'DELETE', path: '/path4' }, 404],
    [{ method: 'PATCH', path: '/path5' }, 'echo-v1'],
    [{ method: 'PATCH', path: '/', headers: { version: 'four' } }, 'echo-v2'],
  ])('%j → %s', (request, expected) => {
    expect(backendOf(t, request)).toBe(expected);
  });
});

describe('MeshHTTPRouteQueryParamMatching / HTTPRouteQueryParamMatching', () => {
  const t = table(`${ROUTE}  rules:
  - matches: [{queryParams: [{name: animal, value: whale}]}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{queryParams: [{name: animal, value: dolphin}]}]
    backendRefs: [{name: echo-v2, port: 80}]
  - matches:
    - queryParams: [{name: animal, value: dolphin}, {name: color, value: blue}]
    - queryParams: [{name: ANIMAL, value: Whale}]
    backendRefs: [{name: echo-v3, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /path1}, queryParams: [{name: animal, value: whale}]}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{headers: [{name: version, value: one}], queryParams: [{name: animal, value: whale}]}]
    backendRefs: [{name: echo-v2, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /path2}, headers: [{name: version, value: two}], queryParams: [{name: animal, value: whale}]}]
    backendRefs: [{name: echo-v3, port: 80}]
  - matches:
    - {path: {type: PathPrefix, value: /path3}, queryParams: [{name: animal, value: shark}]}
    - {path: {type: PathPrefix, value: /path4}, headers: [{name: version, value: three}], queryParams: [{name: animal, value: kraken}]}
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /path5}}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{queryParams: [{name: animal, value: hydra}]}]
    backendRefs: [{name: echo-v2, port: 80}]
  - matches: [{headers: [{name: version, value: four}]}]
    backendRefs: [{name: echo-v3, port: 80}]
`);
  it.each([
    [{ path: '/?animal=whale' }, 'echo-v1'],
    [{ path: '/?animal=dolphin' }, 'echo-v2'],
    [{ path: '/?animal=dolphin&color=blue' }, 'echo-v3'],
    [{ path: '/?ANIMAL=Whale' }, 'echo-v3'],
    [{ path: '/?animal=whale&otherparam=irrelevant' }, 'echo-v1'],
    [{ path: '/?animal=dolphin&color=yellow' }, 'echo-v2'],
    [{ path: '/?color=blue' }, 404],
    [{ path: '/?animal=dog' }, 404],
    [{ path: '/?animal=whaledolphin' }, 404],
    [{ path: '/?animal=Whale' }, 404],
    // A repeated name: its first value is matched, as Envoy's query_parameters matcher does.
    [{ path: '/?animal=whale&animal=dolphin' }, 'echo-v1'],
    [{ path: '/?animal=dolphin&animal=whale' }, 'echo-v2'],
    [{ path: '/?animal=wh%61le' }, 'echo-v1'],
    [{ path: '/' }, 404],
    [{ path: '/path1?animal=whale' }, 'echo-v1'],
    [{ path: '/?animal=whale', headers: { version: 'one' } }, 'echo-v2'],
    [{ path: '/path2?animal=whale', headers: { version: 'two' } }, 'echo-v3'],
    [{ path: '/path3?animal=shark' }, 'echo-v1'],
    [{ path: '/path4?animal=kraken', headers: { version: 'three' } }, 'echo-v1'],
    [{ path: '/?animal=shark' }, 404],
    [{ path: '/path4?animal=kraken' }, 404],
    [{ path: '/path5?animal=hydra' }, 'echo-v1'],
    [{ path: '/?animal=hydra', headers: { version: 'four' } }, 'echo-v3'],
  ])('%j → %s', (request, expected) => {
    expect(backendOf(t, request)).toBe(expected);
  });
});

describe('HTTPRouteMatchingAcrossRoutes (mesh: two routes on one Service)', () => {
  const yaml = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: b-broad, namespace: mesh, creationTimestamp: "2026-01-01T00:00:00Z"}
spec:
  parentRefs: [{group: "", kind: Service, name: echo}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}, {path: {type: PathPrefix, value: /example}}]
    backendRefs: [{name: echo-v1, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: a-narrow, namespace: mesh, creationTimestamp: "2026-01-02T00:00:00Z"}
spec:
  parentRefs: [{group: "", kind: Service, name: echo}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /v2}}, {headers: [{name: version, value: two}]}]
    backendRefs: [{name: echo-v2, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [{name: echo-v3, port: 80}]
`;
  const t = table(yaml);
  it.each([
    [{ path: '/' }, 'echo-v1'],
    [{ path: '/example' }, 'echo-v1'],
    [{ path: '/v2' }, 'echo-v2'],
    [{ path: '/', headers: { version: 'two' } }, 'echo-v2'],
  ])('%j → %s (the older route wins a tie)', (request, expected) => {
    expect(backendOf(t, request)).toBe(expected);
  });
});

describe('MeshHTTPRouteRedirectPath / HTTPRouteRedirectPath', () => {
  const redirect = (prefix: string, body: string) =>
    `  - matches: [{path: {type: PathPrefix, value: ${prefix}}}]\n    filters: [{type: RequestRedirect, requestRedirect: {${body}}}]\n`;
  const t = table(
    `${ROUTE}  rules:\n${[
      redirect('/original-prefix', 'path: {type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix}'),
      redirect('/full', 'path: {type: ReplaceFullPath, replaceFullPath: /full-path-replacement}'),
      redirect('/path-and-host', 'hostname: example.org, path: {type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix}'),
      redirect('/path-and-status', 'statusCode: 301, path: {type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix}'),
      redirect('/path-and-temporary', 'statusCode: 307, path: {type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix}'),
      redirect('/path-and-permanent', 'statusCode: 308, path: {type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix}'),
      redirect('/full-path-and-host', 'hostname: example.org, path: {type: ReplaceFullPath, replaceFullPath: /replacement-full}'),
      redirect('/full-path-and-status', 'statusCode: 301, path: {type: ReplaceFullPath, replaceFullPath: /replacement-full}'),
      redirect('/trailing/', 'path: {type: ReplacePrefixMatch, replacePrefixMatch: /to/}'),
      redirect('/strip', 'path: {type: ReplacePrefixMatch, replacePrefixMatch: /}'),
    ].join('')}`,
  );
  it.each([
    ['/original-prefix/lemon', 302, 'http://echo/replacement-prefix/lemon'],
    ['/original-prefix/lemon?a=1', 302, 'http://echo/replacement-prefix/lemon?a=1'],
    ['/original-prefix', 302, 'http://echo/replacement-prefix'],
    ['/original-prefix/', 302, 'http://echo/replacement-prefix/'],
    ['/full/path/original', 302, 'http://echo/full-path-replacement'],
    ['/path-and-host', 302, 'http://example.org/replacement-prefix'],
    ['/path-and-status', 301, 'http://echo/replacement-prefix'],
    ['/path-and-temporary', 307, 'http://echo/replacement-prefix'],
    ['/path-and-permanent', 308, 'http://echo/replacement-prefix'],
    ['/full-path-and-host', 302, 'http://example.org/replacement-full'],
    ['/full-path-and-status', 301, 'http://echo/replacement-full'],
    ['/trailing/x', 302, 'http://echo/to/x'],
    ['/trailing', 302, 'http://echo/to'],
    ['/strip/x', 302, 'http://echo/x'],
    ['/strip', 302, 'http://echo/'],
  ])('%s → %i %s', (path, status, location) => {
    expect(send(t, { path })).toEqual({ status, location });
  });

  it('does not take a prefix that only shares characters: /original-prefixfoo is not redirected', () => {
    expect(send(t, { path: '/original-prefixfoo' }).status).toBe(404);
  });
});

describe('MeshHTTPRouteRedirectPort / HTTPRouteRedirectPort', () => {
  const redirect = (prefix: string, body: string) =>
    `  - matches: [{path: {type: PathPrefix, value: ${prefix}}}]\n    filters: [{type: RequestRedirect, requestRedirect: {${body}}}]\n`;
  const t = table(
    `${ROUTE}  rules:\n${[
      redirect('/port', 'port: 8083'),
      redirect('/port-and-host', 'hostname: example.org, port: 8083'),
      redirect('/port-and-status', 'port: 8083, statusCode: 301'),
      redirect('/port-and-host-and-status', 'port: 8083, hostname: example.org, statusCode: 302'),
      redirect('/port-and-temporary', 'port: 8083, statusCode: 307'),
      redirect('/port-and-permanent', 'port: 8083, statusCode: 308'),
    ].join('')}`,
  );
  it.each([
    ['/port', 302, 'http://echo:8083/port'],
    ['/port-and-host', 302, 'http://example.org:8083/port-and-host'],
    ['/port-and-status', 301, 'http://echo:8083/port-and-status'],
    ['/port-and-host-and-status', 302, 'http://example.org:8083/port-and-host-and-status'],
    ['/port-and-temporary', 307, 'http://echo:8083/port-and-temporary'],
    ['/port-and-permanent', 308, 'http://echo:8083/port-and-permanent'],
  ])('%s → %i %s', (path, status, location) => {
    expect(send(t, { path })).toEqual({ status, location });
  });
});

describe('MeshHTTPRouteSchemeRedirect / HTTPRouteRedirectPortAndScheme', () => {
  const redirect = (prefix: string, body: string) =>
    `  - matches: [{path: {type: PathPrefix, value: ${prefix}}}]\n    filters: [{type: RequestRedirect, requestRedirect: {hostname: example.org${body}}}]\n`;
  const t = table(
    `${ROUTE}  rules:\n${[
      redirect('/scheme-nil-and-port-nil', ''),
      redirect('/scheme-nil-and-port-80', ', port: 80'),
      redirect('/scheme-nil-and-port-8080', ', port: 8080'),
      redirect('/scheme-https-and-port-nil', ', scheme: https'),
      redirect('/scheme-https-and-port-443', ', scheme: https, port: 443'),
      redirect('/scheme-https-and-port-8443', ', scheme: https, port: 8443'),
      redirect('/scheme-http-and-port-nil', ', scheme: http'),
      redirect('/scheme-https-and-status', ', scheme: https, statusCode: 301'),
    ].join('')}`,
  );
  it.each([
    [80, '/scheme-nil-and-port-nil', 'http://example.org/scheme-nil-and-port-nil'],
    [80, '/scheme-nil-and-port-80', 'http://example.org/scheme-nil-and-port-80'],
    [80, '/scheme-nil-and-port-8080', 'http://example.org:8080/scheme-nil-and-port-8080'],
    [80, '/scheme-https-and-port-nil', 'https://example.org/scheme-https-and-port-nil'],
    [80, '/scheme-https-and-port-443', 'https://example.org/scheme-https-and-port-443'],
    [80, '/scheme-https-and-port-8443', 'https://example.org:8443/scheme-https-and-port-8443'],
    [8080, '/scheme-nil-and-port-nil', 'http://example.org:8080/scheme-nil-and-port-nil'],
    [8080, '/scheme-nil-and-port-80', 'http://example.org/scheme-nil-and-port-80'],
    [8080, '/scheme-https-and-port-nil', 'https://example.org/scheme-https-and-port-nil'],
    [8080, '/scheme-http-and-port-nil', 'http://example.org/scheme-http-and-port-nil'],
  ])('on Service port %i: %s → %s', (port, path, location) => {
    expect(send(t, { path, port, host: `echo:${port}` })).toEqual({ status: 302, location });
  });

  it('keeps the status it is given', () => {
    expect(send(t, { path: '/scheme-https-and-status' })).toEqual({ status: 301, location: 'https://example.org/scheme-https-and-status' });
  });
});

describe('MeshHTTPRouteRedirectHostAndStatus / Mesh303/307/308 redirects / HTTPRoute303RedirectScheme', () => {
  const redirect = (prefix: string, body: string) =>
    `  - matches: [{path: {type: PathPrefix, value: ${prefix}}}]\n    filters: [{type: RequestRedirect, requestRedirect: {${body}}}]\n`;
  const t = table(
    `${ROUTE}  rules:\n${[
      redirect('/hostname-redirect', 'hostname: example.org'),
      redirect('/host-and-status', 'hostname: example.org, statusCode: 301'),
      redirect('/host-and-status-see-other', 'hostname: example.org, statusCode: 303'),
      redirect('/host-and-status-temporary', 'hostname: example.org, statusCode: 307'),
      redirect('/host-and-status-permanent', 'hostname: example.org, statusCode: 308'),
      redirect('/scheme-and-see-other', 'scheme: https, statusCode: 303'),
    ].join('')}`,
  );
  it.each([
    ['/hostname-redirect', 302, 'http://example.org/hostname-redirect'],
    ['/host-and-status', 301, 'http://example.org/host-and-status'],
    ['/host-and-status-see-other', 303, 'http://example.org/host-and-status-see-other'],
    ['/host-and-status-temporary', 307, 'http://example.org/host-and-status-temporary'],
    ['/host-and-status-permanent', 308, 'http://example.org/host-and-status-permanent'],
    ['/scheme-and-see-other', 303, 'https://echo/scheme-and-see-other'],
  ])('%s → %i %s', (path, status, location) => {
    expect(send(t, { path })).toEqual({ status, location });
  });
});

describe('MeshHTTPRouteRewritePath / HTTPRouteRewritePath', () => {
  const headerEdits = `{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Header-Set, value: set-overwrites-values}], add: [{name: X-Header-Add, value: header-val-1}, {name: X-Header-Add-Append, value: header-val-2}], remove: [X-Header-Remove]}}`;
  const t = table(`${ROUTE}  rules:
  - matches: [{path: {type: PathPrefix, value: /prefix/one}}]
    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /one}}}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /strip-prefix}}]
    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /full/one}}]
    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: /one}}}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /full/rewrite-path-and-modify-headers}}]
    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: /test}}}, ${headerEdits}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /prefix/rewrite-path-and-modify-headers}}]
    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /prefix}}}, ${headerEdits}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /slashed/}}]
    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /xyz/}}}]
    backendRefs: [{name: echo-v1, port: 80}]
`);
  it.each([
    ['/prefix/one/two', '/one/two'],
    ['/prefix/one', '/one'],
    ['/prefix/one/', '/one/'],
    ['/prefix/one/two?q=1', '/one/two?q=1'],
    ['/strip-prefix/three', '/three'],
    ['/strip-prefix', '/'],
    ['/strip-prefix/', '/'],
    ['/full/one/two', '/one'],
    ['/slashed/bar', '/xyz/bar'],
    ['/slashed', '/xyz'],
  ])('%s reaches the backend as %s', (path, forwarded) => {
    expect(send(t, { path })).toMatchObject({ status: 200, backend: 'echo-v1', path: forwarded });
  });

  it('/prefix/onefoo is not under /prefix/one: not rewritten (no other rule matches)', () => {
    expect(send(t, { path: '/prefix/onefoo' }).status).toBe(404);
  });

  it.each([
    ['/full/rewrite-path-and-modify-headers/test', '/test'],
    ['/prefix/rewrite-path-and-modify-headers/one', '/prefix/one'],
  ])('%s: path rewritten to %s and headers edited', (path, forwarded) => {
    const headers = { 'x-header-remove': 'remove-val', 'x-header-add-append': 'append-val-1', 'x-header-set': 'set-val' };
    const seen = send(t, { path, headers });
    expect(seen.path).toBe(forwarded);
    expect(seen.headers).toEqual({
      host: 'echo',
      'x-header-add': 'header-val-1',
      'x-header-add-append': ['append-val-1', 'header-val-2'],
      'x-header-set': 'set-overwrites-values',
    });
  });
});

describe('HTTPRouteRewritePathRequestHeaderModifierBackend', () => {
  const t = table(`${ROUTE}  rules:
  - matches: [{path: {type: PathPrefix, value: /prefix}}]
    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /test}}}]
    backendRefs:
    - name: echo-v1
      port: 80
      filters:
      - type: RequestHeaderModifier
        requestHeaderModifier: {set: [{name: X-Header-Set, value: set-overwrites-values}], add: [{name: X-Header-Add-Append, value: header-val-2}], remove: [X-Header-Remove]}
`);
  it('rewrites the path at the rule and edits headers at the backendRef', () => {
    const headers = { 'x-header-remove': 'remove-val', 'x-header-add-append': 'append-val-1', 'x-header-set': 'set-val' };
    expect(send(t, { path: '/prefix/one', headers })).toMatchObject({
      backend: 'echo-v1',
      path: '/test/one',
      headers: { host: 'echo', 'x-header-add-append': ['append-val-1', 'header-val-2'], 'x-header-set': 'set-overwrites-values' },
    });
    expect(send(t, { path: '/prefix/one', headers }).headers).not.toHaveProperty('x-header-remove');
  });
});

describe('HTTPRouteRewriteHost', () => {
  const t = table(`${ROUTE}  rules:
  - matches: [{path: {type: PathPrefix, value: /one}}]
    filters: [{type: URLRewrite, urlRewrite: {hostname: one.example.org}}]
    backendRefs: [{name: echo-v1, port: 80}]
  - filters: [{type: URLRewrite, urlRewrite: {hostname: example.org}}]
    backendRefs: [{name: echo-v2, port: 80}]
`);
  it.each([
    ['/one', 'echo-v1', 'one.example.org'],
    ['/one/x', 'echo-v1', 'one.example.org'],
    ['/', 'echo-v2', 'example.org'],
  ])('%s → %s with Host %s', (path, backend, host) => {
    expect(send(t, { path })).toMatchObject({ backend, host, path });
  });
});

describe('MeshHTTPRouteRequestHeaderModifier / HTTPRouteRequestHeaderModifier', () => {
  const t = table(`${ROUTE}  rules:
  - matches: [{path: {type: PathPrefix, value: /set}}]
    filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Header-Set, value: set-overwrites-values}]}}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /add}}]
    filters: [{type: RequestHeaderModifier, requestHeaderModifier: {add: [{name: X-Header-Add, value: add-appends-values}]}}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /remove}}]
    filters: [{type: RequestHeaderModifier, requestHeaderModifier: {remove: [X-Header-Remove]}}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /multiple}}]
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{name: X-Header-Set-1, value: header-set-1}, {name: X-Header-Set-2, value: header-set-2}]
        add: [{name: X-Header-Add-1, value: header-add-1}, {name: X-Header-Add-2, value: header-add-2}, {name: X-Header-Add-3, value: header-add-3}]
        remove: [X-Header-Remove-1, X-Header-Remove-2]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /case-insensitivity}}]
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{name: X-Header-Set, value: header-set}]
        add: [{name: X-Header-Add, value: header-add}]
        remove: [X-Header-Remove]
    backendRefs: [{name: echo-v1, port: 80}]
`);
  const edit = (path: string, headers: HeaderRecord) => {
    const { host: _, ...rest } = send(t, { path, headers }).headers ?? {};
    return rest;
  };

  it('set replaces every value, or adds the header', () => {
    expect(edit('/set', { 'some-other-header': 'val' })).toEqual({ 'some-other-header': 'val', 'x-header-set': 'set-overwrites-values' });
    expect(edit('/set', { 'x-header-set': 'some-other-value' })).toEqual({ 'x-header-set': 'set-overwrites-values' });
  });

  it('add appends a value after the existing ones', () => {
    expect(edit('/add', { 'some-other-header': 'val' })).toEqual({ 'some-other-header': 'val', 'x-header-add': 'add-appends-values' });
    expect(edit('/add', { 'x-header-add': 'some-other-value' })).toEqual({ 'x-header-add': ['some-other-value', 'add-appends-values'] });
  });

  it('remove deletes the header', () => {
    expect(edit('/remove', { 'x-header-remove': 'val' })).toEqual({});
  });

  it('edits several headers at once', () => {
    const headers = { 'x-header-set-2': 'set-val-2', 'x-header-add-2': 'add-val-2', 'x-header-remove-2': 'remove-val-2', another: 'x' };
    expect(edit('/multiple', headers)).toEqual({
      another: 'x',
      'x-header-set-1': 'header-set-1',
      'x-header-set-2': 'header-set-2',
      'x-header-add-1': 'header-add-1',
      'x-header-add-2': ['add-val-2', 'header-add-2'],
      'x-header-add-3': 'header-add-3',
    });
  });

  it('names compare case-insensitively', () => {
    const headers = { 'x-header-set': 'original', 'x-header-add': 'original', 'x-header-remove': 'original' };
    expect(edit('/case-insensitivity', headers)).toEqual({ 'x-header-set': 'header-set', 'x-header-add': ['original', 'header-add'] });
  });
});

describe('HTTPRouteResponseHeaderModifier', () => {
  const t = table(`${ROUTE}  rules:
  - filters:
    - type: ResponseHeaderModifier
      responseHeaderModifier:
        set: [{name: X-Header-Set, value: set-overwrites-values}]
        add: [{name: X-Header-Add, value: add-appends-values}]
        remove: [X-Header-Remove-1, x-header-remove-2]
    backendRefs: [{name: echo-v1, port: 80}]
`);
  it('edits what the backend answered, names compared case-insensitively', () => {
    const backendResponse = { 'x-header-set': 'original', 'x-header-add': 'original', 'x-header-remove-1': 'a', 'x-header-remove-2': 'b' };
    expect(send(t, {}, () => 0, backendResponse).responseHeaders).toEqual({
      'x-header-set': 'set-overwrites-values',
      'x-header-add': ['original', 'add-appends-values'],
    });
  });
});

describe('HTTPRouteBackendRequestHeaderModifier', () => {
  const t = table(`${ROUTE}  rules:
  - filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Rule, value: rule}]}}]
    backendRefs:
    - name: echo-v1
      port: 80
      filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Backend, value: v1}]}}]
    - name: echo-v2
      port: 80
      filters: [{type: RequestHeaderModifier, requestHeaderModifier: {add: [{name: X-Backend, value: v2}]}}]
`);
  it("applies a backendRef's filter only to the requests sent to that backend", () => {
    expect(send(t, {}, () => 0.1)).toMatchObject({ backend: 'echo-v1', headers: { host: 'echo', 'x-backend': 'v1', 'x-rule': 'rule' } });
    expect(send(t, {}, () => 0.9)).toMatchObject({ backend: 'echo-v2', headers: { host: 'echo', 'x-backend': 'v2', 'x-rule': 'rule' } });
  });
});

describe('MeshHTTPRouteWeight / HTTPRouteWeight', () => {
  const t = table(`${ROUTE}  rules:
  - backendRefs: [{name: echo-v1, port: 80, weight: 70}, {name: echo-v2, port: 80, weight: 30}, {name: echo-v3, port: 80, weight: 0}]
`);
  it('splits traffic 70/30 and never sends to a weight of 0', () => {
    const sequence = new WeightedSequence(0.5);
    const counts = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const name = send(t, {}, sequence.next).backend as string;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    expect(counts.get('echo-v3')).toBeUndefined();
    expect(Math.abs((counts.get('echo-v1') ?? 0) - 700)).toBeLessThanOrEqual(5);
    expect(Math.abs((counts.get('echo-v2') ?? 0) - 300)).toBeLessThanOrEqual(5);
  });
});

describe('HTTPRouteAllBackendsWeightZero', () => {
  it('answers 500', () => {
    const t = table(`${ROUTE}  rules: [{backendRefs: [{name: echo-v1, port: 80, weight: 0}, {name: echo-v2, port: 80, weight: 0}]}]\n`);
    expect(send(t, {}).status).toBe(500);
  });
});

describe('MeshHTTPRouteNamedRule / HTTPRouteNamedRule', () => {
  it('rule names change nothing in routing and name the rule that matched', () => {
    const t = table(`${ROUTE}  rules:
  - name: named-rule-one
    matches: [{path: {type: PathPrefix, value: /named}}]
    backendRefs: [{name: echo-v1, port: 80}]
  - backendRefs: [{name: echo-v2, port: 80}]
`);
    expect(backendOf(t, { path: '/named' })).toBe('echo-v1');
    expect(backendOf(t, { path: '/unnamed' })).toBe('echo-v2');
    expect(t.routes.map((r) => r.source.ruleName)).toEqual(['named-rule-one', undefined]);
  });
});

describe('HTTPRouteInvalidNonExistentBackendRef / HTTPRouteInvalidBackendRefUnknownKind / HTTPRoutePartiallyInvalid', () => {
  const t = table(`${ROUTE}  rules:
  - matches: [{path: {type: PathPrefix, value: /missing}}]
    backendRefs: [{name: does-not-exist, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /unknown-kind}}]
    backendRefs: [{group: unknown.example, kind: UnknownKind, name: echo-v1, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /half}}]
    backendRefs: [{name: echo-v1, port: 80}, {name: does-not-exist, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /valid}}]
    backendRefs: [{name: echo-v1, port: 80}]
`);
  it.each([
    ['/missing', 0, 500],
    ['/unknown-kind', 0, 500],
    ['/valid', 0, 'echo-v1'],
    ['/half', 0.25, 'echo-v1'],
    ['/half', 0.75, 500],
  ])('%s (draw %d) → %s', (path, draw, expected) => {
    const seen = send(t, { path }, () => draw);
    expect(seen.backend ?? seen.status).toBe(expected);
  });
});

describe('HTTPRouteRequestMirror / HTTPRouteRequestMultipleMirrors / HTTPRouteRequestPercentageMirror', () => {
  const t = table(`${ROUTE}  rules:
  - matches: [{path: {type: PathPrefix, value: /mirror}}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: echo-v2, port: 80}}}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /multi-mirror}}]
    filters:
    - {type: RequestMirror, requestMirror: {backendRef: {name: echo-v2, port: 80}}}
    - {type: RequestMirror, requestMirror: {backendRef: {name: echo-v3, port: 80}}}
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /percent-mirror}}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: echo-v2, port: 80}, percent: 20}}]
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /percent-mirror-fraction}}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: echo-v2, port: 80}, fraction: {numerator: 25, denominator: 50}}}]
    backendRefs: [{name: echo-v1, port: 80}]
`);
  const mirrorsOf = (path: string) => {
    const hit = matchRequest(prepareRouteTable(t.routes), { method: 'GET', path, headers: {} });
    const action = hit?.route.action;
    if (action?.type !== 'Forward') throw new Error(`${path} does not forward`);
    return action.filters.flatMap((f) => (f.type === 'RequestMirror' ? [`${f.backend.name} ${f.percent}%`] : []));
  };
  it.each([
    ['/mirror', ['echo-v2 100%']],
    ['/multi-mirror', ['echo-v2 100%', 'echo-v3 100%']],
    ['/percent-mirror', ['echo-v2 20%']],
    ['/percent-mirror-fraction', ['echo-v2 50%']],
  ])('%s mirrors to %j while echo-v1 answers', (path, mirrors) => {
    expect(send(t, { path }).backend).toBe('echo-v1');
    expect(mirrorsOf(path)).toEqual(mirrors);
  });
});

describe('HTTPRouteTimeoutRequest / HTTPRouteTimeoutBackendRequest', () => {
  it('carries the request and backendRequest timeouts of the rule', () => {
    const t = table(`${ROUTE}  rules:
  - matches: [{path: {type: PathPrefix, value: /request-timeout}}]
    timeouts: {request: 500ms}
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /backend-timeout}}]
    timeouts: {request: 1s, backendRequest: 500ms}
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /disabled}}]
    timeouts: {request: 0s}
    backendRefs: [{name: echo-v1, port: 80}]
`);
    const timeouts = t.routes.map((r) => [r.match.path.value, r.action.type === 'Forward' ? r.action.timeouts : undefined]);
    expect(timeouts).toEqual([
      ['/request-timeout', { requestMs: 500 }],
      ['/backend-timeout', { requestMs: 1000, backendRequestMs: 500 }],
      ['/disabled', { requestMs: 0 }],
    ]);
  });
});

describe('Mesh route attached to the whole waypoint (parentRef kind Gateway)', () => {
  const yaml = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: waypoint-wide, namespace: mesh}
spec:
  parentRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: waypoint}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /v2}}]
    backendRefs: [{name: echo-v2, port: 80}]
`;
  const waypoint: RouteParent = { kind: 'Gateway', namespace: MESH, name: 'waypoint', port: 15008, sectionName: 'mesh' };
  it('routes like a Service route', () => {
    const t = table(yaml, waypoint);
    expect(backendOf(t, { path: '/v2/x' })).toBe('echo-v2');
    expect(backendOf(t, { path: '/v1' })).toBe(404);
  });
});

describe('HTTPRoute validation: a filter type that cannot be repeated in one list', () => {
  const yaml = `${ROUTE}  rules:
  - matches: [{path: {type: PathPrefix, value: /redirect-twice}}]
    filters:
    - {type: RequestRedirect, requestRedirect: {hostname: first.example}}
    - {type: RequestRedirect, requestRedirect: {hostname: second.example}}
  - matches: [{path: {type: PathPrefix, value: /rewrite-twice}}]
    filters:
    - {type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: /b}}}
    - {type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /a}}}
    backendRefs: [{name: echo-v1, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /headers-twice}}]
    backendRefs:
    - name: echo-v1
      port: 80
      filters:
      - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-a, value: "1"}]}}
      - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-a, value: "2"}]}}
  - matches: [{path: {type: PathPrefix, value: /mirror-twice}}]
    filters:
    - {type: RequestMirror, requestMirror: {backendRef: {name: echo-v2, port: 80}}}
    - {type: RequestMirror, requestMirror: {backendRef: {name: echo-v3, port: 80}}}
    backendRefs: [{name: echo-v1, port: 80}]
`;

  it('is refused by `ambit apply` as the CRD refuses it, at each repeated entry', () => {
    const [doc] = decodeManifests(yaml);
    const refused = ambitFailure(() => validateObject(doc?.value));
    expect(refused.details.map((d) => `${d.path}: ${d.message}`)).toEqual([
      'spec.rules[0].filters[1].type: RequestRedirect filter cannot be repeated',
      'spec.rules[1].filters[1].type: URLRewrite filter cannot be repeated',
      'spec.rules[2].backendRefs[0].filters[1].type: RequestHeaderModifier filter cannot be repeated',
    ]);
  });

  it('is refused by `ambit apply` when a RequestRedirect stands beside a URLRewrite (the CRD: not both)', () => {
    const [doc] = decodeManifests(`${ROUTE}  rules:
  - filters:
    - {type: URLRewrite, urlRewrite: {hostname: b.example}}
    - {type: RequestRedirect, requestRedirect: {hostname: a.example}}
`);
    const refused = ambitFailure(() => validateObject(doc?.value));
    expect(refused.details.map((d) => `${d.path}: ${d.message}`)).toEqual([
      'spec.rules[0].filters[1].type: RequestRedirect and URLRewrite cannot be used together',
    ]);
  });

  // A route that reached the store another way (a Kubernetes API without the CRD's validation) still gets no guess
  // served: Ambit's waypoint would keep only one redirect or path rewrite (RDS), so the compiler refuses the list.
  const t = compileRouteTable(
    decodeManifests(yaml).map((doc) => doc.value as HttpRoute),
    service('echo'),
    meshServices,
  );
  it.each([
    ['/redirect-twice/x', 500],
    ['/rewrite-twice/x', 500],
    ['/headers-twice', 500],
    ['/mirror-twice', 'echo-v1'],
  ])('%s → %s', (path, expected) => {
    expect(backendOf(t, { path })).toBe(expected);
  });

  it('says which filter is repeated, at the list', () => {
    expect(t.notes.filter((n) => n.code === 'IncompatibleFilters').map((n) => [n.path, n.message])).toEqual([
      ['spec.rules[0].filters', 'RequestRedirect filter cannot be repeated; matching requests get 500'],
      ['spec.rules[1].filters', 'URLRewrite filter cannot be repeated; matching requests get 500'],
      [
        'spec.rules[2].backendRefs[0].filters',
        "RequestHeaderModifier filter cannot be repeated; this backendRef's share of requests gets 500",
      ],
    ]);
  });
});

describe('HTTPRouteMatchingAcrossRoutes (routes with hostnames on the waypoint Gateway)', () => {
  const yaml = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: part1, namespace: mesh}
spec:
  parentRefs: [{name: waypoint}]
  hostnames: [example.com, example.net]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}, {headers: [{name: version, value: one}]}]
    backendRefs: [{name: echo-v1, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: part2, namespace: mesh}
spec:
  parentRefs: [{name: waypoint}]
  hostnames: [example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /v2}}, {headers: [{name: version, value: two}]}]
    backendRefs: [{name: echo-v2, port: 80}]
`;
  const t = table(yaml, { kind: 'Gateway', namespace: MESH, name: 'waypoint', port: 15008, sectionName: 'mesh' });
  it.each([
    [{ host: 'example.com', path: '/' }, 'echo-v1'],
    [{ host: 'example.com', path: '/example' }, 'echo-v1'],
    [{ host: 'example.net', path: '/example' }, 'echo-v1'],
    [{ host: 'example.com', path: '/example', headers: { version: 'one' } }, 'echo-v1'],
    [{ host: 'example.com', path: '/v2' }, 'echo-v2'],
    [{ host: 'example.net', path: '/v2' }, 'echo-v1'],
    [{ host: 'example.com:8080', path: '/v2/example' }, 'echo-v2'],
    [{ host: 'EXAMPLE.com', path: '/', headers: { version: 'two' } }, 'echo-v2'],
    [{ host: 'example.org', path: '/' }, 404],
  ])('%j → %s', (request, expected) => {
    expect(backendOf(t, request)).toBe(expected);
  });
});
