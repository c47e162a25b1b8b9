import { describe, expect, it } from 'vitest';
import { FlowRing } from './flow-ring';

const RATINGS = { namespace: 'demo', name: 'ratings-v1-0' };
const REVIEWS = { namespace: 'demo', name: 'reviews-v2-0' };

describe('FlowRing', () => {
  it('serves connection and request decisions with what the enforcement point saw', () => {
    const ring = new FlowRing('ztunnel/node-1', 8);
    ring.recordConnection('td/ns/demo/sa/reviews', '127.11.1.2', REVIEWS, '127.11.1.3', 9080, RATINGS, false, 'demo/deny', 1);
    ring.recordRequest(
      'td/ns/demo/sa/productpage',
      '127.11.1.1',
      undefined,
      '127.11.128.4',
      9080,
      'reviews.demo.svc.cluster.local',
      'GET',
      '/reviews/0',
      'reviews:9080',
      true,
      undefined,
      -1,
    );
    const [connection, request] = ring.since(0);
    expect(connection).toMatchObject({
      reporter: 'ztunnel',
      proxy: 'ztunnel/node-1',
      sourcePrincipal: 'td/ns/demo/sa/reviews',
      sourceWorkload: 'demo/reviews-v2-0',
      destinationWorkload: 'demo/ratings-v1-0',
      destinationPort: 9080,
      allowed: false,
      policy: 'demo/deny',
      ruleIndex: 1,
    });
    expect(connection?.method).toBeUndefined();
    expect(request).toMatchObject({
      reporter: 'waypoint',
      destinationService: 'reviews.demo.svc.cluster.local',
      method: 'GET',
      path: '/reviews/0',
      host: 'reviews:9080',
      allowed: true,
    });
    expect(request).not.toHaveProperty('ruleIndex');
    expect(request).not.toHaveProperty('policy');
  });

  it('keeps only the newest `capacity` records, oldest first, and filters by time', () => {
    const ring = new FlowRing('ztunnel/node-1', 3);
    for (let port = 1; port <= 5; port++)
      ring.recordConnection(undefined, '10.0.0.1', undefined, '10.0.0.2', port, undefined, true, undefined, -1);
    expect(ring.length).toBe(3);
    const all = ring.since();
    expect(all.map((r) => r.destinationPort)).toEqual([3, 4, 5]);
    expect(ring.since((all[2]?.time ?? 0) + 1)).toEqual([]);
    expect(ring.since((all[0]?.time ?? 0) - 1)).toHaveLength(3);
  });
});
