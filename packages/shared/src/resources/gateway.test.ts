import { describe, expect, it } from 'vitest';
import { httpRouteFilterSchema, httpRouteSpecSchema } from './gateway';

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
