// Istio HTTP telemetry from a running waypoint: exact counts per response code and version,
// Istio's label set with reporter="waypoint", the three histograms, and the access log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchText, type Sample, sumOf } from './fixtures/net';
import { waitFor } from './fixtures/wait';
import { backend, CLIENT_PRINCIPAL, httpRoute, startWaypointMesh, type WaypointMesh } from './fixtures/waypoint-mesh';

let mesh: WaypointMesh;
beforeAll(async () => {
  mesh = await startWaypointMesh({ net: 44 });
});
afterAll(() => mesh?.stop());

describe('waypoint metrics', () => {
  it('counts requests per response code and destination version exactly, with Istio’s labels', async () => {
    mesh.setRoutes([
      httpRoute('by-version', {
        rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/v1' } }], backendRefs: [backend('v1')] },
          { matches: [{ path: { type: 'PathPrefix', value: '/v2' } }], backendRefs: [backend('v2')] },
        ],
      }),
    ]);
    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) sent.push(mesh.request('/v1/ok', { method: 'POST', body: 'twelve bytes' }));
    for (let i = 0; i < 6; i++) sent.push(mesh.request('/v2/ok'));
    for (let i = 0; i < 3; i++) sent.push(mesh.request('/nowhere'));
    await Promise.all(sent);
    // The failures go last: three 5xx in a row eject v2's endpoint (outlier detection), which
    // would turn any /v2/ok still in flight into a 503.
    for (let i = 0; i < 4; i++) await mesh.request('/v2/broken?status=500');

    const samples: Sample[] = await waitFor(async () => {
      const s = await mesh.metrics();
      return sumOf(s, 'istio_requests_total') === 33 ? s : undefined;
    }, '33 requests in the metrics');
    const count = (labels: Record<string, string>) => sumOf(samples, 'istio_requests_total', labels);
    expect(count({ response_code: '200', destination_version: 'v1' })).toBe(20);
    expect(count({ response_code: '200', destination_version: 'v2' })).toBe(6);
    expect(count({ response_code: '500', destination_version: 'v2' })).toBe(4);
    expect(count({ response_code: '404', response_flags: 'NR', destination_version: 'unknown' })).toBe(3);

    const v1 = samples.find((s) => s.name === 'istio_requests_total' && s.labels.destination_version === 'v1');
    expect(v1?.labels).toEqual({
      reporter: 'waypoint',
      source_workload: 'frontend',
      source_canonical_service: 'frontend',
      source_canonical_revision: 'v1',
      source_workload_namespace: 'shop',
      source_principal: `spiffe://${CLIENT_PRINCIPAL}`,
      source_app: 'frontend',
      source_version: 'v1',
      source_cluster: 'unknown',
      destination_service: 'reviews-v1.shop.svc.cluster.local',
      destination_service_namespace: 'shop',
      destination_service_name: 'reviews-v1',
      destination_workload: 'reviews-v1',
      destination_canonical_service: 'reviews',
      destination_canonical_revision: 'v1',
      destination_workload_namespace: 'shop',
      destination_principal: 'spiffe://cluster.local/ns/shop/sa/reviews',
      destination_app: 'reviews',
      destination_version: 'v1',
      destination_cluster: 'unknown',
      request_protocol: 'http',
      response_code: '200',
      grpc_response_status: '',
      response_flags: '-',
      connection_security_policy: 'mutual_tls',
    });

    const histogram = (name: string, suffix: string, labels: Record<string, string>) => sumOf(samples, `${name}_${suffix}`, labels);
    const okV1 = { response_code: '200', destination_version: 'v1' };
    for (const name of ['istio_request_duration_milliseconds', 'istio_request_bytes', 'istio_response_bytes']) {
      expect(histogram(name, 'count', okV1)).toBe(20);
      expect(histogram(name, 'bucket', { ...okV1, le: '+Inf' })).toBe(20);
    }
    expect(histogram('istio_request_bytes', 'sum', okV1)).toBe(20 * 'twelve bytes'.length);
    expect(histogram('istio_request_bytes', 'bucket', { ...okV1, le: '10' })).toBe(0);
    expect(histogram('istio_request_bytes', 'bucket', { ...okV1, le: '100' })).toBe(20);
    // Buckets are cumulative: non-decreasing with le, ending at the count (whatever the machine's load made the durations).
    const durationBuckets = samples
      .filter(
        (s) =>
          s.name === 'istio_request_duration_milliseconds_bucket' &&
          s.labels.response_code === '200' &&
          s.labels.destination_version === 'v1',
      )
      .map((s) => [s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le), s.value] as const)
      .sort((a, b) => a[0] - b[0]);
    expect(durationBuckets.length).toBeGreaterThan(5);
    expect(durationBuckets.every(([, value], i) => i === 0 || value >= (durationBuckets[i - 1]?.[1] ?? 0))).toBe(true);
    expect(durationBuckets.at(-1)?.[1]).toBe(20);

    // Typed as Prometheus histograms (so Grafana's histogram_quantile works), and no empty TCP families.
    const text = (await fetchText(`http://${mesh.waypoint.address}:${mesh.waypoint.ports.metrics}/metrics`)).text;
    expect(text).toContain('# TYPE istio_request_duration_milliseconds histogram\n');
    expect(text).not.toContain('# TYPE istio_request_duration_milliseconds_bucket');
    expect(text).not.toContain('istio_tcp_');
  });

  it('writes one JSON access log line per request', async () => {
    mesh.setRoutes([httpRoute('logged', { rules: [{ backendRefs: [backend('v3')] }] })]);
    const reply = await mesh.request('/logged/1?q=2', { headers: { 'user-agent': 'test' } });
    expect(reply.status).toBe(200);
    const line = await waitFor(
      () => mesh.waypointLog.lines.find((l) => l.scope === 'access' && l.path === '/logged/1?q=2'),
      'the access log line',
    );
    expect(line).toMatchObject({
      method: 'GET',
      status: 200,
      response_flags: '-',
      protocol: 'HTTP/1.1',
      route: 'shop/logged/0/0',
      'src.workload': 'frontend-1',
      'src.identity': `spiffe://${CLIENT_PRINCIPAL}`,
      'dst.service': 'reviews-v3.shop.svc.cluster.local',
      'dst.workload': 'reviews-v3-1',
      'dst.identity': 'spiffe://cluster.local/ns/shop/sa/reviews',
      attempts: 1,
    });
    expect(line.bytes_sent).toBe(reply.body.length);
  });
});
