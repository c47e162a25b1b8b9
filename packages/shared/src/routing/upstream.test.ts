import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type HttpRoute, httpRouteSchema } from '../resources/gateway';
import { compile, outcome } from './test-fixtures';
import type { BackendResolver, RouteParent } from './types';

// Istio's own bookinfo manifests, unchanged: they must route on Ambit exactly as on Istio.
const upstream = fileURLToPath(new URL('../../../../../shared/testdata/upstream/istio/', import.meta.url));

function documents(file: string): Record<string, unknown>[] {
  return parseAllDocuments(readFileSync(upstream + file, 'utf8'))
    .map((doc) => doc.toJS() as Record<string, unknown> | null)
    .filter((doc) => doc !== null);
}

function httpRoutes(file: string): HttpRoute[] {
  return documents(file)
    .filter((doc) => doc.kind === 'HTTPRoute')
    .map((doc) => httpRouteSchema.parse(doc));
}

/** Services declared by the bookinfo manifests: the backends that exist. */
const services = new Set(
  [...documents('bookinfo.yaml'), ...documents('bookinfo-versions.yaml')]
    .filter((doc) => doc.kind === 'Service')
    .map((doc) => (doc.metadata as { name: string }).name),
);
const bookinfoServices: BackendResolver = (ref) =>
  services.has(ref.name) ? { exists: true } : { exists: false, reason: 'BackendNotFound' };

function service(name: string): RouteParent {
  return { kind: 'Service', namespace: 'default', name, port: 9080, sectionName: 'http' };
}

describe('Istio bookinfo routes', () => {
  it('route-all-v1 sends reviews to reviews-v1 and attaches each route to its own service only', () => {
    const routes = httpRoutes('route-all-v1.yaml');
    const table = compile(routes, service('reviews'), bookinfoServices);
    expect(table.attached).toEqual(['default/reviews']);
    expect(table.notes).toEqual([]);
    expect(outcome(table, { path: '/reviews/0' })).toEqual({ status: 200, backend: 'reviews-v1' });
  });

  it('route-all-v1 answers 500, with a note naming the backendRef, where the versioned Service is not declared', () => {
    // The testdata's bookinfo-versions.yaml declares only reviews-v1..v3, not productpage-v1 and the others.
    const routes = httpRoutes('route-all-v1.yaml');
    for (const name of ['productpage', 'ratings', 'details']) {
      const table = compile(routes, service(name), bookinfoServices);
      expect(table.attached).toEqual([`default/${name}`]);
      expect(outcome(table, { path: '/' }).status).toBe(500);
      expect(table.notes).toEqual([
        expect.objectContaining({ code: 'BackendNotFound', route: `default/${name}`, path: 'spec.rules[0].backendRefs[0]' }),
      ]);
    }
  });

  it('route-all-v1 does not attach to another port of the service', () => {
    const table = compile(httpRoutes('route-all-v1.yaml'), { ...service('reviews'), port: 8080 }, bookinfoServices);
    expect(table.routes).toEqual([]);
  });

  it('route-reviews-90-10 (v1beta1, parentRef without group) splits reviews traffic 90/10', () => {
    const table = compile(httpRoutes('route-reviews-90-10.yaml'), service('reviews'), bookinfoServices);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 100; i++) {
      const backend = outcome(table, { path: '/reviews/0' }, () => (i + 0.5) / 100).backend ?? 'error';
      counts[backend] = (counts[backend] ?? 0) + 1;
    }
    expect(counts).toEqual({ 'reviews-v1': 90, 'reviews-v2': 10 });
  });

  it('route-reviews-90-10 answers 500 for the 10% share when reviews-v2 is missing', () => {
    const withoutV2: BackendResolver = (ref, ns, kind) =>
      ref.name === 'reviews-v2' ? { exists: false, reason: 'BackendNotFound' } : bookinfoServices(ref, ns, kind);
    const table = compile(httpRoutes('route-reviews-90-10.yaml'), service('reviews'), withoutV2);
    expect(outcome(table, { path: '/' }, () => 0.5).backend).toBe('reviews-v1');
    expect(outcome(table, { path: '/' }, () => 0.95).status).toBe(500);
    expect(table.notes).toContainEqual(
      expect.objectContaining({ code: 'BackendNotFound', route: 'default/reviews', path: 'spec.rules[0].backendRefs[1]' }),
    );
  });
});
