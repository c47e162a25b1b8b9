import { describe, expect, it } from 'vitest';
import type { HttpRoute } from '../resources/gateway';
import { matchRequest, prepareRouteTable } from './match';
import { backend, compile, httpRoute, outcome, reviewsService, toReviews } from './test-fixtures';
import type { BackendResolver, CompiledRouteTable, ForwardAction } from './types';

type Rule = NonNullable<HttpRoute['spec']['rules']>[number];

function oneRule(rule: Rule): HttpRoute {
  return httpRoute('r', { parentRefs: [toReviews], rules: [rule] });
}

function forward(table: CompiledRouteTable, index = 0): ForwardAction {
  const action = table.routes[index]?.action;
  if (action?.type !== 'Forward') throw new Error(`route ${index} does not forward: ${JSON.stringify(action)}`);
  return action;
}

const missing =
  (...names: string[]): BackendResolver =>
  (ref) =>
    names.includes(ref.name) ? { exists: false, reason: 'BackendNotFound' } : { exists: true };

describe('backends', () => {
  it('default to weight 1, kind Service in the core group, the route namespace', () => {
    const table = compile([oneRule({ backendRefs: [{ name: 'v1', port: 9080 }] })]);
    expect(forward(table).backends).toEqual([
      { group: '', kind: 'Service', name: 'v1', namespace: 'default', port: 9080, weight: 1, filters: [] },
    ]);
  });

  it('answer 500 when every weight is 0', () => {
    const table = compile([oneRule({ backendRefs: [backend('v1', 0), backend('v2', 0)] })]);
    expect(outcome(table, { path: '/' }).status).toBe(500);
    expect(table.notes).toContainEqual(expect.objectContaining({ code: 'NoBackends', path: 'spec.rules[0].backendRefs' }));
  });

  it('answer 500 for a rule without backendRefs, and for an HTTPRoute without rules', () => {
    expect(outcome(compile([oneRule({ matches: [{ path: { value: '/' } }] })]), { path: '/' }).status).toBe(500);
    expect(outcome(compile([httpRoute('r', { parentRefs: [toReviews] })]), { path: '/x' }).status).toBe(500);
  });

  it('give a missing Service its share of requests as 500s, and the rest to the others', () => {
    const table = compile([oneRule({ backendRefs: [backend('v1', 1), backend('gone', 1)] })], reviewsService, missing('gone'));
    expect(outcome(table, { path: '/' }, () => 0.25)).toEqual({ status: 200, backend: 'v1' });
    expect(outcome(table, { path: '/' }, () => 0.75).status).toBe(500);
    expect(forward(table).backends[1]?.invalid).toContain('BackendNotFound');
    expect(table.notes).toContainEqual(
      expect.objectContaining({ code: 'BackendNotFound', route: 'default/r', path: 'spec.rules[0].backendRefs[1]' }),
    );
  });

  it('answer 500 for every request when no backend is usable', () => {
    const table = compile([oneRule({ backendRefs: [backend('gone')] })], reviewsService, missing('gone'));
    expect(table.routes[0]?.action).toMatchObject({ type: 'DirectResponse', status: 500 });
  });

  it('need a port when they name a Service', () => {
    const table = compile([oneRule({ backendRefs: [{ name: 'v1' }, backend('v2')] })]);
    expect(forward(table).backends[0]?.invalid).toContain('needs a port');
    expect(table.notes).toContainEqual(expect.objectContaining({ code: 'BackendPortRequired', path: 'spec.rules[0].backendRefs[0]' }));
  });

  it('carry their own filters', () => {
    const table = compile([
      oneRule({
        backendRefs: [
          {
            ...backend('v1'),
            filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-Backend', value: 'v1' }] } }],
          },
        ],
      }),
    ]);
    expect(forward(table).backends[0]?.filters).toEqual([
      { type: 'RequestHeaderModifier', set: [{ name: 'x-backend', value: 'v1' }], add: [], remove: [] },
    ]);
  });
});

describe('filters', () => {
  it('are compiled in order with header names lowercased', () => {
    const table = compile([
      oneRule({
        filters: [
          { type: 'URLRewrite', urlRewrite: { hostname: 'internal', path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2' } } },
          {
            type: 'ResponseHeaderModifier',
            responseHeaderModifier: { add: [{ name: 'X-Served-By', value: 'ambit' }], remove: ['Server'] },
          },
          {
            type: 'RequestMirror',
            requestMirror: { backendRef: { name: 'shadow', port: 9080 }, fraction: { numerator: 1, denominator: 4 } },
          },
        ],
        backendRefs: [backend('v1')],
      }),
    ]);
    expect(forward(table).filters).toEqual([
      { type: 'URLRewrite', hostname: 'internal', path: { type: 'ReplacePrefixMatch', value: '/v2' } },
      { type: 'ResponseHeaderModifier', set: [], add: [{ name: 'x-served-by', value: 'ambit' }], remove: ['server'] },
      { type: 'RequestMirror', backend: { group: '', kind: 'Service', name: 'shadow', namespace: 'default', port: 9080 }, percent: 25 },
    ]);
  });

  it('drop a mirror to a missing Service, with a note', () => {
    const table = compile(
      [
        oneRule({
          filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'shadow', port: 9080 } } }],
          backendRefs: [backend('v1')],
        }),
      ],
      reviewsService,
      missing('shadow'),
    );
    expect(forward(table).filters).toEqual([]);
    expect(table.notes).toContainEqual(
      expect.objectContaining({ code: 'MirrorBackendNotFound', path: 'spec.rules[0].filters[0].requestMirror.backendRef' }),
    );
  });

  it('keep ExtensionRefs of known kinds as references', () => {
    const rule: Rule = {
      filters: [{ type: 'ExtensionRef', extensionRef: { group: 'ambit.dev', kind: 'FaultInjection', name: 'slow' } }],
      backendRefs: [backend('v1')],
    };
    const table = compile([oneRule(rule)], reviewsService, undefined, { extensionKinds: [{ group: 'ambit.dev', kind: 'FaultInjection' }] });
    expect(forward(table).filters).toEqual([{ type: 'ExtensionRef', group: 'ambit.dev', kind: 'FaultInjection', name: 'slow' }]);
  });

  it('answer 500 for ExtensionRefs of unknown kinds and unsupported filter types, never skipping them', () => {
    const unknown = compile([
      oneRule({
        filters: [{ type: 'ExtensionRef', extensionRef: { group: 'x.io', kind: 'Magic', name: 'm' } }],
        backendRefs: [backend('v1')],
      }),
    ]);
    expect(outcome(unknown, { path: '/' }).status).toBe(500);
    expect(unknown.notes).toContainEqual(
      expect.objectContaining({ code: 'UnknownExtensionRef', level: 'error', path: 'spec.rules[0].filters[0].extensionRef' }),
    );

    const cors = compile([oneRule({ filters: [{ type: 'CORS', cors: {} }], backendRefs: [backend('v1')] })]);
    expect(outcome(cors, { path: '/' }).status).toBe(500);
    expect(cors.notes).toContainEqual(expect.objectContaining({ code: 'UnsupportedFilter', path: 'spec.rules[0].filters[0].type' }));
  });

  it('answer 500 when ReplacePrefixMatch meets a non-prefix match, or redirect meets rewrite', () => {
    const exact = compile([
      oneRule({
        matches: [{ path: { type: 'Exact', value: '/a' } }],
        filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/b' } } }],
        backendRefs: [backend('v1')],
      }),
    ]);
    expect(outcome(exact, { path: '/a' }).status).toBe(500);
    expect(exact.notes).toContainEqual(expect.objectContaining({ code: 'IncompatibleFilters', path: 'spec.rules[0].filters' }));

    const both = compile([
      oneRule({
        filters: [
          { type: 'URLRewrite', urlRewrite: { hostname: 'a' } },
          { type: 'RequestRedirect', requestRedirect: { hostname: 'b' } },
        ],
      }),
    ]);
    expect(outcome(both, { path: '/' }).status).toBe(500);
  });

  it('let a RequestRedirect answer without backends, noting backendRefs it makes useless', () => {
    const table = compile([
      oneRule({ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }], backendRefs: [backend('v1')] }),
    ]);
    expect(outcome(table, { path: '/p' })).toEqual({ status: 302, location: 'https://reviews/p' });
    expect(table.notes).toContainEqual(expect.objectContaining({ code: 'RedirectWithBackends' }));
  });
});

describe('invalid regular expressions', () => {
  it('drop only the match that holds them, with a note naming the field', () => {
    const table = compile([
      oneRule({
        matches: [
          { path: { type: 'RegularExpression', value: '/(?=x)' } },
          { headers: [{ name: 'x', type: 'RegularExpression', value: '(' }] },
          { path: { value: '/ok' } },
        ],
        backendRefs: [backend('v1')],
      }),
    ]);
    expect(table.routes).toHaveLength(1);
    expect(outcome(table, { path: '/ok' }).backend).toBe('v1');
    expect(table.notes.map((n) => [n.code, n.path])).toEqual([
      ['InvalidRegex', 'spec.rules[0].matches[0].path.value'],
      ['InvalidRegex', 'spec.rules[0].matches[1].headers[0].value'],
    ]);
  });
});

describe('timeouts and retries', () => {
  it('are compiled to milliseconds', () => {
    const table = compile([
      oneRule({
        timeouts: { request: '10s', backendRequest: '1500ms' },
        retry: { attempts: 3, codes: [503, 504], backoff: '100ms' },
        backendRefs: [backend('v1')],
      }),
    ]);
    expect(forward(table).timeouts).toEqual({ requestMs: 10_000, backendRequestMs: 1_500 });
    expect(forward(table).retry).toEqual({ attempts: 3, codes: [503, 504], backoffMs: 100 });
  });

  it('keep 0 (no timeout, or no retries) and default the number of attempts', () => {
    const table = compile([oneRule({ timeouts: { request: '0s' }, retry: { codes: [500] }, backendRefs: [backend('v1')] })]);
    expect(forward(table).timeouts).toEqual({ requestMs: 0 });
    expect(forward(table).retry).toEqual({ attempts: 2, codes: [500] });
    const none = compile([oneRule({ retry: { attempts: 0 }, backendRefs: [backend('v1')] })]);
    expect(forward(none).retry?.attempts).toBe(0);
  });

  it('note a backendRequest timeout longer than the request timeout, and invalid durations', () => {
    const table = compile([
      oneRule({ timeouts: { request: '1s', backendRequest: '2s' }, retry: { backoff: '1 s' }, backendRefs: [backend('v1')] }),
    ]);
    expect(table.notes.map((n) => [n.code, n.path])).toEqual([
      ['TimeoutOrder', 'spec.rules[0].timeouts.backendRequest'],
      ['InvalidDuration', 'spec.rules[0].retry.backoff'],
    ]);
  });
});

describe('the compiled table', () => {
  it('is plain data: a JSON round trip matches requests exactly as the original', () => {
    const table = compile([
      oneRule({
        matches: [
          {
            path: { type: 'RegularExpression', value: '/u/[0-9]+' },
            headers: [{ name: 'X-A', value: '1' }],
            queryParams: [{ name: 'q', value: 'v' }],
            method: 'PUT',
          },
        ],
        filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'x', value: 'y' }] } }],
        timeouts: { request: '5s' },
        backendRefs: [backend('v1', 3), backend('v2', 1)],
      }),
    ]);
    const decoded = JSON.parse(JSON.stringify(table.routes));
    expect(decoded).toEqual(table.routes);
    const request = { method: 'PUT', path: '/u/7?q=v', headers: { 'x-a': '1' } };
    expect(matchRequest(prepareRouteTable(decoded), request)?.route).toEqual(matchRequest(prepareRouteTable(table.routes), request)?.route);
  });

  it('records where each route came from', () => {
    const route = httpRoute('r', {
      parentRefs: [toReviews],
      rules: [{ name: 'api', matches: [{ path: { value: '/a' } }, { path: { value: '/bb' } }], backendRefs: [backend('v1')] }],
    });
    expect(compile([route]).routes.map((r) => r.source)).toEqual([
      { route: 'default/r', ruleIndex: 0, matchIndex: 1, ruleName: 'api' },
      { route: 'default/r', ruleIndex: 0, matchIndex: 0, ruleName: 'api' },
    ]);
  });

  it('normalises a prefix with a trailing slash as Envoy path_separated_prefix needs', () => {
    const table = compile([oneRule({ matches: [{ path: { value: '/v2/' } }], backendRefs: [backend('v1')] })]);
    expect(table.routes[0]?.match).toEqual({ path: { type: 'PathPrefix', value: '/v2' }, headers: [], queryParams: [] });
  });
});
