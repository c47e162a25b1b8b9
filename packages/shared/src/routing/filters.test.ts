import { describe, expect, it } from 'vitest';
import type { HttpRoute } from '../resources/gateway';
import { compile, httpRoute, toReviews } from './test-fixtures';
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

  it('does not count as a URLRewrite beside a RequestRedirect', () => {
    const table = compileFilters([
      { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'Host', value: 'a.internal' }] } },
      { type: 'RequestRedirect', requestRedirect: { scheme: 'https' } },
    ]);
    expect(table.notes.filter((n) => n.code === 'IncompatibleFilters')).toEqual([]);
  });
});

describe('a header modifier naming a framing or hop-by-hop header', () => {
  it('is compiled without that name and warned about at the field, so the user learns the waypoint ignores it', () => {
    const table = compileFilters([
      {
        type: 'RequestHeaderModifier',
        requestHeaderModifier: { set: [{ name: 'Content-Length', value: '5' }], remove: ['Connection', 'X-Debug'] },
      },
      { type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'Transfer-Encoding', value: 'chunked' }] } },
    ]);
    expect(table.notes.map((n) => [n.code, n.level, n.path])).toEqual([
      ['FramingHeaderIgnored', 'warning', 'spec.rules[0].filters[0].requestHeaderModifier.set[0].name'],
      ['FramingHeaderIgnored', 'warning', 'spec.rules[0].filters[0].requestHeaderModifier.remove[0]'],
      ['FramingHeaderIgnored', 'warning', 'spec.rules[0].filters[1].responseHeaderModifier.add[0].name'],
    ]);
    expect(forward(table).filters[0]).toEqual({
      type: 'RequestHeaderModifier',
      set: [{ name: 'content-length', value: '5' }],
      add: [],
      remove: ['connection', 'x-debug'],
    });
  });
});
