import { describe, expect, it } from 'vitest';
import type { HttpRoute } from '../resources/gateway';
import { replacePathPrefix } from './path-modifier';
import { computeRedirect, rewriteUrl } from './redirect';
import { compile, httpRoute, outcome, toReviews } from './test-fixtures';
import type { RequestRedirect } from './types';

describe('ReplacePrefixMatch', () => {
  // The table in the Gateway API reference for HTTPPathModifier.replacePrefixMatch.
  it.each([
    ['/foo/bar', '/foo', '/xyz', '/xyz/bar'],
    ['/foo/bar', '/foo', '/xyz/', '/xyz/bar'],
    ['/foo/bar', '/foo/', '/xyz', '/xyz/bar'],
    ['/foo/bar', '/foo/', '/xyz/', '/xyz/bar'],
    ['/foo', '/foo', '/xyz', '/xyz'],
    ['/foo/', '/foo', '/xyz', '/xyz/'],
    ['/foo/bar', '/foo', '', '/bar'],
    ['/foo/', '/foo', '', '/'],
    ['/foo', '/foo', '', '/'],
    ['/foo/', '/foo', '/', '/'],
    ['/foo', '/foo', '/', '/'],
    ['/prefix/one/two', '/prefix/one', '/one', '/one/two'],
    ['/strip-prefix/x', '/strip-prefix', '/', '/x'],
    ['/anything', '/', '/base', '/base/anything'],
  ])('%s with prefix %j replaced by %j → %s', (path, prefix, replacement, expected) => {
    expect(replacePathPrefix(path, prefix, replacement)).toBe(expected);
  });
});

describe('computeRedirect', () => {
  const request = { scheme: 'http' as const, host: 'reviews:9080', path: '/original-prefix/lemon?x=1', port: 9080 };
  const redirect = (r: Partial<RequestRedirect>): RequestRedirect => ({ statusCode: 302, ...r });

  it('keeps scheme, host, port and path by default, with 302', () => {
    expect(computeRedirect(request, redirect({}), undefined)).toEqual({
      status: 302,
      location: 'http://reviews:9080/original-prefix/lemon?x=1',
    });
  });

  it('replaces the matched prefix or the full path, keeping the query', () => {
    const prefix = redirect({ path: { type: 'ReplacePrefixMatch', value: '/replacement-prefix' } });
    expect(computeRedirect(request, prefix, '/original-prefix').location).toBe('http://reviews:9080/replacement-prefix/lemon?x=1');
    const full = redirect({ path: { type: 'ReplaceFullPath', value: '/full-path-replacement' }, statusCode: 301 });
    expect(computeRedirect(request, full, '/original-prefix')).toEqual({
      status: 301,
      location: 'http://reviews:9080/full-path-replacement?x=1',
    });
  });

  it('uses the well-known port of a scheme it sets, and leaves default ports out', () => {
    const on80 = { ...request, host: 'example.org', port: 80 };
    expect(computeRedirect(on80, redirect({}), undefined).location).toBe('http://example.org/original-prefix/lemon?x=1');
    expect(computeRedirect(on80, redirect({ port: 8080 }), undefined).location).toBe('http://example.org:8080/original-prefix/lemon?x=1');
    expect(computeRedirect(on80, redirect({ scheme: 'https' }), undefined).location).toBe('https://example.org/original-prefix/lemon?x=1');
    expect(computeRedirect(on80, redirect({ scheme: 'https', port: 443 }), undefined).location).toBe(
      'https://example.org/original-prefix/lemon?x=1',
    );
    expect(computeRedirect(on80, redirect({ scheme: 'https', port: 8443 }), undefined).location).toBe(
      'https://example.org:8443/original-prefix/lemon?x=1',
    );
  });

  it('keeps the listener port when neither scheme nor port is set', () => {
    const on8080 = { ...request, host: 'example.org', port: 8080 };
    expect(computeRedirect(on8080, redirect({}), undefined).location).toBe('http://example.org:8080/original-prefix/lemon?x=1');
    expect(computeRedirect(on8080, redirect({ port: 80 }), undefined).location).toBe('http://example.org/original-prefix/lemon?x=1');
    expect(computeRedirect(on8080, redirect({ scheme: 'https' }), undefined).location).toBe(
      'https://example.org/original-prefix/lemon?x=1',
    );
    const https443 = { scheme: 'https' as const, host: 'example.org', path: '/', port: 443 };
    expect(computeRedirect(https443, redirect({ scheme: 'http' }), undefined).location).toBe('http://example.org/');
    expect(computeRedirect(https443, redirect({ scheme: 'http', port: 8080 }), undefined).location).toBe('http://example.org:8080/');
    expect(computeRedirect(https443, redirect({}), undefined).location).toBe('https://example.org/');
  });

  it('falls back to the port in Host when the arrival port is unknown, and replaces the hostname', () => {
    const { port: _, ...noPort } = request;
    expect(computeRedirect(noPort, redirect({ hostname: 'example.org' }), undefined).location).toBe(
      'http://example.org:9080/original-prefix/lemon?x=1',
    );
    expect(computeRedirect({ ...noPort, host: '[::1]:8080' }, redirect({}), undefined).location).toBe(
      'http://[::1]:8080/original-prefix/lemon?x=1',
    );
  });
});

describe('redirect rules end to end', () => {
  const rule = (
    prefix: string,
    requestRedirect: NonNullable<NonNullable<HttpRoute['spec']['rules']>[number]['filters']>[number]['requestRedirect'],
  ) => ({
    matches: [{ path: { type: 'PathPrefix' as const, value: prefix } }],
    filters: [{ type: 'RequestRedirect' as const, requestRedirect }],
  });
  const table = compile([
    httpRoute('redirect-path', {
      parentRefs: [toReviews],
      rules: [
        rule('/original-prefix', { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/replacement-prefix' } }),
        rule('/full', { path: { type: 'ReplaceFullPath', replaceFullPath: '/full-path-replacement' } }),
        rule('/path-and-host', {
          hostname: 'example.org',
          path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/replacement-prefix' },
        }),
        rule('/full-path-and-status', { path: { type: 'ReplaceFullPath', replaceFullPath: '/replacement-full' }, statusCode: 301 }),
      ],
    }),
  ]);

  it.each([
    ['/original-prefix/lemon', 302, 'http://reviews:9080/replacement-prefix/lemon'],
    ['/full/path/original', 302, 'http://reviews:9080/full-path-replacement'],
    ['/path-and-host', 302, 'http://example.org:9080/replacement-prefix'],
    ['/full-path-and-status', 301, 'http://reviews:9080/replacement-full'],
  ])('%s → %i %s', (path, status, location) => {
    expect(outcome(table, { path, host: 'reviews' })).toEqual({ status, location });
  });
});

describe('rewriteUrl', () => {
  it('rewrites the path (keeping the query) and the Host', () => {
    const request = { path: '/prefix/one/two?a=1', host: 'reviews:9080' };
    expect(rewriteUrl(request, { path: { type: 'ReplacePrefixMatch', value: '/one' } }, '/prefix/one')).toEqual({
      path: '/one/two?a=1',
      host: 'reviews:9080',
    });
    expect(rewriteUrl(request, { path: { type: 'ReplaceFullPath', value: '/one' } }, '/prefix')).toEqual({
      path: '/one?a=1',
      host: 'reviews:9080',
    });
    expect(rewriteUrl(request, { hostname: 'internal.example' }, '/prefix')).toEqual({
      path: '/prefix/one/two?a=1',
      host: 'internal.example',
    });
    expect(
      rewriteUrl({ path: '/strip-prefix', host: 'h' }, { path: { type: 'ReplacePrefixMatch', value: '/' } }, '/strip-prefix').path,
    ).toBe('/');
  });
});
