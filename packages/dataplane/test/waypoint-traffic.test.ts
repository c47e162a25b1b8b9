// Traffic management at a running waypoint: weighted splits, weight changes under load, retries,
// timeouts, fault injection, outlier ejection and per-endpoint limits, measured at the client.
// The waypoint draws fault percentages, and where each route's weight sequence starts, from a seeded
// uniform generator, reseeded by each statistical test, so a share is the same in every run.

import type { RouteFault } from '@ambit/shared/xds';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sample, sumOf } from './fixtures/net';
import { waitFor } from './fixtures/wait';
import { backend, FAULT_KIND, httpRoute, type Reply, seededRandom, startWaypointMesh, type WaypointMesh } from './fixtures/waypoint-mesh';

const MAX_REQUESTS_PER_ENDPOINT = 12;
const SEED = 20261127;
let draw = seededRandom(SEED);
let mesh: WaypointMesh;
beforeAll(async () => {
  mesh = await startWaypointMesh({
    net: 42,
    waypoint: {
      random: () => draw(),
      maxRequestsPerEndpoint: MAX_REQUESTS_PER_ENDPOINT,
      outlierDetection: { consecutive5xx: 3, baseEjectionMs: 60_000, maxEjectionPercent: 50 },
    },
  });
});
afterAll(() => mesh?.stop());
beforeEach(() => {
  mesh.config.removeRouteTable('reviews.shop.svc.cluster.local:9080');
});

/** Sends `total` requests with `concurrency` in flight. */
async function load(total: number, concurrency: number, path: string): Promise<Reply[]> {
  const replies: Reply[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        replies.push(await mesh.request(path));
      }
    }),
  );
  return replies;
}

function countBy<T>(replies: readonly T[], key: (r: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of replies) out[key(r)] = (out[key(r)] ?? 0) + 1;
  return out;
}

async function metricsAfter(before: Sample[], expected: number): Promise<(labels: Record<string, string>) => number> {
  const added = (after: Sample[], labels: Record<string, string>) =>
    sumOf(after, 'istio_requests_total', labels) - sumOf(before, 'istio_requests_total', labels);
  const after = await waitFor(async () => {
    const s = await mesh.metrics();
    return added(s, {}) >= expected ? s : undefined;
  }, `${expected} more requests in the metrics`);
  return (labels) => added(after, labels);
}

describe('weighted backends', () => {
  it('splits 70/30/0 over 500 requests within ±5 %, nothing on the weight-0 backend', async () => {
    mesh.setRoutes([httpRoute('split', { rules: [{ backendRefs: [backend('v1', 70), backend('v2', 30), backend('v3', 0)] }] })]);
    draw = seededRandom(SEED);
    const replies = await load(500, 10, '/split');
    const by = countBy(replies, (r) => r.echo?.backend ?? String(r.status));
    console.log('70/30/0 split over 500 requests:', by);
    expect((by['reviews-v1'] ?? 0) + (by['reviews-v2'] ?? 0)).toBe(500);
    expect(by['reviews-v1']).toBeGreaterThanOrEqual(325);
    expect(by['reviews-v1']).toBeLessThanOrEqual(375);
    expect(by['reviews-v2']).toBeGreaterThanOrEqual(125);
    expect(by['reviews-v2']).toBeLessThanOrEqual(175);
    expect(by['reviews-v3']).toBeUndefined();
  });

  it('shifts traffic when the weights change under load, without failing a request', async () => {
    const weights = (v1: number, v2: number) =>
      mesh.setRoutes([httpRoute('shift', { rules: [{ backendRefs: [backend('v1', v1), backend('v2', v2)] }] })]);
    weights(100, 0);
    const replies: { reply: Reply; startedAt: number }[] = [];
    const changes: number[] = [];
    let running = true;
    const workers = Array.from({ length: 8 }, async () => {
      while (running) {
        const startedAt = performance.now();
        replies.push({ reply: await mesh.request('/shift'), startedAt });
      }
    });
    const settle = (n: number) => waitFor(() => replies.length >= n, `${n} replies`, 20_000);
    await settle(100);
    changes.push(performance.now());
    weights(50, 50);
    await settle(400);
    changes.push(performance.now());
    weights(0, 100);
    await settle(600);
    running = false;
    await Promise.all(workers);

    expect(replies.filter((r) => r.reply.status !== 200)).toEqual([]);
    const phase = (from: number, to: number) =>
      countBy(
        replies.filter((r) => r.startedAt > from && r.reply.ms + r.startedAt < to),
        (r) => r.reply.echo?.backend ?? '?',
      );
    const [toHalf = 0, toV2 = 0] = changes;
    const before = phase(0, toHalf);
    const half = phase(toHalf, toV2);
    const after = phase(toV2, Number.POSITIVE_INFINITY);
    console.log('weight change under load, by phase:', { before, half, after });
    expect(Object.keys(before)).toEqual(['reviews-v1']);
    expect(half['reviews-v1']).toBeGreaterThan(0);
    expect(half['reviews-v2']).toBeGreaterThan(0);
    expect(Object.keys(after)).toEqual(['reviews-v2']);
  });
});

describe('retries and timeouts', () => {
  it('retries a backend that fails one request in three into 100 % success', async () => {
    const flaky = (retry?: { attempts: number; codes: number[]; backoff: string }) =>
      mesh.setRoutes([httpRoute('flaky', { rules: [{ backendRefs: [backend('v1')], ...(retry ? { retry } : {}) }] })]);
    flaky();
    const without = await load(30, 1, '/flaky');
    expect(countBy(without, (r) => String(r.status))).toEqual({ '200': 20, '503': 10 });

    flaky({ attempts: 2, codes: [503], backoff: '10ms' });
    const before = await mesh.metrics();
    const hitsBefore = mesh.hits.v1;
    const replies = await load(60, 1, '/flaky');
    expect(countBy(replies, (r) => String(r.status))).toEqual({ '200': 60 });
    const failuresAbsorbed = mesh.hits.v1 - hitsBefore - 60;
    console.log(`retries: 60/60 succeeded; the backend failed ${failuresAbsorbed} of ${mesh.hits.v1 - hitsBefore} attempts`);
    expect(failuresAbsorbed).toBeGreaterThanOrEqual(29);
    const added = await metricsAfter(before, 60);
    expect(added({ response_code: '200', destination_version: 'v1' })).toBe(60);
    expect(added({ response_code: '503' })).toBe(0);

    // A retried request carries its whole body again.
    for (let i = 0; i < 9; i++) {
      const reply = await mesh.request('/flaky/post', { method: 'POST', body: `payload-${i}` });
      expect([reply.status, reply.echo?.body]).toEqual([200, `payload-${i}`]);
    }
  });

  it('answers 504 when the request timeout passes, at the configured time', async () => {
    mesh.setRoutes([httpRoute('slow', { rules: [{ backendRefs: [backend('v1')], timeouts: { request: '300ms' } }] })]);
    const before = await mesh.metrics();
    const fast = await mesh.request('/slow?delay=50');
    expect(fast.status).toBe(200);
    const slow = await mesh.request('/slow?delay=2000');
    console.log(`timeout 300ms: 504 after ${slow.ms.toFixed(1)} ms`);
    expect([slow.status, slow.body]).toEqual([504, 'upstream request timeout']);
    expect(slow.ms).toBeGreaterThanOrEqual(300 - 50);
    expect(slow.ms).toBeLessThanOrEqual(300 + 50);
    const added = await metricsAfter(before, 2);
    expect(added({ response_code: '504', response_flags: 'UT' })).toBe(1);
  });

  it('retries an attempt that outlives its backendRequest timeout, then gives up with 504', async () => {
    mesh.setRoutes([
      httpRoute('per-try', {
        rules: [
          {
            backendRefs: [backend('v3')],
            timeouts: { request: '2s', backendRequest: '100ms' },
            retry: { attempts: 2, codes: [504], backoff: '10ms' },
          },
        ],
      }),
    ]);
    const hitsBefore = mesh.hits.v3;
    const reply = await mesh.request('/per-try?delay=1000');
    expect(reply.status).toBe(504);
    expect(mesh.hits.v3 - hitsBefore).toBe(3);
    // Three tries of 100 ms and two back-offs (10 ms, 20 ms).
    expect(reply.ms).toBeGreaterThanOrEqual(330 - 50);
    expect(reply.ms).toBeLessThanOrEqual(330 + 100);
  });
});

describe('fault injection', () => {
  const withFault = (name: string, fault: RouteFault) =>
    mesh.setRoutes(
      [
        httpRoute(name, {
          rules: [{ filters: [{ type: 'ExtensionRef', extensionRef: { ...FAULT_KIND, name } }], backendRefs: [backend('v1')] }],
        }),
      ],
      (ref) => (ref.name === name ? fault : undefined),
    );

  it('aborts 50 ± 7 % of 400 requests with the configured status', async () => {
    withFault('abort-half', { abort: { httpStatus: 503, percent: 50 } });
    const before = await mesh.metrics();
    draw = seededRandom(SEED);
    // One at a time: each request draws its backend, then its abort, always in that order.
    const replies = await load(400, 1, '/abort');
    const by = countBy(replies, (r) => String(r.status));
    console.log('abort 50 % over 400 requests:', by);
    expect((by['200'] ?? 0) + (by['503'] ?? 0)).toBe(400);
    expect(by['503']).toBeGreaterThanOrEqual(172);
    expect(by['503']).toBeLessThanOrEqual(228);
    const added = await metricsAfter(before, 400);
    expect(added({ response_code: '503', response_flags: 'FI' })).toBe(by['503']);
  });

  it('delays requests by the configured time', async () => {
    mesh.setRoutes([httpRoute('no-delay', { rules: [{ backendRefs: [backend('v1')] }] })]);
    const baseline = (await load(8, 1, '/delay')).map((r) => r.ms);
    withFault('delay', { delay: { fixedDelayMs: 250, percent: 100 } });
    const delayed = (await load(8, 1, '/delay')).map((r) => r.ms);
    // The fastest request of each set is the one least disturbed by other work on the machine.
    const added = Math.min(...delayed) - Math.min(...baseline);
    console.log(`delay fault 250 ms: fastest ${Math.min(...baseline).toFixed(1)} ms → ${Math.min(...delayed).toFixed(1)} ms`);
    for (const ms of delayed) expect(ms).toBeGreaterThanOrEqual(250);
    expect(added).toBeGreaterThanOrEqual(250 - 5);
    expect(added).toBeLessThanOrEqual(250 + 50);
  });
});

describe('endpoint health and limits', () => {
  it('ejects an endpoint after consecutive 5xx and stops sending it traffic', async () => {
    const replies = await load(30, 1, '/any?fail=v2');
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 503)).toHaveLength(3);
    // After its third failure (the seventh request: round robin over three), reviews-v2 is out.
    expect(statuses.slice(9).every((s) => s === 200)).toBe(true);
    const ejected = mesh.waypoint.endpoints
      .ejected(Date.now())
      .filter((e) => e.cluster === 'outbound|9080||reviews.shop.svc.cluster.local');
    expect(ejected.map((e) => e.workload?.name)).toEqual(['reviews-v2-1']);
  });

  it(`answers 503 (UO) when every endpoint has ${MAX_REQUESTS_PER_ENDPOINT} requests in flight`, async () => {
    mesh.setRoutes([httpRoute('limited', { rules: [{ backendRefs: [backend('v1')] }] })]);
    const replies = await Promise.all(Array.from({ length: MAX_REQUESTS_PER_ENDPOINT + 4 }, () => mesh.request('/limited?delay=300')));
    expect(countBy(replies, (r) => String(r.status))).toEqual({ '200': MAX_REQUESTS_PER_ENDPOINT, '503': 4 });
    expect(replies.find((r) => r.status === 503)?.body).toBe('upstream overflow');
  });
});
