import { describe, expect, it } from 'vitest';
import { AmbitError } from '../errors';
import { httpRouteFilterSchema, httpRouteSpecSchema } from './gateway';
import { validateObject } from './validate';

function modifier(value: string, name = 'x-test') {
  return { type: 'ResponseHeaderModifier', responseHeaderModifier: { set: [{ name, value }] } };
}

function redirect(hostname: string) {
  return { type: 'RequestRedirect', requestRedirect: { hostname } };
}

describe('Gateway API field validation that keeps config values out of the wire format', () => {
  it('refuses header values with CR, LF or other control bytes, and accepts tabs, spaces and obs-text', () => {
    expect(httpRouteFilterSchema.safeParse(modifier('a\r\nx-injected: 1')).success).toBe(false);
    expect(httpRouteFilterSchema.safeParse(modifier('a\nb')).success).toBe(false);
    expect(httpRouteFilterSchema.safeParse(modifier('a\u0000b')).success).toBe(false);
    expect(httpRouteFilterSchema.safeParse(modifier('')).success).toBe(false);
    expect(httpRouteFilterSchema.safeParse(modifier('max-age=60,\tpublic ü')).success).toBe(true);
  });

  it('refuses header names that are not HTTP tokens', () => {
    expect(httpRouteFilterSchema.safeParse(modifier('v', 'x a')).success).toBe(false);
    expect(httpRouteFilterSchema.safeParse(modifier('v', 'x:a')).success).toBe(false);
    expect(httpRouteFilterSchema.safeParse(modifier('v', "X-Custom_Header!#$%&'*+.^`|~")).success).toBe(true);
  });

  it('takes only precise RFC 1123 hostnames for redirects and rewrites', () => {
    expect(httpRouteFilterSchema.safeParse(redirect('evil.example\r\nset-cookie: a=1')).success).toBe(false);
    expect(httpRouteFilterSchema.safeParse(redirect('*.example.com')).success).toBe(false);
    expect(httpRouteFilterSchema.safeParse(redirect('Example.com')).success).toBe(false);
    expect(httpRouteFilterSchema.safeParse(redirect('reviews.bookinfo.svc.cluster.local')).success).toBe(true);
    expect(httpRouteFilterSchema.safeParse({ type: 'URLRewrite', urlRewrite: { hostname: 'a b' } }).success).toBe(false);
    expect(httpRouteFilterSchema.safeParse({ type: 'URLRewrite', urlRewrite: { hostname: 'ratings' } }).success).toBe(true);
  });

  it('lets route hostnames carry a leading wildcard label, nothing else', () => {
    expect(httpRouteSpecSchema.safeParse({ hostnames: ['*.example.com', 'reviews'] }).success).toBe(true);
    expect(httpRouteSpecSchema.safeParse({ hostnames: ['a.*.example.com'] }).success).toBe(false);
    expect(httpRouteSpecSchema.safeParse({ hostnames: ['reviews\r\n'] }).success).toBe(false);
  });
});

describe("header filters: what Gateway API's CRD takes, and Host as the authority", () => {
  const request = (requestHeaderModifier: object) => ({ type: 'RequestHeaderModifier', requestHeaderModifier });
  const response = (responseHeaderModifier: object) => ({ type: 'ResponseHeaderModifier', responseHeaderModifier });
  const issues = (filter: object) => {
    const parsed = httpRouteFilterSchema.safeParse(filter);
    return parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  };
  const pseudo = ':path is an HTTP/2 pseudo-header, not a header a filter can set; a URLRewrite changes the path or the host';

  it("refuses pseudo-headers as names to set or add, naming the field, as the CRD's header name pattern does", () => {
    expect(issues(request({ set: [{ name: ':path', value: '/admin' }] }))).toEqual([
      { path: 'requestHeaderModifier.set.0.name', message: pseudo },
    ]);
    expect(issues(response({ add: [{ name: ':status', value: '200' }] }))[0]?.path).toBe('responseHeaderModifier.add.0.name');
    expect(issues(request({ set: [{ name: 'x a', value: '1' }] }))).toEqual([
      { path: 'requestHeaderModifier.set.0.name', message: 'is not a valid HTTP header name' },
    ]);
  });

  it('takes any remove entry, as the CRD does (the route compiler warns about the ones a filter cannot remove)', () => {
    expect(issues(request({ remove: [':authority', 'Host', 'X-Debug'] }))).toEqual([]);
    expect(issues(request({ remove: [''] }))).not.toEqual([]);
  });

  it('takes a Host to set only as an authority: a host name or IP with a port up to 65535', () => {
    expect(issues(request({ set: [{ name: 'Host', value: 'reviews.internal:8080' }] }))).toEqual([]);
    expect(issues(request({ set: [{ name: 'Host', value: 'my_host.internal' }] }))).toEqual([]);
    expect(issues(request({ add: [{ name: 'host', value: '[fd00::1]' }] }))).toEqual([]);
    const notAuthority = 'must be a host name or IP address with an optional port (1–65535)';
    expect(issues(request({ set: [{ name: 'Host', value: 'a b' }] }))).toEqual([
      { path: 'requestHeaderModifier.set.0.value', message: notAuthority },
    ]);
    expect(issues(request({ set: [{ name: 'Host', value: 'a:99999' }] }))).toEqual([
      { path: 'requestHeaderModifier.set.0.value', message: notAuthority },
    ]);
  });

  it('reports a refusal with the HTTPRoute field path, in backendRef filters too', () => {
    const route = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'reviews', namespace: 'default' },
      spec: { rules: [{ backendRefs: [{ name: 'v1', port: 9080, filters: [request({ set: [{ name: ':path', value: '/' }] })] }] }] },
    };
    let error: unknown;
    try {
      validateObject(route);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AmbitError);
    expect((error as AmbitError).details).toContainEqual(
      expect.objectContaining({ path: 'spec.rules[0].backendRefs[0].filters[0].requestHeaderModifier.set[0].name', message: pseudo }),
    );
  });
});
