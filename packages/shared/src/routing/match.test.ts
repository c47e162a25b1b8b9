import { describe, expect, it } from 'vitest';
import type { HttpRoute } from '../resources/gateway';
import { matchRequest, parseQueryParams, prepareRouteTable } from './match';
import { backend, compile, httpRoute, outcome, toReviews } from './test-fixtures';

type Match = NonNullable<NonNullable<HttpRoute['spec']['rules']>[number]['matches']>[number];

/** One route whose rule i sends matching requests to Service `v<i>`. */
function routeWith(...matches: Match[]): HttpRoute {
  return httpRoute('reviews', {
    parentRefs: [toReviews],
    rules: matches.map((match, i) => ({ matches: [match], backendRefs: [backend(`v${i}`)] })),
  });
}

function served(route: HttpRoute, request: Parameters<typeof outcome>[1]): string | number {
  const result = outcome(compile([route]), request);
  return result.backend ?? result.status;
}

describe('PathPrefix', () => {
  const route = routeWith({ path: { type: 'PathPrefix', value: '/v2' } });

  it.each([
    ['/v2', 'v0'],
    ['/v2/', 'v0'],
    ['/v2/x', 'v0'],
    ['/v2/x/y?q=1', 'v0'],
    ['/v2x', 404],
    ['/v', 404],
    ['/V2', 404],
    ['/api/v2', 404],
  ])('/v2 and %s → %s', (path, expected) => {
    expect(served(route, { path })).toBe(expected);
  });

  it('ignores a trailing slash in the prefix: /v2/ matches /v2, /v2/ and /v2/x', () => {
    const slashed = routeWith({ path: { type: 'PathPrefix', value: '/v2/' } });
    expect(served(slashed, { path: '/v2' })).toBe('v0');
    expect(served(slashed, { path: '/v2/' })).toBe('v0');
    expect(served(slashed, { path: '/v2/x' })).toBe('v0');
    expect(served(slashed, { path: '/v2x' })).toBe(404);
  });

  it('/ matches every path, and is the default when a match or a rule names no path', () => {
    expect(served(routeWith({ path: { type: 'PathPrefix', value: '/' } }), { path: '/anything/at/all' })).toBe('v0');
    expect(served(routeWith({ method: 'GET' }), { path: '/x' })).toBe('v0');
    const noMatches = httpRoute('reviews', { parentRefs: [toReviews], rules: [{ backendRefs: [backend('all')] }] });
    expect(served(noMatches, { path: '/deep/path' })).toBe('all');
  });
});

describe('Exact path', () => {
  const route = routeWith({ path: { type: 'Exact', value: '/login' } });
  it.each([
    ['/login', 'v0'],
    ['/login?next=/', 'v0'],
    ['/login/', 404],
    ['/Login', 404],
    ['/login2', 404],
  ])('%s → %s', (path, expected) => {
    expect(served(route, { path })).toBe(expected);
  });
});

describe('RegularExpression path', () => {
  const route = routeWith({ path: { type: 'RegularExpression', value: '/users/[0-9]+' } });
  it.each([
    ['/users/42', 'v0'],
    ['/users/42?x=1', 'v0'],
    ['/users/42/posts', 404],
    ['/users/abc', 404],
    ['/api/users/42', 404],
  ])('%s → %s (the whole path must match)', (path, expected) => {
    expect(served(route, { path })).toBe(expected);
  });
});

describe('headers', () => {
  it('match names case-insensitively and values exactly', () => {
    const route = routeWith({ headers: [{ name: 'X-Version', value: 'v2' }] });
    expect(served(route, { path: '/', headers: { 'x-version': 'v2' } })).toBe('v0');
    expect(served(route, { path: '/', headers: { 'x-version': 'V2' } })).toBe(404);
    expect(served(route, { path: '/', headers: {} })).toBe(404);
  });

  it('require every header of a match (AND)', () => {
    const route = routeWith({
      headers: [
        { name: 'version', value: 'one' },
        { name: 'color', value: 'blue' },
      ],
    });
    expect(served(route, { path: '/', headers: { version: 'one', color: 'blue' } })).toBe('v0');
    expect(served(route, { path: '/', headers: { version: 'one' } })).toBe(404);
  });

  it('match a regular expression against the whole value', () => {
    const route = routeWith({ headers: [{ name: 'user-agent', type: 'RegularExpression', value: '.*Firefox.*' }] });
    expect(served(route, { path: '/', headers: { 'user-agent': 'Mozilla/5.0 Firefox/120' } })).toBe('v0');
    expect(served(route, { path: '/', headers: { 'user-agent': 'curl/8' } })).toBe(404);
  });

  it('match a repeated header as its comma-joined value', () => {
    const route = routeWith({ headers: [{ name: 'x-tag', value: 'a,b' }] });
    expect(served(route, { path: '/', headers: { 'x-tag': ['a', 'b'] } })).toBe('v0');
  });

  it('count only the first of several matchers for the same name', () => {
    const route = routeWith({
      headers: [
        { name: 'version', value: 'one' },
        { name: 'Version', value: 'two' },
      ],
    });
    expect(served(route, { path: '/', headers: { version: 'one' } })).toBe('v0');
  });
});

describe('query parameters', () => {
  const route = routeWith({ queryParams: [{ name: 'animal', value: 'whale' }] });
  it.each([
    ['/?animal=whale', 'v0'],
    ['/?animal=whale&other=x', 'v0'],
    ['/?other=x&animal=whale', 'v0'],
    ['/?animal=whale&animal=dolphin', 'v0'],
    ['/?animal=dolphin&animal=whale', 404],
    ['/?ANIMAL=whale', 404],
    ['/?animal=Whale', 404],
    ['/?animal=whaledolphin', 404],
    ['/', 404],
  ])('%s → %s (exact, case-sensitive name, first value)', (path, expected) => {
    expect(served(route, { path })).toBe(expected);
  });

  it('decode percent-encoding and match regular expressions', () => {
    expect(served(routeWith({ queryParams: [{ name: 'q', value: 'a b' }] }), { path: '/?q=a%20b' })).toBe('v0');
    expect(served(routeWith({ queryParams: [{ name: 'id', type: 'RegularExpression', value: '[0-9]+' }] }), { path: '/?id=12' })).toBe(
      'v0',
    );
  });

  it('are returned with the match so the proxy does not parse them twice', () => {
    const table = prepareRouteTable(compile([route]).routes);
    const result = matchRequest(table, { method: 'GET', path: '/?animal=whale&n=1', headers: {} });
    expect(result?.queryParams?.get('n')).toBe('1');
    expect(parseQueryParams('/p?a=1&a=2&b&c=%zz#frag')).toEqual(
      new Map([
        ['a', '1'],
        ['b', ''],
        ['c', '%zz'],
      ]),
    );
  });
});

describe('method', () => {
  it('matches exactly', () => {
    const route = routeWith({ method: 'POST' });
    expect(served(route, { path: '/', method: 'POST' })).toBe('v0');
    expect(served(route, { path: '/', method: 'GET' })).toBe(404);
  });
});

describe('matches within a rule', () => {
  it('OR together: any one match selects the rule', () => {
    const route = httpRoute('reviews', {
      parentRefs: [toReviews],
      rules: [
        {
          matches: [
            { path: { type: 'PathPrefix', value: '/foo' }, headers: [{ name: 'version', value: 'v2' }] },
            { path: { type: 'PathPrefix', value: '/v2/foo' } },
          ],
          backendRefs: [backend('v2')],
        },
      ],
    });
    expect(served(route, { path: '/foo', headers: { version: 'v2' } })).toBe('v2');
    expect(served(route, { path: '/v2/foo/x' })).toBe('v2');
    expect(served(route, { path: '/foo' })).toBe(404);
  });
});

describe('no route', () => {
  it('answers 404 when nothing matches, including for an empty table', () => {
    expect(served(routeWith({ path: { type: 'Exact', value: '/a' } }), { path: '/b' })).toBe(404);
    expect(outcome(compile([]), { path: '/' }).status).toBe(404);
  });
});
