import { describe, expect, it } from 'vitest';
import type { HttpRoute } from '../resources/gateway';
import { backend, compile, httpRoute, outcome, toReviews } from './test-fixtures';
import type { CompiledRouteTable, ForwardAction } from './types';

type Filters = NonNullable<NonNullable<HttpRoute['spec']['rules']>[number]['filters']>;

function compileFilters(filters: Filters): CompiledRouteTable {
  return compile([httpRoute('r', { parentRefs: [toReviews], rules: [{ filters, backendRefs: [{ name: 'v1', port: 9080 }] }] })]);
}

function forward(table: CompiledRouteTable): ForwardAction {
  const action = table.routes[0]?.action;
  if (action?.type !== 'Forward') throw new Error(`the route does not forward: ${JSON.stringify(action)}`);
  return action;
}

describe('a RequestHeaderModifier that sets Host', () => {
  it('rewrites the authority, as Istio does, instead of writing a second Host header', () => {
    const table = compileFilters([
      {
        type: 'RequestHeaderModifier',
        requestHeaderModifier: {
          set: [
            { name: 'Host', value: 'reviews.internal:8080' },
            { name: 'X-Env', value: 'prod' },
          ],
        },
      },
    ]);
    expect(table.notes).toEqual([]);
    expect(forward(table).filters).toEqual([
      { type: 'RequestHeaderModifier', set: [{ name: 'x-env', value: 'prod' }], add: [], remove: [] },
      { type: 'URLRewrite', hostname: 'reviews.internal:8080' },
    ]);
  });

  it('is refused with a URLRewrite hostname on the same rule: one authority per request', () => {
    const table = compileFilters([
      { type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'host', value: 'a.internal' }] } },
      { type: 'URLRewrite', urlRewrite: { hostname: 'b.internal' } },
    ]);
    expect(table.notes).toContainEqual(
      expect.objectContaining({ code: 'IncompatibleFilters', level: 'error', path: 'spec.rules[0].filters' }),
    );
  });

  it("is warned about beside a RequestRedirect, which ignores it (requestRedirect.hostname sets the redirect's host)", () => {
    const table = compileFilters([
      { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'Host', value: 'a.internal' }] } },
      { type: 'RequestRedirect', requestRedirect: { scheme: 'https' } },
    ]);
    expect(table.notes.filter((n) => n.code === 'IncompatibleFilters')).toEqual([]);
    expect(table.notes).toContainEqual(
      expect.objectContaining({
        code: 'HeaderEditIgnored',
        path: 'spec.rules[0].filters[0].requestHeaderModifier',
        message: 'Host has no effect beside a RequestRedirect; set requestRedirect.hostname instead',
      }),
    );
    expect(JSON.stringify(table.routes[0]?.action)).not.toContain('URLRewrite');
  });
});

describe('a header modifier naming a header a filter cannot change', () => {
  it('is compiled without that name and warned about at the field, so the compiled table says what the waypoint does', () => {
    const table = compileFilters([
      {
        type: 'RequestHeaderModifier',
        requestHeaderModifier: { set: [{ name: 'Content-Length', value: '5' }], remove: ['Connection', 'X-Debug', ':path', 'Host'] },
      },
      {
        type: 'ResponseHeaderModifier',
        responseHeaderModifier: {
          add: [
            { name: 'Transfer-Encoding', value: 'chunked' },
            { name: 'Host', value: 'a' },
          ],
        },
      },
    ]);
    expect(table.notes.map((n) => [n.code, n.level, n.path])).toEqual([
      ['HeaderEditIgnored', 'warning', 'spec.rules[0].filters[0].requestHeaderModifier.set[0].name'],
      ['HeaderEditIgnored', 'warning', 'spec.rules[0].filters[0].requestHeaderModifier.remove[0]'],
      ['HeaderEditIgnored', 'warning', 'spec.rules[0].filters[0].requestHeaderModifier.remove[2]'],
      ['HeaderEditIgnored', 'warning', 'spec.rules[0].filters[0].requestHeaderModifier.remove[3]'],
      ['HeaderEditIgnored', 'warning', 'spec.rules[0].filters[1].responseHeaderModifier.add[0].name'],
      ['HeaderEditIgnored', 'warning', 'spec.rules[0].filters[1].responseHeaderModifier.add[1].name'],
    ]);
    expect(table.notes[0]?.message).toMatch(/^Content-Length frames the message.*; remove it from the filter$/);
    expect(forward(table).filters).toEqual([{ type: 'RequestHeaderModifier', set: [], add: [], remove: ['x-debug'] }]);
  });

  it('keeps the first of equivalent names, as Gateway API requires, and warns about the others', () => {
    const table = compileFilters([
      {
        type: 'RequestHeaderModifier',
        requestHeaderModifier: {
          set: [
            { name: 'X-Env', value: 'prod' },
            { name: 'x-env', value: 'dev' },
            { name: 'Host', value: 'a.internal' },
            { name: 'host', value: 'b.internal' },
          ],
        },
      },
    ]);
    expect(table.notes.map((n) => [n.code, n.path])).toEqual([
      ['HeaderEditIgnored', 'spec.rules[0].filters[0].requestHeaderModifier.set[1].name'],
      ['HeaderEditIgnored', 'spec.rules[0].filters[0].requestHeaderModifier.set[3].name'],
    ]);
    expect(forward(table).filters).toEqual([
      { type: 'RequestHeaderModifier', set: [{ name: 'x-env', value: 'prod' }], add: [], remove: [] },
      { type: 'URLRewrite', hostname: 'a.internal' },
    ]);
  });
});

describe('filters on a backendRef', () => {
  type BackendFilters = NonNullable<NonNullable<NonNullable<HttpRoute['spec']['rules']>[number]['backendRefs']>[number]['filters']>;

  /** v1 carries the filters, v2 none; both weight 1. */
  function compileBackendFilters(filters: BackendFilters, ruleFilters?: Filters): CompiledRouteTable {
    return compile([
      httpRoute('r', {
        parentRefs: [toReviews],
        rules: [{ filters: ruleFilters, backendRefs: [{ name: 'v1', port: 9080, weight: 1, filters }, backend('v2', 1)] }],
      }),
    ]);
  }

  const notesOf = (table: CompiledRouteTable) => table.notes.map((n) => [n.code, n.level, n.path]);

  it.each([
    [
      'a URLRewrite path',
      { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/v1' } } },
      'spec.rules[0].backendRefs[0].filters[0].urlRewrite.path',
    ],
    [
      'a RequestMirror',
      { type: 'RequestMirror', requestMirror: { backendRef: { name: 'shadow', port: 9080 } } },
      'spec.rules[0].backendRefs[0].filters[0].type',
    ],
    [
      'a RequestRedirect',
      { type: 'RequestRedirect', requestRedirect: { scheme: 'https' } },
      'spec.rules[0].backendRefs[0].filters[0].type',
    ],
  ] as const)('refuses %s, which Envoy has only per route: that backend’s share gets 500, and the user is told', (_, filter, path) => {
    const table = compileBackendFilters([filter as BackendFilters[number]]);
    expect(notesOf(table)).toEqual([['UnsupportedFilter', 'error', path]]);
    expect(table.notes[0]?.message).toMatch(/cannot apply to one backendRef.*this backendRef's share of requests gets 500$/);
    const [v1, v2] = forward(table).backends;
    expect(v1).toMatchObject({ name: 'v1', filters: [], invalid: expect.stringContaining('cannot apply to one backendRef') });
    expect(v2?.invalid).toBeUndefined();
    expect(outcome(table, { path: '/' }, () => 0.25)).toEqual({ status: 500 });
    expect(outcome(table, { path: '/' }, () => 0.75)).toEqual({ status: 200, backend: 'v2' });
  });

  it('rewrites the Host per backend, from a RequestHeaderModifier or a hostname-only URLRewrite', () => {
    const byHeader = compileBackendFilters([
      { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'Host', value: 'v1.internal' }] } },
    ]);
    expect(byHeader.notes).toEqual([]);
    // Nothing but the rewrite: no empty header modifier, which Envoy's form could not give back.
    expect(forward(byHeader).backends[0]).toMatchObject({ filters: [{ type: 'URLRewrite', hostname: 'v1.internal' }] });
    expect(forward(byHeader).backends[0]?.invalid).toBeUndefined();
    const byRewrite = compileBackendFilters([{ type: 'URLRewrite', urlRewrite: { hostname: 'v1.internal' } }]);
    expect(byRewrite.notes).toEqual([]);
    expect(forward(byRewrite).backends[0]?.filters).toEqual([{ type: 'URLRewrite', hostname: 'v1.internal' }]);
  });

  it('refuses a backend Host rewrite when the rule rewrites the Host too: Envoy would apply the rule’s last', () => {
    const table = compileBackendFilters(
      [{ type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'host', value: 'v1.internal' }] } }],
      [{ type: 'URLRewrite', urlRewrite: { hostname: 'reviews.internal' } }],
    );
    expect(notesOf(table)).toEqual([['IncompatibleFilters', 'error', 'spec.rules[0].backendRefs[0].filters']]);
    expect(forward(table).backends[0]?.invalid).toMatch(/rewrite the Host already/);
    expect(forward(table).filters).toEqual([{ type: 'URLRewrite', hostname: 'reviews.internal' }]);
  });
});
