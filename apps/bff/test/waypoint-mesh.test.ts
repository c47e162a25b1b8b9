// Issues "waypoint" and "embedded mesh": `ambit up` with its demo — Istio's Bookinfo as published,
// in the ambient namespace `demo` whose services use a waypoint — answering through
// ztunnel → waypoint → ztunnel; Istio's route-reviews-90-10.yaml, applied unchanged, splitting
// reviews as written; and Istio metrics for every edge on the ztunnels and on the waypoint.
// Nodes 71-72 (127.81-82.x.x) keep it clear of other tests' addresses. The demo's namespace is
// fixed, so this is the one test file that runs `ambit up` with the demo.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AmbitUp, startAmbitUp } from './ambit-up';
import { type Sample, scrape, sumOf } from './prometheus';
import { runAmbit } from './run-ambit';
import { waitUntil, waitUntilAsync } from './wait';

const upstream = join(__dirname, '../demo/upstream/istio');
const NS = 'demo';
const ZTUNNELS = ['127.81.0.1', '127.82.0.1'];
const host = (service: string) => `${service}.${NS}.svc.cluster.local`;
/** Every call the demo makes: the load generator's, productpage's and reviews v2/v3's. */
const EDGES = [
  { from: 'loadgen', to: 'productpage' },
  { from: 'productpage-v1', to: 'details' },
  { from: 'productpage-v1', to: 'reviews' },
  { from: 'reviews-v2', to: 'ratings' },
  { from: 'reviews-v3', to: 'ratings' },
];

interface CurlSummary {
  requests: number;
  failed: number;
  statuses: Record<string, number>;
  backends: Record<string, number>;
}

interface ProductPage {
  details: { status: number };
  reviews: { status: number; body: { version: string; ratings?: { status: number } } };
}

interface ConfigDump {
  waypoint: {
    routes: { name: string; unrouted: boolean; routes: { source: { route: string } }[] }[];
    policies: { target: { name: string } }[];
  };
}

describe('ambit up with the demo: Bookinfo behind a waypoint', () => {
  let work: string;
  let dataDir: string;
  let up: AmbitUp;
  let waypointIp: string;

  const curl = (url: string, count: number): CurlSummary => {
    const run = runAmbit(dataDir, ['curl', '--from', `${NS}/productpage`, url, '-n', String(count), '-o', 'json']);
    if (run.stdout === '') throw new Error(`ambit curl failed: ${run.stderr}`);
    return JSON.parse(run.stdout) as CurlSummary;
  };
  const productPage = (): ProductPage => {
    const run = runAmbit(dataDir, ['curl', '--from', `${NS}/productpage`, `http://productpage.${NS}:9080/productpage`, '-o', 'json']);
    const answer = JSON.parse(run.stdout) as { status: number; body: string };
    if (answer.status !== 200) throw new Error(`productpage answered ${answer.status}: ${answer.body}`);
    return JSON.parse(answer.body) as ProductPage;
  };
  const versions = (summary: CurlSummary): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [backend, n] of Object.entries(summary.backends)) {
      const version = /\((v\d)\)$/.exec(backend)?.[1] ?? backend;
      out[version] = (out[version] ?? 0) + n;
    }
    return out;
  };
  const waypointRequests = async (): Promise<Sample[]> => scrape(`http://${waypointIp}:15020/metrics`);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ambit-waypoint-'));
    dataDir = join(work, 'data');
    up = startAmbitUp(dataDir, ['--first-node', '71']);
    await up.ready();
    // The first answer through the mesh: every hop up, the waypoint included.
    await waitUntil(
      'productpage to answer through the waypoint',
      () => {
        const page = productPage();
        return page.details.status === 200 && page.reviews.status === 200;
      },
      60_000,
      200,
    );
    const seconds = (performance.now() - up.spawnedAt) / 1000;
    process.stdout.write(
      `ambit up → first request through the mesh: ${seconds.toFixed(1)} s (bench/embedded-startup.bench.ts records it)\n`,
    );
    const pods = JSON.parse(
      runAmbit(dataDir, ['get', 'pods', '-n', NS, '-l', 'gateway.networking.k8s.io/gateway-name=waypoint', '-o', 'json']).stdout,
    ) as {
      items: { status: { podIP: string } }[];
    };
    waypointIp = pods.items[0]?.status.podIP as string;
    expect(waypointIp).toMatch(/^127\.8[12]\.1\.\d+$/);
  }, 100_000);

  afterAll(async () => {
    await up?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 30_000);

  it('answers productpage → details, reviews v1/v2/v3 → ratings, every request through the waypoint', async () => {
    const before = sumOf(await waypointRequests(), 'istio_requests_total', { destination_service: host('reviews'), response_code: '200' });
    const reviews = curl(`http://reviews.${NS}:9080/reviews/0`, 30);
    expect(reviews).toMatchObject({ requests: 30, failed: 0, statuses: { 200: 30 } });
    expect(Object.keys(versions(reviews)).sort()).toEqual(['v1', 'v2', 'v3']);

    const page = productPage();
    expect(page.details.status).toBe(200);
    expect(page.reviews.status).toBe(200);
    if (page.reviews.body.version !== 'v1') expect(page.reviews.body.ratings?.status).toBe(200);

    // The waypoint served them: each request to reviews is in its metrics (the load generator's too).
    const after = await waitUntilAsync('the waypoint to count the requests', async () => {
      const count = sumOf(await waypointRequests(), 'istio_requests_total', { destination_service: host('reviews'), response_code: '200' });
      return count >= before + 31 ? count : undefined;
    });
    expect(after).toBeGreaterThanOrEqual(before + 31);
    expect(runAmbit(dataDir, ['logs', `waypoint/${NS}/waypoint`]).stdout).toContain('"msg":"waypoint started"');
  }, 60_000);

  it('reports every demo edge on the ztunnels (TCP) and on the waypoint (HTTP, reporter="waypoint")', async () => {
    const ztunnels = async () => (await Promise.all(ZTUNNELS.map((ip) => scrape(`http://${ip}:15020/metrics`)))).flat();
    const missing = async (): Promise<string[]> => {
      const [tcp, http] = await Promise.all([ztunnels(), waypointRequests()]);
      const out: string[] = [];
      for (const { from, to } of EDGES) {
        const edge = { source_workload: from, destination_service: host(to) };
        if (sumOf(tcp, 'istio_tcp_connections_opened_total', { reporter: 'source', ...edge }) === 0) out.push(`ztunnel ${from} → ${to}`);
        if (sumOf(http, 'istio_requests_total', { reporter: 'waypoint', response_code: '200', ...edge }) === 0)
          out.push(`waypoint ${from} → ${to}`);
      }
      return out;
    };
    const gaps = await waitUntilAsync('metrics for every edge', async () => {
      const found = await missing();
      return found.length === 0 ? found : undefined;
    }).catch(async () => missing());
    expect(gaps).toEqual([]);

    // Per destination service on the waypoint, with Istio's labels.
    const http = await waypointRequests();
    for (const service of ['productpage', 'details', 'reviews', 'ratings']) {
      expect(sumOf(http, 'istio_requests_total', { reporter: 'waypoint', destination_service: host(service) }), service).toBeGreaterThan(0);
      expect(sumOf(http, 'istio_request_duration_milliseconds_count', { destination_service: host(service) }), service).toBeGreaterThan(0);
    }
    const sample = http.find((s) => s.name === 'istio_requests_total' && s.labels.destination_service === host('ratings'));
    expect(sample?.labels).toMatchObject({
      reporter: 'waypoint',
      source_workload_namespace: NS,
      destination_service_name: 'ratings',
      destination_workload: 'ratings-v1',
      destination_principal: 'spiffe://cluster.local/ns/demo/sa/bookinfo-ratings',
      connection_security_policy: 'mutual_tls',
    });
  }, 60_000);

  it('enforces an L7 AuthorizationPolicy attached to a Service with targetRefs, delivered to the waypoint over xDS', async () => {
    const policy = [
      'apiVersion: security.istio.io/v1',
      'kind: AuthorizationPolicy',
      'metadata:',
      '  name: reviews-no-deletes',
      'spec:',
      '  targetRefs:',
      '  - kind: Service',
      '    group: ""',
      '    name: reviews',
      '  action: DENY',
      '  rules:',
      '  - to:',
      '    - operation:',
      '        methods: ["DELETE"]',
      '',
    ].join('\n');
    const applied = runAmbit(dataDir, ['apply', '-n', NS, '-f', '-'], policy);
    expect(applied.status, applied.stderr).toBe(0);
    await waitUntilAsync('the waypoint to hold the policy', async () => {
      const dump = (await (await fetch(`http://${waypointIp}:15000/config_dump`)).json()) as ConfigDump;
      return dump.waypoint.policies.some((p) => p.target.name === 'reviews-no-deletes');
    });
    const send = (method: string) =>
      JSON.parse(
        runAmbit(dataDir, ['curl', '--from', `${NS}/productpage`, '-X', method, `http://reviews.${NS}:9080/reviews/0`, '-o', 'json'])
          .stdout,
      ) as { status: number; body: string };
    const denied = send('DELETE');
    expect(denied.status).toBe(403);
    expect(denied.body).toContain('RBAC: access denied');
    expect(send('GET').status).toBe(200);
    expect(runAmbit(dataDir, ['delete', 'authorizationpolicy', 'reviews-no-deletes', '-n', NS]).status).toBe(0);
  }, 60_000);

  it('splits reviews 90/10 (± 5 %) over 400 requests with Istio’s route-reviews-90-10.yaml applied unchanged', async () => {
    const applied = runAmbit(dataDir, ['apply', '-n', NS, '-f', join(upstream, 'route-reviews-90-10.yaml')]);
    expect(applied.status, applied.stderr).toBe(0);
    await waitUntilAsync('the waypoint to hold the route', async () => {
      const dump = (await (await fetch(`http://${waypointIp}:15000/config_dump`)).json()) as ConfigDump;
      const table = dump.waypoint.routes.find((r) => r.name === `${host('reviews')}:9080`);
      return table && !table.unrouted && table.routes[0]?.source.route === `${NS}/reviews`;
    });

    const split = curl(`http://reviews.${NS}:9080/reviews/0`, 400);
    expect(split).toMatchObject({ requests: 400, failed: 0 });
    const byVersion = versions(split);
    process.stdout.write(`reviews over 400 requests with route-reviews-90-10.yaml: ${JSON.stringify(byVersion)}\n`);
    expect(byVersion.v3 ?? 0).toBe(0);
    expect(byVersion.v1 ?? 0).toBeGreaterThanOrEqual(400 * 0.85);
    expect(byVersion.v1 ?? 0).toBeLessThanOrEqual(400 * 0.95);
    expect(byVersion.v2 ?? 0).toBeGreaterThanOrEqual(400 * 0.05);
    expect(byVersion.v2 ?? 0).toBeLessThanOrEqual(400 * 0.15);
  }, 90_000);
});
