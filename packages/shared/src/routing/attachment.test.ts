import { describe, expect, it } from 'vitest';
import type { HttpRoute } from '../resources/gateway';
import { backend, compile, httpRoute, outcome, reviewsService } from './test-fixtures';
import type { RouteParent } from './types';

type ParentRef = NonNullable<HttpRoute['spec']['parentRefs']>[number];

function routeTo(parentRef: ParentRef, name = 'r', namespace = 'default', hostnames?: string[]): HttpRoute {
  const spec: HttpRoute['spec'] = { parentRefs: [parentRef], rules: [{ backendRefs: [backend(`${namespace}-${name}`)] }] };
  if (hostnames) spec.hostnames = hostnames;
  return httpRoute(name, spec, { namespace });
}

function attached(route: HttpRoute, parent: RouteParent): boolean {
  return compile([route], parent).attached.includes(`${route.metadata.namespace}/${route.metadata.name}`);
}

describe('attaching to a Service', () => {
  const service: RouteParent = { ...reviewsService, sectionName: 'http' };

  it('needs kind Service in the core group ("", "core", or left out as upstream samples do)', () => {
    expect(attached(routeTo({ group: '', kind: 'Service', name: 'reviews' }), service)).toBe(true);
    expect(attached(routeTo({ group: 'core', kind: 'Service', name: 'reviews' }), service)).toBe(true);
    expect(attached(routeTo({ kind: 'Service', name: 'reviews' }), service)).toBe(true);
    expect(attached(routeTo({ group: 'gateway.networking.k8s.io', kind: 'Service', name: 'reviews' }), service)).toBe(false);
    expect(attached(routeTo({ name: 'reviews' }), service)).toBe(false);
    expect(attached(routeTo({ kind: 'Service', name: 'ratings' }), service)).toBe(false);
  });

  it('honours port and sectionName (the port name) when the parentRef sets them', () => {
    expect(attached(routeTo({ kind: 'Service', name: 'reviews', port: 9080 }), service)).toBe(true);
    expect(attached(routeTo({ kind: 'Service', name: 'reviews', port: 8080 }), service)).toBe(false);
    expect(attached(routeTo({ kind: 'Service', name: 'reviews', sectionName: 'http' }), service)).toBe(true);
    expect(attached(routeTo({ kind: 'Service', name: 'reviews', sectionName: 'grpc' }), service)).toBe(false);
    expect(attached(routeTo({ kind: 'Service', name: 'reviews', port: 9080, sectionName: 'grpc' }), service)).toBe(false);
  });

  it("defaults the parentRef namespace to the route's", () => {
    expect(attached(routeTo({ kind: 'Service', name: 'reviews' }, 'r', 'other'), service)).toBe(false);
    expect(attached(routeTo({ kind: 'Service', name: 'reviews', namespace: 'default' }, 'r', 'default'), service)).toBe(true);
  });

  it('applies consumer routes (from another namespace) only to clients of that namespace, instead of producer routes', () => {
    const producer = routeTo({ kind: 'Service', name: 'reviews' }, 'producer', 'default');
    const consumer = routeTo({ kind: 'Service', name: 'reviews', namespace: 'default' }, 'consumer', 'shop');
    const fromShop = compile([producer, consumer], { ...service, clientNamespace: 'shop' });
    const fromElsewhere = compile([producer, consumer], { ...service, clientNamespace: 'billing' });
    const unknownClient = compile([producer, consumer], service);
    expect(outcome(fromShop, { path: '/' }).backend).toBe('shop-consumer');
    expect(outcome(fromElsewhere, { path: '/' }).backend).toBe('default-producer');
    expect(outcome(unknownClient, { path: '/' }).backend).toBe('default-producer');
  });

  it('ignores hostnames, with an info note', () => {
    const route = routeTo({ kind: 'Service', name: 'reviews' }, 'r', 'default', ['reviews.example.com']);
    const table = compile([route], service);
    expect(outcome(table, { path: '/', host: 'anything.else' }).backend).toBe('default-r');
    expect(table.notes).toContainEqual(expect.objectContaining({ code: 'HostnamesIgnored', level: 'info', path: 'spec.hostnames' }));
  });
});

describe('attaching to a Gateway', () => {
  const waypoint: RouteParent = { kind: 'Gateway', namespace: 'default', name: 'waypoint', sectionName: 'mesh', port: 15008 };

  it('defaults kind to Gateway and group to gateway.networking.k8s.io', () => {
    expect(attached(routeTo({ name: 'waypoint' }), waypoint)).toBe(true);
    expect(
      attached(routeTo({ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint', sectionName: 'mesh' }), waypoint),
    ).toBe(true);
    expect(attached(routeTo({ name: 'waypoint', sectionName: 'other' }), waypoint)).toBe(false);
    expect(attached(routeTo({ name: 'waypoint', port: 80 }), waypoint)).toBe(false);
  });

  it('accepts routes from the same namespace only, unless the listener allows more', () => {
    const foreign = routeTo({ name: 'waypoint', namespace: 'default' }, 'r', 'shop');
    const table = compile([foreign], waypoint);
    expect(table.attached).toEqual([]);
    expect(table.notes).toContainEqual(
      expect.objectContaining({ code: 'NotAllowedByListeners', route: 'shop/r', path: 'spec.parentRefs[0]' }),
    );
    expect(attached(foreign, { ...waypoint, allowedRouteNamespaces: 'All' })).toBe(true);
    expect(attached(foreign, { ...waypoint, allowedRouteNamespaces: ['shop'] })).toBe(true);
    expect(attached(foreign, { ...waypoint, allowedRouteNamespaces: ['billing'] })).toBe(false);
  });
});

describe('hostnames on a Gateway listener', () => {
  const listener = (hostname?: string): RouteParent => ({
    kind: 'Gateway',
    namespace: 'default',
    name: 'gw',
    ...(hostname ? { hostname } : {}),
  });
  const ref = { name: 'gw' };
  const served = (route: HttpRoute, parent: RouteParent, host: string) => {
    const result = outcome(compile([route], parent), { path: '/', host });
    return result.backend ?? result.status;
  };

  it('serve only the intersection of listener and route hostnames, ignoring the port in Host', () => {
    const specific = routeTo(ref, 'r', 'default', ['*.specific.com']);
    expect(served(specific, listener('very.specific.com'), 'very.specific.com')).toBe('default-r');
    expect(served(specific, listener('very.specific.com'), 'very.specific.com:1234')).toBe('default-r');
    expect(served(specific, listener('very.specific.com'), 'foo.specific.com')).toBe(404);

    const exact = routeTo(ref, 'r', 'default', ['foo.wildcard.io', 'other.example.net']);
    expect(served(exact, listener('*.wildcard.io'), 'foo.wildcard.io')).toBe('default-r');
    expect(served(exact, listener('*.wildcard.io'), 'other.example.net')).toBe(404);
    expect(served(exact, listener('*.wildcard.io'), 'bar.wildcard.io')).toBe(404);
  });

  it('match wildcards on one or more labels, never the bare suffix, case-insensitively', () => {
    const wildcard = routeTo(ref, 'r', 'default', ['*.anotherwildcard.io']);
    expect(served(wildcard, listener(), 'foo.anotherwildcard.io')).toBe('default-r');
    expect(served(wildcard, listener(), 'FOO.bar.anotherwildcard.io')).toBe('default-r');
    expect(served(wildcard, listener(), 'anotherwildcard.io')).toBe(404);
  });

  it('give a route without hostnames the listener hostname', () => {
    const any = routeTo(ref);
    expect(served(any, listener('*.wildcard.io'), 'a.wildcard.io')).toBe('default-r');
    expect(served(any, listener('*.wildcard.io'), 'a.other.io')).toBe(404);
    expect(served(any, listener(), 'whatever.io')).toBe('default-r');
  });

  it('do not attach a route whose hostnames miss the listener, with a note', () => {
    const table = compile([routeTo(ref, 'r', 'default', ['specific.but.wrong.com'])], listener('*.wildcard.io'));
    expect(table.attached).toEqual([]);
    expect(table.notes).toContainEqual(expect.objectContaining({ code: 'NoMatchingListenerHostname', route: 'default/r' }));
  });

  it('break ties between equal matches by hostname: exact over wildcard, longer wildcard over shorter', () => {
    const wide = httpRoute('wide', { parentRefs: [ref], hostnames: ['*.example.com'], rules: [{ backendRefs: [backend('wide')] }] });
    const narrow = httpRoute('narrow', {
      parentRefs: [ref],
      hostnames: ['*.eu.example.com'],
      rules: [{ backendRefs: [backend('narrow')] }],
    });
    const exact = httpRoute('exact', {
      parentRefs: [ref],
      hostnames: ['shop.eu.example.com'],
      rules: [{ matches: [{ path: { value: '/cart' } }], backendRefs: [backend('exact')] }],
    });
    const table = compile([wide, narrow, exact], listener());
    const host = (h: string, path = '/') => outcome(table, { path, host: h }).backend;
    expect(host('shop.eu.example.com', '/cart')).toBe('exact');
    expect(host('shop.eu.example.com', '/home')).toBe('narrow');
    expect(host('x.eu.example.com')).toBe('narrow');
    expect(host('x.example.com')).toBe('wide');
  });

  it('decide only between equally specific matches: a longer path on a wildcard-host route wins over / on an exact-host route', () => {
    const shop = httpRoute('shop', {
      parentRefs: [ref],
      hostnames: ['shop.io', 'shop.net'],
      rules: [{ matches: [{ path: { value: '/' } }, { headers: [{ name: 'tier', value: 'gold' }] }], backendRefs: [backend('main')] }],
    });
    const beta = httpRoute('beta', {
      parentRefs: [ref],
      hostnames: ['*.io'],
      rules: [{ matches: [{ path: { value: '/beta' } }, { headers: [{ name: 'tier', value: 'beta' }] }], backendRefs: [backend('beta')] }],
    });
    const table = compile([shop, beta], listener());
    const served = (host: string, path: string, headers = {}) => outcome(table, { host, path, headers }).backend;
    expect(served('shop.io', '/')).toBe('main');
    expect(served('shop.io', '/beta/x')).toBe('beta');
    expect(served('shop.net', '/beta')).toBe('main');
    expect(served('shop.io', '/', { tier: 'beta' })).toBe('beta');
    expect(served('shop.io', '/beta', { tier: 'gold' })).toBe('beta');
  });
});
