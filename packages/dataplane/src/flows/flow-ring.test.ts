import { describe, expect, it, vi } from 'vitest';
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
    const [connection, request] = ring.after(0).flows;
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

  it('keeps only the newest `capacity` records, oldest first, numbered so a reader sees each once however many share a millisecond', () => {
    const ring = new FlowRing('ztunnel/node-1', 3);
    const connect = (port: number) =>
      ring.recordConnection(undefined, '10.0.0.1', undefined, '10.0.0.2', port, undefined, true, undefined, -1);
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
    try {
      expect(ring.after(0)).toMatchObject({ proxy: 'ztunnel/node-1', first: 1, last: 0, flows: [] });
      connect(1);
      connect(2);
      const page = ring.after(0);
      expect(page).toMatchObject({ first: 1, last: 2 });
      expect(page.flows.map((r) => r.destinationPort)).toEqual([1, 2]);
      // Same millisecond: a time cursor would skip 3; the sequence does not.
      connect(3);
      expect(ring.after(page.last).flows.map((r) => r.destinationPort)).toEqual([3]);
      connect(4);
      connect(5);
      expect(ring.length).toBe(3);
      // 4 and 5 are new; 3 is still held; records overwritten before a read show as a gap (first > after + 1).
      expect(ring.after(3)).toMatchObject({ first: 4, last: 5 });
      expect(ring.after(3).flows.map((r) => r.destinationPort)).toEqual([4, 5]);
      expect(ring.after(0)).toMatchObject({ first: 3, last: 5 });
      expect(ring.after(0).flows.map((r) => r.destinationPort)).toEqual([3, 4, 5]);
      expect(ring.after(5).flows).toEqual([]);
      expect(ring.after(9)).toMatchObject({ first: 6, last: 5, flows: [] });
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('names each run of a proxy with a boot id of its own', () => {
    expect(new FlowRing('ztunnel/node-1').boot).not.toBe(new FlowRing('ztunnel/node-1').boot);
  });
});
