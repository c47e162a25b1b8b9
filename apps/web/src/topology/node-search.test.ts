import { describe, expect, it } from 'vitest';
import { indexForSearch, type SearchableNode, searchNodes } from './node-search';

function node(namespace: string, name: string, kind: SearchableNode['kind'] = 'workload', version?: string): SearchableNode {
  const id = `${kind}:${namespace}/${name}${version ? `/${version}` : ''}`;
  return version ? { id, kind, namespace, name, version } : { id, kind, namespace, name };
}

const GRAPH = [
  node('demo', 'productpage-v1'),
  node('demo', 'reviews-v2'),
  node('demo', 'reviews', 'service'),
  node('demo', 'reviews-v1'),
  node('shop', 'reviews-v1'),
  node('demo', 'ratings-v1'),
  node('demo', 'old-reviews'),
  node('demo', 'myreviewsapp'),
  node('reviews-team', 'web'),
  node('', 'api.example.com', 'external'),
];
const index = indexForSearch(GRAPH);
const names = (query: string, limit = 50) => searchNodes(index, query, limit).shown.map((n) => `${n.namespace}/${n.name}`);

describe('searchNodes', () => {
  it('ranks a whole name first, then names starting with it, a word of a name, inside a name, then a namespace', () => {
    expect(names('reviews')).toEqual([
      'demo/reviews',
      'demo/reviews-v1',
      'demo/reviews-v2',
      'shop/reviews-v1',
      'demo/old-reviews',
      'demo/myreviewsapp',
      'reviews-team/web',
    ]);
  });

  it('ignores case and needs every word: a second word can keep to a namespace', () => {
    expect(names('REVIEWS-V1')).toEqual(['demo/reviews-v1', 'shop/reviews-v1']);
    expect(names('reviews-v1 shop')).toEqual(['shop/reviews-v1']);
    expect(names('shop reviews')).toEqual(['shop/reviews-v1']);
    expect(names('reviews nowhere')).toEqual([]);
  });

  it('keeps `ns/name` to namespaces starting with ns, and `ns/` lists a namespace', () => {
    expect(names('shop/rev')).toEqual(['shop/reviews-v1']);
    expect(names('demo/reviews-v')).toEqual(['demo/reviews-v1', 'demo/reviews-v2']);
    expect(names('sh/')).toEqual(['shop/reviews-v1']);
    expect(names('reviews/')).toEqual(['reviews-team/web']);
    expect(names('demo/')).toHaveLength(7);
    expect(names('demo/web')).toEqual([]);
  });

  it('finds nodes without a namespace by name, and a versioned app by its version', () => {
    expect(names('example')).toEqual(['/api.example.com']);
    const apps = indexForSearch([node('demo', 'reviews', 'app', 'v1'), node('demo', 'reviews', 'app', 'v2')]);
    expect(searchNodes(apps, 'reviews v2', 10).shown.map((n) => n.id)).toEqual(['app:demo/reviews/v2']);
  });

  it('puts a workload before the service of the same name', () => {
    const both = indexForSearch([
      node('demo', 'reviews-v2', 'service'),
      node('demo', 'reviews-v2', 'waypoint'),
      node('demo', 'reviews-v2'),
    ]);
    expect(searchNodes(both, 'reviews-v2', 10).shown.map((n) => n.kind)).toEqual(['workload', 'service', 'waypoint']);
  });

  it('caps the list but counts every match', () => {
    const many = indexForSearch(Array.from({ length: 120 }, (_, i) => node('load', `svc-${String(i).padStart(3, '0')}`)));
    const result = searchNodes(many, 'svc', 50);
    expect(result.total).toBe(120);
    expect(result.shown).toHaveLength(50);
    expect(result.shown[0]?.name).toBe('svc-000');
    expect(searchNodes(many, 'svc-11', 50).total).toBe(10);
  });

  it('lists every node by namespace and name for an empty query, capped', () => {
    const result = searchNodes(index, '  ', 3);
    expect(result.total).toBe(GRAPH.length);
    expect(result.shown.map((n) => `${n.namespace}/${n.name}`)).toEqual(['/api.example.com', 'demo/myreviewsapp', 'demo/old-reviews']);
  });
});
