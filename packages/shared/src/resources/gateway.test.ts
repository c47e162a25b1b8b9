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

describe('header filters and the names Envoy will not let a route modify', () => {
  const request = (requestHeaderModifier: object) => ({ type: 'RequestHeaderModifier', requestHeaderModifier });
  const response = (responseHeaderModifier: object) => ({ type: 'ResponseHeaderModifier', responseHeaderModifier });
  const issues = (filter: object) => {
    const parsed = httpRouteFilterSchema.safeParse(filter);
    return parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  };

  it('refuses pseudo-headers in set, add and remove, naming the field', () => {
    expect(issues(request({ set: [{ name: ':path', value: '/admin' }] }))).toEqual([
      {
        path: 'requestHeaderModifier.set.0.name',
        message: ':path is an HTTP/2 pseudo-header; a header filter may not modify it (use URLRewrite)',
      },
    ]);
    expect(issues(response({ add: [{ name: ':status', value: '200' }] }))[0]?.path).toBe('responseHeaderModifier.add.0.name');
    expect(issues(request({ remove: [':authority'] }))[0]?.path).toBe('requestHeaderModifier.remove.0');
  });

  it('refuses Host except as a request set or add, which rewrites the authority as in Istio', () => {
    const hostRefused = 'the Host header may not be modified here; rewrite it with a URLRewrite hostname';
    expect(issues(request({ remove: ['Host'] }))).toEqual([{ path: 'requestHeaderModifier.remove.0', message: hostRefused }]);
    expect(issues(response({ set: [{ name: 'host', value: 'a' }] }))).toEqual([
      { path: 'responseHeaderModifier.set.0.name', message: hostRefused },
    ]);
    expect(issues(request({ set: [{ name: 'Host', value: 'reviews.internal:8080' }] }))).toEqual([]);
    expect(issues(request({ add: [{ name: 'host', value: '[fd00::1]' }] }))).toEqual([]);
    expect(issues(request({ set: [{ name: 'Host', value: 'a b' }] }))).toEqual([
      { path: 'requestHeaderModifier.set.0.value', message: 'must be a host name or IP address with an optional port' },
    ]);
  });

  it('takes remove entries only as HTTP header names', () => {
    expect(issues(request({ remove: ['x a'] }))).toEqual([
      { path: 'requestHeaderModifier.remove.0', message: 'is not a valid HTTP header name' },
    ]);
    expect(issues(request({ remove: [''] }))).not.toEqual([]);
    expect(issues(request({ remove: ['X-Debug'] }))).toEqual([]);
  });

  it('reports the refusal with the HTTPRoute field path, in backendRef filters too', () => {
    const route = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'reviews', namespace: 'default' },
      spec: { rules: [{ backendRefs: [{ name: 'v1', port: 9080, filters: [request({ remove: [':path'] })] }] }] },
    };
    let error: unknown;
    try {
      validateObject(route);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AmbitError);
    expect((error as AmbitError).details).toContainEqual(
      expect.objectContaining({
        path: 'spec.rules[0].backendRefs[0].filters[0].requestHeaderModifier.remove[0]',
        message: ':path is an HTTP/2 pseudo-header; a header filter may not modify it (use URLRewrite)',
      }),
    );
  });
});
