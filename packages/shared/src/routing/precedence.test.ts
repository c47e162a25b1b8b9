import { describe, expect, it } from 'vitest';
import type { HttpRoute } from '../resources/gateway';
import { backend, compile, httpRoute, outcome, toReviews } from './test-fixtures';
import type { RouteParent } from './types';

type Rule = NonNullable<HttpRoute['spec']['rules']>[number];
type Match = NonNullable<Rule['matches']>[number];

/** A rule sending requests that fit `match` to Service `to`. */
function rule(to: string, match: Match): Rule {
  return { matches: [match], backendRefs: [backend(to)] };
}

function servedBy(routes: HttpRoute[], request: Parameters<typeof outcome>[1], parent?: RouteParent): string | number {
  const result = outcome(compile(routes, parent), request);
  return result.backend ?? result.status;
}

describe('precedence across the rules of one route', () => {
  it('an Exact path beats a longer PathPrefix', () => {
    const route = httpRoute('r', {
      parentRefs: [toReviews],
      rules: [
        rule('prefix', { path: { type: 'PathPrefix', value: '/login/page' } }),
        rule('exact', { path: { type: 'Exact', value: '/login' } }),
      ],
    });
    expect(servedBy([route], { path: '/login' })).toBe('exact');
    const both = httpRoute('r', {
      parentRefs: [toReviews],
      rules: [
        rule('prefix', { path: { type: 'PathPrefix', value: '/login' } }),
        rule('exact', { path: { type: 'Exact', value: '/login' } }),
      ],
    });
    expect(servedBy([both], { path: '/login' })).toBe('exact');
    expect(servedBy([both], { path: '/login/x' })).toBe('prefix');
  });

  it('the longest PathPrefix wins, whatever the rule order', () => {
    const route = httpRoute('r', {
      parentRefs: [toReviews],
      rules: [
        rule('root', { path: { value: '/' } }),
        rule('api', { path: { value: '/api' } }),
        rule('api-v1', { path: { value: '/api/v1' } }),
      ],
    });
    expect(servedBy([route], { path: '/api/v1/users' })).toBe('api-v1');
    expect(servedBy([route], { path: '/api/v2' })).toBe('api');
    expect(servedBy([route], { path: '/other' })).toBe('root');
  });

  it('a method match beats more header matches on the same path', () => {
    const route = httpRoute('r', {
      parentRefs: [toReviews],
      rules: [
        rule('headers', {
          headers: [
            { name: 'a', value: '1' },
            { name: 'b', value: '2' },
          ],
        }),
        rule('method', { method: 'GET' }),
      ],
    });
    expect(servedBy([route], { path: '/', method: 'GET', headers: { a: '1', b: '2' } })).toBe('method');
    expect(servedBy([route], { path: '/', method: 'POST', headers: { a: '1', b: '2' } })).toBe('headers');
  });

  it('more header matches win, then more query parameter matches', () => {
    const route = httpRoute('r', {
      parentRefs: [toReviews],
      rules: [
        rule('one-header', { headers: [{ name: 'a', value: '1' }] }),
        rule('query', { queryParams: [{ name: 'q', value: '1' }] }),
        rule('two-headers', {
          headers: [
            { name: 'a', value: '1' },
            { name: 'b', value: '2' },
          ],
        }),
        rule('header-and-query', { headers: [{ name: 'a', value: '1' }], queryParams: [{ name: 'q', value: '1' }] }),
      ],
    });
    expect(servedBy([route], { path: '/?q=1', headers: { a: '1', b: '2' } })).toBe('two-headers');
    expect(servedBy([route], { path: '/?q=1', headers: { a: '1' } })).toBe('header-and-query');
    expect(servedBy([route], { path: '/', headers: { a: '1' } })).toBe('one-header');
    expect(servedBy([route], { path: '/?q=1' })).toBe('query');
  });

  it('rule order, then match order, breaks the remaining ties', () => {
    const route = httpRoute('r', {
      parentRefs: [toReviews],
      rules: [rule('first', { path: { value: '/a' } }), rule('second', { path: { value: '/a' } })],
    });
    expect(servedBy([route], { path: '/a' })).toBe('first');
  });
});

describe('precedence across routes', () => {
  const older = '2024-01-01T00:00:00Z';
  const newer = '2024-06-01T00:00:00Z';

  it('match specificity comes before route age: a newer route with a longer prefix wins', () => {
    const old = httpRoute(
      'old',
      { parentRefs: [toReviews], rules: [rule('old', { path: { value: '/api' } })] },
      { creationTimestamp: older },
    );
    const young = httpRoute(
      'young',
      { parentRefs: [toReviews], rules: [rule('young', { path: { value: '/api/v1' } })] },
      { creationTimestamp: newer },
    );
    expect(servedBy([old, young], { path: '/api/v1/x' })).toBe('young');
    expect(servedBy([old, young], { path: '/api/v2' })).toBe('old');
  });

  it('on equal matches the oldest route wins, whatever its name or list position', () => {
    const a = httpRoute('a', { parentRefs: [toReviews], rules: [rule('a', { path: { value: '/' } })] }, { creationTimestamp: newer });
    const z = httpRoute('z', { parentRefs: [toReviews], rules: [rule('z', { path: { value: '/' } })] }, { creationTimestamp: older });
    expect(servedBy([a, z], { path: '/' })).toBe('z');
    expect(servedBy([z, a], { path: '/' })).toBe('z');
  });

  it('on equal age the route first by namespace/name wins', () => {
    const gateway: RouteParent = { kind: 'Gateway', namespace: 'infra', name: 'waypoint', allowedRouteNamespaces: 'All' };
    const ref = { name: 'waypoint', namespace: 'infra' };
    const at = { creationTimestamp: older };
    const bravoA = httpRoute('a', { parentRefs: [ref], rules: [rule('bravo/a', {})] }, { ...at, namespace: 'bravo' });
    const alphaZ = httpRoute('z', { parentRefs: [ref], rules: [rule('alpha/z', {})] }, { ...at, namespace: 'alpha' });
    const alphaY = httpRoute('y', { parentRefs: [ref], rules: [rule('alpha/y', {})] }, { ...at, namespace: 'alpha' });
    expect(servedBy([bravoA, alphaZ, alphaY], { path: '/' }, gateway)).toBe('alpha/y');
    expect(servedBy([bravoA, alphaZ], { path: '/' }, gateway)).toBe('alpha/z');
  });

  it('a route without creationTimestamp counts as the newest', () => {
    const stamped = httpRoute('z', { parentRefs: [toReviews], rules: [rule('stamped', {})] }, { creationTimestamp: newer });
    const unstamped = httpRoute('a', { parentRefs: [toReviews], rules: [rule('unstamped', {})] });
    expect(servedBy([unstamped, stamped], { path: '/' })).toBe('stamped');
  });
});

describe('regular expression paths', () => {
  it('rank after Exact and PathPrefix paths, as in Istio (the spec leaves this to implementations)', () => {
    const route = httpRoute('r', {
      parentRefs: [toReviews],
      rules: [rule('regex', { path: { type: 'RegularExpression', value: '/api/.*' } }), rule('prefix', { path: { value: '/api' } })],
    });
    expect(servedBy([route], { path: '/api/x' })).toBe('prefix');
  });

  it('are reported as unreachable behind a catch-all prefix', () => {
    const route = httpRoute('r', {
      parentRefs: [toReviews],
      rules: [rule('regex', { path: { type: 'RegularExpression', value: '/v[0-9]' } }), rule('all', { path: { value: '/' } })],
    });
    const table = compile([route]);
    expect(table.notes).toContainEqual(
      expect.objectContaining({ code: 'UnreachableMatch', route: 'default/r', path: 'spec.rules[0].matches[0]' }),
    );
    expect(outcome(table, { path: '/v1' }).backend).toBe('all');
  });
});

describe('unreachable matches', () => {
  it('are reported when an earlier route has the same conditions, naming both', () => {
    const older = httpRoute(
      'first',
      { parentRefs: [toReviews], rules: [rule('a', { path: { value: '/a/' }, method: 'GET' })] },
      { creationTimestamp: '2024-01-01T00:00:00Z' },
    );
    const newer = httpRoute(
      'second',
      { parentRefs: [toReviews], rules: [rule('b', { path: { value: '/a' }, method: 'GET' })] },
      { creationTimestamp: '2024-02-01T00:00:00Z' },
    );
    const notes = compile([older, newer]).notes.filter((n) => n.code === 'UnreachableMatch');
    expect(notes).toEqual([
      {
        code: 'UnreachableMatch',
        level: 'warning',
        route: 'default/second',
        path: 'spec.rules[0].matches[0]',
        message: 'never used: default/first rule 0 match 0 takes precedence and matches every request this match would',
      },
    ]);
  });

  it('are not reported when the later match can still be reached', () => {
    const route = httpRoute('r', {
      parentRefs: [toReviews],
      rules: [
        rule('get', { path: { value: '/a' }, method: 'GET' }),
        rule('header', { path: { value: '/a' }, headers: [{ name: 'x', value: '1' }] }),
      ],
    });
    expect(compile([route]).notes).toEqual([]);
  });
});
